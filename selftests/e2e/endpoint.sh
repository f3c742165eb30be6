#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Transparent endpoint, end to end: plain RTP apps on loopback at a caller
# behind an endpoint-independent NAT and at a callee behind a symmetric
# NAT; a kiced at each site does ICE (STUN/TURN through coturn) for them;
# rtpengine-ng-client carries offer, answer and delete.  Once with kice.ko
# relaying (when loaded) and once with --no-kernel.  Asserts the apps'
# received counts, the relay kiced reports, and clean daemon exits.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$here/lib.sh"

e2e_init
ktap_plan $((6 * 2))

for mode in kernel userspace; do
	e2e_mode_skipped $mode world call ice media relay teardown && continue
	flags=()
	[ $mode = userspace ] && flags=(--no-kernel)
	ns_cleanup
	ok=1
	e2e_world && e2e_kiced a "${flags[@]}" && e2e_kiced b "${flags[@]}" || ok=0
	ktap_check "$mode: two sites, NATs, coturn, kiced at each end" test $ok = 1
	call=ep-$mode
	e2e_call a b $call 20000 20002
	f=$TMP/$call
	name="$mode: offer/answer via ${E2E_SIG:-rtpengine-ng-client} (host, srflx and relay candidates on the public legs only)"
	if grep -q 'typ host' "$f.offer-public.sdp" && grep -q 'typ srflx' "$f.offer-public.sdp" &&
	   grep -q 'typ relay' "$f.offer-public.sdp" && grep -q 'typ srflx' "$f.answer-public.sdp" &&
	   ! grep -q 'a=candidate' "$f.offer-callee.sdp" "$f.answer-caller.sdp"; then
		ktap_ok "$name"
	else
		ktap_fail "$name"
		grep -H 'a=candidate' "$f".*.sdp | sed "s|^$TMP/|# |"
	fi
	ktap_check "$mode: ICE connected through both NATs" e2e_wait_ice a b $call
	e2e_media a b 20000 20002 "$COUNT"
	e2e_check_both_ways "$mode: media both ways"
	e2e_check_relayed $mode $call
	ok=1
	e2e_ng a delete --call-id=$call --from-tag=alice >/dev/null || ok=0
	e2e_ng b delete --call-id=$call --from-tag=alice >/dev/null || ok=0
	e2e_ctl a query --call-id $call >/dev/null 2>&1 && ok=0
	e2e_kiced_stop a || ok=0
	e2e_kiced_stop b || ok=0
	grep -hE 'AddressSanitizer|runtime error' "$TMP"/kiced-*.log && ok=0
	ktap_check "$mode: delete, then SIGTERM: clean exits" test $ok = 1
	[ $ok = 1 ] || tail -n 20 "$TMP"/kiced-*.log | sed 's/^/# /'
done
ktap_finish
