#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connect time, from applying the peer's description to a nominated pair
# on the controlling side, kice<->kice against libnice<->libnice (default
# options: aggressive nomination) on the same namespace topologies in the
# same run (median of $RUNS; both peers print it to 0.1 ms):
#
#   ice_connect_<topology>: kice=X.Xms libnice=Y.Yms ratio=R
set -u
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
. "$TOP/selftests/lib/netns.sh"
O=${O:-$TOP/build/out}
PEER=$O/bin/icepeer
NICE=$O/bin/nicepeer
RUNS=${RUNS:-5}
# TOPOS limits the run to some topologies, e.g. TOPOS="public symmetric_relayed"
TOPOS=${TOPOS:-public eim_nat both_eim_nat symmetric_relayed}
want() { case " $TOPOS " in *" $1 "*) return 0;; esac; return 1; }
if [ "$(id -u)" != 0 ] || [ ! -x "$PEER" ] || [ ! -x "$NICE" ]; then
	echo "ice_connect: SKIP needs root, icepeer and nicepeer"
	exit 0
fi
TMP=$(mktemp -d)
trap 'ns_cleanup; rm -rf "$TMP"' EXIT
tap() { :; }
. "$TOP/agent/ice/tests/ice_topo.sh"

# kice paces checks like libnice does by default (Ta = 20 ms, within
# RFC 8445 14.2); its own default is the RFC's 50 ms
KICE_TA=${KICE_TA:-20}

# one connection; prints the controlling side's connect time or "fail"
once() {	# once BIN EXTRA_ARGS
	local bin=$1 extra=$2
	[ "$bin" = "$PEER" ] && extra="$extra --ta $KICE_TA"
	rm -f "$TMP"/*.sdp
	ns_exec a "$bin" --controlling --local "$TMP/a.sdp" --remote "$TMP/b.sdp" \
		--stun 198.51.100.1:3478 --timeout 15 $extra >"$TMP/a.log" 2>&1 &
	local pa=$!
	ns_exec b "$bin" --local "$TMP/b.sdp" --remote "$TMP/a.sdp" \
		--stun 198.51.100.1:3478 --timeout 15 $extra >"$TMP/b.log" 2>&1
	wait $pa
	sed -n 's/.*connected in \([0-9.]*\) ms.*/\1/p' "$TMP/a.log" | head -1 |
		grep . || echo fail
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "fail" }'
}

# median of the successful runs, or "fail"; failures counted in $TMP/fails
runs() {	# runs BIN EXTRA_ARGS
	local r
	r=$(for i in $(seq "$RUNS"); do once "$1" "$2"; done)
	echo "$r" | grep -c fail >"$TMP/fails"
	echo "$r" | grep -v fail | median
}

measure() {	# measure NAME EXTRA_ARGS
	local name=$1 extra=$2 k l kf lf note=""
	k=$(runs "$PEER" "$extra"); kf=$(cat "$TMP/fails")
	l=$(runs "$NICE" "$extra"); lf=$(cat "$TMP/fails")
	[ "$kf$lf" != 00 ] && note=" # failed runs: kice=$kf/$RUNS libnice=$lf/$RUNS"
	[ "$k" != fail ] && k=${k}ms
	[ "$l" != fail ] && l=${l}ms
	if [ "$k" = fail ] || [ "$l" = fail ]; then
		echo "ice_connect_$name: kice=$k libnice=$l ratio=n/a$note"
	else
		echo "ice_connect_$name: kice=$k libnice=$l ratio=$(awk \
			"BEGIN { printf \"%.2f\", ${k%ms} / (${l%ms} ? ${l%ms} : 1) }")$note"
	fi
}

if want public; then
	topo public public
	measure public ""
fi
if want eim_nat; then
	topo eim public
	measure eim_nat ""
fi
if want both_eim_nat; then
	topo eim eim
	measure both_eim_nat ""
fi
if want symmetric_relayed; then
	topo symmetric symmetric
	if turn_start; then
		measure symmetric_relayed "--turn 198.51.100.2:3478 --turn-user kice --turn-pass kicepass"
	fi
fi
exit 0
