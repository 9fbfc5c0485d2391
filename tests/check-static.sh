#!/bin/sh
# The -Dstatic=true binary must need nothing from the image it is copied
# into (no program interpreter, no shared library) and stay small.
set -eu
binary=$1
limit=$2   # bytes
fail=0
if readelf -lW "$binary" | grep -q 'INTERP'; then
    echo "FAIL: $binary has a program interpreter (PT_INTERP)"; fail=1
fi
if readelf -dW "$binary" | grep -q 'NEEDED'; then
    echo "FAIL: $binary needs shared libraries:"; readelf -dW "$binary" | grep NEEDED; fail=1
fi
if readelf -SW "$binary" | grep -q '\.symtab'; then
    echo "FAIL: $binary is not stripped"; fail=1
fi
# src/cxx_runtime.cpp replaces the C++ library's verbose terminate handler, which
# would link the demangler (about 47 KB) for a message vigil never prints.
if grep -aq 'terminate called after throwing' "$binary"; then
    echo "FAIL: $binary links the C++ library's verbose terminate handler (and its demangler)"; fail=1
fi
# src/cxx_runtime.cpp also keeps out the C++ library's emergency exception pool,
# 72 KiB malloc'd at start that would pin PID 1's heap above it. Idle, with a
# small environment, vigil's heap is then a few pages once start-up has
# trimmed it; with the pool it never drops below 72 KiB. (Once the program
# runs, malloc has grown the heap by 128 KiB, so only the trim brings it
# under 64 KiB.)
# Only a binary for this machine can be run here: the Docker tier also
# cross-builds for arm64, whose binary is checked for all else.
machine=$(readelf -hW "$binary" | sed -n 's/^ *Machine: *//p')
case "$(uname -m):$machine" in
    x86_64:*X86-64*|aarch64:*AArch64*) runs_here=yes ;;
    *) runs_here=no ;;
esac
if [ "$runs_here" = yes ]; then
    sleeper=$(command -v sleep)
    env -i "$binary" --log-level off -- "$sleeper" 60 &
    vigil_pid=$!
    heap_kib=
    started=
    for _ in $(seq 200); do
        range=$(grep -m1 '\[heap\]' "/proc/$vigil_pid/maps" 2>/dev/null | cut -d' ' -f1 || true)
        [ -n "$range" ] && heap_kib=$(( (0x${range#*-} - 0x${range%-*}) / 1024 ))
        started=$(cat "/proc/$vigil_pid/task/$vigil_pid/children" 2>/dev/null || true)
        [ -n "$started" ] && [ -n "$heap_kib" ] && [ "$heap_kib" -lt 64 ] && break
        sleep 0.05
    done
    kill -TERM "$vigil_pid" 2>/dev/null || true   # vigil stops its sleep and exits
    wait "$vigil_pid" 2>/dev/null || true
    if [ -z "$started" ] || [ -z "$heap_kib" ] || [ "$heap_kib" -ge 64 ]; then
        echo "FAIL: idle $binary keeps a heap of ${heap_kib:-?} KiB (64 KiB or more: the C++ library's emergency exception pool?)"; fail=1
    fi
    heap_note=", idle heap $heap_kib KiB"
else
    heap_note=", idle heap not checked here ($machine binary, $(uname -m) machine)"
fi
size=$(stat -c %s "$binary")
if [ "$size" -gt "$limit" ]; then
    echo "FAIL: $binary is $size bytes, over the limit of $limit"; fail=1
fi
[ $fail -eq 0 ] && echo "$binary: $size bytes (limit $limit), static, stripped$heap_note"
exit $fail
