/**
 * V8 compile cache on real sandboxed instances: the first instance of a large bundle produces the
 * cache, the next ones get it read-only beside their code and still run; small bundles skip it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import type { InstanceSpec, SandboxFactory } from '../../core/ports.ts';
import { createProcessSandboxFactory } from '../index.ts';
import { CompileCaches, MIN_ENTRY_BYTES } from './compile-cache.ts';

let factory: SandboxFactory;
let workDir: string;
before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'nimbus-cc-'));
  factory = createProcessSandboxFactory({ poolSize: 1, hiddenPaths: [], clock: systemClock, workDir });
  await factory.warmup();
});
after(async () => {
  await factory.close();
  await rm(workDir, { recursive: true, force: true });
});

async function spec(name: string, body: string): Promise<InstanceSpec> {
  const codeDir = await mkdtemp(join(tmpdir(), 'nimbus-cc-code-'));
  await writeFile(join(codeDir, 'index.mjs'), body);
  return {
    tenant: 'default',
    functionName: name,
    version: '$LATEST',
    family: 'node',
    codeDir,
    entry: 'index.mjs',
    exportName: 'handler',
    config: {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      memoryMb: 256,
      timeoutSec: 5,
      environment: {},
      description: '',
    },
    functionArn: `arn:aws:lambda:local-1:000000000000:function:${name}`,
    region: 'local-1',
  };
}

/** The cache directory name of one function's code (tenant, name, code dir), as compile-cache.ts keys it. */
const cacheKey = (s: InstanceSpec) =>
  createHash('sha256').update(`${s.tenant}\0${s.functionName}\0${s.codeDir}`).digest('hex').slice(0, 32);
let bigKey: string | undefined;

const invoke = (id: string) => ({
  id,
  tenant: 'default',
  functionName: 'x',
  version: '$LATEST',
  payload: '{}',
  deadline: Date.now() + 5000,
});

it('a large bundle: the first instance produces the cache, later ones read it', async () => {
  let body = 'export const handler = async () => ({ sum: f0(1) + f1(2) });\n';
  for (let i = 0; body.length < MIN_ENTRY_BYTES * 2; i++)
    body += `export function f${i}(a) { return a * ${i} + ${i % 7}; }\n`;
  const s = await spec('big', body);
  const first = await factory.create(s);
  const r1 = await first.invoke(invoke('r1') as never);
  assert.ok(r1.ok, JSON.stringify(r1));
  const cacheRoot = join(workDir, 'v8cache');
  // Saved in the background after `ready`: wait for a complete (renamed into place) cache.
  const complete = async () =>
    existsSync(cacheRoot)
      ? (await readdir(cacheRoot)).find(
          // Not the temporary directory being filled (it gets `.complete` just before the rename).
          (k) => !k.endsWith('.tmp') && existsSync(join(cacheRoot, k, '.complete')),
        )
      : undefined;
  let key = await complete();
  for (let i = 0; i < 250 && !key; i++) {
    await new Promise((r) => setTimeout(r, 20));
    key = await complete();
  }
  assert.ok(key, 'cache saved');
  assert.equal(key, cacheKey(s), "the cache saved is the big function's");
  bigKey = key;
  const files = await readdir(join(cacheRoot, key), { recursive: true });
  assert.ok(files.length > 1, `cache files: ${files.join(', ')}`);
  const second = await factory.create(s);
  const r2 = await second.invoke(invoke('r2') as never);
  assert.ok(r2.ok, JSON.stringify(r2));
  assert.equal(r2.ok && r2.payload, JSON.stringify({ sum: 3 }));
  // Not asserted (timing): what the cache saved on this machine.
  console.log(
    `init ${first.initDurationMs.toFixed(1)} ms producing, ${second.initDurationMs.toFixed(1)} ms with cache`,
  );
  await first.dispose();
  await second.dispose();
});

it('a small bundle gets no cache', async () => {
  const s = await spec('small', 'export const handler = async () => 1;');
  // The decision itself (no race with a background save): no plan for a small entry.
  assert.equal(await new CompileCaches(join(workDir, 'plan-root')).plan(s, join(workDir, 'slot')), undefined);
  const sb = await factory.create(s);
  assert.ok((await sb.invoke(invoke('r3') as never)).ok);
  await sb.dispose();
  const root = join(workDir, 'v8cache');
  const keys = existsSync(root) ? await readdir(root) : [];
  assert.ok(!keys.includes(cacheKey(s)), `the small function got a cache: ${keys.join(', ')}`);
  // Whatever else is there is the big function's cache from the test above, nothing more.
  assert.deepEqual(
    keys.filter((k) => k !== bigKey),
    [],
    'only the big function has a cache',
  );
});
