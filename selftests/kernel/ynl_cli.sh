#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's YNL CLI (tools/net/ynl/cli.py from linux-source) drives the
# family from Documentation/netlink/specs/kice.yaml alone: create, get,
# dump, change and delete a flow on sockets attached by kice-ktool.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.bash"

LINUX_SRC=${LINUX_SRC:-/usr/src/linux-source-6.12}
CLI=$LINUX_SRC/tools/net/ynl/cli.py
SPEC=$top/Documentation/netlink/specs/kice.yaml
PY=/usr/bin/python3
[ -f "$CLI" ] || ktap_skip_all "no $CLI"
$PY -c 'import yaml' 2>/dev/null || ktap_skip_all "python3-yaml missing"
kice_load
ns_new r >/dev/null || ktap_skip_all "cannot make a namespace"
ktap_plan 6

ynl() { ns_exec r $PY "$CLI" --spec "$SPEC" --no-schema --output-json "$@"; }

kt_bg r $TMPD/hold hold 127.0.0.1,4000 127.0.0.1,4002 || { cat $TMPD/hold; exit 1; }
s0=$(kv $TMPD/hold sock0) s1=$(kv $TMPD/hold sock1)

# 192.0.2.7 = c0000207, 192.0.2.8 = c0000208
ynl --do flow-new --json "{\"leg-a\": {\"sock\": $s0, \"ipv4\": \"c0000207\", \"port\": 5000},
	\"leg-b\": {\"sock\": $s1, \"ipv4\": \"c0000208\", \"port\": 6000},
	\"idle-timeout\": 3000, \"clock\": [{\"pt\": 0, \"rate\": 8000}]}" >$TMPD/new 2>&1
id=$($PY -c 'import json,sys; print(json.load(sys.stdin)["id"])' <$TMPD/new 2>/dev/null)
ktap_check "flow-new through cli.py (id $id)" [ -n "$id" ]
[ -n "$id" ] || sed 's/^/# /' $TMPD/new

kt r flow-get "${id:-0}" >$TMPD/kt
ktap_check "flow as created (seen by kice-ktool)" \
	[ "$(kv $TMPD/kt a.ip)" = 192.0.2.7 ] && [ "$(kv $TMPD/kt b.port)" = 6000 ] &&
	[ "$(kv $TMPD/kt idle_timeout)" = 3000 ] && [ "$(kv $TMPD/kt clock0.rate)" = 8000 ]

ynl --do flow-get --json "{\"id\": ${id:-0}}" >$TMPD/get 2>&1
ktap_check "flow-get decodes addresses and nested statistics" \
	$PY -c 'import json,sys; f=json.load(sys.stdin); assert f["leg-a"]["ipv4"]=="192.0.2.7"; assert f["leg-b"]["stats"]["rx-packets"]==0' <$TMPD/get

ynl --dump sock-get >$TMPD/dump 2>&1
ktap_check "sock-get dump lists both sockets" \
	$PY -c 'import json,sys; d=json.load(sys.stdin); assert sorted(s["port"] for s in d)==[4000,4002]' <$TMPD/dump

ynl --do flow-set --json "{\"id\": ${id:-0}, \"leg-a\": {\"ipv4\": \"c0000209\", \"port\": 5001}}" >/dev/null 2>&1
kt r flow-get "${id:-0}" >$TMPD/kt
ktap_check "flow-set through cli.py" [ "$(kv $TMPD/kt a.ip)" = 192.0.2.9 ] && [ "$(kv $TMPD/kt a.port)" = 5001 ]

ynl --do flow-del --json "{\"id\": ${id:-0}}" >/dev/null 2>&1
ktap_check "flow-del through cli.py" [ -z "$(kt r flow-dump | grep '^id=')" ]
ktap_finish
