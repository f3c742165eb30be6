// SPDX-License-Identifier: GPL-2.0
/*
 * rtp_gen: bounded RTP load generator for the relay benchmark.
 *
 * Sends 172-byte RTP packets (12-byte header, 160 bytes of PCMU silence:
 * one 20 ms frame) as fast as it can.  With -i/-m as whole Ethernet
 * frames to the next hop's MAC address through a PACKET_TX_RING of an
 * AF_PACKET socket on IFNAME (qdisc bypassed): frames are written into
 * the mmap'ed ring and one send() hands every queued frame to the device,
 * so the generator costs little per packet and outruns the relay it
 * measures.  Without -i through a raw IPv4 socket with sendmmsg(), batches
 * of 32 (used to prime flows).  Consecutive packets belong to consecutive
 * flows.  A flow is a UDP source port (one SSRC and sequence space each)
 * and a destination port.
 *
 *   rtp_gen -s SRC -d DST [-i IFNAME -m MAC] [-n FLOWS] [-p SPORT]
 *           [-P DPORT] [-S DSTEP] [-f FILE] [-t SECONDS] [-c COUNT]
 *           [-o COUNTER] [-r PPS]
 *
 * Flow i is SRC:(SPORT+i) -> DST:(DPORT+i*DSTEP), or line i of FILE
 * ("SPORT DPORT").  Stops after SECONDS (default 5) or COUNT packets,
 * whichever comes first, then prints "sent N pps R".  -r paces the ring
 * to at most PPS packets a second (the userspace relay's rate ladder).  With -o the count of
 * packets sent so far is kept up to date in COUNTER (a shared mapping of
 * a text file: the number, space-padded to 20 characters, and a newline),
 * so that a shell can sample it with the "read" builtin.
 *
 * Every packet is real RTP with valid IPv4 and UDP checksums.  The parts
 * that are the same for every packet (Ethernet and IP header but for the
 * IP id, UDP length, RTP version and payload) are written once; per
 * packet only the IP id, the ports, the RTP sequence number, timestamp
 * and SSRC are written, and both checksums are completed from sums
 * precomputed per flow (RFC 1071: the one's complement sum is
 * associative, so a sum over the constant words plus the changing ones
 * is the sum over the packet).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
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
#define UDP_LEN		(sizeof(struct udphdr) + RTP_LEN)
#define PKT_LEN		(sizeof(struct iphdr) + UDP_LEN)
#define ETH_LEN		14
#define VNET_LEN	sizeof(struct virtio_net_hdr)
#define COUNTER_LEN	22	/* 20 digits, newline, NUL */
#define BATCH		32	/* sendmmsg batch; frames queued per send() */
#define MAX_FLOWS	200000
/* TX ring: 256-byte frames (tpacket2_hdr, virtio_net_hdr, frame), 4 KiB blocks */
#define RING_FRAME	256
#define RING_BLOCK	4096
#define RING_BLOCKS	256
#define RING_FRAMES	(RING_BLOCKS * (RING_BLOCK / RING_FRAME))
/* where a TX frame's data starts (no PACKET_TX_HAS_OFF) */
#define RING_DATA	(TPACKET2_HDRLEN - sizeof(struct sockaddr_ll))

struct flow {
	uint16_t sport, dport;		/* network byte order */
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint32_t usum;	/* UDP checksum sum but for sequence and timestamp */
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

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* The IPv4 packet's constant part: IP header (id 0, checksum 0), UDP length, RTP payload. */
static void template(uint8_t *pkt, struct in_addr src, struct in_addr dst)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *uh = (struct udphdr *)(ip + 1);
	uint8_t *rtp = (uint8_t *)(uh + 1);

	memset(pkt, 0, PKT_LEN);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(PKT_LEN);
	ip->saddr = src.s_addr;
	ip->daddr = dst.s_addr;
	uh->len = htons(UDP_LEN);
	rtp[0] = 0x80;			/* V=2, PT 0 (PCMU) */
	memset(rtp + 12, 0xff, RTP_LEN - 12);	/* mu-law silence */
}

/*
 * Complete packet pkt (from template()) for flow f and advance the flow's
 * RTP sequence number and timestamp.  ipsum is the template's IP header
 * sum.
 */
static void fill(uint8_t *pkt, uint32_t ipsum, struct flow *f)
{
	static uint16_t ipid;
	uint8_t *uh = pkt + sizeof(struct iphdr);
	uint8_t *rtp = uh + sizeof(struct udphdr);
	uint16_t c;

	ipid++;
	put16(pkt + 4, ipid);
	put16(pkt + 10, fold(ipsum + ipid));
	memcpy(uh, &f->sport, 2);
	memcpy(uh + 2, &f->dport, 2);
	put16(rtp + 2, f->seq);
	put32(rtp + 4, f->ts);
	put32(rtp + 8, f->ssrc);
	c = fold(f->usum + f->seq + (f->ts >> 16) + (f->ts & 0xffff));
	put16(uh + 6, c ? c : 0xffff);
	f->seq++;
	f->ts += 160;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rtp_gen -s SRC -d DST [-i IFNAME -m MAC] [-n FLOWS] [-p SPORT]\n"
		"               [-P DPORT] [-S DSTEP] [-f FILE] [-t SECONDS] [-c COUNT]\n"
		"               [-o COUNTER] [-r PPS]\n");
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

