// SPDX-License-Identifier: GPL-2.0
/*
 * kice-nlfuzz: message generator.
 *
 * Every message is one of
 *   valid    a request meant to succeed, built from the fuzzer's state
 *            (attach a free socket, a flow between attached sockets and
 *            the traffic peers, change, get, dump, delete, reset);
 *   policy   any operation of the spec with a random subset of its
 *            request's attributes, every value within the spec's checks
 *            (ids, fds, addresses and ports mostly from the state);
 *   mutated  the same with mutations: values beyond the checks, wrong
 *            lengths, scalars nested and nests flat, unknown and foreign
 *            attribute types, duplicates, deep nesting, oversized
 *            attributes, truncated nests and messages, random flags and
 *            header fields, dumps of do-only operations.
 *
 * The generator knows which mutations the policy (strict validation, one
 * policy per operation: YNL's per-op) or the module (the limits the spec's
 * documentation states) must refuse, and marks such a message must_fail:
 * if the kernel accepts it, that is a bug.  Mutations whose outcome it
 * cannot predict (flipped bytes, rewritten attribute lengths) clear it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nlfuzz.h"

#define MSG_ROOM	16384
#define MAX_TOP		256
#define MAX_AT		512

struct w {
	uint8_t *buf;
	size_t room, len;
	bool full;
	int depth;
	bool in_top, cur_bad;
	const char *cur_why;
	struct {
		uint32_t real_end;	/* where its nla_len ends it */
		uint32_t end;		/* with the padding */
		bool bad;
		const char *why;
	} top[MAX_TOP];
	uint32_t cur_start;
	int n_top;
	bool msg_bad;
	const char *msg_why;
	uint32_t at[MAX_AT];		/* offsets of all attributes */
	int n_at;
	int mut;			/* percent chance to mutate an attribute */
	int mode;
	/*
	 * What the module refuses counts only for the instance of an
	 * attribute the module reads: the last one of a single attribute
	 * (nla_parse keeps the last), any one of a multi-attr.  One frame
	 * per attribute context (the message, each nest).
	 */
	struct frame {
		uint8_t last[64];	/* by type: last instance refused */
		bool any;		/* an instance read anyway is refused */
	} fr[16];
	int n_fr;			/* frames beyond 16 are not tracked */
	bool inst_mod;			/* the current instance is refused */
	const char *mod_why;
	bool mod_void;			/* cut message: no module claims */
	uint32_t target;		/* the last top-level object id */
};

/* attribute contexts: the types the policy accepts there */
struct ctx {
	int set;
	const struct nf_op *op;		/* top level of this op, else a nest */
};

static struct nf_state *S;

/* ---- names the valid builders use, looked up in the spec once ---- */

static struct {
	int sock, flow, leg, clock;
	const struct nf_op *attach, *detach, *sget, *fnew, *fdel, *fget,
		*fset, *reset;
	const struct nf_attr *s_id, *s_fd, *s_policy, *f_id, *f_leg[2],
		*f_dtls, *f_dscp, *f_idle, *f_clock, *l_sock, *l_ip4, *l_ip6,
		*l_port, *l_tip4, *l_tip6, *l_tport, *l_chan, *c_pt, *c_rate;
} N;

static void names_init(void)
{
	if (N.attach)
		return;
	N.sock = nf_set_by_name("sock");
	N.flow = nf_set_by_name("flow");
	N.leg = nf_set_by_name("leg");
	N.clock = nf_set_by_name("clock");
	N.attach = nf_op_by_name("sock-attach");
	N.detach = nf_op_by_name("sock-detach");
	N.sget = nf_op_by_name("sock-get");
	N.fnew = nf_op_by_name("flow-new");
	N.fdel = nf_op_by_name("flow-del");
	N.fget = nf_op_by_name("flow-get");
	N.fset = nf_op_by_name("flow-set");
	N.reset = nf_op_by_name("stats-reset");
	N.s_id = nf_attr_by_name(N.sock, "id");
	N.s_fd = nf_attr_by_name(N.sock, "fd");
	N.s_policy = nf_attr_by_name(N.sock, "unknown-policy");
	N.f_id = nf_attr_by_name(N.flow, "id");
	N.f_leg[0] = nf_attr_by_name(N.flow, "leg-a");
	N.f_leg[1] = nf_attr_by_name(N.flow, "leg-b");
	N.f_dtls = nf_attr_by_name(N.flow, "dtls-policy");
	N.f_dscp = nf_attr_by_name(N.flow, "dscp");
	N.f_idle = nf_attr_by_name(N.flow, "idle-timeout");
	N.f_clock = nf_attr_by_name(N.flow, "clock");
	N.l_sock = nf_attr_by_name(N.leg, "sock");
	N.l_ip4 = nf_attr_by_name(N.leg, "ipv4");
	N.l_ip6 = nf_attr_by_name(N.leg, "ipv6");
	N.l_port = nf_attr_by_name(N.leg, "port");
	N.l_tip4 = nf_attr_by_name(N.leg, "turn-ipv4");
	N.l_tip6 = nf_attr_by_name(N.leg, "turn-ipv6");
	N.l_tport = nf_attr_by_name(N.leg, "turn-port");
	N.l_chan = nf_attr_by_name(N.leg, "channel");
	N.c_pt = nf_attr_by_name(N.clock, "pt");
	N.c_rate = nf_attr_by_name(N.clock, "rate");
}

/* ---- writer ---- */

static void bad(struct w *w, const char *why)
{
	if (w->in_top) {
		if (!w->cur_bad)
			w->cur_why = why;
		w->cur_bad = true;
	} else {
		if (!w->msg_bad)
			w->msg_why = why;
		w->msg_bad = true;
	}
}

static bool fits(struct w *w, size_t payload)
{
	if (w->full || w->len + NLA_HDRLEN + NLA_ALIGN(payload) > w->room) {
		w->full = true;
		return false;
	}
	return true;
}

static void note_at(struct w *w)
{
	if (w->n_at < MAX_AT)
		w->at[w->n_at++] = w->len;
}

