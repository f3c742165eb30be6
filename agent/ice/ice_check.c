// SPDX-License-Identifier: GPL-2.0
/*
 * Check lists (RFC 8445 6.1.2 - 6.1.4, 7.2): pairing, pruning, the pair
 * limit, pair states, Ta pacing, triggered checks, retransmission and the
 * processing of check responses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ice/ice_int.h"

static uint64_t prio_of(const struct ice_agent *a, unsigned int l,
			unsigned int r)
{
	uint32_t lp = a->lc[l].priority, rp = a->rc[r].priority;

	return a->controlling ? ice_pair_priority(lp, rp) :
				ice_pair_priority(rp, lp);
}

int ice_pair_find(const struct ice_agent *a, unsigned int l, unsigned int r)
{
	for (unsigned int i = 0; i < a->npairs; i++)
		if (a->pairs[i].local == l && a->pairs[i].remote == r)
			return (int)i;
	return -1;
}

static bool in_list(const struct ice_pair *p)
{
	return p->state == ICE_PAIR_FROZEN || p->state == ICE_PAIR_WAITING;
}

/*
 * A remote host candidate at one of our own host addresses is only
 * reachable there if the peer shares our host and so our NAT.  When both
 * sides learned server-reflexive addresses of that family and none of them
 * match, the peer is elsewhere (two private networks numbered alike): a
 * check would loop back to our own host, so the pair fails at once instead
 * of taking a Ta slot and retransmissions.  Judged when the pair's turn
 * comes, when both sides' server-reflexive candidates are known.
 */
static bool loops_back(const struct ice_agent *a, unsigned int l,
		       unsigned int r)
{
	const struct ice_rcand *rc = &a->rc[r];
	bool own = false, ours = false, theirs = false;

	if (rc->type != ICE_CAND_HOST || a->lc[l].type != ICE_CAND_HOST)
		return false;
	for (unsigned int i = 0; i < a->nlc; i++)
		if (a->lc[i].type == ICE_CAND_HOST &&
		    ice_addr_ip_eq(&a->lc[i].addr, &rc->addr))
			own = true;
	if (!own)
		return false;
	for (unsigned int j = 0; j < a->nrc; j++)
		if (a->rc[j].type == ICE_CAND_SRFLX &&
		    a->rc[j].addr.family == rc->addr.family)
			theirs = true;
	for (unsigned int i = 0; i < a->nlc; i++) {
		if (a->lc[i].type != ICE_CAND_SRFLX ||
		    a->lc[i].addr.family != rc->addr.family)
			continue;
		ours = true;
		for (unsigned int j = 0; j < a->nrc; j++)
			if (a->rc[j].type == ICE_CAND_SRFLX &&
			    ice_addr_ip_eq(&a->lc[i].addr, &a->rc[j].addr))
				return false;	/* same NAT: maybe same host */
	}
	return ours && theirs;
}

/*
 * Add pair (l, r), or return the existing one.  At the pair limit, the
 * lowest-priority Frozen or Waiting pair is replaced when the new pair is
 * better; otherwise -ENOSPC.
 */
