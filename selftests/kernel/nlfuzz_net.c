// SPDX-License-Identifier: GPL-2.0
/*
 * kice-nlfuzz: the sockets the messages talk about and the traffic that
 * crosses the flows while they come and go.
 *
 * The relay's sockets live in the fuzzer's namespace (r of lib.bash's
 * topology): UDP sockets on r's addresses towards a and b, wildcard,
 * dual-stack, IPv6-only and v4-mapped ones (attachable), and decoys the
 * module must refuse (unbound, TCP, UDP-Lite, raw, Unix datagram).  Peers
 * are UDP sockets in namespaces a and b (created there with setns()):
 * they send RTP, RTCP, DTLS, STUN, ChannelData (from the TURN ports),
 * junk and truncated datagrams to the relay sockets, and receive what the
 * flows relay to them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "nlfuzz.h"

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

/* relay: r's addresses are 192.0.2.1, 2001:db8:a::1 (to a) and
 * 198.51.100.1, 2001:db8:b::1 (to b) */
static const struct relay_cfg {
	const char *ip;			/* NULL: not bound */
	uint16_t port;
	int family, type, proto;
	bool v6only;
	const char *peer;		/* connected to PEER,5000 */
	const char *dev;		/* SO_BINDTODEVICE */
} relay_cfg[] = {
	{ "192.0.2.1", 4000, AF_INET, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "192.0.2.1", 4001, AF_INET, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "192.0.2.1", 4002, AF_INET, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "198.51.100.1", 4100, AF_INET, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "198.51.100.1", 4101, AF_INET, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "198.51.100.1", 4102, AF_INET, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "2001:db8:a::1", 4200, AF_INET6, SOCK_DGRAM, 0, true, NULL, NULL },
	{ "2001:db8:a::1", 4201, AF_INET6, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "2001:db8:b::1", 4300, AF_INET6, SOCK_DGRAM, 0, true, NULL, NULL },
	{ "2001:db8:b::1", 4301, AF_INET6, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "::", 4400, AF_INET6, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "::", 4401, AF_INET6, SOCK_DGRAM, 0, true, NULL, NULL },
	{ "0.0.0.0", 4500, AF_INET, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "::ffff:192.0.2.1", 4600, AF_INET6, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "192.0.2.1", 4700, AF_INET, SOCK_DGRAM, 0, false, "192.0.2.2",
	  NULL },
	{ "198.51.100.1", 4701, AF_INET, SOCK_DGRAM, 0, false, NULL, "rb" },
	/* decoys */
	{ NULL, 0, AF_INET, SOCK_DGRAM, 0, false, NULL, NULL },
	{ NULL, 0, AF_INET6, SOCK_DGRAM, 0, false, NULL, NULL },
	{ "192.0.2.1", 4800, AF_INET, SOCK_STREAM, 0, false, NULL, NULL },
	{ "192.0.2.1", 4801, AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, false, NULL,
	  NULL },
	{ NULL, 0, AF_INET, SOCK_RAW, IPPROTO_UDP, false, NULL, NULL },
	{ NULL, 0, AF_UNIX, SOCK_DGRAM, 0, false, NULL, NULL },
};

#define N_RELAY (sizeof(relay_cfg) / sizeof(relay_cfg[0]))

static const struct peer_cfg {
	const char *ip;
	uint16_t port;
	int side;
	bool turn;
} peer_cfg[] = {
	{ "192.0.2.2", 5000, 0, false }, { "192.0.2.2", 5001, 0, false },
	{ "192.0.2.2", 5002, 0, false }, { "192.0.2.2", 5003, 0, false },
	{ "192.0.2.3", 5000, 0, false },
	{ "2001:db8:a::2", 5000, 0, false }, { "2001:db8:a::2", 5001, 0, false },
	{ "2001:db8:a::2", 5002, 0, false }, { "2001:db8:a::3", 5000, 0, false },
	{ "198.51.100.2", 6000, 1, false }, { "198.51.100.2", 6001, 1, false },
	{ "198.51.100.2", 6002, 1, false }, { "198.51.100.2", 6003, 1, false },
	{ "2001:db8:b::2", 6000, 1, false }, { "2001:db8:b::2", 6001, 1, false },
	{ "2001:db8:b::2", 6002, 1, false },
	{ "198.51.100.2", 3478, 1, true }, { "2001:db8:b::2", 3478, 1, true },
	{ "192.0.2.2", 3478, 0, true },
};

#define N_PEERS (sizeof(peer_cfg) / sizeof(peer_cfg[0]))

