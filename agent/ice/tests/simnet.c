// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated network for ICE agent unit tests (see simnet.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stun/stun.h"
#include "ice/tests/simnet.h"

void sim_init(struct simnet *n)
{
	memset(n, 0, sizeof(*n));
	n->latency_ms = 5;
	n->rng = 12345;
	n->now = 1000;
	n->pkts = calloc(SIM_MAX_PKTS, sizeof(*n->pkts));
}

void sim_free(struct simnet *n)
{
	for (unsigned int i = 0; i < n->neps; i++)
		ice_agent_free(n->eps[i].a);
	free(n->pkts);
}

int sim_add_nat(struct simnet *n, const char *pub, bool symmetric)
{
	struct sim_nat *t = &n->nats[n->nnats];

	ice_addr_parse(&t->pub, pub, 0);
	t->symmetric = symmetric;
	t->next_port = 40000;
	t->inner_realm = (int)++n->nnats;
	return t->inner_realm;
}

void sim_add_stun(struct simnet *n, const char *ip, uint16_t port)
{
	ice_addr_parse(&n->stun[n->nstun++], ip, port);
}

static uint32_t rnd(struct simnet *n)
{
	n->rng = n->rng * 1103515245u + 12345u;
	return n->rng >> 8;
}

static void enqueue(struct simnet *n, int sock, const struct ice_addr *from,
		    const void *buf, size_t len)
{
	struct sim_pkt *p;

	if (n->socks[sock].ep->dead || n->npkts == SIM_MAX_PKTS ||
	    len > sizeof(p->data)) {
		n->dropped++;
		return;
	}
	if (n->loss_pct && rnd(n) % 100 < n->loss_pct) {
		n->dropped++;
		return;
	}
	p = &n->pkts[n->npkts++];
	p->at = n->now + n->latency_ms;
	p->sock = sock;
	p->from = *from;
	p->len = len;
	memcpy(p->data, buf, len);
}

static int sock_at(struct simnet *n, int realm, const struct ice_addr *a)
{
	for (unsigned int i = 0; i < n->nsocks; i++)
		if (n->socks[i].realm == realm && ice_addr_eq(&n->socks[i].addr, a))
			return (int)i;
	return -1;
}

static void deliver_public(struct simnet *n, const struct ice_addr *from,
			   const struct ice_addr *to, const uint8_t *buf,
			   size_t len);

static void stun_server(struct simnet *n, const struct ice_addr *srv,
			const struct ice_addr *from, const uint8_t *buf,
			size_t len)
{
	struct sockaddr_storage ss;
	struct stun_builder b;
	struct stun_msg m;
	uint8_t out[128];
	long l;

	if (stun_msg_parse(&m, buf, len) || stun_msg_class(&m) != STUN_REQUEST)
		return;
	ice_addr_to_sa(from, &ss);
	stun_build_init(&b, out, sizeof(out),
			stun_type(STUN_BINDING, STUN_SUCCESS), m.tid);
	stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, (struct sockaddr *)&ss);
	stun_build_fingerprint(&b);
	l = stun_build_finish(&b);
	if (l > 0)
		deliver_public(n, srv, from, out, (size_t)l);
}

static void deliver_public(struct simnet *n, const struct ice_addr *from,
			   const struct ice_addr *to, const uint8_t *buf,
			   size_t len)
{
	int s = sock_at(n, 0, to);

	if (s >= 0) {
		enqueue(n, s, from, buf, len);
		return;
	}
	for (unsigned int i = 0; i < n->nstun; i++) {
		if (ice_addr_eq(&n->stun[i], to)) {
			stun_server(n, to, from, buf, len);
			return;
		}
	}
	for (unsigned int i = 0; i < n->nnats; i++) {
		struct sim_nat *t = &n->nats[i];

		if (!ice_addr_ip_eq(&t->pub, to))
			continue;
		for (unsigned int j = 0; j < t->nmaps; j++) {
			struct sim_map *m = &t->maps[j];

			if (m->pub.port != to->port)
				continue;
			/* address-and-port-dependent filtering */
			for (unsigned int k = 0; k < m->nallowed; k++) {
				if (ice_addr_eq(&m->allowed[k], from)) {
					s = sock_at(n, t->inner_realm, &m->inner);
					if (s >= 0)
						enqueue(n, s, from, buf, len);
					return;
				}
			}
			break;
		}
	}
	n->dropped++;
}

