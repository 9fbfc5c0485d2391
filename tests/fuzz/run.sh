#!/bin/sh
# Runs every fuzz target (or those named) under libFuzzer with ASan and
# UBSan for SECONDS each, as many at once as there are cores. New inputs go to
# build-fuzz/corpus/TARGET; crashes to build-fuzz/crashes/ (copy one into
# tests/fuzz/corpus/TARGET once fixed, so the test suite replays it forever).
#   tests/fuzz/run.sh SECONDS [TARGET...]
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}
shift
targets=${*:-options duration signals accounts proc health}
tests/install-deps.sh clang libclang-rt-14-dev meson ninja-build pkg-config libcap-dev libspdlog-dev libfmt-dev catch2
if [ ! -f build-fuzz/build.ninja ]; then
    CXX=clang++ meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
for target in $targets; do meson compile -C build-fuzz "tests/fuzz-$target" >/dev/null; done
mkdir -p build-fuzz/crashes
jobs=$(nproc)
running=0
for target in $targets; do
    mkdir -p "build-fuzz/corpus/$target"
    (
        build-fuzz/tests/fuzz-"$target" -max_total_time="$seconds" -print_final_stats=1 \
            -artifact_prefix="build-fuzz/crashes/$target-" "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" \
            > "build-fuzz/fuzz-$target.log" 2>&1 && echo "fuzz-$target: clean, $(grep -m1 'stat::number_of_executed_units' "build-fuzz/fuzz-$target.log")" \
            || echo "fuzz-$target: FAILED, see build-fuzz/fuzz-$target.log"
    ) &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait; running=0; fi
done
wait
