// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_ng: the message generator (see hostile.h).
 *
 * Every message has an expected outcome decided with it.  Only defects
 * that are invalid by construction are expected to be refused: bencode
 * the grammar rejects (checked again with hn_bencode_valid()), SDP that
 * breaks a rule of RFC 8866 or of kiced's documented limits, keys of the
 * wrong type, tags and call-ids that are not the call's, limits far
 * beyond any documented one.  Input that may be legal (a call-id with a
 * NUL, a mutated but possibly valid description) makes a new call whose
 * acceptance the run checks for consistency instead (HX_EITHER); input
 * at the documented limits must be accepted (HX_NEW).
 *
 * The limits are those of Documentation/control.rst, section Limits.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kiced/tests/hostile.h"

/* Documentation/control.rst, Limits */
#define LIM_STR		256	/* call-id, tags, via-branch, label, ... */
#define LIM_MEDIA	32	/* m= lines */
#define LIM_CANDS	64	/* a=candidate per m= line */
#define LIM_DEPTH	32	/* nested containers, the top one included */
#define LIM_ITEMS	1024	/* items of a list or pairs of a dictionary */

/* ---- buffers ---- */

void hb_putc(struct bn_buf *b, char c)
{
	bn_put_raw(b, &c, 1);
}

void hb_puts(struct bn_buf *b, const char *s)
{
	bn_put_raw(b, s, strlen(s));
}

void hb_printf(struct bn_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		bn_put_raw(b, tmp, (size_t)n);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);

		if (!big) {
			perror("hostile_ng");
			exit(2);
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		bn_put_raw(b, big, (size_t)n);
		free(big);
	}
}

void hb_escape(struct bn_buf *b, const void *p, size_t n, size_t max)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			hb_putc(b, (char)s[i]);
		else
			hb_printf(b, "\\x%02x", s[i]);
	}
	if (n > max)
		hb_printf(b, "...(%zu bytes)", n);
}

/* ---- random numbers ---- */

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

bool rng_pct(struct rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

struct rng rng_for(uint64_t seed, uint64_t stream, uint64_t index)
{
	struct rng r = { seed };
	uint64_t a = rng_next(&r);

	r.s = a ^ (stream * 0xd1b54a32d192ed03ULL) ^
	      (index * 0xaef17502108ef2d9ULL);
	rng_next(&r);
	return r;
}

/* ---- established calls ---- */

void hn_calls_init(struct hn_call *c, uint64_t seed)
{
	static const char *const flags[HN_CALLS] = {
		NULL, "asymmetric", "strict source"
	};
	struct rng r = rng_for(seed, 7, 0);
	int i, m;

	for (i = 0; i < HN_CALLS; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		snprintf(c[i].call_id, sizeof(c[i].call_id),
			 "hng-%016" PRIx64 "-%d", seed, i);
		snprintf(c[i].from_tag, sizeof(c[i].from_tag), "fa%d-%08x", i,
			 (unsigned int)rng_next(&r));
		snprintf(c[i].to_tag, sizeof(c[i].to_tag), "tb%d-%08x", i,
			 (unsigned int)rng_next(&r));
		c[i].nmedia = i == 1 ? 2 : 1;
		c[i].flag = flags[i];
		c[i].direction = i == 2;
		for (m = 0; m < c[i].nmedia; m++) {
			c[i].port_a[m] = (uint16_t)(40000 + 10 * i + 2 * m);
			c[i].port_b[m] = (uint16_t)(42000 + 10 * i + 2 * m);
		}
	}
}

/* ---- per-message arena ---- */

struct sv {
	const char *p;
	size_t n;
};

/* a literal with its length: NULs inside count */
#define SV(lit)	{ lit, sizeof(lit) - 1 }

struct ablk {
	struct ablk *next;
	char d[];
};

struct arena {
	struct ablk *head;
};

static char *ar_alloc(struct arena *a, size_t n)
{
	struct ablk *b = malloc(sizeof(*b) + n + 1);

	if (!b) {
		perror("hostile_ng");
		exit(2);
	}
	b->next = a->head;
	a->head = b;
	b->d[n] = '\0';
	return b->d;
}

static struct sv ar_sv(struct arena *a, const void *p, size_t n)
{
	char *d = ar_alloc(a, n);

	memcpy(d, p, n);
	return (struct sv){ d, n };
}

static struct sv ar_hb(struct arena *a, struct bn_buf *b)
{
	struct sv s = ar_sv(a, b->data ? b->data : "", b->len);

	bn_buf_free(b);
	return s;
}

static void ar_free(struct arena *a)
{
	while (a->head) {
		struct ablk *n = a->head->next;

		free(a->head);
		a->head = n;
	}
}

static struct sv cs(const char *s)
{
	return (struct sv){ s, strlen(s) };
}

static bool sv_eq(struct sv a, const char *b)
{
	return a.n == strlen(b) && !memcmp(a.p, b, a.n);
}

/* ---- requests: an ordered list of members, encoded at the end ---- */

enum ft {
	FT_STR,		/* byte string */
	FT_INT,
	FT_STRS,	/* list of byte strings */
	FT_INTS,	/* list of @i copies of the integer 0 */
	FT_DICT,	/* {"a": i} */
	FT_NEST,	/* list holding a list holding @s */
	FT_BN,		/* raw bencode text (no JSON form) */
	FT_JS,		/* raw JSON text (no bencode form) */
};

#define RQ_ITEMS	8
#define RQ_FIELDS	40

struct fld {
	struct sv key;
	enum ft t;
	struct sv s;
	int64_t i;
	struct sv items[RQ_ITEMS];
	size_t nitems;
};

struct rq {
	struct fld f[RQ_FIELDS];
	int nf;
};

static struct fld *rq_find(struct rq *q, const char *key)
{
	int i;

	for (i = 0; i < q->nf; i++)
		if (sv_eq(q->f[i].key, key))
			return &q->f[i];
	return NULL;
}

static struct fld *rq_slot(struct rq *q, struct sv key)
{
	struct fld *f;
	int i;

	for (i = 0; i < q->nf; i++)
		if (q->f[i].key.n == key.n &&
		    !memcmp(q->f[i].key.p, key.p, key.n)) {
			f = &q->f[i];
			memset(f, 0, sizeof(*f));
			f->key = key;
			return f;
		}
	if (q->nf == RQ_FIELDS) {
		fprintf(stderr, "hostile_ng: too many members\n");
		exit(2);
	}
	f = &q->f[q->nf++];
	memset(f, 0, sizeof(*f));
	f->key = key;
	return f;
}

static void rq_str(struct rq *q, const char *key, struct sv v)
{
	struct fld *f = rq_slot(q, cs(key));

	f->t = FT_STR;
	f->s = v;
}

static void rq_cstr(struct rq *q, const char *key, const char *v)
{
	rq_str(q, key, cs(v));
}

static void rq_int(struct rq *q, const char *key, int64_t v)
{
	struct fld *f = rq_slot(q, cs(key));

	f->t = FT_INT;
	f->i = v;
}

static void rq_list1(struct rq *q, const char *key, const char *item)
{
	struct fld *f = rq_slot(q, cs(key));

	f->t = FT_STRS;
	f->items[0] = cs(item);
	f->nitems = 1;
}

static void rq_del(struct rq *q, const char *key)
{
	struct fld *f = rq_find(q, key);
	int i;

	if (!f)
		return;
	i = (int)(f - q->f);
	memmove(&q->f[i], &q->f[i + 1], (size_t)(q->nf - i - 1) * sizeof(*f));
	q->nf--;
}

static bool rq_json_ok(const struct rq *q)
{
	int i;

	for (i = 0; i < q->nf; i++)
		if (q->f[i].t == FT_BN)
			return false;
	return true;
}

static bool rq_bn_ok(const struct rq *q)
{
	int i;

	for (i = 0; i < q->nf; i++)
		if (q->f[i].t == FT_JS)
			return false;
	return true;
}

/* Where encoded byte strings start, for length corruption. */
#define STRPOS_MAX	64
struct strpos {
	size_t off[STRPOS_MAX];		/* offset of the first length digit */
	size_t n;
};

static void bn_s(struct bn_buf *b, struct sv s, struct strpos *sp)
{
	if (sp && sp->n < STRPOS_MAX)
		sp->off[sp->n++] = b->len;
	bn_put_str(b, s.p, s.n);
}

static void rq_bencode(const struct rq *q, struct bn_buf *b, struct strpos *sp)
{
	int i;
	size_t k;

	hb_putc(b, 'd');
	for (i = 0; i < q->nf; i++) {
		const struct fld *f = &q->f[i];

		bn_s(b, f->key, sp);
		switch (f->t) {
		case FT_STR:
			bn_s(b, f->s, sp);
			break;
		case FT_INT:
			hb_printf(b, "i%" PRId64 "e", f->i);
			break;
		case FT_STRS:
			hb_putc(b, 'l');
			for (k = 0; k < f->nitems; k++)
				bn_s(b, f->items[k], sp);
			hb_putc(b, 'e');
			break;
		case FT_INTS:
			hb_putc(b, 'l');
			for (k = 0; k < (size_t)f->i; k++)
				hb_puts(b, "i0e");
			hb_putc(b, 'e');
			break;
		case FT_DICT:
			hb_printf(b, "d1:ai%" PRId64 "ee", f->i);
			break;
		case FT_NEST:
			hb_puts(b, "ll");
			bn_s(b, f->s, sp);
			hb_puts(b, "ee");
			break;
		case FT_BN:
			bn_put_raw(b, f->s.p, f->s.n);
			break;
		case FT_JS:
			break;
		}
	}
	hb_putc(b, 'e');
}

static void js_s(struct bn_buf *b, struct sv s)
{
	size_t i;

	hb_putc(b, '"');
	for (i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c == '"' || c == '\\')
			hb_printf(b, "\\%c", c);
		else if (c == '\n')
			hb_puts(b, "\\n");
		else if (c == '\r')
			hb_puts(b, "\\r");
		else if (c < 0x20)
			hb_printf(b, "\\u%04x", c);
		else
			hb_putc(b, (char)c);
	}
	hb_putc(b, '"');
}

static void rq_json(const struct rq *q, struct bn_buf *b)
{
	int i;
	size_t k;

	hb_putc(b, '{');
	for (i = 0; i < q->nf; i++) {
		const struct fld *f = &q->f[i];

		if (i)
			hb_putc(b, ',');
		js_s(b, f->key);
		hb_putc(b, ':');
		switch (f->t) {
		case FT_STR:
			js_s(b, f->s);
			break;
		case FT_INT:
			hb_printf(b, "%" PRId64, f->i);
			break;
		case FT_STRS:
			hb_putc(b, '[');
			for (k = 0; k < f->nitems; k++) {
				if (k)
					hb_putc(b, ',');
				js_s(b, f->items[k]);
			}
			hb_putc(b, ']');
			break;
		case FT_INTS:
			hb_putc(b, '[');
			for (k = 0; k < (size_t)f->i; k++)
				hb_puts(b, k ? ",0" : "0");
			hb_putc(b, ']');
			break;
		case FT_DICT:
			hb_printf(b, "{\"a\":%" PRId64 "}", f->i);
			break;
		case FT_NEST:
			hb_puts(b, "[[");
			js_s(b, f->s);
			hb_puts(b, "]]");
			break;
		case FT_JS:
			bn_put_raw(b, f->s.p, f->s.n);
			break;
		case FT_BN:
			break;
		}
	}
	hb_putc(b, '}');
}

/* ---- generation context ---- */

struct gx {
	const struct hn_gen *g;
	uint64_t index;
	struct rng r;
	struct arena a;
	struct hn_msg *m;
	struct rq q;
};

