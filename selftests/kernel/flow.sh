#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Flow behaviour: TURN ChannelData both ways (the TURN server emulated in
# namespace b), STUN through a channel passed up, wrong channels never
# relayed, flow-set changing a leg's remote and TURN channel atomically,
# DTLS per flow policy, the socket policy for unknown packets, and RTCP
# demultiplexed where side a muxes it and side b does not (leg-b-rtcp).
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"

kice_load
kice_topo || ktap_skip_all "cannot build the namespaces"
ktap_plan 19

kt_bg r $TMPD/hold hold 192.0.2.1,4000 198.51.100.1,4002 198.51.100.1,4003 \
	--policy drop 192.0.2.1,4010 || { cat $TMPD/hold; exit 1; }
s0=$(kv $TMPD/hold sock0) s1=$(kv $TMPD/hold sock1) s3=$(kv $TMPD/hold sock2)
s2=$(kv $TMPD/hold sock3)
TURN=198.51.100.2,3478
newflow() { kt r flow-new "$@" | sed -n 's/^id=//p'; }

# expect NAME RECV_NS BIND COUNT [recv options] -- SEND_NS send options
expect() {
	local name=$1 rns=$2 bind=$3 n=$4
	shift 4
	local ropts=()
	while [ "$1" != -- ]; do ropts+=("$1"); shift; done
	shift
	local sns=$1
	shift
	kt_bg "$rns" $TMPD/recv recv --bind "$bind" --count "$n" --timeout-ms 3000 "${ropts[@]}" ||
		{ ktap_fail "$name: receiver"; return; }
	local rpid=$KT_PID
	kt "$sns" send "$@" >/dev/null
	wait $rpid
}

# --- TURN: leg b's remote 203.0.113.9:7000 is behind the TURN server
t=$(newflow --a $s0,192.0.2.2,5000 --b $s1,203.0.113.9,7000,$TURN,0x4001)
expect "to TURN" b $TURN 20 --channel 0x4001 -- a \
	--from 192.0.2.2,5000 --to 192.0.2.1,4000 --rtp 1 --count 20
ktap_check "media to a TURN leg is sent as ChannelData 0x4001 ($(kv $TMPD/recv channel_ok)/20)" \
	[ "$(kv $TMPD/recv channel_ok)" = 20 ] && [ "$(kv $TMPD/recv from)" = 198.51.100.1,4002 ]
expect "from TURN" a 192.0.2.2,5000 20 -- b \
	--from $TURN --to 198.51.100.1,4002 --channel 0x4001 --rtp 2 --count 20
ktap_check "ChannelData from the TURN server is decapsulated and relayed ($(kv $TMPD/recv received) pkts, $(kv $TMPD/recv bytes) B)" \
	[ "$(kv $TMPD/recv received)" = 20 ] && [ "$(kv $TMPD/recv bytes)" = $((20 * 172)) ]
expect "wrong channel" a 192.0.2.2,5000 1 -- b \
	--from $TURN --to 198.51.100.1,4002 --channel 0x4002 --rtp 3 --count 10
ktap_check "ChannelData on another channel is not relayed" [ "$(kv $TMPD/recv received)" = 0 ]
kt b send --from $TURN --to 198.51.100.1,4002 --channel 0x4001 --byte 1 --size 20 --count 2 >/dev/null
ktap_check "STUN inside the leg's channel reaches the socket" \
	wait_grep $TMPD/hold "recv sock1 from=198.51.100.2,3478 len=24 byte=64" 5
kt r flow-get $t >$TMPD/f
ktap_check "TURN leg counters (rx $(kv $TMPD/f b.rx_packets), stun $(kv $TMPD/f b.stun_passed))" \
	[ "$(kv $TMPD/f b.rx_packets)" = 20 ] && [ "$(kv $TMPD/f b.stun_passed)" = 2 ] &&
	[ "$(kv $TMPD/f b.tx_packets)" = 20 ] && [ "$(kv $TMPD/f b.channel)" = $((0x4001)) ]

# --- flow-set: leg a moves to a new remote; leg b moves behind TURN
f=$(newflow --a $s0,192.0.2.2,5100 --b $s1,198.51.100.2,6100)
kt r flow-set $f --a 0,192.0.2.3,5100
expect "old remote" b 198.51.100.2,6100 1 -- a \
	--from 192.0.2.2,5100 --to 192.0.2.1,4000 --rtp 4 --count 5
ktap_check "after flow-set the old remote is not relayed" [ "$(kv $TMPD/recv received)" = 0 ]
expect "new remote" b 198.51.100.2,6100 5 -- a \
	--from 192.0.2.3,5100 --to 192.0.2.1,4000 --rtp 4 --count 5
ktap_check "after flow-set the new remote is relayed" [ "$(kv $TMPD/recv received)" = 5 ]
kt r flow-set $f --b 0,198.51.100.2,6100,$TURN,0x4005
expect "renominated to TURN" b $TURN 5 --channel 0x4005 -- a \
	--from 192.0.2.3,5100 --to 192.0.2.1,4000 --rtp 4 --count 5
ktap_check "flow-set to a TURN channel: media goes to the TURN server" \
	[ "$(kv $TMPD/recv channel_ok)" = 5 ]
