# The arm64 tier's cases, inside the VM on Debian's arm64 kernel (QEMU's
# virt machine): everything cross-built and static, run natively on aarch64.
. /vigil/lib.sh

/vigil/unit-tests >/tmp/unit.out 2>&1
code=$?
if [ $code -eq 0 ]; then ok unit-tests; else fail unit-tests "exit $code" && tail -30 /tmp/unit.out | show; fi

# The integration cases themselves, with vigil as PID 1 of a new PID namespace.
export VIGIL_BINARY=$vigil VIGIL_HELPER=$helper
for test in "every catchable signal is forwarded*" "*rewrite translates signals and NONE drops them" \
    "orphans are reaped: 200 double-forked children leave no zombie" "at the deadline vigil kills everything*" \
    "a missing program gives 127 and a message naming it" "a program that cannot be executed gives 126*" \
    "the program gets the terminal's foreground when vigil had it" "vigil's signals are blocked before main"; do
    name="pid1: $(echo "$test" | tr -d '*')"
    /vigil/integration-pid1 "$test" >/tmp/integration.out 2>&1
    code=$?
    if [ $code -eq 0 ] && grep -q "All tests passed" /tmp/integration.out; then ok "$name"; else fail "$name" "exit $code" && tail -25 /tmp/integration.out | show; fi
done

node_drain_case node-server-drains-on-sigterm
