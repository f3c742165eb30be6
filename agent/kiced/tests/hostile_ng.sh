#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile ng input against a live kiced (issue 12): kiced in a network
# namespace relays three established calls (RTP both ways, 50 packets/s
# each way and media section) while hostile_ng throws seeded hostile
# messages at its ng port: malformed bencode and JSON, deep nesting, huge
# item counts, wrong types, unknown commands, bad cookies, NULs and
# control characters in call-ids, tags, labels, via-branch and direction
# names, over-long strings, invalid and oversized SDP, and re-offers,
# re-answers and deletes aimed at the established calls with wrong tags,
# other addresses or bogus SDP.  Then: kiced is up and answers ping,
# every message got its expected outcome and no call was left by them,
# the established calls are unchanged after every message that names
# them (a query right after each) and kept >= 99% of their media,
# kiced's VmRSS is within 10% of its value after a warm-up, kiced exits
# cleanly, sanitizers said nothing, and its log has no forged, over-long
# or louder-than-info lines from the hostile input.
#
#   HOSTILE_SEED=N      repeat a run (the seed is printed)
#   HOSTILE_COUNT=N     messages after the warm-up (default 30000)
#   HOSTILE_WARMUP=N    warm-up messages, hostile as well (default 30000:
#                       kiced's heap takes that long to reach its size)
#   O=build/out         test the release build (default build/san)
#   HOSTILE_SKIP=a,b    classes not sent (triage: a failing class's effects
#                       can hide others'; skipped classes are TAP SKIPs)
#
# A failing run keeps its logs and the failing messages under
# build/hostile/seed-N/; "hostile_ng dump --seed N --index I" prints
# message I again.
#
# Topology: namespace "k" runs kiced on 198.51.100.1 (ng port 2223; media
# interfaces int = 198.51.100.1, ext = 198.51.100.3); namespace "p" holds
# the offerers (192.0.2.10), the answerers (203.0.113.10) and hostile_ng
# (198.51.100.2), one veth link between them.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"

O=${O:-$top/build/san}
case "$O" in /*) ;; *) O=$top/$O ;; esac
kiced=$O/bin/kiced
gen=$O/bin/hostile_ng
ctl=$O/bin/kicectl
[ "$(id -u)" = 0 ] || ktap_skip_all "needs root (network namespaces)"
[ -x "$kiced" ] && [ -x "$gen" ] && [ -x "$ctl" ] ||
	ktap_skip_all "$O/bin/{kiced,hostile_ng,kicectl} not built"
command -v ip >/dev/null || ktap_skip_all "ip (iproute2) missing"

seed=${HOSTILE_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
count=${HOSTILE_COUNT:-30000}
warmup=${HOSTILE_WARMUP:-30000}
tmp=$(mktemp -d)
kpid=
finish() {
	[ -n "$kpid" ] && kill -KILL "$kpid" 2>/dev/null
	ns_cleanup
	if [ "${_ktap_failed:-0}" != 0 ] || [ "${keep:-0}" = 1 ]; then
		local d=$top/build/hostile/seed-$seed
		rm -rf "$d"; mkdir -p "$(dirname "$d")" && mv "$tmp" "$d" &&
			echo "# logs and failing messages kept in $d"
	fi
	rm -rf "$tmp"
}
trap finish EXIT

nbin=$("$gen" checks)
ktap_plan $((nbin + 5))
ktap_diag "seed $seed (HOSTILE_SEED=$seed repeats this run), $O"

ns_new k >/dev/null && ns_new p >/dev/null &&
ns_link k k0 198.51.100.1/24 p p0 198.51.100.2/24 &&
ns_addr k k0 198.51.100.3/24 &&
ns_addr p p0 192.0.2.10/24 && ns_addr p p0 203.0.113.10/24 &&
ns_route k 192.0.2.0/24 198.51.100.2 &&
ns_route k 203.0.113.0/24 198.51.100.2 ||
	{ ktap_fail "network namespaces"; ktap_finish; }
for n in k p; do
	ns_exec $n sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
done

cat >"$tmp/kiced.conf" <<CONF
# kiced for hostile_ng.sh
[kiced]
foreground = yes
log-level = info
keep-flows = yes
handover-socket = $tmp/handover.sock
handover-wait = 1
[control]
ng-listen = 198.51.100.1:2223
[media]
address = 198.51.100.1
port-min = 20000
port-max = 29999
kernel = no
timeout = 10
interface = int/198.51.100.1
interface = ext/198.51.100.3
CONF

log=$tmp/kiced.log
# Sanitizer reports go to files of their own.  A small quarantine and no
# release of free memory to the system make kiced's VmRSS under ASan the
# high-water mark of its heap, as with glibc (a big quarantine's own,
# ever-new high-water marks would hide what kiced keeps).
san="log_path=$tmp/sanitizer:detect_leaks=1"
ip netns exec "$(ns_name k)" env \
	ASAN_OPTIONS="$san:quarantine_size_mb=2:allocator_release_to_os_interval_ms=-1" \
	UBSAN_OPTIONS="$san:print_stacktrace=1" \
	"$kiced" -c "$tmp/kiced.conf" 2>"$log" &
kpid=$!
up=0
for _ in $(seq 100); do
	ns_exec p timeout 5 "$ctl" ping -s 198.51.100.1:2223 -t 200 \
		>/dev/null 2>&1 && { up=1; break; }
	sleep 0.1
done
ktap_check "kiced starts in its namespace and answers ping" [ $up = 1 ]
[ $up = 1 ] || { sed 's/^/# /' "$log"; ktap_finish; }

# the run: RESULT lines become TAP lines
start=$SECONDS
mkdir -p "$tmp/failing"
ns_exec p "$gen" run --seed "$seed" --pid "$kpid" --count "$count" \
	--warmup "$warmup" --dump-dir "$tmp/failing" \
	${HOSTILE_SKIP:+--skip "$HOSTILE_SKIP"} >"$tmp/run.out" 2>&1
grc=$?
nres=0
while IFS= read -r line; do
	case "$line" in
	"RESULT ok "*) ktap_ok "${line#RESULT ok }"; nres=$((nres + 1)) ;;
	"RESULT fail "*) ktap_fail "${line#RESULT fail }"; nres=$((nres + 1)) ;;
	"#"*) echo "$line" ;;
	*) echo "# $line" ;;
	esac
done <"$tmp/run.out"
[ "$grc" = 0 ] || ktap_diag "hostile_ng exited with $grc"
for ((i = nres; i < nbin; i++)); do ktap_fail "hostile_ng result $((i + 1)) missing"; done
ktap_diag "run took $((SECONDS - start)) s"
t0=$(sed -n 's/^# hostile phase from \([0-9]*\) ms.*/\1/p' "$tmp/run.out")
t1=$(sed -n 's/^# hostile phase until \([0-9]*\) ms.*/\1/p' "$tmp/run.out")

