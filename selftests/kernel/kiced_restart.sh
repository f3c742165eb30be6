#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kiced with kice.ko: a call answered over ng is relayed by the kernel;
# kicectl show (human and JSON, parsed) and kicectl monitor (JSON lines,
# parsed) report it; kiced is stopped with SIGTERM and started again while
# RTP flows (keep-flows: a holder process keeps the sockets), and not one
# datagram is lost; the new kiced adopts the call and its flows; delete
# removes them.  An adopted ICE side answers consent checks.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"
. "$here/kiced_lib.bash"
kiced_test_init 15

N=1500			# RTP packets, one every 2 ms: 3 s of media
PA=20000 PB=20002	# the two applications' RTP ports
NG=127.0.0.1:22230
conf=$TMPD/kiced.conf
cat >"$conf" <<EOF
[kiced]
keep-flows = yes
handover-socket = $TMPD/handover.sock
handover-wait = 20
[control]
ng-listen = $NG
[media]
port-min = 21000
port-max = 21099
EOF

start_kiced "$conf" "$TMPD/kiced.log"
ktap_check "kiced starts with kice.ko" grep -q "media relay: kernel" "$TMPD/kiced.log"

# the monitor, bounded: 12 events or 40 s
ns_exec r timeout 45 kicectl monitor -j -c 12 -t 40000 >"$TMPD/mon.json" \
	2>"$TMPD/mon.err" &
mpid=$!
_kt_pids+=("$mpid")
wait_monitors 1 "-j -c 12 "

# the offer's reply is for the answerer (B), the answer's for A
XB=$(sdp $PA | ctl offer --call-id kr --from-tag fa --ice remove | port_of)
XA=$(sdp $PB | ctl answer --call-id kr --from-tag fa --to-tag tb --ice remove | port_of)
ktap_check "offer/answer: kiced ports $XA (A) and $XB (B)" \
	test -n "$XA" -a -n "$XB"

show >"$TMPD/show.txt"
if grep -q "^session: kr" "$TMPD/show.txt" &&
   grep -q "relay: kernel" "$TMPD/show.txt" &&
   [ "$(grep -c '^flow [0-9]*: kernel, call kr' "$TMPD/show.txt")" = 2 ] &&
   grep -q "^socket [0-9]*: udp ipv4 port $XA" "$TMPD/show.txt"; then
	ktap_ok "kicectl show: session, its 2 kernel flows, sockets"
else
	ktap_fail "kicectl show: session, its 2 kernel flows, sockets"
	sed 's/^/# /' "$TMPD/show.txt"
fi

show -j >"$TMPD/show.json"
ktap_check "kicectl show -j: JSON with the call and 2 kernel flows to $PA/$PB" \
	jcheck "
s=d['sessions']; f=[x for x in d['flows'] if x['call_id']=='kr']
assert len(s)==1 and s[0]['call-id']=='kr' and s[0]['relay']=='kernel'
assert len(f)==2 and all(x['relay']=='kernel' for x in f)
rtp=[x for x in f if x['component']=='rtp'][0]
assert rtp['legs'][0]['port']==$PA and rtp['legs'][1]['port']==$PB
assert len(d['sockets'])>=4 and all(x['unknown_policy']=='pass' for x in d['sockets'])
" <"$TMPD/show.json"
flows_before=$(jcheck "print(' '.join(sorted(str(x['id']) for x in d['flows'] if x['relay']=='kernel')))" <"$TMPD/show.json")

# media from A to B for 3 s; kiced is restarted meanwhile
kt_bg r "$TMPD/recv.out" recv --bind 127.0.0.1,$PB --count $N --timeout-ms 20000
kt r send --from 127.0.0.1,$PA --to 127.0.0.1,$XA --count $N --rtp 4660 \
	--interval-us 2000 >"$TMPD/send.out" &
spid=$!
sleep 0.7
t0=$(date +%s%N)
kill -TERM "$kpid"
wait "$kpid"
krc=$?
show flows -j >"$TMPD/down.json" 2>/dev/null
down=$(jcheck "print(len([x for x in d['flows'] if x['relay']=='kernel']))" <"$TMPD/down.json" 2>/dev/null)
start_kiced "$conf" "$TMPD/kiced.log"
t1=$(date +%s%N)
ktap_diag "kiced down for $(((t1 - t0) / 1000000)) ms (exit $krc); $down kernel flows meanwhile"
ktap_check "kernel flows stay while kiced is down" [ "$down" = 2 ]
media_loss restart

ktap_check "the new kiced took the call over" \
	grep -q "handover: 1 calls, 4 sockets taken over" "$TMPD/kiced.log"
show -j >"$TMPD/show2.json"
ktap_check "... and adopted the same kernel flows ($flows_before)" \
	jcheck "
f=[x for x in d['flows'] if x['call_id']=='kr']
assert ' '.join(sorted(str(x['id']) for x in f))=='$flows_before'
assert d['sessions'][0]['relay']=='kernel'
rtp=[x for x in f if x['component']=='rtp'][0]
assert rtp['legs'][0]['stats']['rx_packets']>=$N
" <"$TMPD/show2.json"

