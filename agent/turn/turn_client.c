// SPDX-License-Identifier: GPL-2.0
/*
 * TURN client state machine (RFC 8656): allocation, refresh, permissions,
 * channels, Send/Data indications and ChannelData.  No I/O here; see
 * turn.h for the calling convention.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "turn/turn.h"

#define PERM_REFRESH_MS		((TURN_PERM_LIFETIME - 60) * 1000ull)
#define CHAN_REFRESH_MS		((TURN_CHANNEL_LIFETIME - 60) * 1000ull)
/* what is left of a permission/channel at its refresh */
#define PERM_LIFE_LEFT_MS	(TURN_PERM_LIFETIME * 1000ull - PERM_REFRESH_MS)
#define CHAN_LIFE_LEFT_MS	(TURN_CHANNEL_LIFETIME * 1000ull - CHAN_REFRESH_MS)

const char *turn_state_name(enum turn_state s)
{
	switch (s) {
	case TURN_IDLE:		return "idle";
	case TURN_ALLOCATING:	return "allocating";
	case TURN_ALLOCATED:	return "allocated";
	case TURN_CLOSING:	return "closing";
	case TURN_CLOSED:	return "closed";
	case TURN_FAILED:	return "failed";
	}
	return "?";
}

static bool sa_equal(const struct sockaddr_storage *a, const struct sockaddr *b,
		     bool port)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_addr.s_addr == y->sin_addr.s_addr &&
		       (!port || x->sin_port == y->sin_port);
	}
	if (b->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return !memcmp(&x->sin6_addr, &y->sin6_addr, 16) &&
		       (!port || x->sin6_port == y->sin6_port);
	}
	return false;
}

static void sa_copy(struct sockaddr_storage *d, const struct sockaddr *s)
{
	memset(d, 0, sizeof(*d));
	memcpy(d, s, s->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						 sizeof(struct sockaddr_in));
}

static void emit(struct turn_client *c, struct turn_event *ev)
{
	if (c->event)
		c->event(c->arg, ev);
}

static void ev_init(struct turn_event *ev, enum turn_event_type type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
}

int turn_client_init(struct turn_client *c, const struct turn_cfg *cfg,
		     turn_send_fn send, turn_event_fn event, void *arg)
{
	int err;

	memset(c, 0, sizeof(*c));
	if (!cfg || !send || !cfg->username || !cfg->password)
		return STUN_E_INVALID;
	c->cfg = *cfg;
	if (!c->cfg.families)
		c->cfg.families = TURN_FAMILY_V4;
	if (c->cfg.families & ~(TURN_FAMILY_V4 | TURN_FAMILY_V6))
		return STUN_E_INVALID;
	c->send = send;
	c->event = event;
	c->arg = arg;
	c->next_channel = TURN_CHANNEL_MIN;
	err = stun_lt_cred_init(&c->cred, cfg->username, cfg->password);
	if (err)
		return err;
	c->cfg.username = c->cred.username;
	c->cfg.password = c->cred.password;
	return STUN_OK;
}

void turn_client_free(struct turn_client *c)
{
	stun_lt_cred_free(&c->cred);
	memset(c, 0, sizeof(*c));
}

static struct turn_request *req_alloc(struct turn_client *c, uint16_t method)
{
	unsigned int i;

	for (i = 0; i < TURN_MAX_PENDING; i++) {
		if (!c->req[i].used) {
			memset(&c->req[i], 0, sizeof(c->req[i]));
			c->req[i].used = true;
			c->req[i].method = method;
			return &c->req[i];
		}
	}
	return NULL;
}

static struct turn_request *req_find(struct turn_client *c, uint16_t method,
				     const struct sockaddr *peer)
{
	unsigned int i;

	for (i = 0; i < TURN_MAX_PENDING; i++) {
		struct turn_request *r = &c->req[i];

		if (r->used && r->method == method &&
		    (!peer || sa_equal(&r->peer, peer, method ==
				       STUN_CHANNEL_BIND)))
			return r;
	}
	return NULL;
}

