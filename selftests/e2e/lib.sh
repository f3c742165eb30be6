# SPDX-License-Identifier: GPL-2.0
# Shared by kice's end-to-end tests and `make demo`: the "Internet" of
# network namespaces, kiced per site, signalling with rtpengine-ng-client
# (as a SIP proxy's rtpengine module would), the plain RTP application.
# Source after selftests/lib/netns.sh; needs $TMP (scratch directory).
#
#   e2e_world [NAT_A [NAT_B]]  NAT types of the sites (below);
#                      "net": public router; coturn on 198.51.100.1 (as
#                      STUN server) and 198.51.100.2 (as TURN server, user
#                      kice/kicepass); "a" (caller,
#                      10.0.0.2) behind "a-nat" (192.0.2.2): endpoint-
#                      independent mapping and filtering; "b" (callee,
#                      10.0.0.2) behind "b-nat" (203.0.113.2): symmetric
#   e2e_kiced SITE [ARGS...]    kiced in namespace SITE, ng on
#                      127.0.0.1:2223 there, interfaces internal
#                      (127.0.0.1) and external (the site's eth0), or the
#                      "interface = ..." lines in E2E_IFACES[SITE]
#   e2e_ng SITE CMD ARGS...     rtpengine-ng-client against SITE's kiced
#                      (kicectl with E2E_SIG=kicectl); prints the new SDP
#   e2e_query SITE CALL KEY     a string or number from `kicectl query`
#   e2e_call SITE_A SITE_B CALL PA PB   offer/answer through both daemons
#                      for apps on 127.0.0.1:PA (caller) / :PB (callee);
#                      sets E2E_TO_A / E2E_TO_B (kiced ports the apps send to)

E2E_TOP=${E2E_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
E2E_BIN=${E2E_BIN:-$E2E_TOP/build/out/bin}
# kiced uses 198.51.100.1 as STUN server and 198.51.100.2 as TURN server,
# or E2E_STUN / E2E_TURN (one address for both works as well); coturn
# listens on the addresses of these two and relays from the TURN one.
E2E_STUN=${E2E_STUN:-198.51.100.1:3478}
E2E_TURN=${E2E_TURN:-198.51.100.2:3478}
# E2E_KICED_EXTRA[SITE]: more lines for the [kiced] section of SITE's
# kiced; E2E_TURN_ARGS: more options for coturn (e.g. short lifetimes)
declare -A E2E_KPID E2E_EXT E2E_IFACES E2E_KICED_EXTRA
E2E_TURN_ARGS=${E2E_TURN_ARGS:-}

e2e_need() {
	local t
	for t in "$E2E_BIN/kiced" "$E2E_BIN/kicectl" "$E2E_BIN/kice-rtpapp"; do
		[ -x "$t" ] || { echo "$t not built"; return 1; }
	done
	for t in rtpengine-ng-client turnserver nft ip; do
		command -v "$t" >/dev/null || { echo "$t missing (run .ci/deps)"; return 1; }
	done
}

# Endpoint-independent filtering for UDP ports PORTS ("lo-hi") on the NAT's
# OUT_IF: what comes in on a port is forwarded to HOST, the same port
# (the masquerade keeps source ports, so this is the mapping's filter).
e2e_nat_eif() {
	ns_exec "$1" nft -f - <<-NFT
	table ip kice_eif {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			iifname "$2" udp dport $4 dnat to $3
		}
	}
	NFT
}

e2e_site() {	# e2e_site NAME ROUTER_IF PUBLIC NAT_TYPE
	local s=$1 rif=$2 p4=$3 gw4=${3%.*}.1
	ns_new "$s-nat" >/dev/null && ns_new "$s" >/dev/null || return 1
	ns_link net "$rif" "$gw4/24" "$s-nat" wan "$p4/24" || return 1
	ns_route "$s-nat" default "$gw4"
	ns_link "$s-nat" lan 10.0.0.1/24 "$s" eth0 10.0.0.2/24 || return 1
	ns_route "$s" default 10.0.0.1
	ns_router "$s-nat"
	case $4 in
	eim-eif) ns_nat "$s-nat" wan eim &&
		 e2e_nat_eif "$s-nat" wan 10.0.0.2 30000-30999 ;;
	*) ns_nat "$s-nat" wan "$4" ;;
	esac
	E2E_EXT[$s]=10.0.0.2
}

