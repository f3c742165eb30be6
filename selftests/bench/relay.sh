#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Relay benchmark (issue 6): received packets per second of 172-byte RTP
# through one relay namespace, for kice.ko, rtpengine's xt_RTPENGINE, a
# userspace recvmmsg/sendmmsg relay and nft DNAT+SNAT, at 1 and 1,000
# flows, in the same topology and the same VM boot:
#
#   gen (10.1.0.1) --veth-- (10.1.0.2) relay (10.2.0.2) --veth-- (10.2.0.3) sink
#
# On the host it boots one VM per kernel (KICE_BENCH_KERNELS, default every
# supported kernel installed) and runs itself there with --guest.  Method
# and results: selftests/bench/README.
#
# Environment: KICE_BENCH_RELAYS (default "kice rtpengine userspace dnat"),
# KICE_BENCH_FLOWS (default "1 1000"), KICE_BENCH_WARM / KICE_BENCH_WIN
# (seconds of warm-up and of measurement, default 1 and 2),
# KICE_BENCH_SCALE (flows of the kice scale run, default 100000; 0: off),
# KICE_BENCH_REPS (rounds over all relays, best run kept; default 2),
# KICE_BENCH_SINK (veth, the default, or dummy), KICE_BENCH_SINK_RPS (veth
# sink: RPS CPU mask of s0, default 1), KICE_BENCH_SAT (relay CPU busy %
# below which a relay counts as not saturated, default 90).
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)

if [ "${1:-}" != --guest ]; then
	kernels=${KICE_BENCH_KERNELS:-}
	if [ -z "$kernels" ]; then
		# one kernel of each supported series, 6.12 first
		for s in '6.12.*' '6.1.0-*'; do
			v=$(ls -v /boot/vmlinuz-$s-amd64 2>/dev/null | tail -n1)
			[ -n "$v" ] && kernels+=" ${v#/boot/vmlinuz-}"
		done
	fi
	# Without CMPXCHG16B in the guest CPU: with it, guests under load died
	# in SLUB's cmpxchg16b fast path with impossible RFLAGS (see README).
	export KICE_VM_TCG_CPU=${KICE_VM_TCG_CPU:-max,cx16=off}
	rc=0
	for k in $kernels; do
		echo "# relay benchmark on $k; host load average $(cut -d' ' -f1-3 /proc/loadavg)" \
		     "on $(nproc) CPUs"
		"$top/selftests/vm/run" --kernel "$k" --timeout 900 -- \
			"$here/relay.sh" --guest 2>&1 |
			grep --line-buffered -v -E '^kice-vm:|reboot: Power down'
		st=("${PIPESTATUS[@]}")
		[ "${st[0]}" = 0 ] || { echo "# relay benchmark on $k failed"; rc=1; }
	done
	exit $rc
fi

# ---------------------------------------------------------------------------
# In the guest (or natively as root on a kernel that loads modules).

RELAYS=${KICE_BENCH_RELAYS:-kice rtpengine userspace dnat}
FLOWS=${KICE_BENCH_FLOWS:-1 1000}
WARM=${KICE_BENCH_WARM:-1}
WIN=${KICE_BENCH_WIN:-2}
SCALE=${KICE_BENCH_SCALE:-100000}
REPS=${KICE_BENCH_REPS:-2}
BIN=$top/build/out/bench
RTPE_TABLE=42
RTPE_NG=2223

GEN=10.1.0.1 RIN=10.1.0.2 ROUT=10.2.0.2 SINK=10.2.0.3
SPORT=20000 DPORT=40000 RPORT=40000

[ "$(id -u)" = 0 ] || { echo "relay.sh --guest: needs root" >&2; exit 4; }
# Kernel warnings on the console: a WARN taints the kernel and comes
# before any later crash of a relay module, but is below the VM's loglevel.
dmesg -n 5 2>/dev/null
for b in rtp_gen udp_relay; do
	[ -x "$BIN/$b" ] || { echo "relay.sh: $BIN/$b missing (make benches)" >&2; exit 1; }