/* attribute header with nla_len of @len payload bytes (written later) */
static uint32_t put_raw(struct w *w, uint16_t type, const void *data,
			size_t len)
{
	struct nlattr *a;
	uint32_t off = w->len;

	if (!fits(w, len))
		return UINT32_MAX;
	note_at(w);
	a = (struct nlattr *)(w->buf + w->len);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(a + 1, data, len);
	memset((uint8_t *)(a + 1) + len, 0, NLA_ALIGN(len) - len);
	w->len += NLA_HDRLEN + NLA_ALIGN(len);
	return off;
}

static uint32_t nest_begin(struct w *w, uint16_t type)
{
	uint32_t off = put_raw(w, type, NULL, 0);

	if (off != UINT32_MAX)
		w->depth++;
	return off;
}

static void nest_end(struct w *w, uint32_t off)
{
	if (off == UINT32_MAX)
		return;
	w->depth--;
	((struct nlattr *)(w->buf + off))->nla_len = w->len - off;
}

static void top_begin(struct w *w)
{
	if (w->depth)
		return;
	w->in_top = true;
	w->cur_bad = false;
	w->cur_why = NULL;
	w->cur_start = w->len;
}

static void top_end(struct w *w)
{
	if (w->depth || !w->in_top)
		return;
	w->in_top = false;
	if (w->n_top < MAX_TOP) {
		const struct nlattr *a = (const void *)(w->buf + w->cur_start);

		w->top[w->n_top].end = w->len;
		w->top[w->n_top].real_end = w->len > w->cur_start ?
			w->cur_start + a->nla_len : w->len;
		w->top[w->n_top].bad = w->cur_bad;
		w->top[w->n_top].why = w->cur_why;
		w->n_top++;
	} else if (w->cur_bad) {
		w->full = true;		/* cannot track: claim nothing */
	}
}

static void frame_push(struct w *w)
{
	if (w->n_fr < 16)
		memset(&w->fr[w->n_fr], 0, sizeof(w->fr[0]));
	w->n_fr++;
}

/* Does the module refuse the context just closed? */
static bool frame_pop(struct w *w)
{
	struct frame *f;
	size_t i;

	if (--w->n_fr >= 16)
		return false;
	f = &w->fr[w->n_fr];
	if (f->any)
		return true;
	for (i = 0; i < sizeof(f->last); i++)
		if (f->last[i])
			return true;
	return false;
}

static bool read_only(int set, const struct nf_attr *a);

/* an instance of @a in the current context, refused by the module or not */
static void frame_note(struct w *w, int set, const struct nf_attr *a,
		       bool refused)
{
	struct frame *f;

	if (!w->n_fr || w->n_fr > 16)
		return;
	f = &w->fr[w->n_fr - 1];
	if (a->multi || read_only(set, a))
		f->any |= refused;
	else if (a->type < sizeof(f->last))
		f->last[a->type] = refused;
}

/* the module refuses the instance being written */
static void mod_bad(struct w *w, const char *why)
{
	w->inst_mod = true;
	if (!w->mod_why)
		w->mod_why = why;
}

/* ---- contexts ---- */

static bool in_list(const uint16_t *l, int n, unsigned int type)
{
	int i;

	for (i = 0; i < n; i++)
		if (l[i] == type)
			return true;
	return false;
}

/* Does the policy of @c accept attribute type @type (flags stripped)? */
static bool ctx_allows(const struct ctx *c, unsigned int type)
{
	const struct nf_attr *a = nf_set_attr(c->set, type);

	if (!a || a->kind == NF_K_PAD)
		return false;
	if (!c->op)
		return true;	/* nested: the whole set */
	/* per-op policy: what the op's do and dump requests take */
	return in_list(c->op->req, c->op->n_req, type) ||
	       in_list(c->op->dump_req, c->op->n_dump_req, type);
}

/* the spec's doc: "read-only statistics; rejected in requests" */
static bool read_only(int set, const struct nf_attr *a)
{
	return set == N.leg && !strcmp(a->name, "stats");
}

/* ---- values ---- */

static void kind_range(int kind, long long *lo, unsigned long long *hi)
{
	switch (kind) {
	case NF_K_U8: *lo = 0; *hi = 0xff; break;
	case NF_K_U16: *lo = 0; *hi = 0xffff; break;
	case NF_K_U32: *lo = 0; *hi = 0xffffffffULL; break;
	case NF_K_S8: *lo = -128; *hi = 127; break;
	case NF_K_S16: *lo = -32768; *hi = 32767; break;
	case NF_K_S32: *lo = INT32_MIN; *hi = INT32_MAX; break;
	case NF_K_S64: *lo = INT64_MIN; *hi = INT64_MAX; break;
	default: *lo = 0; *hi = UINT64_MAX; break;
	}
}

static bool is_signed(int kind)
{
	return kind >= NF_K_S8 && kind <= NF_K_S64;
}

/* @v truncated to the kind's width, as the kernel reads it */
static long long as_kind(int kind, unsigned long long v)
{
	switch (kind) {
	case NF_K_U8: return (uint8_t)v;
	case NF_K_U16: return (uint16_t)v;
	case NF_K_U32: return (uint32_t)v;
	case NF_K_S8: return (int8_t)v;
	case NF_K_S16: return (int16_t)v;
	case NF_K_S32: return (int32_t)v;
	default: return (long long)v;
	}
}

/* Within the policy's checks (and the module's documented limits)? */
static bool value_ok(int set, const struct nf_attr *a, long long v,
		     bool *policy_ok)
{
	long long mmax;
	bool ok = true;

	if (is_signed(a->kind) || a->kind != NF_K_U64) {
		if (a->has_min && v < a->min)
			ok = false;
		if (a->has_max && v > a->max)
			ok = false;
	} else {
		if (a->has_min && (unsigned long long)v < (unsigned long long)a->min)
			ok = false;
		if (a->has_max && (unsigned long long)v > (unsigned long long)a->max)
			ok = false;
	}
	*policy_ok = ok;
	if (nf_module_max(set, a, &mmax) && v > mmax)
		ok = false;
	return ok;
}

