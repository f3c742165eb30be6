// SPDX-License-Identifier: GPL-2.0
/*
 * kice-nlfuzz: sending batches of generated messages and reading what
 * comes back.
 *
 * A batch is up to NF_BATCH_MAX messages in one datagram, then a NOOP
 * asking for an ACK in a datagram of its own (a message whose nlmsg_len
 * runs past the datagram ends the kernel's processing of it, so it can
 * only be the last of a batch).  The batch is over when the NOOP's ACK
 * has come and every dump it started has ended.  Every answer is matched
 * to its request by sequence number: ACKs, errors (by errno, with the
 * extended ACK's message and offset), replies and dump parts, which are
 * checked against the spec (attribute types, lengths, nesting, the
 * spec's value checks, the op's reply attributes).  Replies that create
 * state (attach, flow-new) feed the fuzzer's pools.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "nlfuzz.h"

#define SBUF_SIZE	(96 * 1024)
#define MSG_MAX		16384
#define RBUF_SIZE	(128 * 1024)

static uint8_t sbuf[SBUF_SIZE];
static uint8_t rbuf[RBUF_SIZE];
static struct nf_msg msgs[NF_BATCH_MAX];
static uint32_t next_seq = 1;

/* the policy's and genetlink's own refusals, as extended ACK messages */
static const char *const core_msgs[] = {
	"Unknown attribute type", "invalid attribute length",
	"NLA_F_NESTED is missing", "NLA_F_NESTED not expected",
	"Unsupported attribute", "bytes leftover after parsing attributes",
	"integer out of range", "binary attribute size out of range",
	"Attribute failed policy validation",
	"allowed policy recursion depth exceeded",
	"genlmsghdr.reserved field is not 0",
	"ambiguous or reserved bits set in nlmsg_flags", "reserved bit set",
	"Array element too short",
};

#define MAX_EXTACK 48
struct extack_count {
	char msg[96];
	uint64_t n;
};

static struct extack_count extacks[MAX_EXTACK];
static int n_extacks;

static void count_extack(const char *msg)
{
	int i;

	for (i = 0; i < n_extacks; i++) {
		if (!strcmp(extacks[i].msg, msg)) {
			extacks[i].n++;
			return;
		}
	}
	if (n_extacks < MAX_EXTACK) {
		snprintf(extacks[n_extacks].msg, sizeof(extacks[0].msg), "%s",
			 msg);
		extacks[n_extacks++].n = 1;
	}
}

