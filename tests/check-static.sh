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
size=$(stat -c %s "$binary")
if [ "$size" -gt "$limit" ]; then
    echo "FAIL: $binary is $size bytes, over the limit of $limit"; fail=1
fi
[ $fail -eq 0 ] && echo "$binary: $size bytes (limit $limit), static, stripped"
exit $fail
