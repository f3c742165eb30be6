#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages as an operator installs them (make deb; built and
# linted on the host by selftests/package/deb.sh): in an overlay of the
# VM's root, dpkg -i kice-dkms and kiced; DKMS builds kice.ko for the
# running kernel and it loads; kiced runs from the unit's ExecStart= as the
# unit's User= with its AmbientCapabilities= (there is no systemd in the
# VM: its manager's part is played here), tells readiness over
# $NOTIFY_SOCKET, relays a call in the kernel, and a restart as
# `systemctl restart` does it (KillMode=process: SIGTERM to kiced alone)
# keeps the call's media flowing and hands the call to the next kiced.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
. "$top/selftests/lib/netns.sh"

[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
rel=$(uname -r)
ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version 2>/dev/null)
kd=$top/build/deb/kice-dkms_${ver}_all.deb
kp=$top/build/deb/kiced_${ver}_$(dpkg --print-architecture).deb
[ -f "$kd" ] && [ -f "$kp" ] ||
	ktap_skip_all "no packages in build/deb (make deb; make check builds them first)"
app=$top/build/out/bin/kice-rtpapp
[ -x "$app" ] || ktap_skip_all "kice-rtpapp not built"
[ -d "/lib/modules/$rel/build" ] || ktap_skip_all "no headers for $rel"
if [ -d /sys/module/kice ]; then
	# the tree's module, from the tests before: DKMS's must be the one loaded
	rmmod kice || { ktap_plan 1; ktap_fail "kice.ko from an earlier test is busy"; exit 1; }
fi

tmp=$(mktemp -d)
R=$tmp/root
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	ns_cleanup
	pkill -f "^kiced.*/etc/kice/kiced.conf" 2>/dev/null
	sleep 0.2
	[ -d /sys/module/kice ] && rmmod kice 2>/dev/null
	umount -R "$R" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ktap_plan 11

# make check (selftests/package/deb.sh) has installed the packages on the
# host's root, kept in build/pkgroot/upper: that system, booted here.
# Without it, dpkg -i runs here (~230 s a kernel in TCG: DKMS's build and
# depmod).
pr=$top/build/pkgroot/upper
lower=/
[ -d "$pr" ] && lower=$pr:/
mkdir -p "$tmp"/{upper,work} "$R"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$tmp/upper,workdir=$tmp/work" "$R" &&
	mount -t proc proc "$R/proc" && mount --rbind /sys "$R/sys" &&
	mount --rbind /dev "$R/dev" && mount -t tmpfs tmpfs "$R/run" &&
	mount -t tmpfs tmpfs "$R/tmp" || ktap_skip_all "cannot make an overlay of /"

if [ "$lower" = / ]; then
	cp "$kd" "$kp" "$R/tmp/"
	t0=$(date +%s)
	chroot "$R" env DEBIAN_FRONTEND=noninteractive dpkg -i "/tmp/${kd##*/}" "/tmp/${kp##*/}" \
		>"$tmp/dpkg.log" 2>&1; rc=$?
	secs=$(($(date +%s) - t0))
	[ $rc = 0 ] || sed 's/^/# /' "$tmp/dpkg.log"
	how="dpkg -i here (${secs}s)"
else
	rc=0
	how="dpkg -i by make check's check-deb"
fi
st=$(chroot "$R" dkms status -m kice -v "$ver" -k "$rel" 2>/dev/null)
inst=$(chroot "$R" dpkg-query -W -f '${db:Status-Status} ' kice-dkms kiced 2>&1)
ktap_check "kice-dkms and kiced installed ($how): $inst; DKMS: $st" \
	eval '[ $rc = 0 ] && [ "$inst" = "installed installed " ] && [[ "$st" == *"$rel"*installed* ]]'

ko=$(chroot "$R" modinfo -k "$rel" -n kice 2>&1)
chroot "$R" modprobe kice 2>&1 | sed 's/^/# /'
ktap_check "modprobe kice loads DKMS's module ($ko)" \
	eval '[ -d /sys/module/kice ] && [[ "$ko" == "/lib/modules/$rel/updates/dkms/kice.ko"* ]] &&
		[ "$(chroot "$R" modinfo -k "$rel" -F vermagic kice | cut -d" " -f1)" = "$rel" ] &&
		grep -q "^kice " /proc/modules'

