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
CONNS="${CONNS:-32}"
DURATION="${DURATION:-10}"
PORT="${PORT:-3400}"
. "$ROOT/bench/support/hello-target.sh"
PROF="$(mktemp -d)"
start_hello_target --cpu-prof --cpu-prof-dir="$PROF"
wrk -t"$(( CONNS < 2 ? 1 : 2 ))" -c"$CONNS" -d3s "http://127.0.0.1:$PORT/hello" >/dev/null
wrk -t"$(( CONNS < 2 ? 1 : 2 ))" -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$PORT/hello" | grep -E 'Requests/sec|Latency|Non-2xx'
kill -INT "$PID"
wait "$PID" || true
"$NODE" "$ROOT/bench/support/profsum.mjs" "$(ls "$PROF"/*.cpuprofile | head -1)" "${TOP:-25}"
rm -rf "$DIR" "$PROF"