static int req_build(struct turn_client *c, struct turn_request *r)
{
	struct stun_builder b;
	uint8_t tid[STUN_TID_LEN];
	long n;
	int err;

	err = stun_tid_new(tid);
	if (err)
		return err;
	stun_build_init(&b, r->buf, sizeof(r->buf),
			stun_type(r->method, STUN_REQUEST), tid);
	switch (r->method) {
	case STUN_ALLOCATE:
		stun_build_requested_transport(&b, TURN_PROTO_UDP);
		if (c->cfg.families == TURN_FAMILY_V6)
			stun_build_family(&b, STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
					  STUN_FAMILY_IPV6);
		else if (c->cfg.families ==
			 (TURN_FAMILY_V4 | TURN_FAMILY_V6))
		{
			stun_build_family(&b,
					  STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY,
					  STUN_FAMILY_IPV6);
			/* coturn only knows the draft code point */
			stun_build_family(&b,
					  STUN_ATTR_LEGACY_ADDITIONAL_ADDRESS_FAMILY,
					  STUN_FAMILY_IPV6);
		}
		if (c->cfg.lifetime)
			stun_build_u32(&b, STUN_ATTR_LIFETIME, c->cfg.lifetime);
		if (c->cfg.dont_fragment)
			stun_build_flag(&b, STUN_ATTR_DONT_FRAGMENT);
		break;
	case STUN_REFRESH:
		stun_build_u32(&b, STUN_ATTR_LIFETIME, r->lifetime);
		break;
	case STUN_CREATE_PERMISSION:
		stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
				(struct sockaddr *)&r->peer);
		break;
	case STUN_CHANNEL_BIND:
		stun_build_channel(&b, r->channel);
		stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
				(struct sockaddr *)&r->peer);
		break;
	}
	if (c->cfg.software)
		stun_build_string(&b, STUN_ATTR_SOFTWARE, c->cfg.software);
	r->authed = c->cred.have_realm;
	if (r->authed)
		stun_lt_cred_sign(&c->cred, &b);
	stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	if (n < 0)
		return (int)n;
	r->len = (size_t)n;
	memcpy(r->tx.tid, tid, STUN_TID_LEN);
	return STUN_OK;
}

static int req_send(struct turn_client *c, struct turn_request *r,
		    uint64_t now)
{
	int err = req_build(c, r);

	if (!err) {
		stun_tx_start(&r->tx, &c->cfg.tx, c->cfg.transport, r->tx.tid,
			      now);
		err = c->send(c->arg, r->buf, r->len);
	}
	return err;
}

static void req_free(struct turn_request *r)
{
	r->used = false;
}

int turn_client_allocate(struct turn_client *c, uint64_t now_ms)
{
	struct turn_request *r;
	int err;

	if (c->state != TURN_IDLE && c->state != TURN_CLOSED &&
	    c->state != TURN_FAILED)
		return STUN_E_INVALID;
	r = req_alloc(c, STUN_ALLOCATE);
	if (!r)
		return STUN_E_NO_SPACE;
	c->state = TURN_ALLOCATING;
	c->nrelayed = 0;
	c->have_mapped = false;
	err = req_send(c, r, now_ms);
	if (err) {
		req_free(r);
		c->state = TURN_FAILED;
	}
	return err;
}

static void schedule_refresh(struct turn_client *c, uint32_t lifetime,
			     uint64_t now)
{
	uint64_t life = (uint64_t)lifetime * 1000;

	c->lifetime = lifetime;
	c->expire_ms = now + life;
	/* a minute early, or at half time for short lifetimes */
	c->refresh_ms = now + (lifetime > 120 ? life - 60000 : life / 2);
}

static void fill_error(struct turn_event *ev, const struct stun_msg *m)
{
	const char *reason;
	size_t rlen;

	if (stun_get_error(m, &ev->code, &reason, &rlen) == 0) {
		if (rlen >= sizeof(ev->reason))
			rlen = sizeof(ev->reason) - 1;
		memcpy(ev->reason, reason, rlen);
		ev->reason[rlen] = '\0';
		if (!rlen)
			snprintf(ev->reason, sizeof(ev->reason), "%s",
				 stun_reason(ev->code));
	} else {
		snprintf(ev->reason, sizeof(ev->reason),
			 "error response without ERROR-CODE");
	}
}

