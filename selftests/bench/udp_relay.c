// SPDX-License-Identifier: GPL-2.0
/*
 * udp_relay: the userspace peer of the relay benchmark.
 *
 * A best-case userspace media relay: one UDP socket receives every flow
 * with recvmmsg() (batches of 32), looks the source port up in a table
 * and sends the batch on with one sendmmsg() from a second socket bound
 * on the egress side.  Packets from unknown source ports are dropped.
 *
 *   udp_relay -l ADDR:PORT -o ADDR:PORT -d SINK [-n FLOWS] [-p SPORT]
 *             [-P DPORT] [-S DSTEP] [-t SECONDS]
 *
 * Flow i: packets from any address with source port SPORT+i arriving at
 * the -l socket go out of the -o socket to SINK:(DPORT+i*DSTEP).  Runs for
 * at most SECONDS (default 60) or until SIGTERM/SIGINT, then prints
 * "relayed N dropped M".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"

#define BATCH	32
#define MAXPKT	2048

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: udp_relay -l ADDR:PORT -o ADDR:PORT -d SINK [-n FLOWS] [-p SPORT]\n"
		"                 [-P DPORT] [-S DSTEP] [-t SECONDS]\n");
	exit(2);
}

static void parse_ep(const char *s, struct sockaddr_in *sa)
{
	if (bench_parse_ep("udp_relay", s, sa))
		usage();
}

static int bound_socket(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int sz = 4 << 20;

	if (fd < 0 || bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		perror("udp_relay: socket");
		exit(1);
	}
	/* beyond net.core.[rw]mem_max: needs CAP_NET_ADMIN, else capped */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return fd;
}

int main(int argc, char **argv)
{
	static uint8_t bufs[BATCH][MAXPKT];
	static uint16_t map[65536];	/* source port -> sink port, 0: none */
	struct mmsghdr in[BATCH], out[BATCH];
	struct sockaddr_in from[BATCH], to[BATCH];
	struct iovec iov[BATCH], oiov[BATCH];
	struct sockaddr_in lsa, osa, sink = { 0 };
	long nflows = 1, sport = 20000, dport = 40000, dstep = 0;
	unsigned long relayed = 0, dropped = 0;
	struct timeval tmo = { 0, 200000 };
	struct sigaction sa;
	double secs = 60, t0;
	int have_l = 0, have_o = 0;
	int lfd, ofd, opt, i;

	while ((opt = getopt(argc, argv, "l:o:d:n:p:P:S:t:")) != -1) {
		switch (opt) {
		case 'l': parse_ep(optarg, &lsa); have_l = 1; break;
		case 'o': parse_ep(optarg, &osa); have_o = 1; break;
		case 'd':
			sink.sin_family = AF_INET;
			if (inet_pton(AF_INET, optarg, &sink.sin_addr) != 1)
				usage();
			break;
		case 'n': nflows = bench_num("udp_relay", optarg, 1, 65535); break;
		case 'p': sport = bench_num("udp_relay", optarg, 1, 65535); break;
		case 'P': dport = bench_num("udp_relay", optarg, 1, 65535); break;
		case 'S': dstep = bench_num("udp_relay", optarg, 0, 65535); break;
		case 't': secs = bench_num("udp_relay", optarg, 1, 3600); break;
		default: usage();
		}
	}
	if (!have_l || !have_o || !sink.sin_family)
		usage();
	if (sport + nflows - 1 > 65535 || dport + (nflows - 1) * dstep > 65535) {
		fprintf(stderr, "udp_relay: port range overflows\n");
		return 2;
	}
	for (i = 0; i < nflows; i++)
		map[sport + i] = (uint16_t)(dport + i * dstep);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	lfd = bound_socket(&lsa);
	ofd = bound_socket(&osa);
	setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));

	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = MAXPKT;
		in[i].msg_hdr.msg_iov = &iov[i];
		in[i].msg_hdr.msg_iovlen = 1;
		in[i].msg_hdr.msg_name = &from[i];
		out[i].msg_hdr.msg_iov = &oiov[i];
		out[i].msg_hdr.msg_iovlen = 1;
		out[i].msg_hdr.msg_name = &to[i];
		out[i].msg_hdr.msg_namelen = sizeof(to[i]);
	}

	printf("ready\n");
	fflush(stdout);
	t0 = bench_now();
	while (!stop && bench_now() - t0 < secs) {
		int n, k = 0, s;

		for (i = 0; i < BATCH; i++)
			in[i].msg_hdr.msg_namelen = sizeof(from[i]);
		n = recvmmsg(lfd, in, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			perror("udp_relay: recvmmsg");
			return 1;
		}
		for (i = 0; i < n; i++) {
			uint16_t d = map[ntohs(from[i].sin_port)];

			if (!d) {
				dropped++;
				continue;
			}
			to[k] = sink;
			to[k].sin_port = htons(d);
			oiov[k].iov_base = bufs[i];
			oiov[k].iov_len = in[i].msg_len;
			k++;
		}
		for (i = 0; i < k; i += s) {
			s = sendmmsg(ofd, out + i, k - i, 0);
			if (s < 0) {
				if (errno != ENOBUFS && errno != EAGAIN &&
				    errno != EINTR && errno != ECONNREFUSED) {
					perror("udp_relay: sendmmsg");
					return 1;
				}
				dropped += k - i;
				break;
			}
			relayed += s;
		}
	}
	printf("relayed %lu dropped %lu\n", relayed, dropped);
	return 0;
}
