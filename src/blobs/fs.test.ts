import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { describeBlobStoreContract } from './contract.ts';
import { createFsBlobStore } from './index.ts';

describeBlobStoreContract('fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-blobs-'));
  return { blobs: createFsBlobStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

it('fs blob store leaves no temp files behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-blobs-'));
  const b = createFsBlobStore(dir);
  const r = await b.put(new TextEncoder().encode('x'));
  const files = await readdir(join(dir, r.sha256.slice(0, 2)));
  assert.deepEqual(files, [r.sha256]);
  await rm(dir, { recursive: true, force: true });
});
