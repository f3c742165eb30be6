#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Generate the kice uapi header, the kernel policy/ops tables and the
# family's reference documentation from the YNL spec with linux-source's
# ynl-gen-c.py and ynl-gen-rst.py.
#
#   kernel/ynl-gen.sh [OUTDIR]
#
# Without OUTDIR the files in the tree are rewritten; with it they are
# written below OUTDIR (same relative paths), which is how
# selftests/kernel/ynl_drift checks that the committed files match.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
LINUX_SRC=${LINUX_SRC:-/usr/src/linux-source-6.12}
gen=$LINUX_SRC/tools/net/ynl/ynl-gen-c.py
out=${1:-$top}
spec=Documentation/netlink/specs/kice.yaml

[ -f "$gen" ] || { echo "ynl-gen: $gen missing (run .ci/deps)" >&2; exit 4; }

# ynl-gen-c.py looks for the schema next to the spec's directory, so
# run it in a scratch tree holding the spec and linux-source's schemas.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/Documentation/netlink/specs"
cp "$LINUX_SRC"/Documentation/netlink/genetlink*.yaml "$tmp/Documentation/netlink/"
cp "$top/$spec" "$tmp/$spec"
# ...and below a directory holding MAINTAINERS, which marks the tree root.
touch "$tmp/MAINTAINERS"
mkdir -p "$out/include/uapi/linux" "$out/kernel" "$out/Documentation/netlink"

cd "$tmp"
python3 "$gen" --mode uapi --header --spec "$spec" \
	-o "$out/include/uapi/linux/kice.h"
python3 "$gen" --mode kernel --header --spec "$spec" \
	-o "$out/kernel/netlink-gen.h"
python3 "$gen" --mode kernel --source --spec "$spec" \
	-o "$out/kernel/netlink-gen.c"
python3 "$LINUX_SRC/tools/net/ynl/ynl-gen-rst.py" -i "$spec" \
	-o "$out/Documentation/netlink/kice.rst"
