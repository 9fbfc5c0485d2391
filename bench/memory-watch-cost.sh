#!/bin/bash
# What --memory-restart costs while it watches: vigil idle for 30 s as PID 1 of
# a podman container with a 256 MiB limit, with and without the option; its
# wake-ups (voluntary context switches) and CPU time (/proc/PID/schedstat).
# Not a test. Run as root after building build-static/vigil.
set -eu
cd "$(dirname "$0")/.."
tests/install-deps.sh podman runc busybox-static
rootfs=$(mktemp -d)
. tests/podman-store.sh
podman_store "$(mktemp -d)"
trap 'podman_store_remove; rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,proc,dev,sys,tmp,usr,lib,lib64,etc}
cp build-static/vigil "$rootfs/init"
cp /bin/busybox "$rootfs/bin/busybox"
cd "$rootfs/tmp"  # podman's conmon may leave a file named "oom" in its working directory
for option in "" "--memory-restart 90"; do
    name=vigil-watch-cost-$$
    "${podman[@]}" run -d --name "$name" --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
        --memory 256m --memory-swap 256m --rootfs "$rootfs" /init --log-level warn $option /bin/busybox sleep 1000 >/dev/null
    sleep 2
    pid=$("${podman[@]}" inspect --format '{{.State.Pid}}' "$name")
    switches=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/status")
    cpu=$(cut -d' ' -f1 "/proc/$pid/schedstat")
    sleep 30
    switches=$(($(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/status") - switches))
    cpu=$((($(cut -d' ' -f1 "/proc/$pid/schedstat") - cpu) / 1000))
    echo "${option:-without --memory-restart}: $switches wake-ups in 30 s, $cpu µs of CPU"
    "${podman[@]}" rm -f -t 0 "$name" >/dev/null
done
