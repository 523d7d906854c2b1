/**
 * Filtered log reads and retention for both SQL stores: `scan` reads one bounded window of a
 * function's lines (the level and text filters in SQL, inside a window of at most `limit` rows
 * of the index, so a filter that matches nothing costs no more than one that matches all), and
 * the retention deletes in bounded batches. The SQLite store routes `prune` through its record
 * writer thread (sqlite/prune.ts) instead.
 */
import { type Selectable, sql } from 'kysely';
import type { LogPrune, LogRepo } from '../core/ports.ts';
import type { LogLevel, LogScanQuery, LogScanWindow, StoredLogLine } from '../core/types.ts';
import { LOG_LEVELS, levelRank } from '../observability/levels.ts';
import type { Db } from './db.ts';
import { invocationRecords, renderInvocation, storedLines, toLog } from './repos-logs.ts';
import type { Tables } from './schema.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** `%` `_` `\` taken literally in a LIKE pattern (with ESCAPE '\'). */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The level a line counts as: its own; lines stored without one by their stream. */
export const effectiveLevel = (l: Pick<StoredLogLine, 'level' | 'stream'>): LogLevel =>
  l.level ?? (l.stream === 'stderr' ? 'ERROR' : 'INFO');

export function logScanMethods(db: Db, kind: string): Pick<LogRepo, 'scan' | 'tenants' | 'bytes' | 'prune'> {
  return {
    async scan(q: LogScanQuery): Promise<LogScanWindow> {
      const limit = Math.min(Math.max(1, q.limit ?? 1000), 10000);
      const desc = q.descending === true;
      const levels = q.minLevel ? LOG_LEVELS.slice(levelRank(q.minLevel)) : undefined;
      const text = (q.text ?? []).map((t) => t.toLowerCase());
      // The window: the first (or last) `limit` lines of the function past the cursor, whatever
      // they hold; the filters then apply inside it.
      let w = storedLines(db, q);
      if (desc) {
        if (q.beforeSeq !== undefined) w = w.where('seq', '<', q.beforeSeq);
      } else if (q.afterSeq !== undefined) w = w.where('seq', '>', q.afterSeq);
      const edge = await w
        .select('seq')
        .orderBy('seq', desc ? 'desc' : 'asc')
        .offset(limit - 1)
        .limit(1)
        .executeTakeFirst();
      const rowsEdge = edge === undefined ? undefined : num(edge.seq);
      let s = w.selectAll();
      if (rowsEdge !== undefined) s = s.where('seq', desc ? '>=' : '<=', rowsEdge);
      if (levels) {
        const streams = [
          ...(levels.includes('ERROR') ? ['stderr'] : []),
          ...(levels.includes('INFO') ? ['stdout', 'platform'] : []),
        ];
        s = s.where((eb) =>
          eb.or([
            eb('level', 'in', levels),
            ...(streams.length > 0 ? [eb.and([eb('level', 'is', null), eb('stream', 'in', streams)])] : []),
          ]),
        );
      }
      for (const t of text) {
        const pattern = `%${escapeLike(t)}%`;
        s = s.where(sql<boolean>`lower(message) like ${pattern} escape '\\'`);
      }
      // Invocation records (START/END/REPORT): only when platform lines can pass the level.
      const platformPasses = !q.minLevel || levelRank(q.minLevel) <= levelRank('INFO');
      let recs: Selectable<Tables['usage']>[] = [];
      let r = invocationRecords(db, q);
      if (desc) {
        if (q.beforeSeq !== undefined) r = r.where('start_seq', '<', q.beforeSeq);
      } else if (q.afterSeq !== undefined) r = r.where('report_seq', '>', q.afterSeq);
      const [rows, recRows] = await Promise.all([
        s.orderBy('seq', 'asc').execute(),
        platformPasses
          ? r
              .orderBy('report_seq', desc ? 'desc' : 'asc')
              .limit(limit)
              .execute()
          : Promise.resolve([] as Selectable<Tables['usage']>[]),
      ]);
      recs = recRows;
      // An invocation's seqs are one block (START, lines, END, REPORT): records not read lie
      // wholly past the last one read.
      const recEdge =
        recs.length === limit ? num(desc ? recs.at(-1)!.start_seq : recs.at(-1)!.report_seq) : undefined;
      const edges = [rowsEdge, recEdge].filter((e): e is number => e !== undefined);
      const horizon = edges.length === 0 ? undefined : desc ? Math.max(...edges) : Math.min(...edges);
      let maxSeq: number | undefined;
      const lines: StoredLogLine[] = [];
      const inWindow = (seq: number) =>
        horizon === undefined ? true : desc ? seq >= horizon : seq <= horizon;
      for (const row of rows) {
        const l = toLog(row);
        maxSeq = Math.max(maxSeq ?? l.seq, l.seq);
        if (inWindow(l.seq)) lines.push(l);
      }
      for (const rec of recs) {
        for (const l of renderInvocation(rec)) {
          if (
            desc
              ? q.beforeSeq !== undefined && l.seq >= q.beforeSeq
              : q.afterSeq !== undefined && l.seq <= q.afterSeq
          )
            continue;
          if ((q.since !== undefined && l.ts < q.since) || (q.until !== undefined && l.ts >= q.until))
            continue;
          maxSeq = Math.max(maxSeq ?? l.seq, l.seq);
          if (!inWindow(l.seq)) continue;
          if (text.length > 0) {
            const m = l.message.toLowerCase();
            if (!text.every((t) => m.includes(t))) continue;
          }
          lines.push(l);
        }
      }
      lines.sort((a, b) => a.seq - b.seq);
      return { lines, horizon, maxSeq };
    },

    async tenants() {
      const r = await sql<{ tenant: string }>`SELECT DISTINCT tenant FROM log_lines
        UNION SELECT DISTINCT tenant FROM usage`.execute(db);
      return r.rows.map((x) => x.tenant);
    },

    async bytes(tenant) {
      const len = kind === 'postgres' ? sql`octet_length(message)` : sql`length(CAST(message AS BLOB))`;
      const r = await sql<{ b: number | string | null }>`SELECT sum(${len}) AS b FROM log_lines
        WHERE tenant = ${tenant}`.execute(db);
      return num(r.rows[0]?.b ?? 0);
    },

    prune: (p) => pruneWith(db, p),
  };
}