int ice_pair_add(struct ice_agent *a, unsigned int l, unsigned int r)
{
	uint64_t prio = prio_of(a, l, r);
	unsigned int limit = a->cfg.pair_limit;
	struct ice_pair *p;
	int i = ice_pair_find(a, l, r);

	if (i >= 0)
		return i;
	/* component 2 of a stream that went down to one (rtcp-mux), or a
	 * stream bundled into another (its transport is the tag's) */
	if (a->lc[l].comp > a->streams[a->lc[l].stream].ncomp ||
	    a->streams[a->lc[l].stream].bundle_tag >= 0)
		return -EINVAL;
	if (a->npairs >= limit || a->npairs >= ICE_MAX_PAIRS) {
		int worst = -1;

		for (unsigned int j = 0; j < a->npairs; j++)
			if (in_list(&a->pairs[j]) &&
			    !(a->pairs[j].flags & PAIR_VALID) &&
			    (worst < 0 ||
			     a->pairs[j].priority < a->pairs[worst].priority))
				worst = (int)j;
		if (worst < 0 || a->pairs[worst].priority >= prio)
			return -ENOSPC;
		i = worst;
	} else {
		if (a->npairs == a->cappairs) {
			uint16_t ncap = a->cappairs ? (uint16_t)(a->cappairs * 2) : 4;
			void *np;

			if (ncap > ICE_MAX_PAIRS)
				ncap = ICE_MAX_PAIRS;
			np = realloc(a->pairs, ncap * sizeof(*a->pairs));
			if (!np)
				return -ENOMEM;
			a->pairs = np;
			a->cappairs = ncap;
		}
		i = a->npairs++;
	}
	p = &a->pairs[i];
	memset(p, 0, sizeof(*p));
	p->local = (uint8_t)l;
	p->remote = (uint8_t)r;
	p->stream = a->lc[l].stream;
	p->comp = a->lc[l].comp;
	p->priority = prio;
	p->state = ICE_PAIR_FROZEN;
	p->valid_idx = ICE_NONE;
	if (a->lc[l].type == ICE_CAND_RELAY)
		ice_relay_permit(a, l, &a->rc[r].addr);
	return i;
}

static bool compatible(const struct ice_lcand *l, const struct ice_rcand *r)
{
	if (l->stream != r->stream || l->comp != r->comp)
		return false;
	if (l->addr.family != r->addr.family)
		return false;
	return ice_addr_is_link_local(&l->addr) ==
	       ice_addr_is_link_local(&r->addr);
}

/*
 * Server-reflexive locals are replaced by their base (a host candidate)
 * and then pruned as redundant; peer-reflexive locals never form pairs of
 * their own (RFC 8445 6.1.2.4).  So only host and relayed candidates pair.
 */
static bool pairs_itself(const struct ice_lcand *l)
{
	return l->type == ICE_CAND_HOST || l->type == ICE_CAND_RELAY;
}

void ice_pair_local(struct ice_agent *a, unsigned int l)
{
	if (!pairs_itself(&a->lc[l]))
		return;
	for (unsigned int r = 0; r < a->nrc; r++)
		if (compatible(&a->lc[l], &a->rc[r]))
			ice_pair_add(a, l, r);
}

void ice_pair_remote(struct ice_agent *a, unsigned int r)
{
	for (unsigned int l = 0; l < a->nlc; l++)
		if (pairs_itself(&a->lc[l]) && compatible(&a->lc[l], &a->rc[r]))
			ice_pair_add(a, l, r);
}

void ice_pairs_reprioritise(struct ice_agent *a)
{
	for (unsigned int i = 0; i < a->npairs; i++)
		a->pairs[i].priority = prio_of(a, a->pairs[i].local,
					       a->pairs[i].remote);
}

void ice_trigger(struct ice_agent *a, unsigned int p)
{
	struct ice_pair *pp = &a->pairs[p];

	if (pp->flags & PAIR_TRIGGERED)
		return;
	pp->flags |= PAIR_TRIGGERED;
	pp->trig_seq = ++a->trig_seq;
	pp->state = ICE_PAIR_WAITING;
}

static bool same_foundation(const struct ice_agent *a,
			    const struct ice_pair *x, const struct ice_pair *y)
{
	return a->lc[x->local].foundation == a->lc[y->local].foundation &&
	       a->rc[x->remote].foundation == a->rc[y->remote].foundation;
}

static bool foundation_active(const struct ice_agent *a,
			      const struct ice_pair *p)
{
	for (unsigned int i = 0; i < a->npairs; i++) {
		const struct ice_pair *q = &a->pairs[i];

		if ((q->state == ICE_PAIR_WAITING ||
		     q->state == ICE_PAIR_IN_PROGRESS) && same_foundation(a, p, q))
			return true;
	}
	return false;
}

