/**
 * The Store's repositories over Kysely, shared by the SQLite and PostgreSQL adapters. Driver
 * types never leave this folder: rows are mapped to domain records here.
 */
import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import { CoreErrors } from '../core/errors.ts';
import type { Store, StoreRepos } from '../core/ports.ts';
import type {
  AliasRecord,
  FunctionRecord,
  RouteAuth,
  RouteRecord,
  UsageQuery,
  UsageRecord,
  UsageSummary,
  VersionRecord,
} from '../core/types.ts';
import { type Db, insertOrConflict, inTransaction, pow2Chunks } from './db.ts';
import { makeBudgetRepo } from './repos-budgets.ts';
import { makeLeaseRepo, makeNodeRepo } from './repos-cluster.ts';
import { makeEventRepos } from './repos-events.ts';
import { makeIdentityRepos } from './repos-identity.ts';
import { makeLogStreamRepo } from './repos-log-streams.ts';
import { makeLogRepo, usageColumns } from './repos-logs.ts';
import { makeMetricRollupRepo } from './repos-metrics.ts';
import { makeSqsQueueRepo } from './repos-queues.ts';
import { makeWorkflowRepo } from './repos-workflows.ts';
import type { Tables } from './schema.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

const toFn = (r: Selectable<Tables['functions']>): FunctionRecord => ({
  tenant: r.tenant,
  name: r.name,
  config: JSON.parse(r.config),
  code: JSON.parse(r.code),
  revisionId: r.revision_id,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});
const toVer = (r: Selectable<Tables['versions']>): VersionRecord => ({
  tenant: r.tenant,
  functionName: r.function_name,
  version: String(r.version),
  config: JSON.parse(r.config),
  code: JSON.parse(r.code),
  description: r.description,
  createdAt: num(r.created_at),
});
const toAlias = (r: Selectable<Tables['aliases']>): AliasRecord => ({
  tenant: r.tenant,
  functionName: r.function_name,
  name: r.name,
  functionVersion: r.function_version,
  additionalWeights: JSON.parse(r.weights),
  description: r.description,
  revisionId: r.revision_id,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});
const toRoute = (r: Selectable<Tables['routes']>): RouteRecord => ({
  tenant: r.tenant,
  id: r.id,
  routeKey: r.route_key,
  functionName: r.function_name,
  qualifier: r.qualifier ?? undefined,
  payloadFormat: r.payload_format === '1.0' ? '1.0' : '2.0',
  auth: r.auth ? (JSON.parse(r.auth) as RouteAuth) : undefined,
  throttle: r.throttle ? (JSON.parse(r.throttle) as RouteRecord['throttle']) : undefined,
  stage: r.stage ?? undefined,
  cors: r.cors ? (JSON.parse(r.cors) as RouteRecord['cors']) : undefined,
  ...(r.state_machine ? { stateMachine: r.state_machine } : {}),
  createdAt: num(r.created_at),
});
const toUsage = (r: Selectable<Tables['usage']>): UsageRecord => ({
  tenant: r.tenant,
  requestId: r.request_id,
  functionName: r.function_name,
  version: r.version,
  startedAt: num(r.started_at),
  durationMs: num(r.duration_ms),
  billedDurationMs: num(r.billed_duration_ms),
  memoryMb: num(r.memory_mb),
  maxRssBytes: num(r.max_rss_bytes),
  gbSeconds: num(r.gb_seconds),
  initDurationMs: r.init_duration_ms === null ? undefined : num(r.init_duration_ms),
  outcome: r.outcome as UsageRecord['outcome'],
  attempt: num(r.attempt),
  costUsd: num(r.cost),
});

const timeFilter = (eb: ExpressionBuilder<Tables, 'usage'>, q: Pick<UsageQuery, 'since' | 'until'>) => [
  ...(q.since !== undefined ? [eb('started_at', '>=', q.since)] : []),
  ...(q.until !== undefined ? [eb('started_at', '<', q.until)] : []),
];

/** The WHERE clause shared by usage listing and summaries. */
const usageFilter = (q: UsageQuery) => (eb: ExpressionBuilder<Tables, 'usage'>) =>
  eb.and([
    eb('tenant', '=', q.tenant),
    ...(q.functionName !== undefined ? [eb('function_name', '=', q.functionName)] : []),
    ...timeFilter(eb, q),
  ]);

/** The sums of a usage summary (one row, or one per group). */
const usageSums = (eb: ExpressionBuilder<Tables, 'usage'>) => [
  eb.fn.countAll().as('n'),
  eb.fn.coalesce(eb.fn.sum('gb_seconds'), eb.lit(0)).as('gbs'),
  eb.fn.coalesce(eb.fn.sum('billed_duration_ms'), eb.lit(0)).as('billed'),
  eb.fn.count('init_duration_ms').as('cold'),
  eb.fn.sum(eb.case().when('outcome', '!=', 'success').then(1).else(0).end()).as('errors'),
  eb.fn.coalesce(eb.fn.sum('cost'), eb.lit(0)).as('cost'),
];