static const long long edges[] = {
	0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x4fff, 0x5000,
	0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000LL,
	0xffffffffLL, 0x100000000LL, -1, -2, INT64_MAX, INT64_MIN,
};

static long long edge_value(const struct nf_attr *a, int set)
{
	struct nf_rng *r = &S->rng;
	long long lo, v, mmax;
	unsigned long long hi;

	kind_range(a->kind, &lo, &hi);
	switch (nf_below(r, 8)) {
	case 0:
		if (a->has_min)
			return a->min + (long long)nf_below(r, 3) - 1;
		break;
	case 1:
		if (a->has_max)
			return a->max + (long long)nf_below(r, 3) - 1;
		break;
	case 2:
		if (nf_module_max(set, a, &mmax))
			return mmax + (long long)nf_below(r, 3) - 1;
		break;
	case 3:
		return nf_chance(r, 50) ? lo : (long long)hi;
	case 4:
		v = (long long)nf_rand(r);
		return v;
	}
	return edges[nf_below(r, sizeof(edges) / sizeof(edges[0]))];
}

/* a value within the checks: the edges of the range or inside it */
static long long valid_value(const struct nf_attr *a, int set)
{
	struct nf_rng *r = &S->rng;
	unsigned long long hi, span;
	long long lo, mmax, v;
	int i;
	bool p;

	kind_range(a->kind, &lo, &hi);
	if (a->has_min)
		lo = a->min;
	if (a->has_max)
		hi = (unsigned long long)a->max;
	if (nf_module_max(set, a, &mmax) && (unsigned long long)mmax < hi)
		hi = (unsigned long long)mmax;
	for (i = 0; i < 8; i++) {
		switch (nf_below(r, 4)) {
		case 0:
			v = lo;
			break;
		case 1:
			v = (long long)hi;
			break;
		default:
			span = hi - (unsigned long long)lo;
			v = lo + (long long)(span == UINT64_MAX ? nf_rand(r) :
					     nf_rand(r) % (span + 1));
			break;
		}
		v = as_kind(a->kind, v);
		if (value_ok(set, a, v, &p))
			return v;
	}
	return lo;
}

static uint32_t pick_sock_id(void)
{
	uint32_t ids[NF_MAX_RSOCK];
	int n = nf_attached(S, ids, NF_MAX_RSOCK);

	if (n && !nf_chance(&S->rng, 8))
		return ids[nf_below(&S->rng, n)];
	return 1 + nf_below(&S->rng, 48);
}

static uint32_t pick_flow_id(void)
{
	if (S->n_flows && !nf_chance(&S->rng, 8))
		return S->flows[nf_below(&S->rng, S->n_flows)].id;
	return 1 + nf_below(&S->rng, 4096);
}

static int pick_fd(void)
{
	struct nf_rng *r = &S->rng;
	int i;

	if (nf_chance(r, 65)) {
		/* a free socket of the relay mostly */
		for (i = 0; i < 4; i++) {
			struct nf_rsock *rs = &S->rs[nf_below(r, S->n_rs)];

			if (rs->fd >= 0 && (!rs->id || i == 3))
				return rs->fd;
		}
	}
	if (nf_chance(r, 40) && S->n_peers)
		return S->peers[nf_below(r, S->n_peers)].fd;
	return (int)nf_below(r, S->max_fd + 4);
}

static const uint16_t ports[] = { 5000, 5001, 5002, 5003, 6000, 6001,
				  6002, 6003, 3478 };

/* A value meaningful for the attribute's role (@ok: it is valid). */
static bool role_value(int set, const struct nf_attr *a, long long *v)
{
	struct nf_rng *r = &S->rng;

	switch (a->role) {
	case NF_R_FD:
		*v = pick_fd();
		return true;
	case NF_R_SOCK_ID:
		*v = pick_sock_id();
		return true;
	case NF_R_FLOW_ID:
		*v = pick_flow_id();
		return true;
	case NF_R_PORT:
		*v = ports[nf_below(r, sizeof(ports) / sizeof(ports[0]))];
		return true;
	case NF_R_CHANNEL:
		*v = (a->has_min ? a->min : 0) + nf_below(r, 4);
		return true;
	case NF_R_ENUM:
		if (a->n_enum && !a->enum_flags) {
			*v = nf_below(r, a->n_enum);
			return true;
		}
		return false;
	default:
		return false;
	}
}

/* special and ordinary remotes for the address roles */
static const uint8_t odd4[][4] = {
	{ 0, 0, 0, 0 }, { 224, 0, 0, 1 }, { 255, 255, 255, 255 },
	{ 127, 0, 0, 1 }, { 203, 0, 113, 9 }, { 192, 0, 2, 1 },
	{ 198, 51, 100, 1 }, { 0, 1, 2, 3 }, { 239, 255, 255, 250 },
};

static void odd6(uint8_t ip[16])
{
	static const char *const a[] = {
		"::", "ff02::1", "fe80::1", "::ffff:192.0.2.2", "::1",
		"2001:db8:c::9", "2001:db8:a::1", "2001:db8:b::1", "64:ff9b::1",
	};

	inet_pton(AF_INET6, a[nf_below(&S->rng, sizeof(a) / sizeof(a[0]))], ip);
}

/* ---- attributes ---- */

static void emit_set(struct w *w, const struct ctx *c, int pct);
static void emit_attr(struct w *w, const struct ctx *c,
		      const struct nf_attr *a);

static void emit_value(struct w *w, uint16_t type, int kind, long long v,
		       size_t len)
{
	uint8_t b[8] = { 0 };

	switch (kind) {
	case NF_K_U8:
	case NF_K_S8:
		b[0] = (uint8_t)v;
		break;
	case NF_K_U16:
	case NF_K_S16:
		*(uint16_t *)b = (uint16_t)v;
		break;
	case NF_K_U32:
	case NF_K_S32:
		*(uint32_t *)b = (uint32_t)v;
		break;
	default:
		memcpy(b, &v, 8);
		break;
	}
	if (len <= sizeof(b)) {
		put_raw(w, type, b, len);
	} else {
		uint8_t big[64] = { 0 };

		memcpy(big, b, sizeof(b));
		put_raw(w, type, big, len > sizeof(big) ? sizeof(big) : len);
	}
}

