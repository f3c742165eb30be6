#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kice.ko loads, registers the "kice" generic netlink family with its
# "monitor" multicast group, and unloads cleanly, several times over: no
# module reference, family or slab cache left behind.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
. "$here/../lib/ktap.sh"
ko=${KICE_KO:?}

[ -f "$ko" ] || ktap_skip_all "no $ko"
command -v genl >/dev/null || ktap_skip_all "genl (iproute2) missing"
modprobe -q udp_tunnel 2>/dev/null
modprobe -q ip6_udp_tunnel 2>/dev/null
lsmod | grep -q '^kice ' && rmmod kice

ktap_plan 6
ktap_check "insmod kice.ko" insmod "$ko"
out=$(genl ctrl get name kice 2>&1)
ktap_check "family kice registered" grep -q 'Name: kice' <<<"$out"
ktap_check "multicast group monitor" grep -q 'name: monitor' <<<"$out"
ktap_check "rmmod kice" rmmod kice
gone=1
genl ctrl get name kice >/dev/null 2>&1 && gone=0
[ -e /sys/module/kice ] && gone=0
grep -q '^kice' /proc/slabinfo 2>/dev/null && gone=0
ktap_check "family, module and caches gone after rmmod" [ "$gone" = 1 ]

ok=1
for i in $(seq 1 10); do
	insmod "$ko" || { ok=0; break; }
	genl ctrl get name kice >/dev/null 2>&1 || ok=0
	rmmod kice || { ok=0; break; }
done
ktap_check "10 load/unload cycles" [ "$ok" = 1 ]
ktap_finish