const summaryOf = (r: {
  n: unknown;
  gbs: unknown;
  billed: unknown;
  cold: unknown;
  errors: unknown;
  cost: unknown;
}): UsageSummary => ({
  invocations: num(r.n),
  gbSeconds: num(r.gbs),
  billedDurationMs: num(r.billed),
  coldStarts: num(r.cold),
  errors: num(r.errors ?? 0),
  costUsd: num(r.cost),
});

export function makeRepos(db: Db, kind = 'sqlite'): StoreRepos {
  return {
    ...makeIdentityRepos(db, kind),
    budgets: makeBudgetRepo(db),
    functions: {
      create: (f) =>
        insertOrConflict(`function ${f.name}`, () =>
          db
            .insertInto('functions')
            .values({
              tenant: f.tenant,
              name: f.name,
              config: JSON.stringify(f.config),
              code: JSON.stringify(f.code),
              revision_id: f.revisionId,
              next_version: 1,
              created_at: f.createdAt,
              updated_at: f.updatedAt,
            })
            .execute(),
        ),
      async get(tenant, name) {
        const r = await db
          .selectFrom('functions')
          .selectAll()
          .where('tenant', '=', tenant)
          .where('name', '=', name)
          .executeTakeFirst();
        return r && toFn(r);
      },
      async list(tenant) {
        return (
          await db.selectFrom('functions').selectAll().where('tenant', '=', tenant).orderBy('name').execute()
        ).map(toFn);
      },
      async update(f, expectedRevisionId) {
        let q = db
          .updateTable('functions')
          .set({
            config: JSON.stringify(f.config),
            code: JSON.stringify(f.code),
            revision_id: f.revisionId,
            updated_at: f.updatedAt,
          })
          .where('tenant', '=', f.tenant)
          .where('name', '=', f.name);
        if (expectedRevisionId !== undefined) q = q.where('revision_id', '=', expectedRevisionId);
        const r = await q.executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) {
          const exists = await db
            .selectFrom('functions')
            .select('name')
            .where('tenant', '=', f.tenant)
            .where('name', '=', f.name)
            .executeTakeFirst();
          if (!exists) throw CoreErrors.NOT_FOUND({ what: `function ${f.name}` });
          throw CoreErrors.CONFLICT({ what: `a newer revision of function ${f.name}` });
        }
      },
      async delete(tenant, name) {
        for (const table of ['versions', 'aliases', 'routes', 'schedules', 'sources'] as const)
          await db.deleteFrom(table).where('tenant', '=', tenant).where('function_name', '=', name).execute();
        await db
          .deleteFrom('bucket_notifications')
          .where('function_name', '=', name)
          .where('bucket', 'in', db.selectFrom('buckets').select('name').where('tenant', '=', tenant))
          .execute();
        await db
          .deleteFrom('subscriptions')
          .where('tenant', '=', tenant)
          .where('owner', '=', name)
          .where('origin', '=', 'manifest')
          .execute();
        const r = await db
          .deleteFrom('functions')
          .where('tenant', '=', tenant)
          .where('name', '=', name)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },

    versions: {
      async publish(tenant, functionName, data) {
        // The row update takes the function row's lock (Postgres) / the write lock (SQLite), so
        // concurrent publishes get distinct numbers.
        const bumped = await db
          .updateTable('functions')
          .set((eb) => ({ next_version: eb('next_version', '+', 1) }))
          .where('tenant', '=', tenant)
          .where('name', '=', functionName)
          .returning('next_version')
          .executeTakeFirst();
        if (!bumped) throw CoreErrors.NOT_FOUND({ what: `function ${functionName}` });
        const version = num(bumped.next_version) - 1;
        await db
          .insertInto('versions')
          .values({
            tenant,
            function_name: functionName,
            version,
            config: JSON.stringify(data.config),
            code: JSON.stringify(data.code),
            description: data.description,
            created_at: data.createdAt,
          })
          .execute();
        return { tenant, functionName, version: String(version), ...data };
      },
      async get(tenant, functionName, version) {
        if (!/^\d+$/.test(version)) return undefined;
        const r = await db
          .selectFrom('versions')
          .selectAll()
          .where('tenant', '=', tenant)
          .where('function_name', '=', functionName)
          .where('version', '=', Number(version))
          .executeTakeFirst();
        return r && toVer(r);
      },
      async list(tenant, functionName) {
        return (
          await db
            .selectFrom('versions')
            .selectAll()
            .where('tenant', '=', tenant)
            .where('function_name', '=', functionName)
            .orderBy('version')
            .execute()
        ).map(toVer);
      },
      async latest(tenant, functionName) {
        const r = await db
          .selectFrom('versions')
          .selectAll()
          .where('tenant', '=', tenant)
          .where('function_name', '=', functionName)
          .orderBy('version', 'desc')
          .limit(1)
          .executeTakeFirst();
        return r && toVer(r);
      },
    },

    aliases: {
      create: (a) =>
        insertOrConflict(`alias ${a.name} of function ${a.functionName}`, () =>
          db
            .insertInto('aliases')
            .values({
              tenant: a.tenant,
              function_name: a.functionName,
              name: a.name,
              function_version: a.functionVersion,
              weights: JSON.stringify(a.additionalWeights),
              description: a.description,
              revision_id: a.revisionId,
              created_at: a.createdAt,
              updated_at: a.updatedAt,
            })
            .execute(),
        ),
      async get(tenant, functionName, name) {
        const r = await db
          .selectFrom('aliases')
          .selectAll()
          .where('tenant', '=', tenant)
          .where('function_name', '=', functionName)
          .where('name', '=', name)
          .executeTakeFirst();
        return r && toAlias(r);
      },
      async list(tenant, functionName) {
        return (
          await db
            .selectFrom('aliases')
            .selectAll()
            .where('tenant', '=', tenant)
            .where('function_name', '=', functionName)
            .orderBy('name')
            .execute()
        ).map(toAlias);
      },
      async update(a) {
        const r = await db
          .updateTable('aliases')
          .set({
            function_version: a.functionVersion,
            weights: JSON.stringify(a.additionalWeights),
            description: a.description,
            revision_id: a.revisionId,
            updated_at: a.updatedAt,
          })
          .where('tenant', '=', a.tenant)
          .where('function_name', '=', a.functionName)
          .where('name', '=', a.name)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw CoreErrors.NOT_FOUND({ what: `alias ${a.name}` });
      },
      async delete(tenant, functionName, name) {
        const r = await db
          .deleteFrom('aliases')
          .where('tenant', '=', tenant)
          .where('function_name', '=', functionName)
          .where('name', '=', name)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },

    logs: makeLogRepo(db, kind),
    logStreams: makeLogStreamRepo(db),

    routes: {
      create: (r) =>
        insertOrConflict(`route ${r.routeKey}`, () =>
          db
            .insertInto('routes')
            .values({
              tenant: r.tenant,
              id: r.id,
              route_key: r.routeKey,
              function_name: r.functionName,
              qualifier: r.qualifier ?? null,
              payload_format: r.payloadFormat,
              auth: r.auth ? JSON.stringify(r.auth) : null,
              throttle: r.throttle ? JSON.stringify(r.throttle) : null,
              stage: r.stage ?? null,
              cors: r.cors ? JSON.stringify(r.cors) : null,
              state_machine: r.stateMachine ?? null,
              created_at: r.createdAt,
            })
            .execute(),
        ),
      async listAll() {
        return (
          await db.selectFrom('routes').selectAll().orderBy('tenant').orderBy('route_key').execute()
        ).map(toRoute);
      },
      async list(tenant) {
        return (
          await db
            .selectFrom('routes')
            .selectAll()
            .where('tenant', '=', tenant)
            .orderBy('route_key')
            .execute()
        ).map(toRoute);
      },
      async delete(tenant, id) {
        const r = await db
          .deleteFrom('routes')
          .where('tenant', '=', tenant)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async deleteForFunction(tenant, functionName) {
        const r = await db
          .deleteFrom('routes')
          .where('tenant', '=', tenant)
          .where('function_name', '=', functionName)
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },

    settings: {
      async get<T>(tenant: string, key: string) {
        const r = await db
          .selectFrom('settings')
          .select('value')
          .where('tenant', '=', tenant)
          .where('key', '=', key)
          .executeTakeFirst();
        return r ? (JSON.parse(r.value) as T) : undefined;
      },
      async put(tenant, key, value) {
        const v = JSON.stringify(value);
        await db
          .insertInto('settings')
          .values({ tenant, key, value: v })
          .onConflict((oc) => oc.columns(['tenant', 'key']).doUpdateSet({ value: v }))
          .execute();
      },
      async delete(tenant, key) {
        const r = await db
          .deleteFrom('settings')
          .where('tenant', '=', tenant)
          .where('key', '=', key)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      update<T>(tenant: string, key: string, fn: (current: T | undefined) => T | undefined) {
        return inTransaction(db, async (tx) => {
          // PostgreSQL: a lock on the (tenant, key) pair, held to the commit, taken before the row
          // is read (it may not exist yet, so FOR UPDATE could not lock it). SQLite has one writer.
          if (kind === 'postgres')
            await sql`SELECT pg_advisory_xact_lock(hashtext(${`nimbus.settings/${tenant}/${key}`}))`.execute(
              tx,
            );
          const r = await tx
            .selectFrom('settings')
            .select('value')
            .where('tenant', '=', tenant)
            .where('key', '=', key)
            .executeTakeFirst();
          const current = r ? (JSON.parse(r.value) as T) : undefined;
          const next = fn(current);
          if (next === current) return current;
          if (next === undefined) {
            await tx.deleteFrom('settings').where('tenant', '=', tenant).where('key', '=', key).execute();
            return undefined;
          }
          const v = JSON.stringify(next);
          await tx
            .insertInto('settings')
            .values({ tenant, key, value: v })
            .onConflict((oc) => oc.columns(['tenant', 'key']).doUpdateSet({ value: v }))
            .execute();
          return next;
        });
      },
      async listKey<T>(key: string) {
        const rows = await db
          .selectFrom('settings')
          .select(['tenant', 'value'])
          .where('key', '=', key)
          .execute();
        return rows.map((r) => ({ tenant: r.tenant, value: JSON.parse(r.value) as T }));
      },
    },

    ...makeEventRepos(db, kind),
    sqsQueues: makeSqsQueueRepo(db),
    workflows: makeWorkflowRepo(db),
    metrics: makeMetricRollupRepo(db, kind),
    leases: makeLeaseRepo(db, kind),
    nodes: makeNodeRepo(db),
    usage: {
      async record(u) {
        await this.recordMany([u]);
      },
      async recordMany(us) {
        // Chunked under SQLite's bound-parameter limit (12 columns per row), in reusable statement sizes.
        for (const chunk of pow2Chunks(us, 512)) {
          await db
            .insertInto('usage')
            .values(chunk.map(usageColumns))
            // A retried async invocation keeps its request id (as on Lambda); each attempt has its
            // row (the key is (tenant, request id, attempt)). A row written twice is kept once.
            .onConflict((oc) => oc.columns(['tenant', 'request_id', 'attempt']).doNothing())
            .execute();
        }
      },
      async list(q) {
        const rows = await db
          .selectFrom('usage')
          .selectAll()
          .where(usageFilter(q))
          .orderBy('started_at', 'desc')
          .limit(Math.min(Math.max(1, q.limit ?? 100), 10000))
          .execute();
        return rows.map(toUsage);
      },
      async summary(q) {
        const r = await db
          .selectFrom('usage')
          .where(usageFilter(q))
          .select(usageSums)
          .executeTakeFirstOrThrow();
        return summaryOf(r);
      },
      async aggregate(q, by) {
        // Time keys from epoch ms, in UTC, the same text on both dialects.
        const formats = {
          month: ['YYYY-MM', '%Y-%m'],
          day: ['YYYY-MM-DD', '%Y-%m-%d'],
          hour: ['YYYY-MM-DD"T"HH24', '%Y-%m-%dT%H'],
          minute: ['YYYY-MM-DD"T"HH24:MI', '%Y-%m-%dT%H:%M'],
        } as const;
        const key =
          by === 'function'
            ? sql<string>`function_name`
            : by === 'tenant'
              ? sql<string>`tenant`
              : kind === 'postgres'
                ? sql<string>`to_char(to_timestamp(started_at / 1000.0) AT TIME ZONE 'UTC', ${sql.lit(formats[by][0])})`
                : sql<string>`strftime(${sql.lit(formats[by][1])}, started_at / 1000, 'unixepoch')`;
        const rows = await db
          .selectFrom('usage')
          .where((eb) =>
            // The operator's per-tenant view reads every tenant (q.tenant is then ignored).
            by === 'tenant' && q.allTenants ? eb.and([...timeFilter(eb, q)]) : usageFilter(q)(eb),
          )
          .select((eb) => [key.as('k'), ...usageSums(eb)])
          .groupBy(key)
          .orderBy(key)
          .limit(Math.min(Math.max(1, q.limit ?? 1000), 10000))
          .execute();
        return rows.map((r) => ({ key: String(r.k), ...summaryOf(r) }));
      },
      async costSince(tenant, functionName, since) {
        const r = await db
          .selectFrom('usage')
          .where(usageFilter({ tenant, functionName, since }))
          .select((eb) => eb.fn.coalesce(eb.fn.sum('cost'), eb.lit(0)).as('cost'))
          .executeTakeFirstOrThrow();
        return num(r.cost);
      },
    },
  };
}

/** Builds a Store from a Kysely instance (shared by both adapters). */
export function makeStore(kind: string, db: Kysely<Tables>, close: () => Promise<void>): Store {
  return {
    kind,
    ...makeRepos(db, kind),
    transaction: (fn) => db.transaction().execute((trx) => fn(makeRepos(trx, kind))),
    async ping() {
      await db.selectFrom('functions').select('name').limit(1).execute();
    },
    close,
  };
}