static const uint8_t wrong_lens[] = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 16, 17,
				      32 };

static size_t wrong_len(size_t right)
{
	size_t l;

	do {
		l = wrong_lens[nf_below(&S->rng, sizeof(wrong_lens))];
	} while (l == right);
	return l;
}

/* random children of any type: what a scalar carries when nested */
static void emit_junk_children(struct w *w, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uint32_t v = (uint32_t)nf_rand(&S->rng);

		put_raw(w, 1 + nf_below(&S->rng, 12), &v,
			nf_below(&S->rng, 5));
	}
}

static void check_value(struct w *w, const struct ctx *c,
			const struct nf_attr *a, long long v)
{
	bool pol;

	if (value_ok(c->set, a, v, &pol))
		return;
	if (pol)
		mod_bad(w, "value beyond a limit of the module");
	else
		bad(w, "value beyond the policy's checks");
}

static void note_target(struct w *w, const struct nf_attr *a, long long v)
{
	if (!w->depth && (a->role == NF_R_SOCK_ID || a->role == NF_R_FLOW_ID))
		w->target = (uint32_t)v;
}

static void emit_scalar(struct w *w, const struct ctx *c,
			const struct nf_attr *a, bool mutate)
{
	struct nf_rng *r = &S->rng;
	int klen = nf_kind_len(a->kind);
	long long v;
	uint32_t off;

	if (a->kind == NF_K_FLAG) {
		if (mutate && nf_chance(r, 50)) {
			uint32_t one = 1;

			put_raw(w, a->type, &one, 1 + nf_below(r, 4));
			bad(w, "flag with a payload");
		} else {
			put_raw(w, a->type, NULL, 0);
		}
		return;
	}
	if (!mutate) {
		if (!(nf_chance(r, 80) && role_value(c->set, a, &v)))
			v = valid_value(a, c->set);
		v = as_kind(a->kind, v);
		check_value(w, c, a, v);
		note_target(w, a, v);
		emit_value(w, a->type, a->kind, v, klen);
		return;
	}
	switch (nf_below(r, 6)) {
	case 0:
	case 1:		/* boundary values, often beyond the checks */
		v = as_kind(a->kind, edge_value(a, c->set));
		check_value(w, c, a, v);
		note_target(w, a, v);
		emit_value(w, a->type, a->kind, v, klen);
		break;
	case 2:		/* wrong length */
		v = (long long)nf_rand(r);
		emit_value(w, a->type, a->kind, v, wrong_len(klen));
		bad(w, "scalar of the wrong length");
		break;
	case 3:		/* nested */
		off = nest_begin(w, a->type | NLA_F_NESTED);
		emit_junk_children(w, nf_below(r, 3));
		nest_end(w, off);
		bad(w, "scalar with NLA_F_NESTED");
		break;
	case 4:		/* network byte order flag: the policy ignores it */
		v = valid_value(a, c->set);
		emit_value(w, a->type | NLA_F_NET_BYTEORDER, a->kind, v, klen);
		check_value(w, c, a, v);
		note_target(w, a, v);
		break;
	default:	/* a valid value of the role */
		if (!role_value(c->set, a, &v))
			v = valid_value(a, c->set);
		v = as_kind(a->kind, v);
		check_value(w, c, a, v);
		note_target(w, a, v);
		emit_value(w, a->type, a->kind, v, klen);
		break;
	}
}

static bool len_ok(const struct nf_attr *a, size_t len)
{
	if (a->exact_len >= 0 && (int)len != a->exact_len)
		return false;
	if (a->min_len >= 0 && (int)len < a->min_len)
		return false;
	if (a->max_len >= 0 && (int)len > a->max_len)
		return false;
	return true;
}

static void emit_binary(struct w *w, const struct ctx *c,
			const struct nf_attr *a, bool mutate)
{
	struct nf_rng *r = &S->rng;
	uint8_t b[4096];
	size_t len = a->exact_len >= 0 ? (size_t)a->exact_len :
		     nf_below(r, 33);
	size_t i;
	uint16_t port;

	/* what wrong lengths add beyond the value is zero, not stack */
	memset(b, 0, 64);
	if (a->role == NF_R_IPV4 || a->role == NF_R_IPV6) {
		int fam = a->role == NF_R_IPV4 ? AF_INET : AF_INET6;

		if (nf_chance(r, 75))
			nf_pick_remote(S, fam, -1, b, &port, false);
		else if (fam == AF_INET)
			memcpy(b, odd4[nf_below(r, sizeof(odd4) / 4)], 4);
		else
			odd6(b);
	} else {
		for (i = 0; i < len; i++)
			b[i] = (uint8_t)nf_rand(r);
	}
	if (mutate) {
		switch (nf_below(r, 4)) {
		case 0:
			len = wrong_len(len);
			break;
		case 1:		/* oversized */
			len = 17 + nf_below(r, sizeof(b) - 17);
			memset(b + 16, 0xa5, len - 16);
			break;
		case 2: {
			uint32_t off = nest_begin(w, a->type | NLA_F_NESTED);

			emit_junk_children(w, nf_below(r, 3));
			nest_end(w, off);
			bad(w, "binary with NLA_F_NESTED");
			return;
		}
		default:
			break;
		}
	}
	if (a->kind == NF_K_STRING && len)
		b[len - 1] = 0;
	if (!len_ok(a, len))
		bad(w, "binary of the wrong length");
	put_raw(w, a->type, b, len);
}

/* random nests in nests */
static void emit_chain(struct w *w, int levels)
{
	uint32_t off;

	if (levels <= 0 || w->full)
		return;
	off = nest_begin(w, (1 + nf_below(&S->rng, 16)) | NLA_F_NESTED);
	emit_chain(w, levels - 1);
	nest_end(w, off);
}

