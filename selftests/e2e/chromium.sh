#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Chromium (libwebrtc) through kiced with kice.ko: the two-peer-connection
# call of agent/kiced/tests/chromium_interop.sh (which make check-net runs
# in userspace on the host), here with the module loaded so that the
# call's SRTP is relayed in the kernel.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
command -v chromium >/dev/null || ktap_skip_all "chromium missing (run .ci/deps)"
# Under KASAN and lockdep in TCG (make check-debug) Chromium's two peer
# connections starve: round trips of 0.6 s at 5 s, then no answers at all,
# so kiced's consent expires; webrtcbin.sh and libnice.sh carry WebRTC-
# shaped and ICE traffic through kice.ko there, and this test runs on both
# Debian kernels (with slub_debug and KFENCE)
case "$(uname -r)" in
*-kice-debug*) ktap_skip_all "Chromium is too slow under the debugging kernel" ;;
esac
why=$(e2e_load_module 2>&1) || ktap_skip_all "kice.ko does not load: $why"
KICE_RELAY=kernel exec "$top/agent/kiced/tests/chromium_interop.sh"
