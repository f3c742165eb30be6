// SPDX-License-Identifier: GPL-2.0
/*
 * A relayed leg's TURN client across a restart of kiced (see turn_keep.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiced/log.h"
#include "kiced/relay_user.h"
#include "kiced/turn_keep.h"

/*
 * The lifetime every Refresh asks for: RFC 8656's default, what the ICE
 * agent's Allocate (without LIFETIME) was given by a server keeping to it.
 */
#define TK_LIFETIME	600

struct turn_keep {
	struct turn_client tc;
	struct relay_leg *leg;
	struct sockaddr_storage server;
	char user[TURN_KEEP_USER_MAX];
	char label[96];
	uint64_t refreshed;
	/* data of the turn_client_input() in progress */
	const void *data;
	size_t dlen;
	struct sockaddr_storage peer;
};

/* ------------------------------------------------------------------ */
/* the T record */

/* Decimal digits only, at most @max.  0 or -1. */
static int tk_u64(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s || strlen(s) > 20)
		return -1;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int turn_keep_parse_addr(const char *ip, const char *port,
		   struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	uint64_t p;

	memset(ss, 0, sizeof(*ss));
	if (tk_u64(port, 65535, &p) || !p)
		return -1;
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		return 0;
	}
	return -1;
}

void turn_keep_addr_str(const struct sockaddr_storage *ss, char *ip,
			size_t iplen, unsigned int *port)
{
	*ip = 0;
	*port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, (socklen_t)iplen);
		*port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, (socklen_t)iplen);
		*port = ntohs(sin6->sin6_port);
	}
}

