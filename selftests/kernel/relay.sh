#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Relay RTP between two legs: IPv4, IPv6 and IPv4<->IPv6, exact counters
# against the generator, DSCP kept, STUN passed to the socket while media
# on the same port is relayed, and spoofed sources never relayed.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"

kice_load
kice_topo || ktap_skip_all "cannot build the namespaces"
# checksums of relayed packets computed in software and verified by the
# receiving stack (veth would otherwise pass them unverified)
ns_exec r ethtool -K ra tx off >/dev/null 2>&1
ns_exec r ethtool -K rb tx off >/dev/null 2>&1
ktap_plan 19
ktap_diag "relay $(ns_exec r ethtool -k ra 2>&1 | grep -m1 tx-checksumming)"

N=200
kt_bg r $TMPD/hold hold 192.0.2.1,4000 198.51.100.1,4002 \
	2001:db8:a::1,4004 2001:db8:b::1,4006 || { cat $TMPD/hold; exit 1; }
HOLD=$KT_PID
s0=$(kv $TMPD/hold sock0) s1=$(kv $TMPD/hold sock1)
s2=$(kv $TMPD/hold sock2) s3=$(kv $TMPD/hold sock3)

new_flow() {
	kt r flow-new "$@" | sed -n 's/^id=//p'
}
f4=$(new_flow --a $s0,192.0.2.2,5000 --b $s1,198.51.100.2,6000)
f6=$(new_flow --a $s2,2001:db8:a::2,5000 --b $s3,2001:db8:b::2,6000)
f46=$(new_flow --a $s0,192.0.2.2,5010 --b $s3,2001:db8:b::2,6010)
ktap_check "flows created ($f4 $f6 $f46)" [ -n "$f4" ] && [ -n "$f6" ] && [ -n "$f46" ]

# relay DIR: send N RTP packets from FROM_NS FROM to TO, expect them at
# RECV_NS BIND coming from SRC.
relay() {
	local name=$1 fns=$2 from=$3 to=$4 rns=$5 bind=$6 src=$7
	shift 7
	kt_bg "$rns" $TMPD/recv recv --bind "$bind" --count $N --timeout-ms 8000 ||
		{ ktap_fail "$name: receiver"; return; }
	local rpid=$KT_PID
	kt "$fns" send --from "$from" --to "$to" --count $N --rtp 0x1111 \
		"$@" >$TMPD/send
	wait $rpid
	local got=$(kv $TMPD/recv received) who=$(kv $TMPD/recv from)
	if [ "$got" = $N ] && [ "$who" = "$src" ]; then
		ktap_ok "$name: $got/$N relayed from $who"
	else
		ktap_fail "$name: $got/$N relayed from '$who' (want $src)"
	fi
}

relay "v4 a->b" a 192.0.2.2,5000 192.0.2.1,4000 b 198.51.100.2,6000 198.51.100.1,4002
relay "v4 b->a" b 198.51.100.2,6000 198.51.100.1,4002 a 192.0.2.2,5000 192.0.2.1,4000
relay "v6 a->b" a 2001:db8:a::2,5000 2001:db8:a::1,4004 b 2001:db8:b::2,6000 2001:db8:b::1,4006
relay "v6 b->a" b 2001:db8:b::2,6000 2001:db8:b::1,4006 a 2001:db8:a::2,5000 2001:db8:a::1,4004
relay "v4->v6" a 192.0.2.2,5010 192.0.2.1,4000 b 2001:db8:b::2,6010 2001:db8:b::1,4006
relay "v6->v4" b 2001:db8:b::2,6010 2001:db8:b::1,4006 a 192.0.2.2,5010 192.0.2.1,4000