e2e_world() {
	local ip listen=()

	ns_new net >/dev/null || return 1
	ns_router net
	for ip in $(printf '%s\n' "${E2E_STUN%:*}" "${E2E_TURN%:*}" | sort -u); do
		ns_exec net ip addr add "$ip/32" dev lo
		listen+=(--listening-ip "$ip")
	done
	# like the Internet, the router drops private destinations silently:
	# coturn closes an allocation whose relay socket gets ENETUNREACH
	# (a relayed candidate's checks towards a private host candidate)
	ns_new void >/dev/null || return 1
	ns_link net void 100.64.0.1/30 void eth0 - || return 1
	ns_exec net ip neigh add 100.64.0.2 lladdr 02:00:00:00:00:01 \
		dev void nud permanent
	ns_route net default 100.64.0.2
	e2e_site a ra 192.0.2.2 "${1:-eim-eif}" || return 1
	e2e_site b rb 203.0.113.2 "${2:-symmetric}" || return 1
	ip netns exec "$(ns_name net)" timeout 300 turnserver -n --no-cli \
		"${listen[@]}" --relay-ip "${E2E_TURN%:*}" \
		--listening-port 3478 --lt-cred-mech --user kice:kicepass \
		--realm kice.test --no-tls --no-dtls --min-port 50000 \
		--max-port 50999 --no-stdout-log --log-file "$TMP/turn.log" \
		--pidfile "$TMP/turn.pid" --userdb "$TMP/turndb" \
		$E2E_TURN_ARGS >/dev/null 2>&1 &
	ns_wait_port net udp 3478 10
}

e2e_kiced() {	# e2e_kiced SITE [ARGS...]
	local s=$1 i
	shift
	cat >"$TMP/kiced-$s.conf" <<-CONF
	# kiced at site $s (written by selftests/e2e/lib.sh)
	[kiced]
	foreground = yes
	log-level = ${E2E_LOG_LEVEL:-info}
	${E2E_KICED_EXTRA[$s]:-}
	[control]
	ng-listen = 127.0.0.1:2223
	[media]
	port-min = 30000
	port-max = 30999
	${E2E_IFACES[$s]:-interface = internal/127.0.0.1
	interface = external/${E2E_EXT[$s]:-127.0.0.1}}
	[ice]
	stun-server = $E2E_STUN
	turn-server = $E2E_TURN
	turn-user = kice
	turn-password = kicepass
	gather-wait = 5000
	CONF
	# background jobs are plain commands, not functions: a function's
	# subshell would run the caller's EXIT trap when it ends
	ip netns exec "$(ns_name "$s")" "$E2E_BIN/kiced" -c "$TMP/kiced-$s.conf" "$@" \
		2>"$TMP/kiced-$s.log" &
	E2E_KPID[$s]=$!
	for i in $(seq 100); do
		e2e_ctl "$s" ping >/dev/null 2>&1 && return 0
		kill -0 "${E2E_KPID[$s]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "kiced at $s did not start:"; sed 's/^/  /' "$TMP/kiced-$s.log"
	return 1
}

e2e_kiced_stop() {	# SIGTERM; returns kiced's exit status
	local pid=${E2E_KPID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	local rc=$?
	E2E_KPID[$1]=
	return $rc
}

e2e_ctl() {	# e2e_ctl SITE KICECTL_ARGS...
	local s=$1
	shift
	ns_exec "$s" timeout 10 "$E2E_BIN/kicectl" "$@" -s 127.0.0.1:2223 -t 500
}

# rtpengine-ng-client's options ("--call-id=X --ICE=force ...") work
# for kicectl too; kicectl starts in a fraction of the time Perl takes
# in an emulated VM.
e2e_ng() {	# e2e_ng SITE offer|answer|delete ARGS...
	local s=$1 a args=()
	shift
	if [ "${E2E_SIG:-}" = kicectl ]; then
		for a in "$@"; do
			case $a in
			--sdp=*) args+=(--sdp "${a#--sdp=}") ;;
			--ICE=*) args+=(--ice "${a#--ICE=}") ;;
			*) args+=("$a") ;;
			esac
		done
		if e2e_ctl "$s" "${args[@]}" >"$TMP/ng.out" 2>&1; then
			[ "$1" = delete ] || cat "$TMP/ng.out"
			return 0
		fi
		sed 's/^/# ng: /' "$TMP/ng.out" >&2
		return 1
	fi
	ns_exec "$s" timeout 30 rtpengine-ng-client --proxy-address=127.0.0.1 \
		--proxy-port=2223 "$@" >"$TMP/ng.out" 2>&1 || {
		sed 's/^/# ng: /' "$TMP/ng.out" >&2; return 1; }
	sed -n '/^New SDP:/,/^----->8/p' "$TMP/ng.out" | sed '1,2d;$d'
}

