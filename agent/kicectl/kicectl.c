// SPDX-License-Identifier: GPL-2.0
/*
 * kicectl: command line tool for kice.  A thin dispatcher: every
 * subcommand lives in its own cmd_<name>.c and is listed in the table.
 */
#include <stdio.h>
#include <string.h>

#include "kicectl/kicectl.h"

const struct kicectl_cmd kicectl_cmds[] = {
	{ "stun", "query a STUN/TURN server (mapped and relayed address)",
	  cmd_stun, cmd_stun_usage },
	{ "ping", "ng: check that kiced answers", cmd_ping, cmd_ping_usage },
	{ "offer", "ng: send an SDP offer, print kiced's SDP", cmd_offer, cmd_offer_usage },
	{ "answer", "ng: send an SDP answer, print kiced's SDP", cmd_answer, cmd_answer_usage },
	{ "delete", "ng: delete a call", cmd_delete, cmd_delete_usage },
	{ "query", "ng: one call's state and counters (JSON)", cmd_query, cmd_query_usage },
	{ "list", "ng: call-ids of the active calls", cmd_list, cmd_list_usage },
	{ "stats", "ng: daemon statistics (JSON)", cmd_stats, cmd_stats_usage },
	{ "ng", "ng: send a raw bencoded (or JSON) request", cmd_ng, cmd_ng_usage },
	{ "show", "sessions (kiced), flows and sockets (kice.ko)", cmd_show, cmd_show_usage },
	{ "monitor", "print kice.ko's events as they happen", cmd_monitor, cmd_monitor_usage },
	{ NULL, NULL, NULL, NULL }
};

static void usage(FILE *f)
{
	const struct kicectl_cmd *c;

	fprintf(f, "usage: kicectl COMMAND [ARGS...]\n\ncommands:\n");
	for (c = kicectl_cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nkicectl help COMMAND for details.\n");
}

int main(int argc, char **argv)
{
	const struct kicectl_cmd *c;
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	name = argv[1];
	if (!strcmp(name, "help") || !strcmp(name, "--help") ||
	    !strcmp(name, "-h")) {
		if (argc > 2)
			for (c = kicectl_cmds; c->name; c++)
				if (!strcmp(c->name, argv[2])) {
					c->usage();
					return 0;
				}
		usage(stdout);
		return 0;
	}
	for (c = kicectl_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "kicectl: unknown command '%s'\n", name);
	usage(stderr);
	return 2;
}