done

NS_PREFIX=kb$$
. "$top/selftests/lib/netns.sh"
tmp=$(mktemp -d /tmp/kice-bench.XXXXXX)
bg_pids=()
cleanup() {
	local p
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ns_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# The sink: "veth" (default) is the peer s0 of a veth r1 in a sink
# namespace; "dummy" is a dummy device r1 in the relay namespace (the
# relay's egress; its transmit frees the packet).  See README, "The sink".
SINK_MODE=${KICE_BENCH_SINK:-veth}
case $SINK_MODE in
dummy) SINK_NS=relay SINK_DEV=r1 SINK_HOOK=egress ;;
veth) SINK_NS=sink SINK_DEV=s0 SINK_HOOK=ingress ;;
*) echo "relay.sh: KICE_BENCH_SINK must be dummy or veth" >&2; exit 2 ;;
esac
ns_new gen >/dev/null && ns_new relay >/dev/null &&
ns_link gen g0 "$GEN/24" relay r0 "$RIN/24" &&
if [ "$SINK_MODE" = veth ]; then
	ns_new sink >/dev/null && ns_link relay r1 "$ROUT/24" sink s0 "$SINK/24"
else
	ip -n "$NS_PREFIX-relay" link add r1 type dummy &&
	ns_exec relay sysctl -qw net.ipv6.conf.r1.disable_ipv6=1 &&
	ns_addr relay r1 "$ROUT/24" && ip -n "$NS_PREFIX-relay" link set r1 up
fi &&
ns_router relay || { echo "relay.sh: topology setup failed" >&2; exit 1; }

# Two CPUs: the generator runs on CPU 0; RPS on the relay's ingress veth
# moves the relaying (softirq, and the userspace relays' processes) to
# CPU 1, so the rate measured is what one relay CPU forwards, not the
# generator's own speed.  With the veth sink, RPS on s0 brings the sink's
# work back to CPU 0 (KICE_BENCH_SINK_RPS, CPU mask; 0: none, the sink
# on the relay CPU).  With one CPU everything shares it.
# A longer backlog absorbs the generator's bursts while the relay vCPU is
# descheduled by the host (the guest is the only user of this sysctl).
sysctl -qw net.core.netdev_max_backlog=10000
GEN_CPU= RELAY_CPU=
if [ "$(nproc)" -ge 2 ]; then
	GEN_CPU="taskset -c 0" RELAY_CPU="taskset -c 1"
	ns_exec relay sh -c 'echo 2 >/sys/class/net/r0/queues/rx-0/rps_cpus' &&
	{ [ "$SINK_MODE" != veth ] ||
	  ns_exec sink sh -c "echo ${KICE_BENCH_SINK_RPS:-1} >/sys/class/net/s0/queues/rx-0/rps_cpus"; } ||
		{ echo "relay.sh: cannot set RPS" >&2; exit 1; }
fi

# The check of what arrives: an nft counter of relayed RTP (from the
# relay's egress address to the sink's, UDP length 8 + 172) at the
# sink's ingress (then dropped: the sink's stack costs nothing) or at the
# dummy's egress (then transmitted, which frees it).
verdict=drop
[ "$SINK_HOOK" = egress ] && verdict=accept
ns_exec "$SINK_NS" nft -f - <<-EOF || exit 1
	table netdev bench {
		counter relayed { }
		chain sink {
			type filter hook $SINK_HOOK device "$SINK_DEV" priority 0; policy accept;
			ip saddr $ROUT ip daddr $SINK udp length 180 counter name "relayed" $verdict
		}
	}
EOF
RMAC=$(ns_exec relay cat /sys/class/net/r0/address)
# Resolve neighbours once so the first measured packets do not wait on ARP.
ns_exec gen ping -q -c1 -W2 "$RIN" >/dev/null
[ "$SINK_MODE" = veth ] && ns_exec relay ping -q -c1 -W2 "$SINK" >/dev/null