# SIGINT: calls deleted, exit 0 (SIGTERM would hand them on: keep-flows)
rc=dead
if kill -INT "$kpid" 2>/dev/null; then
	for _ in $(seq 100); do
		kill -0 "$kpid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$kpid"
	rc=$?
fi
kpid=
ktap_check "kiced exits cleanly on SIGINT after the run (status $rc)" [ "$rc" = 0 ]
sleep 1.5	# the fd store holder's handover-wait: its sanitizer report

if ls "$tmp"/sanitizer.* >/dev/null 2>&1; then
	head -n 60 "$tmp"/sanitizer.* | sed 's/^/# /'
	ktap_fail "no sanitizer report from kiced (and its fd store)"
else
	ktap_ok "no sanitizer report from kiced (and its fd store)"
fi

# The log: client strings must not forge lines, flood or shout.
bad=$(grep -avcE '^kiced\[[0-9]+\.[0-9]{3}\] (err|warn|notice|info|debug): ' "$log")
forged=$(grep -ac '^kiced\[0\.000\]' "$log")
if [ "$bad" = 0 ] && [ "$forged" = 0 ]; then
	ktap_ok "every kiced log line is its own (no line forged by client strings)"
else
	ktap_fail "every kiced log line is its own: $bad malformed, $forged forged"
	grep -anvE '^kiced\[[0-9]+\.[0-9]{3}\] (err|warn|notice|info|debug): ' "$log" |
		head -n 5 | cut -c1-200 | cat -v | sed 's/^/#   /'
	grep -an '^kiced\[0\.000\]' "$log" | head -n 3 | cut -c1-200 | sed 's/^/#   /'
fi
longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$log")
loud=$(awk -v t0="${t0:-0}" -v t1="${t1:-0}" '
	match($0, /^kiced\[[0-9]+\.[0-9]+\] (err|warn):/) {
		split(substr($0, 7), a, "]"); ms = a[1] * 1000
		if (ms >= t0 && ms <= t1 + 2000) n++
	} END { print n + 0 }' "$log")
ktap_diag "log: $(wc -l <"$log") lines, $(wc -c <"$log") bytes, longest $longest"
if [ "$longest" -le 2048 ] && [ "$loud" = 0 ]; then
	ktap_ok "kiced log: no line over 2048 bytes, nothing above info from hostile input"
else
	ktap_fail "kiced log: longest line $longest bytes, $loud err/warn lines during the hostile run"
	awk -v t0="${t0:-0}" -v t1="${t1:-0}" '
		match($0, /^kiced\[[0-9]+\.[0-9]+\] (err|warn):/) {
			split(substr($0, 7), a, "]"); ms = a[1] * 1000
			if (ms >= t0 && ms <= t1 + 2000 && n++ < 5) print
		}' "$log" | cut -c1-200 | cat -v | sed 's/^/#   /'
fi
ktap_finish
