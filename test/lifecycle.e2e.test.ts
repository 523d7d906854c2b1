/**
 * Instance lifecycle: warm reuse, idle TTL (scale to zero), retirement on code change, and the
 * same function surviving a platform restart (SQLite data dir reused).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

/** A deploy that failed says why (not later, as an empty invoke result). */
const assertDeployed = (r: { status: number; body: unknown }) =>
  assert.ok(r.status < 300, `deploy: ${r.status} ${JSON.stringify(r.body)}`);

type Status = { functions: { functionName: string; warm: number; busy: number; coldStarts: number }[] };

describe('instance lifecycle', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({ idleTtlSec: 1 });
  });
  after(() => p?.stop());

  const invoke = (name: string) =>
    p.json<{ cold: boolean; result: unknown }>('POST', `/v1/functions/${name}/invoke`, {});
  const status = async (name: string) =>
    (await p.json<Status>('GET', '/v1/status')).body.functions.find((f) => f.functionName === name);

  it('reuses a warm instance, then stops it after the idle TTL (scale to zero)', async () => {
    const dir = await fixture({ 'index.mjs': 'let n = 0; export const handler = async () => ++n;' });
    assertDeployed(await p.deployDir('ttl', dir, { runtime: 'nodejs24.x', handler: 'index.handler' }));
    const a = await invoke('ttl');
    const b = await invoke('ttl');
    const idleSince = performance.now();
    assert.deepEqual([a.body.cold, a.body.result, b.body.cold, b.body.result], [true, 1, false, 2]);
    assert.equal((await status('ttl'))?.warm, 1);
    // Wait for the scale to zero itself (a generous deadline, not a guessed sleep); it must not
    // come before the 1 s TTL.
    await waitUntil('the idle instance to stop', async () => (await status('ttl'))?.warm === 0, 30_000);
    const idled = performance.now() - idleSince;
    assert.ok(idled >= 900, `stopped after ${Math.round(idled)} ms idle, before the 1 s TTL`);
    const c = await invoke('ttl');
    assert.deepEqual([c.body.cold, c.body.result], [true, 1]);
  });

  it("shows what the module printed while loading with the first invocation's logs", async () => {
    const dir = await fixture({
      'index.mjs':
        'console.log("loading config"); export const handler = async () => { console.log("run"); return 1; };',
    });
    assertDeployed(await p.deployDir('initlog', dir, { runtime: 'nodejs24.x', handler: 'index.handler' }));
    const tail = async () =>
      (await p.json<{ logTail: string }>('POST', '/v1/functions/initlog/invoke?logs=tail', {})).body.logTail;
    const first = await tail();
    assert.ok(
      first.indexOf('loading config') >= 0 && first.indexOf('loading config') < first.indexOf('run'),
      first,
    );
    const second = await tail();
    assert.ok(!second.includes('loading config'), second);
  });

  it('retires warm instances when the code changes', async () => {
    const v1 = await fixture({ 'index.mjs': 'export const handler = async () => "v1";' });
    assertDeployed(await p.deployDir('swap', v1, { runtime: 'nodejs24.x', handler: 'index.handler' }));
    assert.equal((await invoke('swap')).body.result, 'v1');
    const v2 = await fixture({ 'index.mjs': 'export const handler = async () => "v2";' });
    assertDeployed(await p.deployDir('swap', v2, { runtime: 'nodejs24.x', handler: 'index.handler' }));
    const r = await invoke('swap');
    assert.equal(r.body.result, 'v2');
    assert.equal(r.body.cold, true);
  });
});

describe('restart', () => {
  it('keeps functions, versions and credentials across a platform restart', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadConfig } = await import('../src/config/index.ts');
    const { startPlatform } = await import('../src/server/index.ts');
    const { zipDirectory } = await import('../src/registry/build/index.ts');
    const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-restart-'));
    const cfg = loadConfig({ port: 0, apiPort: 0, s3Port: 0, dataDir, logLevel: 'silent' }, {});
    const first = await startPlatform(cfg, { log: () => {} });
    const secret = first.admin.secret;
    assert.ok(secret);
    const zip = Buffer.from(await zipDirectory('examples/hello')).toString('base64');
    const put = await fetch(`${first.apiUrl}/v1/functions/hello`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        runtime: 'nodejs24.x',
        handler: 'index.handler',
        code: { zipBase64: zip },
        publish: true,
      }),
    });
    assert.equal(put.status, 201);
    await first.close();

    const second = await startPlatform(cfg, { log: () => {} });
    try {
      assert.equal(second.admin.generated, false);
      assert.equal(second.admin.secret, undefined);
      const r = await fetch(`${second.apiUrl}/v1/functions/hello/invoke?qualifier=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'again' }),
      });
      assert.equal(r.status, 200);
      assert.deepEqual(((await r.json()) as { result: unknown }).result, { message: 'Hello, again!' });
    } finally {
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
