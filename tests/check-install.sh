#!/bin/sh
# `meson install` with DESTDIR puts the built vigil and its man page below
# DESTDIR/PREFIX where a distribution expects them, and nothing else.
#   tests/check-install.sh BUILD_DIR PREFIX BINDIR MANDIR BUILT_VIGIL
set -eu
build=$1 prefix=$2 bindir=$3 mandir=$4 built=$5
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$stage" >/dev/null
# BINDIR and MANDIR are relative to PREFIX unless absolute.
case "$bindir" in /*) ;; *) bindir="$prefix/$bindir" ;; esac
case "$mandir" in /*) ;; *) mandir="$prefix/$mandir" ;; esac
fail=0
cmp -s "$built" "$stage$bindir/vigil" || { echo "FAIL: $stage$bindir/vigil is not the built vigil"; fail=1; }
[ -x "$stage$bindir/vigil" ] || { echo "FAIL: $stage$bindir/vigil is not executable"; fail=1; }
grep -q '^\.TH VIGIL 1 ' "$stage$mandir/man1/vigil.1" 2>/dev/null || { echo "FAIL: no vigil(1) at $stage$mandir/man1/vigil.1"; fail=1; }
others=$(cd "$stage" && find . -type f ! -path ".$bindir/vigil" ! -path ".$mandir/man1/vigil.1")
[ -z "$others" ] || { echo "FAIL: installed more than vigil and its man page:"; echo "$others"; fail=1; }
[ "$fail" -eq 0 ] && echo "installed $bindir/vigil and $mandir/man1/vigil.1 below DESTDIR"
exit "$fail"
