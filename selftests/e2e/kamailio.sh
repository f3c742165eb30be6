#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kamailio with its rtpengine module and sipp calls through kiced with
# kice.ko: agent/kiced/tests/kamailio_interop.sh (which make check-net runs
# in userspace on the host), here with the module loaded so that the
# call's RTP is relayed in the kernel, the callee's re-INVITE included.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
command -v kamailio >/dev/null && command -v sipp >/dev/null ||
	ktap_skip_all "kamailio or sipp missing (run .ci/deps)"
why=$(e2e_load_module 2>&1) || ktap_skip_all "kice.ko does not load: $why"
KICE_RELAY=kernel exec "$top/agent/kiced/tests/kamailio_interop.sh"
