// SPDX-License-Identifier: GPL-2.0
/*
 * Relayed candidates (RFC 8445 5.1.1.2) through agent/turn: one UDP
 * allocation per (stream, component, TURN server) from the best host
 * candidate of the server's family, sharing that host's socket.  The
 * relayed candidate gets a virtual socket id; sending on it goes through
 * the TURN client, and Data from the server is fed back to the agent as
 * if received on it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ice/ice_int.h"
#include "turn/turn.h"

struct ice_relay {
	struct turn_client tc;
	struct ice_agent *a;
	int server_sock;		/* socket towards the server */
	uint8_t host;			/* host candidate: UDP socket, preference */
	uint8_t server;
	int vsock;
	int cand;			/* relayed candidate index, -1 */
	bool done;
};

static int relay_send_to_server(void *arg, const uint8_t *buf, size_t len)
{
	struct ice_relay *r = arg;
	struct ice_agent *a = r->a;
	int n = ice_send(a, r->server_sock, &a->cfg.turn[r->server].addr,
			 buf, len);

	return n < 0 ? n : 0;
}

static void relay_event(void *arg, const struct turn_event *ev)
{
	struct ice_relay *r = arg;
	struct ice_agent *a = r->a;
	struct ice_lcand c;
	struct ice_addr peer;
	int i;

	switch (ev->type) {
	case TURN_EV_ALLOCATED:
		if (r->cand >= 0 || !r->tc.nrelayed)
			break;
		memset(&c, 0, sizeof(c));
		ice_addr_from_sa(&c.addr, (const struct sockaddr *)&r->tc.relayed[0]);
		if (r->tc.have_mapped)
			ice_addr_from_sa(&c.related,
					 (const struct sockaddr *)&r->tc.mapped);
		c.type = ICE_CAND_RELAY;
		c.stream = a->lc[r->host].stream;
		c.comp = a->lc[r->host].comp;
		c.sock = r->vsock;
		c.priority = ice_priority(ICE_CAND_RELAY,
					  (uint16_t)(a->lc[r->host].priority >> 8),
					  c.comp);
		c.foundation = ice_foundation(ICE_CAND_RELAY, &a->lc[r->host].addr,
					      &a->cfg.turn[r->server].addr);
		c.base = (uint8_t)a->nlc;
		i = ice_lcand_add(a, &c);
		r->done = true;
		if (i >= 0) {
			r->cand = i;
			ice_emit(a, ICE_EV_CANDIDATE, c.stream);
			if (a->have_remote_creds)
				ice_pair_local(a, (unsigned int)i);
		}
		ice_gather_check_done(a);
		break;
	case TURN_EV_ALLOC_FAILED:
	case TURN_EV_ALTERNATE:
		r->done = true;
		ice_gather_check_done(a);
		break;
	case TURN_EV_PERMISSION:
		if (!ev->err && r->cand >= 0 &&
		    !ice_addr_from_sa(&peer, (const struct sockaddr *)&ev->peer))
			ice_check_permission_ready(a, (unsigned int)r->cand, &peer,
						   a->relay_now);
		break;
	case TURN_EV_DATA:
		if (ice_addr_from_sa(&peer, (const struct sockaddr *)&ev->peer))
			break;
		ice_agent_recv(a, r->vsock, &peer, ev->data, ev->len,
			       a->relay_now);
		break;
	default:
		break;
	}
}

