// SPDX-License-Identifier: GPL-2.0
/*
 * kiced's listener on kice.ko's "monitor" multicast group.
 *
 * - idle: a flow saw no media for the call timeout (the flows are created
 *   with it as their idle timeout).  The call ends if none of its media,
 *   kernel or userspace, nor its signalling is more recent: one silent
 *   RTCP flow does not end a call whose RTP still flows.
 * - flow-del of a flow kiced still counts as installed: someone else
 *   removed it (kice-ktool, a detach); the stream falls back to the
 *   userspace relay instead of going silent.
 * - source mismatch and SSRC change are logged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kice.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "kiced/kernel.h"
#include "kiced/kiced.h"
#include "kiced/log.h"

/* Call and stream owning kernel flow @id; NULL if none. */
static struct call *kernel_flow_owner(struct kiced *k, uint32_t id,
				      struct media_stream **st)
{
	struct call *c;
	size_t i;

	for (c = k->calls.head; c; c = c->next)
		for (i = 0; i < c->nmedia; i++) {
			struct media_stream *s = c->media[i].stream;

			if (s && s->offloaded &&
			    (s->flow[0] == id || s->flow[1] == id)) {
				*st = s;
				return c;
			}
		}
	return NULL;
}

static void kernel_on_idle(struct kiced *k, const struct knl_event *ev)
{
	uint64_t limit = (uint64_t)k->cfg.timeout * 1000, now, last;
	struct media_stream *st;
	struct call *c = kernel_flow_owner(k, ev->flow_id, &st);

	if (!c || !limit)
		return;
	now = loop_now_ms();
	last = session_last_activity(c);
	if (c->last_activity_ms > last)
		last = c->last_activity_ms;
	/* jiffies and CLOCK_MONOTONIC round differently: 1 s of slack */
	if (last < now && now - last + 1000 >= limit) {
		klog_info("call %s: kernel flow %u idle for %u ms, call ended",
			  KLOG_CALL(c), ev->flow_id, ev->idle_ms);
		session_remove(&k->calls, c);
		k->stats.timed_out++;
		k->stats.idle_events++;
	} else if (c) {
		klog_debug("call %s: kernel flow %u idle, other media alive",
			   KLOG_CALL(c), ev->flow_id);
	}
}

static void kernel_on_flow_del(struct kiced *k, const struct knl_event *ev)
{
	struct media_stream *st;
	struct call *c = kernel_flow_owner(k, ev->flow_id, &st);

	if (!c)
		return;		/* ours went through media_stream_unload() */
	klog_warn("call %s: kernel flow %u removed outside kiced, relaying in userspace",
		  KLOG_CALL(c), ev->flow_id);
	/* the other component's flow and the attachments go too */
	media_stream_unload(st);
}

void kernel_monitor_event(const struct knl_event *ev, void *arg)
{
	struct kiced *k = arg;
	char ip[INET6_ADDRSTRLEN] = "?";

	switch (ev->cmd) {
	case KICE_CMD_IDLE_NTF:
		kernel_on_idle(k, ev);
		break;
	case KICE_CMD_FLOW_DEL_NTF:
		kernel_on_flow_del(k, ev);
		break;
	case KICE_CMD_SRC_MISMATCH_NTF:
		if (ev->addr.ss_family == AF_INET)
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)&ev->addr)->sin_addr,
				  ip, sizeof(ip));
		else if (ev->addr.ss_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)&ev->addr)->sin6_addr,
				  ip, sizeof(ip));
		klog_debug("kernel socket %u: datagram from unexpected %s",
			   ev->sock_id, ip);
		break;
	case KICE_CMD_SSRC_CHANGE_NTF:
		klog_info("kernel flow %u leg %d: SSRC %08x -> %08x",
			  ev->flow_id, ev->leg, ev->old_ssrc, ev->ssrc);
		break;
	default:
		break;
	}
}

static void kernel_on_monitor(struct loop_watch *w, uint32_t events)
{
	struct kiced *k = w->arg;
	int i, err;

	for (i = 0; i < 64; i++) {
		err = knl_monitor_recv(&k->mon, kernel_monitor_event, k);
		if (err == -EAGAIN || err == -EWOULDBLOCK)
			break;
		if (err == -ENOBUFS) {
			/* the periodic timeout check still ends dead calls */
			klog_warn("kernel monitor: events lost");
			continue;
		}
		if (err) {
			klog_warn("kernel monitor: %s", strerror(-err));
			break;
		}
		/* a session_remove() above may have freed watches */
	}
}

int kernel_monitor_open(struct kiced *k)
{
	int err, fd;

	err = knl_open(&k->mon);
	if (err)
		return err;
	err = knl_monitor_join(&k->mon);
	if (err)
		goto fail;
	fd = knl_fd(&k->mon);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		err = -errno;
		goto fail;
	}
	k->mon_w = (struct loop_watch){ fd, kernel_on_monitor, k };
	if (loop_add(&k->loop, &k->mon_w, EPOLLIN)) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	knl_close(&k->mon);
	return err;
}

void kernel_monitor_close(struct kiced *k)
{
	if (!k->mon.nl)
		return;
	loop_del(&k->loop, &k->mon_w);
	knl_close(&k->mon);
}