static enum turn_event_type fail_type(uint16_t method)
{
	switch (method) {
	case STUN_ALLOCATE:		return TURN_EV_ALLOC_FAILED;
	case STUN_REFRESH:		return TURN_EV_REFRESH_FAILED;
	case STUN_CREATE_PERMISSION:	return TURN_EV_PERMISSION;
	default:			return TURN_EV_CHANNEL;
	}
}

static void req_failed(struct turn_client *c, struct turn_request *r,
		       struct turn_event *ev)
{
	ev->type = fail_type(r->method);
	ev->peer = r->peer;
	ev->channel = r->channel;
	if (!ev->err)
		ev->err = STUN_E_INVALID;
	if (r->method == STUN_ALLOCATE)
		c->state = TURN_FAILED;
	else if (r->method == STUN_REFRESH &&
		 (r->lifetime == 0 || ev->code == STUN_EC_ALLOCATION_MISMATCH))
		c->state = r->lifetime == 0 ? TURN_CLOSED : TURN_FAILED;
	if (r->method == STUN_CREATE_PERMISSION ||
	    r->method == STUN_CHANNEL_BIND) {
		unsigned int i;

		for (i = 0; i < TURN_MAX_PERMS; i++)
			if (r->method == STUN_CREATE_PERMISSION &&
			    c->perm[i].used &&
			    sa_equal(&c->perm[i].peer,
				     (struct sockaddr *)&r->peer, false))
				c->perm[i].used = false;
		for (i = 0; i < TURN_MAX_CHANNELS; i++)
			if (r->method == STUN_CHANNEL_BIND &&
			    c->chan[i].used &&
			    c->chan[i].number == r->channel)
				c->chan[i].used = false;
		if (ev->code == STUN_EC_ALLOCATION_MISMATCH)
			c->state = TURN_FAILED;
	}
	req_free(r);
	emit(c, ev);
}

static void on_success(struct turn_client *c, struct turn_request *r,
		       const struct stun_msg *m, uint64_t now)
{
	struct turn_event ev;
	const struct stun_attr *a;
	uint32_t life = 0;
	unsigned int i;

	ev_init(&ev, TURN_EV_ALLOCATED);
	switch (r->method) {
	case STUN_ALLOCATE:
		c->nrelayed = 0;
		for (a = stun_msg_find(m, STUN_ATTR_XOR_RELAYED_ADDRESS);
		     a && c->nrelayed < 2; a = stun_msg_find_next(m, a))
			if (!stun_attr_addr(m, a, &c->relayed[c->nrelayed]))
				c->nrelayed++;
		c->have_mapped = !stun_get_addr(m, STUN_ATTR_XOR_MAPPED_ADDRESS,
						&c->mapped);
		if (stun_get_u32(m, STUN_ATTR_LIFETIME, &life) || !c->nrelayed) {
			ev.type = TURN_EV_ALLOC_FAILED;
			ev.err = STUN_E_NOT_FOUND;
			snprintf(ev.reason, sizeof(ev.reason),
				 "Allocate success lacks %s",
				 c->nrelayed ? "LIFETIME" :
					       "XOR-RELAYED-ADDRESS");
			c->state = TURN_FAILED;
			break;
		}
		{
			const uint8_t *v;
			size_t vl;
			uint8_t fam;
			int code;
			bool aerr = !stun_get_address_error(m, &fam, &code);

			if (!aerr && !stun_get_bytes(m,
					STUN_ATTR_LEGACY_ADDRESS_ERROR_CODE,
					&v, &vl) && vl >= 4) {
				fam = v[0];
				code = (v[2] & 7) * 100 + v[3];
				aerr = true;
			}
			if (aerr)
				snprintf(ev.reason, sizeof(ev.reason),
					 "IPv%d not allocated: %d %s",
					 fam == STUN_FAMILY_IPV6 ? 6 : 4, code,
					 stun_reason(code));
		}
		c->state = TURN_ALLOCATED;
		schedule_refresh(c, life, now);
		ev.lifetime = life;
		break;
	case STUN_REFRESH:
		stun_get_u32(m, STUN_ATTR_LIFETIME, &life);
		ev.lifetime = life;
		if (r->lifetime == 0 || life == 0) {
			ev.type = TURN_EV_CLOSED;
			c->state = TURN_CLOSED;
		} else {
			ev.type = TURN_EV_REFRESHED;
			schedule_refresh(c, life, now);
		}
		break;
	case STUN_CREATE_PERMISSION:
		ev.type = TURN_EV_PERMISSION;
		ev.peer = r->peer;
		for (i = 0; i < TURN_MAX_PERMS; i++) {
			struct turn_perm *p = &c->perm[i];

			if (p->used && sa_equal(&p->peer,
						(struct sockaddr *)&r->peer,
						false)) {
				p->installed = true;
				p->refresh_ms = now + PERM_REFRESH_MS;
			}
		}
		break;
	case STUN_CHANNEL_BIND:
		ev.type = TURN_EV_CHANNEL;
		ev.peer = r->peer;
		ev.channel = r->channel;
		for (i = 0; i < TURN_MAX_CHANNELS; i++) {
			struct turn_channel *ch = &c->chan[i];

			if (ch->used && ch->number == r->channel) {
				ch->bound = true;
				ch->refresh_ms = now + CHAN_REFRESH_MS;
			}
		}
		/* a ChannelBind also installs/refreshes the permission */
		for (i = 0; i < TURN_MAX_PERMS; i++) {
			struct turn_perm *p = &c->perm[i];

			if (p->used && sa_equal(&p->peer,
						(struct sockaddr *)&r->peer,
						false)) {
				p->installed = true;
				p->refresh_ms = now + PERM_REFRESH_MS;
			}
		}
		break;
	}
	req_free(r);
	emit(c, &ev);
}

