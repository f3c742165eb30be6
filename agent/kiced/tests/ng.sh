#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kiced on loopback, driven over the ng protocol by Debian's
# rtpengine-ng-client (rtpengine-utils) and by kicectl: ping, offer/answer
# with media relayed in userspace, query/list, malformed input, replayed
# cookies, offer/delete round trip, ICE between two daemons, clean SIGTERM
# shutdown.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/selftests/lib/ktap.sh"
cd "$top"

bin=
for d in build/san/bin build/out/bin; do
	[ -x "$d/kiced" ] && [ -x "$d/kicectl" ] && { bin=$d; break; }
done
[ -n "$bin" ] || ktap_skip_all "kiced/kicectl not built"
command -v python3 >/dev/null || ktap_skip_all "python3 missing"
tool="python3 $top/agent/kiced/tests/ngtool.py"
ngc=$(command -v rtpengine-ng-client || true)

tmp=$(mktemp -d)
port=$($tool freeport)
sock=$tmp/ng.sock
base=$((24000 + ($$ % 200) * 20))	# below the ephemeral ports
log=$tmp/kiced.log
kpid=

kpid2=
cleanup() {
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	[ -n "$kpid2" ] && kill "$kpid2" 2>/dev/null && wait "$kpid2" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ctl() { timeout 10 "$bin/kicectl" "$@" -s "127.0.0.1:$port" -t 500; }
ngclient() {
	timeout 10 "$ngc" --proxy-address=127.0.0.1 --proxy-port="$port" "$@"
}
# the "New SDP" block of rtpengine-ng-client's output
new_sdp() { sed -n '/^New SDP:/,/^----->8/p' | sed '1,2d;$d'; }
sdp_port() { sed -n 's/^m=audio \([0-9]*\) .*/\1/p' | head -n1 | tr -d '\r'; }
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

ktap_plan 37

"$bin/kiced" -f -l info --ng-listen "127.0.0.1:$port" --ng-socket "$sock" \
	--port-min $base --port-max $((base + 19)) --no-kernel 2>"$log" &
kpid=$!
up=0
for _ in $(seq 50); do
	ctl ping >/dev/null 2>&1 && { up=1; break; }
	sleep 0.1
done
ktap_check "kiced starts and answers ping (kicectl, UDP)" [ $up = 1 ]
[ $up = 1 ] || { cat "$log" | sed 's/^/# /'; ktap_finish; }

ktap_check "start: the port range's calls logged (20 ports: at most 5 calls)" \
	grep -q 'notice: at most 5 calls (bounded by the port range): ports' "$log"

ktap_check "kicectl ping over the Unix socket" \
	bash -c "[ \"\$(timeout 10 $bin/kicectl ping -s unix:$sock)\" = pong ]"

pa=$($tool freeport)
pb=$($tool freeport)
sdp_a=$(printf 'v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ice-ufrag:Ab12\r\na=ice-pwd:0123456789abcdefghijkl\r\na=candidate:1 1 UDP 2130706431 127.0.0.1 %s typ host\r\n' "$pa" "$pa")
sdp_b=$(printf 'v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' "$pb")

if [ -n "$ngc" ]; then
	out=$(ngclient ping 2>&1)
	ktap_check "rtpengine-ng-client ping -> pong" \
		grep -q "result => 'pong'" <<<"$out"

	# the app does no ICE: reject-ICE (no ICE towards it either, else
	# kiced waits for consent that never comes, RFC 7675)
	offer=$(ngclient offer --call-id=call-1 --from-tag=tag-a \
		--ICE=remove --trickle-ICE --reject-ICE --sdp="$sdp_a" 2>&1)
	xb=$(new_sdp <<<"$offer" | sdp_port)
	if [ -n "$xb" ] && [ "$xb" != "$pa" ] &&
	   ! new_sdp <<<"$offer" | grep -q candidate; then
		ktap_ok "rtpengine-ng-client offer: kiced port $xb, ICE removed"
	else
		ktap_fail "rtpengine-ng-client offer"
		echo "$offer" | sed 's/^/# /'
	fi

	answer=$(ngclient answer --call-id=call-1 --from-tag=tag-a \
		--to-tag=tag-b --sdp="$sdp_b" 2>&1)
	xa=$(new_sdp <<<"$answer" | sdp_port)
	ktap_check "rtpengine-ng-client answer: kiced port $xa" \
		test -n "$xa" -a "$xa" != "$pb" -a "$xa" != "${xb:-}"

	res=$($tool media "$pa" "$pb" "${xa:-1}" "${xb:-1}" 100)
	ktap_diag "relayed: $res"
	ktap_check "media relayed both ways in userspace (100 each)" \
		[ "$res" = "a2b=100 b2a=100" ]

	q=$(ctl query --call-id call-1)
	pk=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["RTP"]["packets"])' <<<"$q" 2>/dev/null)
	ktap_check "kicectl query counts the relayed packets ($pk)" \
		[ "${pk:-0}" -ge 200 ]
	ktap_check "kicectl list shows the call" \
		bash -c "ctl() { timeout 10 $bin/kicectl \"\$@\" -s 127.0.0.1:$port; }; ctl list | grep -qx call-1"
