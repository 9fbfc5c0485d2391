# Shared by the guest's case scripts (busybox sh): each case reports one line,
# "vm-case NAME: ok" or "vm-case NAME: FAIL: why", which the host collects.
cg=/sys/fs/cgroup
vigil=/vigil/vigil
helper=/vigil/helper

ok() { echo "vm-case $1: ok"; }
fail() {
    local name=$1
    shift
    echo "vm-case $name: FAIL: $*"
}
# wait_for SECONDS COMMAND...: polls until the command succeeds.
wait_for() {
    local tries=$(($1 * 10))
    shift
    while ! "$@"; do
        tries=$((tries - 1))
        [ $tries -gt 0 ] || return 1
        sleep 0.1
    done
}
# contains FILE TEXT
contains() { grep -qF -- "$2" "$1"; }
# show FILE: the file, indented, for a failure's context
show() { sed "s/^/    | /" ${1:+"$1"}; }

# A cgroup with memory.max (and no swap), made as container runtimes make
# them: the memory controller enabled in every parent on the way.
make_cgroup() {  # PATH LIMIT
    local path=$1 limit=$2 parent=$cg part
    for part in $(echo "$path" | tr '/' ' '); do
        grep -qw memory "$parent/cgroup.subtree_control" || echo +memory >"$parent/cgroup.subtree_control"
        parent=$parent/$part
        mkdir -p "$parent"
    done
    echo "$limit" >"$cg/$path/memory.max"
    [ ! -e "$cg/$path/memory.swap.max" ] || echo 0 >"$cg/$path/memory.swap.max"
}
# in_cgroup PATH COMMAND...: runs the command inside the cgroup.
in_cgroup() {
    local path=$1
    shift
    sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg/$path" "$@"
}
# in_container PATH COMMAND...: in the cgroup, with a private cgroup namespace
# and cgroupfs mounted again inside it (as Docker and podman do on v2):
# /proc/self/cgroup then reads 0::/.
in_container() {
    local path=$1
    shift
    in_cgroup "$path" /usr/bin/unshare --cgroup --mount sh -c 'umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"' container "$@"
}
# The host pid of the first child of a process (vigil under unshare --fork).
child_of() { cat "/proc/$1/task/$1/children" 2>/dev/null | cut -d' ' -f1; }

# vigil as PID 1 of a new PID namespace; started in the background, $! is the
# unshare process itself, whose one child is vigil.
pid_one="/usr/bin/unshare --pid --fork --mount-proc"

# node_drain_case NAME: vigil as PID 1 runs the example Node server; a request
# that takes 1.5 s is in flight when SIGTERM comes; it is answered, exit 0.
node_drain_case() {
    local name=$1 launcher client code
    rm -f /tmp/http.sock
    SOCKET=/tmp/http.sock $pid_one $vigil -t 60s node /vigil/apps/server.js >/tmp/server.out 2>/tmp/server.err &
    launcher=$!
    wait_for 120 contains /tmp/server.out "listening on"
    node -e 'require("http").get({socketPath: "/tmp/http.sock", path: "/slow?ms=1500"}, (r) => { let b = ""; r.on("data", (c) => (b += c)); r.on("end", () => console.log(r.statusCode, b.trim())); })' >/tmp/client.out 2>&1 &
    client=$!
    wait_for 120 contains /tmp/server.out "GET /slow?ms=1500 started"
    kill -TERM "$(child_of $launcher)"
    wait $launcher
    code=$?
    wait $client
    if [ $code -eq 0 ] && contains /tmp/client.out "200 slow response after 1500 ms" && contains /tmp/server.err "received SIGTERM: draining"; then
        ok "$name"
    else
        fail "$name" "exit $code, client: $(cat /tmp/client.out)" && show /tmp/server.err
    fi
}
