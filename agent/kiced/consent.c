// SPDX-License-Identifier: GPL-2.0
/*
 * Consent freshness on adopted calls (see consent.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kiced/consent.h"
#include "kiced/log.h"
#include "kiced/turn_keep.h"
#include "stun/stun.h"

struct consent_leg {
	struct relay_leg *leg;
	unsigned int comp;
	uint8_t tid[STUN_TID_LEN];	/* of the check in flight */
	bool pending;
	uint64_t next_ms;		/* next check */
	uint64_t expiry_ms;		/* consent ends without an answer */
	struct turn_keep *tk;		/* relayed: through this TURN client */
};

struct consent {
	char ufrag[257];
	size_t ufrag_len;
	char pwd[257];
	struct stun_key key;	/* short-term: the local password */
	char rufrag[257];
	char rpwd[257];
	struct stun_key rkey;	/* the remote password: our checks */
	bool have_remote;
	bool controlling;
	bool lost;
	bool told;		/* consent_first_answer() said so */
	uint64_t tiebreaker;
	struct consent_leg *legs;
	size_t nlegs, cap;
	uint64_t answered, rejected, sent, confirmed;
};

static bool creds_ok(const char *ufrag, const char *pwd)
{
	return *ufrag && strlen(ufrag) < 257 && *pwd && strlen(pwd) < 257;
}

struct consent *consent_new(const char *ufrag, const char *pwd)
{
	struct consent *cs;

	if (!creds_ok(ufrag, pwd))
		return NULL;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return NULL;
	strcpy(cs->ufrag, ufrag);
	strcpy(cs->pwd, pwd);
	cs->ufrag_len = strlen(ufrag);
	if (stun_key_short_term(&cs->key, pwd, strlen(pwd))) {
		free(cs);
		return NULL;
	}
	return cs;
}

void consent_free(struct consent *cs)
{
	if (!cs)
		return;
	stun_key_free(&cs->key);
	if (cs->have_remote)
		stun_key_free(&cs->rkey);
	while (cs->nlegs)
		turn_keep_free(cs->legs[--cs->nlegs].tk);
	free(cs->legs);
	free(cs);
}

int consent_set_remote(struct consent *cs, const char *ufrag,
		       const char *pwd, bool controlling)
{
	uint8_t rnd[STUN_TID_LEN];

	if (!creds_ok(ufrag, pwd))
		return -EINVAL;
	if (cs->have_remote)
		stun_key_free(&cs->rkey);
	cs->have_remote = false;
	if (stun_key_short_term(&cs->rkey, pwd, strlen(pwd)))
		return -ENOMEM;
	strcpy(cs->rufrag, ufrag);
	strcpy(cs->rpwd, pwd);
	cs->controlling = controlling;
	if (stun_tid_new(rnd))
		return -EIO;
	memcpy(&cs->tiebreaker, rnd, sizeof(cs->tiebreaker));
	cs->have_remote = true;
	return 0;
}

void consent_creds(const struct consent *cs, const char **ufrag,
		   const char **pwd)
{
	*ufrag = cs->ufrag;
	*pwd = cs->pwd;
}

bool consent_remote(const struct consent *cs, const char **ufrag,
		    const char **pwd, bool *controlling)
{
	if (!cs->have_remote)
		return false;
	*ufrag = cs->rufrag;
	*pwd = cs->rpwd;
	*controlling = cs->controlling;
	return true;
}

uint64_t consent_answered(const struct consent *cs)
{
	return cs->answered;
}

uint64_t consent_sent(const struct consent *cs)
{
	return cs->sent;
}

uint64_t consent_confirmed(const struct consent *cs)
{
	return cs->confirmed;
}

bool consent_lost(const struct consent *cs)
{
	return cs->lost;
}

bool consent_first_answer(struct consent *cs)
{
	if (cs->told || !cs->confirmed)
		return false;
	cs->told = true;
	return true;
}

static struct consent_leg *consent_find(struct consent *cs,
					const struct relay_leg *leg)
{
	size_t i;

	for (i = 0; i < cs->nlegs; i++)
		if (cs->legs[i].leg == leg)
			return &cs->legs[i];
	return NULL;
}

/* RFC 7675 5.1: 0.8 to 1.2 times the interval */
static uint64_t consent_jitter(void)
{
	uint8_t rnd[STUN_TID_LEN];
	uint16_t r = 0;

	if (!stun_tid_new(rnd))
		memcpy(&r, rnd, sizeof(r));
	return CONSENT_INTERVAL_MS * 8 / 10 +
	       (uint64_t)r % (CONSENT_INTERVAL_MS * 4 / 10 + 1);
}

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					   sizeof(struct sockaddr_in);
}

