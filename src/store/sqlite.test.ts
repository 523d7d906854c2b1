import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { describeStoreContract } from './contract.ts';
import { describeClusterContract } from './contract-cluster.ts';
import { describeBucketNamespaceMigration } from './contract-migrations.ts';
import { openStore } from './index.ts';
import { attachRecords, startRecordWriter } from './sqlite/records.ts';

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
  // Invocation records live in their own file (sqlite/records.ts), also WAL and 0600.
  const rec = new DatabaseSync(join(dir, 'nimbus-records.db'));
  assert.equal((rec.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
  assert.equal((rec.prepare('SELECT count(*) AS n FROM log_lines').get() as { n: number }).n, 1);
  rec.close();
  assert.equal((await stat(join(dir, 'nimbus-records.db'))).mode & 0o777, 0o600);
  await rm(dir, { recursive: true, force: true });
});

it('migration 0018 moves log lines, usage rows and the log seq counter out of nimbus.db into the records file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-store-'));
  const line = (requestId: string, message: string) => ({
    tenant: 't',
    functionName: 'f',
    version: '1',
    requestId,
    ts: 1,
    stream: 'stdout' as const,
    message,
    instanceId: 'i',
  });
  const s1 = await openStore({ url: 'sqlite', dataDir: dir });
  await s1.logs.append([line('r1', 'one'), line('r2', 'two')]);
  await s1.usage.recordMany([
    {
      tenant: 't',
      requestId: 'r1',
      functionName: 'f',
      version: '1',
      startedAt: 1,
      durationMs: 2,
      billedDurationMs: 2,
      memoryMb: 128,
      maxRssBytes: 1,
      gbSeconds: 0.00025,
      outcome: 'success',
    },
  ]);
  await s1.close();
  // Put the store back in the layout before 0018: the tables (with their rows and a log counter
  // ahead of the rows, as reserved seqs leave it) in nimbus.db, the records file gone.
  const raw = new DatabaseSync(join(dir, 'nimbus.db'));
  raw.exec(`ATTACH DATABASE '${join(dir, 'nimbus-records.db')}' AS rec`);
  for (const t of ['log_lines', 'usage']) {
    const objs = raw
      .prepare(
        `SELECT type, sql FROM rec.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type = 'table' DESC`,
      )
      .all(t) as { sql: string }[];
    for (const o of objs) raw.exec(o.sql);
    raw.exec(`INSERT INTO main.${t} SELECT * FROM rec.${t}`);
  }
  raw.exec(`UPDATE main.sqlite_sequence SET seq = 40 WHERE name = 'log_lines'`);
  // 0018 and every later migration run again (Kysely runs them in order; each is idempotent).
  raw.exec(`DELETE FROM kysely_migration WHERE name >= '0018'`);
  raw.exec('DETACH DATABASE rec');
  raw.close();
  await rm(join(dir, 'nimbus-records.db'));
  const s2 = await openStore({ url: 'sqlite', dataDir: dir });
  assert.deepEqual(
    (await s2.logs.query({ tenant: 't' })).map((l) => l.message),
    ['one', 'two'],
  );
  assert.equal((await s2.usage.list({ tenant: 't' })).length, 1);
  await s2.logs.append([line('r3', 'three')]);
  const seqs = (await s2.logs.query({ tenant: 't' })).map((l) => l.seq);
  assert.ok(seqs[2]! > 40, `the moved counter is kept: ${seqs.join(',')}`);
  await s2.close();
  const main = new DatabaseSync(join(dir, 'nimbus.db'));
  assert.equal(
    main.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name IN ('log_lines', 'usage')`).get()?.n,
    0,
  );
  main.close();
  await rm(dir, { recursive: true, force: true });
});

// Two stores on one file: two connections, as two processes would have.
describeClusterContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-store-'));
  return {
    open: () => openStore({ url: 'sqlite', dataDir: dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
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

it('a record writer whose thread dies reports it, fails what it held, and writes through the store connection after', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-store-'));
  await (await openStore({ url: 'sqlite', dataDir: dir })).close();
  const raw = new DatabaseSync(join(dir, 'nimbus.db'));
  attachRecords(raw, join(dir, 'nimbus-records.db'));
  const errors: Error[] = [];
  // The thread cannot open its file (a directory): it dies at start.
  const w = startRecordWriter({ raw, file: dir, synchronous: 'NORMAL', onError: (e) => errors.push(e) });
  const line = {
    tenant: 't',
    functionName: 'f',
    version: '1',
    requestId: 'r',
    ts: 1,
    stream: 'stdout' as const,
    message: 'm',
    instanceId: 'i',
  };
  await w.logs([line]).catch(() => {});
  for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(errors.length, 1);
  await w.logs([line, line]);
  const n = (raw.prepare('SELECT count(*) AS n FROM rec.log_lines').get() as { n: number }).n;
  assert.ok(n >= 2, `the fallback wrote the later batch (${n} rows)`);
  await w.close();
  raw.close();
  await rm(dir, { recursive: true, force: true });
});
