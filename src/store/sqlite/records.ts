/**
 * Invocation records (usage rows + function log lines) live in a database file of their own,
 * attached to the store's connection as `rec` for reads, and written by a worker thread that
 * opens that file alone. The hot write path thus costs the event loop one postMessage per batch
 * instead of the inserts themselves (6–7 % of the platform's CPU under HTTP load, issue 16), and
 * never contends with the store's own transactions: SQLite locks per file, and two writers of
 * one file would make the store's read-then-write transactions fail with SQLITE_BUSY_SNAPSHOT.
 * The queue keeps its own file for the same reason. A `:memory:` store attaches a memory
 * database and writes it in-process.
 */
import { chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { LogPrune } from '../../core/ports.ts';
import type { InvocationLog, LogLine, UsageRecord } from '../../core/types.ts';
import { bulkWriters } from './bulk.ts';
import { pruneOp, retentionReads } from './prune.ts';
import type { RecordOp, RecordReply, RecordRequest } from './record-worker.ts';

export interface RecordWriter {
  invocations(batch: readonly InvocationLog[]): Promise<void>;
  logs(lines: readonly LogLine[]): Promise<void>;
  usage(rows: readonly UsageRecord[]): Promise<void>;
  /** Log retention (sqlite/prune.ts), on the writer's connection: rows deleted. */
  prune(p: LogPrune): Promise<number>;
  /** The retention sweeper's reads, on the writer's connection too (full scans). */
  tenants(): Promise<string[]>;
  bytes(tenant: string): Promise<number>;
  close(): Promise<void>;
}

/** `<dir>/nimbus-records.db` beside `<dir>/nimbus.db`; `:memory:` stays in memory. */
export function recordsFileFor(file: string): string {
  if (file === ':memory:') return file;
  return join(dirname(file), `${basename(file).replace(/\.db$/, '')}-records.db`);
}

/** Attaches the records file as `rec` (created 0600 on first use). Call before migrating. */
export function attachRecords(raw: DatabaseSync, file: string): void {
  raw.exec(`ATTACH DATABASE '${file.replaceAll("'", "''")}' AS rec`);
  if (file !== ':memory:') {
    // Switching to WAL writes the file's header, so the file exists from here on.
    raw.exec('PRAGMA rec.journal_mode = WAL');
    chmodSync(file, 0o600);
  }
}

/** In-process writer on the store's own connection (`:memory:` stores, and the fallback). */
function inProcess(raw: DatabaseSync): RecordWriter {
  const b = bulkWriters(raw, 'rec');
  const prune = pruneOp(raw, 'rec');
  const reads = retentionReads(raw, 'rec');
  return {
    invocations: b.invocations,
    logs: b.logs,
    usage: b.usage,
    prune: async (p) => prune(p),
    tenants: async () => reads.tenants(),
    bytes: async (t) => reads.bytes(t),
    close: async () => {},
  };
}

export function startRecordWriter(o: {
  raw: DatabaseSync;
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  onError?: (e: Error) => void;
}): RecordWriter {
  if (o.file === ':memory:') return inProcess(o.raw);
  const pending = new Map<
    number,
    { resolve: (v?: RecordReply['value']) => void; reject: (e: Error) => void }
  >();
  let seq = 0;
  let fallback: RecordWriter | undefined;
  let closed: Promise<void> | undefined;
  const worker = new Worker(new URL('./record-worker.ts', import.meta.url), {
    workerData: { file: o.file, synchronous: o.synchronous },
  });
  // Held only while a batch is in flight: an idle writer never keeps the process alive.
  worker.unref();
  const settle = (id: number, error?: Error, value?: RecordReply['value']) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    if (error) p.reject(error);
    else p.resolve(value);
  };
  worker.on('message', (m: RecordReply) =>
    settle(m.id, m.error === undefined ? undefined : new Error(m.error), m.value),
  );
  // A writer thread that dies fails what it held and hands over to the store's own connection.
  let dead: Error | undefined;
  const down = (e: Error) => {
    if (!dead) {
      dead = e;
      if (!closed) {
        try {
          fallback = inProcess(o.raw);
        } catch {}
        o.onError?.(e);
      }
    }
    for (const id of [...pending.keys()]) settle(id, e);
  };
  worker.on('error', down);
  worker.on('exit', (code) => down(new Error(`record writer exited (code ${code})`)));
  const send = (
    op: Exclude<RecordOp, 'prune' | 'tenants' | 'bytes'> | 'close',
    batch?: readonly unknown[],
  ): Promise<void> => {
    if (dead && op === 'close') return Promise.resolve();
    if (dead) return fallback ? fallback[op](batch as never) : Promise.reject(dead);
    return post(op, batch).then(() => undefined);
  };
  const post = (op: RecordOp | 'close', batch?: readonly unknown[]): Promise<RecordReply['value']> => {
    const id = ++seq;
    return new Promise<RecordReply['value']>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, op, batch } satisfies RecordRequest);
    });
  };
  return {
    invocations: (b) => (b.length === 0 ? Promise.resolve() : send('invocations', b)),
    logs: (l) => (l.length === 0 ? Promise.resolve() : send('logs', l)),
    usage: (u) => (u.length === 0 ? Promise.resolve() : send('usage', u)),
    prune: (p) => {
      if (dead) return fallback ? fallback.prune(p) : Promise.reject(dead);
      return post('prune', [p]).then((n) => Number(n ?? 0));
    },
    tenants: () => {
      if (dead) return fallback ? fallback.tenants() : Promise.reject(dead);
      return post('tenants').then((v) => (Array.isArray(v) ? v : []));
    },
    bytes: (t) => {
      if (dead) return fallback ? fallback.bytes(t) : Promise.reject(dead);
      return post('bytes', [t]).then((n) => Number(n ?? 0));
    },
    close() {
      closed ??= dead
        ? Promise.resolve()
        : send('close').then(
            () => worker.terminate().then(() => {}),
            () => {},
          );
      return closed;
    },
  };
}
