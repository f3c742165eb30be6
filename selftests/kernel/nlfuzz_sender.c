// SPDX-License-Identifier: GPL-2.0
/*
 * kice-nlfuzz: the traffic sender, a child process, so that packets cross
 * the flows on one CPU while the messages change them on the other (the
 * receive path's RCU readers against flow-set, flow-del and detach).
 *
 * The child keeps the peers' sockets and closes its copies of the relay's
 * (a socket the fuzzer closes must really close).  Every 100 ms it reads
 * the flows and sockets from the kernel through a netlink socket of its
 * own, then sends --pps datagrams a second (at most --packets in all),
 * most from a flow's remote to the flow's socket, and drains the peers.
 * It stops when asked, or at the latest when the fuzzer exits.  Its
 * counters come back through shared memory.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nlfuzz.h"

struct nf_shared {
	volatile int stop;
	volatile uint64_t sent, directed, relayed, resyncs;
};

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void publish(struct nf_state *s)
{
	s->sh->sent = s->c.pkts_sent;
	s->sh->directed = s->c.pkts_directed;
	s->sh->relayed = s->c.pkts_relay_recv;
}

static void sender(struct nf_state *s, int pps)
{
	int burst = pps / 100 > 0 ? pps / 100 : 1, i;
	uint64_t next_sync = 0, t;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (i = 0; i < s->n_rs; i++)
		if (s->rs[i].fd >= 0)
			close(s->rs[i].fd);	/* the number stays as a mark */
	knl_close(&s->fz);
	knl_close(&s->mon);
	knl_close(&s->dmp);
	knl_close(&s->chk);
	if (knl_open(&s->chk))
		_exit(1);
	memset(&s->c, 0, sizeof(s->c));
	while (!s->sh->stop && s->c.pkts_sent < s->max_packets) {
		t = now_ms();
		if (t >= next_sync) {
			if (!nf_resync(s))
				s->sh->resyncs++;
			next_sync = t + 100;
		}
		nf_net_traffic(s, burst);
		nf_net_drain(s, true, false);
		publish(s);
		usleep(10000);
	}
	nf_net_drain(s, true, false);
	publish(s);
	_exit(0);
}

int nf_sender_start(struct nf_state *s, int pps)
{
	s->sh = mmap(NULL, sizeof(*s->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->sh == MAP_FAILED) {
		s->sh = NULL;
		return -errno;
	}
	memset((void *)s->sh, 0, sizeof(*s->sh));
	fflush(stdout);
	s->sender = fork();
	if (s->sender < 0)
		return -errno;
	if (!s->sender)
		sender(s, pps);
	return 0;
}

void nf_sender_stop(struct nf_state *s)
{
	int status;

	if (!s->sh || s->sender <= 0)
		return;
	s->sh->stop = 1;
	if (waitpid(s->sender, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		s->c.unexpected++;
	s->sender = 0;
	s->c.pkts_sent += s->sh->sent;
	s->c.pkts_directed += s->sh->directed;
	s->c.pkts_relay_recv += s->sh->relayed;
	printf("sender_resyncs=%llu\n", (unsigned long long)s->sh->resyncs);
}