static void hexdump(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static int reports;

static void report(struct nf_state *s, const char *what,
		   const struct nf_msg *m)
{
	const struct nf_op *op = m && m->op >= 0 ? &nf_spec_ops[m->op] : NULL;

	if (reports++ >= 20)
		return;
	printf("# %s: seq=%u op=%s mode=%d flags=0x%x len=%u why=%s\n# hex ",
	       what, m ? m->seq : 0, op ? op->name : "?", m ? m->mode : -1,
	       m ? m->flags : 0, m ? m->len : 0,
	       m && m->why ? m->why : "-");
	if (m)
		hexdump(sbuf + m->off, m->buflen);
	else
		printf("-\n");
	(void)s;
}

/* ---- replies against the spec ---- */

static int problems;

/* each kind of problem once */
static void problem(const char *fmt, const char *op, const char *set,
		    const char *attr)
{
	static char seen[32][128];
	char line[128];
	int i;

	problems++;
	snprintf(line, sizeof(line), "# reply of %s: %s %s.%s", op, fmt, set,
		 attr);
	for (i = 0; i < 32 && seen[i][0]; i++)
		if (!strcmp(seen[i], line))
			return;
	if (i == 32)
		return;
	snprintf(seen[i], sizeof(seen[i]), "%s", line);
	printf("%s\n", line);
}

#define R_BAD	1
#define R_EXTRA	2

static int check_attrs(const uint8_t *p, size_t len, int set,
		       const uint16_t *list, int n_list, const char *opname,
		       int depth)
{
	const struct nf_set *st = &nf_spec_sets[set];
	uint8_t seen[64] = { 0 };
	const struct nlattr *a;
	int res = 0, i;

	if (depth > 8)
		return R_BAD;
	for (a = (const void *)p; mnl_attr_ok(a, (int)len);
	     a = mnl_attr_next(a)) {
		unsigned int type = a->nla_type & NLA_TYPE_MASK;
		const struct nf_attr *d = nf_set_attr(set, type);
		size_t plen = mnl_attr_get_payload_len(a);
		int klen;
		size_t step = NLA_ALIGN(a->nla_len);

		len -= step < len ? step : len;
		if (!d) {
			problem("unknown attribute", opname, st->name, "?");
			res |= R_BAD;
			continue;
		}
		if (type < sizeof(seen) && seen[type]++ && !d->multi &&
		    d->kind != NF_K_PAD) {
			problem("repeated single attribute", opname, st->name,
				d->name);
			res |= R_BAD;
		}
		if (list) {
			bool in = false;

			for (i = 0; i < n_list; i++)
				in |= list[i] == type;
			if (!in && d->kind != NF_K_PAD) {
				problem("attribute not in the op's reply", opname,
					st->name, d->name);
				res |= R_EXTRA;
			}
		}
		if (!!(a->nla_type & NLA_F_NESTED) != (d->kind == NF_K_NEST)) {
			problem("NLA_F_NESTED wrong on", opname, st->name,
				d->name);
			res |= R_BAD;
		}
		klen = nf_kind_len(d->kind);
		if (klen && (int)plen != klen) {
			problem("wrong length of", opname, st->name, d->name);
			res |= R_BAD;
			continue;
		}
		if (d->kind == NF_K_BINARY &&
		    ((d->exact_len >= 0 && (int)plen != d->exact_len) ||
		     (d->min_len >= 0 && (int)plen < d->min_len) ||
		     (d->max_len >= 0 && (int)plen > d->max_len))) {
			problem("wrong length of", opname, st->name, d->name);
			res |= R_BAD;
		}
		if (klen && (d->has_min || d->has_max)) {
			long long v = 0;

			switch (d->kind) {
			case NF_K_U8: v = mnl_attr_get_u8(a); break;
			case NF_K_U16: v = mnl_attr_get_u16(a); break;
			case NF_K_U32: v = mnl_attr_get_u32(a); break;
			case NF_K_S32: v = (int32_t)mnl_attr_get_u32(a); break;
			default: v = (long long)mnl_attr_get_u64(a); break;
			}
			if ((d->has_min && v < d->min) ||
			    (d->has_max && v > d->max)) {
				problem("value outside the spec's checks:",
					opname, st->name, d->name);
				res |= R_BAD;
			}
		}
		if (d->kind == NF_K_NEST)
			res |= check_attrs(mnl_attr_get_payload(a), plen,
					   d->nest, NULL, 0, opname,
					   depth + 1) & R_BAD;
	}
	if (len) {
		problem("trailing bytes in", opname, st->name, "-");
		res |= R_BAD;
	}
	return res;
}

int nf_check_reply(const struct nlmsghdr *nlh, const struct nf_op *op,
		   bool dump, bool event)
{
	const uint8_t *p = (const uint8_t *)mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const uint16_t *list;
	int n;

	if (!op || op->set < 0 || len < GENL_HDRLEN) {
		problems++;
		printf("# reply of an unknown command %u\n",
		       len ? p[0] : 0);
		return R_BAD;
	}
	if (event) {
		list = op->event;
		n = op->n_event;
	} else if (dump) {
		list = op->dump_reply;
		n = op->n_dump_reply;
	} else {
		list = op->reply;
		n = op->n_reply;
	}
	if ((event && !op->is_event) || (!event && !n)) {
		problem("message not in the spec:", op->name, "-", "-");
		return R_BAD;
	}
	return check_attrs(p + GENL_HDRLEN, len - GENL_HDRLEN, op->set, list, n,
			   op->name, 0);
}

/* ---- state from replies ---- */

static uint32_t attr_u32(const struct nlmsghdr *nlh, const struct nf_attr *d)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if ((a->nla_type & NLA_TYPE_MASK) == d->type &&
		    mnl_attr_get_payload_len(a) >= 2)
			return mnl_attr_get_payload_len(a) >= 4 ?
			       mnl_attr_get_u32(a) : mnl_attr_get_u16(a);
	return 0;
}

