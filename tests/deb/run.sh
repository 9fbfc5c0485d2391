#!/bin/bash
# The deb tier: debian/ builds the package from a clean copy of the tree
# (dpkg-buildpackage -b -us -uc), lintian finds no error in it, and it
# installs with dpkg into a fresh Debian 12 root (minbase, from the test
# cache), where the installed vigil gives its version and supervises a
# program. Everything is made below one temporary directory, removed pass or
# fail. Where the tools cannot be had, the tier cannot run
# (tests/cannot-run.sh): it fails with the reason under tests/run.sh and is
# skipped (77) elsewhere.
#   tests/deb/run.sh SOURCE_ROOT
set -euo pipefail
source_root=$(realpath "$1")
. "$source_root/tests/cannot-run.sh"
[ "$(id -u)" -eq 0 ] || cannot_run deb "installing into a root with chroot needs root"
"$source_root/tests/install-deps.sh" dpkg-dev debhelper lintian mmdebstrap meson ninja-build pkg-config g++ \
    libcap-dev libspdlog-dev libfmt-dev catch2 binutils groff-base python3 ||
    cannot_run deb "dpkg-dev, debhelper, lintian or the build dependencies cannot be installed"

work=$(mktemp -d /tmp/vigil-deb-XXXXXX)
started=$(date +%s)
say() { echo "deb tier, $(($(date +%s) - started)) s: $*"; }
cleanup() {
    local status=$?
    trap - EXIT TERM INT
    rm -rf "$work"
    say "cleaned up (exit $status)"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
failures=0
check() {  # DESCRIPTION COMMAND...: one line, PASS or FAIL
    local description=$1
    shift
    if "$@"; then echo "PASS: $description"; else echo "FAIL: $description"; failures=$((failures + 1)); fi
}

# A clean copy: the files git knows (as they are in the working tree, new ones
# not ignored included), without build directories or .git.
mkdir "$work/vigil"
if git -C "$source_root" rev-parse --git-dir >/dev/null 2>&1; then
    commit=$(git -C "$source_root" rev-parse --short=12 HEAD)
    (cd "$source_root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c '[ -e "$1" ] && printf "%s\0" "$1" || true' sh {} |
        tar --null -T - -cf -) | tar -xf - -C "$work/vigil"
else
    commit=unknown
    (cd "$source_root" && tar --exclude='./build*' -cf - .) | tar -xf - -C "$work/vigil"
fi
version=$(sed -n "s/^  version : '\(.*\)',$/\1/p" "$source_root/meson.build")
[ -n "$version" ] || { echo "FAIL: no version in meson.build"; exit 1; }

say "building vigil $version (commit $commit) with dpkg-buildpackage"
# nocheck: the unit suite runs in the other builds of tests/run.sh; here it would
# only double the compile time (a build by hand runs it, see docs/building.md).
if ! (cd "$work/vigil" && VIGIL_COMMIT=$commit DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1); then
    tail -n 60 "$work/build.log"
    echo "FAIL: dpkg-buildpackage -b -us -uc"
    exit 1
fi
architecture=$(dpkg --print-architecture)
package="$work/vigil_${version}_${architecture}.deb"
check "the package is named after meson.build's version: $(basename "$package")" test -s "$package"
[ -s "$package" ] || { ls "$work"; exit 1; }
say "built $(basename "$package"), $(stat -c %s "$package") bytes"
check "debian/changelog names the same version" grep -q "^vigil ($version) " "$source_root/debian/changelog"

contents=$(dpkg-deb -c "$package")
echo "$contents"
check "it holds /usr/bin/vigil" grep -q ' ./usr/bin/vigil$' <<<"$contents"
check "it holds the man page" grep -q ' ./usr/share/man/man1/vigil.1.gz$' <<<"$contents"
dpkg-deb -x "$package" "$work/unpacked"
check "the packaged vigil is the static one" "$source_root/tests/check-static.sh" "$work/unpacked/usr/bin/vigil" 1048576
check "the man page carries the version" sh -c "zcat '$work/unpacked/usr/share/man/man1/vigil.1.gz' | grep -q '\"vigil $version\"'"

# lintian: no error; warnings and the rest shown. The overrides, each with its reason, are in debian/.
lintian --info --display-level '>=pedantic' "$work"/vigil_*.changes >"$work/lintian.log" 2>&1 || true
cat "$work/lintian.log"
check "lintian reports no error" sh -c "! grep -q '^E: ' '$work/lintian.log'"
check "lintian reports no warning" sh -c "! grep -q '^W: ' '$work/lintian.log'"

# Installed into a fresh Debian 12 root with dpkg, as a user would.
base=$("$source_root/tests/debian-base.sh")
mkdir "$work/root"
tar -xf "$base" -C "$work/root"
cp "$package" "$work/root/tmp/"
check "dpkg -i installs it into a fresh Debian 12 root" chroot "$work/root" dpkg -i "/tmp/$(basename "$package")"
check "dpkg lists it as installed" sh -c "chroot '$work/root' dpkg-query -W -f='\${Status} \${Version}' vigil | grep -qx 'install ok installed $version'"
installed_version=$(chroot "$work/root" vigil --version || true)
check "vigil --version: $installed_version" test "$installed_version" = "vigil version $version - git.$commit"
code=0
chroot "$work/root" vigil -- sh -c 'exit 3' || code=$?
check "a supervised program's exit code comes through (3)" test "$code" = 3
# As PID 1 of a PID namespace, with its /proc mounted in the root (in a mount namespace of its own).
code=0
output=$(unshare --pid --fork --mount-proc="$work/root/proc" chroot "$work/root" \
    vigil -t 5s -- sh -c 'trap "echo drained; exit 0" TERM; kill -TERM 1; sleep 10 & wait' 2>&1) || code=$?
echo "$output"
check "as PID 1, a SIGTERM is forwarded and the program's drain ends it with 0" test "$code" = 0
check "the program drained" grep -q '^drained$' <<<"$output"

say "$failures failure(s)"
[ "$failures" -eq 0 ]
