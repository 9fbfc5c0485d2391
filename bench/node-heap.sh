#!/bin/bash
# What a JS heap leak (objects pushed into an array forever) ends in, under
# real memory limits: V8's own "JavaScript heap out of memory" (exit 134) or
# the kernel's OOM kill (137). For Debian's node and the official Node 22,
# 24 and 26 (tests/node-release.sh), at 128 MiB to 1 GiB, with vigil's
# --node-heap 100, with Node's own --max-old-space-size-percentage=75 (Node
# 22.21+ and 24.6+; "–" where the node refuses it), and with Node's heap
# left alone; all three under vigil, so that only the heap's size differs (a
# Node that is PID 1 itself ends V8's heap error in 139, not 134: abort()'s
# SIGABRT is ignored by a PID 1, and glibc then faults). podman with runc;
# prints a Markdown table. Not a test.
#   bench/node-heap.sh [RUNS]      (default 2; build-static/vigil must exist)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-2}
. bench/node-containers.sh
node_containers build-static/vigil
# Which of them know --max-old-space-size-percentage (run here, on the host).
knows_percentage=()
for node in "${nodes[@]}"; do
    host_path=$node
    [ "$node" = /usr/bin/node ] || host_path=$rootfs$node
    "$host_path" --max-old-space-size-percentage=75 -e 0 2>/dev/null && knows_percentage+=(yes) || knows_percentage+=(no)
done
leak='const kept = []; for (;;) kept.push({a: Math.random(), b: [1, 2, 3]})'
cd "$work"  # podman's conmon leaves a file named "oom" in its working directory after an OOM kill: not here

# run LIMIT-MIB NODE HOW -> the exit code; HOW: vigil (--node-heap 100), percentage (Node's own, 75), alone (neither)
run() {
    local limit=$1 node=$2 how=$3 options=()
    case "$how" in
        vigil) options=(/init --node-heap 100 --log-level warn "$node") ;;
        percentage) options=(/init --log-level warn "$node" --max-old-space-size-percentage=75) ;;
        alone) options=(/init --log-level warn "$node") ;;
    esac
    "${podman[@]}" run --rm --network none \
        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro \
        --memory "${limit}m" --memory-swap "${limit}m" --rootfs "$rootfs" \
        "${options[@]}" -e "$leak" >/dev/null 2>&1 && echo 0 || echo $?
}
# outcomes LIMIT NODE HOW -> "2 × 134" or "1 × 134, 1 × 137"
outcomes() {
    local codes=() code
    for _ in $(seq "$runs"); do codes+=("$(run "$@")"); done
    for code in $(printf '%s\n' "${codes[@]}" | sort -u); do
        printf '%s × %s, ' "$(printf '%s\n' "${codes[@]}" | grep -cx "$code")" "$code"
    done | sed 's/, $//'
}

echo "$runs runs each; 134 = V8's heap error, 137 = the kernel's OOM kill"
echo
echo "| Node | limit | \`--node-heap 100\`: old space | \`--node-heap 100\` | \`--max-old-space-size-percentage=75\` | Node alone |"
echo "|---|---|---|---|---|---|"
for i in "${!nodes[@]}"; do
    for limit in 128 256 512 1024; do
        heap=$(awk -v l="$limit" 'BEGIN { h = int((l - 64) * 10 / 13); print (h < 16 ? 16 : h) }')
        percentage="–"  # a node that does not know the option refuses it (exit 9): no result
        [ "${knows_percentage[$i]}" = no ] || percentage=$(outcomes "$limit" "${nodes[$i]}" percentage)
        echo "| ${versions[$i]} | ${limit} MiB | ${heap} MiB | $(outcomes "$limit" "${nodes[$i]}" vigil) | $percentage | $(outcomes "$limit" "${nodes[$i]}" alone) |"
    done
done
