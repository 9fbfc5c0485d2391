#!/bin/bash
# The official Node.js binary of a major version, from the npm registry's
# node-linux-ARCH package, downloaded once into the test cache
# ($VIGIL_TEST_CACHE, else /var/cache/vigil-tests) and unpacked as
# DIRECTORY/node. Prints the binary's version.
#   tests/node-release.sh MAJOR DIRECTORY [ARCH]     (ARCH: x64, the default, or arm64)
set -eu
[ $# -ge 2 ] || { echo "usage: tests/node-release.sh MAJOR DIRECTORY [x64|arm64]" >&2; exit 2; }
major=$1 directory=$2 arch=${3:-x64}
cache=${VIGIL_TEST_CACHE:-/var/cache/vigil-tests}
package="$cache/node-linux-$arch-$major.tgz"
if [ ! -s "$package" ]; then
    command -v npm >/dev/null || { echo "npm is needed to fetch node-linux-$arch@$major" >&2; exit 1; }
    mkdir -p "$cache"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    if ! (cd "$work" && npm pack --silent "node-linux-$arch@$major" >/dev/null 2>"$work/npm.err"); then
        echo "cannot fetch node-linux-$arch@$major from the npm registry: $(tail -n 1 "$work/npm.err")" >&2
        exit 1
    fi
    mv "$work"/node-linux-"$arch"-*.tgz "$package.part" && mv "$package.part" "$package"
fi
mkdir -p "$directory"
tar -xzf "$package" -C "$directory" --strip-components=2 package/bin/node
if [ "$arch" = x64 ]; then "$directory/node" --version; else echo "v$major (arm64)"; fi