/** The retention deletes on a Kysely connection (PostgreSQL; SQLite uses sqlite/prune.ts). */
async function pruneWith(db: Db, p: LogPrune): Promise<number> {
  const limit = Math.max(1, Math.min(p.limit, 50_000));
  if (p.before === undefined) {
    // The oldest lines beyond the newest `maxBytes` (a running sum, newest first).
    const r = await sql`DELETE FROM log_lines WHERE seq IN (SELECT seq FROM (SELECT seq,
      sum(octet_length(message)) OVER (ORDER BY seq DESC) AS acc FROM log_lines WHERE tenant = ${p.tenant}) w
      WHERE acc > ${p.maxBytes ?? 0} ORDER BY seq LIMIT ${limit})`.execute(db);
    return num(r.numAffectedRows ?? 0);
  }
  const lines =
    await sql`DELETE FROM log_lines WHERE seq IN (SELECT seq FROM log_lines WHERE tenant = ${p.tenant}
    AND ts < ${p.before} LIMIT ${limit})`.execute(db);
  const usage = await sql`DELETE FROM usage WHERE tenant = ${p.tenant} AND request_id IN (SELECT request_id
    FROM usage WHERE tenant = ${p.tenant} AND started_at < ${p.before} LIMIT ${limit})
    AND started_at < ${p.before}`.execute(db);
  return num(lines.numAffectedRows ?? 0) + num(usage.numAffectedRows ?? 0);
}
