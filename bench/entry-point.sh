#!/bin/sh
# The static vigil blocks its signals at its own ELF entry point (src/entry.cpp);
# every other build blocks them from .preinit_array. This measures the one
# against the other, side by side with tini-static and catatonit: the
# stop-signal row of bench/run.sh (SIGTERM the instant the init's exec is
# seen, as PID 1; how often it is lost), RUNS times in one go. Run as root.
#   bench/entry-point.sh [RUNS] [ROUNDS]   (default 3 runs of 300 rounds: 100 stop signals per init and run)
set -eu
cd "$(dirname "$0")/.."
tests/install-deps.sh meson ninja-build g++ pkg-config binutils util-linux libcap-dev libspdlog-dev libfmt-dev catch2 \
    tini catatonit
configure() {  # DIR OPTIONS...
    dir=$1; shift
    if [ -f "$dir/build.ninja" ]; then meson configure "$dir" "$@" >/dev/null; else meson setup "$dir" "$@" >/dev/null; fi
}
configure build-static -Dstatic=true -Dbuildtype=release -Dearly_entry=true
configure build-preinit -Dstatic=true -Dbuildtype=release -Dearly_entry=false
meson compile -C build-static vigil bench/vigil-bench >/dev/null
meson compile -C build-preinit vigil >/dev/null
for run in $(seq "${1:-3}"); do
    echo "run $run"
    build-static/bench/vigil-bench --vigil "$PWD/build-static/vigil" --also "vigil (.preinit_array)=$PWD/build-preinit/vigil" \
        --only stop --columns "vigil,vigil (.preinit_array),tini-static,catatonit" --rounds "${2:-300}" | grep -v '^Machine'
done