static void on_error(struct turn_client *c, struct turn_request *r,
		     const struct stun_msg *m, uint64_t now)
{
	struct turn_event ev;
	int err;

	ev_init(&ev, TURN_EV_ALLOC_FAILED);
	fill_error(&ev, m);
	ev.err = STUN_E_INVALID;

	switch (ev.code) {
	case STUN_EC_UNAUTHORIZED:
		err = stun_lt_cred_challenge(&c->cred, m, r->authed);
		if (err) {
			ev.err = err;
			if (err == STUN_E_BAD_INTEGRITY)
				snprintf(ev.reason, sizeof(ev.reason),
					 "Unauthenticated: wrong username or password");
			else
				snprintf(ev.reason, sizeof(ev.reason),
					 "Unauthenticated: cannot retry: %s",
					 stun_strerror(err));
			break;
		}
		err = req_send(c, r, now);
		if (!err)
			return;
		ev.err = err;
		break;
	case STUN_EC_STALE_NONCE:
		if (r->stale >= TURN_MAX_STALE_RETRIES) {
			snprintf(ev.reason, sizeof(ev.reason),
				 "Stale Nonce %u times in a row", r->stale);
			break;
		}
		err = stun_lt_cred_challenge(&c->cred, m, r->authed);
		if (err) {
			ev.err = err;
			break;
		}
		r->stale++;
		{
			struct turn_event sev;

			ev_init(&sev, TURN_EV_STALE_NONCE);
			sev.code = STUN_EC_STALE_NONCE;
			snprintf(sev.reason, sizeof(sev.reason),
				 "Stale Nonce: retrying with the new nonce");
			emit(c, &sev);
		}
		err = req_send(c, r, now);
		if (!err)
			return;
		ev.err = err;
		break;
	case STUN_EC_TRY_ALTERNATE:
		if (r->method != STUN_ALLOCATE)
			break;
		if (stun_get_addr(m, STUN_ATTR_ALTERNATE_SERVER, &ev.peer)) {
			snprintf(ev.reason, sizeof(ev.reason),
				 "Try Alternate without ALTERNATE-SERVER");
			break;
		}
		ev.type = TURN_EV_ALTERNATE;
		c->state = TURN_IDLE;
		req_free(r);
		emit(c, &ev);
		return;
	default:
		/* 437, 440, 442, 486, 508 ...: reported as they are */
		break;
	}
	req_failed(c, r, &ev);
}

