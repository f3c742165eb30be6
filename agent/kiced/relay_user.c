// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace UDP relay with recvmmsg()/sendmmsg().
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kiced/relay_user.h"
#include "stun/stun.h"

int relay_leg_open(struct relay_leg *leg, const struct sockaddr *addr,
		   socklen_t len)
{
	int fd, err;

	memset(leg, 0, sizeof(*leg));
	leg->fd = -1;
	fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (addr->sa_family == AF_INET6) {
		int one = 1;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (bind(fd, addr, len) < 0)
		goto err;
	leg->local_len = sizeof(leg->local);
	if (getsockname(fd, (struct sockaddr *)&leg->local,
			&leg->local_len) < 0)
		goto err;
	leg->fd = fd;
	return 0;
err:
	err = -errno;
	close(fd);
	return err;
}

void relay_leg_close(struct relay_leg *leg)
{
	if (leg->fd >= 0)
		close(leg->fd);
	leg->fd = -1;
	if (leg->other && leg->other->other == leg)
		leg->other->other = NULL;
	leg->other = NULL;
	leg->rtcp_other = NULL;
	leg->rtcp_drop = false;
	relay_leg_unhold(leg, false, 0);
	leg->hold = false;
}

/* Keep a copy of a datagram for @o's peer until it consents. */
static bool relay_keep(struct relay_leg *o, const void *buf, size_t len,
		       uint64_t now_ms)
{
	struct relay_held *h;

	if (o->nqueued >= RELAY_HOLD_MAX)
		return false;
	h = malloc(sizeof(*h) + len);
	if (!h)
		return false;
	h->at_ms = now_ms;
	h->len = len;
	memcpy(h->data, buf, len);
	o->queue[o->nqueued++] = h;
	return true;
}

/*
 * Can @buf go out of @o to its peer now?  While consent is awaited it is
 * counted as held and kept when there is room (true only if it may be
 * sent at once; *kept tells a held one that was kept from one dropped).
 */
static bool relay_can_send(struct relay_leg *o, const void *buf, size_t len,
			   uint64_t now_ms, bool *kept)
{
	*kept = false;
	if (!o || o->fd < 0)
		return false;
	if (o->hold) {	/* ICE sets the peer when it gives consent */
		o->held++;
		*kept = relay_keep(o, buf, len, now_ms);
		return false;
	}
	return o->peer_len != 0;
}

void relay_leg_set_peer(struct relay_leg *leg, const struct sockaddr *addr,
			socklen_t len)
{
	if (len > sizeof(leg->peer))
		len = sizeof(leg->peer);
	memcpy(&leg->peer, addr, len);
	leg->peer_len = len;
	leg->latched = false;
}

void relay_pair(struct relay_leg *a, struct relay_leg *b)
{
	a->other = b;
	b->other = a;
}

bool relay_is_rtcp(const void *buf, size_t len)
{
	const unsigned char *b = buf;

	/* version 2 and an RTCP packet type: RTP with the marker bit set
	 * would need payload type 64-95, which RFC 5761 4 rules out */
	return len >= 8 && (b[0] & 0xC0) == 0x80 && b[1] >= 192 && b[1] <= 223;
}

/* Where a datagram received on @leg goes. */
static struct relay_leg *relay_target(const struct relay_leg *leg,
				      const void *buf, size_t len)
{
	if ((leg->rtcp_other || leg->rtcp_drop) && relay_is_rtcp(buf, len))
		return leg->rtcp_other;
	return leg->other;
}

/* Send one datagram from @o to its peer; counted on @o. */
static void relay_send_one(struct relay_leg *o, const void *buf, size_t len)
{
	long n;

	if (o->send_fn)
		n = o->send_fn(o, buf, len);
	else
		n = sendto(o->fd, buf, len, MSG_DONTWAIT,
			   (struct sockaddr *)&o->peer, o->peer_len);
	if (n < 0) {
		o->tx.errors++;
		return;
	}
	o->tx.packets++;
	o->tx.bytes += len;
}

unsigned int relay_leg_unhold(struct relay_leg *leg, bool send,
			      uint64_t now_ms)
{
	unsigned int i, n = 0;

	for (i = 0; i < leg->nqueued; i++) {
		struct relay_held *h = leg->queue[i];

		if (send && !leg->hold && leg->fd >= 0 && leg->peer_len &&
		    now_ms < h->at_ms + RELAY_HOLD_MS) {
			relay_send_one(leg, h->data, h->len);
			n++;
		}
		free(h);
		leg->queue[i] = NULL;
	}
	leg->nqueued = 0;
	return n;
}

uint16_t relay_leg_port(const struct relay_leg *leg)
{
	if (leg->local.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&leg->local)->sin_port);
	if (leg->local.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&leg->local)->sin6_port);
	return 0;
}

