#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kiced between two of Debian's Chromium's peer connections (libwebrtc),
# headless, in network namespaces: pc1 offers and is controlling towards
# kiced (kiced controlled on side A); kiced offers on to pc2 and is
# controlling there (side B).  WebRTC-shaped SDP both ways (audio and
# video in one BUNDLE group, mid, rtcp-mux, DTLS fingerprints): DTLS and SRTP run end to end through
# kiced's relay.  Asserted from Chromium's getStats() and kiced's query,
# 5 s and 35 s after the answer: both selected pairs succeeded and
# nominated, DTLS connected, audio flowing both ways, and kiced's ICE
# state agreeing with Chromium's on both sides.
#
# Topology: namespace "gw" (kiced; 203.0.113.1) and namespace "web"
# (Chromium and the page's server, webrtc_signal.py; 203.0.113.2).
#
# KICE_RELAY=kernel (selftests/e2e/chromium.sh, in the test VM): kiced
# with kice.ko, and the call must be relayed by it - SRTP in the kernel,
# DTLS and STUN passed up to kiced.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$top/agent/kiced/tests/peers.sh"
cd "$top"

chromium=$(command -v chromium || true)
[ -n "$chromium" ] || ktap_skip_all "chromium missing (.ci/deps installs it)"
relay=${KICE_RELAY:-userspace}
peers_init web
ktap_plan $([ "$relay" = kernel ] && echo 14 || echo 13)
peers_kiced -l info

ip netns exec "$(ns_name web)" python3 agent/kiced/tests/webrtc_signal.py \
	8080 "$tmp" "$bin/kicectl" 203.0.113.1:2223 5,35 &
spid=$!
PEERS_PIDS=$spid
sleep 0.3
mkdir -p "$tmp/profile"
ip netns exec "$(ns_name web)" "$chromium" --headless --no-sandbox \
	--disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update \
	--disable-sync --user-data-dir="$tmp/profile" \
	--use-fake-ui-for-media-stream --use-fake-device-for-media-stream \
	--disable-features=WebRtcHideLocalIpsWithMdns \
	"http://127.0.0.1:8080/${KICE_WEBRTC_QUERY-?video}" >"$tmp/chromium.log" 2>&1 &
cpid=$!
PEERS_PIDS="$spid $cpid"
wait "$spid"
src=$?
kill "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
PEERS_PIDS=

# field PC FIELD T: one value of Chromium's report at T s
field() {
	python3 -c 'import json,sys
try:
    print(json.load(open(sys.argv[1]))[sys.argv[2]].get(sys.argv[3], ""))
except Exception:
    print("")' "$tmp/report-$3.json" "$1" "$2"
}
kstate() {	# kstate SIDE T: kiced's ICE state for the side at T s
	python3 -c 'import json,sys
try:
    print(json.load(open(sys.argv[1]))["media"][0][sys.argv[2]].get("ICE state", ""))
except Exception:
    print("")' "$tmp/query-$2.json" "$1"
}
for t in 5 35; do
	for pc in pc1 pc2; do
		ktap_diag "$t s $pc: $(cat "$tmp/report-$t.json" 2>/dev/null | python3 -c \
			'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$pc" 2>/dev/null)"
	done
done
page=$(cat "$tmp/page.log" 2>/dev/null | tr '\n' ' ')
if [ $src != 0 ]; then
	{ echo "--- page"; cat "$tmp/page.log" 2>/dev/null; echo "--- chromium";
	  tail -20 "$tmp/chromium.log"; echo "--- kiced"; tail -30 "$tmp/kiced.log"; } |
		sed 's/^/# /'
fi
ktap_check "Chromium accepted kiced's offer and answer, reports came${page:+ (page: $page)}" \
	test $src = 0
ktap_check "kiced's SDP towards Chromium is WebRTC-shaped (BUNDLE, mid, rtcp-mux, fingerprint, setup)" \
	eval '(for f in offer2 answer1; do for a in "a=group:BUNDLE" "a=mid:" "a=rtcp-mux" "a=fingerprint:" "a=setup:" "a=candidate:"; do grep -q "^$a" "$tmp/$f.sdp" || exit 1; done; done)'
for t in 5 35; do
	ktap_check "$t s: pc1 (controlling, offerer) selected a nominated, succeeded pair" \
		test "$(field pc1 pair $t)/$(field pc1 nominated $t)" = succeeded/True
	ktap_check "$t s: pc2 (controlled, kiced nominates) selected a nominated, succeeded pair" \
		test "$(field pc2 pair $t)/$(field pc2 nominated $t)" = succeeded/True
	ktap_check "$t s: DTLS connected end to end through kiced, both connections" \
		test "$(field pc1 dtls $t)/$(field pc2 dtls $t)" = connected/connected
	ktap_check "$t s: kiced's ICE state agrees on both sides ($(kstate offerer $t), $(kstate answerer $t))" \
		eval '(for s in offerer answerer; do case $(kstate $s '$t') in connected|completed) ;; *) exit 1;; esac; done)'
done
in5=$(( $(field pc1 rtp_in 5) + 0 )) in35=$(( $(field pc1 rtp_in 35) + 0 ))
jn5=$(( $(field pc2 rtp_in 5) + 0 )) jn35=$(( $(field pc2 rtp_in 35) + 0 ))
ktap_check "audio both ways all along (pc1 got $in5 then $in35, pc2 $jn5 then $jn35 packets)" \
	test $in5 -gt 100 -a $jn5 -gt 100 -a $((in35 - in5)) -gt 1000 -a $((jn35 - jn5)) -gt 1000
# a TCG guest under slub_debug decodes ~3 frames/s, a host 30: more than
# 30 frames each way in the 30 s between the reports
v1=$(( $(field pc1 frames 35) + 0 - ($(field pc1 frames 5) + 0) ))
v2=$(( $(field pc2 frames 35) + 0 - ($(field pc2 frames 5) + 0) ))
ktap_check "video on the BUNDLE transport (RFC 9143): frames decoded both ways from 5 s to 35 s ($v1, $v2)" \
	test $v1 -gt 30 -a $v2 -gt 30
ktap_check "kiced logged no ICE failure" eval '! grep -q "ICE side .*: failed" "$tmp/kiced.log"'
if [ "$relay" = kernel ]; then
	krel=$(python3 -c 'import json,sys; q=json.load(open(sys.argv[1])); print(q.get("relay",""), q["totals"]["RTP"]["packets"])' \
		"$tmp/query-35.json" 2>/dev/null)
	ktap_check "the call is relayed by kice.ko (relay, packets: $krel)" \
		eval '[ "${krel% *}" = kernel ] && [ "${krel#* }" -gt 2000 ]'
fi
ktap_finish