static void on_data_indication(struct turn_client *c, const struct stun_msg *m)
{
	struct turn_event ev;

	ev_init(&ev, TURN_EV_DATA);
	if (stun_get_addr(m, STUN_ATTR_XOR_PEER_ADDRESS, &ev.peer) ||
	    stun_get_bytes(m, STUN_ATTR_DATA, &ev.data, &ev.len))
		return;
	emit(c, &ev);
}

static int on_channel_data(struct turn_client *c, const uint8_t *buf,
			   size_t len)
{
	uint16_t num = (uint16_t)(buf[0] << 8 | buf[1]);
	size_t dlen = (size_t)(buf[2] << 8 | buf[3]);
	struct turn_event ev;
	unsigned int i;

	if (dlen > len - 4)
		return STUN_E_TRUNCATED;
	for (i = 0; i < TURN_MAX_CHANNELS; i++) {
		struct turn_channel *ch = &c->chan[i];

		if (ch->used && ch->number == num) {
			ev_init(&ev, TURN_EV_DATA);
			ev.peer = ch->peer;
			ev.channel = num;
			ev.data = buf + 4;
			ev.len = dlen;
			emit(c, &ev);
			return STUN_OK;
		}
	}
	return STUN_E_NOT_MATCHED;
}

int turn_client_input(struct turn_client *c, const uint8_t *buf, size_t len,
		      uint64_t now_ms)
{
	struct turn_request *r = NULL;
	struct stun_msg m;
	uint16_t cls;
	unsigned int i;
	int err;

	if (len >= 4 && buf[0] >= 0x40 && buf[0] <= 0x4F)
		return on_channel_data(c, buf, len);
	err = stun_msg_parse(&m, buf, len);
	if (err)
		return err;
	cls = stun_msg_class(&m);
	if (cls == STUN_INDICATION) {
		if (stun_msg_method(&m) == STUN_DATA)
			on_data_indication(c, &m);
		return STUN_OK;
	}
	if (cls == STUN_REQUEST)
		return STUN_E_NOT_MATCHED;

	for (i = 0; i < TURN_MAX_PENDING; i++)
		if (c->req[i].used &&
		    !memcmp(c->req[i].tx.tid, m.tid, STUN_TID_LEN)) {
			r = &c->req[i];
			break;
		}
	if (!r || stun_msg_method(&m) != r->method)
		return STUN_E_NOT_MATCHED;
	/* a response claiming integrity must prove it, else it is dropped
	 * as if never received (RFC 8489 9.2.5) */
	if (r->authed && (m.mi >= 0 || m.mi256 >= 0) &&
	    stun_lt_cred_verify(&c->cred, &m))
		return STUN_E_BAD_INTEGRITY;
	err = stun_tx_match(&r->tx, &m);
	if (err)
		return err;
	if (m.nunknown) {
		struct turn_event ev;

		ev_init(&ev, TURN_EV_ALLOC_FAILED);
		ev.err = STUN_E_UNKNOWN_ATTRS;
		snprintf(ev.reason, sizeof(ev.reason),
			 "response has unknown attribute 0x%04x",
			 m.unknown[0]);
		req_failed(c, r, &ev);
		return STUN_OK;
	}
	if (cls == STUN_SUCCESS)
		on_success(c, r, &m, now_ms);
	else
		on_error(c, r, &m, now_ms);
	return STUN_OK;
}

static void send_perm(struct turn_client *c, const struct sockaddr *peer,
		      uint64_t now)
{
	struct turn_request *r;
	struct turn_event ev;
	int err;

	if (req_find(c, STUN_CREATE_PERMISSION, peer))
		return;
	r = req_alloc(c, STUN_CREATE_PERMISSION);
	if (!r)
		return;
	sa_copy(&r->peer, peer);
	err = req_send(c, r, now);
	if (err) {
		ev_init(&ev, TURN_EV_PERMISSION);
		ev.err = err;
		snprintf(ev.reason, sizeof(ev.reason), "send failed");
		req_failed(c, r, &ev);
	}
}

