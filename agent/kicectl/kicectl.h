/* SPDX-License-Identifier: GPL-2.0 */
/* kicectl subcommands: each lives in cmd_<name>.c. */
#ifndef KICE_KICECTL_H
#define KICE_KICECTL_H

struct kicectl_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);	/* argv[0] = command name */
	void (*usage)(void);
};

/* Command table, kicectl.c; add one line per new command. */
extern const struct kicectl_cmd kicectl_cmds[];

int cmd_stun(int argc, char **argv);
void cmd_stun_usage(void);

/* cmd_ng.c: the ng control protocol (kiced) */
int cmd_ping(int argc, char **argv);
void cmd_ping_usage(void);
int cmd_offer(int argc, char **argv);
void cmd_offer_usage(void);
int cmd_answer(int argc, char **argv);
void cmd_answer_usage(void);
int cmd_delete(int argc, char **argv);
void cmd_delete_usage(void);
int cmd_query(int argc, char **argv);
void cmd_query_usage(void);
int cmd_list(int argc, char **argv);
void cmd_list_usage(void);
int cmd_stats(int argc, char **argv);
void cmd_stats_usage(void);
int cmd_ng(int argc, char **argv);
void cmd_ng_usage(void);

/* cmd_show.c, cmd_monitor.c: kice.ko over netlink (agent/knl) */
int cmd_show(int argc, char **argv);
void cmd_show_usage(void);
int cmd_monitor(int argc, char **argv);
void cmd_monitor_usage(void);

#endif