/* Nests following the schema's nests from @set, then on beyond it. */
static void emit_deep(struct w *w, int set, int levels)
{
	const struct nf_set *st = &nf_spec_sets[set];
	const struct nf_attr *next = NULL, *a;
	uint16_t type;
	uint32_t off;
	int i;

	if (levels <= 0)
		return;
	for (i = 0; i < st->n; i++)
		if (st->attrs[i].kind == NF_K_NEST && nf_chance(&S->rng, 60))
			next = &st->attrs[i];
	if (next) {
		if (read_only(set, next) && w->n_fr && w->n_fr <= 16)
			w->fr[w->n_fr - 1].any = true;
		off = nest_begin(w, next->type | NLA_F_NESTED);
		emit_deep(w, next->nest, levels - 1);
		nest_end(w, off);
		return;
	}
	/* below the schema: any type, nested on and on */
	type = 1 + nf_below(&S->rng, 16);
	a = nf_set_attr(set, type);
	if (!a)
		bad(w, "unknown attribute type");
	else if (a->kind != NF_K_NEST)
		bad(w, "scalar with NLA_F_NESTED");
	off = nest_begin(w, type | NLA_F_NESTED);
	emit_chain(w, levels - 1);
	nest_end(w, off);
}

static void emit_nest(struct w *w, const struct ctx *c,
		      const struct nf_attr *a, bool mutate)
{
	struct nf_rng *r = &S->rng;
	struct ctx in = { .set = a->nest, .op = NULL };
	uint32_t off;
	bool refused;
	int i, n;

	frame_push(w);
	if (!mutate) {
		off = nest_begin(w, a->type | NLA_F_NESTED);
		emit_set(w, &in, 60);
		nest_end(w, off);
		goto out;
	}
	switch (nf_below(r, 7)) {
	case 0:		/* no NLA_F_NESTED */
		off = nest_begin(w, a->type);
		emit_set(w, &in, 60);
		nest_end(w, off);
		bad(w, "nest without NLA_F_NESTED");
		break;
	case 1:		/* a scalar instead */
		emit_value(w, a->type, NF_K_U32, (long long)nf_rand(r),
			   nf_below(r, 9));
		bad(w, "nest without NLA_F_NESTED");
		break;
	case 2:		/* last child claims more than there is */
		off = nest_begin(w, a->type | NLA_F_NESTED);
		emit_set(w, &in, 50);
		if (fits(w, 8)) {
			struct nlattr *t = (struct nlattr *)(w->buf + w->len);

			t->nla_type = 1;
			t->nla_len = NLA_HDRLEN + 8 + 4 * (1 + nf_below(r, 8));
			memset(t + 1, 0, 8);
			w->len += NLA_HDRLEN + 8;
			bad(w, "truncated nested attribute");
		}
		nest_end(w, off);
		break;
	case 3:		/* deep */
		off = nest_begin(w, a->type | NLA_F_NESTED);
		emit_deep(w, a->nest, 2 + nf_below(r, 60));
		nest_end(w, off);
		break;
	case 4:		/* empty */
		off = nest_begin(w, a->type | NLA_F_NESTED);
		nest_end(w, off);
		break;
	case 5:		/* oversized: the children many times over */
		off = nest_begin(w, a->type | NLA_F_NESTED);
		n = 8 + nf_below(r, 200);
		for (i = 0; i < n && !w->full; i++)
			emit_set(w, &in, 30);
		nest_end(w, off);
		break;
	default:	/* children mutated, unknown ones among them */
		off = nest_begin(w, a->type | NLA_F_NESTED);
		w->mut += 20;
		emit_set(w, &in, 60);
		w->mut -= 20;
		nest_end(w, off);
		break;
	}
out:
	refused = frame_pop(w);
	w->inst_mod = false;
	if (refused)
		mod_bad(w, "nested attribute the module refuses");
	if (read_only(c->set, a))
		mod_bad(w, "read-only attribute in a request");
}

static void emit_attr(struct w *w, const struct ctx *c,
		      const struct nf_attr *a)
{
	bool mutate = w->mut && nf_chance(&S->rng, w->mut);

	top_begin(w);
	w->inst_mod = false;
	if (!ctx_allows(c, a->type))
		bad(w, "attribute the policy does not take here");
	switch (a->kind) {
	case NF_K_NEST:
		emit_nest(w, c, a, mutate);
		break;
	case NF_K_BINARY:
	case NF_K_STRING:
		emit_binary(w, c, a, mutate);
		break;
	case NF_K_PAD: {
		uint64_t z = 0;

		put_raw(w, a->type, &z, nf_below(&S->rng, 9));
		bad(w, "pad attribute in a request");
		break;
	}
	default:
		emit_scalar(w, c, a, mutate);
		break;
	}
	frame_note(w, c->set, a, w->inst_mod);
	w->inst_mod = false;
	top_end(w);
}

/* an attribute of a type the context does not know, or of another set */
static void emit_stranger(struct w *w, const struct ctx *c)
{
	struct nf_rng *r = &S->rng;
	const struct nf_set *st = &nf_spec_sets[c->set];
	const struct nf_attr *a;
	uint16_t type;
	uint8_t junk[16];
	size_t i;

	if (nf_chance(r, 40)) {
		/* one of the set the op's policy does not take */
		a = &st->attrs[nf_below(r, st->n)];
		if (ctx_allows(c, a->type))
			return;
		top_begin(w);
		bad(w, "attribute the policy does not take here");
		if (a->kind == NF_K_NEST) {
			uint32_t off = nest_begin(w, a->type | NLA_F_NESTED);

			emit_junk_children(w, nf_below(r, 3));
			nest_end(w, off);
		} else {
			emit_value(w, a->type, a->kind, (long long)nf_rand(r),
				   nf_kind_len(a->kind) ?: 4);
		}
		top_end(w);
		return;
	}
	switch (nf_below(r, 4)) {
	case 0:
		type = 0;
		break;
	case 1:
		type = nf_set_max_type(c->set) + 1 + nf_below(r, 3);
		break;
	default:
		type = nf_below(r, 0x4000);
		break;
	}
	if (ctx_allows(c, type))
		return;
	top_begin(w);
	bad(w, "unknown attribute type");
	if (nf_chance(r, 20))
		type |= NLA_F_NESTED;
	if (nf_chance(r, 10))
		type |= NLA_F_NET_BYTEORDER;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)nf_rand(r);
	put_raw(w, type, junk, nf_below(r, sizeof(junk) + 1));
	top_end(w);
}

