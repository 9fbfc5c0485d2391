#!/bin/bash
# vigil's main job on a real example: a Node HTTP server under vigil as PID 1
# (in a new PID namespace), a slow request in flight, then SIGTERM, as an
# orchestrator would send it. Watch the drain in vigil's log and the exit code.
set -euo pipefail
cd "$(dirname "$0")/../.."
tests/install-deps.sh meson ninja-build g++ pkg-config util-linux libcap-dev libspdlog-dev libfmt-dev catch2
command -v node >/dev/null || tests/install-deps.sh nodejs

[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build vigil >/dev/null

port=${PORT:-3000}
run=(build/vigil --drain-timeout 10s node docker/example/server.js)
if [ "$(id -u)" -eq 0 ]; then
    run=(unshare --pid --fork --mount-proc "${run[@]}")
else
    echo "(not root: vigil runs as a subreaper here, not as PID 1)"
fi
echo "\$ PORT=$port ${run[*]}"
PORT=$port "${run[@]}" 2>&1 &
launcher=$!

# Wait until the server answers, then start a request that takes 2 s.
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
node -e '
  const started = Date.now();
  require("http").get(`http://127.0.0.1:${process.argv[1]}/slow?ms=2000`, (response) => {
    let body = "";
    response.on("data", (chunk) => (body += chunk));
    response.on("end", () => console.log(`client: HTTP ${response.statusCode} after ${Date.now() - started} ms: ${body.trim()}`));
  }).on("error", (error) => console.log(`client: request failed: ${error.message}`));
' "$port" &
client=$!
sleep 0.5  # let the request reach the server: it is in flight when the stop comes

vigil_pid=$launcher
[ "$(id -u)" -eq 0 ] && vigil_pid=$(cat "/proc/$launcher/task/$launcher/children")
echo "\$ kill -TERM $vigil_pid   # what docker stop / kubelet do"
kill -TERM "$vigil_pid"
code=0
wait "$launcher" || code=$?
wait "$client" || true
echo "vigil exited with code $code"
