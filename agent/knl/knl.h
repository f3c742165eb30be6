/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knl: client of the "kice" generic netlink family (kice.ko), shared by
 * kiced and kicectl.  Synchronous requests (attach, flows, dumps) and the
 * "monitor" multicast group.  All functions return 0 or -errno; after a
 * failed request, knl.extack holds the kernel's message if it sent one.
 */
#ifndef KICE_KNL_KNL_H
#define KICE_KNL_KNL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct knl {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t mcgrp;			/* "monitor" group id, 0: none */
	uint32_t portid;
	uint32_t seq;
	char extack[256];
	int extack_attrs;		/* attributes in the last error's ACK */
};

/* One side of a flow to install: an attached socket and its remote, and
 * for a pair relayed through TURN the server and the channel bound to the
 * remote there (turn NULL: direct).  Socket 0 is left out of the request
 * (flow-set: the leg keeps its socket). */
struct knl_leg {
	uint32_t sock;
	const struct sockaddr *remote;
	const struct sockaddr *turn;
	uint16_t channel;
};

struct knl_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rtcp_packets, rtcp_bytes, dtls_packets, stun_passed;
	uint64_t drop_malformed, drop_unknown, drop_tx;
	int64_t last_rx_age_ms;		/* -1: nothing received yet */
};

/* A flow as the kernel reports it (flow-get, dump, new/del events). */
/* A flow's legs: a, b, and b's RTCP leg where a muxes (leg-b-rtcp). */
#define KNL_NLEGS	3

struct knl_flow_info {
	uint32_t id;
	bool has_b_rtcp;		/* leg[2] is there */
	struct {
		uint32_t sock;
		struct sockaddr_storage remote;
		struct sockaddr_storage turn;	/* ss_family 0: direct */
		uint16_t channel;
		struct knl_stats st;
	} leg[KNL_NLEGS];
	uint32_t dtls_policy;
	int dscp;			/* -1: unchanged */
	uint32_t idle_ms;		/* 0: no idle events */
};

struct knl_sock_info {
	uint32_t id;
	uint16_t family;		/* AF_INET, AF_INET6 */
	uint16_t port;
	uint32_t unknown_policy;
	uint64_t stun_passed, unknown_passed, unknown_dropped;
	uint32_t flows;
};

/* A message of the monitor group. */
struct knl_event {
	uint8_t cmd;			/* KICE_CMD_*_NTF */
	uint32_t flow_id, sock_id;	/* 0: absent */
	int leg;			/* 0 or 1, -1: absent */
	struct sockaddr_storage addr;	/* source mismatch */
	uint32_t ssrc, old_ssrc;
	uint32_t idle_ms;
	struct knl_flow_info flow;	/* flow new/del */
};

/* -ENOENT: family "kice" not registered (module not loaded). */
int knl_open(struct knl *k);
void knl_close(struct knl *k);
int knl_fd(const struct knl *k);

/* Unknown datagrams (no flow matches) are passed up to the socket. */
int knl_sock_attach(struct knl *k, int fd, uint32_t *id);
/* @policy: KICE_UNKNOWN_POLICY_PASS or _DROP. */
int knl_sock_attach_policy(struct knl *k, int fd, uint32_t policy,
			   uint32_t *id);
int knl_sock_detach(struct knl *k, uint32_t id);
/* @idle_ms: 0 for no idle events. */
int knl_flow_new(struct knl *k, const struct knl_leg *a,
		 const struct knl_leg *b, uint32_t idle_ms, uint32_t *id);
/*
 * The same with b's RTCP leg @b_rtcp (NULL: none): side a muxes RTP and
 * RTCP on one port, side b does not; the module demultiplexes.
 */
int knl_flow_new_demux(struct knl *k, const struct knl_leg *a,
		       const struct knl_leg *b, const struct knl_leg *b_rtcp,
		       uint32_t idle_ms, uint32_t *id);
/* New remotes on the same sockets, atomically (no media gap). */
int knl_flow_set(struct knl *k, uint32_t id, const struct knl_leg *a,
		 const struct knl_leg *b);
/* ... and of b's RTCP leg (NULL: unchanged). */
int knl_flow_set_demux(struct knl *k, uint32_t id, const struct knl_leg *a,
		       const struct knl_leg *b, const struct knl_leg *b_rtcp);
int knl_flow_del(struct knl *k, uint32_t id);
int knl_flow_get(struct knl *k, uint32_t id, struct knl_flow_info *f);
/*
 * Create @n flows, legs[2 * i] and legs[2 * i + 1] being flow i's legs a
 * and b, pipelined (up to KNL_BATCH requests per send).  @ids (may be
 * NULL) gets the new ids.  Returns 0 or the first error; requests after a
 * failed one are still made.
 */
#define KNL_BATCH 64
int knl_flow_new_batch(struct knl *k, const struct knl_leg *legs, size_t n,
		       uint32_t *ids);
/* Counters of a flow's legs; -ENOENT once the flow is gone. */
int knl_flow_stats(struct knl *k, uint32_t id, struct knl_stats *a,
		   struct knl_stats *b);
/* Counters of legs a, b and b's RTCP leg (zero where it has none). */
int knl_flow_leg_stats(struct knl *k, uint32_t id,
		       struct knl_stats st[KNL_NLEGS]);

/* Dumps: @cb runs once per object; a non-zero return stops early. */
int knl_flow_dump(struct knl *k,
		  int (*cb)(const struct knl_flow_info *f, void *arg),
		  void *arg);
int knl_sock_dump(struct knl *k,
		  int (*cb)(const struct knl_sock_info *s, void *arg),
		  void *arg);

/* Join the monitor group (a socket used for nothing else is best). */
int knl_monitor_join(struct knl *k);
/*
 * Receive one datagram of events (blocking unless the socket is made
 * non-blocking) and run @cb on each.  -ENOBUFS: events were lost.
 */
int knl_monitor_recv(struct knl *k,
		     void (*cb)(const struct knl_event *ev, void *arg),
		     void *arg);
/* "flow-new", "flow-del", "idle", "src-mismatch", "ssrc-change" */
const char *knl_event_name(uint8_t cmd);

/*
 * Raw messages, for tools and tests that build requests themselves
 * (malformed ones included) or print attributes as they come.
 */
struct nlmsghdr;
typedef int (*knl_msg_cb)(const struct nlmsghdr *nlh, void *arg);

/* Header of a kice request in @buf (MNL_SOCKET_BUFFER_SIZE bytes);
 * @flags are added to NLM_F_REQUEST. */
struct nlmsghdr *knl_req(struct knl *k, void *buf, uint8_t cmd,
			 uint16_t flags);
/* @leg as a nest of type @type. */
void knl_put_leg(struct nlmsghdr *nlh, uint16_t type,
		 const struct knl_leg *leg);
/* Send @nlh and run @cb (may be NULL) on every reply up to the ACK or the
 * end of the dump.  0 or -errno, knl.extack as for the other requests. */
int knl_request(struct knl *k, struct nlmsghdr *nlh, knl_msg_cb cb,
		void *arg);
/* The id attribute (sock or flow, type 1) of a reply; 0: none. */
uint32_t knl_msg_id(const struct nlmsghdr *nlh);
/* knl_monitor_recv() with the messages as they came. */
int knl_monitor_recv_raw(struct knl *k, knl_msg_cb cb, void *arg);

#endif /* KICE_KNL_KNL_H */
