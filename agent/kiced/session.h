/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session (call) table, keyed by call-id; each call records the from-tag
 * of its offer and the to-tag of its answer, and owns one media stream
 * per m= line.
 */
#ifndef KICE_KICED_SESSION_H
#define KICE_KICED_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "kiced/log.h"
#include "kiced/media.h"
#include "kiced/media_ice.h"

#define SESSION_BUCKETS	1024

struct consent;

/* Warnings about one call that may repeat: logged once, then counted. */
enum call_warn {
	CALL_WARN_STATE_SIZE,		/* state too large for the fd store */
	CALL_WARN_USERSPACE,		/* media stays in userspace */
	CALL_WARN__COUNT,
};

enum call_state {
	CALL_OFFERED,
	CALL_ANSWERED,
};

struct call_media {
	char type[32];			/* "audio", "video", ... */
	char proto[64];
	struct media_stream *stream;	/* NULL for a rejected (port 0) m= */
	/*
	 * rtcp-mux (RFC 5761, RFC 8858) as the latest offer left it; "a" is
	 * the offerer's side and "b" the answerer's (call.offerer says which)
	 */
	bool mux_offered_a;		/* the offerer offered it */
	bool mux_must_a;		/* ... and cannot do without */
	bool mux_offered_b;		/* we offered it to the answerer */
	bool mux_required_b;		/* ... as accepted already */
};

struct call {
	struct call *hnext;		/* hash chain */
	struct call *prev, *next;	/* creation order */
	/*
	 * Client strings, NUL-terminated copies that keep the length they
	 * came with: hashing and comparison go by the length only.
	 */
	char *call_id;
	size_t call_id_len;
	char *from_tag;
	size_t from_tag_len;
	char *to_tag;			/* NULL until answered */
	size_t to_tag_len;
	char *via_branch;		/* NULL when none was given */
	size_t via_branch_len;
	enum call_state state;
	enum media_side offerer;	/* the party of the latest offer */
	time_t created;			/* wall clock, for query */
	time_t last_signal;
	uint64_t last_activity_ms;	/* monotonic: signalling or media */
	uint64_t last_media_ms;		/* media, as of the last check */
	uint64_t delete_at_ms;		/* "delete delay": removed then (0: not) */
	struct call_media *media;
	size_t nmedia;
	struct media_ice *ice[2];	/* per side (enum media_side), or NULL */
	struct consent *consent[2];	/* adopted ICE side (handover.c) */
	int ice_mode;			/* enum ng_ice of the offer */
	uint32_t flags;			/* enum ng_flag of the offer */
	uint32_t rtcp_mux;		/* enum ng_rtcp_mux of the offer */
	char *stored;			/* state last given to the fd store */
	size_t stored_len;
	struct klog_once warn[CALL_WARN__COUNT];
};

struct session_table {
	struct call *buckets[SESSION_BUCKETS];
	struct call *head, *tail;
	size_t count;
	/* media of the calls removed so far: RTP, RTCP (for totals) */
	struct relay_counters ended[2];
	/* called by session_remove() before the call is freed */
	void (*on_remove)(void *arg, struct call *c);
	void *on_remove_arg;
};

void session_table_init(struct session_table *t);
struct call *session_find(struct session_table *t, const char *call_id,
			  size_t len);
/* New call with no media; NULL on ENOMEM. */
struct call *session_add(struct session_table *t, const char *call_id,
			 size_t len, const char *from_tag, size_t from_len);
/* Is @tag (of @len bytes) the call's from-tag, or its to-tag? */
bool session_is_from(const struct call *c, const char *tag, size_t len);
bool session_is_to(const struct call *c, const char *tag, size_t len);
/* Replace the to-tag or via-branch (NULL: none); 0, or -1 on ENOMEM. */
int session_set_to_tag(struct call *c, const char *tag, size_t len);
int session_set_via_branch(struct call *c, const char *branch, size_t len);
/*
 * Unlink and free a call and its media streams (saying how often its
 * warnings repeated).
 */
void session_remove(struct session_table *t, struct call *c);
void session_remove_all(struct session_table *t);
/* Free the ICE agents of a call (the streams stay). */
void session_clear_ice(struct call *c);
/* Free the media of a call (ICE agents first, then the streams). */
void session_clear_media(struct call *c);
/* Add what the call's media received, by component (RTP, RTCP), to @tot. */
void session_media_totals(const struct call *c, struct relay_counters tot[2]);
/* Every media stream of the call is relayed by kice.ko. */
bool session_in_kernel(const struct call *c);
/* Latest media or signalling activity (monotonic ms). */
uint64_t session_last_activity(const struct call *c);

#endif /* KICE_KICED_SESSION_H */
