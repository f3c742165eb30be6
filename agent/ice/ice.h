/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kice ICE agent (RFC 8445, RFC 8838 trickle, RFC 7675 consent).
 *
 * The agent core is sans-I/O: the application (or struct ice_session, which
 * adds sockets and an epoll loop) feeds it received datagrams with
 * ice_agent_recv() and calls ice_agent_timer() at the deadline it returns;
 * the agent sends through ops->send and reports progress through
 * ops->event.  Time is milliseconds on a monotonic clock chosen by the
 * caller.  One agent is one ICE session: one or more data streams (m-lines)
 * of one or two components each.
 *
 * See Documentation/ice.rst.
 */
#ifndef KICE_ICE_H
#define KICE_ICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ICE_MAX_STREAMS		8
#define ICE_MAX_COMPONENTS	2	/* RTP (1) and RTCP (2) */
#define ICE_MAX_SERVERS		4
#define ICE_UFRAG_LEN		8
#define ICE_PWD_LEN		24
#define ICE_FOUNDATION_MAX	32

/* A transport address, compact (20 bytes); port in host byte order. */
struct ice_addr {
	uint16_t family;		/* AF_INET, AF_INET6 or 0 (none) */
	uint16_t port;
	uint8_t ip[16];			/* IPv4 in the first 4 bytes */
};

enum ice_cand_type {
	ICE_CAND_HOST,
	ICE_CAND_SRFLX,
	ICE_CAND_PRFLX,
	ICE_CAND_RELAY,
};

enum ice_pair_state {
	ICE_PAIR_FROZEN,
	ICE_PAIR_WAITING,
	ICE_PAIR_IN_PROGRESS,
	ICE_PAIR_SUCCEEDED,
	ICE_PAIR_FAILED,
};

enum ice_event {
	ICE_EV_CANDIDATE,	/* new local candidate (trickle it) */
	ICE_EV_GATHERING_DONE,	/* all local candidates gathered */
	ICE_EV_CHECKING,	/* connectivity checks started */
	ICE_EV_CONNECTED,	/* every component has a nominated pair */
	ICE_EV_COMPLETED,	/* every check list finished */
	ICE_EV_FAILED,		/* a stream failed (see stream argument) */
	ICE_EV_DISCONNECTED,	/* consent lost on a selected pair */
	ICE_EV_ROLE_CHANGED,	/* role conflict resolved against us */
	ICE_EV__MAX,
};

struct ice_server {
	struct ice_addr addr;
};

/* TURN server with long-term credentials. */
enum ice_turn_transport {
	ICE_TURN_UDP,		/* from a host candidate's socket */
	ICE_TURN_TCP,		/* connection given by ice_agent_set_turn_sock() */
	ICE_TURN_TLS,
};

struct ice_turn_server {
	struct ice_addr addr;
	const char *user;
	const char *pass;
	enum ice_turn_transport transport;
	const char *tls_host;		/* name to verify, NULL: address */
	const char *ca_file;		/* NULL: system store */
	bool insecure;			/* TLS without verification (tests) */
};

/* socket ids at or below this are TURN TCP/TLS connections (ice_session) */
#define ICE_TURN_CONN_SOCK(i)	(-1000 - (int)(i))

/* Interface preference: candidates on ifname get pref (0..255, higher is
 * better).  Unlisted interfaces get default_iface_pref. */
struct ice_iface_pref {
	char ifname[16];
	uint8_t pref;
};

struct ice_cfg {
	bool controlling;		/* initial role */
	bool lite;			/* be an ICE-lite agent */
	bool aggressive;		/* aggressive nomination (RFC 5245) */
	bool trickle;			/* candidates may arrive after start */
	unsigned int ta_ms;		/* pacing, default 50 */
	unsigned int pair_limit;	/* default 100 */
	unsigned int rto_ms;		/* minimum check RTO, default 500 */
	unsigned int max_tx;		/* check transmissions, default 7 */
	unsigned int nominate_delay_ms;	/* regular nomination wait, 100 */
	unsigned int consent_interval_ms; /* default 5000 (randomised) */
	unsigned int consent_timeout_ms; /* default 30000 */
	unsigned int fail_timeout_ms;	/* checking without result, 30000 */
	unsigned int gather_rto_ms;	/* STUN server RTO, default 250 */
	unsigned int gather_max_tx;	/* STUN server transmissions, 4 */
	/* gathering */
	struct ice_server stun[ICE_MAX_SERVERS];
	unsigned int nstun;
	struct ice_turn_server turn[ICE_MAX_SERVERS];
	unsigned int nturn;
	struct ice_iface_pref iface_pref[8];
	unsigned int niface_pref;
	uint8_t default_iface_pref;	/* default 128 */
	bool ipv4, ipv6;		/* families to gather, default both */
	bool link_local, deprecated, tentative, loopback;
	const char *only_iface;		/* gather on this interface only */
};

/* Fill @cfg with the defaults documented above. */
void ice_cfg_default(struct ice_cfg *cfg);

