/**
 * The editor's archive reader on tars made the way users make them (node-tar, as `tar -c`/`-cz`
 * would): plain and gzipped, `./` prefixes, folders and links left out, a path too long for the
 * ustar name field (a pax header), an archive inside a larger buffer, and a gzip that unpacks past
 * the limit (refused while unpacking, not after).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'fflate';
import * as tar from 'tar';
import { textOf, untarFiles, unzipFiles, zipFiles } from './zip.ts';

describe('untarFiles', () => {
  let dir: string;
  const long = `${'deep/'.repeat(25)}handler.mjs`;
  const make = async (gzip: boolean, cwdPrefix: string) => {
    const chunks: Buffer[] = [];
    const stream = tar.c({ cwd: dir, gzip, portable: true }, [
      `${cwdPrefix}index.mjs`,
      `${cwdPrefix}lib`,
      `${cwdPrefix}link.mjs`,
      `${cwdPrefix}deep`,
    ]);
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    return new Uint8Array(Buffer.concat(chunks));
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'untar-'));
    await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => 1;\n');
    await mkdir(join(dir, 'lib'));
    await writeFile(join(dir, 'lib', 'data.bin'), Buffer.from([0, 1, 2, 255]));
    await symlink('index.mjs', join(dir, 'link.mjs'));
    await mkdir(join(dir, long, '..'), { recursive: true });
    await writeFile(join(dir, long), '// deep\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const gzip of [false, true])
    for (const prefix of ['', './'])
      it(`reads a ${gzip ? 'gzipped ' : ''}tar${prefix ? ' with ./ paths' : ''}: files only`, async () => {
        const files = await untarFiles(await make(gzip, prefix));
        assert.deepEqual(Object.keys(files).sort(), [long, 'index.mjs', 'lib/data.bin'].sort());
        assert.equal(textOf(files['index.mjs']!), 'export const handler = async () => 1;\n');
        assert.deepEqual([...files['lib/data.bin']!], [0, 1, 2, 255]);
        assert.equal(textOf(files[long]!), '// deep\n');
      });

  it('reads an archive that is a window of a larger buffer', async () => {
    const t = await make(false, '');
    const big = new Uint8Array(t.length + 1000);
    big.set(t, 1000);
    assert.ok((await untarFiles(big.subarray(1000)))['index.mjs']);
  });

  it('refuses a gzip that unpacks past the limit, while unpacking', async () => {
    const bomb = gzipSync(new Uint8Array(8 * 1024 * 1024));
    assert.ok(bomb.length < 64 * 1024, 'a small download');
    await assert.rejects(untarFiles(bomb, 1024 * 1024), /more than 1 MiB/);
  });

  it('zips and unzips the same files (the editor deploys a zip)', () => {
    const files = { 'a.mjs': 'x', 'b/c.bin': new Uint8Array([0, 9]) };
    const back = unzipFiles(zipFiles(files));
    assert.equal(textOf(back['a.mjs']!), 'x');
    assert.deepEqual([...back['b/c.bin']!], [0, 9]);
  });
});
