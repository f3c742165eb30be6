// SPDX-License-Identifier: GPL-2.0
/*
 * kice_flows: install kice relay flows for the relay benchmark and keep
 * them alive.
 *
 * Binds pairs of UDP sockets (leg a and leg b), attaches them to kice.ko
 * over the "kice" generic netlink family (unknown traffic dropped), then
 * creates FLOWS flows, pipelining up to 64 flow-new requests per send.
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
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
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

#define PIPELINE	64
#define MSG_ROOM	256
#define SPAN		20000
#define MAX_PAIRS	64

static volatile sig_atomic_t stop;

struct ctx {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t portid;
	uint32_t seq;
	uint32_t last_id;	/* id attribute of the last reply */
	int err;		/* first error of a batch */
};

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

static int id_attr_cb(const struct nlattr *attr, void *data)
{
	struct ctx *c = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* KICE_A_SOCK_ID and KICE_A_FLOW_ID are both attribute 1 */
	if (type == KICE_A_SOCK_ID && mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		c->last_id = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct ctx *c = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
		c->family = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctx *c = data;

	if (nlh->nlmsg_type == GENL_ID_CTRL)
		return mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
				      family_attr_cb, c);
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), id_attr_cb, c);
}

static struct nlmsghdr *put_req(char *buf, struct ctx *c, uint16_t type,
				uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++c->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = KICE_FAMILY_VERSION;
	return nlh;
}

/*
 * Send len bytes of count requests and read the answers up to the
 * acknowledgement (or error) of each.  Returns 0 or the first error.
 */
static int transact(struct ctx *c, const char *buf, size_t len, int count)
{
	static char rbuf[65536];
	int answered = 0;

	c->err = 0;
	if (mnl_socket_sendto(c->nl, buf, len) < 0)
		return -errno;
	while (answered < count) {
		ssize_t n = mnl_socket_recvfrom(c->nl, rbuf, sizeof(rbuf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
		int left = (int)n;

		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				answered++;
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				if (e->error && !c->err)
					c->err = e->error;
				continue;
			}
			reply_cb(nlh, c);
		}
	}
	return c->err;
}

static uint32_t attach(struct ctx *c, int fd)
{
	char buf[MSG_ROOM];
	struct nlmsghdr *nlh = put_req(buf, c, c->family, KICE_CMD_SOCK_ATTACH);
	int r;

	mnl_attr_put_u32(nlh, KICE_A_SOCK_FD, (uint32_t)fd);
	mnl_attr_put_u32(nlh, KICE_A_SOCK_UNKNOWN_POLICY, KICE_UNKNOWN_POLICY_DROP);
	c->last_id = 0;
	r = transact(c, buf, nlh->nlmsg_len, 1);
	if (r || !c->last_id) {
		fprintf(stderr, "kice_flows: sock-attach: %s\n",
			r ? strerror(-r) : "no id in reply");
		exit(1);
	}
	return c->last_id;
}

static void put_leg(struct nlmsghdr *nlh, uint16_t type, uint32_t sock,
		    struct in_addr addr, uint16_t port)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, KICE_A_LEG_SOCK, sock);
	mnl_attr_put(nlh, KICE_A_LEG_IPV4, 4, &addr);
	mnl_attr_put_u16(nlh, KICE_A_LEG_PORT, port);
	mnl_attr_nest_end(nlh, nest);
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
	static char buf[PIPELINE * MSG_ROOM];
	struct sockaddr_in sa_a = { 0 }, sa_b = { 0 };
	uint32_t sock_a[MAX_PAIRS], sock_b[MAX_PAIRS];
	int fds[2 * MAX_PAIRS];
	const char *file = NULL;
	long pairs, j;
	struct in_addr ra = { 0 }, rb = { 0 };
	long nflows = 1, pa = 0, pb = 0, secs = 600, i;
	struct ctx c = { 0 };
	struct sigaction sig;
	struct nlmsghdr *nlh;
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

	c.nl = mnl_socket_open(NETLINK_GENERIC);
	if (!c.nl || mnl_socket_bind(c.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("kice_flows: netlink");
		return 1;
	}
	c.portid = mnl_socket_get_portid(c.nl);
	{
		struct timeval tmo = { 20, 0 };

		setsockopt(mnl_socket_get_fd(c.nl), SOL_SOCKET, SO_RCVTIMEO,
			   &tmo, sizeof(tmo));
	}

	nlh = put_req(buf, &c, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KICE_FAMILY_NAME);
	r = transact(&c, buf, nlh->nlmsg_len, 1);
	if (r || !c.family) {
		fprintf(stderr, "kice_flows: no generic netlink family %s: %s\n",
			KICE_FAMILY_NAME, r ? strerror(-r) : "no id");
		return 1;
	}

	for (j = 0; j < pairs; j++) {
		struct sockaddr_in a = sa_a, b = sa_b;

		a.sin_port = htons((uint16_t)(ntohs(sa_a.sin_port) + j));
		b.sin_port = a.sin_port;
		fds[2 * j] = bound_socket(&a);
		fds[2 * j + 1] = bound_socket(&b);
		sock_a[j] = attach(&c, fds[2 * j]);
		sock_b[j] = attach(&c, fds[2 * j + 1]);
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
		size_t len = 0;
		int k;

		for (k = 0; k < PIPELINE && i < nflows; k++, i++) {
			nlh = put_req(buf + len, &c, c.family, KICE_CMD_FLOW_NEW);
			put_leg(nlh, KICE_A_FLOW_LEG_A, sock_a[i / SPAN], ra,
				(uint16_t)(pa + i % SPAN));
			put_leg(nlh, KICE_A_FLOW_LEG_B, sock_b[i / SPAN], rb,
				(uint16_t)(pb + i % SPAN));
			len += NLMSG_ALIGN(nlh->nlmsg_len);
		}
		r = transact(&c, buf, len, k);
		if (r) {
			fprintf(stderr, "kice_flows: flow-new near flow %ld: %s\n",
				i, strerror(-r));
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
	mnl_socket_close(c.nl);
	return 0;
}