else
	for t in "rtpengine-ng-client ping" "offer" "answer" "media" \
		 "query" "list"; do
		ktap_skip "$t" "rtpengine-ng-client missing (rtpengine-utils)"
	done
fi

r=$($tool raw "$port" "$(hex 'ck1 d7:command4:ping')")
ktap_check "truncated bencode -> error reply with the cookie" \
	grep -q '^ck1 d6:result5:error12:error-reason.*input ends inside a value' <<<"$r"

r=$($tool raw "$port" "$(hex 'ck2 d7:command5:dancee')")
ktap_check "unknown command -> \"Unrecognized command\"" \
	grep -q '^ck2 .*Unrecognized command' <<<"$r"

r=$($tool raw "$port" "$(hex 'ck3 d7:command5:offer7:call-id1:xe')")
ktap_check "offer without from-tag -> \"No from-tag in message\"" \
	grep -q '^ck3 .*No from-tag in message' <<<"$r"

r=$($tool raw "$port" "$(hex 'js1 {"command": "ping"}')")
ktap_check "JSON ping -> JSON pong" test "$r" = 'js1 {"result":"pong"}'

r=$($tool raw "$port" "$(hex 'js2 {"command":"offer","call-id":"x",}')")
ktap_check "malformed JSON -> JSON error reply" \
	grep -q '^js2 {"result":"error","error-reason":"Could not decode JSON: object key is not a string"}' <<<"$r"

r=$($tool raw "$port" "$(hex 'js3 {"command":"offer","call-id":"x"}')")
ktap_check "JSON offer without from-tag -> the same error as bencode" \
	grep -q '^js3 {"result":"error","error-reason":"No from-tag in message"}' <<<"$r"

ktap_check "kicectl ng with a JSON request" \
	test "$(ctl ng '{"command":"ping"}')" = '{"result":"pong"}'

$tool raw "$port" "$(hex 'nocookie')" >/dev/null
ktap_check "datagram without a cookie gets no reply" [ $? = 3 ]

r=$($tool replay "$port" "$(hex 'dup7 d7:command10:statisticse')")
ktap_check "retransmitted cookie gets the identical cached reply" \
	test "$r" = same