int turn_keep_parse(char *const *tok, int n, struct turn_keep_rec *rec,
		    char *why, size_t whylen)
{
	struct turn_resume *r = &rec->r;
	const char *bad = NULL;
	uint64_t v;

	memset(rec, 0, sizeof(*rec));
	if (n != TURN_KEEP_FIELDS) {
		snprintf(why, whylen, "T record with %d fields, not %d", n,
			 TURN_KEEP_FIELDS);
		return -EINVAL;
	}
	if (tk_u64(tok[0], 1, &v))
		bad = "leg";
	else if ((rec->leg = (int)v, turn_keep_parse_addr(tok[1], tok[2], &rec->server)))
		bad = "TURN server address";
	else if (strcmp(tok[3], "udp"))
		bad = "TURN transport (only udp)";
	else if (!*tok[4] || strlen(tok[4]) >= sizeof(rec->user))
		bad = "TURN user";
	else if (turn_keep_parse_addr(tok[5], tok[6], &r->relayed))
		bad = "relayed address";
	else if (tk_u64(tok[7], UINT32_MAX, &v) || !v)
		bad = "allocation lifetime";
	else if ((r->lifetime = (uint32_t)v, tk_u64(tok[8], UINT64_MAX,
						    &r->expire_ms)))
		bad = "allocation expiry";
	else if (tk_u64(tok[9], TURN_CHANNEL_MAX, &v) ||
		 v < TURN_CHANNEL_MIN)
		bad = "channel number";
	else if ((r->channel = (uint16_t)v, turn_keep_parse_addr(tok[10], tok[11],
						    &r->peer)))
		bad = "channel peer";
	else if (r->peer.ss_family != r->relayed.ss_family)
		bad = "channel peer (not the relayed address's family)";
	else if (tk_u64(tok[12], UINT64_MAX, &r->perm_expire_ms))
		bad = "permission expiry";
	else if (tk_u64(tok[13], UINT64_MAX, &r->chan_expire_ms))
		bad = "channel expiry";
	if (bad) {
		snprintf(why, whylen, "bad %s in T record", bad);
		return -EINVAL;
	}
	strcpy(rec->user, tok[4]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the restored client */

static int tk_send(void *arg, const uint8_t *buf, size_t len)
{
	struct turn_keep *tk = arg;
	socklen_t sl = tk->server.ss_family == AF_INET6 ?
		       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	if (!tk->leg || tk->leg->fd < 0)
		return -EBADF;
	if (sendto(tk->leg->fd, buf, len, MSG_DONTWAIT,
		   (const struct sockaddr *)&tk->server, sl) < 0)
		return -errno;
	return 0;
}

static void tk_event(void *arg, const struct turn_event *ev)
{
	struct turn_keep *tk = arg;

	switch (ev->type) {
	case TURN_EV_DATA:
		tk->data = ev->data;
		tk->dlen = ev->len;
		tk->peer = ev->peer;
		break;
	case TURN_EV_REFRESHED:
		tk->refreshed++;
		klog_info("%s: TURN allocation refreshed (%u s)", tk->label,
			  ev->lifetime);
		break;
	case TURN_EV_PERMISSION:
	case TURN_EV_CHANNEL:
		if (ev->err) {
			klog_warn("%s: TURN %s refresh failed: %d %s",
				  tk->label, ev->type == TURN_EV_CHANNEL ?
				  "channel" : "permission", ev->code,
				  ev->reason);
			break;
		}
		tk->refreshed++;
		klog_info("%s: TURN %s refreshed", tk->label,
			  ev->type == TURN_EV_CHANNEL ? "channel" :
							"permission");
		break;
	case TURN_EV_REFRESH_FAILED:
	case TURN_EV_CLOSED:
		klog_warn("%s: TURN allocation %s: %d %s", tk->label,
			  ev->type == TURN_EV_CLOSED ? "ended" :
						       "refresh failed",
			  ev->code, ev->reason);
		break;
	default:
		break;
	}
}

struct turn_keep *turn_keep_new(const struct turn_keep_rec *rec,
				const char *password, struct relay_leg *leg,
				const char *label, uint64_t now_ms,
				char *why, size_t whylen)
{
	struct turn_cfg cfg = { .transport = STUN_TR_UDP,
				.lifetime = TK_LIFETIME };
	struct turn_keep *tk;
	int err;

	if (rec->r.expire_ms <= now_ms) {
		snprintf(why, whylen,
			 "TURN allocation expired %llu ms before the restart",
			 (unsigned long long)(now_ms - rec->r.expire_ms));
		return NULL;
	}
	if (rec->r.chan_expire_ms <= now_ms) {
		snprintf(why, whylen, "TURN channel expired before the restart");
		return NULL;
	}
	if (rec->r.perm_expire_ms && rec->r.perm_expire_ms <= now_ms) {
		snprintf(why, whylen,
			 "TURN permission expired before the restart");
		return NULL;
	}
	tk = calloc(1, sizeof(*tk));
	if (!tk) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	cfg.username = rec->user;
	cfg.password = password;
	if (turn_client_init(&tk->tc, &cfg, tk_send, tk_event, tk)) {
		snprintf(why, whylen, "TURN client: bad credentials");
		free(tk);
		return NULL;
	}
	err = turn_client_resume(&tk->tc, &rec->r, now_ms);
	if (err) {
		snprintf(why, whylen, "TURN state refused: %s",
			 stun_strerror(err));
		turn_client_free(&tk->tc);
		free(tk);
		return NULL;
	}
	tk->leg = leg;
	tk->server = rec->server;
	strcpy(tk->user, rec->user);
	snprintf(tk->label, sizeof(tk->label), "%s", label);
	/*
	 * A Refresh at once: it learns realm and nonce (401) long before the
	 * scheduled one is due, and tells early if the allocation is gone.
	 */
	turn_client_refresh(&tk->tc, TK_LIFETIME, now_ms);
	return tk;
}

void turn_keep_free(struct turn_keep *tk)
{
	if (!tk)
		return;
	turn_client_free(&tk->tc);
	free(tk);
}

int turn_keep_save(const struct turn_keep *tk, struct turn_keep_rec *rec)
{
	const struct turn_channel *ch = &tk->tc.chan[0];

	memset(rec, 0, sizeof(*rec));
	if (!ch->used ||
	    turn_client_save(&tk->tc, (const struct sockaddr *)&ch->peer,
			     &rec->r))
		return -ENOTCONN;
	rec->server = tk->server;
	strcpy(rec->user, tk->user);
	return 0;
}

bool turn_keep_from_server(const struct turn_keep *tk,
			   const struct sockaddr_storage *from)
{
	return relay_same_addr(from, &tk->server);
}

bool turn_keep_input(struct turn_keep *tk, const void *buf, size_t len,
		     uint64_t now_ms, const void **data, size_t *dlen,
		     struct sockaddr_storage *peer)
{
	tk->data = NULL;
	turn_client_input(&tk->tc, buf, len, now_ms);
	if (!tk->data)
		return false;
	*data = tk->data;
	*dlen = tk->dlen;
	*peer = tk->peer;
	tk->data = NULL;
	return true;
}

int turn_keep_send(struct turn_keep *tk, const struct sockaddr_storage *to,
		   const void *buf, size_t len)
{
	return turn_client_send(&tk->tc, (const struct sockaddr *)to, buf,
				len) ? -1 : 0;
}

void turn_keep_tick(struct turn_keep *tk, uint64_t now_ms)
{
	if (turn_client_next_timer(&tk->tc) <= now_ms)
		turn_client_tick(&tk->tc, now_ms);
}

uint64_t turn_keep_refreshed(const struct turn_keep *tk)
{
	return tk->refreshed;
}

bool turn_keep_alive(const struct turn_keep *tk)
{
	return tk->tc.state == TURN_ALLOCATED;
}
