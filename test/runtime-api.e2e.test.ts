/**
 * Custom runtimes (`provided.al2023`): an unmodified `bootstrap` — here one in shell + curl and one
 * in Python — talks to the Lambda Runtime API (next / response / error / init error) inside the
 * sandbox, for sync and async invocations.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const SHELL_BOOTSTRAP = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
echo "init: handler=\${_HANDLER}"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i 'lambda-runtime-aws-request-id' "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  echo "got $ID"
  case "$EVENT" in
    *fail*) curl -sS -X POST "$API/invocation/$ID/error" -d '{"errorType":"ShellError","errorMessage":"asked to fail"}' >/dev/null ;;
    *) curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"shell\\":true,\\"echo\\":$EVENT}" >/dev/null ;;
  esac
done
`;

const PYTHON_BOOTSTRAP = `#!/usr/bin/env python3
import json, os, urllib.request
api = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]
if os.environ.get("BREAK_INIT"):
    req = urllib.request.Request(api + "/init/error", data=json.dumps({"errorType": "ConfigError", "errorMessage": "missing setting"}).encode(), method="POST")
    urllib.request.urlopen(req).read()
    raise SystemExit(1)
while True:
    with urllib.request.urlopen(api + "/invocation/next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        deadline = int(r.headers["Lambda-Runtime-Deadline-Ms"])
        arn = r.headers["Lambda-Runtime-Invoked-Function-Arn"]
        event = json.loads(r.read())
    body = json.dumps({"python": True, "n": event.get("n"), "arn": arn, "hasDeadline": deadline > 0, "handler": os.environ["_HANDLER"]}).encode()
    urllib.request.urlopen(urllib.request.Request(api + "/invocation/%s/response" % rid, data=body, method="POST")).read()
`;

describe('Lambda Runtime API: custom runtimes', () => {
  let p: TestPlatform;
  const invoke = (fn: string, body: unknown) =>
    p.json<{
      ok: boolean;
      result?: Record<string, unknown>;
      error?: { errorType: string; errorMessage: string; code?: string };
    }>('POST', `/v1/functions/${fn}/invoke`, body);
  before(async () => {
    p = await startTestPlatform();
    const sh = await fixture({ bootstrap: SHELL_BOOTSTRAP });
    const py = await fixture({ bootstrap: PYTHON_BOOTSTRAP });
    for (const [name, dir, env] of [
      ['shell-rt', sh, {}],
      ['python-rt', py, {}],
      ['broken-rt', py, { BREAK_INIT: '1' }],
    ] as const) {
      const r = await p.deployDir(name, dir, {
        runtime: 'provided.al2023',
        handler: 'my.handler',
        environment: env,
      });
      assert.ok(r.status < 300, JSON.stringify(r.body));
    }
  });
  after(() => p?.stop());

  it('runs a shell + curl bootstrap: responses, errors, logs', async () => {
    const a = await invoke('shell-rt', { hello: 'world' });
    assert.deepEqual(a.body.result, { shell: true, echo: { hello: 'world' } });
    const b = await invoke('shell-rt', { n: 2 });
    assert.deepEqual(
      b.body.result,
      { shell: true, echo: { n: 2 } },
      'the same process serves the next invocation',
    );
    const f = await invoke('shell-rt', { fail: 1 });
    assert.equal(f.body.ok, false);
    assert.equal(f.body.error?.errorType, 'ShellError');
    assert.equal(f.body.error?.errorMessage, 'asked to fail');
    const logs = await p.json<{ lines: { message: string }[] }>(
      'GET',
      '/v1/functions/shell-rt/logs?limit=100',
    );
    const text = logs.body.lines.map((l) => l.message).join('\n');
    assert.match(text, /got [0-9a-f-]{36}/);
  });

  it('runs a Python bootstrap with the Lambda headers, sync and async', async () => {
    const r = await invoke('python-rt', { n: 7 });
    assert.equal(r.body.result?.python, true, JSON.stringify(r.body));
    assert.equal(r.body.result?.n, 7);
    assert.equal(r.body.result?.hasDeadline, true);
    assert.equal(r.body.result?.handler, 'my.handler');
    assert.match(String(r.body.result?.arn), /:function:python-rt$/);
    const sub = await p.json<{ id: string }>('POST', '/v1/functions/python-rt/invoke-async', { n: 8 });
    const end = Date.now() + 15_000;
    for (;;) {
      const v = await p.json<{ status: string; result?: { n: number } }>(
        'GET',
        `/v1/invocations/${sub.body.id}`,
      );
      if (v.body.status === 'succeeded') {
        assert.equal(v.body.result?.n, 8);
        break;
      }
      if (Date.now() > end) assert.fail(`async invocation ${JSON.stringify(v.body)}`);
      await new Promise((res) => setTimeout(res, 30));
    }
  });

  it('reports /runtime/init/error as an init failure', async () => {
    const r = await invoke('broken-rt', {});
    assert.equal(r.body.ok, false);
    assert.equal(r.body.error?.errorType, 'ConfigError');
    assert.equal(r.body.error?.code, 'NIMBUS_ERR_RUNTIME_INIT');
  });

  it('rejects a custom runtime without a bootstrap', async () => {
    const r = await p.deployDir('no-bootstrap', await fixture({ 'main.sh': 'echo' }), {
      runtime: 'provided',
      handler: 'x',
    });
    assert.equal(r.status, 400);
    assert.match(JSON.stringify(r.body), /bootstrap/);
  });
});