void ice_relay_gather(struct ice_agent *a, uint64_t now)
{
	for (unsigned int s = 0; s < a->cfg.nturn && s < ICE_MAX_SERVERS; s++) {
		for (unsigned int st = 0; st < a->nstreams; st++) {
			for (unsigned int comp = 1; comp <= a->streams[st].ncomp; comp++) {
				struct turn_cfg tcfg = { 0 };
				struct ice_relay *r, **nr;
				int best = -1;

				for (unsigned int i = 0; i < a->nlc; i++) {
					const struct ice_lcand *l = &a->lc[i];

					if (l->type == ICE_CAND_HOST && l->stream == st &&
					    l->comp == comp &&
					    l->addr.family == a->cfg.turn[s].addr.family &&
					    (best < 0 || l->priority > a->lc[best].priority))
						best = (int)i;
				}
				int ssock = -1, status = 0;
				enum stun_transport tr = STUN_TR_UDP;

				if (best < 0 || a->nrelays >= ICE_MAX_RELAYS)
					continue;
				if (a->cfg.turn[s].transport == ICE_TURN_UDP) {
					ssock = a->lc[best].sock;
				} else {
					tr = a->cfg.turn[s].transport == ICE_TURN_TLS ?
					     STUN_TR_TLS : STUN_TR_TCP;
					for (unsigned int k = 0; k < a->nturn_socks; k++)
						if (a->turn_socks[k].server == s &&
						    a->turn_socks[k].stream == st &&
						    a->turn_socks[k].comp == comp) {
							ssock = a->turn_socks[k].sock;
							status = a->turn_socks[k].status;
						}
					if (ssock == -1 || (status && status != -EINPROGRESS))
						continue;	/* no connection */
				}
				nr = realloc(a->relays, (a->nrelays + 1u) * sizeof(*nr));
				if (!nr)
					return;
				a->relays = nr;
				r = calloc(1, sizeof(*r));
				if (!r)
					return;
				r->a = a;
				r->host = (uint8_t)best;
				r->server_sock = ssock;
				r->server = (uint8_t)s;
				r->cand = -1;
				r->vsock = ICE_RELAY_SOCK(a->nrelays);
				tcfg.transport = tr;
				tcfg.username = a->cfg.turn[s].user;
				tcfg.password = a->cfg.turn[s].pass;
				tcfg.families = a->cfg.turn[s].addr.family == AF_INET6 ?
						TURN_FAMILY_V6 : TURN_FAMILY_V4;
				if (turn_client_init(&r->tc, &tcfg, relay_send_to_server,
						     relay_event, r)) {
					free(r);
					continue;
				}
				a->relays[a->nrelays++] = r;
				a->relay_now = now;
				/* still connecting: ice_agent_turn_sock_status() */
				if (!status && turn_client_allocate(&r->tc, now))
					r->done = true;
			}
		}
	}
}

int ice_agent_turn_sock_status(struct ice_agent *a, int sock, int status,
			       const char *why, uint64_t now)
{
	bool found = false;

	for (unsigned int k = 0; k < a->nturn_socks; k++) {
		if (a->turn_socks[k].sock == sock) {
			a->turn_socks[k].status = status;
			found = true;
		}
	}
	if (!found)
		return -ENOENT;
	if (status == -EINPROGRESS)
		return 0;
	a->relay_now = now;
	for (unsigned int i = 0; i < a->nrelays; i++) {
		struct ice_relay *r = a->relays[i];
		struct turn_event ev = { .type = TURN_EV_ALLOC_FAILED };

		if (r->server_sock != sock || r->done)
			continue;
		if (!status && (r->tc.state != TURN_IDLE ||
				!turn_client_allocate(&r->tc, now)))
			continue;
		/* the client's own failure path, as if Allocate had failed */
		ev.err = status ? status : -ENOTCONN;
		snprintf(ev.reason, sizeof(ev.reason), "%s",
			 why ? why : "connection to the TURN server failed");
		relay_event(r, &ev);
	}
	return 0;
}

bool ice_relay_pending(const struct ice_agent *a)
{
	for (unsigned int i = 0; i < a->nrelays; i++)
		if (!a->relays[i]->done)
			return true;
	return false;
}

bool ice_relay_input(struct ice_agent *a, int sock, const struct ice_addr *from,
		     const uint8_t *buf, size_t len, uint64_t now)
{
	for (unsigned int i = 0; i < a->nrelays; i++) {
		struct ice_relay *r = a->relays[i];

		if (r->server_sock != sock ||
		    !ice_addr_eq(from, &a->cfg.turn[r->server].addr))
			continue;
		/*
		 * A server that is STUN server too answers the gatherer's
		 * Binding requests from the same address: those are not the
		 * TURN client's (its methods are Allocate and later ones,
		 * Data indications and ChannelData).
		 */
		if (stun_is_message(buf, len) &&
		    stun_type_method((uint16_t)(buf[0] << 8 | buf[1])) ==
		    STUN_BINDING)
			return false;
		a->relay_now = now;
		turn_client_input(&r->tc, buf, len, now);
		return true;
	}
	return false;
}

static struct ice_relay *by_vsock(const struct ice_agent *a, int vsock)
{
	unsigned int i = (unsigned int)(ICE_RELAY_SOCK(0) - vsock);

	return i < a->nrelays ? a->relays[i] : NULL;
}

int ice_relay_send(struct ice_agent *a, int vsock, const struct ice_addr *to,
		   const void *buf, size_t len)
{
	struct ice_relay *r = by_vsock(a, vsock);
	struct sockaddr_storage ss;
	int err;

	if (!r || r->tc.state != TURN_ALLOCATED)
		return -ENOTCONN;
	ice_addr_to_sa(to, &ss);
	err = turn_client_send(&r->tc, (struct sockaddr *)&ss, buf, len);
	return err ? -EIO : (int)len;
}

