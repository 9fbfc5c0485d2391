# The cgroup v2 tier's cases, run inside the VM on a pure cgroup v2 kernel
# (Debian's 6.1): the memory limit vigil finds in each shape containers and
# services give it, --node-heap against Node's own heap limit, an OOM kill,
# and vigil as PID 1 of a PID namespace on this second kernel.
. /vigil/lib.sh
heap_report='console.log(require("v8").getHeapStatistics().heap_size_limit)'

# --- 1. the limit, in every shape ---------------------------------------
make_cgroup ctr128 128M
make_cgroup system.slice/app.service 96M
make_cgroup outer/inner max
echo 256M >$cg/outer/memory.max
make_cgroup unlimited max

limit_case() {  # NAME EXPECTED-DEBUG-LINE RUNNER...
    local name=$1 expected=$2
    shift 2
    # vigil reads the cgroup once its program runs: the program stays until
    # vigil's line is in the log (at most 30 s).
    "$@" $vigil --log-level debug sh -c 'for i in $(seq 3000); do grep -q "vigil: memory " "$0" && exit 0; sleep 0.01; done' /tmp/$name.log >/tmp/$name.log 2>&1
    if contains /tmp/$name.log "$expected"; then ok "$name"; else fail "$name" "expected '$expected'" && show /tmp/$name.log; fi
}
limit_case limit-container "memory cgroup v2 at /sys/fs/cgroup, limit 128 MiB" in_container ctr128
limit_case limit-cgroupns-without-remount "memory cgroup v2 at /sys/fs/cgroup/ctr128, limit 128 MiB" in_cgroup ctr128 /usr/bin/unshare --cgroup
limit_case limit-cgroupns-without-remount-two-levels "memory cgroup v2 at /sys/fs/cgroup/outer/inner, limit 256 MiB" in_cgroup outer/inner /usr/bin/unshare --cgroup
limit_case limit-systemd-service "memory cgroup v2 at /sys/fs/cgroup/system.slice/app.service, limit 96 MiB" in_cgroup system.slice/app.service
limit_case limit-nested-parent-binds "memory cgroup v2 at /sys/fs/cgroup/outer/inner, limit 256 MiB" in_cgroup outer/inner
limit_case limit-none "memory cgroup v2 at /sys/fs/cgroup, limit none" in_container unlimited

in_container unlimited $vigil --node-heap 75 node -e 'console.log(process.env.NODE_OPTIONS || "unset")' >/tmp/heap-none.out 2>/tmp/heap-none.err
if contains /tmp/heap-none.err "--node-heap: the container has no memory limit, Node's heap left alone" && contains /tmp/heap-none.out unset; then
    ok node-heap-without-limit
else
    fail node-heap-without-limit "Node's heap touched without a limit" && show /tmp/heap-none.err
fi

# --- 2. --node-heap agrees with --max-old-space-size by hand ------------
for size in 128 512; do
    make_cgroup heap$size ${size}M
    in_container heap$size $vigil --node-heap 75 node -e "$heap_report" >/tmp/heap.out 2>/tmp/heap.err
    megabytes=$(sed -n 's/.*--max-old-space-size=\([0-9]*\).*/\1/p' /tmp/heap.err | head -1)
    by_hand=$(in_container heap$size env NODE_OPTIONS=--max-old-space-size=$megabytes node -e "$heap_report")
    if [ -n "$megabytes" ] && [ "$(cat /tmp/heap.out)" = "$by_hand" ] && contains /tmp/heap.err "of the $size MiB memory limit"; then
        ok node-heap-$size
    else
        fail node-heap-$size "vigil's heap $(cat /tmp/heap.out) (--max-old-space-size=$megabytes), by hand $by_hand" && show /tmp/heap.err
    fi
done

# --- 2b. the promise: a JS heap leak ends in V8's heap error, not an OOM kill
make_cgroup leak128 128M
in_container leak128 $vigil --node-heap 100 node /vigil/apps/heap-leak.js >/dev/null 2>/tmp/leak.err
code=$?
if [ $code -eq 134 ] && contains /tmp/leak.err "JavaScript heap out of memory"; then ok node-heap-leak-ends-in-heap-error; else fail node-heap-leak-ends-in-heap-error "exit $code" && tail -5 /tmp/leak.err | show; fi
make_cgroup leakalone 128M
in_container leakalone $vigil node /vigil/apps/heap-leak.js >/dev/null 2>/tmp/leak.err
code=$?
if [ $code -eq 137 ] && contains /tmp/leak.err "the kernel's OOM killer killed the program"; then ok heap-leak-without-node-heap-is-oom-killed; else fail heap-leak-without-node-heap-is-oom-killed "exit $code" && tail -5 /tmp/leak.err | show; fi

