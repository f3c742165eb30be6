/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kice-nlfuzz: structure-aware fuzzer of the "kice" generic netlink family.
 * The family's shape comes from its YNL spec (nlfuzz_spec.py turns it into
 * tables of the types below); the fuzzer keeps real state (attached UDP
 * sockets, flows between them, traffic through the flows) so that most
 * messages reach the module's handlers instead of the policy.
 */
#ifndef NLFUZZ_H
#define NLFUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "knl/knl.h"

/* ---- the spec, as tables (generated into nlfuzz_spec.h) ---- */

enum nf_kind {
	NF_K_U8, NF_K_U16, NF_K_U32, NF_K_U64,
	NF_K_S8, NF_K_S16, NF_K_S32, NF_K_S64,
	NF_K_BINARY, NF_K_STRING, NF_K_FLAG, NF_K_NEST, NF_K_PAD,
};

/* where meaningful values of an attribute come from */
enum nf_role {
	NF_R_NONE, NF_R_FD, NF_R_SOCK_ID, NF_R_FLOW_ID, NF_R_IPV4, NF_R_IPV6,
	NF_R_PORT, NF_R_CHANNEL, NF_R_ENUM,
};

struct nf_attr {
	const char *name;
	uint16_t type;
	uint8_t kind;			/* enum nf_kind */
	uint8_t role;			/* enum nf_role */
	bool multi;
	bool has_min, has_max;		/* value checks of the policy */
	long long min, max;
	int exact_len, min_len, max_len;	/* -1: none */
	int nest;			/* index in nf_sets, -1: not a nest */
	int n_enum;			/* entries of its enum, 0: none */
	bool enum_flags;
};

struct nf_set {
	const char *name;
	const struct nf_attr *attrs;
	int n;
};

struct nf_op {
	const char *name;
	uint8_t cmd;
	int set;			/* -1: none */
	bool has_do, has_dump, is_event;
	const char *mcgrp;
	const uint16_t *req, *reply, *dump_req, *dump_reply, *event;
	int n_req, n_reply, n_dump_req, n_dump_reply, n_event;
};

struct nf_const {
	const char *name;
	long long value;
};

extern const struct nf_set *const nf_spec_sets;
extern const struct nf_op *const nf_spec_ops;
extern const int nf_spec_n_sets, nf_spec_n_ops, nf_spec_version;
extern const char *const nf_spec_family;

const struct nf_attr *nf_set_attr(int set, unsigned int type);
int nf_set_max_type(int set);
const struct nf_op *nf_op_by_cmd(uint8_t cmd);
/* by the spec's names; a name the spec lacks is fatal */
int nf_set_by_name(const char *name);
const struct nf_op *nf_op_by_name(const char *name);
const struct nf_attr *nf_attr_by_name(int set, const char *name);
long long nf_const(const char *name);
/* fixed payload length of a kind, 0: variable */
int nf_kind_len(int kind);
/* module-side limits the spec's doc names (limit beyond the policy) */
bool nf_module_max(int set, const struct nf_attr *a, long long *max);

/* ---- deterministic PRNG ---- */

struct nf_rng {
	uint64_t s;
};

void nf_rng_seed(struct nf_rng *r, uint64_t seed);
uint64_t nf_rand(struct nf_rng *r);
uint32_t nf_below(struct nf_rng *r, uint32_t n);	/* [0, n) */
bool nf_chance(struct nf_rng *r, unsigned int percent);

/* ---- state: sockets, peers, flows ---- */

#define NF_MAX_RSOCK	32
#define NF_MAX_PEERS	32
#define NF_MAX_FLOWS	1024
#define NF_FLOW_CAP	256	/* beyond this, deletes are favoured */

/* a UDP socket of the relay namespace the fuzzer may attach */
struct nf_rsock {
	int fd;				/* -1: closed */
	int family;
	int type;			/* SOCK_DGRAM; others are decoys */
	int proto;
	bool v6only;
	bool bound;
	struct sockaddr_storage addr;	/* bound address */
	uint32_t id;			/* kice id while attached, 0 */
	/* where peers of side a, b send to it, per family (v4, v6) */
	struct sockaddr_storage dest[2][2];
	bool has_dest[2][2];
	int cfg;			/* its line in the socket table */
};

/* a socket in namespace a or b sending to and receiving from the relay */
struct nf_peer {
	int fd;
	int side;			/* 0: a, 1: b */
	bool turn;			/* sends ChannelData (a TURN server) */
	struct sockaddr_storage addr;
	uint16_t seq[4];
	uint32_t ts[4];
};

/* a flow as the fuzzer knows it; per leg the peer whose packets it
 * relays (the TURN server with a channel), -1: none of the peers */
struct nf_flow {
	uint32_t id;
	uint32_t sock[2];
	int src[2];
	uint16_t chan[2];
};

