/**
 * SQLite Store on Node's built-in `node:sqlite` (no native addon to build) through Kysely.
 * WAL journal; `synchronous` NORMAL by default (FULL selectable for stricter durability).
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import type { Store } from '../../core/ports.ts';
import { migrate } from '../migrations.ts';
import { makeStore } from '../repos.ts';
import type { Tables } from '../schema.ts';
import { startCheckpointer } from './checkpointer.ts';
import { attachRecords, recordsFileFor, startRecordWriter } from './records.ts';

type Param = null | number | bigint | string | Uint8Array;

/** Adapts node:sqlite to the better-sqlite3-shaped interface Kysely's SqliteDialect expects. */
function adapt(db: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, { stmt: StatementSync; reader: boolean }>();
  return {
    close: () => db.close(),
    prepare(sqlText: string): SqliteStatement {
      let c = cache.get(sqlText);
      if (!c) {
        const stmt = db.prepare(sqlText);
        c = { stmt, reader: stmt.columns().length > 0 };
        if (cache.size > 500) cache.clear();
        cache.set(sqlText, c);
      }
      const { stmt, reader } = c;
      return {
        reader,
        all: (p) => stmt.all(...(p as Param[])),
        run: (p) => stmt.run(...(p as Param[])),
        iterate: (p) => stmt.iterate(...(p as Param[])) as IterableIterator<unknown>,
      };
    },
  };
}

export interface SqliteStoreOptions {
  readonly dataDir: string;
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** Defaults to `<dataDir>/nimbus.db`; `:memory:` for throwaway stores. */
  readonly file?: string;
  /** The record writer's thread failed (records then go through the store's own connection). */
  readonly onError?: (e: Error) => void;
}

export async function openSqliteStore(o: SqliteStoreOptions): Promise<Store> {
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const file = o.file ?? join(o.dataDir, 'nimbus.db');
  const raw = new DatabaseSync(file);
  if (file !== ':memory:') chmodSync(file, 0o600);
  const sync = o.synchronous === 'FULL' ? 'FULL' : 'NORMAL';
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec(`PRAGMA synchronous = ${sync}`);
  raw.exec('PRAGMA busy_timeout = 5000');
  raw.exec('PRAGMA foreign_keys = ON');
  const recordsFile = recordsFileFor(file);
  attachRecords(raw, recordsFile);
  raw.exec(`PRAGMA rec.synchronous = ${sync}`);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: adapt(raw) }) });
  await migrate(db as Kysely<unknown>, 'sqlite');
  const checkpointer = startCheckpointer(raw, file);
  const records = startRecordWriter({ raw, file: recordsFile, synchronous: sync, onError: o.onError });
  const store = makeStore('sqlite', db, async () => {
    await records.close();
    await checkpointer.stop();
    await db.destroy();
  });
  // The append-only hot paths go to the record writer (records.ts), never through this
  // connection's transactions.
  return {
    ...store,
    logs: {
      ...store.logs,
      append: records.logs,
      appendInvocations: records.invocations,
      prune: records.prune,
      tenants: records.tenants,
      bytes: records.bytes,
    },
    usage: { ...store.usage, recordMany: records.usage },
  };
}
