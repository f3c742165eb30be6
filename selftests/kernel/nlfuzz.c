// SPDX-License-Identifier: GPL-2.0
/*
 * kice-nlfuzz: structure-aware fuzzer of the "kice" generic netlink
 * family, driven by its YNL spec (see nlfuzz.h).
 *
 *   kice-nlfuzz --ns-a PATH --ns-b PATH [--seed N] [--count N] [--time S]
 *               [--packets N] [--pps N] [--batch N] [--hex] [--no-checks]
 *
 * Runs in the relay namespace; PATH are the namespaces of the traffic
 * peers (lib.bash's a and b).  Sends --count messages (at most --time
 * seconds) in batches of up to --batch, while a child process sends
 * --pps datagrams a second (at most --packets) through the flows, then
 * checks that flows,
 * sockets and counters are consistent and that a new flow still relays.
 * Prints key=value lines (the summary, then the checks) and '#' notes.
 * The messages depend only on the seed and on the kernel's answers: the
 * same seed on the same kernel sends the same messages (--hex shows
 * them).  Exit status 0 when the run and the checks completed cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "nlfuzz.h"

/* ---- PRNG: splitmix64 ---- */

void nf_rng_seed(struct nf_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t nf_rand(struct nf_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t nf_below(struct nf_rng *r, uint32_t n)
{
	return n ? (uint32_t)(nf_rand(r) % n) : 0;
}

bool nf_chance(struct nf_rng *r, unsigned int percent)
{
	return nf_below(r, 100) < percent;
}

/* ---- state ---- */

int nf_attached(struct nf_state *s, uint32_t *ids, int max)
{
	int i, n = 0;

	for (i = 0; i < s->n_rs && n < max; i++)
		if (s->rs[i].fd >= 0 && s->rs[i].id)
			ids[n++] = s->rs[i].id;
	return n;
}

struct nf_rsock *nf_rsock_by_id(struct nf_state *s, uint32_t id)
{
	int i;

	for (i = 0; id && i < s->n_rs; i++)
		if (s->rs[i].fd >= 0 && s->rs[i].id == id)
			return &s->rs[i];
	return NULL;
}

struct nf_flow *nf_flow_find(struct nf_state *s, uint32_t id)
{
	int i;

	for (i = 0; i < s->n_flows; i++)
		if (s->flows[i].id == id)
			return &s->flows[i];
	return NULL;
}

void nf_flow_add(struct nf_state *s, const struct nf_flow *f)
{
	struct nf_flow *e = nf_flow_find(s, f->id);

	if (!e && s->n_flows < NF_MAX_FLOWS)
		e = &s->flows[s->n_flows++];
	if (e)
		*e = *f;
}

void nf_flow_forget(struct nf_state *s, uint32_t id)
{
	int i;

	for (i = 0; i < s->n_flows; i++) {
		if (s->flows[i].id == id) {
			s->flows[i] = s->flows[--s->n_flows];
			return;
		}
	}
}

void nf_sock_forget(struct nf_state *s, uint32_t id)
{
	struct nf_rsock *r = nf_rsock_by_id(s, id);
	int i;

	if (r)
		r->id = 0;
	for (i = 0; i < s->n_flows; i++) {
		if (s->flows[i].sock[0] == id || s->flows[i].sock[1] == id) {
			s->flows[i] = s->flows[--s->n_flows];
			i--;
		}
	}
}

static int resync_sock(const struct knl_sock_info *si, void *arg)
{
	struct nf_state *s = arg;
	int i;

	for (i = 0; i < s->n_rs; i++) {
		struct nf_rsock *r = &s->rs[i];
		const struct sockaddr_in *sin = (const void *)&r->addr;

		if (r->fd >= 0 && r->bound && r->family == si->family &&
		    ntohs(sin->sin_port) == si->port)
			r->id = si->id;
	}
	return 0;
}

static int resync_flow(const struct knl_flow_info *f, void *arg)
{
	struct nf_state *s = arg;
	struct nf_flow e = { .id = f->id };
	int i;

	for (i = 0; i < 2; i++) {
		e.sock[i] = f->leg[i].sock;
		e.chan[i] = f->leg[i].channel;
		e.src[i] = nf_peer_by_addr(s, e.chan[i] ? &f->leg[i].turn :
						   &f->leg[i].remote);
	}
	nf_flow_add(s, &e);
	return 0;
}

/* What the kernel has, replacing what the fuzzer believes. */
int nf_resync(struct nf_state *s)
{
	int i, err;

	for (i = 0; i < s->n_rs; i++)
		s->rs[i].id = 0;
	err = knl_sock_dump(&s->chk, resync_sock, s);
	s->n_flows = 0;
	return err ?: knl_flow_dump(&s->chk, resync_flow, s);
}

/* ---- main ---- */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void open_nl(struct knl *k, const char *what)
{
	int err = knl_open(k);

	if (err) {
		fprintf(stderr, "nlfuzz: %s: %s\n", what, strerror(-err));
		exit(err == -ENOENT ? 4 : 2);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: kice-nlfuzz --ns-a PATH --ns-b PATH [--seed N] "
		"[--count N] [--time S] [--packets N] [--pps N] [--batch N] [--hex] "
		"[--no-checks]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "time", required_argument, NULL, 't' },
		{ "packets", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "pps", required_argument, NULL, 'P' },
		{ "ns-a", required_argument, NULL, 'a' },
		{ "ns-b", required_argument, NULL, 'B' },
		{ "hex", no_argument, NULL, 'x' },
		{ "no-checks", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ns_a = NULL, *ns_b = NULL;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	uint64_t count = 100000;
	double limit = 60, t0, el;
	int batch = 64, o, one = 1, big = 8 << 20, fails = 0, n, pps = 1000;
	bool checks = true;
	struct nf_state *s = calloc(1, sizeof(*s));

	if (!s)
		return 2;
	s->max_packets = 100000;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 0);
			break;
		case 't':
			limit = atof(optarg);
			break;
		case 'p':
			s->max_packets = strtoull(optarg, NULL, 0);
			break;
		case 'b':
			batch = atoi(optarg);
			break;
		case 'P':
			pps = atoi(optarg);
			break;
		case 'a':
			ns_a = optarg;
			break;
		case 'B':
			ns_b = optarg;
			break;
		case 'x':
			s->hex = true;
			break;
		case 'c':
			checks = false;
			break;
		default:
			usage();
		}
	}
	if (!ns_a || !ns_b || batch < 1)
		usage();

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed=%llu\n", (unsigned long long)seed);
	nf_rng_seed(&s->rng, seed);
	nf_rng_seed(&s->trng, seed ^ 0x5bd1e995u);
	s->c.digest = 0xcbf29ce484222325ULL;

	open_nl(&s->fz, "kice family");
	open_nl(&s->chk, "kice family");
	open_nl(&s->mon, "kice family");
	open_nl(&s->dmp, "kice family");
	/* ACKs without the request; extended ACKs; room for many answers */
	mnl_socket_setsockopt(s->fz.nl, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(knl_fd(&s->fz), SOL_SOCKET, SO_RCVBUFFORCE, &big,
		   sizeof(big));
	setsockopt(knl_fd(&s->mon), SOL_SOCKET, SO_RCVBUFFORCE, &big,
		   sizeof(big));
	if (knl_monitor_join(&s->mon))
		fprintf(stderr, "nlfuzz: cannot join the monitor group\n");
	fcntl(knl_fd(&s->mon), F_SETFL, O_NONBLOCK);
	s->max_fd = knl_fd(&s->dmp);
	if (knl_fd(&s->mon) > s->max_fd)
		s->max_fd = knl_fd(&s->mon);
	if (knl_fd(&s->chk) > s->max_fd)
		s->max_fd = knl_fd(&s->chk);
	nf_net_setup(s, ns_a, ns_b);
	if (pps > 0 && nf_sender_start(s, pps))
		fprintf(stderr, "nlfuzz: no traffic sender: %s\n", strerror(errno));

	t0 = now();
	while (s->c.sent < count) {
		uint64_t left = count - s->c.sent;

		el = now() - t0;
		if (el >= limit)
			break;
		/* drawn alike whatever --count: a prefix of a longer run */
		n = 1 + nf_below(&s->rng, batch);
		if ((uint64_t)n > left)
			n = (int)left;
		nf_batch(s, n);
		nf_net_drain(s, false, true);
		nf_monitor_drain(s);
		nf_dump_step(s);
		if (s->c.batches % 32 == 0 && nf_resync(s))
			s->c.unexpected++;
		if (nf_below(&s->rng, 150) == 0)
			nf_net_churn(s);
	}
	el = now() - t0;
	nf_sender_stop(s);
	nf_monitor_drain(s);
	nf_print_summary(s, el);
	if (checks)
		fails = nf_final_checks(s, (uint64_t)(el * 1000));
	printf("total_seconds=%.1f\n", now() - t0);
	knl_close(&s->fz);
	knl_close(&s->chk);
	knl_close(&s->mon);
	knl_close(&s->dmp);
	return fails ? 1 : 0;
}
