// SPDX-License-Identifier: GPL-2.0
/*
 * kice-ktool: command line helper for kice.ko's selftests.
 *
 *   hold [--policy drop] IP,PORT...   attach UDP sockets bound there, print
 *                                     "sock=ID" per socket, then report
 *                                     datagrams reaching them until killed
 *   flow-new --a LEG --b LEG [--b-rtcp LEG] [--idle MS] [--dscp N] [--dtls relay|pass]
 *            [--clock PT:RATE]...     LEG = SOCK,IP,PORT[,TURNIP,TURNPORT,CH]
 *   flow-set ID [--a LEG] [--b LEG] [--b-rtcp LEG] [flow options]
 *   flow-del ID | flow-get ID | flow-dump | sock-get ID | sock-dump
 *   sock-detach ID | stats-reset [ID]
 *   monitor MS MAX                    print monitor events
 *   send --from IP,PORT --to IP,PORT --count N [--rtp SSRC] [--rtcp]
 *        [--pt PT] [--seq N] [--interval-us U] [--jitter-us J] [--ts-clock 1]
 *        [--drop-every K] [--dup-every K] [--swap-every K] [--size B] [--byte B] [--channel CH] [--tos T]
 *   recv --bind IP,PORT --count N --timeout-ms T [--channel CH]
 *   badattr SOCK4 SOCK6               malformed requests must fail with
 *                                     extack and change nothing
 *   fuzz N SEED                       N random requests
 *   xattach NETNS_PATH IP,PORT        attaching a socket from another
 *                                     netns must fail with EXDEV
 *   turnhold ...                      a leg through a TURN server
 *                                     (ktool_turn.c)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include <linux/kice.h>

#include "ktool.h"

#define MAXBUF 2048

static void die(const char *what, int err)
{
	fprintf(stderr, "ktool: %s: %s%s%s\n", what, strerror(err),
		kt_nl.extack[0] ? ": " : "", kt_nl.extack);
	exit(1);
}

uint64_t kt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "IP,PORT" -> sockaddr; returns the rest of the string after PORT. */
char *kt_parse_ep(char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char *ip = strsep(&s, ","), *port = s ? strsep(&s, ",") : NULL;

	if (!ip || !port) {
		fprintf(stderr, "ktool: endpoint needs IP,PORT\n");
		exit(2);
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(port));
		*len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(port));
		*len = sizeof(*s6);
	} else {
		fprintf(stderr, "ktool: bad address %s\n", ip);
		exit(2);
	}
	return s;
}

int kt_udp_bound(char *ep)
{
	struct sockaddr_storage ss;
	int fd, one = 1, rcvbuf = 16 << 20;
	socklen_t len;

	kt_parse_ep(ep, &ss, &len);
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket", errno);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* bursts of a few thousand packets must not overflow the queue */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("bind", errno);
	return fd;
}

void kt_ep_str(const struct sockaddr_storage *ss, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		snprintf(out, n, "%s,%u", ip, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		snprintf(out, n, "%s,%u", ip, ntohs(s->sin6_port));
	}
}

/* ------------------------------------------------------------------ */

static int id_cb(const struct nlmsghdr *nlh, void *data)
{
	*(uint32_t *)data = knl_msg_id(nlh);
	return MNL_CB_OK;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static int cmd_hold(int argc, char **argv)
{
	uint32_t policy = KICE_UNKNOWN_POLICY_PASS;
	struct pollfd pfd[16];
	int n = 0, i;

	for (i = 0; i < argc && n < 16; i++) {
		uint32_t id;
		int err;

		if (!strcmp(argv[i], "--policy")) {
			policy = !strcmp(argv[++i], "drop") ?
				 KICE_UNKNOWN_POLICY_DROP : KICE_UNKNOWN_POLICY_PASS;
			continue;
		}
		pfd[n].fd = kt_udp_bound(argv[i]);
		pfd[n].events = POLLIN;
		err = knl_sock_attach_policy(&kt_nl, pfd[n].fd, policy, &id);
		if (err)
			die("attach", -err);
		printf("sock%d=%u\n", n, id);
		n++;
	}
	printf("ready\n");
	fflush(stdout);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop) {
		if (poll(pfd, n, 200) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);
			unsigned char b[MAXBUF];
			char from[80];
			ssize_t r;

			if (!(pfd[i].revents & POLLIN))
				continue;
			r = recvfrom(pfd[i].fd, b, sizeof(b), MSG_DONTWAIT,
				     (struct sockaddr *)&ss, &sl);
			if (r <= 0)
				continue;
			kt_ep_str(&ss, from, sizeof(from));
			printf("recv sock%d from=%s len=%zd byte=%u\n", i, from,
			       r, b[0]);
			fflush(stdout);
		}
	}
	return 0;
}

