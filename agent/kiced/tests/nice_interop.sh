#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kiced against libnice (Debian's libnice 0.1.21, through nicepeer), in
# network namespaces: libnice offering (controlling) and answering
# (controlled, its checks reaching kiced before its answer does), with one
# and two components, with and without rtcp-mux, full and lite.  The far
# leg is a plain RTP endpoint (ngtool.py echo) on kiced's host.  Each case
# asserts that libnice selected a pair on every component, that kiced's
# own ICE state for that side agrees, and that RTP - and RTCP wherever
# both sides carry it - goes through kiced both ways.
#
# KICE_RELAY=kernel (selftests/e2e/libnice.sh, in the test VM): with
# kice.ko, where each call must be relayed by it.
#
# Topology: namespace "gw" (kiced, the echo; 203.0.113.1) and namespace
# "nice" (nicepeer; 203.0.113.2) on one veth link (peers.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$top/agent/kiced/tests/peers.sh"
cd "$top"

nice=
for d in build/san/bin build/out/bin; do
	[ -x "$d/nicepeer" ] && { nice=$d/nicepeer; break; }
done
[ -n "$nice" ] || ktap_skip_all "nicepeer (libnice-dev) not built"
tool="python3 $top/agent/kiced/tests/ngtool.py"
export ASAN_OPTIONS=detect_leaks=0	# GLib's one-time allocations in nicepeer
peers_init nice
relay=${KICE_RELAY:-userspace}
ktap_plan $([ "$relay" = kernel ] && echo 36 || echo 28)
printf '[ice]\nmedia-wait = 1500\n' >"$tmp/kiced.conf"
peers_kiced -l debug -c "$tmp/kiced.conf"
ctl() { peers_ctl "$@"; }

plain() {	# plain PORT: the echo's SDP
	printf 'v=0\r\no=- 1 1 IN IP4 203.0.113.1\r\ns=-\r\nc=IN IP4 203.0.113.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\n' "$1"
}
wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
ice_state() {	# ice_state CALL ROLE(offerer|answerer)
	ctl query --call-id "$1" 2>/dev/null | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["media"][0][sys.argv[1]].get("ICE state",""))' \
		"$2" 2>/dev/null
}

