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

#include "ctl/ng_addr.h"
#include "kiced/kiced.h"
#include "kiced/log.h"

#define CONTROL_BATCH	64	/* datagrams handled per wakeup and socket */

int kiced_process(struct kiced *k, const char *msg, size_t len,
		  const void *src, size_t src_len, struct bn_buf *reply)
{
	char key[NG_COOKIE_MAX + sizeof(struct sockaddr_storage)];
	struct ng_str cookie, body;
	struct ng_request req;
	struct bn_doc doc;
	enum bn_err berr;
	enum ng_err err;
	const void *cached;
	size_t key_len, clen;
	uint64_t now = loop_now_ms();

	if (ng_split(msg, len, &cookie, &body)) {
		k->stats.malformed++;
		klog_debug("dropping %zu-byte datagram without a cookie", len);
		return -1;
	}
	if (src_len > sizeof(struct sockaddr_storage))
		src_len = sizeof(struct sockaddr_storage);
	memcpy(key, cookie.p, cookie.len);
	memcpy(key + cookie.len, src, src_len);
	key_len = cookie.len + src_len;

	cached = ng_cache_lookup(k->cache, key, key_len, now, &clen);
	if (cached) {
		k->stats.replays++;
		bn_put_raw(reply, cached, clen);
		return 0;
	}

	berr = bn_decode(&doc, body.p, body.len);
	if (berr) {
		char why[96];

		snprintf(why, sizeof(why), "Could not decode dictionary: %s",
			 bn_strerror(berr));
		k->stats.errors++;
		ng_reply_error(reply, cookie, why);
		klog_info("ng: %s at byte %zu", why, doc.offset);
		goto cache;
	}
	err = ng_parse_request(doc.root, &req);
	if (err) {
		char why[96];

		if (err == NG_E_BAD_TYPE && req.bad_key)
			snprintf(why, sizeof(why), "%s: %s", ng_strerror(err),
				 req.bad_key);
		else
			snprintf(why, sizeof(why), "%s", ng_strerror(err));
		k->stats.errors++;
		ng_reply_error(reply, cookie, why);
		klog_info("ng: %s", why);
	} else {
		klog_debug("ng: %s", ng_cmd_name(req.cmd));
		kiced_command(k, &req, cookie, reply);
	}
	bn_doc_free(&doc);
cache:
	if (bn_buf_finish(reply) || reply->len > NG_MSG_MAX) {
		reply->len = 0;
		reply->err = false;
		reply->depth = 0;
		k->stats.errors++;
		ng_reply_error(reply, cookie, "Reply too large");
	}
	if (ng_cache_insert(k->cache, key, key_len, reply->data, reply->len,
			    now))
		klog_warn("ng: cannot cache reply: out of memory");
	return 0;
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
		if (!kiced_process(k, buf, (size_t)n, &src, slen, &reply) &&
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
			  c->call_id, k->cfg.timeout);
		session_remove(&k->calls, c);
		k->stats.timed_out++;
	}
}