/* RFC 8445 6.1.4.2: a list without Waiting pairs unfreezes one pair per
 * foundation not already being checked anywhere. */
static void unfreeze(struct ice_agent *a, unsigned int stream)
{
	for (;;) {
		int best = -1;

		for (unsigned int i = 0; i < a->npairs; i++) {
			struct ice_pair *p = &a->pairs[i];

			if (p->stream != stream || p->state != ICE_PAIR_FROZEN ||
			    foundation_active(a, p))
				continue;
			if (best < 0 || p->comp < a->pairs[best].comp ||
			    (p->comp == a->pairs[best].comp &&
			     p->priority > a->pairs[best].priority))
				best = (int)i;
		}
		if (best < 0)
			return;
		a->pairs[best].state = ICE_PAIR_WAITING;
	}
}

int ice_build_request(struct ice_agent *a, uint8_t *buf, size_t cap,
		      const uint8_t tid[STUN_TID_LEN], unsigned int local,
		      bool use_cand)
{
	char user[2 * 257 + 2];
	const struct ice_lcand *l = &a->lc[local];
	struct stun_builder b;
	uint16_t lpref = (uint16_t)(l->priority >> 8);

	snprintf(user, sizeof(user), "%s:%s", a->rufrag, a->lufrag);
	stun_build_init(&b, buf, cap, stun_type(STUN_BINDING, STUN_REQUEST), tid);
	stun_build_string(&b, STUN_ATTR_USERNAME, user);
	stun_build_u32(&b, STUN_ATTR_PRIORITY,
		       ice_priority(ICE_CAND_PRFLX, lpref, l->comp));
	stun_build_u64(&b, a->controlling ? STUN_ATTR_ICE_CONTROLLING :
		       STUN_ATTR_ICE_CONTROLLED, a->tiebreaker);
	if (use_cand)
		stun_build_flag(&b, STUN_ATTR_USE_CANDIDATE);
	stun_build_integrity(&b, &a->rkey);
	stun_build_fingerprint(&b);
	return (int)stun_build_finish(&b);
}

static void transmit(struct ice_agent *a, struct ice_pair *p)
{
	uint8_t buf[256];
	const struct ice_lcand *l = &a->lc[p->local];
	int n;

	n = ice_build_request(a, buf, sizeof(buf), p->tid, p->local,
			      p->flags & PAIR_USE_CAND);
	if (n > 0)
		ice_send(a, a->lc[l->base].sock, &a->rc[p->remote].addr, buf,
			 (size_t)n);
}

static void start_check(struct ice_agent *a, struct ice_pair *p, uint64_t now)
{
	unsigned int active = 0;

	stun_tid_new(p->tid);
	p->flags &= (uint8_t)~(PAIR_TRIGGERED | PAIR_USE_CAND |
			       PAIR_SENT_CONTROLLING);
	if (a->controlling) {
		p->flags |= PAIR_SENT_CONTROLLING;
		if (a->cfg.aggressive || (p->flags & PAIR_NOMINATE))
			p->flags |= PAIR_USE_CAND;
	}
	p->flags &= (uint8_t)~PAIR_NOMINATE;
	p->state = ICE_PAIR_IN_PROGRESS;
	p->ntx = 1;
	p->sent_at = now;
	/* RFC 8445 14.3: RTO = MAX(500 ms, N * Ta) */
	for (unsigned int i = 0; i < a->npairs; i++)
		if (a->pairs[i].state == ICE_PAIR_WAITING ||
		    a->pairs[i].state == ICE_PAIR_IN_PROGRESS)
			active++;
	p->rto = (uint16_t)(active * a->cfg.ta_ms > a->cfg.rto_ms ?
			    active * a->cfg.ta_ms : a->cfg.rto_ms);
	p->deadline = now + p->rto;
	transmit(a, p);
}

static void pair_failed(struct ice_agent *a, struct ice_pair *p);

