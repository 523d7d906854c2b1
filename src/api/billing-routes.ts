/**
 * Cost control on the REST API (docs/API.md "Usage, prices and budgets"): usage with its cost,
 * aggregated per function, day, month or tenant (JSON or CSV); the price table; budgets with hard
 * caps. Thin: validate, call the store or the budget service, render.
 */
import type { FastifyInstance } from 'fastify';
import { type BudgetService, parseBudgetInput, parseBudgetName } from '../budgets/index.ts';
import { CoreErrors } from '../core/errors.ts';
import type { Store } from '../core/ports.ts';
import { DEFAULT_TENANT, type UsageGroup, type UsageGrouping } from '../core/types.ts';
import { DEFAULT_PRICES, PRICES_SETTING, type PriceBook, parsePriceTable } from '../metering/index.ts';
import { type Arns, authorize, isAllowed } from './auth.ts';
import { intQuery, params, parseJsonBody, query } from './http.ts';

export interface BillingDeps {
  readonly store: Store;
  /** Writes the invocation records held in memory, so a query sees every finished invocation. */
  readonly flushUsage: () => Promise<void>;
  readonly prices: PriceBook;
  readonly budgets: BudgetService;
  /** The table to fall back to when the operator's override is removed (file or defaults). */
  readonly basePrices?: () => Promise<ReturnType<typeof parsePriceTable>>;
}

export const GROUPINGS = [
  'function',
  'minute',
  'hour',
  'day',
  'month',
  'tenant',
] as const satisfies readonly UsageGrouping[];

/** RFC 4180 field. */
const csvField = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function usageCsv(by: string, groups: readonly UsageGroup[]): string {
  const head = [by, 'invocations', 'errors', 'cold_starts', 'billed_duration_ms', 'gb_seconds', 'cost_usd'];
  const rows = groups.map((g) =>
    [g.key, g.invocations, g.errors, g.coldStarts, g.billedDurationMs, g.gbSeconds, g.costUsd]
      .map(csvField)
      .join(','),
  );
  return `${[head.join(','), ...rows].join('\r\n')}\r\n`;
}

export function registerBillingRoutes(app: FastifyInstance, d: BillingDeps): void {
  const budgetArn = (name: string) => (a: Arns) => a.nimbus('budget', name);

  app.get('/v1/usage', async (req, reply) => {
    const p = authorize(req, 'nimbus:GetUsage');
    const q = query(req);
    const by = q.by;
    if (by !== undefined && !(GROUPINGS as readonly string[]).includes(by))
      throw CoreErrors.VALIDATION({ reason: `by is one of ${GROUPINGS.join(', ')}` });
    if (q.format !== undefined && q.format !== 'json' && q.format !== 'csv')
      throw CoreErrors.VALIDATION({ reason: 'format is json or csv' });
    // Every tenant's usage is the operator's: the default tenant with nimbus:GetUsageAllTenants.
    const allTenants =
      by === 'tenant' && p.tenant === DEFAULT_TENANT && isAllowed(req, 'nimbus:GetUsageAllTenants');
    await d.flushUsage();
    const uq = {
      tenant: p.tenant,
      functionName: q.function,
      since: intQuery(q.since, 'since'),
      until: intQuery(q.until, 'until'),
      limit: intQuery(q.limit, 'limit') ?? (by ? 1000 : 100),
      allTenants,
    };
    if (by) {
      const groups = await d.store.usage.aggregate(uq, by as UsageGrouping);
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(usageCsv(by, groups));
      const total = groups.reduce(
        (t, g) => ({
          invocations: t.invocations + g.invocations,
          errors: t.errors + g.errors,
          coldStarts: t.coldStarts + g.coldStarts,
          billedDurationMs: t.billedDurationMs + g.billedDurationMs,
          gbSeconds: t.gbSeconds + g.gbSeconds,
          costUsd: t.costUsd + g.costUsd,
        }),
        { invocations: 0, errors: 0, coldStarts: 0, billedDurationMs: 0, gbSeconds: 0, costUsd: 0 },
      );
      return { by, groups, total, currency: d.prices.table.currency };
    }
    const [records, summary] = await Promise.all([d.store.usage.list(uq), d.store.usage.summary(uq)]);
    return { records, summary, currency: d.prices.table.currency };
  });

  app.get('/v1/prices', async (req) => {
    authorize(req, 'nimbus:GetPrices');
    return { table: d.prices.table };
  });

  /** The operator's price table: the default tenant only (prices are the platform's). */
  app.put('/v1/prices', async (req) => {
    const p = authorize(req, 'nimbus:PutPrices');
    if (p.tenant !== DEFAULT_TENANT)
      throw CoreErrors.FORBIDDEN({ reason: 'prices are set by the operator (the default tenant)' });
    const table = parsePriceTable(parseJsonBody(req.body));
    await d.store.settings.put(DEFAULT_TENANT, PRICES_SETTING, table);
    d.prices.set(table);
    return { table };
  });

  app.delete('/v1/prices', async (req, reply) => {
    const p = authorize(req, 'nimbus:PutPrices');
    if (p.tenant !== DEFAULT_TENANT)
      throw CoreErrors.FORBIDDEN({ reason: 'prices are set by the operator (the default tenant)' });
    await d.store.settings.delete(DEFAULT_TENANT, PRICES_SETTING);
    d.prices.set((await d.basePrices?.()) ?? DEFAULT_PRICES);
    return reply.code(204).send();
  });

  app.get('/v1/budgets', async (req) => {
    const p = authorize(req, 'nimbus:ListBudgets', (a) => a.nimbus('budget'));
    return { budgets: await d.budgets.list(p.tenant) };
  });

  app.get('/v1/budgets/:name', async (req) => {
    const name = parseBudgetName(params(req).name!);
    const p = authorize(req, 'nimbus:GetBudget', budgetArn(name));
    return { budget: await d.budgets.get(p.tenant, name) };
  });

  app.put('/v1/budgets/:name', async (req) => {
    const name = parseBudgetName(params(req).name!);
    const p = authorize(req, 'nimbus:PutBudget', budgetArn(name));
    const input = parseBudgetInput(parseJsonBody(req.body));
    return { budget: await d.budgets.put(p.tenant, name, input) };
  });

  app.delete('/v1/budgets/:name', async (req, reply) => {
    const name = parseBudgetName(params(req).name!);
    const p = authorize(req, 'nimbus:DeleteBudget', budgetArn(name));
    await d.budgets.delete(p.tenant, name);
    return reply.code(204).send();
  });
}
