/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kice ICE agent internals shared by the agent's source files.
 */
#ifndef KICE_ICE_INT_H
#define KICE_ICE_INT_H

#include "ice/ice.h"
#include "stun/stun.h"

#define ICE_MAX_CANDS	255	/* indices are uint8_t, 0xff = none */
#define ICE_MAX_PAIRS	255
#define ICE_NONE	0xff
/* virtual socket ids of relayed candidates */
#define ICE_MAX_RELAYS		256
#define ICE_RELAY_SOCK(i)	(-100 - (int)(i))
#define ICE_IS_RELAY_SOCK(s)	((s) <= ICE_RELAY_SOCK(0) && \
				 (s) > ICE_RELAY_SOCK(ICE_MAX_RELAYS))

struct ice_turn_sock {
	uint8_t server, stream, comp;
	int sock;
	int status;	/* 0 connected, -EINPROGRESS, or the failure */
};

struct ice_lcand {
	struct ice_addr addr;
	struct ice_addr related;	/* srflx/relay: base/host address */
	uint32_t priority;
	uint32_t foundation;
	int sock;
	uint8_t type, stream, comp;
	uint8_t base;			/* index of the host candidate */
};

struct ice_rcand {
	struct ice_addr addr;
	struct ice_addr related;
	uint32_t priority;
	uint32_t foundation;		/* hash of the peer's foundation */
	uint8_t type, stream, comp;
};

enum {
	PAIR_VALID = 1u << 0,
	PAIR_NOMINATED = 1u << 1,
	PAIR_USE_CAND = 1u << 2,	/* in-flight check carries USE-CANDIDATE */
	PAIR_NOM_ON_SUCCESS = 1u << 3,	/* peer nominated before our check */
	PAIR_TRIGGERED = 1u << 4,	/* queued as triggered check */
	PAIR_NOMINATE = 1u << 5,	/* next check should carry USE-CANDIDATE */
	PAIR_SENT_CONTROLLING = 1u << 6,/* in-flight check sent as controlling */
	PAIR_PEER_CHECKED = 1u << 7,	/* the peer's check came on this pair */
};

struct ice_pair {
	uint64_t priority;
	uint64_t deadline;		/* retransmission / timeout */
	uint64_t sent_at;		/* first transmission of the check */
	uint8_t tid[STUN_TID_LEN];
	uint16_t rto;
	uint16_t trig_seq;
	uint8_t local, remote;
	uint8_t state, stream, comp, ntx;
	uint8_t flags;
	uint8_t valid_idx;		/* the valid pair this check produced */
};

struct ice_comp {
	struct ice_addr remote;		/* data path, kept across restarts */
	int sock;
	int16_t selected;		/* pair index or -1 */
	bool have_path;
	bool consent;			/* may send on the data path */
	uint8_t consent_tid[STUN_TID_LEN];
	uint64_t consent_next;
	uint64_t consent_expiry;
};

enum ice_stream_state {
	ICE_STREAM_RUNNING,
	ICE_STREAM_COMPLETED,
	ICE_STREAM_FAILED,
};

struct ice_stream {
	uint8_t ncomp;
	uint8_t state;
	bool remote_eoc;
	bool connected;
	uint64_t all_valid_at;		/* 0: not every component valid yet */
	uint32_t rtt_ms;		/* smallest check round trip seen, 0 none */
	int8_t bundle_tag;		/* RFC 9143: stream carrying it, -1 */
	struct ice_comp comp[ICE_MAX_COMPONENTS];
};

struct ice_gtx {
	uint8_t tid[STUN_TID_LEN];
	uint8_t host, server, ntx;
	bool done;
	uint64_t deadline;
};

struct ice_agent {
	const struct ice_ops *ops;
	void *user;
	struct ice_cfg cfg;
	uint64_t tiebreaker;
	uint64_t start_time;
	uint64_t next_slot_us;		/* Ta pacing of checks, microseconds */
	uint64_t gather_slot;		/* Ta pacing of gathering */
	bool controlling;
	bool remote_lite;
	bool started;
	bool have_remote_creds;
	bool gather_started;
	bool gathering_done;
	bool connected_sent, completed_sent, failed_sent;
	uint16_t trig_seq;
	uint8_t nstreams;
	uint8_t rr;			/* round robin over check lists */
	char lufrag[ICE_UFRAG_LEN + 1];
	char lpwd[ICE_PWD_LEN + 1];
	char *rufrag, *rpwd;
	struct stun_key lkey, rkey;
	struct ice_stream *streams;
	struct ice_lcand *lc;
	struct ice_rcand *rc;
	struct ice_pair *pairs;
	struct ice_gtx *gtx;
	uint16_t nlc, nrc, npairs, ngtx;
	uint16_t caplc, caprc, cappairs;
	uint32_t prflx_seq;
	struct ice_relay **relays;
	unsigned int nrelays;
	struct ice_turn_sock *turn_socks;
	unsigned int nturn_socks;
	uint64_t relay_now;
};

