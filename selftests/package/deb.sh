#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages (make deb, debian/): they build, lintian finds no
# error or warning, they hold what an operator needs, the unit is hardened
# and the man pages render; then dpkg -i installs both into an overlay of
# this machine's root (build/pkgroot/upper holds the changes) and DKMS
# builds kice.ko for every installed kernel.  The VM tests boot each kernel
# on that installed system (selftests/e2e/package.sh): kice.ko from DKMS
# loads, kiced runs from its unit and relays a call.  DKMS is run here, not
# in the VM, because in qemu TCG its build and depmod take ~230 s per
# kernel (~20 s here); package.sh still installs in the VM when no
# build/pkgroot is there.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
. "$top/selftests/lib/ktap.sh"
cd "$top" || exit 1

for t in dpkg-buildpackage dh lintian dkms rst2man systemd-analyze; do
	command -v $t >/dev/null || ktap_skip_all "$t missing (run .ci/deps)"
done
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg --print-architecture)
d=build/deb
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ktap_plan 11

make -s deb >"$tmp/deb.log" 2>&1; rc=$?
[ $rc = 0 ] || cat "$tmp/deb.log"
ktap_check "make deb builds kiced_${ver}_$arch.deb and kice-dkms_${ver}_all.deb" \
	test $rc = 0 -a -f $d/kiced_${ver}_$arch.deb -a -f $d/kice-dkms_${ver}_all.deb

# as a user (lintian warns when run as root), on a copy it can read
# whatever the checkout's parents' permissions
lopt=(--fail-on error,warning --suppress-tags package-supports-alternative-init-but-no-init.d-script)
mkdir -p "$tmp/lint"
cp $d/*_${ver}_*.deb $d/kice_${ver}_$arch.changes $d/kice_${ver}_$arch.buildinfo "$tmp/lint/"
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$tmp" "$tmp/lint" && chmod 644 "$tmp"/lint/*
	(cd "$tmp/lint" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env HOME="$tmp/lint" lintian "${lopt[@]}" kice_${ver}_$arch.changes) >"$tmp/lintian" 2>&1
else
	lintian "${lopt[@]}" "$tmp/lint/kice_${ver}_$arch.changes" >"$tmp/lintian" 2>&1
fi
rc=$?
sed 's/^/# /' "$tmp/lintian"
ktap_check "lintian: no error and no warning ($(grep -c '^[EWIP]:' "$tmp/lintian") tags)" test $rc = 0

x=$tmp/kiced
dpkg-deb -x $d/kiced_${ver}_$arch.deb "$x"
dpkg-deb -e $d/kiced_${ver}_$arch.deb "$x/DEBIAN"
missing=
for f in usr/sbin/kiced usr/bin/kicectl etc/kice/kiced.conf lib/systemd/system/kiced.service \
	usr/lib/sysusers.d/kiced.conf usr/share/man/man8/kiced.8.gz \
	usr/share/man/man8/kicectl.8.gz usr/share/man/man5/kiced.conf.5.gz \
	usr/share/doc/kiced/examples/kiced.conf.example; do
	[ -e "$x/$f" ] || missing="$missing $f"
done
ktap_check "kiced: daemon, CLI, config, unit, system user, man pages, example${missing:+ (missing:$missing)}" \
	test -z "$missing"
ktap_check "kiced: /etc/kice/kiced.conf is a conffile, with keep-flows on (for KillMode=process)" \
	eval 'grep -qx /etc/kice/kiced.conf "$x/DEBIAN/conffiles" &&
		grep -qx "keep-flows = yes" "$x/etc/kice/kiced.conf"'
# the packaged configuration is one kiced accepts (keep-flows: its holder
# and handover socket under a private /run)
out=$(cd "$tmp" && unshare -m sh -c 'mount -t tmpfs tmpfs /run &&
	{ "$1/usr/sbin/kiced" -f -c "$1/etc/kice/kiced.conf" --no-kernel \
		--ng-listen 127.0.0.1:22399 --port-min 45000 --port-max 45010 -l info \
		2>"$2/kiced.log" & p=$!; sleep 1; ls /run/kiced; kill -INT $p; wait $p; echo "rc=$?"; }' \
	- "$x" "$tmp" 2>&1 | tr '\n' ' ')
grep -q "fd store: holder" "$tmp/kiced.log" || sed 's/^/# /' "$tmp/kiced.log"
ktap_check "kiced from the package runs with the packaged configuration, its holder too, and stops ($out)" \
	eval '[[ "$out" == "handover.sock rc=0 " ]] && grep -q "fd store: holder" "$tmp/kiced.log"'

unit=$x/lib/systemd/system/kiced.service
sec=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | grep -o 'exposure level for kiced.service: [0-9.]*')
ktap_check "kiced.service: Type=notify, KillMode=process, User=kiced; systemd-analyze security: ${sec##* } (at most 3)" \
	eval 'grep -qx Type=notify "$unit" && grep -qx KillMode=process "$unit" &&
		grep -qx User=kiced "$unit" &&
		systemd-analyze security --offline=yes --threshold=30 "$unit" >/dev/null 2>&1'

bad=
for m in "$x"/usr/share/man/man*/*.gz; do
	# as lintian's groff-message check: troff's own warnings, those
	# about filling lines aside
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$m" 2>&1 >/dev/null |
		grep -v -e "cannot adjust line" -e "can't break line")
	[ -z "$w" ] || { bad="$bad $(basename "$m")"; echo "$w" | sed 's/^/# /' | head -5; }
	zcat "$m" | grep -q '^\.SH' || bad="$bad $(basename "$m"):no-sections"
