#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two kiced nodes in one rtpengine set of Kamailio's (sip/lib.sh): node 1
# (203.0.113.1, weight 2) and node 2 (203.0.113.3, weight 1).  sipp places
# CALLS calls (default 120) at RATE per second (15), each with 7 s of G.711
# RTP echoed by the callee and a BYE after 7.5 s; KILL_AT seconds (4) after
# the callee's sipp starts node 1 is killed (SIGKILL), so that calls run on both
# nodes and new ones keep coming.  Kamailio logs the node of each call's
# offer and of each BYE's delete (sip/kamailio.cfg); the nodes' own
# "list" is sampled twice a second (a call lasts 7.5 s) to check that
# record.
#
# Asserted: before the kill, Kamailio spread the calls over both nodes by
# weight (node 1 with 55-78% of them; it hashes the call-id over the
# weights) and both relayed them both ways (nftables counters per node
# address at the caller and the callee); every call running on node 2 at
# the kill gained media over the next second (ng query); every call
# completed as scripted (sipp's verdict); every call placed after node
# 1's last went to node 2, and the nodes' lists agree; what went through
# node 2 reached the callee and came back (>= 98%); node 2 ends with no
# call and no media port; node 2's calls were deleted there at their BYE,
# while node 1's BYEs found no relay to delete at (Kamailio keeps a node
# that timed out disabled and sends a dead node's calls nowhere else).
# What the callers sent into the dead node is reported.
#
# Kamailio's rtpengine module waits SIP_TOUT_MS (200) for a node, asks
# SIP_RETR (1) time, and leaves a node that did not answer out for
# SIP_DISABLE_TOUT (60) seconds, longer than the test.
#
# KICE_RELAY=rtpengine: the same with two of Debian's rtpengine, the
# reference.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top" || exit 1
. selftests/lib/ktap.sh
. selftests/lib/netns.sh
. agent/kiced/tests/sip/lib.sh

calls=${CALLS:-120}
rate=${RATE:-15}
kill_at=${KILL_AT:-4}
sip_init
ktap_plan 10
# four ports a call, at most about 110 calls at once on a node
sip_node 1 30499
sip_node 2 30499
SIP_NG="udp:$(node_addr 1):2223=2 udp:$(node_addr 2):2223=1" \
	SIP_TOUT_MS=${SIP_TOUT_MS:-200} SIP_RETR=${SIP_RETR:-1} \
	SIP_DISABLE_TOUT=${SIP_DISABLE_TOUT:-60} \
	sip_kamailio "replace-origin replace-session-connection ICE=remove"

# ids N FILE: node N's call-ids, appended to FILE; packets N: its calls
# and the RTP packets it counted for each
ngtool() { ns_exec gw timeout 10 python3 "$top/agent/kiced/tests/ngtool.py" calls "$@"; }
ids() { ngtool "$(node_addr "$1"):2223" >>"$2" 2>>"$tmp/ngtool.err"; }
packets() { ngtool "$(node_addr "$1"):2223" packets 2>>"$tmp/ngtool.err"; }
# snap: the counters at the caller and the callee, a line per node:
# sent to it by the caller, received from it by the callee, sent to it
# by the callee, received from it by the caller
snap() {
	local a b
	a=$(ns_exec uac nft -j list counters table inet kice_count)
	b=$(ns_exec uas nft -j list counters table inet kice_count)
	python3 -c 'import json,sys
c=[{o["counter"]["name"]: o["counter"]["packets"]
    for o in json.loads(x)["nftables"] if "counter" in o} for x in sys.argv[1:3]]
for n in (1, 2):
    print(c[0]["tx%d" % n], c[1]["rx%d" % n], c[1]["tx%d" % n], c[0]["rx%d" % n])' "$a" "$b"
}

: >"$tmp/n1.before" >"$tmp/n2.before" >"$tmp/n2.after"
base=$(snap)
t0=$(date +%s%N)
sip_load nodes "$calls" "$rate"
upid=$SIP_UAS_PID cpid=$SIP_UAC_PID

# before the kill: both nodes sampled
for _ in $(seq $((kill_at * 4))); do
	[ $(($(date +%s%N) - t0)) -ge $((kill_at * 1000000000)) ] && break
	ids 1 "$tmp/n1.before"; ids 2 "$tmp/n2.before"
	sleep 0.5