struct nf_counts {
	uint64_t sent, batches, acks, replies, dones, errors, no_reply;
	uint64_t pkts_directed;
	uint64_t digest;		/* FNV-1a of every message sent */
	uint64_t slow_dumps, slow_parts, slow_bad;
	uint64_t by_errno[256];
	uint64_t reached, policy, core;	/* errors' origin, acks count as reached */
	uint64_t wrong_accept, bad_offset, reply_bad, reply_extra, unexpected;
	uint64_t enobufs, timeouts, mon_events, mon_bad, mon_lost;
	uint64_t op_sent[32], op_ok[32];
	uint64_t mode_sent[3], mode_ok[3];
	uint64_t pkts_sent, pkts_recv, pkts_relay_recv, sock_churn;
};

struct nf_state {
	struct nf_rng rng;		/* messages */
	struct nf_rng trng;		/* traffic */
	struct nf_rsock rs[NF_MAX_RSOCK];
	int n_rs;
	struct nf_peer peers[NF_MAX_PEERS];
	int n_peers;
	struct nf_flow flows[NF_MAX_FLOWS];
	int n_flows;
	int max_fd;
	struct knl fz, chk, mon;	/* fuzzing, checks, monitor group */
	struct knl dmp;			/* dumps read a part per batch */
	struct nf_counts c;
	uint64_t max_packets;
	struct nf_shared *sh;		/* the traffic sender's counters */
	int sender;			/* its pid */
	bool verbose;
	bool hex;
};

/* state */
int nf_attached(struct nf_state *s, uint32_t *ids, int max);
struct nf_rsock *nf_rsock_by_id(struct nf_state *s, uint32_t id);
void nf_flow_add(struct nf_state *s, const struct nf_flow *f);
struct nf_flow *nf_flow_find(struct nf_state *s, uint32_t id);
void nf_flow_forget(struct nf_state *s, uint32_t id);
void nf_sock_forget(struct nf_state *s, uint32_t id);
int nf_resync(struct nf_state *s);

/* nlfuzz_net.c: sockets and traffic */
int nf_net_setup(struct nf_state *s, const char *ns_a, const char *ns_b);
void nf_net_traffic(struct nf_state *s, int packets);
/* read what reached the peers and (passed up) the relay's sockets */
void nf_net_drain(struct nf_state *s, bool peers, bool relay);
void nf_net_churn(struct nf_state *s);
/* can peers of @side send to the socket? */
bool nf_rsock_side(const struct nf_rsock *r, int side);
/* can a leg on the socket have a remote of @family? */
bool nf_rsock_reaches(const struct nf_rsock *r, int family);
/* a remote for a leg: a peer of @side (-1: any) mostly, or a TURN server;
 * returns the peer's index, -1 for an address of no peer */
int nf_pick_remote(struct nf_state *s, int family, int side, uint8_t *ip,
		   uint16_t *port, bool turn);
int nf_peer_by_addr(struct nf_state *s, const struct sockaddr_storage *ss);
int nf_rsock_find(struct nf_state *s, const char *ip, uint16_t port);
int nf_peer_find(struct nf_state *s, const char *ip, uint16_t port);
/* @n RTP packets from peer @p to relay socket @rs; returns the number sent */
int nf_net_send_rtp(struct nf_state *s, int p, int rs, int n, uint32_t ssrc);
/* receive on peer @p for up to @ms; returns datagrams received */
int nf_net_recv_peer(struct nf_state *s, int p, int want, int ms);

/* nlfuzz_sender.c: traffic from a child process */
struct nf_shared;
int nf_sender_start(struct nf_state *s, int pps);
void nf_sender_stop(struct nf_state *s);

/* nlfuzz_gen.c: messages */
enum { NF_MODE_VALID, NF_MODE_POLICY, NF_MODE_MUTATED };

struct nf_msg {
	uint32_t seq;
	uint32_t len;			/* nlmsg_len as sent */
	uint32_t buflen;		/* bytes in the send buffer */
	int op;				/* index in nf_ops, -1: unknown cmd */
	uint16_t flags;
	uint8_t mode;
	bool must_fail;			/* the policy or the module must refuse */
	bool dump;			/* started as a dump if accepted */
	bool answered;
	bool swallow;			/* nlmsg_len beyond the buffer: ignored */
	int rsock;			/* valid sock-attach: socket index */
	struct nf_flow flow;		/* valid flow-new, flow-set: the legs */
	uint8_t legs;			/* valid flow-set: bit i, leg i given */
	uint32_t target;		/* valid flow-del, sock-detach: the id */
	const char *why;		/* what makes it invalid, for reports */
	uint32_t off;			/* in the batch's buffer */
};

size_t nf_gen(struct nf_state *s, uint8_t *buf, size_t room,
	      struct nf_msg *m);

/* nlfuzz_nl.c: batches and replies */
#define NF_BATCH_MAX	64
void nf_batch(struct nf_state *s, int n);
void nf_monitor_drain(struct nf_state *s);
/* one part of a dump that runs across the batches */
void nf_dump_step(struct nf_state *s);
void nf_print_summary(struct nf_state *s, double secs);
int nf_check_reply(const struct nlmsghdr *nlh, const struct nf_op *op,
		   bool dump, bool event);

/* nlfuzz_check.c: consistency after the run */
int nf_final_checks(struct nf_state *s, uint64_t run_ms);

#endif