#define R(x)		(&(x)->r)
#define PICK(x, arr)	((arr)[rng_below(R(x), sizeof(arr) / sizeof((arr)[0]))])

static const struct hn_call *pick_call(struct gx *x)
{
	return &x->g->calls[rng_below(R(x), (uint64_t)x->g->ncalls)];
}

static const char *other_addr(struct gx *x)
{
	return x->g->net->other[rng_below(R(x), (uint64_t)x->g->net->nother)];
}

static uint16_t rand_port(struct gx *x)
{
	return (uint16_t)(rng_range(R(x), 1024 / 2, 65534 / 2) * 2);
}

static struct sv token(struct gx *x, size_t lo, size_t hi)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789-.";
	size_t n = rng_range(R(x), lo, hi), i;
	char *d = ar_alloc(&x->a, n);

	for (i = 0; i < n; i++)
		d[i] = al[rng_below(R(x), sizeof(al) - 1)];
	return (struct sv){ d, n };
}

static struct sv repeat(struct gx *x, char c, size_t n)
{
	char *d = ar_alloc(&x->a, n);

	memset(d, c, n);
	return (struct sv){ d, n };
}

/* A unique fresh call-id for message @index. */
static struct sv fresh_id(struct gx *x)
{
	struct bn_buf b = { 0 };

	hb_printf(&b, "hx%" PRIu64 "-", x->index);
	{
		struct sv t = token(x, 4, 12);

		bn_put_raw(&b, t.p, t.n);
	}
	return ar_hb(&x->a, &b);
}

/* ---- session descriptions ---- */

struct sdpo {
	const char *addr;	/* connection address */
	bool v6;
	int nmedia;
	uint16_t port[64];
	bool lf;		/* LF line ends instead of CRLF */
	bool sess_c;		/* c= at session level (else per media) */
	bool rtcp;		/* a=rtcp lines */
};

static void sdp_line(struct bn_buf *b, const struct sdpo *o, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
static void sdp_line(struct bn_buf *b, const struct sdpo *o, const char *fmt,
		     ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	hb_puts(b, tmp);
	hb_puts(b, o->lf ? "\n" : "\r\n");
}

static void sdp_head(struct gx *x, struct bn_buf *b, const struct sdpo *o)
{
	sdp_line(b, o, "v=0");
	sdp_line(b, o, "o=- %u %u IN IP%c %s",
		 (unsigned int)rng_below(R(x), 1000000000), 1u,
		 o->v6 ? '6' : '4', o->addr);
	sdp_line(b, o, "s=-");
	if (o->sess_c)
		sdp_line(b, o, "c=IN IP%c %s", o->v6 ? '6' : '4', o->addr);
	sdp_line(b, o, "t=0 0");
}

static void sdp_media(struct gx *x, struct bn_buf *b, const struct sdpo *o,
		      int i)
{
	if (i == 1 && rng_pct(R(x), 70)) {
		sdp_line(b, o, "m=video %u RTP/AVP 96", o->port[i]);
		if (!o->sess_c)
			sdp_line(b, o, "c=IN IP%c %s", o->v6 ? '6' : '4',
				 o->addr);
		sdp_line(b, o, "a=rtpmap:96 H264/90000");
	} else {
		sdp_line(b, o, "m=audio %u RTP/AVP 0 8", o->port[i]);
		if (!o->sess_c)
			sdp_line(b, o, "c=IN IP%c %s", o->v6 ? '6' : '4',
				 o->addr);
		sdp_line(b, o, "a=rtpmap:0 PCMU/8000");
		if (rng_pct(R(x), 30))
			sdp_line(b, o, "a=ptime:20");
	}
	if (o->rtcp)
		sdp_line(b, o, "a=rtcp:%u", o->port[i] + 1);
	if (rng_pct(R(x), 40))
		sdp_line(b, o, "a=sendrecv");
}

static void sdpo_init(struct gx *x, struct sdpo *o, const char *addr,
		      int nmedia, const uint16_t *ports)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->addr = addr;
	o->nmedia = nmedia;
	for (i = 0; i < nmedia && i < 64; i++)
		o->port[i] = ports ? ports[i] : rand_port(x);
	o->lf = rng_pct(R(x), 10);
	o->sess_c = rng_pct(R(x), 60);
	o->rtcp = rng_pct(R(x), 20);
}

static void sdp_write(struct gx *x, struct bn_buf *b, const struct sdpo *o)
{
	int i;

	sdp_head(x, b, o);
	for (i = 0; i < o->nmedia; i++)
		sdp_media(x, b, o, i);
}

/* A valid description at @addr with @nmedia sections on random ports. */
static struct sv sdp_valid(struct gx *x, const char *addr, int nmedia)
{
	struct bn_buf b = { 0 };
	struct sdpo o;

	sdpo_init(x, &o, addr, nmedia, NULL);
	sdp_write(x, &b, &o);
	return ar_hb(&x->a, &b);
}

static const char ice_attrs[] =
	"a=ice-ufrag:Hx9q\r\na=ice-pwd:0123456789abcdefghijklmnop\r\n";

/* @n candidates, fewer (but over the limit) if @b would pass 60 kB */
static void candidates(struct gx *x, struct bn_buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n && (i <= LIM_CANDS || b->len < 60000); i++)
		hb_printf(b, "a=candidate:%zu 1 UDP %u 192.0.2.%u %u typ host\r\n",
			  i, (unsigned int)rng_range(R(x), 1, 2130706431),
			  (unsigned int)rng_range(R(x), 100, 250),
			  (unsigned int)rng_range(R(x), 1024, 65535));
}

/*
 * A description sdp_parse() must refuse, or kiced must (no media section,
 * more sections or candidates than its limits).
 */
static struct sv sdp_garbage(struct gx *x, int nmedia)
{
	struct bn_buf b = { 0 }, v = { 0 };
	struct sdpo o;
	size_t i, n, at;

	sdpo_init(x, &o, x->g->net->peer_a, nmedia, NULL);
	sdp_write(x, &v, &o);
	switch (rng_below(R(x), 15)) {
	case 0: {	/* first line not "v=0" */
		static const char *const first[] = {
			"v=1", "v=", "v=00", "x=0", "o=- 1 1 IN IP4 192.0.2.1",
			"V=0", "v=0 ", "v=-0",
		};

		const char *nl = memchr(v.data, '\n', v.len);

		at = (size_t)(nl - v.data) + 1;
		hb_puts(&b, PICK(x, first));
		hb_puts(&b, "\r\n");
		bn_put_raw(&b, v.data + at, v.len - at);
		break;
	}
	case 1: {	/* a control character inside a line */
		static const char bad[] = {
			0, 1, 2, 7, 8, 11, 12, 13, 14, 27, 31,
		};

		/* in a line after "v=0", not merging into a line end */
		at = rng_range(R(x), 7, v.len - 3);
		while (at < v.len && (v.data[at] == '\r' || v.data[at] == '\n'))
			at++;
		bn_put_raw(&b, v.data, at);
		hb_putc(&b, PICK(x, bad));
		bn_put_raw(&b, v.data + at, v.len - at);
		break;
	}
	case 2:		/* a line over 8 KiB */
		bn_put_raw(&b, v.data, v.len);
		hb_puts(&b, "a=x-long:");
		n = rng_range(R(x), 8193, 20000);
		for (i = 0; i < n; i++)
			hb_putc(&b, (char)('a' + i % 26));
		hb_puts(&b, "\r\n");
		break;
	case 3:		/* nothing at all */
		break;
	case 4:		/* no media section */
		o.nmedia = 0;
		sdp_write(x, &b, &o);
		break;
	case 5:		/* thousands of media sections */
		o.nmedia = 0;
		o.sess_c = true;
		sdp_write(x, &b, &o);
		n = rng_pct(R(x), 30) ? LIM_MEDIA + 1 :
		    rng_range(R(x), LIM_MEDIA + 1, 2000);
		for (i = 0; i < n && (i <= LIM_MEDIA || b.len < 45000); i++)
			hb_printf(&b, "m=audio %u RTP/AVP 0\r\n",
				  (unsigned int)(2000 + 2 * i));
		break;
	case 6:		/* thousands of candidates in one section */
		o.nmedia = 1;
		o.sess_c = true;
		sdp_write(x, &b, &o);
		hb_puts(&b, ice_attrs);
		candidates(x, &b, rng_pct(R(x), 30) ? LIM_CANDS + 1 :
			   rng_range(R(x), LIM_CANDS + 1, 1000));
		break;
	case 7: {	/* malformed c= */
		static const char *const conn[] = {
			"c=IN IP4 999.1.2.3", "c=IN IP4 2001:db8::1",
			"c=IN IP5 192.0.2.1", "c=IN IP4", "c=XX IP4 192.0.2.1",
			"c=IN IP4 192.0.2.1 extra", "c=IN  IP4 192.0.2.1",
			"c=IN IP4 192.0.2.1.5", "c=IN IP4 -",
		};

		o.sess_c = false;
		sdp_head(x, &b, &o);
		hb_puts(&b, PICK(x, conn));
		hb_puts(&b, "\r\n");
		for (i = 0; i < (size_t)o.nmedia; i++)
			hb_printf(&b, "m=audio %u RTP/AVP 0\r\n", o.port[i]);
		break;
	}
	case 8: {	/* malformed m= */
		static const char *const med[] = {
			"m=audio 70000 RTP/AVP 0", "m=audio RTP/AVP 0",
			"m=audio 4000 RTP/AVP", "m=audio 4000/0 RTP/AVP 0",
			"m=audio -1 RTP/AVP 0", "m= 4000 RTP/AVP 0",
			"m=audio 4000  RTP/AVP 0", "m=audio 4000 RTP/AVP  0",
			"m=audio 123456 RTP/AVP 0", "m=audio",
		};

		o.sess_c = true;
		o.nmedia = 0;
		sdp_write(x, &b, &o);
		hb_puts(&b, PICK(x, med));
		hb_puts(&b, "\r\n");
		break;
	}
	case 9: {	/* malformed candidate */
		static const char *const cand[] = {
			"a=candidate:xyz",
			"a=candidate:1 0 UDP 1 192.0.2.1 4000 typ host",
			"a=candidate:1 300 UDP 1 192.0.2.1 4000 typ host",
			"a=candidate:1 1 UDP 99999999999 192.0.2.1 4000 typ host",
			"a=candidate:1 1 UDP 1 192.0.2.1 70000 typ host",
			"a=candidate:1 1 UDP 1 192.0.2.1 4000 typ foo",
			"a=candidate:1 1 UDP 1 192.0.2.1 4000",
			"a=candidate:1 1 UDP 1 999.0.2.1 4000 typ host",
			"a=candidate:",
			"a=candidate:1 1 UDP 1 192.0.2.1 4000 typ host generation",
		};

		bn_put_raw(&b, v.data, v.len);
		hb_puts(&b, ice_attrs);
		hb_puts(&b, PICK(x, cand));
		hb_puts(&b, "\r\n");
		break;
	}
	case 10:	/* attribute twice at one level */
		bn_put_raw(&b, v.data, v.len);
		hb_puts(&b, rng_pct(R(x), 50) ?
			"a=ice-ufrag:Hx9q\r\na=ice-ufrag:Hx9r\r\n" :
			"a=rtcp:4001\r\na=rtcp:4003\r\n");
		break;
	case 11:	/* binary junk */
		n = rng_range(R(x), 1, 3000);
		hb_putc(&b, (char)rng_range(R(x), 0, 'u'));
		hb_putc(&b, '\x01');
		for (i = 0; i < n; i++)
			hb_putc(&b, (char)rng_below(R(x), 256));
		break;
	case 12: {	/* a line that is not "<letter>=..." */
		static const char *const junk[] = {
			"hello", "x", "=x", "a", "A=b", "1=2", "", "a:b", "\t",
		};

		at = 5 + rng_below(R(x), v.len - 5);
		while (at < v.len && v.data[at - 1] != '\n')
			at++;
		bn_put_raw(&b, v.data, at);
		hb_puts(&b, PICK(x, junk));
		hb_puts(&b, "\r\n");
		bn_put_raw(&b, v.data + at, v.len - at);
		if (at == v.len)	/* a blank last line is tolerated */
			hb_puts(&b, "m=audio 4000 RTP/AVP 0\r\nhello\r\n");
		break;
	}
	case 13: {	/* malformed a=rtcp */
		static const char *const rtcp[] = {
			"a=rtcp:99999", "a=rtcp:abc", "a=rtcp:", "a=rtcp:-1",
			"a=rtcp:4001 IN IP4", "a=rtcp:4001 IN IP4 999.9.9.9",
		};

		o.rtcp = false;
		sdp_write(x, &b, &o);
		hb_puts(&b, PICK(x, rtcp));
		hb_puts(&b, "\r\n");
		break;
	}
	default: {	/* lines out of order */
		static const char *const late[] = {
			"v=0", "o=- 2 2 IN IP4 192.0.2.1", "s=again",
		};

		bn_put_raw(&b, v.data, v.len);
		hb_puts(&b, PICK(x, late));
		hb_puts(&b, "\r\n");
		break;
	}
	}
	bn_buf_free(&v);
	return ar_hb(&x->a, &b);
}

