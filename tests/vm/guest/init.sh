#!/bin/busybox sh
# /init of the test VM: a busybox system in the initramfs. It mounts what a
# Linux system has, runs the suite's cases (/vigil/cases.sh) with a bound on
# their time, says it is done and powers the machine off. The host reads the
# "vm-case" and "vm-done" lines on the serial console.
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
# /tmp stays the initramfs's own (writable already): a tmpfs over it would
# hide what run.sh put there, such as the unit tests' fixtures of a source
# tree checked out below /tmp.
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up
echo
echo "vm-boot: $(uname -r) $(uname -m), $(nproc) cpu(s), up $(cut -d' ' -f1 /proc/uptime) s"
cd /vigil
timeout -s KILL "$(cat /vigil/case-timeout)" sh /vigil/cases.sh
echo "vm-done: exit $?, up $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