static void send_bind(struct turn_client *c, struct turn_channel *ch,
		      uint64_t now)
{
	struct turn_request *r;
	struct turn_event ev;
	int err;

	if (req_find(c, STUN_CHANNEL_BIND, (struct sockaddr *)&ch->peer))
		return;
	r = req_alloc(c, STUN_CHANNEL_BIND);
	if (!r)
		return;
	r->peer = ch->peer;
	r->channel = ch->number;
	err = req_send(c, r, now);
	if (err) {
		ev_init(&ev, TURN_EV_CHANNEL);
		ev.err = err;
		snprintf(ev.reason, sizeof(ev.reason), "send failed");
		req_failed(c, r, &ev);
	}
}

int turn_client_refresh(struct turn_client *c, uint32_t lifetime,
			uint64_t now_ms)
{
	struct turn_request *r;
	int err;

	if (c->state != TURN_ALLOCATED && c->state != TURN_CLOSING)
		return STUN_E_INVALID;
	if (req_find(c, STUN_REFRESH, NULL))
		return STUN_OK;		/* one at a time */
	r = req_alloc(c, STUN_REFRESH);
	if (!r)
		return STUN_E_NO_SPACE;
	r->lifetime = lifetime;
	err = req_send(c, r, now_ms);
	if (err)
		req_free(r);
	return err;
}

void turn_client_tick(struct turn_client *c, uint64_t now)
{
	struct turn_event ev;
	unsigned int i;

	for (i = 0; i < TURN_MAX_PENDING; i++) {
		struct turn_request *r = &c->req[i];

		if (!r->used)
			continue;
		switch (stun_tx_tick(&r->tx, now)) {
		case STUN_TX_RETRANSMIT:
			c->send(c->arg, r->buf, r->len);
			break;
		case STUN_TX_TIMEOUT:
			ev_init(&ev, fail_type(r->method));
			ev.err = STUN_E_TIMEOUT;
			snprintf(ev.reason, sizeof(ev.reason),
				 "no response from the server (timeout)");
			req_failed(c, r, &ev);
			break;
		case STUN_TX_WAIT:
			break;
		}
	}
	if (c->state != TURN_ALLOCATED)
		return;
	if (now >= c->expire_ms) {
		c->state = TURN_CLOSED;
		ev_init(&ev, TURN_EV_CLOSED);
		snprintf(ev.reason, sizeof(ev.reason), "allocation expired");
		emit(c, &ev);
		return;
	}
	if (now >= c->refresh_ms)
		turn_client_refresh(c, c->cfg.lifetime ? c->cfg.lifetime :
				    c->lifetime, now);
	for (i = 0; i < TURN_MAX_PERMS; i++)
		if (c->perm[i].used && c->perm[i].installed &&
		    now >= c->perm[i].refresh_ms)
			send_perm(c, (struct sockaddr *)&c->perm[i].peer, now);
	for (i = 0; i < TURN_MAX_CHANNELS; i++)
		if (c->chan[i].used && c->chan[i].bound &&
		    now >= c->chan[i].refresh_ms)
			send_bind(c, &c->chan[i], now);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t turn_client_next_timer(const struct turn_client *c)
{
	uint64_t t = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < TURN_MAX_PENDING; i++)
		if (c->req[i].used && c->req[i].tx.state == STUN_TX_PENDING)
			t = min64(t, stun_tx_deadline(&c->req[i].tx));
	if (c->state != TURN_ALLOCATED)
		return t;
	t = min64(t, min64(c->refresh_ms, c->expire_ms));
	for (i = 0; i < TURN_MAX_PERMS; i++)
		if (c->perm[i].used && c->perm[i].installed)
			t = min64(t, c->perm[i].refresh_ms);
	for (i = 0; i < TURN_MAX_CHANNELS; i++)
		if (c->chan[i].used && c->chan[i].bound)
			t = min64(t, c->chan[i].refresh_ms);
	return t;
}

