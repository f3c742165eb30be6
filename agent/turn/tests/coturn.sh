#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# STUN/TURN client against a real coturn, started here in a network
# namespace with long-term credentials.  Topology (documentation prefixes
# for the "public" side):
#
#   client 10.0.0.2 -- 10.0.0.1 nat 203.0.113.1 (masquerade)
#        -- 203.0.113.10 server (coturn) 198.51.100.1, 2001:db8:2::1
#        -- peer 198.51.100.7, 2001:db8:2::7 (UDP echo)
#
# Prints TAP; exit 0 all passed, 1 a failure, 4 skipped.
set -u
cd "$(dirname "$0")/../../.." || exit 1
. selftests/lib/netns.sh

K=${KICECTL:-}
if [ -z "$K" ]; then
	for k in build/san/bin/kicectl build/out/bin/kicectl; do
		[ -x "$k" ] && { K=$PWD/$k; break; }
	done
fi
echo "TAP version 13"
skip_all() { echo "1..0 # SKIP $*"; exit 4; }
[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces)"
[ -n "$K" ] || skip_all "kicectl not built"
command -v turnserver >/dev/null || skip_all "coturn (turnserver) not installed"
command -v nft >/dev/null || skip_all "nftables not installed"
command -v python3 >/dev/null || skip_all "python3 not installed"

T=$(mktemp -d /tmp/kice-coturn.XXXXXX)
cleanup() {
	[ -f "$T/turn.pid" ] && kill "$(cat "$T/turn.pid")" 2>/dev/null
	ns_cleanup
	[ -n "${KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup EXIT

SRV=203.0.113.10
NATPUB=203.0.113.1
PEER4=198.51.100.7
PEER6=2001:db8:2::7
USER=kice
PASS=s3cret-pass
REALM=kice.test
STALE=4

ns_new client >/dev/null && ns_new nat >/dev/null && ns_new server >/dev/null &&
	ns_new peer >/dev/null || skip_all "cannot create network namespaces"
ns_link client eth0 10.0.0.2/24 nat in0 10.0.0.1/24 &&
ns_link nat out0 $NATPUB/24 server eth0 $SRV/24 &&
ns_link server eth1 198.51.100.1/24 peer eth0 $PEER4/24 &&
ns_addr server eth1 2001:db8:2::1/64 && ns_addr peer eth0 $PEER6/64 &&
ns_route client default 10.0.0.1 &&
ns_route peer default 198.51.100.1 && ns_route peer default 2001:db8:2::1 &&
ns_router nat && ns_nat nat out0 eim || skip_all "topology setup failed"
# a port on the server that swallows everything: for the timeout test
ns_exec server nft -f - <<EOF || skip_all "nft setup failed"
table inet kice_blackhole {
	chain in {
		type filter hook input priority filter; policy accept;
		udp dport 3999 drop
	}
}
EOF

# self-signed certificate for TLS, valid for the server's address
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-days 1 -subj "/CN=kice-test" -addext "subjectAltName=IP:$SRV" \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 ||
	skip_all "openssl cannot make a test certificate"

# coturn: long-term credentials, short nonce lifetime for the 438 path
ip netns exec "$(ns_name server)" turnserver -n --no-cli --listening-ip $SRV \
	--relay-ip 198.51.100.1 --relay-ip 2001:db8:2::1 \
	--listening-port 3478 --tls-listening-port 5349 \
	--lt-cred-mech --user "$USER:$PASS" --realm $REALM \
	--stale-nonce=$STALE --cert "$T/cert.pem" --pkey "$T/key.pem" \
	--no-dtls --min-port 50000 --max-port 50999 \
	--pidfile "$T/turn.pid" --log-file "$T/turn.log" --simple-log \
	--no-stdout-log --userdb "$T/turndb" >/dev/null 2>&1 &
TURNPID=$!
echo $TURNPID >"$T/turn.pid"
disown $TURNPID
# a second coturn that redirects every Allocate to the first (300)
ip netns exec "$(ns_name server)" turnserver -n --no-cli --listening-ip $SRV \
	--relay-ip 198.51.100.1 --listening-port 3480 --no-tls --no-dtls \
	--alternate-server=$SRV:3478 \
	--lt-cred-mech --user "$USER:$PASS" --realm $REALM \
	--min-port 51000 --max-port 51999 \
	--pidfile "$T/turn2.pid" --log-file "$T/turn2.log" --simple-log \
	--no-stdout-log --userdb "$T/turndb2" >/dev/null 2>&1 &
disown $!
ns_wait_port server udp 3478 && ns_wait_port server tcp 3478 &&
	ns_wait_port server tcp 5349 && ns_wait_port server udp 3480 ||
	skip_all "coturn did not start"

# UDP echo peer (v4 and v6), bounded in time and packets
# (ip netns exec directly: a backgrounded shell function would report
# "Terminated" when the peer is killed at cleanup)
ip netns exec "$(ns_name peer)" timeout 120 python3 -c '
import socket, select, time
socks = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 7000))
    socks.append(s)