/* LEG = SOCK,IP,PORT[,TURNIP,TURNPORT,CH]; SOCK 0 leaves it out */
static void put_leg(struct nlmsghdr *nlh, int type, const char *spec)
{
	struct sockaddr_storage remote, turn;
	struct knl_leg leg = { .remote = (struct sockaddr *)&remote };
	char *dup = strdup(spec), *s = dup;
	socklen_t len;

	if (!dup)
		die("leg", ENOMEM);
	leg.sock = atoi(strsep(&s, ","));
	s = kt_parse_ep(s, &remote, &len);
	if (s && *s) {
		s = kt_parse_ep(s, &turn, &len);
		if (!s) {
			fprintf(stderr, "ktool: TURN leg needs a channel\n");
			exit(2);
		}
		leg.turn = (struct sockaddr *)&turn;
		leg.channel = strtoul(s, NULL, 0);
	}
	knl_put_leg(nlh, type, &leg);
	free(dup);
}

static int cmd_flow(uint8_t cmd, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = knl_req(&kt_nl, buf, cmd, NLM_F_ACK);
	uint32_t id = 0;
	int i, err;

	for (i = 0; i < argc; i++) {
		const char *o = argv[i];

		if (i == 0 && cmd != KICE_CMD_FLOW_NEW) {
			mnl_attr_put_u32(nlh, KICE_A_FLOW_ID, atoi(o));
		} else if (i + 1 >= argc) {
			fprintf(stderr, "ktool: %s needs a value\n", o);
			return 2;
		} else if (!strcmp(o, "--a")) {
			put_leg(nlh, KICE_A_FLOW_LEG_A, argv[++i]);
		} else if (!strcmp(o, "--b")) {
			put_leg(nlh, KICE_A_FLOW_LEG_B, argv[++i]);
		} else if (!strcmp(o, "--b-rtcp")) {
			put_leg(nlh, KICE_A_FLOW_LEG_B_RTCP, argv[++i]);
		} else if (!strcmp(o, "--idle")) {
			mnl_attr_put_u32(nlh, KICE_A_FLOW_IDLE_TIMEOUT,
					 atoi(argv[++i]));
		} else if (!strcmp(o, "--dscp")) {
			mnl_attr_put_u8(nlh, KICE_A_FLOW_DSCP, atoi(argv[++i]));
		} else if (!strcmp(o, "--dtls")) {
			mnl_attr_put_u32(nlh, KICE_A_FLOW_DTLS_POLICY,
					 !strcmp(argv[++i], "relay") ?
					 KICE_DTLS_POLICY_RELAY :
					 KICE_DTLS_POLICY_PASS);
		} else if (!strcmp(o, "--clock")) {
			struct nlattr *n;
			unsigned int pt, rate;

			if (sscanf(argv[++i], "%u:%u", &pt, &rate) != 2)
				return 2;
			n = mnl_attr_nest_start(nlh, KICE_A_FLOW_CLOCK);
			mnl_attr_put_u8(nlh, KICE_A_CLOCK_PT, pt);
			mnl_attr_put_u32(nlh, KICE_A_CLOCK_RATE, rate);
			mnl_attr_nest_end(nlh, n);
		} else {
			fprintf(stderr, "ktool: unknown option %s\n", o);
			return 2;
		}
	}
	err = knl_request(&kt_nl, nlh, id_cb, &id);
	if (err)
		die("flow", -err);
	if (cmd == KICE_CMD_FLOW_NEW)
		printf("id=%u\n", id);
	return 0;
}

static int cmd_simple(uint8_t cmd, int attr, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = knl_req(&kt_nl, buf, cmd, NLM_F_ACK);
	int err;

	if (argc > 0)
		mnl_attr_put_u32(nlh, attr, atoi(argv[0]));
	err = knl_request(&kt_nl, nlh, NULL, NULL);
	if (err)
		die("request", -err);
	return 0;
}

/* ------------------------------------------------------------------ */
/* traffic */

static void sleep_until(const struct timespec *t)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR)
		;
}

