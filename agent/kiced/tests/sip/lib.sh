# SPDX-License-Identifier: GPL-2.0
# The SIP harness of kamailio_interop.sh and kamailio_load.sh: Debian's
# Kamailio with its own rtpengine module (kamailio.cfg here) in front of
# kiced, sipp (Debian's sip-tester) as caller and callee.  Source after
# selftests/lib/{ktap,netns}.sh, from the top of the tree.
#
#   sip_init            root, kamailio, sipp, kiced/kicectl ($bin) or skip
#                       all; $tmp, $sip, $relay; the namespaces "gw"
#                       (203.0.113.1 to the caller, 198.51.100.1 to the
#                       callee), "uac" (203.0.113.2) and "uas"
#                       (198.51.100.2), RTP counters in both
#   sip_relay PMAX ARGS kiced in "gw": ng on 203.0.113.1:2223, media ports
#                       30000-PMAX on 203.0.113.1, log $tmp/kiced.log; by
#                       KICE_RELAY: userspace (the default), kernel (kice.ko
#                       must be loaded) or rtpengine (Debian's, the
#                       reference, in kiced's place); ARGS go to kiced
#   sip_kamailio FLAGS  Kamailio in "gw" on 203.0.113.1:5060, new INVITEs to
#                       the callee, rtpengine_manage("FLAGS"); again: the
#                       previous one stopped first
#   ctl ARGS            kicectl against the relay
#   metrics             kiced's Prometheus metrics (http://203.0.113.1:9104)
#   count NS rx|tx      RTP counted by nftables on port 6000 in NS (uac,
#                       uas): rx from 203.0.113.1, tx to it
#   ncalls, ports       the relay's calls; its media sockets
#   sip_show NAME       the sipp errors of NAME, Kamailio's and the relay's log
#   cpu_ticks           CPU time the relay has used (utime + stime, ticks)
# $SIP_PIDS: processes stopped at exit.  KEEP=DIR keeps $tmp there.
# SIP_BIN=DIR: kiced and kicectl from DIR (default build/san/bin, then
# build/out/bin).

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
	for d in uac uas; do
		ns_exec $d nft -f - <<-EOF || ktap_skip_all "nftables does not work here"
		table inet kice_count {
			counter rx {}
			counter tx {}
			chain in {
				type filter hook input priority 0;
				udp dport 6000 ip saddr 203.0.113.1 counter name rx
			}
			chain out {
				type filter hook output priority 0;
				udp sport 6000 ip daddr 203.0.113.1 counter name tx
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

ctl() { ns_exec gw timeout 10 "$bin/kicectl" "$@" -s 203.0.113.1:2223 -t 1000; }
metrics() { ns_exec gw curl -s -m 5 http://203.0.113.1:9104/metrics; }

sip_relay() {
	local pmax=$1 k=(--no-kernel)
	shift
	SIP_PMAX=$pmax
	if [ "$relay" = rtpengine ]; then
		# ip netns exec, not ns_exec: $! is then the relay itself
		ip netns exec "$(ns_name gw)" rtpengine --config-file=none -f -E --table=-1 \
			--interface=203.0.113.1 --listen-ng=203.0.113.1:2223 \
			--port-min=30000 --port-max="$pmax" --delete-delay=0 \
			--log-level=6 >"$tmp/kiced.log" 2>&1 &
	else
		[ "$relay" = kernel ] && k=()
		ip netns exec "$(ns_name gw)" "$bin/kiced" -f -l info --ng-listen 203.0.113.1:2223 \
			--metrics-listen 203.0.113.1:9104 \
			--media-address 203.0.113.1 --port-min 30000 --port-max "$pmax" \
			"${k[@]}" "$@" 2>"$tmp/kiced.log" &
	fi
	SIP_RELAY_PID=$!
	SIP_PIDS+=($!)
	for _ in $(seq 50); do
		ctl ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	sed 's/^/# /' "$tmp/kiced.log"
	ktap_skip_all "the media relay did not start"
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
		-e "s|@NG@|udp:203.0.113.1:2223|" -e "s|@MANAGE@|$1|" \
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
	l=$(ctl list --limit 100000) || { echo "?"; return; }
	if [ -z "$l" ]; then echo 0; else echo "$l" | wc -l; fi
}

ports() {
	ns_exec gw ss -Huan | awk -v max="$SIP_PMAX" '{ n = split($4, a, ":")
		if (a[1] == "203.0.113.1" && a[n] >= 30000 && a[n] <= max) c++ }
		END { print c + 0 }'
}

sip_show() {
	local f
	for f in "$tmp"/ua[cs]-"$1".err; do
		[ -s "$f" ] && { echo "--- $f"; tail -20 "$f"; echo; }
	done | sed 's/^/# /'
	grep -E "ERROR|WARN" "$tmp/kamailio.log" | tail -10 | sed 's/^/# kamailio: /'
	tail -20 "$tmp/kiced.log" | sed 's/^/# /'
}
