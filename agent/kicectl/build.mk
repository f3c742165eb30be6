# SPDX-License-Identifier: GPL-2.0
# kicectl: one file per subcommand, listed in kicectl.c's table.
PROGS += kicectl
kicectl_SRCS := agent/kicectl/kicectl.c agent/kicectl/cmd_stun.c \
	agent/kicectl/cmd_ng.c agent/kicectl/cmd_show.c \
	agent/kicectl/cmd_monitor.c agent/kicectl/kout.c
kicectl_LIBS := knl turn stun ctl
