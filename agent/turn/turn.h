/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kice TURN client (RFC 8656).
 *
 * The client is "sans I/O": it never touches sockets.  The caller
 *  - hands every message/frame received from the server to
 *    turn_client_input() (over TCP/TLS split the byte stream with
 *    stun_frame_len() or use struct turn_conn below),
 *  - transmits what the client produces through the send callback,
 *  - calls turn_client_tick() when turn_client_next_timer() is reached,
 * and learns about results through the event callback.
 *
 * Covered: Allocate with long-term credentials (401 retry, 438 stale nonce,
 * 300 alternate server reported, 437/486/508 errors), IPv4/IPv6/dual
 * allocations, automatic Refresh before expiry, CreatePermission and
 * ChannelBind with automatic refresh, Send/Data indications, ChannelData
 * (padded to 4 bytes over TCP/TLS), Refresh with lifetime 0 on close.
 */
#ifndef KICE_TURN_H
#define KICE_TURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "stun/stun.h"

#define TURN_PORT		3478
#define TURNS_PORT		5349
#define TURN_PROTO_UDP		17

#define TURN_FAMILY_V4		0x1
#define TURN_FAMILY_V6		0x2

#define TURN_MAX_PENDING	16	/* concurrent requests */
#define TURN_MAX_PERMS		16
#define TURN_MAX_CHANNELS	16
#define TURN_CHANNEL_MIN	0x4000
#define TURN_CHANNEL_MAX	0x4FFF
#define TURN_PERM_LIFETIME	300	/* s, fixed by RFC 8656 */
#define TURN_CHANNEL_LIFETIME	600	/* s */
#define TURN_MAX_STALE_RETRIES	3

enum turn_state {
	TURN_IDLE = 0,
	TURN_ALLOCATING,
	TURN_ALLOCATED,
	TURN_CLOSING,
	TURN_CLOSED,
	TURN_FAILED,
};

enum turn_event_type {
	TURN_EV_ALLOCATED,	/* relayed[]/mapped valid */
	TURN_EV_ALLOC_FAILED,	/* err/code/reason say why */
	TURN_EV_ALTERNATE,	/* 300: reconnect to ev.peer and allocate */
	TURN_EV_REFRESHED,	/* lifetime in ev.lifetime */
	TURN_EV_REFRESH_FAILED,
	TURN_EV_PERMISSION,	/* ev.peer, ok if !err */
	TURN_EV_CHANNEL,	/* ev.peer, ev.channel, ok if !err */
	TURN_EV_DATA,		/* ev.peer, ev.data/len, ev.channel or 0 */
	TURN_EV_CLOSED,		/* allocation released (or expired) */
	TURN_EV_STALE_NONCE,	/* informational: 438 seen, retrying */
};

struct turn_event {
	enum turn_event_type type;
	int err;		/* 0 or negative enum stun_err */
	int code;		/* STUN error code from the server, or 0 */
	char reason[128];	/* server reason phrase or our explanation */
	struct sockaddr_storage peer;
	uint16_t channel;
	uint32_t lifetime;
	const uint8_t *data;
	size_t len;
};

/* Transmit one message/frame to the server.  Return 0 or -errno. */
typedef int (*turn_send_fn)(void *arg, const uint8_t *buf, size_t len);
typedef void (*turn_event_fn)(void *arg, const struct turn_event *ev);

struct turn_cfg {
	enum stun_transport transport;
	const char *username;
	const char *password;
	unsigned int families;		/* TURN_FAMILY_*, default V4 */
	uint32_t lifetime;		/* requested, 0 = server default */
	struct stun_tx_cfg tx;		/* zeros = RFC defaults */
	const char *software;		/* SOFTWARE attribute or NULL */
	bool dont_fragment;
};

struct turn_request {
	bool used;
	uint16_t method;
	struct stun_tx tx;
	bool authed;			/* carried credentials */
	unsigned int stale;		/* 438 retries */
	struct sockaddr_storage peer;	/* CreatePermission/ChannelBind */
	uint16_t channel;
	uint32_t lifetime;		/* Refresh */
	size_t len;
	uint8_t buf[2048];	/* fits maximal USERNAME/REALM/NONCE */
};

