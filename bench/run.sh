#!/bin/sh
# Benchmarks vigil side by side with tini, dumb-init and catatonit (and no
# init) in one run, and prints Markdown tables. Run as root for the PID 1
# and podman rows. Not part of the test command: it measures, it asserts nothing.
#   bench/run.sh [ROUNDS]      (default 300: 40x as many start-ups and as many signals, a third as many stop-signal runs per init)
# then a table of vigil's start-up items (bench/startup_items.cpp) and of
# where the static binary's bytes go (bench/link-map.sh).
set -eu
cd "$(dirname "$0")/.."
tests/install-deps.sh meson ninja-build g++ pkg-config binutils util-linux libcap-dev libspdlog-dev libfmt-dev catch2 \
    tini dumb-init catatonit podman runc busybox-static
if [ -f build-static/build.ninja ]; then
    meson configure build-static -Dstatic=true -Dbuildtype=release >/dev/null
else
    meson setup build-static -Dstatic=true -Dbuildtype=release >/dev/null
fi
meson compile -C build-static vigil bench/vigil-bench bench/vigil-startup-items >/dev/null
build-static/bench/vigil-bench --vigil "$PWD/build-static/vigil" --source "$PWD" --rounds "${1:-300}"
echo
# Where vigil's own start-up time goes, item by item (in-process, vigil's code).
build-static/bench/vigil-startup-items
echo
# Where the static binary's bytes go.
bench/link-map.sh build-static