/* ice_cand.c */
uint32_t ice_foundation(enum ice_cand_type type, const struct ice_addr *base,
			const struct ice_addr *server);
uint32_t ice_foundation_str(const char *s);
int ice_lcand_add(struct ice_agent *a, const struct ice_lcand *c);
int ice_rcand_add(struct ice_agent *a, const struct ice_rcand *c);
int ice_lcand_find(const struct ice_agent *a, unsigned int stream,
		   unsigned int comp, const struct ice_addr *addr);
int ice_rcand_find(const struct ice_agent *a, unsigned int stream,
		   unsigned int comp, const struct ice_addr *addr);
int ice_host_by_sock(const struct ice_agent *a, int sock);
void ice_lcand_info(const struct ice_agent *a, unsigned int i,
		    struct ice_cand_info *info);
void ice_rcand_info(const struct ice_agent *a, unsigned int i,
		    struct ice_cand_info *info);

/* ice_check.c */
int ice_pair_find(const struct ice_agent *a, unsigned int l, unsigned int r);
int ice_pair_add(struct ice_agent *a, unsigned int l, unsigned int r);
void ice_pair_local(struct ice_agent *a, unsigned int l);
void ice_pair_remote(struct ice_agent *a, unsigned int r);
void ice_pairs_reprioritise(struct ice_agent *a);
void ice_trigger(struct ice_agent *a, unsigned int p);
bool ice_send_check(struct ice_agent *a, uint64_t now);
bool ice_send_nomination(struct ice_agent *a, uint64_t now);
void ice_check_permission_ready(struct ice_agent *a, unsigned int local,
				const struct ice_addr *peer, uint64_t now);
void ice_check_retransmit_now(struct ice_agent *a, unsigned int p,
			      uint64_t now);
uint64_t ice_checks_timer(struct ice_agent *a, uint64_t now);
void ice_on_response(struct ice_agent *a, int sock,
		     const struct ice_addr *from, const struct stun_msg *m,
		     uint64_t now);
int ice_build_request(struct ice_agent *a, uint8_t *buf, size_t cap,
		      const uint8_t tid[STUN_TID_LEN], unsigned int local,
		      bool use_cand);

/* ice_respond.c */
void ice_on_request(struct ice_agent *a, int sock, const struct ice_addr *from,
		    const struct stun_msg *m, uint64_t now);

/* ice_relay.c */
void ice_relay_gather(struct ice_agent *a, uint64_t now);
bool ice_relay_pending(const struct ice_agent *a);
bool ice_relay_input(struct ice_agent *a, int sock, const struct ice_addr *from,
		     const uint8_t *buf, size_t len, uint64_t now);
int ice_relay_send(struct ice_agent *a, int vsock, const struct ice_addr *to,
		   const void *buf, size_t len);
void ice_relay_permit(struct ice_agent *a, unsigned int local,
		      const struct ice_addr *peer);
uint64_t ice_relay_timer(struct ice_agent *a, uint64_t now);
void ice_relay_free(struct ice_agent *a);

/* ice_gather.c */
void ice_gather_check_done(struct ice_agent *a);
uint64_t ice_gather_timer(struct ice_agent *a, uint64_t now);
bool ice_gather_response(struct ice_agent *a, int sock,
			 const struct stun_msg *m, uint64_t now);

/* ice_agent.c */
void ice_emit(struct ice_agent *a, enum ice_event ev, int stream);
void ice_update_selected(struct ice_agent *a, unsigned int stream,
			 unsigned int comp, uint64_t now);
void ice_update_state(struct ice_agent *a, uint64_t now);
void ice_switch_role(struct ice_agent *a);
int ice_send(struct ice_agent *a, int sock, const struct ice_addr *to,
	     const void *buf, size_t len);
uint32_t ice_rand32(void);

#endif /* KICE_ICE_INT_H */
