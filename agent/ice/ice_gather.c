// SPDX-License-Identifier: GPL-2.0
/*
 * Server-reflexive gathering (RFC 8445 5.1.1.2): one Binding transaction
 * per (host candidate, STUN server of the same family), paced by Ta, with
 * redundant candidates eliminated (5.1.3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ice/ice_int.h"

static void gather_done(struct ice_agent *a)
{
	if (a->gathering_done)
		return;
	a->gathering_done = true;
	free(a->gtx);
	a->gtx = NULL;
	a->ngtx = 0;
	ice_emit(a, ICE_EV_GATHERING_DONE, -1);
}

void ice_agent_gather(struct ice_agent *a, uint64_t now)
{
	unsigned int n = 0;

	if (a->gather_started)
		return;
	a->gather_started = true;
	for (unsigned int h = 0; h < a->nlc; h++)
		for (unsigned int s = 0; s < a->cfg.nstun; s++)
			if (a->lc[h].type == ICE_CAND_HOST &&
			    a->lc[h].addr.family == a->cfg.stun[s].addr.family)
				n++;
	if (!a->cfg.lite)
		ice_relay_gather(a, now);
	if (!n || a->cfg.lite) {
		ice_gather_check_done(a);
		return;
	}
	a->gtx = calloc(n, sizeof(*a->gtx));
	if (!a->gtx) {
		ice_gather_check_done(a);
		return;
	}
	for (unsigned int h = 0; h < a->nlc; h++) {
		for (unsigned int s = 0; s < a->cfg.nstun; s++) {
			if (a->lc[h].type != ICE_CAND_HOST ||
			    a->lc[h].addr.family != a->cfg.stun[s].addr.family)
				continue;
			a->gtx[a->ngtx].host = (uint8_t)h;
			a->gtx[a->ngtx].server = (uint8_t)s;
			a->ngtx++;
		}
	}
	(void)now;
}

bool ice_agent_gathering_done(const struct ice_agent *a)
{
	return a->gathering_done;
}

static void gtx_send(struct ice_agent *a, struct ice_gtx *g)
{
	struct stun_builder b;
	uint8_t buf[64];
	long n;

	stun_build_init(&b, buf, sizeof(buf),
			stun_type(STUN_BINDING, STUN_REQUEST), g->tid);
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	if (n > 0)
		ice_send(a, a->lc[g->host].sock, &a->cfg.stun[g->server].addr,
			 buf, (size_t)n);
}

void ice_gather_check_done(struct ice_agent *a)
{
	for (unsigned int i = 0; i < a->ngtx; i++)
		if (!a->gtx[i].done)
			return;
	if (ice_relay_pending(a))
		return;
	gather_done(a);
}

/* Send new transactions (one per call: the caller paces by Ta) and
 * retransmit; returns the next deadline. */
uint64_t ice_gather_timer(struct ice_agent *a, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	bool sent_new = false;

	if (a->gathering_done || !a->gtx)
		return next;
	if (!a->ngtx)
		return next;
	for (unsigned int i = 0; i < a->ngtx; i++) {
		struct ice_gtx *g = &a->gtx[i];

		if (g->done)
			continue;
		if (!g->ntx) {
			if (sent_new || now < a->gather_slot) {
				if (a->gather_slot < next)
					next = a->gather_slot;
				continue;
			}
			stun_tid_new(g->tid);
			g->ntx = 1;
			g->deadline = now + a->cfg.gather_rto_ms;
			a->gather_slot = now + a->cfg.ta_ms;
			sent_new = true;
			gtx_send(a, g);
		} else if (now >= g->deadline) {
			if (g->ntx >= a->cfg.gather_max_tx) {
				g->done = true;
				continue;
			}
			g->deadline = now + ((uint64_t)a->cfg.gather_rto_ms << g->ntx);
			g->ntx++;
			gtx_send(a, g);
		}
		if (g->deadline < next)
			next = g->deadline;
	}
	ice_gather_check_done(a);
	return a->gathering_done || !a->gtx ? UINT64_MAX : next;
}

bool ice_gather_response(struct ice_agent *a, int sock,
			 const struct stun_msg *m, uint64_t now)
{
	struct sockaddr_storage ss;
	struct ice_addr mapped;
	struct ice_gtx *g = NULL;
	struct ice_lcand c;
	const struct ice_lcand *h;
	int idx;

	for (unsigned int i = 0; i < a->ngtx; i++)
		if (a->gtx[i].ntx && !a->gtx[i].done &&
		    !memcmp(a->gtx[i].tid, m->tid, STUN_TID_LEN))
			g = &a->gtx[i];
	if (!g)
		return false;
	if (a->lc[g->host].sock != sock)
		return true;
	g->done = true;
	if (stun_msg_class(m) != STUN_SUCCESS ||
	    (stun_get_addr(m, STUN_ATTR_XOR_MAPPED_ADDRESS, &ss) &&
	     stun_get_addr(m, STUN_ATTR_MAPPED_ADDRESS, &ss)) ||
	    ice_addr_from_sa(&mapped, (struct sockaddr *)&ss)) {
		ice_gather_check_done(a);
		return true;
	}
	h = &a->lc[g->host];
	/* 5.1.3: same address and same base as another candidate */
	for (unsigned int i = 0; i < a->nlc; i++) {
		if (a->lc[i].stream == h->stream && a->lc[i].comp == h->comp &&
		    a->lc[i].base == g->host &&
		    ice_addr_eq(&a->lc[i].addr, &mapped)) {
			ice_gather_check_done(a);
			return true;
		}
	}
	c = *h;
	c.type = ICE_CAND_SRFLX;
	c.addr = mapped;
	c.related = h->addr;
	c.base = g->host;
	c.priority = ice_priority(ICE_CAND_SRFLX, (uint16_t)(h->priority >> 8),
				  h->comp);
	c.foundation = ice_foundation(ICE_CAND_SRFLX, &h->addr,
				      &a->cfg.stun[g->server].addr);
	idx = ice_lcand_add(a, &c);
	if (idx >= 0)
		ice_emit(a, ICE_EV_CANDIDATE, c.stream);
	ice_gather_check_done(a);
	(void)now;
	return true;
}