# The first value of KEY in the call's JSON (kicectl query), by text: no
# JSON parser to start in the VM.  KEY "ICE state" finds the one side
# with ICE at a transparent endpoint; "packets" the first counter (RTCP
# of the answerer side comes first: use e2e_rtp_packets for totals).
e2e_query() {	# e2e_query SITE CALL KEY
	e2e_ctl "$1" query --call-id "$2" 2>/dev/null |
		grep -o "\"$3\": *\(\"[^\"]*\"\|[0-9]*\)" | head -n1 |
		sed 's/^"[^"]*": *//; s/"//g'
}

# RTP packets kiced counted for the call, both sides ("totals" member)
e2e_rtp_packets() {	# e2e_rtp_packets SITE CALL
	e2e_ctl "$1" query --call-id "$2" 2>/dev/null | tr -d ' \n' |
		sed -n 's/.*"totals":{.*"RTP":{[^}]*"packets":\([0-9]*\).*/\1/p'
}

e2e_sdp_port() { sed -n 's/^m=audio \([0-9]*\) .*/\1/p' | head -n1 | tr -d '\r'; }

# a plain SDP offer/answer of an app on loopback (no ICE)
e2e_app_sdp() {	# e2e_app_sdp PORT [ADDR]
	local a=${2:-127.0.0.1} f=IP4
	case $a in *:*) f=IP6 ;; esac
	printf 'v=0\r\no=- %s 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n' \
		"$1" "$f" "$a" "$f" "$a" "$1"
}

# The SIP dance: the caller's app offers plain RTP, its kiced adds ICE
# (ICE=force) on the external interface; the callee's kiced terminates
# ICE (ICE=remove) and hands plain RTP to the callee's app; the answer
# travels back the same way.
e2e_call() {	# e2e_call SITE_A SITE_B CALL PA PB
	local a=$1 b=$2 call=$3 o1 o2 a2 a1
	o1=$(e2e_ng "$a" offer --call-id="$call" --from-tag=alice --ICE=force \
		--direction=internal,external --sdp="$(e2e_app_sdp "$4")") || return 1
	o2=$(e2e_ng "$b" offer --call-id="$call" --from-tag=alice --ICE=remove \
		--direction=external,internal --sdp="$o1") || return 1
	a2=$(e2e_ng "$b" answer --call-id="$call" --from-tag=alice --to-tag=bob \
		--sdp="$(e2e_app_sdp "$5")") || return 1
	a1=$(e2e_ng "$a" answer --call-id="$call" --from-tag=alice --to-tag=bob \
		--sdp="$a2") || return 1
	printf '%s\n' "$o1" >"$TMP/$call.offer-public.sdp"
	printf '%s\n' "$o2" >"$TMP/$call.offer-callee.sdp"
	printf '%s\n' "$a2" >"$TMP/$call.answer-public.sdp"
	printf '%s\n' "$a1" >"$TMP/$call.answer-caller.sdp"
	E2E_TO_A=$(e2e_sdp_port <<<"$a1")
	E2E_TO_B=$(e2e_sdp_port <<<"$o2")
	[ -n "$E2E_TO_A" ] && [ -n "$E2E_TO_B" ]
}

# Wait until both daemons' ICE sides are connected (at most 20 s).
e2e_wait_ice() {	# e2e_wait_ice SITE_A SITE_B CALL
	local end=$((SECONDS + 20)) sa sb
	while [ $SECONDS -lt $end ]; do
		sa=$(e2e_query "$1" "$3" "ICE state")
		sb=$(e2e_query "$2" "$3" "ICE state")
		[ "$sa" = connected ] && [ "$sb" = connected ] && return 0
		sleep 0.2
	done
	echo "ICE: caller side \"$sa\", callee side \"$sb\""
	return 1
}

