# SPDX-License-Identifier: GPL-2.0
LIBS += turn
turn_SRCS := agent/turn/turn_client.c agent/turn/turn_io.c
NETTESTS += agent/turn/tests/coturn.sh
