#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kiced under load behind Kamailio and its rtpengine module (sip/lib.sh):
# sipp places CALLS calls (default 500) at RATE per second (25), each
# with 7 s of G.711 RTP from the caller echoed by the callee and a BYE
# after 7.5 s, so that about 190 run at once.  Twice: plain RTP on both
# sides, then with ICE=force in Kamailio's flags (kiced offers ICE to the
# callee, which, as most SIP phones, answers without it).  Each time:
# every call completes (sipp's verdict), at least 100 ran at once, RTP
# arrived both ways (at least 98% of what was sent), and afterwards no
# call, media port or file descriptor of kiced's is left.
#
# KICE_RELAY=rtpengine: the same with Debian's rtpengine, the reference
# (its file descriptors are not counted).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$top/agent/kiced/tests/sip/lib.sh"
cd "$top" || exit 1

calls=${CALLS:-500}
rate=${RATE:-25}
sip_init
ktap_plan 12
# four ports a call, about 190 calls at once
sip_relay 31999

fds() { ls "/proc/$SIP_RELAY_PID/fd" 2>/dev/null | wc -l; }

# run NAME FLAGS: the load with rtpengine_manage("FLAGS")
run() {
	local name=$1 t0 e0 r0 b0 f0 upid cpid peak=0 n i
	sip_kamailio "$2"
	t0=$(count uac tx) e0=$(count uac rx) r0=$(count uas rx) b0=$(count uas tx)
	f0=$(fds)
	c0=$(cpu_ticks)
	sip_load "$name" "$calls" "$rate"
	upid=$SIP_UAS_PID cpid=$SIP_UAC_PID
	# the peak: sampled every second while the caller runs
	for i in $(seq $((calls / rate + 40))); do
		kill -0 $cpid 2>/dev/null || break
		n=$(ncalls)
		[ "$n" != "?" ] && [ "$n" -gt "$peak" ] && peak=$n
		sleep 1
	done
	wait $cpid; crc=$?
	wait $upid; src=$?
	ktap_diag "$name: the relay ($relay) used $(awk -v t=$(($(cpu_ticks) - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }') s of CPU"
	[ $crc = 0 ] && [ $src = 0 ] || sip_show "$name"
	sleep 1
	tx=$(($(count uac tx) - t0)) echoed=$(($(count uac rx) - e0))
	rx=$(($(count uas rx) - r0)) back=$(($(count uas tx) - b0))
	ktap_check "$name: $calls calls at $rate/s through Kamailio, every one completed (sipp: $crc, $src)" \
		test $crc = 0 -a $src = 0
	ktap_check "$name: at least 100 calls at once ($peak at the peak)" test "$peak" -ge 100
	ktap_check "$name: the callers' RTP reached the callees ($tx sent, $rx received)" \
		test "$tx" -ge $((calls * 200)) -a "$rx" -ge $((tx * 98 / 100))
	ktap_check "$name: the echo came back to the callers ($back echoed, $echoed received)" \
		test "$echoed" -ge $((tx * 98 / 100))
	n=$(ncalls) p=$(ports)
	ktap_check "$name: no call and no media port left ($n calls, $p ports)" \
		test "$n" = 0 -a "$p" = 0
	if [ "$relay" = rtpengine ]; then
		ktap_skip "$name: no file descriptor left" "the relay is rtpengine"
	else
		ktap_check "$name: no file descriptor of kiced's left ($f0 before, $(fds) after)" \
			test "$(fds)" = "$f0"
	fi
}

run plain "replace-origin replace-session-connection ICE=remove"
run ice-callee "replace-origin replace-session-connection ICE=force"
ktap_finish
