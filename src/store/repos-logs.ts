/**
 * Function logs and compact invocation records. A finished invocation is one usage row (with the
 * seqs where its START, END and REPORT lines belong) plus the function's own lines; the platform
 * lines are rendered from the row when logs are read, merged into the line order by seq.
 */
import { type Selectable, sql } from 'kysely';
import type { LogRepo } from '../core/ports.ts';
import type { InvocationLog, LogLevel, LogQuery, StoredLogLine, UsageRecord } from '../core/types.ts';
import { endLine, reportLine, startLine } from '../observability/logs.ts';
import { type Db, inTransaction, pow2Chunks } from './db.ts';
import { logScanMethods } from './repos-log-scan.ts';
import type { Tables } from './schema.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

export const toLog = (r: Selectable<Tables['log_lines']>): StoredLogLine => ({
  seq: num(r.seq),
  tenant: r.tenant,
  functionName: r.function_name,
  version: r.version,
  requestId: r.request_id,
  ts: num(r.ts),
  stream: r.stream as StoredLogLine['stream'],
  message: r.message,
  instanceId: r.instance_id,
  ...(r.level ? { level: r.level as LogLevel } : {}),
});

/** The seqs of one invocation: START, one per line, END, REPORT. */
export interface InvocationSeqs {
  readonly start: number;
  readonly lines: readonly number[];
  readonly end: number;
  readonly report: number;
}

/**
 * Lays out `batch` on `seq(i)`, the i-th of the reserved seqs (increasing): START, the lines,
 * END, REPORT per invocation, k + 3 each.
 */
export function layoutSeqs(batch: readonly InvocationLog[], seq: (i: number) => number): InvocationSeqs[] {
  let i = 0;
  return batch.map((inv) => {
    const start = seq(i++);
    const lines = inv.lines.map(() => seq(i++));
    const end = seq(i++);
    return { start, lines, end, report: seq(i++) };
  });
}

/** A usage record's columns (without the invocation-record columns of 0017). */
export function usageColumns(u: UsageRecord) {
  return {
    tenant: u.tenant,
    request_id: u.requestId,
    function_name: u.functionName,
    version: u.version,
    started_at: u.startedAt,
    duration_ms: u.durationMs,
    billed_duration_ms: u.billedDurationMs,
    memory_mb: u.memoryMb,
    max_rss_bytes: u.maxRssBytes,
    gb_seconds: u.gbSeconds,
    init_duration_ms: u.initDurationMs ?? null,
    outcome: u.outcome,
    attempt: u.attempt ?? 1,
    cost: u.costUsd ?? 0,
  };
}

/** The usage table row of an invocation record. */
export function usageRow(inv: InvocationLog, s: InvocationSeqs | undefined) {
  return {
    ...usageColumns(inv.usage),
    instance_id: s ? inv.instanceId : null,
    status: s ? (inv.status ?? null) : null,
    start_seq: s?.start ?? null,
    end_seq: s?.end ?? null,
    report_seq: s?.report ?? null,
  };
}

/** The query's bounds a log read shares with the scan (tenant, function, version, request, time). */
type LineBounds = Pick<LogQuery, 'tenant' | 'functionName' | 'version' | 'requestId' | 'since' | 'until'>;

/** A tenant's stored lines within the bounds (the caller adds its seq cursor and selection). */
export function storedLines(db: Db, q: LineBounds) {
  let s = db.selectFrom('log_lines').where('tenant', '=', q.tenant);
  if (q.functionName !== undefined) s = s.where('function_name', '=', q.functionName);
  if (q.version !== undefined) s = s.where('version', '=', q.version);
  if (q.requestId !== undefined) s = s.where('request_id', '=', q.requestId);
  if (q.since !== undefined) s = s.where('ts', '>=', q.since);
  if (q.until !== undefined) s = s.where('ts', '<', q.until);
  return s;
}

/**
 * The invocation records (usage rows with seqs) whose rendered START…REPORT may fall within the
 * bounds: an invocation that ended at or after `since` and started before `until`.
 */
export function invocationRecords(db: Db, q: LineBounds) {
  let r = db
    .selectFrom('usage')
    .selectAll()
    .where('tenant', '=', q.tenant)
    .where('report_seq', 'is not', null);
  if (q.functionName !== undefined) r = r.where('function_name', '=', q.functionName);
  if (q.version !== undefined) r = r.where('version', '=', q.version);
  if (q.requestId !== undefined) r = r.where('request_id', '=', q.requestId);
  if (q.since !== undefined) r = r.where(sql<number>`started_at + duration_ms + 1`, '>=', q.since);
  if (q.until !== undefined) r = r.where('started_at', '<', q.until);
  return r;
}

/** START, END and REPORT of a stored invocation record, as stored lines would read. */
export function renderInvocation(r: Selectable<Tables['usage']>): StoredLogLine[] {
  if (r.start_seq === null || r.end_seq === null || r.report_seq === null) return [];
  const started = num(r.started_at);
  const durationMs = num(r.duration_ms);
  const base = {
    tenant: r.tenant,
    functionName: r.function_name,
    version: r.version,
    requestId: r.request_id,
    stream: 'platform' as const,
    instanceId: r.instance_id ?? '',
  };
  const ended = started + Math.ceil(durationMs);
  return [
    { ...base, seq: num(r.start_seq), ts: started, message: startLine(r.request_id, r.version) },
    { ...base, seq: num(r.end_seq), ts: ended, message: endLine(r.request_id) },
    {
      ...base,
      seq: num(r.report_seq),
      ts: ended,
      message: reportLine({
        requestId: r.request_id,
        durationMs,
        billedDurationMs: num(r.billed_duration_ms),
        memoryMb: num(r.memory_mb),
        maxRssBytes: num(r.max_rss_bytes),
        initDurationMs: r.init_duration_ms === null ? undefined : num(r.init_duration_ms),
        status: r.status ?? undefined,
        costUsd: num(r.cost ?? 0),
      }),
    },
  ];
}