/*
 * Sign @b with @key, finish and send it from @leg's socket, through the
 * TURN relay @tk if not NULL: 0 or -1.
 */
static int consent_send(struct relay_leg *leg, struct turn_keep *tk,
			struct stun_builder *b, struct stun_key *key,
			const struct sockaddr_storage *to)
{
	long n;

	if (stun_build_integrity(b, key) || stun_build_fingerprint(b))
		return -1;
	n = stun_build_finish(b);
	if (n <= 0)
		return -1;
	if (tk)
		return turn_keep_send(tk, to, b->buf, (size_t)n);
	return sendto(leg->fd, b->buf, (size_t)n, MSG_DONTWAIT,
		      (const struct sockaddr *)to, sa_len(to)) == n ? 0 : -1;
}

/* An answer to one of our checks: consent for another timeout. */
static void consent_on_answer(struct consent *cs, struct relay_leg *leg,
			      const struct sockaddr_storage *from,
			      const struct stun_msg *m, uint64_t now_ms)
{
	struct consent_leg *cl = consent_find(cs, leg);

	if (!cl || !cl->pending || !cs->have_remote || cs->lost ||
	    memcmp(cl->tid, m->tid, STUN_TID_LEN) ||
	    stun_msg_class(m) != STUN_SUCCESS ||
	    stun_msg_verify(m, &cs->rkey) || !leg->peer_len ||
	    !relay_same_addr(from, &leg->peer))
		return;
	cl->pending = false;
	cl->expiry_ms = now_ms + CONSENT_TIMEOUT_MS;
	cs->confirmed++;
}

/* STUN from @from, directly or (@tk) relayed by the TURN server */
static void consent_stun(struct consent *cs, struct relay_leg *leg,
			 struct turn_keep *tk,
			 const struct sockaddr_storage *from, const void *buf,
			 size_t len, uint64_t now_ms)
{
	struct stun_builder b;
	struct stun_msg m;
	char user[520];
	uint8_t out[256];

	if (stun_msg_parse(&m, buf, len))
		return;
	if (m.type != stun_type(STUN_BINDING, STUN_REQUEST)) {
		consent_on_answer(cs, leg, from, &m, now_ms);
		return;
	}
	/* RFC 8445, 7.3: USERNAME is "<our ufrag>:<their ufrag>" */
	if (stun_get_string(&m, STUN_ATTR_USERNAME, user, sizeof(user)) ||
	    strncmp(user, cs->ufrag, cs->ufrag_len) ||
	    user[cs->ufrag_len] != ':' || stun_msg_verify(&m, &cs->key)) {
		cs->rejected++;
		return;
	}
	if (!stun_build_init(&b, out, sizeof(out),
			     stun_type(STUN_BINDING, STUN_SUCCESS), m.tid) &&
	    !stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS,
			     (const struct sockaddr *)from) &&
	    !consent_send(leg, tk, &b, &cs->key, from))
		cs->answered++;
}

static void consent_on_stun(struct relay_leg *leg,
			    const struct sockaddr_storage *from,
			    const void *buf, size_t len, uint64_t now_ms)
{
	struct consent *cs = leg->stun_arg;
	struct consent_leg *cl = consent_find(cs, leg);
	struct sockaddr_storage peer;
	const void *d;
	size_t dl;

	if (!cl || !cl->tk || !turn_keep_from_server(cl->tk, from)) {
		consent_stun(cs, leg, NULL, from, buf, len, now_ms);
		return;
	}
	/* TURN responses stay in the client; relayed data comes back */
	if (!turn_keep_input(cl->tk, buf, len, now_ms, &d, &dl, &peer))
		return;
	if (stun_is_message(d, dl))
		consent_stun(cs, leg, cl->tk, &peer, d, dl, now_ms);
	else
		relay_leg_deliver(leg, d, dl, now_ms);	/* userspace relay */
}

/* Media to the peer of a relayed leg (userspace relay). */
static int consent_relay_send(struct relay_leg *leg, const void *buf,
			      size_t len)
{
	struct consent_leg *cl = leg->stun_arg ?
				 consent_find(leg->stun_arg, leg) : NULL;

	if (!cl || !cl->tk || !leg->peer_len)
		return -1;
	return turn_keep_send(cl->tk, &leg->peer, buf, len) ? -1 : (int)len;
}