struct turn_perm {
	bool used, installed;
	struct sockaddr_storage peer;	/* port ignored */
	uint64_t refresh_ms;
};

struct turn_channel {
	bool used, bound;
	uint16_t number;
	struct sockaddr_storage peer;
	uint64_t refresh_ms;
};

struct turn_client {
	struct turn_cfg cfg;
	enum turn_state state;
	turn_send_fn send;
	turn_event_fn event;
	void *arg;
	struct stun_lt_cred cred;
	struct sockaddr_storage relayed[2];
	unsigned int nrelayed;
	struct sockaddr_storage mapped;
	bool have_mapped;
	uint32_t lifetime;
	uint64_t refresh_ms;		/* next automatic Refresh */
	uint64_t expire_ms;
	uint16_t next_channel;
	struct turn_request req[TURN_MAX_PENDING];
	struct turn_perm perm[TURN_MAX_PERMS];
	struct turn_channel chan[TURN_MAX_CHANNELS];
	uint8_t out[65536 + 4];	/* scratch for Send/ChannelData */
};

int turn_client_init(struct turn_client *c, const struct turn_cfg *cfg,
		     turn_send_fn send, turn_event_fn event, void *arg);
void turn_client_free(struct turn_client *c);

/* Send the first Allocate (without credentials; the 401 brings them). */
int turn_client_allocate(struct turn_client *c, uint64_t now_ms);
/* One complete STUN message or ChannelData frame from the server. */
int turn_client_input(struct turn_client *c, const uint8_t *buf, size_t len,
		      uint64_t now_ms);
/* Retransmissions, timeouts, scheduled refreshes. */
void turn_client_tick(struct turn_client *c, uint64_t now_ms);
/* Absolute time (ms) of the next needed turn_client_tick(). */
uint64_t turn_client_next_timer(const struct turn_client *c);

/* Install (and keep refreshed) a permission for peer's IP. */
int turn_client_permit(struct turn_client *c, const struct sockaddr *peer,
		       uint64_t now_ms);
/* Bind a channel to peer (also installs the permission); returns the
 * channel number (> 0) or a negative error. */
int turn_client_bind(struct turn_client *c, const struct sockaddr *peer,
		     uint64_t now_ms);
/* Send data to peer through the relay: ChannelData if a channel is bound,
 * else a Send indication. */
int turn_client_send(struct turn_client *c, const struct sockaddr *peer,
		     const void *data, size_t len);
/* Refresh now with the given lifetime (seconds; 0 releases). */
int turn_client_refresh(struct turn_client *c, uint32_t lifetime,
			uint64_t now_ms);
/* Release the allocation (Refresh lifetime 0). */
int turn_client_close(struct turn_client *c, uint64_t now_ms);

const char *turn_state_name(enum turn_state s);

/*
 * An allocation with one channel (and the permission of its peer) carried
 * to another client object, possibly in another process that took the
 * socket over (kiced's handover): what the new client needs to go on
 * refreshing it.  Times are on the clock of the now_ms arguments (kiced:
 * CLOCK_MONOTONIC, the same in every process of a boot).  The realm and
 * nonce are not carried: the first request without them gets a 401 (or
 * 438) and is sent again with the server's new nonce.
 */
struct turn_resume {
	struct sockaddr_storage relayed;	/* the relayed address */
	uint32_t lifetime;		/* s, as last granted */
	uint64_t expire_ms;		/* the allocation's end */
	struct sockaddr_storage peer;	/* of the channel and permission */
	uint16_t channel;		/* TURN_CHANNEL_MIN..MAX */
	uint64_t perm_expire_ms;	/* 0: none known, refresh at once */
	uint64_t chan_expire_ms;
};

