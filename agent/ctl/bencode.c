// SPDX-License-Identifier: GPL-2.0
/*
 * Strict bencode: decoder into an arena-allocated tree, and encoder.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/bencode.h"

#define BN_CHUNK_NODES	64

struct bn_chunk {
	struct bn_chunk *next;
	size_t used;
	struct bn nodes[BN_CHUNK_NODES];
};

struct bn_parser {
	struct bn_doc *doc;
	const char *buf;
	size_t len;
	size_t pos;
};

static const char *const bn_errstr[BN_E__COUNT] = {
	[BN_OK]			= "success",
	[BN_E_EMPTY]		= "empty input",
	[BN_E_TRUNCATED]	= "input ends inside a value",
	[BN_E_BAD_TYPE]		= "unexpected character at start of value",
	[BN_E_BAD_LEN]		= "string length is not a decimal number",
	[BN_E_LEADING_ZERO]	= "number has a leading zero",
	[BN_E_LEN_RANGE]	= "string length exceeds the input",
	[BN_E_BAD_INT]		= "malformed integer",
	[BN_E_INT_RANGE]	= "integer out of range",
	[BN_E_KEY_TYPE]		= "dictionary key is not a string",
	[BN_E_NO_VALUE]		= "dictionary key has no value",
	[BN_E_TOO_DEEP]		= "nesting too deep (max "
				  BN_NUM(BN_MAX_DEPTH) ")",
	[BN_E_TOO_MANY]		= "too many items in a list or dictionary (max "
				  BN_NUM(BN_MAX_ITEMS) ")",
	[BN_E_TRAILING]		= "trailing data after value",
	[BN_E_NOMEM]		= "out of memory",
};

const char *bn_strerror(enum bn_err err)
{
	if ((unsigned int)err >= BN_E__COUNT)
		return "unknown error";
	return bn_errstr[err];
}

struct bn *bn_alloc(struct bn_doc *doc)
{
	struct bn_chunk *c = doc->chunks;
	struct bn *n;

	if (!c || c->used == BN_CHUNK_NODES) {
		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->used = 0;
		c->next = doc->chunks;
		doc->chunks = c;
	}
	n = &c->nodes[c->used++];
	memset(n, 0, sizeof(*n));
	return n;
}

void bn_doc_free(struct bn_doc *doc)
{
	struct bn_chunk *c, *next;

	for (c = doc->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(doc->strings);
	doc->strings = NULL;
	doc->chunks = NULL;
	doc->root = NULL;
}

/* Parse an unsigned decimal ending at @term; no sign, no leading zeros. */
static enum bn_err bn_parse_uint(struct bn_parser *p, char term,
				 enum bn_err bad, uint64_t limit,
				 uint64_t *out)
{
	size_t start = p->pos;
	uint64_t v = 0;

	while (p->pos < p->len && p->buf[p->pos] != term) {
		char c = p->buf[p->pos];

		if (c < '0' || c > '9')
			return bad;
		if (v > (limit - (uint64_t)(c - '0')) / 10)
			return bad == BN_E_BAD_LEN ? BN_E_LEN_RANGE :
						     BN_E_INT_RANGE;
		v = v * 10 + (uint64_t)(c - '0');
		p->pos++;
	}
	if (p->pos >= p->len)
		return BN_E_TRUNCATED;
	if (p->pos == start)
		return bad;
	if (p->buf[start] == '0' && p->pos - start > 1)
		return BN_E_LEADING_ZERO;
	p->pos++;	/* terminator */
	*out = v;
	return BN_OK;
}

static enum bn_err bn_parse_str(struct bn_parser *p, struct bn *n)
{
	uint64_t len;
	enum bn_err err;

	err = bn_parse_uint(p, ':', BN_E_BAD_LEN, SIZE_MAX, &len);
	if (err)
		return err;
	if (len > p->len - p->pos)
		return BN_E_LEN_RANGE;
	n->type = BN_STR;
	n->str = p->buf + p->pos;
	n->len = (size_t)len;
	p->pos += (size_t)len;
	return BN_OK;
}

static enum bn_err bn_parse_int(struct bn_parser *p, struct bn *n)
{
	bool neg = false;
	uint64_t v;
	enum bn_err err;

