# SPDX-License-Identifier: GPL-2.0
#
# Topologies and the two-peer runner shared by ice_netns.sh and the
# connect benchmark.  Needs selftests/lib/netns.sh sourced, $TMP (scratch
# directory) and $PEER (icepeer); run() also uses tap().
#
# "net" is the public router (192.0.2.0/24 towards side A, 203.0.113.0/24
# towards side B, 2001:db8:a::/64 and 2001:db8:b::/64) with a STUN server on
# 198.51.100.1:3478 and, after turn_start, coturn on 198.51.100.2:3478.

# side NAME ROUTER_IF PUB4 PUB6 KIND: KIND = public | eim | symmetric | v6only
# For public/v6only the peer namespace "NAME" sits on the router link;
# for NATs "NAME" sits behind "NAME-nat".
side() {
	local s=$1 rif=$2 p4=$3 p6=$4 kind=$5 gw4=${3%.*}.1 gw6=${4%::*}::1
	case $kind in
	public|v6only)
		ns_new "$s" >/dev/null
		if [ "$kind" = v6only ]; then
			ns_link net "$rif" - "$s" eth0 "$p6/64"
			ns_addr net "$rif" "$gw6/64"
		else
			ns_link net "$rif" "$gw4/24" "$s" eth0 "$p4/24"
			ns_addr "$s" eth0 "$p6/64"
			ns_addr net "$rif" "$gw6/64"
			ns_route "$s" default "$gw4"
		fi
		ns_route "$s" default "$gw6"
		;;
	eim|symmetric)
		ns_new "$s-nat" >/dev/null
		ns_new "$s" >/dev/null
		ns_link net "$rif" "$gw4/24" "$s-nat" wan "$p4/24"
		ns_route "$s-nat" default "$gw4"
		ns_link "$s-nat" lan 10.0.0.1/24 "$s" eth0 10.0.0.2/24
		ns_route "$s" default 10.0.0.1
		ns_router "$s-nat"
		ns_nat "$s-nat" wan "$kind"
		;;
	esac
}

topo() {	# topo KIND_A KIND_B
	ns_cleanup
	ns_new net >/dev/null
	ns_router net
	ns_exec net ip addr add 198.51.100.1/32 dev lo
	# like the Internet: private destinations are dropped silently
	# (coturn closes an allocation whose relay socket gets ENETUNREACH)
	ns_new void >/dev/null
	ns_link net void 100.64.0.1/30 void eth0 -
	ns_exec net ip neigh add 100.64.0.2 lladdr 02:00:00:00:00:01 dev void nud permanent
	ns_route net default 100.64.0.2
	side a ra 192.0.2.2 2001:db8:a::2 "$1"
	side b rb 203.0.113.2 2001:db8:b::2 "$2"
	# (bash would report the server killed at cleanup as "Terminated")
	( ns_exec net "$PEER" --stun-server 198.51.100.1:3478 --timeout 120 & ) 2>/dev/null
	ns_wait_port net udp 3478 5
}

# coturn on 198.51.100.2 in the router namespace (UDP relay; reached over
# UDP, TCP and TLS)
turn_start() {
	command -v turnserver >/dev/null || return 1
	ns_exec net ip addr add 198.51.100.2/32 dev lo
	# self-signed certificate for TURN over TLS on 5349
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 1 -subj "/CN=kice-test" \
		-addext "subjectAltName=IP:198.51.100.2" -keyout "$TMP/key.pem" \
		-out "$TMP/cert.pem" >/dev/null 2>&1 || return 1
	( ns_exec net timeout 120 turnserver -n --no-cli --listening-ip 198.51.100.2 \
		--relay-ip 198.51.100.2 --listening-port 3478 --lt-cred-mech \
		--tls-listening-port 5349 --cert "$TMP/cert.pem" \
		--pkey "$TMP/key.pem" \
		--user kice:kicepass --realm kice.test --no-dtls \
		--min-port 50000 --max-port 50999 --no-stdout-log \
		--log-file "$TMP/turn.log" --pidfile "$TMP/turn.pid" \
		--userdb "$TMP/turndb" >/dev/null 2>&1 & )
	ns_wait_port net udp 3478 5 && ns_wait_port net tcp 3478 5 &&
		ns_wait_port net tcp 5349 5 || return 1
	# listening is not yet accepting: wait until a connection succeeds
	local i
	for ((i = 0; i < 50; i++)); do
		ns_exec net timeout 1 bash -c \
			'exec 3<>/dev/tcp/198.51.100.2/3478 && exec 4<>/dev/tcp/198.51.100.2/5349' \
			2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# leak checking for our peers; GLib keeps allocations until exit
asan_opts() {
	case "$1" in
	*nicepeer) echo "detect_leaks=0" ;;
	*) echo "detect_leaks=1" ;;
	esac
}

# run NAME ARGS_A ARGS_B EXPECT_A EXPECT_B [PEER_A [PEER_B]]
run() {
	local name=$1 aa=$2 ab=$3 ea=$4 eb=$5 ra rb
	local pa_bin=${6:-$PEER} pb_bin=${7:-$PEER}
	rm -f "$TMP"/*.sdp "$TMP"/*.log "$TMP"/*.trickle "$TMP"/*.sdp.2
	ns_exec a env ASAN_OPTIONS="$(asan_opts "$pa_bin")" "$pa_bin" --controlling --local "$TMP/a.sdp" --remote "$TMP/b.sdp" \
		--stun 198.51.100.1:3478 --expect "$ea" --echo 20 $aa \
		>"$TMP/a.log" 2>&1 &
	local pa=$!
	ns_exec b env ASAN_OPTIONS="$(asan_opts "$pb_bin")" "$pb_bin" --local "$TMP/b.sdp" --remote "$TMP/a.sdp" \
		--stun 198.51.100.1:3478 --expect "$eb" --echo 20 $ab \
		>"$TMP/b.log" 2>&1 &
	local pb=$!
	wait $pa; ra=$?
	wait $pb; rb=$?
	cat "$TMP/a.log" "$TMP/b.log" > "$TMP/both.log"
	grep -h '^icepeer: connected' "$TMP/a.log" | sed "s/^/# $name a: /"
	[ $ra = 0 ] && [ $rb = 0 ]
	tap $? "$name" "$TMP/both.log"
}

