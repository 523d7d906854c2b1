/** The 1-minute rollups repository (`metric_rollups`, migration 0020). */
import { type Selectable, sql } from 'kysely';
import type { MetricRollup, MetricRollupRepo } from '../core/ports.ts';
import { type Db, inTransaction, pow2Chunks } from './db.ts';
import type { Tables } from './schema.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

const toRollup = (r: Selectable<Tables['metric_rollups']>): MetricRollup => ({
  tenant: r.tenant,
  functionName: r.function_name,
  minute: num(r.minute),
  invocations: num(r.invocations),
  errors: num(r.errors),
  throttles: num(r.throttles),
  coldStarts: num(r.cold_starts),
  durationSumMs: num(r.duration_sum_ms),
  durationMaxMs: num(r.duration_max_ms),
  durationP50Ms: numOrNull(r.duration_p50_ms),
  durationP99Ms: numOrNull(r.duration_p99_ms),
  gbSeconds: num(r.gb_seconds),
});

export function makeMetricRollupRepo(db: Db, kind: string): MetricRollupRepo {
  const greatest = kind === 'postgres' ? 'GREATEST' : 'MAX';
  /** The larger of the stored and the new value (either may be NULL). */
  const larger = (col: string) =>
    sql<number>`${sql.raw(greatest)}(COALESCE(metric_rollups.${sql.raw(col)}, excluded.${sql.raw(col)}), COALESCE(excluded.${sql.raw(col)}, metric_rollups.${sql.raw(col)}))`;
  return {
    async write(rows) {
      if (rows.length === 0) return;
      await inTransaction(db, async (tx) => {
        // 12 columns a row: chunks stay under SQLite's bound-parameter limit.
        for (const chunk of pow2Chunks(rows, 64)) {
          await tx
            .insertInto('metric_rollups')
            .values(
              chunk.map((r) => ({
                tenant: r.tenant,
                function_name: r.functionName,
                minute: r.minute,
                invocations: r.invocations,
                errors: r.errors,
                throttles: r.throttles,
                cold_starts: r.coldStarts,
                duration_sum_ms: r.durationSumMs,
                duration_max_ms: r.durationMaxMs,
                duration_p50_ms: r.durationP50Ms,
                duration_p99_ms: r.durationP99Ms,
                gb_seconds: r.gbSeconds,
              })),
            )
            // A minute written twice (the platform stopped mid-minute and started again within
            // it): counts add up; the quantiles cannot be merged exactly, the larger is kept.
            .onConflict((oc) =>
              oc.columns(['tenant', 'function_name', 'minute']).doUpdateSet((eb) => ({
                invocations: eb('metric_rollups.invocations', '+', eb.ref('excluded.invocations')),
                errors: eb('metric_rollups.errors', '+', eb.ref('excluded.errors')),
                throttles: eb('metric_rollups.throttles', '+', eb.ref('excluded.throttles')),
                cold_starts: eb('metric_rollups.cold_starts', '+', eb.ref('excluded.cold_starts')),
                duration_sum_ms: eb(
                  'metric_rollups.duration_sum_ms',
                  '+',
                  eb.ref('excluded.duration_sum_ms'),
                ),
                gb_seconds: eb('metric_rollups.gb_seconds', '+', eb.ref('excluded.gb_seconds')),
                duration_max_ms: larger('duration_max_ms'),
                duration_p50_ms: larger('duration_p50_ms'),
                duration_p99_ms: larger('duration_p99_ms'),
              })),
            )
            .execute();
        }
      });
    },
    async query(q) {
      let sel = db
        .selectFrom('metric_rollups')
        .selectAll()
        .where('tenant', '=', q.tenant)
        .where('minute', '>=', q.from)
        .where('minute', '<', q.to);
      if (q.functionName !== undefined) sel = sel.where('function_name', '=', q.functionName);
      return (await sel.orderBy('minute').execute()).map(toRollup);
    },
    async prune(before) {
      const r = await db.deleteFrom('metric_rollups').where('minute', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows ?? 0);
    },
  };
}
