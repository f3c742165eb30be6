// SPDX-License-Identifier: GPL-2.0
/*
 * Media streams: port allocation and the userspace relay behind them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <linux/kice.h>

#include "kiced/config.h"
#include "kiced/kernel.h"
#include "kiced/log.h"
#include "kiced/media.h"

#define MEDIA_PUMP_BUDGET	256

void media_env_init(struct media_env *env, struct loop *loop,
		    const struct kiced_config *cfg, struct knl *kernel)
{
	memset(env, 0, sizeof(*env));
	env->loop = loop;
	env->cfg = cfg;
	env->kernel = kernel;
	env->next_port = (uint16_t)((cfg->port_min + 1) & ~1u);
}

static void media_on_readable(struct loop_watch *w, uint32_t events)
{
	struct relay_leg *leg = w->arg;
	int n;

	n = relay_leg_pump(leg, MEDIA_PUMP_BUDGET, loop_now_ms());
	if (n < 0)
		klog_debug("relay on port %u: %s", relay_leg_port(leg),
			   strerror(-n));
}

struct media_stream *media_stream_new(struct media_env *env, uint32_t flags)
{
	struct media_stream *s = calloc(1, sizeof(*s));
	int i, c;

	if (!s)
		return NULL;
	s->env = env;
	s->relay_flags = flags;
	for (i = 0; i < 2; i++) {
		s->side[i].stream = s;
		for (c = 0; c < 2; c++) {
			s->side[i].leg[c].fd = -1;
			s->side[i].w[c].fd = -1;
		}
	}
	return s;
}

static int media_bind_addr(const struct media_env *env, int family,
			   const struct kiced_iface *iface, uint16_t port,
			   struct sockaddr_storage *ss, socklen_t *len)
{
	const char *addr = iface ? iface->addr :
			   family == AF_INET ? env->cfg->address :
					       env->cfg->address6;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
			return -EINVAL;
		*len = sizeof(*sin);
		return 0;
	}
	if (family == AF_INET6 && *addr) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
			return -EINVAL;
		*len = sizeof(*sin6);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/*
 * Which leg relays to which.  Per component while neither side muxes;
 * RTP port to RTP port when both do; where one side muxes and the other
 * does not, RTCP is demultiplexed from the muxed side's RTP port to the
 * other's RTCP port, and multiplexed back onto it.  Nothing is relayed
 * to the RTCP port of a side that muxes, and no RTCP at all to a side
 * that has none.
 */
static void media_stream_route(struct media_stream *s)
{
	int x, c;

	for (x = 0; x < 2; x++)
		for (c = 0; c < 2; c++) {
			s->side[x].leg[c].other = NULL;
			s->side[x].leg[c].rtcp_other = NULL;
			s->side[x].leg[c].rtcp_drop = false;
		}
	if (!s->side[0].family || !s->side[1].family)
		return;
	for (x = 0; x < 2; x++) {
		struct media_endpoint *e = &s->side[x], *o = &s->side[!x];

		e->leg[MEDIA_RTP].other = &o->leg[MEDIA_RTP];
		if (e->mux && o->no_rtcp)
			e->leg[MEDIA_RTP].rtcp_drop = true;
		else if (e->mux && !o->mux)
			e->leg[MEDIA_RTP].rtcp_other = &o->leg[MEDIA_RTCP];
		if (!e->mux && !e->no_rtcp && !o->no_rtcp)
			e->leg[MEDIA_RTCP].other = o->mux ? &o->leg[MEDIA_RTP] :
							    &o->leg[MEDIA_RTCP];
	}
}

void media_side_set_mux(struct media_stream *s, enum media_side side,
			bool mux)
{
	if (s->side[side].mux == mux && !s->side[side].no_rtcp)
		return;
	/* the flows are shaped by it: userspace until offloaded again */
	media_stream_unload(s);
	s->side[side].mux = mux;
	s->side[side].no_rtcp = false;
	media_stream_route(s);
}

void media_side_set_no_rtcp(struct media_stream *s, enum media_side side)
{
	if (s->side[side].no_rtcp)
		return;
	media_stream_unload(s);
	s->side[side].mux = false;
	s->side[side].no_rtcp = true;
	media_stream_route(s);
}

