// SPDX-License-Identifier: GPL-2.0
/*
 * kice-nlfuzz: after the messages, is the module's state consistent?
 *
 *   - every flow's legs use sockets the socket dump lists, and each
 *     socket's flow count is the number of legs using it;
 *   - counters add up: what a leg received and relayed is what the other
 *     leg sent or failed to send, RTCP and per-SSRC packets are within
 *     what was received, losses within what was expected, and no counter
 *     exceeds the datagrams the peers sent;
 *   - every flow listed can be read and deleted (and is gone after);
 *     every socket can be detached, and then nothing is left;
 *   - a new flow between two newly attached sockets relays every packet
 *     both ways.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include <linux/kice.h>

#include "nlfuzz.h"

#define MAX_SSRC 64

struct leg_st {
	uint64_t v[KICE_A_LEG_STATS_MAX + 1];
	bool has_age;
	int nssrc;
	struct {
		uint64_t packets, expected, lost, dups, reordered;
	} ssrc[MAX_SSRC];
};

/* a flow as dumped: legs a, b and, where it has one, leg-b-rtcp */
struct fl {
	uint32_t id;
	int nlegs;
	uint32_t sock[3];
	struct leg_st st[3];
};

struct sk {
	uint32_t id, flows;
	uint16_t family, port;
	uint64_t passed;
};

struct dump {
	struct fl *fl;
	int n_fl, cap_fl;
	struct sk sk[256];
	int n_sk;
};

static int failures;

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (failures++ >= 30)
		return;
	printf("# check failed: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define U(x) ((unsigned long long)(x))

static void parse_ssrc(const struct nlattr *nest, struct leg_st *st)
{
	const struct nlattr *a;
	int i = st->nssrc++;

	if (i >= MAX_SSRC)
		return;
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case KICE_A_SSRC_STATS_PACKETS:
			st->ssrc[i].packets = mnl_attr_get_u64(a);
			break;
		case KICE_A_SSRC_STATS_EXPECTED:
			st->ssrc[i].expected = mnl_attr_get_u64(a);
			break;
		case KICE_A_SSRC_STATS_LOST:
			st->ssrc[i].lost = mnl_attr_get_u64(a);
			break;
		case KICE_A_SSRC_STATS_DUPLICATES:
			st->ssrc[i].dups = mnl_attr_get_u64(a);
			break;
		case KICE_A_SSRC_STATS_REORDERED:
			st->ssrc[i].reordered = mnl_attr_get_u64(a);
			break;
		}
	}
}

static void parse_leg(const struct nlattr *nest, struct fl *f, int idx)
{
	const struct nlattr *a, *b;
	struct leg_st *st = &f->st[idx];

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == KICE_A_LEG_SOCK) {
			f->sock[idx] = mnl_attr_get_u32(a);
			continue;
		}
		if (mnl_attr_get_type(a) != KICE_A_LEG_STATS)
			continue;
		mnl_attr_for_each_nested(b, a) {
			unsigned int t = mnl_attr_get_type(b);

			if (t == KICE_A_LEG_STATS_SSRC)
				parse_ssrc(b, st);
			else if (t <= KICE_A_LEG_STATS_MAX &&
				 mnl_attr_get_payload_len(b) == 8)
				st->v[t] = mnl_attr_get_u64(b);
			if (t == KICE_A_LEG_STATS_LAST_RX_AGE)
				st->has_age = true;
		}
	}
}

static int flow_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	const struct nlattr *a;
	struct fl *f;

	if (d->n_fl == d->cap_fl) {
		d->cap_fl = d->cap_fl ? 2 * d->cap_fl : 256;
		d->fl = realloc(d->fl, d->cap_fl * sizeof(*d->fl));
		if (!d->fl)
			exit(2);
	}
	f = &d->fl[d->n_fl++];
	memset(f, 0, sizeof(*f));
	f->nlegs = 2;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KICE_A_FLOW_ID:
			f->id = mnl_attr_get_u32(a);
			break;
		case KICE_A_FLOW_LEG_A:
			parse_leg(a, f, 0);
			break;
		case KICE_A_FLOW_LEG_B:
			parse_leg(a, f, 1);
			break;
		case KICE_A_FLOW_LEG_B_RTCP:
			parse_leg(a, f, 2);
			f->nlegs = 3;
			break;
		}
	}
	return MNL_CB_OK;
}