/* r's address on the link to @side */
static const char *const side_addr[2][2] = {
	{ "192.0.2.1", "2001:db8:a::1" },
	{ "198.51.100.1", "2001:db8:b::1" },
};

static int fam_idx(int family)
{
	return family == AF_INET6;
}

static void die(const char *what)
{
	fprintf(stderr, "nlfuzz: %s: %s\n", what, strerror(errno));
	exit(2);
}

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static void sa_make(struct sockaddr_storage *ss, const char *ip,
		    uint16_t port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
	} else {
		fprintf(stderr, "nlfuzz: bad address %s\n", ip);
		exit(2);
	}
}

static void note_fd(struct nf_state *s, int fd)
{
	if (fd > s->max_fd)
		s->max_fd = fd;
}

static void big_rcvbuf(int fd)
{
	int sz = 1 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
}

static bool is_v4mapped(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;

	return ss->ss_family == AF_INET6 &&
	       IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);
}

static bool is_any(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	const struct sockaddr_in *s4 = (const void *)ss;

	if (ss->ss_family == AF_INET)
		return s4->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
}

bool nf_rsock_reaches(const struct nf_rsock *r, int family)
{
	if (r->family == AF_INET)
		return family == AF_INET;
	if (r->family != AF_INET6)
		return false;
	if (family == AF_INET6)
		return !is_v4mapped(&r->addr);
	return !r->v6only && (is_any(&r->addr) || is_v4mapped(&r->addr));
}

bool nf_rsock_side(const struct nf_rsock *r, int side)
{
	return r->has_dest[side][0] || r->has_dest[side][1];
}

static void rsock_dests(struct nf_rsock *r, const struct relay_cfg *c)
{
	int side, f;

	memset(r->has_dest, 0, sizeof(r->has_dest));
	if (!r->bound || r->type != SOCK_DGRAM || r->proto)
		return;
	for (side = 0; side < 2; side++) {
		for (f = 0; f < 2; f++) {
			int family = f ? AF_INET6 : AF_INET;
			struct sockaddr_storage *d = &r->dest[side][f];

			if (!nf_rsock_reaches(r, family))
				continue;
			if (is_any(&r->addr)) {
				sa_make(d, side_addr[side][f], c->port);
			} else if (is_v4mapped(&r->addr)) {
				if (strcmp(c->ip + 7, side_addr[side][0]))
					continue;
				sa_make(d, side_addr[side][0], c->port);
			} else {
				if (strcmp(c->ip, side_addr[side][f]))
					continue;
				sa_make(d, c->ip, c->port);
			}
			r->has_dest[side][f] = true;
		}
	}
}

static void rsock_open(struct nf_state *s, int i)
{
	const struct relay_cfg *c = &relay_cfg[s->rs[i].cfg];
	struct nf_rsock *r = &s->rs[i];
	int one = 1, fd;

	fd = socket(c->family, c->type | SOCK_NONBLOCK, c->proto);
	if (fd < 0)
		die("socket");
	note_fd(s, fd);
	r->fd = fd;
	r->family = c->family;
	r->type = c->type;
	r->proto = c->proto;
	r->v6only = c->v6only;
	r->bound = false;
	r->id = 0;
	if (c->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
			   &(int){ c->v6only }, sizeof(int));
	if (c->ip) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sa_make(&r->addr, c->ip, c->port);
		if (bind(fd, (struct sockaddr *)&r->addr, sa_len(&r->addr)) < 0)
			die("bind relay socket");
		r->bound = true;
		if (c->dev)	/* lib.bash's name of r's link to b */
			setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->dev,
				   strlen(c->dev));
		if (c->peer) {
			struct sockaddr_storage to;

			sa_make(&to, c->peer, 5000);
			connect(fd, (struct sockaddr *)&to, sa_len(&to));
		}
		if (c->type == SOCK_STREAM)
			listen(fd, 1);
		else
			big_rcvbuf(fd);
	} else {
		memset(&r->addr, 0, sizeof(r->addr));
	}
	rsock_dests(r, c);
}

static int netns_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(path);
	return fd;
}

