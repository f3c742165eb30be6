#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# CPU of the media relay under SIP load, kiced against rtpengine on the
# same harness: agent/kiced/tests/kamailio_load.sh (Kamailio with its
# rtpengine module, sipp calls with G.711 echoed) run RUNS times (default
# 3) with kiced (release build, userspace relay) and with Debian's
# rtpengine (userspace), interleaved; CALLS (default 300) calls at RATE
# (25) per second each time.  Prints the median CPU seconds of each per
# plain run and per run with ICE=force towards the callee:
#
#   sip_load_cpu_plain: kice=…s rtpengine=…s ratio=…
#   sip_load_cpu_ice: kice=…s rtpengine=…s ratio=…
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
runs=${RUNS:-3}
export CALLS=${CALLS:-300} RATE=${RATE:-25}
[ -x "$top/build/out/bin/kiced" ] || { echo "sip_load: build/out not built" >&2; exit 1; }
declare -A cpu
for i in $(seq "$runs"); do
	for r in userspace rtpengine; do
		out=$(SIP_BIN=build/out/bin KICE_RELAY=$r "$top/agent/kiced/tests/kamailio_load.sh" 2>&1)
		if grep -q '^not ok' <<<"$out" || grep -q '# SKIP' <<<"$(head -3 <<<"$out")"; then
			echo "sip_load: $r run $i failed or skipped:" >&2
			grep -E '^not ok|SKIP' <<<"$out" | head -5 >&2
			exit 1
		fi
		for v in plain ice-callee; do
			cpu[$r.$v]+="$(sed -n "s/^# $v: the relay ($r) used \([0-9.]*\) s of CPU/\1/p" <<<"$out") "
		done
	done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for v in plain ice-callee; do
	k=$(median <<<"${cpu[userspace.$v]}") r=$(median <<<"${cpu[rtpengine.$v]}")
	ratio=$(awk -v k="$k" -v r="$r" 'BEGIN { if (r + 0 > 0) printf "%.2f", k / r; else print "n/a" }')
	echo "sip_load_cpu_${v%-callee}: kice=${k}s rtpengine=${r}s ratio=$ratio ($CALLS calls at $RATE/s, median of $runs)"
done
