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
# With "mdns" (chromium_mdns.sh) the page has no camera and Chromium
# offers and answers mDNS names only: kiced skips them and learns both
# connections as peer-reflexive.
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
# "chromium_interop.sh mdns" (chromium_mdns.sh): the page makes its tracks without getUserMedia, and
# Chromium keeps its host addresses behind mDNS names
mdns=$([ "${1:-}" = mdns ] && echo 1 || echo 0)
if [ "$mdns" = 1 ]; then	# (a granted camera would show the addresses)
	query="?video&mdns" media=(--autoplay-policy=no-user-gesture-required)
else
	query="?video" media=(--use-fake-ui-for-media-stream
		--use-fake-device-for-media-stream
		--disable-features=WebRtcHideLocalIpsWithMdns)
fi
peers_init web
# Without a camera Chromium gathers on the default route's address only
# (which it learns by connecting a UDP socket, nothing is sent), and
# registers its mDNS names on 224.0.0.251 before it offers them; the
# default route leads into "gw", which forwards nothing
if [ "$mdns" = 1 ]; then
	ip -n "$(ns_name web)" route add 224.0.0.0/4 dev eth0
	ip -n "$(ns_name web)" route add default via 203.0.113.1
fi
ktap_plan $((13 + 2 * mdns + $([ "$relay" = kernel ] && echo 1 || echo 0)))
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
	"${media[@]}" "http://127.0.0.1:8080/$query" >"$tmp/chromium.log" 2>&1 &
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
# selected: the pair is nominated and has succeeded, and the connection is
# connected.  libwebrtc shows the pair "in-progress" from each consent
# check it sends until the response: in a slow guest (round trips of
# 100s of ms through kice.ko and an ASan kiced) reports catch that often,
# so "in-progress" passes when the pair's checks keep being answered
# (responsesReceived grew from 5 s to 35 s)
selected() {	# selected PC T
	case "$(field "$1" ice "$2")/$(field "$1" pair "$2")/$(field "$1" nominated "$2")" in
	connected/succeeded/True|completed/succeeded/True) ;;
	connected/in-progress/True|completed/in-progress/True)
		[ $(( $(field "$1" responses 35) + 0 )) -gt $(( $(field "$1" responses 5) + 0 )) ] ;;
	*) false ;;
	esac
}
for t in 5 35; do
	ktap_check "$t s: pc1 (controlling, offerer) selected a nominated, succeeded pair" \
		selected pc1 $t
	ktap_check "$t s: pc2 (controlled, kiced nominates) selected a nominated, succeeded pair" \
		selected pc2 $t
	ktap_check "$t s: DTLS connected end to end through kiced, both connections" \
		test "$(field pc1 dtls $t)/$(field pc2 dtls $t)" = connected/connected
	ktap_check "$t s: kiced's ICE state agrees on both sides ($(kstate offerer $t), $(kstate answerer $t))" \
		eval '(for s in offerer answerer; do case $(kstate $s '$t') in connected|completed) ;; *) exit 1;; esac; done)'
done
in5=$(( $(field pc1 rtp_in 5) + 0 )) in35=$(( $(field pc1 rtp_in 35) + 0 ))
jn5=$(( $(field pc2 rtp_in 5) + 0 )) jn35=$(( $(field pc2 rtp_in 35) + 0 ))
o1=$(( $(field pc1 rtp_out 35) + 0 )) o2=$(( $(field pc2 rtp_out 35) + 0 ))
# Chromium sends 50 packets/s on a host, as few as 17 in a slow TCG guest:
# more than 150 each way between the reports, and at 35 s each side has
# got at least 90% of what the other had sent (less 100 for the time
# between the two connections' getStats())
ktap_check "audio both ways all along (pc1 got $in5 then $in35 of $o2, pc2 $jn5 then $jn35 of $o1 packets)" \
	test $in5 -gt 10 -a $jn5 -gt 10 -a $((in35 - in5)) -gt 150 -a $((jn35 - jn5)) -gt 150 \
		-a $(( (in35 + 100) * 10 )) -ge $((o2 * 9)) -a $(( (jn35 + 100) * 10 )) -ge $((o1 * 9))
# a TCG guest under slub_debug decodes ~3 frames/s, a host 30: more than
# 30 frames each way in the 30 s between the reports
v1=$(( $(field pc1 frames 35) + 0 - ($(field pc1 frames 5) + 0) ))
v2=$(( $(field pc2 frames 35) + 0 - ($(field pc2 frames 5) + 0) ))
ktap_check "video on the BUNDLE transport (RFC 9143): frames decoded both ways from 5 s to 35 s ($v1, $v2)" \
	test $v1 -gt 30 -a $v2 -gt 30
if [ "$mdns" = 1 ]; then
	# kiced skips *.local candidates (it does not resolve mDNS): each
	# connection is learnt from its checks as peer-reflexive (RFC 8445
	# section 7.3.1.3)
	grep -h "^a=candidate:" "$tmp/offer.sdp" "$tmp/answer.sdp" | sort -u | head -4 |
		while read -r l; do ktap_diag "Chromium: $l"; done
	ktap_check "Chromium offered and answered mDNS host candidates only" \
		eval '(for f in offer answer; do grep -q "^a=candidate:.* [0-9a-f-]*\.local [0-9]* typ host" "$tmp/$f.sdp" && ! grep -q "^a=candidate:.* [0-9.]* [0-9]* typ host" "$tmp/$f.sdp" || exit 1; done)'
	pairs=$(python3 -c 'import json,sys
m=json.load(open(sys.argv[1]))["media"][0]
print(m["offerer"].get("ICE pair",""), "/", m["answerer"].get("ICE pair",""))' "$tmp/query-35.json" 2>/dev/null)
	ktap_check "kiced's pairs on both sides go to a peer-reflexive Chromium ($pairs)" \
		eval '[ "$(echo "$pairs" | grep -o -- "-> prflx" | wc -l)" = 2 ]'
fi
ktap_check "kiced logged no ICE failure" eval '! grep -q "ICE side .*: failed" "$tmp/kiced.log"'
if [ "$relay" = kernel ]; then
	krel=$(python3 -c 'import json,sys; q=json.load(open(sys.argv[1])); print(q.get("relay",""), q["totals"]["RTP"]["packets"])' \
		"$tmp/query-35.json" 2>/dev/null)
	ktap_check "the call is relayed by kice.ko (relay, packets: $krel)" \
		eval '[ "${krel% *}" = kernel ] && [ "${krel#* }" -gt 2000 ]'
fi
ktap_finish
