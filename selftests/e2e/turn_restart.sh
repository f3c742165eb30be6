#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A TURN-relayed ICE side carried over a crash of kiced: both sites behind
# symmetric NATs (only pairs with a relayed end work), one coturn as STUN
# and TURN server.  Media runs through kice.ko and the TURN channel; the
# kiced (keep-flows) of the site whose local candidate is relayed is
# killed with SIGKILL and started again.  Asserts: the flows are adopted
# and the TURN client restored, no media lost, media still flowing more
# than 30 s after the restart (the adopted side's consent checks go
# through the relay and are answered), and the restored client refreshing
# its allocations, in kiced's log and at coturn.  The restored client
# refreshes at once and on schedule, asking for 600 s each time; coturn
# 4.6 with --max-allocate-lifetime=20 grants 20 s to such a Refresh (but
# 600 s to the ICE agent's, which ask for less): an allocation not
# refreshed again within 20 s ends, and media with it, within the test.
# Without the TURN state carried over, consent was lost 30 s after the
# restart and the flows deleted.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
export E2E_STUN=198.51.100.2:3478 E2E_TURN=198.51.100.2:3478
E2E_TURN_ARGS="--max-allocate-lifetime=20 -v"
export E2E_SIG=kicectl
. "$here/lib.sh"

e2e_init
ktap_plan 8
e2e_mode_skipped kernel world relayed-flows restart media consent \
	refresh-kiced refresh-coturn teardown && ktap_finish

LIFE=20			# s, what coturn grants a Refresh
COUNT=2000		# packets each way, 20 ms apart: 40 s of media
for s in a b; do
	E2E_KICED_EXTRA[$s]="keep-flows = yes
	handover-socket = $TMP/run-$s/handover.sock
	handover-wait = 20"
done
call=turn-restart

# ids of the kernel flows of site $ks (its network namespace's)
kflow_ids() {
	ns_exec $ks "$E2E_BIN/kice-ktool" flow-dump 2>/dev/null |
		sed -n 's/^id=\([0-9]*\)$/\1/p' | sort -n | tr '\n' ' '
}

ok=1
e2e_world symmetric symmetric || ok=0
ktap_diag "namespaces and coturn in $SECONDS s"
e2e_kiced a && e2e_kiced b || ok=0
ktap_check "two sites behind symmetric NATs, coturn (refreshed allocations: $LIFE s), kiced with keep-flows" \
	test $ok = 1
t_world=$SECONDS
e2e_call a b $call 20000 20002
# ICE connected and the channels bound: a leg through the TURN server's
# channel in the kernel flow of RTP and of RTCP, at the site relayed for
# that component (each site's flows are those of its network namespace);
# site $ks: the one with the most such legs
declare -A nch
for i in $(seq 60); do
	for s in a b; do
		ns_exec $s "$E2E_BIN/kice-ktool" flow-dump >"$TMP/flows-$s" 2>&1
		nch[$s]=$(grep -c 'channel=' "$TMP/flows-$s")
	done
	[ $((nch[a] + nch[b])) -ge 2 ] && break
	sleep 0.2
done
ks=b
[ "${nch[a]}" -gt "${nch[b]}" ] && ks=a
ids=$(kflow_ids)
pa=$(e2e_query a $call "ICE pair")
pb=$(e2e_query b $call "ICE pair")
ktap_diag "world in $t_world s, ICE and channels $((SECONDS - t_world)) s later (channel legs: a ${nch[a]}, b ${nch[b]})"
ktap_check "ICE on relayed pairs (RTP: caller $pa; callee $pb), kernel flows with TURN channel legs (a ${nch[a]}, b ${nch[b]}), site $ks flows $ids" \
	eval '[[ "$pa" == relay* || "$pb" == relay* ]] && [ $((nch[a] + nch[b])) -ge 2 -a "${nch[$ks]}" -ge 1 ]'
sleep 1.2	# the fd store follows nomination and channel within a tick

# media both ways for 40 s; kiced of site $ks killed 1.5 s in, dead for 1 s
at=$(($(date +%s%3N) + 1000))
ip netns exec "$(ns_name a)" "$E2E_BIN/kice-rtpapp" -n caller-app \
	-b 127.0.0.1:20000 -t "127.0.0.1:$E2E_TO_A" -c $COUNT -S $at \
	>"$TMP/app-a.out" 2>&1 &
