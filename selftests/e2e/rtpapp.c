// SPDX-License-Identifier: GPL-2.0
/*
 * kice-rtpapp: a plain RTP endpoint that knows nothing about ICE, the
 * "unmodified application" of kice's demo and end-to-end tests.
 *
 *   kice-rtpapp -b ADDR:PORT -t ADDR:PORT [-c COUNT] [-p PTIME_MS]
 *               [-d DELAY_MS | -S START_MS] [-l LINGER_MS] [-n NAME]
 *
 * One UDP socket bound to -b (symmetric RTP: it sends and receives).
 * DELAY ms after binding (or at START, milliseconds since the epoch, so
 * that two apps started apart begin together) it sends COUNT (default 250) PCMU packets
 * (RTP version 2, payload type 0, 160 bytes of payload) to -t, one per
 * PTIME (default 20) ms, and counts the RTP packets it receives until
 * COUNT have arrived or LINGER (default 2000) ms after its last send.
 * Prints one line:
 *
 *   NAME: sent=N received=M lost=L dup=D ssrc=X
 *
 * (lost: holes in the received sequence numbers after the first one).
 * Exit status 0 when anything was received, 1 when nothing, 2 on usage.
 * Bounded: COUNT packets, DELAY + COUNT * PTIME + LINGER ms.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RTP_HDR		12
#define PCMU_FRAME	160
#define SEQ_SPACE	65536

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "1.2.3.4:5" or "[::1]:5" */
static int parse_addr(const char *s, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	size_t hl;
	long port;
	char *end;

	if (!colon || colon == s)
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return -1;
	hl = (size_t)(colon - s);
	if (*s == '[') {
		if (hl < 3 || s[hl - 1] != ']')
			return -1;
		s++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: kice-rtpapp -b ADDR:PORT -t ADDR:PORT "
		"[-c COUNT] [-p PTIME_MS] [-d DELAY_MS | -S START_MS] "
		"[-l LINGER_MS] "
		"[-n NAME]\n");
	exit(2);
}

static long num(const char *s, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 0 || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static uint8_t seen[SEQ_SPACE];
	struct sockaddr_storage bind_a, to_a;
	socklen_t bind_l = 0, to_l = 0;
	long count = 250, ptime = 20, delay = 0, linger = 2000, start_at = 0;
	const char *name = "rtpapp";
	uint8_t pkt[RTP_HDR + PCMU_FRAME], buf[2048];
	uint32_t ssrc, ts0, ssrc_in = 0;
	uint16_t seq0;
	long sent = 0, received = 0, dup = 0, lost = 0;
	int first = -1, maxoff = -1;
	uint64_t start, end, next_tx;
	struct pollfd pfd;
	int opt, fd;

	while ((opt = getopt(argc, argv, "b:t:c:p:d:S:l:n:")) != -1) {
		switch (opt) {
		case 'b':
			if (parse_addr(optarg, &bind_a, &bind_l))
				usage();
			break;
		case 't':
			if (parse_addr(optarg, &to_a, &to_l))
				usage();
			break;
		case 'c': count = num(optarg, SEQ_SPACE - 1); break;
		case 'p': ptime = num(optarg, 1000); break;
		case 'd': delay = num(optarg, 60000); break;
		case 'S': start_at = num(optarg, LONG_MAX); break;
		case 'l': linger = num(optarg, 60000); break;
		case 'n': name = optarg; break;
		default: usage();
		}
	}
	if (!bind_l || !to_l || optind != argc || !ptime)
		usage();
	fd = socket(bind_a.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&bind_a, bind_l)) {
		perror("kice-rtpapp: bind");
		return 2;
	}
	srandom((unsigned int)(getpid() ^ now_ms()));
	ssrc = (uint32_t)random();
	seq0 = (uint16_t)random();
	ts0 = (uint32_t)random();
	memset(pkt + RTP_HDR, 0xff, PCMU_FRAME);	/* PCMU silence */
	if (start_at) {
		struct timespec rt;
		long wall;

		clock_gettime(CLOCK_REALTIME, &rt);
		wall = (long)rt.tv_sec * 1000 + rt.tv_nsec / 1000000;
		delay = start_at > wall ? start_at - wall : 0;
		if (delay > 60000)
			usage();
	}
	start = now_ms() + (uint64_t)delay;
	end = start + (uint64_t)(count * ptime + linger);
	next_tx = start;
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (;;) {
		uint64_t t = now_ms(), until;
		ssize_t n;

		if (t >= end || (sent == count && received >= count))
			break;
		if (sent < count && t >= next_tx) {
			uint16_t seq = (uint16_t)(seq0 + sent);
			uint32_t ts = ts0 + (uint32_t)(PCMU_FRAME * sent);
			uint32_t nssrc = htonl(ssrc), nts = htonl(ts);

			pkt[0] = 0x80;
			pkt[1] = sent ? 0 : 0x80;	/* marker on the first */
			pkt[2] = (uint8_t)(seq >> 8);
			pkt[3] = (uint8_t)seq;
			memcpy(pkt + 4, &nts, 4);
			memcpy(pkt + 8, &nssrc, 4);
			/* an ICMP error of an earlier send is no reason to stop */
			sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to_a,
			       to_l);
			sent++;
			next_tx += (uint64_t)ptime;
			if (sent == count && now_ms() + (uint64_t)linger < end)
				end = now_ms() + (uint64_t)linger;
			continue;
		}
		until = sent < count && next_tx < end ? next_tx : end;
		if (poll(&pfd, 1, until > t ? (int)(until - t) : 0) <= 0)
			continue;
		while ((n = recv(fd, buf, sizeof(buf), 0)) >= 0 ||
		       errno == ECONNREFUSED) {
			uint16_t seq;
			int off;

			if (n < RTP_HDR || buf[0] >> 6 != 2)
				continue;
			seq = (uint16_t)(buf[2] << 8 | buf[3]);
			memcpy(&ssrc_in, buf + 8, 4);
			ssrc_in = ntohl(ssrc_in);
			if (first < 0)
				first = seq;
			if (seen[seq]) {
				dup++;
				continue;
			}
			seen[seq] = 1;
			received++;
			off = (seq - first + SEQ_SPACE) % SEQ_SPACE;
			if (off < SEQ_SPACE / 2 && off > maxoff)
				maxoff = off;
		}
	}
	if (received)
		lost = maxoff + 1 - received;
	if (lost < 0)
		lost = 0;
	printf("%s: sent=%ld received=%ld lost=%ld dup=%ld ssrc=", name, sent,
	       received, lost, dup);
	if (received)
		printf("0x%08x\n", ssrc_in);
	else
		printf("-\n");
	close(fd);
	return received ? 0 : 1;
}
