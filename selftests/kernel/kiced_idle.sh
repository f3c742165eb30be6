#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kiced with kice.ko: the flows of a call carry the call timeout as their
# idle timeout; when media stops, the kernel's idle event (seen by kiced
# and by kicectl monitor) ends the call before the periodic check would;
# media on RTP alone keeps a call alive even though its RTCP flow idles;
# a flow deleted behind kiced's back sends its stream back to userspace;
# kicectl monitor prints SSRC changes and source mismatches.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"
. "$here/kiced_lib.bash"
kiced_test_init 9

NG=127.0.0.1:22240
PA=20100 PB=20102
# call NAME: offer/answer; sets XA (kiced's port for A) and XB
call() {
	XB=$(sdp $PA | ctl offer --call-id "$1" --from-tag fa --ice remove | port_of)
	XA=$(sdp $PB | ctl answer --call-id "$1" --from-tag fa --to-tag tb --ice remove | port_of)
	test -n "$XA" -a -n "$XB"
}

# an 8 s call timeout: idle events after 8 s without media (TCG VMs
# are slow: a shorter one would expire between answer and media)
cat >"$TMPD/kiced.conf" <<EOF
[control]
ng-listen = $NG
[media]
port-min = 21100
port-max = 21199
timeout = 8
EOF
KICED_LEVEL=debug start_kiced "$TMPD/kiced.conf" "$TMPD/kiced.log" ||
	ktap_diag "kiced does not answer ping"

ns_exec r timeout 70 kicectl monitor -j -c 6 -t 60000 >"$TMPD/mon.json" &
mpid=$!
_kt_pids+=("$mpid")
wait_monitors 1 "-j -c 6 "
call idle1
# RTP only, 12 s (longer than the timeout), started right away: RTCP's
# flow idles, the call lives
kt_bg r "$TMPD/recv.out" recv --bind 127.0.0.1,$PB --count 600 --timeout-ms 30000
kt r send --from 127.0.0.1,$PA --to 127.0.0.1,$XA --count 600 --rtp 7 \
	--interval-us 20000 >/dev/null &
spid=$!
ktap_check "call answered: ports $XA and $XB" test -n "$XA"
show flows -j >"$TMPD/f.json"
ktap_check "its flows carry the call timeout as idle timeout (8000 ms)" \
	jcheck "assert len(d['flows'])==2 and all(f['idle_timeout_ms']==8000 for f in d['flows'])" \
	<"$TMPD/f.json"
wait "$spid"
wait "$KT_PID"
got=$(kv "$TMPD/recv.out" received)
alive=$(show sessions -j | jcheck "print(len(d['sessions']))")
other=$(grep -c "call idle1: kernel flow [0-9]* idle, other media alive" "$TMPD/kiced.log")
ktap_diag "received $got of 600; sessions $alive; RTCP idle events seen $other"
ktap_check "RTP alone for 12 s keeps the call (its RTCP flow idled)" \
	test "$got" = 600 -a "$alive" = 1 -a "$other" = 1
t0=$(date +%s)
# then silence: the RTP flow's idle event ends the call
for ((i = 0; i < 200; i++)); do
	grep -q "call idle1: kernel flow [0-9]* idle for" "$TMPD/kiced.log" && break
	sleep 0.1
done
ktap_check "silence: the kernel's idle event ended the call ($(( $(date +%s) - t0 )) s)" \
	grep -q "call idle1: kernel flow [0-9]* idle for [0-9]* ms, call ended" \
	"$TMPD/kiced.log"
show -j >"$TMPD/s.json"
ktap_check "no session and no flow left" \
	jcheck "assert d['sessions']==[] and d['flows']==[]" <"$TMPD/s.json"
wait "$mpid"
ktap_check "kicectl monitor -j saw the idle events" \
	python3 -c "
import json
ev=[json.loads(l) for l in open('$TMPD/mon.json')]
idle=[e for e in ev if e['event']=='idle']
assert len(idle)>=2 and all(e['idle_ms']>=8000 for e in idle), ev
assert len([e for e in ev if e['event']=='flow-del'])==2, ev
"

# a flow removed behind kiced's back: the stream goes back to userspace
call gone
# media all along, or the call would time out on a slow VM
kt r send --from 127.0.0.1,$PA --to 127.0.0.1,$XA --count 1000 --rtp 8 \
	--interval-us 20000 >/dev/null &
spid=$!
fid=$(show flows -j | jcheck "print(d['flows'][0]['id'])")
kt r flow-del "$fid" >/dev/null
sleep 0.5
show -j >"$TMPD/g.json"
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
ktap_check "flow $fid deleted outside kiced: the call is relayed in userspace" \
	jcheck "
assert d['sessions'][0]['relay']=='userspace'
assert [f['relay'] for f in d['flows']]==['userspace'], d['flows']" <"$TMPD/g.json"
# SSRC change and source mismatch, as kicectl monitor prints them
ctl delete --call-id gone --from-tag fa >/dev/null
call ev
ns_exec r timeout 20 kicectl monitor -j -c 3 -t 15000 >"$TMPD/ev.json" &
mpid=$!
_kt_pids+=("$mpid")
ns_exec r timeout 20 kicectl monitor -c 3 -t 15000 >"$TMPD/ev.txt" &
hpid=$!
_kt_pids+=("$hpid")
wait_monitors 2 "(-j )?-c 3 -t 15000"
kt r send --from 127.0.0.1,$PA --to 127.0.0.1,$XA --count 3 --rtp 4369 >/dev/null
kt r send --from 127.0.0.1,$PA --to 127.0.0.1,$XA --count 3 --rtp 8738 --seq 100 >/dev/null
kt r send --from 127.0.0.1,$((PA + 10)) --to 127.0.0.1,$XA --count 1 --rtp 1 >/dev/null
wait "$mpid"
wait "$hpid"
ktap_check "monitor -j: ssrc-change 0x1111 -> 0x2222 and src-mismatch from port $((PA + 10))" \
	python3 -c "
import json
ev=[json.loads(l) for l in open('$TMPD/ev.json')]
ch=[e for e in ev if e['event']=='ssrc-change']
mm=[e for e in ev if e['event']=='src-mismatch']
assert ch[-1]['ssrc']==0x2222 and ch[-1]['old_ssrc']==0x1111 and ch[-1]['leg']=='a', ev
assert mm and mm[0]['ip']=='127.0.0.1' and mm[0]['port']==$((PA + 10)), ev
"
evtxt_ok() {
	grep -q "^ssrc-change flow [0-9]* leg a ssrc 0x00001111 -> 0x00002222$" "$TMPD/ev.txt" &&
	grep -q "^src-mismatch socket [0-9]* from 127.0.0.1:$((PA + 10))$" "$TMPD/ev.txt"
}
ktap_check "monitor: the same events as text" evtxt_ok
evtxt_ok || sed 's/^/# /' "$TMPD/ev.txt"
[ "$_ktap_failed" = 0 ] || sed 's/^/# /' "$TMPD/kiced.log" | grep -v "debug: ng"
ktap_finish