done
# node 2's calls at the kill and their packets
packets 2 >"$tmp/n2.p0"
kill -KILL "${SIP_NODE_PID[1]}"
wait "${SIP_NODE_PID[1]}" 2>/dev/null
tk=$(date +%s%N)
at_kill=$(snap)
cut -d' ' -f1 "$tmp/n2.p0" >>"$tmp/n2.before"
sleep 1
packets 2 >"$tmp/n2.p1"
ktap_diag "node 1 killed $(((tk - t0) / 1000000)) ms into the load, $(sort -u "$tmp/n1.before" | wc -l) calls on it, $(wc -l <"$tmp/n2.p0") on node 2"

# after the kill: node 2 only, while the caller runs
for _ in $(seq $((calls / rate * 2 + 60))); do
	kill -0 $cpid 2>/dev/null || break
	ids 2 "$tmp/n2.after"
	sleep 0.5
done
wait $cpid; crc=$?
wait $upid; src=$?
t1=$(date +%s%N)
[ $crc = 0 ] && [ $src = 0 ] || sip_show nodes
sleep 1
end=$(snap)

# Kamailio's record (sip/kamailio.cfg): the node of each INVITE's offer
# and of each BYE's delete, or none; checked against the nodes' lists
eval "$(python3 - "$tmp" "$(node_addr 1)" "$(node_addr 2)" <<'EOF'
import re, sys
tmp, a1, a2 = sys.argv[1:4]
node = {"udp:%s:2223" % a1: 1, "udp:%s:2223" % a2: 2}
inv, bye, nobye = {}, {}, set()
for l in open(tmp + "/kamailio.log", errors="replace"):
    m = re.search(r"media relay (\S+) for (INVITE|BYE) (\S+)", l)
    if m:
        (inv if m[2] == "INVITE" else bye)[m[3]] = node.get(m[1], 0)
    m = re.search(r"no media relay for BYE (\S+)", l)
    if m:
        nobye.add(m[1])
def ids(*names):
    r = set()
    for n in names:
        r |= {l.strip() for l in open(tmp + "/" + n) if l.strip()}
    return r
num = lambda c: int(c.split("-")[0])
on = {n: {c for c in inv if inv[c] == n} for n in (1, 2)}
last1 = max((num(c) for c in on[1]), default=0)
before = [c for c in inv if num(c) <= last1]
after = [c for c in inv if num(c) > last1]
# the module's hash_algo 0: the call-id's bytes summed, & 0xff, modulo
# the weights' sum (3): 0 and 1 name node 1, 2 names node 2
hashed = lambda c: 1 if (sum(c.encode()) & 0xff) % 3 < 2 else 2
s1, s2 = ids("n1.before"), ids("n2.before", "n2.after")
print("k_inv=%d k_last1=%d k_b1=%d k_b2=%d" % (len(inv), last1,
      sum(inv[c] == 1 for c in before), sum(inv[c] == 2 for c in before)))
print("k_after=%d k_after2=%d k_hash=%d" % (len(after),
      sum(inv[c] == 2 for c in after), sum(hashed(c) != inv[c] for c in before)))
print("k_n1=%d k_n2=%d s_n1=%d s_n2=%d s_wrong=%d s_miss2=%d" % (len(on[1]),
      len(on[2]), len(s1), len(s2), len(s1 - on[1]) + len(s2 - on[2]),
      len(on[2] - s2)))
print("k_bye2=%d k_nobye1=%d k_byeother=%d" % (
      sum(bye.get(c) == 2 for c in on[2]), len(nobye & on[1]),
      len(set(bye) - on[2]) + len(nobye - on[1])))
EOF
)"
share=$((k_b1 * 100 / (k_b1 + k_b2 > 0 ? k_b1 + k_b2 : 1)))
ktap_check "before the kill, Kamailio spread the calls by weight 2:1 (node 1: $k_b1, node 2: $k_b2 of the first $k_last1, $share% on node 1; $k_hash off their call-id's hash)" \
	test "$k_b1" -gt 0 -a "$k_b2" -gt 0 -a "$share" -ge 55 -a "$share" -le 78

