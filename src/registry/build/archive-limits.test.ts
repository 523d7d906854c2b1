/**
 * Archive limits (issue 20): the unpacked size and the file count are bounded for zip and tar, by
 * the caller's limits and by the defaults (250 MB, 20,000 files), and a zip that under-declares
 * its sizes is still stopped at the limit. Links in archives are covered by
 * build-containment.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import * as tar from 'tar';
import { unpackTar, unpackZip } from './archive.ts';

const TOO_LARGE = 'NIMBUS_ERR_DEPLOY_ARCHIVE_TOO_LARGE';
const BAD = 'NIMBUS_ERR_DEPLOY_BAD_ARCHIVE';

let root: string;
let n = 0;
const dest = () => join(root, `out-${++n}`);
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'nimbus-archive-limits-'));
});
after(() => rm(root, { recursive: true, force: true }));

const refused = (code: string, message?: RegExp) => (e: Error & { code?: string }) => {
  assert.equal(e.code, code, `${e.code}: ${e.message}`);
  if (message) assert.match(e.message, message);
  return true;
};

/** `count` files of `size` zero bytes each (zeros compress to almost nothing: a small bomb). */
const files = (count: number, size = 10): Record<string, Uint8Array> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}.txt`, new Uint8Array(size)]));

/** Rewrites every declared uncompressed size (local and central headers) of a zip. */
function declareSize(zip: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(zip);
  const v = new DataView(out.buffer);
  for (let p = 0; p + 4 <= out.length; p++) {
    const sig = v.getUint32(p, true);
    if (sig === 0x04034b50) v.setUint32(p + 22, size, true);
    else if (sig === 0x02014b50) v.setUint32(p + 24, size, true);
  }
  return out;
}

async function tarOf(entries: Record<string, Uint8Array>): Promise<Uint8Array> {
  const dir = await mkdtemp(join(root, 'tar-src-'));
  for (const [name, data] of Object.entries(entries)) await writeFile(join(dir, name), data);
  const chunks: Buffer[] = [];
  const stream = tar.c({ cwd: dir, portable: true }, Object.keys(entries));
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}

describe('zip limits', () => {
  it('refuses more files than maxFiles, and takes exactly maxFiles', async () => {
    const zip = zipSync(files(5));
    await assert.rejects(unpackZip(zip, dest(), { maxFiles: 4 }), refused(BAD, /more than 4 files/));
    const d = dest();
    await unpackZip(zip, d, { maxFiles: 5 });
    assert.equal((await readdir(d)).length, 5);
  });

  it('refuses more unpacked bytes than maxUnpackedBytes (the unpacked size, not the zip size)', async () => {
    const zip = zipSync(files(4, 1000));
    assert.ok(zip.byteLength < 1000, 'compressed, the archive is far below the limit');
    await assert.rejects(unpackZip(zip, dest(), { maxUnpackedBytes: 3999 }), refused(TOO_LARGE));
    await unpackZip(zip, dest(), { maxUnpackedBytes: 4000 });
  });

  it('stops a zip that under-declares its sizes at the limit as it is written', async () => {
    const liar = declareSize(zipSync(files(4, 1000), { level: 0 }), 1);
    const d = dest();
    await assert.rejects(unpackZip(liar, d, { maxUnpackedBytes: 2500 }), (e: Error & { code?: string }) => {
      assert.ok(e.code === TOO_LARGE || e.code === BAD, `${e.code}: ${e.message}`);
      return true;
    });
  });

  it('has defaults: 20,000 files and 250 MB', async () => {
    await assert.rejects(unpackZip(zipSync(files(20_001, 0)), dest()), refused(BAD, /more than 20000 files/));
    await unpackZip(zipSync(files(2_000, 0)), dest());
    // A zip declaring 251 MB is refused before anything is inflated.
    const big = declareSize(zipSync(files(1, 10)), 251 * 1024 * 1024);
    await assert.rejects(unpackZip(big, dest()), refused(TOO_LARGE, new RegExp(`${250 * 1024 * 1024}`)));
  });
});

describe('tar limits', () => {
  it('refuses more files than maxFiles, and takes exactly maxFiles', async () => {
    const t = await tarOf(files(5));
    await assert.rejects(unpackTar(t, dest(), { maxFiles: 4 }), refused(BAD, /more than 4 files/));
    const d = dest();
    await unpackTar(t, d, { maxFiles: 5 });
    assert.equal((await readdir(d)).length, 5);
  });

  it('refuses more unpacked bytes than maxUnpackedBytes', async () => {
    const t = await tarOf(files(4, 1000));
    await assert.rejects(unpackTar(t, dest(), { maxUnpackedBytes: 3999 }), refused(TOO_LARGE));
    await unpackTar(t, dest(), { maxUnpackedBytes: 4000 });
  });

  it('has a default file-count limit of 20,000', async () => {
    const dir = await mkdtemp(join(root, 'many-'));
    await mkdir(join(dir, 'd'));
    const names: string[] = [];
    for (let i = 0; i <= 20_000; i++) names.push(`d/${i}`);
    for (let i = 0; i < names.length; i += 500)
      await Promise.all(names.slice(i, i + 500).map((f) => writeFile(join(dir, f), '')));
    const chunks: Buffer[] = [];
    for await (const c of tar.c({ cwd: dir, portable: true }, names) as AsyncIterable<Buffer>) chunks.push(c);
    await assert.rejects(
      unpackTar(new Uint8Array(Buffer.concat(chunks)), dest()),
      refused(BAD, /more than 20000 files/),
    );
  });
});
