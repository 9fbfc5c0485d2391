# Sourced by the shell tiers: cannot_run TIER WHY... ends a tier that cannot
# run (see tests/cannot_run.hpp): it fails under tests/run.sh
# (VIGIL_TEST_STRICT=1) and reports itself skipped (77) elsewhere.
cannot_run() {
    local tier=$1
    shift
    if [ "${VIGIL_TEST_STRICT:-}" = 1 ]; then
        echo "FAIL: the $tier tier cannot run: $*"
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}
