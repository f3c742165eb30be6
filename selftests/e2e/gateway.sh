#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Media gateway, end to end: one kiced between an IPv4 network and an IPv6
# network, driven by rtpengine-ng-client as a SIP proxy would
# (offer/answer/delete with "direction").  Plain RTP apps on each side
# (kice-rtpapp); the SDP is rewritten for each side (IPv4 towards the
# offerer, IPv6 towards the answerer) and media is relayed IPv4<->IPv6.
# A second call does ICE on the IPv6 leg (ICE=force) with a kiced acting
# as transparent endpoint for the IPv6 app.  Each once by kice.ko (when it
# can be loaded) and once with --no-kernel.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$here/lib.sh"

e2e_init
ktap_plan $((8 * 2))

E2E_IFACES[gw]="interface = v4/192.0.2.1
interface = v6/2001:db8:6::1"
E2E_IFACES[b]="interface = internal/127.0.0.1
interface = external/2001:db8:6::2"
gw_world() {
	ns_new gw >/dev/null && ns_new a >/dev/null && ns_new b >/dev/null &&
	ns_link gw v4 192.0.2.1/24 a eth0 192.0.2.2/24 &&
	ns_link gw v6 2001:db8:6::1/64 b eth0 2001:db8:6::2/64
}

for mode in kernel userspace; do
	e2e_mode_skipped $mode setup offer/answer media relay teardown \
		ice-setup ice-media ice-relay && continue
	flags=()
	[ $mode = userspace ] && flags=(--no-kernel)
	ns_cleanup
	ok=1
	gw_world && e2e_kiced gw "${flags[@]}" || ok=0
	ktap_check "$mode: kiced between 192.0.2.0/24 and 2001:db8:6::/64" test $ok = 1
	call=gw-$mode
	sdp_a=$(printf 'v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n')
	sdp_b=$(printf 'v=0\r\no=- 2 1 IN IP6 2001:db8:6::2\r\ns=-\r\nc=IN IP6 2001:db8:6::2\r\nt=0 0\r\nm=audio 20002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n')
	o=$(e2e_ng gw offer --call-id=$call --from-tag=alice \
		--direction=v4,v6 --sdp="$sdp_a")
	an=$(e2e_ng gw answer --call-id=$call --from-tag=alice --to-tag=bob \
		--sdp="$sdp_b")
	to_b=$(e2e_sdp_port <<<"$o")
	to_a=$(e2e_sdp_port <<<"$an")
	if grep -q '^c=IN IP6 2001:db8:6::1' <<<"$o" &&
	   grep -q '^c=IN IP4 192.0.2.1' <<<"$an" && [ -n "$to_a" ] && [ -n "$to_b" ]; then
		ktap_ok "$mode: SDP rewritten: IPv6 towards the answerer, IPv4 towards the offerer"
	else
		ktap_fail "$mode: SDP rewritten for each side"
		printf '%s\n--\n%s\n' "$o" "$an" | sed 's/^/# /'
	fi
	at=$(($(date +%s%3N) + 2000))
	ip netns exec "$(ns_name a)" "$E2E_BIN/kice-rtpapp" -n v4-app \
		-b 192.0.2.2:20000 -t "192.0.2.1:${to_a:-9}" -c "$COUNT" -S $at \
		>"$TMP/app-a.out" 2>&1 &
	pa=$!
	ip netns exec "$(ns_name b)" "$E2E_BIN/kice-rtpapp" -n v6-app \
		-b "[2001:db8:6::2]:20002" -t "[2001:db8:6::1]:${to_b:-9}" \
		-c "$COUNT" -S $at >"$TMP/app-b.out" 2>&1 &
	pb=$!
	wait $pa $pb
	e2e_check_both_ways "$mode: media relayed IPv4<->IPv6 both ways"
	rel=$(e2e_query gw $call relay)
	pk=$(e2e_rtp_packets gw $call)
	ktap_check "$mode: relayed in the $mode ($rel), kiced counted $pk RTP packets" \
		test "$rel" = $mode -a "${pk:-0}" -ge "$((ra + rb))"
	ok=1
	e2e_ng gw delete --call-id=$call --from-tag=alice >/dev/null || ok=0
	e2e_ctl gw query --call-id $call >/dev/null 2>&1 && ok=0
	e2e_kiced_stop gw || ok=0
	grep -hE 'AddressSanitizer|runtime error' "$TMP"/kiced-*.log && ok=0
	ktap_check "$mode: delete via rtpengine-ng-client, then SIGTERM: clean exit" test $ok = 1
	[ $ok = 1 ] || tail -n 20 "$TMP"/kiced-*.log | sed 's/^/# /'

	# ICE on the IPv6 leg: v4 app -- gw (ICE=force towards v6) -- ICE --
	# kiced at b (ICE=remove) -- app on b's loopback
	call=gwice-$mode
	ok=1
	e2e_kiced gw "${flags[@]}" && e2e_kiced b "${flags[@]}" || ok=0
	o1=$(e2e_ng gw offer --call-id=$call --from-tag=alice --ICE=force \
		--direction=v4,v6 --sdp="$sdp_a") || ok=0
	o2=$(e2e_ng b offer --call-id=$call --from-tag=alice --ICE=remove \
		--direction=external,internal --sdp="$o1") || ok=0
	a2=$(e2e_ng b answer --call-id=$call --from-tag=alice --to-tag=bob \
		--sdp="$(e2e_app_sdp 20004)") || ok=0
	a1=$(e2e_ng gw answer --call-id=$call --from-tag=alice --to-tag=bob \
		--sdp="$a2") || ok=0
	grep -q 'a=candidate.* 2001:db8:6::1 .*typ host' <<<"$o1" &&
		grep -q 'a=candidate.* 2001:db8:6::2 .*typ host' <<<"$a2" &&
		grep -q '^c=IN IP4 192.0.2.1' <<<"$a1" || ok=0
	if [ $ok = 1 ] && e2e_wait_ice gw b $call; then
		ktap_ok "$mode: ICE on the IPv6 leg connects ($(e2e_query gw $call "ICE pair"))"
	else
		ktap_fail "$mode: ICE on the IPv6 leg connects"
		printf '%s\n--\n%s\n' "$o1" "$a2" | sed 's/^/# /'
	fi
	to_a=$(e2e_sdp_port <<<"$a1")
	to_b=$(e2e_sdp_port <<<"$o2")
	at=$(($(date +%s%3N) + 3000))
	ip netns exec "$(ns_name a)" "$E2E_BIN/kice-rtpapp" -n v4-app \
		-b 192.0.2.2:20000 -t "192.0.2.1:${to_a:-9}" -c "$COUNT" -S $at \
		>"$TMP/app-a.out" 2>&1 &
	pa=$!
	ip netns exec "$(ns_name b)" "$E2E_BIN/kice-rtpapp" -n v6-side-app \
		-b 127.0.0.1:20004 -t "127.0.0.1:${to_b:-9}" -c "$COUNT" -S $at \
		>"$TMP/app-b.out" 2>&1 &
	pb=$!
	wait $pa $pb
	e2e_check_both_ways "$mode: media through the ICE leg both ways"
	rel=$(e2e_query gw $call relay)
	rel_b=$(e2e_query b $call relay)
	ok=1
	e2e_ng gw delete --call-id=$call --from-tag=alice >/dev/null || ok=0
	e2e_ng b delete --call-id=$call --from-tag=alice >/dev/null || ok=0
	e2e_kiced_stop gw || ok=0
	e2e_kiced_stop b || ok=0
	ktap_check "$mode: relayed in the $mode (gateway $rel, endpoint $rel_b), deleted, clean exits" \
		test "$rel" = $mode -a "$rel_b" = $mode -a $ok = 1
done
ktap_finish
