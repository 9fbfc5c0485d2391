#!/bin/bash
# Whether --memory-restart wins the race with the kernel's OOM killer: a Node
# server leaking touched Buffer memory at a steady rate, in a podman
# container limited to 256 MiB (no swap), under `vigil --memory-restart 85`.
# 75 means vigil saw the threshold, the server drained and exited first; 137
# that the OOM killer came first. For Debian's node and the official Node
# 22, 24 and 26 (tests/node-release.sh), at 20 to 400 MiB/s. Prints a
# Markdown table and, per rate, the median working set at the restart.
# Not a test.
#   bench/memory-restart.sh [RUNS]    (default 5; RUNS per cell; build-static/vigil must exist,
#                                      or VIGIL=path names another static vigil; LOST=1 prints
#                                      vigil's log of every run that did not end in 75)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-5}
vigil=${VIGIL:-$PWD/build-static/vigil}
. bench/node-containers.sh
node_containers "$vigil"
# The leak: every 10 ms, RATE/100 MiB of Buffers filled with ones (touched,
# so resident); on SIGTERM it stops, the server closes and node exits 0,
# each step said on stderr (in the log LOST=1 prints).
cat >"$rootfs/app/leak.js" <<'JS'
'use strict';
const http = require('http');
const rate = Number(process.argv[2]);
const kept = [];
const server = http.createServer((request, response) => response.end('ok\n')).listen(8080, '127.0.0.1', () => {
    const leak = setInterval(() => kept.push(Buffer.alloc((rate << 20) / 100, 1)), 10);
    process.on('SIGTERM', () => {
        console.error(`leak: SIGTERM at ${kept.length} chunks, closing`);
        clearInterval(leak);
        server.close(() => {
            console.error('leak: closed, exiting 0');
            process.exit(0);
        });
    });
});
JS
cd "$work"  # podman's conmon may leave a file named "oom" in its working directory

# run NODE RATE -> "CODE WORKING-SET-MIB" (the working set at the restart, or -);
# vigil's log of a run that did not end in 75 is kept for the end.
run() {
    local err code
    err=$("${podman[@]}" run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
        -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro --memory 256m --memory-swap 256m --rootfs "$rootfs" \
        /init --memory-restart 85 "$1" /app/leak.js "$2" 2>&1 >/dev/null) && code=0 || code=$?
    [ "$code" = 75 ] || printf '%s at %s MiB/s, exit %s:\n%s\n\n' "$1" "$2" "$code" "$err" >>"$work/lost.log"
    # A 137 is the OOM killer's, or vigil's own at the drain deadline (the program did not exit).
    case "$err" in
        *"the kernel's OOM killer killed"*) code=oom ;;
        *"drain deadline of"*) code=deadline ;;
    esac
    echo "$code $(echo "$err" | sed -n 's/.*memory restart: the working set of \([0-9.]*\) MiB reached.*/\1/p' | head -1)"
}

echo "$("$vigil" --version | head -1); $runs runs per cell; --memory 256m, --memory-restart 85 (threshold 217.6 MiB);"
echo "n of N: vigil restarted first (drained, exit 75) in n runs; others: oom = the kernel's OOM killer came first,"
echo "deadline = vigil restarted in time but the program had not exited at the 25 s drain deadline (SIGKILL, 137)"
echo
rates=(20 50 100 200 400)
header="| Node |"; rule="|---|"
for rate in "${rates[@]}"; do header+=" $rate MiB/s |"; rule+="---|"; done
echo "$header"; echo "$rule"
declare -A sets
for i in "${!nodes[@]}"; do
    line="| ${versions[$i]} |"
    for rate in "${rates[@]}"; do
        won=0 others=""
        for _ in $(seq "$runs"); do
            read -r code set < <(run "${nodes[$i]}" "$rate")
            if [ "$code" = 75 ]; then won=$((won + 1)); sets[$rate]+="$set "; else others+=" $code"; fi
        done
        line+=" $won of $runs${others:+ (others:$others)} |"
    done
    echo "$line"
done
echo
for rate in "${rates[@]}"; do
    median=$(printf '%s\n' ${sets[$rate]:-} | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }')
    echo "- $rate MiB/s: median working set at the restart $median MiB"
done
if [ -s "$work/lost.log" ] && [ -n "${LOST:-}" ]; then
    echo
    echo "vigil's log of every run that did not end in 75:"
    sed 's/^/    /' "$work/lost.log"
fi
