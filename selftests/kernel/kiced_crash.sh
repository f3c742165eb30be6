#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kiced with kice.ko and keep-flows: kiced is killed with SIGKILL while RTP
# flows through kernel flows it installed.  Its fd store (a holder process
# started with kiced) keeps the sockets, so the kernel relays on while no
# kiced runs (packets counted by the kernel flow in the down window); the
# next kiced takes the calls over from the holder with the same flow ids;
# not one datagram is lost; delete removes the flows.  An adopted ICE side
# runs consent checks of its own (RFC 7675): answered while the peer lives,
# and when the peer goes away the adopted call loses consent and its
# kernel flows.  A stop without handover (SIGINT) releases the holder at
# once; a holder nobody collects releases everything after handover-wait.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"
. "$here/kiced_lib.bash"
kiced_test_init 13

N=3000			# RTP packets, one every 2 ms: 6 s of media
PA=20000 PB=20002	# the two applications' RTP ports
PC=20004 PD=20006	# ... of the ICE call
NG=127.0.0.1:22240 NG2=127.0.0.1:22241
conf=$TMPD/kiced.conf
cat >"$conf" <<EOC
[kiced]
keep-flows = yes
handover-socket = $TMPD/run/handover.sock
handover-wait = 20
[control]
ng-listen = $NG
[media]
port-min = 21000
port-max = 21099
EOC
# the ICE peer of the adopted call: a second kiced, no keep-flows
cat >"$TMPD/kiced2.conf" <<EOC
[kiced]
handover-socket = $TMPD/run2/handover.sock
[control]
ng-listen = $NG2
[media]
port-min = 21200
port-max = 21299
EOC

ctl2() { ns_exec r timeout 10 kicectl "$@" -s "$NG2" -t 300; }
# kernel flows of call $1 (kicectl show reads the kernel: works without kiced)
kflows() {
	show flows -j 2>/dev/null |
		jcheck "print(len([x for x in d['flows'] if x['call_id']=='$1' and x['relay']=='kernel']))" 2>/dev/null
}
# ids of the flows of call $1 (while kiced runs)
kids() {
	show flows -j | jcheck "print(' '.join(sorted(str(x['id']) for x in d['flows'] if x['call_id']=='$1')))"
}
# how many of the flows with ids "$1" the kernel has (no kiced needed)
kpresent() {
	show flows -j 2>/dev/null |
		jcheck "print(len([x for x in d['flows'] if str(x['id']) in '$1'.split()]))" 2>/dev/null
}
# packets the kernel relayed on flow $1, A side in
krx() {
	show flows -j 2>/dev/null | jcheck "
f=[x for x in d['flows'] if x['id']==$1]
print(f[0]['legs'][0]['stats']['rx_packets'] if f else -1)" 2>/dev/null
}
holder_of() { sed -n 's/.*fd store: holder \([0-9]*\) .*/\1/p' "$1" | tail -n1; }

start_kiced "$conf" "$TMPD/kiced.log"
ktap_check "kiced starts with kice.ko and its fd store" \
	grep -q "fd store: holder [0-9]* keeps the media sockets" "$TMPD/kiced.log"
holder1=$(holder_of "$TMPD/kiced.log")
kpid1=$kpid
start_kiced "$TMPD/kiced2.conf" "$TMPD/kiced2.log" "$NG2"
kpid2=$kpid
kpid=$kpid1
ns_exec r timeout 10 kiced -f -c "$conf" --ng-listen 127.0.0.1:22242 \
	2>"$TMPD/dup.log"
rc=$?
ktap_check "a second kiced on the same handover socket refuses to start ($rc)" \
	grep -q "another kiced runs with the holder" "$TMPD/dup.log"

# a plain call, relayed by the kernel
XB=$(sdp $PA | ctl offer --call-id kc --from-tag fa --ice remove | port_of)
XA=$(sdp $PB | ctl answer --call-id kc --from-tag fa --to-tag tb --ice remove | port_of)
# an ICE call: app C -- kiced -- ICE -- kiced2 -- app D
o1=$(sdp $PC | ctl offer --call-id ki --from-tag fc --ice force)
o2=$(printf '%s\n' "$o1" | ctl2 offer --call-id ki --from-tag fc --ice remove)
a2=$(sdp $PD | ctl2 answer --call-id ki --from-tag fc --to-tag td)
a1=$(printf '%s\n' "$a2" | ctl answer --call-id ki --from-tag fc --to-tag td)
for ((i = 0; i < 100; i++)); do
	[ "$(kflows kc)" = 2 ] && [ "$(kflows ki)" = 2 ] && break
	sleep 0.1
done
show -j >"$TMPD/show.json"
flows_before=$(jcheck "print(' '.join(sorted(str(x['id']) for x in d['flows'] if x['call_id'] in ('kc','ki'))))" <"$TMPD/show.json")
kc_ids=$(kids kc)
kc_rtp=$(jcheck "print([x['id'] for x in d['flows'] if x['call_id']=='kc' and x['component']=='rtp'][0])" <"$TMPD/show.json")
ktap_check "plain call (ports $XA/$XB) and ICE call in kernel flows: $flows_before" \
	test -n "$XA" -a -n "$XB" -a "$(kflows kc)" = 2 -a "$(kflows ki)" = 2
