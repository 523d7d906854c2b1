import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFsBlobStore } from '../blobs/index.ts';
import { FakeClock } from '../core/clock.ts';
import type { Store } from '../core/ports.ts';
import { openStore } from '../store/index.ts';
import { zipFiles } from './build/archive.ts';
import { createRegistryService, SOURCE_KEEP_MAX_BYTES } from './service.ts';
import type { CodeInput, RegistryService } from './types.ts';

const T = 'default';

describe('registry service (real SQLite store + fs blobs + esbuild)', () => {
  let dir: string;
  let store: Store;
  let reg: RegistryService;
  const changed: string[] = [];
  const clock = new FakeClock();
  const src = async (body: string): Promise<CodeInput> => {
    const d = await mkdtemp(join(dir, 'src-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(d, 'index.mjs'), body);
    return { kind: 'dir', path: d };
  };
  const cfg = { runtime: 'nodejs24.x', handler: 'index.handler' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nimbus-reg-'));
    store = await openStore({ url: 'sqlite', dataDir: dir });
    reg = createRegistryService({
      store,
      blobs: createFsBlobStore(join(dir, 'blobs')),
      clock,
      onFunctionChanged: (_t, n) => changed.push(n),
    });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys with defaults and honours create/update modes', async () => {
    const r = await reg.deploy(T, {
      name: 'a',
      config: cfg,
      code: await src('export const handler = () => 1;'),
    });
    assert.equal(r.function.config.memoryMb, 128);
    assert.equal(r.function.config.timeoutSec, 3);
    assert.equal(r.function.code.family, 'node');
    assert.match(r.function.code.sha256, /^[0-9a-f]{64}$/);
    await assert.rejects(
      reg.deploy(
        T,
        { name: 'a', config: cfg, code: await src('export const handler = () => 1;') },
        { mode: 'create' },
      ),
      /already exists/,
    );
    await assert.rejects(
      reg.deploy(
        T,
        { name: 'zz', config: cfg, code: await src('export const handler = () => 1;') },
        { mode: 'update' },
      ),
      /not found/,
    );
    assert.ok(changed.includes('a'));
  });

  it('treats a redeploy of identical code and config as a no-op (keeps revision and warm instances)', async () => {
    const code = 'export const handler = () => "same";';
    const a = await reg.deploy(T, { name: 'same', config: cfg, code: await src(code) });
    const before = changed.length;
    const b = await reg.deploy(T, { name: 'same', config: cfg, code: await src(code) });
    assert.equal(b.unchanged, true);
    assert.equal(b.function.revisionId, a.function.revisionId);
    assert.equal(changed.length, before);
    const c = await reg.deploy(T, { name: 'same', config: { ...cfg, memoryMb: 256 }, code: await src(code) });
    assert.equal(c.unchanged, undefined);
    assert.notEqual(c.function.revisionId, a.function.revisionId);
  });

  it('rejects invalid config with every problem listed', async () => {
    await assert.rejects(
      reg.deploy(T, {
        name: 'bad',
        config: { ...cfg, memoryMb: 64, timeoutSec: 901 },
        code: await src('export const handler = () => 1;'),
      }),
      (e: Error) => /memory/i.test(e.message) && /timeout/i.test(e.message),
    );
  });

  it('publishes immutable versions; unchanged code+config returns the latest version', async () => {
    const d1 = await reg.deploy(
      T,
      { name: 'v', config: cfg, code: await src('export const handler = () => 1;') },
      { publish: true },
    );
    assert.equal(d1.version?.version, '1');
    const again = await reg.publishVersion(T, 'v');
    assert.equal(again.version, '1');
    await reg.updateCode(T, 'v', await src('export const handler = () => 2;'));
    const v2 = await reg.publishVersion(T, 'v', { description: 'second' });
    assert.equal(v2.version, '2');
    assert.equal((await reg.getVersion(T, 'v', '1')).code.sha256, d1.function.code.sha256);
    await assert.rejects(reg.publishVersion(T, 'v', { expectedRevisionId: 'stale' }), /RevisionId/);
  });

  it('routes weighted aliases by the random draw and validates weights', async () => {
    const a = await reg.createAlias(T, 'v', {
      name: 'live',
      functionVersion: '1',
      additionalWeights: { '2': 0.1 },
    });
    assert.equal(a.functionVersion, '1');
    assert.equal((await reg.resolve(T, 'v', 'live', 0.05)).version, '2');
    assert.equal((await reg.resolve(T, 'v', 'live', 0.1)).version, '1');
    assert.equal((await reg.resolve(T, 'v', 'live', 0.99)).version, '1');
    await assert.rejects(
      reg.updateAlias(T, 'v', 'live', { additionalWeights: { '2': 1.5 } }),
      /between 0 and 1/,
    );
    await assert.rejects(reg.updateAlias(T, 'v', 'live', { additionalWeights: { '9': 0.5 } }), /not found/);
    await assert.rejects(reg.createAlias(T, 'v', { name: '123', functionVersion: '1' }), /not all digits/);
    const u = await reg.updateAlias(T, 'v', 'live', { functionVersion: '2', additionalWeights: {} });
    assert.equal((await reg.resolve(T, 'v', 'live')).version, '2');
    assert.notEqual(u.revisionId, a.revisionId);
  });

  it('resolves $LATEST, versions, and reports unknown qualifiers', async () => {
    assert.equal((await reg.resolve(T, 'v')).version, '$LATEST');
    assert.equal((await reg.resolve(T, 'v', '1')).version, '1');
    await assert.rejects(reg.resolve(T, 'v', '7'), /version 7/);
    await assert.rejects(reg.resolve(T, 'v', 'nope'), /alias nope/);
    await assert.rejects(reg.resolve(T, 'missing'), /function missing/);
  });

  it('updates configuration (and rebuilds when the handler changes) with a new revision', async () => {
    const before = await reg.getFunction(T, 'v');
    const u = await reg.updateConfig(T, 'v', { memoryMb: 512, environment: { A: 'b' } });
    assert.equal(u.config.memoryMb, 512);
    assert.deepEqual(u.config.environment, { A: 'b' });
    assert.notEqual(u.revisionId, before.revisionId);
    assert.equal(
      u.code.sha256,
      before.code.sha256,
      'a config change without a new handler keeps the artifact',
    );
    await assert.rejects(reg.updateConfig(T, 'v', { memoryMb: 1 }), /memory/i);

    // The handler names the entry module and export: changing it rebuilds the artifact from the
    // stored code, so the new entry point is what runs.
    const { mkdir, writeFile } = await import('node:fs/promises');
    const nodeDir = await mkdtemp(join(dir, 'src-'));
    await writeFile(
      join(nodeDir, 'index.mjs'),
      'export const handler = () => 1; export const other = () => 2;',
    );
    const n = (await reg.deploy(T, { name: 'h', config: cfg, code: { kind: 'dir', path: nodeDir } }))
      .function;
    assert.deepEqual([n.code.entry, n.code.exportName], ['index.mjs', 'handler']);
    const beforeChanged = changed.length;
    const n2 = await reg.updateConfig(T, 'h', { handler: 'index.other' });
    assert.equal(n2.config.handler, 'index.other');
    assert.deepEqual([n2.code.entry, n2.code.exportName], ['index.mjs', 'other']);
    assert.notEqual(n2.revisionId, n.revisionId);
    assert.deepEqual(
      (await reg.getFunction(T, 'h')).code,
      n2.code,
      'the stored record has the new entry point',
    );
    assert.ok(changed.length > beforeChanged, 'running instances are told the function changed');

    // Python keeps the whole tree: another module of the same code becomes the entry.
    const pyDir = await mkdtemp(join(dir, 'src-'));
    await writeFile(join(pyDir, 'app.py'), 'def handler(event, context):\n    return 1\n');
    await mkdir(join(pyDir, 'jobs'));
    await writeFile(join(pyDir, 'jobs', 'nightly.py'), 'def run(event, context):\n    return 2\n');
    const pyCfg = { runtime: 'python3.12', handler: 'app.handler' };
    const p = (await reg.deploy(T, { name: 'hp', config: pyCfg, code: { kind: 'dir', path: pyDir } }))
      .function;
    assert.deepEqual([p.code.entry, p.code.exportName], ['app.py', 'handler']);
    const p2 = await reg.updateConfig(T, 'hp', { handler: 'jobs.nightly.run' });
    assert.deepEqual([p2.code.entry, p2.code.exportName], ['jobs/nightly.py', 'run']);

    // A handler whose module is not in the code is refused, and the function is left as it was.
    await assert.rejects(reg.updateConfig(T, 'hp', { handler: 'missing.handler' }), /missing/);
    const kept = await reg.getFunction(T, 'hp');
    assert.deepEqual([kept.config.handler, kept.code], ['jobs.nightly.run', p2.code]);
  });

  it('keeps a small uploaded archive as the source of $LATEST, versions and aliases', async () => {
    const zip = (body: string) => ({
      kind: 'zip' as const,
      data: zipFiles({ 'index.mjs': new TextEncoder().encode(body) }),
    });
    const one = zip('export const handler = () => 1;');
    const r = await reg.deploy(T, { name: 'src', config: cfg, code: one });
    assert.equal(r.function.code.source?.format, 'zip');
    assert.deepEqual((await reg.getSource(T, 'src')).data, one.data);
    // Only a comment differs: the bundle is the same, the kept source is not, so it is no no-op.
    const two = zip('// fixed the typo\nexport const handler = () => 1;');
    const r2 = await reg.deploy(T, { name: 'src', config: cfg, code: two });
    assert.equal(r2.function.code.sha256, r.function.code.sha256);
    assert.notEqual(r2.unchanged, true);
    assert.deepEqual((await reg.getSource(T, 'src', '$LATEST')).data, two.data);
    assert.equal((await reg.deploy(T, { name: 'src', config: cfg, code: two })).unchanged, true);
    const v = await reg.publishVersion(T, 'src', {});
    await reg.createAlias(T, 'src', { name: 'live', functionVersion: v.version });
    // A directory deploy keeps none: $LATEST says so, the version and the alias keep theirs.
    await reg.deploy(T, { name: 'src', config: cfg, code: await src('export const handler = () => 3;') });
    await assert.rejects(reg.getSource(T, 'src'), { code: 'NIMBUS_ERR_REGISTRY_NO_SOURCE', status: 404 });
    assert.deepEqual((await reg.getSource(T, 'src', v.version)).data, two.data);
    assert.deepEqual((await reg.getSource(T, 'src', 'live')).data, two.data);
    // Above the limit the archive is deployed but not kept.
    const big = zipFiles({
      'index.mjs': new TextEncoder().encode('export const handler = () => 4;'),
      'pad.bin': randomBytes(SOURCE_KEEP_MAX_BYTES),
    });
    const r4 = await reg.deploy(T, { name: 'src', config: cfg, code: { kind: 'zip', data: big } });
    assert.equal(r4.function.code.source, undefined);
    await reg.deleteFunction(T, 'src');
  });

  it('deletes a function with its versions and aliases', async () => {
    await reg.deleteFunction(T, 'v');
    await assert.rejects(reg.getFunction(T, 'v'), /not found/);
    await assert.rejects(reg.resolve(T, 'v', 'live'), /not found/);
    await assert.rejects(reg.deleteFunction(T, 'v'), /not found/);
  });
});