static void reply_state(struct nf_state *s, const struct nlmsghdr *nlh,
			const struct nf_op *op, const struct nf_msg *m)
{
	static const struct nf_op *attach, *fnew;
	static const struct nf_attr *s_id, *s_family, *s_port, *f_id;
	uint32_t id, family, port;
	int i;

	if (!attach) {
		int sock = nf_set_by_name("sock"), flow = nf_set_by_name("flow");

		attach = nf_op_by_name("sock-attach");
		fnew = nf_op_by_name("flow-new");
		s_id = nf_attr_by_name(sock, "id");
		s_family = nf_attr_by_name(sock, "family");
		s_port = nf_attr_by_name(sock, "port");
		f_id = nf_attr_by_name(flow, "id");
	}
	if (op == attach) {
		id = attr_u32(nlh, s_id);
		family = attr_u32(nlh, s_family);
		port = attr_u32(nlh, s_port);
		for (i = 0; i < s->n_rs; i++) {
			struct nf_rsock *r = &s->rs[i];
			const struct sockaddr_in *sin = (const void *)&r->addr;

			if (r->fd >= 0 && r->bound && r->family == (int)family &&
			    ntohs(sin->sin_port) == port)
				r->id = id;
		}
	} else if (op == fnew) {
		struct nf_flow f = { .src = { -1, -1 } };

		if (m && m->mode == NF_MODE_VALID)
			f = m->flow;
		f.id = attr_u32(nlh, f_id);
		if (f.id)
			nf_flow_add(s, &f);
	}
}

/* ---- answers ---- */

struct batch {
	uint32_t base, n, sentinel;
	bool sentinel_done;
};

static struct nf_msg *msg_of(struct batch *b, uint32_t seq)
{
	if (seq < b->base || seq >= b->base + b->n)
		return NULL;
	return &msgs[seq - b->base];
}

static void count_ok(struct nf_state *s, struct nf_msg *m)
{
	s->c.reached++;
	if (m->op >= 0 && m->op < 32)
		s->c.op_ok[m->op]++;
	s->c.mode_ok[m->mode]++;
}

/* what a valid request changed when it succeeded */
static void ack_state(struct nf_state *s, struct nf_msg *m)
{
	static const struct nf_op *fset, *fdel, *detach;
	const struct nf_op *op = m->op >= 0 ? &nf_spec_ops[m->op] : NULL;
	struct nf_flow *f;
	int i;

	if (!fset) {
		fset = nf_op_by_name("flow-set");
		fdel = nf_op_by_name("flow-del");
		detach = nf_op_by_name("sock-detach");
	}
	if (!op)
		return;
	if (op == fset && m->mode == NF_MODE_VALID &&
	    (f = nf_flow_find(s, m->flow.id))) {
		for (i = 0; i < 2; i++) {
			if (m->legs & (1 << i)) {
				f->src[i] = m->flow.src[i];
				f->chan[i] = m->flow.chan[i];
			}
		}
	} else if (op == fdel && !m->dump) {
		nf_flow_forget(s, m->target);
	} else if (op == detach && !m->dump) {
		nf_sock_forget(s, m->target);
	}
}

static void on_error(struct nf_state *s, struct batch *b,
		     const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nf_msg *m = msg_of(b, nlh->nlmsg_seq);
	const struct nlattr *a;
	const char *msg = NULL;
	bool policy = false, miss = false;
	int err, i;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		s->c.unexpected++;
		return;
	}
	if (nlh->nlmsg_seq == b->sentinel) {
		b->sentinel_done = true;
		return;
	}
	if (!m) {
		s->c.unexpected++;
		return;
	}
	m->answered = true;
	err = -e->error;
	if (!err) {
		s->c.acks++;
		/* a message that is no request is not processed, only ACKed */
		if (!(m->flags & NLM_F_REQUEST))
			return;
		count_ok(s, m);
		ack_state(s, m);
		if (m->must_fail) {
			s->c.wrong_accept++;
			report(s, "WRONG ACCEPT (ACK)", m);
		}
		return;
	}
	s->c.errors++;
	s->c.by_errno[err > 0 && err < 256 ? err : 0]++;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		mnl_attr_for_each(a, nlh, sizeof(*e)) {
			switch (mnl_attr_get_type(a)) {
			case NLMSGERR_ATTR_MSG:
				msg = mnl_attr_get_str(a);
				break;
			case NLMSGERR_ATTR_OFFS:
				if (mnl_attr_get_u32(a) >= m->len ||
				    mnl_attr_get_u32(a) < NLMSG_HDRLEN) {
					s->c.bad_offset++;
					report(s, "extack offset outside the request", m);
				}
				break;
			case NLMSGERR_ATTR_POLICY:
				policy = true;
				break;
#ifdef NLMSGERR_ATTR_MISS_TYPE
			case NLMSGERR_ATTR_MISS_TYPE:
			case NLMSGERR_ATTR_MISS_NEST:
				miss = true;
				break;
#endif
			}
		}
	}
	if (msg) {
		count_extack(msg);
		for (i = 0; i < (int)(sizeof(core_msgs) / sizeof(core_msgs[0])); i++)
			policy |= !strcmp(msg, core_msgs[i]);
	}
	if (policy)
		s->c.policy++;
	else if (!msg && !miss)
		s->c.core++;
	else
		s->c.reached++;
}