/* Attributes of a context, each with probability @pct, in spec order or
 * shuffled, multi-attrs repeated, mutated per w->mut. */
static void emit_set(struct w *w, const struct ctx *c, int pct)
{
	const struct nf_set *st = &nf_spec_sets[c->set];
	struct nf_rng *r = &S->rng;
	int order[64], i, j, n = st->n < 64 ? st->n : 64, reps;

	for (i = 0; i < n; i++)
		order[i] = i;
	if (nf_chance(r, 30)) {
		for (i = n - 1; i > 0; i--) {
			int k = nf_below(r, i + 1), t = order[i];

			order[i] = order[k];
			order[k] = t;
		}
	}
	for (i = 0; i < n && !w->full; i++) {
		const struct nf_attr *a = &st->attrs[order[i]];

		if (!ctx_allows(c, a->type))
			continue;
		/* rarely what the module refuses */
		if (read_only(c->set, a) && !nf_chance(r, 3))
			continue;
		if (!nf_chance(r, pct))
			continue;
		reps = 1;
		if (a->multi)
			reps = nf_chance(r, 5) ? 17 + nf_below(r, 40) :
			       1 + nf_below(r, 3);
		else if (w->mut && nf_chance(r, 8))
			reps = 2;	/* duplicate: the last one counts */
		for (j = 0; j < reps && !w->full; j++)
			emit_attr(w, c, a);
	}
	if (w->mut && nf_chance(r, w->mut))
		emit_stranger(w, c);
}

/* ---- valid requests from the state ---- */

static void put_u32(struct w *w, const struct nf_attr *a, uint32_t v)
{
	top_begin(w);
	put_raw(w, a->type, &v, 4);
	top_end(w);
}

static void put_u16(struct w *w, const struct nf_attr *a, uint16_t v)
{
	put_raw(w, a->type, &v, 2);
}

static void put_u8(struct w *w, const struct nf_attr *a, uint8_t v)
{
	top_begin(w);
	put_raw(w, a->type, &v, 1);
	top_end(w);
}

static const struct nf_rsock *rsock_by_id(uint32_t id)
{
	return nf_rsock_by_id(S, id);
}

/* a leg nest: @sock (0: left out), a remote the socket reaches; what
 * sends to the leg into @f's @side */
static void put_leg(struct w *w, const struct nf_attr *la, uint32_t sock,
		    int family, int side, struct nf_flow *f)
{
	struct nf_rng *r = &S->rng;
	uint8_t ip[16];
	uint16_t port;
	uint32_t off;
	bool turn = nf_chance(r, 15);

	top_begin(w);
	off = nest_begin(w, la->type | NLA_F_NESTED);
	if (sock)
		put_raw(w, N.l_sock->type, &sock, 4);
	f->src[side] = nf_pick_remote(S, family, side, ip, &port, false);
	f->chan[side] = 0;
	put_raw(w, family == AF_INET ? N.l_ip4->type : N.l_ip6->type, ip,
		family == AF_INET ? 4 : 16);
	put_u16(w, N.l_port, port);
	if (turn) {
		uint16_t ch = N.l_chan->min + nf_below(r, 4);

		f->src[side] = nf_pick_remote(S, family, side, ip, &port, true);
		f->chan[side] = ch;
		put_raw(w, family == AF_INET ? N.l_tip4->type :
			N.l_tip6->type, ip, family == AF_INET ? 4 : 16);
		put_u16(w, N.l_tport, port);
		put_u16(w, N.l_chan, ch);
	}
	nest_end(w, off);
	top_end(w);
}

static int leg_family(const struct nf_rsock *rs)
{
	struct nf_rng *r = &S->rng;
	bool v4 = rs && nf_rsock_reaches(rs, AF_INET);
	bool v6 = rs && nf_rsock_reaches(rs, AF_INET6);

	if (v4 && v6)
		return nf_chance(r, 50) ? AF_INET : AF_INET6;
	if (v4)
		return AF_INET;
	if (v6)
		return AF_INET6;
	return nf_chance(r, 50) ? AF_INET : AF_INET6;
}

static void put_cfg(struct w *w)
{
	struct nf_rng *r = &S->rng;
	uint32_t v;
	int i, n;

	if (nf_chance(r, 40)) {
		v = nf_below(r, 2);
		put_u32(w, N.f_dtls, v);
	}
	if (nf_chance(r, 30))
		put_u8(w, N.f_dscp, nf_below(r, 64));
	if (nf_chance(r, 30)) {
		static const uint32_t idle[] = { 0, 20, 50, 100, 300, 1000 };

		put_u32(w, N.f_idle, idle[nf_below(r, 6)]);
	}
	n = nf_chance(r, 30) ? 1 + nf_below(r, 4) : 0;
	for (i = 0; i < n; i++) {
		static const uint32_t rates[] = { 8000, 16000, 48000, 90000 };
		uint32_t off, rate = rates[nf_below(r, 4)];
		uint8_t pt = (uint8_t)(i * 32 + nf_below(r, 32));

		top_begin(w);
		off = nest_begin(w, N.f_clock->type | NLA_F_NESTED);
		put_raw(w, N.c_pt->type, &pt, 1);
		put_raw(w, N.c_rate->type, &rate, 4);
		nest_end(w, off);
		top_end(w);
	}
}

