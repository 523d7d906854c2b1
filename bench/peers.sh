#!/usr/bin/env bash
# Runs ../shared/bench (the peer harness) with Nimbus as the TARGET_CMD peer, beside node-bare,
# workerd and serverless-offline, and prints the summary table. shared/ is read-only, so the
# harness is copied to a scratch dir first. Extra arguments go to run-peers.sh (e.g. --quick).
#   bench/peers.sh --quick
#   bench/peers.sh --peers node-bare,workerd,serverless-offline,target
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="${SHARED_BENCH:-$ROOT/../shared/bench}"
WORK="${BENCH_WORK:-${TMPDIR:-/tmp}/nimbus-peer-bench}"
mkdir -p "$WORK"
cp -r "$SRC/." "$WORK/" && chmod -R u+w "$WORK"
NODE24="$ROOT/node_modules/node/bin/node"
export TARGET_CMD="$NODE24 $ROOT/bench/support/target.ts --port {port} --dir {dir}"
export TARGET_NAME=nimbus
export TARGET_ISOLATION='sandboxed process per instance (bubblewrap + cgroups)'
export TARGET_VERSION="$(node -p "require('$ROOT/package.json').version")"
cd "$WORK"
if [ "$#" -eq 0 ]; then set -- --peers node-bare,workerd,serverless-offline,target; fi
case " $* " in *" --peers "*) ;; *) set -- "$@" --peers node-bare,workerd,serverless-offline,target ;; esac
./run-peers.sh "$@"
cat "$(ls -t results/*.md | head -1)"
