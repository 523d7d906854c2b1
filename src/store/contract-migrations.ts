/** Migration cases of the Store contract (run against SQLite and PostgreSQL). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Store } from '../core/ports.ts';

const T = 'default';

/**
 * Migration 0012 (per-tenant bucket names): rows another tenant made while bucket names were
 * global are renamed to `<tenant>~<name>`; the default tenant's stay as they are. `forget` drops
 * the migration's record (store closed), so the next `open` runs it again over the rows written.
 */
export function describeBucketNamespaceMigration(
  name: string,
  setup: () => Promise<{
    open: () => Promise<Store>;
    /** Deletes the rows of 0012 and later migrations from kysely_migration (store closed; later ones are idempotent). */
    forget: () => Promise<void>;
    cleanup: () => Promise<void>;
  }>,
): void {
  it(`migration 0012 moves other tenants' buckets into their namespace (${name})`, async () => {
    const h = await setup();
    try {
      let s = await h.open();
      const obj = (bucket: string) => ({
        bucket,
        key: 'k',
        size: 1,
        etag: 'e',
        contentType: 'text/plain',
        metadata: {},
        sha256: `sha-${bucket}`,
        lastModified: 1,
      });
      const note = (bucket: string) => ({
        bucket,
        id: 'n1',
        functionName: 'thumb',
        events: ['s3:ObjectCreated:*'],
        prefix: undefined,
        suffix: undefined,
        origin: 'api' as const,
      });
      for (const [tenant, b] of [
        ['alpha', 'photos'],
        [T, 'docs'],
      ] as const) {
        await s.objects.createBucket({ tenant, name: b, createdAt: 1 });
        await s.objects.putObject(obj(b));
        await s.objects.putNotifications(b, undefined, [note(b)]);
        await s.objects.createUpload({
          uploadId: `u-${b}`,
          bucket: b,
          key: 'big',
          contentType: 'x',
          metadata: {},
          createdAt: 1,
        });
      }
      await s.close();
      await h.forget();
      s = await h.open();
      try {
        assert.equal(await s.objects.getBucket('photos'), undefined);
        assert.deepEqual(await s.objects.getBucket('alpha~photos'), {
          tenant: 'alpha',
          name: 'alpha~photos',
          createdAt: 1,
        });
        assert.equal((await s.objects.getObject('alpha~photos', 'k'))?.sha256, 'sha-photos');
        assert.deepEqual(await s.objects.listNotifications('alpha~photos'), [note('alpha~photos')]);
        assert.equal((await s.objects.getUpload('u-photos'))?.bucket, 'alpha~photos');
        // The default tenant's rows are untouched.
        assert.deepEqual(await s.objects.getBucket('docs'), { tenant: T, name: 'docs', createdAt: 1 });
        assert.equal((await s.objects.getObject('docs', 'k'))?.sha256, 'sha-docs');
        assert.deepEqual(await s.objects.listNotifications('docs'), [note('docs')]);
        assert.equal((await s.objects.getUpload('u-docs'))?.bucket, 'docs');
      } finally {
        await s.close();
      }
      // Running it again changes nothing (renamed names hold a `~`).
      await h.forget();
      s = await h.open();
      assert.ok(await s.objects.getBucket('alpha~photos'));
      assert.ok(await s.objects.getBucket('docs'));
      await s.close();
    } finally {
      await h.cleanup();
    }
  });
}
