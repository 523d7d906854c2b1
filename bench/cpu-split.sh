#!/usr/bin/env bash
# CPU per request of the platform process and of its instances, separately, under wrk load on a
# Lambda-style hello behind `GET /hello` (bench/support/target.ts): /proc utime+stime of the
# platform and of every descendant, read around a DURATION-second wrk run after a warm-up.
#   bash bench/cpu-split.sh                  # c=32, 10 s
#   CONNS=1 ISOLATION=isolate bash bench/cpu-split.sh
#   NODE_FLAGS=--max-semi-space-size=64 bash bench/cpu-split.sh   # node flags for the platform
# The instances' figure doubles as a yardstick of the machine's speed that minute: compare the
# platform/instance ratio between A/B runs, not the platform figure alone.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NODE="$ROOT/node_modules/node/bin/node"
PORT="${PORT:-3401}"
CONNS="${CONNS:-32}"
DURATION="${DURATION:-10}"
. "$ROOT/bench/support/hello-target.sh"
start_hello_target ${NODE_FLAGS:-}
wrk -t"$(( CONNS < 2 ? 1 : 2 ))" -c"$CONNS" -d3s "http://127.0.0.1:$PORT/hello" >/dev/null
tree() { echo "$1"; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do tree "$c"; done; }
ticks() { local t=0 s; for p in "$@"; do s=$(awk '{print $14+$15}' /proc/"$p"/stat 2>/dev/null || echo 0); t=$((t + s)); done; echo "$t"; }
KIDS=$(tree "$PID" | tail -n +2)
csw() { local t=0 s; for p in "$@"; do for tk in /proc/"$p"/task/*; do s=$(awk '/^voluntary_ctxt_switches/{print $2}' "$tk"/status 2>/dev/null || echo 0); t=$((t + ${s:-0})); done; done; echo "$t"; }
P0=$(ticks "$PID"); I0=$(ticks $KIDS); PC0=$(csw "$PID"); IC0=$(csw $KIDS)
wrk -t"$(( CONNS < 2 ? 1 : 2 ))" -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$PORT/hello" >"$DIR/wrk.txt"
P1=$(ticks "$PID"); I1=$(ticks $KIDS); PC1=$(csw "$PID"); IC1=$(csw $KIDS)
REQ=$(grep -oP '^\s+\K\d+(?= requests in)' "$DIR/wrk.txt")
HZ=$(getconf CLK_TCK)
grep 'Requests/sec' "$DIR/wrk.txt"
echo "platform CPU µs/req: $(( (P1 - P0) * 1000000 / HZ / REQ ))   instances CPU µs/req: $(( (I1 - I0) * 1000000 / HZ / REQ ))   ($(echo $KIDS | wc -w) instance processes)"
echo "sleeps (voluntary context switches) per 100 req: platform $(( (PC1 - PC0) * 100 / REQ ))   instances $(( (IC1 - IC0) * 100 / REQ ))"
kill -INT "$PID"
wait "$PID" 2>/dev/null || true
rm -rf "$DIR"