/* What a candidate looks like to the application (for SDP). */
struct ice_cand_info {
	unsigned int stream;
	unsigned int component;
	enum ice_cand_type type;
	uint32_t priority;
	char foundation[ICE_FOUNDATION_MAX + 1];
	struct ice_addr addr;
	struct ice_addr related;	/* family 0 when none */
};

struct ice_agent;

struct ice_ops {
	/* send @len bytes from socket @sock to @to; returns bytes or -errno */
	int (*send)(void *user, int sock, const struct ice_addr *to,
		    const void *buf, size_t len);
	/* state change; @stream is the stream concerned or -1 */
	void (*event)(void *user, enum ice_event ev, int stream);
	/* non-STUN datagram received for a stream/component */
	void (*data)(void *user, unsigned int stream, unsigned int comp,
		     const void *buf, size_t len);
};

struct ice_agent *ice_agent_new(const struct ice_cfg *cfg,
				const struct ice_ops *ops, void *user,
				uint64_t now);
void ice_agent_free(struct ice_agent *a);

/* Add a stream with @ncomp components (1 or 2); returns its index. */
int ice_agent_add_stream(struct ice_agent *a, unsigned int ncomp);
/*
 * @stream has one component from now on (rtcp-mux negotiated, or the
 * peer has no component 2): component 2 is dropped, at any time.  Pairs
 * the peer's early checks made for component 1 (peer-reflexive ones,
 * triggered checks, a nomination) stand; component 2's pairs go, and its
 * local candidates are no longer paired or signalled.
 */
int ice_agent_rtcp_mux(struct ice_agent *a, unsigned int stream,
		       uint64_t now);
unsigned int ice_agent_nstreams(const struct ice_agent *a);
unsigned int ice_agent_ncomp(const struct ice_agent *a, unsigned int stream);
/*
 * BUNDLE (RFC 9143): @stream's media goes over stream @tag's transport
 * from now on.  Its pairs go and it runs no checks; it counts as
 * connected, completed or failed as @tag does.  -EINVAL for a bad index,
 * a tag that is itself bundled, or @stream == @tag.
 */
int ice_agent_bundle(struct ice_agent *a, unsigned int stream,
		     unsigned int tag, uint64_t now);
/* The tag stream @stream is bundled into, or -1. */
int ice_agent_bundled(const struct ice_agent *a, unsigned int stream);

/*
 * Add a local host candidate bound to socket @sock.  @iface_pref and
 * @addr_pref give the local preference ((iface_pref << 8) | addr_pref).
 * Returns the candidate index or -errno.
 */
int ice_agent_add_host(struct ice_agent *a, unsigned int stream,
		       unsigned int comp, int sock, const struct ice_addr *addr,
		       uint8_t iface_pref, uint8_t addr_pref);
/*
 * For a TCP or TLS TURN server: stream/component @comp of @stream reaches
 * server @server through socket id @sock (frames delivered back with
 * ice_agent_recv() on the same id, from the server's address).
 */
int ice_agent_set_turn_sock(struct ice_agent *a, unsigned int server,
			    unsigned int stream, unsigned int comp, int sock);
/*
 * State of such a connection, for one still being established: report
 * -EINPROGRESS right after ice_agent_set_turn_sock(), then 0 once it is
 * open (the Allocate is sent then) or the failure (-errno; its relayed
 * candidate is given up, gathering may finish).  @why: text or NULL.
 */
int ice_agent_turn_sock_status(struct ice_agent *a, int sock, int status,
			       const char *why, uint64_t now);
/* Start server-reflexive gathering from every host candidate. */
void ice_agent_gather(struct ice_agent *a, uint64_t now);
bool ice_agent_gathering_done(const struct ice_agent *a);

/* Local candidates, in gathering order. */
unsigned int ice_agent_nlocal(const struct ice_agent *a);
int ice_agent_local(const struct ice_agent *a, unsigned int i,
		    struct ice_cand_info *info);
/* Default candidate of a component (srflx > host), for c=/m=. */
int ice_agent_default(const struct ice_agent *a, unsigned int stream,
		      unsigned int comp, struct ice_cand_info *info);

void ice_agent_local_creds(const struct ice_agent *a, const char **ufrag,
			   const char **pwd);
int ice_agent_set_remote_creds(struct ice_agent *a, const char *ufrag,
			       const char *pwd);
/* NULL until remote credentials are set */
const char *ice_agent_remote_ufrag(const struct ice_agent *a);
/* The remote password, NULL until remote credentials are set. */
const char *ice_agent_remote_pwd(const struct ice_agent *a);
void ice_agent_set_remote_lite(struct ice_agent *a, bool lite);
bool ice_agent_controlling(const struct ice_agent *a);
/* Set the role before ice_agent_start() (-EBUSY after). */
int ice_agent_set_controlling(struct ice_agent *a, bool controlling);
bool ice_agent_is_lite(const struct ice_agent *a);

/* Add a remote candidate; foundation as written by the peer. */
int ice_agent_add_remote(struct ice_agent *a, const struct ice_cand_info *c,
			 uint64_t now);
/* The peer sent end-of-candidates for @stream (-1: all streams). */
void ice_agent_remote_eoc(struct ice_agent *a, int stream, uint64_t now);

