# Sourced by the Node benchmarks (bench/memory-restart.sh, bench/node-heap.sh):
# a private podman store and a directory root filesystem holding the static
# vigil as /init and busybox, with Debian's node (bind-mounted /usr) and the
# official Node 22, 24 and 26 (tests/node-release.sh) in /opt. Sets work,
# rootfs, nodes (paths inside the container) and versions; removes it all on exit.
#   node_containers VIGIL
node_containers() {
    tests/install-deps.sh podman runc busybox-static >/dev/null
    work=$(mktemp -d)
    . tests/podman-store.sh
    podman_store "$work/podman"
    trap 'podman_store_remove; rm -rf "$work"' EXIT
    rootfs=$work/rootfs
    mkdir -p "$rootfs"/{bin,proc,dev,sys,tmp,usr,lib,lib64,etc,app}
    cp "$1" "$rootfs/init"
    cp /bin/busybox "$rootfs/bin/busybox"
    ln -s busybox "$rootfs/bin/sh"
    nodes=(/usr/bin/node)
    versions=("$(node --version)")
    local major
    for major in 22 24 26; do
        versions+=("$(tests/node-release.sh "$major" "$rootfs/opt/node$major")")
        nodes+=("/opt/node$major/node")
    done
}