static void media_side_close(struct media_stream *s, struct media_endpoint *e)
{
	int c;

	for (c = 0; c < 2; c++) {
		if (e->leg[c].fd >= 0) {
			loop_del(s->env->loop, &e->w[c]);
			relay_leg_close(&e->leg[c]);
			s->env->open_ports--;
		}
		e->w[c].fd = -1;
	}
	e->family = 0;
	media_stream_route(s);
}

static int media_side_start(struct media_stream *s, enum media_side side);

int media_side_open(struct media_stream *s, enum media_side side, int family,
		    const struct kiced_iface *iface)
{
	struct media_env *env = s->env;
	struct media_endpoint *e = &s->side[side];
	const struct kiced_config *cfg = env->cfg;
	unsigned int first = (cfg->port_min + 1u) & ~1u, tries;
	unsigned int pairs = cfg->port_max >= first ?
			     (cfg->port_max - first + 1u) / 2 : 0;
	int err = -EADDRINUSE, c;

	if (e->family)
		return -EALREADY;
	if (iface)
		family = iface->family;
	for (tries = 0; tries < pairs; tries++) {
		struct sockaddr_storage ss;
		socklen_t len;
		uint16_t port = env->next_port;

		if (port < cfg->port_min || port + 1 > cfg->port_max)
			port = (uint16_t)((cfg->port_min + 1) & ~1u);
		env->next_port = (uint16_t)(port + 2);

		for (c = 0; c < 2; c++) {
			err = media_bind_addr(env, family, iface,
					      (uint16_t)(port + c), &ss, &len);
			if (err)
				break;
			err = relay_leg_open(&e->leg[c], (struct sockaddr *)&ss,
					     len);
			if (err)
				break;
		}
		if (!err)
			break;
		if (c == 1)
			relay_leg_close(&e->leg[0]);
		if (err != -EADDRINUSE && err != -EACCES)
			return err;
	}
	if (err)
		return -ENOSPC;	/* every pair tried */

	e->family = family;
	e->iface = iface;
	return media_side_start(s, side);
}

/* Latching, watches and pairing of a side whose two sockets are open. */
static int media_side_start(struct media_stream *s, enum media_side side)
{
	struct media_env *env = s->env;
	struct media_endpoint *e = &s->side[side];
	int err, c;

	for (c = 0; c < 2; c++) {
		struct relay_leg *leg = &e->leg[c];

		leg->latch = !(s->relay_flags & MEDIA_F_NO_LATCH);
		leg->strict = !!(s->relay_flags & MEDIA_F_STRICT);
		e->w[c] = (struct loop_watch){ leg->fd, media_on_readable, leg };
		if (loop_add(env->loop, &e->w[c], EPOLLIN)) {
			err = -errno;
			relay_leg_close(leg);
			if (c == 1) {
				loop_del(env->loop, &e->w[0]);
				relay_leg_close(&e->leg[0]);
			}
			e->family = 0;
			return err;
		}
	}
	env->open_ports += 2;
	/* pair with the other side (if it is open yet) */
	media_stream_route(s);
	return 0;
}

int media_side_adopt(struct media_stream *s, enum media_side side,
		     int family, const struct kiced_iface *iface,
		     const int fd[2])
{
	struct media_endpoint *e = &s->side[side];
	int c;

	if (e->family)
		return -EALREADY;
	for (c = 0; c < 2; c++) {
		struct relay_leg *leg = &e->leg[c];

		memset(leg, 0, sizeof(*leg));
		leg->fd = fd[c];
		leg->local_len = sizeof(leg->local);
		if (getsockname(fd[c], (struct sockaddr *)&leg->local,
				&leg->local_len) < 0 ||
		    leg->local.ss_family != family) {
			e->leg[0].fd = e->leg[1].fd = -1;
			close(fd[0]);
			close(fd[1]);
			return -EBADF;
		}
	}
	e->family = family;
	e->iface = iface;
	return media_side_start(s, side);
}

/*
 * The kernel flows of a stream: each flow's legs a, b and (where one side
 * muxes RTCP and the other does not) b's RTCP leg, as (side, component).
 */
struct media_kflow {
	unsigned int nlegs;		/* 2, or 3 with leg-b-rtcp */
	struct {
		uint8_t side, comp;
	} leg[3];
};

