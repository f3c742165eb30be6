# SPDX-License-Identifier: GPL-2.0
# Helpers of the kiced tests, sourced after lib.bash (not a test itself).
#
#   kiced_test_init PLAN        skip unless kiced, kicectl, python3, kice.ko
#                               and a namespace r are there; then the plan
#   ctl ARGS..., show ARGS...   kicectl (ng command, show) to kiced at $NG
#   start_kiced CONF LOG [NG]   kiced -f in r in the background until it
#                               answers ping (at NG, default $NG); $kpid;
#                               log level $KICED_LEVEL (default info)
#   sdp PORT                    an audio offer from 127.0.0.1:PORT
#   port_of < SDP               its first m=audio port
#   jcheck PY < JSON            runs PY with the JSON as d: its status
#   media_loss WHAT             wait for sender $spid and receiver $KT_PID
#                               ($TMPD/send.out, recv.out): loss 0 of $N?

kiced_test_init() {
	command -v kiced >/dev/null && command -v kicectl >/dev/null ||
		ktap_skip_all "kiced/kicectl not built"
	command -v python3 >/dev/null || ktap_skip_all "python3 missing"
	kice_load
	ns_new r >/dev/null || ktap_skip_all "cannot create a network namespace"
	ktap_plan "$1"
}

ctl() { ns_exec r timeout 10 kicectl "$@" -s "$NG" -t 300; }
show() { ns_exec r timeout 10 kicectl show "$@" -s "$NG" -t 300; }

kpid=
start_kiced() {
	ip netns exec "$(ns_name r)" kiced -f -l "${KICED_LEVEL:-info}" -c "$1" 2>>"$2" &
	kpid=$!
	_kt_pids+=("$kpid")
	local i
	for ((i = 0; i < 50; i++)); do
		ns_exec r timeout 5 kicectl ping -s "${3:-$NG}" -t 200 \
			>/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

sdp() {
	printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n'
	printf 't=0 0\r\nm=audio %s RTP/AVP 0\r\n' "$1"
}
port_of() { sed -n 's/^m=audio \([0-9]*\) .*/\1/p' | tr -d '\r' | head -n1; }
jcheck() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

media_loss() {
	wait "$spid"
	wait "$KT_PID"
	local got sent
	got=$(kv "$TMPD/recv.out" received)
	sent=$(kv "$TMPD/send.out" sent)
	ktap_diag "sent $sent received $got: loss $((sent - got))"
	ktap_check "$1 while media flows: loss 0 ($got of $sent)" \
		test "$sent" = "$N" -a "$got" = "$N"
}
