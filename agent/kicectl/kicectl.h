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

#endif
