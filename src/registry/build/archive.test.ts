/** Packaging as `serverless deploy` does it: globs, pattern order, dev dependencies, streamed zips. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { fixture } from '../../../test/helpers.ts';
import {
  devOnlyPackages,
  globMatch,
  listProjectFiles,
  packagePatterns,
  patternsSkipDir,
  selectFiles,
  zipDirectory,
  zipToFile,
} from './archive.ts';

const pkg = (deps: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'x', version: '1.0.0', dependencies: deps, ...extra });

describe('package globs (micromatch with dot: true, over path.matchesGlob)', () => {
  it('matches dotfiles with * and **, and literal dots as written', () => {
    for (const [file, glob] of [
      ['.env', '**'],
      ['.env', '*'],
      ['a/.hidden/x.js', 'a/**'],
      ['.env', '.env'],
      ['.env.local', '.env*'],
      ['a/.env', '**/.env'],
      ['src/a.ts', './src/**'],
      ['a.js', '{a,b}.js'],
      ['.npmrc', '{.env,.npmrc}'],
      ['lib/test_x.py', '**/test_*.py'],
      ['node_modules/a/b/c.js', 'node_modules/**'],
    ] as const)
      assert.equal(globMatch(file, glob), true, `${file} ~ ${glob}`);
    for (const [file, glob] of [
      ['src/a.ts', 'src'],
      ['a/b.js', '*.js'],
      ['xenv', '.env'],
      ['docs', 'docs/**/*.md'],
    ] as const)
      assert.equal(globMatch(file, glob), false, `${file} !~ ${glob}`);
  });

  it('applies patterns in order after the defaults: the last match decides, ! excludes', () => {
    const files = [
      '.env',
      '.git/config',
      '.gitignore',
      'data/drop.json',
      'data/keep.json',
      'docs/a.md',
      'handler.py',
      'serverless.yml',
      'yarn-error.log',
    ];
    const patterns = packagePatterns({
      exclude: ['serverless.yml'],
      include: ['!data/**', 'data/keep.json', '!docs/**', '!.env'],
    });
    assert.deepEqual(patterns.slice(0, 2), ['!.git/**', '!.gitignore']);
    assert.deepEqual(selectFiles(files, patterns), ['data/keep.json', 'handler.py']);
    // Legacy exclude/include: excludes first, includes re-add.
    assert.deepEqual(
      selectFiles(files, packagePatterns({ exclude: ['data/**', 'docs/**'], include: ['data/keep.json'] })),
      ['.env', 'data/keep.json', 'handler.py', 'serverless.yml'],
    );
    // A leading ! in exclude means "keep" (Serverless flips it).
    assert.deepEqual(selectFiles(['a', 'b'], packagePatterns({ exclude: ['*', '!a'] })), ['a']);
  });

  it('skips walking a folder only when no later include can reach into it', () => {
    const p = packagePatterns({ include: ['!node_modules/**', 'node_modules/keep/**'] });
    assert.equal(patternsSkipDir(p, 'node_modules'), false);
    assert.equal(patternsSkipDir(p, 'node_modules/keep'), false);
    assert.equal(patternsSkipDir(p, 'node_modules/other'), true);
    assert.equal(patternsSkipDir(p, 'node_modules/other/deep'), true);
    assert.equal(patternsSkipDir(p, 'src'), false);
    assert.equal(patternsSkipDir(packagePatterns({ include: ['!docs/**', '**/*.md'] }), 'docs'), false);
    assert.equal(patternsSkipDir(packagePatterns({}), '.git'), true);
  });
});

describe('dev dependencies', () => {
  it('leaves out packages only devDependencies reach, walking the graph as Node resolves', async () => {
    const dir = await fixture({
      'package.json': pkg({ app: '1' }, { devDependencies: { tool: '1', '@types/x': '1', shared: '1' } }),
      'tsconfig.json': '{ // comments allowed\n "extends": "@tsconfig/base/tsconfig.json" }',
      'node_modules/app/package.json': pkg({ shared: '1', nested: '1' }),
      'node_modules/app/node_modules/nested/package.json': pkg(),
      'node_modules/shared/package.json': pkg(),
      'node_modules/tool/package.json': pkg({ 'tool-dep': '1', nested: '2' }),
      'node_modules/tool/node_modules/nested/package.json': pkg(),
      'node_modules/tool-dep/package.json': pkg(),
      'node_modules/@types/x/package.json': pkg(),
      'node_modules/@tsconfig/base/package.json': pkg(),
      'node_modules/@tsconfig/base/tsconfig.json': '{}',
      'node_modules/leftover/package.json': pkg(),
    });
    // @tsconfig/base is not a dependency here, but the project's tsconfig extends it.
    assert.deepEqual([...(await devOnlyPackages(dir))].sort(), [
      'node_modules/@types/x',
      'node_modules/tool',
      'node_modules/tool-dep',
      'node_modules/tool/node_modules/nested',
    ]);
    const files = await listProjectFiles(dir);
    assert.deepEqual(files, [
      'node_modules/@tsconfig/base/package.json',
      'node_modules/@tsconfig/base/tsconfig.json',
      'node_modules/app/node_modules/nested/package.json',
      'node_modules/app/package.json',
      'node_modules/leftover/package.json',
      'node_modules/shared/package.json',
      'package.json',
      'tsconfig.json',
    ]);
    assert.equal((await listProjectFiles(dir, { excludeDevDependencies: false })).length, 12);
    // Without a package.json nothing is known to be dev-only.
    assert.equal((await devOnlyPackages(await fixture({ 'node_modules/a/package.json': pkg() }))).size, 0);
  });
});

describe('streamed zips', () => {
  it('writes a deterministic zip to a file, a large file streamed in chunks', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024 + 17);
    const dir = await fixture({ 'b.txt': 'bee', 'a/big.txt': big, 'a/empty': '' });
    const out = await mkdtemp(join(tmpdir(), 'nimbus-zip-'));
    const r1 = await zipToFile(dir, ['b.txt', 'a/big.txt', 'a/empty'], join(out, '1.zip'));
    const r2 = await zipToFile(dir, ['a/empty', 'b.txt', 'a/big.txt'], join(out, '2.zip'));
    const z1 = await readFile(join(out, '1.zip'));
    assert.equal(r1.bytes, z1.byteLength);
    assert.equal(r1.files, 3);
    assert.deepEqual(z1, await readFile(join(out, '2.zip')));
    assert.equal(r2.bytes, r1.bytes);
    const entries = unzipSync(z1);
    assert.deepEqual(Object.keys(entries), ['a/big.txt', 'a/empty', 'b.txt']);
    assert.equal(new TextDecoder().decode(entries['a/big.txt']), big);
    assert.equal(entries['a/empty']!.byteLength, 0);
  });

  it('zipDirectory leaves out tool folders and dev-only packages too', async () => {
    const dir = await fixture({
      'index.mjs': 'export const handler = () => 1;',
      'package.json': pkg({}, { devDependencies: { tool: '1' } }),
      'node_modules/tool/package.json': pkg(),
      'node_modules/.bin/tool': '#!/bin/sh',
      '.serverless/old.zip': 'x',
    });
    assert.deepEqual(Object.keys(unzipSync(await zipDirectory(dir))), ['index.mjs', 'package.json']);
  });
});