# ns_bg NS CMD...: like ns_exec, for "&": $! is then the command's own pid.
ns_bg() {
	local n=$NS_PREFIX-$1
	shift
	exec ip netns exec "$n" "$@"
}


# The window is sampled with shell builtins only: under TCG on a busy host
# every process started (nft, ip netns exec, even awk) can take long enough
# to shift the window past the generator's end.  snap sets S_T (seconds,
# microsecond resolution), S_SINK (packets received on s0 or sent on the
# dummy r1, from /proc/PID/net/dev of a process in its namespace), S_IDLE (idle+iowait USER_HZ ticks of the
# relay CPU) and S_GEN (packets the running rtp_gen has sent).
ns_bg "$SINK_NS" sleep 3600 &
sink_pid=$!
bg_pids+=("$sink_pid")
mkfifo "$tmp/never"
exec {never}<>"$tmp/never"
nap() { read -r -t "$1" -u "$never" _; }

snap() {
	local l c
	S_T=${EPOCHREALTIME/[.,]/}
	while read -r l; do
		case $l in "$SINK_DEV:"*)
			set -- ${l#"$SINK_DEV:"}
			if [ "$SINK_HOOK" = egress ]; then S_SINK=${10}; else S_SINK=$2; fi
			break ;;
		esac
	done <"/proc/$sink_pid/net/dev"
	c=cpu
	[ -n "$RELAY_CPU" ] && c=cpu1
	while read -r l; do
		case $l in "$c "*) set -- $l; S_IDLE=$(( $5 + $6 )); break ;; esac
	done </proc/stat
	S_GEN=0
	[ -s "$tmp/gen.count" ] && read -r S_GEN <"$tmp/gen.count"
	S_GEN=${S_GEN:-0}
}

