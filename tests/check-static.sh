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
# src/runtime.cpp replaces the C++ library's verbose terminate handler, which
# would link the demangler (about 47 KB) for a message vigil never prints.
if grep -aq 'terminate called after throwing' "$binary"; then
    echo "FAIL: $binary links the C++ library's verbose terminate handler (and its demangler)"; fail=1
fi
size=$(stat -c %s "$binary")
if [ "$size" -gt "$limit" ]; then
    echo "FAIL: $binary is $size bytes, over the limit of $limit"; fail=1
fi
[ $fail -eq 0 ] && echo "$binary: $size bytes (limit $limit), static, stripped"
exit $fail
