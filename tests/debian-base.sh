#!/bin/bash
# A Debian 12 (bookworm) minbase root filesystem as a tarball, made from
# Debian's mirror by mmdebstrap (about a minute) into the test cache and kept
# for 30 days; prints its path. The Docker tier imports it as
# debian:bookworm, the deb tier installs the package into it.
# The format is named: mmdebstrap guesses it from the file name, and for
# ".part" it made a directory (which an earlier run may have left).
#   tests/debian-base.sh
set -eu
cache=${VIGIL_TEST_CACHE:-/var/cache/vigil-tests}
mkdir -p "$cache"
base="$cache/debian-bookworm-minbase.tar"
if [ ! -f "$base" ] || [ ! -s "$base" ] || [ -n "$(find "$base" -maxdepth 0 -mtime +30)" ]; then
    rm -rf "$base" "$base.part"
    mmdebstrap --variant=minbase --format=tar --quiet bookworm "$base.part" http://deb.debian.org/debian >&2
    mv "$base.part" "$base"
fi
echo "$base"
