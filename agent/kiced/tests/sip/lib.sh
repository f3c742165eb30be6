# SPDX-License-Identifier: GPL-2.0
# The SIP harness of kamailio_interop.sh, kamailio_load.sh and
# kamailio_nodes.sh: Debian's Kamailio with its own rtpengine module
# (kamailio.cfg here) in front of kiced, sipp (Debian's sip-tester) as
# caller and callee.  Source after selftests/lib/{ktap,netns}.sh, from the
# top of the tree.
#
#   sip_init            root, kamailio, sipp, kiced/kicectl ($bin) or skip
#                       all; $tmp, $sip, $relay; the namespaces "gw"
#                       (203.0.113.1 to the caller, 198.51.100.1 to the
#                       callee), "uac" (203.0.113.2) and "uas"
#                       (198.51.100.2), RTP counters in both
#   sip_relay PMAX ARGS relay node 1: sip_node 1 PMAX ARGS
#   sip_node N PMAX ARGS  relay node N (1-3) in "gw" on node_addr N: ng on
#                       ADDR:2223, metrics on ADDR:9104, media ports
#                       30000-PMAX on ADDR, log $tmp/kiced.log (node 1) or
#                       $tmp/kiced-N.log; its pid in SIP_NODE_PID[N] (node
#                       1's also in SIP_RELAY_PID); by KICE_RELAY:
#                       userspace (the default), kernel (kice.ko must be
#                       loaded) or rtpengine (Debian's, the reference, in
#                       kiced's place); ARGS go to kiced
#   node_addr N         203.0.113.1 for node 1, 203.0.113.(N+1) for N > 1
#                       (in gw's eth0, added by sip_node)
#   sip_kamailio FLAGS  Kamailio in "gw" on 203.0.113.1:5060, new INVITEs to
#                       the callee, rtpengine_manage("FLAGS"); again: the
#                       previous one stopped first.  Its rtpengine set is
#                       SIP_NG (default "udp:203.0.113.1:2223", node 1;
#                       several nodes: "udp:A:P=WEIGHT udp:B:P=WEIGHT"), the
#                       module's rtpengine_tout_ms, rtpengine_retr and
#                       rtpengine_disable_tout SIP_TOUT_MS (2000), SIP_RETR
#                       (5) and SIP_DISABLE_TOUT (60)
#   ctl ARGS            kicectl against node 1
#   nctl N ARGS         kicectl against node N
#   metrics             kiced's Prometheus metrics (http://203.0.113.1:9104)
#   count NS rx|tx      RTP counted by nftables on port 6000 in NS (uac,
#                       uas): rx from any node, tx to one; rxN, txN: from,
#                       to node N only
#   ncalls [N], ports [N]  node N's (default 1) calls; its media sockets
#   sip_load NAME CALLS RATE  the load scenario (load-*.xml): the callee's
#                       sipp, then the caller's placing CALLS calls at RATE
#                       per second through Kamailio, both in the background
#                       (SIP_UAS_PID, SIP_UAC_PID), bounded to CALLS/RATE +
#                       40 s; errors in $tmp/ua[cs]-NAME.err
#   sip_show NAME       the sipp errors of NAME, Kamailio's and the relays' logs
#   cpu_ticks           CPU time the relay has used (utime + stime, ticks)
# $SIP_PIDS: processes stopped at exit.  KEEP=DIR keeps $tmp there.
# SIP_BIN=DIR: kiced and kicectl from DIR (default build/san/bin, then
# build/out/bin).

SIP_NODES=3
declare -A SIP_NODE_PID=()

node_addr() { if [ "$1" = 1 ]; then echo 203.0.113.1; else echo "203.0.113.$(($1 + 1))"; fi; }