int turn_client_permit(struct turn_client *c, const struct sockaddr *peer,
		       uint64_t now_ms)
{
	struct turn_perm *free_p = NULL;
	unsigned int i;

	if (c->state != TURN_ALLOCATED)
		return STUN_E_INVALID;
	if (peer->sa_family != AF_INET && peer->sa_family != AF_INET6)
		return STUN_E_INVALID;
	for (i = 0; i < TURN_MAX_PERMS; i++) {
		if (c->perm[i].used &&
		    sa_equal(&c->perm[i].peer, peer, false)) {
			send_perm(c, peer, now_ms);
			return STUN_OK;
		}
		if (!c->perm[i].used && !free_p)
			free_p = &c->perm[i];
	}
	if (!free_p)
		return STUN_E_NO_SPACE;
	memset(free_p, 0, sizeof(*free_p));
	free_p->used = true;
	sa_copy(&free_p->peer, peer);
	send_perm(c, peer, now_ms);
	return STUN_OK;
}

int turn_client_bind(struct turn_client *c, const struct sockaddr *peer,
		     uint64_t now_ms)
{
	struct turn_channel *ch = NULL;
	unsigned int i;

	if (c->state != TURN_ALLOCATED)
		return STUN_E_INVALID;
	if (peer->sa_family != AF_INET && peer->sa_family != AF_INET6)
		return STUN_E_INVALID;
	for (i = 0; i < TURN_MAX_CHANNELS; i++)
		if (c->chan[i].used && sa_equal(&c->chan[i].peer, peer, true)) {
			ch = &c->chan[i];
			break;
		}
	if (!ch) {
		for (i = 0; i < TURN_MAX_CHANNELS && c->chan[i].used; i++)
			;
		if (i == TURN_MAX_CHANNELS ||
		    c->next_channel > TURN_CHANNEL_MAX)
			return STUN_E_NO_SPACE;
		ch = &c->chan[i];
		memset(ch, 0, sizeof(*ch));
		ch->used = true;
		ch->number = c->next_channel++;
		sa_copy(&ch->peer, peer);
	}
	send_bind(c, ch, now_ms);
	return ch->number;
}

int turn_client_send(struct turn_client *c, const struct sockaddr *peer,
		     const void *data, size_t len)
{
	struct stun_builder b;
	uint8_t tid[STUN_TID_LEN];
	unsigned int i;
	long n;

	if (c->state != TURN_ALLOCATED)
		return STUN_E_INVALID;
	for (i = 0; i < TURN_MAX_CHANNELS; i++) {
		struct turn_channel *ch = &c->chan[i];
		size_t total;

		if (!ch->used || !ch->bound || !sa_equal(&ch->peer, peer, true))
			continue;
		if (len > 0xFFFF)
			return STUN_E_INVALID;
		c->out[0] = (uint8_t)(ch->number >> 8);
		c->out[1] = (uint8_t)ch->number;
		c->out[2] = (uint8_t)(len >> 8);
		c->out[3] = (uint8_t)len;
		memcpy(c->out + 4, data, len);
		total = 4 + len;
		/* over streams ChannelData is padded to 4 bytes */
		if (c->cfg.transport != STUN_TR_UDP)
			while (total & 3)
				c->out[total++] = 0;
		return c->send(c->arg, c->out, total);
	}
	if (stun_tid_new(tid))
		return STUN_E_CRYPTO;
	stun_build_init(&b, c->out, sizeof(c->out),
			stun_type(STUN_SEND, STUN_INDICATION), tid);
	stun_build_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS, peer);
	if (c->cfg.dont_fragment)
		stun_build_flag(&b, STUN_ATTR_DONT_FRAGMENT);
	stun_build_attr(&b, STUN_ATTR_DATA, data, len);
	n = stun_build_finish(&b);
	if (n < 0)
		return (int)n;
	return c->send(c->arg, c->out, (size_t)n);
}

