#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The uapi header and the kernel policy/ops tables are generated from
# Documentation/netlink/specs/kice.yaml: regenerate them with linux-source's
# ynl-gen-c.py (schema validation included) and fail on any difference from
# the committed files.  Runs on the host (no module needed).
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"

LINUX_SRC=${LINUX_SRC:-/usr/src/linux-source-6.12}
[ -f "$LINUX_SRC/tools/net/ynl/ynl-gen-c.py" ] || ktap_skip_all "no $LINUX_SRC/tools/net/ynl"
python3 -c 'import yaml, jsonschema' 2>/dev/null || ktap_skip_all "python3-yaml/jsonschema missing"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ktap_plan 4
ktap_check "spec validates and generates" "$top/kernel/ynl-gen.sh" "$out"
for f in include/uapi/linux/kice.h kernel/netlink-gen.h kernel/netlink-gen.c; do
	if diff -u "$top/$f" "$out/$f" >"$out/diff" 2>&1; then
		ktap_ok "$f matches the spec"
	else
		ktap_fail "$f drifted from the spec (run kernel/ynl-gen.sh)"
		sed 's/^/# /' "$out/diff" | head -40
	fi
done
ktap_finish
