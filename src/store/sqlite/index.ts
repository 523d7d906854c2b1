/**
 * SQLite Store on Node's built-in `node:sqlite` (no native addon to build) through Kysely.
 * WAL journal; `synchronous` NORMAL by default (FULL selectable for stricter durability).
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import type { Store } from '../../core/ports.ts';
import type { InvocationLog, LogLine, UsageRecord } from '../../core/types.ts';
import { migrate } from '../migrations.ts';
import { makeStore } from '../repos.ts';
import { layoutSeqs, usageColumns, usageRow } from '../repos-logs.ts';
import type { Tables } from '../schema.ts';
import { startCheckpointer } from './checkpointer.ts';

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
}

export async function openSqliteStore(o: SqliteStoreOptions): Promise<Store> {
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const file = o.file ?? join(o.dataDir, 'nimbus.db');
  const raw = new DatabaseSync(file);
  if (file !== ':memory:') chmodSync(file, 0o600);
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec(`PRAGMA synchronous = ${o.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  raw.exec('PRAGMA busy_timeout = 5000');
  raw.exec('PRAGMA foreign_keys = ON');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: adapt(raw) }) });
  await migrate(db as Kysely<unknown>, 'sqlite');
  const checkpointer = startCheckpointer(raw, file);
  const store = makeStore('sqlite', db, async () => {
    await checkpointer.stop();
    await db.destroy();
  });
  const bulk = bulkWriters(raw);
  // Outside a query-builder transaction (which may span awaits on this one connection) the batch
  // runs synchronously, so nothing can interleave with its BEGIN…COMMIT.
  return {
    ...store,
    logs: {
      ...store.logs,
      append: (lines) => (raw.isTransaction ? store.logs.append(lines) : bulk.logs(lines)),
      appendInvocations: (batch) =>
        raw.isTransaction ? store.logs.appendInvocations(batch) : bulk.invocations(batch),
    },
    usage: {
      ...store.usage,
      recordMany: (us) => (raw.isTransaction ? store.usage.recordMany(us) : bulk.usage(us)),
    },
  };
}

/** The usage row's columns, in the order insertUsage binds them. */
const USAGE_COLUMNS = [
  'tenant',
  'request_id',
  'function_name',
  'version',
  'started_at',
  'duration_ms',
  'billed_duration_ms',
  'memory_mb',
  'max_rss_bytes',
  'gb_seconds',
  'init_duration_ms',
  'outcome',
  'instance_id',
  'status',
  'start_seq',
  'end_seq',
  'report_seq',
];
const NO_RECORD = { instance_id: null, status: null, start_seq: null, end_seq: null, report_seq: null };

/**
 * Invocation records (usage row + the function's lines, seqs reserved around them) as prepared
 * single-row statements, the seq block taken from (and moved past in) sqlite_sequence as the
 * query-builder path does (../repos-logs.ts). The caller runs it inside BEGIN…COMMIT.
 */
function invocationWriter(
  raw: DatabaseSync,
  insertLine: (l: LogLine, seq: number | null) => void,
  insertUsage: (row: ReturnType<typeof usageRow>) => void,
) {
  const seqNow = raw.prepare("select seq from sqlite_sequence where name = 'log_lines'");
  const maxSeq = raw.prepare('select max(seq) as m from log_lines');
  const seqSet = raw.prepare("update sqlite_sequence set seq = ? where name = 'log_lines'");
  const seqNew = raw.prepare("insert into sqlite_sequence (name, seq) values ('log_lines', ?)");
  return (batch: readonly InvocationLog[]): void => {
    let n = 0;
    for (const inv of batch) n += inv.lines.length + 3;
    const cur = seqNow.get() as { seq: number } | undefined;
    const first = Math.max(Number(cur?.seq ?? 0), Number((maxSeq.get() as { m: number | null }).m ?? 0)) + 1;
    if (cur) seqSet.run(first + n - 1);
    else seqNew.run(first + n - 1);
    const seqs = layoutSeqs(batch, (i) => first + i);
    for (let i = 0; i < batch.length; i++) {
      const inv = batch[i]!;
      const sq = seqs[i]!;
      for (let j = 0; j < inv.lines.length; j++) {
        insertLine(inv.lines[j]!, sq.lines[j]!);
      }
      insertUsage(usageRow(inv, sq));
    }
  };
}

/**
 * The append-only hot paths (invocation records, log lines, usage records) as prepared
 * single-row statements in one BEGIN…COMMIT: ~18 µs a row here instead of ~64 µs through the
 * query builder's multi-row INSERT (bench: .scratch measurements noted in docs/PERFORMANCE.md).
 */
function bulkWriters(raw: DatabaseSync) {
  // A null seq takes the next AUTOINCREMENT value; invocation records bring their reserved ones.
  const logStmt = raw.prepare(
    'insert into log_lines (seq, tenant, function_name, version, request_id, ts, stream, message, instance_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertLine = (l: LogLine, seq: number | null) => {
    logStmt.run(
      seq,
      l.tenant,
      l.functionName,
      l.version,
      l.requestId,
      l.ts,
      l.stream,
      l.message,
      l.instanceId,
    );
  };
  const usageStmt = raw.prepare(
    // A retried async invocation keeps its request id: its later attempts are not recorded yet
    // (the key is (tenant, request id); issue 17), and must not fail the batch.
    `insert into usage (${USAGE_COLUMNS.join(', ')}) values (${USAGE_COLUMNS.map(() => '?').join(', ')}) on conflict (tenant, request_id) do nothing`,
  );
  // Positional: binding the row object by name took 6.6 % of the platform under load (vs ~4 %).
  const insertUsage = (r: ReturnType<typeof usageRow>) => {
    usageStmt.run(
      r.tenant,
      r.request_id,
      r.function_name,
      r.version,
      r.started_at,
      r.duration_ms,
      r.billed_duration_ms,
      r.memory_mb,
      r.max_rss_bytes,
      r.gb_seconds,
      r.init_duration_ms,
      r.outcome,
      r.instance_id,
      r.status,
      r.start_seq,
      r.end_seq,
      r.report_seq,
    );
  };
  /** Runs `fn` in one BEGIN…COMMIT (rolled back if it throws). */
  const tx = (fn: () => void): Promise<void> => {
    try {
      raw.exec('BEGIN');
      try {
        fn();
        raw.exec('COMMIT');
      } catch (e) {
        raw.exec('ROLLBACK');
        throw e;
      }
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  };
  const batch = <T>(items: readonly T[], row: (item: T) => void): Promise<void> =>
    items.length === 0
      ? Promise.resolve()
      : tx(() => {
          for (const item of items) row(item);
        });
  const invocations = invocationWriter(raw, insertLine, insertUsage);
  return {
    invocations: (b: readonly InvocationLog[]) =>
      b.length === 0 ? Promise.resolve() : tx(() => invocations(b)),
    logs: (lines: readonly LogLine[]) => batch(lines, (l) => insertLine(l, null)),
    usage: (us: readonly UsageRecord[]) =>
      batch(us, (u) => insertUsage({ ...usageColumns(u), ...NO_RECORD })),
  };
}
