#!/bin/sh
# The whole test suite, as CI runs it: a development build with warnings as
# errors, then the static release build, each running every test against
# its own vigil binary; the static build also runs the end-to-end suite in
# real containers (podman).
set -eu
cd "$(dirname "$0")/.."
tests/install-deps.sh meson ninja-build g++ pkg-config binutils util-linux \
    libcap-dev libspdlog-dev libfmt-dev catch2 \
    podman runc busybox-static
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

configure build-static -Dstatic=true -Dbuildtype=release -Dwerror=true
meson test -C build-static --print-errorlogs