static int sim_send(void *user, int sock, const struct ice_addr *to,
		    const void *buf, size_t len)
{
	struct sim_ep *e = user;
	struct simnet *n = e->net;
	struct sim_sock *s = &n->socks[sock];
	struct ice_addr from = s->addr;
	int d;

	if (e->mute)
		return (int)len;
	if (stun_is_message(buf, len) && ((const uint8_t *)buf)[0] == 0 &&
	    ((const uint8_t *)buf)[1] == 1) {
		if (!e->sent_req++)
			e->first_req_at = n->now;
		e->last_req_at = n->now;
	}
	d = sock_at(n, s->realm, to);
	if (d >= 0) {
		enqueue(n, d, &from, buf, len);
		return (int)len;
	}
	if (s->realm) {
		struct sim_nat *t = &n->nats[s->realm - 1];
		struct sim_map *m = NULL;

		for (unsigned int j = 0; j < t->nmaps; j++)
			if (ice_addr_eq(&t->maps[j].inner, &s->addr) &&
			    (!t->symmetric || ice_addr_eq(&t->maps[j].remote, to)))
				m = &t->maps[j];
		if (!m) {
			if (t->nmaps == SIM_MAX_MAPS)
				return -1;
			m = &t->maps[t->nmaps++];
			memset(m, 0, sizeof(*m));
			m->inner = s->addr;
			m->remote = *to;
			m->pub = t->pub;
			m->pub.port = t->next_port++;
		}
		bool known = false;

		for (unsigned int k = 0; k < m->nallowed; k++)
			known |= ice_addr_eq(&m->allowed[k], to);
		if (!known && m->nallowed < 8)
			m->allowed[m->nallowed++] = *to;
		from = m->pub;
	}
	deliver_public(n, &from, to, buf, len);
	return (int)len;
}

static void sim_event(void *user, enum ice_event ev, int stream)
{
	struct sim_ep *e = user;

	if (!e->ev[ev]++)
		e->ev_at[ev] = e->net->now;
}

static void sim_data(void *user, unsigned int stream, unsigned int comp,
		     const void *buf, size_t len)
{
	struct sim_ep *e = user;

	e->rx_data++;
	if (len >= sizeof(e->last_rx))
		len = sizeof(e->last_rx) - 1;
	memcpy(e->last_rx, buf, len);
	e->last_rx[len] = '\0';
	if (e->echo)
		ice_agent_send(e->a, stream, comp, buf, len);
}

static const struct ice_ops sim_ops = {
	.send = sim_send,
	.event = sim_event,
	.data = sim_data,
};

void sim_kick(struct sim_ep *e)
{
	e->deadline = ice_agent_timer(e->a, e->net->now);
}

struct sim_ep *sim_ep_new(struct simnet *n, const struct ice_cfg *cfg,
			  int realm, const char *const *ips, unsigned int nips,
			  unsigned int nstreams, unsigned int ncomp)
{
	struct sim_ep *e = &n->eps[n->neps++];
	struct ice_cfg c = *cfg;

	memset(e, 0, sizeof(*e));
	e->net = n;
	e->realm = realm;
	for (unsigned int i = 0; i < n->nstun && i < ICE_MAX_SERVERS; i++)
		c.stun[i].addr = n->stun[i];
	c.nstun = n->nstun;
	e->a = ice_agent_new(&c, &sim_ops, e, n->now);
	for (unsigned int s = 0; s < nstreams; s++) {
		ice_agent_add_stream(e->a, ncomp);
		for (unsigned int comp = 1; comp <= ncomp; comp++) {
			for (unsigned int i = 0; i < nips; i++) {
				struct sim_sock *sk = &n->socks[n->nsocks];

				ice_addr_parse(&sk->addr, ips[i],
					       (uint16_t)(10000 + n->nsocks));
				sk->realm = realm;
				sk->ep = e;
				ice_agent_add_host(e->a, s, comp, (int)n->nsocks,
						   &sk->addr, 128,
						   (uint8_t)(255 - i));
				n->nsocks++;
			}
		}
	}
	ice_agent_gather(e->a, n->now);
	sim_kick(e);
	return e;
}

