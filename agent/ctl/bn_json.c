// SPDX-License-Identifier: GPL-2.0
/*
 * JSON decoder and writer over the bencode value tree.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/bn_json.h"

static const char *const bj_errstr[BJ_E__COUNT] = {
	[BJ_OK]			= "success",
	[BJ_E_EMPTY]		= "empty input",
	[BJ_E_TRUNCATED]	= "input ends inside a value",
	[BJ_E_SYNTAX]		= "unexpected character",
	[BJ_E_CTRL]		= "control character in a string",
	[BJ_E_ESCAPE]		= "invalid escape in a string",
	[BJ_E_SURROGATE]	= "unpaired surrogate in a string",
	[BJ_E_UTF8]		= "string is not valid UTF-8",
	[BJ_E_NUMBER]		= "malformed number",
	[BJ_E_NOT_INT]		= "number is not an integer",
	[BJ_E_INT_RANGE]	= "integer out of range",
	[BJ_E_NULL]		= "null is not supported",
	[BJ_E_KEY_TYPE]		= "object key is not a string",
	[BJ_E_TOO_DEEP]		= "nesting too deep (max "
				  BN_NUM(BN_MAX_DEPTH) ")",
	[BJ_E_TOO_MANY]		= "too many items in an array or object (max "
				  BN_NUM(BN_MAX_ITEMS) ")",
	[BJ_E_TRAILING]		= "trailing data after value",
	[BJ_E_NOMEM]		= "out of memory",
};

const char *bn_json_strerror(enum bj_err err)
{
	if ((unsigned int)err >= BJ_E__COUNT)
		return "unknown error";
	return bj_errstr[err];
}

/*
 * Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlong
 * forms, no surrogates, at most U+10FFFF), or 0.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* ---- decoder ---- */

struct bj_parser {
	struct bn_doc *doc;
	const unsigned char *buf;
	size_t len;
	size_t pos;
	char *out;		/* next free byte of doc->strings */
};

static void bj_ws(struct bj_parser *p)
{
	while (p->pos < p->len &&
	       (p->buf[p->pos] == ' ' || p->buf[p->pos] == '\t' ||
		p->buf[p->pos] == '\n' || p->buf[p->pos] == '\r'))
		p->pos++;
}