app_a=$!
ip netns exec "$(ns_name b)" "$E2E_BIN/kice-rtpapp" -n callee-app \
	-b 127.0.0.1:20002 -t "127.0.0.1:$E2E_TO_B" -c $COUNT -S $at \
	>"$TMP/app-b.out" 2>&1 &
app_b=$!
sleep 2.5
kill -KILL "${E2E_KPID[$ks]}"
wait "${E2E_KPID[$ks]}" 2>/dev/null
t_kill=$SECONDS
sleep 1
# coturn names its log turn_DATE.log
tlog=$(ls "$TMP"/turn*.log | head -n1)
mv "$TMP/kiced-$ks.log" "$TMP/kiced-$ks.1.log"
turn_lines=$(wc -l <"$tlog")
ok=1
e2e_kiced $ks || ok=0
t_up=$SECONDS
log=$TMP/kiced-$ks.log
ids2=$(kflow_ids)
grep -q "adopted kernel flows" "$log" || ok=0
grep -q "TURN client restored" "$log" || ok=0
ktap_check "kiced $ks killed and started again: flows $ids2 adopted, TURN client restored" \
	test $ok = 1 -a "$ids" = "$ids2"
grep -E "TURN|handover" "$log" | sed "s/^/# $ks: /"

wait $app_a
wait $app_b
t_end=$SECONDS
# no hole in either stream (the kill window included) and at least 99%:
# media stopping 30 s after the restart would miss the last seconds
ra=$(e2e_received "$TMP/app-a.out")
rb=$(e2e_received "$TMP/app-b.out")
la=$(sed -n 's/.* lost=\([0-9]*\).*/\1/p' "$TMP/app-a.out")
lb=$(sed -n 's/.* lost=\([0-9]*\).*/\1/p' "$TMP/app-b.out")
ktap_diag "$(cat "$TMP/app-a.out" "$TMP/app-b.out" | tr '\n' ' ')"
min=$((COUNT * 99 / 100))
if [ "${ra:-0}" -ge $min ] && [ "${rb:-0}" -ge $min ] &&
   [ "${la:-1}" = 0 ] && [ "${lb:-1}" = 0 ] &&
   [ $((t_end - t_up)) -ge 31 ]; then ok=1; else ok=0; fi
ktap_check "media both ways across the crash, none lost (received of $COUNT: $ra, $rb; holes $la, $lb), $((t_end - t_up)) s after the restart (killed for $((t_up - t_kill)) s)" \
	test $ok = 1
[ $ok = 1 ] || sed "s/^/# $ks: /" "$log" | tail -n 20

# consent (30 s, checked once a second) would be lost by now
while [ $((SECONDS - t_up)) -lt 32 ]; do sleep 0.5; done
ok=1
grep -q "consent confirmed by the peer" "$log" || ok=0
grep -q "consent lost" "$log" && ok=0
ids3=$(kflow_ids)
ktap_check "consent of the adopted side confirmed through the relay, not lost $((SECONDS - t_up)) s after the restart (flows $ids3)" \
	test $ok = 1 -a "$ids3" = "$ids"
# at once, then every 10 s (half the 20 s coturn grants): 3 each at least
nt=$(grep -c "TURN client restored" "$log")
nr=$(grep -c "TURN allocation refreshed" "$log")
ktap_check "the $nt restored TURN clients refreshed their allocations $nr times" \
	test "$nt" -ge 1 -a "$nr" -ge $((3 * nt))
# coturn (-v) logs each Refresh it grants; the other site's agent sends
# none within the test (its allocations last 600 s since its first)
tail -n +$((turn_lines + 1)) "$tlog" >"$TMP/turn-after.log"
nc=$(grep -c "refreshed, realm" "$TMP/turn-after.log")
n20=$(grep -c "refreshed, realm.*lifetime=$LIFE\$" "$TMP/turn-after.log")
grep -E "refreshed|REFRESH processed, error" "$TMP/turn-after.log" | head -n 8 |
	sed 's/^/# coturn: /'
ktap_check "coturn granted $nc refreshes after the restart ($n20 of them $LIFE s)" \
	test "$nt" -ge 1 -a "$nc" -ge $((3 * nt)) -a "$n20" -ge $((3 * nt))

e2e_check_teardown $call "delete, then SIGTERM: clean exits"
ktap_finish