static int sock_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	const struct nlattr *a;
	struct sk *k;

	if (d->n_sk == 256)
		return MNL_CB_OK;
	k = &d->sk[d->n_sk++];
	memset(k, 0, sizeof(*k));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KICE_A_SOCK_ID:
			k->id = mnl_attr_get_u32(a);
			break;
		case KICE_A_SOCK_FLOWS:
			k->flows = mnl_attr_get_u32(a);
			break;
		case KICE_A_SOCK_FAMILY:
			k->family = mnl_attr_get_u16(a);
			break;
		case KICE_A_SOCK_PORT:
			k->port = mnl_attr_get_u16(a);
			break;
		case KICE_A_SOCK_STUN_PASSED:
		case KICE_A_SOCK_UNKNOWN_PASSED:
		case KICE_A_SOCK_UNKNOWN_DROPPED:
			k->passed += mnl_attr_get_u64(a);
			break;
		}
	}
	return MNL_CB_OK;
}

static int dump_all(struct nf_state *s, struct dump *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	d->n_fl = d->n_sk = 0;
	nlh = knl_req(&s->chk, buf, KICE_CMD_SOCK_GET, NLM_F_DUMP | NLM_F_ACK);
	err = knl_request(&s->chk, nlh, sock_cb, d);
	if (err)
		return err;
	nlh = knl_req(&s->chk, buf, KICE_CMD_FLOW_GET, NLM_F_DUMP | NLM_F_ACK);
	return knl_request(&s->chk, nlh, flow_cb, d);
}

static void check_counters(struct nf_state *s, const struct fl *f,
			   uint64_t run_ms)
{
	uint64_t limit = s->c.pkts_sent;
	/* side 0 is leg a; side 1 is leg b and leg-b-rtcp */
	uint64_t rx[2] = { 0 }, rxb[2] = { 0 }, out[2] = { 0 }, txb[2] = { 0 };
	int i, j;

	for (i = 0; i < f->nlegs; i++) {
		const struct leg_st *st = &f->st[i];
		int side = i > 0;

		rx[side] += st->v[KICE_A_LEG_STATS_RX_PACKETS];
		rxb[side] += st->v[KICE_A_LEG_STATS_RX_BYTES];
		out[side] += st->v[KICE_A_LEG_STATS_TX_PACKETS] +
			     st->v[KICE_A_LEG_STATS_DROP_TX];
		txb[side] += st->v[KICE_A_LEG_STATS_TX_BYTES];
	}
	for (i = 0; i < 2; i++) {
		if (rx[i] != out[!i])
			fail("flow %u: side %d received %llu, the other side "
			     "did not send or drop as many", f->id, i, U(rx[i]));
		if (rxb[i] < txb[!i])
			fail("flow %u side %d: sent more bytes (%llu) than "
			     "the other received", f->id, !i, U(txb[!i]));
	}
	for (i = 0; i < f->nlegs; i++) {
		const struct leg_st *st = &f->st[i];
		uint64_t rx = st->v[KICE_A_LEG_STATS_RX_PACKETS], sum = 0;

		if (st->v[KICE_A_LEG_STATS_RTCP_PACKETS] > rx)
			fail("flow %u leg %d: more RTCP than received "
			     "(%llu)", f->id, i,
			     U(st->v[KICE_A_LEG_STATS_RTCP_PACKETS]));
		for (j = 1; j <= KICE_A_LEG_STATS_DROP_TX; j++)
			if (st->v[j] > (j == KICE_A_LEG_STATS_RX_BYTES ||
					j == KICE_A_LEG_STATS_TX_BYTES ||
					j == KICE_A_LEG_STATS_RTCP_BYTES ?
					2048 * limit : limit))
				fail("flow %u: counter %d absurd (%llu)",
				     f->id, j, U(st->v[j]));
		if (st->has_age &&
		    st->v[KICE_A_LEG_STATS_LAST_RX_AGE] > run_ms + 10000)
			fail("flow %u leg %d: last packet %llu ms ago",
			     f->id, i, U(st->v[KICE_A_LEG_STATS_LAST_RX_AGE]));
		if (st->nssrc > MAX_SSRC)
			fail("flow %u leg %d: %d SSRCs", f->id, i,
			     st->nssrc);
		for (j = 0; j < st->nssrc && j < MAX_SSRC; j++) {
			sum += st->ssrc[j].packets;
			if (st->ssrc[j].lost > st->ssrc[j].expected)
				fail("flow %u: SSRC %d lost %llu, more than "
				     "expected", f->id, j, U(st->ssrc[j].lost));
			if (st->ssrc[j].dups + st->ssrc[j].reordered >
			    st->ssrc[j].packets)
				fail("flow %u: SSRC %d: more duplicates and "
				     "reordered than packets (%llu)", f->id, j,
				     U(st->ssrc[j].packets));
			if (st->ssrc[j].expected > (1ULL << 33))
				fail("flow %u: SSRC %d expected %llu", f->id,
				     j, U(st->ssrc[j].expected));
		}
		if (sum + st->v[KICE_A_LEG_STATS_RTCP_PACKETS] > rx)
			fail("flow %u leg %d: RTP and RTCP (%llu) beyond "
			     "what was received", f->id, i,
			     U(sum + st->v[KICE_A_LEG_STATS_RTCP_PACKETS]));
	}
}