void sim_signal(struct sim_ep *from, struct sim_ep *to)
{
	const char *u, *p;
	struct ice_cand_info ci;

	ice_agent_local_creds(from->a, &u, &p);
	ice_agent_set_remote_creds(to->a, u, p);
	ice_agent_set_remote_lite(to->a, ice_agent_is_lite(from->a));
	for (unsigned int i = 0; !ice_agent_local(from->a, i, &ci); i++)
		if (ci.type != ICE_CAND_PRFLX)
			ice_agent_add_remote(to->a, &ci, to->net->now);
}

void sim_connect(struct sim_ep *x, struct sim_ep *y)
{
	sim_signal(x, y);
	sim_signal(y, x);
	ice_agent_start(x->a, x->net->now);
	ice_agent_start(y->a, y->net->now);
	sim_kick(x);
	sim_kick(y);
}

static uint64_t next_time(struct simnet *n)
{
	uint64_t t = UINT64_MAX;

	for (unsigned int i = 0; i < n->npkts; i++)
		if (n->pkts[i].at < t)
			t = n->pkts[i].at;
	for (unsigned int i = 0; i < n->neps; i++)
		if (n->eps[i].deadline < t)
			t = n->eps[i].deadline;
	return t;
}

bool sim_run(struct simnet *n, uint64_t ms,
	     bool (*done)(struct simnet *n, void *arg), void *arg)
{
	uint64_t end = n->now + ms;
	unsigned long iter = 0;

	while (!(done && done(n, arg))) {
		uint64_t t = next_time(n);

		/* bounded: a stuck timer must fail the test, not hang it */
		if (++iter > 1000000) {
			fprintf(stderr, "# simnet: no progress at %llu\n",
				(unsigned long long)n->now);
			for (unsigned int i = 0; i < n->neps; i++)
				fprintf(stderr, "#  ep%u deadline %llu\n", i,
					(unsigned long long)n->eps[i].deadline);
			abort();
		}

		if (t > end) {
			n->now = end;
			return done ? done(n, arg) : true;
		}
		if (t > n->now)
			n->now = t;
		/* deliver every due packet (in queue order) */
		for (unsigned int i = 0; i < n->npkts;) {
			struct sim_pkt p;
			struct sim_ep *e;

			if (n->pkts[i].at > n->now) {
				i++;
				continue;
			}
			p = n->pkts[i];
			memmove(&n->pkts[i], &n->pkts[i + 1],
				(n->npkts - i - 1) * sizeof(p));
			n->npkts--;
			e = n->socks[p.sock].ep;
			ice_agent_recv(e->a, p.sock, &p.from, p.data, p.len, n->now);
			sim_kick(e);
		}
		for (unsigned int i = 0; i < n->neps; i++)
			if (n->eps[i].deadline <= n->now)
				sim_kick(&n->eps[i]);
	}
	return true;
}

bool sim_both_connected(struct simnet *n, void *arg)
{
	for (unsigned int i = 0; i < n->neps; i++)
		if (!n->eps[i].ev[ICE_EV_CONNECTED])
			return false;
	return true;
}

enum ice_cand_type sim_sel_local(struct sim_ep *e, unsigned int s,
				 unsigned int c)
{
	struct ice_cand_info l;

	if (ice_agent_selected(e->a, s, c, &l, NULL))
		return (enum ice_cand_type)-1;
	return l.type;
}

enum ice_cand_type sim_sel_remote(struct sim_ep *e, unsigned int s,
				  unsigned int c)
{
	struct ice_cand_info r;

	if (ice_agent_selected(e->a, s, c, NULL, &r))
		return (enum ice_cand_type)-1;
	return r.type;
}
