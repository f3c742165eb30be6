// SPDX-License-Identifier: GPL-2.0
/*
 * Incoming connectivity checks (RFC 8445 7.3): authentication, role
 * conflicts, peer-reflexive remote candidates, triggered checks and
 * nomination by the controlling peer.
 */
#include <stdio.h>
#include <string.h>

#include "ice/ice_int.h"

static void reply_error(struct ice_agent *a, int sock,
			const struct ice_addr *to, const struct stun_msg *req,
			int code, bool sign)
{
	uint8_t buf[256];
	struct stun_builder b;
	long n;

	stun_build_init(&b, buf, sizeof(buf),
			stun_type(STUN_BINDING, STUN_ERROR), req->tid);
	stun_build_error(&b, code, stun_reason(code));
	if (sign)
		stun_build_integrity(&b, &a->lkey);
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	if (n > 0)
		ice_send(a, sock, to, buf, (size_t)n);
}

static void reply_success(struct ice_agent *a, int sock,
			  const struct ice_addr *to, const struct stun_msg *req)
{
	struct sockaddr_storage ss;
	uint8_t buf[256];
	struct stun_builder b;
	long n;

	ice_addr_to_sa(to, &ss);
	stun_build_init(&b, buf, sizeof(buf),
			stun_type(STUN_BINDING, STUN_SUCCESS), req->tid);
	stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, (struct sockaddr *)&ss);
	stun_build_integrity(&b, &a->lkey);
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	if (n > 0)
		ice_send(a, sock, to, buf, (size_t)n);
}

/* USERNAME must be "<our ufrag>:<their ufrag>". */
static bool username_ok(const struct ice_agent *a, const struct stun_msg *m)
{
	char user[STUN_MAX_USERNAME + 1];
	size_t ul = strlen(a->lufrag);

	if (stun_get_string(m, STUN_ATTR_USERNAME, user, sizeof(user)))
		return false;
	if (strncmp(user, a->lufrag, ul) || user[ul] != ':')
		return false;
	if (a->have_remote_creds && strcmp(user + ul + 1, a->rufrag))
		return false;
	return true;
}

/* Returns true when the request may proceed (no conflict or we switched). */
static bool role_conflict(struct ice_agent *a, int sock,
			  const struct ice_addr *from, const struct stun_msg *m)
{
	uint64_t theirs;

	if (a->controlling &&
	    !stun_get_u64(m, STUN_ATTR_ICE_CONTROLLING, &theirs)) {
		if (a->tiebreaker >= theirs) {
			reply_error(a, sock, from, m, STUN_EC_ROLE_CONFLICT, true);
			return false;
		}
		ice_switch_role(a);
	} else if (!a->controlling &&
		   !stun_get_u64(m, STUN_ATTR_ICE_CONTROLLED, &theirs)) {
		if (a->tiebreaker >= theirs) {
			ice_switch_role(a);
		} else {
			reply_error(a, sock, from, m, STUN_EC_ROLE_CONFLICT, true);
			return false;
		}
	}
	return true;
}

static int remote_for(struct ice_agent *a, unsigned int stream,
		      unsigned int comp, const struct ice_addr *from,
		      uint32_t prio)
{
	struct ice_rcand c;
	char f[40];
	int r = ice_rcand_find(a, stream, comp, from);

	if (r >= 0)
		return r;
	/* 7.3.1.3: peer-reflexive remote candidate, unique foundation */
	memset(&c, 0, sizeof(c));
	c.addr = *from;
	c.priority = prio;
	c.type = ICE_CAND_PRFLX;
	c.stream = (uint8_t)stream;
	c.comp = (uint8_t)comp;
	snprintf(f, sizeof(f), "prflx%u", ++a->prflx_seq);
	c.foundation = ice_foundation_str(f);
	r = ice_rcand_add(a, &c);
	if (r >= 0)
		ice_pair_remote(a, (unsigned int)r);
	return r;
}

