#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kiced in rtpengine's place under Debian's Kamailio 5.6 and its own
# rtpengine module (sip/kamailio.cfg: a record-routing proxy calling
# rtpengine_manage() for every SDP), with SIP calls from sipp (Debian's
# sip-tester; sip/*.xml):
#
#   basic   media both ways (the caller plays sipp's G.711 recording, the
#           callee echoes it), early media (183 with SDP), a re-INVITE
#           from the callee (Kamailio's offer then carries the callee's
#           tag as from-tag), hold (a=sendonly) and unhold from the
#           caller, the caller's BYE;
#   busy    the callee rejects with 486: Kamailio deletes the call;
#   cancel  the caller CANCELs while it rings;
#   late    an INVITE without SDP (the offer in the 200, the answer in
#           the ACK), an UPDATE from the callee, the callee's BYE.
#
# Kamailio's flags: replace-origin, replace-session-connection, ICE=remove,
# loop-protect (kiced marks its SDP a=rtpengine:<id>) and
# SIP-source-address (the party's media address from received-from).
#
# Asserted: sipp's own verdict on each call (every message as scripted,
# the SDP it got has an m=audio line), RTP counted at both ends by
# nftables (what the caller sent came back through kiced twice),
# kiced's log (the callee's re-offer taken, nothing refused) and no call
# or media port left after each.
#
# KICE_RELAY=kernel (selftests/e2e/kamailio.sh, in the test VM): with
# kice.ko, and the first call must be relayed by it.  KICE_RELAY=rtpengine:
# Debian's rtpengine in kiced's place (userspace), the reference.
#
# Topology: namespace "gw" (Kamailio and kiced; 203.0.113.1 towards the
# caller, 198.51.100.1 towards the callee), "uac" (the caller,
# 203.0.113.2) and "uas" (the callee, 198.51.100.2).  Media goes through
# 203.0.113.1, which both reach (the callee by its default route).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$top/agent/kiced/tests/sip/lib.sh"
cd "$top"

sip_init
ktap_plan $([ "$relay" = kernel ] && echo 18 || echo 17)
sip_relay 30199
sip_kamailio "replace-origin replace-session-connection ICE=remove loop-protect SIP-source-address"

# uas|uac NAME SCENARIO: sipp for one call; its exit status (0: the call
# went as scripted)
uas() {
	ns_exec uas timeout 40 sipp -sf "$sip/$2" -i 198.51.100.2 -p 5060 \
		-mi 198.51.100.2 -mp 6000 -rtp_echo -m 1 -nostdin \
		-trace_err -error_file "$tmp/uas-$1.err" \
		-trace_msg -message_file "$tmp/uas-$1.msg" >/dev/null 2>&1
}
uac() {
	ns_exec uac timeout 40 sipp -sf "$sip/$2" 203.0.113.1:5060 \
		-i 203.0.113.2 -p 5060 -mi 203.0.113.2 -mp 6000 -m 1 -nostdin \
		-timeout 30s -trace_err -error_file "$tmp/uac-$1.err" \
		-trace_msg -message_file "$tmp/uac-$1.msg" >/dev/null 2>&1
}

