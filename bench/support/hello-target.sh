# Sourced by bench/profile-hello.sh and bench/cpu-split.sh: writes a Lambda-style hello function
# into a fresh $DIR, starts bench/support/target.ts on $PORT with `$@` before it (node flags, e.g.
# --cpu-prof), isolation $ISOLATION (default process), sets $PID, and waits for `GET /hello`.
start_hello_target() {
  DIR="$(mktemp -d)"
  mkdir -p "$DIR/functions/hello"
  echo 'exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ hello: "world" }) });' >"$DIR/functions/hello/index.js"
  echo '[{"name":"hello","entry":"functions/hello/index.js","handler":"index.handler"}]' >"$DIR/functions.json"
  "$ROOT/node_modules/node/bin/node" "$@" "$ROOT/bench/support/target.ts" --port "$PORT" --dir "$DIR" \
    --isolation "${ISOLATION:-process}" >"$DIR/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$PORT/hello" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "the platform did not answer GET /hello (log: $DIR/server.log)" >&2
  return 1
}