# issue 12: a NUL byte in the call-id (once a heap use-after-free when the
# call timed out); refused, and each resend is refused again
nulsdp=$'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5040 RTP/AVP 0\r\n'
nul_ok=1
for i in 1 2 3; do
	r=$($tool raw "$port" "$(hex "nul$i d7:call-id5:ab")00$(hex "cd7:command5:offer8:from-tag2:ft3:sdp${#nulsdp}:${nulsdp}e")")
	grep -q "^nul$i .*call-id contains a NUL byte" <<<"$r" || nul_ok=0
done
r=$($tool raw "$port" "$(hex 'nul4 d7:command4:liste')")
grep -q 'ab' <<<"$r" && nul_ok=0
ktap_check "offer with a NUL in the call-id -> error, no call" [ $nul_ok = 1 ]

# the daemon and the existing call survived all of that
if [ -n "$ngc" ]; then
	ktap_check "after bad input: ping ok and call-1 still there" \
		bash -c "$bin/kicectl ping -s 127.0.0.1:$port >/dev/null && $bin/kicectl query --call-id call-1 -s 127.0.0.1:$port >/dev/null"
else
	ktap_check "after bad input: ping ok" ctl ping
fi

# kicectl offer/delete round trip on a second call
o=$(printf '%s' "$sdp_b" | ctl offer --call-id call-2 --from-tag t2 --ice remove)
p2=$(sdp_port <<<"$o")
d=$(ctl delete --call-id call-2 && ctl query --call-id call-2 2>&1)
ktap_check "kicectl offer ($p2) then delete; query says Unknown call-id" \
	bash -c "[ -n '$p2' ] && grep -q 'Unknown call-id' <<<'$d'"

# trickle ICE fragment (offer with the flag "fragment") for no call
f=$(printf 'a=ice-ufrag:Ab12\r\na=ice-pwd:0123456789abcdefghijkl\r\nm=audio 9 RTP/AVP 0\r\na=candidate:1 1 UDP 2130706431 127.0.0.1 4000 typ host\r\n' |
	ctl offer --call-id nocall --from-tag a --flag fragment 2>&1)
ktap_check "kicectl offer --flag fragment for an unknown call -> Unknown call-id" \
	grep -q 'Unknown call-id' <<<"$f"

if [ -n "$ngc" ]; then
	out=$(ngclient delete --call-id=call-1 --from-tag=tag-a 2>&1)
	left=$(ctl list)
	ktap_check "rtpengine-ng-client delete; no calls left" \
		[ -z "$left" ]
else
	ktap_skip "rtpengine-ng-client delete" "rtpengine-ng-client missing"
fi

# ICE over loopback between two daemons: app A -- kiced -- ICE -- kiced2
# -- app B, signalled with kicectl (offer ICE=force, then ICE=remove)
# (the second daemon takes its settings from a configuration file)
port2=$($tool freeport)
cat >"$tmp/kiced2.conf" <<CONF
# kiced for ng.sh
[kiced]
foreground = yes
log-level = info
[control]
ng-listen = 127.0.0.1:$port2
[media]
port-min = $((base + 100))
port-max = $((base + 119))
kernel = no
CONF
"$bin/kiced" -c "$tmp/kiced2.conf" 2>"$tmp/kiced2.log" &
kpid2=$!
for _ in $(seq 50); do
	timeout 5 "$bin/kicectl" ping -s "127.0.0.1:$port2" -t 200 \
		>/dev/null 2>&1 && break
	sleep 0.1
done
k2() { timeout 10 "$bin/kicectl" "$@" -s "127.0.0.1:$port2" -t 500; }
pa=$($tool freeport)
pb=$($tool freeport)
plain() { printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\n' "$1"; }
o1=$(plain "$pa" | ctl offer --call-id ice --from-tag a --ice force)
o2=$(printf '%s\n' "$o1" | k2 offer --call-id ice --from-tag a --ice remove)
a2=$(plain "$pb" | k2 answer --call-id ice --from-tag a --to-tag b)
a1=$(printf '%s\n' "$a2" | ctl answer --call-id ice --from-tag a --to-tag b)
if grep -q 'a=candidate' <<<"$o1" && grep -q 'a=candidate' <<<"$a2" &&
   ! grep -q 'a=candidate' <<<"$o2$a1"; then
	ktap_ok "ICE=force offer/answer through two daemons (candidates on the ICE leg only)"
else
	ktap_fail "ICE=force offer/answer through two daemons"
	printf '%s\n--\n%s\n--\n%s\n--\n%s\n' "$o1" "$o2" "$a2" "$a1" | sed 's/^/# /'
fi
ice_state() {
	ctl query --call-id ice 2>/dev/null | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["media"][0]["answerer"].get("ICE state",""))' 2>/dev/null
}
st=
for _ in $(seq 50); do
	st=$(ice_state)
	[ "$st" = connected ] && break
	sleep 0.1
done
ktap_check "ICE connects over loopback ($st)" test "$st" = connected
res=$($tool media "$pa" "$pb" "$(sdp_port <<<"$a1")" "$(sdp_port <<<"$o2")" 100)
ktap_diag "relayed over ICE: $res"
ktap_check "media relayed both ways over the nominated pair (100 each)" \
	test "$res" = "a2b=100 b2a=100"
ctl delete --call-id ice >/dev/null
k2 delete --call-id ice >/dev/null
kill -TERM "$kpid2"
wait "$kpid2"

# deferred replies: a STUN server that never answers holds an offer's
# reply for gather-wait while the daemon serves everything else
port4=$($tool freeport)
stun4=$($tool freeport)
$tool sink "$stun4" 20 &
spid=$!
cat >"$tmp/kiced4.conf" <<CONF
[kiced]
foreground = yes
log-level = info
[control]
ng-listen = 127.0.0.1:$port4
ng-socket = $tmp/ng4.sock
[media]
port-min = $((base + 140))
port-max = $((base + 179))
kernel = no
[ice]
stun-server = 127.0.0.1:$stun4
gather-wait = 1500
CONF
"$bin/kiced" -c "$tmp/kiced4.conf" 2>"$tmp/kiced4.log" &
kpid2=$!
for _ in $(seq 50); do
	timeout 5 "$bin/kicectl" ping -s "127.0.0.1:$port4" -t 200 \
		>/dev/null 2>&1 && break
	sleep 0.1
done
res=$(timeout 30 $tool deferred "$port4" "$tmp/ng4.sock")
ktap_diag "deferred: $res"
val() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$res"; }
ktap_check "ping answered at once while an offer gathers ($(val ping_ms) ms)" \
	test "$(val ping)" = pong -a "$(val ping_ms)" -lt 500
ktap_check "a second call's offer proceeds meanwhile (list shows both)" \
	test "$(val list)" = both -a "$(val second)" = ok
ktap_check "the offer's one reply comes after gather-wait with host candidates ($(val reply_ms) ms)" \
	test "$(val replies)" = 1 -a "$(val reply)" = ok-host \
	-a "$(val reply_ms)" -ge 1300 -a "$(val reply_ms)" -lt 3000
ktap_check "retransmission after the deferred reply gets it from the cache" \
	test "$(val cached)" = same
ktap_check "call deleted while its offer is pending: error reply" \
	test "$(val delete)" = ok -a "$(val deleted_reply)" = error
ktap_check "JSON offer, deferred, answered in JSON" test "$(val json_offer)" = ok
ktap_check "Unix client gone before its deferred reply: daemon fine" \
	test "$(val after_unix)" = pong
kill -TERM "$kpid2"
wait "$kpid2"
kpid2=
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

# daemon mode: detaches, writes and removes its pidfile
port3=$($tool freeport)
"$bin/kiced" --ng-listen "127.0.0.1:$port3" --pidfile "$tmp/kiced3.pid" \
	--port-min $((base + 120)) --port-max $((base + 139)) --no-kernel \
	--max-sessions 1
drc=$?
for _ in $(seq 50); do [ -s "$tmp/kiced3.pid" ] && break; sleep 0.1; done
pid3=$(cat "$tmp/kiced3.pid" 2>/dev/null)
pong=$(timeout 5 "$bin/kicectl" ping -s "127.0.0.1:$port3" 2>&1)
# --max-sessions 1: a second call gets rtpengine's "load limit" when the
# client supports it (as Kamailio says), the first one goes on
lsdp=$'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5040 RTP/AVP 0\r\n'
loffer() { hex "$1 d7:call-id2:${2}7:command5:offer8:from-tag2:ft3:sdp${#lsdp}:${lsdp}8:supportsl10:load limitee"; }
lim_ok=1
r=$($tool raw "$port3" "$(loffer lim1 l1)")
[[ $r == "lim1 d6:result2:ok3:sdp"* ]] || lim_ok=0
r=$($tool raw "$port3" "$(loffer lim2 l2)")
[ "$r" = "lim2 d6:result10:load limit7:message30:Parallel session limit reachede" ] || lim_ok=0
r=$($tool raw "$port3" "$(loffer lim3 l1)")
[[ $r == "lim3 d6:result2:ok3:sdp"* ]] || lim_ok=0
ktap_check "--max-sessions 1: a second call -> result \"load limit\", the first one re-offered ok" \
	[ $lim_ok = 1 ]
[ -n "$pid3" ] && kill -TERM "$pid3"
for _ in $(seq 50); do [ -e "$tmp/kiced3.pid" ] || break; sleep 0.1; done
ktap_check "daemon mode: parent exits 0, pidfile, ping, SIGTERM removes pidfile" \
	test "$drc" = 0 -a -n "$pid3" -a "$pong" = pong -a ! -e "$tmp/kiced3.pid"

kill -TERM "$kpid"
rc=
for _ in $(seq 50); do
	kill -0 "$kpid" 2>/dev/null || { wait "$kpid"; rc=$?; break; }
	sleep 0.1
done
kpid=
ktap_check "SIGTERM: clean exit ($rc), Unix socket removed" \
	test "$rc" = 0 -a ! -e "$sock"
grep -E 'ERROR|Sanitizer|runtime error' "$log" "$tmp/kiced2.log" \
	"$tmp/kiced4.log" | sed 's/^/# /'
ktap_check "no sanitizer reports in the daemon logs" \
	bash -c "! grep -qE 'ERROR: AddressSanitizer|runtime error' '$log' '$tmp/kiced2.log' '$tmp/kiced4.log'"
ktap_finish
