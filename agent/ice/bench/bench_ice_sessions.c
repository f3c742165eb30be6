// SPDX-License-Identifier: GPL-2.0
/*
 * bench_ice_sessions: N ICE sessions in one process and one thread, each
 * with its own UDP socket on 127.0.0.1, gathering host candidates and
 * connecting in pairs; reports resident memory per session and CPU time.
 *
 *   ice_sessions: n=10000 rss_per_session=...KiB cpu=...s
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ice/ice_loop.h"
#include "ice/ice_netif.h"
#include "ice/ice_session.h"

static unsigned int connected, failed;

static void on_event(struct ice_session *s, enum ice_event ev, int stream,
		     void *user)
{
	if (ev == ICE_EV_CONNECTED)
		connected++;
	else if (ev == ICE_EV_FAILED)
		failed++;
}

static const struct ice_session_ops ops = { .event = on_event };

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 10000;
	struct ice_netif_addr lo;
	struct ice_session **s;
	struct ice_loop *loop;
	struct rlimit rl;
	struct ice_cfg cfg;
	uint64_t t0, deadline;
	long rss0, rss1;
	double cpu0;

	n &= ~1u;
	if (n < 2)
		n = 2;
	rl.rlim_cur = rl.rlim_max = n + 256;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		getrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < n + 64) {
			printf("ice_sessions: n=%u # SKIP open file limit %lu\n", n,
			       (unsigned long)rl.rlim_cur);
			return 0;
		}
	}
	ice_cfg_default(&cfg);
	memset(&lo, 0, sizeof(lo));
	snprintf(lo.ifname, sizeof(lo.ifname), "lo");
	ice_addr_parse(&lo.addr, "127.0.0.1", 0);
	lo.iface_pref = 128;
	lo.addr_pref = 255;
	loop = ice_loop_new();
	s = calloc(n, sizeof(*s));
	if (!loop || !s)
		return 1;
	/* warm up libcrypto and the allocator outside the measurement */
	s[0] = ice_session_new(loop, &cfg, &lo, 1, 1, 1, &ops, NULL);
	ice_session_free(s[0]);

	rss0 = rss_kib();
	cpu0 = cpu_s();
	t0 = ice_now_ms();
	for (unsigned int i = 0; i < n; i++) {
		cfg.controlling = !(i & 1);
		s[i] = ice_session_new(loop, &cfg, &lo, 1, 1, 1, &ops, NULL);
		if (!s[i]) {
			fprintf(stderr, "bench_ice_sessions: session %u failed\n", i);
			return 1;
		}
	}
	for (unsigned int i = 0; i < n; i += 2) {
		for (unsigned int k = 0; k < 2; k++) {
			struct ice_agent *a = ice_session_agent(s[i + k]);
			struct ice_agent *b = ice_session_agent(s[i + 1 - k]);
			struct ice_cand_info ci;
			const char *u, *p;

			ice_agent_local_creds(b, &u, &p);
			ice_agent_set_remote_creds(a, u, p);
			for (unsigned int j = 0; !ice_agent_local(b, j, &ci); j++)
				ice_agent_add_remote(a, &ci, ice_now_ms());
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		ice_agent_start(ice_session_agent(s[i]), ice_now_ms());
		ice_session_kick(s[i]);
	}
	deadline = ice_now_ms() + 60000;
	while (connected + failed < n && ice_now_ms() < deadline)
		ice_loop_run_once(loop, 100);
	rss1 = rss_kib();
	printf("ice_sessions: n=%u rss_per_session=%.1fKiB cpu=%.2fs "
	       "connected=%u failed=%u time=%llums\n", n,
	       (double)(rss1 - rss0) / n, cpu_s() - cpu0, connected, failed,
	       (unsigned long long)(ice_now_ms() - t0));
	for (unsigned int i = 0; i < n; i++)
		ice_session_free(s[i]);
	free(s);
	ice_loop_free(loop);
	return connected == n ? 0 : 1;
}