static char *live;

static void show(unsigned long sent)
{
	if (live)
		snprintf(live, COUNTER_LEN, "%20lu\n", sent);
}

struct ring {
	int fd;
	uint8_t *map;
	uint8_t frame[VNET_LEN + ETH_LEN + PKT_LEN];	/* the template */
};

static struct tpacket2_hdr *ring_hdr(struct ring *r, unsigned long i)
{
	return (struct tpacket2_hdr *)(r->map + (i % RING_FRAMES) * RING_FRAME);
}

static uint32_t ring_status(struct ring *r, unsigned long i)
{
	return __atomic_load_n(&ring_hdr(r, i)->tp_status, __ATOMIC_ACQUIRE);
}

/*
 * An AF_PACKET socket on ifname with a TX ring whose frames all hold the
 * template: a virtio_net_hdr whose hdr_len is the whole frame (so that the
 * kernel copies it into the skb's linear part, as a sendmsg() would,
 * instead of attaching the ring's pages), then the Ethernet frame to mac.
 */
static void ring_open(struct ring *r, const char *ifname,
		      const unsigned int mac[6], const uint8_t *ip)
{
	struct virtio_net_hdr vh = { .gso_type = VIRTIO_NET_HDR_GSO_NONE };
	struct tpacket_req req = {
		.tp_block_size = RING_BLOCK,
		.tp_block_nr = RING_BLOCKS,
		.tp_frame_size = RING_FRAME,
		.tp_frame_nr = RING_FRAMES,
	};
	struct sockaddr_ll ll = { 0 };
	struct ifreq ifr;
	int one = 1, v2 = TPACKET_V2, sndbuf = 4 << 20;
	uint8_t *eth = r->frame + VNET_LEN;
	unsigned long i;
	int j;

	_Static_assert(RING_DATA + sizeof(r->frame) <= RING_FRAME, "ring frame too small");
	r->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (r->fd < 0) {
		perror("rtp_gen: packet socket");
		exit(1);
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!ll.sll_ifindex) {
		perror(ifname);
		exit(1);
	}
	if (ioctl(r->fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("rtp_gen: SIOCGIFHWADDR");
		exit(1);
	}
	/*
	 * Up to 4 MB of packets in flight (the relay's input backlog takes
	 * 10,000): enough to keep the relay busy while this vCPU is
	 * descheduled.  SO_SNDBUFFORCE needs CAP_NET_ADMIN, which a packet
	 * socket needs anyway; SO_SNDBUF is capped at wmem_max.
	 */
	if (setsockopt(r->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		setsockopt(r->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (setsockopt(r->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof(v2)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) < 0) {
		perror("rtp_gen: packet socket options");
		exit(1);
	}
	r->map = mmap(NULL, (size_t)RING_BLOCK * RING_BLOCKS, PROT_READ | PROT_WRITE,
		      MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED) {
		perror("rtp_gen: mmap TX ring");
		exit(1);
	}
	if (bind(r->fd, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
		perror("rtp_gen: bind");
		exit(1);
	}
	vh.hdr_len = ETH_LEN + PKT_LEN;
	memcpy(r->frame, &vh, sizeof(vh));
	for (j = 0; j < 6; j++)
		eth[j] = (uint8_t)mac[j];
	memcpy(eth + 6, ifr.ifr_hwaddr.sa_data, 6);
	eth[12] = ETH_P_IP >> 8;
	eth[13] = ETH_P_IP & 0xff;
	memcpy(eth + ETH_LEN, ip, PKT_LEN);
	for (i = 0; i < RING_FRAMES; i++) {
		struct tpacket2_hdr *h = ring_hdr(r, i);

		memcpy((uint8_t *)h + RING_DATA, r->frame, sizeof(r->frame));
		h->tp_len = sizeof(r->frame);
	}
}

/*
 * Send through the ring until secs have passed or count (if not 0)
 * packets went out; returns the packets the kernel took.  Frames
 * [tail, head) are queued (TP_STATUS_SEND_REQUEST); a frame the kernel
 * took is TP_STATUS_SENDING until its skb is released, then available.
 */
static unsigned long ring_run(struct ring *r, uint32_t ipsum, struct flow *fl,
			      long nflows, double secs, unsigned long count,
			      long rate)
{
	unsigned long head = 0, tail = 0;
	struct pollfd pfd = { .fd = r->fd, .events = POLLOUT };
	double t0 = bench_now(), t = t0, end = t0 + secs;
	long next = 0;
	int stop = 0;

	for (;;) {
		unsigned long done = tail, due = ~0UL;
		int n = 0;

		/* paced: at most @rate packets a second since t0 */
		if (rate)
			due = (unsigned long)((t - t0) * rate) + 1;

		while (tail < head) {
			uint32_t st = ring_status(r, tail);

			if (st & TP_STATUS_SEND_REQUEST)
				break;
			if (st & TP_STATUS_WRONG_FORMAT) {
				fprintf(stderr, "rtp_gen: kernel rejected a frame\n");
				exit(1);
			}
			tail++;
		}
		show(tail);
		if (stop && tail == head)
			break;
		while (!stop && n < BATCH && head - tail < RING_FRAMES &&
		       ring_status(r, head) == TP_STATUS_AVAILABLE &&
		       (!count || head < count) && head < due) {
			struct tpacket2_hdr *h = ring_hdr(r, head);

			fill((uint8_t *)h + RING_DATA + VNET_LEN + ETH_LEN, ipsum, &fl[next]);
			if (++next == nflows)
				next = 0;
			__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
					 __ATOMIC_RELEASE);
			head++;
			n++;
		}
		if (send(r->fd, NULL, 0, MSG_DONTWAIT) < 0 &&
		    errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			perror("rtp_gen: send");
			exit(1);
		}
		if (!n && head >= due && !stop)
			usleep(100);	/* ahead of the rate */
		else if (!n && tail == done)
			poll(&pfd, 1, 1);	/* ring full: wait for frames back */
		t = bench_now();
		/* stop queueing; give the queued frames 2 s to go out */
		if (!stop && (t >= end || (count && head >= count))) {
			stop = 1;
			end = t + 2;
		} else if (stop && t >= end) {
			fprintf(stderr, "rtp_gen: %lu frames not sent\n", head - tail);
			break;
		}
	}
	return tail;
}

/* Send through the raw socket fd with sendmmsg(), batches of BATCH. */
static unsigned long raw_run(int fd, const uint8_t *ip, uint32_t ipsum,
			     struct in_addr dst, struct flow *fl, long nflows,
			     double secs, unsigned long count)
{
	static uint8_t pkts[BATCH][PKT_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = dst };
	double t0 = bench_now();
	unsigned long sent = 0;
	long next = 0;
	int b;

	memset(msgs, 0, sizeof(msgs));
	for (b = 0; b < BATCH; b++) {
		memcpy(pkts[b], ip, PKT_LEN);
		msgs[b].msg_hdr.msg_name = &to;
		msgs[b].msg_hdr.msg_namelen = sizeof(to);
		iov[b].iov_base = pkts[b];
		iov[b].iov_len = PKT_LEN;
		msgs[b].msg_hdr.msg_iov = &iov[b];
		msgs[b].msg_hdr.msg_iovlen = 1;
	}
	while (bench_now() - t0 < secs && (!count || sent < count)) {
		int n = BATCH, r;

		if (count && count - sent < BATCH)
			n = (int)(count - sent);
		for (b = 0; b < n; b++) {
			fill(pkts[b], ipsum, &fl[next]);
			if (++next == nflows)
				next = 0;
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("rtp_gen: sendmmsg");
				exit(1);
			}
			r = 0;
		}
		sent += r;
		show(sent);
	}
	return sent;
}

int main(int argc, char **argv)
{
	static uint8_t ip[PKT_LEN];
	unsigned int mac[6];
	const char *ifname = NULL, *mac_s = NULL, *counter = NULL;
	struct in_addr src = { 0 }, dst = { 0 };
	long nflows = 1, sport = 20000, dport = 40000, dstep = 0;
	long count = 0, rate = 0;
	double secs = 5, t0;
	unsigned long sent;
	const char *file = NULL;
	uint32_t ipsum, usum;
	struct flow *fl;
	long i;
	int opt;

	while ((opt = getopt(argc, argv, "s:d:i:m:n:p:P:S:f:t:c:o:r:")) != -1) {
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
		case 'r': rate = bench_num("rtp_gen", optarg, 1, 100000000); break;
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

	template(ip, src, dst);
	ipsum = sum16(ip, sizeof(struct iphdr), 0);
	/* pseudo header and the UDP length field, RTP V=2, the payload */
	usum = sum16(&((struct iphdr *)ip)->saddr, 8, 0) + IPPROTO_UDP + UDP_LEN;
	usum = sum16(ip + sizeof(struct iphdr), UDP_LEN, usum);
	for (i = 0; i < nflows; i++) {
		struct flow *f = &fl[i];

		f->ssrc = 0x4b494345u ^ (uint32_t)(i * 2654435761u);
		f->seq = (uint16_t)(i * 7919);
		f->ts = (uint32_t)i * 8000;
		f->usum = usum + f->sport + f->dport + (f->ssrc >> 16) + (f->ssrc & 0xffff);
		f->sport = htons(f->sport);
		f->dport = htons(f->dport);
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
		show(0);
	}

	t0 = bench_now();
	if (ifname) {
		struct ring r;

		ring_open(&r, ifname, mac, ip);
		t0 = bench_now();
		sent = ring_run(&r, ipsum, fl, nflows, secs, count, rate);
		close(r.fd);
	} else {
		int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

		if (fd < 0) {
			perror("rtp_gen: raw socket");
			return 1;
		}
		sent = raw_run(fd, ip, ipsum, dst, fl, nflows, secs, count);
		close(fd);
	}
	printf("sent %lu pps %.0f\n", sent, sent / (bench_now() - t0));
	free(fl);
	return 0;
}
