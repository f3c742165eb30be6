#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Time to first media through an ICE relay that faces a plain RTP echo
# (ngtool.py echo) on its other leg, libnice (nicepeer: one component,
# rtcp-mux) on the ICE leg, from the answer to the first RTP packet that
# comes back echoed: the checks and nomination, the relay's consent, and
# one round trip of media.  libnice offering and controlling ("offers",
# timed by nicepeer from applying the relay's answer), and answering with
# the relay controlling ("answers": libnice's checks reach the relay
# 0.2 s before its answer, as they do when the answer goes through SIP;
# timed from handing the answer to the relay).  kiced (--no-kernel)
# against rtpengine (--table=-1) on the same namespaces, calls
# interleaved, median of $RUNS (default 7) each:
#
#   ice_first_media_libnice_<role>: kice=X.Xms rtpengine=Y.Yms ratio=R
#
# and the same for two of Chromium's peer connections calling each other
# through the relay (webrtc_page.html, audio, DTLS-SRTP end to end; pc1
# controlling towards the relay, the relay controlling towards pc2): from
# handing pc2's answer to the relay until both connections have received
# RTP, measured by the page:
#
#   ice_first_media_chromium: kice=X.Xms rtpengine=Y.Yms ratio=R
#
# Topology: namespace "gw" (both relays and the echo, 203.0.113.1) and
# "nice" (nicepeer, Chromium and its page's server, 203.0.113.2).  Needs
# root.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/selftests/lib/netns.sh"
cd "$top"
bin=build/out/bin
RUNS=${RUNS:-7}
say() { echo "ice_first_media: $*"; }
[ "$(id -u)" = 0 ] && [ -x "$bin/kiced" ] && [ -x "$bin/nicepeer" ] ||
	{ say "SKIP needs root, kiced and nicepeer"; exit 0; }
command -v rtpengine >/dev/null || { say "SKIP rtpengine not installed"; exit 0; }
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ns_cleanup
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
ns_new gw >/dev/null && ns_new nice >/dev/null &&
	ns_link gw eth0 203.0.113.1/24 nice eth0 203.0.113.2/24 ||
	{ say "SKIP cannot create network namespaces"; exit 0; }
sleep 1

ip netns exec "$(ns_name gw)" "$bin/kiced" -f -l "${KICED_LOG:-err}" --no-kernel \
	--ng-listen 203.0.113.1:2223 --media-address 203.0.113.1 \
	--port-min 30000 --port-max 30199 2>"$tmp/kiced.log" &
pids="$pids $!"
ip netns exec "$(ns_name gw)" rtpengine --config-file=none -f -E --table=-1 \
	--interface=203.0.113.1 --listen-ng=203.0.113.1:2224 \
	--port-min=32000 --port-max=32199 --delete-delay=0 --log-level=3 \
	2>"$tmp/rtpengine.log" &
pids="$pids $!"
ctl() { ns_exec gw timeout 10 "$bin/kicectl" "$@" -t 1000; }
for ng in 2223 2224; do
	for _ in $(seq 50); do
		ctl ping -s 203.0.113.1:$ng >/dev/null 2>&1 && break
		sleep 0.1
	done
done

plain() {
	printf 'v=0\r\no=- 1 1 IN IP4 203.0.113.1\r\ns=-\r\nc=IN IP4 203.0.113.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\n' "$1"
}
wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }

