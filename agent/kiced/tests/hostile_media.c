// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_ng: RTP both ways through the established calls, and what
 * arrived of it (see hostile.h).  Each direction of each media section
 * has its own SSRC; the receiver counts the distinct sequence numbers it
 * gets of that SSRC, anything else separately.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kiced/tests/hostile.h"

#define RTP_HDR		12
#define PCMU_FRAME	160

static int udp_bound(const char *addr, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		fprintf(stderr, "hostile_ng: bind %s:%u: %s\n", addr, port,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int hn_media_open(struct hn_media *md, const struct hn_net *net,
		  const struct hn_call *calls, int ncalls)
{
	int c, m, d;

	memset(md, 0, sizeof(*md));
	md->ncalls = ncalls;
	for (c = 0; c < ncalls; c++) {
		md->nmedia[c] = calls[c].nmedia;
		for (m = 0; m < calls[c].nmedia; m++) {
			md->dir[c][m][0].fd = udp_bound(net->peer_a,
							calls[c].port_a[m]);
			md->dir[c][m][1].fd = udp_bound(net->peer_b,
							calls[c].port_b[m]);
			for (d = 0; d < 2; d++) {
				struct hn_dir *h = &md->dir[c][m][d];

				if (h->fd < 0)
					return -1;
				h->ssrc = 0x4e470000u | (uint32_t)(c << 8 | m << 4 | d);
				h->seq = (uint16_t)(1000 * (c + 1) + 100 * m);
				h->seen = calloc(65536 / 8, 1);
				if (!h->seen)
					return -1;
			}
		}
	}
	return 0;
}

int hn_media_target(struct hn_media *md, int call, int m, const char *xa_addr,
		    uint16_t xa, const char *xb_addr, uint16_t xb)
{
	struct hn_dir *ab = &md->dir[call][m][0], *ba = &md->dir[call][m][1];

	ab->to.sin_family = AF_INET;
	ab->to.sin_port = htons(xa);
	ba->to.sin_family = AF_INET;
	ba->to.sin_port = htons(xb);
	if (inet_pton(AF_INET, xa_addr, &ab->to.sin_addr) != 1 ||
	    inet_pton(AF_INET, xb_addr, &ba->to.sin_addr) != 1)
		return -1;
	return 0;
}

void hn_media_send(struct hn_media *md)
{
	uint8_t pkt[RTP_HDR + PCMU_FRAME];
	int c, m, d;

	memset(pkt, 0xff, sizeof(pkt));	/* PCMU silence */
	pkt[0] = 0x80;
	pkt[1] = 0;
	for (c = 0; c < md->ncalls; c++)
		for (m = 0; m < md->nmedia[c]; m++)
			for (d = 0; d < 2; d++) {
				struct hn_dir *h = &md->dir[c][m][d];
				uint32_t ts = (uint32_t)h->seq * PCMU_FRAME;

				pkt[2] = (uint8_t)(h->seq >> 8);
				pkt[3] = (uint8_t)h->seq;
				pkt[4] = (uint8_t)(ts >> 24);
				pkt[5] = (uint8_t)(ts >> 16);
				pkt[6] = (uint8_t)(ts >> 8);
				pkt[7] = (uint8_t)ts;
				pkt[8] = (uint8_t)(h->ssrc >> 24);
				pkt[9] = (uint8_t)(h->ssrc >> 16);
				pkt[10] = (uint8_t)(h->ssrc >> 8);
				pkt[11] = (uint8_t)h->ssrc;
				if (sendto(h->fd, pkt, sizeof(pkt), 0,
					   (struct sockaddr *)&h->to,
					   sizeof(h->to)) == (ssize_t)sizeof(pkt))
					h->sent++;
				h->seq++;
			}
}

/* Datagrams waiting on @fd: counted for the direction that ends there. */
void hn_media_recv(struct hn_media *md, int fd)
{
	struct hn_dir *h = NULL;
	uint8_t pkt[2048];
	int c, m;

	for (c = 0; c < md->ncalls && !h; c++)
		for (m = 0; m < md->nmedia[c] && !h; m++) {
			if (md->dir[c][m][0].fd == fd)
				h = &md->dir[c][m][1];	/* B->A ends at A */
			else if (md->dir[c][m][1].fd == fd)
				h = &md->dir[c][m][0];
		}
	if (!h)
		return;
	for (;;) {
		ssize_t n = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);
		uint32_t ssrc;
		uint16_t seq, off;

		if (n < 0)
			return;
		if (n < RTP_HDR || pkt[0] != 0x80) {
			h->foreign++;
			continue;
		}
		ssrc = (uint32_t)pkt[8] << 24 | (uint32_t)pkt[9] << 16 |
		       (uint32_t)pkt[10] << 8 | pkt[11];
		seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
		if (ssrc != h->ssrc) {
			h->foreign++;
			continue;
		}
		/* only what was sent since the last reset */
		off = (uint16_t)(seq - h->base);
		if (off >= 32768)
			continue;
		if (!(h->seen[seq / 8] & (1u << (seq % 8)))) {
			h->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
			h->received++;
		}
	}
}

void hn_media_reset(struct hn_media *md)
{
	int c, m, d;

	for (c = 0; c < md->ncalls; c++)
		for (m = 0; m < md->nmedia[c]; m++)
			for (d = 0; d < 2; d++) {
				struct hn_dir *h = &md->dir[c][m][d];

				h->sent = h->received = h->foreign = 0;
				h->base = h->seq;
				memset(h->seen, 0, 65536 / 8);
			}
}

void hn_media_close(struct hn_media *md)
{
	int c, m, d;

	for (c = 0; c < md->ncalls; c++)
		for (m = 0; m < md->nmedia[c]; m++)
			for (d = 0; d < 2; d++) {
				struct hn_dir *h = &md->dir[c][m][d];

				if (h->fd >= 0)
					close(h->fd);
				free(h->seen);
				h->seen = NULL;
				h->fd = -1;
			}
}