# The two apps talk for COUNT packets each way (20 ms apart, both starting
# at the same moment 3 s ahead: nothing races their start-up); their
# reports land in $TMP/app-a.out and $TMP/app-b.out.
e2e_media() {	# e2e_media SITE_A SITE_B PA PB COUNT
	local at=$(($(date +%s%3N) + ${E2E_START_MS:-3000}))
	ip netns exec "$(ns_name "$1")" "$E2E_BIN/kice-rtpapp" -n caller-app \
		-b "127.0.0.1:$3" -t "127.0.0.1:$E2E_TO_A" -c "$5" -S $at \
		>"$TMP/app-a.out" 2>&1 &
	local pa=$!
	ip netns exec "$(ns_name "$2")" "$E2E_BIN/kice-rtpapp" -n callee-app \
		-b "127.0.0.1:$4" -t "127.0.0.1:$E2E_TO_B" -c "$5" -S $at \
		>"$TMP/app-b.out" 2>&1 &
	local pb=$!
	wait $pa
	local ra=$?
	wait $pb
	[ $ra = 0 ] && [ $? = 0 ]
}

# received=N of an app's report
e2e_received() { sed -n 's/.* received=\([0-9]*\).*/\1/p' "$1"; }

e2e_module_loaded() { [ -d /sys/module/kice ]; }

e2e_load_module() {
	local ko=${KICE_KO:-$E2E_TOP/build/kmod/$(uname -r)/kernel/kice.ko}
	e2e_module_loaded && return 0
	[ -f "$ko" ] || { echo "kice.ko not built: $ko"; return 1; }
	modprobe -q udp_tunnel 2>/dev/null
	modprobe -q ip6_udp_tunnel 2>/dev/null
	insmod "$ko"
}

# e2e_init: the start of every e2e test: root and e2e_need or skip all;
# $TMP (removed at exit unless E2E_KEEP is set), $COUNT (E2E_COUNT, 150)
# and $modes ("kernel userspace" where kice.ko loads, else "userspace")
e2e_init() {
	local why

	[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
	why=$(e2e_need) || ktap_skip_all "$why"
	TMP=$(mktemp -d)
	trap 'ns_cleanup; [ -n "${E2E_KEEP:-}" ] && echo "# kept $TMP" || rm -rf "$TMP"' EXIT
	COUNT=${E2E_COUNT:-150}
	modes="userspace"
	if e2e_load_module >/dev/null 2>&1; then
		modes="kernel userspace"
	fi
}

# e2e_mode_skipped MODE TEST...: true, after reporting each TEST of MODE
# as skipped, when MODE is not in $modes
e2e_mode_skipped() {
	local mode=$1 t

	shift
	[[ " $modes " == *" $mode "* ]] && return 1
	for t; do
		ktap_skip "$mode: $t" "kice.ko cannot be loaded here"
	done
	return 0
}

# e2e_check_both_ways WHAT: the two apps' counts ($ra, $rb, from
# $TMP/app-[ab].out) each >= 98% of $COUNT, reported as "WHAT (...)"
e2e_check_both_ways() {
	ra=$(e2e_received "$TMP/app-a.out")
	rb=$(e2e_received "$TMP/app-b.out")
	ktap_diag "$(cat "$TMP/app-a.out" "$TMP/app-b.out" | tr '\n' ' ')"
	ktap_check "$1 (>= 98% of $COUNT: $ra, $rb)" \
		test "${ra:-0}" -ge $((COUNT * 98 / 100)) -a "${rb:-0}" -ge $((COUNT * 98 / 100))
}

# e2e_check_relayed MODE CALL: kiced a and b both relay CALL in MODE
# (kernel or userspace) and a counted at least the RTP the apps received
e2e_check_relayed() {
	local rel_a rel_b pk

	rel_a=$(e2e_query a "$2" relay)
	rel_b=$(e2e_query b "$2" relay)
	pk=$(e2e_rtp_packets a "$2")
	ktap_check "$1: relayed in the $1 (caller $rel_a, callee $rel_b; caller counted $pk RTP)" \
		test "$rel_a" = "$1" -a "$rel_b" = "$1" -a "${pk:-0}" -ge "$((ra < rb ? ra : rb))"
}

# e2e_check_teardown CALL WHAT: delete CALL at sites a and b, stop both
# kiceds with SIGTERM; one check "WHAT" that all went well and that no
# sanitizer complained (the logs' tails as diagnostics if not)
e2e_check_teardown() {
	local ok=1 s

	for s in a b; do
		e2e_ng $s delete --call-id="$1" --from-tag=alice >/dev/null || ok=0
	done
	for s in a b; do
		e2e_kiced_stop $s || ok=0
	done
	grep -hE 'AddressSanitizer|runtime error' "$TMP"/kiced-*.log && ok=0
	ktap_check "$2" test $ok = 1
	[ $ok = 1 ] || tail -n 30 "$TMP"/kiced-*.log | sed 's/^/# /'
}