static void check_state(struct nf_state *s, struct dump *d, uint64_t run_ms)
{
	int i, j, k, legs;

	for (i = 0; i < d->n_fl; i++) {
		for (k = 0; k < d->fl[i].nlegs; k++) {
			for (j = 0; j < d->n_sk; j++)
				if (d->sk[j].id == d->fl[i].sock[k])
					break;
			if (j == d->n_sk)
				fail("flow %u leg %d: socket %u not listed",
				     d->fl[i].id, k, d->fl[i].sock[k]);
		}
		check_counters(s, &d->fl[i], run_ms);
	}
	for (j = 0; j < d->n_sk; j++) {
		for (i = legs = 0; i < d->n_fl; i++)
			for (k = 0; k < d->fl[i].nlegs; k++)
				legs += d->fl[i].sock[k] == d->sk[j].id;
		if ((int)d->sk[j].flows != legs)
			fail("socket %u counts %u legs, the flows %d",
			     d->sk[j].id, d->sk[j].flows, legs);
		if (d->sk[j].passed > s->c.pkts_sent)
			fail("socket %u: %llu passed or dropped, of %llu sent",
			     d->sk[j].id, U(d->sk[j].passed), U(s->c.pkts_sent));
	}
}

/* a new flow between sockets @a and @b relays @n packets each way */
static int fresh_relay(struct nf_state *s, int n)
{
	int ra = nf_rsock_find(s, "192.0.2.1", 4000);
	int rb = nf_rsock_find(s, "198.51.100.1", 4100);
	int pa = nf_peer_find(s, "192.0.2.2", 5000);
	int pb = nf_peer_find(s, "198.51.100.2", 6000);
	struct knl_leg la = { 0 }, lb = { 0 };
	struct knl_stats sa, sb;
	uint32_t ida, idb, fid;
	int fwd, back, err;

	if (ra < 0 || rb < 0 || pa < 0 || pb < 0)
		return -1;
	nf_net_recv_peer(s, pa, 100000, 0);
	nf_net_recv_peer(s, pb, 100000, 0);
	err = knl_sock_attach(&s->chk, s->rs[ra].fd, &ida) ?:
	      knl_sock_attach(&s->chk, s->rs[rb].fd, &idb);
	if (err) {
		fail("attaching the sockets of a new flow: %s",
		     strerror(-err));
		return -1;
	}
	la.sock = ida;
	la.remote = (const struct sockaddr *)&s->peers[pa].addr;
	lb.sock = idb;
	lb.remote = (const struct sockaddr *)&s->peers[pb].addr;
	err = knl_flow_new(&s->chk, &la, &lb, 0, &fid);
	if (err) {
		fail("a new flow: %s", strerror(-err));
		return -1;
	}
	nf_net_send_rtp(s, pa, ra, n, 0xfeed);
	fwd = nf_net_recv_peer(s, pb, n, 3000);
	nf_net_send_rtp(s, pb, rb, n / 2, 0xbeef);
	back = nf_net_recv_peer(s, pa, n / 2, 3000);
	printf("fresh_relay=%d/%d\nfresh_back=%d/%d\n", fwd, n, back, n / 2);
	if (fwd != n || back != n / 2)
		fail("the new flow relayed %d of %d (back: %d)", fwd, n,
		     back);
	if (knl_flow_stats(&s->chk, fid, &sa, &sb) ||
	    sa.rx_packets != (uint64_t)n || sb.tx_packets != (uint64_t)n ||
	    sb.rx_packets != (uint64_t)n / 2 || sa.tx_packets != (uint64_t)n / 2)
		fail("the new flow counts rx %llu tx %llu (back rx %llu)",
		     U(sa.rx_packets), U(sb.tx_packets), U(sb.rx_packets));
	if (knl_flow_del(&s->chk, fid) || knl_sock_detach(&s->chk, ida) ||
	    knl_sock_detach(&s->chk, idb))
		fail("deleting the new flow and its sockets");
	return 0;
}