static int cmd_send(int argc, char **argv)
{
	unsigned int count = 1, size = 172, drop_every = 0, channel = 0;
	unsigned int interval_us = 0, jitter_us = 0, pt = 0, tos = 0;
	unsigned int seq = 1000, rate = 8000, dup_every = 0, swap_every = 0;
	int byte = -1, i, fd = -1;
	bool rtp = false, rtcp = false, ts_clock = false;
	struct sockaddr_storage to;
	socklen_t tolen = 0;
	uint32_t ssrc = 0x1234;
	struct timespec t0, t;
	unsigned int sent = 0;

	for (i = 0; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (!strcmp(o, "--from"))
			fd = kt_udp_bound(argv[i + 1]);
		else if (!strcmp(o, "--to"))
			kt_parse_ep(argv[i + 1], &to, &tolen);
		else if (!strcmp(o, "--count"))
			count = atoi(v);
		else if (!strcmp(o, "--rtp")) {
			rtp = true;
			ssrc = strtoul(v, NULL, 0);
		} else if (!strcmp(o, "--rtcp")) {
			rtcp = true;
			ssrc = strtoul(v, NULL, 0);
		} else if (!strcmp(o, "--pt"))
			pt = atoi(v);
		else if (!strcmp(o, "--rate"))
			rate = atoi(v);
		else if (!strcmp(o, "--seq"))
			seq = atoi(v);
		else if (!strcmp(o, "--interval-us"))
			interval_us = atoi(v);
		else if (!strcmp(o, "--jitter-us"))
			jitter_us = atoi(v);
		else if (!strcmp(o, "--ts-clock"))
			ts_clock = atoi(v);
		else if (!strcmp(o, "--drop-every"))
			drop_every = atoi(v);
		else if (!strcmp(o, "--dup-every"))
			dup_every = atoi(v);
		else if (!strcmp(o, "--swap-every"))
			swap_every = atoi(v);
		else if (!strcmp(o, "--size"))
			size = atoi(v);
		else if (!strcmp(o, "--byte"))
			byte = atoi(v);
		else if (!strcmp(o, "--channel"))
			channel = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--tos"))
			tos = strtoul(v, NULL, 0);
		else {
			fprintf(stderr, "ktool: unknown option %s\n", o);
			return 2;
		}
	}
	if (fd < 0 || !tolen || size < 12 || size > 1400) {
		fprintf(stderr, "ktool: send needs --from, --to, 12 <= size <= 1400\n");
		return 2;
	}
	if (tos) {
		if (to.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
		else
			setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < (int)count; i++) {
		unsigned char b[MAXBUF], *p = b;
		unsigned int len = size, j = i, copies = 1, c;
		uint64_t at_ns;

		/* j: the packet sent in slot i (pairs swapped for reordering) */
		if (swap_every && i % swap_every == swap_every - 2 &&
		    i + 1 < (int)count)
			j = i + 1;
		else if (swap_every && i % swap_every == swap_every - 1)
			j = i - 1;
		if (dup_every && j % dup_every == dup_every - 1)
			copies = 2;

		if (channel) {
			b[0] = channel >> 8;
			b[1] = channel;
			b[2] = size >> 8;
			b[3] = size;
			p = b + 4;
			len += 4;
		}
		memset(p, 0xab, size);
		if (rtp || rtcp) {
			uint32_t ts = (uint32_t)((uint64_t)j * interval_us * rate / 1000000);
			uint16_t sq = seq + j;

			p[0] = 0x80;
			p[1] = rtcp ? 200 : pt;
			p[2] = sq >> 8;
			p[3] = sq;
			p[4] = ts >> 24;
			p[5] = ts >> 16;
			p[6] = ts >> 8;
			p[7] = ts;
			p[8] = ssrc >> 24;
			p[9] = ssrc >> 16;
			p[10] = ssrc >> 8;
			p[11] = ssrc;
			if (rtcp) {	/* length in 32-bit words minus one */
				p[2] = (size / 4 - 1) >> 8;
				p[3] = size / 4 - 1;
				memcpy(p + 4, p + 8, 4);
			}
		}
		if (byte >= 0)
			p[0] = byte;

		/* slot i is due at i * interval, plus jitter on odd ones */
		at_ns = (uint64_t)i * interval_us * 1000;
		if (jitter_us && (i & 1))
			at_ns += (uint64_t)jitter_us * 1000;
		t.tv_sec = t0.tv_sec + (t0.tv_nsec + at_ns) / 1000000000;
		t.tv_nsec = (t0.tv_nsec + at_ns) % 1000000000;
		if (interval_us)
			sleep_until(&t);
		if (ts_clock && rtp) {
			/*
			 * RTP time from the clock at sending, less the jitter
			 * put on odd slots: a late wake-up of this process
			 * shifts both, so only the intended jitter is seen
			 */
			struct timespec now;
			uint64_t ns;
			uint32_t ts;

			clock_gettime(CLOCK_MONOTONIC, &now);
			ns = (uint64_t)(now.tv_sec - t0.tv_sec) * 1000000000 +
			     now.tv_nsec - t0.tv_nsec;
			if (jitter_us && (i & 1))
				ns -= (uint64_t)jitter_us * 1000;
			ts = (uint32_t)(ns * rate / 1000000000);
			p[4] = ts >> 24;
			p[5] = ts >> 16;
			p[6] = ts >> 8;
			p[7] = ts;
		}

		if (drop_every && j % drop_every == drop_every - 1)
			continue;
		for (c = 0; c < copies; c++) {
			while (sendto(fd, b, len, 0, (struct sockaddr *)&to,
				      tolen) < 0) {
				if (errno != ENOBUFS && errno != EAGAIN)
					die("sendto", errno);
				usleep(1000);
			}
			sent++;
		}
	}
	printf("sent=%u\n", sent);
	return 0;
}

static int cmd_recv(int argc, char **argv)
{
	unsigned int count = 1, timeout = 1000, channel = 0, got = 0;
	unsigned int chan_ok = 0, bytes = 0;
	int i, fd = -1, tos = -1;
	uint64_t end;
	char from[80] = "";

	for (i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--bind"))
			fd = kt_udp_bound(argv[i + 1]);
		else if (!strcmp(argv[i], "--count"))
			count = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--timeout-ms"))
			timeout = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--channel"))
			channel = strtoul(argv[i + 1], NULL, 0);
	}
	if (fd < 0)
		return 2;
	printf("ready\n");
	fflush(stdout);
	end = kt_now_ms() + timeout;
	while (got < count) {
		unsigned char b[MAXBUF], cbuf[256];
		struct sockaddr_storage ss;
		struct iovec iov = { b, sizeof(b) };
		struct msghdr mh = {
			.msg_name = &ss, .msg_namelen = sizeof(ss),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = (int64_t)(end - kt_now_ms());
		struct cmsghdr *c;
		ssize_t r;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		r = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (r <= 0)
			continue;
		got++;
		bytes += r;
		kt_ep_str(&ss, from, sizeof(from));
		if (channel && r >= 4 && (b[0] << 8 | b[1]) == (int)channel &&
		    (b[2] << 8 | b[3]) == r - 4)
			chan_ok++;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) ||
			    (c->cmsg_level == IPPROTO_IPV6 &&
			     c->cmsg_type == IPV6_TCLASS))
				tos = c->cmsg_type == IP_TOS &&
				      c->cmsg_level == IPPROTO_IP ?
				      *(unsigned char *)CMSG_DATA(c) :
				      *(int *)CMSG_DATA(c);
	}
	printf("received=%u\nbytes=%u\nfrom=%s\ntos=%d\n", got, bytes, from, tos);
	if (channel)
		printf("channel_ok=%u\n", chan_ok);
	return 0;
}

