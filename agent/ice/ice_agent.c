// SPDX-License-Identifier: GPL-2.0
/*
 * The ICE agent: lifecycle, credentials, streams, the timer, nomination,
 * selected pairs, consent freshness (RFC 7675), ICE restart and state
 * events.
 */
#include <errno.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "ice/ice_int.h"

static const char *const ev_names[ICE_EV__MAX] = {
	[ICE_EV_CANDIDATE] = "candidate",
	[ICE_EV_GATHERING_DONE] = "gathering-done",
	[ICE_EV_CHECKING] = "checking",
	[ICE_EV_CONNECTED] = "connected",
	[ICE_EV_COMPLETED] = "completed",
	[ICE_EV_FAILED] = "failed",
	[ICE_EV_DISCONNECTED] = "disconnected",
	[ICE_EV_ROLE_CHANGED] = "role-changed",
};

const char *ice_event_name(enum ice_event ev)
{
	return (unsigned int)ev < ICE_EV__MAX ? ev_names[ev] : "?";
}

const char *ice_cand_type_name(enum ice_cand_type t)
{
	static const char *const n[] = { "host", "srflx", "prflx", "relay" };

	return (unsigned int)t < 4 ? n[t] : "?";
}

const char *ice_pair_state_name(enum ice_pair_state s)
{
	static const char *const n[] = { "frozen", "waiting", "in-progress",
					 "succeeded", "failed" };

	return (unsigned int)s < 5 ? n[s] : "?";
}

void ice_cfg_default(struct ice_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ta_ms = 50;
	cfg->pair_limit = 100;
	cfg->rto_ms = 500;
	cfg->max_tx = 7;
	cfg->nominate_delay_ms = 100;
	cfg->consent_interval_ms = 5000;
	cfg->consent_timeout_ms = 30000;
	cfg->fail_timeout_ms = 30000;
	cfg->gather_rto_ms = 250;
	cfg->gather_max_tx = 4;
	cfg->default_iface_pref = 128;
	cfg->ipv4 = true;
	cfg->ipv6 = true;
}

uint32_t ice_rand32(void)
{
	uint32_t v = 0;

	RAND_bytes((unsigned char *)&v, sizeof(v));
	return v;
}

static void rand_ice_chars(char *out, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char r[64];

	RAND_bytes(r, (int)n);
	for (size_t i = 0; i < n; i++)
		out[i] = set[r[i] & 63];
	out[n] = '\0';
}

static int new_local_creds(struct ice_agent *a)
{
	rand_ice_chars(a->lufrag, ICE_UFRAG_LEN);
	rand_ice_chars(a->lpwd, ICE_PWD_LEN);
	stun_key_free(&a->lkey);
	return stun_key_short_term(&a->lkey, a->lpwd, ICE_PWD_LEN) ? -ENOMEM : 0;
}

struct ice_agent *ice_agent_new(const struct ice_cfg *cfg,
				const struct ice_ops *ops, void *user,
				uint64_t now)
{
	struct ice_agent *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (cfg)
		a->cfg = *cfg;
	else
		ice_cfg_default(&a->cfg);
	if (!a->cfg.ta_ms)
		a->cfg.ta_ms = 50;
	if (!a->cfg.pair_limit || a->cfg.pair_limit > ICE_MAX_PAIRS)
		a->cfg.pair_limit = a->cfg.pair_limit ? ICE_MAX_PAIRS : 100;
	if (!a->cfg.rto_ms)
		a->cfg.rto_ms = 500;
	if (!a->cfg.max_tx)
		a->cfg.max_tx = 7;
	if (a->cfg.nstun > ICE_MAX_SERVERS)
		a->cfg.nstun = ICE_MAX_SERVERS;
	a->ops = ops;
	a->user = user;
	a->controlling = a->cfg.controlling && !a->cfg.lite;
	RAND_bytes((unsigned char *)&a->tiebreaker, sizeof(a->tiebreaker));
	a->next_slot_us = now * 1000;
	a->gather_slot = now;
	if (new_local_creds(a)) {
		free(a);
		return NULL;
	}
	return a;
}

void ice_agent_free(struct ice_agent *a)
{
	if (!a)
		return;
	stun_key_free(&a->lkey);
	if (a->have_remote_creds)
		stun_key_free(&a->rkey);
	free(a->rufrag);
	free(a->rpwd);
	free(a->streams);
	free(a->lc);
	free(a->rc);
	free(a->pairs);
	free(a->gtx);
	free(a->turn_socks);
	ice_relay_free(a);
	free(a);
}

size_t ice_agent_mem(const struct ice_agent *a)
{
	return sizeof(*a) + a->nstreams * sizeof(*a->streams) +
	       a->caplc * sizeof(*a->lc) + a->caprc * sizeof(*a->rc) +
	       a->cappairs * sizeof(*a->pairs) + a->ngtx * sizeof(*a->gtx) +
	       (a->rufrag ? strlen(a->rufrag) + 1 : 0) +
	       (a->rpwd ? strlen(a->rpwd) + 1 : 0);
}