void ice_relay_permit(struct ice_agent *a, unsigned int local,
		      const struct ice_addr *peer)
{
	struct ice_relay *r = by_vsock(a, a->lc[local].sock);
	struct sockaddr_storage ss;

	if (!r || r->tc.state != TURN_ALLOCATED)
		return;
	/* permissions are per IP address: install each once */
	for (unsigned int i = 0; i < TURN_MAX_PERMS; i++) {
		struct ice_addr p;

		if (r->tc.perm[i].used &&
		    !ice_addr_from_sa(&p, (struct sockaddr *)&r->tc.perm[i].peer) &&
		    ice_addr_ip_eq(&p, peer))
			return;
	}
	ice_addr_to_sa(peer, &ss);
	turn_client_permit(&r->tc, (struct sockaddr *)&ss, a->relay_now);
}

/*
 * The relay of the selected pair of (@stream, @comp), and that component
 * in *@cp; NULL with *@err: -EINVAL, -ENOTCONN (nothing selected) or
 * -ENOENT (the local candidate is not relayed).
 */
static struct ice_relay *selected_relay(struct ice_agent *a,
					unsigned int stream, unsigned int comp,
					const struct ice_comp **cp, int *err)
{
	const struct ice_comp *c;
	struct ice_relay *r;

	*err = -EINVAL;
	if (stream >= a->nstreams || !comp || comp > a->streams[stream].ncomp)
		return NULL;
	c = &a->streams[stream].comp[comp - 1];
	*err = -ENOTCONN;
	if (!c->have_path)
		return NULL;
	r = ICE_IS_RELAY_SOCK(c->sock) ? by_vsock(a, c->sock) : NULL;
	*err = -ENOENT;
	*cp = c;
	return r;
}

int ice_agent_relay_channel(struct ice_agent *a, unsigned int stream,
			    unsigned int comp, struct sockaddr_storage *server,
			    uint16_t *channel)
{
	const struct ice_comp *c;
	struct sockaddr_storage peer;
	struct ice_relay *r;
	struct ice_addr p;
	int err;

	r = selected_relay(a, stream, comp, &c, &err);
	if (!r)
		return err;
	if (r->tc.state != TURN_ALLOCATED)
		return -ENOTCONN;
	for (unsigned int i = 0; i < TURN_MAX_CHANNELS; i++) {
		const struct turn_channel *ch = &r->tc.chan[i];

		if (!ch->used ||
		    ice_addr_from_sa(&p, (const struct sockaddr *)&ch->peer) ||
		    !ice_addr_eq(&p, &c->remote))
			continue;
		if (!ch->bound)
			return -EINPROGRESS;
		ice_addr_to_sa(&a->cfg.turn[r->server].addr, server);
		*channel = ch->number;
		return 0;
	}
	/* the client keeps it (and the permission) refreshed */
	ice_addr_to_sa(&c->remote, &peer);
	if (turn_client_bind(&r->tc, (struct sockaddr *)&peer, a->relay_now) < 0)
		return -ENOSPC;
	return -EINPROGRESS;
}

int ice_agent_relay_save(struct ice_agent *a, unsigned int stream,
			 unsigned int comp, const struct sockaddr *peer,
			 struct turn_resume *r)
{
	const struct ice_comp *c;
	struct sockaddr_storage sel;
	struct ice_relay *rl;
	int err;

	rl = selected_relay(a, stream, comp, &c, &err);
	if (!rl)
		return err;
	if (!peer) {
		ice_addr_to_sa(&c->remote, &sel);
		peer = (const struct sockaddr *)&sel;
	}
	switch (turn_client_save(&rl->tc, peer, r)) {
	case STUN_OK:
		return 0;
	case STUN_E_NOT_FOUND:
		return -EINPROGRESS;
	default:
		return -ENOTCONN;
	}
}

uint64_t ice_relay_timer(struct ice_agent *a, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	a->relay_now = now;
	for (unsigned int i = 0; i < a->nrelays; i++) {
		struct ice_relay *r = a->relays[i];
		uint64_t t = turn_client_next_timer(&r->tc);

		if (t <= now) {
			turn_client_tick(&r->tc, now);
			t = turn_client_next_timer(&r->tc);
		}
		if (t < next)
			next = t;
	}
	return next;
}

void ice_relay_free(struct ice_agent *a)
{
	for (unsigned int i = 0; i < a->nrelays; i++) {
		turn_client_free(&a->relays[i]->tc);
		free(a->relays[i]);
	}
	free(a->relays);
	a->relays = NULL;
	a->nrelays = 0;
}