static void on_done(struct nf_state *s, struct batch *b,
		    const struct nlmsghdr *nlh)
{
	struct nf_msg *m = msg_of(b, nlh->nlmsg_seq);
	int err = 0;

	s->c.dones++;
	if (!m) {
		s->c.unexpected++;
		return;
	}
	m->answered = true;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		err = -*(const int *)mnl_nlmsg_get_payload(nlh);
	if (err) {
		s->c.errors++;
		s->c.by_errno[err > 0 && err < 256 ? err : 0]++;
		s->c.reached++;
		return;
	}
	count_ok(s, m);
	if (m->must_fail) {
		s->c.wrong_accept++;
		report(s, "WRONG ACCEPT (dump done)", m);
	}
}

static void on_reply(struct nf_state *s, struct batch *b,
		     const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct nf_msg *m = msg_of(b, nlh->nlmsg_seq);
	const struct nf_op *op;
	int res;

	s->c.replies++;
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		s->c.reply_bad++;
		return;
	}
	op = nf_op_by_cmd(g->cmd);
	res = nf_check_reply(nlh, op, nlh->nlmsg_flags & NLM_F_MULTI, false);
	if (res & R_BAD)
		s->c.reply_bad++;
	if (res & R_EXTRA)
		s->c.reply_extra++;
	if (!m) {
		s->c.unexpected++;
		return;
	}
	/* with NLM_F_ACK the ACK counts, dumps count at their end */
	if (!m->dump && !(m->flags & NLM_F_ACK)) {
		count_ok(s, m);
		if (m->must_fail) {
			s->c.wrong_accept++;
			report(s, "WRONG ACCEPT (reply)", m);
		}
	}
	reply_state(s, nlh, op, m);
}

static void on_datagram(struct nf_state *s, struct batch *b, int len)
{
	const struct nlmsghdr *nlh = (const void *)rbuf;

	while (mnl_nlmsg_ok(nlh, len)) {
		switch (nlh->nlmsg_type) {
		case NLMSG_ERROR:
			on_error(s, b, nlh);
			break;
		case NLMSG_DONE:
			on_done(s, b, nlh);
			break;
		default:
			if (nlh->nlmsg_type == s->fz.family)
				on_reply(s, b, nlh);
			else
				s->c.unexpected++;
			break;
		}
		nlh = mnl_nlmsg_next(nlh, &len);
	}
}

static bool pending(struct batch *b)
{
	uint32_t i;

	if (!b->sentinel_done)
		return true;
	for (i = 0; i < b->n; i++)
		if (msgs[i].dump && !msgs[i].answered)
			return true;
	return false;
}