	p->pos++;	/* 'i' */
	if (p->pos < p->len && p->buf[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	err = bn_parse_uint(p, 'e', BN_E_BAD_INT,
			    neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX,
			    &v);
	if (err)
		return err;
	if (neg && v == 0)
		return BN_E_BAD_INT;
	n->type = BN_INT;
	if (neg)
		n->num = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		n->num = (int64_t)v;
	return BN_OK;
}

static enum bn_err bn_parse_value(struct bn_parser *p, struct bn **out,
				  int depth);

static enum bn_err bn_parse_container(struct bn_parser *p, struct bn *n,
				      int depth)
{
	bool dict = p->buf[p->pos] == 'd';
	struct bn **tail = &n->child;
	enum bn_err err;

	if (depth >= BN_MAX_DEPTH)
		return BN_E_TOO_DEEP;
	n->type = dict ? BN_DICT : BN_LIST;
	p->pos++;
	for (;;) {
		struct bn *item;

		if (p->pos >= p->len)
			return BN_E_TRUNCATED;
		if (p->buf[p->pos] == 'e') {
			p->pos++;
			return BN_OK;
		}
		if (n->len == BN_MAX_ITEMS)
			return BN_E_TOO_MANY;
		if (dict) {
			char c = p->buf[p->pos];

			if (c < '0' || c > '9')
				return c == 'i' || c == 'l' || c == 'd' ?
					BN_E_KEY_TYPE : BN_E_BAD_TYPE;
			err = bn_parse_value(p, &item, depth + 1);
			if (err)
				return err;
			*tail = item;
			tail = &item->next;
			if (p->pos >= p->len)
				return BN_E_TRUNCATED;
			if (p->buf[p->pos] == 'e')
				return BN_E_NO_VALUE;
		}
		err = bn_parse_value(p, &item, depth + 1);
		if (err)
			return err;
		*tail = item;
		tail = &item->next;
		n->len++;
	}
}

static enum bn_err bn_parse_value(struct bn_parser *p, struct bn **out,
				  int depth)
{
	struct bn *n;
	char c;

	if (p->pos >= p->len)
		return BN_E_TRUNCATED;
	n = bn_alloc(p->doc);
	if (!n)
		return BN_E_NOMEM;
	*out = n;
	c = p->buf[p->pos];
	if (c >= '0' && c <= '9')
		return bn_parse_str(p, n);
	if (c == 'i')
		return bn_parse_int(p, n);
	if (c == 'l' || c == 'd')
		return bn_parse_container(p, n, depth);
	return BN_E_BAD_TYPE;
}

enum bn_err bn_decode(struct bn_doc *doc, const char *buf, size_t len)
{
	struct bn_parser p = { .doc = doc, .buf = buf, .len = len };
	struct bn *root;
	enum bn_err err;

	doc->root = NULL;
	doc->chunks = NULL;
	doc->strings = NULL;
	doc->offset = 0;
	if (!len)
		return BN_E_EMPTY;
	err = bn_parse_value(&p, &root, 0);
	if (!err && p.pos != len)
		err = BN_E_TRAILING;
	doc->offset = p.pos;
	if (err) {
		bn_doc_free(doc);
		return err;
	}
	doc->root = root;
	return BN_OK;
}

const struct bn *bn_dict_get(const struct bn *dict, const char *key)
{
	size_t klen = strlen(key);
	const struct bn *k;

	if (!dict || dict->type != BN_DICT)
		return NULL;
	for (k = dict->child; k && k->next; k = k->next->next)
		if (k->len == klen && !memcmp(k->str, key, klen))
			return k->next;
	return NULL;
}

bool bn_is_str(const struct bn *n, const char *s)
{
	size_t l = strlen(s);

	return n && n->type == BN_STR && n->len == l && !memcmp(n->str, s, l);
}

char *bn_strdup(const struct bn *n)
{
	char *s;

	if (!n || n->type != BN_STR)
		return NULL;
	s = malloc(n->len + 1);
	if (!s)
		return NULL;
	memcpy(s, n->str, n->len);
	s[n->len] = '\0';
	return s;
}

/* ---- encoder ---- */

void bn_buf_init(struct bn_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void bn_buf_free(struct bn_buf *b)
{
	free(b->data);
	bn_buf_init(b);
}

void bn_put_raw(struct bn_buf *b, const void *p, size_t len)
{
	if (b->err)
		return;
	if (len > SIZE_MAX - b->len - 1) {
		b->err = true;
		return;
	}
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *d;

		while (cap < b->len + len + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->err = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void bn_put_str(struct bn_buf *b, const void *p, size_t len)
{
	char hdr[24];
	int n = snprintf(hdr, sizeof(hdr), "%zu:", len);

	bn_put_raw(b, hdr, (size_t)n);
	bn_put_raw(b, p, len);
}

void bn_put_cstr(struct bn_buf *b, const char *s)
{
	bn_put_str(b, s, strlen(s));
}

void bn_put_int(struct bn_buf *b, int64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "i%" PRId64 "e", v);

	bn_put_raw(b, tmp, (size_t)n);
}

void bn_open_dict(struct bn_buf *b)
{
	bn_put_raw(b, "d", 1);
	b->depth++;
}

void bn_open_list(struct bn_buf *b)
{
	bn_put_raw(b, "l", 1);
	b->depth++;
}

void bn_close(struct bn_buf *b)
{
	if (b->depth <= 0) {
		b->err = true;
		return;
	}
	b->depth--;
	bn_put_raw(b, "e", 1);
}

void bn_put_node(struct bn_buf *b, const struct bn *n)
{
	const struct bn *c;

	switch (n->type) {
	case BN_STR:
		bn_put_str(b, n->str, n->len);
		break;
	case BN_INT:
		bn_put_int(b, n->num);
		break;
	case BN_LIST:
	case BN_DICT:
		if (n->type == BN_LIST)
			bn_open_list(b);
		else
			bn_open_dict(b);
		for (c = n->child; c; c = c->next)
			bn_put_node(b, c);
		bn_close(b);
		break;
	default:
		b->err = true;
	}
}

void bn_kv_strn(struct bn_buf *b, const char *key, const void *val,
		size_t len)
{
	bn_put_cstr(b, key);
	bn_put_str(b, val, len);
}

void bn_kv_str(struct bn_buf *b, const char *key, const char *val)
{
	bn_kv_strn(b, key, val, strlen(val));
}

void bn_kv_int(struct bn_buf *b, const char *key, int64_t val)
{
	bn_put_cstr(b, key);
	bn_put_int(b, val);
}

int bn_buf_finish(struct bn_buf *b)
{
	return b->err || b->depth != 0 ? -1 : 0;
}
