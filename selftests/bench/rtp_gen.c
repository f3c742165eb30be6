// SPDX-License-Identifier: GPL-2.0
/*
 * rtp_gen: bounded RTP load generator for the relay benchmark.
 *
 * Sends 172-byte RTP packets (12-byte header, 160 bytes of payload: one
 * 20 ms PCMU frame) as fast as it can with sendmmsg(), batches of 32:
 * through a raw IPv4 socket, or with -i/-m as whole Ethernet frames
 * through an AF_PACKET socket on IFNAME to the next hop's MAC address
 * (bypassing the qdisc: cheaper per packet, so that the generator
 * outruns the relay it measures).  Consecutive packets belong to consecutive
 * flows, so every batch spreads over up to 32 flows.  A flow is a UDP
 * source port (one SSRC and sequence space each) and a destination port.
 *
 *   rtp_gen -s SRC -d DST [-i IFNAME -m MAC] [-n FLOWS] [-p SPORT]
 *           [-P DPORT] [-S DSTEP] [-f FILE] [-t SECONDS] [-c COUNT]
 *           [-o COUNTER]
 *
 * Flow i is SRC:(SPORT+i) -> DST:(DPORT+i*DSTEP), or line i of FILE
 * ("SPORT DPORT").  Stops after SECONDS (default 5) or COUNT packets,
 * whichever comes first, then prints "sent N pps R".  With -o the count of
 * packets sent so far is kept up to date in COUNTER (a shared mapping of
 * a text file: the number, space-padded to 20 characters, and a newline),
 * so that a shell can sample it with the "read" builtin.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"

#define RTP_LEN		172
#define PKT_LEN		(sizeof(struct iphdr) + sizeof(struct udphdr) + RTP_LEN)
#define ETH_LEN		14
#define COUNTER_LEN	22	/* 20 digits, newline, NUL */
#define BATCH		32
#define MAX_FLOWS	200000

struct flow {
	uint16_t sport, dport;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
};

static uint32_t sum16(const void *p, size_t len, uint32_t s)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * Fill one IPv4 packet of flow f (advancing its RTP sequence and
 * timestamp); with full set the IP id and checksum too (AF_PACKET).
 */
static void build(uint8_t *pkt, struct in_addr src, struct in_addr dst,
		  struct flow *f, int full)
{
	static uint16_t ipid;
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *uh = (struct udphdr *)(ip + 1);
	uint8_t *rtp = (uint8_t *)(uh + 1);
	uint32_t s;
	uint16_t c;

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(PKT_LEN);	/* id and checksum: filled by the kernel */
	ip->saddr = src.s_addr;
	ip->daddr = dst.s_addr;
	if (full) {
		ip->id = htons(ipid++);
		ip->check = htons(fold(sum16(ip, sizeof(*ip), 0)));
	}

	uh->source = htons(f->sport);
	uh->dest = htons(f->dport);
	uh->len = htons(sizeof(*uh) + RTP_LEN);
	uh->check = 0;

	rtp[0] = 0x80;			/* V=2 */
	rtp[1] = 0;			/* PT 0 (PCMU) */
	rtp[2] = f->seq >> 8;
	rtp[3] = f->seq & 0xff;
	rtp[4] = f->ts >> 24;
	rtp[5] = f->ts >> 16;
	rtp[6] = f->ts >> 8;
	rtp[7] = f->ts;
	rtp[8] = f->ssrc >> 24;
	rtp[9] = f->ssrc >> 16;
	rtp[10] = f->ssrc >> 8;
	rtp[11] = f->ssrc;
	f->seq++;
	f->ts += 160;

	/* UDP checksum over the pseudo header, header and payload. */
	s = sum16(&ip->saddr, 8, 0);
	s += IPPROTO_UDP + sizeof(*uh) + RTP_LEN;
	s = sum16(uh, sizeof(*uh) + RTP_LEN, s);
	c = fold(s);
	uh->check = htons(c ? c : 0xffff);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rtp_gen -s SRC -d DST [-i IFNAME -m MAC] [-n FLOWS] [-p SPORT]\n"
		"               [-P DPORT] [-S DSTEP] [-f FILE] [-t SECONDS] [-c COUNT]\n"
		"               [-o COUNTER]\n");
	exit(2);
}

