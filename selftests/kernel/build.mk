# SPDX-License-Identifier: GPL-2.0
# kice.ko selftest helper: netlink client and UDP/RTP traffic tool used by
# selftests/kernel/*.sh (on PATH there via build/out/bin).
PROGS += kice-ktool
kice-ktool_SRCS := selftests/kernel/ktool.c selftests/kernel/ktool_nl.c \
	selftests/kernel/ktool_turn.c
kice-ktool_LIBS := turn stun knl
NETTESTS += selftests/kernel/ynl_drift
