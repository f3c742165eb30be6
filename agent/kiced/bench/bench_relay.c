// SPDX-License-Identifier: GPL-2.0
/*
 * bench_relay PA PB XA XB SECONDS [WINDOW]: throughput of one relayed RTP stream.
 *
 * Binds 127.0.0.1:PA (sender, the offerer's app) and 127.0.0.1:PB (the
 * answerer's app).  B first sends a few datagrams to the relay's port XB
 * (so that relays which wait to see both endpoints have), then A sends
 * 172-byte RTP-like datagrams to the relay's port XA for SECONDS and what
 * arrives on PB is counted.  A window of at most WINDOW (32)
 * datagrams in flight keeps the measure one of relay capacity, not of
 * socket buffer overflow (rtpengine discards datagrams when more than 50
 * wait on a socket, by design).  Prints "pps=<received per second> lost=<n>".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	8
#define WINDOW	32	/* rtpengine discards beyond 50 queued */
#define PKT	172

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bind_port(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int sz = 4 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

int main(int argc, char **argv)
{
	static char pkt[BATCH][PKT], rbuf[BATCH][2048];
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct mmsghdr out[BATCH], in[BATCH];
	struct iovec oiov[BATCH], iiov[BATCH];
	unsigned long sent = 0, rcvd = 0, seq = 0, lost = 0, window;
	double secs, start, end, idle_since;
	int a, b, i;

	if (argc != 6 && argc != 7) {
		fprintf(stderr,
			"usage: bench_relay PA PB XA XB SECONDS [WINDOW]\n");
		return 2;
	}
	window = argc == 7 ? strtoul(argv[6], NULL, 10) : WINDOW;
	if (window < BATCH || window > 4096) {
		fprintf(stderr, "bench_relay: window %lu..4096\n",
			(unsigned long)BATCH);
		return 2;
	}
	a = bind_port(atoi(argv[1]));
	b = bind_port(atoi(argv[2]));
	secs = atof(argv[5]);
	if (a < 0 || b < 0 || secs <= 0 || secs > 60) {
		perror("bench_relay");
		return 1;
	}
	memset(out, 0, sizeof(out));
	memset(in, 0, sizeof(in));
	for (i = 0; i < BATCH; i++) {
		pkt[i][0] = (char)0x80;
		oiov[i] = (struct iovec){ pkt[i], PKT };
		out[i].msg_hdr.msg_iov = &oiov[i];
		out[i].msg_hdr.msg_iovlen = 1;
		out[i].msg_hdr.msg_name = &to;
		out[i].msg_hdr.msg_namelen = sizeof(to);
		iiov[i] = (struct iovec){ rbuf[i], sizeof(rbuf[i]) };
		in[i].msg_hdr.msg_iov = &iiov[i];
		in[i].msg_hdr.msg_iovlen = 1;
	}
	/* B introduces itself; then drain what reached A */
	to.sin_port = htons((uint16_t)atoi(argv[4]));
	for (i = 0; i < 5; i++) {
		sendto(b, pkt[0], PKT, 0, (struct sockaddr *)&to, sizeof(to));
		usleep(20000);
	}
	while (recvmmsg(a, in, BATCH, MSG_DONTWAIT, NULL) > 0)
		;
	to.sin_port = htons((uint16_t)atoi(argv[3]));
	start = now_s();
	end = start + secs;
	idle_since = start;
	while (now_s() < end) {
		struct pollfd p = { .fd = b, .events = POLLIN };
		int n;

		if (sent - rcvd + BATCH <= window) {
			for (i = 0; i < BATCH; i++) {
				pkt[i][2] = (char)(seq >> 8);
				pkt[i][3] = (char)seq++;
			}
			n = sendmmsg(a, out, BATCH, 0);
			if (n > 0)
				sent += (unsigned long)n;
		}
		n = recvmmsg(b, in, BATCH, MSG_DONTWAIT, NULL);
		if (n > 0) {
			rcvd += (unsigned long)n;
			idle_since = now_s();
			continue;
		}
		if (sent - rcvd + BATCH > window) {
			poll(&p, 1, 10);
			/* datagrams lost in the relay: reopen the window */
			if (now_s() - idle_since > 0.05) {
				lost += sent - rcvd;
				sent = rcvd;
				idle_since = now_s();
			}
		}
	}
	printf("pps=%.0f lost=%lu\n", (double)rcvd / (now_s() - start),
	       lost);
	return rcvd ? 0 : 1;
}