int nf_net_setup(struct nf_state *s, const char *ns_a, const char *ns_b)
{
	int self = netns_open("/proc/self/ns/net");
	int ns[2] = { netns_open(ns_a), netns_open(ns_b) };
	size_t i;

	for (i = 0; i < N_RELAY; i++) {
		s->rs[i].cfg = i;
		rsock_open(s, i);
	}
	s->n_rs = N_RELAY;

	for (i = 0; i < N_PEERS; i++) {
		const struct peer_cfg *c = &peer_cfg[i];
		struct nf_peer *p = &s->peers[i];
		int one = 1;

		if (setns(ns[c->side], CLONE_NEWNET) < 0)
			die("setns");
		sa_make(&p->addr, c->ip, c->port);
		p->fd = socket(p->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (p->fd < 0)
			die("peer socket");
		note_fd(s, p->fd);
		setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (p->addr.ss_family == AF_INET6)
			setsockopt(p->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				   sizeof(one));
		if (bind(p->fd, (struct sockaddr *)&p->addr,
			 sa_len(&p->addr)) < 0)
			die("bind peer socket");
		big_rcvbuf(p->fd);
		p->side = c->side;
		p->turn = c->turn;
	}
	s->n_peers = N_PEERS;
	if (setns(self, CLONE_NEWNET) < 0)
		die("setns back");
	close(self);
	close(ns[0]);
	close(ns[1]);
	return 0;
}

void nf_net_churn(struct nf_state *s)
{
	int i = nf_below(&s->rng, s->n_rs);
	struct nf_rsock *r = &s->rs[i];

	if (r->fd < 0)
		return;
	/* an attached socket's close detaches it (encap_destroy) */
	if (r->id)
		nf_sock_forget(s, r->id);
	close(r->fd);
	rsock_open(s, i);
	s->c.sock_churn++;
}

int nf_rsock_find(struct nf_state *s, const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	int i;

	sa_make(&ss, ip, port);
	for (i = 0; i < s->n_rs; i++)
		if (s->rs[i].bound && s->rs[i].type == SOCK_DGRAM &&
		    !s->rs[i].proto &&
		    !memcmp(&s->rs[i].addr, &ss, sa_len(&ss)))
			return i;
	return -1;
}

int nf_peer_find(struct nf_state *s, const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	int i;

	sa_make(&ss, ip, port);
	for (i = 0; i < s->n_peers; i++)
		if (!memcmp(&s->peers[i].addr, &ss, sa_len(&ss)))
			return i;
	return -1;
}

int nf_peer_by_addr(struct nf_state *s, const struct sockaddr_storage *ss)
{
	int i;

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return -1;
	for (i = 0; i < s->n_peers; i++)
		if (!memcmp(&s->peers[i].addr, ss, sa_len(ss)))
			return i;
	return -1;
}

int nf_pick_remote(struct nf_state *s, int family, int side, uint8_t *ip,
		   uint16_t *port, bool turn)
{
	struct nf_rng *r = &s->rng;
	int cand[NF_MAX_PEERS], n = 0, i;

	for (i = 0; i < s->n_peers; i++) {
		const struct nf_peer *p = &s->peers[i];

		if (p->addr.ss_family != family || p->turn != turn)
			continue;
		if (side >= 0 && p->side != side && nf_chance(r, 80))
			continue;
		cand[n++] = i;
	}
	if (n && nf_chance(r, 85)) {
		int k = cand[nf_below(r, n)];
		const struct nf_peer *p = &s->peers[k];

		if (family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)&p->addr;

			memcpy(ip, &s4->sin_addr, 4);
			*port = ntohs(s4->sin_port);
		} else {
			const struct sockaddr_in6 *s6 = (const void *)&p->addr;

			memcpy(ip, &s6->sin6_addr, 16);
			*port = ntohs(s6->sin6_port);
		}
		return k;
	}
	/* somewhere without a route, or a port nobody listens on */
	if (family == AF_INET) {
		static const uint8_t nets[][3] = { { 203, 0, 113 },
						   { 192, 0, 2 },
						   { 198, 51, 100 } };
		const uint8_t *net = nets[nf_below(r, 3)];

		ip[0] = net[0];
		ip[1] = net[1];
		ip[2] = net[2];
		ip[3] = 2 + nf_below(r, 250);
	} else {
		inet_pton(AF_INET6, "2001:db8:c::", ip);
		ip[1] = 0x01;
		ip[5] = nf_below(r, 3) == 0 ? 0xa : nf_chance(r, 50) ? 0xb : 0xc;
		ip[15] = 2 + nf_below(r, 250);
	}
	*port = 1 + nf_below(r, 65535);
	return -1;
}

/* ---- traffic ---- */