/* Pick and send one check (triggered first, then each list in turn).
 * Returns false when there was nothing to send. */
bool ice_send_check(struct ice_agent *a, uint64_t now)
{
	int best;

again:
	best = -1;

	/* triggered checks in order, nominations first */
	for (unsigned int i = 0; i < a->npairs; i++) {
		const struct ice_pair *p = &a->pairs[i];
		bool nom, bnom;

		if (!(p->flags & PAIR_TRIGGERED))
			continue;
		nom = p->flags & PAIR_NOMINATE;
		bnom = best >= 0 && (a->pairs[best].flags & PAIR_NOMINATE);
		if (best < 0 || (nom && !bnom) ||
		    (nom == bnom && (uint16_t)(p->trig_seq -
					       a->pairs[best].trig_seq) > 0x8000))
			best = (int)i;
	}
	for (unsigned int n = 0; best < 0 && n < a->nstreams; n++) {
		unsigned int s = (a->rr + n) % a->nstreams;

		if (a->streams[s].state != ICE_STREAM_RUNNING)
			continue;
		for (int pass = 0; pass < 2 && best < 0; pass++) {
			for (unsigned int i = 0; i < a->npairs; i++) {
				const struct ice_pair *p = &a->pairs[i];

				if (p->stream == s && p->state == ICE_PAIR_WAITING &&
				    (best < 0 || p->priority > a->pairs[best].priority))
					best = (int)i;
			}
			if (best < 0 && !pass)
				unfreeze(a, s);
		}
		if (best >= 0)
			a->rr = (uint8_t)((s + 1) % a->nstreams);
		/* bounded: each pass fails one pair */
		if (best >= 0 && loops_back(a, a->pairs[best].local,
					    a->pairs[best].remote)) {
			pair_failed(a, &a->pairs[best]);
			goto again;
		}
	}
	if (best < 0)
		return false;
	start_check(a, &a->pairs[best], now);
	return true;
}

/* Has the peer checked the path of @p (same base socket, same remote)? */
static bool peer_checked(const struct ice_agent *a, const struct ice_pair *p)
{
	unsigned int base = a->lc[p->local].base;

	for (unsigned int i = 0; i < a->npairs; i++) {
		const struct ice_pair *q = &a->pairs[i];

		if ((q->flags & PAIR_PEER_CHECKED) && q->remote == p->remote &&
		    a->lc[q->local].base == base)
			return true;
	}
	return false;
}

/*
 * Send a pending nomination on a valid pair at once, outside Ta's pacing.
 * Ta (RFC 8445 14.2) spaces out new transactions towards addresses that
 * may not answer; this one goes to an address whose response has just
 * validated the pair, so waiting for the next slot only delays media
 * (one Ta after the first success; libwebrtc nominates on the response
 * too).  Only on a pair the peer has checked too: the peer nominates it
 * once its own check succeeds, and if that check was lost, the
 * nomination arriving a Ta later makes it retransmit at once (where one
 * arriving at once would have left it to its RTO).  Returns false when
 * there was none.
 */
bool ice_send_nomination(struct ice_agent *a, uint64_t now)
{
	const uint8_t want = PAIR_TRIGGERED | PAIR_NOMINATE | PAIR_VALID;

	for (unsigned int i = 0; i < a->npairs; i++) {
		struct ice_pair *p = &a->pairs[i];

		/* ice_trigger() made it WAITING; PAIR_VALID: it has answered */
		if ((p->flags & want) == want && peer_checked(a, p)) {
			start_check(a, p, now);
			return true;
		}
	}
	return false;
}

/* A TURN permission for @peer's IP was installed on relayed candidate
 * @local: checks sent before it were dropped by the server, resend them. */