int nf_final_checks(struct nf_state *s, uint64_t run_ms)
{
	struct dump d = { 0 };
	struct knl_flow_info fi;
	int i, err, del_fail = 0;

	/* let the last packets arrive */
	nf_net_drain(s, true, true);
	usleep(300000);
	nf_net_drain(s, true, true);
	nf_monitor_drain(s);

	err = dump_all(s, &d);
	if (err) {
		fail("dumping flows and sockets: %s", strerror(-err));
		goto out;
	}
	printf("final_flows=%d\nfinal_socks=%d\n", d.n_fl, d.n_sk);
	check_state(s, &d, run_ms);
	printf("consistency_failures=%d\n", failures);

	for (i = 0; i < d.n_fl; i++) {
		uint32_t id = d.fl[i].id;

		if (knl_flow_get(&s->chk, id, &fi) || fi.id != id) {
			fail("flow %u listed but cannot be read", id);
			del_fail++;
		}
		if (knl_flow_del(&s->chk, id)) {
			fail("flow %u listed but cannot be deleted", id);
			del_fail++;
		}
		if (knl_flow_get(&s->chk, id, &fi) != -ENOENT) {
			fail("flow %u still there after its deletion", id);
			del_fail++;
		}
	}
	err = dump_all(s, &d);
	for (i = 0; !err && i < d.n_sk; i++) {
		if (d.sk[i].flows)
			fail("socket %u counts %u legs with no flows",
			     d.sk[i].id, d.sk[i].flows);
		if (knl_sock_detach(&s->chk, d.sk[i].id)) {
			fail("socket %u cannot be detached", d.sk[i].id);
			del_fail++;
		}
	}
	err = err ?: dump_all(s, &d);
	if (err || d.n_fl || d.n_sk)
		fail("after deleting everything: %d flows, %d sockets (%s)",
		     d.n_fl, d.n_sk, err ? strerror(-err) : "no error");
	printf("delete_failures=%d\n", del_fail);
	for (i = 0; i < s->n_rs; i++)
		s->rs[i].id = 0;
	s->n_flows = 0;
	fresh_relay(s, 200);
	nf_monitor_drain(s);
	if (s->c.mon_bad)
		fail("%llu monitor events do not match the spec",
		     U(s->c.mon_bad));
out:
	free(d.fl);
	printf("checks_failed=%d\n", failures);
	return failures;
}
