/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TURN client of a relayed ICE leg, carried over a restart of kiced
 * (handover.c): the allocation, the permission and the channel of a leg
 * whose nominated pair has a relayed local candidate live on at the TURN
 * server and in kice.ko (the leg's ChannelData), so the adopting kiced
 * restores a client in the "allocated, channel bound" state on the kept
 * socket (agent/turn: turn_client_resume()), refreshes all three on
 * schedule, and carries the consent checks of the leg (consent.c) through
 * the relay.
 *
 * In the handover state text a relayed leg is one T record (after its S
 * record, before its L records), fields %-escaped as the others:
 *   T leg server-ip server-port transport user relayed-ip relayed-port
 *     lifetime expire-ms channel peer-ip peer-port perm-expire-ms
 *     chan-expire-ms
 * leg: 0 RTP, 1 RTCP; transport: "udp" (the leg's own socket); user: the
 * TURN user name (the password is [ice] turn-password of the configuration
 * when the user is [ice] turn-user); lifetime: seconds last granted;
 * *-expire-ms: ends of the allocation, the permission (0: unknown) and the
 * channel on CLOCK_MONOTONIC (ms); channel: decimal, 16384-20479.
 */
#ifndef KICE_KICED_TURN_KEEP_H
#define KICE_KICED_TURN_KEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "turn/turn.h"

#define TURN_KEEP_FIELDS	14	/* of a T record, "T" not counted */
#define TURN_KEEP_USER_MAX	128

struct turn_keep_rec {
	int leg;				/* 0 RTP, 1 RTCP */
	struct sockaddr_storage server;
	char user[TURN_KEEP_USER_MAX];
	struct turn_resume r;
};

/* A numeric IPv4/IPv6 address and a port 1-65535 into @ss: 0, or -1. */
int turn_keep_parse_addr(const char *ip, const char *port,
			 struct sockaddr_storage *ss);

/*
 * Parse the decoded fields of a T record (@n of them, after the "T").
 * 0, or -EINVAL with the reason in @why (the first bad field).
 */
int turn_keep_parse(char *const *tok, int n, struct turn_keep_rec *rec,
		    char *why, size_t whylen);
/* "ip port" of an IPv4/IPv6 address into @buf, as the T record has it. */
void turn_keep_addr_str(const struct sockaddr_storage *ss, char *ip,
			size_t iplen, unsigned int *port);

struct turn_keep;
struct relay_leg;

/*
 * A client on @leg's socket in the state of @rec, with @password; it
 * sends a Refresh at once (the first answer brings realm and nonce, and
 * shows the allocation lives), then refreshes on schedule, each time
 * asking for 600 s (the default lifetime of RFC 8656).  NULL with the
 * reason in @why (expired, inconsistent, no memory).  @label names the
 * leg in log lines.
 */
struct turn_keep *turn_keep_new(const struct turn_keep_rec *rec,
				const char *password, struct relay_leg *leg,
				const char *label, uint64_t now_ms,
				char *why, size_t whylen);
void turn_keep_free(struct turn_keep *tk);
/* The current state, to hand it on again.  0 or -ENOTCONN. */
int turn_keep_save(const struct turn_keep *tk, struct turn_keep_rec *rec);
/* Is @from the TURN server? */
bool turn_keep_from_server(const struct turn_keep *tk,
			   const struct sockaddr_storage *from);
/*
 * A datagram from the server.  Responses go to the client; data relayed
 * from a peer (ChannelData, Data indication) is returned in @data, @dlen
 * (pointing into @buf) and @peer.  true when there is such data.
 */
bool turn_keep_input(struct turn_keep *tk, const void *buf, size_t len,
		     uint64_t now_ms, const void **data, size_t *dlen,
		     struct sockaddr_storage *peer);
/* @buf to @to through the relay (ChannelData when bound).  0 or -1. */
int turn_keep_send(struct turn_keep *tk, const struct sockaddr_storage *to,
		   const void *buf, size_t len);
/* Retransmissions and the refreshes that are due. */
void turn_keep_tick(struct turn_keep *tk, uint64_t now_ms);
/* Refresh requests (Refresh, CreatePermission, ChannelBind) answered. */
uint64_t turn_keep_refreshed(const struct turn_keep *tk);
/* false once the allocation is gone (expired, refused, 437). */
bool turn_keep_alive(const struct turn_keep *tk);

#endif /* KICE_KICED_TURN_KEEP_H */