/* ------------------------------------------------------------------ */
/* malformed requests */

struct bad {
	const char *name;
	uint8_t cmd;
	int expect;	/* errno */
	void (*build)(struct nlmsghdr *nlh);
};

static uint32_t bad_s4, bad_s6;

/* A well-formed leg nest (agent/knl builds it): SOCK -> IP,PORT */
static void leg_at(struct nlmsghdr *nlh, int type, uint32_t sock,
		   const char *ip, int port)
{
	struct sockaddr_storage ss;
	struct knl_leg leg = { .sock = sock, .remote = (struct sockaddr *)&ss };
	char ep[80];
	socklen_t len;

	snprintf(ep, sizeof(ep), "%s,%d", ip, port);
	kt_parse_ep(ep, &ss, &len);
	knl_put_leg(nlh, type, &leg);
}

static void leg_ok(struct nlmsghdr *nlh, int type, uint32_t sock, int port)
{
	leg_at(nlh, type, sock, "192.0.2.77", port);
}

/*
 * Malformed legs are built attribute by attribute: the socket, then the
 * remote's address as @ip_attr with @ip_len bytes of @ip.
 */
static struct nlattr *raw_leg(struct nlmsghdr *nlh, uint32_t sock,
			      int ip_attr, const uint8_t *ip, int ip_len)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, KICE_A_FLOW_LEG_A);

	mnl_attr_put_u32(nlh, KICE_A_LEG_SOCK, sock);
	mnl_attr_put(nlh, ip_attr, ip_len, ip);
	return n;
}

static const uint8_t ip4[4] = { 192, 0, 2, 6 };
static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, [15] = 1 };

static void b_no_leg_b(struct nlmsghdr *nlh)
{
	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 7001);
}

static void b_ipv4_len(struct nlmsghdr *nlh)
{
	struct nlattr *n = raw_leg(nlh, bad_s4, KICE_A_LEG_IPV4, ip4, 3);

	mnl_attr_put_u16(nlh, KICE_A_LEG_PORT, 7002);
	mnl_attr_nest_end(nlh, n);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7003);
}

static void b_port0(struct nlmsghdr *nlh)
{
	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 0);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7004);
}

static void b_port_u32(struct nlmsghdr *nlh)
{
	struct nlattr *n = raw_leg(nlh, bad_s4, KICE_A_LEG_IPV4, ip4, 4);

	mnl_attr_put_u32(nlh, KICE_A_LEG_PORT, 7005);
	mnl_attr_nest_end(nlh, n);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7006);
}

static void b_channel(struct nlmsghdr *nlh)
{
	struct sockaddr_storage remote, turn;
	struct knl_leg leg = { .sock = bad_s4,
			       .remote = (struct sockaddr *)&remote,
			       .turn = (struct sockaddr *)&turn,
			       .channel = 0x3fff };
	char r[] = "192.0.2.6,7007", t[] = "192.0.2.6,3478";
	socklen_t len;

	kt_parse_ep(r, &remote, &len);
	kt_parse_ep(t, &turn, &len);
	knl_put_leg(nlh, KICE_A_FLOW_LEG_A, &leg);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7008);
}

static void b_no_channel(struct nlmsghdr *nlh)
{
	struct nlattr *n = raw_leg(nlh, bad_s4, KICE_A_LEG_IPV4, ip4, 4);

	mnl_attr_put_u16(nlh, KICE_A_LEG_PORT, 7009);
	mnl_attr_put(nlh, KICE_A_LEG_TURN_IPV4, 4, ip4);
	mnl_attr_put_u16(nlh, KICE_A_LEG_TURN_PORT, 3478);
	mnl_attr_nest_end(nlh, n);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7010);
}