bool relay_same_addr(const struct sockaddr_storage *a,
		     const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
	}
	return false;
}

void relay_leg_deliver(struct relay_leg *leg, const void *buf, size_t len,
		       uint64_t now_ms)
{
	struct relay_leg *o = relay_target(leg, buf, len);
	bool kept;

	leg->rx.packets++;
	leg->rx.bytes += len;
	leg->last_rx_ms = now_ms;
	if (!relay_can_send(o, buf, len, now_ms, &kept)) {
		if (!kept)
			leg->rx.errors++;
		return;
	}
	relay_send_one(o, buf, len);
}

int relay_leg_pump(struct relay_leg *leg, unsigned int budget,
		   uint64_t now_ms)
{
	static char bufs[RELAY_BATCH][RELAY_MTU];
	struct sockaddr_storage from[RELAY_BATCH];
	struct mmsghdr in[RELAY_BATCH], out[RELAY_BATCH];
	struct iovec iov[RELAY_BATCH], oiov[RELAY_BATCH];
	unsigned int total = 0;

	while (total < budget) {
		unsigned int want = budget - total, i, nout = 0;
		struct relay_leg *o = leg->other;
		bool kept;
		int n, sent;

		if (want > RELAY_BATCH)
			want = RELAY_BATCH;
		memset(in, 0, sizeof(in[0]) * want);
		for (i = 0; i < want; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = RELAY_MTU;
			in[i].msg_hdr.msg_iov = &iov[i];
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_name = &from[i];
			in[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(leg->fd, in, want, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		leg->last_rx_ms = now_ms;
		for (i = 0; i < (unsigned int)n; i++) {
			size_t len = in[i].msg_len;

			leg->rx.packets++;
			leg->rx.bytes += len;
			if (in[i].msg_hdr.msg_flags & MSG_TRUNC) {
				leg->rx.errors++;
				continue;
			}
			/* STUN, and TURN ChannelData (RFC 7983: 64-79) */
			if (leg->stun_fn && (stun_is_message(bufs[i], len) ||
			    (len >= 4 && (bufs[i][0] & 0xF0) == 0x40))) {
				leg->rx.packets--;
				leg->rx.bytes -= len;
				leg->stun_rx++;
				leg->stun_fn(leg, &from[i], bufs[i], len, now_ms);
				continue;
			}
			if (leg->latch && !leg->latched) {
				relay_leg_set_peer(leg,
					(struct sockaddr *)&from[i],
					in[i].msg_hdr.msg_namelen);
				leg->latched = true;
			} else if (leg->strict && leg->peer_len &&
				   !relay_same_addr(&leg->peer, &from[i])) {
				leg->rx.errors++;
				continue;
			}
			if ((leg->rtcp_other || leg->rtcp_drop) &&
			    relay_is_rtcp(bufs[i], len)) {
				struct relay_leg *r = leg->rtcp_other;

				/* demultiplexed RTCP: rare, sent on its own */
				if (relay_can_send(r, bufs[i], len, now_ms, &kept))
					relay_send_one(r, bufs[i], len);
				else if (!kept)
					leg->rx.errors++;
				continue;
			}
			if (!relay_can_send(o, bufs[i], len, now_ms, &kept)) {
				if (!kept)
					leg->rx.errors++;
				continue;
			}
			if (o->send_fn) {
				relay_send_one(o, bufs[i], len);
				continue;
			}
			memset(&out[nout], 0, sizeof(out[nout]));
			oiov[nout].iov_base = bufs[i];
			oiov[nout].iov_len = len;
			out[nout].msg_hdr.msg_iov = &oiov[nout];
			out[nout].msg_hdr.msg_iovlen = 1;
			out[nout].msg_hdr.msg_name = &o->peer;
			out[nout].msg_hdr.msg_namelen = o->peer_len;
			nout++;
		}
		total += (unsigned int)n;
		for (i = 0; i < nout; i += (unsigned int)sent) {
			sent = sendmmsg(o->fd, out + i, nout - i, MSG_DONTWAIT);
			if (sent <= 0) {
				/* drop the datagram that failed, go on */
				o->tx.errors++;
				sent = 1;
				continue;
			}
			for (int k = 0; k < sent; k++) {
				o->tx.packets++;
				o->tx.bytes += out[i + k].msg_len;
			}
		}
		if ((unsigned int)n < want)
			break;
	}
	return (int)total;
}
