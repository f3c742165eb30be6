# SPDX-License-Identifier: GPL-2.0
# Shared by the tests of kiced against real peers (nice_interop.sh,
# chromium_interop.sh).  Source after selftests/lib/{ktap,netns}.sh.
#
#   peers_init PEER   root, kiced/kicectl ($bin) or skip all; $tmp; the
#                     namespaces "gw" (203.0.113.1) and PEER (203.0.113.2)
#                     on one veth link, its carrier up (libnice and
#                     Chromium gather on running interfaces only)
#   peers_kiced ARGS  kiced in "gw", ng on 203.0.113.1:2223, media ports
#                     30000-30199 on 203.0.113.1, log $tmp/kiced.log; in
#                     userspace unless KICE_RELAY=kernel (then kice.ko
#                     must be loaded); skips all when it does not start
#   peers_ctl ARGS    kicectl against it, from "gw"
#   peers_metrics     its Prometheus metrics (http://203.0.113.1:9104)
#   peers_cleanup     stops kiced and the processes in $PEERS_PIDS,
#                     removes the namespaces and $tmp (the EXIT trap)

peers_init() {
	local d
	bin=
	for d in build/san/bin build/out/bin; do
		[ -x "$d/kiced" ] && [ -x "$d/kicectl" ] && { bin=$d; break; }
	done
	[ "$(id -u)" = 0 ] || ktap_skip_all "needs root (network namespaces)"
	[ -n "$bin" ] || ktap_skip_all "kiced/kicectl not built"
	if [ "${KICE_RELAY:-userspace}" = kernel ] && [ ! -d /sys/module/kice ]; then
		ktap_skip_all "kice.ko not loaded"
	fi
	tmp=$(mktemp -d)
	PEERS_PIDS=
	PEERS_KPID=
	trap peers_cleanup EXIT
	ns_new gw >/dev/null && ns_new "$1" >/dev/null &&
		ns_link gw eth0 203.0.113.1/24 "$1" eth0 203.0.113.2/24 ||
		ktap_skip_all "cannot create network namespaces"
	for _ in $(seq 50); do
		ip -n "$(ns_name "$1")" link show eth0 | grep -q LOWER_UP && break
		sleep 0.1
	done
}

peers_cleanup() {
	local p
	for p in $PEERS_PIDS $PEERS_KPID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	ns_cleanup
	rm -rf "$tmp"
}

peers_ctl() { ns_exec gw timeout 10 "$bin/kicectl" "$@" -s 203.0.113.1:2223 -t 500; }
peers_metrics() { ns_exec gw curl -s -m 5 http://203.0.113.1:9104/metrics; }

peers_kiced() {
	local k=(--no-kernel)
	[ "${KICE_RELAY:-userspace}" = kernel ] && k=()
	ip netns exec "$(ns_name gw)" "$bin/kiced" -f --ng-listen 203.0.113.1:2223 \
		--metrics-listen 203.0.113.1:9104 \
		--media-address 203.0.113.1 --port-min 30000 --port-max 30199 \
		"${k[@]}" "$@" 2>"$tmp/kiced.log" &
	PEERS_KPID=$!
	for _ in $(seq 50); do
		peers_ctl ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	sed 's/^/# /' "$tmp/kiced.log"
	ktap_skip_all "kiced did not start"
}