static void b_both_ip(struct nlmsghdr *nlh)
{
	struct nlattr *n = raw_leg(nlh, bad_s6, KICE_A_LEG_IPV4, ip4, 4);

	mnl_attr_put(nlh, KICE_A_LEG_IPV6, 16, ip6);
	mnl_attr_put_u16(nlh, KICE_A_LEG_PORT, 7011);
	mnl_attr_nest_end(nlh, n);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7012);
}

static void b_v6_on_v4(struct nlmsghdr *nlh)
{
	leg_at(nlh, KICE_A_FLOW_LEG_A, bad_s4, "2001:db8:100::1", 7013);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7014);
}

static void b_multicast(struct nlmsghdr *nlh)
{
	leg_at(nlh, KICE_A_FLOW_LEG_A, bad_s4, "224.0.0.1", 7015);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7016);
}

static void b_linklocal(struct nlmsghdr *nlh)
{
	leg_at(nlh, KICE_A_FLOW_LEG_A, bad_s6, "fe80::1", 7035);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7036);
}

static void b_stats_rw(struct nlmsghdr *nlh)
{
	struct nlattr *n = raw_leg(nlh, bad_s4, KICE_A_LEG_IPV4, ip4, 4), *s;

	mnl_attr_put_u16(nlh, KICE_A_LEG_PORT, 7017);
	s = mnl_attr_nest_start(nlh, KICE_A_LEG_STATS);
	mnl_attr_put_u64(nlh, KICE_A_LEG_STATS_RX_PACKETS, 5);
	mnl_attr_nest_end(nlh, s);
	mnl_attr_nest_end(nlh, n);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7018);
}

static void b_no_sock(struct nlmsghdr *nlh)
{
	leg_ok(nlh, KICE_A_FLOW_LEG_A, 999999, 7019);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7020);
}

static void b_dscp(struct nlmsghdr *nlh)
{
	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 7021);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7022);
	mnl_attr_put_u8(nlh, KICE_A_FLOW_DSCP, 64);
}

static void b_dtls(struct nlmsghdr *nlh)
{
	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 7023);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7024);
	mnl_attr_put_u32(nlh, KICE_A_FLOW_DTLS_POLICY, 2);
}

static void b_idle(struct nlmsghdr *nlh)
{
	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 7025);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7026);
	mnl_attr_put_u32(nlh, KICE_A_FLOW_IDLE_TIMEOUT, KICE_IDLE_TIMEOUT_MAX + 1);
}

static void b_clock(struct nlmsghdr *nlh)
{
	struct nlattr *n;

	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 7027);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7028);
	n = mnl_attr_nest_start(nlh, KICE_A_FLOW_CLOCK);
	mnl_attr_put_u8(nlh, KICE_A_CLOCK_PT, 0);
	mnl_attr_put_u32(nlh, KICE_A_CLOCK_RATE, 0);
	mnl_attr_nest_end(nlh, n);
}

static void b_clock_pt(struct nlmsghdr *nlh)
{
	struct nlattr *n;

	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 7029);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7030);
	n = mnl_attr_nest_start(nlh, KICE_A_FLOW_CLOCK);
	mnl_attr_put_u8(nlh, KICE_A_CLOCK_PT, 128);
	mnl_attr_put_u32(nlh, KICE_A_CLOCK_RATE, 8000);
	mnl_attr_nest_end(nlh, n);
}

static void b_unknown_attr(struct nlmsghdr *nlh)
{
	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 7031);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7032);
	mnl_attr_put_u32(nlh, KICE_A_FLOW_CLOCK + 5, 1);
}

static void b_same_remote(struct nlmsghdr *nlh)
{
	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 7033);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7033);
}

static void b_rtcp_same_remote(struct nlmsghdr *nlh)
{
	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s4, 7037);
	leg_ok(nlh, KICE_A_FLOW_LEG_B, bad_s4, 7038);
	leg_ok(nlh, KICE_A_FLOW_LEG_B_RTCP, bad_s4, 7037);
}

static void b_set_rtcp(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KICE_A_FLOW_ID, 1);
	leg_ok(nlh, KICE_A_FLOW_LEG_B_RTCP, bad_s4, 7039);
}

static void b_id0(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KICE_A_FLOW_ID, 0);
}

static void b_id_missing_flow(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KICE_A_FLOW_ID, 999999);
}

static void b_id_u16(struct nlmsghdr *nlh)
{
	mnl_attr_put_u16(nlh, KICE_A_FLOW_ID, 1);
}

static void b_fd_neg(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KICE_A_SOCK_FD, (uint32_t)-1);
}

static void b_fd_notsock(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KICE_A_SOCK_FD, 0);	/* stdin: not a socket */
}

static int tcp_fd = -1, dup_fd = -1;

static void b_fd_tcp(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KICE_A_SOCK_FD, tcp_fd);
}

static void b_fd_twice(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KICE_A_SOCK_FD, dup_fd);
}

static void b_policy(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KICE_A_SOCK_FD, dup_fd);
	mnl_attr_put_u32(nlh, KICE_A_SOCK_UNKNOWN_POLICY, 7);
}