# 180-byte UDP packets from the relay counted by the sink's nft rule
sink_nft_count() {
	ns_exec "$SINK_NS" nft list counter netdev bench relayed |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# The relay CPU's busy share is 1 - idle / wall time: idle time is
# measured from the clock, while busy ticks are sampled and get lost
# whenever the host deschedules the vCPU thread (time the host takes
# counts as busy).
HZ_USER=$(getconf CLK_TCK)
NCPU_RELAY=1
[ -n "$RELAY_CPU" ] || NCPU_RELAY=$(nproc)

# measure R N ARGS...: run rtp_gen with ARGS for WARM+WIN+2 seconds; the
# sink's received packets per second over the WIN-second window after the
# warm-up go to pps[R,N], the relay CPU's busy share to busy[R,N] (%) and
# the rate per busy relay CPU second to cap[R,N].  Of several runs (REPS)
# the fastest is kept: the shared host only ever slows a run down.
measure() {
	local r=$1 n=$2 c1 c2 t1 t2 gpid b1 b2 g1 g2 n1 n2 p b c g i
	shift 2
	n1=$(sink_nft_count)
	rm -f "$tmp/gen.count"
	ns_bg gen timeout -k 2 $((WARM + WIN + 20)) $GEN_CPU "$BIN/rtp_gen" \
		-s "$GEN" -d "$RIN" -i g0 -m "$RMAC" -t $((WARM + WIN + 2)) \
		-o "$tmp/gen.count" "$@" \
		>"$tmp/gen.out" &
	gpid=$!
	# the warm-up starts with the first packet sent
	for ((i = 0; i < 100; i++)); do
		snap
		[ "$S_GEN" -gt 0 ] && break
		nap 0.1
	done
	nap "$WARM"
	snap
	t1=$S_T c1=$S_SINK b1=$S_IDLE g1=$S_GEN
	nap "$WIN"
	snap
	t2=$S_T c2=$S_SINK b2=$S_IDLE g2=$S_GEN
	wait "$gpid"
	t1=$(echo "scale=6; $t1 / 1000000" | bc) t2=$(echo "scale=6; $t2 / 1000000" | bc)
	n2=$(sink_nft_count)
	p=$(echo "($c2 - $c1) / ($t2 - $t1)" | bc)
	g=$(echo "($g2 - $g1) / ($t2 - $t1)" | bc)
	b=$(echo "b = 100 - ($b2 - $b1) * 100 / ($HZ_USER * $NCPU_RELAY * ($t2 - $t1));
		  if (b < 1) b = 1; if (b > 100) b = 100; scale = 0; b / 1" | bc)
	c=$(( p * 100 / (b > 0 ? b : 1) ))
	LAST_PPS=$p
	if [ -z "${pps[$r,$n]:-}" ] || [ "$p" -gt "${pps[$r,$n]}" ]; then
		pps[$r,$n]=$p busy[$r,$n]=$b cap[$r,$n]=$c
	fi
	echo "# $r $n flows: rtp_gen $(cat "$tmp/gen.out"), ${g} pps in the window;" \
	     "sink ${p} pps; relay CPU ${b}% busy; ${c} pps per CPU;" \
	     "$((n2 - n1)) relayed 180-byte packets counted in all" >&2
}

declare -A pps busy cap why

# ---- userspace recvmmsg/sendmmsg relay
# An in-kernel relay holds the generator back (the ring's frames come back
# only once relayed); udp_relay does not: its socket takes or drops every
# packet in the receive softirq, and beyond its rate that softirq work
# starves the relay thread on the same CPU (receive livelock).  So besides
# the unpaced run it gets offered rates from a ladder, x1.5 from
# USER_RATE0 pps while the sink gets at least 90% of the offered rate;
# its fastest run is kept as for every relay.
USER_RATE0=${KICE_BENCH_USER_RATE0:-8000}
run_userspace() {
	local n=$1 pid i rate
	ns_bg relay timeout -k 2 300 $RELAY_CPU "$BIN/udp_relay" -l "$RIN:$RPORT" \
		-o "$ROUT:$RPORT" -d "$SINK" -n "$n" -p "$SPORT" -P "$DPORT" \
		-S 1 -t 290 >"$tmp/relay.out" 2>&1 &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		grep -q ready "$tmp/relay.out" && break
		sleep 0.1
	done
	measure userspace "$n" -n "$n" -p "$SPORT" -P "$RPORT" -S 0
	for ((rate = USER_RATE0; rate <= 1000000; rate = rate * 3 / 2)); do
		measure userspace "$n" -n "$n" -p "$SPORT" -P "$RPORT" -S 0 -r "$rate"
		[ $((LAST_PPS * 10)) -ge $((rate * 9)) ] || break
	done
	kill "$pid" 2>/dev/null
	wait "$pid"
	echo "# udp_relay: $(tail -n1 "$tmp/relay.out");" \
	     "UDP receive buffer errors so far: $(ns_exec relay awk '$1 == "Udp:" {
		if (!h) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") h = i } else print $h }' \
		/proc/net/snmp)" >&2
}

# ---- nft DNAT + SNAT in the relay namespace
run_dnat() {
	local n=$1 ct
	ns_exec relay nft -f - <<-EOF || { why[dnat]="nft setup failed"; return 1; }
		table ip bench_nat {
			chain pre {
				type nat hook prerouting priority dstnat; policy accept;
				ip daddr $RIN udp dport $RPORT dnat to $SINK
			}
			chain post {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "r1" snat to $ROUT
			}
		}
	EOF
	measure dnat "$n" -n "$n" -p "$SPORT" -P "$RPORT" -S 0
	ct=$(ns_exec relay cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null)
	echo "# dnat: $ct conntrack entries" >&2
	ns_exec relay nft delete table ip bench_nat
}

# ---- rtpengine with xt_RTPENGINE
rtpe_pid=
# rtpe_rule -I|-D: the RTPENGINE rule is in place only while rtpengine is
# measured, so that the other relays do not pay for it.
rtpe_rule() {
	ns_exec relay iptables "$1" INPUT -p udp --dport 30000:39999 \
		-j RTPENGINE --id "$RTPE_TABLE"
}

rtpe_start() {
	local i
	modprobe xt_RTPENGINE 2>"$tmp/modprobe.err" ||
		{ why[rtpengine]="modprobe xt_RTPENGINE: $(head -c 200 "$tmp/modprobe.err")"; return 1; }
	echo "del $RTPE_TABLE" >/proc/rtpengine/control 2>/dev/null
	rtpe_rule -I || { why[rtpengine]="iptables RTPENGINE rule failed"; return 1; }
	rtpe_rule -D
	ns_bg relay timeout -k 2 900 $RELAY_CPU rtpengine --config-file=none \
		--table="$RTPE_TABLE" --no-fallback --foreground --log-stderr --no-log-timestamps \
		--log-level="${KICE_BENCH_RTPE_LOG:-4}" --endpoint-learning=immediate \
		--interface="gen/$RIN" --interface="sink/$ROUT" \
		--listen-ng="127.0.0.1:$RTPE_NG" --port-min=30000 --port-max=39999 \
		--timeout=3600 --silent-timeout=3600 \
		>"$tmp/rtpe.log" 2>&1 &
	rtpe_pid=$!
	bg_pids+=("$rtpe_pid")
	for ((i = 0; i < 100; i++)); do
		ns_exec relay ss -Hlnu "sport = :$RTPE_NG" | grep -q . && return 0
		kill -0 "$rtpe_pid" 2>/dev/null || break
		sleep 0.2
	done
	why[rtpengine]="rtpengine did not start: $(tail -n2 "$tmp/rtpe.log" | tr '\n' ' ')"
	return 1
}


# Packets the kernel forwarded for table N: the sum of the "packets"
# counters of its targets in /proc/rtpengine/N/list.
rtpe_kernel_packets() {
	awk '$1 == "stats:" && $5 ~ /^packets/ { s += $4 } END { print s + 0 }' \
		"/proc/rtpengine/$RTPE_TABLE/list" 2>/dev/null
}

# One rtpengine for every flow count: the calls of the 1-flow run stay and
# the next run adds calls up to its count.  It is not stopped until the
# guest ends (see README: tearing xt_RTPENGINE tables down crashed 6.12).
rtpe_calls=0
run_rtpengine() {
	local n=$1 k0 k1 t0 i prev
	if [ -z "$rtpe_pid" ]; then
		rtpe_start || return 1
	fi
	t0=$(date +%s.%N)
	if [ "$rtpe_calls" -lt "$n" ] &&
	   ! ns_exec relay timeout 300 perl "$here/rtpengine-calls.pl" "$RTPE_NG" \
		"$rtpe_calls" "$n" "$GEN" "$SPORT" "$SINK" "$DPORT" 2 "$tmp/flows" \
		2>"$tmp/calls.err"; then
		why[rtpengine]="call setup failed: $(head -c 200 "$tmp/calls.err")"
		return 1
	fi
	echo "# rtpengine: calls $rtpe_calls..$((n - 1)) created in" \
	     "$(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s" >&2
	rtpe_calls=$n
	head -n "$n" "$tmp/flows" >"$tmp/flows.$n"
	# rtpengine learns each caller's address from its first packet and
	# only then hands the stream to the kernel: prime every flow first.
	rtpe_rule -I
	for i in 1 2; do	# twice: a priming packet may be lost in a burst
		ns_exec gen timeout 10 "$BIN/rtp_gen" -s "$GEN" -d "$RIN" \
			-f "$tmp/flows.$n" -c $((2 * n)) >/dev/null
		sleep 1
	done
	k0=$(rtpe_kernel_packets)
	prev=("${pps[rtpengine,$n]:-}" "${busy[rtpengine,$n]:-}" "${cap[rtpengine,$n]:-}")
	measure rtpengine "$n" -f "$tmp/flows.$n"
	k1=$(rtpe_kernel_packets)
	rtpe_rule -D
	echo "# rtpengine: xt_RTPENGINE forwarded $((k1 - k0)) packets during the run" \
	     "($(grep -c '^local' "/proc/rtpengine/$RTPE_TABLE/list") kernel targets)" >&2
	if [ "${KICE_BENCH_DEBUG:-0}" = 1 ]; then
		head -n 20 "/proc/rtpengine/$RTPE_TABLE/list" >&2
		cp "$tmp/rtpe.log" "$top/build/bench-rtpengine.log"
	fi
	# A run that xt_RTPENGINE did not forward does not count; an earlier
	# run's result stays.
	if [ "$((k1 - k0))" -le 0 ]; then
		echo "# rtpengine: packets did not go through xt_RTPENGINE" \
		     "(sink ${pps[rtpengine,$n]} pps); run discarded" >&2
		pps[rtpengine,$n]=${prev[0]} busy[rtpengine,$n]=${prev[1]} cap[rtpengine,$n]=${prev[2]}
		[ -n "${prev[0]}" ] ||
			why[rtpengine]="packets did not go through xt_RTPENGINE at $n flows"
	fi
}

# ---- kice.ko
KICE_KO=${KICE_KO:-$top/build/kmod/$(uname -r)/kernel/kice.ko}
kice_pid=

kice_load() {
	[ -d /sys/module/kice ] && return 0
	[ -x "$BIN/kice_flows" ] || { why[kice]="$BIN/kice_flows not built (no uapi header)"; return 1; }
	[ -f "$KICE_KO" ] || { why[kice]="$KICE_KO not built"; return 1; }
	for m in $(modinfo -F depends "$KICE_KO" | tr , ' '); do
		modprobe -q "$m"
	done
	insmod "$KICE_KO" 2>"$tmp/insmod.err" ||
		{ why[kice]="insmod: $(head -c 200 "$tmp/insmod.err")"; return 1; }
}

# kice_install N FILE: start kice_flows with N flows (flows for rtp_gen in
# FILE); sets kice_pid and kice_installed (its "installed ..." line).
kice_install() {
	local n=$1 f=$2 i
	ns_bg relay timeout -k 2 900 "$BIN/kice_flows" -a "$RIN:$RPORT" -b "$ROUT" \
		-r "$GEN" -p "$SPORT" -R "$SINK" -P "$DPORT" -n "$n" -f "$f" -t 800 \
		>"$tmp/kice.out" 2>&1 &
	kice_pid=$!
	bg_pids+=("$kice_pid")
	for ((i = 0; i < 6000; i++)); do
		grep -q '^ready' "$tmp/kice.out" && break
		kill -0 "$kice_pid" 2>/dev/null || break
		sleep 0.1
	done
	kice_installed=$(grep '^installed' "$tmp/kice.out")
	if [ -z "$kice_installed" ]; then
		why[kice]="kice_flows: $(tr '\n' ' ' <"$tmp/kice.out" | head -c 300)"
		kice_stop
		return 1
	fi
	echo "# kice: $kice_installed" >&2
}

kice_stop() {
	[ -n "$kice_pid" ] && kill "$kice_pid" 2>/dev/null && wait "$kice_pid" 2>/dev/null
	kice_pid=
}

run_kice() {
	local n=$1
	kice_load || return 1
	kice_install "$n" "$tmp/kflows.$n" || return 1
	measure kice "$n" -f "$tmp/kflows.$n"
	kice_stop
}

slab_kb() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }

# flow_scale: SCALE flows installed at once (install rate, slab memory per
# flow) and the relay rate with traffic over all of them vs one flow.
kice_scale() {
	local s0 s1
	[ "$SCALE" -gt 0 ] && [ -n "${pps[kice,1]:-}" ] || return 0
	sync
	echo 2 >/proc/sys/vm/drop_caches
	s0=$(slab_kb)
	kice_install "$SCALE" "$tmp/kflows.scale" || { scale_line="n/a: ${why[kice]}"; return 1; }
	s1=$(slab_kb)
	measure kice scale -f "$tmp/kflows.scale"
	kice_stop
	scale_line="flows=$SCALE install_rate=$(echo "$kice_installed" |
		sed -n 's/.*(\([0-9]*\) flows\/s).*/\1/p')/s"
	scale_line+=" slab_per_flow=$(( (s1 - s0) * 1024 / SCALE ))B"
	scale_line+=" pps=${pps[kice,scale]} pps_1flow=${pps[kice,1]}"
	scale_line+=" ratio_vs_1flow=$(ratio "${pps[kice,scale]:-}" "${pps[kice,1]:-}")"
	grep -i kice /proc/slabinfo >&2
}