/*
 * Valid SDP that kiced must still refuse for an offer: a section without
 * any connection address, or a connection address that is a name (kiced
 * relays to numeric addresses only), in the last of @nmedia sections, or
 * ICE attributes that cannot be used.
 */
static struct sv sdp_late_offer(struct gx *x, int nmedia)
{
	struct bn_buf b = { 0 };
	struct sdpo o;
	int i, k = (int)rng_below(R(x), 3);

	sdpo_init(x, &o, other_addr(x), nmedia, NULL);
	if (k == 2) {
		/* ICE ufrag without a password */
		o.sess_c = true;
		sdp_write(x, &b, &o);
		hb_puts(&b, "a=ice-ufrag:Hx9q\r\n");
		return ar_hb(&x->a, &b);
	}
	o.sess_c = false;
	sdp_head(x, &b, &o);
	for (i = 0; i < nmedia; i++) {
		hb_printf(&b, "m=audio %u RTP/AVP 0\r\n", o.port[i]);
		if (i < nmedia - 1)
			hb_printf(&b, "c=IN IP4 %s\r\n", o.addr);
		else if (k == 1)
			hb_puts(&b, "c=IN IP4 media.hostile.invalid\r\n");
	}
	return ar_hb(&x->a, &b);
}

/* Valid SDP that an answer to @c must not get through with. */
static struct sv sdp_late_answer(struct gx *x, const struct hn_call *c)
{
	struct bn_buf b = { 0 };
	struct sdpo o;
	int i, n = c->nmedia;

	switch (rng_below(R(x), 4)) {
	case 0:		/* another number of sections */
		n = c->nmedia == 1 ? (int)rng_range(R(x), 2, 5) : 1;
		if (rng_pct(R(x), 30))
			n = c->nmedia + (int)rng_range(R(x), 1, 40);
		sdpo_init(x, &o, other_addr(x), n, NULL);
		sdp_write(x, &b, &o);
		break;
	case 1:		/* the other family */
		sdpo_init(x, &o, "2001:db8::77", n, NULL);
		o.v6 = true;
		sdp_write(x, &b, &o);
		break;
	default:	/* no address, or a name, for the last section */
		sdpo_init(x, &o, other_addr(x), n, NULL);
		o.sess_c = false;
		sdp_head(x, &b, &o);
		for (i = 0; i < n; i++) {
			hb_printf(&b, "m=audio %u RTP/AVP 0\r\n", o.port[i]);
			if (i < n - 1)
				hb_printf(&b, "c=IN IP4 %s\r\n", o.addr);
			else if (rng_pct(R(x), 50))
				hb_puts(&b, "c=IN IP4 media.hostile.invalid\r\n");
		}
		break;
	}
	return ar_hb(&x->a, &b);
}

/* ---- hostile strings ---- */

static bool sv_is(struct sv s, const char *c)
{
	return c && sv_eq(s, c);
}

/*
 * A tag or call-id that is not @t (nor @a1, @a2) but close to it: with a
 * NUL or a newline appended, truncated, a letter changed, repeated ...
 */
static struct sv near_miss(struct gx *x, const char *t, const char *a1,
			   const char *a2, bool ascii)
{
	static const struct sv suffix[] = {
		SV("\0"), SV("\0x"), SV("\0\0"), SV(" "), SV("\n"), SV("\r\n"),
		SV("x"), SV("\t"), SV("\x7f"),
	};
	size_t tl = strlen(t);

	for (;;) {
		struct bn_buf b = { 0 };
		struct sv s, suf;
		size_t at;

		switch (rng_below(R(x), ascii ? 7 : 8)) {
		case 0:
			s = token(x, 1, 40);
			break;
		case 1:
			suf = PICK(x, suffix);
			bn_put_raw(&b, t, tl);
			bn_put_raw(&b, suf.p, suf.n);
			s = ar_hb(&x->a, &b);
			break;
		case 2:		/* truncated, maybe to nothing */
			s = ar_sv(&x->a, t, rng_below(R(x), tl));
			break;
		case 3: {	/* one letter changed */
			char *d = ar_alloc(&x->a, tl);

			memcpy(d, t, tl);
			at = rng_below(R(x), tl);
			d[at] = (char)(d[at] >= 'a' && d[at] <= 'z' ?
				       d[at] - 32 : d[at] + 1);
			s = (struct sv){ d, tl };
			break;
		}
		case 4:		/* a NUL inside */
			at = rng_range(R(x), 1, tl - 1);
			bn_put_raw(&b, t, at);
			hb_putc(&b, '\0');
			bn_put_raw(&b, t + at, tl - at);
			s = ar_hb(&x->a, &b);
			break;
		case 5: {	/* repeated to 10-20 kB */
			size_t n = rng_range(R(x), 10000, 20000);

			while (b.len < n)
				bn_put_raw(&b, t, tl);
			s = ar_hb(&x->a, &b);
			break;
		}
		case 6:		/* a NUL first */
			hb_putc(&b, '\0');
			bn_put_raw(&b, t, tl);
			s = ar_hb(&x->a, &b);
			break;
		default:	/* bytes that are not UTF-8 */
			bn_put_raw(&b, t, tl);
			hb_puts(&b, "\xff\xfe");
			s = ar_hb(&x->a, &b);
			break;
		}
		if (!sv_is(s, t) && !sv_is(s, a1) && !sv_is(s, a2))
			return s;
	}
}

/* A call-id close to an established one but none of them. */
static struct sv near_id(struct gx *x, const struct hn_call *c, bool ascii)
{
	for (;;) {
		struct sv s = near_miss(x, c->call_id, NULL, NULL, ascii);
		int i;

		for (i = 0; i < x->g->ncalls; i++)
			if (sv_is(s, x->g->calls[i].call_id))
				break;
		if (i == x->g->ncalls)
			return s;
	}
}

static struct sv wrong_from(struct gx *x, const struct hn_call *c, bool ascii)
{
	return near_miss(x, c->from_tag, c->to_tag, NULL, ascii);
}

/*
 * Bytes that may well be legal in a call-id or tag but are hostile in
 * logs, hashes and C strings, around @uniq (which keeps it unique).
 */
static struct sv weird(struct gx *x, struct sv uniq, bool ascii)
{
	static const char *const parts[] = {
		"\n", "\r\n", "\nkiced[0.000] err: HOSTILE-FORGED line",
		"\nHOSTILE-FORGED", "\x1b[2J\x1b[31m", "\t", "%s%s%n%x%p",
		"\"';\\", " ", "\x7f", "\r", "\x01\x02\x03", "\\n",
		"\xc3\xa9t\xc3\xa9", "{\"a\":1}", "d1:ae",
	};
	struct bn_buf b = { 0 };
	int n = (int)rng_range(R(x), 1, 3), i;
	bool done = false;

	for (i = 0; i < n; i++) {
		if (!done && rng_pct(R(x), 40)) {
			bn_put_raw(&b, uniq.p, uniq.n);
			done = true;
		}
		switch (rng_below(R(x), ascii ? 3 : 4)) {
		case 0:
			bn_put_raw(&b, "\0", 1);
			break;
		case 1:
			bn_put_raw(&b, "\0\0HOSTILE\0", 10);
			break;
		case 2:
			hb_puts(&b, PICK(x, parts));
			break;
		default:
			hb_puts(&b, "\xff\x80\xfe");
			break;
		}
	}
	if (!done)
		bn_put_raw(&b, uniq.p, uniq.n);
	return ar_hb(&x->a, &b);
}

/* ---- request bases ---- */

static void base_offer(struct gx *x, struct sv cid, struct sv ft, struct sv sdp)
{
	rq_cstr(&x->q, "command", "offer");
	rq_str(&x->q, "call-id", cid);
	rq_str(&x->q, "from-tag", ft);
	rq_str(&x->q, "sdp", sdp);
	if (rng_pct(R(x), 50))
		rq_cstr(&x->q, "ICE", "remove");
	if (rng_pct(R(x), 20))
		rq_list1(&x->q, "replace", "origin");
	if (rng_pct(R(x), 15))
		rq_str(&x->q, "via-branch", token(x, 4, 20));
	if (rng_pct(R(x), 10))
		rq_str(&x->q, "label", token(x, 1, 10));
}

/* A fresh, valid offer (of message @index's own call-id). */
static void fresh_offer(struct gx *x)
{
	base_offer(x, fresh_id(x), token(x, 3, 16),
		   sdp_valid(x, x->g->net->peer_a, 1));
}

/* An offer/answer/delete/query of established call @c, valid as it is. */
enum aim { AIM_OFFER, AIM_ANSWER, AIM_DELETE, AIM_QUERY };

static void aimed(struct gx *x, const struct hn_call *c, enum aim k)
{
	switch (k) {
	case AIM_OFFER:
		base_offer(x, cs(c->call_id), cs(c->from_tag),
			   sdp_valid(x, other_addr(x), c->nmedia));
		break;
	case AIM_ANSWER:
		rq_cstr(&x->q, "command", "answer");
		rq_cstr(&x->q, "call-id", c->call_id);
		rq_cstr(&x->q, "from-tag", c->from_tag);
		rq_cstr(&x->q, "to-tag", c->to_tag);
		rq_str(&x->q, "sdp", sdp_valid(x, other_addr(x), c->nmedia));
		break;
	case AIM_DELETE:
	case AIM_QUERY:
		rq_cstr(&x->q, "command", k == AIM_DELETE ? "delete" : "query");
		rq_cstr(&x->q, "call-id", c->call_id);
		if (rng_pct(R(x), 70))
			rq_cstr(&x->q, "from-tag", rng_pct(R(x), 50) ?
				c->from_tag : c->to_tag);
		break;
	}
}

/* Any valid request; destructive ones are aimed at established calls. */
static void any_valid(struct gx *x)
{
	switch (rng_below(R(x), 7)) {
	case 0:
		rq_cstr(&x->q, "command", "ping");
		break;
	case 1:
		rq_cstr(&x->q, "command", "statistics");
		break;
	case 2:
		fresh_offer(x);
		break;
	default:
		aimed(x, pick_call(x), (enum aim)rng_below(R(x), 4));
		break;
	}
}

/* ---- classes ---- */