kt r flow-get $f4 >$TMPD/f4
ktap_check "v4 counters exact (a rx $(kv $TMPD/f4 a.rx_packets), b tx $(kv $TMPD/f4 b.tx_packets))" \
	[ "$(kv $TMPD/f4 a.rx_packets)" = $N ] && [ "$(kv $TMPD/f4 b.tx_packets)" = $N ] &&
	[ "$(kv $TMPD/f4 b.rx_packets)" = $N ] && [ "$(kv $TMPD/f4 a.tx_packets)" = $N ] &&
	[ "$(kv $TMPD/f4 a.rx_bytes)" = $((N * 172)) ] &&
	[ "$(kv $TMPD/f4 a.ssrc0.packets)" = $N ] && [ "$(kv $TMPD/f4 a.ssrc0.lost)" = 0 ]
kt r flow-get $f46 >$TMPD/f46
ktap_check "v4<->v6 counters exact" \
	[ "$(kv $TMPD/f46 a.rx_packets)" = $N ] && [ "$(kv $TMPD/f46 b.tx_packets)" = $N ] &&
	[ "$(kv $TMPD/f46 b.rx_packets)" = $N ] && [ "$(kv $TMPD/f46 a.tx_packets)" = $N ]

# DSCP EF with ECN bits set: DSCP kept, ECN not copied
N=5 relay "dscp kept" a 192.0.2.2,5000 192.0.2.1,4000 b 198.51.100.2,6000 198.51.100.1,4002 --tos 0xb9
ktap_check "dscp EF kept (tos $(kv $TMPD/recv tos))" [ "$(kv $TMPD/recv tos)" = 184 ]
N=5 relay "dscp kept v6" a 2001:db8:a::2,5000 2001:db8:a::1,4004 b 2001:db8:b::2,6000 2001:db8:b::1,4006 --tos 0xb9
csum_errors() {	# UDP checksum errors seen in namespace $1
	ns_exec "$1" cat /proc/net/snmp /proc/net/snmp6 |
		awk '/^Udp: [0-9]/ { n += $8 } /^Udp6InCsumErrors/ { n += $2 } END { print n + 0 }'
}
ktap_check "v6 traffic class kept (tclass $(kv $TMPD/recv tos))" [ "$(kv $TMPD/recv tos)" = 184 ]
ktap_check "no UDP checksum errors at the receivers (a $(csum_errors a), b $(csum_errors b))" \
	[ "$(csum_errors a)" = 0 ] && [ "$(csum_errors b)" = 0 ]

# STUN from the leg's remote on the media port reaches the socket
kt a send --from 192.0.2.2,5000 --to 192.0.2.1,4000 --count 3 --byte 0 --size 20 >/dev/null
ktap_check "STUN reaches the socket" wait_grep $TMPD/hold "recv sock0 from=192.0.2.2,5000 len=20 byte=0" 5
kt r flow-get $f4 >$TMPD/f4
ktap_check "STUN counted, not relayed" [ "$(kv $TMPD/f4 a.stun_passed)" = 3 ] &&
	[ "$(kv $TMPD/f4 b.tx_packets)" = $((200 + 5)) ]

# spoofed sources: right port wrong address, right address wrong port
kt_bg b $TMPD/recv recv --bind 198.51.100.2,6000 --count 1 --timeout-ms 1500
rpid=$KT_PID
kt a send --from 192.0.2.3,5000 --to 192.0.2.1,4000 --count 10 --rtp 0x2222 >/dev/null
kt a send --from 192.0.2.2,5999 --to 192.0.2.1,4000 --count 10 --rtp 0x2222 >/dev/null
wait $rpid
kt r sock-get $s0 >$TMPD/s0
ktap_check "spoofed sources never relayed ($(kv $TMPD/recv received) relayed)" \
	[ "$(kv $TMPD/recv received)" = 0 ]
ktap_check "spoofed packets passed to the socket and counted ($(kv $TMPD/s0 unknown_passed))" \
	[ "$(kv $TMPD/s0 unknown_passed)" = 20 ]

kill $HOLD; wait $HOLD 2>/dev/null
sleep 0.2
kt r flow-dump >$TMPD/dump 2>&1; kt r sock-dump >>$TMPD/dump 2>&1
ktap_check "closing the sockets detaches them and deletes their flows" \
	[ -z "$(grep '^id=' $TMPD/dump)" ] || { sed 's/^/# /' $TMPD/dump; false; }
ktap_finish
