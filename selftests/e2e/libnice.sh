#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libnice through kiced with kice.ko: the calls of
# agent/kiced/tests/nice_interop.sh (which make check-net runs in
# userspace on the host), here with the module loaded, each call relayed
# by it.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
why=$(e2e_load_module 2>&1) || ktap_skip_all "kice.ko does not load: $why"
KICE_RELAY=kernel exec "$top/agent/kiced/tests/nice_interop.sh"