# --- 2c. --memory-restart: a leaking server drains and exits 75 ----------
make_cgroup restart 128M
rm -f /tmp/http.sock
in_container restart env SOCKET=/tmp/http.sock LEAK_MB_PER_S=6 $vigil --memory-restart 60 node /vigil/apps/leaky-server.js >/tmp/leaky.out 2>/tmp/leaky.err &
launcher=$!
wait_for 120 contains /tmp/leaky.out "listening on"
node -e 'require("http").get({socketPath: "/tmp/http.sock", path: "/slow?ms=20000"}, (r) => { r.resume(); r.on("end", () => console.log(r.statusCode)); })' >/tmp/leaky-client.out 2>&1 &
client=$!
wait $launcher
code=$?
wait $client
if [ $code -eq 75 ] && contains /tmp/leaky.err "memory restart: the working set of" && contains /tmp/leaky.err "and at once when memory.events changes" &&
    contains /tmp/leaky-client.out 200 && ! contains /tmp/leaky.err "the kernel's OOM killer killed"; then
    ok memory-restart-drains-and-exits-75
else
    fail memory-restart-drains-and-exits-75 "exit $code, client $(cat /tmp/leaky-client.out)" && show /tmp/leaky.err
fi

# --- 3. an OOM kill in the v2 cgroup ------------------------------------
# memory.events counts oom_kill hierarchically: the program's kill shows in
# vigil's cgroup whether the program is in it or in a cgroup below it.
hungry='const kept = []; for (;;) kept.push(Buffer.alloc(1 << 20, 1))'
make_cgroup oom 64M
in_container oom $vigil --termination-log /tmp/oom.message node -e "$hungry" >/dev/null 2>/tmp/oom.err
code=$?
if [ $code -eq 137 ] && contains /tmp/oom.err "the kernel's OOM killer killed the program" && contains /tmp/oom.err "memory limit 64 MiB" &&
    contains /tmp/oom.message "killed by the kernel's OOM killer (memory limit 64 MiB)"; then
    ok oom-kill
else
    fail oom-kill "exit $code" && show /tmp/oom.err && show /tmp/oom.message
fi
# The program in a cgroup below vigil's (without the memory controller: a v2
# cgroup with the controller enabled for its children holds no process).
make_cgroup oombelow 64M
mkdir $cg/oombelow/below
in_container oombelow $vigil sh -c "echo \$\$ >/sys/fs/cgroup/below/cgroup.procs && exec node -e '$hungry'" >/dev/null 2>/tmp/oom-below.err
code=$?
if [ $code -eq 137 ] && contains /tmp/oom-below.err "the kernel's OOM killer killed the program"; then
    ok oom-kill-of-a-program-in-a-cgroup-below
else
    fail oom-kill-of-a-program-in-a-cgroup-below "exit $code" && show /tmp/oom-below.err
fi
# memory.oom.group=1 (the kubelet's setting on cgroup v2): the kernel kills
# every process of the cgroup, vigil included, so vigil cannot report it.
make_cgroup oomgroup 64M
echo 1 >$cg/oomgroup/memory.oom.group
: >/tmp/group.message
in_container oomgroup $vigil --termination-log /tmp/group.message node -e "$hungry" >/dev/null 2>/tmp/group.err
code=$?
kills=$(sed -n 's/^oom_group_kill //p' $cg/oomgroup/memory.events)
if [ $code -eq 137 ] && [ "$kills" -ge 1 ] && [ ! -s /tmp/group.message ]; then
    ok oom-group-kills-vigil-too
else
    fail oom-group-kills-vigil-too "exit $code, oom_group_kill $kills" && show /tmp/group.err
fi

# --- 4. vigil as PID 1 of a PID namespace on this kernel ----------------

node_drain_case pid1-drain-with-request-in-flight

$pid_one $vigil node -e 'process.exit(3)' 2>/dev/null
code3=$?
$pid_one $vigil nodee 2>/tmp/missing.err
code127=$?
if [ $code3 -eq 3 ] && [ $code127 -eq 127 ] && contains /tmp/missing.err "cannot run 'nodee': No such file or directory"; then
    ok pid1-exit-codes
else
    fail pid1-exit-codes "exit codes $code3 and $code127" && show /tmp/missing.err
fi

$pid_one $vigil $helper orphans 200 ready /tmp/orphans.ready exit-on TERM 0 wait &
launcher=$!
wait_for 60 test -e /tmp/orphans.ready
vigil_pid=$(child_of $launcher)
# Reaped: the helper is vigil's only child once every orphan is gone.
only_the_helper() { [ "$(wc -w <"/proc/$vigil_pid/task/$vigil_pid/children")" -eq 1 ]; }
wait_for 60 only_the_helper
reaped=$?
kill -TERM "$vigil_pid"
wait $launcher
code=$?
if [ $reaped -eq 0 ] && [ $code -eq 0 ]; then ok pid1-orphans-reaped; else fail pid1-orphans-reaped "reaped $reaped, exit $code"; fi

$pid_one $vigil -t 1s $helper ignore TERM ready /tmp/stubborn.ready wait 2>/tmp/deadline.err &
launcher=$!
wait_for 60 test -e /tmp/stubborn.ready
kill -TERM "$(child_of $launcher)"
wait $launcher
code=$?
if [ $code -eq 137 ] && contains /tmp/deadline.err "drain deadline of 1s reached: killed 1 process(es)"; then
    ok pid1-deadline
else
    fail pid1-deadline "exit $code" && show /tmp/deadline.err
fi