/** Does a rendered line pass the query's seq and time bounds (the SQL filters of stored lines)? */
const inBounds = (q: LogQuery, l: StoredLogLine) =>
  (q.afterSeq === undefined || l.seq > q.afterSeq) &&
  (q.since === undefined || l.ts >= q.since) &&
  (q.until === undefined || l.ts < q.until);

/**
 * `n` unused log seqs, increasing (`seq(i)` is the i-th), inside the caller's transaction.
 * PostgreSQL: n values of the log_lines sequence (not always consecutive: other nodes draw from
 * it too). SQLite: a consecutive block, the AUTOINCREMENT counter (sqlite_sequence of the attached
 * records file, `rec`, where log_lines lives: sqlite/records.ts) moved past
 * it, so plain appends never reuse one.
 */
async function reserveSeqs(db: Db, kind: string, n: number): Promise<(i: number) => number> {
  if (kind === 'postgres') {
    const r = await sql<{ s: string }>`SELECT nextval(pg_get_serial_sequence('log_lines', 'seq')) AS s
        FROM generate_series(1, ${n})`.execute(db);
    const seqs = r.rows.map((x) => num(x.s)).sort((a, b) => a - b);
    return (i) => seqs[i]!;
  }
  const cur = await sql<{
    seq: number;
  }>`SELECT seq FROM rec.sqlite_sequence WHERE name = 'log_lines'`.execute(db);
  const max = await sql<{ m: number | null }>`SELECT max(seq) AS m FROM log_lines`.execute(db);
  const first = Math.max(num(cur.rows[0]?.seq ?? 0), num(max.rows[0]?.m ?? 0)) + 1;
  if (cur.rows.length === 0)
    await sql`INSERT INTO rec.sqlite_sequence (name, seq) VALUES ('log_lines', ${first + n - 1})`.execute(db);
  else await sql`UPDATE rec.sqlite_sequence SET seq = ${first + n - 1} WHERE name = 'log_lines'`.execute(db);
  return (i) => first + i;
}

export function makeLogRepo(db: Db, kind: string): LogRepo {
  const lineRow = (l: InvocationLog['lines'][number], seq?: number) => ({
    ...(seq === undefined ? {} : { seq }),
    tenant: l.tenant,
    function_name: l.functionName,
    version: l.version,
    request_id: l.requestId,
    ts: l.ts,
    stream: l.stream,
    message: l.message,
    instance_id: l.instanceId,
    level: l.level ?? null,
  });
  return {
    ...logScanMethods(db, kind),
    async append(lines) {
      if (lines.length === 0) return;
      // Chunked under SQLite's bound-parameter limit (8 columns per row), in reusable statement sizes.
      for (const chunk of pow2Chunks(lines, 1024)) {
        await db
          .insertInto('log_lines')
          .values(chunk.map((l) => lineRow(l)))
          .execute();
      }
    },
    async appendInvocations(batch) {
      if (batch.length === 0) return;
      const n = batch.reduce((a, inv) => a + inv.lines.length + 3, 0);
      await inTransaction(db, async (trx) => {
        const seqs = layoutSeqs(batch, await reserveSeqs(trx, kind, n));
        const lines = batch.flatMap((inv, i) => inv.lines.map((l, j) => lineRow(l, seqs[i]!.lines[j])));
        for (const chunk of pow2Chunks(lines, 1024))
          await trx.insertInto('log_lines').values(chunk).execute();
        for (const chunk of pow2Chunks(
          batch.map((inv, i) => usageRow(inv, seqs[i])),
          256,
        )) {
          await trx
            .insertInto('usage')
            .values(chunk)
            // A retried async invocation keeps its request id; each attempt has its row (the key
            // is (tenant, request id, attempt)). A record written twice is kept once.
            .onConflict((oc) => oc.columns(['tenant', 'request_id', 'attempt']).doNothing())
            .execute();
        }
      });
    },
    async query(q) {
      const limit = Math.min(Math.max(1, q.limit ?? 1000), 10000);
      const order = q.tail ? 'desc' : 'asc';
      let s = storedLines(db, q).selectAll();
      if (q.afterSeq !== undefined) s = s.where('seq', '>', q.afterSeq);
      // Invocation records whose rendered lines may fall in the window: each gives at least one
      // line, so `limit` of them (in seq order) cover the first (or last) `limit` lines.
      let r = invocationRecords(db, q);
      if (q.afterSeq !== undefined) r = r.where('report_seq', '>', q.afterSeq);
      const [rows, recs] = await Promise.all([
        s.orderBy('seq', order).limit(limit).execute(),
        r.orderBy('report_seq', order).limit(limit).execute(),
      ]);
      const all = rows.map(toLog);
      for (const rec of recs) for (const l of renderInvocation(rec)) if (inBounds(q, l)) all.push(l);
      all.sort((a, b) => a.seq - b.seq);
      return q.tail ? all.slice(-limit) : all.slice(0, limit);
    },
  };
}
