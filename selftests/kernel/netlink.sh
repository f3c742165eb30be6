#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kice family: malformed requests fail with an extended ACK and change
# nothing, dumps paginate, only CAP_NET_ADMIN may use it, state is per
# network namespace, and 1,000 random requests do no harm.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"

kice_load
ns_new r >/dev/null && ns_new o >/dev/null || ktap_skip_all "cannot make namespaces"
ktap_plan 10

kt_bg r $TMPD/hold hold 127.0.0.1,4000 ::1,4002 127.0.0.1,4004 || { cat $TMPD/hold; exit 1; }
s4=$(kv $TMPD/hold sock0) s6=$(kv $TMPD/hold sock1) s4b=$(kv $TMPD/hold sock2)
kt r flow-new --a $s4,192.0.2.10,1000 --b $s6,2001:db8::10,1000 >/dev/null
kt r flow-new --a $s4,192.0.2.11,1000 --b $s6,2001:db8::11,1000 >/dev/null
kt r flow-dump >$TMPD/before

kt r badattr $s4 $s6 >$TMPD/bad 2>&1
rc=$?
grep '^#' $TMPD/bad
ktap_check "$(kv $TMPD/bad bad_cases) malformed requests rejected with extack" [ $rc = 0 ]
kt r flow-dump >$TMPD/after
ktap_check "flows unchanged by the rejected requests" cmp -s $TMPD/before $TMPD/after

# more than fits in one dump message
kt r flow-bulk 600 $s4 $s4b 20000 >$TMPD/bulk || cat $TMPD/bulk
n=$(kt r flow-dump | grep -c '^id=')
ktap_check "dump of 602 flows paginates ($n)" [ "$n" = 602 ]
kt r sock-get $s4 >$TMPD/s4
ktap_check "socket counts its 602 legs" [ "$(kv $TMPD/s4 flows)" = 602 ]

ktap_check "another netns sees none of them" \
	[ -z "$(kt o flow-dump | grep '^id=')" ] && [ -z "$(kt o sock-dump | grep '^id=')" ]

kt r xattach /var/run/netns/$(ns_name o) 127.0.0.1,4444 >$TMPD/x 2>&1
ktap_check "a socket of another netns is refused ($(kv $TMPD/x error): $(kv $TMPD/x extack))" \
	[ "$(kv $TMPD/x error)" = "Invalid cross-device link" ]

if command -v setpriv >/dev/null; then
	out=$(ns_exec r setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all kice-ktool flow-dump 2>&1)
	ktap_check "unprivileged users are refused" grep -q "Operation not permitted" <<<"$out"
	# groups reserved to CAP_NET_ADMIN exist since Linux 6.6
	IFS=. read -r maj min _ <<<"$(uname -r)"
	if [ "$maj" -gt 6 ] || { [ "$maj" = 6 ] && [ "${min%%[!0-9]*}" -ge 6 ]; }; then
		out=$(ns_exec r setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all kice-ktool monitor 100 1 2>&1)
		ktap_check "unprivileged users cannot listen to monitor" \
			grep -q "Operation not permitted" <<<"$out"
	else
		ktap_skip "unprivileged users cannot listen to monitor" "Linux < 6.6"
	fi
else
	ktap_skip "unprivileged users are refused" "setpriv missing"
	ktap_skip "unprivileged users cannot listen to monitor" "setpriv missing"
fi

seed=${KICE_FUZZ_SEED:-$RANDOM}
kt r fuzz 1000 $seed >$TMPD/fuzz
ktap_diag "seed $seed (KICE_FUZZ_SEED): $(cat $TMPD/fuzz)"
kt r flow-flush >/dev/null
n=$(kt r flow-dump | grep -c '^id=')
ktap_check "1000 random requests: family still answers, flows flushed ($n left)" [ "$n" = 0 ]

kill $KT_PID; wait $KT_PID 2>/dev/null
ktap_check "sockets detached on close" [ -z "$(kt r sock-dump | grep '^id=')" ]
ktap_finish
