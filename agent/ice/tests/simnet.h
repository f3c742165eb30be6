/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-process simulated network for ICE agent tests: virtual time, latency,
 * loss, STUN servers and NATs with endpoint-independent or
 * address-and-port-dependent mapping (address-and-port-dependent
 * filtering in both cases).
 */
#ifndef KICE_SIMNET_H
#define KICE_SIMNET_H

#include "ice/ice.h"

#define SIM_MAX_SOCKS	64
#define SIM_MAX_NATS	4
#define SIM_MAX_MAPS	128
#define SIM_MAX_EPS	4
#define SIM_MAX_PKTS	4096

struct simnet;

struct sim_ep {
	struct simnet *net;
	struct ice_agent *a;
	int realm;
	unsigned int ev[ICE_EV__MAX];
	uint64_t ev_at[ICE_EV__MAX];
	uint64_t deadline;
	bool dead;			/* drops everything it would receive */
	bool mute;			/* drops everything it sends */
	unsigned int rx_data;		/* application datagrams received */
	char last_rx[64];
	unsigned int sent_req;		/* Binding requests sent */
	uint64_t first_req_at, last_req_at;
	bool echo;			/* send received data back */
};

struct sim_sock {
	struct ice_addr addr;
	int realm;
	struct sim_ep *ep;
};

struct sim_map {
	struct ice_addr inner, remote, pub;
	struct ice_addr allowed[8];
	unsigned int nallowed;
};

struct sim_nat {
	int inner_realm;
	struct ice_addr pub;		/* port unused */
	bool symmetric;
	uint16_t next_port;
	struct sim_map maps[SIM_MAX_MAPS];
	unsigned int nmaps;
};

struct sim_pkt {
	uint64_t at;
	int sock;
	struct ice_addr from;
	size_t len;
	uint8_t data[512];
};

struct simnet {
	uint64_t now;
	unsigned int latency_ms;
	unsigned int loss_pct;
	uint32_t rng;
	struct sim_sock socks[SIM_MAX_SOCKS];
	unsigned int nsocks;
	struct sim_nat nats[SIM_MAX_NATS];
	unsigned int nnats;
	struct ice_addr stun[2];
	unsigned int nstun;
	struct sim_ep eps[SIM_MAX_EPS];
	unsigned int neps;
	struct sim_pkt *pkts;
	unsigned int npkts;
	unsigned int dropped;
};

void sim_init(struct simnet *n);
void sim_free(struct simnet *n);
/* NAT in front of realm @inner with public IP @pub. Returns realm id. */
int sim_add_nat(struct simnet *n, const char *pub, bool symmetric);
void sim_add_stun(struct simnet *n, const char *ip, uint16_t port);
/* Agent in @realm with one stream of @ncomp components and host
 * candidates on each of the @nips addresses. */
struct sim_ep *sim_ep_new(struct simnet *n, const struct ice_cfg *cfg,
			  int realm, const char *const *ips, unsigned int nips,
			  unsigned int nstreams, unsigned int ncomp);
/* Give @to the credentials and candidates of @from (no start). */
void sim_signal(struct sim_ep *from, struct sim_ep *to);
/* Both ways and start both agents. */
void sim_connect(struct sim_ep *x, struct sim_ep *y);
/* Run until @done returns true or @ms of virtual time pass. */
bool sim_run(struct simnet *n, uint64_t ms,
	     bool (*done)(struct simnet *n, void *arg), void *arg);
bool sim_both_connected(struct simnet *n, void *arg);
enum ice_cand_type sim_sel_local(struct sim_ep *e, unsigned int s,
				 unsigned int c);
enum ice_cand_type sim_sel_remote(struct sim_ep *e, unsigned int s,
				  unsigned int c);
void sim_kick(struct sim_ep *e);

#endif /* KICE_SIMNET_H */