static size_t put_rtp(struct nf_state *s, struct nf_peer *p, uint8_t *b,
		      size_t room)
{
	struct nf_rng *r = &s->trng;
	int k = nf_below(r, 4);
	size_t len = 12 + nf_below(r, 200);
	uint32_t ssrc = 0x1000 + k + (p - s->peers) * 16;
	uint16_t seq;
	size_t i;

	if (len > room)
		len = room;
	switch (nf_below(r, 16)) {
	case 0:
		p->seq[k] += 3000 + nf_below(r, 60000);	/* a jump */
		break;
	case 1:
		p->seq[k] -= nf_below(r, 70);		/* late, duplicate */
		break;
	case 2:
		ssrc = (uint32_t)nf_rand(r);		/* a new SSRC */
		break;
	default:
		p->seq[k]++;
		break;
	}
	seq = p->seq[k];
	p->ts[k] += 160;
	b[0] = 0x80;
	b[1] = nf_chance(r, 80) ? (0x7f & (uint8_t)(nf_below(r, 4) * 32)) :
				  (uint8_t)nf_rand(r) & 0x7f;
	b[2] = seq >> 8;
	b[3] = seq;
	b[4] = p->ts[k] >> 24;
	b[5] = p->ts[k] >> 16;
	b[6] = p->ts[k] >> 8;
	b[7] = p->ts[k];
	b[8] = ssrc >> 24;
	b[9] = ssrc >> 16;
	b[10] = ssrc >> 8;
	b[11] = ssrc;
	for (i = 12; i < len; i++)
		b[i] = (uint8_t)i;
	return len;
}

static size_t build_pkt(struct nf_state *s, struct nf_peer *p, uint8_t *b,
			size_t room, uint16_t chan)
{
	struct nf_rng *r = &s->trng;
	size_t len, i, inner;
	unsigned int t = nf_below(r, 100);

	if ((p->turn && t < 50) || (chan && t < 90)) {
		/* ChannelData: the leg's channel or one of the range */
		uint16_t ch = chan ?: 0x4000 + nf_below(r, 4);

		if (nf_chance(r, 5))
			ch = (uint16_t)nf_rand(r);
		inner = nf_chance(r, 80) ? put_rtp(s, p, b + 4, room - 4) :
			nf_below(r, 40);
		b[0] = ch >> 8;
		b[1] = ch;
		len = inner;
		if (nf_chance(r, 10))
			len = (uint16_t)nf_rand(r);	/* wrong length */
		b[2] = len >> 8;
		b[3] = len;
		if (nf_chance(r, 20) && inner < room - 4) {
			b[4] = nf_chance(r, 50) ? 0x16 : 0x00;	/* DTLS, STUN */
		}
		return 4 + inner;
	}
	if (t < 50)
		return put_rtp(s, p, b, room);
	if (t < 62) {		/* RTCP sender report */
		len = 8 + 4 * nf_below(r, 10);
		b[0] = 0x80;
		b[1] = 200 + nf_below(r, 5);
		b[2] = 0;
		b[3] = len / 4 - 1;
		for (i = 4; i < len; i++)
			b[i] = (uint8_t)nf_rand(r);
		return len;
	}
	if (t < 72) {		/* DTLS record */
		len = 13 + nf_below(r, 100);
		b[0] = 20 + nf_below(r, 44);
		for (i = 1; i < len; i++)
			b[i] = (uint8_t)i;
		return len;
	}
	if (t < 80) {		/* STUN binding request */
		len = 20;
		memset(b, 0, len);
		b[1] = 0x01;
		b[4] = 0x21;
		b[5] = 0x12;
		b[6] = 0xa4;
		b[7] = 0x42;
		return len;
	}
	if (t < 90) {		/* truncated: 0 to 11 bytes */
		len = nf_below(r, 12);
		b[0] = nf_chance(r, 70) ? 0x80 : 0x40;
		for (i = 1; i < len; i++)
			b[i] = (uint8_t)nf_rand(r);
		return len;
	}
	len = 1 + nf_below(r, 300);	/* junk */
	for (i = 0; i < len; i++)
		b[i] = (uint8_t)nf_rand(r);
	return len;
}

static int dest_rsock(struct nf_state *s, const struct nf_peer *p)
{
	int f = fam_idx(p->addr.ss_family), i, n = 0;
	int cand[NF_MAX_RSOCK];

	for (i = 0; i < s->n_rs; i++)
		if (s->rs[i].fd >= 0 && s->rs[i].has_dest[p->side][f])
			cand[n++] = i;
	/* mostly a socket that is attached */
	for (i = 0; i < 3 && n; i++) {
		int c = cand[nf_below(&s->trng, n)];

		if (s->rs[c].id || i == 2)
			return c;
	}
	return -1;
}