# media per node up to the kill: sent by the caller, received by the
# callee, echoed, received back by the caller
ok=1 msg=
for n in 1 2; do
	read -r b_tx b_rx b_back b_echo <<<"$(sed -n ${n}p <<<"$base")"
	read -r k_tx k_rx k_back k_echo <<<"$(sed -n ${n}p <<<"$at_kill")"
	tx=$((k_tx - b_tx)) rx=$((k_rx - b_rx)) echo_=$((k_echo - b_echo))
	msg+="${msg:+; }node $n: $tx sent, $rx received, $echo_ back"
	[ "$tx" -ge 1000 ] && [ "$rx" -ge $((tx * 97 / 100)) ] &&
		[ "$echo_" -ge $((tx * 97 / 100)) ] || ok=0
done
ktap_check "before the kill, both nodes relayed RTP both ways ($msg)" test $ok = 1

# node 2's calls at the kill: each gained media over the next second
read -r still grew least <<<"$(join <(sort "$tmp/n2.p0") <(sort "$tmp/n2.p1") | awk '
	{ n++; d = $3 - $2; if (d >= 40) g++; if (n == 1 || d < m) m = d }
	END { print n + 0, g + 0, m + 0 }')"
ktap_check "the $(wc -l <"$tmp/n2.p0") calls on node 2 at the kill kept their media ($grew of $still gained >= 40 packets in the second after it, the least $least)" \
	test "$still" -ge 3 -a "$grew" = "$still" -a "$still" = "$(wc -l <"$tmp/n2.p0")"

ktap_check "all $calls calls completed as scripted (sipp: $crc, $src)" \
	test $crc = 0 -a $src = 0
ktap_check "Kamailio put every call after node 1's last ($k_last1) on node 2 ($k_after2 of $k_after), $k_inv offers in all" \
	test "$k_inv" = "$calls" -a "$k_after" -gt 0 -a "$k_after2" = "$k_after"
ktap_check "the nodes' lists agree with Kamailio (node 1: $s_n1 of its $k_n1 seen, node 2: $s_n2 of $k_n2; $s_wrong on the other node)" \
	test "$s_wrong" = 0 -a "$s_miss2" = 0 -a "$s_n1" -gt 0
n2=$k_n2

read -r b_tx b_rx b_back b_echo <<<"$(sed -n 2p <<<"$base")"
read -r e_tx e_rx e_back e_echo <<<"$(sed -n 2p <<<"$end")"
tx=$((e_tx - b_tx)) rx=$((e_rx - b_rx)) back=$((e_back - b_back)) echo_=$((e_echo - b_echo))
ktap_check "node 2 relayed its calls' RTP to the callee ($n2 calls: $tx sent, $rx received)" \
	test "$tx" -ge $((n2 * 200)) -a "$rx" -ge $((tx * 98 / 100))
ktap_check "... and the echo back ($back echoed, $echo_ received)" \
	test "$echo_" -ge $((tx * 98 / 100))

n=$(ncalls 2) p=$(ports 2)
ktap_check "node 2: no call and no media port left ($n calls, $p ports)" \
	test "$n" = 0 -a "$p" = 0

# node 1's running calls: the callers sent on into the dead node; their
# BYEs found no relay for Kamailio's delete (the node stays disabled)
read -r k_tx k_rx k_back k_echo <<<"$(sed -n 1p <<<"$at_kill")"
read -r e_tx e_rx e_back e_echo <<<"$(sed -n 1p <<<"$end")"
ktap_diag "node 1 after the kill: the callers sent $((e_tx - k_tx)) packets to it, $((e_rx - k_rx)) reached the callees, $((e_echo - k_echo)) came back"
ktap_diag "Kamailio: $(grep -c 'timeout waiting reply' "$tmp/kamailio.log") ng timeouts from node 1; the run took $(((t1 - t0) / 1000000)) ms"
ktap_check "Kamailio deleted node 2's calls on node 2 at their BYEs ($k_bye2 of $k_n2); node 1's $k_n1 BYEs found no relay ($k_nobye1), none went elsewhere ($k_byeother)" \
	test "$k_bye2" = "$k_n2" -a "$k_nobye1" = "$k_n1" -a "$k_byeother" = 0
ktap_finish
