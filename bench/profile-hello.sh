#!/usr/bin/env bash
# A CPU profile of the platform process under load: starts bench/support/target.ts with one
# Lambda-style hello function behind `GET /hello`, warms it up, runs wrk for DURATION seconds at
# CONNS connections while `node --cpu-prof` records, stops the platform, and prints the top frames
# by self time (bench/support/profsum.mjs). Needs wrk (apt-get install wrk). For a quiet machine.
#   bash bench/profile-hello.sh                 # c=32, 10 s
#   CONNS=1 DURATION=5 bash bench/profile-hello.sh
#   ISOLATION=isolate bash bench/profile-hello.sh   # the isolate runtime
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NODE="$ROOT/node_modules/node/bin/node"
DIR="$(mktemp -d)"
CONNS="${CONNS:-32}"
DURATION="${DURATION:-10}"
PORT="${PORT:-3400}"
mkdir -p "$DIR/functions/hello"
echo 'exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ hello: "world" }) });' >"$DIR/functions/hello/index.js"
echo '[{"name":"hello","entry":"functions/hello/index.js","handler":"index.handler"}]' >"$DIR/functions.json"
"$NODE" --cpu-prof --cpu-prof-dir="$DIR/prof" "$ROOT/bench/support/target.ts" --port "$PORT" --dir "$DIR" --isolation "${ISOLATION:-process}" >"$DIR/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/hello" >/dev/null 2>&1 && break
  sleep 0.2
done
wrk -t2 -c"$CONNS" -d3s "http://127.0.0.1:$PORT/hello" >/dev/null
wrk -t2 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$PORT/hello" | grep -E 'Requests/sec|Latency|Non-2xx'
kill -INT "$PID"
wait "$PID" || true
"$NODE" "$ROOT/bench/support/profsum.mjs" "$(ls "$DIR"/prof/*.cpuprofile | head -1)" "${TOP:-25}"
rm -rf "$DIR"