static int bj_hex4(struct bj_parser *p, uint32_t *v)
{
	size_t i;

	*v = 0;
	if (p->len - p->pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned char c = p->buf[p->pos + i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	p->pos += 4;
	return 0;
}

static char *utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* \uXXXX (the backslash and 'u' consumed), pairs of surrogates joined */
static enum bj_err bj_unicode(struct bj_parser *p)
{
	uint32_t cp, lo;

	if (bj_hex4(p, &cp))
		return p->len - p->pos < 4 ? BJ_E_TRUNCATED : BJ_E_ESCAPE;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return BJ_E_SURROGATE;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->len - p->pos < 2 || p->buf[p->pos] != '\\' ||
		    p->buf[p->pos + 1] != 'u')
			return BJ_E_SURROGATE;
		p->pos += 2;
		if (bj_hex4(p, &lo))
			return BJ_E_ESCAPE;
		if (lo < 0xdc00 || lo > 0xdfff)
			return BJ_E_SURROGATE;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	/* never longer than its escape: the strings buffer suffices */
	p->out = utf8_put(p->out, cp);
	return BJ_OK;
}

static enum bj_err bj_string(struct bj_parser *p, struct bn *n)
{
	char *start = p->out;
	enum bj_err err;

	p->pos++;	/* '"' */
	for (;;) {
		unsigned char c;
		size_t l;

		if (p->pos >= p->len)
			return BJ_E_TRUNCATED;
		c = p->buf[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20)
			return BJ_E_CTRL;
		if (c != '\\') {
			l = utf8_seq(p->buf + p->pos, p->len - p->pos);
			if (!l)
				return BJ_E_UTF8;
			memcpy(p->out, p->buf + p->pos, l);
			p->out += l;
			p->pos += l;
			continue;
		}
		if (++p->pos >= p->len)
			return BJ_E_TRUNCATED;
		c = p->buf[p->pos++];
		switch (c) {
		case '"': case '\\': case '/':
			*p->out++ = (char)c;
			break;
		case 'b':
			*p->out++ = '\b';
			break;
		case 'f':
			*p->out++ = '\f';
			break;
		case 'n':
			*p->out++ = '\n';
			break;
		case 'r':
			*p->out++ = '\r';
			break;
		case 't':
			*p->out++ = '\t';
			break;
		case 'u':
			err = bj_unicode(p);
			if (err)
				return err;
			break;
		default:
			return BJ_E_ESCAPE;
		}
	}
	n->type = BN_STR;
	n->str = start;
	n->len = (size_t)(p->out - start);
	return BJ_OK;
}

static enum bj_err bj_number(struct bj_parser *p, struct bn *n)
{
	bool neg = false;
	uint64_t v = 0, lim;
	size_t start;

	if (p->buf[p->pos] == '-') {
		neg = true;
		p->pos++;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	start = p->pos;
	while (p->pos < p->len && p->buf[p->pos] >= '0' &&
	       p->buf[p->pos] <= '9') {
		unsigned int d = p->buf[p->pos] - '0';

		if (v > (lim - d) / 10)
			return BJ_E_INT_RANGE;
		v = v * 10 + d;
		p->pos++;
	}
	if (p->pos == start)
		return p->pos >= p->len ? BJ_E_TRUNCATED : BJ_E_NUMBER;
	if (p->buf[start] == '0' && p->pos - start > 1)
		return BJ_E_NUMBER;
	if (p->pos < p->len && (p->buf[p->pos] == '.' ||
				p->buf[p->pos] == 'e' ||
				p->buf[p->pos] == 'E'))
		return BJ_E_NOT_INT;
	n->type = BN_INT;
	if (neg)
		n->num = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		n->num = (int64_t)v;
	return BJ_OK;
}

static enum bj_err bj_word(struct bj_parser *p, const char *w)
{
	size_t l = strlen(w), i;

	for (i = 0; i < l; i++) {
		if (p->pos + i >= p->len)
			return BJ_E_TRUNCATED;
		if (p->buf[p->pos + i] != (unsigned char)w[i])
			return BJ_E_SYNTAX;
	}
	p->pos += l;
	return BJ_OK;
}

static enum bj_err bj_value(struct bj_parser *p, struct bn **out, int depth);

static enum bj_err bj_container(struct bj_parser *p, struct bn *n, int depth)
{
	bool dict = p->buf[p->pos] == '{';
	char close = dict ? '}' : ']';
	struct bn **tail = &n->child;
	struct bn *item;
	enum bj_err err;

	if (depth >= BN_MAX_DEPTH)
		return BJ_E_TOO_DEEP;
	n->type = dict ? BN_DICT : BN_LIST;
	p->pos++;
	bj_ws(p);
	if (p->pos >= p->len)
		return BJ_E_TRUNCATED;
	if (p->buf[p->pos] == (unsigned char)close) {
		p->pos++;
		return BJ_OK;
	}
	for (;;) {
		if (n->len == BN_MAX_ITEMS)
			return BJ_E_TOO_MANY;
		if (dict) {
			bj_ws(p);
			if (p->pos >= p->len)
				return BJ_E_TRUNCATED;
			if (p->buf[p->pos] != '"')
				return BJ_E_KEY_TYPE;
			item = bn_alloc(p->doc);
			if (!item)
				return BJ_E_NOMEM;
			err = bj_string(p, item);
			if (err)
				return err;
			*tail = item;
			tail = &item->next;
			bj_ws(p);
			if (p->pos >= p->len)
				return BJ_E_TRUNCATED;
			if (p->buf[p->pos++] != ':')
				return BJ_E_SYNTAX;
		}
		err = bj_value(p, &item, depth + 1);
		if (err)
			return err;
		*tail = item;
		tail = &item->next;
		n->len++;
		bj_ws(p);
		if (p->pos >= p->len)
			return BJ_E_TRUNCATED;
		if (p->buf[p->pos] == (unsigned char)close) {
			p->pos++;
			return BJ_OK;
		}
		if (p->buf[p->pos++] != ',')
			return BJ_E_SYNTAX;
	}
}

static enum bj_err bj_value(struct bj_parser *p, struct bn **out, int depth)
{
	struct bn *n;
	enum bj_err err;
	unsigned char c;

	bj_ws(p);
	if (p->pos >= p->len)
		return BJ_E_TRUNCATED;
	n = bn_alloc(p->doc);
	if (!n)
		return BJ_E_NOMEM;
	*out = n;
	c = p->buf[p->pos];
	switch (c) {
	case '{':
	case '[':
		return bj_container(p, n, depth);
	case '"':
		return bj_string(p, n);
	case 't':
	case 'f':
		err = bj_word(p, c == 't' ? "true" : "false");
		n->type = BN_INT;
		n->num = c == 't';
		return err;
	case 'n':
		err = bj_word(p, "null");
		return err ? err : BJ_E_NULL;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return bj_number(p, n);
		return BJ_E_SYNTAX;
	}
}

enum bj_err bn_json_decode(struct bn_doc *doc, const char *buf, size_t len)
{
	struct bj_parser p = { .doc = doc, .buf = (const unsigned char *)buf,
			       .len = len };
	struct bn *root;
	enum bj_err err;

	memset(doc, 0, sizeof(*doc));
	/* decoded strings are never longer than their JSON spelling */
	doc->strings = malloc(len ? len : 1);
	if (!doc->strings)
		return BJ_E_NOMEM;
	p.out = doc->strings;
	bj_ws(&p);
	if (p.pos >= len) {
		err = BJ_E_EMPTY;
		goto out;
	}
	err = bj_value(&p, &root, 0);
	if (!err) {
		bj_ws(&p);
		if (p.pos != len)
			err = BJ_E_TRAILING;
	}
out:
	doc->offset = p.pos;
	if (err) {
		bn_doc_free(doc);
		return err;
	}
	doc->root = root;
	return BJ_OK;
}

/* ---- writer ---- */

static void bj_put_str(struct bn_buf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run, l;
	char esc[8];

	bn_put_raw(b, "\"", 1);
	while (i < len) {
		/* copy plain runs in one go */
		for (run = i; run < len; run += l) {
			if (s[run] < 0x20 || s[run] == '"' || s[run] == '\\')
				break;
			l = utf8_seq(s + run, len - run);
			if (!l)
				break;
		}
		bn_put_raw(b, s + i, run - i);
		i = run;
		if (i >= len)
			break;
		switch (s[i]) {
		case '"':
			bn_put_raw(b, "\\\"", 2);
			break;
		case '\\':
			bn_put_raw(b, "\\\\", 2);
			break;
		case '\n':
			bn_put_raw(b, "\\n", 2);
			break;
		case '\r':
			bn_put_raw(b, "\\r", 2);
			break;
		case '\t':
			bn_put_raw(b, "\\t", 2);
			break;
		default:
			/* control character, or a byte outside UTF-8 */
			snprintf(esc, sizeof(esc), "\\u%04x", s[i]);
			bn_put_raw(b, esc, 6);
		}
		i++;
	}
	bn_put_raw(b, "\"", 1);
}

void bn_json_write(struct bn_buf *b, const struct bn *n)
{
	const struct bn *c;
	char num[24];
	bool first = true;

	switch (n->type) {
	case BN_STR:
		bj_put_str(b, n->str, n->len);
		break;
	case BN_INT:
		snprintf(num, sizeof(num), "%" PRId64, n->num);
		bn_put_raw(b, num, strlen(num));
		break;
	case BN_LIST:
		bn_put_raw(b, "[", 1);
		for (c = n->child; c; c = c->next) {
			if (!first)
				bn_put_raw(b, ",", 1);
			first = false;
			bn_json_write(b, c);
		}
		bn_put_raw(b, "]", 1);
		break;
	case BN_DICT:
		bn_put_raw(b, "{", 1);
		for (c = n->child; c && c->next; c = c->next->next) {
			if (!first)
				bn_put_raw(b, ",", 1);
			first = false;
			bj_put_str(b, c->str, c->len);
			bn_put_raw(b, ":", 1);
			bn_json_write(b, c->next);
		}
		bn_put_raw(b, "}", 1);
		break;
	default:
		b->err = true;
	}
}

void bn_json_print(FILE *f, const struct bn *n)
{
	struct bn_buf b;

	bn_buf_init(&b);
	bn_json_write(&b, n);
	if (!b.err)
		fwrite(b.data, 1, b.len, f);
	bn_buf_free(&b);
}
