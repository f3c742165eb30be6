# SPDX-License-Identifier: GPL-2.0
# agent/knl: netlink client of kice.ko, shared by kiced and kicectl.
LIBS += knl
knl_SRCS := agent/knl/knl.c