sleep 1.5	# the fd store follows ICE nomination within a tick

# media from A to B for 6 s; kiced is killed meanwhile, down for 2 s or more
kt_bg r "$TMPD/recv.out" recv --bind 127.0.0.1,$PB --count $N --timeout-ms 30000
kt r send --from 127.0.0.1,$PA --to 127.0.0.1,$XA --count $N --rtp 4660 \
	--interval-us 2000 >"$TMPD/send.out" &
spid=$!
sleep 0.5
kill -KILL "$kpid"
wait "$kpid" 2>/dev/null
n0=$(krx "$kc_rtp")
t0=$(date +%s%N)
sleep 2
n1=$(krx "$kc_rtp")
down=$(kpresent "$kc_ids")
t1=$(date +%s%N)
start_kiced "$conf" "$TMPD/kiced.log"
t2=$(date +%s%N)
ktap_diag "kiced dead: kernel flow $kc_rtp relayed $((n1 - n0)) packets between two looks $(((t1 - t0) / 1000000)) ms apart; down $(((t2 - t0) / 1000000)) ms in all"
ktap_check "kernel flows stay and relay while kiced is dead ($down flows, $((n1 - n0)) packets)" \
	test "$down" = 2 -a $((n1 - n0)) -gt 500
media_loss SIGKILL
ktap_check "the new kiced took both calls over from the holder" \
	grep -q "handover: 2 calls, 8 sockets taken over" "$TMPD/kiced.log"
show -j >"$TMPD/show2.json"
ktap_check "... with the same kernel flows ($flows_before)" jcheck "
f=[x for x in d['flows'] if x['call_id'] in ('kc','ki')]
assert ' '.join(sorted(str(x['id']) for x in f))=='$flows_before'
assert all(s['relay']=='kernel' for s in d['sessions'])
" <"$TMPD/show2.json"
ktap_check "ng query knows the adopted call" \
	bash -c "ip netns exec $(ns_name r) kicectl query --call-id kc -s $NG -t 300 |
		python3 -c \"import json,sys; d=json.load(sys.stdin); assert d['relay']=='kernel' and d['state']=='answered'\""

# consent: checks of the adopted ICE side answered by kiced2
wait_grep "$TMPD/kiced.log" "call ki: side B: consent confirmed" 15
ktap_check "the adopted ICE side runs consent checks, kiced2 answers" \
	grep -q "call ki: side B: consent confirmed" "$TMPD/kiced.log"

ctl delete --call-id kc --from-tag fa >/dev/null
ktap_check "delete: the adopted call's flows are gone" test "$(kflows kc)" = 0

# the peer goes away: no answers, consent lost within 30 s, flows removed
kill -KILL "$kpid2"
wait "$kpid2" 2>/dev/null
t0=$(date +%s)
wait_grep "$TMPD/kiced.log" "call ki: consent lost on side B" 40
t1=$(date +%s)
ktap_check "peer gone: consent lost after $((t1 - t0)) s, kernel flows removed" \
	test "$(kflows ki)" = 0 -a $((t1 - t0)) -le 32 -a $((t1 - t0)) -ge 20
ctl delete --call-id ki --from-tag fc >/dev/null

# SIGINT: no handover; the holder releases everything at once
holder2=$(holder_of "$TMPD/kiced.log")
sdp $PA | ctl offer --call-id k3 --from-tag fa --ice remove >/dev/null
sdp $PB | ctl answer --call-id k3 --from-tag fa --to-tag tb --ice remove >/dev/null
kill -INT "$kpid"
wait "$kpid"
sleep 0.5
ktap_check "SIGINT: flows, sockets, holder $holder2 and its socket gone" \
	bash -c "! kill -0 $holder2 2>/dev/null && ! kill -0 $holder1 2>/dev/null &&
		 [ ! -e $TMPD/run/handover.sock ] &&
		 ip netns exec $(ns_name r) kicectl show -j -s $NG -t 300 2>/dev/null | python3 -c \"import json,sys; d=json.load(sys.stdin); assert d['flows']==[] and d['sockets']==[]\""

# a crash nobody follows up: the holder gives up after handover-wait
sed -i 's/^handover-wait = 20/handover-wait = 3/' "$conf"
start_kiced "$conf" "$TMPD/kiced3.log"
holder3=$(holder_of "$TMPD/kiced3.log")
sdp $PA | ctl offer --call-id k4 --from-tag fa --ice remove >/dev/null
sdp $PB | ctl answer --call-id k4 --from-tag fa --to-tag tb --ice remove >/dev/null
k4_ids=$(kids k4)
kill -KILL "$kpid"
wait "$kpid" 2>/dev/null
sleep 1
n1=$(kpresent "$k4_ids")
sleep 4
n2=$(kpresent "$k4_ids")
ktap_check "no kiced within handover-wait: holder exits, flows go ($n1 -> $n2)" \
	bash -c "[ '$n1' = 2 ] && [ '$n2' = 0 ] && ! kill -0 $holder3 2>/dev/null"
[ "$_ktap_failed" = 0 ] || { sed 's/^/# /' "$TMPD/kiced.log"; sed 's/^/# 2: /' "$TMPD/kiced2.log"; }
ktap_finish
