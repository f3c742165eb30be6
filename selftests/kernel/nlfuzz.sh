#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fuzzing the kice family from its YNL spec (kice-nlfuzz): 100,000 valid,
# policy-valid and mutated messages with real sockets, flows and traffic
# through them; then the module's state must be consistent, every flow
# deletable, a new flow must relay, the module must unload, and the
# kernel log must show no warning, oops or memory-debugging report.
#   KICE_FUZZ_SEED   seed (default: random, printed)
#   KICE_NLFUZZ_COUNT, KICE_NLFUZZ_TIME  messages (default 100,000, 50,000
#                    on a KASAN kernel), at most seconds (default 120)
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"

t0=$SECONDS
kice_load
command -v kice-nlfuzz >/dev/null || ktap_skip_all "kice-nlfuzz not built (make agent)"
kice_topo || ktap_skip_all "cannot build the namespaces"
ktap_plan 15

seed=${KICE_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
# KASAN and lockdep make a kernel several times slower: half as many there
if grep -q ' kasan_report$' /proc/kallsyms 2>/dev/null; then
	count=${KICE_NLFUZZ_COUNT:-50000}
else
	count=${KICE_NLFUZZ_COUNT:-100000}
fi
limit=${KICE_NLFUZZ_TIME:-120}
log0=$(dmesg | wc -l)
nlfuzz() {
	ns_exec r kice-nlfuzz --ns-a "/var/run/netns/$(ns_name a)" \
		--ns-b "/var/run/netns/$(ns_name b)" "$@"
}
# the same seed on a fresh module: the same messages (the first 1000 of
# the long run below)
rmmod kice && insmod "$KICE_KO"
nlfuzz --seed "$seed" --count 1000 --pps 0 --no-checks | grep '^digest=' >$TMPD/d1
rmmod kice && insmod "$KICE_KO"
start=$SECONDS
nlfuzz --seed "$seed" --count "$count" --time "$limit" --packets 100000 \
	>$TMPD/out 2>$TMPD/err
rc=$?
# the fuzzer's key=value lines, read without a process per value
declare -A R
errnos= ops= modes=
while IFS='=' read -r k v; do
	[ -n "$k" ] && [ "${k:0:1}" != "#" ] || continue
	R[$k]=${v%% #*}
	case $k in
	errno_*) errnos+="${k#errno_}:${v%% #*} " ;;
	op_*) ops+="${k#op_}=$v " ;;
	mode_*) modes+="${k#mode_}=$v " ;;
	esac
done <$TMPD/out
r() { echo "${R[$1]:-?}"; }
ktap_diag "seed $seed (KICE_FUZZ_SEED), exit $rc, $((SECONDS - start)) s"
head -c 20000 $TMPD/out | grep -E '^# ' | head -60
head -c 2000 $TMPD/err | sed 's/^/# stderr: /'
ktap_diag "$(r messages) messages, $(r msgs_per_sec)/s; ACKs $(r acks), replies $(r replies)," \
	"dumps done $(r dones), errors $(r errors)"
ktap_diag "errors by errno: $errnos"
ktap_diag "reached the handlers: $(r reached_pct)%; policy refusals $(r policy), genetlink $(r core)"
ktap_diag "per op (ok/sent): $ops"
ktap_diag "per mode (ok/sent): $modes"
ktap_diag "traffic: sent $(r pkts_sent) ($(r pkts_directed) to a flow's socket from its remote)," \
	"relayed to peers $(r pkts_relayed_recv)," \
	"passed to the relay's sockets $(r pkts_passed_recv); sockets closed $(r sock_churn)"
ktap_diag "monitor: $(r mon_events) events, $(r mon_lost) overruns;" \
	"final state: $(r final_flows) flows, $(r final_socks) sockets"

d1=$(cat $TMPD/d1)
ktap_check "deterministic: seed $seed sends the same first 1000 messages twice (${d1#*=})" \
	[ -n "${d1#*=}" ] && [ "${d1#*=}" = "$(r digest_1000)" ]
ktap_check "fuzzer ran and its checks passed (exit $rc)" [ "$rc" = 0 ]
ktap_check "$count messages sent ($(r messages) in $(r seconds) s)" \
	[ "$(r messages)" = "$count" ]
every_op() {
	local l ok
	for l in $ops; do
		case $l in *-ntf=*) continue ;; esac
		ok=${l#*=}
		[ "${ok%/*}" -gt 0 ] || { echo "# never succeeded: $l"; return 1; }
	done
}
ktap_check "every command of the spec succeeded at least once" every_op
ktap_check "most messages reach the handlers ($(r reached_pct)% >= 50%)" \
	[ "$(r reached_pct)" -ge 50 ]
ktap_check "no message the policy or the module must refuse was accepted ($(r wrong_accept))" \
	[ "$(r wrong_accept)" = 0 ]
ktap_check "replies and events match the spec (bad $(r reply_bad), events $(r mon_bad))" \
	[ "$(r reply_bad)" = 0 ] && [ "$(r mon_bad)" = 0 ]
ktap_check "dumps read a part per batch: ids rising, parts match the spec ($(r slow_dumps) dumps in $(r slow_parts) parts)" \
	[ "$(r slow_bad)" = 0 ] && [ "$(r slow_dumps)" -gt 0 ]
ktap_check "extended ACK offsets inside the request; every request answered" \
	[ "$(r bad_offset)" = 0 ] && [ "$(r no_reply)" = 0 ] && \
	[ "$(r timeouts)" = 0 ] && [ "$(r unexpected)" = 0 ]
ktap_check "traffic relayed through the flows during the run ($(r pkts_relayed_recv))" \
	[ "$(r pkts_relayed_recv)" -gt 0 ]
ktap_check "flows, sockets and counters consistent ($(r consistency_failures) failures)" \
	[ "$(r consistency_failures)" = 0 ]
ktap_check "every flow listed could be read and deleted, every socket detached" \
	[ "$(r delete_failures)" = 0 ]
ktap_check "a new flow relays after the run ($(r fresh_relay), back $(r fresh_back))" \
	[ "$(r fresh_relay)" = 200/200 ] && [ "$(r fresh_back)" = 100/100 ]
t1=$SECONDS
ktap_check "kice unloads (refcount $(cat /sys/module/kice/refcnt 2>/dev/null))" rmmod kice
ktap_diag "times: setup $((start - t0)) s, fuzzing and checks $((t1 - start)) s, rmmod $((SECONDS - t1)) s"
dmesg | tail -n +"$((log0 + 1))" >$TMPD/dmesg
splat='\bOops\b|\bBUG\b|kernel BUG at|\bWARNING:|KASAN:|UBSAN:|KFENCE:|kmemleak:|'
splat+='Poison overwritten|Redzone|Object already free|Freepointer corrupt|'
splat+='refcount_t:|INFO: task|rcu_sched|stack-protector|general protection|lockdep'
if grep -qE "$splat" $TMPD/dmesg; then
	grep -E -B2 -A20 "$splat" $TMPD/dmesg | head -80 | sed 's/^/# /'
	ktap_fail "no kernel warning, oops or memory-debugging report"
else
	ktap_ok "no kernel warning, oops or memory-debugging report"
fi
insmod "$KICE_KO"
ktap_finish
