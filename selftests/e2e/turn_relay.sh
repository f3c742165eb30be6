#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Media through a TURN relay, end to end (the "complex ICE call flow"):
# caller and callee both behind symmetric NATs, so only pairs with a
# relayed candidate work; one coturn address is STUN and TURN server at
# once.  Asserts srflx and relay candidates, a nominated pair with a
# relayed end, media both ways, and where it is relayed: in kice.ko
# (flows with the TURN server and channel) and with --no-kernel.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
export E2E_STUN=198.51.100.2:3478 E2E_TURN=198.51.100.2:3478
. "$here/lib.sh"

e2e_init
ktap_plan $((8 * 2))

for mode in kernel userspace; do
	e2e_mode_skipped $mode world candidates ice pair media relay turn-leg teardown && continue
	flags=()
	[ $mode = userspace ] && flags=(--no-kernel)
	ns_cleanup
	ok=1
	e2e_world symmetric symmetric && e2e_kiced a "${flags[@]}" &&
		e2e_kiced b "${flags[@]}" || ok=0
	ktap_check "$mode: two sites behind symmetric NATs, coturn on one address" test $ok = 1
	call=turn-$mode
	e2e_call a b $call 20000 20002
	f=$TMP/$call
	name="$mode: srflx and relay candidates from one STUN+TURN address"
	if grep -q 'typ srflx' "$f.offer-public.sdp" && grep -q 'typ relay' "$f.offer-public.sdp" &&
	   grep -q 'typ srflx' "$f.answer-public.sdp" && grep -q 'typ relay' "$f.answer-public.sdp"; then
		ktap_ok "$name"
	else
		ktap_fail "$name"
		grep -H 'a=candidate' "$f".*.sdp | sed "s|^$TMP/|# |"
	fi
	ktap_check "$mode: ICE connected through two symmetric NATs" e2e_wait_ice a b $call
	pa=$(e2e_query a $call "ICE pair")
	pb=$(e2e_query b $call "ICE pair")
	ktap_check "$mode: nominated pair is relayed (caller $pa; callee $pb)" \
		eval '[[ "$pa" == *relay* && "$pb" == *relay* ]]'
	e2e_media a b 20000 20002 "$COUNT"
	e2e_check_both_ways "$mode: media both ways through the relay"
	e2e_check_relayed $mode $call
	if [ $mode = kernel ]; then
		# the relayed end's flow: a leg via coturn with its channel
		for s in a b; do
			ns_exec $s "$E2E_BIN/kice-ktool" flow-dump
		done >"$TMP/flows" 2>&1
		nt=$(grep -c 'turn_port=3478$' "$TMP/flows")
		ch=$(sed -n 's/.*channel=\([0-9]*\)$/\1/p' "$TMP/flows" | head -n1)
		ktap_check "$mode: a kernel leg through the TURN server ($nt legs, channel ${ch:-none})" \
			test "$nt" -ge 1 -a "${ch:-0}" -ge 16384 -a "${ch:-0}" -le 20479
		[ "$nt" -ge 1 ] 2>/dev/null || sed 's/^/# /' "$TMP/flows" | head -n 40
	else
		ktap_ok "$mode: no kernel leg (--no-kernel)"
	fi
	e2e_check_teardown $call "$mode: delete, then SIGTERM: clean exits"
done
ktap_finish
