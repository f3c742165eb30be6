// SPDX-License-Identifier: GPL-2.0
/*
 * kice_flows: install kice relay flows for the relay benchmark and keep
 * them alive.
 *
 * Binds pairs of UDP sockets (leg a and leg b), attaches them to kice.ko
 * over the "kice" generic netlink family with agent/knl (unknown traffic
 * dropped), then creates FLOWS flows, pipelining up to 64 (KNL_BATCH)
 * flow-new requests per send.
 * A socket pair carries SPAN (20,000) flows; pair j is bound to
 * A:(PORT+j) and B:(PORT+j):
 *
 *   flow i = j * SPAN + k: leg a = socket A of pair j, remote RA:(PA+k);
 *                          leg b = socket B of pair j, remote RB:(PB+k)
 *
 * With -f it writes the flows for rtp_gen -f ("PA+k PORT+j" per line).
 * Prints "installed N flows in S s (R flows/s)" and "ready", and holds the
 * sockets (so the flows stay) until SIGTERM/SIGINT or SECONDS pass.
 *
 *   kice_flows -a ADDR:PORT -b ADDR -r RA -p PA -R RB -P PB [-n FLOWS]
 *              [-f FILE] [-t SECONDS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/kice.h>
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
#include "knl/knl.h"

#define SPAN		20000
#define MAX_PAIRS	64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kice_flows -a ADDR:PORT -b ADDR -r RA -p PA -R RB -P PB\n"
		"                  [-n FLOWS] [-f FILE] [-t SECONDS]\n");
	exit(2);
}

static void parse_ep(const char *s, struct sockaddr_in *sa)
{
	if (bench_parse_ep("kice_flows", s, sa))
		usage();
}

static uint32_t attach(struct knl *k, int fd)
{
	uint32_t id;
	int r = knl_sock_attach_policy(k, fd, KICE_UNKNOWN_POLICY_DROP, &id);

	if (r) {
		fprintf(stderr, "kice_flows: sock-attach: %s%s%s\n",
			strerror(-r), k->extack[0] ? ": " : "", k->extack);
		exit(1);
	}
	return id;
}

static int bound_socket(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		perror("kice_flows: socket");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	static struct sockaddr_in remote[2 * KNL_BATCH];
	static struct knl_leg legs[2 * KNL_BATCH];
	struct sockaddr_in sa_a = { 0 }, sa_b = { 0 };
	uint32_t sock_a[MAX_PAIRS], sock_b[MAX_PAIRS];
	int fds[2 * MAX_PAIRS];
	const char *file = NULL;
	long pairs, j;
	struct in_addr ra = { 0 }, rb = { 0 };
	long nflows = 1, pa = 0, pb = 0, secs = 600, i;
	struct knl nl;
	struct sigaction sig;
	int opt, r;
	double t0, t1;

	while ((opt = getopt(argc, argv, "a:b:r:p:R:P:n:f:t:")) != -1) {
		switch (opt) {
		case 'a': parse_ep(optarg, &sa_a); break;
		case 'b':
			sa_b.sin_family = AF_INET;
			if (inet_pton(AF_INET, optarg, &sa_b.sin_addr) != 1)
				usage();
			break;
		case 'f': file = optarg; break;
		case 'r':
			if (inet_pton(AF_INET, optarg, &ra) != 1)
				usage();
			break;
		case 'R':
			if (inet_pton(AF_INET, optarg, &rb) != 1)
				usage();
			break;
		case 'p': pa = bench_num("kice_flows", optarg, 1, 65535); break;
		case 'P': pb = bench_num("kice_flows", optarg, 1, 65535); break;
		case 'n': nflows = bench_num("kice_flows", optarg, 1, SPAN * MAX_PAIRS); break;
		case 't': secs = bench_num("kice_flows", optarg, 1, 3600); break;
		default: usage();
		}
	}
	if (!sa_a.sin_family || !sa_b.sin_family || !ra.s_addr || !rb.s_addr ||
	    !pa || !pb)
		usage();
	pairs = (nflows + SPAN - 1) / SPAN;
	if (pa + SPAN > 65536 || pb + SPAN > 65536 ||
	    ntohs(sa_a.sin_port) + pairs > 65536) {
		fprintf(stderr, "kice_flows: port range overflows (%d flows per socket)\n",
			SPAN);
		return 2;
	}

	memset(&sig, 0, sizeof(sig));
	sig.sa_handler = on_signal;
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);

	r = knl_open(&nl);
	if (r) {
		fprintf(stderr, "kice_flows: no generic netlink family %s: %s\n",
			KICE_FAMILY_NAME, strerror(-r));
		return 1;
	}
	{
		struct timeval tmo = { 20, 0 };

		setsockopt(knl_fd(&nl), SOL_SOCKET, SO_RCVTIMEO, &tmo,
			   sizeof(tmo));
	}

	for (j = 0; j < pairs; j++) {
		struct sockaddr_in a = sa_a, b = sa_b;

		a.sin_port = htons((uint16_t)(ntohs(sa_a.sin_port) + j));
		b.sin_port = a.sin_port;
		fds[2 * j] = bound_socket(&a);
		fds[2 * j + 1] = bound_socket(&b);
		sock_a[j] = attach(&nl, fds[2 * j]);
		sock_b[j] = attach(&nl, fds[2 * j + 1]);
	}
	if (file) {
		FILE *f = fopen(file, "w");

		if (!f) {
			perror(file);
			return 1;
		}
		for (i = 0; i < nflows; i++)
			fprintf(f, "%ld %ld\n", pa + i % SPAN,
				ntohs(sa_a.sin_port) + i / SPAN);
		if (fclose(f)) {
			perror(file);
			return 1;
		}
	}

	t0 = bench_now();
	for (i = 0; i < nflows && !stop;) {
		int k;

		for (k = 0; k < KNL_BATCH && i < nflows; k++, i++) {
			struct sockaddr_in *sa = &remote[2 * k];

			sa[0] = (struct sockaddr_in){ .sin_family = AF_INET,
				.sin_addr = ra,
				.sin_port = htons((uint16_t)(pa + i % SPAN)) };
			sa[1] = (struct sockaddr_in){ .sin_family = AF_INET,
				.sin_addr = rb,
				.sin_port = htons((uint16_t)(pb + i % SPAN)) };
			legs[2 * k] = (struct knl_leg){ .sock = sock_a[i / SPAN],
				.remote = (struct sockaddr *)&sa[0] };
			legs[2 * k + 1] = (struct knl_leg){
				.sock = sock_b[i / SPAN],
				.remote = (struct sockaddr *)&sa[1] };
		}
		r = knl_flow_new_batch(&nl, legs, (size_t)k, NULL);
		if (r) {
			fprintf(stderr, "kice_flows: flow-new near flow %ld: %s%s%s\n",
				i, strerror(-r), nl.extack[0] ? ": " : "",
				nl.extack);
			return 1;
		}
	}
	t1 = bench_now();
	printf("installed %ld flows in %.3f s (%.0f flows/s)\nready\n",
	       i, t1 - t0, i / (t1 - t0 > 0 ? t1 - t0 : 1e-9));
	fflush(stdout);

	t0 = bench_now();
	while (!stop && bench_now() - t0 < secs)
		usleep(100000);
	for (j = 0; j < 2 * pairs; j++)
		close(fds[j]);
	knl_close(&nl);
	return 0;
}