/* A consent check (RFC 7675 5.1: an ICE Binding request) to the peer. */
static void consent_check(struct consent *cs, struct consent_leg *cl)
{
	struct relay_leg *leg = cl->leg;
	char user[2 * 257 + 2];
	struct stun_builder b;
	uint8_t out[512];

	if (stun_tid_new(cl->tid))
		return;
	snprintf(user, sizeof(user), "%s:%s", cs->rufrag, cs->ufrag);
	/* peer-reflexive type preference, full local preference */
	if (!stun_build_init(&b, out, sizeof(out),
			     stun_type(STUN_BINDING, STUN_REQUEST), cl->tid) &&
	    !stun_build_string(&b, STUN_ATTR_USERNAME, user) &&
	    !stun_build_u32(&b, STUN_ATTR_PRIORITY,
			    (110u << 24) | (65535u << 8) | (256u - cl->comp)) &&
	    !stun_build_u64(&b, cs->controlling ? STUN_ATTR_ICE_CONTROLLING :
						  STUN_ATTR_ICE_CONTROLLED,
			    cs->tiebreaker) &&
	    !consent_send(leg, cl->tk, &b, &cs->rkey, &leg->peer)) {
		cl->pending = true;
		cs->sent++;
	}
}

bool consent_tick(struct consent *cs, uint64_t now_ms)
{
	size_t i;

	if (cs->lost)
		return false;
	/* the relay is kept whether or not we check consent ourselves */
	for (i = 0; i < cs->nlegs; i++)
		if (cs->legs[i].tk)
			turn_keep_tick(cs->legs[i].tk, now_ms);
	if (!cs->have_remote)
		return false;
	for (i = 0; i < cs->nlegs; i++) {
		struct consent_leg *cl = &cs->legs[i];

		if (!cl->leg->peer_len || cl->leg->fd < 0) {
			cl->expiry_ms = now_ms + CONSENT_TIMEOUT_MS;
			continue;
		}
		if (now_ms >= cl->expiry_ms) {
			cs->lost = true;
			return true;
		}
		if (now_ms >= cl->next_ms) {
			consent_check(cs, cl);
			cl->next_ms = now_ms + consent_jitter();
		}
	}
	return false;
}

int consent_attach(struct consent *cs, struct relay_leg *leg,
		   unsigned int comp, uint64_t now_ms)
{
	struct consent_leg *cl = consent_find(cs, leg);
	struct turn_keep *tk = NULL;

	if (!cl) {
		if (cs->nlegs == cs->cap) {
			size_t cap = cs->cap ? cs->cap * 2 : 4;
			struct consent_leg *p = realloc(cs->legs,
							cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			cs->legs = p;
			cs->cap = cap;
		}
		cl = &cs->legs[cs->nlegs++];
	} else {
		tk = cl->tk;		/* attached again: the relay stays */
	}
	memset(cl, 0, sizeof(*cl));
	cl->tk = tk;
	cl->leg = leg;
	cl->comp = comp;
	cl->next_ms = now_ms;		/* a first check right away */
	cl->expiry_ms = now_ms + CONSENT_TIMEOUT_MS;
	leg->stun_fn = consent_on_stun;
	leg->stun_arg = cs;
	return 0;
}

void consent_detach(struct consent *cs, struct relay_leg *leg)
{
	struct consent_leg *cl = consent_find(cs, leg);

	if (cl) {
		turn_keep_free(cl->tk);
		*cl = cs->legs[--cs->nlegs];
	}
	if (leg->send_fn == consent_relay_send)
		leg->send_fn = NULL;
	if (leg->stun_arg != cs)
		return;
	leg->stun_fn = NULL;
	leg->stun_arg = NULL;
}

int consent_attach_relay(struct consent *cs, struct relay_leg *leg,
			 struct turn_keep *tk)
{
	struct consent_leg *cl = consent_find(cs, leg);

	if (!cl)
		return -ENOENT;
	turn_keep_free(cl->tk);
	cl->tk = tk;
	leg->send_fn = consent_relay_send;
	leg->send_arg = cs;
	return 0;
}

const struct turn_keep *consent_relay(const struct consent *cs,
				      const struct relay_leg *leg)
{
	size_t i;

	for (i = 0; i < cs->nlegs; i++)
		if (cs->legs[i].leg == leg)
			return cs->legs[i].tk;
	return NULL;
}