# a second burst through the adopted flows
kt_bg r "$TMPD/recv2.out" recv --bind 127.0.0.1,$PB --count 200 --timeout-ms 10000
kt r send --from 127.0.0.1,$PA --to 127.0.0.1,$XA --count 200 --rtp 4660 \
	--seq 2000 --interval-us 1000 >/dev/null
wait "$KT_PID"
ktap_check "media keeps flowing after the restart" \
	[ "$(kv "$TMPD/recv2.out" received)" = 200 ]

ctl delete --call-id kr --from-tag fa >/dev/null
show -j >"$TMPD/show3.json"
ktap_check "delete: no session, no flow, no socket left" \
	jcheck "assert d['sessions']==[] and d['flows']==[] and d['sockets']==[]" \
	<"$TMPD/show3.json"

kill -INT "$mpid" 2>/dev/null
wait "$mpid"
ktap_check "kicectl monitor -j: JSON lines, 2 flow-new then 2 flow-del of the call" \
	python3 -c "
import json
ev=[json.loads(l) for l in open('$TMPD/mon.json')]
new=[e['flow'] for e in ev if e['event']=='flow-new']
dele=[e['flow'] for e in ev if e['event']=='flow-del']
assert sorted(new)==sorted(dele) and len(new)==2, ev
assert ' '.join(sorted(str(x) for x in new))=='$flows_before'
assert all(e['legs'][0]['port'] in ($PA,$PA+1) for e in ev if 'legs' in e)
"

# kiced without keep-flows: SIGTERM ends calls and their flows
sed -i 's/^keep-flows = yes/keep-flows = no/' "$conf"
kill -TERM "$kpid"; wait "$kpid"
start_kiced "$conf" "$TMPD/kiced.log"
ns_exec r timeout 15 kicectl monitor -c 4 -t 10000 >"$TMPD/mon.txt" 2>&1 &
mpid=$!
_kt_pids+=("$mpid")
wait_monitors 1 "-c 4 "
sdp $PA | ctl offer --call-id k2 --from-tag fa --ice remove >/dev/null
sdp $PB | ctl answer --call-id k2 --from-tag fa --to-tag tb --ice remove >/dev/null
n1=$(show flows -j | jcheck "print(len(d['flows']))")
kill -TERM "$kpid"; wait "$kpid"
n2=$(show flows -j 2>/dev/null | jcheck "print(len(d['flows']))")
ktap_check "without keep-flows, SIGTERM removes the flows ($n1 -> $n2)" \
	test "$n1" = 2 -a "$n2" = 0
wait "$mpid"
if [ "$(grep -c "^flow-new flow [0-9]* a socket [0-9]* 127.0.0.1:$PA b socket [0-9]* 127.0.0.1:$PB" "$TMPD/mon.txt")" = 1 ] &&
   [ "$(grep -c '^flow-new flow' "$TMPD/mon.txt")" = 2 ] &&
   [ "$(grep -c '^flow-del flow' "$TMPD/mon.txt")" = 2 ]; then
	ktap_ok "kicectl monitor: flow-new and flow-del lines"
else
	ktap_fail "kicectl monitor: flow-new and flow-del lines"
	sed 's/^/# /' "$TMPD/mon.txt"
fi
# an ICE side: the adopted call answers the peer's consent checks
sed -i 's/^keep-flows = no/keep-flows = yes/' "$conf"
start_kiced "$conf" "$TMPD/kiced.log"
sdp $PA | ctl offer --call-id ki --from-tag fa --ice force >"$TMPD/ice.sdp"
XI=$(port_of <"$TMPD/ice.sdp")
U=$(sed -n 's/^a=ice-ufrag:\(.*\)/\1/p' "$TMPD/ice.sdp" | tr -d '\r' | head -n1)
P=$(sed -n 's/^a=ice-pwd:\(.*\)/\1/p' "$TMPD/ice.sdp" | tr -d '\r' | head -n1)
kill -TERM "$kpid"; wait "$kpid"
start_kiced "$conf" "$TMPD/kiced.log"
check() { ns_exec r python3 "$here/kiced_consent.py" 127.0.0.1 "$XI" "$1" "$2"; }
r1=$(check "$U:peer" "$P")
r2=$(check "$U:peer" "x$P")
ktap_check "adopted ICE side answers consent checks ($r1)" test "$r1" = answered
ktap_check "... not with a wrong password ($r2)" test "$r2" = no-answer
kill -TERM "$kpid"; wait "$kpid"
# the last holder would wait handover-wait seconds for a next kiced
kill "$(sed -n 's/.*fd store: holder \([0-9]*\) .*/\1/p' "$TMPD/kiced.log" | tail -n1)" 2>/dev/null
[ "$_ktap_failed" = 0 ] || sed 's/^/# /' "$TMPD/kiced.log"
ktap_finish
