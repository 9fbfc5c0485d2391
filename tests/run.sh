#!/bin/bash
# The test suite.
#   tests/run.sh         everything, as CI runs it: a build under
#                        AddressSanitizer and UndefinedBehaviorSanitizer
#                        (unit, integration, fuzz-corpus replay, clang-tidy
#                        and cppcheck), the static release build with
#                        warnings as errors and the tiers in real containers
#                        (e2e: podman; docker; kube: podman kube play), in a
#                        VM (vm: cgroup v2) and the Debian package (deb), and
#                        the arm64 cross build, tested in an arm64 VM (arm64).
#   tests/run.sh quick   the development build (warnings as errors) with its
#                        unit, integration and lint suites: the check to run
#                        while working.
#
# Nothing passes without running: under this script a tier or case that
# cannot run (root, a tool, a kernel feature missing or broken) fails with
# its reason (VIGIL_TEST_STRICT=1; tests/cannot_run.hpp). To leave tiers out
# on purpose, name them: VIGIL_TEST_SKIP=docker,arm64 tests/run.sh. A name is
# a build (asan, static, arm64; dev in quick mode), or a meson suite or test (e2e, docker,
# vm, lint, integration-privileges, ...), which is left out of every build.
# The run ends with a table of every build and suite, and exits non-zero if
# anything failed or was skipped without being named.
set -u
cd "$(dirname "$0")/.."
mode=${1:-full}
case "$mode" in
    full | quick) ;;
    *) echo "usage: tests/run.sh [quick]   (VIGIL_TEST_SKIP=NAME,... leaves tiers out)" >&2; exit 2 ;;
esac
export VIGIL_TEST_STRICT=1
started=$(date +%s)
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

if ! tests/install-deps.sh meson ninja-build g++ pkg-config binutils util-linux \
    libcap-dev libspdlog-dev libfmt-dev catch2 \
    podman runc busybox-static clang-tidy cppcheck python3 groff-base; then
    echo "FAIL: the test suite's Debian packages cannot be installed" >&2
    exit 1
fi
# The end-to-end suite runs real Node.js (and npm) in its containers.
command -v node >/dev/null && command -v npm >/dev/null || tests/install-deps.sh nodejs npm

asked_to_skip() {
    case ",${VIGIL_TEST_SKIP:-}," in *",$1,"*) return 0 ;; esac
    return 1
}
row() {  # BUILD SUITE TEST RESULT SECONDS REASON, started SECONDS ago
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" $(($(date +%s) - $5)) "$5" "$6" >>"$rows"
}

# test_build NAME DIRECTORY SUITES SETUP-OPTIONS... [-- ENVIRONMENT...]
# Configures DIRECTORY afresh or updates it in place, builds it, and runs the
# tests of SUITES (a comma list; "all" for every suite), less those asked to
# be skipped, with ENVIRONMENT (NAME=value) added.
test_build() {
    local name=$1 directory=$2 suites=$3
    shift 3
    local setup=() environment=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do setup+=("$1"); shift; done
    [ $# -gt 0 ] && shift && environment=("$@")
    if asked_to_skip "$name"; then
        row "$name" build - asked 0 "VIGIL_TEST_SKIP names it"
        return
    fi
    local begun
    begun=$(date +%s)
    echo "=== $name: building in $directory"
    local build_log
    build_log=$(mktemp)
    if [ -f "$directory/build.ninja" ]; then
        # A cross build keeps the options it was set up with.
        case " ${setup[*]} " in
            *" --cross-file "*) true ;;
            *) meson configure "$directory" "${setup[@]}" ;;
        esac
    else
        meson setup "$directory" "${setup[@]}"
    fi >"$build_log" 2>&1 && meson compile -C "$directory" >>"$build_log" 2>&1
    local built=$?
    if [ $built -ne 0 ]; then
        tail -n 80 "$build_log"
        rm -f "$build_log"
        row "$name" build - failed $(($(date +%s) - begun)) "configuring or compiling failed (its log's end is above)"
        return
    fi
    rm -f "$build_log"
    row "$name" build - passed $(($(date +%s) - begun)) ""
    # Every test the build defines, from meson's own description of it
    # (`meson test --list` abbreviates a lone test's name in a cross build).
    local selected=() asked=0 suite test
    while read -r suite test; do
        case ",$suites," in *",$suite,"* | ",all,") ;; *) continue ;; esac
        if asked_to_skip "$test" || asked_to_skip "$suite"; then
            row "$name" "$suite" "$test" asked 0 "VIGIL_TEST_SKIP names it"
            asked=$((asked + 1))
        else
            selected+=("$test")
        fi
    done < <(meson introspect "$directory" --tests | python3 tests/summary.py list)
    if [ ${#selected[@]} -eq 0 ]; then
        # A build with nothing to run is a tier that did not run.
        [ $asked -gt 0 ] || row "$name" tests - failed 0 "the build defines no test of the suites $suites"
        return
    fi
    echo "=== $name: ${#selected[@]} tests"
    local log="$directory/meson-logs/testlog.json" tested
    rm -f "$log"
    tested=$(date +%s)
    env "${environment[@]}" meson test -C "$directory" --print-errorlogs "${selected[@]}"
    if [ -s "$log" ]; then
        python3 tests/summary.py add "$name" "$log" >>"$rows"
    else
        row "$name" tests - failed $(($(date +%s) - tested)) "meson test wrote no results ($log)"
    fi
}

if [ "$mode" = quick ]; then
    test_build dev build unit,integration,lint -Dwerror=true
else
    # No plain development build: the sanitized and the static builds run
    # everything it would, and leaving it out saves about 11 minutes.
    # Any sanitizer report fails the test it happens in. werror stays off
    # here (g++ 12 warns falsely inside Catch2 when sanitizing); the static
    # build has it. Unoptimised: sanitized -O2 took 16m43s to build here,
    # -O0 about a fifth of that per file.
    test_build asan build-asan unit,integration,fuzz,lint -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -- \
        ASAN_OPTIONS=halt_on_error=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    test_build static build-static all -Dstatic=true -Dbuildtype=release -Dwerror=true
    # arm64: cross-built here, run natively on Debian's arm64 kernel under QEMU.
    if asked_to_skip arm64; then
        row arm64 build - asked 0 "VIGIL_TEST_SKIP names it"
    elif tests/install-deps.sh crossbuild-essential-arm64 libcap-dev:arm64 qemu-system-arm; then
        test_build arm64 build-arm64 all --cross-file cross/aarch64-linux-gnu.ini -Dstatic=true -Dbuildtype=release -Dwerror=true
    else
        row arm64 build - failed 0 "the cross toolchain (crossbuild-essential-arm64, libcap-dev:arm64) or qemu-system-arm cannot be installed"
    fi
fi

python3 tests/summary.py show "$rows" $(($(date +%s) - started))
