import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { describeStoreContract } from './contract.ts';
import { describeBucketNamespaceMigration } from './contract-migrations.ts';
import { openStore } from './index.ts';

describeStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-store-'));
  const store = await openStore({ url: 'sqlite', dataDir: dir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

it('sqlite store persists across reopen, uses WAL and a 0600 file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-store-'));
  const s1 = await openStore({ url: 'sqlite', dataDir: dir, sqliteSynchronous: 'FULL' });
  await s1.logs.append([
    {
      tenant: 't',
      functionName: 'f',
      version: '1',
      requestId: 'r',
      ts: 1,
      stream: 'stdout',
      message: 'm',
      instanceId: 'i',
    },
  ]);
  await s1.close();
  const s2 = await openStore({ url: 'sqlite', dataDir: dir });
  assert.equal((await s2.logs.query({ tenant: 't' })).length, 1);
  await s2.close();
  const raw = new DatabaseSync(join(dir, 'nimbus.db'));
  assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
  raw.close();
  assert.equal((await stat(join(dir, 'nimbus.db'))).mode & 0o777, 0o600);
  await rm(dir, { recursive: true, force: true });
});

describeBucketNamespaceMigration('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-store-'));
  return {
    open: () => openStore({ url: 'sqlite', dataDir: dir }),
    forget: async () => {
      const raw = new DatabaseSync(join(dir, 'nimbus.db'));
      raw.prepare(`DELETE FROM kysely_migration WHERE name >= '0012_bucket_namespaces'`).run();
      raw.close();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
