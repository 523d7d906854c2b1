/**
 * Runtime output as Lambda's runtimes write it: an unhandled error is in the function's logs (Node:
 * `ERROR\tInvoke Error \t{…}`; Python: `[ERROR] Type: message` and the traceback), not only in
 * the response; Python's `logging` root logger writes `[LEVEL]\t<time>\t<request id>\t<message>`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

describe('runtime output (e2e)', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p?.stop());

  const logsOf = async (fn: string, requestId: string) => {
    const end = Date.now() + 5000;
    for (;;) {
      const r = await p.json<{ lines: { message: string; stream: string }[] }>(
        'GET',
        `/v1/functions/${fn}/logs?requestId=${requestId}&limit=100`,
      );
      const lines = r.body.lines ?? [];
      if (lines.some((l) => l.message.startsWith('REPORT')) || Date.now() > end) return lines;
      await new Promise((res) => setTimeout(res, 50));
    }
  };

  it("writes Node's unhandled errors to the log as Invoke Error", async () => {
    const dir = await fixture({
      'index.mjs': `export const handler = async () => { throw new TypeError('boom'); };`,
    });
    assert.equal(
      (await p.deployDir('node-err', dir, { runtime: 'nodejs22.x', handler: 'index.handler' })).status,
      201,
    );
    const r = await p.json<{ requestId: string; ok: boolean }>('POST', '/v1/functions/node-err/invoke', {});
    assert.equal(r.body.ok, false);
    const lines = await logsOf('node-err', r.body.requestId);
    const err = lines.find((l) => l.message.startsWith('ERROR\tInvoke Error \t'));
    assert.ok(err, JSON.stringify(lines));
    const j = JSON.parse(err.message.slice('ERROR\tInvoke Error \t'.length)) as Record<string, unknown>;
    assert.equal(j.errorType, 'TypeError');
    assert.equal(j.errorMessage, 'boom');
    assert.ok(Array.isArray(j.stack));
    assert.equal(err.stream, 'stderr');
  });

  it("gives Python's root logger Lambda's handler, and logs tracebacks of unhandled errors", async () => {
    const dir = await fixture({
      'app.py': `import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    logger.info("processing %s", event.get("id"))
    logging.getLogger("app.db").warning("slow query")
    logger.debug("not shown")
    if event.get("fail"):
        raise ValueError("bad input")
    return "ok"
`,
    });
    assert.equal(
      (await p.deployDir('py-log', dir, { runtime: 'python3.12', handler: 'app.handler' })).status,
      201,
    );
    const ok = await p.json<{ requestId: string; result: string }>('POST', '/v1/functions/py-log/invoke', {
      id: 7,
    });
    assert.equal(ok.body.result, 'ok');
    const lines = (await logsOf('py-log', ok.body.requestId)).map((l) => l.message);
    const id = ok.body.requestId;
    assert.ok(
      lines.some((m) =>
        new RegExp(`^\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tprocessing 7$`).test(m),
      ),
      JSON.stringify(lines),
    );
    assert.ok(lines.some((m) => m.startsWith('[WARNING]\t') && m.endsWith(`\t${id}\tslow query`)));
    assert.ok(!lines.some((m) => m.includes('not shown')));
    const bad = await p.json<{ requestId: string; ok: boolean }>('POST', '/v1/functions/py-log/invoke', {
      fail: true,
    });
    assert.equal(bad.body.ok, false);
    const errLines = (await logsOf('py-log', bad.body.requestId)).map((l) => l.message);
    const tb = errLines.find((m) => m.startsWith('[ERROR] ValueError: bad input'));
    assert.ok(tb, JSON.stringify(errLines));
    assert.match(
      tb,
      /Traceback \(most recent call last\):\n {2}File "\/var\/task\/app\.py", line \d+, in handler/,
    );
  });
});