void ice_on_request(struct ice_agent *a, int sock, const struct ice_addr *from,
		    const struct stun_msg *m, uint64_t now)
{
	bool use_cand = stun_has(m, STUN_ATTR_USE_CANDIDATE);
	uint32_t prio;
	int h, r, pi;
	struct ice_pair *p;
	struct ice_comp *c;

	if (m->mi < 0 || !stun_has(m, STUN_ATTR_USERNAME)) {
		reply_error(a, sock, from, m, STUN_EC_BAD_REQUEST, false);
		return;
	}
	if (!username_ok(a, m) || stun_msg_verify(m, &a->lkey)) {
		reply_error(a, sock, from, m, STUN_EC_UNAUTHORIZED, false);
		return;
	}
	if (m->nunknown) {
		uint8_t buf[256];
		long n = stun_build_420(buf, sizeof(buf), m, &a->lkey, true);

		if (n > 0)
			ice_send(a, sock, from, buf, (size_t)n);
		return;
	}
	if (stun_get_u32(m, STUN_ATTR_PRIORITY, &prio) || !prio ||
	    (!stun_has(m, STUN_ATTR_ICE_CONTROLLING) &&
	     !stun_has(m, STUN_ATTR_ICE_CONTROLLED))) {
		reply_error(a, sock, from, m, STUN_EC_BAD_REQUEST, true);
		return;
	}
	h = ice_host_by_sock(a, sock);
	/* no such component (any more): the peer muxes, or has no RTCP */
	if (h < 0 || a->lc[h].comp > a->streams[a->lc[h].stream].ncomp)
		return;
	if (!a->cfg.lite && !role_conflict(a, sock, from, m))
		return;
	reply_success(a, sock, from, m);

	/* consent and keepalive refreshes of a selected pair need no more */
	r = remote_for(a, a->lc[h].stream, a->lc[h].comp, from, prio);
	if (r < 0)
		return;
	pi = ice_pair_find(a, (unsigned int)h, (unsigned int)r);
	if (pi < 0)
		pi = ice_pair_add(a, (unsigned int)h, (unsigned int)r);
	if (pi < 0)
		return;
	p = &a->pairs[pi];
	p->flags |= PAIR_PEER_CHECKED;

	if (a->cfg.lite) {
		/* a lite agent's pair is valid once checked by the peer */
		p->state = ICE_PAIR_SUCCEEDED;
		p->flags |= PAIR_VALID;
		p->valid_idx = (uint8_t)pi;
		if (use_cand)
			p->flags |= PAIR_NOMINATED;
		ice_update_selected(a, p->stream, p->comp, now);
		/* RFC 7675: a lite agent sends no consent checks; the full
		 * peer's checks on the selected pair are its proof of consent */
		c = &a->streams[p->stream].comp[p->comp - 1];
		if (c->selected == pi && c->consent)
			c->consent_expiry = now + a->cfg.consent_timeout_ms;
		ice_update_state(a, now);
		return;
	}

	switch (p->state) {
	case ICE_PAIR_SUCCEEDED:
		if (use_cand && !a->controlling) {
			unsigned int v = p->valid_idx != ICE_NONE ?
					 p->valid_idx : (unsigned int)pi;

			if (!(a->pairs[v].flags & PAIR_NOMINATED)) {
				a->pairs[v].flags |= PAIR_NOMINATED;
				ice_update_selected(a, p->stream, p->comp, now);
			}
		}
		break;
	case ICE_PAIR_IN_PROGRESS:
		/* keep the transaction; nominate when it succeeds */
		if (use_cand && !a->controlling)
			p->flags |= PAIR_NOM_ON_SUCCESS;
		/* the peer's check proves the path is open now: retransmit
		 * the pending request at once instead of waiting for RTO */
		ice_check_retransmit_now(a, (unsigned int)pi, now);
		break;
	default:
		if (use_cand && !a->controlling)
			p->flags |= PAIR_NOM_ON_SUCCESS;
		if (a->streams[p->stream].state == ICE_STREAM_RUNNING ||
		    use_cand)
			ice_trigger(a, (unsigned int)pi);
		break;
	}
	ice_update_state(a, now);
}
