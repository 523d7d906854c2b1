#!/usr/bin/env bash
# Runs ../shared/bench (the shared peer harness) with Nimbus as two more peers — nimbus (process
# runtime) and nimbus-isolate (isolate runtime; skipped with its reason when this build lacks it) —
# and the reference peer nimbus-floor (node:http + one child-process hop per request, no Nimbus) —
# beside node-bare, workerd, deno, serverless-offline and gcf-functions-framework, then prints the
# summary table. shared/ is read-only, so the harness is copied to a scratch dir and our
# descriptors (bench/peers/nimbus*.mjs) are copied into its peers/ folder.
#
#   bench/peers.sh --quick                       # smoke run (~5 min here), all 7 peers
#   bench/peers.sh                               # full run (~30 min on 2 cores): for a quiet machine
#   bench/peers.sh --quick --peers node-bare,nimbus
#   SKIP_INSTALL=1 bench/peers.sh --quick        # don't apt-get wrk / npm ci the harness again
#   HARNESS_NODE=system bench/peers.sh --quick   # harness on the system Node (default: Node 24)
#
# Arguments go to run-peers.mjs unchanged (--quick, --peers, --conc, --skip, --duration, ...).
# Env: SHARED_BENCH (harness source, default ../shared/bench), BENCH_WORK (scratch dir).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="${SHARED_BENCH:-$ROOT/../shared/bench}"
WORK="${BENCH_WORK:-${TMPDIR:-/tmp}/nimbus-peer-bench-$(basename "$ROOT")}"
DEFAULT_PEERS=node-bare,workerd,deno,serverless-offline,gcf-functions-framework,nimbus,nimbus-isolate,nimbus-floor
[ -f "$SRC/run-peers.mjs" ] || { echo "no peer harness at $SRC (set SHARED_BENCH)" >&2; exit 1; }

mkdir -p "$WORK"
# Copy the harness (keeps the scratch dir's node_modules, results/ and .work/ between runs).
(cd "$SRC" && tar cf - --exclude=./node_modules --exclude=./results --exclude=./.work .) | (cd "$WORK" && tar xf -)
chmod -R u+w "$WORK"
cp "$ROOT"/bench/peers/nimbus*.mjs "$WORK/peers/"

export NIMBUS_ROOT="$ROOT"
export NIMBUS_NODE="$ROOT/node_modules/node/bin/node"
[ -x "$NIMBUS_NODE" ] || { echo "no Node 24 at $NIMBUS_NODE: run npm install in $ROOT" >&2; exit 1; }
if [ "${HARNESS_NODE:-24}" != "system" ]; then
  # run-peers.sh runs `node run-peers.mjs` (and npm ci) from PATH: put Node 24 first.
  export PATH="$ROOT/node_modules/node/bin:$PATH"
fi

case " $* " in *" --peers "*) ;; *) set -- "$@" --peers "$DEFAULT_PEERS" ;; esac
cd "$WORK"
echo "[peers.sh] harness in $WORK, node $(node -v) for the harness, $("$NIMBUS_NODE" -v) for Nimbus"
LOG="$WORK/last-run.log"
./run-peers.sh "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
MD="$(ls -t results/*.md 2>/dev/null | head -1)"
if [ -n "$MD" ]; then
  # Peers the harness skipped (enabled() gave a reason) are not in its tables: say so under them.
  if grep -q '\] skip ' "$LOG"; then
    { echo; echo '## Skipped peers'; echo
      grep '\] skip ' "$LOG" | sed -E 's/^\[[0-9:]+\] skip ([^:]+): (.*)$/- `\1`: \2/'; echo; } >>"$MD"
  fi
  echo; echo "==== $WORK/$MD"; echo
  cat "$MD"
fi
exit "$status"