# once ROLE NG N: one call through the relay on ng port NG; prints the
# time in ms or "fail".  ROLE offers: libnice offers, the relay answers
# (timed by nicepeer from applying the relay's answer).  ROLE answers: the
# relay offers ICE and is controlling, libnice answers, its checks
# reaching the relay 0.2 s before its answer does (timed from handing
# the answer to the relay).
once() {
	local role=$1 ng=$2 n=$3 d=$tmp/$1-$2-$3 eport=$((31000 + $3 * 2))
	local epid npid a o t0 t1
	mkdir -p "$d"
	ip netns exec "$(ns_name gw)" python3 agent/kiced/tests/ngtool.py \
		echo 203.0.113.1 "$eport" 15 >"$d/echo.out" &
	epid=$!
	if [ "$role" = offers ]; then
		ns_exec nice "$bin/nicepeer" --controlling --components 1 \
			--rtcp-mux --local "$d/nice.sdp" --remote "$d/relay.sdp" \
			--rtp 20 --timeout 10 >"$d/nice.out" 2>&1 &
		npid=$!
		wait_file "$d/nice.sdp"
		ctl offer -s 203.0.113.1:$ng --call-id "b$n" --from-tag a \
			--ice remove <"$d/nice.sdp" >/dev/null
		a=$(plain "$eport" | ctl answer -s 203.0.113.1:$ng --call-id "b$n" \
			--from-tag a --to-tag b)
		printf '%s\n' "$a" >"$d/relay.sdp.tmp" && mv "$d/relay.sdp.tmp" "$d/relay.sdp"
	else
		o=$(plain "$eport" | ctl offer -s 203.0.113.1:$ng --call-id "b$n" \
			--from-tag a --ice force --flag rtcp-mux-offer)
		printf '%s\n' "$o" >"$d/relay.sdp"
		ns_exec nice "$bin/nicepeer" --components 1 --rtcp-mux \
			--local "$d/nice.sdp" --remote "$d/relay.sdp" --rtp 20 \
			--timeout 10 >"$d/nice.out" 2>&1 &
		npid=$!
		wait_file "$d/nice.sdp"
		sleep 0.2
		t0=$(date +%s%6N)
		ctl answer -s 203.0.113.1:$ng --call-id "b$n" --from-tag a \
			--to-tag b <"$d/nice.sdp" >/dev/null
	fi
	wait "$npid"
	kill -TERM "$epid" 2>/dev/null
	wait "$epid" 2>/dev/null
	ctl delete -s 203.0.113.1:$ng --call-id "b$n" >/dev/null 2>&1
	if [ "$role" = offers ]; then
		sed -n 's/^nicepeer: first rtp back in \([0-9.]*\) ms.*/\1/p' "$d/nice.out"
	else
		t1=$(sed -n 's/^nicepeer: first rtp back in .* ms, at \([0-9]*\) us/\1/p' "$d/nice.out")
		[ -n "$t1" ] && awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1000 }'
	fi | grep . || echo fail
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "fail" }'
}

# chromium NG N: one call between two of Chromium's peer connections
# (webrtc_page.html, audio, DTLS-SRTP end to end) through the relay on ng
# port NG; prints the page's first_ms (answer handed to the relay until
# both connections have received RTP) or "fail"
chromium() {
	local ng=$1 d=$tmp/chromium-$1-$2 spid cpid
	mkdir -p "$d/profile"
	ip netns exec "$(ns_name nice)" python3 agent/kiced/tests/webrtc_signal.py \
		8080 "$d" "$bin/kicectl" 203.0.113.1:$ng 2 >"$d/signal.log" 2>&1 &
	spid=$!
	sleep 0.3
	ip netns exec "$(ns_name nice)" "$chromium_bin" --headless --no-sandbox \
		--disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$d/profile" \
		--use-fake-ui-for-media-stream --use-fake-device-for-media-stream \
		--disable-features=WebRtcHideLocalIpsWithMdns \
		http://127.0.0.1:8080/ >"$d/chromium.log" 2>&1 &
	cpid=$!
	wait "$spid"
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	ctl delete -s 203.0.113.1:$ng --call-id web >/dev/null 2>&1
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get("first_ms"); print(v if v is not None else "fail")' \
		"$d/report-2.json" 2>/dev/null || echo fail
}

report() {	# report NAME: the line for $tmp/k and $tmp/r
	local k r kf rf ratio
	k=$(grep -v fail "$tmp/k" | median)
	r=$(grep -v fail "$tmp/r" | median)
	kf=$(grep -c fail "$tmp/k") rf=$(grep -c fail "$tmp/r")
	ratio=$(awk -v k="$k" -v r="$r" 'BEGIN { if (k + 0 > 0 && r + 0 > 0) printf "%.2f", k / r; else print "n/a" }')
	echo "ice_first_media_$1: kice=${k}ms rtpengine=${r}ms ratio=$ratio" \
		"(median of $RUNS; failed: kice $kf, rtpengine $rf; goal <= 0.5)"
}

# PEERS limits the run, e.g. PEERS=chromium
PEERS=${PEERS:-libnice chromium}
want() { case " $PEERS " in *" $1 "*) return 0;; esac; return 1; }
want libnice && for role in offers answers; do
	: >"$tmp/k"
	: >"$tmp/r"
	for i in $(seq "$RUNS"); do
		once $role 2223 "$i" >>"$tmp/k"
		once $role 2224 "$((i + 50))" >>"$tmp/r"
	done
	report libnice_$role
done
chromium_bin=$(command -v chromium || true)
if ! want chromium; then
	:
elif [ -n "$chromium_bin" ]; then
	: >"$tmp/k"
	: >"$tmp/r"
	for i in $(seq "$RUNS"); do
		chromium 2223 "$i" >>"$tmp/k"
		chromium 2224 "$i" >>"$tmp/r"
	done
	report chromium
else
	say "chromium: SKIP not installed"
fi
