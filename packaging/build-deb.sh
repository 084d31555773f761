#!/bin/sh
# Builds target/debian/liyan_<version>_amd64.deb (or OUT_DIR/...) from an already built release binary.
#
#   scripts/build-web.sh && cargo build --release   # first (this script never compiles)
#   packaging/build-deb.sh [OUT_DIR] # default OUT_DIR: target/debian
#
# Environment:
#   LIYAN_BIN         binary to package (default: target/release/liyan)
#   LIYAN_VERSION     package version (default: the version in Cargo.toml)
#   LIYAN_MAINTAINER  Maintainer field (default: a placeholder address)
#
# Needs only POSIX sh, coreutils, sed and dpkg-deb; no network.
set -eu
umask 022

root=$(cd "$(dirname "$0")/.." && pwd)
pkg=$root/packaging
bin=${LIYAN_BIN:-$root/target/release/liyan}
out=${1:-$root/target/debian}
maintainer=${LIYAN_MAINTAINER:-Liyan packaging <packaging@liyan.invalid>}

die() {
    echo "build-deb: $*" >&2
    exit 1
}

[ -f "$bin" ] || die "no binary at $bin; run: scripts/build-web.sh && cargo build --release"
[ -x "$bin" ] || die "$bin is not executable"
# ELF magic, 64-bit, machine x86-64 (0x3e): the package is Architecture: amd64.
magic=$(od -An -tx1 -N4 "$bin" | tr -d ' \n')
class=$(od -An -tx1 -j4 -N1 "$bin" | tr -d ' \n')
machine=$(od -An -tx1 -j18 -N1 "$bin" | tr -d ' \n')
[ "$magic" = 7f454c46 ] && [ "$class" = 02 ] && [ "$machine" = 3e ] ||
    die "$bin is not an x86-64 Linux executable"

version=${LIYAN_VERSION:-$(sed -n 's/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)}
[ -n "$version" ] || die "cannot read the version from Cargo.toml"

for f in "$pkg/liyan.service" "$pkg/liyan-backup.service" "$pkg/liyan-backup.timer" \
    "$pkg/debian/control" "$pkg/debian/postinst" "$pkg/debian/prerm" "$pkg/debian/postrm" \
    "$root/config.example.toml"; do
    [ -f "$f" ] || die "missing $f"
done

stage=$(mktemp -d "${TMPDIR:-/tmp}/liyan-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
chmod 0755 "$stage"

install -D -m 0755 "$bin" "$stage/usr/bin/liyan"
for unit in liyan.service liyan-backup.service liyan-backup.timer; do
    install -D -m 0644 "$pkg/$unit" "$stage/usr/lib/systemd/system/$unit"
done
install -D -m 0644 "$root/config.example.toml" "$stage/usr/share/liyan/config.example.toml"
install -d -m 0755 "$stage/usr/share/doc/liyan"
for doc in install.md backup-restore.md configuration.md; do
    if [ -f "$root/docs/$doc" ]; then
        install -m 0644 "$root/docs/$doc" "$stage/usr/share/doc/liyan/$doc"
    fi
done

install -d -m 0755 "$stage/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$pkg/debian/$script" "$stage/DEBIAN/$script"
done
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@INSTALLED_SIZE@|$size|" -e "s|@MAINTAINER@|$maintainer|" \
    "$pkg/debian/control" >"$stage/DEBIAN/control"
chmod 0644 "$stage/DEBIAN/control"

mkdir -p "$out"
deb=$out/liyan_${version}_amd64.deb
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
echo "built $deb"
