#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kiced between two GStreamer webrtcbin peers (gstreamer1.0-plugins-bad,
# libnice inside; webrtcbin_peer.py), a second WebRTC stack next to
# Chromium's: pc1 offers audio (Opus) and video (VP8) in one BUNDLE group
# with rtcp-mux and is controlling towards kiced's side A; kiced offers
# on to pc2 and is controlling on side B.  DTLS-SRTP runs end to end
# through kiced.  Asserted from webrtcbin's states and packet counts and
# kiced's query: both peer connections connected, both media flowing both
# ways over the bundled transport, kiced's ICE state connected on both
# sides and no ICE failure logged.  webrtcbin's max-bundle policy offers
# the video section bundle-only (port 0, RFC 9143 7.2.1), which kiced
# keeps as such towards pc2.
#
# KICE_RELAY=kernel (selftests/e2e/webrtcbin.sh, in the test VM): with
# kice.ko, and the call must be relayed by it.
#
# Topology: namespace "gw" (kiced; 203.0.113.1) and "gst" (both peers;
# 203.0.113.2).
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$top/agent/kiced/tests/peers.sh"
cd "$top"

py=/usr/bin/python3
$py -c 'import gi; gi.require_version("GstWebRTC", "1.0")' 2>/dev/null &&
	gst-inspect-1.0 webrtcbin >/dev/null 2>&1 &&
	gst-inspect-1.0 opusenc >/dev/null 2>&1 && gst-inspect-1.0 vp8enc >/dev/null 2>&1 ||
	ktap_skip_all "webrtcbin, opusenc, vp8enc or python3-gi missing (.ci/deps installs them)"
secs=20
relay=${KICE_RELAY:-userspace}
peers_init gst
ktap_plan $([ "$relay" = kernel ] && echo 10 || echo 9)
peers_kiced -l info

# GStreamer's warnings and errors go to gst.log, shown when the peers fail
ip netns exec "$(ns_name gst)" env GST_DEBUG='*:2' GST_DEBUG_NO_COLOR=1 GST_DEBUG_FILE="$tmp/gst.log" \
	timeout $((secs + 150)) $py \
	agent/kiced/tests/webrtcbin_peer.py "$tmp" "$bin/kicectl" 203.0.113.1:2223 $secs \
	>"$tmp/peer.log" 2>&1 &
PEERS_PIDS=$!
wait $PEERS_PIDS
src=$?
PEERS_PIDS=

# val PATH: a value of the peers' report (PATH: report keys separated by .)
val() {
	$py -c 'import json,sys
v=json.load(open(sys.argv[1]))
try:
    for k in sys.argv[2].split("."):
        v=v[k]
    print(v)
except Exception:
    print("")' "$tmp/report.json" "$1" 2>/dev/null
}
n() { local v; v=$(val "$1"); echo "${v:-0}"; }
ktap_diag "report: $(cat "$tmp/report.json" 2>/dev/null)"
for f in offer offer2 answer answer1; do
	ktap_diag "$f: $(grep -E "^(m=|a=bundle-only|a=group)" "$tmp/$f.sdp" 2>/dev/null | tr -d '\r' | tr '\n' ' ')"
done
if [ $src != 0 ]; then
	{ echo "--- peers"; tail -20 "$tmp/peer.log"; cat "$tmp/kicectl.err" 2>/dev/null
	  echo "--- GStreamer"; grep -v "^$" "$tmp/gst.log" 2>/dev/null | tail -40
	  echo "--- kiced"; tail -30 "$tmp/kiced.log"; } |
		sed 's/^/# /'
fi
ktap_check "webrtcbin accepted kiced's offer and answer, the report came ($(tail -1 "$tmp/peer.log" 2>/dev/null))" \
	test $src = 0
ktap_check "kiced's SDP towards webrtcbin keeps BUNDLE, mid, rtcp-mux, fingerprint and setup" \
	eval '(for f in offer2 answer1; do for a in "a=group:BUNDLE" "a=mid:" "a=rtcp-mux" "a=fingerprint:" "a=setup:" "a=candidate:"; do grep -q "^$a" "$tmp/$f.sdp" || exit 1; done; done)'
# max-bundle: webrtcbin offers video bundle-only (port 0, RFC 9143 7.2.1)
ktap_check "webrtcbin's bundle-only video section reaches pc2 bundle-only, at port 0" \
	eval '[ "$(grep -c "^a=bundle-only" "$tmp/offer.sdp")" = 1 ] && grep -q "^m=video 0 " "$tmp/offer.sdp" &&
	      [ "$(grep -c "^a=bundle-only" "$tmp/offer2.sdp")" = 1 ] && grep -q "^m=video 0 " "$tmp/offer2.sdp"'
for pc in pc1 pc2; do
	ktap_check "$pc: ICE and the peer connection connected at the end ($(val end.$pc.ice), $(val end.$pc.conn))" \
		eval 'case "$(val end.'$pc'.ice)/$(val end.'$pc'.conn)" in connected/connected|completed/connected) ;; *) false;; esac'
done
a1=$(( $(n end.pc1.rx.audio) - $(n 5.pc1.rx.audio) )) a2=$(( $(n end.pc2.rx.audio) - $(n 5.pc2.rx.audio) ))
v1=$(( $(n end.pc1.rx.video) - $(n 5.pc1.rx.video) )) v2=$(( $(n end.pc2.rx.video) - $(n 5.pc2.rx.video) ))
# Opus at 50 packets/s, VP8 at 15 frames/s: at least a third of that
# from 5 s to the end, each way
ktap_check "audio both ways after 5 s ($a1, $a2 SRTP packets decrypted)" \
	test $a1 -gt $(( (secs - 5) * 50 / 3 )) -a $a2 -gt $(( (secs - 5) * 50 / 3 ))
ktap_check "video both ways on the BUNDLE transport after 5 s ($v1, $v2 packets)" \
	test $v1 -gt $(( (secs - 5) * 15 / 3 )) -a $v2 -gt $(( (secs - 5) * 15 / 3 ))
kst=$($py -c 'import json,sys
m=json.load(open(sys.argv[1]))["media"][0]
print(m["offerer"].get("ICE state",""), m["answerer"].get("ICE state",""))' "$tmp/query.json" 2>/dev/null)
ktap_check "kiced's ICE state on both sides connected ($kst)" \
	eval '(for s in $kst; do case $s in connected|completed) ;; *) exit 1;; esac; done; [ -n "$kst" ])'
ktap_check "kiced logged no ICE failure" eval '! grep -q "ICE side .*: failed" "$tmp/kiced.log"'
if [ "$relay" = kernel ]; then
	krel=$($py -c 'import json,sys; q=json.load(open(sys.argv[1])); print(q.get("relay",""), q["totals"]["RTP"]["packets"])' \
		"$tmp/query.json" 2>/dev/null)
	ktap_check "the call is relayed by kice.ko (relay, packets: $krel)" \
		eval '[ "${krel% *}" = kernel ] && [ "${krel#* }" -gt 1000 ]'
fi
ktap_finish
