#!/usr/bin/env bash
# Builds the trustpath Debian package from this (built) checkout with Debian's tools:
#   packaging/build-deb.sh [OUTDIR] [--version VERSION]
# `make install DESTDIR=…/stage` lays the files out, then dpkg-buildpackage (debhelper,
# packaging/debian/) turns them into OUTDIR/trustpath_VERSION_ARCH.deb and prints its path.
# VERSION defaults to package.json's version with Debian revision 1 (e.g. 0.1.0-1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
outdir=build/deb
version=
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=${2:?--version needs a value}; shift 2 ;;
    -*) echo "build-deb: unknown option $1" >&2; exit 2 ;;
    *) outdir=$1; shift ;;
  esac
done
[ -n "$version" ] || version="$(node -p 'require("./package.json").version')-1"
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || { echo "build-deb: bad version '$version'" >&2; exit 2; }
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

work=$(mktemp -d /tmp/trustpath-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/trustpath-${version%%-*}
mkdir -p "$src"
make -s -C "$root" install DESTDIR="$src/stage" PREFIX=/usr UNITDIR=/lib/systemd/system >&2
cp -R packaging/debian "$src/debian"
cat > "$src/debian/changelog" <<EOF
trustpath ($version) unstable; urgency=medium

  * Built from the trustpath checkout ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)).

 -- trustpath developers <trustpath@example.invalid>  $(date -R)
EOF
(cd "$src" && dpkg-buildpackage -b -us -uc --no-sign >"$work/build.log" 2>&1) || {
  tail -40 "$work/build.log" >&2
  echo "build-deb: dpkg-buildpackage failed (log above)" >&2
  exit 1
}
deb=$(find "$work" -maxdepth 1 -name "trustpath_${version}_*.deb" -print -quit)
[ -n "$deb" ] || { echo "build-deb: no package was produced" >&2; exit 1; }
mv -f "$deb" "$outdir/"
echo "$outdir/$(basename "$deb")"
