#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The ICE agent over a real netem link (the host cannot load sch_netem, the
# VM can): one side behind an endpoint-independent NAT, the router delaying
# each direction by 50 ms, then also dropping 5%.  icepeer against icepeer
# (and against libnice's nicepeer when built): the nominated pair's
# candidate types, data echoed over it, and a connect time of at least one
# round trip (so the delay was really there).  Needs no kice.ko.
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
PEER=$top/build/out/bin/icepeer
NICE=$top/build/out/bin/nicepeer

[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
[ -x "$PEER" ] || ktap_skip_all "icepeer not built (make agent)"
command -v nft >/dev/null && command -v tc >/dev/null ||
	ktap_skip_all "needs nft and tc"
modprobe -q sch_netem 2>/dev/null || ktap_skip_all "no sch_netem module"
TMP=$(mktemp -d)
trap 'ns_cleanup; rm -rf "$TMP"' EXIT

tap() {	# tap STATUS NAME [LOG]: as agent/ice/tests/ice_netns.sh
	if [ "$1" = 0 ]; then
		ktap_ok "$2"
	else
		ktap_fail "$2"
		[ -n "${3:-}" ] && sed 's/^/# /' "$3"
	fi
}
. "$top/agent/ice/tests/ice_topo.sh"

# netem NAME ARGS...: ARGS on both router links (replacing what was
# there); a test result of its own so that a missing qdisc fails here
netem() {
	local name=$1
	shift
	ns_netem net ra $* && ns_netem net rb $* &&
		ns_exec net tc qdisc show dev ra | grep -q "netem.*delay 50ms" &&
		ns_exec net tc qdisc show dev rb | grep -q "netem.*delay 50ms"
	tap $? "$name: netem $* on the router"
}

# connect time of the controlling side (a.log) in ms, at least MIN
slow_enough() {	# slow_enough NAME MIN
	local t
	ktap_diag "$1: done at $((SECONDS - t0)) s"
	t=$(sed -n 's/.*connected in \([0-9.]*\) ms.*/\1/p' "$TMP/a.log" | head -1)
	ktap_diag "$1: connected in ${t:-?} ms"
	[ -n "$t" ] && awk "BEGIN { exit !($t >= $2) }"
	tap $? "$1: connect took at least one round trip ($2 ms)"
}

ktap_plan 8
t0=$SECONDS
topo eim public || ktap_diag "topology incomplete"
ktap_diag "topology in $((SECONDS - t0)) s"

# 50 ms each way: 100 ms round trips
netem delayed "delay 50ms"
run delayed_eim_nat "--no-ipv6" "--no-ipv6" srflx:host host:srflx
slow_enough delayed_eim_nat 100

# libnice on the public side, kice controlling behind the NAT; libnice
# names its NAT-mapped local candidate peer-reflexive
if [ -x "$NICE" ]; then
	run delayed_kice_libnice "--no-ipv6" "" srflx:host \
		"host:srflx,host:prflx" "$PEER" "$NICE"
	slow_enough delayed_kice_libnice 100
else
	ktap_skip delayed_kice_libnice "nicepeer not built"
	ktap_skip "delayed_kice_libnice: connect time" "nicepeer not built"
fi

# and 5% loss each way; 200 echoes so that losses cannot fail the 80% bar
# by chance (about 10% of round trips are lost)
netem lossy "delay 50ms loss 5%"
run lossy_delayed_eim_nat "--no-ipv6 --echo 200" "--no-ipv6" srflx:host host:srflx
slow_enough lossy_delayed_eim_nat 100
ktap_diag "$((SECONDS - t0)) s"
ktap_finish