# call NAME CALLER CALLEE: one call, the callee's sipp started first;
# sets crc and src (sipp's exit status: 0 when the call went as
# scripted) and the RTP counted for it: tx (the caller sent), rx (the
# callee received), back (it echoed), echoed (the caller received)
call() {
	local t0=$(count uac tx) e0=$(count uac rx) r0=$(count uas rx) b0=$(count uas tx)
	local upid cpid
	uas "$1" "$3" & upid=$!
	sleep 0.3
	uac "$1" "$2" & cpid=$!
	if [ "$1" = basic ] && [ "$relay" = kernel ]; then
		# mid-call (the recording plays for 8 s from the ACK)
		sleep 5
		cid=$(ctl list 2>/dev/null | head -1)
		krel=$(ctl query --call-id "$cid" 2>/dev/null | python3 -c 'import json,sys
q=json.load(sys.stdin); print(q.get("relay",""), q["totals"]["RTP"]["packets"])' 2>/dev/null)
	fi
	wait $cpid; crc=$?
	wait $upid; src=$?
	[ $crc = 0 ] && [ $src = 0 ] || sip_show "$1"
	tx=$(($(count uac tx) - t0)) echoed=$(($(count uac rx) - e0))
	rx=$(($(count uas rx) - r0)) back=$(($(count uas tx) - b0))
	sleep 0.5
	n=$(ncalls) p=$(ports)
}
media_checks() {
	ktap_check "$1: the caller's RTP reached the callee through the relay ($tx sent, $rx received)" \
		test "$tx" -ge 200 -a "$rx" -ge $((tx * 9 / 10))
	ktap_check "$1: the callee's echo came back to the caller ($back echoed, $echoed received)" \
		test "$back" -ge $((rx * 9 / 10)) -a "$echoed" -ge $((tx * 9 / 10))
}
gone() {
	ktap_check "$1: $2 deleted it, no media port left ($n calls, $p ports)" \
		test "$n" = 0 -a "$p" = 0
}

krel=
call basic basic-caller.xml basic-callee.xml
ktap_check "basic: early media, the callee's re-INVITE, hold and unhold from the caller went as scripted (sipp: $crc, $src)" \
	test $crc = 0 -a $src = 0
media_checks basic
if [ "$relay" = rtpengine ]; then
	ktap_skip "basic: kiced took the callee's re-offer" "the relay is rtpengine"
else
	ktap_check "basic: kiced took the callee's re-offer (its tag as from-tag) and the caller's answer to it" \
		eval 'grep -q "re-offer from the callee" "$tmp/kiced.log" && [ "$(grep -c ": answer from " "$tmp/kiced.log")" -ge 3 ]'
fi
if [ "$relay" = kernel ]; then
	ktap_check "basic: relayed by kice.ko mid-call (relay, packets: $krel)" \
		eval '[ "${krel% *}" = kernel ] && [ "${krel#* }" -gt 50 ]'
fi
gone basic "the caller's BYE"

call busy basic-caller.xml busy-callee.xml
ktap_check "busy: the callee's 486 reached the caller, which ACKed it (sipp: $crc, $src)" \
	test $crc = 0 -a $src = 0
gone busy "the 486"

call cancel cancel-caller.xml cancel-callee.xml
ktap_check "cancel: the caller's CANCEL ended the ringing call, 487 ACKed (sipp: $crc, $src)" \
	test $crc = 0 -a $src = 0
gone cancel "the CANCEL"

call late late-caller.xml late-callee.xml
ktap_check "late: offer in the 200, answer in the ACK, the callee's UPDATE and BYE went as scripted (sipp: $crc, $src)" \
	test $crc = 0 -a $src = 0
media_checks late
gone late "the callee's BYE"

# kiced's metrics, as Prometheus scrapes them: valid, and they add up
if [ "$relay" = rtpengine ]; then
	ktap_skip "kiced's metrics" "the relay is rtpengine"
	ktap_skip "kiced's metrics count the calls and their media" "the relay is rtpengine"
else
	metrics >"$tmp/metrics.txt"
	if command -v promtool >/dev/null; then
		ktap_check "kiced's metrics pass promtool check metrics" \
			eval 'promtool check metrics <"$tmp/metrics.txt" 2>&1 | sed "s/^/# /"; [ "${PIPESTATUS[0]}" = 0 ] && [ -s "$tmp/metrics.txt" ]'
	else
		ktap_skip "kiced's metrics pass promtool check metrics" "promtool missing (Debian's prometheus)"
	fi
	mval() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/metrics.txt"; }
	mrtp=$(mval 'kice_media_packets_total{component="rtp"}')
	ktap_check "kiced's metrics count the calls and their media (created $(mval kice_calls_created_total), now $(mval kice_calls), RTP ${mrtp:-?})" \
		eval '[ "$(mval kice_calls_created_total)" = 4 ] && [ "$(mval kice_calls)" = 0 ] && [ "${mrtp:-0}" -ge 800 ]'
fi
ktap_check "kiced refused no command and logged no warning about one" \
	eval '! grep -E "ng [a-z]+, call .*: (refused|warning)" "$tmp/kiced.log" | sed "s/^/# /" | grep -q .'
ktap_check "Kamailio logged no rtpengine error" \
	eval '! grep -E "ERROR.*rtpengine|rtpengine_manage failed" "$tmp/kamailio.log" | sed "s/^/# /" | grep -q .'
ktap_finish
