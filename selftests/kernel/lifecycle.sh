#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lifetimes: flow add/del churn while media flows (no packet of the stable
# flow lost), detach by command, netns deletion and rmmod with live flows,
# attached sockets and traffic.  The VM runner fails the run on any
# Oops/WARNING/lockdep report these provoke.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"

kice_load
kice_topo || ktap_skip_all "cannot build the namespaces"
ktap_plan 8

kt_bg r $TMPD/hold hold 192.0.2.1,4000 198.51.100.1,4002 || { cat $TMPD/hold; exit 1; }
HOLD=$KT_PID
s0=$(kv $TMPD/hold sock0) s1=$(kv $TMPD/hold sock1)
f=$(kt r flow-new --a $s0,192.0.2.2,5000 --b $s1,198.51.100.2,6000 | sed -n 's/^id=//p')

# churn on the same sockets while 1000 packets cross the stable flow
N=1000
kt_bg b $TMPD/recv recv --bind 198.51.100.2,6000 --count $N --timeout-ms 20000
rpid=$KT_PID
kt r churn 20 200 $s0 $s1 30000 >$TMPD/churn &
cpid=$!
kt a send --from 192.0.2.2,5000 --to 192.0.2.1,4000 --rtp 7 --count $N --interval-us 1000 >/dev/null
wait $cpid
wait $rpid
ktap_diag "$(cat $TMPD/churn)"
ktap_check "4000 flows added and deleted during traffic" grep -q '^churned=4000' $TMPD/churn
ktap_check "stable flow lost nothing ($(kv $TMPD/recv received)/$N)" [ "$(kv $TMPD/recv received)" = $N ]

# detach by command: the flow goes, the socket is plain UDP again
kt r sock-detach $s0
ktap_check "detach deletes the socket's flows" [ -z "$(kt r flow-dump | grep '^id=')" ]
kt a send --from 192.0.2.2,5000 --to 192.0.2.1,4000 --rtp 7 --count 3 >/dev/null
ktap_check "detached socket receives media itself" \
	wait_grep $TMPD/hold "recv sock0 from=192.0.2.2,5000 len=172 byte=128" 5

# a namespace with its own sockets, flows and traffic goes away
ns_new n2 >/dev/null
ns_link n2 x1 10.9.0.1/24 n2 x2 10.9.0.2/24
kt_bg n2 $TMPD/hold2 hold 10.9.0.1,4000 10.9.0.1,4002
h2=$KT_PID
t0=$(kv $TMPD/hold2 sock0) t1=$(kv $TMPD/hold2 sock1)
kt n2 flow-new --a $t0,10.9.0.2,5000 --b $t1,10.9.0.2,6000 >/dev/null
kt n2 send --from 10.9.0.2,5000 --to 10.9.0.1,4000 --rtp 9 --count 3000 --interval-us 100 >/dev/null &
spid=$!
sleep 0.3
kill $h2 $spid 2>/dev/null
wait $h2 $spid 2>/dev/null
ip netns del "$(ns_name n2)"
sleep 0.5
ns_gone() { ! ip netns list | grep -q "$(ns_name n2)"; }
ktap_check "netns with live flows deleted" ns_gone

# rmmod with an attached socket, a flow and traffic in flight
kt_bg r $TMPD/hold3 hold 192.0.2.1,4100 198.51.100.1,4102
h3=$KT_PID
u0=$(kv $TMPD/hold3 sock0) u1=$(kv $TMPD/hold3 sock1)
kt r flow-new --a $u0,192.0.2.2,5100 --b $u1,198.51.100.2,6100 >/dev/null
kt a send --from 192.0.2.2,5100 --to 192.0.2.1,4100 --rtp 8 --count 4000 --interval-us 100 >/dev/null &
spid=$!
sleep 0.3
ktap_check "rmmod with live flows and traffic" rmmod kice
wait $spid
ktap_check "sockets keep working as plain UDP after rmmod" \
	wait_grep $TMPD/hold3 "recv sock0 from=192.0.2.2,5100 len=172 byte=128" 5
kill $h3 $HOLD
wait $h3 $HOLD 2>/dev/null
insmod "$KICE_KO"
ktap_check "module loads again" [ -e /sys/module/kice ]
ktap_finish
