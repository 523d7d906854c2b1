import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { describeStoreContract } from '../store/contract.ts';
import { openStore } from '../store/index.ts';
import { withEncryptedEnvironment } from './index.ts';

// The decorator must be invisible to every Store user: the whole contract passes through it.
describeStoreContract('sqlite + encrypted environment', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-enc-'));
  const raw = await openStore({ url: 'sqlite', dataDir: dir });
  return {
    store: withEncryptedEnvironment(raw, randomBytes(32)),
    cleanup: async () => {
      await raw.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

it('stores function environment variables encrypted, never in clear', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-enc-'));
  const raw = await openStore({ url: 'sqlite', dataDir: dir });
  const store = withEncryptedEnvironment(raw, randomBytes(32));
  const config = {
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    memoryMb: 128,
    timeoutSec: 3,
    environment: { DB_PASSWORD: 'hunter2-very-secret' },
    description: '',
  };
  const code = {
    sha256: 'b'.repeat(64),
    size: 1,
    family: 'node' as const,
    entry: 'index.mjs',
    exportName: 'handler',
  };
  await store.functions.create({
    tenant: 't',
    name: 'f',
    config,
    code,
    revisionId: 'r',
    createdAt: 1,
    updatedAt: 1,
  });
  await store.versions.publish('t', 'f', { config, code, description: '', createdAt: 1 });
  assert.deepEqual((await store.functions.get('t', 'f'))?.config.environment, config.environment);
  assert.deepEqual((await store.versions.get('t', 'f', '1'))?.config.environment, config.environment);
  await raw.close();
  const db = new DatabaseSync(join(dir, 'nimbus.db'));
  const dump = JSON.stringify([
    db.prepare('SELECT * FROM functions').all(),
    db.prepare('SELECT * FROM versions').all(),
  ]);
  db.close();
  assert.ok(!dump.includes('hunter2'), 'plaintext secret found in the database');
  assert.ok(dump.includes('__nimbus_sealed_env'));
  await rm(dir, { recursive: true, force: true });
});

it('stores event source configs (broker URLs with passwords) encrypted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-enc-'));
  const raw = await openStore({ url: 'sqlite', dataDir: dir });
  const store = withEncryptedEnvironment(raw, randomBytes(32));
  const config = { url: 'amqp://app:p4ssw0rd-in-url@127.0.0.1:5672', queue: 'q' };
  await store.sources.create({
    tenant: 't',
    id: 's1',
    functionName: 'f',
    kind: 'rabbitmq',
    config,
    batchSize: 1,
    batchWindowMs: 0,
    maximumRetryAttempts: 0,
    concurrency: 1,
    enabled: true,
    origin: 'api',
    createdAt: 1,
  });
  assert.deepEqual((await store.sources.get('t', 's1'))?.config, config);
  await raw.close();
  const db = new DatabaseSync(join(dir, 'nimbus.db'));
  const dump = JSON.stringify(db.prepare('SELECT * FROM sources').all());
  db.close();
  assert.ok(!dump.includes('p4ssw0rd-in-url'));
  await rm(dir, { recursive: true, force: true });
});
