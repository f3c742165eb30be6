#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hostile_ng.sh against the release build (build/out, which `make` builds
# and `make check` has built before check-net), when it is up to date.
top=$(cd "$(dirname "$0")/../../.." && pwd)
if ! make -C "$top" --no-print-directory -q build/out/bin/kiced \
	build/out/bin/hostile_ng build/out/bin/kicectl >/dev/null 2>&1; then
	echo "TAP version 13"
	echo "1..0 # SKIP build/out is not built or not up to date (run make)"
	exit 4
fi
O=$top/build/out exec "$top/agent/kiced/tests/hostile_ng.sh"
