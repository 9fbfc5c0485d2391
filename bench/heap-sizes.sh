#!/bin/sh
# Node's heap limit (v8 heap_size_limit) in podman containers with a few
# memory limits, left to Node and with vigil's --node-heap. Prints a Markdown table.
#   bench/heap-sizes.sh [PERCENT]     (default 75; run bench/run.sh first to build vigil)
set -eu
cd "$(dirname "$0")/.."
percent=${1:-75}
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/dev" "$rootfs/sys" "$rootfs/tmp" "$rootfs/usr" "$rootfs/lib" "$rootfs/lib64" "$rootfs/etc"
cp build-static/vigil "$rootfs/init"
cp /bin/busybox "$rootfs/bin/busybox"
runtime=runc
command -v runc >/dev/null || runtime=crun
report='console.log(Math.round(require("v8").getHeapStatistics().heap_size_limit / 1048576))'
heap() {  # MEMORY [VIGIL_NODE_HEAP]
    podman --runtime "$runtime" --cgroup-manager cgroupfs --storage-driver vfs run --rm --network none \
        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro \
        --memory "$1" --memory-swap "$1" -e "VIGIL_NODE_HEAP=${2:-}" -e VIGIL_LOG_LEVEL=warn \
        --rootfs "$rootfs" /init node -e "$report"
}
echo "Node $(node --version); heap_size_limit in MiB"
echo
echo "| memory limit | Node alone | vigil --node-heap $percent |"
echo "|---|---|---|"
for limit in 128m 256m 512m 1g 2g; do
    echo "| $limit | $(heap $limit) | $(heap $limit "$percent") |"
done