end = time.time() + 110
for _ in range(1000):
    left = end - time.time()
    if left <= 0:
        break
    r, _, _ = select.select(socks, [], [], left)
    for s in r:
        d, a = s.recvfrom(4096)
        s.sendto(d, a)
' &
disown $!
ns_wait_port peer udp 7000 || skip_all "echo peer did not start"

n=0
fail=0
OUT=$T/out
ERR=$T/err
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() {
	n=$((n + 1)); fail=1; echo "not ok $n $1"
	sed 's/^/#   /' "$OUT" "$ERR"
}
kc() { ns_exec client "$K" stun "$@" >"$OUT" 2>"$ERR"; }

echo "1..16"

# 1: Binding through the NAT reports the NAT's public address
if kc $SRV && grep -qE "^mapped $NATPUB:[0-9]+$" "$OUT"; then
	ok "binding through masquerade NAT gives $NATPUB"
else nok "binding through masquerade NAT gives $NATPUB"; fi

# 2-4: allocation over UDP, TCP and TLS, released at the end
for tr in udp tcp tls; do
	args=(--transport $tr --user $USER --password $PASS)
	[ $tr = tls ] && args+=(--ca "$T/cert.pem")
	if kc $SRV "${args[@]}" && grep -qE '^relayed 198\.51\.100\.1:5[0-9]{4}$' "$OUT" &&
	   grep -q '^released$' "$OUT"; then
		ok "allocate and release over $tr"
	else nok "allocate and release over $tr"; fi
done

# 5: permission + send indication + channel bind + ChannelData, echoed
if kc $SRV --user $USER --password $PASS --peer $PEER4:7000 &&
   grep -q "^peer $PEER4:7000 echo via send indication$" "$OUT" &&
   grep -q "^peer $PEER4:7000 echo via channel 0x4000$" "$OUT"; then
	ok "permission, channel bind, data relayed to peer and back (udp)"
else nok "permission, channel bind, data relayed to peer and back (udp)"; fi

# 6: same over TCP: ChannelData padded on the stream
if kc $SRV --transport tcp --user $USER --password $PASS --peer $PEER4:7000 &&
   grep -q "echo via channel 0x4000$" "$OUT"; then
	ok "channel data relayed over tcp (padded framing)"
else nok "channel data relayed over tcp (padded framing)"; fi

# 16 (numbered last): same over TLS
if kc $SRV --transport tls --ca "$T/cert.pem" --user $USER --password $PASS \
	--peer $PEER4:7000 && grep -q "echo via send indication$" "$OUT" &&
   grep -q "echo via channel 0x4000$" "$OUT"; then
	tls_relay=ok
else
	tls_relay=nok
	cp "$OUT" "$T/tls_out"; cp "$ERR" "$T/tls_err"
fi

# 7: IPv6 relay, peer over IPv6
if kc $SRV --family 6 --user $USER --password $PASS --peer "[$PEER6]:7000" &&
   grep -q '^relayed \[2001:db8:2::1\]:' "$OUT" &&
   grep -q "echo via channel" "$OUT"; then
	ok "ipv6 allocation relays to an ipv6 peer"
