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
show() { sed 's/^/    | /' "$1"; }

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