/*
 * The state of @c's bound channel to @peer (address and port).  0, or
 * STUN_E_INVALID when @c is not allocated, STUN_E_NOT_FOUND when no
 * channel to @peer is bound.
 */
int turn_client_save(const struct turn_client *c, const struct sockaddr *peer,
		     struct turn_resume *r);
/*
 * Put a client fresh from turn_client_init() in the "allocated, channel
 * bound" state of @r: turn_client_tick() refreshes the allocation, the
 * permission and the channel on schedule (anything due already at once).
 * STUN_E_INVALID when @c is not idle or @r is inconsistent (families,
 * channel number, lifetime) or expired at @now_ms; @c is unchanged then.
 */
int turn_client_resume(struct turn_client *c, const struct turn_resume *r,
		       uint64_t now_ms);

/* ---------------------------------------------------------------------- */
/* Transport to the server: UDP, TCP or TLS (libssl), with stream framing. */

struct ssl_ctx_st;
struct ssl_st;

enum turn_conn_state {
	TURN_CONN_CLOSED = 0,
	TURN_CONN_CONNECTING,		/* TCP connect in progress */
	TURN_CONN_HANDSHAKE,		/* TLS handshake in progress */
	TURN_CONN_OPEN,
	TURN_CONN_FAILED,		/* err says why; close it */
};

struct turn_conn {
	int fd;
	enum stun_transport transport;
	enum turn_conn_state state;
	short want;			/* POLLIN/POLLOUT awaited, 0: none */
	uint64_t deadline_ms;		/* connect + handshake, stun_now_ms() */
	struct ssl_ctx_st *ctx;
	struct ssl_st *ssl;
	size_t rlen;
	uint8_t rbuf[65536 + 32];	/* > largest frame (65552) */
	char err[160];			/* last error, human readable */
};

/*
 * Start connecting without blocking.  Returns 0 when open already (UDP),
 * -EINPROGRESS while a TCP connect or TLS handshake goes on, or a negative
 * errno (tc->err says why; the connection is closed).  While in progress
 * wait until tc->fd is ready for tc->want (it changes between steps) or
 * tc->deadline_ms is reached, then call turn_conn_continue().  For TLS
 * the server certificate is verified against ca_file (or the system store
 * when NULL) and host (name or IP literal) unless insecure.
 */
int turn_conn_start(struct turn_conn *tc, enum stun_transport tr,
		    const struct sockaddr *server, socklen_t slen,
		    const char *host, const char *ca_file, bool insecure,
		    int timeout_ms);
/* Next step: 0 when open, -EINPROGRESS to wait again, else the failure
 * (-ECONNREFUSED, -ETIMEDOUT after the deadline, ...; tc->err says why;
 * the descriptor stays open until turn_conn_close()). */
int turn_conn_continue(struct turn_conn *tc);
/* Blocking form for tools: start, then wait for it up to timeout_ms. */
int turn_conn_open(struct turn_conn *tc, enum stun_transport tr,
		   const struct sockaddr *server, socklen_t slen,
		   const char *host, const char *ca_file, bool insecure,
		   int timeout_ms);
void turn_conn_close(struct turn_conn *tc);
/* Write one message/frame completely (once open: else -ENOTCONN).
 * 0 or negative errno. */
int turn_conn_send(struct turn_conn *tc, const uint8_t *buf, size_t len);
/* Read what is available and call fn for every complete message/frame;
 * returns frames delivered, 0 if none yet, negative errno on failure or
 * -ECONNRESET on close. */
int turn_conn_read(struct turn_conn *tc,
		   void (*fn)(void *arg, const uint8_t *buf, size_t len),
		   void *arg);
/* True if TLS holds decrypted bytes not visible to poll(). */
bool turn_conn_pending(const struct turn_conn *tc);

/* Parse "host[:port]" / "[v6]:port" into an address (numeric or DNS). */
int turn_resolve(const char *spec, uint16_t def_port,
		 struct sockaddr_storage *ss, socklen_t *slen,
		 char *host, size_t hostsz);

#endif /* KICE_TURN_H */
