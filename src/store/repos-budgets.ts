/** Budgets (issue 17): one row per (tenant, name), the same on both dialects. */
import type { Selectable } from 'kysely';
import type { BudgetRepo } from '../core/ports.ts';
import type { BudgetRecord } from '../core/types.ts';
import type { Db } from './db.ts';
import type { Tables } from './schema.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

function toBudget(r: Selectable<Tables['budgets']>): BudgetRecord {
  const days = /^days:(\d+)$/.exec(r.period);
  return {
    tenant: r.tenant,
    name: r.name,
    functionName: r.function_name ?? undefined,
    period: days ? { kind: 'days', days: Number(days[1]) } : { kind: 'monthly' },
    anchor: num(r.anchor),
    limitUsd: num(r.limit_usd),
    thresholds: JSON.parse(r.thresholds) as number[],
    action: r.action === 'notify' ? 'notify' : 'block',
    topic: r.topic ?? undefined,
    notified:
      r.notified_period === null || r.notified_pct === null
        ? undefined
        : { periodStart: num(r.notified_period), pct: num(r.notified_pct) },
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

export function makeBudgetRepo(db: Db): BudgetRepo {
  return {
    async put(b) {
      const row = {
        tenant: b.tenant,
        name: b.name,
        function_name: b.functionName ?? null,
        period: b.period.kind === 'monthly' ? 'monthly' : `days:${b.period.days}`,
        anchor: b.anchor,
        limit_usd: b.limitUsd,
        thresholds: JSON.stringify(b.thresholds),
        action: b.action,
        topic: b.topic ?? null,
        notified_period: b.notified?.periodStart ?? null,
        notified_pct: b.notified?.pct ?? null,
        created_at: b.createdAt,
        updated_at: b.updatedAt,
      };
      const { tenant: _t, name: _n, created_at: _c, ...rest } = row;
      await db
        .insertInto('budgets')
        .values(row)
        .onConflict((oc) => oc.columns(['tenant', 'name']).doUpdateSet(rest))
        .execute();
    },
    async get(tenant, name) {
      const r = await db
        .selectFrom('budgets')
        .selectAll()
        .where('tenant', '=', tenant)
        .where('name', '=', name)
        .executeTakeFirst();
      return r ? toBudget(r) : undefined;
    },
    async list(tenant) {
      const rows = await db
        .selectFrom('budgets')
        .selectAll()
        .where('tenant', '=', tenant)
        .orderBy('name')
        .execute();
      return rows.map(toBudget);
    },
    async listAll() {
      const rows = await db.selectFrom('budgets').selectAll().orderBy('tenant').orderBy('name').execute();
      return rows.map(toBudget);
    },
    async delete(tenant, name) {
      const r = await db
        .deleteFrom('budgets')
        .where('tenant', '=', tenant)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async setNotified(tenant, name, periodStart, pct) {
      await db
        .updateTable('budgets')
        .set({ notified_period: periodStart, notified_pct: pct })
        .where('tenant', '=', tenant)
        .where('name', '=', name)
        .execute();
    },
  };
}