/*
 * The stream's layout in the kernel: 2 flows (RTP, RTCP) when neither
 * side muxes; 1 on the RTP ports when both do or one has no RTCP; where
 * one side muxes and the other does not, 1 with the muxed side as leg a
 * and the other's RTCP port as leg-b-rtcp (kice.ko demultiplexes).  0:
 * a muxed side facing one without RTCP, left to userspace (which drops
 * that RTCP).
 */
static unsigned int media_layout(const struct media_stream *s,
				 struct media_kflow kf[2])
{
	const struct media_endpoint *a = &s->side[0], *b = &s->side[1];
	unsigned int n, c;

	if (a->mux != b->mux) {
		uint8_t m = a->mux ? MEDIA_SIDE_A : MEDIA_SIDE_B;

		if (s->side[!m].no_rtcp)
			return 0;
		kf[0].nlegs = 3;
		kf[0].leg[0].side = m;
		kf[0].leg[0].comp = MEDIA_RTP;
		kf[0].leg[1].side = !m;
		kf[0].leg[1].comp = MEDIA_RTP;
		kf[0].leg[2].side = !m;
		kf[0].leg[2].comp = MEDIA_RTCP;
		return 1;
	}
	n = a->mux || a->no_rtcp || b->no_rtcp ? 1 : 2;
	for (c = 0; c < n; c++) {
		kf[c].nlegs = 2;
		kf[c].leg[0].side = MEDIA_SIDE_A;
		kf[c].leg[0].comp = (uint8_t)c;
		kf[c].leg[1].side = MEDIA_SIDE_B;
		kf[c].leg[1].comp = (uint8_t)c;
	}
	return n;
}

void media_stream_adopt_flows(struct media_stream *s, const uint32_t flow[2])
{
	struct media_kflow kf[2];

	s->flow[0] = flow[0];
	s->flow[1] = flow[1];
	s->nflows = flow[1] ? 2 : 1;
	/* the sides' muxing (restored before) tells a demultiplexing flow */
	s->demux = media_layout(s, kf) == 1 && kf[0].nlegs == 3;
	s->offloaded = true;
	s->env->flows += s->nflows;
}

void media_stream_forget(struct media_stream *s)
{
	int c;

	if (s->offloaded)
		s->env->flows -= s->nflows;
	s->offloaded = false;
	for (c = 0; c < 4; c++)
		s->side[c / 2].leg[c % 2].kernel_id = 0;
}

const char *media_side_local(const struct media_stream *s,
			     enum media_side side, uint16_t *port)
{
	const struct media_endpoint *e = &s->side[side];
	const struct kiced_config *cfg = s->env->cfg;

	*port = relay_leg_port(&e->leg[MEDIA_RTP]);
	if (e->iface)
		return *e->iface->advertised ? e->iface->advertised :
					       e->iface->addr;
	if (e->family == AF_INET6)
		return *cfg->advertised6 ? cfg->advertised6 : cfg->address6;
	return *cfg->advertised ? cfg->advertised : cfg->address;
}

int media_side_set_remote(struct media_stream *s, enum media_side side,
			  const char *addr, uint16_t rtp_port,
			  uint16_t rtcp_port)
{
	struct media_endpoint *e = &s->side[side];
	struct sockaddr_storage ss;
	int c;

	if (!rtcp_port)
		rtcp_port = (uint16_t)(rtp_port + 1);
	/* the flows name the old remote: userspace until offloaded again */
	media_stream_unload(s);
	for (c = 0; c < 2; c++) {
		uint16_t port = c == MEDIA_RTP ? rtp_port : rtcp_port;
		socklen_t len;

		memset(&ss, 0, sizeof(ss));
		if (e->family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			sin->sin_port = htons(port);
			if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
				return -EINVAL;
			len = sizeof(*sin);
		} else if (e->family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(port);
			if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
				return -EINVAL;
			len = sizeof(*sin6);
		} else {
			return -EINVAL;
		}
		if (e->consented && relay_same_addr(&e->leg[c].peer, &ss)) {
			e->remote_port[c] = port;
			continue;
		}
		/* an address from SDP has no consent: ICE validates it first */
		e->consented = false;
		if (e->ice)
			e->leg[c].hold = true;
		relay_leg_set_peer(&e->leg[c], (struct sockaddr *)&ss, len);
		e->remote_port[c] = port;
	}
	snprintf(e->remote_addr, sizeof(e->remote_addr), "%s", addr);
	e->remote_set = true;
	return 0;
}