int turn_client_close(struct turn_client *c, uint64_t now_ms)
{
	unsigned int i;
	int err;

	if (c->state != TURN_ALLOCATED)
		return STUN_E_INVALID;
	/* drop pending work for the allocation, keep nothing refreshing */
	for (i = 0; i < TURN_MAX_PENDING; i++)
		c->req[i].used = false;
	memset(c->perm, 0, sizeof(c->perm));
	memset(c->chan, 0, sizeof(c->chan));
	err = turn_client_refresh(c, 0, now_ms);
	if (!err)
		c->state = TURN_CLOSING;
	return err;
}

int turn_client_save(const struct turn_client *c, const struct sockaddr *peer,
		     struct turn_resume *r)
{
	const struct turn_channel *ch = NULL;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (c->state != TURN_ALLOCATED || !c->nrelayed)
		return STUN_E_INVALID;
	for (i = 0; i < TURN_MAX_CHANNELS && !ch; i++)
		if (c->chan[i].used && c->chan[i].bound &&
		    sa_equal(&c->chan[i].peer, peer, true))
			ch = &c->chan[i];
	if (!ch)
		return STUN_E_NOT_FOUND;
	/* the relayed address of the peer's family */
	r->relayed = c->relayed[0];
	for (i = 0; i < c->nrelayed; i++)
		if (c->relayed[i].ss_family == peer->sa_family)
			r->relayed = c->relayed[i];
	r->lifetime = c->lifetime;
	r->expire_ms = c->expire_ms;
	r->peer = ch->peer;
	r->channel = ch->number;
	/* refreshes are scheduled a minute before the end */
	r->chan_expire_ms = ch->refresh_ms + CHAN_LIFE_LEFT_MS;
	for (i = 0; i < TURN_MAX_PERMS; i++)
		if (c->perm[i].used && c->perm[i].installed &&
		    sa_equal(&c->perm[i].peer, peer, false))
			r->perm_expire_ms = c->perm[i].refresh_ms +
					    PERM_LIFE_LEFT_MS;
	return STUN_OK;
}

static bool resume_family_ok(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET || ss->ss_family == AF_INET6;
}

int turn_client_resume(struct turn_client *c, const struct turn_resume *r,
		       uint64_t now_ms)
{
	uint64_t life = (uint64_t)r->lifetime * 1000, t;
	struct turn_perm *p = &c->perm[0];
	struct turn_channel *ch = &c->chan[0];

	if (c->state != TURN_IDLE || !resume_family_ok(&r->relayed) ||
	    r->peer.ss_family != r->relayed.ss_family ||
	    r->channel < TURN_CHANNEL_MIN || r->channel > TURN_CHANNEL_MAX ||
	    !r->lifetime || r->expire_ms <= now_ms ||
	    r->chan_expire_ms <= now_ms ||
	    (r->perm_expire_ms && r->perm_expire_ms <= now_ms))
		return STUN_E_INVALID;
	c->state = TURN_ALLOCATED;
	c->relayed[0] = r->relayed;
	c->nrelayed = 1;
	c->have_mapped = false;
	c->lifetime = r->lifetime;
	c->expire_ms = r->expire_ms;
	/* as schedule_refresh(): a minute early, or at half time */
	t = r->lifetime > 120 ? 60000 : life / 2;
	c->refresh_ms = r->expire_ms > now_ms + t ? r->expire_ms - t : now_ms;
	memset(p, 0, sizeof(*p));
	p->used = p->installed = true;
	sa_copy(&p->peer, (const struct sockaddr *)&r->peer);
	p->refresh_ms = r->perm_expire_ms > now_ms + PERM_LIFE_LEFT_MS ?
			r->perm_expire_ms - PERM_LIFE_LEFT_MS : now_ms;
	memset(ch, 0, sizeof(*ch));
	ch->used = ch->bound = true;
	ch->number = r->channel;
	sa_copy(&ch->peer, (const struct sockaddr *)&r->peer);
	ch->refresh_ms = r->chan_expire_ms > now_ms + CHAN_LIFE_LEFT_MS ?
			 r->chan_expire_ms - CHAN_LIFE_LEFT_MS : now_ms;
	c->next_channel = r->channel < TURN_CHANNEL_MAX ? r->channel + 1 :
							   TURN_CHANNEL_MIN;
	return STUN_OK;
}
