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

#include "kiced/media.h"
#include "kiced/media_ice.h"

#define SESSION_BUCKETS	1024

struct consent;

enum call_state {
	CALL_OFFERED,
	CALL_ANSWERED,
};

struct call_media {
	char type[32];			/* "audio", "video", ... */
	char proto[64];
	struct media_stream *stream;	/* NULL for a rejected (port 0) m= */
};

struct call {
	struct call *hnext;		/* hash chain */
	struct call *prev, *next;	/* creation order */
	char *call_id;
	char *from_tag;
	char *to_tag;			/* NULL until answered */
	char *via_branch;
	enum call_state state;
	time_t created;			/* wall clock, for query */
	time_t last_signal;
	uint64_t last_activity_ms;	/* monotonic: signalling or media */
	uint64_t last_media_ms;		/* media, as of the last check */
	struct call_media *media;
	size_t nmedia;
	struct media_ice *ice[2];	/* per side (enum media_side), or NULL */
	struct consent *consent[2];	/* adopted ICE side (handover.c) */
	int ice_mode;			/* enum ng_ice of the offer */
	uint32_t flags;			/* enum ng_flag of the offer */
	char *stored;			/* state last given to the fd store */
	size_t stored_len;
};

struct session_table {
	struct call *buckets[SESSION_BUCKETS];
	struct call *head, *tail;
	size_t count;
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
/* Unlink and free a call and its media streams. */
void session_remove(struct session_table *t, struct call *c);
void session_remove_all(struct session_table *t);
/* Free the ICE agents of a call (the streams stay). */
void session_clear_ice(struct call *c);
/* Free the media of a call (ICE agents first, then the streams). */
void session_clear_media(struct call *c);
/* Every media stream of the call is relayed by kice.ko. */
bool session_in_kernel(const struct call *c);
/* Latest media or signalling activity (monotonic ms). */
uint64_t session_last_activity(const struct call *c);

#endif /* KICE_KICED_SESSION_H */