static int read_flows(const char *path, struct flow *fl)
{
	unsigned int sp, dp;
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f) {
		perror(path);
		exit(1);
	}
	while (n < MAX_FLOWS && fscanf(f, "%u %u", &sp, &dp) == 2) {
		if (!sp || sp > 65535 || !dp || dp > 65535) {
			fprintf(stderr, "rtp_gen: %s: bad ports %u %u\n", path, sp, dp);
			exit(2);
		}
		fl[n].sport = sp;
		fl[n].dport = dp;
		n++;
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	static uint8_t pkts[BATCH][ETH_LEN + PKT_LEN];
	struct sockaddr_ll ll = { 0 };
	struct ifreq ifr;
	unsigned int mac[6];
	const char *ifname = NULL, *mac_s = NULL, *counter = NULL;
	char *live = NULL;
	int off = 0;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to;
	struct in_addr src = { 0 }, dst = { 0 };
	long nflows = 1, sport = 20000, dport = 40000, dstep = 0;
	long count = 0;
	double secs = 5, t0, t1;
	unsigned long sent = 0;
	const char *file = NULL;
	struct flow *fl;
	long next = 0, i;
	int fd, opt, b;

	while ((opt = getopt(argc, argv, "s:d:i:m:n:p:P:S:f:t:c:o:")) != -1) {
		switch (opt) {
		case 's':
			if (inet_pton(AF_INET, optarg, &src) != 1)
				usage();
			break;
		case 'd':
			if (inet_pton(AF_INET, optarg, &dst) != 1)
				usage();
			break;
		case 'i': ifname = optarg; break;
		case 'o': counter = optarg; break;
		case 'm': mac_s = optarg; break;
		case 'n': nflows = bench_num("rtp_gen", optarg, 1, MAX_FLOWS); break;
		case 'p': sport = bench_num("rtp_gen", optarg, 1, 65535); break;
		case 'P': dport = bench_num("rtp_gen", optarg, 1, 65535); break;
		case 'S': dstep = bench_num("rtp_gen", optarg, 0, 65535); break;
		case 'f': file = optarg; break;
		case 't': secs = bench_num("rtp_gen", optarg, 1, 3600); break;
		case 'c': count = bench_num("rtp_gen", optarg, 1, 1L << 40); break;
		default: usage();
		}
	}
	if (!src.s_addr || !dst.s_addr || !ifname != !mac_s)
		usage();
	if (mac_s && sscanf(mac_s, "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1],
			    &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
		usage();

	fl = calloc(MAX_FLOWS, sizeof(*fl));
	if (!fl)
		return 1;
	if (file) {
		nflows = read_flows(file, fl);
		if (!nflows) {
			fprintf(stderr, "rtp_gen: %s: no flows\n", file);
			return 2;
		}
	} else {
		if (sport + nflows - 1 > 65535 ||
		    dport + (nflows - 1) * dstep > 65535) {
			fprintf(stderr, "rtp_gen: port range overflows\n");
			return 2;
		}
		for (i = 0; i < nflows; i++) {
			fl[i].sport = sport + i;
			fl[i].dport = dport + i * dstep;
		}
	}
	for (i = 0; i < nflows; i++) {
		fl[i].ssrc = 0x4b494345u ^ (uint32_t)(i * 2654435761u);
		fl[i].seq = (uint16_t)(i * 7919);
		fl[i].ts = (uint32_t)i * 8000;
	}

	if (counter) {
		int cfd = open(counter, O_RDWR | O_CREAT | O_TRUNC, 0644);
		void *m;

		if (cfd < 0 || ftruncate(cfd, COUNTER_LEN) < 0) {
			perror(counter);
			return 1;
		}
		m = mmap(NULL, COUNTER_LEN, PROT_READ | PROT_WRITE,
			 MAP_SHARED, cfd, 0);
		if (m == MAP_FAILED) {
			perror("rtp_gen: mmap");
			return 1;
		}
		live = m;
		close(cfd);
		snprintf(live, COUNTER_LEN, "%20lu\n", 0UL);
	}

	memset(msgs, 0, sizeof(msgs));
	if (ifname) {
		int one = 1;

		fd = socket(AF_PACKET, SOCK_RAW, 0);
		if (fd < 0) {
			perror("rtp_gen: packet socket");
			return 1;
		}
		ll.sll_family = AF_PACKET;
		ll.sll_protocol = htons(ETH_P_IP);
		ll.sll_ifindex = (int)if_nametoindex(ifname);
		ll.sll_halen = 6;
		if (!ll.sll_ifindex) {
			perror(ifname);
			return 1;
		}
		setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
			perror("rtp_gen: SIOCGIFHWADDR");
			return 1;
		}
		off = ETH_LEN;
	} else {
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		if (fd < 0) {
			perror("rtp_gen: raw socket");
			return 1;
		}
	}
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr = dst;
	for (b = 0; b < BATCH; b++) {
		if (ifname) {
			uint8_t *eth = pkts[b];
			int j;

			for (j = 0; j < 6; j++)
				eth[j] = (uint8_t)mac[j];
			memcpy(eth + 6, ifr.ifr_hwaddr.sa_data, 6);
			eth[12] = ETH_P_IP >> 8;
			eth[13] = ETH_P_IP & 0xff;
			msgs[b].msg_hdr.msg_name = &ll;
			msgs[b].msg_hdr.msg_namelen = sizeof(ll);
		} else {
			msgs[b].msg_hdr.msg_name = &to;
			msgs[b].msg_hdr.msg_namelen = sizeof(to);
		}
		iov[b].iov_base = pkts[b];
		iov[b].iov_len = off + PKT_LEN;
		msgs[b].msg_hdr.msg_iov = &iov[b];
		msgs[b].msg_hdr.msg_iovlen = 1;
	}

	t0 = bench_now();
	t1 = t0;
	while (t1 - t0 < secs && (!count || sent < (unsigned long)count)) {
		int n = BATCH, r;

		if (count && (unsigned long)count - sent < BATCH)
			n = (int)(count - sent);
		for (b = 0; b < n; b++) {
			build(pkts[b] + off, src, dst, &fl[next], !!ifname);
			if (++next == nflows)
				next = 0;
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("rtp_gen: sendmmsg");
				return 1;
			}
			r = 0;
		}
		sent += r;
		if (live)
			snprintf(live, COUNTER_LEN, "%20lu\n", sent);
		t1 = bench_now();
	}
	printf("sent %lu pps %.0f\n", sent, sent / (t1 - t0));
	close(fd);
	free(fl);
	return 0;
}
