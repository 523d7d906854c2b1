import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import * as tar from 'tar';
import { fixture } from '../../../test/helpers.ts';
import { buildArtifact, unpackArtifact, zipDirectory, zipFiles } from './index.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const node = { runtime: 'nodejs24.x', handler: 'index.handler' };

describe('artifact build', () => {
  it('bundles an ESM handler into one deterministic index.mjs', async () => {
    const dir = await fixture({
      'index.mjs': 'import { helper } from "./lib.mjs"; export const handler = async () => helper();',
      'lib.mjs': 'export const helper = () => 42;',
    });
    const a = await buildArtifact({ kind: 'dir', path: dir }, node);
    const b = await buildArtifact({ kind: 'dir', path: dir }, node);
    assert.deepEqual(a.zip, b.zip);
    assert.deepEqual(Object.keys(unzipSync(a.zip)), ['index.mjs']);
    assert.equal(a.entry, 'index.mjs');
    assert.equal(a.exportName, 'handler');
    assert.equal(a.family, 'node');
    console.log(`build of a 2-file handler: ${a.buildMs.toFixed(1)} ms`);
  });

  it('accepts CommonJS handlers, TypeScript, zips and tar.gz archives', async () => {
    const cjs = await buildArtifact(
      { kind: 'zip', data: zipFiles({ 'index.js': enc('exports.handler = async () => "cjs";') }) },
      node,
    );
    assert.match(new TextDecoder().decode(unzipSync(cjs.zip)['index.mjs']), /cjs/);
    const tsDir = await fixture({
      'src/app.ts': 'export const main = async (e: { n: number }): Promise<number> => e.n;',
    });
    const ts = await buildArtifact(
      { kind: 'dir', path: tsDir },
      { runtime: 'nodejs22.x', handler: 'src/app.main' },
    );
    assert.equal(ts.exportName, 'main');
    const tgz = join(await mkdtemp(join(tmpdir(), 'nimbus-tgz-')), 'code.tgz');
    await tar.c({ gzip: true, file: tgz, cwd: tsDir }, ['src']);
    const fromTar = await buildArtifact(
      { kind: 'tar', data: await readFile(tgz) },
      { runtime: 'nodejs24.x', handler: 'src/app.main' },
    );
    assert.equal(fromTar.entry, 'index.mjs');
  });

  it('rejects broken code with file:line, missing handlers with the files tried, and unsafe archives', async () => {
    const broken = await fixture({ 'index.mjs': 'export const handler = async () => {\n  return (;\n};\n' });
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: broken }, node),
      (e: Error & { code: string }) => {
        assert.equal(e.code, 'NIMBUS_ERR_DEPLOY_BUILD_FAILED');
        assert.match(e.message, /index\.mjs:2:/);
        return true;
      },
    );
    const unresolved = await fixture({
      'index.mjs': 'import x from "not-installed-pkg"; export const handler = () => x;',
    });
    await assert.rejects(buildArtifact({ kind: 'dir', path: unresolved }, node), /not-installed-pkg/);
    const empty = await fixture({ 'other.js': '' });
    await assert.rejects(buildArtifact({ kind: 'dir', path: empty }, node), /index\.ts, index\.mts/);
    const slip = zipSync({ '../evil.js': enc('x'), 'index.js': enc('exports.handler=()=>1') });
    await assert.rejects(buildArtifact({ kind: 'zip', data: slip }, node), /outside the code root/);
    await assert.rejects(buildArtifact({ kind: 'zip', data: enc('not a zip') }, node), /not a valid zip/);
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: broken }, { runtime: 'dotnet8', handler: 'a.b' }),
      (e: Error & { code: string; hint?: string }) =>
        e.code === 'NIMBUS_ERR_RUNTIME_UNSUPPORTED_RUNTIME' && /not installed in Nimbus/.test(e.hint ?? ''),
    );
  });

  it('keeps Python code as a tree and resolves dotted module handlers', async () => {
    const dir = await fixture({ 'pkg/mod.py': 'def run(e, c):\n  return 1\n', 'pkg/__init__.py': '' });
    const a = await buildArtifact(
      { kind: 'dir', path: dir },
      { runtime: 'python3.12', handler: 'pkg.mod.run' },
    );
    assert.equal(a.entry, 'pkg/mod.py');
    assert.deepEqual(Object.keys(unzipSync(a.zip)).sort(), ['pkg/__init__.py', 'pkg/mod.py']);
    const out = await mkdtemp(join(tmpdir(), 'nimbus-unpack-'));
    await unpackArtifact(a.zip, out);
    assert.match(await readFile(join(out, 'pkg/mod.py'), 'utf8'), /def run/);
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: dir }, { runtime: 'python3.12', handler: 'missing.run' }),
      /missing\.py/,
    );
  });

  it('zips a project directory without junk', async () => {
    const dir = await fixture({
      'index.mjs': 'x',
      '.git/HEAD': 'ref',
      '.nimbus/db': 'x',
      'sub/__pycache__/a.pyc': 'x',
    });
    assert.deepEqual(Object.keys(unzipSync(await zipDirectory(dir))), ['index.mjs']);
  });
});