void media_side_relatch(struct media_stream *s, enum media_side side)
{
	int c;

	for (c = 0; c < 2; c++)
		s->side[side].leg[c].latch =
			!(s->relay_flags & MEDIA_F_NO_LATCH);
}

void media_stream_unload(struct media_stream *s)
{
	struct media_stats st;
	int c;

	if (!s->offloaded)
		return;
	/*
	 * What the kernel counted goes on in the legs' own counters: a call
	 * taken back to userspace (a re-offer, a lost consent) keeps its
	 * totals
	 */
	media_stream_stats(s, &st);
	for (c = 0; c < 4; c++) {
		struct relay_leg *l = &s->side[c / 2].leg[c % 2];

		l->rx.packets = st.rx[c / 2][c % 2].packets;
		l->rx.bytes = st.rx[c / 2][c % 2].bytes;
		if (st.last_rx_ms > l->last_rx_ms)
			l->last_rx_ms = st.last_rx_ms;
	}
	for (c = 0; c < (int)s->nflows; c++) {
		knl_flow_del(s->env->kernel, s->flow[c]);
		s->env->flows--;
	}
	s->flow[1] = 0;
	/* detaching is per socket: re-attach happens on the next offload */
	for (c = 0; c < 4; c++) {
		struct relay_leg *l = &s->side[c / 2].leg[c % 2];

		if (l->kernel_id)
			knl_sock_detach(s->env->kernel, l->kernel_id);
		l->kernel_id = 0;
	}
	s->offloaded = false;
}

/* Flows report idleness after the call timeout (kiced then ends the call). */
static uint32_t media_idle_ms(const struct media_env *env)
{
	uint64_t ms = (uint64_t)env->cfg->timeout * 1000;

	return ms > KICE_IDLE_TIMEOUT_MAX ? KICE_IDLE_TIMEOUT_MAX :
					    (uint32_t)ms;
}

static struct relay_leg *media_kleg(struct media_stream *s,
				    const struct media_kflow *kf,
				    unsigned int i)
{
	return &s->side[kf->leg[i].side].leg[kf->leg[i].comp];
}

/* kice.ko's view of a leg: its socket, its peer, its TURN channel. */
static struct knl_leg media_knl_leg(const struct relay_leg *l)
{
	return (struct knl_leg){ l->kernel_id, (struct sockaddr *)&l->peer,
				 l->turn.ss_family ?
					(struct sockaddr *)&l->turn : NULL,
				 l->channel };
}

/* Install (@set false) or move (@set true) flow @c of layout @kf. */
static int media_kflow_put(struct media_stream *s, const struct media_kflow *kf,
			   unsigned int c, bool set)
{
	struct knl *k = s->env->kernel;
	struct knl_leg kl[3];
	unsigned int i;

	for (i = 0; i < kf->nlegs; i++) {
		const struct relay_leg *l = media_kleg(s, kf, i);

		if (set && !l->peer_len)
			return -EDESTADDRREQ;
		kl[i] = media_knl_leg(l);
	}
	if (set)
		return knl_flow_set_demux(k, s->flow[c], &kl[0], &kl[1],
					  kf->nlegs == 3 ? &kl[2] : NULL);
	return knl_flow_new_demux(k, &kl[0], &kl[1],
				  kf->nlegs == 3 ? &kl[2] : NULL,
				  media_idle_ms(s->env), &s->flow[c]);
}

