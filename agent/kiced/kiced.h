/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kiced daemon state shared by the control server and the command
 * handlers.
 */
#ifndef KICE_KICED_KICED_H
#define KICE_KICED_KICED_H

#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "ctl/bencode.h"
#include "ctl/ng.h"
#include "ctl/ng_cache.h"
#include "kiced/config.h"
#include "kiced/kernel.h"
#include "kiced/loop.h"
#include "kiced/media.h"
#include "kiced/session.h"

struct kiced_stats {
	uint64_t commands[NG_CMD__COUNT];
	uint64_t errors;		/* error replies */
	uint64_t replays;		/* retransmissions answered from cache */
	uint64_t malformed;		/* datagrams without a valid cookie */
	uint64_t managed;		/* calls created */
	uint64_t rejected;		/* offers refused (limit, bad SDP...) */
	uint64_t timed_out;
	uint64_t deleted;
	uint64_t idle_events;		/* calls ended by kernel idle events */
};

/* The request being handled: where its reply goes (control.c). */
struct ng_origin {
	int fd;				/* control socket, -1: reply now */
	struct sockaddr_storage src;
	socklen_t src_len;
	char key[NG_COOKIE_MAX + sizeof(struct sockaddr_storage)];
	size_t key_len;			/* replay cache key: cookie, src */
	size_t cookie_len;
	bool json;			/* request (and reply) body is JSON */
	bool deferred;			/* the reply comes later */
};

struct ng_pending;
struct media_ice;
struct sdp_session;

struct kiced {
	struct kiced_config cfg;
	struct loop loop;
	struct media_env media;
	struct session_table calls;
	struct ng_cache *cache;
	int udp_fd;
	int unix_fd;
	struct loop_watch udp_w;
	struct loop_watch unix_w;
	struct knl mon;			/* kice.ko monitor group (kernel.c) */
	struct loop_watch mon_w;
	void *metrics;			/* the HTTP endpoint (metrics_http.c) */
	struct loop_watch metrics_w;
	struct ho_store *store;		/* fd store (handover.c), or NULL */
	struct ng_origin *origin;	/* while a request is handled */
	struct ng_pending *pending;	/* replies waiting for gathering */
	struct kiced_stats stats;
	struct klog_once warn_load_limit;	/* offers over max-sessions */
	/*
	 * While a command is handled (commands.c): why it was refused, and
	 * what of it was not done (logged, and the reply's "warning").
	 */
	char refused[192];
	char warning[256];
	/* the flag "loop protect": a=rtpengine:<this> marks what we wrote */
	char instance[17];
	time_t started;
	uint64_t started_ms;
};

/*
 * Handle one request datagram from @src; the reply (cookie included) goes
 * to @reply.  Returns 0 when a reply was built, -1 when the datagram must
 * be dropped (no usable cookie).
 */
int kiced_process(struct kiced *k, const char *msg, size_t len,
		  const void *src, size_t src_len, struct bn_buf *reply);
/*
 * The same for a datagram that came in on control socket @fd: an offer or
 * answer whose candidates are still being gathered returns 1 and leaves
 * @reply empty; its reply goes to @src through @fd once they are.
 */
int kiced_process_from(struct kiced *k, int fd, const char *msg, size_t len,
		       const void *src, size_t src_len, struct bn_buf *reply);
/*
 * For a command handler: reply to the current request with description @s
 * (taken over) once @mi has gathered.  0 when deferred; -1 when it need
 * not or cannot be (then it has waited for @mi if needed, and @s is the
 * caller's still).
 */
int kiced_defer_sdp(struct kiced *k, struct media_ice *mi,
		    struct sdp_session *s);
/*
 * For an answer with the flag "wait-media": reply to the current request
 * with description @s (taken over, already described) once ICE side @mi
 * connects, fails or [ice] media-wait passes; the reply says which in
 * "media path".  0 when deferred; -1 when it cannot be.
 */
int kiced_defer_media(struct kiced *k, struct media_ice *mi,
		      struct sdp_session *s);
/* Drop pending replies unsent (shutdown). */
void kiced_pending_free(struct kiced *k);

/* Command handlers (commands.c): append result members to an open dict. */
void kiced_command(struct kiced *k, const struct ng_request *req,
		   struct ng_str cookie, struct bn_buf *reply);
/* The "ok" reply carrying @s, with "media path" unless NULL. */
int kiced_reply_sdp(struct kiced *k, struct bn_buf *b, struct ng_str ck,
		    const struct sdp_session *s, const char *media_path);
/* The "ok" reply carrying @s with @mi's credentials and candidates. */
void kiced_reply_described(struct kiced *k, struct media_ice *mi,
			   struct sdp_session *s, struct ng_str cookie,
			   struct bn_buf *reply);

/* Control sockets (control.c). */
int control_open(struct kiced *k);
void control_close(struct kiced *k);

/* Periodic work: cache expiry and session timeouts. */
void kiced_tick(void *arg, uint64_t now_ms);

#endif /* KICE_KICED_KICED_H */