done
ktap_check "man pages kiced(8), kicectl(8), kiced.conf(5) render without groff errors${bad:+ ($bad)}" \
	test -z "$bad"
ktap_check "kiced(8) has the options and Restart; kiced.conf(5) every section's keys" \
	eval 'zcat "$x/usr/share/man/man8/kiced.8.gz" | grep -q -- "keep\\\\-flows" &&
		zcat "$x/usr/share/man/man8/kiced.8.gz" | grep -q "^\.SH RESTART" &&
		for s in kiced control media ice; do
			zcat "$x/usr/share/man/man5/kiced.conf.5.gz" | grep -q "\\[$s\\]" || exit 1
		done'

k=$tmp/dkms
dpkg-deb -x $d/kice-dkms_${ver}_all.deb "$k"
src=$k/usr/src/kice-$ver
ktap_check "kice-dkms: /usr/src/kice-$ver with dkms.conf (version $ver) and the module's sources" \
	eval 'grep -qx "PACKAGE_VERSION=\"$ver\"" "$src/dkms.conf" &&
		cmp -s kernel/flow.c "$src/kernel/flow.c" &&
		cmp -s include/uapi/linux/kice.h "$src/include/uapi/linux/kice.h"'

# dpkg -i on this machine, in an overlay of / (nothing here changes)
pr=build/pkgroot
R=$tmp/root
rm -rf "$pr" && mkdir -p "$pr/upper" "$pr/work" "$R"
cp $d/kice-dkms_${ver}_all.deb $d/kiced_${ver}_$arch.deb "$tmp/"
unshare -m sh -c '
	set -e
	mount -t overlay overlay -o "lowerdir=/,upperdir=$1/upper,workdir=$1/work" "$2"
	mount -t proc proc "$2/proc"; mount --rbind /sys "$2/sys"
	mount --rbind /dev "$2/dev"; mount -t tmpfs tmpfs "$2/run"
	mount -t tmpfs tmpfs "$2/tmp"; cp "$3"/*.deb "$2/tmp/"
	chroot "$2" env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/kice-dkms_$4_all.deb \
		/tmp/kiced_$4_$5.deb
	chroot "$2" dkms status -m kice -v "$4"' - "$pr" "$R" "$tmp" "$ver" "$arch" \
	>"$tmp/dpkg.log" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$tmp/dpkg.log"
rm -rf "$pr/work"
kernels=$(ls /lib/modules)
# /lib/modules as the overlay stores it (merged /usr: usr/lib/modules)
mods=$pr/upper/$(readlink -f /lib/modules | sed 's|^/||')
bad=
for k in $kernels; do
	[ -d "/lib/modules/$k/build" ] || continue
	ko=$(ls "$mods/$k/updates/dkms/"kice.ko* 2>/dev/null)
	grep -q "^kice/$ver, $k, .*: installed" "$tmp/dpkg.log" && [ -n "$ko" ] &&
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ] || bad="$bad $k"
done
ktap_check "dpkg -i kice-dkms kiced: DKMS built and installed kice $ver for $(echo $kernels)${bad:+ (not:$bad)}" \
	eval '[ $rc = 0 ] && [ -z "$bad" ]'
ktap_check "dpkg -i: the system user kiced, the unit enabled, depmod knows kice" \
	eval 'grep -q "^kiced:" "$pr/upper/etc/passwd" &&
		[ -L "$pr/upper/etc/systemd/system/multi-user.target.wants/kiced.service" ] &&
		for k in $kernels; do grep -q "updates/dkms/kice.ko" "$mods/$k/modules.dep" || exit 1; done'
ktap_finish
