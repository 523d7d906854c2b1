/** Contract suite every BlobStore adapter must pass. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { BlobStore } from '../core/ports.ts';

export function describeBlobStoreContract(
  name: string,
  make: () => Promise<{ blobs: BlobStore; cleanup: () => Promise<void> }>,
): void {
  describe(`BlobStore contract: ${name}`, () => {
    let blobs: BlobStore;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ blobs, cleanup } = await make());
    });
    after(() => cleanup());

    it('stores by sha256 and reads back the same bytes', async () => {
      const data = new TextEncoder().encode('hello blobs');
      const r = await blobs.put(data);
      assert.equal(r.sha256, createHash('sha256').update(data).digest('hex'));
      assert.equal(r.size, data.byteLength);
      assert.deepEqual(await blobs.get(r.sha256), data);
      assert.equal(await blobs.has(r.sha256), true);
    });
    it('is idempotent for the same content', async () => {
      const data = new Uint8Array([1, 2, 3]);
      const a = await blobs.put(data);
      const b = await blobs.put(data);
      assert.equal(a.sha256, b.sha256);
    });
    it('handles empty and large blobs', async () => {
      const empty = await blobs.put(new Uint8Array());
      assert.equal((await blobs.get(empty.sha256)).byteLength, 0);
      const big = new Uint8Array(5 * 1024 * 1024).fill(7);
      const r = await blobs.put(big);
      assert.equal((await blobs.get(r.sha256)).byteLength, big.byteLength);
    });
    it('reports missing blobs with a coded 404 and deletes', async () => {
      const r = await blobs.put(new TextEncoder().encode('to delete'));
      await blobs.delete(r.sha256);
      assert.equal(await blobs.has(r.sha256), false);
      await assert.rejects(
        blobs.get(r.sha256),
        (e: Error & { code: string }) => e.code === 'NIMBUS_ERR_CORE_NOT_FOUND',
      );
      await blobs.delete(r.sha256);
    });
    it('rejects ids that are not sha256 digests (no path traversal)', async () => {
      await assert.rejects(blobs.get('../../etc/passwd'), /sha256/);
      await assert.rejects(blobs.get('A'.repeat(64)), /sha256/);
    });
  });
}
