# Sourced by the scripts that run podman (bench/): a store of their own below
# DIR (--root, --runroot, --tmpdir, events in a file), so the host's default
# store, whatever driver made it, neither changes a result nor is changed.
# The C++ tiers have the same in tests/e2e/container.hpp (PodmanStore).
#   podman_store DIR       sets the array `podman`: podman, its store, runc, cgroupfs, vfs
#   podman_store_remove    removes the store's containers, mounts and files
podman_store() {
    podman_store_directory=$1
    mkdir -p "$1/root" "$1/run" "$1/tmp"
    podman=(podman --root "$1/root" --runroot "$1/run" --tmpdir "$1/tmp" --events-backend file
        --runtime runc --cgroup-manager cgroupfs --storage-driver vfs)
}
podman_store_remove() {
    "${podman[@]}" rm --all --force --time 0 >/dev/null 2>&1 || true
    findmnt -rn -o TARGET | { grep "^$podman_store_directory/" || true; } | sort -r | while read -r mount; do umount -l "$mount" || true; done
    rm -rf "$podman_store_directory"
}