void nf_batch(struct nf_state *s, int n)
{
	struct batch b = { .base = next_seq };
	struct mnl_socket *nl = s->fz.nl;
	struct pollfd pfd = { .fd = knl_fd(&s->fz), .events = POLLIN };
	size_t off = 0, len;
	struct nlmsghdr *nlh;
	int k, r, wait_ms = 3000;

	if (n > NF_BATCH_MAX)
		n = NF_BATCH_MAX;
	for (k = 0; k < n && SBUF_SIZE - off >= MSG_MAX; k++) {
		struct nf_msg *m = &msgs[k];

		len = nf_gen(s, sbuf + off, MSG_MAX, m);
		if (!len)
			break;
		nlh = (struct nlmsghdr *)(sbuf + off);
		nlh->nlmsg_seq = m->seq = next_seq++;
		m->off = off;
		off += len;
		s->c.sent++;
		s->c.mode_sent[m->mode]++;
		if (m->op >= 0 && m->op < 32)
			s->c.op_sent[m->op]++;
		/* the family id is the kernel's choice, not the fuzzer's */
		for (size_t i = 0; i < m->buflen; i++)
			if (i != 4 && i != 5)
				s->c.digest = (s->c.digest ^ sbuf[m->off + i]) *
					      0x100000001b3ULL;
		if (s->c.sent == 1000)
			printf("digest_1000=%016llx\n",
			       (unsigned long long)s->c.digest);
		if (s->hex) {
			printf("# msg %u: ", m->seq);
			hexdump(sbuf + m->off, m->buflen);
		}
		if (m->swallow) {
			k++;
			break;
		}
	}
	b.n = k;
	s->c.batches++;
	if (mnl_socket_sendto(nl, sbuf, off) < 0)
		s->c.unexpected++;

	/* the end marker */
	nlh = mnl_nlmsg_put_header(sbuf);
	nlh->nlmsg_type = NLMSG_NOOP;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = b.sentinel = next_seq++;
	if (mnl_socket_sendto(nl, sbuf, nlh->nlmsg_len) < 0)
		s->c.unexpected++;

	while (pending(&b)) {
		r = poll(&pfd, 1, wait_ms);
		if (r <= 0) {
			s->c.timeouts++;
			break;
		}
		r = recv(pfd.fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (r < 0) {
			if (errno == ENOBUFS) {
				/* answers were dropped: stop waiting soon */
				s->c.enobufs++;
				wait_ms = 200;
			}
			continue;
		}
		on_datagram(s, &b, r);
	}
	for (k = 0; k < (int)b.n; k++) {
		struct nf_msg *m = &msgs[k];

		if (!m->answered && !m->swallow && !m->dump &&
		    (m->flags & NLM_F_REQUEST) && (m->flags & NLM_F_ACK))
			s->c.no_reply++;
	}
}

void nf_monitor_drain(struct nf_state *s)
{
	int fd = knl_fd(&s->mon), len, i;

	for (i = 0; i < 64; i++) {
		const struct nlmsghdr *nlh = (const void *)rbuf;

		len = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == ENOBUFS) {
				s->c.mon_lost++;
				continue;
			}
			return;
		}
		while (mnl_nlmsg_ok(nlh, len)) {
			const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

			s->c.mon_events++;
			if (nlh->nlmsg_type != s->mon.family ||
			    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN ||
			    nf_check_reply(nlh, nf_op_by_cmd(g->cmd), false,
					   true) & R_BAD)
				s->c.mon_bad++;
			nlh = mnl_nlmsg_next(nlh, &len);
		}
	}
}

/*
 * A dump read one part (of at most 8 KB) per batch, so that the batches
 * change flows and sockets between its parts: every part must match the
 * spec and the ids must keep rising (the dump resumes after the last id
 * it sent).  Flow and socket dumps take turns.
 */
void nf_dump_step(struct nf_state *s)
{
	static const struct nf_op *fget, *sget;
	static const struct nf_op *cur;
	static uint32_t last_id;
	static uint8_t part[8192];
	const struct nlmsghdr *nlh = (const void *)part;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int len;

	if (!fget) {
		fget = nf_op_by_name("flow-get");
		sget = nf_op_by_name("sock-get");
	}
	if (!cur) {
		struct nlmsghdr *req;

		cur = s->c.slow_dumps & 1 ? sget : fget;
		req = knl_req(&s->dmp, buf, cur->cmd, NLM_F_DUMP);
		if (mnl_socket_sendto(s->dmp.nl, req, req->nlmsg_len) < 0) {
			s->c.unexpected++;
			cur = NULL;
		}
		last_id = 0;
		return;
	}
	len = recv(knl_fd(&s->dmp), part, sizeof(part), MSG_DONTWAIT);
	if (len < 0) {
		if (errno != EAGAIN) {
			s->c.slow_bad++;
			cur = NULL;
		}
		return;
	}
	s->c.slow_parts++;
	while (mnl_nlmsg_ok(nlh, len)) {
		if (nlh->nlmsg_type == NLMSG_DONE ||
		    nlh->nlmsg_type == NLMSG_ERROR) {
			if (nlh->nlmsg_type == NLMSG_ERROR)
				s->c.slow_bad++;
			s->c.slow_dumps++;
			cur = NULL;
			return;
		}
		if (nlh->nlmsg_type != s->dmp.family ||
		    nf_check_reply(nlh, cur, true, false) & R_BAD ||
		    knl_msg_id(nlh) <= last_id) {
			s->c.slow_bad++;
			if (knl_msg_id(nlh) <= last_id)
				printf("# dump of %s: id %u after %u\n", cur->name,
				       knl_msg_id(nlh), last_id);
		}
		last_id = knl_msg_id(nlh);
		nlh = mnl_nlmsg_next(nlh, &len);
	}
}