static void b_set_sock(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, KICE_A_FLOW_ID, 1);
	leg_ok(nlh, KICE_A_FLOW_LEG_A, bad_s6, 7034);
}

static const struct bad bads[] = {
	{ "flow-new without leg b", KICE_CMD_FLOW_NEW, EINVAL, b_no_leg_b },
	{ "ipv4 of 3 bytes", KICE_CMD_FLOW_NEW, ERANGE, b_ipv4_len },
	{ "port 0", KICE_CMD_FLOW_NEW, ERANGE, b_port0 },
	{ "port as u32", KICE_CMD_FLOW_NEW, EINVAL, b_port_u32 },
	{ "channel 0x3fff", KICE_CMD_FLOW_NEW, ERANGE, b_channel },
	{ "TURN server without channel", KICE_CMD_FLOW_NEW, EINVAL, b_no_channel },
	{ "ipv4 and ipv6", KICE_CMD_FLOW_NEW, EINVAL, b_both_ip },
	{ "ipv6 remote on ipv4 socket", KICE_CMD_FLOW_NEW, EAFNOSUPPORT, b_v6_on_v4 },
	{ "multicast remote", KICE_CMD_FLOW_NEW, EINVAL, b_multicast },
	{ "link-local remote", KICE_CMD_FLOW_NEW, EINVAL, b_linklocal },
	{ "statistics in request", KICE_CMD_FLOW_NEW, EINVAL, b_stats_rw },
	{ "unknown socket", KICE_CMD_FLOW_NEW, ENOENT, b_no_sock },
	{ "dscp 64", KICE_CMD_FLOW_NEW, ERANGE, b_dscp },
	{ "dtls-policy 2", KICE_CMD_FLOW_NEW, ERANGE, b_dtls },
	{ "idle timeout too long", KICE_CMD_FLOW_NEW, ERANGE, b_idle },
	{ "clock rate 0", KICE_CMD_FLOW_NEW, ERANGE, b_clock },
	{ "clock pt 128", KICE_CMD_FLOW_NEW, ERANGE, b_clock_pt },
	{ "unknown attribute", KICE_CMD_FLOW_NEW, EINVAL, b_unknown_attr },
	{ "both legs same remote", KICE_CMD_FLOW_NEW, EEXIST, b_same_remote },
	{ "leg-b-rtcp with leg a's remote", KICE_CMD_FLOW_NEW, EEXIST,
	  b_rtcp_same_remote },
	{ "flow id 0", KICE_CMD_FLOW_DEL, ERANGE, b_id0 },
	{ "unknown flow", KICE_CMD_FLOW_DEL, ENOENT, b_id_missing_flow },
	{ "flow id as u16", KICE_CMD_FLOW_GET, EINVAL, b_id_u16 },
	{ "unknown flow in set", KICE_CMD_FLOW_SET, ENOENT, b_id_missing_flow },
	{ "fd -1", KICE_CMD_SOCK_ATTACH, ERANGE, b_fd_neg },
	{ "fd not a socket", KICE_CMD_SOCK_ATTACH, ENOTSOCK, b_fd_notsock },
	{ "TCP socket", KICE_CMD_SOCK_ATTACH, EPROTONOSUPPORT, b_fd_tcp },
	{ "socket attached twice", KICE_CMD_SOCK_ATTACH, EBUSY, b_fd_twice },
	{ "unknown-policy 7", KICE_CMD_SOCK_ATTACH, ERANGE, b_policy },
	{ "socket id 0", KICE_CMD_SOCK_DETACH, ERANGE, b_id0 },
	{ "flow-set changing a leg's socket", KICE_CMD_FLOW_SET, EINVAL, b_set_sock },
	{ "flow-set adding leg-b-rtcp", KICE_CMD_FLOW_SET, EINVAL, b_set_rtcp },
};

