#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TURN ChannelData both ways through a real coturn: leg b of the flow is a
# TURN allocation made from the attached socket (agent/turn client in
# kice-ktool turnhold) with a channel bound to the peer behind coturn.
# kicectl show flows (human and -j) and kicectl monitor (human and -j) must
# show that leg's TURN server and channel.
#
#   a 192.0.2.2 -- r (kice) 198.51.100.1 -- 198.51.100.2 b (coturn)
#                                relay 203.0.113.1 -- 203.0.113.2 p (peer)
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"

command -v turnserver >/dev/null || ktap_skip_all "coturn (turnserver) not installed"
kice_load
kice_topo || ktap_skip_all "cannot build the namespaces"
ns_new p >/dev/null && ns_link b vt 203.0.113.1/24 p vp 203.0.113.2/24 ||
	ktap_skip_all "cannot build the peer namespace"
ktap_plan 9

ip netns exec "$(ns_name b)" turnserver -n --no-cli --listening-ip 198.51.100.2 \
	--relay-ip 203.0.113.1 --listening-port 3478 --no-tls --no-dtls \
	--lt-cred-mech --user kice:kice-pass --realm kice.test \
	--min-port 50000 --max-port 50999 --pidfile $TMPD/turn.pid \
	--log-file $TMPD/turn.log --simple-log --no-stdout-log \
	--userdb $TMPD/turndb >/dev/null 2>&1 &
_kt_pids+=($!)
ns_wait_port b udp 3478 20 ||
	ktap_skip_all "coturn did not start"

kt_bg r $TMPD/hold hold 192.0.2.1,4000 || { cat $TMPD/hold; exit 1; }
s0=$(kv $TMPD/hold sock0)
kt_bg r $TMPD/turn turnhold --bind 198.51.100.1,4002 --server 198.51.100.2,3478 \
	--user kice --pass kice-pass --peer 203.0.113.2,7000
t0=$(kv $TMPD/turn sock0) relayed=$(kv $TMPD/turn relayed) ch=$(kv $TMPD/turn channel)
ktap_check "allocation $relayed, channel $ch to the peer" [ -n "$relayed" ] && [ -n "$ch" ]
[ -n "$ch" ] || { sed 's/^/# /' $TMPD/turn; tail -20 $TMPD/turn.log | sed 's/^/# /'; ktap_finish; }

# monitors of the flow-new event, bounded: 1 event or 10 s
have_kicectl=$(command -v kicectl)
if [ -n "$have_kicectl" ]; then
	ns_exec r timeout 15 kicectl monitor -c 1 -t 10000 >$TMPD/mon.txt 2>&1 &
	mpids=$!
	ns_exec r timeout 15 kicectl monitor -j -c 1 -t 10000 >$TMPD/mon.json 2>&1 &
	mpids="$mpids $!"
	_kt_pids+=($mpids)
	wait_monitors 2 "(-j )?-c 1 -t 10000"
fi

f=$(kt r flow-new --a $s0,192.0.2.2,5000 --b $t0,203.0.113.2,7000,198.51.100.2,3478,$ch |
	sed -n 's/^id=//p')
ktap_check "flow with a TURN leg ($f)" [ -n "$f" ]

if [ -n "$have_kicectl" ]; then
	wait $mpids
	chx=$(printf '0x%04x' "$ch")
	# no kiced here: the flows come from kice.ko alone
	kshow() { ns_exec r timeout 10 kicectl show flows -s 127.0.0.1:9 -t 100 "$@" 2>/dev/null; }
	kshow >$TMPD/show.txt
	show_turn() {
		grep -A1 "^  leg b: socket $t0 -> 203.0.113.2:7000\$" $TMPD/show.txt |
			grep -qx "    via: TURN 198.51.100.2:3478 channel $chx"
	}
	ktap_check "kicectl show flows: leg b via TURN 198.51.100.2:3478 channel $chx" show_turn
	kshow -j >$TMPD/show.json
	ktap_check "kicectl show flows -j: leg b's turn is coturn and channel $ch, leg a's null" \
		python3 -c "import json,sys
fl=[x for x in json.load(open('$TMPD/show.json'))['flows'] if x['id']==$f][0]
a,b=fl['legs']
sys.exit(not (a['turn'] is None and b['ip']=='203.0.113.2' and b['port']==7000 and
	b['turn']=={'ip':'198.51.100.2','port':3478,'channel':$ch}))"
	mon_turn() {
		grep -q "^flow-new flow $f a socket $s0 192.0.2.2:5000 b socket $t0 203.0.113.2:7000 via TURN 198.51.100.2:3478 channel $chx" $TMPD/mon.txt &&
		python3 -c "import json,sys
e=json.loads(open('$TMPD/mon.json').readline())
sys.exit(not (e['event']=='flow-new' and e['flow']==$f and e['legs'][0]['turn'] is None and
	e['legs'][1]['turn']=={'ip':'198.51.100.2','port':3478,'channel':$ch}))"
	}
	ktap_check "kicectl monitor (text and -j): flow-new with the TURN leg" mon_turn
	[ "$_ktap_failed" = 0 ] ||
		for x in show.txt show.json mon.txt mon.json; do sed "s/^/# $x: /" $TMPD/$x; done
else
	for i in 1 2 3; do ktap_skip "kicectl output" "kicectl not built"; done
fi

N=50
kt_bg p $TMPD/recv recv --bind 203.0.113.2,7000 --count $N --timeout-ms 5000
rpid=$KT_PID
kt a send --from 192.0.2.2,5000 --to 192.0.2.1,4000 --rtp 0x77 --count $N --interval-us 2000 >/dev/null
wait $rpid
ktap_check "a -> coturn -> peer: $(kv $TMPD/recv received)/$N from $(kv $TMPD/recv from)" \
	[ "$(kv $TMPD/recv received)" = $N ] && [ "$(kv $TMPD/recv from)" = "$relayed" ]

kt_bg a $TMPD/recv recv --bind 192.0.2.2,5000 --count $N --timeout-ms 5000
rpid=$KT_PID
kt p send --from 203.0.113.2,7000 --to "$relayed" --rtp 0x88 --count $N --interval-us 2000 >/dev/null
wait $rpid
ktap_check "peer -> coturn -> a: $(kv $TMPD/recv received)/$N, $(kv $TMPD/recv bytes) B" \
	[ "$(kv $TMPD/recv received)" = $N ] && [ "$(kv $TMPD/recv bytes)" = $((N * 172)) ]

kt r flow-get $f >$TMPD/f
ktap_check "TURN leg counters exact (rx $(kv $TMPD/f b.rx_packets), tx $(kv $TMPD/f b.tx_packets))" \
	[ "$(kv $TMPD/f b.rx_packets)" = $N ] && [ "$(kv $TMPD/f b.tx_packets)" = $N ]
no_data() { ! grep -q '^data' $TMPD/turn; }
ktap_check "nothing of the channel reached the agent" no_data
ktap_finish
