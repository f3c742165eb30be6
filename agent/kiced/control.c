// SPDX-License-Identifier: GPL-2.0
/*
 * ng control server: UDP and Unix datagram sockets, request framing,
 * replay cache, error replies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/bn_json.h"
#include "ctl/ng_addr.h"
#include "kiced/kiced.h"
#include "kiced/log.h"
#include "kiced/media_ice.h"
#include "sdp/sdp.h"

#define CONTROL_BATCH	64	/* datagrams handled per wakeup and socket */

/* A pending reply: an offer or answer waiting for its candidates. */
struct ng_pending {
	struct ng_pending *next;
	struct kiced *k;
	struct ng_origin o;
	struct sdp_session sdp;		/* the reply's, candidates to add */
	uint64_t since;
};

/* Is the body JSON ("cookie {...}") rather than bencode? */
static bool body_is_json(struct ng_str body)
{
	size_t i;

	for (i = 0; i < body.len; i++)
		if (body.p[i] != ' ' && body.p[i] != '\t' &&
		    body.p[i] != '\r' && body.p[i] != '\n')
			return body.p[i] == '{' || body.p[i] == '[';
	return false;
}

/*
 * Complete a reply built as "<cookie> <bencode>": size check, JSON for a
 * JSON request, then into the replay cache.
 */
static void reply_seal(struct kiced *k, const struct ng_origin *o,
		       struct bn_buf *reply, uint64_t now)
{
	static const char too_large[] =
		"{\"result\":\"error\",\"error-reason\":\"Reply too large\"}";
	struct ng_str cookie = { o->key, o->cookie_len };

	if (bn_buf_finish(reply) || reply->len > NG_MSG_MAX) {
		reply->len = 0;
		reply->err = false;
		reply->depth = 0;
		k->stats.errors++;
		ng_reply_error(reply, cookie, "Reply too large");
	}
	if (o->json) {
		struct bn_buf j;
		struct bn_doc doc;

		bn_buf_init(&j);
		bn_put_raw(&j, cookie.p, cookie.len);
		bn_put_raw(&j, " ", 1);
		if (bn_decode(&doc, reply->data + cookie.len + 1,
			      reply->len - cookie.len - 1) == BN_OK) {
			bn_json_write(&j, doc.root);
			bn_doc_free(&doc);
		} else {
			j.err = true;
		}
		if (j.err || j.len > NG_MSG_MAX) {
			bn_buf_free(&j);
			bn_put_raw(&j, cookie.p, cookie.len);
			bn_put_raw(&j, " ", 1);
			bn_put_raw(&j, too_large, strlen(too_large));
		}
		bn_buf_free(reply);
		*reply = j;
	}
	if (ng_cache_insert(k->cache, o->key, o->key_len, reply->data,
			    reply->len, now))
		klog_warn("ng: cannot cache reply: out of memory");
}

static struct ng_pending *pending_find(struct kiced *k, const void *key,
				       size_t key_len)
{
	struct ng_pending *p;

	for (p = k->pending; p; p = p->next)
		if (p->o.key_len == key_len && !memcmp(p->o.key, key, key_len))
			return p;
	return NULL;
}