/* an attached socket reachable from @side (or any) */
static uint32_t sock_for_side(int side)
{
	uint32_t ids[NF_MAX_RSOCK], pick[NF_MAX_RSOCK];
	int n = nf_attached(S, ids, NF_MAX_RSOCK), i, m = 0;

	for (i = 0; i < n; i++) {
		const struct nf_rsock *rs = rsock_by_id(ids[i]);

		if (rs && nf_rsock_side(rs, side))
			pick[m++] = ids[i];
	}
	if (m && !nf_chance(&S->rng, 15))
		return pick[nf_below(&S->rng, m)];
	return n ? ids[nf_below(&S->rng, n)] : 0;
}

static const struct nf_op *gen_valid(struct w *w, struct nf_msg *m)
{
	struct nf_rng *r = &S->rng;
	uint32_t ids[NF_MAX_RSOCK];
	int n_att = nf_attached(S, ids, NF_MAX_RSOCK), i;
	unsigned int wt[9] = {
		n_att < 6 ? 30 : 4,	/* attach */
		n_att > 4 ? 2 : 0,	/* detach */
		5, 2,			/* sock get, dump */
		n_att ? 28 : 0,		/* flow new */
		S->n_flows ? 14 : 0,	/* flow set */
		6, 2,			/* flow get, dump */
		S->n_flows ? (S->n_flows > NF_FLOW_CAP ? 60 : 10) : 0,
	};
	unsigned int sum = 0, x;
	int act;

	for (i = 0; i < 9; i++)
		sum += wt[i];
	sum += 3;			/* stats reset */
	x = nf_below(r, sum);
	for (act = 0; act < 9 && x >= wt[act]; act++)
		x -= wt[act];

	m->flags = NLM_F_REQUEST | NLM_F_ACK;
	switch (act) {
	case 0: {
		int free_rs[NF_MAX_RSOCK], n = 0;

		for (i = 0; i < S->n_rs; i++)
			if (S->rs[i].fd >= 0 && !S->rs[i].id &&
			    S->rs[i].bound && S->rs[i].type == SOCK_DGRAM &&
			    S->rs[i].proto == 0)
				free_rs[n++] = i;
		if (!n)
			return gen_valid(w, m);
		m->rsock = free_rs[nf_below(r, n)];
		put_u32(w, N.s_fd, S->rs[m->rsock].fd);
		if (nf_chance(r, 50))
			put_u32(w, N.s_policy, nf_below(r, 2));
		return N.attach;
	}
	case 1:
		m->target = ids[nf_below(r, n_att)];
		put_u32(w, N.s_id, m->target);
		return N.detach;
	case 2:
		put_u32(w, N.s_id, pick_sock_id());
		return N.sget;
	case 3:
		m->flags |= NLM_F_DUMP;
		return N.sget;
	case 4: {
		int fam[2];

		for (i = 0; i < 2; i++) {
			m->flow.sock[i] = sock_for_side(i);
			fam[i] = leg_family(rsock_by_id(m->flow.sock[i]));
		}
		for (i = 0; i < 2; i++)
			put_leg(w, N.f_leg[i], m->flow.sock[i], fam[i], i,
				&m->flow);
		put_cfg(w);
		return N.fnew;
	}
	case 5: {
		struct nf_flow *f = &S->flows[nf_below(r, S->n_flows)];

		put_u32(w, N.f_id, f->id);
		m->flow = *f;
		for (i = 0; i < 2; i++) {
			const struct nf_rsock *rs = rsock_by_id(f->sock[i]);

			if (!rs || !nf_chance(r, 60))
				continue;
			put_leg(w, N.f_leg[i], nf_chance(r, 30) ? f->sock[i] : 0,
				leg_family(rs), i, &m->flow);
			m->legs |= 1 << i;
		}
		if (nf_chance(r, 50))
			put_cfg(w);
		return N.fset;
	}
	case 6:
		put_u32(w, N.f_id, pick_flow_id());
		return N.fget;
	case 7:
		m->flags |= NLM_F_DUMP;
		return N.fget;
	case 8:
		m->target = pick_flow_id();
		put_u32(w, N.f_id, m->target);
		return N.fdel;
	default:
		if (S->n_flows && nf_chance(r, 70))
			put_u32(w, N.f_id, pick_flow_id());
		return N.reset;
	}
}

/* ---- whole messages ---- */

static uint16_t random_flags(void)
{
	static const uint16_t bits[] = {
		NLM_F_ACK, NLM_F_ECHO, NLM_F_MULTI, NLM_F_DUMP_INTR,
		NLM_F_DUMP_FILTERED, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC,
		NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND,
	};
	struct nf_rng *r = &S->rng;
	uint16_t f = nf_chance(r, 95) ? NLM_F_REQUEST : 0;
	size_t i;

	if (nf_chance(r, 5))
		return (uint16_t)nf_rand(r);
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (nf_chance(r, i == 0 ? 80 : 12))
			f |= bits[i];
	return f;
}