/* Begin checks; remote credentials must be set. */
int ice_agent_start(struct ice_agent *a, uint64_t now);

/* A datagram arrived on @sock from @from. */
void ice_agent_recv(struct ice_agent *a, int sock, const struct ice_addr *from,
		    const uint8_t *buf, size_t len, uint64_t now);
/* Run timers due at @now; returns the next deadline (UINT64_MAX: none). */
uint64_t ice_agent_timer(struct ice_agent *a, uint64_t now);
/*
 * The same with the time in microseconds (the clock of the millisecond
 * calls, times 1000): checks are then paced exactly Ta apart rather than
 * to the millisecond.  Returns the next deadline in microseconds.
 */
uint64_t ice_agent_timer_us(struct ice_agent *a, uint64_t now_us);

/*
 * For media relayed elsewhere (kice.ko) on a selected pair whose local
 * candidate is relayed: bind a TURN channel to the remote on that server
 * (the agent keeps it, the permission and the allocation refreshed).
 * 0 with the server's address and the channel number once bound,
 * -EINPROGRESS while binding, -ENOENT when the local candidate is not
 * relayed, -ENOTCONN when nothing is selected, -ENOSPC when no channel.
 */
int ice_agent_relay_channel(struct ice_agent *a, unsigned int stream,
			    unsigned int comp, struct sockaddr_storage *server,
			    uint16_t *channel);

struct turn_resume;
/*
 * The TURN state behind ice_agent_relay_channel()'s channel, for another
 * process to go on refreshing it (turn_client_save()): the channel to
 * @peer (NULL: to the selected pair's remote candidate; a relay leg's
 * peer is what kice.ko sends to, which the selection may have left
 * behind).  0, or as ice_agent_relay_channel() (-EINPROGRESS: no such
 * channel bound).
 */
int ice_agent_relay_save(struct ice_agent *a, unsigned int stream,
			 unsigned int comp, const struct sockaddr *peer,
			 struct turn_resume *r);

/* Send application data on the selected pair; -ENOTCONN without consent. */
int ice_agent_send(struct ice_agent *a, unsigned int stream, unsigned int comp,
		   const void *buf, size_t len);

/* ICE restart: new local credentials; media stays on the current pair
 * until a new one is nominated.  Remote state is cleared. */
int ice_agent_restart(struct ice_agent *a, uint64_t now);

/*
 * Controlled side: take the pair of local and remote candidates at these
 * addresses as the selected pair of a component, as the controlling side
 * decided (a=remote-candidates).  -EPERM when controlling, -ENOENT when
 * either candidate is unknown.
 */
int ice_agent_use_pair(struct ice_agent *a, unsigned int stream,
		       unsigned int comp, const struct ice_addr *local,
		       const struct ice_addr *remote, uint64_t now);

/* Selected (nominated) pair of a component; -ENOENT if none. */
int ice_agent_selected(const struct ice_agent *a, unsigned int stream,
		       unsigned int comp, struct ice_cand_info *local,
		       struct ice_cand_info *remote);

/* Introspection for tests and kicectl. */
struct ice_pair_info {
	unsigned int stream, component;
	enum ice_pair_state state;
	uint64_t priority;
	bool valid, nominated;
	int local, remote;		/* candidate indices */
};
unsigned int ice_agent_npairs(const struct ice_agent *a);
int ice_agent_pair(const struct ice_agent *a, unsigned int i,
		   struct ice_pair_info *p);
unsigned int ice_agent_nremote(const struct ice_agent *a);
int ice_agent_remote(const struct ice_agent *a, unsigned int i,
		     struct ice_cand_info *info);
size_t ice_agent_mem(const struct ice_agent *a);

/* RFC 8445 5.1.2.1 and 6.1.2.3 */
uint32_t ice_priority(enum ice_cand_type type, uint16_t local_pref,
		      unsigned int component);
uint64_t ice_pair_priority(uint32_t controlling, uint32_t controlled);

const char *ice_event_name(enum ice_event ev);
const char *ice_cand_type_name(enum ice_cand_type t);
const char *ice_pair_state_name(enum ice_pair_state s);

/* Address helpers */
int ice_addr_from_sa(struct ice_addr *a, const struct sockaddr *sa);
socklen_t ice_addr_to_sa(const struct ice_addr *a, struct sockaddr_storage *ss);
int ice_addr_parse(struct ice_addr *a, const char *ip, uint16_t port);
bool ice_addr_eq(const struct ice_addr *a, const struct ice_addr *b);
bool ice_addr_ip_eq(const struct ice_addr *a, const struct ice_addr *b);
bool ice_addr_is_link_local(const struct ice_addr *a);
/* "1.2.3.4" / "2001:db8::1" (no port) */
const char *ice_addr_ip_str(const struct ice_addr *a, char *buf, size_t sz);
/* "1.2.3.4:5" / "[2001:db8::1]:5" */
const char *ice_addr_str(const struct ice_addr *a, char *buf, size_t sz);
#define ICE_ADDRSTRLEN 64

#endif /* KICE_ICE_H */
