/**
 * Log streams (instances) of a function and their lines, for the CloudWatch Logs API. Two
 * sources, as in repos-logs.ts: the function's own lines (log_lines) and invocation records
 * (usage rows with the seqs where START, END and REPORT render). Both are read through their
 * (tenant, function_name, …) indexes; the instance is a filter on those rows.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type { LogStreamRepo, LogStreamSummary, StreamLine, StreamLinesQuery } from '../core/log-streams.ts';
import type { Db } from './db.ts';
import { renderInvocation } from './repos-logs.ts';
import type { Tables } from './schema.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** `(version, instance_id) IN (...)` as ORs (portable across SQLite and PostgreSQL). */
function streamFilter<T extends 'log_lines' | 'usage'>(
  eb: ExpressionBuilder<Tables, T>,
  streams: StreamLinesQuery['streams'] & object,
) {
  const e = eb as unknown as ExpressionBuilder<Tables, 'log_lines'>;
  return e.or(streams.map((s) => e.and([e('version', '=', s.version), e('instance_id', '=', s.instanceId)])));
}

export function makeLogStreamRepo(db: Db): LogStreamRepo {
  return {
    async listStreams(tenant, functionName, max) {
      const [lines, recs] = await Promise.all([
        db
          .selectFrom('log_lines')
          .select(['version', 'instance_id'])
          .select((eb) => [eb.fn.min('ts').as('first'), eb.fn.max('ts').as('last')])
          .where('tenant', '=', tenant)
          .where('function_name', '=', functionName)
          .groupBy(['version', 'instance_id'])
          .orderBy(sql`max(ts)`, 'desc')
          .limit(max)
          .execute(),
        db
          .selectFrom('usage')
          .select(['version', 'instance_id'])
          .select((eb) => [
            eb.fn.min('started_at').as('first'),
            // END and REPORT render at started_at + ceil(duration): the ceiling of the sum.
            sql<number>`max(started_at + duration_ms)`.as('last'),
          ])
          .where('tenant', '=', tenant)
          .where('function_name', '=', functionName)
          .where('report_seq', 'is not', null)
          .where('instance_id', 'is not', null)
          .groupBy(['version', 'instance_id'])
          .orderBy(sql`max(started_at + duration_ms)`, 'desc')
          .limit(max)
          .execute(),
      ]);
      const byKey = new Map<string, LogStreamSummary>();
      const add = (version: string, instanceId: string, first: number, last: number) => {
        const key = `${version}\n${instanceId}`;
        const had = byKey.get(key);
        byKey.set(key, {
          version,
          instanceId,
          firstTs: had ? Math.min(had.firstTs, first) : first,
          lastTs: had ? Math.max(had.lastTs, last) : last,
        });
      };
      for (const r of lines) add(r.version, r.instance_id, num(r.first), num(r.last));
      for (const r of recs)
        if (r.instance_id !== null) add(r.version, r.instance_id, num(r.first), Math.ceil(num(r.last)));
      return [...byKey.values()].sort((a, b) => b.lastTs - a.lastTs).slice(0, max);
    },

    async lines(q: StreamLinesQuery) {
      if (q.streams?.length === 0) return [];
      const limit = Math.min(Math.max(1, q.limit), 10_000);
      const order = q.last ? 'desc' : 'asc';
      let s = db
        .selectFrom('log_lines')
        .select(['seq', 'version', 'instance_id', 'request_id', 'ts', 'stream', 'message', 'level'])
        .where('tenant', '=', q.tenant)
        .where('function_name', '=', q.functionName);
      if (q.streams) {
        const streams = q.streams;
        s = s.where((eb) => streamFilter(eb, streams));
      }
      if (q.since !== undefined) s = s.where('ts', '>=', q.since);
      if (q.until !== undefined) s = s.where('ts', '<', q.until);
      if (q.afterSeq !== undefined) s = s.where('seq', '>', q.afterSeq);
      if (q.beforeSeq !== undefined) s = s.where('seq', '<', q.beforeSeq);
      // Records whose rendered lines may fall in the window; each renders at least one line, so
      // `limit` of them (by seq) cover the first (or last) `limit` lines.
      let r = db
        .selectFrom('usage')
        .selectAll()
        .where('tenant', '=', q.tenant)
        .where('function_name', '=', q.functionName)
        .where('report_seq', 'is not', null);
      if (q.streams) {
        const streams = q.streams;
        r = r.where((eb) => streamFilter(eb, streams));
      }
      if (q.since !== undefined) r = r.where(sql<number>`started_at + duration_ms + 1`, '>=', q.since);
      if (q.until !== undefined) r = r.where('started_at', '<', q.until);
      if (q.afterSeq !== undefined) r = r.where('report_seq', '>', q.afterSeq);
      if (q.beforeSeq !== undefined) r = r.where('start_seq', '<', q.beforeSeq);
      const [rows, recs] = await Promise.all([
        s.orderBy('seq', order).limit(limit).execute(),
        r.orderBy('report_seq', order).limit(limit).execute(),
      ]);
      const all: StreamLine[] = rows.map((x) => ({
        seq: num(x.seq),
        version: x.version,
        instanceId: x.instance_id,
        requestId: x.request_id,
        ts: num(x.ts),
        stream: x.stream as StreamLine['stream'],
        message: x.message,
        ...(x.level ? { level: x.level as StreamLine['level'] } : {}),
      }));
      for (const rec of recs)
        for (const l of renderInvocation(rec))
          if (
            (q.afterSeq === undefined || l.seq > q.afterSeq) &&
            (q.beforeSeq === undefined || l.seq < q.beforeSeq) &&
            (q.since === undefined || l.ts >= q.since) &&
            (q.until === undefined || l.ts < q.until)
          )
            all.push({
              seq: l.seq,
              version: l.version,
              instanceId: l.instanceId,
              requestId: l.requestId,
              ts: l.ts,
              stream: l.stream,
              message: l.message,
            });
      all.sort((a, b) => a.seq - b.seq);
      return q.last ? all.slice(-limit) : all.slice(0, limit);
    },
  };
}
