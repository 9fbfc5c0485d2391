#!/bin/sh
# The whole test suite, as CI runs it: a development build with warnings as
# errors (unit, integration, fuzz-corpus replay, clang-tidy and cppcheck),
# the same tests under AddressSanitizer and UndefinedBehaviorSanitizer, then
# the static release build, which runs everything against the static binary
# plus the tiers in real containers (podman, Docker) and in a VM (cgroup v2),
# and last the arm64 cross build, tested in an arm64 VM.
set -eu
cd "$(dirname "$0")/.."
tests/install-deps.sh meson ninja-build g++ pkg-config binutils util-linux \
    libcap-dev libspdlog-dev libfmt-dev catch2 \
    podman runc busybox-static clang-tidy cppcheck python3
# The end-to-end suite runs real Node.js (and npm) in its containers.
command -v node >/dev/null && command -v npm >/dev/null || tests/install-deps.sh nodejs npm

# Configures a build directory afresh or updates it in place.
configure() {
    directory=$1
    shift
    if [ -f "$directory/build.ninja" ]; then
        meson configure "$directory" "$@"
    else
        meson setup "$directory" "$@"
    fi
}

configure build -Dwerror=true
meson test -C build --print-errorlogs

# Any sanitizer report fails the test it happens in. werror stays off
# here: g++ 12 warns falsely inside Catch2 when sanitizing.
configure build-asan -Db_sanitize=address,undefined -Db_lundef=false
ASAN_OPTIONS=halt_on_error=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --no-suite lint

configure build-static -Dstatic=true -Dbuildtype=release -Dwerror=true
meson test -C build-static --print-errorlogs

# arm64: cross-built here, run natively on Debian's arm64 kernel under QEMU.
if tests/install-deps.sh crossbuild-essential-arm64 libcap-dev:arm64 qemu-system-arm; then
    [ -f build-arm64/build.ninja ] || meson setup build-arm64 --cross-file cross/aarch64-linux-gnu.ini -Dstatic=true -Dbuildtype=release -Dwerror=true
    meson test -C build-arm64 --print-errorlogs
else
    echo "SKIP: arm64: the cross toolchain (crossbuild-essential-arm64, libcap-dev:arm64) or qemu-system-arm cannot be installed"
fi
