#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Userspace relay throughput: kiced (--no-kernel) against rtpengine in
# userspace (--table=-1), measured in the same run on loopback with the
# same call set up over ng by rtpengine-ng-client and the same load
# (bench_relay: one RTP stream, BENCH_WINDOW=8 datagrams in flight, where
# neither relay drops; from about 16 rtpengine starts discarding, by
# design).  Prints both rates and their ratio.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
secs=${BENCH_SECONDS:-3}
window=${BENCH_WINDOW:-8}
bin=build/out/bin
tool="python3 agent/kiced/tests/ngtool.py"
for t in "$bin/kiced" build/out/bench/bench_relay; do
	[ -x "$t" ] || { echo "relay_bench: $t not built (make benches)"; exit 1; }
done
command -v rtpengine-ng-client >/dev/null ||
	{ echo "relay_bench: SKIP rtpengine-ng-client missing"; exit 0; }
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

sdp() { printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\n' "$1"; }
port_of() { sed -n '/^New SDP:/,$s/^m=audio \([0-9]*\) .*/\1/p' | head -n1; }

# $1 name, $2 ng port: set up a call, blast, print pps
measure() {
	local name=$1 ng=$2 pa pb xa xb o a
	pa=$($tool freeport); pb=$($tool freeport)
	for _ in $(seq 50); do
		timeout 2 rtpengine-ng-client --proxy-address=127.0.0.1 \
			--proxy-port="$ng" ping >/dev/null 2>&1 && break
		sleep 0.1
	done
	o=$(timeout 5 rtpengine-ng-client --proxy-address=127.0.0.1 \
		--proxy-port="$ng" offer --call-id=bench --from-tag=a \
		--sdp="$(sdp "$pa")" 2>&1)
	a=$(timeout 5 rtpengine-ng-client --proxy-address=127.0.0.1 \
		--proxy-port="$ng" answer --call-id=bench --from-tag=a \
		--to-tag=b --sdp="$(sdp "$pb")" 2>&1)
	xa=$(port_of <<<"$a")
	xb=$(port_of <<<"$o")
	[ -n "$xa" ] && [ -n "$xb" ] ||
		{ echo "relay_bench: $name: no call" >&2; return 1; }
	build/out/bench/bench_relay "$pa" "$pb" "$xa" "$xb" "$secs" "$window"
}

ng1=$($tool freeport)
"$bin/kiced" -f -l err --no-kernel --ng-listen "127.0.0.1:$ng1" \
	--port-min 48000 --port-max 48099 2>"$tmp/kiced.log" &
pids="$pids $!"
k=$(measure kiced "$ng1") || exit 1

if command -v rtpengine >/dev/null; then
	ng2=$($tool freeport)
	rtpengine -f -E --table=-1 --interface=127.0.0.1 \
		--listen-ng="127.0.0.1:$ng2" --port-min=48100 --port-max=48199 \
		--log-level=3 2>"$tmp/rtpengine.log" &
	pids="$pids $!"
	r=$(measure rtpengine "$ng2") || exit 1
else
	r=
fi
kp=${k#pps=}; kp=${kp%% *}
echo "relay_bench: kiced userspace relay: $k"
if [ -n "$r" ]; then
	rp=${r#pps=}; rp=${rp%% *}
	echo "relay_bench: rtpengine userspace relay: $r"
	awk -v k="$kp" -v r="$rp" 'BEGIN { if (r > 0) printf "relay_bench: ratio kiced/rtpengine = %.2f\n", k / r }'
else
	echo "relay_bench: rtpengine not installed, no ratio"
fi
