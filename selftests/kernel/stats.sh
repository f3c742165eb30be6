#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# RTP statistics per SSRC against a generator with known loss (across a
# sequence number wrap), duplicates, reordering and jitter; RTCP counted
# apart; statistics reset; and the monitor group's flow-new, ssrc-change,
# src-mismatch (rate-limited), idle and flow-del notifications.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"

kice_load
kice_topo || ktap_skip_all "cannot build the namespaces"
ktap_plan 13

kt_bg r $TMPD/mon monitor 30000 100 || { cat $TMPD/mon; exit 1; }
MON=$KT_PID
kt_bg r $TMPD/hold hold 192.0.2.1,4000 198.51.100.1,4002 || { cat $TMPD/hold; exit 1; }
s0=$(kv $TMPD/hold sock0) s1=$(kv $TMPD/hold sock1)
f=$(kt r flow-new --a $s0,192.0.2.2,5000 --b $s1,198.51.100.2,6000 \
	--clock 0:8000 --clock 96:90000 --idle 1500 | sed -n 's/^id=//p')

A="--from 192.0.2.2,5000 --to 192.0.2.1,4000"
# L: 101 packets from seq 65500 (wraps), every 10th lost
kt a send $A --rtp 0x1111 --count 101 --seq 65500 --drop-every 10 >/dev/null
# D: 40 packets, 4 sent twice, 4 pairs swapped
kt a send $A --rtp 0x2222 --count 40 --dup-every 10 --swap-every 10 >/dev/null
# J: every other packet 20 ms late: jitter 20 ms = 160 at 8 kHz (RTP time
# taken from the sender's clock, so a descheduled VM adds no jitter)
kt a send $A --rtp 0x3333 --count 60 --interval-us 40000 --jitter-us 20000 --ts-clock 1 >/dev/null
# J0: same without jitter
kt a send $A --rtp 0x4444 --count 60 --interval-us 40000 --ts-clock 1 >/dev/null
# RTCP sender reports
kt a send $A --rtcp 0x1111 --count 5 --size 28 >/dev/null
kt r flow-get $f >$TMPD/f

chk() {	# chk NAME KEY VALUE
	local v=$(kv $TMPD/f "$2")
	if [ "$v" = "$3" ]; then ktap_ok "$1: $2=$v"; else ktap_fail "$1: $2=$v, want $3"; fi
}
sed -n 's/^\(a\.ssrc.*\)/# \1/p' $TMPD/f
ssrc_ok() {	# ssrc_ok IDX SSRC PACKETS EXPECTED LOST DUPS REORDERED
	local p=a.ssrc$1 got
	got="$(kv $TMPD/f $p.ssrc) $(kv $TMPD/f $p.packets) $(kv $TMPD/f $p.expected) $(kv $TMPD/f $p.lost) $(kv $TMPD/f $p.duplicates) $(kv $TMPD/f $p.reordered)"
	if [ "$got" = "$2 $3 $4 $5 $6 $7" ]; then
		ktap_ok "ssrc $2: packets expected lost dups reordered = $got"
	else
		ktap_fail "ssrc $2: packets expected lost dups reordered = $got, want $2 $3 $4 $5 $6 $7"
	fi
}
ssrc_ok 0 $((0x1111)) 91 101 10 0 0
chk "extended highest sequence after wrap" a.ssrc0.max_seq $((65500 + 100))
ssrc_ok 1 $((0x2222)) 44 40 0 4 4
j=$(kv $TMPD/f a.ssrc2.jitter) j0=$(kv $TMPD/f a.ssrc3.jitter)
ktap_check "jitter of a 20 ms jittered stream: $j (160 expected)" [ "${j:-0}" -ge 110 ] && [ "${j:-0}" -le 240 ]
ktap_check "jitter of an unjittered stream: $j0 (< jittered / 2)" [ "${j0:-999}" -lt $((j / 2)) ]
chk "RTCP counted apart" a.rtcp_packets 5
rx=$(kv $TMPD/f a.rx_packets)
ktap_check "rx packets = all RTP + RTCP sent ($rx)" [ "$rx" = $((91 + 44 + 60 + 60 + 5)) ]
age=$(kv $TMPD/f a.last_rx_age)
ktap_check "last receive age reported ($age ms)" [ -n "$age" ] && [ "$age" -lt 10000 ]

# media from a source that is not the leg's remote: one event per second
kt a send --from 192.0.2.3,5000 --to 192.0.2.1,4000 --rtp 0x5555 --count 50 >/dev/null
sleep 2.5	# no media: idle after 1.5 s
kt r stats-reset $f
kt r flow-get $f >$TMPD/f
ktap_check "stats reset" [ "$(kv $TMPD/f a.rx_packets)" = 0 ] && [ -z "$(kv $TMPD/f a.ssrc0.ssrc)" ]
kt r flow-del $f
sleep 0.5
kill $MON; wait $MON 2>/dev/null
ktap_diag "$(grep -c '^event=' $TMPD/mon) events"
ev() { awk -v e="$1" '/^event=/ { cur = substr($0, 7) } cur == e' $TMPD/mon; }
ktap_check "flow-new and flow-del events" \
	[ "$(ev flow-new | grep -c "^id=$f$")" = 1 ] && [ "$(ev flow-del | grep -c "^id=$f$")" = 1 ]
ktap_check "3 ssrc-change events ($(ev ssrc-change | grep -c ^ssrc=))" \
	[ "$(ev ssrc-change | grep -c ^ssrc=)" = 3 ] && ev ssrc-change | grep -q "^old_ssrc=$((0x1111))$"
ktap_check "one src-mismatch event for 192.0.2.3 ($(ev src-mismatch | grep -c ^ip=))" \
	[ "$(ev src-mismatch | grep -c '^ip=192.0.2.3$')" = 1 ]
has_idle() { ev idle | grep -q "^flow=$f$"; }
ktap_check "idle event" has_idle
ktap_finish