# case NAME ROLE NCOMP "NICEPEER OPTS" "KICECTL FLAGS" RTCP
#   ROLE offer: libnice offers, kiced answers it (controlled)
#   ROLE answer: kiced offers ICE (controlling), libnice answers
#   RTCP: yes when RTCP must come back, no when nothing carries it
n_case=0
case_run() {
	local name=$1 role=$2 opts=$3 flags=$4 rtcp=$5
	local call=c$n_case d=$tmp/$name eport=$((31000 + n_case * 2))
	local epid npid o a ok=1 st
	n_case=$((n_case + 1))
	mkdir -p "$d"
	# not through ns_exec: $! must be the echo itself, for SIGTERM
	ip netns exec "$(ns_name gw)" $tool echo 203.0.113.1 "$eport" 30 \
		>"$d/echo.out" &
	epid=$!
	if [ "$role" = offer ]; then
		ns_exec nice "$nice" --controlling --local "$d/nice.sdp" \
			--remote "$d/kice.sdp" --rtp 50 --timeout 25 $opts \
			>"$d/nice.out" 2>&1 &
		npid=$!
		wait_file "$d/nice.sdp"
		o=$(ctl offer --call-id "$call" --from-tag a --ice remove $flags \
			<"$d/nice.sdp")
		a=$(plain "$eport" | ctl answer --call-id "$call" --from-tag a \
			--to-tag b $flags)
		printf '%s\n' "$a" >"$d/kice.sdp.tmp" && mv "$d/kice.sdp.tmp" "$d/kice.sdp"
		side=offerer
		grep -q 'a=candidate' <<<"$o" && ok=0
	else
		o=$(plain "$eport" | ctl offer --call-id "$call" --from-tag a \
			--ice force $flags)
		printf '%s\n' "$o" >"$d/kice.sdp"
		ns_exec nice "$nice" --local "$d/nice.sdp" --remote "$d/kice.sdp" \
			--rtp 50 --timeout 25 $opts >"$d/nice.out" 2>&1 &
		npid=$!
		wait_file "$d/nice.sdp"
		sleep 0.5	# libnice's checks reach kiced before its answer
		a=$(ctl answer --call-id "$call" --from-tag a --to-tag b $flags \
			<"$d/nice.sdp")
		side=answerer
		grep -q 'a=candidate' <<<"$a" && ok=0
	fi
	wait "$npid"
	local nrc=$?
	st=$(ice_state "$call" "$side")
	local rel
	rel=$(ctl query --call-id "$call" 2>/dev/null | python3 -c \
		'import json,sys; print(json.load(sys.stdin).get("relay",""))' 2>/dev/null)
	kill -TERM "$epid" 2>/dev/null
	wait "$epid"
	local got rtp_n rtcp_n
	got=$(sed -n 's/^nicepeer: rtp \([0-9]*\)\/[0-9]* rtcp \([0-9]*\)\/.*/\1 \2/p' "$d/nice.out")
	rtp_n=${got% *}
	rtcp_n=${got#* }
	[ -n "$got" ] || { rtp_n=0; rtcp_n=0; }
	ktap_diag "$name: $(grep -h 'connected in' "$d/nice.out") kiced=$st echo: $(cat "$d/echo.out")"
	if [ $nrc = 0 ] && [ $ok = 1 ]; then
		ktap_ok "$name: libnice selected a pair on each component, RTP $rtp_n/50 back"
	else
		ktap_fail "$name: libnice connects and RTP comes back"
		{ echo "--- kiced's SDP"; cat "$d/kice.sdp"; echo "--- libnice's";
		  cat "$d/nice.sdp"; cat "$d/nice.out"; } | sed 's/^/# /'
	fi
	ktap_check "$name: kiced's state for libnice's side agrees ($st)" \
		test "$st" = connected -o "$st" = completed
	if [ "$rtcp" = yes ]; then
		ktap_check "$name: RTCP both ways ($rtcp_n/50)" test "${rtcp_n:-0}" -ge 40
	else
		ktap_check "$name: no RTCP where no side carries it" \
			test "${rtcp_n:-0}" = 0
	fi
	if [ "$relay" != kernel ]; then
		:
	else
		if [ "$rel" = kernel ]; then
			ktap_ok "$name: relayed by kice.ko"
		else
			ktap_fail "$name: relayed by kice.ko ($rel)"
			grep -E "call $call|ICE" "$tmp/kiced.log" | tail -12 | sed 's/^/# /'
		fi
	fi
	ctl delete --call-id "$call" >/dev/null
}

case_run nice_offers_1comp_mux offer "--components 1 --rtcp-mux" "" yes
case_run nice_offers_2comp offer "--components 2" "" yes
case_run nice_offers_1comp offer "--components 1" "" no
case_run nice_answers_1comp answer "--components 1" "" no
case_run nice_answers_2comp answer "--components 2" "" yes
case_run nice_answers_1comp_mux answer "--components 1 --rtcp-mux" \
	"--flag rtcp-mux-offer" yes
case_run nice_lite_answers_2comp answer "--components 2 --lite" "" yes
case_run nice_lite_answers_1comp_mux answer "--components 1 --rtcp-mux --lite" \
	"--flag rtcp-mux-offer" yes

# "wait-media": the reply to the answer waits until ICE with the answerer
# works (the seed's "ring only when media works"), or says it did not
answer_wait() {	# answer_wait CALL SDPFILE: "PATH MS" of the deferred reply
	local t0 t1 j
	t0=$(date +%s%3N)
	j=$(ns_exec gw timeout 20 "$bin/kicectl" answer --call-id "$1" \
		--from-tag a --to-tag b --flag wait-media -j \
		-s 203.0.113.1:2223 -t 4000 <"$2")
	t1=$(date +%s%3N)
	printf '%s %s\n' "$(python3 -c 'import json,sys; print(json.load(sys.stdin).get("media path","none"))' \
		<<<"$j" 2>/dev/null)" $((t1 - t0))
}
d=$tmp/wait
mkdir -p "$d"
plain 31100 | ctl offer --call-id w1 --from-tag a --ice force >"$d/kice.sdp"
ns_exec nice "$nice" --local "$d/nice.sdp" --remote "$d/kice.sdp" \
	--timeout 15 >"$d/nice.out" 2>&1 &
npid=$!
wait_file "$d/nice.sdp"
res=$(answer_wait w1 "$d/nice.sdp")
wait "$npid"
ktap_check "wait-media: the answer's reply comes once ICE with libnice works ($res ms; $(grep -h 'connected in' "$d/nice.out"))" \
	test "${res% *}" = working
ctl delete --call-id w1 >/dev/null
# an answerer whose candidate never answers a check
plain 31102 | ctl offer --call-id w2 --from-tag a --ice force >/dev/null
sed -e '/^a=candidate/d' -e '/^a=end-of-candidates/d' "$d/nice.sdp" >"$d/dead.sdp"
printf 'a=candidate:1 1 UDP 2130706431 203.0.113.2 9 typ host\r\na=end-of-candidates\r\n' >>"$d/dead.sdp"
res=$(answer_wait w2 "$d/dead.sdp")
ktap_check "wait-media: an answerer that never gets ICE working: reply after media-wait 1500 ms says so ($res ms)" \
	eval '{ [ "${res% *}" = timeout ] || [ "${res% *}" = failed ]; } && [ "${res#* }" -ge 1000 ] && [ "${res#* }" -lt 4000 ]'
ctl delete --call-id w2 >/dev/null

# ICE against libnice in kiced's metrics: outcomes and setup times
peers_metrics >"$tmp/metrics.txt"
mval() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/metrics.txt"; }
mc=$(mval 'kice_ice_outcomes_total{outcome="connected"}')
mn=$(mval kice_ice_setup_seconds_count)
ktap_check "kiced's metrics: $mc ICE sides connected, $mn setup times in the histogram$(command -v promtool >/dev/null && echo ', promtool check metrics passes')" \
	eval '[ "${mc:-0}" -ge 5 ] && [ "$mn" = "$mc" ] &&
	      { ! command -v promtool >/dev/null || promtool check metrics <"$tmp/metrics.txt" >/dev/null 2>&1; }'
ktap_check "kiced still answers ping" eval "ctl ping >/dev/null"
ktap_finish
