/**
 * The record writer's thread (see records.ts): opens the records file alone and runs each batch
 * it is sent through the same prepared statements as the store's own connection would, one
 * BEGIN IMMEDIATE…COMMIT per batch, then answers with the batch's id (and the error, if any).
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { bulkWriters } from './bulk.ts';
import { pruneOp, retentionReads } from './prune.ts';

export type RecordOp = 'invocations' | 'logs' | 'usage' | 'prune' | 'tenants' | 'bytes';
export interface RecordRequest {
  readonly id: number;
  readonly op: RecordOp | 'close';
  readonly batch?: readonly unknown[];
}
export interface RecordReply {
  readonly id: number;
  readonly error?: string;
  /** What the op answers (`prune`: rows deleted; `tenants`: ids; `bytes`: a size). */
  readonly value?: number | string[];
}

const { file, synchronous } = workerData as { file: string; synchronous: 'NORMAL' | 'FULL' };
const db = new DatabaseSync(file);
db.exec('PRAGMA journal_mode = WAL');
db.exec(`PRAGMA synchronous = ${synchronous}`);
db.exec('PRAGMA busy_timeout = 5000');
const bulk = bulkWriters(db, 'main', 'BEGIN IMMEDIATE');
const prune = pruneOp(db, 'main', 'BEGIN IMMEDIATE');
const reads = retentionReads(db, 'main');

parentPort!.on('message', (m: RecordRequest) => {
  if (m.op === 'close') {
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {}
    db.close();
    parentPort!.postMessage({ id: m.id } satisfies RecordReply);
    parentPort!.close();
    return;
  }
  if (m.op === 'prune' || m.op === 'tenants' || m.op === 'bytes') {
    try {
      const arg = m.batch?.[0];
      const value =
        m.op === 'prune'
          ? prune(arg as never)
          : m.op === 'tenants'
            ? reads.tenants()
            : reads.bytes(arg as string);
      parentPort!.postMessage({ id: m.id, value } satisfies RecordReply);
    } catch (e) {
      parentPort!.postMessage({ id: m.id, error: String((e as Error)?.message ?? e) } satisfies RecordReply);
    }
    return;
  }
  bulk[m.op](m.batch as never).then(
    () => parentPort!.postMessage({ id: m.id } satisfies RecordReply),
    (e: unknown) =>
      parentPort!.postMessage({ id: m.id, error: String((e as Error)?.message ?? e) } satisfies RecordReply),
  );
});
