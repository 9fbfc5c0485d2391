#!/bin/bash
# The VM tier: boots one of Debian's own kernels under QEMU (taken out of
# its package, never installed) with an initramfs holding busybox, the
# static vigil, the test helper, Node and a script of cases, and reports
# every case the guest prints on its serial console. The VM is killed if it
# runs past its time, and nothing is left behind. Skipped (77) with the
# reason where QEMU or the kernel cannot be had.
#   tests/vm/run.sh x86_64 CASES.sh VIGIL HELPER
set -euo pipefail
arch=$1
cases=$(realpath "$2")
vigil=$(realpath "$3")
helper=$(realpath "$4")
here=$(cd "$(dirname "$0")" && pwd)
source_root=$(cd "$here/../.." && pwd)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "the guest's tests (cgroups, namespaces) are root's; run as root to build and boot them"
case "$arch" in
    x86_64)
        qemu=qemu-system-x86_64
        qemu_package=qemu-system-x86
        kernel_meta=linux-image-amd64
        machine=(-cpu max)
        console=ttyS0
        busybox=/bin/busybox
        ;;
    *) echo "unknown architecture $arch" >&2; exit 2 ;;
esac
"$source_root/tests/install-deps.sh" "$qemu_package" busybox-static util-linux || skip "$qemu_package or busybox-static cannot be installed"
command -v node >/dev/null || skip "node is not installed"

cache=${VIGIL_TEST_CACHE:-/var/cache/vigil-tests}
mkdir -p "$cache"
work=$(mktemp -d /tmp/vigil-vm-XXXXXX)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
say() { echo "vm tier ($arch), $(($(date +%s) - started)) s: $*"; }

# The kernel Debian's metapackage depends on today, from its package.
kernel_package=$(apt-cache depends "$kernel_meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1)
[ -n "$kernel_package" ] || skip "apt-cache does not know $kernel_meta"
kernel="$cache/$kernel_package.vmlinuz"
if [ ! -s "$kernel" ]; then
    (cd "$work" && apt-get download -q "$kernel_package" >/dev/null 2>&1) || skip "cannot download $kernel_package"
    dpkg -x "$work"/"$kernel_package"_*.deb "$work/kernel"
    cp "$work"/kernel/boot/vmlinuz-* "$kernel.part" && mv "$kernel.part" "$kernel"
    rm -rf "$work/kernel" "$work"/*.deb
fi

# The initramfs: a busybox system, the programs under test and what they load.
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,usr/bin,vigil/apps}
cp "$busybox" "$root/bin/busybox"
cp "$here/guest/init.sh" "$root/init"
chmod 755 "$root" "$root/init"
cp "$here/guest/lib.sh" "$root/vigil/lib.sh"
cp "$cases" "$root/vigil/cases.sh"
cp "$vigil" "$root/vigil/vigil"
cp "$helper" "$root/vigil/helper"
cp "$source_root/docker/example/server.js" "$source_root"/tests/e2e/apps/*.js "$root/vigil/apps/"
cp "$(command -v unshare)" "$root/usr/bin/unshare"
cp "$(realpath "$(command -v node)")" "$root/usr/bin/node"
# The dynamic programs' libraries, at the paths their loader looks in.
for program in "$root/vigil/helper" "$root/usr/bin/unshare" "$root/usr/bin/node"; do
    for library in $(ldd "$program" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$library")"
        cp -nL "$library" "$root$library"
    done
done
echo 300 >"$root/vigil/case-timeout"
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initramfs.gz"
say "initramfs of $(($(stat -c %s "$work/initramfs.gz") / 1048576)) MiB, kernel $kernel_package"

# KVM only when a guest really runs under it here (a nested one may hang): a probe boot first.
accel=tcg
if [ -w /dev/kvm ]; then
    mkdir -p "$work/probe"
    printf '#!/bin/busybox sh\n/bin/busybox echo vm-probe-ok\n/bin/busybox poweroff -f\n' >"$work/probe/init"
    chmod +x "$work/probe/init"
    mkdir -p "$work/probe/bin" && cp "$busybox" "$work/probe/bin/busybox"
    (cd "$work/probe" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1) >"$work/probe.gz"
    if timeout -k 5 30 "$qemu" -accel kvm "${machine[@]}" -m 256 -nographic -no-reboot -net none -kernel "$kernel" -initrd "$work/probe.gz" \
        -append "console=$console panic=-1 quiet" 2>/dev/null | grep -q vm-probe-ok; then
        accel=kvm
    fi
fi

status=0
timeout -k 10 420 "$qemu" -accel "$accel" "${machine[@]}" -m 1536 -smp 2 -nographic -no-reboot -net none \
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