unit=$R/lib/systemd/system/kiced.service
key() { sed -n "s/^$1=//p" "$unit" | tail -1; }
execstart=$(key ExecStart) user=$(key User) group=$(key Group)
caps=$(key AmbientCapabilities)
capl=$(echo "$caps" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
ktap_check "the unit names kiced's user ($user), which the package created, and its capabilities ($caps)" \
	eval '[ -n "$user" ] && chroot "$R" getent passwd "$user" >/dev/null && [ -n "$capl" ]'
# systemd-analyze verify: the unit's syntax, its commands and man pages
out=$(chroot "$R" systemd-analyze verify kiced.service 2>&1)
[ -z "$out" ] || echo "$out" | sed 's/^/# /'
ktap_check "systemd-analyze verify kiced.service: clean" test -z "$out"

# The manager's part: RuntimeDirectory= (kept: RuntimeDirectoryPreserve=),
# the notification socket, WatchdogSec=, LimitNOFILE=, User=,
# AmbientCapabilities=.
ns=$(ns_new pkg) || ktap_skip_all "cannot create a network namespace"
chroot "$R" install -d -m "$(key RuntimeDirectoryMode)" -o "$user" -g "$group" "/run/$(key RuntimeDirectory)"
python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.settimeout(90)
out = open(sys.argv[2], "a", buffering=1)
try:
    while True:
        out.write(s.recv(4096).decode().replace("\n", " ") + "\n")
except socket.timeout:
    pass' "$R/run/notify" "$tmp/notify" & pids+=($!)
sleep 0.5
wd=$(($(key WatchdogSec) * 1000000))
start_kiced() {
	ip netns exec "$ns" chroot "$R" env NOTIFY_SOCKET=/run/notify WATCHDOG_USEC=$wd \
		prlimit --nofile="$(key LimitNOFILE)" setpriv --reuid="$user" --regid="$group" --init-groups \
		--inh-caps="$capl" --ambient-caps="$capl" $execstart \
		>>"$tmp/kiced.log" 2>&1 &
	kpid=$!
	pids+=($kpid)
}
# wait_notify N WHAT: the Nth notification saying WHAT, within 20 s
wait_notify() {
	local i n
	for i in $(seq 100); do
		n=$(grep -c "$2" "$tmp/notify" 2>/dev/null)
		[ "${n:-0}" -ge "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
start_kiced
wait_notify 1 READY=1; rc=$?
ktap_check "kiced from ExecStart ($execstart) as $user: READY=1 over \$NOTIFY_SOCKET, kernel relay" \
	eval '[ $rc = 0 ] && grep -q "media relay: kernel" "$tmp/kiced.log"'
[ $rc = 0 ] || sed 's/^/# /' "$tmp/kiced.log"

ctl() { ip netns exec "$ns" chroot "$R" kicectl "$@"; }
sdp() {
	printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\n' "$1"
}
port() { sed -n 's/^m=audio \([0-9]*\) .*/\1/p' | head -1; }
pb=$(sdp 6000 | ctl offer --call-id pkg1 --from-tag a | tr -d '\r' | port)
pa=$(sdp 7000 | ctl answer --call-id pkg1 --from-tag a --to-tag b | tr -d '\r' | port)
ktap_check "kicectl offer and answer through the packaged kiced (ports $pb, $pa)" \
	eval '[ -n "$pa" ] && [ -n "$pb" ]'

# 400 packets each way, 20 ms apart (8 s); kiced restarted at 3 s
start=$(($(date +%s%3N) + 500))
ip netns exec "$ns" "$app" -b 127.0.0.1:6000 -t "127.0.0.1:$pa" -c 400 -S $start -n caller \
	>"$tmp/a" 2>&1 & apid=$!
ip netns exec "$ns" "$app" -b 127.0.0.1:7000 -t "127.0.0.1:$pb" -c 400 -S $start -n callee \
	>"$tmp/b" 2>&1 & bpid=$!
sleep 2.5
q=$(ctl query --call-id pkg1 2>/dev/null | python3 -c 'import json, sys
q = json.load(sys.stdin); print(q.get("relay", ""), q["totals"]["RTP"]["packets"])' 2>/dev/null)
ktap_check "the call is relayed in the kernel (relay, packets: $q)" \
	eval '[ "${q% *}" = kernel ] && [ "${q#* }" -gt 50 ]'
# systemctl restart with KillMode=process: SIGTERM to the main process only
kill -TERM $kpid
wait $kpid; trc=$?
sleep 0.5
start_kiced
wait_notify 2 READY=1; rc=$?
wait $apid; wait $bpid
ra=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$tmp/a")
rb=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$tmp/b")
ktap_check "SIGTERM (exit $trc), ExecStart again: READY=1, media went on ($ra, $rb of 400 received)" \
	eval '[ $trc = 0 ] && [ $rc = 0 ] && [ "${ra:-0}" -ge 390 ] && [ "${rb:-0}" -ge 390 ]'
q=$(ctl query --call-id pkg1 2>/dev/null | python3 -c 'import json, sys
q = json.load(sys.stdin); print(q.get("relay", ""))' 2>/dev/null)
ktap_check "the next kiced adopted the call and its kernel flows (relay: $q)" \
	eval '[ "$q" = kernel ] && grep -q "handover: 1 calls" "$tmp/kiced.log"'
ctl delete --call-id pkg1 --from-tag a >/dev/null 2>&1
kill -TERM $kpid
wait $kpid; trc=$?
wait_notify 2 STOPPING=1; rc=$?
ktap_check "delete, SIGTERM: STOPPING=1, exit $trc, no call or flow left" \
	eval '[ $trc = 0 ] && [ $rc = 0 ] &&
		[ "$(ip netns exec "$ns" chroot "$R" kicectl show flows -j 2>/dev/null |
			python3 -c "import json, sys; print(len(json.load(sys.stdin)[\"flows\"]))")" = 0 ]'
sed 's/^/# notify: /' "$tmp/notify" | sort | uniq -c | sed 's/^ */# /' | head -8
ktap_check "kiced logged no error" eval '! grep -E " (err|crit|alert|emerg):" "$tmp/kiced.log"'
grep -E "(warn|err):" "$tmp/kiced.log" | sed 's/^/# /' | head -5
ktap_finish
