#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TURN ChannelData both ways through a real coturn: leg b of the flow is a
# TURN allocation made from the attached socket (agent/turn client in
# kice-ktool turnhold) with a channel bound to the peer behind coturn.
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
ktap_plan 6

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

f=$(kt r flow-new --a $s0,192.0.2.2,5000 --b $t0,203.0.113.2,7000,198.51.100.2,3478,$ch |
	sed -n 's/^id=//p')
ktap_check "flow with a TURN leg ($f)" [ -n "$f" ]

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
