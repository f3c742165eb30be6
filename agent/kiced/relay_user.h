/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace UDP relay: the media path when kice.ko is absent or disabled.
 *
 * A relay leg is one local UDP socket and the peer reachable through it.
 * Two legs are paired; datagrams received on one leg are sent from the
 * other leg's socket to the other leg's peer, in batches with recvmmsg()
 * and sendmmsg().  A leg may latch: the source of the first datagram it
 * receives becomes its peer (symmetric RTP through NATs).  With strict
 * source, datagrams from anyone but the peer are dropped.
 */
#ifndef KICE_KICED_RELAY_USER_H
#define KICE_KICED_RELAY_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RELAY_BATCH	32
#define RELAY_MTU	2048
/*
 * Datagrams kept per leg while its peer has not given consent, and how
 * long: enough for a DTLS flight or the first packets of media (a
 * handshake sent the moment one side connects need not wait for a
 * retransmission), never more than a few kB per leg, freed when sent.
 */
#define RELAY_HOLD_MAX	8
#define RELAY_HOLD_MS	1000

struct relay_held {
	uint64_t at_ms;
	size_t len;
	unsigned char data[];
};

struct relay_counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;	/* dropped: no peer, send failure, foreign */
};

struct relay_leg;

/* Called for STUN datagrams (RFC 8489 framing) and TURN ChannelData on a
 * leg with a hook. */
typedef void (*relay_stun_fn)(struct relay_leg *leg,
			      const struct sockaddr_storage *from,
			      const void *buf, size_t len, uint64_t now_ms);
/* Sends a datagram for the leg's peer some other way (ICE over TURN). */
typedef int (*relay_send_fn)(struct relay_leg *leg, const void *buf,
			     size_t len);

struct relay_leg {
	int fd;
	struct sockaddr_storage local;
	socklen_t local_len;
	struct sockaddr_storage peer;
	socklen_t peer_len;		/* 0 while the peer is unknown */
	bool latch;			/* learn peer from the first datagram */
	bool latched;
	bool strict;			/* drop datagrams not from peer */
	/*
	 * RFC 7675: the peer has not given consent (ICE has validated no
	 * pair towards it yet): nothing is sent to it.  What would have
	 * been is counted in @held; the first RELAY_HOLD_MAX datagrams are
	 * kept in @queue for relay_leg_unhold(), the rest dropped (counted
	 * in the sending leg's rx.errors).
	 */
	bool hold;
	uint64_t held;
	struct relay_held *queue[RELAY_HOLD_MAX];
	unsigned int nqueued;
	struct relay_leg *other;
	/*
	 * RTCP (RFC 5761 4: second byte 192-223) received on this leg goes
	 * to this leg instead of @other: a side that muxes RTP and RTCP on
	 * one port, relayed to a side that does not.  NULL: to @other.
	 */
	struct relay_leg *rtcp_other;
	/* RTCP received here is dropped (counted in rx.errors): the other
	 * side carries none */
	bool rtcp_drop;
	struct relay_counters rx;	/* received on this leg */
	struct relay_counters tx;	/* sent from this leg */
	uint64_t last_rx_ms;
	relay_stun_fn stun_fn;		/* ICE: STUN goes to the agent */
	void *stun_arg;
	uint64_t stun_rx;		/* STUN datagrams handed to stun_fn */
	relay_send_fn send_fn;		/* non-NULL: relayed, not sendmmsg */
	void *send_arg;
	/* kice.ko: the peer is reached through this TURN server's channel */
	struct sockaddr_storage turn;	/* ss_family 0: direct */
	uint16_t channel;
	uint32_t kernel_id;		/* kice.ko socket id, 0: not attached */
};

/* Open a non-blocking socket bound to @addr (port may be 0). 0 or -errno. */
int relay_leg_open(struct relay_leg *leg, const struct sockaddr *addr,
		   socklen_t len);
void relay_leg_close(struct relay_leg *leg);
void relay_leg_set_peer(struct relay_leg *leg, const struct sockaddr *addr,
			socklen_t len);
void relay_pair(struct relay_leg *a, struct relay_leg *b);
/* Is the datagram RTCP rather than RTP (RFC 5761 4)? */
bool relay_is_rtcp(const void *buf, size_t len);
uint16_t relay_leg_port(const struct relay_leg *leg);
/* Same family, address and port. */
bool relay_same_addr(const struct sockaddr_storage *a,
		     const struct sockaddr_storage *b);

/*
 * A datagram for @leg that came some other way than its socket (data a
 * TURN server relayed): counted as received on @leg and sent on to the
 * other leg's peer.
 */
void relay_leg_deliver(struct relay_leg *leg, const void *buf, size_t len,
		       uint64_t now_ms);

/*
 * Consent is given (@send: send what was kept, if not older than
 * RELAY_HOLD_MS, in order) or the leg is done with ICE (@send false:
 * drop it).  Either way the queue is emptied.  Returns how many were sent.
 */
unsigned int relay_leg_unhold(struct relay_leg *leg, bool send,
			      uint64_t now_ms);

/*
 * Relay what is queued on @leg's socket to its partner, at most @budget
 * datagrams.  Returns the number of datagrams received, or -errno.
 */
int relay_leg_pump(struct relay_leg *leg, unsigned int budget,
		   uint64_t now_ms);

#endif /* KICE_KICED_RELAY_USER_H */