sip_init() {
	local d
	[ "$(id -u)" = 0 ] || ktap_skip_all "needs root (network namespaces)"
	command -v kamailio >/dev/null && command -v sipp >/dev/null ||
		ktap_skip_all "kamailio or sipp missing (.ci/deps installs kamailio and sip-tester)"
	[ -f /usr/share/sip-tester/g711a.pcap ] || ktap_skip_all "sipp's g711a.pcap missing"
	bin=
	for d in ${SIP_BIN:-} build/san/bin build/out/bin; do
		[ -x "$d/kiced" ] && [ -x "$d/kicectl" ] && { bin=$d; break; }
	done
	[ -n "$bin" ] || ktap_skip_all "kiced/kicectl not built"
	relay=${KICE_RELAY:-userspace}
	if [ "$relay" = kernel ] && [ ! -d /sys/module/kice ]; then
		ktap_skip_all "kice.ko not loaded"
	fi
	[ "$relay" = rtpengine ] && ! command -v rtpengine >/dev/null &&
		ktap_skip_all "rtpengine missing"
	sip=$top/agent/kiced/tests/sip
	tmp=$(mktemp -d)
	SIP_PIDS=()
	trap sip_cleanup EXIT
	ns_new gw >/dev/null && ns_new uac >/dev/null && ns_new uas >/dev/null &&
		ns_link gw eth0 203.0.113.1/24 uac eth0 203.0.113.2/24 &&
		ns_link gw eth1 198.51.100.1/24 uas eth0 198.51.100.2/24 &&
		ns_route uac default 203.0.113.1 && ns_route uas default 198.51.100.1 ||
		ktap_skip_all "cannot create network namespaces"
	# rx, tx: from, to any node; rxN, txN: node N's
	local n all= cnt= rin= rout=
	for n in $(seq $SIP_NODES); do
		all+="${all:+, }$(node_addr $n)"
		cnt+="counter rx$n {}"$'\n'"counter tx$n {}"$'\n'
		rin+="udp dport 6000 ip saddr $(node_addr $n) counter name rx$n"$'\n'
		rout+="udp sport 6000 ip daddr $(node_addr $n) counter name tx$n"$'\n'
	done
	for d in uac uas; do
		ns_exec $d nft -f - <<-EOF || ktap_skip_all "nftables does not work here"
		table inet kice_count {
			counter rx {}
			counter tx {}
			$cnt
			chain in {
				type filter hook input priority 0;
				udp dport 6000 ip saddr { $all } counter name rx
				$rin
			}
			chain out {
				type filter hook output priority 0;
				udp sport 6000 ip daddr { $all } counter name tx
				$rout
			}
		}
		EOF
	done
}

sip_cleanup() {
	local p
	[ -n "${KEEP:-}" ] && cp -r "$tmp" "$KEEP"
	for p in "${SIP_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	ns_cleanup
	rm -rf "$tmp"
}