ratio() {
	[ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] || { echo n/a; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'
}

echo "# kernel $(uname -r), $(nproc) CPUs, 172-byte RTP, warm-up ${WARM}s, window ${WIN}s, best of $REPS"
# Flow count outside, relays inside: the runs compared with each other
# are close in time (the host's load drifts).
for n in $FLOWS; do
	for ((rep = 0; rep < REPS; rep++)); do
		for r in $RELAYS; do
			[ -n "${why[$r]:-}" ] || "run_$r" "$n"
		done
	done
done
[[ " $RELAYS " == *" kice "* ]] && kice_scale

# relay_pps: received at the sink; relay_cpu: busy share of the relay
# CPU; ratios: of relay_pps (the comparison when every relay's CPU is
# saturated), then of the rates per busy relay CPU second (for reference).
SAT=${KICE_BENCH_SAT:-90}
for n in $FLOWS; do
	l1="relay_pps_${n}flows:" l2="relay_cpu_${n}flows:" l3="relay_pps_per_cpu_${n}flows:"
	unsat=
	for r in kice rtpengine userspace dnat; do
		l1+=" $r=${pps[$r,$n]:-n/a}"
		l2+=" $r=${busy[$r,$n]:-n/a}${busy[$r,$n]:+%}"
		l3+=" $r=${cap[$r,$n]:-n/a}"
		[ -n "${pps[$r,$n]:-}" ] && [ "${busy[$r,$n]}" -lt "$SAT" ] &&
			unsat+=" $r (${busy[$r,$n]}%)"
	done
	echo "$l1"
	echo "$l2"
	echo "$l3"
	kr=${pps[kice,$n]:-} kc=${cap[kice,$n]:-}
	echo "relay_ratio_${n}flows: kice/rtpengine=$(ratio "$kr" "${pps[rtpengine,$n]:-}")" \
	     "kice/userspace=$(ratio "$kr" "${pps[userspace,$n]:-}")" \
	     "kice/dnat=$(ratio "$kr" "${pps[dnat,$n]:-}")" \
	     "(of relay_pps; per busy relay CPU second:" \
	     "$(ratio "$kc" "${cap[rtpengine,$n]:-}")" \
	     "$(ratio "$kc" "${cap[userspace,$n]:-}") $(ratio "$kc" "${cap[dnat,$n]:-}"))"
	[ -z "$unsat" ] ||
		echo "# ${n} flows: relay CPU below ${SAT}% busy for$unsat: the generator," \
		     "not the relay, limited relay_pps there"
done
[ "$SCALE" -gt 0 ] && echo "flow_scale: ${scale_line:-n/a: needs kice results}"
for r in kice rtpengine userspace dnat; do
	[ -n "${why[$r]:-}" ] && echo "# $r=n/a: ${why[$r]}"
done
exit 0