int media_stream_offload(struct media_stream *s)
{
	struct knl *k = s->env->kernel;
	struct media_kflow kf[2];
	unsigned int n = media_layout(s, kf), c, i;
	int err = 0;

	if (!k)
		return -EOPNOTSUPP;
	if (s->offloaded)
		return 0;
	if (!s->side[0].remote_set || !s->side[1].remote_set)
		return -EDESTADDRREQ;
	if (!n)
		return -EOPNOTSUPP;	/* RTCP dropped in userspace */
	for (c = 0; c < 2; c++)
		if (s->side[c].ice && !s->side[c].ice_ready)
			return -EBUSY;		/* ICE has not nominated yet */
	for (c = 0; c < n && !err; c++)
		for (i = 0; i < kf[c].nlegs && !err; i++) {
			struct relay_leg *l = media_kleg(s, &kf[c], i);

			err = knl_sock_attach(k, l->fd, &l->kernel_id);
		}
	s->nflows = n;
	s->demux = kf[0].nlegs == 3;
	s->flow[1] = 0;
	for (c = 0; c < n && !err; c++) {
		err = media_kflow_put(s, &kf[c], c, false);
		if (!err) {
			s->env->flows++;
			if (c == n - 1)
				s->offloaded = true;
		} else if (c == 1) {
			knl_flow_del(k, s->flow[0]);
			s->env->flows--;
		}
	}
	if (err) {
		for (c = 0; c < 4; c++) {
			struct relay_leg *l = &s->side[c / 2].leg[c % 2];

			if (l->kernel_id)
				knl_sock_detach(k, l->kernel_id);
			l->kernel_id = 0;
		}
		return err;
	}
	return 0;
}

int media_stream_repoint(struct media_stream *s)
{
	struct knl *k = s->env->kernel;
	struct media_kflow kf[2];
	unsigned int n, c;
	int err = 0;

	if (!k)
		return -EOPNOTSUPP;
	if (!s->offloaded)
		return media_stream_offload(s);
	n = media_layout(s, kf);
	if (s->nflows != n || s->demux != (kf[0].nlegs == 3))
		err = -EMEDIUMTYPE;	/* muxing changed: reinstall */
	for (c = 0; c < s->nflows && !err; c++)
		err = media_kflow_put(s, &kf[c], c, true);
	if (!err) {
		s->repointed++;
		return 0;
	}
	/* e.g. the flow vanished: start over */
	klog_debug("flow set: %s; reinstalling", strerror(-err));
	media_stream_unload(s);
	return media_stream_offload(s);
}

void media_stats_add(struct relay_counters tot[2],
		     const struct media_stats *st)
{
	int s, c;

	for (s = 0; s < 2; s++)
		for (c = 0; c < 2; c++) {
			tot[c].packets += st->rx[s][c].packets;
			tot[c].bytes += st->rx[s][c].bytes;
			tot[c].errors += st->rx[s][c].errors;
		}
}

void media_stream_stats(const struct media_stream *s, struct media_stats *st)
{
	int i, c;

	memset(st, 0, sizeof(*st));
	if (s->offloaded) {
		struct knl_stats ks[KNL_NLEGS];
		struct media_kflow kf[2];

		/* the layout the flows were installed with */
		if (media_layout(s, kf) != s->nflows ||
		    (kf[0].nlegs == 3) != s->demux)
			goto user;
		for (c = 0; c < (int)s->nflows; c++) {
			if (knl_flow_leg_stats(s->env->kernel, s->flow[c], ks))
				continue;
			for (i = 0; i < (int)kf[c].nlegs; i++) {
				uint64_t now = loop_now_ms(), age;
				int x = kf[c].leg[i].side, y = kf[c].leg[i].comp;

				st->rx[x][y].packets += ks[i].rx_packets;
				st->rx[x][y].bytes += ks[i].rx_bytes;
				if (ks[i].last_rx_age_ms < 0)
					continue;
				age = (uint64_t)ks[i].last_rx_age_ms;
				if (age < now && now - age > st->last_rx_ms)
					st->last_rx_ms = now - age;
			}
		}
	}
user:
	for (i = 0; i < 2; i++) {
		for (c = 0; c < 2; c++) {
			const struct relay_leg *l = &s->side[i].leg[c];

			st->rx[i][c].packets += l->rx.packets;
			st->rx[i][c].bytes += l->rx.bytes;
			st->rx[i][c].errors += l->rx.errors + l->tx.errors;
			if (l->last_rx_ms > st->last_rx_ms)
				st->last_rx_ms = l->last_rx_ms;
		}
	}
}

void media_stream_free(struct media_stream *s)
{
	if (!s)
		return;
	media_stream_unload(s);
	media_side_close(s, &s->side[0]);
	media_side_close(s, &s->side[1]);
	loop_defer_free(s->env->loop, s);
}
