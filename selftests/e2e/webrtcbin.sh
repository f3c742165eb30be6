#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# GStreamer webrtcbin through kiced with kice.ko: the two-peer
# call of agent/kiced/tests/webrtcbin_interop.sh (which make check-net runs
# in userspace on the host), here with the module loaded so that the
# call's SRTP is relayed in the kernel.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
gst-inspect-1.0 webrtcbin >/dev/null 2>&1 || ktap_skip_all "webrtcbin missing (run .ci/deps)"
why=$(e2e_load_module 2>&1) || ktap_skip_all "kice.ko does not load: $why"
KICE_RELAY=kernel exec "$top/agent/kiced/tests/webrtcbin_interop.sh"
