// SPDX-License-Identifier: GPL-2.0
/*
 * kicectl monitor [-j] [-c COUNT] [-t MS]: print kice.ko's "monitor"
 * multicast events as they happen, one line each (like ip monitor); with
 * -j one JSON object per line.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/kice.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kicectl/kicectl.h"
#include "kicectl/kout.h"
#include "knl/knl.h"

struct mon {
	bool json;
	long count;			/* events printed */
};

void cmd_monitor_usage(void)
{
	printf("usage: kicectl monitor [-j] [-c COUNT] [-t MS]\n"
	       "Prints kice.ko's events: flow-new, flow-del, idle, "
	       "src-mismatch, ssrc-change.\n"
	       "  -j, --json         one JSON object per line\n"
	       "  -c, --count N      exit after N events\n"
	       "  -t, --timeout MS   exit after MS milliseconds\n"
	       "Exit status: 0, or 1 when the module is not loaded or events "
	       "were lost.\n");
}

static void mon_flow_human(const struct knl_flow_info *f)
{
	char ep[64], turn[96];
	int i;

	for (i = 0; i < 2; i++) {
		printf(" %c socket %u %s", i ? 'b' : 'a', f->leg[i].sock,
		       kout_ep(&f->leg[i].remote, ep, sizeof(ep)));
		if (*kout_turn(f, i, turn, sizeof(turn)))
			printf(" via %s", turn);
	}
	if (f->idle_ms)
		printf(" idle-timeout %u", f->idle_ms);
}

static void mon_flow_json(const struct knl_flow_info *f)
{
	printf(", \"idle_timeout_ms\": %u, \"legs\": [", f->idle_ms);
	kout_json_leg(stdout, f, 0);
	printf(", ");
	kout_json_leg(stdout, f, 1);
	printf("]");
}

static void mon_event(const struct knl_event *ev, void *arg)
{
	struct mon *m = arg;
	const char *name = knl_event_name(ev->cmd);
	char ep[64];

	m->count++;
	if (!m->json) {
		printf("%s", name);
		switch (ev->cmd) {
		case KICE_CMD_FLOW_NEW_NTF:
		case KICE_CMD_FLOW_DEL_NTF:
			printf(" flow %u", ev->flow_id);
			mon_flow_human(&ev->flow);
			break;
		case KICE_CMD_IDLE_NTF:
			printf(" flow %u idle %u ms", ev->flow_id, ev->idle_ms);
			break;
		case KICE_CMD_SRC_MISMATCH_NTF:
			printf(" socket %u from %s", ev->sock_id,
			       kout_ep(&ev->addr, ep, sizeof(ep)));
			break;
		case KICE_CMD_SSRC_CHANGE_NTF:
			printf(" flow %u leg %c ssrc 0x%08x -> 0x%08x",
			       ev->flow_id, ev->leg ? 'b' : 'a', ev->old_ssrc,
			       ev->ssrc);
			break;
		}
		printf("\n");
		fflush(stdout);
		return;
	}
	printf("{\"event\": \"%s\"", name);
	switch (ev->cmd) {
	case KICE_CMD_FLOW_NEW_NTF:
	case KICE_CMD_FLOW_DEL_NTF:
		printf(", \"flow\": %u", ev->flow_id);
		mon_flow_json(&ev->flow);
		break;
	case KICE_CMD_IDLE_NTF:
		printf(", \"flow\": %u, \"idle_ms\": %u", ev->flow_id,
		       ev->idle_ms);
		break;
	case KICE_CMD_SRC_MISMATCH_NTF:
		printf(", \"socket\": %u, ", ev->sock_id);
		kout_json_ep(stdout, &ev->addr);
		break;
	case KICE_CMD_SSRC_CHANGE_NTF:
		printf(", \"flow\": %u, \"leg\": \"%c\", \"ssrc\": %u, "
		       "\"old_ssrc\": %u", ev->flow_id, ev->leg ? 'b' : 'a',
		       ev->ssrc, ev->old_ssrc);
		break;
	}
	printf("}\n");
	fflush(stdout);
}

static uint64_t mon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const struct option mon_opts[] = {
	{ "json",	no_argument,	   NULL, 'j' },
	{ "count",	required_argument, NULL, 'c' },
	{ "timeout",	required_argument, NULL, 't' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_monitor(int argc, char **argv)
{
	struct mon m = { 0 };
	long max = -1, timeout = -1;
	uint64_t end = 0;
	struct knl nl;
	char *e;
	int c, err, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jc:t:h", mon_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			m.json = true;
			break;
		case 'c':
		case 't':
			errno = 0;
			if (c == 'c')
				max = strtol(optarg, &e, 10);
			else
				timeout = strtol(optarg, &e, 10);
			if (errno || *e || e == optarg ||
			    (c == 'c' ? max : timeout) <= 0) {
				fprintf(stderr, "kicectl: bad number '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			cmd_monitor_usage();
			return 0;
		default:
			cmd_monitor_usage();
			return 2;
		}
	}
	if (optind < argc) {
		cmd_monitor_usage();
		return 2;
	}
	err = knl_open(&nl);
	if (!err)
		err = knl_monitor_join(&nl);
	if (err) {
		fprintf(stderr, "kicectl: monitor: %s\n",
			err == -ENOENT ? "kice.ko is not loaded" :
					 strerror(-err));
		knl_close(&nl);
		return 1;
	}
	if (timeout > 0)
		end = mon_now_ms() + (uint64_t)timeout;
	while (max < 0 || m.count < max) {
		struct pollfd p = { knl_fd(&nl), POLLIN, 0 };
		int wait = -1;

		if (end) {
			uint64_t now = mon_now_ms();

			if (now >= end)
				break;
			wait = (int)(end - now);
		}
		c = poll(&p, 1, wait);
		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0) {
			fprintf(stderr, "kicectl: poll: %s\n", strerror(errno));
			ret = 1;
			break;
		}
		if (!c)
			continue;
		err = knl_monitor_recv(&nl, mon_event, &m);
		if (err == -ENOBUFS) {
			fprintf(stderr, "kicectl: monitor: events lost\n");
			ret = 1;
		} else if (err) {
			fprintf(stderr, "kicectl: monitor: %s\n",
				strerror(-err));
			ret = 1;
			break;
		}
	}
	knl_close(&nl);
	return ret;
}