static void pending_unlink(struct kiced *k, struct ng_pending *p)
{
	struct ng_pending **pp;

	for (pp = &k->pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	sdp_session_free(&p->sdp);
	free(p);
}

static void pending_send(struct ng_pending *p, struct bn_buf *reply,
			 uint64_t now)
{
	reply_seal(p->k, &p->o, reply, now);
	klog_info("ng: deferred reply after %llu ms",
		  (unsigned long long)(now - p->since));
	if (sendto(p->o.fd, reply->data, reply->len, MSG_DONTWAIT,
		   (struct sockaddr *)&p->o.src, p->o.src_len) < 0)
		klog_info("ng reply: %s", strerror(errno));
	bn_buf_free(reply);
	pending_unlink(p->k, p);
}

static void pending_done(void *arg, struct media_ice *mi, bool alive)
{
	struct ng_pending *p = arg;
	struct kiced *k = p->k;
	struct ng_str cookie = { p->o.key, p->o.cookie_len };
	uint64_t now = loop_now_ms();
	struct bn_buf reply;

	bn_buf_init(&reply);
	if (alive) {
		kiced_reply_described(k, mi, &p->sdp, cookie, &reply);
	} else {
		k->stats.errors++;
		ng_reply_error(&reply, cookie,
			       "Call deleted or renegotiated while gathering candidates");
	}
	pending_send(p, &reply, now);
}

static void pending_media(void *arg, enum media_ice_wait result)
{
	static const char *const path[] = {
		[MEDIA_WAIT_CONNECTED] = "working",
		[MEDIA_WAIT_FAILED] = "failed",
		[MEDIA_WAIT_TIMEOUT] = "timeout",
	};
	struct ng_pending *p = arg;
	struct ng_str cookie = { p->o.key, p->o.cookie_len };
	struct bn_buf reply;

	bn_buf_init(&reply);
	if (result == MEDIA_WAIT_GONE) {
		p->k->stats.errors++;
		ng_reply_error(&reply, cookie,
			       "Call deleted or renegotiated while waiting for media");
	} else {
		kiced_reply_sdp(p->k, &reply, cookie, &p->sdp, path[result]);
	}
	pending_send(p, &reply, loop_now_ms());
}

/*
 * The current request's reply waits, with description @s (taken over):
 * NULL when it cannot (no client to send it to later, no memory).
 */
static struct ng_pending *pending_new(struct kiced *k, struct sdp_session *s)
{
	struct ng_pending *p;

	if (!k->origin || k->origin->fd < 0 || !(p = calloc(1, sizeof(*p))))
		return NULL;
	p->k = k;
	p->o = *k->origin;
	p->sdp = *s;
	memset(s, 0, sizeof(*s));
	p->since = loop_now_ms();
	p->next = k->pending;
	k->pending = p;
	k->origin->deferred = true;
	return p;
}

int kiced_defer_media(struct kiced *k, struct media_ice *mi,
		      struct sdp_session *s)
{
	struct ng_pending *p;

	if (mi->connected || mi->failed || mi->conn_fn ||
	    !(p = pending_new(k, s)))
		return -1;
	media_ice_on_connected(mi, pending_media, p, k->cfg.media_wait_ms);
	return 0;
}

int kiced_defer_sdp(struct kiced *k, struct media_ice *mi,
		    struct sdp_session *s)
{
	struct ng_pending *p;

	if (!media_ice_gathering(mi))
		return -1;
	if (mi->gathered || !(p = pending_new(k, s))) {
		media_ice_wait_gathering(mi);
		return -1;
	}
	media_ice_on_gathered(mi, pending_done, p);
	return 0;
}

void kiced_pending_free(struct kiced *k)
{
	struct ng_pending *p;
	struct call *c;
	int side;

	/* detach from the agents first: no reply on their way out */
	for (c = k->calls.head; c; c = c->next)
		for (side = 0; side < 2; side++)
			if (c->ice[side] && c->ice[side]->gathered == pending_done)
				media_ice_on_gathered(c->ice[side], NULL, NULL);
			else if (c->ice[side] &&
				 c->ice[side]->conn_fn == pending_media)
				media_ice_on_connected(c->ice[side], NULL,
						       NULL, 0);
	while ((p = k->pending))
		pending_unlink(k, p);
}

int kiced_process_from(struct kiced *k, int fd, const char *msg, size_t len,
		       const void *src, size_t src_len, struct bn_buf *reply)
{
	struct ng_origin o = { .fd = fd };
	struct ng_str cookie, body;
	struct ng_request req;
	struct bn_doc doc;
	const void *cached;
	size_t clen;
	uint64_t now = loop_now_ms();
	char why[96];
	int err;

	if (ng_split(msg, len, &cookie, &body)) {
		k->stats.malformed++;
		klog_debug("dropping %zu-byte datagram without a cookie", len);
		return -1;
	}
	if (src_len > sizeof(struct sockaddr_storage))
		src_len = sizeof(struct sockaddr_storage);
	memcpy(&o.src, src, src_len);
	o.src_len = (socklen_t)src_len;
	memcpy(o.key, cookie.p, cookie.len);
	memcpy(o.key + cookie.len, src, src_len);
	o.key_len = cookie.len + src_len;
	o.cookie_len = cookie.len;
	o.json = body_is_json(body);

	cached = ng_cache_lookup(k->cache, o.key, o.key_len, now, &clen);
	if (cached) {
		k->stats.replays++;
		bn_put_raw(reply, cached, clen);
		return 0;
	}
	if (pending_find(k, o.key, o.key_len)) {
		/* a retransmission: the reply goes out once it is ready */
		k->stats.replays++;
		return 1;
	}

	if (o.json)
		err = bn_json_decode(&doc, body.p, body.len);
	else
		err = bn_decode(&doc, body.p, body.len);
	if (err) {
		snprintf(why, sizeof(why), "Could not decode %s: %s",
			 o.json ? "JSON" : "dictionary",
			 o.json ? bn_json_strerror(err) : bn_strerror(err));
		k->stats.errors++;
		ng_reply_error(reply, cookie, why);
		klog_info("ng: %s at byte %zu", why, doc.offset);
		goto seal;
	}
	err = ng_parse_request(doc.root, &req);
	if (err) {
		ng_request_strerror(err, &req, why, sizeof(why));
		k->stats.errors++;
		ng_reply_error(reply, cookie, why);
		klog_info("ng: %s", why);
	} else {
		klog_debug("ng: %s", ng_cmd_name(req.cmd));
		k->origin = &o;
		kiced_command(k, &req, cookie, reply);
		k->origin = NULL;
	}
	bn_doc_free(&doc);
	if (o.deferred) {
		reply->len = 0;
		return 1;
	}
seal:
	reply_seal(k, &o, reply, now);
	return 0;
}

int kiced_process(struct kiced *k, const char *msg, size_t len,
		  const void *src, size_t src_len, struct bn_buf *reply)
{
	int ret = kiced_process_from(k, -1, msg, len, src, src_len, reply);

	return ret > 0 ? -1 : ret;
}

static void control_on_readable(struct loop_watch *w, uint32_t events)
{
	struct kiced *k = w->arg;
	static char buf[NG_MSG_MAX + 1];
	int i;

	for (i = 0; i < CONTROL_BATCH; i++) {
		struct sockaddr_storage src;
		socklen_t slen = sizeof(src);
		struct bn_buf reply;
		ssize_t n;

		n = recvfrom(w->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT,
			     (struct sockaddr *)&src, &slen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				klog_warn("ng recv: %s", strerror(errno));
			return;
		}
		bn_buf_init(&reply);
		if (!kiced_process_from(k, w->fd, buf, (size_t)n, &src, slen,
					&reply) &&
		    reply.len &&
		    sendto(w->fd, reply.data, reply.len, MSG_DONTWAIT,
			   (struct sockaddr *)&src, slen) < 0)
			klog_info("ng reply: %s", strerror(errno));
		bn_buf_free(&reply);
	}
}

static int control_socket(struct kiced *k, const char *spec, int *fdp,
			  struct loop_watch *w)
{
	struct ng_addr a;
	char name[160];
	int fd, one = 1;

	if (ng_addr_parse(spec, &a)) {
		klog_err("bad control address \"%s\"", spec);
		return -1;
	}
	ng_addr_str(&a, name, sizeof(name));
	fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		goto err;
	if (a.ss.ss_family == AF_UNIX) {
		const char *path = ((struct sockaddr_un *)&a.ss)->sun_path;
		struct stat st;

		/* replace a stale socket, never any other file */
		if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
			unlink(path);
	} else {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0)
		goto err;
	*w = (struct loop_watch){ fd, control_on_readable, k };
	if (loop_add(&k->loop, w, EPOLLIN))
		goto err;
	*fdp = fd;
	klog_notice("ng control on %s", name);
	return 0;
err:
	klog_err("ng control on %s: %s", name, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int control_open(struct kiced *k)
{
	char spec[sizeof(k->cfg.ng_socket) + 8];

	k->udp_fd = k->unix_fd = -1;
	k->cache = ng_cache_new(4096, (uint64_t)k->cfg.cookie_ttl * 1000);
	if (!k->cache)
		return -1;
	if (*k->cfg.ng_listen &&
	    control_socket(k, k->cfg.ng_listen, &k->udp_fd, &k->udp_w))
		return -1;
	if (*k->cfg.ng_socket) {
		snprintf(spec, sizeof(spec), "unix:%s", k->cfg.ng_socket);
		if (control_socket(k, spec, &k->unix_fd, &k->unix_w))
			return -1;
	}
	return 0;
}

void control_close(struct kiced *k)
{
	kiced_pending_free(k);
	if (k->udp_fd >= 0) {
		loop_del(&k->loop, &k->udp_w);
		close(k->udp_fd);
	}
	if (k->unix_fd >= 0) {
		loop_del(&k->loop, &k->unix_w);
		close(k->unix_fd);
		unlink(k->cfg.ng_socket);
	}
	k->udp_fd = k->unix_fd = -1;
	ng_cache_free(k->cache);
	k->cache = NULL;
}

void kiced_tick(void *arg, uint64_t now_ms)
{
	struct kiced *k = arg;
	uint64_t limit = (uint64_t)k->cfg.timeout * 1000;
	struct call *c, *next;

	if (k->cache)
		ng_cache_expire(k->cache, now_ms);
	for (c = k->calls.head; c; c = next) {
		uint64_t last = c->last_activity_ms > c->last_media_ms ?
				c->last_activity_ms : c->last_media_ms;
		uint64_t lim = limit;

		next = c->next;
		if (c->delete_at_ms && now_ms >= c->delete_at_ms) {
			klog_info("call %s: deleted (its delete delay is over)",
				  KLOG_CALL(c));
			session_remove(&k->calls, c);
			k->stats.deleted++;
			continue;
		}
		/*
		 * Calls relayed in the kernel end on its idle events
		 * (kernel.c); this check is their fallback (events lost).
		 */
		if (k->mon.nl && session_in_kernel(c))
			lim = 2 * limit;
		if (last >= now_ms || now_ms - last < lim)
			continue;
		/* due: look at the media (kernel counters included) */
		c->last_media_ms = session_last_activity(c);
		if (c->last_media_ms >= now_ms ||
		    now_ms - c->last_media_ms < lim)
			continue;
		klog_info("call %s: timed out after %u s without media",
			  KLOG_CALL(c), k->cfg.timeout);
		session_remove(&k->calls, c);
		k->stats.timed_out++;
	}
}
