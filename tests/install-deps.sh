#!/bin/sh
# Installs the Debian packages named on the command line that are missing.
# Used by the README's two commands, so a fresh Debian 12 machine needs nothing first.
# A package of another architecture (libcap-dev:arm64) adds that architecture to dpkg first.
set -eu
missing=""
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
    exit 1
fi
for package in $missing; do
    case "$package" in
        *:*)
            architecture=${package#*:}
            dpkg --print-foreign-architectures | grep -qx "$architecture" || dpkg --add-architecture "$architecture"
            ;;
    esac
done
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086 # one word per package
apt-get install -y -q --no-install-recommends $missing >/dev/null
