/**
 * SIGTERM with work in flight (issue 20): a real `nimbus start` process is stopped with SIGTERM
 * while async invocations run and wait; it exits 0 in bounded time, and after a restart on the
 * same data directory every acknowledged invocation completes — the ones that were running when
 * it stopped run again (at-least-once), nothing acknowledged is lost.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { zipFiles } from '../src/registry/build/index.ts';
import { waitUntil } from './helpers.ts';
import { freePort, startNimbusProcess } from './support/nimbus-process.ts';
import { sinkSkip, startSink } from './support/sink.ts';

const KEY_ID = 'NKSIGTERM00000000001';
const SECRET = 'sigterm-secret-0123456789abcdef';

describe('SIGTERM with work in flight', { skip: sinkSkip() }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('exits 0 promptly; after a restart every acknowledged invocation completes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-sigterm-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const auth = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
    const started = new Map<string, number>();
    const finished = new Map<string, number>();
    const sink = await startSink((r) => {
      const u = new URL(r.url, 'http://x');
      const id = u.searchParams.get('id') ?? '';
      const m = u.pathname === '/start' ? started : finished;
      m.set(id, (m.get(id) ?? 0) + 1);
    });
    cleanups.push(() => sink.close());
    let child: ChildProcess | undefined;
    const start = async () => {
      child = await startNimbusProcess({
        apiPort,
        dataDir,
        env: { NIMBUS_ADMIN_KEY_ID: KEY_ID, NIMBUS_ADMIN_SECRET: SECRET, NIMBUS_LOG_LEVEL: 'error' },
      });
    };
    cleanups.push(() => {
      child?.kill('SIGKILL');
    });
    await start();
    const zip = zipFiles({
      'index.mjs': new TextEncoder().encode(`export const handler = async (e, ctx) => {
        await (await fetch(process.env.SINK + '/start?id=' + e.n)).text();
        await new Promise((r) => setTimeout(r, 3000));
        await (await fetch(process.env.SINK + '/done?id=' + e.n)).text();
        return e.n;
      };`),
    });
    const dep = await fetch(`${api}/v1/functions/slow`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({
        runtime: 'nodejs24.x',
        handler: 'index.handler',
        timeoutSec: 30,
        environment: { SINK: sink.url },
        reservedConcurrency: 2,
        code: { zipBase64: Buffer.from(zip).toString('base64') },
      }),
    });
    assert.ok(dep.status < 300, await dep.text());
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      const r = await fetch(`${api}/v1/functions/slow/invoke-async`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ n }),
      });
      assert.equal(r.status, 202);
      ids.push(((await r.json()) as { id: string }).id);
    }
    // Two are running (reserved concurrency 2), three wait.
    await waitUntil('two invocations running', () => started.size >= 2, 30_000);
    const c = child!;
    const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
    const t0 = Date.now();
    c.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000)),
    ]);
    assert.equal(code, 0, `exit code after SIGTERM (${Date.now() - t0} ms)`);

    await start();
    const status = async (id: string) =>
      ((await (await fetch(`${api}/v1/invocations/${id}`, { headers: auth })).json()) as { status: string })
        .status;
    await waitUntil(
      'every acknowledged invocation succeeded',
      async () => (await Promise.all(ids.map(status))).every((s) => s === 'succeeded'),
      60_000,
    );
    for (let n = 0; n < 5; n++)
      assert.ok((finished.get(String(n)) ?? 0) >= 1, `invocation ${n} ran to the end`);
    child?.kill('SIGTERM');
  });
});
