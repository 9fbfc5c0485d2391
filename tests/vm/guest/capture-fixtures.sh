# Not a test: prints, between markers, the files vigil reads in each cgroup v2
# shape, for tests/unit/fixtures/cgroup (see tests/vm/README section in the
# top-level README). Run: VM_CONSOLE_LOG=/tmp/console tests/vm/run.sh x86_64 tests/vm/guest/capture-fixtures.sh VIGIL HELPER
. /vigil/lib.sh
make_cgroup ctr128 128M
make_cgroup outer/inner max
echo 256M >$cg/outer/memory.max
capture() {  # NAME DIRECTORY-WITH-LIMIT
    echo "fixture-begin $1 cgroup"; cat /proc/self/cgroup; echo "fixture-end"
    echo "fixture-begin $1 mountinfo"; cat /proc/self/mountinfo; echo "fixture-end"
    echo "fixture-begin $1 memory.max"; cat "$2/memory.max"; echo "fixture-end"
    echo "fixture-begin $1 memory.events"; cat "$2/memory.events"; echo "fixture-end"
}
in_container ctr128 sh -c ". /vigil/lib.sh; $(sed -n '/^capture()/,/^}/p' /vigil/cases.sh); capture vm-v2-container /sys/fs/cgroup"
in_cgroup ctr128 /usr/bin/unshare --cgroup sh -c ". /vigil/lib.sh; $(sed -n '/^capture()/,/^}/p' /vigil/cases.sh); capture vm-v2-cgroupns-without-remount /sys/fs/cgroup/ctr128"
in_cgroup outer/inner /usr/bin/unshare --cgroup sh -c ". /vigil/lib.sh; $(sed -n '/^capture()/,/^}/p' /vigil/cases.sh); capture vm-v2-cgroupns-two-levels /sys/fs/cgroup/outer"
ok capture