void ice_check_permission_ready(struct ice_agent *a, unsigned int local,
				const struct ice_addr *peer, uint64_t now)
{
	for (unsigned int i = 0; i < a->npairs; i++) {
		struct ice_pair *p = &a->pairs[i];

		if (p->local != local || p->state != ICE_PAIR_IN_PROGRESS ||
		    !ice_addr_ip_eq(&a->rc[p->remote].addr, peer) ||
		    p->ntx >= a->cfg.max_tx)
			continue;
		p->ntx++;
		p->deadline = now + p->rto;
		transmit(a, p);
	}
}

void ice_check_retransmit_now(struct ice_agent *a, unsigned int pi,
			      uint64_t now)
{
	struct ice_pair *p = &a->pairs[pi];

	uint64_t last;

	/* at most once per Ta, and only while transmissions remain */
	if (p->state != ICE_PAIR_IN_PROGRESS || p->ntx >= a->cfg.max_tx ||
	    p->deadline <= now + a->cfg.ta_ms)
		return;
	last = p->deadline - p->rto;
	if (last + a->cfg.ta_ms > now) {
		/* sent very recently: retransmit one Ta after that */
		p->deadline = last + a->cfg.ta_ms;
		return;
	}
	p->ntx++;
	p->deadline = now + p->rto;
	transmit(a, p);
}

static void pair_failed(struct ice_agent *a, struct ice_pair *p)
{
	p->state = ICE_PAIR_FAILED;
	p->flags &= (uint8_t)~(PAIR_TRIGGERED | PAIR_USE_CAND);
}

/* Retransmissions and timeouts; returns the earliest pending deadline. */
uint64_t ice_checks_timer(struct ice_agent *a, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	bool changed = false;

	for (unsigned int i = 0; i < a->npairs; i++) {
		struct ice_pair *p = &a->pairs[i];

		if (p->state != ICE_PAIR_IN_PROGRESS)
			continue;
		if (now >= p->deadline) {
			if (p->ntx >= a->cfg.max_tx) {
				pair_failed(a, p);
				changed = true;
				continue;
			}
			p->ntx++;
			if (p->rto < 1600)
				p->rto = (uint16_t)(p->rto * 2 > 1600 ? 1600 : p->rto * 2);
			p->deadline = now + p->rto;
			transmit(a, p);
		}
		if (p->deadline < next)
			next = p->deadline;
	}
	if (changed)
		ice_update_state(a, now);
	return next;
}

/* Unfreeze pairs with the same foundation in every list (7.2.5.3.3). */
static void unfreeze_foundation(struct ice_agent *a, const struct ice_pair *p)
{
	for (unsigned int i = 0; i < a->npairs; i++)
		if (a->pairs[i].state == ICE_PAIR_FROZEN &&
		    same_foundation(a, &a->pairs[i], p))
			a->pairs[i].state = ICE_PAIR_WAITING;
}

static int add_local_prflx(struct ice_agent *a, const struct ice_pair *p,
			   const struct ice_addr *mapped)
{
	const struct ice_lcand *base = &a->lc[a->lc[p->local].base];
	struct ice_lcand c = *base;
	uint16_t lpref = (uint16_t)(base->priority >> 8);

	c.type = ICE_CAND_PRFLX;
	c.addr = *mapped;
	c.related = base->addr;
	c.priority = ice_priority(ICE_CAND_PRFLX, lpref, base->comp);
	c.foundation = ice_foundation(ICE_CAND_PRFLX, &base->addr, NULL);
	c.base = a->lc[p->local].base;
	return ice_lcand_add(a, &c);
}