static int count_flow(const struct knl_flow_info *f, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int count_sock(const struct knl_sock_info *s, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int count(uint8_t cmd)
{
	int n = 0;

	if (cmd == KICE_CMD_FLOW_GET ? knl_flow_dump(&kt_nl, count_flow, &n) :
				       knl_sock_dump(&kt_nl, count_sock, &n))
		return -1;
	return n;
}

/* Every case must fail with its errno and an extended ACK. */
static int cmd_badattr(int argc, char **argv)
{
	int flows, socks, fails = 0;
	unsigned int i;
	uint32_t id;

	if (argc < 2)
		return 2;
	bad_s4 = atoi(argv[0]);
	bad_s6 = atoi(argv[1]);
	tcp_fd = socket(AF_INET, SOCK_STREAM, 0);
	{
		char ep[] = "127.0.0.1,0";

		dup_fd = kt_udp_bound(ep);
	}
	if (knl_sock_attach(&kt_nl, dup_fd, &id))
		die("attach", errno);
	flows = count(KICE_CMD_FLOW_GET);
	socks = count(KICE_CMD_SOCK_GET);

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = knl_req(&kt_nl, buf, bads[i].cmd,
					       NLM_F_ACK);
		int err;

		bads[i].build(nlh);
		err = -knl_request(&kt_nl, nlh, NULL, NULL);
		if (err == bads[i].expect && kt_nl.extack_attrs > 0) {
			printf("# ok: %s: %s (%s)\n", bads[i].name,
			       strerror(err), kt_nl.extack);
		} else {
			printf("# FAIL: %s: got %s, want %s; extack %d '%s'\n",
			       bads[i].name, strerror(err),
			       strerror(bads[i].expect), kt_nl.extack_attrs,
			       kt_nl.extack);
			fails++;
		}
	}
	if (count(KICE_CMD_FLOW_GET) != flows ||
	    count(KICE_CMD_SOCK_GET) != socks) {
		printf("# FAIL: flows %d -> %d, sockets %d -> %d\n", flows,
		       count(KICE_CMD_FLOW_GET), socks,
		       count(KICE_CMD_SOCK_GET));
		fails++;
	}
	printf("bad_cases=%zu\nfailures=%d\n", sizeof(bads) / sizeof(bads[0]),
	       fails);
	return fails ? 1 : 0;
}

/* ------------------------------------------------------------------ */

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void rnd_attrs(struct nlmsghdr *nlh, int depth)
{
	int n = rnd() % 6, i;

	for (i = 0; i < n; i++) {
		unsigned int type = rnd() % 12;
		unsigned char v[20];
		unsigned int len = rnd() % 4 == 0 ? rnd() % 20 :
				   (unsigned int[]){ 1, 2, 4, 8, 16 }[rnd() % 5];
		unsigned int j;

		if (depth < 2 && rnd() % 3 == 0) {
			struct nlattr *nest = mnl_attr_nest_start(nlh, type);

			rnd_attrs(nlh, depth + 1);
			mnl_attr_nest_end(nlh, nest);
			continue;
		}
		for (j = 0; j < len; j++)
			v[j] = rnd() % 4 ? rnd() % 4 : rnd();
		if (len == 4 && rnd() % 2)	/* small ids and fds often */
			memcpy(v, &(uint32_t){ rnd() % 8 }, 4);
		mnl_attr_put(nlh, type, len, v);
	}
}

static int cmd_fuzz(int argc, char **argv)
{
	int n = argc > 0 ? atoi(argv[0]) : 1000, i, ok = 0, errs = 0;

	rnd_state = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	if (!rnd_state)
		rnd_state = 1;
	for (i = 0; i < n; i++) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		uint8_t cmd = rnd() % (KICE_CMD_MAX + 3);
		struct nlmsghdr *nlh;

		/* never detach or delete what the other tests built */
		if (cmd == KICE_CMD_SOCK_DETACH || cmd == KICE_CMD_FLOW_DEL)
			cmd = KICE_CMD_STATS_RESET;
		nlh = knl_req(&kt_nl, buf, cmd,
			      NLM_F_ACK | (rnd() % 5 == 0 ? NLM_F_DUMP : 0));
		rnd_attrs(nlh, 0);
		if (knl_request(&kt_nl, nlh, NULL, NULL))
			errs++;
		else
			ok++;
	}
	printf("fuzz_sent=%d accepted=%d rejected=%d\n", n, ok, errs);
	return 0;
}

/* Flow i of flow-bulk and churn: 203.0.113.1/.2, port BASE+i */
static void bulk_legs(struct knl_leg leg[2], struct sockaddr_in sin[2],
		      char **socks, int port)
{
	int j;

	for (j = 0; j < 2; j++) {
		sin[j] = (struct sockaddr_in){ .sin_family = AF_INET,
					       .sin_port = htons(port) };
		sin[j].sin_addr.s_addr = htonl(0xcb007101 + j);
		leg[j] = (struct knl_leg){ .sock = atoi(socks[j]),
					   .remote = (struct sockaddr *)&sin[j] };
	}
}

/* flow-bulk N SOCK_A SOCK_B BASE: N flows to 203.0.113.1/.2, ports BASE+i */
static int cmd_bulk(int argc, char **argv)
{
	int n, i, err = 0, made = 0;
	uint64_t t0 = kt_now_ms();

	if (argc < 4)
		return 2;
	n = atoi(argv[0]);
	for (i = 0; i < n; i++) {
		struct sockaddr_in sin[2];
		struct knl_leg leg[2];
		uint32_t id;

		bulk_legs(leg, sin, argv + 1, atoi(argv[3]) + i);
		err = knl_flow_new(&kt_nl, &leg[0], &leg[1], 0, &id);
		if (err)
			break;
		made++;
	}
	printf("created=%d ms=%llu\n", made,
	       (unsigned long long)(kt_now_ms() - t0));
	if (err)
		die("flow-new", -err);
	return 0;
}