ctl() { nctl 1 "$@"; }
nctl() {
	local a
	a=$(node_addr "$1")
	shift
	ns_exec gw timeout 10 "$bin/kicectl" "$@" -s "$a:2223" -t 1000
}
metrics() { ns_exec gw curl -s -m 5 http://203.0.113.1:9104/metrics; }

sip_relay() { sip_node 1 "$@"; }

sip_node() {
	local n=$1 pmax=$2 k=(--no-kernel) a log=$tmp/kiced.log pid
	shift 2
	a=$(node_addr "$n")
	SIP_PMAX=$pmax
	if [ "$n" != 1 ]; then
		log=$tmp/kiced-$n.log
		ns_exec gw ip -4 addr show dev eth0 | grep -q "inet $a/" ||
			ns_exec gw ip addr add "$a/24" dev eth0 ||
			ktap_skip_all "cannot add $a to gw"
	fi
	if [ "$relay" = rtpengine ]; then
		# ip netns exec, not ns_exec: $! is then the relay itself
		ip netns exec "$(ns_name gw)" rtpengine --config-file=none -f -E --table=-1 \
			--interface="$a" --listen-ng="$a:2223" \
			--port-min=30000 --port-max="$pmax" --delete-delay=0 \
			--log-level=6 >"$log" 2>&1 &
	else
		[ "$relay" = kernel ] && k=()
		ip netns exec "$(ns_name gw)" "$bin/kiced" -f -l info --ng-listen "$a:2223" \
			--metrics-listen "$a:9104" \
			--media-address "$a" --port-min 30000 --port-max "$pmax" \
			"${k[@]}" "$@" 2>"$log" &
	fi
	pid=$!
	SIP_NODE_PID[$n]=$pid
	[ "$n" = 1 ] && SIP_RELAY_PID=$pid
	SIP_PIDS+=($pid)
	for _ in $(seq 50); do
		nctl "$n" ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	sed 's/^/# /' "$log"
	ktap_skip_all "the media relay (node $n) did not start"
}

sip_kamailio() {
	if [ -n "${SIP_KAM_PID:-}" ]; then
		# another run: a new Kamailio with the new flags
		kill "$SIP_KAM_PID" 2>/dev/null && wait "$SIP_KAM_PID" 2>/dev/null
		for _ in $(seq 50); do
			ns_exec gw ss -lun | grep -q '203.0.113.1:5060' || break
			sleep 0.1
		done
	fi
	sed -e "s|@PROXY@|203.0.113.1|" -e "s|@CALLEE@|198.51.100.2:5060|" \
		-e "s|@NG@|${SIP_NG:-udp:203.0.113.1:2223}|" -e "s|@MANAGE@|$1|" \
		-e "s|@TOUT_MS@|${SIP_TOUT_MS:-2000}|" -e "s|@RETR@|${SIP_RETR:-5}|" \
		-e "s|@DISABLE_TOUT@|${SIP_DISABLE_TOUT:-60}|" \
		"$sip/kamailio.cfg" >"$tmp/kamailio.cfg"
	mkdir -p "$tmp/run"
	ns_exec gw kamailio -DD -E -m 64 -M 8 -Y "$tmp/run" -f "$tmp/kamailio.cfg" \
		>>"$tmp/kamailio.log" 2>&1 &
	SIP_KAM_PID=$!
	SIP_PIDS+=($!)
	for _ in $(seq 50); do
		ns_exec gw ss -lun | grep -q '203.0.113.1:5060' && return 0
		sleep 0.1
	done
	tail -20 "$tmp/kamailio.log" | sed 's/^/# /'
	ktap_skip_all "kamailio did not start"
}

count() {
	ns_exec "$1" nft -j list counter inet kice_count "$2" 2>/dev/null |
		python3 -c 'import json,sys
for o in json.load(sys.stdin)["nftables"]:
    if "counter" in o: print(o["counter"]["packets"])' 2>/dev/null || echo 0
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SIP_RELAY_PID/stat" 2>/dev/null || echo 0; }

ncalls() {
	local l
	l=$(nctl "${1:-1}" list --limit 100000) || { echo "?"; return; }
	if [ -z "$l" ]; then echo 0; else echo "$l" | wc -l; fi
}

ports() {
	ns_exec gw ss -Huan | awk -v max="$SIP_PMAX" -v addr="$(node_addr "${1:-1}")" '
		{ n = split($4, a, ":")
		if (a[1] == addr && a[n] >= 30000 && a[n] <= max) c++ }
		END { print c + 0 }'
}

sip_load() {
	local name=$1 calls=$2 rate=$3
	ns_exec uas timeout $((calls / rate + 60)) sipp -sf "$sip/load-callee.xml" \
		-i 198.51.100.2 -p 5060 -mi 198.51.100.2 -mp 6000 -rtp_echo \
		-m "$calls" -nostdin -trace_err -error_file "$tmp/uas-$name.err" \
		>/dev/null 2>&1 &
	SIP_UAS_PID=$!
	sleep 0.3
	ns_exec uac timeout $((calls / rate + 60)) sipp -sf "$sip/load-caller.xml" \
		203.0.113.1:5060 -i 203.0.113.2 -p 5060 -mi 203.0.113.2 -mp 6000 \
		-r "$rate" -m "$calls" -l 400 -nostdin -timeout $((calls / rate + 40))s \
		-trace_err -error_file "$tmp/uac-$name.err" >/dev/null 2>&1 &
	SIP_UAC_PID=$!
}

sip_show() {
	local f
	for f in "$tmp"/ua[cs]-"$1".err; do
		[ -s "$f" ] && { echo "--- $f"; tail -20 "$f"; echo; }
	done | sed 's/^/# /'
	grep -E "ERROR|WARN" "$tmp/kamailio.log" | tail -10 | sed 's/^/# kamailio: /'
	for f in "$tmp"/kiced*.log; do
		echo "--- $f"
		tail -20 "$f"
	done | sed 's/^/# /'
}