static void finish(struct gx *x, struct bn_buf *body)
{
	hb_printf(&x->m->data, "h%" PRIu64 " ", x->index);
	bn_put_raw(&x->m->data, body->data ? body->data : "", body->len);
	bn_buf_free(body);
}

static void finish_rq(struct gx *x)
{
	struct bn_buf body = { 0 };

	if (x->m->json && !rq_json_ok(&x->q))
		x->m->json = false;
	if (!x->m->json && !rq_bn_ok(&x->q))
		x->m->json = true;
	if (x->m->json)
		rq_json(&x->q, &body);
	else
		rq_bencode(&x->q, &body, NULL);
	finish(x, &body);
}

static void c_pong(struct gx *x)
{
	static const char *const cmd[] = { "ping", "PING", "Ping", "pInG" };
	int n = (int)rng_below(R(x), 8), i;

	rq_cstr(&x->q, "command", PICK(x, cmd));
	for (i = 0; i < n; i++) {
		struct bn_buf k = { 0 };
		struct fld *f;

		hb_puts(&k, "x-");
		{
			struct sv t = token(x, 1, 20);

			bn_put_raw(&k, t.p, t.n);
		}
		f = rq_slot(&x->q, ar_hb(&x->a, &k));
		switch (rng_below(R(x), 4)) {
		case 0:
			f->t = FT_STR;
			f->s = token(x, 0, 50);
			break;
		case 1:
			f->t = FT_INT;
			f->i = (int64_t)rng_next(R(x));
			break;
		case 2:
			f->t = FT_DICT;
			f->i = 7;
			break;
		default:
			f->t = FT_INTS;
			f->i = (int64_t)rng_below(R(x), 10);
			break;
		}
	}
	x->m->expect = HX_PONG;
	x->m->json = rng_pct(R(x), 20);
	finish_rq(x);
	if (rng_pct(R(x), 10)) {
		/* the longest cookie there is: 64 bytes */
		struct bn_buf d = { 0 };
		const char *sp = memchr(x->m->data.data, ' ', x->m->data.len);

		bn_put_raw(&d, x->m->data.data, (size_t)(sp - x->m->data.data));
		while (d.len < 64)
			hb_putc(&d, '~');
		bn_put_raw(&d, sp, x->m->data.len - (size_t)(sp - x->m->data.data));
		bn_buf_free(&x->m->data);
		x->m->data = d;
	}
}

static void c_benign(struct gx *x)
{
	const struct hn_call *c = pick_call(x);

	switch (rng_below(R(x), 3)) {
	case 0:
		rq_cstr(&x->q, "command", "statistics");
		break;
	case 1:
		rq_cstr(&x->q, "command", "list");
		if (rng_pct(R(x), 50))
			rq_int(&x->q, "limit", (int64_t)rng_below(R(x), 5));
		break;
	default:
		aimed(x, c, AIM_QUERY);
		break;
	}
	x->m->expect = HX_OK;
	x->m->json = rng_pct(R(x), 20);
	finish_rq(x);
}

static void c_badcookie(struct gx *x)
{
	struct bn_buf body = { 0 }, *d = &x->m->data;
	size_t i, n;

	/* what follows could do harm if it were executed */
	any_valid(x);
	rq_bencode(&x->q, &body, NULL);
	switch (rng_below(R(x), 6)) {
	case 0:		/* an empty datagram */
		break;
	case 1:		/* no space at all */
		n = rng_range(R(x), 1, 300);
		for (i = 0; i < n; i++)
			hb_putc(d, (char)rng_range(R(x), 0x21, 0x7e));
		break;
	case 2:		/* empty cookie */
		hb_putc(d, ' ');
		bn_put_raw(d, body.data, body.len);
		break;
	case 3:		/* cookie over 64 bytes */
		n = rng_range(R(x), 65, 300);
		for (i = 0; i < n; i++)
			hb_putc(d, (char)rng_range(R(x), 0x21, 0x7e));
		hb_putc(d, ' ');
		bn_put_raw(d, body.data, body.len);
		break;
	case 4: {	/* a byte that is not printable ASCII before the space */
		uint8_t c;

		n = rng_below(R(x), 40);
		for (i = 0; i < n; i++)
			hb_putc(d, (char)rng_range(R(x), 0x21, 0x7e));
		do
			c = (uint8_t)rng_below(R(x), 256);
		while (c >= 0x20 && c <= 0x7e);
		hb_putc(d, (char)c);
		n = rng_below(R(x), 20);
		for (i = 0; i < n; i++)
			hb_putc(d, (char)rng_range(R(x), 0x21, 0x7e));
		hb_putc(d, ' ');
		bn_put_raw(d, body.data, body.len);
		break;
	}
	default:	/* a huge datagram without a space */
		n = rng_range(R(x), 1000, 65000);
		for (i = 0; i < n; i++)
			hb_putc(d, 'A');
		break;
	}
	bn_buf_free(&body);
	x->m->expect = HX_NOREPLY;
}

static void c_bn_trunc(struct gx *x)
{
	struct bn_buf body = { 0 };

	any_valid(x);
	rq_bencode(&x->q, &body, NULL);
	body.len = rng_below(R(x), body.len);
	x->m->expect = HX_DECODE;
	finish(x, &body);
}