/* the socket and peer of a known flow's leg, if the peer can send there */
static int directed(struct nf_state *s, struct nf_peer **p, uint16_t *chan)
{
	const struct nf_flow *f;
	struct nf_rsock *r;
	int leg;

	if (!s->n_flows)
		return -1;
	f = &s->flows[nf_below(&s->trng, s->n_flows)];
	leg = nf_below(&s->trng, 2);
	r = nf_rsock_by_id(s, f->sock[leg]);
	if (!r || f->src[leg] < 0)
		return -1;
	*p = &s->peers[f->src[leg]];
	*chan = f->chan[leg];
	if (!r->has_dest[(*p)->side][fam_idx((*p)->addr.ss_family)])
		return -1;
	return r - s->rs;
}

void nf_net_traffic(struct nf_state *s, int packets)
{
	uint8_t b[2048] = { 0 };
	int i;

	for (i = 0; i < packets && s->c.pkts_sent < s->max_packets; i++) {
		struct nf_peer *p = NULL;
		uint16_t chan = 0;
		int rs = nf_chance(&s->trng, 75) ? directed(s, &p, &chan) : -1;
		const struct sockaddr_storage *d;
		size_t len;

		if (rs >= 0) {
			s->c.pkts_directed++;
		} else {
			p = &s->peers[nf_below(&s->trng, s->n_peers)];
			rs = dest_rsock(s, p);
		}
		if (rs < 0)
			continue;
		d = &s->rs[rs].dest[p->side][fam_idx(p->addr.ss_family)];
		len = build_pkt(s, p, b, sizeof(b), chan);
		if (sendto(p->fd, b, len, MSG_DONTWAIT, (const void *)d,
			   sa_len(d)) >= 0)
			s->c.pkts_sent++;
	}
}

static int drain_fd(int fd, int max)
{
	uint8_t b[2048];
	int n = 0;

	while (n < max && recv(fd, b, sizeof(b), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

void nf_net_drain(struct nf_state *s, bool peers, bool relay)
{
	struct pollfd pfd[NF_MAX_PEERS + NF_MAX_RSOCK];
	int n = 0, i, k, np = 0;

	for (i = 0; peers && i < s->n_peers; i++)
		pfd[np++] = (struct pollfd){ .fd = s->peers[i].fd,
					     .events = POLLIN };
	n = np;
	for (i = 0; relay && i < s->n_rs; i++)
		if (s->rs[i].fd >= 0 && s->rs[i].type == SOCK_DGRAM &&
		    s->rs[i].family != AF_UNIX)
			pfd[n++] = (struct pollfd){ .fd = s->rs[i].fd,
						    .events = POLLIN };
	if (!n || poll(pfd, n, 0) <= 0)
		return;
	for (i = 0; i < n; i++) {
		if (!(pfd[i].revents & (POLLIN | POLLERR)))
			continue;
		k = drain_fd(pfd[i].fd, 256);
		if (i < np)
			s->c.pkts_relay_recv += k;
		else
			s->c.pkts_recv += k;
	}
}

int nf_net_send_rtp(struct nf_state *s, int p, int rs, int n, uint32_t ssrc)
{
	struct nf_peer *pe = &s->peers[p];
	const struct sockaddr_storage *d =
		&s->rs[rs].dest[pe->side][fam_idx(pe->addr.ss_family)];
	uint8_t b[172] = { 0x80, 0 };
	int i, sent = 0;

	for (i = 0; i < n; i++) {
		b[2] = i >> 8;
		b[3] = i;
		b[7] = i;
		b[8] = ssrc >> 24;
		b[9] = ssrc >> 16;
		b[10] = ssrc >> 8;
		b[11] = ssrc;
		if (sendto(pe->fd, b, sizeof(b), 0, (const void *)d,
			   sa_len(d)) == sizeof(b))
			sent++;
		if (i % 20 == 19)
			usleep(2000);	/* no burst beyond the veth queue */
	}
	return sent;
}

int nf_net_recv_peer(struct nf_state *s, int p, int want, int ms)
{
	struct pollfd pfd = { .fd = s->peers[p].fd, .events = POLLIN };
	struct timespec t0, t;
	int got = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < want) {
		long el;

		got += drain_fd(pfd.fd, want - got);
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= ms || got >= want)
			break;
		poll(&pfd, 1, (int)(ms - el));
	}
	return got;
}