static void check_succeeded(struct ice_agent *a, unsigned int pi,
			    const struct stun_msg *m, uint64_t now)
{
	struct ice_pair *p = &a->pairs[pi];
	struct sockaddr_storage ss;
	struct ice_addr mapped;
	int l, v;

	if (stun_get_addr(m, STUN_ATTR_XOR_MAPPED_ADDRESS, &ss) &&
	    stun_get_addr(m, STUN_ATTR_MAPPED_ADDRESS, &ss)) {
		pair_failed(a, p);
		return;
	}
	ice_addr_from_sa(&mapped, (struct sockaddr *)&ss);
	l = ice_lcand_find(a, p->stream, p->comp, &mapped);
	if (l < 0) {
		l = add_local_prflx(a, p, &mapped);
		if (l < 0) {
			pair_failed(a, p);
			return;
		}
		p = &a->pairs[pi];
	}
	v = ice_pair_find(a, (unsigned int)l, p->remote);
	if (v < 0) {
		v = ice_pair_add(a, (unsigned int)l, p->remote);
		if (v < 0) {
			pair_failed(a, p);
			return;
		}
		p = &a->pairs[pi];
		/* not part of the check list: already checked */
		a->pairs[v].state = ICE_PAIR_SUCCEEDED;
	}
	/* round trip of an unambiguous (first) transmission, for nomination */
	if (p->ntx == 1) {
		uint32_t rtt = (uint32_t)(now - p->sent_at) + 1;
		struct ice_stream *st = &a->streams[p->stream];

		if (!st->rtt_ms || rtt < st->rtt_ms)
			st->rtt_ms = rtt;
	}
	p->state = ICE_PAIR_SUCCEEDED;
	p->valid_idx = (uint8_t)v;
	a->pairs[v].flags |= PAIR_VALID;
	if ((p->flags & PAIR_USE_CAND) || (p->flags & PAIR_NOM_ON_SUCCESS) ||
	    (!a->controlling && (a->pairs[v].flags & PAIR_NOM_ON_SUCCESS)))
		a->pairs[v].flags |= PAIR_NOMINATED;
	p->flags &= (uint8_t)~(PAIR_USE_CAND | PAIR_NOM_ON_SUCCESS);
	unfreeze_foundation(a, p);
	if (!a->streams[p->stream].all_valid_at) {
		bool all = true;

		for (unsigned int c = 1; c <= a->streams[p->stream].ncomp; c++) {
			bool found = false;

			for (unsigned int i = 0; i < a->npairs; i++)
				if (a->pairs[i].stream == p->stream &&
				    a->pairs[i].comp == c &&
				    (a->pairs[i].flags & PAIR_VALID))
					found = true;
			all &= found;
		}
		if (all)
			a->streams[p->stream].all_valid_at = now;
	}
	ice_update_selected(a, p->stream, p->comp, now);
}

void ice_on_response(struct ice_agent *a, int sock,
		     const struct ice_addr *from, const struct stun_msg *m,
		     uint64_t now)
{
	struct ice_pair *p = NULL;
	unsigned int pi;
	int code;

	for (pi = 0; pi < a->npairs; pi++) {
		if (a->pairs[pi].state == ICE_PAIR_IN_PROGRESS &&
		    !memcmp(a->pairs[pi].tid, m->tid, STUN_TID_LEN)) {
			p = &a->pairs[pi];
			break;
		}
	}
	if (!p)
		return;
	/* responses are signed with the peer's password */
	if (stun_msg_verify(m, &a->rkey))
		return;
	/* RFC 8445 7.2.5.2.1: the response must come back symmetrically */
	if (!ice_addr_eq(from, &a->rc[p->remote].addr) ||
	    sock != a->lc[a->lc[p->local].base].sock) {
		pair_failed(a, p);
		ice_update_state(a, now);
		return;
	}
	if (stun_msg_class(m) == STUN_ERROR) {
		if (!stun_get_error(m, &code, NULL, NULL) &&
		    code == STUN_EC_ROLE_CONFLICT) {
			/* 7.2.5.1: switch only if our role is still the one
			 * the check was sent with */
			if (!!(p->flags & PAIR_SENT_CONTROLLING) == a->controlling)
				ice_switch_role(a);
			p->flags &= (uint8_t)~PAIR_USE_CAND;
			p->state = ICE_PAIR_WAITING;
			ice_trigger(a, pi);
		} else {
			pair_failed(a, p);
		}
		ice_update_state(a, now);
		return;
	}
	check_succeeded(a, pi, m, now);
	ice_update_state(a, now);
}
