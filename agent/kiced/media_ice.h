/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICE on one side of a call: an agent (agent/ice) whose host candidates are
 * the side's RTP/RTCP sockets.  STUN arriving on those sockets goes to the
 * agent, everything else keeps flowing through the relay; when a pair is
 * nominated its remote address becomes the leg's peer, and when consent
 * is lost the leg stops sending.
 */
#ifndef KICE_KICED_MEDIA_ICE_H
#define KICE_KICED_MEDIA_ICE_H

#include <stdbool.h>

#include "kiced/loop.h"
#include "kiced/media.h"

struct sdp_session;

#define MEDIA_ICE_MID_MAX	32

/* How a wait for a working media path ended (media_ice_on_connected()). */
enum media_ice_wait {
	MEDIA_WAIT_CONNECTED,
	MEDIA_WAIT_FAILED,
	MEDIA_WAIT_TIMEOUT,
	MEDIA_WAIT_GONE,
};

struct media_ice {
	struct ice_agent *agent;
	struct loop *loop;
	int timerfd;
	struct loop_watch timer_w;
	enum media_side side;
	struct media_stream **streams;	/* one per ICE stream, not owned */
	unsigned int nstreams;
	bool started;
	bool connected;
	bool failed;
	bool counted;			/* its outcome is in media_ice_totals */
	uint64_t started_ms;		/* checks began */
	bool trickle;
	bool chan_wait;			/* a relayed leg waits for its channel */
	unsigned int nominations;	/* pairs installed on legs */
	char (*mid)[MEDIA_ICE_MID_MAX + 1]; /* peer's a=mid per stream */
	uint64_t gather_end;		/* the description waits until then */
	/* media_ice_on_gathered() */
	void (*gathered)(void *arg, struct media_ice *mi, bool alive);
	void *gathered_arg;
	/* media_ice_on_connected() */
	void (*conn_fn)(void *arg, enum media_ice_wait result);
	void *conn_arg;
	uint64_t conn_end;
};

/*
 * ICE outcomes since the start, over every agent (for metrics): the time
 * from the first checks to the first connected pair, in histogram
 * buckets of MEDIA_ICE_SETUP_BUCKETS (ms, the last one unbounded).
 */
#define MEDIA_ICE_SETUP_BUCKETS	{ 10, 25, 50, 100, 250, 500, 1000, 2500, \
				  5000, 10000 }
#define MEDIA_ICE_NBUCKETS	11
struct media_ice_totals {
	uint64_t connected;		/* sides that connected */
	uint64_t failed;		/* sides that failed first */
	uint64_t consent_lost;		/* consent lost on a connected side */
	uint64_t setup[MEDIA_ICE_NBUCKETS];	/* not cumulative */
	uint64_t setup_ms_sum;
};
const struct media_ice_totals *media_ice_totals(void);

/*
 * Create an agent for @side of @streams (every one must be open).  Returns
 * NULL with *err set to a reason.
 */
struct media_ice *media_ice_new(struct loop *loop,
				struct media_stream **streams,
				unsigned int nstreams, enum media_side side,
				bool controlling, bool trickle,
				const char **err);
void media_ice_free(struct media_ice *mi);

/*
 * The offer or answer carries every candidate (no trickle towards a SIP
 * peer): with STUN/TURN servers, the description waits for their answers,
 * at most [ice] gather-wait from the agent's creation.  True while it
 * should wait.
 */
bool media_ice_gathering(const struct media_ice *mi);
/* Wait for that holding the daemon's loop (callers that cannot defer). */
void media_ice_wait_gathering(struct media_ice *mi);
/*
 * Call @fn once when gathering is done or its wait is over (@alive true),
 * or when @mi is freed before (@alive false: @mi must not be used).  One
 * callback per agent; @fn NULL cancels.
 */
void media_ice_on_gathered(struct media_ice *mi,
			   void (*fn)(void *arg, struct media_ice *mi,
				      bool alive),
			   void *arg);

/*
 * Call @fn once when the side is connected (every stream has a nominated
 * pair: media works), when ICE failed, when @ms have passed, or when @mi
 * is freed before (MEDIA_WAIT_GONE: @mi must not be used).  At once when
 * it is connected or failed already.  @fn NULL cancels.
 */
void media_ice_on_connected(struct media_ice *mi,
			    void (*fn)(void *arg, enum media_ice_wait result),
			    void *arg, unsigned int ms);
/* "working", "checking" or "failed": does media work on the side? */
const char *media_ice_media_path(const struct media_ice *mi);

/*
 * BUNDLE (RFC 9143): the streams description @s bundles go over their
 * tag's transport (ice_sdp_bundle(); @final: @s is the answer).  Their
 * media is relayed on the tag's ports; they are not offloaded apart.
 */
void media_ice_bundle(struct media_ice *mi, const struct sdp_session *s,
		      bool final);

/* Write credentials and candidates into a description for the peer. */
int media_ice_describe(struct media_ice *mi, struct sdp_session *s);
/* Check a peer description without changing anything: 0 or -err. */
int media_ice_check(struct media_ice *mi, const struct sdp_session *s);
/*
 * Apply the peer's description and start checks.  With @accept_mux, a
 * media section with a=rtcp-mux gets one component (we offered it, or
 * accept it); a peer that gives no component-2 candidates gets one in any
 * case (RFC 8445, RFC 8839).  Those streams' side then muxes RTCP
 * (media_side_set_mux()).  0 or -err.
 */
int media_ice_apply(struct media_ice *mi, const struct sdp_session *s,
		    bool accept_mux);
/*
 * Stream @stream goes down to one component (rtcp-mux decided): before
 * the description (its RTCP candidates are not written), or after checks
 * began (what component 1 learnt stands).
 */
void media_ice_mux(struct media_ice *mi, unsigned int stream);
/* Components of @stream: 2, or 1 once it muxes. */
unsigned int media_ice_ncomp(const struct media_ice *mi, unsigned int stream);
/*
 * Add the candidates of a trickle ICE SDP fragment (RFC 8840,
 * application/trickle-ice-sdpfrag) from the peer: a=ice-ufrag (required,
 * must be the peer's current one), a=ice-pwd, and per m= line (matched by
 * a=mid, else by position) a=candidate and a=end-of-candidates lines; a
 * session-level a=end-of-candidates ends all streams.  Everything is
 * checked before anything is added: on error (NULL returned otherwise)
 * the agent is unchanged and the reason is in @buf.
 */
const char *media_ice_trickle(struct media_ice *mi, const char *frag,
			      size_t len, char *buf, size_t blen);

/*
 * The nominated pair of @st's RTP component, "TYPE ADDR:PORT -> TYPE
 * ADDR:PORT" (local, then remote), into @buf.  0, or -ENOENT if none.
 */
int media_ice_pair(const struct media_ice *mi, const struct media_stream *st,
		   char *buf, size_t len);
const char *media_ice_strerror(int err);
/* "new", "checking", "connected" or "failed" */
const char *media_ice_state(const struct media_ice *mi);

/* Does the description carry ICE credentials? */
bool media_sdp_has_ice(const struct sdp_session *s);

#endif /* KICE_KICED_MEDIA_ICE_H */
