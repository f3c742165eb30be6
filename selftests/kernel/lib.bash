# SPDX-License-Identifier: GPL-2.0
# Helpers for kice.ko's shell selftests (sourced; not a test itself).
#
#   kice_load                  load kice.ko ($KICE_KO) and its dependencies
#   kice_topo                  namespaces r (relay), a and b:
#                                a 192.0.2.2 2001:db8:a::2  <-> r 192.0.2.1 2001:db8:a::1
#                                b 198.51.100.2 2001:db8:b::2 <-> r 198.51.100.1 2001:db8:b::1
#   kt NS ARGS...              kice-ktool in namespace NS
#   kt_bg NS OUT ARGS...       same in the background, output to OUT; waits
#                              for its "ready" line; pid in $KT_PID
#   kv FILE KEY                value of KEY=... in FILE (first match)
#   wait_grep FILE PATTERN [S] wait up to S seconds for PATTERN in FILE
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
export PATH=$top/build/out/bin:$PATH
KICE_KO=${KICE_KO:-$top/build/kmod/$(uname -r)/kernel/kice.ko}
TMPD=$(mktemp -d)
_kt_pids=()

kice_cleanup() {
	local p
	for p in "${_kt_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ns_cleanup
	rm -rf "$TMPD"
}
trap kice_cleanup EXIT

kice_load() {
	[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
	[ -f "$KICE_KO" ] || ktap_skip_all "no module $KICE_KO"
	command -v kice-ktool >/dev/null || ktap_skip_all "kice-ktool not built (make agent)"
	modprobe -q udp_tunnel 2>/dev/null
	modprobe -q ip6_udp_tunnel 2>/dev/null
	lsmod | grep -q '^kice ' || insmod "$KICE_KO" || ktap_skip_all "insmod failed"
}

kice_topo() {
	ns_new r >/dev/null && ns_new a >/dev/null && ns_new b >/dev/null || return 1
	ns_link a va 192.0.2.2/24 r ra 192.0.2.1/24 || return 1
	ns_link b vb 198.51.100.2/24 r rb 198.51.100.1/24 || return 1
	ns_addr a va 2001:db8:a::2/64 && ns_addr r ra 2001:db8:a::1/64 &&
	ns_addr b vb 2001:db8:b::2/64 && ns_addr r rb 2001:db8:b::1/64 || return 1
	# extra sources for spoofing tests
	ns_addr a va 192.0.2.3/24 && ns_addr a va 2001:db8:a::3/64
}

kt() {
	local n=$1
	shift
	ns_exec "$n" kice-ktool "$@"
}

wait_grep() {
	local f=$1 pat=$2 t=${3:-10} i
	for ((i = 0; i < t * 20; i++)); do
		grep -q -- "$pat" "$f" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

kt_bg() {
	local n=$1 out=$2
	shift 2
	# not through a function: $! must be the tool itself
	ip netns exec "$(ns_name "$n")" kice-ktool "$@" >"$out" 2>&1 &
	KT_PID=$!
	_kt_pids+=("$KT_PID")
	wait_grep "$out" '^ready' 20
}

# wait_monitors N [ARGS]: wait (at most 20 s) until N `kicectl monitor ARGS`
# processes (ARGS an extended regex) sleep in poll(2), which they enter only after joining the
# multicast group, so that no event sent next is missed
wait_monitors() {
	local n=$1 end=$((SECONDS + 20)) c pid
	while [ "$SECONDS" -le "$end" ]; do
		c=0
		for pid in $(pgrep -f "^([^ ]*/)?kicectl monitor ${2:-}"); do
			grep -q poll "/proc/$pid/wchan" 2>/dev/null && c=$((c + 1))
		done
		[ "$c" -ge "$n" ] && return 0
		sleep 0.1
	done
	echo "# only $c of $n kicectl monitors listening" >&2
	return 1
}

kv() {
	sed -n "s/^$2=//p" "$1" | head -n1
}