/* Post-mutations of the written message; false: claims are void. */
static bool mutate_msg(struct w *w, struct nlmsghdr *nlh, struct nf_msg *m)
{
	struct nf_rng *r = &S->rng;
	uint32_t hdr = NLMSG_HDRLEN + GENL_HDRLEN, cut;
	int i;

	switch (nf_below(r, 12)) {
	case 0:		/* nlmsg_len cut short */
		if (w->len <= hdr)
			return true;
		cut = NLMSG_HDRLEN + nf_below(r, w->len - NLMSG_HDRLEN);
		nlh->nlmsg_len = cut;
		w->len = NLMSG_ALIGN(cut);
		w->mod_void = true;
		if (cut < hdr)
			return true;
		/* the kernel steps over an attribute's padding only when
		 * more follows: a cut in the last one's padding is no cut */
		for (i = 0; cut > hdr && i < w->n_top; i++) {
			if (w->top[i].real_end <= cut && cut <= w->top[i].end)
				break;
			if (w->top[i].end > cut) {
				bad(w, "message cut inside an attribute");
				break;
			}
		}
		/* attributes beyond the cut are gone */
		while (w->n_top && w->top[w->n_top - 1].real_end > cut)
			w->n_top--;
		return true;
	case 1:		/* 1-3 bytes left over after the attributes */
		if (!fits(w, 0))
			return true;
		memset(w->buf + w->len, 0, 4);
		nlh->nlmsg_len = w->len + 1 + nf_below(r, 3);
		w->len = NLMSG_ALIGN(nlh->nlmsg_len);
		bad(w, "bytes left over after the attributes");
		return true;
	case 2:		/* flipped bytes */
		if (w->len <= hdr)
			return true;
		for (i = 0; i < 1 + (int)nf_below(r, 4); i++)
			w->buf[hdr + nf_below(r, w->len - hdr)] ^=
				1 << nf_below(r, 8);
		return false;
	case 3:		/* an attribute's length rewritten */
		if (!w->n_at)
			return true;
		((struct nlattr *)(w->buf + w->at[nf_below(r, w->n_at)]))->nla_len =
			(uint16_t)nf_rand(r) % (w->len + 8);
		return false;
	case 4:		/* longer than the datagram: the rest is ignored */
		if (nf_chance(r, 15)) {
			m->swallow = true;
			nlh->nlmsg_len = nf_chance(r, 50) ?
				w->len + 4 + nf_below(r, 64) :
				nf_below(r, NLMSG_HDRLEN);
		}
		return false;
	default:
		return true;
	}
}

static const struct nf_op *pick_op(void)
{
	struct nf_rng *r = &S->rng;
	const struct nf_op *op;

	/* flows have the most structure: a larger share */
	if (nf_chance(r, 30))
		return nf_chance(r, 50) ? N.fnew : N.fset;
	/* notifications are no requests: a small share is enough */
	/* and detaching wipes the flows that make the state: less often */
	do {
		op = &nf_spec_ops[nf_below(r, nf_spec_n_ops)];
	} while ((op->is_event && !nf_chance(r, 15)) ||
		 (op == N.detach && !nf_chance(r, 30)));
	return op;
}

size_t nf_gen(struct nf_state *s, uint8_t *buf, size_t room,
	      struct nf_msg *m)
{
	struct nf_rng *r = &s->rng;
	struct w w = { .buf = buf, .room = room < MSG_ROOM ? room : MSG_ROOM };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
	const struct nf_op *op;
	uint8_t cmd;
	unsigned int x = nf_below(r, 100);
	bool claims = true, is_dump, refused = false, op_missing;
	int i;

	S = s;
	names_init();
	memset(m, 0, sizeof(*m));
	m->rsock = -1;
	m->flow.src[0] = m->flow.src[1] = -1;
	if (w.room < NLMSG_HDRLEN + GENL_HDRLEN + 64)
		return 0;
	w.len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->mode = x < 40 ? NF_MODE_VALID : x < 65 ? NF_MODE_POLICY :
		  NF_MODE_MUTATED;
	w.mode = m->mode;

	if (m->mode == NF_MODE_VALID) {
		op = gen_valid(&w, m);
	} else {
		struct ctx c;

		op = pick_op();
		c.set = op->set >= 0 ? op->set : N.flow;
		c.op = op;
		w.mut = m->mode == NF_MODE_MUTATED ? 15 + nf_below(r, 25) : 0;
		m->flags = NLM_F_REQUEST | (nf_chance(r, 90) ? NLM_F_ACK : 0);
		if (op->has_dump && nf_chance(r, 40))
			m->flags |= NLM_F_DUMP;
		if (m->mode == NF_MODE_MUTATED && nf_chance(r, 40))
			m->flags = random_flags();
		frame_push(&w);
		emit_set(&w, &c, 55);
		refused = frame_pop(&w);
	}
	cmd = op->cmd;
	g->version = nf_spec_version;
	g->reserved = 0;
	if (m->mode == NF_MODE_MUTATED) {
		if (nf_chance(r, 4))
			cmd = (uint8_t)nf_rand(r);
		if (nf_chance(r, 4))
			g->version = (uint8_t)nf_rand(r);
		if (nf_chance(r, 4))
			g->reserved = (uint16_t)nf_rand(r);
	}
	g->cmd = cmd;
	op = nf_op_by_cmd(cmd);
	m->op = op ? (int)(op - nf_spec_ops) : -1;

	nlh->nlmsg_type = s->fz.family;
	nlh->nlmsg_flags = m->flags;
	nlh->nlmsg_seq = 0;		/* set by the batch */
	nlh->nlmsg_pid = 0;
	nlh->nlmsg_len = w.len;

	is_dump = (m->flags & NLM_F_DUMP) == NLM_F_DUMP;
	op_missing = !op || (is_dump ? !op->has_dump : !op->has_do);
	if (m->mode == NF_MODE_MUTATED && !w.full)
		claims = mutate_msg(&w, nlh, m);
	else
		nlh->nlmsg_len = w.len;

	m->len = nlh->nlmsg_len;
	m->buflen = w.len;
	if (m->mode != NF_MODE_VALID)
		m->target = w.target;
	m->dump = is_dump && (m->flags & NLM_F_REQUEST) && !m->swallow;
	if (m->swallow || !(m->flags & NLM_F_REQUEST))
		return w.len;
	if (m->len < NLMSG_HDRLEN + GENL_HDRLEN) {
		m->must_fail = true;
		m->why = "message shorter than the genl header";
	} else if (op_missing) {
		m->must_fail = true;
		m->why = "no such operation";
	}
	/* attribute claims need the op's policy: without one, nothing is parsed */
	if (m->must_fail || !claims || w.full || !(op->n_req + op->n_dump_req))
		return w.len;
	if (w.msg_bad) {
		m->must_fail = true;
		m->why = w.msg_why;
	}
	for (i = 0; i < w.n_top && !m->must_fail; i++) {
		if (w.top[i].bad) {
			m->must_fail = true;
			m->why = w.top[i].why;
		}
	}
	if (!m->must_fail && refused && !w.mod_void) {
		m->must_fail = true;
		m->why = w.mod_why;
	}
	return w.len;
}
