#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Media gateway, end to end: one kiced between an IPv4 network and an IPv6
# network, driven by rtpengine-ng-client as a SIP proxy would
# (offer/answer/delete with "direction").  Plain RTP apps on each side
# (kice-rtpapp); the SDP is rewritten for each side (IPv4 towards the
# offerer, IPv6 towards the answerer) and media is relayed IPv4<->IPv6,
# once by kice.ko (when it can be loaded) and once with --no-kernel.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
why=$(e2e_need) || ktap_skip_all "$why"
TMP=$(mktemp -d)
trap 'ns_cleanup; rm -rf "$TMP"' EXIT
COUNT=${E2E_COUNT:-150}

modes="userspace"
e2e_load_module >/dev/null 2>&1 && modes="kernel userspace"
ktap_plan $((5 * 2))

E2E_IFACES[gw]="interface = v4/192.0.2.1
interface = v6/2001:db8:6::1"
gw_world() {
	ns_new gw >/dev/null && ns_new a >/dev/null && ns_new b >/dev/null &&
	ns_link gw v4 192.0.2.1/24 a eth0 192.0.2.2/24 &&
	ns_link gw v6 2001:db8:6::1/64 b eth0 2001:db8:6::2/64
}

for mode in kernel userspace; do
	if [[ " $modes " != *" $mode "* ]]; then
		for t in setup offer/answer media relay teardown; do
			ktap_skip "$mode: $t" "kice.ko cannot be loaded here"
		done
		continue
	fi
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
	ra=$(e2e_received "$TMP/app-a.out")
	rb=$(e2e_received "$TMP/app-b.out")
	ktap_diag "$(cat "$TMP/app-a.out" "$TMP/app-b.out" | tr '\n' ' ')"
	ktap_check "$mode: media relayed IPv4<->IPv6 both ways (>= 98% of $COUNT: $ra, $rb)" \
		test "${ra:-0}" -ge $((COUNT * 98 / 100)) -a "${rb:-0}" -ge $((COUNT * 98 / 100))
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
done
ktap_finish