kt r flow-get $f >$TMPD/f
ktap_check "statistics survive flow-set (rx $(kv $TMPD/f a.rx_packets))" \
	[ "$(kv $TMPD/f a.rx_packets)" = 10 ] && [ "$(kv $TMPD/f a.ip)" = 192.0.2.3 ]

# --- DTLS: passed up by default, relayed after flow-set --dtls relay
expect "dtls pass" b 198.51.100.2,6100 1 -- a \
	--from 192.0.2.3,5100 --to 192.0.2.1,4000 --byte 22 --count 3
ktap_check "DTLS passed to the socket by default" \
	[ "$(kv $TMPD/recv received)" = 0 ] && wait_grep $TMPD/hold "recv sock0 from=192.0.2.3,5100 len=172 byte=22" 5
kt r flow-set $f --dtls relay
expect "dtls relay" b $TURN 3 --channel 0x4005 -- a \
	--from 192.0.2.3,5100 --to 192.0.2.1,4000 --byte 22 --count 3
ktap_check "DTLS relayed with --dtls relay" [ "$(kv $TMPD/recv channel_ok)" = 3 ]

# --- socket policy drop: unknown sources and types dropped and counted
g=$(newflow --a $s2,192.0.2.2,5200 --b $s1,198.51.100.2,6200)
kt a send --from 192.0.2.3,5200 --to 192.0.2.1,4010 --rtp 5 --count 7 >/dev/null
kt a send --from 192.0.2.2,5200 --to 192.0.2.1,4010 --byte 250 --count 4 >/dev/null
kt a send --from 192.0.2.3,5200 --to 192.0.2.1,4010 --byte 0 --size 20 --count 1 >/dev/null
sleep 0.3
kt r sock-get $s2 >$TMPD/s2
kt r flow-get $g >$TMPD/g
ktap_check "drop policy: unknown source dropped ($(kv $TMPD/s2 unknown_dropped)), unknown type dropped ($(kv $TMPD/g a.drop_unknown))" \
	[ "$(kv $TMPD/s2 unknown_dropped)" = 7 ] && [ "$(kv $TMPD/g a.drop_unknown)" = 4 ]
ktap_check "drop policy still passes STUN" wait_grep $TMPD/hold "recv sock3 from=192.0.2.3,5200 len=20 byte=0" 5
ktap_check "nothing else reached the drop-policy socket" \
	[ "$(grep -c 'recv sock3' $TMPD/hold)" = 1 ]
kt r flow-del $g

# --- RTCP demultiplexed (RFC 5761): side a muxes on its one port
# (192.0.2.1:4000), side b has RTP on 4002 and RTCP on 4003 (leg-b-rtcp)
m=$(newflow --a $s0,192.0.2.2,5300 --b $s1,198.51.100.2,6300 \
	--b-rtcp $s3,198.51.100.2,6301)
expect "mux rtp" b 198.51.100.2,6300 10 -- a \
	--from 192.0.2.2,5300 --to 192.0.2.1,4000 --rtp 6 --count 10
ktap_check "demux: RTP from the muxed leg goes to b's RTP port ($(kv $TMPD/recv received), from $(kv $TMPD/recv from))" \
	[ "$(kv $TMPD/recv received)" = 10 ] && [ "$(kv $TMPD/recv from)" = 198.51.100.1,4002 ]
expect "mux rtcp" b 198.51.100.2,6301 10 -- a \
	--from 192.0.2.2,5300 --to 192.0.2.1,4000 --rtcp 0x2222 --count 10
ktap_check "demux: RTCP from the muxed leg goes to b's RTCP port, from its RTCP socket ($(kv $TMPD/recv received), from $(kv $TMPD/recv from))" \
	[ "$(kv $TMPD/recv received)" = 10 ] && [ "$(kv $TMPD/recv from)" = 198.51.100.1,4003 ]
expect "rtcp back" a 192.0.2.2,5300 10 -- b \
	--from 198.51.100.2,6301 --to 198.51.100.1,4003 --rtcp 0x2222 --count 10
ktap_check "demux: b's RTCP is multiplexed onto the muxed leg's one port ($(kv $TMPD/recv received), from $(kv $TMPD/recv from))" \
	[ "$(kv $TMPD/recv received)" = 10 ] && [ "$(kv $TMPD/recv from)" = 192.0.2.1,4000 ]
kt r flow-get $m >$TMPD/m
ktap_check "demux counters: a rtcp $(kv $TMPD/m a.rtcp_packets), b tx $(kv $TMPD/m b.tx_packets), rtcp leg rx $(kv $TMPD/m r.rx_packets) tx $(kv $TMPD/m r.tx_packets)" \
	[ "$(kv $TMPD/m a.rtcp_packets)" = 10 ] && [ "$(kv $TMPD/m b.tx_packets)" = 10 ] &&
	[ "$(kv $TMPD/m r.rx_packets)" = 10 ] && [ "$(kv $TMPD/m r.tx_packets)" = 10 ] &&
	[ "$(kv $TMPD/m a.tx_packets)" = 10 ]
kt r flow-set $m --b-rtcp 0,198.51.100.2,6302
expect "rtcp moved" b 198.51.100.2,6302 5 -- a \
	--from 192.0.2.2,5300 --to 192.0.2.1,4000 --rtcp 0x2222 --count 5
ktap_check "flow-set moves b's RTCP leg ($(kv $TMPD/recv received))" \
	[ "$(kv $TMPD/recv received)" = 5 ]
ktap_finish
