# SPDX-License-Identifier: GPL-2.0
# TAP 13 helpers for kice's shell tests (kselftest conventions: exit 0 pass,
# 1 fail, 4 skip).
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4
_ktap_n=0
_ktap_failed=0

ktap_plan() { echo "TAP version 13"; echo "1..$1"; }
ktap_ok() { _ktap_n=$((_ktap_n + 1)); echo "ok $_ktap_n $*"; }
ktap_fail() {
	_ktap_n=$((_ktap_n + 1))
	_ktap_failed=$((_ktap_failed + 1))
	echo "not ok $_ktap_n $*"
}
ktap_skip() { _ktap_n=$((_ktap_n + 1)); echo "ok $_ktap_n $1 # SKIP ${2:-}"; }
ktap_diag() { echo "# $*"; }

# ktap_check NAME COMMAND...: one test result from a command's status.
ktap_check() {
	local name=$1
	shift
	if "$@"; then ktap_ok "$name"; else ktap_fail "$name"; fi
}

# ktap_skip_all REASON: the whole test can't run here.
ktap_skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

ktap_finish() {
	[ "$_ktap_failed" = 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}
