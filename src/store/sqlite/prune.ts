/**
 * Log retention on SQLite: bounded DELETEs of a tenant's lines (by age, or its oldest) and usage
 * rows (by age), run where the records file is written — the record writer's thread, or the
 * store's connection in its in-process fallback — so the main connection never contends with it.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { LogPrune } from '../../core/ports.ts';

/**
 * The sweeper's reads (which tenants have records, how large a tenant's lines are): full scans,
 * so they too run on the record writer's thread, not on the event loop's connection.
 */
export function retentionReads(raw: DatabaseSync, schema: string) {
  const tenants = raw.prepare(
    `select distinct tenant from ${schema}.log_lines union select distinct tenant from ${schema}.usage`,
  );
  const bytes = raw.prepare(
    `select sum(length(cast(message as blob))) as b from ${schema}.log_lines where tenant = ?`,
  );
  return {
    tenants: (): string[] => (tenants.all() as { tenant: string }[]).map((r) => r.tenant),
    bytes: (tenant: string): number => Number((bytes.get(tenant) as { b: number | null }).b ?? 0),
  };
}

export function pruneOp(raw: DatabaseSync, schema: string, begin = 'BEGIN') {
  // The oldest lines beyond the newest `maxBytes` (a running sum, newest first).
  const oldest = raw.prepare(
    `delete from ${schema}.log_lines where seq in (select seq from (select seq, sum(length(cast(message as blob))) over (order by seq desc) as acc from ${schema}.log_lines where tenant = ?) where acc > ? order by seq limit ?)`,
  );
  const oldLines = raw.prepare(
    `delete from ${schema}.log_lines where seq in (select seq from ${schema}.log_lines where tenant = ? and ts < ? limit ?)`,
  );
  const oldUsage = raw.prepare(
    `delete from ${schema}.usage where tenant = ? and started_at < ? and request_id in (select request_id from ${schema}.usage where tenant = ? and started_at < ? limit ?)`,
  );
  return (p: LogPrune): number => {
    const limit = Math.max(1, Math.min(Math.floor(p.limit), 50_000));
    raw.exec(begin);
    try {
      let n: number;
      if (p.before === undefined) n = Number(oldest.run(p.tenant, p.maxBytes ?? 0, limit).changes);
      else
        n =
          Number(oldLines.run(p.tenant, p.before, limit).changes) +
          Number(oldUsage.run(p.tenant, p.before, p.tenant, p.before, limit).changes);
      raw.exec('COMMIT');
      return n;
    } catch (e) {
      raw.exec('ROLLBACK');
      throw e;
    }
  };
}