void nf_print_summary(struct nf_state *s, double secs)
{
	const struct nf_counts *c = &s->c;
	int i, j;

	printf("digest=%016llx\n", (unsigned long long)c->digest);
	printf("messages=%llu\nbatches=%llu\nseconds=%.1f\nmsgs_per_sec=%.0f\n",
	       (unsigned long long)c->sent, (unsigned long long)c->batches,
	       secs, secs > 0 ? c->sent / secs : 0);
	printf("acks=%llu\nreplies=%llu\ndones=%llu\nerrors=%llu\n",
	       (unsigned long long)c->acks, (unsigned long long)c->replies,
	       (unsigned long long)c->dones, (unsigned long long)c->errors);
	for (i = 0; i < 256; i++)
		if (c->by_errno[i])
			printf("errno_%d=%llu # %s\n", i,
			       (unsigned long long)c->by_errno[i],
			       i ? strerror(i) : "other");
	printf("reached=%llu\npolicy=%llu\ncore=%llu\nreached_pct=%llu\n",
	       (unsigned long long)c->reached, (unsigned long long)c->policy,
	       (unsigned long long)c->core,
	       (unsigned long long)(c->sent ? 100 * c->reached / c->sent : 0));
	printf("wrong_accept=%llu\nbad_offset=%llu\nreply_bad=%llu\n"
	       "reply_extra=%llu\nunexpected=%llu\nenobufs=%llu\n"
	       "timeouts=%llu\nno_reply=%llu\n",
	       (unsigned long long)c->wrong_accept,
	       (unsigned long long)c->bad_offset,
	       (unsigned long long)c->reply_bad,
	       (unsigned long long)c->reply_extra,
	       (unsigned long long)c->unexpected,
	       (unsigned long long)c->enobufs,
	       (unsigned long long)c->timeouts,
	       (unsigned long long)c->no_reply);
	printf("slow_dumps=%llu\nslow_parts=%llu\nslow_bad=%llu\n",
	       (unsigned long long)c->slow_dumps,
	       (unsigned long long)c->slow_parts,
	       (unsigned long long)c->slow_bad);
	printf("mon_events=%llu\nmon_bad=%llu\nmon_lost=%llu\n",
	       (unsigned long long)c->mon_events,
	       (unsigned long long)c->mon_bad,
	       (unsigned long long)c->mon_lost);
	for (i = 0; i < nf_spec_n_ops && i < 32; i++)
		printf("op_%s=%llu/%llu\n", nf_spec_ops[i].name,
		       (unsigned long long)c->op_ok[i],
		       (unsigned long long)c->op_sent[i]);
	for (i = 0; i < 3; i++)
		printf("mode_%s=%llu/%llu\n",
		       (const char *[]){ "valid", "policy", "mutated" }[i],
		       (unsigned long long)c->mode_ok[i],
		       (unsigned long long)c->mode_sent[i]);
	printf("pkts_sent=%llu\npkts_directed=%llu\npkts_relayed_recv=%llu\n"
	       "pkts_passed_recv=%llu\nsock_churn=%llu\n",
	       (unsigned long long)c->pkts_sent,
	       (unsigned long long)c->pkts_directed,
	       (unsigned long long)c->pkts_relay_recv,
	       (unsigned long long)c->pkts_recv,
	       (unsigned long long)c->sock_churn);
	/* the most frequent extended ACK messages */
	for (i = 0; i < n_extacks && i < 12; i++) {
		int best = i;

		for (j = i + 1; j < n_extacks; j++)
			if (extacks[j].n > extacks[best].n)
				best = j;
		if (best != i) {
			struct extack_count t = extacks[i];

			extacks[i] = extacks[best];
			extacks[best] = t;
		}
		printf("# extack %llu: %s\n", (unsigned long long)extacks[i].n,
		       extacks[i].msg);
	}
}