static void put_u128(struct bn_buf *b, unsigned __int128 v)
{
	char d[48];
	int i = (int)sizeof(d);

	d[--i] = '\0';
	do {
		d[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	hb_puts(b, d + i);
}

static void c_bn_badlen(struct gx *x)
{
	struct bn_buf body = { 0 }, out = { 0 };
	struct strpos sp = { .n = 0 };
	size_t at, dig, len, rest, k;

	any_valid(x);
	rq_bencode(&x->q, &body, &sp);
	for (k = 0; k < 8; k++) {
		at = sp.off[rng_below(R(x), sp.n)];
		len = strtoul(body.data + at, NULL, 10);
		dig = strspn(body.data + at, "0123456789");
		rest = body.len - at - dig - 1;
		out.len = 0;
		bn_put_raw(&out, body.data, at);
		switch (rng_below(R(x), 8)) {
		case 0:		/* runs past the end */
			hb_printf(&out, "%zu", rest + rng_range(R(x), 1, 100000));
			break;
		case 1:		/* leading zero */
			hb_printf(&out, "0%zu", len);
			break;
		case 2:		/* not a number */
			hb_printf(&out, "%zux", len);
			break;
		case 3:
			hb_printf(&out, "-%zu", len);
			break;
		case 4:		/* huge */
			hb_puts(&out, "99999999999999999999999999999");
			break;
		case 5:		/* 2^64 + len: wraps a size_t */
			put_u128(&out, ((unsigned __int128)1 << 64) + len);
			break;
		case 6:		/* 2^32 + len */
			hb_printf(&out, "%" PRIu64, (uint64_t)4294967296ULL + len);
			break;
		default:	/* shorter than the string */
			hb_printf(&out, "%zu", len ? rng_below(R(x), len) : 1);
			break;
		}
		bn_put_raw(&out, body.data + at + dig, body.len - at - dig);
		if (!hn_bencode_valid(out.data, out.len))
			break;
	}
	bn_buf_free(&body);
	if (hn_bencode_valid(out.data, out.len)) {
		/* never gave a malformed body: make it one for sure */
		out.len = at;
		hb_puts(&out, "99999999999999999999999999999:");
	}
	x->m->expect = HX_DECODE;
	finish(x, &out);
}

static void c_bn_int(struct gx *x)
{
	static const char *const bad[] = {
		"i-0e", "i01e", "ie", "i+1e", "i1x2e", "i99999999999999999999e",
		"i-9223372036854775809e", "i9223372036854775808e", "i--1e",
		"i1.5e", "i 1e", "i1 e", "i0x10e", "i-e", "i00e", "i1",
		"i18446744073709551616e",
	};
	static const char *const keys[] = {
		"limit", "delete-delay", "x-int", "call-id", "sdp", "command",
	};
	struct fld *f;

	any_valid(x);
	f = rq_slot(&x->q, cs(PICK(x, keys)));
	f->t = FT_BN;
	f->s = cs(PICK(x, bad));
	if (rng_pct(R(x), 30)) {
		/* inside a list */
		struct bn_buf b = { 0 };

		hb_puts(&b, "li1e");
		bn_put_raw(&b, f->s.p, f->s.n);
		hb_puts(&b, "e");
		f->s = ar_hb(&x->a, &b);
	}
	x->m->expect = HX_DECODE;
	finish_rq(x);
}

static void c_bn_struct(struct gx *x)
{
	struct bn_buf body = { 0 }, out = { 0 };
	size_t at, i, n;

	any_valid(x);
	rq_bencode(&x->q, &body, NULL);
	for (i = 0; i < 8; i++) {
		out.len = 0;
		switch (rng_below(R(x), 7)) {
		case 0: {	/* a value that starts with no known character */
			static const char bad[] = "xZ-+ \0\xff:eE";
			struct fld *f;

			f = rq_slot(&x->q, cs("x-bad"));
			f->t = FT_BN;
			f->s = ar_sv(&x->a, &bad[rng_below(R(x), sizeof(bad) - 1)], 1);
			rq_bencode(&x->q, &out, NULL);
			break;
		}
		case 1:		/* a key that is not a string */
			hb_putc(&out, 'd');
			hb_puts(&out, rng_pct(R(x), 50) ? "i1e" : "l1:ae");
			bn_put_raw(&out, body.data + 1, body.len - 1);
			break;
		case 2:		/* a key without value */
			bn_put_raw(&out, body.data, body.len - 1);
			hb_puts(&out, "3:keye");
			break;
		case 3: {	/* trailing data */
			static const struct sv tail[] = {
				SV("\n"), SV("e"), SV("de"), SV(" "), SV("\r\n"),
				SV("d7:command4:pinge"), SV("\0"), SV("x"),
				SV("i1e"),
			};
			struct sv t = PICK(x, tail);

			bn_put_raw(&out, body.data, body.len);
			bn_put_raw(&out, t.p, t.n);
			break;
		}
		case 4:		/* a list left open */
			bn_put_raw(&out, body.data, body.len - 1);
			hb_puts(&out, "6:x-openl1:a1:be");
			break;
		case 5:		/* a random byte replaced */
			at = rng_below(R(x), body.len);
			bn_put_raw(&out, body.data, body.len);
			out.data[at] = (char)rng_below(R(x), 256);
			break;
		default:	/* a chunk removed */
			at = rng_below(R(x), body.len);
			n = rng_range(R(x), 1, body.len - at);
			bn_put_raw(&out, body.data, at);
			bn_put_raw(&out, body.data + at + n, body.len - at - n);
			break;
		}
		if (!hn_bencode_valid(out.data, out.len))
			break;
	}
	if (hn_bencode_valid(out.data, out.len)) {
		out.len = 0;
		bn_put_raw(&out, body.data, body.len);
		hb_puts(&out, "e");
	}
	bn_buf_free(&body);
	x->m->expect = HX_DECODE;
	finish(x, &out);
}

static void c_bn_notdict(struct gx *x)
{
	static const char *const top[] = {
		"l7:command4:pinge", "i42e", "4:ping", "le", "l", "de",
		"ld7:command4:pingee", "0:",
	};
	struct bn_buf body = { 0 };

	hb_puts(&body, PICK(x, top));
	/* "l" and "d" alone are truncated: still an error */
	x->m->expect = HX_ERROR;
	finish(x, &body);
}

/* Room left for a member in a datagram with what is in x->q already. */
static size_t room(struct gx *x, size_t want)
{
	struct bn_buf b = { 0 };
	size_t used, max = 65000;

	rq_bencode(&x->q, &b, NULL);
	used = b.len + 64;
	bn_buf_free(&b);
	if (used >= max)
		return 0;
	return want < max - used ? want : max - used;
}

static void c_bn_deep(struct gx *x)
{
	struct bn_buf v = { 0 };
	struct fld *f;
	size_t d, i, max;
	int shape = (int)rng_below(R(x), 5);
	bool json = rng_pct(R(x), 25);
	/* per level: list, dictionary (key "a") */
	const char *lo = json ? "[" : "l", *lc = json ? "]" : "e";
	const char *dop = json ? "{\"a\":" : "d1:a", *dc = json ? "}" : "e";

	any_valid(x);
	max = room(x, 65000);
	/* the top dictionary and @d levels: LIM_DEPTH (32) is one too many */
	d = rng_pct(R(x), 25) ? LIM_DEPTH + rng_below(R(x), 2) :
	    rng_range(R(x), 40, 32700);
	/* shapes: 0, 1 lists; 2 dictionaries; 3 both in turn; 4 lists never closed */
	if (d * (shape == 2 ? 6 : shape == 3 ? 4 : 2) + 8 > max)
		d = (max - 8) / (shape == 2 ? 6 : shape == 3 ? 4 : 2);
	for (i = 0; i < d; i++)
		hb_puts(&v, shape == 2 || (shape == 3 && (i & 1)) ? dop : lo);
	if (shape != 4) {
		hb_puts(&v, json ? "0" : "i0e");
		for (i = d; i-- > 0;)
			hb_puts(&v, shape == 2 || (shape == 3 && (i & 1)) ?
				dc : lc);
	}
	f = rq_slot(&x->q, cs(PICK(x, ((const char *const[]){
		"x-deep", "flags", "sdp", "call-id", "replace" }))));
	f->t = json ? FT_JS : FT_BN;
	f->s = ar_hb(&x->a, &v);
	x->m->json = json;
	x->m->expect = HX_DECODE;
	finish_rq(x);
}

static void c_bn_count(struct gx *x)
{
	struct bn_buf v = { 0 };
	struct fld *f;
	size_t n, i;
	bool json = rng_pct(R(x), 25);

	if (rng_pct(R(x), 50))
		aimed(x, pick_call(x), AIM_DELETE);
	else
		rq_cstr(&x->q, "command", "ping");
	if (rng_pct(R(x), 25)) {
		/* one item over the limit (or a few) */
		f = rq_slot(&x->q, cs("x-many"));
		f->t = FT_INTS;
		f->i = LIM_ITEMS + (int64_t)rng_below(R(x), 3) *
		       (int64_t)rng_range(R(x), 1, 1000) + 1;
		x->m->json = json;
		x->m->expect = HX_ERROR;
		finish_rq(x);
		return;
	}
	switch (rng_below(R(x), 4)) {
	case 0:		/* a flags list of thousands */
		n = room(x, 60000) / (json ? 4 : 3);
		hb_putc(&v, json ? '[' : 'l');
		for (i = 0; i < n; i++)
			hb_puts(&v, json ? (i ? ",\"\"" : "\"\"") : "1:x");
		hb_putc(&v, json ? ']' : 'e');
		f = rq_slot(&x->q, cs("flags"));
		break;
	case 1:		/* an unknown key with a list of thousands */
		n = room(x, 60000) / (json ? 2 : 3);
		hb_putc(&v, json ? '[' : 'l');
		for (i = 0; i < n; i++)
			hb_puts(&v, json ? (i ? ",0" : "0") : "i0e");
		hb_putc(&v, json ? ']' : 'e');
		f = rq_slot(&x->q, cs("x-many"));
		break;
	case 2:		/* a dictionary of thousands of keys */
		n = room(x, 60000) / (json ? 9 : 5);
		hb_putc(&v, json ? '{' : 'd');
		for (i = 0; i < n; i++)
			hb_puts(&v, json ? (i ? ",\"x\":0" : "\"x\":0") :
				"1:x0:");
		hb_putc(&v, json ? '}' : 'e');
		f = rq_slot(&x->q, cs("x-dict"));
		break;
	default: {	/* the command key thousands of times */
		struct fld *c = rq_find(&x->q, "command");
		struct sv cmd = c->s;

		n = room(x, 60000) / (json ? 20 : 17);
		for (i = 0; i < n; i++) {
			if (json)
				hb_printf(&v, ",\"command\":\"%.*s\"",
					  (int)cmd.n, cmd.p);
			else
				hb_printf(&v, "7:command%zu:%.*s", cmd.n,
					  (int)cmd.n, cmd.p);
		}
		/* raw members appended after the last real one */
		f = rq_slot(&x->q, cs("x-end"));
		f->t = json ? FT_JS : FT_BN;
		if (json) {
			struct bn_buf w = { 0 };

			hb_puts(&w, "0");
			bn_put_raw(&w, v.data, v.len);
			f->s = ar_hb(&x->a, &w);
			bn_buf_free(&v);
		} else {
			struct bn_buf w = { 0 };

			hb_puts(&w, "i0e");
			bn_put_raw(&w, v.data, v.len);
			f->s = ar_hb(&x->a, &w);
			bn_buf_free(&v);
		}
		x->m->json = json;
		x->m->expect = HX_ERROR;
		finish_rq(x);
		return;
	}
	}
	f->t = json ? FT_JS : FT_BN;
	f->s = ar_hb(&x->a, &v);
	x->m->json = json;
	x->m->expect = HX_ERROR;
	finish_rq(x);
}

static void c_wrong_type(struct gx *x)
{
	static const char *const strkeys[] = {
		"call-id", "from-tag", "to-tag", "via-branch", "sdp",
		"media address", "transport protocol", "label", "ICE",
		"address family", "command",
	};
	static const char *const listkeys[] = {
		"flags", "replace", "direction", "rtcp-mux",
	};
	static const char *const intkeys[] = { "limit", "delete-delay" };
	struct fld *f;

	any_valid(x);
	switch (rng_below(R(x), 4)) {
	case 0:		/* a string key with a non-string */
		f = rq_slot(&x->q, cs(PICK(x, strkeys)));
		switch (rng_below(R(x), 4)) {
		case 0:
			f->t = FT_INT;
			f->i = (int64_t)rng_below(R(x), 1000) - 500;
			break;
		case 1:
			f->t = FT_STRS;
			f->items[0] = token(x, 1, 10);
			f->nitems = rng_below(R(x), 3);
			break;
		case 2:
			f->t = FT_DICT;
			break;
		default:
			f->t = FT_INTS;
			f->i = 2;
			break;
		}
		break;
	case 1:		/* a list key with something else */
		f = rq_slot(&x->q, cs(PICK(x, listkeys)));
		switch (rng_below(R(x), 5)) {
		case 0:
			f->t = FT_STR;
			f->s = token(x, 0, 12);
			break;
		case 1:
			f->t = FT_INT;
			f->i = 1;
			break;
		case 2:
			f->t = FT_DICT;
			break;
		case 3:
			f->t = FT_INTS;
			f->i = (int64_t)rng_range(R(x), 1, 4);
			break;
		default:
			f->t = FT_NEST;
			f->s = token(x, 1, 8);
			break;
		}
		break;
	case 2:		/* an integer key with something else */
		f = rq_slot(&x->q, cs(PICK(x, intkeys)));
		switch (rng_below(R(x), 4)) {
		case 0: {
			static const struct sv notnum[] = {
				SV(""), SV("12a"), SV("-1"), SV("+1"), SV(" 1"),
				SV("1e3"), SV("0x10"), SV("1234567890123456789"),
				SV("99999999999999999999"), SV("1.5"), SV("1\0"),
			};

			f->t = FT_STR;
			f->s = PICK(x, notnum);
			break;
		}
		case 1:
			f->t = FT_STRS;
			f->items[0] = cs("1");
			f->nitems = 1;
			break;
		case 2:
			f->t = FT_DICT;
			break;
		default:
			f->t = FT_INTS;
			f->i = 1;
			break;
		}
		break;
	default: {	/* right type, no valid value */
		static const struct sv ice[] = {
			SV("forced"), SV(""), SV("REMOVE"), SV("Remove"),
			SV("remove\0"), SV("force "), SV("yes"), SV("on"),
			SV("default\n"), SV("\0remove"),
		};
		static const struct sv fam[] = {
			SV("IP5"), SV("ip4"), SV("IP4\0"), SV("IPv4"), SV(""),
			SV("IP6 "), SV("4"),
		};

		switch (rng_below(R(x), 4)) {
		case 0:
			rq_str(&x->q, "ICE", PICK(x, ice));
			break;
		case 1:
			rq_str(&x->q, "address family", PICK(x, fam));
			break;
		case 2:
			rq_int(&x->q, "limit",
			       rng_pct(R(x), 50) ? -1 : INT64_MIN);
			break;
		default:
			f = rq_slot(&x->q, cs("direction"));
			f->t = FT_STRS;
			f->nitems = rng_pct(R(x), 50) ? 1 : 3;
			f->items[0] = cs(x->g->net->iface[0]);
			f->items[1] = cs(x->g->net->iface[1]);
			f->items[2] = cs(x->g->net->iface[0]);
			if (rng_pct(R(x), 30)) {
				f->nitems = 2;
				f->items[rng_below(R(x), 2)] = cs("");
			}
			break;
		}
		break;
	}
	}
	x->m->expect = HX_ERROR;
	x->m->json = rng_pct(R(x), 20);
	finish_rq(x);
}

static void c_unknown_cmd(struct gx *x)
{
	static const char *const near[] = {
		"offer ", " offer", "offe", "offerr", "of\nfer", "pin", "pingx",
		"", "block DTMF", "start recording", "play media",
		"subscribe request", "publish", "statistic", "delete-all",
		"answer\n", "\xc3\xb6" "ffer", "p\xc4\xb1ng", "quer", "lists",
		"ping\r\n", "offer\t",
	};
	static const char *const names[] = {
		"ping", "offer", "answer", "delete", "query", "list",
		"statistics",
	};
	struct sv cmd;
	size_t i;

	if (rng_pct(R(x), 50))
		aimed(x, pick_call(x), (enum aim)rng_below(R(x), 4));
	for (;;) {
		switch (rng_below(R(x), 5)) {
		case 0:
			cmd = token(x, 1, 30);
			break;
		case 1: {	/* a real name with a NUL or more after it */
			struct bn_buf b = { 0 };
			const char *n = PICK(x, names);

			hb_puts(&b, n);
			bn_put_raw(&b, "\0x", rng_pct(R(x), 50) ? 1 : 2);
			cmd = ar_hb(&x->a, &b);
			break;
		}
		case 2:
			cmd = repeat(x, 'A', rng_range(R(x), 100, 30000));
			break;
		default:
			cmd = cs(PICK(x, near));
			break;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (cmd.n == strlen(names[i]) &&
			    !strncasecmp(cmd.p, names[i], cmd.n))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			break;
	}
	rq_str(&x->q, "command", cmd);
	x->m->expect = HX_ERROR;
	x->m->json = rng_pct(R(x), 15) && cmd.n < 1000 &&
		     !memchr(cmd.p, 0xc3, cmd.n) && !memchr(cmd.p, 0xc4, cmd.n);
	finish_rq(x);
}

static void c_missing(struct gx *x)
{
	static const struct sv mangled[] = {
		/* "call_id" and "call id" are call-id, as in rtpengine */
		SV("call-id\0"), SV("Call-ID"), SV("call-id "), SV("callid"),
		SV("call--id"), SV(" call-id"), SV("call-id\n"),
	};
	const struct hn_call *c = pick_call(x);

	switch (rng_below(R(x), 6)) {
	case 0:		/* offer without one of its required keys */
		fresh_offer(x);
		rq_del(&x->q, PICK(x, ((const char *const[]){
			"call-id", "from-tag", "sdp" })));
		break;
	case 1:		/* answer without to-tag (or call-id, from-tag) */
		aimed(x, c, AIM_ANSWER);
		rq_del(&x->q, PICK(x, ((const char *const[]){
			"to-tag", "to-tag", "call-id", "from-tag", "sdp" })));
		break;
	case 2:		/* delete, query without call-id */
		aimed(x, c, rng_pct(R(x), 50) ? AIM_DELETE : AIM_QUERY);
		rq_del(&x->q, "call-id");
		break;
	case 3:		/* no command */
		aimed(x, c, (enum aim)rng_below(R(x), 4));
		rq_del(&x->q, "command");
		break;
	default: {	/* call-id under a key that is nearly "call-id" */
		struct fld *f;

		aimed(x, c, (enum aim)rng_below(R(x), 4));
		rq_del(&x->q, "call-id");
		f = rq_slot(&x->q, PICK(x, mangled));
		f->t = FT_STR;
		f->s = cs(c->call_id);
		break;
	}
	}
	x->m->expect = HX_ERROR;
	x->m->json = rng_pct(R(x), 20);
	finish_rq(x);
}

static void c_long(struct gx *x)
{
	size_t n;
	struct sv s;
	int k = (int)rng_below(R(x), 5);

	fresh_offer(x);
	switch (k) {
	case 0:
	case 1:		/* call-id */
		n = rng_pct(R(x), 30) ? 22000 : rng_range(R(x), 10000, 30000);
		if (rng_pct(R(x), 30))
			n = rng_range(R(x), LIM_STR + 1, 2000);
		s = repeat(x, 'c', n);
		memcpy((char *)s.p, rq_find(&x->q, "call-id")->s.p,
		       rq_find(&x->q, "call-id")->s.n);
		rq_str(&x->q, "call-id", s);
		break;
	default:	/* from-tag, via-branch, label */
		n = rng_pct(R(x), 30) ? rng_range(R(x), LIM_STR + 1, 2000) :
		    rng_range(R(x), 10000, 20000);
		rq_str(&x->q, k == 2 ? "from-tag" : k == 3 ? "via-branch" :
		       "label", repeat(x, "fvl"[k - 2], n));
		break;
	}
	x->m->expect = HX_ERROR;
	x->m->json = rng_pct(R(x), 15);
	finish_rq(x);
}

static void c_weird_fresh(struct gx *x)
{
	bool json = rng_pct(R(x), 20);
	struct sv cid = fresh_id(x), ft = token(x, 3, 12);
	int k = (int)rng_below(R(x), 4);

	if (k == 0 || k == 3)
		cid = weird(x, cid, json);
	if (k == 1 || k == 3)
		ft = weird(x, ft, json);
	base_offer(x, cid, ft, sdp_valid(x, x->g->net->peer_a, 1));
	if (k == 2)
		rq_str(&x->q, rng_pct(R(x), 50) ? "via-branch" : "label",
		       weird(x, token(x, 1, 8), json));
	/* no NUL in any string (Limits); other bytes may be fine */
	x->m->expect = HX_EITHER;
	for (k = 0; k < x->q.nf; k++)
		if (x->q.f[k].t == FT_STR &&
		    memchr(x->q.f[k].s.p, 0, x->q.f[k].s.n))
			x->m->expect = HX_ERROR;
	x->m->json = json;
	bn_put_raw(&x->m->call_id, cid.p, cid.n);
	bn_put_raw(&x->m->from_tag, ft.p, ft.n);
	finish_rq(x);
}

static void c_weird_aimed(struct gx *x)
{
	const struct hn_call *c = pick_call(x);
	bool json = rng_pct(R(x), 20);
	enum aim k = (enum aim)rng_below(R(x), 4);

	aimed(x, c, k);
	switch (rng_below(R(x), 3)) {
	case 0:		/* not the call's id (an offer would make a new call) */
		if (k == AIM_OFFER)
			aimed(x, c, AIM_DELETE);
		rq_str(&x->q, "call-id", near_id(x, c, json));
		break;
	case 1:		/* not the call's from-tag */
		rq_str(&x->q, "from-tag", wrong_from(x, c, json));
		break;
	default:	/* not its to-tag */
		if (k != AIM_ANSWER) {
			aimed(x, c, AIM_ANSWER);
			k = AIM_ANSWER;
		}
		rq_str(&x->q, "to-tag", near_miss(x, c->to_tag, c->from_tag,
						  NULL, json));
		break;
	}
	x->m->expect = HX_ERROR;
	x->m->json = json;
	finish_rq(x);
}

/* A name close to interface @name but not it. */
/*
 * An interface name kiced does not have.  @syntax: one that cannot be a
 * name at all (NUL, control, blank, too long, empty: an error); else
 * one that could be (kiced falls back to its default address then).
 */
static struct sv bad_iface(struct gx *x, const char *name, bool syntax)
{
	static const int bad[] = { 0, 1, 2, 3, 4, 5, 10, 11 };
	static const int clean[] = { 6, 7, 8, 9 };
	struct bn_buf b = { 0 };
	size_t n = strlen(name);
	int k = syntax ? bad[rng_below(R(x), 8)] : clean[rng_below(R(x), 4)];

	if (k == 7 && n < 2)
		k = 8;
	switch (k) {
	case 0:
		bn_put_raw(&b, name, n + 1);	/* with its NUL */
		break;
	case 1:
		bn_put_raw(&b, name, n + 1);
		hb_putc(&b, 'x');
		break;
	case 2:
		hb_putc(&b, '\0');
		hb_puts(&b, name);
		break;
	case 3:
		hb_printf(&b, "%s\n", name);
		break;
	case 4:
		hb_printf(&b, "%s ", name);
		break;
	case 5:
		hb_printf(&b, " %s", name);
		break;
	case 6:
		hb_printf(&b, "%s%s", name, name);
		break;
	case 7:
		bn_put_raw(&b, name, n - 1);
		break;
	case 8:
		hb_puts(&b, "nosuch");
		break;
	case 9:		/* another case */
		hb_puts(&b, name);
		b.data[0] = (char)(b.data[0] ^ 0x20);
		break;
	case 10:
		return repeat(x, 'i', rng_range(R(x), 10000, 20000));
	default:
		break;		/* empty */
	}
	return ar_hb(&x->a, &b);
}

/*
 * Names that cannot be an interface's are an error; a new call naming
 * one kiced does not have gets the default address (rtpengine's
 * fallback), so only new calls get those, and are then found and
 * deleted.
 */
static void c_direction(struct gx *x)
{
	const char *const *ifc = x->g->net->iface;
	struct fld *f;
	int i, which = (int)rng_below(R(x), 3);
	bool fresh = rng_pct(R(x), 50);
	bool syntax = !fresh || rng_pct(R(x), 70);

	if (fresh)
		fresh_offer(x);
	else
		aimed(x, pick_call(x), AIM_OFFER);
	f = rq_slot(&x->q, cs("direction"));
	f->t = FT_STRS;
	f->nitems = 2;
	for (i = 0; i < 2; i++)
		f->items[i] = which == 2 || which == i ?
			      bad_iface(x, ifc[i], syntax) : cs(ifc[i]);
	x->m->expect = syntax ? HX_ERROR : HX_NEW;
	if (!syntax) {
		const struct fld *cid = rq_find(&x->q, "call-id");
		const struct fld *ft = rq_find(&x->q, "from-tag");

		bn_put_raw(&x->m->call_id, cid->s.p, cid->s.n);
		bn_put_raw(&x->m->from_tag, ft->s.p, ft->s.n);
	}
	x->m->json = rng_pct(R(x), 15);
	finish_rq(x);
}

static void c_sdp_garbage(struct gx *x)
{
	fresh_offer(x);
	rq_str(&x->q, "sdp", rng_pct(R(x), 80) ?
	       sdp_garbage(x, (int)rng_range(R(x), 1, 3)) :
	       sdp_late_offer(x, (int)rng_range(R(x), 1, 3)));
	x->m->expect = HX_ERROR;
	x->m->json = rng_pct(R(x), 10);
	finish_rq(x);
}

/* Random edits of a valid description: may or may not stay valid. */
static struct sv sdp_mutated(struct gx *x)
{
	struct bn_buf b = { 0 }, t = { 0 };
	struct sdpo o;
	int n = (int)rng_range(R(x), 1, 4), i;

	sdpo_init(x, &o, x->g->net->peer_a, (int)rng_range(R(x), 1, 3), NULL);
	sdp_write(x, &b, &o);
	for (i = 0; i < n && b.len > 2; i++) {
		size_t at = rng_below(R(x), b.len), k;

		t.len = 0;
		switch (rng_below(R(x), 6)) {
		case 0:		/* flip a byte */
			b.data[at] = (char)(b.data[at] ^ (1 << rng_below(R(x), 8)));
			continue;
		case 1:		/* remove a run */
			k = rng_range(R(x), 1, b.len - at);
			memmove(b.data + at, b.data + at + k, b.len - at - k);
			b.len -= k;
			continue;
		case 2:		/* insert printable bytes */
			bn_put_raw(&t, b.data, at);
			for (k = rng_range(R(x), 1, 20); k; k--)
				hb_putc(&t, (char)rng_range(R(x), 0x20, 0x7e));
			break;
		case 3:		/* a number made huge */
			bn_put_raw(&t, b.data, at);
			hb_puts(&t, PICK(x, ((const char *const[]){
				"99999999999999999999", "65536", "0", "-1",
				"4294967297", "000000000000001" })));
			break;
		case 4: {	/* the line at @at twice */
			size_t s = at, e = at;

			while (s > 0 && b.data[s - 1] != '\n')
				s--;
			while (e < b.len && b.data[e] != '\n')
				e++;
			if (e < b.len)
				e++;
			bn_put_raw(&t, b.data, e);
			bn_put_raw(&t, b.data + s, e - s);
			at = e;
			break;
		}
		default:	/* truncated */
			b.len = at;
			continue;
		}
		bn_put_raw(&t, b.data + at, b.len - at);
		b.len = 0;
		bn_put_raw(&b, t.data, t.len);
	}
	bn_buf_free(&t);
	return ar_hb(&x->a, &b);
}

static void c_sdp_mutated(struct gx *x)
{
	struct sv cid = fresh_id(x), ft = token(x, 3, 12);

	base_offer(x, cid, ft, sdp_mutated(x));
	x->m->expect = HX_EITHER;
	bn_put_raw(&x->m->call_id, cid.p, cid.n);
	bn_put_raw(&x->m->from_tag, ft.p, ft.n);
	finish_rq(x);
}

/* Exactly at the limits (or big within them): must be accepted. */
static void c_at_limits(struct gx *x)
{
	struct sv cid = fresh_id(x), ft = token(x, 3, 12);
	struct bn_buf b = { 0 };
	struct sdpo o;
	size_t i, n;
	int k = (int)rng_below(R(x), 7);

	sdpo_init(x, &o, x->g->net->peer_a, 1, NULL);
	o.sess_c = true;
	o.lf = false;
	o.rtcp = false;
	switch (k) {
	case 0:		/* the most m= lines */
		o.nmedia = LIM_MEDIA;
		for (i = 0; i < LIM_MEDIA; i++)
			o.port[i] = (uint16_t)(20000 + 2 * i);
		sdp_write(x, &b, &o);
		break;
	case 1:		/* the most candidates */
		sdp_write(x, &b, &o);
		hb_puts(&b, ice_attrs);
		for (i = 0; i < LIM_CANDS; i++)
			hb_printf(&b, "a=candidate:%zu 1 UDP %u 192.0.2.%u %u typ host\r\n",
				  i, (unsigned int)rng_range(R(x), 1, 2130706431),
				  (unsigned int)rng_range(R(x), 100, 250),
				  (unsigned int)rng_range(R(x), 1024, 65535));
		break;
	case 2:		/* a big description */
		sdp_write(x, &b, &o);
		n = rng_range(R(x), 30000, 58000);
		while (b.len < n)
			hb_printf(&b, "a=x-hostile-%u:%08x\r\n",
				  (unsigned int)(b.len % 1000),
				  (unsigned int)rng_next(R(x)));
		break;
	default:	/* call-id, from-tag, via-branch, label of 256 bytes */
		sdp_write(x, &b, &o);
		if (k == 3) {
			struct sv l = repeat(x, 'c', LIM_STR);

			memcpy((char *)l.p, cid.p, cid.n);
			cid = l;
		} else if (k == 4) {
			ft = token(x, LIM_STR, LIM_STR);
		}
		break;
	}
	base_offer(x, cid, ft, ar_hb(&x->a, &b));
	if (k >= 5)
		rq_str(&x->q, k == 5 ? "via-branch" : "label",
		       token(x, LIM_STR, LIM_STR));
	x->m->expect = HX_NEW;
	bn_put_raw(&x->m->call_id, cid.p, cid.n);
	bn_put_raw(&x->m->from_tag, ft.p, ft.n);
	finish_rq(x);
}

static void c_reoffer_tag(struct gx *x)
{
	const struct hn_call *c = pick_call(x);
	bool json = rng_pct(R(x), 20);

	aimed(x, c, AIM_OFFER);
	rq_str(&x->q, "from-tag", rng_pct(R(x), 10) ? cs("") :
	       wrong_from(x, c, json));
	if (rng_pct(R(x), 30))
		rq_str(&x->q, "sdp", sdp_valid(x, other_addr(x),
					       (int)rng_range(R(x), 1, 3)));
	if (rng_pct(R(x), 20))
		rq_list1(&x->q, "flags", PICK(x, ((const char *const[]){
			"asymmetric", "strict source", "trickle ICE",
			"port latching", "symmetric" })));
	x->m->expect = HX_ERROR;
	x->m->json = json;
	finish_rq(x);
}

static void c_reanswer_tag(struct gx *x)
{
	const struct hn_call *c = pick_call(x);
	bool json = rng_pct(R(x), 20);

	aimed(x, c, AIM_ANSWER);
	switch (rng_below(R(x), 4)) {
	case 0:		/* from-tag not the call's */
		rq_str(&x->q, "from-tag", wrong_from(x, c, json));
		if (rng_pct(R(x), 50))
			rq_str(&x->q, "to-tag", token(x, 1, 20));
		break;
	case 1:		/* tags swapped */
		rq_cstr(&x->q, "from-tag", c->to_tag);
		rq_cstr(&x->q, "to-tag", c->from_tag);
		break;
	default:	/* an answer from another to-tag for an answered call */
		rq_str(&x->q, "to-tag", rng_pct(R(x), 50) ? token(x, 1, 20) :
		       near_miss(x, c->to_tag, c->from_tag, NULL, json));
		break;
	}
	x->m->expect = HX_ERROR;
	x->m->json = json;
	finish_rq(x);
}

static void c_reoffer_bogus(struct gx *x)
{
	const struct hn_call *c = pick_call(x);

	aimed(x, c, AIM_OFFER);
	switch (rng_below(R(x), 5)) {
	case 0:
	case 1:
		rq_str(&x->q, "sdp", sdp_garbage(x, c->nmedia));
		break;
	case 2:		/* fails late, after the streams were looked at */
		rq_str(&x->q, "sdp", sdp_late_offer(x, rng_pct(R(x), 50) ?
			c->nmedia : (int)rng_range(R(x), 1, 4)));
		break;
	case 3:
		rq_cstr(&x->q, "ICE", rng_pct(R(x), 50) ? "force-relay" :
			"force_relay");
		break;
	default: {
		struct fld *f = rq_slot(&x->q, cs("direction"));

		f->t = FT_STRS;
		f->nitems = 2;
		f->items[0] = cs(x->g->net->iface[0]);
		f->items[1] = bad_iface(x, x->g->net->iface[1], true);
		break;
	}
	}
	x->m->expect = HX_ERROR;
	x->m->json = rng_pct(R(x), 10);
	finish_rq(x);
}

static void c_reanswer_bogus(struct gx *x)
{
	const struct hn_call *c = pick_call(x);

	aimed(x, c, AIM_ANSWER);
	rq_str(&x->q, "sdp", rng_pct(R(x), 50) ? sdp_garbage(x, c->nmedia) :
	       sdp_late_answer(x, c));
	x->m->expect = HX_ERROR;
	x->m->json = rng_pct(R(x), 10);
	finish_rq(x);
}

static void c_delete_wrong(struct gx *x)
{
	const struct hn_call *c = pick_call(x);
	bool json = rng_pct(R(x), 20);

	aimed(x, c, rng_pct(R(x), 70) ? AIM_DELETE : AIM_QUERY);
	if (rng_pct(R(x), 60)) {
		rq_str(&x->q, "from-tag", rng_pct(R(x), 10) ? cs("") :
		       near_miss(x, c->from_tag, c->to_tag, NULL, json));
	} else {
		rq_str(&x->q, "call-id", near_id(x, c, json));
		if (rng_pct(R(x), 30))
			rq_str(&x->q, "via-branch", token(x, 1, 20));
	}
	x->m->expect = HX_ERROR;
	x->m->json = json;
	finish_rq(x);
}

static void c_unknown_call(struct gx *x)
{
	enum aim k = (enum aim)rng_range(R(x), AIM_ANSWER, AIM_QUERY);
	const struct hn_call *c = pick_call(x);

	aimed(x, c, k);
	rq_str(&x->q, "call-id", fresh_id(x));
	if (rng_pct(R(x), 15)) {
		/* a trickle fragment for a call that does not exist */
		rq_cstr(&x->q, "command", "offer");
		rq_list1(&x->q, "flags", "fragment");
		rq_cstr(&x->q, "from-tag", c->from_tag);
		rq_cstr(&x->q, "sdp", "a=ice-ufrag:Hx9q\r\na=ice-pwd:0123456789abcdefghijklmnop\r\n"
			"m=audio 9 RTP/AVP 0\r\na=candidate:1 1 UDP 1 192.0.2.9 4000 typ host\r\n");
	}
	x->m->expect = HX_ERROR;
	x->m->json = rng_pct(R(x), 20);
	finish_rq(x);
}

static void c_fragment(struct gx *x)
{
	const struct hn_call *c = pick_call(x);
	struct bn_buf b = { 0 };

	rq_cstr(&x->q, "command", "offer");
	rq_cstr(&x->q, "call-id", c->call_id);
	rq_cstr(&x->q, "from-tag", rng_pct(R(x), 50) ? c->from_tag : c->to_tag);
	rq_list1(&x->q, "flags", "fragment");
	switch (rng_below(R(x), 3)) {
	case 0:
		hb_puts(&b, ice_attrs);
		hb_puts(&b, "m=audio 9 RTP/AVP 0\r\n");
		candidates(x, &b, rng_range(R(x), 1, 300));
		break;
	case 1:
		bn_put_raw(&b, "\0\x01garbage\r\n", 11);
		break;
	default:
		hb_puts(&b, "a=end-of-candidates\r\n");
		break;
	}
	rq_str(&x->q, "sdp", ar_hb(&x->a, &b));
	x->m->expect = HX_ERROR;
	finish_rq(x);
}

static void c_json_bad(struct gx *x)
{
	static const char *const bad[] = {
		"{\"command\":\"ping\",}", "{'command':'ping'}",
		"{command:ping}", "{\"command\":\"p\\xing\"}",
		"{\"command\":\"\\u12g4\"}", "{\"command\":\"\\ud800\"}",
		"{\"command\":\"pi\x01ng\"}", "{\"command\":\"\xff\xfe\"}",
		"{\"command\":\"ping\",\"limit\":01}",
		"{\"command\":\"list\",\"limit\":1.5}",
		"{\"command\":\"list\",\"limit\":1e3}",
		"{\"command\":\"list\",\"limit\":-}",
		"{\"command\":null}", "{\"command\":\"ping\"} x",
		"{1:2}", "{\"command\" \"ping\"}", "{\"command\":\"ping\"",
		"{\"command\":\"ping\"}}", "{\"a\":[1,]}", "{\"a\":tru}",
		"{\"command\":\"ping\",\"x\":99999999999999999999}",
		"{\"command\":\"\xc0\xaf\"}", "{\"command\":\"\xed\xa0\x80\"}",
		"[", "{", "{\"",
	};
	struct bn_buf body = { 0 };

	switch (rng_below(R(x), 3)) {
	case 0: {	/* a valid JSON request cut short */
		any_valid(x);
		rq_json(&x->q, &body);
		body.len = rng_range(R(x), 1, body.len - 1);
		break;
	}
	case 1:		/* a valid JSON request with a member of junk */
		any_valid(x);
		rq_json(&x->q, &body);
		body.len--;
		hb_puts(&body, PICK(x, ((const char *const[]){
			",\"x\":}", ",\"x\":'a'}", ",\"x\":\"\\q\"}",
			",\"x\":[1 2]}", ",\"x\":{\"a\"}}", ",x:1}",
			",\"x\":\"\x7f\x01\"}", ",\"x\":0123}" })));
		break;
	default:
		if (rng_pct(R(x), 10))
			bn_put_raw(&body, " {\"command\":\"ping\"}\0", 21);
		else
			hb_puts(&body, PICK(x, bad));
		break;
	}
	x->m->expect = HX_ERROR;
	x->m->json = true;
	finish(x, &body);
}

static void c_replay(struct gx *x)
{
	uint64_t k, j = 0;
	bool found = false;

	for (k = 1; k <= 16 && k <= x->index; k++) {
		int cls = hn_class_of(x->g, x->index - k);

		if (cls < 0)
			continue;
		j = x->index - k;
		found = true;
		if (rng_pct(R(x), 40))
			break;
	}
	if (!found) {
		c_pong(x);
		return;
	}
	/* a request that would change things, under a used cookie */
	if (rng_pct(R(x), 60))
		aimed(x, pick_call(x), (enum aim)rng_below(R(x), 3));
	else
		fresh_offer(x);
	{
		struct bn_buf body = { 0 };

		rq_bencode(&x->q, &body, NULL);
		hb_printf(&x->m->data, "h%" PRIu64 " ", j);
		bn_put_raw(&x->m->data, body.data, body.len);
		bn_buf_free(&body);
	}
	x->m->expect = HX_SAME;
	x->m->ref = j;
}

/* ---- class table ---- */

enum {
	C_PONG, C_BENIGN, C_BADCOOKIE, C_BN_TRUNC, C_BN_BADLEN, C_BN_INT,
	C_BN_STRUCT, C_BN_NOTDICT, C_BN_DEEP, C_BN_COUNT, C_WRONG_TYPE,
	C_UNKNOWN_CMD, C_MISSING, C_LONG, C_WEIRD_FRESH, C_WEIRD_AIMED,
	C_DIRECTION, C_SDP_GARBAGE, C_SDP_MUTATED, C_SDP_BIG, C_REOFFER_TAG,
	C_REANSWER_TAG, C_REOFFER_BOGUS, C_REANSWER_BOGUS, C_DELETE_WRONG,
	C_UNKNOWN_CALL, C_FRAGMENT, C_JSON_BAD, C_REPLAY, C__COUNT
};

static const struct {
	const char *name;
	unsigned int weight;
	void (*gen)(struct gx *x);
} classes[C__COUNT] = {
	[C_PONG]		= { "ping-with-junk",		2, c_pong },
	[C_BENIGN]		= { "benign-read",		2, c_benign },
	[C_BADCOOKIE]		= { "bad-cookie",		4, c_badcookie },
	[C_BN_TRUNC]		= { "bencode-truncated",	5, c_bn_trunc },
	[C_BN_BADLEN]		= { "bencode-bad-length",	6, c_bn_badlen },
	[C_BN_INT]		= { "bencode-bad-integer",	3, c_bn_int },
	[C_BN_STRUCT]		= { "bencode-bad-structure",	5, c_bn_struct },
	[C_BN_NOTDICT]		= { "bencode-not-a-dict",	1, c_bn_notdict },
	[C_BN_DEEP]		= { "deep-nesting",		2, c_bn_deep },
	[C_BN_COUNT]		= { "huge-item-count",		2, c_bn_count },
	[C_WRONG_TYPE]		= { "wrong-type",		7, c_wrong_type },
	[C_UNKNOWN_CMD]		= { "unknown-command",		4, c_unknown_cmd },
	[C_MISSING]		= { "missing-key",		3, c_missing },
	[C_LONG]		= { "over-long-string",		3, c_long },
	[C_WEIRD_FRESH]		= { "nul-ctrl-in-new-call",	6, c_weird_fresh },
	[C_WEIRD_AIMED]		= { "nul-ctrl-near-miss-ids",	6, c_weird_aimed },
	[C_DIRECTION]		= { "bad-direction",		3, c_direction },
	[C_SDP_GARBAGE]		= { "sdp-invalid",		6, c_sdp_garbage },
	[C_SDP_MUTATED]		= { "sdp-mutated",		4, c_sdp_mutated },
	[C_SDP_BIG]		= { "at-the-limits",		1, c_at_limits },
	[C_REOFFER_TAG]		= { "reoffer-wrong-tag",	6, c_reoffer_tag },
	[C_REANSWER_TAG]	= { "reanswer-wrong-tag",	6, c_reanswer_tag },
	[C_REOFFER_BOGUS]	= { "reoffer-bogus",		5, c_reoffer_bogus },
	[C_REANSWER_BOGUS]	= { "reanswer-bogus",		5, c_reanswer_bogus },
	[C_DELETE_WRONG]	= { "delete-query-wrong-ids",	4, c_delete_wrong },
	[C_UNKNOWN_CALL]	= { "unknown-call",		3, c_unknown_call },
	[C_FRAGMENT]		= { "ice-fragment-no-ice",	2, c_fragment },
	[C_JSON_BAD]		= { "json-malformed",		4, c_json_bad },
	[C_REPLAY]		= { "cookie-replay",		2, c_replay },
};

const char *hn_class_name(int cls)
{
	return cls >= 0 && cls < C__COUNT ? classes[cls].name : "?";
}

int hn_class_count(void)
{
	return C__COUNT;
}

static int class_pick(uint64_t seed, uint64_t index)
{
	struct rng r = rng_for(seed, 1, index);
	unsigned int total = 0, w;
	int i;

	for (i = 0; i < C__COUNT; i++)
		total += classes[i].weight;
	w = (unsigned int)rng_below(&r, total);
	for (i = 0; i < C__COUNT; i++) {
		if (w < classes[i].weight)
			return i;
		w -= classes[i].weight;
	}
	return C_PONG;
}

/* The class of message @index; -1 when it is no target for a replay. */
int hn_class_of(const struct hn_gen *g, uint64_t index)
{
	int c = class_pick(g->seed, index);

	/* (pings may have a cookie padded to 64 bytes) */
	return c == C_BADCOOKIE || c == C_REPLAY || c == C_PONG ? -1 : c;
}

const char *hn_expect_name(enum hn_expect e)
{
	switch (e) {
	case HX_ERROR:
		return "error";
	case HX_DECODE:
		return "decode error";
	case HX_NOREPLY:
		return "no reply";
	case HX_EITHER:
		return "ok or error, consistent";
	case HX_OK:
		return "ok";
	case HX_PONG:
		return "pong";
	case HX_NEW:
		return "ok, then found and deleted";
	case HX_SAME:
		return "the cached reply";
	}
	return "?";
}

void hn_msg_free(struct hn_msg *m)
{
	bn_buf_free(&m->data);
	bn_buf_free(&m->call_id);
	bn_buf_free(&m->from_tag);
	memset(m, 0, sizeof(*m));
}

void hn_generate(const struct hn_gen *g, uint64_t index, struct hn_msg *m)
{
	struct gx *x = calloc(1, sizeof(*x));
	const char *sp;
	int i;

	if (!x) {
		perror("hostile_ng");
		exit(2);
	}
	memset(m, 0, sizeof(*m));
	x->g = g;
	x->index = index;
	x->r = rng_for(g->seed, 2, index);
	x->m = m;
	m->cls = class_pick(g->seed, index);
	classes[m->cls].gen(x);
	ar_free(&x->a);
	free(x);
	m->target = -1;
	for (i = 0; i < g->ncalls; i++)
		if (m->data.len && memmem(m->data.data, m->data.len, g->calls[i].call_id,
			   strlen(g->calls[i].call_id)))
			m->target = i;

	/* self-checks: the expectation must follow from the bytes */
	if (m->expect == HX_NOREPLY)
		return;
	sp = memchr(m->data.data, ' ', m->data.len);
	if (!sp) {
		fprintf(stderr, "hostile_ng: message %" PRIu64 " has no cookie\n",
			index);
		exit(2);
	}
	sp++;
	if (!m->json && m->cls != C_BN_DEEP && m->cls != C_BN_NOTDICT) {
		bool valid = hn_bencode_valid(sp, m->data.len -
					      (size_t)(sp - m->data.data));

		if (valid != (m->expect != HX_DECODE)) {
			fprintf(stderr, "hostile_ng: message %" PRIu64
				" (%s): bencode %s, expected otherwise\n",
				index, hn_class_name(m->cls),
				valid ? "valid" : "invalid");
			exit(2);
		}
	}
	if (m->data.len > 65507) {
		fprintf(stderr, "hostile_ng: message %" PRIu64
			" (%s) is %zu bytes\n", index, hn_class_name(m->cls),
			m->data.len);
		exit(2);
	}
}

/* ---- plain requests ---- */

void hn_request(struct bn_buf *b, const char *cookie, enum hn_req_kind kind,
		const void *call_id, size_t cid_len, const void *from_tag,
		size_t ft_len, bool json)
{
	static const char *const cmd[] = {
		[HR_QUERY] = "query", [HR_DELETE] = "delete", [HR_LIST] = "list",
		[HR_STATS] = "statistics", [HR_PING] = "ping",
	};
	struct rq q = { .nf = 0 };

	rq_cstr(&q, "command", cmd[kind]);
	if (call_id)
		rq_str(&q, "call-id", (struct sv){ call_id, cid_len });
	if (from_tag)
		rq_str(&q, "from-tag", (struct sv){ from_tag, ft_len });
	if (kind == HR_LIST)
		rq_int(&q, "limit", 100000);
	hb_printf(b, "%s ", cookie);
	if (json)
		rq_json(&q, b);
	else
		rq_bencode(&q, b, NULL);
}

static void setup_sdp(struct bn_buf *b, const char *addr, const struct hn_call *c,
		      const uint16_t *ports)
{
	int i;

	hb_printf(b, "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n",
		  addr, addr);
	for (i = 0; i < c->nmedia; i++)
		hb_printf(b, "m=%s %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
			  i ? "video" : "audio", ports[i]);
}

void hn_setup_offer(struct bn_buf *b, const char *cookie,
		    const struct hn_net *net, const struct hn_call *c)
{
	struct rq q = { .nf = 0 };
	struct bn_buf sdp = { 0 };
	struct fld *f;

	setup_sdp(&sdp, net->peer_a, c, c->port_a);
	rq_cstr(&q, "command", "offer");
	rq_cstr(&q, "call-id", c->call_id);
	rq_cstr(&q, "from-tag", c->from_tag);
	rq_str(&q, "sdp", (struct sv){ sdp.data, sdp.len });
	rq_cstr(&q, "ICE", "remove");
	if (c->flag)
		rq_list1(&q, "flags", c->flag);
	if (c->direction) {
		f = rq_slot(&q, cs("direction"));
		f->t = FT_STRS;
		f->items[0] = cs(net->iface[0]);
		f->items[1] = cs(net->iface[1]);
		f->nitems = 2;
	}
	hb_printf(b, "%s ", cookie);
	rq_bencode(&q, b, NULL);
	bn_buf_free(&sdp);
}

void hn_setup_answer(struct bn_buf *b, const char *cookie,
		     const struct hn_net *net, const struct hn_call *c)
{
	struct rq q = { .nf = 0 };
	struct bn_buf sdp = { 0 };

	setup_sdp(&sdp, net->peer_b, c, c->port_b);
	rq_cstr(&q, "command", "answer");
	rq_cstr(&q, "call-id", c->call_id);
	rq_cstr(&q, "from-tag", c->from_tag);
	rq_cstr(&q, "to-tag", c->to_tag);
	rq_str(&q, "sdp", (struct sv){ sdp.data, sdp.len });
	hb_printf(b, "%s ", cookie);
	rq_bencode(&q, b, NULL);
	bn_buf_free(&sdp);
}

/* ---- reference bencode grammar (strict; any depth) ---- */

static bool bv_str(const char *p, size_t n, size_t *pos)
{
	size_t i = *pos, len = 0;

	if (i >= n || p[i] < '0' || p[i] > '9')
		return false;
	if (p[i] == '0' && i + 1 < n && p[i + 1] != ':')
		return false;
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		if (len > (SIZE_MAX - 9) / 10)
			return false;
		len = len * 10 + (size_t)(p[i] - '0');
		i++;
	}
	if (i >= n || p[i] != ':')
		return false;
	i++;
	if (len > n - i)
		return false;
	*pos = i + len;
	return true;
}

static bool bv_int(const char *p, size_t n, size_t *pos)
{
	size_t i = *pos + 1, start;
	bool neg = false;
	uint64_t v = 0;

	if (i < n && p[i] == '-') {
		neg = true;
		i++;
	}
	start = i;
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		unsigned int d = (unsigned int)(p[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		i++;
	}
	if (i == start || i >= n || p[i] != 'e')
		return false;
	if (p[start] == '0' && (i - start > 1 || neg))
		return false;
	if (v > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		return false;
	*pos = i + 1;
	return true;
}

bool hn_bencode_valid(const char *p, size_t n)
{
	/* stack of open containers: 'l', 'd' (key next) or 'v' (value next) */
	char *st = malloc(n + 1);
	size_t depth = 0, pos = 0;
	bool ok = false;

	if (!st)
		return false;
	for (;;) {
		if (depth && pos < n && p[pos] == 'e' && st[depth - 1] != 'v') {
			pos++;
			depth--;
			if (!depth)
				break;
			if (st[depth - 1] == 'v')
				st[depth - 1] = 'd';
			continue;
		}
		if (depth && st[depth - 1] == 'd') {
			if (!bv_str(p, n, &pos))
				goto out;
			st[depth - 1] = 'v';
			continue;
		}
		if (pos >= n)
			goto out;
		if (p[pos] == 'l' || p[pos] == 'd') {
			st[depth++] = p[pos] == 'l' ? 'l' : 'd';
			pos++;
			continue;
		}
		if (p[pos] == 'i') {
			if (!bv_int(p, n, &pos))
				goto out;
		} else if (!bv_str(p, n, &pos)) {
			goto out;
		}
		if (!depth)
			break;
		if (st[depth - 1] == 'v')
			st[depth - 1] = 'd';
	}
	ok = pos == n;
out:
	free(st);
	return ok;
}
