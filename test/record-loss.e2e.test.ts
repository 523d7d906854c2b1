/**
 * Issue 16 acceptance: the platform process SIGKILLed under HTTP load loses at most the
 * invocation records it had not written yet — those of invocations answered within the record
 * sink's flush interval (50 ms) before the kill, plus the batch being written. A real `nimbus
 * start` runs 16 concurrent request loops against a route; each answer's invocation id
 * (apigw-requestid) and arrival time are kept; after the kill the platform restarts on the same
 * data dir and every answered invocation is looked up in the usage records and the logs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { zipFiles } from '../src/registry/build/index.ts';
import { freePort, startNimbusProcess } from './support/nimbus-process.ts';

const KEY_ID = 'NKLOSS00000000000001';
const SECRET = 'loss-secret-0123456789abcdef';
/** What the test allows between a lost record's answer and the kill (the sink flushes every 50 ms). */
const BOUND_MS = 400;

it('a SIGKILL under load loses only the records of the last flush interval', {
  timeout: 180_000,
}, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-loss-'));
  const [apiPort, port] = [await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  const auth = { authorization: `Bearer ${SECRET}` };
  const env = { NIMBUS_ADMIN_KEY_ID: KEY_ID, NIMBUS_ADMIN_SECRET: SECRET, NIMBUS_LOG_LEVEL: 'error' };
  let child = await startNimbusProcess({ apiPort, port, dataDir, env });
  try {
    const zip = zipFiles({
      'index.mjs': new TextEncoder().encode(
        `export const handler = async () => { console.log('hit'); return { statusCode: 200, body: 'ok' }; };`,
      ),
    });
    const dep = await fetch(`${api}/v1/functions/hello`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        runtime: 'nodejs24.x',
        handler: 'index.handler',
        code: { zipBase64: Buffer.from(zip).toString('base64') },
      }),
    });
    assert.ok(dep.status < 300, await dep.text());
    const route = await fetch(`${api}/v1/functions/hello/routes`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ routes: [{ routeKey: 'GET /hello' }] }),
    });
    assert.ok(route.ok, await route.text());

    const answered = new Map<string, number>();
    let stop = false;
    const loop = async () => {
      while (!stop) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/hello`);
          await r.text();
          const id = r.headers.get('apigw-requestid');
          if (r.status === 200 && id) answered.set(id, performance.now());
        } catch {
          return; // the platform is gone
        }
      }
    };
    const loops = Array.from({ length: 16 }, loop);
    await new Promise((r) => setTimeout(r, 3000));
    const exited = new Promise((r) => child.once('exit', r));
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await exited;
    stop = true;
    await Promise.all(loops);
    assert.ok(answered.size > 200, `load ran (${answered.size} answers)`);

    child = await startNimbusProcess({ apiPort, port, dataDir, env });
    const u = await fetch(`${api}/v1/usage?function=hello&limit=10000`, { headers: auth });
    const stored = new Set(
      ((await u.json()) as { records: { requestId: string }[] }).records.map((r) => r.requestId),
    );
    const lost = [...answered].filter(([id]) => !stored.has(id));
    const worst = Math.max(0, ...lost.map(([, at]) => killedAt - at));
    console.log(
      `# record loss: ${answered.size} answered in 3 s, ${lost.length} without a record, answered at most ${worst.toFixed(0)} ms before the kill`,
    );
    for (const [id, at] of lost) {
      assert.ok(
        killedAt - at <= BOUND_MS,
        `${id}: answered ${(killedAt - at).toFixed(0)} ms before the kill, no record`,
      );
    }
    // A stored invocation reads back whole: START, its line, END, REPORT.
    const some = [...answered.keys()].find((id) => stored.has(id))!;
    const logs = await fetch(`${api}/v1/functions/hello/logs?requestId=${some}`, { headers: auth });
    const lines = ((await logs.json()) as { lines: { message: string }[] }).lines.map((l) => l.message);
    assert.equal(lines.length, 4, JSON.stringify(lines));
    assert.match(lines[0]!, /^START RequestId: /);
    assert.match(lines[1]!, /hit/);
    assert.match(lines[2]!, /^END RequestId: /);
    assert.match(lines[3]!, /^REPORT RequestId: .*Duration: /);
  } finally {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});