void ice_emit(struct ice_agent *a, enum ice_event ev, int stream)
{
	if (a->ops && a->ops->event)
		a->ops->event(a->user, ev, stream);
}

int ice_send(struct ice_agent *a, int sock, const struct ice_addr *to,
	     const void *buf, size_t len)
{
	if (ICE_IS_RELAY_SOCK(sock))
		return ice_relay_send(a, sock, to, buf, len);
	if (!a->ops || !a->ops->send)
		return -ENOSYS;
	return a->ops->send(a->user, sock, to, buf, len);
}

int ice_agent_add_stream(struct ice_agent *a, unsigned int ncomp)
{
	struct ice_stream *s;

	if (!ncomp || ncomp > ICE_MAX_COMPONENTS || a->nstreams >= ICE_MAX_STREAMS)
		return -EINVAL;
	s = realloc(a->streams, (a->nstreams + 1u) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	a->streams = s;
	s = &a->streams[a->nstreams];
	memset(s, 0, sizeof(*s));
	s->ncomp = (uint8_t)ncomp;
	s->bundle_tag = -1;
	for (unsigned int c = 0; c < ICE_MAX_COMPONENTS; c++) {
		s->comp[c].selected = -1;
		s->comp[c].sock = -1;
	}
	return a->nstreams++;
}

unsigned int ice_agent_nstreams(const struct ice_agent *a)
{
	return a->nstreams;
}

unsigned int ice_agent_ncomp(const struct ice_agent *a, unsigned int stream)
{
	return stream < a->nstreams ? a->streams[stream].ncomp : 0;
}

/*
 * Drop component-2 candidates of @mux_stream (>= 0) or, with @type >= 0,
 * candidates of that type; bases are renumbered.
 */
static void compact_lc(struct ice_agent *a, int mux_stream, int type)
{
	uint8_t map[ICE_MAX_CANDS];
	unsigned int j = 0;

	for (unsigned int i = 0; i < a->nlc; i++) {
		const struct ice_lcand *c = &a->lc[i];

		if ((mux_stream >= 0 && c->stream == mux_stream && c->comp == 2) ||
		    (type >= 0 && c->type == type)) {
			map[i] = ICE_NONE;
			continue;
		}
		map[i] = (uint8_t)j;
		a->lc[j++] = *c;
	}
	a->nlc = (uint16_t)j;
	for (unsigned int i = 0; i < a->nlc; i++)
		a->lc[i].base = map[a->lc[i].base];
}

/* Drop the pairs of component 2 of @stream; pair indices are renumbered. */
/* Drop the pairs of @stream's component @comp (0: of every component). */
static void drop_pairs(struct ice_agent *a, unsigned int stream,
		       unsigned int comp)
{
	uint8_t map[ICE_MAX_PAIRS];
	unsigned int j = 0;

	for (unsigned int i = 0; i < a->npairs; i++) {
		if (a->pairs[i].stream == stream &&
		    (!comp || a->pairs[i].comp == comp)) {
			map[i] = ICE_NONE;
			continue;
		}
		map[i] = (uint8_t)j;
		a->pairs[j++] = a->pairs[i];
	}
	a->npairs = (uint16_t)j;
	for (unsigned int i = 0; i < a->npairs; i++)
		if (a->pairs[i].valid_idx != ICE_NONE)
			a->pairs[i].valid_idx = map[a->pairs[i].valid_idx];
	for (unsigned int s = 0; s < a->nstreams; s++)
		for (unsigned int c = 0; c < a->streams[s].ncomp; c++) {
			int16_t *sel = &a->streams[s].comp[c].selected;

			if (*sel >= 0)
				*sel = map[*sel] == ICE_NONE ? -1 : map[*sel];
		}
}

int ice_agent_rtcp_mux(struct ice_agent *a, unsigned int stream, uint64_t now)
{
	struct ice_stream *st;
	bool valid = false;

	if (stream >= a->nstreams)
		return -EINVAL;
	st = &a->streams[stream];
	if (st->ncomp == 1)
		return 0;
	if (!a->started && !a->npairs) {
		/* nothing refers to the candidates yet: forget them */
		st->ncomp = 1;
		compact_lc(a, (int)stream, -1);
		return 0;
	}
	/*
	 * Checks ran already (the peer's early checks made peer-reflexive
	 * pairs, or ours started): component 2's pairs go, its candidates
	 * stay (indices are kept) but pair with nothing from now on and are
	 * no longer signalled; what component 1 learnt stands.
	 */
	drop_pairs(a, stream, 2);
	st->comp[1].selected = -1;
	st->comp[1].have_path = false;
	st->comp[1].consent = false;
	st->ncomp = 1;
	for (unsigned int i = 0; i < a->npairs; i++)
		if (a->pairs[i].stream == stream &&
		    (a->pairs[i].flags & PAIR_VALID))
			valid = true;
	/* component 1 alone may now be all there is to nominate */
	if (valid && !st->all_valid_at)
		st->all_valid_at = now;
	ice_update_state(a, now);
	return 0;
}

int ice_agent_bundle(struct ice_agent *a, unsigned int stream,
		     unsigned int tag, uint64_t now)
{
	struct ice_stream *st;

	if (stream >= a->nstreams || tag >= a->nstreams || stream == tag ||
	    a->streams[tag].bundle_tag >= 0)
		return -EINVAL;
	st = &a->streams[stream];
	if (st->bundle_tag == (int8_t)tag)
		return 0;
	/* streams bundled into this one follow its new tag */
	for (unsigned int s = 0; s < a->nstreams; s++)
		if (a->streams[s].bundle_tag == (int8_t)stream)
			a->streams[s].bundle_tag = (int8_t)tag;
	drop_pairs(a, stream, 0);
	st->bundle_tag = (int8_t)tag;
	for (unsigned int c = 0; c < ICE_MAX_COMPONENTS; c++) {
		st->comp[c].selected = -1;
		st->comp[c].have_path = false;
		st->comp[c].consent = false;
	}
	ice_update_state(a, now);
	return 0;
}

int ice_agent_bundled(const struct ice_agent *a, unsigned int stream)
{
	return stream < a->nstreams ? a->streams[stream].bundle_tag : -1;
}

int ice_agent_add_host(struct ice_agent *a, unsigned int stream,
		       unsigned int comp, int sock, const struct ice_addr *addr,
		       uint8_t iface_pref, uint8_t addr_pref)
{
	struct ice_lcand c;
	int i;

	if (stream >= a->nstreams || !comp || comp > a->streams[stream].ncomp ||
	    (addr->family != AF_INET && addr->family != AF_INET6))
		return -EINVAL;
	if (ice_lcand_find(a, stream, comp, addr) >= 0)
		return -EEXIST;
	memset(&c, 0, sizeof(c));
	c.addr = *addr;
	c.type = ICE_CAND_HOST;
	c.stream = (uint8_t)stream;
	c.comp = (uint8_t)comp;
	c.sock = sock;
	c.priority = ice_priority(ICE_CAND_HOST,
				  (uint16_t)((iface_pref << 8) | addr_pref), comp);
	c.foundation = ice_foundation(ICE_CAND_HOST, addr, NULL);
	c.base = (uint8_t)a->nlc;
	i = ice_lcand_add(a, &c);
	if (i < 0)
		return i;
	ice_emit(a, ICE_EV_CANDIDATE, (int)stream);
	if (a->have_remote_creds)
		ice_pair_local(a, (unsigned int)i);
	return i;
}

int ice_agent_set_turn_sock(struct ice_agent *a, unsigned int server,
			    unsigned int stream, unsigned int comp, int sock)
{
	struct ice_turn_sock *t;

	if (server >= a->cfg.nturn || stream >= a->nstreams || !comp ||
	    comp > a->streams[stream].ncomp || a->gather_started)
		return -EINVAL;
	t = realloc(a->turn_socks, (a->nturn_socks + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	a->turn_socks = t;
	t[a->nturn_socks].server = (uint8_t)server;
	t[a->nturn_socks].stream = (uint8_t)stream;
	t[a->nturn_socks].comp = (uint8_t)comp;
	t[a->nturn_socks].sock = sock;
	t[a->nturn_socks].status = 0;
	a->nturn_socks++;
	return 0;
}

unsigned int ice_agent_nlocal(const struct ice_agent *a)
{
	return a->nlc;
}

int ice_agent_local(const struct ice_agent *a, unsigned int i,
		    struct ice_cand_info *info)
{
	if (i >= a->nlc)
		return -ENOENT;
	ice_lcand_info(a, i, info);
	return 0;
}

int ice_agent_default(const struct ice_agent *a, unsigned int stream,
		      unsigned int comp, struct ice_cand_info *info)
{
	static const int rank[] = { [ICE_CAND_HOST] = 1, [ICE_CAND_PRFLX] = 0,
				    [ICE_CAND_SRFLX] = 2, [ICE_CAND_RELAY] = 3 };
	int best = -1;

	/* the candidate most likely to work: relay > srflx > host, then
	 * IPv4, then priority */
	for (unsigned int i = 0; i < a->nlc; i++) {
		const struct ice_lcand *c = &a->lc[i];

		if (c->stream != stream || c->comp != comp ||
		    c->type == ICE_CAND_PRFLX)
			continue;
		if (best < 0 || rank[c->type] > rank[a->lc[best].type] ||
		    (rank[c->type] == rank[a->lc[best].type] &&
		     ((c->addr.family == AF_INET &&
		       a->lc[best].addr.family != AF_INET) ||
		      (c->addr.family == a->lc[best].addr.family &&
		       c->priority > a->lc[best].priority))))
			best = (int)i;
	}
	if (best < 0)
		return -ENOENT;
	ice_lcand_info(a, (unsigned int)best, info);
	return 0;
}

void ice_agent_local_creds(const struct ice_agent *a, const char **ufrag,
			   const char **pwd)
{
	*ufrag = a->lufrag;
	*pwd = a->lpwd;
}

int ice_agent_set_remote_creds(struct ice_agent *a, const char *ufrag,
			       const char *pwd)
{
	char *u, *p;
	struct stun_key k;

	if (!ufrag || !pwd || strlen(ufrag) > 256 || strlen(pwd) > 256)
		return -EINVAL;
	u = strdup(ufrag);
	p = strdup(pwd);
	if (!u || !p || stun_key_short_term(&k, pwd, strlen(pwd))) {
		free(u);
		free(p);
		return -ENOMEM;
	}
	if (a->have_remote_creds)
		stun_key_free(&a->rkey);
	free(a->rufrag);
	free(a->rpwd);
	a->rufrag = u;
	a->rpwd = p;
	a->rkey = k;
	if (!a->have_remote_creds) {
		a->have_remote_creds = true;
		for (unsigned int i = 0; i < a->nlc; i++)
			ice_pair_local(a, i);
	}
	return 0;
}

const char *ice_agent_remote_ufrag(const struct ice_agent *a)
{
	return a->have_remote_creds ? a->rufrag : NULL;
}

const char *ice_agent_remote_pwd(const struct ice_agent *a)
{
	return a->have_remote_creds ? a->rpwd : NULL;
}

void ice_agent_set_remote_lite(struct ice_agent *a, bool lite)
{
	a->remote_lite = lite;
	/* 6.1.1: a full agent facing a lite peer is controlling */
	if (lite && !a->cfg.lite && !a->controlling) {
		a->controlling = true;
		ice_pairs_reprioritise(a);
	}
}

bool ice_agent_controlling(const struct ice_agent *a)
{
	return a->controlling;
}

int ice_agent_set_controlling(struct ice_agent *a, bool controlling)
{
	if (a->started)
		return -EBUSY;
	a->controlling = controlling && !a->cfg.lite;
	ice_pairs_reprioritise(a);
	return 0;
}

bool ice_agent_is_lite(const struct ice_agent *a)
{
	return a->cfg.lite;
}

void ice_switch_role(struct ice_agent *a)
{
	a->controlling = !a->controlling;
	ice_pairs_reprioritise(a);
	ice_emit(a, ICE_EV_ROLE_CHANGED, -1);
}

int ice_agent_add_remote(struct ice_agent *a, const struct ice_cand_info *ci,
			 uint64_t now)
{
	struct ice_rcand c;
	int r;

	if (ci->stream >= a->nstreams || !ci->component ||
	    ci->component > a->streams[ci->stream].ncomp ||
	    (ci->addr.family != AF_INET && ci->addr.family != AF_INET6) ||
	    !ci->priority)
		return -EINVAL;
	r = ice_rcand_find(a, ci->stream, ci->component, &ci->addr);
	if (r >= 0) {
		/* a peer-reflexive candidate learned from a check is now
		 * signalled: take the signalled type and priority */
		if (a->rc[r].type == ICE_CAND_PRFLX) {
			a->rc[r].type = (uint8_t)ci->type;
			a->rc[r].priority = ci->priority;
			a->rc[r].foundation = ice_foundation_str(ci->foundation);
			ice_pairs_reprioritise(a);
		}
		return r;
	}
	memset(&c, 0, sizeof(c));
	c.addr = ci->addr;
	c.related = ci->related;
	c.priority = ci->priority;
	c.foundation = ice_foundation_str(ci->foundation);
	c.type = (uint8_t)ci->type;
	c.stream = (uint8_t)ci->stream;
	c.comp = (uint8_t)ci->component;
	r = ice_rcand_add(a, &c);
	if (r < 0)
		return r;
	if (a->have_remote_creds)
		ice_pair_remote(a, (unsigned int)r);
	(void)now;
	return r;
}

void ice_agent_remote_eoc(struct ice_agent *a, int stream, uint64_t now)
{
	for (unsigned int s = 0; s < a->nstreams; s++)
		if (stream < 0 || (unsigned int)stream == s)
			a->streams[s].remote_eoc = true;
	if (a->started)
		ice_update_state(a, now);
}

int ice_agent_start(struct ice_agent *a, uint64_t now)
{
	if (!a->have_remote_creds || !a->nstreams)
		return -EINVAL;
	if (a->started)
		return 0;
	if (!a->cfg.trickle)
		for (unsigned int s = 0; s < a->nstreams; s++)
			a->streams[s].remote_eoc = true;
	a->started = true;
	a->start_time = now;
	if (a->next_slot_us < now * 1000)
		a->next_slot_us = now * 1000;
	ice_emit(a, ICE_EV_CHECKING, -1);
	ice_update_state(a, now);
	return 0;
}

static int best_pair(const struct ice_agent *a, unsigned int stream,
		     unsigned int comp, uint8_t flag)
{
	int best = -1;

	for (unsigned int i = 0; i < a->npairs; i++) {
		const struct ice_pair *p = &a->pairs[i];

		if (p->stream == stream && p->comp == comp && (p->flags & flag) &&
		    (flag != PAIR_VALID || p->state != ICE_PAIR_FAILED) &&
		    (best < 0 || p->priority > a->pairs[best].priority))
			best = (int)i;
	}
	return best;
}

static uint64_t consent_jitter(const struct ice_agent *a)
{
	/* RFC 7675 5.1: uniformly in [0.8, 1.2] * interval */
	uint64_t iv = a->cfg.consent_interval_ms;

	return iv * 8 / 10 + (iv ? ice_rand32() % (iv * 4 / 10 + 1) : 0);
}

void ice_update_selected(struct ice_agent *a, unsigned int stream,
			 unsigned int comp, uint64_t now)
{
	struct ice_comp *c = &a->streams[stream].comp[comp - 1];
	int best = best_pair(a, stream, comp, PAIR_NOMINATED);
	const struct ice_pair *p;

	if (best < 0 || best == c->selected)
		return;
	p = &a->pairs[best];
	c->selected = (int16_t)best;
	c->remote = a->rc[p->remote].addr;
	c->sock = a->lc[a->lc[p->local].base].sock;
	c->have_path = true;
	c->consent = true;
	c->consent_expiry = now + a->cfg.consent_timeout_ms;
	c->consent_next = now + consent_jitter(a);
}

/* RFC 8445 8.1.2: once every component is nominated, drop the rest. */
static void stream_nominated(struct ice_agent *a, unsigned int s)
{
	struct ice_stream *st = &a->streams[s];

	for (unsigned int c = 0; c < st->ncomp; c++)
		if (st->comp[c].selected < 0)
			return;
	st->connected = true;
	for (unsigned int i = 0; i < a->npairs; i++) {
		struct ice_pair *p = &a->pairs[i];

		if (p->stream != s)
			continue;
		if (p->state == ICE_PAIR_FROZEN || p->state == ICE_PAIR_WAITING) {
			p->state = ICE_PAIR_FAILED;
			p->flags &= (uint8_t)~PAIR_TRIGGERED;
		}
		/* stop retransmitting lower-priority checks */
		if (p->state == ICE_PAIR_IN_PROGRESS &&
		    !(p->flags & PAIR_USE_CAND) &&
		    p->priority < a->pairs[st->comp[p->comp - 1].selected].priority)
			p->state = ICE_PAIR_FAILED;
	}
	if (st->state == ICE_STREAM_RUNNING)
		st->state = ICE_STREAM_COMPLETED;
}

static bool stream_pending(const struct ice_agent *a, unsigned int s)
{
	for (unsigned int i = 0; i < a->npairs; i++) {
		const struct ice_pair *p = &a->pairs[i];

		if (p->stream == s && (p->state == ICE_PAIR_FROZEN ||
				       p->state == ICE_PAIR_WAITING ||
				       p->state == ICE_PAIR_IN_PROGRESS))
			return true;
	}
	return false;
}

static void stream_check_failed(struct ice_agent *a, unsigned int s,
				uint64_t now)
{
	struct ice_stream *st = &a->streams[s];
	bool timed_out = a->cfg.fail_timeout_ms &&
			 now >= a->start_time + a->cfg.fail_timeout_ms;

	if (st->state != ICE_STREAM_RUNNING || st->connected)
		return;
	if (!timed_out) {
		if (a->cfg.lite || !st->remote_eoc || !a->gathering_done ||
		    stream_pending(a, s))
			return;
		/* the controlled side waits for nomination of valid pairs */
		for (unsigned int c = 1; c <= st->ncomp; c++)
			if (best_pair(a, s, c, PAIR_VALID) >= 0 && !a->controlling)
				return;
		/* the controlling side nominates valid pairs */
		bool all_valid = true;

		for (unsigned int c = 1; c <= st->ncomp; c++)
			if (best_pair(a, s, c, PAIR_VALID) < 0)
				all_valid = false;
		if (all_valid)
			return;
	}
	st->state = ICE_STREAM_FAILED;
	for (unsigned int i = 0; i < a->npairs; i++)
		if (a->pairs[i].stream == s && a->pairs[i].state != ICE_PAIR_SUCCEEDED)
			a->pairs[i].state = ICE_PAIR_FAILED;
	ice_emit(a, ICE_EV_FAILED, (int)s);
}

void ice_update_state(struct ice_agent *a, uint64_t now)
{
	bool all_connected = a->nstreams > 0, all_done = a->nstreams > 0;

	if (!a->started)
		return;
	for (unsigned int s = 0; s < a->nstreams; s++) {
		struct ice_stream *st = &a->streams[s];

		if (st->bundle_tag >= 0)
			continue;	/* as its tag (counted there) */
		if (!st->connected)
			stream_nominated(a, s);
		stream_check_failed(a, s, now);
		if (!st->connected)
			all_connected = false;
		if (st->state == ICE_STREAM_RUNNING || stream_pending(a, s))
			all_done = false;
	}
	if (all_connected && !a->connected_sent) {
		a->connected_sent = true;
		ice_emit(a, ICE_EV_CONNECTED, -1);
	}
	if (all_connected && all_done && !a->completed_sent) {
		a->completed_sent = true;
		ice_emit(a, ICE_EV_COMPLETED, -1);
	}
}

int ice_agent_use_pair(struct ice_agent *a, unsigned int stream,
		       unsigned int comp, const struct ice_addr *local,
		       const struct ice_addr *remote, uint64_t now)
{
	struct ice_pair *p;
	int l, r, pi;

	if (a->controlling)
		return -EPERM;
	if (stream >= a->nstreams || !comp || comp > a->streams[stream].ncomp)
		return -EINVAL;
	l = ice_lcand_find(a, stream, comp, local);
	r = ice_rcand_find(a, stream, comp, remote);
	if (l < 0 || r < 0)
		return -ENOENT;
	pi = ice_pair_find(a, (unsigned int)l, (unsigned int)r);
	if (pi < 0)
		pi = ice_pair_add(a, (unsigned int)l, (unsigned int)r);
	if (pi < 0)
		return pi;
	/* the controlling side's choice replaces any other nomination */
	for (unsigned int i = 0; i < a->npairs; i++)
		if (a->pairs[i].stream == stream && a->pairs[i].comp == comp)
			a->pairs[i].flags &= (uint8_t)~PAIR_NOMINATED;
	p = &a->pairs[pi];
	p->state = ICE_PAIR_SUCCEEDED;
	p->flags |= PAIR_VALID | PAIR_NOMINATED;
	p->valid_idx = (uint8_t)pi;
	ice_update_selected(a, stream, comp, now);
	ice_update_state(a, now);
	return 0;
}

/* TURN relays on the path of a pair: 0 direct, 1 or 2 */
static unsigned int pair_relays(const struct ice_agent *a,
				const struct ice_pair *p)
{
	return (a->lc[p->local].type == ICE_CAND_RELAY) +
	       (a->rc[p->remote].type == ICE_CAND_RELAY);
}

/* Regular nomination by the controlling agent (8.1.1). */
static uint64_t nominate(struct ice_agent *a, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (!a->controlling || a->cfg.aggressive || a->cfg.lite)
		return next;
	for (unsigned int s = 0; s < a->nstreams; s++) {
		struct ice_stream *st = &a->streams[s];
		bool ready = true, better_pending = false;
		int best[ICE_MAX_COMPONENTS];

		if (st->state != ICE_STREAM_RUNNING || !st->all_valid_at)
			continue;
		for (unsigned int c = 1; c <= st->ncomp; c++) {
			best[c - 1] = best_pair(a, s, c, PAIR_VALID);
			if (best[c - 1] < 0) {
				ready = false;
				break;
			}
			/* already nominating or nominated */
			if (a->pairs[best[c - 1]].flags &
			    (PAIR_NOMINATED | PAIR_USE_CAND | PAIR_NOMINATE))
				best[c - 1] = -2;
		}
		if (!ready)
			continue;
		/*
		 * A better pair is worth waiting for while it has not been
		 * tried, or while its check may still be answered: for three
		 * round trips of this stream's fastest check plus Ta, at most
		 * nominate_delay_ms.
		 */
		uint64_t grace = 3ull * st->rtt_ms + a->cfg.ta_ms;

		if (grace > a->cfg.nominate_delay_ms)
			grace = a->cfg.nominate_delay_ms;
		uint64_t wait_until = 0;
		bool untried = false;

		for (unsigned int i = 0; i < a->npairs; i++) {
			const struct ice_pair *p = &a->pairs[i];
			int b = best[p->comp - 1];

			if (p->stream != s || b < 0 ||
			    p->priority <= a->pairs[b].priority)
				continue;
			if (p->state == ICE_PAIR_WAITING ||
			    p->state == ICE_PAIR_FROZEN) {
				/* an untried pair is only worth the wait when
				 * it would take fewer relays than the best
				 * valid one: trying a same-class pair costs
				 * Ta per pair ahead of it, for no better path */
				if (pair_relays(a, p) >= pair_relays(a, &a->pairs[b]))
					continue;
				better_pending = true;
				untried = true;
			} else if (p->state == ICE_PAIR_IN_PROGRESS &&
				   now < p->sent_at + grace) {
				better_pending = true;
				if (p->sent_at + grace > wait_until)
					wait_until = p->sent_at + grace;
			}
		}
		/* never wait longer than nominate_delay_ms after validity */
		if (better_pending &&
		    now < st->all_valid_at + a->cfg.nominate_delay_ms) {
			uint64_t t = st->all_valid_at + a->cfg.nominate_delay_ms;

			if (!untried && wait_until < t)
				t = wait_until;
			if (t < next)
				next = t;
			continue;
		}
		for (unsigned int c = 0; c < st->ncomp; c++) {
			if (best[c] < 0)
				continue;
			a->pairs[best[c]].flags |= PAIR_NOMINATE;
			a->pairs[best[c]].flags &= (uint8_t)~PAIR_TRIGGERED;
			ice_trigger(a, (unsigned int)best[c]);
		}
	}
	return next;
}

static void send_consent(struct ice_agent *a, struct ice_comp *c,
			 unsigned int stream, unsigned int comp)
{
	uint8_t buf[256];
	int l, n;

	if (c->selected < 0)
		return;
	l = a->pairs[c->selected].local;
	stun_tid_new(c->consent_tid);
	n = ice_build_request(a, buf, sizeof(buf), c->consent_tid,
			      (unsigned int)l, false);
	if (n > 0)
		ice_send(a, c->sock, &c->remote, buf, (size_t)n);
	(void)stream;
	(void)comp;
}

static uint64_t consent_timer(struct ice_agent *a, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (!a->have_remote_creds)
		return next;
	for (unsigned int s = 0; s < a->nstreams; s++) {
		for (unsigned int ci = 0; ci < a->streams[s].ncomp; ci++) {
			struct ice_comp *c = &a->streams[s].comp[ci];

			if (!c->have_path || !c->consent)
				continue;
			if (now >= c->consent_expiry) {
				c->consent = false;
				ice_emit(a, ICE_EV_DISCONNECTED, (int)s);
				continue;
			}
			/* a lite agent only watches the peer's checks */
			if (a->cfg.lite)
				c->consent_next = c->consent_expiry;
			else if (now >= c->consent_next) {
				send_consent(a, c, s, ci + 1);
				c->consent_next = now + consent_jitter(a);
			}
			if (c->consent_next < next)
				next = c->consent_next;
			if (c->consent_expiry < next)
				next = c->consent_expiry;
		}
	}
	return next;
}

static bool consent_response(struct ice_agent *a, int sock,
			     const struct ice_addr *from,
			     const struct stun_msg *m, uint64_t now)
{
	for (unsigned int s = 0; s < a->nstreams; s++) {
		for (unsigned int ci = 0; ci < a->streams[s].ncomp; ci++) {
			struct ice_comp *c = &a->streams[s].comp[ci];

			if (!c->have_path ||
			    memcmp(c->consent_tid, m->tid, STUN_TID_LEN))
				continue;
			if (stun_msg_class(m) == STUN_SUCCESS &&
			    !stun_msg_verify(m, &a->rkey) &&
			    ice_addr_eq(from, &c->remote) && sock == c->sock &&
			    c->consent) {
				c->consent_expiry = now + a->cfg.consent_timeout_ms;
			}
			return true;
		}
	}
	return false;
}

/*
 * Timers due at @now_us.  Returns the next deadline in milliseconds but
 * the next Ta slot for a check, if one is waiting for it, in @slot_us.
 */
static uint64_t agent_timer(struct ice_agent *a, uint64_t now_us,
			    uint64_t *slot_us)
{
	uint64_t next = UINT64_MAX, now = now_us / 1000, t;

	*slot_us = UINT64_MAX;

	if (a->gather_started && !a->gathering_done) {
		t = ice_gather_timer(a, now);
		if (t < next)
			next = t;
	}
	if (a->nrelays) {
		t = ice_relay_timer(a, now);
		if (t < next)
			next = t;
	}
	if (a->started && !a->cfg.lite) {
		t = ice_checks_timer(a, now);
		if (t < next)
			next = t;
		t = nominate(a, now);
		if (t < next)
			next = t;
		/* nominations of valid pairs do not wait for a slot
		 * (bounded: each one sent clears its pair's flags) */
		for (unsigned int i = 0; i < a->npairs &&
		     ice_send_nomination(a, now); i++)
			;
		/* Ta is counted from the moment the last check went out,
		 * to the microsecond when the caller's clock has them */
		if (now_us >= a->next_slot_us && ice_send_check(a, now))
			a->next_slot_us = now_us + a->cfg.ta_ms * 1000ull;
		/* another check may be due at the next slot (when nothing
		 * could be sent now, a state change reschedules us) */
		for (unsigned int i = 0; a->next_slot_us > now_us && i < a->npairs; i++) {
			if (a->pairs[i].state == ICE_PAIR_WAITING ||
			    (a->pairs[i].state == ICE_PAIR_FROZEN &&
			     a->streams[a->pairs[i].stream].state ==
			     ICE_STREAM_RUNNING)) {
				*slot_us = a->next_slot_us;
				break;
			}
		}
		t = ice_checks_timer(a, now);
		if (t < next)
			next = t;
	}
	if (a->started) {
		ice_update_state(a, now);
		for (unsigned int s = 0; a->cfg.fail_timeout_ms && s < a->nstreams; s++) {
			if (a->streams[s].state != ICE_STREAM_RUNNING ||
			    a->streams[s].connected)
				continue;
			t = a->start_time + a->cfg.fail_timeout_ms;
			if (t < next)
				next = t;
		}
	}
	t = consent_timer(a, now);
	if (t < next)
		next = t;
	return next;
}

uint64_t ice_agent_timer(struct ice_agent *a, uint64_t now)
{
	uint64_t slot_us, next = agent_timer(a, now * 1000, &slot_us);

	/* a slot inside a millisecond is due at the end of it */
	if (slot_us != UINT64_MAX && (slot_us + 999) / 1000 < next)
		next = (slot_us + 999) / 1000;
	return next;
}

uint64_t ice_agent_timer_us(struct ice_agent *a, uint64_t now_us)
{
	uint64_t slot_us, next = agent_timer(a, now_us, &slot_us);

	next = next == UINT64_MAX ? next : next * 1000;
	return slot_us < next ? slot_us : next;
}

void ice_agent_recv(struct ice_agent *a, int sock, const struct ice_addr *from,
		    const uint8_t *buf, size_t len, uint64_t now)
{
	struct stun_msg m;
	int h;

	if (a->nrelays && ice_relay_input(a, sock, from, buf, len, now))
		return;
	if (!stun_is_message(buf, len)) {
		h = ice_host_by_sock(a, sock);
		if (h >= 0 && a->ops && a->ops->data)
			a->ops->data(a->user, a->lc[h].stream, a->lc[h].comp,
				     buf, len);
		return;
	}
	if (stun_msg_parse(&m, buf, len) || stun_msg_method(&m) != STUN_BINDING)
		return;
	switch (stun_msg_class(&m)) {
	case STUN_REQUEST:
		ice_on_request(a, sock, from, &m, now);
		break;
	case STUN_SUCCESS:
	case STUN_ERROR:
		if (ice_gather_response(a, sock, &m, now))
			break;
		if (consent_response(a, sock, from, &m, now))
			break;
		ice_on_response(a, sock, from, &m, now);
		break;
	default:
		break;		/* indications: keepalives */
	}
}

int ice_agent_send(struct ice_agent *a, unsigned int stream, unsigned int comp,
		   const void *buf, size_t len)
{
	struct ice_comp *c;

	if (stream >= a->nstreams || !comp || comp > a->streams[stream].ncomp)
		return -EINVAL;
	c = &a->streams[stream].comp[comp - 1];
	if (!c->have_path) {
		/* before nomination: the best valid pair (RFC 8445 12.1.1) */
		int v = best_pair(a, stream, comp, PAIR_VALID);

		if (v < 0)
			return -ENOTCONN;
		return ice_send(a, a->lc[a->lc[a->pairs[v].local].base].sock,
				&a->rc[a->pairs[v].remote].addr, buf, len);
	}
	if (!c->consent)
		return -ENOTCONN;
	return ice_send(a, c->sock, &c->remote, buf, len);
}

int ice_agent_restart(struct ice_agent *a, uint64_t now)
{

	if (new_local_creds(a))
		return -ENOMEM;
	if (a->have_remote_creds)
		stun_key_free(&a->rkey);
	free(a->rufrag);
	free(a->rpwd);
	a->rufrag = a->rpwd = NULL;
	a->have_remote_creds = false;
	a->started = false;
	a->connected_sent = a->completed_sent = a->failed_sent = false;
	a->nrc = 0;
	a->npairs = 0;
	/* peer-reflexive locals belong to the old session */
	compact_lc(a, -1, ICE_CAND_PRFLX);
	for (unsigned int s = 0; s < a->nstreams; s++) {
		struct ice_stream *st = &a->streams[s];

		st->state = ICE_STREAM_RUNNING;
		st->remote_eoc = false;
		st->connected = false;
		st->all_valid_at = 0;
		st->rtt_ms = 0;
		for (unsigned int c = 0; c < ICE_MAX_COMPONENTS; c++) {
			/* media keeps flowing on the old path; consent is
			 * re-established by the new nomination */
			st->comp[c].selected = -1;
			st->comp[c].consent_expiry = now + a->cfg.consent_timeout_ms;
		}
	}
	return 0;
}

int ice_agent_selected(const struct ice_agent *a, unsigned int stream,
		       unsigned int comp, struct ice_cand_info *local,
		       struct ice_cand_info *remote)
{
	const struct ice_pair *p;
	int sel;

	if (stream >= a->nstreams || !comp || comp > a->streams[stream].ncomp)
		return -EINVAL;
	sel = a->streams[stream].comp[comp - 1].selected;
	if (sel < 0)
		return -ENOENT;
	p = &a->pairs[sel];
	if (local)
		ice_lcand_info(a, p->local, local);
	if (remote)
		ice_rcand_info(a, p->remote, remote);
	return 0;
}

unsigned int ice_agent_npairs(const struct ice_agent *a)
{
	return a->npairs;
}

int ice_agent_pair(const struct ice_agent *a, unsigned int i,
		   struct ice_pair_info *pi)
{
	const struct ice_pair *p;

	if (i >= a->npairs)
		return -ENOENT;
	p = &a->pairs[i];
	pi->stream = p->stream;
	pi->component = p->comp;
	pi->state = (enum ice_pair_state)p->state;
	pi->priority = p->priority;
	pi->valid = p->flags & PAIR_VALID;
	pi->nominated = p->flags & PAIR_NOMINATED;
	pi->local = p->local;
	pi->remote = p->remote;
	return 0;
}

unsigned int ice_agent_nremote(const struct ice_agent *a)
{
	return a->nrc;
}

int ice_agent_remote(const struct ice_agent *a, unsigned int i,
		     struct ice_cand_info *info)
{
	if (i >= a->nrc)
		return -ENOENT;
	ice_rcand_info(a, i, info);
	return 0;
}