/* churn ROUNDS N SOCK_A SOCK_B BASE: create N flows, delete them, repeat */
static int cmd_churn(int argc, char **argv)
{
	static uint32_t ids[4096];
	int rounds, n, r, i, err;
	uint64_t t0 = kt_now_ms();

	if (argc < 5)
		return 2;
	rounds = atoi(argv[0]);
	n = atoi(argv[1]);
	if (n > 4096)
		return 2;
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			struct sockaddr_in sin[2];
			struct knl_leg leg[2];

			bulk_legs(leg, sin, argv + 2, atoi(argv[4]) + i);
			err = knl_flow_new(&kt_nl, &leg[0], &leg[1], 0,
					   &ids[i]);
			if (err)
				die("flow-new", -err);
		}
		for (i = 0; i < n; i++) {
			err = knl_flow_del(&kt_nl, ids[i]);
			if (err)
				die("flow-del", -err);
		}
	}
	printf("churned=%d ms=%llu\n", rounds * n,
	       (unsigned long long)(kt_now_ms() - t0));
	return 0;
}

struct collect {
	uint32_t *ids;
	size_t n, max;
};

static int collect_flow(const struct knl_flow_info *f, void *arg)
{
	struct collect *c = arg;

	if (c->n < c->max)
		c->ids[c->n++] = f->id;
	return 0;
}

/* flow-flush: delete every flow of the namespace */
static int cmd_flush(void)
{
	static uint32_t ids[1 << 18];
	struct collect c = { ids, 0, 1 << 18 };
	int err, n = 0;
	size_t i;

	err = knl_flow_dump(&kt_nl, collect_flow, &c);
	if (err)
		die("dump", -err);
	for (i = 0; i < c.n; i++)
		if (!knl_flow_del(&kt_nl, ids[i]))
			n++;
	printf("deleted=%d\n", n);
	return 0;
}

/* xattach NETNS_PATH IP,PORT: attach a socket of this netns from another */
static int cmd_xattach(int argc, char **argv)
{
	int fd, nsfd, err;
	uint32_t id;

	if (argc < 2)
		return 2;
	fd = kt_udp_bound(argv[1]);
	nsfd = open(argv[0], O_RDONLY);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
		die("setns", errno);
	err = knl_open(&kt_nl);
	if (err)
		die("kice family", -err);
	err = knl_sock_attach(&kt_nl, fd, &id);
	printf("error=%s\nextack=%s\n", strerror(-err), kt_nl.extack);
	return err == -EXDEV ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *c;
	int err;

	if (argc < 2) {
		fprintf(stderr, "usage: kice-ktool COMMAND ... (see source)\n");
		return 2;
	}
	c = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(c, "send"))
		return cmd_send(argc, argv);
	if (!strcmp(c, "recv"))
		return cmd_recv(argc, argv);
	if (!strcmp(c, "xattach"))
		return cmd_xattach(argc, argv);

	err = knl_open(&kt_nl);
	if (err)
		die("kice family", -err);
	if (!strcmp(c, "hold"))
		return cmd_hold(argc, argv);
	if (!strcmp(c, "flow-new"))
		return cmd_flow(KICE_CMD_FLOW_NEW, argc, argv);
	if (!strcmp(c, "flow-set"))
		return cmd_flow(KICE_CMD_FLOW_SET, argc, argv);
	if (!strcmp(c, "flow-del"))
		return cmd_simple(KICE_CMD_FLOW_DEL, KICE_A_FLOW_ID, argc, argv);
	if (!strcmp(c, "sock-detach"))
		return cmd_simple(KICE_CMD_SOCK_DETACH, KICE_A_SOCK_ID, argc, argv);
	if (!strcmp(c, "stats-reset"))
		return cmd_simple(KICE_CMD_STATS_RESET, KICE_A_FLOW_ID, argc, argv);
	if (!strcmp(c, "flow-get") || !strcmp(c, "flow-dump") ||
	    !strcmp(c, "sock-get") || !strcmp(c, "sock-dump")) {
		bool flow = c[0] == 'f', dump = strstr(c, "dump");

		err = kt_get(flow ? KICE_CMD_FLOW_GET : KICE_CMD_SOCK_GET,
			     flow ? KICE_A_FLOW_ID : KICE_A_SOCK_ID,
			     argc ? atoi(argv[0]) : 0, dump);
		if (err)
			die(c, -err);
		return 0;
	}
	if (!strcmp(c, "monitor")) {
		err = knl_monitor_join(&kt_nl);
		if (err)
			die("monitor", -err);
		printf("ready\n");
		fflush(stdout);
		return kt_monitor_print(argc ? atoi(argv[0]) : 1000,
					argc > 1 ? atoi(argv[1]) : 1000) ? 1 : 0;
	}
	if (!strcmp(c, "flow-bulk"))
		return cmd_bulk(argc, argv);
	if (!strcmp(c, "turnhold"))
		return kt_turnhold(argc, argv);
	if (!strcmp(c, "churn"))
		return cmd_churn(argc, argv);
	if (!strcmp(c, "flow-flush"))
		return cmd_flush();
	if (!strcmp(c, "badattr"))
		return cmd_badattr(argc, argv);
	if (!strcmp(c, "fuzz"))
		return cmd_fuzz(argc, argv);
	fprintf(stderr, "kice-ktool: unknown command %s\n", c);
	return 2;
}