else nok "ipv6 allocation relays to an ipv6 peer"; fi

# 8: dual allocation
if kc $SRV --family 46 --user $USER --password $PASS &&
   [ "$(grep -c '^relayed ' "$OUT")" = 2 ]; then
	ok "dual-stack allocation gives two relayed addresses"
else nok "dual-stack allocation gives two relayed addresses"; fi

# 9: explicit refresh
if kc $SRV --user $USER --password $PASS --refresh --lifetime 300 &&
   grep -qE '^refreshed lifetime [0-9]+$' "$OUT"; then
	ok "refresh"
else nok "refresh"; fi

# 10: stale nonce: hold past the nonce lifetime, then refresh
if kc $SRV --user $USER --password $PASS --hold $((STALE + 2)) --refresh &&
   grep -q '^stale nonce' "$OUT" && grep -q '^refreshed' "$OUT" &&
   grep -q '^released$' "$OUT"; then
	ok "438 stale nonce is retried with the new nonce"
else nok "438 stale nonce is retried with the new nonce"; fi

# 11: wrong password
if ! kc $SRV --user $USER --password wrong &&
   grep -q '401.*wrong username or password' "$ERR"; then
	ok "wrong password gives a clear 401 error"
else nok "wrong password gives a clear 401 error"; fi

# 12: no answer: timeout error (short RTO keeps it quick)
if ! kc $SRV:3999 --rto 20 && grep -q 'timeout' "$ERR"; then
	ok "unanswered binding reports a timeout"
else nok "unanswered binding reports a timeout"; fi

# 13: TLS with an untrusted certificate is refused with a reason
if ! kc $SRV --transport tls && grep -qi 'certificate' "$ERR"; then
	ok "tls with an unverifiable certificate fails clearly"
else nok "tls with an unverifiable certificate fails clearly"; fi

# 14: 300 Try Alternate is followed to the alternate server
if kc $SRV:3480 --user $USER --password $PASS &&
   grep -q "^alternate $SRV:3478$" "$OUT" &&
   grep -qE '^relayed 198\.51\.100\.1:50[0-9]{3}$' "$OUT" &&
   grep -q '^released$' "$OUT"; then
	ok "300 try alternate: allocation made on the alternate server"
else nok "300 try alternate: allocation made on the alternate server"; fi

# 15: deallocation: the relayed port is open on the server while the
# allocation is held and closed once kicectl has released it
: >"$T/held"
ns_exec client "$K" stun $SRV --user $USER --password $PASS --hold 2 \
	>"$T/held" 2>&1 &
held=$!
for ((i = 0; i < 30; i++)); do
	grep -q '^relayed' "$T/held" && break
	sleep 0.1
done
rport=$(sed -n 's/^relayed 198\.51\.100\.1:\([0-9]*\)$/\1/p' "$T/held")
open_before=$(ns_exec server ss -Hlun "sport = :${rport:-0}" | wc -l)
wait $held
r0=$?
open_after=1
for ((i = 0; i < 20; i++)); do
	open_after=$(ns_exec server ss -Hlun "sport = :${rport:-0}" | wc -l)
	[ "$open_after" = 0 ] && break
	sleep 0.1
done
if [ -n "$rport" ] && [ "$open_before" -ge 1 ] && [ $r0 = 0 ] &&
   grep -q '^released$' "$T/held" && [ "$open_after" = 0 ]; then
	ok "deallocation closes the relayed port on the server"
else
	{ cat "$T/held"; echo "port ${rport:-?} open before $open_before after $open_after"; } >"$OUT"
	: >"$ERR"
	nok "deallocation closes the relayed port on the server"
fi

if [ $tls_relay = ok ]; then
	ok "send indication and channel data relayed over tls"
else
	cp "$T/tls_out" "$OUT"; cp "$T/tls_err" "$ERR"
	nok "send indication and channel data relayed over tls"
fi

exit $fail
