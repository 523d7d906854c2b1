/**
 * The Store's repositories over Kysely, shared by the SQLite and PostgreSQL adapters. Driver
 * types never leave this folder: rows are mapped to domain records here.
 */
import { type ExpressionBuilder, type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { CoreErrors } from '../core/errors.ts';
import type { Store, StoreRepos } from '../core/ports.ts';
import type {
  AliasRecord,
  ApiKeyRecord,
  FunctionRecord,
  ObjectRecord,
  RouteAuth,
  RouteRecord,
  ScheduleRecord,
  SourceRecord,
  StoredLogLine,
  SubscriptionRecord,
  UsageQuery,
  UsageRecord,
  VersionRecord,
  WebhookRecord,
} from '../core/types.ts';
import type { Tables } from './schema.ts';

type Db = Kysely<Tables> | Transaction<Tables>;

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string; errcode?: number };
  return (
    err.code === '23505' ||
    /UNIQUE constraint failed|PRIMARY KEY/.test(err.message ?? '') ||
    err.errcode === 1555
  );
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

const toKey = (r: Selectable<Tables['api_keys']>): ApiKeyRecord => ({
  tenant: r.tenant,
  keyId: r.key_id,
  secretHash: r.secret_hash,
  secretCiphertext: r.secret_ciphertext,
  role: r.role as ApiKeyRecord['role'],
  description: r.description,
  createdAt: num(r.created_at),
  disabled: num(r.disabled) !== 0,
});
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
const toLog = (r: Selectable<Tables['log_lines']>): StoredLogLine => ({
  seq: num(r.seq),
  tenant: r.tenant,
  functionName: r.function_name,
  version: r.version,
  requestId: r.request_id,
  ts: num(r.ts),
  stream: r.stream as StoredLogLine['stream'],
  message: r.message,
  instanceId: r.instance_id,
});
const toSchedule = (r: Selectable<Tables['schedules']>): ScheduleRecord => ({
  tenant: r.tenant,
  name: r.name,
  functionName: r.function_name,
  qualifier: r.qualifier ?? undefined,
  expression: r.expression,
  timezone: r.timezone,
  input: r.input ?? undefined,
  enabled: Number(r.enabled) === 1,
  misfire: r.misfire === 'skip' ? 'skip' : 'fireOnce',
  origin: r.origin === 'manifest' ? 'manifest' : 'api',
  description: r.description,
  nextFireAt: r.next_fire_at ?? undefined,
  lastFireAt: r.last_fire_at ?? undefined,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const json = <T>(t: string | null): T | undefined => (t === null ? undefined : (JSON.parse(t) as T));
const toSubscription = (r: Selectable<Tables['subscriptions']>): SubscriptionRecord => ({
  tenant: r.tenant,
  id: r.id,
  topic: r.topic,
  pattern: r.pattern ?? undefined,
  target: JSON.parse(r.target) as SubscriptionRecord['target'],
  inputTransformer: json(r.input_transformer),
  partitionKey: r.partition_key ?? undefined,
  retry: json(r.retry),
  origin: r.origin === 'manifest' ? 'manifest' : 'api',
  owner: r.owner ?? undefined,
  description: r.description,
  createdAt: r.created_at,
});

const toSource = (r: Selectable<Tables['sources']>): SourceRecord => ({
  tenant: r.tenant,
  id: r.id,
  functionName: r.function_name,
  qualifier: r.qualifier ?? undefined,
  kind: r.kind as SourceRecord['kind'],
  config: JSON.parse(r.config) as Record<string, unknown>,
  batchSize: Number(r.batch_size),
  batchWindowMs: Number(r.batch_window_ms),
  maximumRetryAttempts: Number(r.max_retries),
  concurrency: Number(r.concurrency),
  enabled: Number(r.enabled) === 1,
  origin: r.origin === 'manifest' ? 'manifest' : 'api',
  createdAt: r.created_at,
});

const toWebhook = (r: Selectable<Tables['webhooks']>): WebhookRecord => ({
  tenant: r.tenant,
  id: r.id,
  topic: r.topic,
  verification: r.verification as WebhookRecord['verification'],
  secretCiphertext: r.secret_ciphertext ?? undefined,
  header: r.header ?? undefined,
  toleranceSec: Number(r.tolerance_sec),
  description: r.description,
  createdAt: r.created_at,
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
});

/** The WHERE clause shared by usage listing and summaries. */
const usageFilter = (q: UsageQuery) => (eb: ExpressionBuilder<Tables, 'usage'>) =>
  eb.and([
    eb('tenant', '=', q.tenant),
    ...(q.functionName !== undefined ? [eb('function_name', '=', q.functionName)] : []),
    ...(q.since !== undefined ? [eb('started_at', '>=', q.since)] : []),
    ...(q.until !== undefined ? [eb('started_at', '<', q.until)] : []),
  ]);

async function insertOrConflict(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (isUniqueViolation(e)) throw CoreErrors.CONFLICT({ what });
    throw e;
  }
}

/** Object keys compare bytewise on both dialects (Postgres text would follow the locale). */
const keyCol = (kind: string) => (kind === 'postgres' ? sql<string>`key collate "C"` : sql<string>`key`);

const toObject = (r: Selectable<Tables['objects']>): ObjectRecord => ({
  bucket: r.bucket,
  key: r.key,
  size: Number(r.size),
  etag: r.etag,
  contentType: r.content_type,
  metadata: JSON.parse(r.metadata) as Record<string, string>,
  sha256: r.sha256,
  lastModified: Number(r.last_modified),
});

/**
 * get / list / listAll / delete of a table keyed by (tenant, key column), shared by the repos of
 * tenant-scoped records. Rows are mapped by `map`; lists are ordered by the key.
 */
function tenantRows<R>(db: Db, table: keyof Tables, key: string, map: (row: never) => R) {
  // The table is chosen at run time; the mapped record types stay precise.
  const d = db as unknown as Kysely<Record<string, Record<string, string | number | null>>>;
  return {
    async get(tenant: string, id: string): Promise<R | undefined> {
      const r = await d
        .selectFrom(table)
        .selectAll()
        .where('tenant', '=', tenant)
        .where(key, '=', id)
        .executeTakeFirst();
      return r ? map(r as never) : undefined;
    },
    async list(tenant: string): Promise<R[]> {
      return (await d.selectFrom(table).selectAll().where('tenant', '=', tenant).orderBy(key).execute()).map(
        (r) => map(r as never),
      );
    },
    async listAll(): Promise<R[]> {
      return (await d.selectFrom(table).selectAll().orderBy('tenant').orderBy(key).execute()).map((r) =>
        map(r as never),
      );
    },
    async delete(tenant: string, id: string): Promise<boolean> {
      const r = await d.deleteFrom(table).where('tenant', '=', tenant).where(key, '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export function makeRepos(db: Db, kind = 'sqlite'): StoreRepos {
  return {
    keys: {
      create: (k) =>
        insertOrConflict(`key ${k.keyId}`, () =>
          db
            .insertInto('api_keys')
            .values({
              tenant: k.tenant,
              key_id: k.keyId,
              secret_hash: k.secretHash,
              secret_ciphertext: k.secretCiphertext,
              role: k.role,
              description: k.description,
              created_at: k.createdAt,
              disabled: k.disabled ? 1 : 0,
            })
            .execute(),
        ),
      async get(keyId) {
        const r = await db.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
        return r && toKey(r);
      },
      async getBySecretHash(h) {
        const r = await db.selectFrom('api_keys').selectAll().where('secret_hash', '=', h).executeTakeFirst();
        return r && toKey(r);
      },
      async list(tenant) {
        return (
          await db.selectFrom('api_keys').selectAll().where('tenant', '=', tenant).orderBy('key_id').execute()
        ).map(toKey);
      },
      async delete(keyId) {
        const r = await db.deleteFrom('api_keys').where('key_id', '=', keyId).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },

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
        for (const table of ['versions', 'aliases', 'routes', 'schedules'] as const)
          await db.deleteFrom(table).where('tenant', '=', tenant).where('function_name', '=', name).execute();
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

    logs: {
      async append(lines) {
        if (lines.length === 0) return;
        // Chunked to stay under SQLite's bound-parameter limit (8 columns per row).
        for (let i = 0; i < lines.length; i += 1000) {
          await db
            .insertInto('log_lines')
            .values(
              lines.slice(i, i + 1000).map((l) => ({
                tenant: l.tenant,
                function_name: l.functionName,
                version: l.version,
                request_id: l.requestId,
                ts: l.ts,
                stream: l.stream,
                message: l.message,
                instance_id: l.instanceId,
              })),
            )
            .execute();
        }
      },
      async query(q) {
        const limit = Math.min(Math.max(1, q.limit ?? 1000), 10000);
        let s = db.selectFrom('log_lines').selectAll().where('tenant', '=', q.tenant);
        if (q.functionName !== undefined) s = s.where('function_name', '=', q.functionName);
        if (q.version !== undefined) s = s.where('version', '=', q.version);
        if (q.requestId !== undefined) s = s.where('request_id', '=', q.requestId);
        if (q.since !== undefined) s = s.where('ts', '>=', q.since);
        if (q.until !== undefined) s = s.where('ts', '<', q.until);
        if (q.afterSeq !== undefined) s = s.where('seq', '>', q.afterSeq);
        const rows = await s
          .orderBy('seq', q.tail ? 'desc' : 'asc')
          .limit(limit)
          .execute();
        const out = rows.map(toLog);
        return q.tail ? out.reverse() : out;
      },
    },

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
      async listKey<T>(key: string) {
        const rows = await db
          .selectFrom('settings')
          .select(['tenant', 'value'])
          .where('key', '=', key)
          .execute();
        return rows.map((r) => ({ tenant: r.tenant, value: JSON.parse(r.value) as T }));
      },
    },

    objects: {
      createBucket: (b) =>
        insertOrConflict(`bucket ${b.name}`, () =>
          db
            .insertInto('buckets')
            .values({ name: b.name, tenant: b.tenant, created_at: b.createdAt })
            .execute(),
        ),
      async getBucket(name) {
        const r = await db.selectFrom('buckets').selectAll().where('name', '=', name).executeTakeFirst();
        return r ? { tenant: r.tenant, name: r.name, createdAt: Number(r.created_at) } : undefined;
      },
      async listBuckets(tenant) {
        const rows = await db
          .selectFrom('buckets')
          .selectAll()
          .where('tenant', '=', tenant)
          .orderBy('name')
          .execute();
        return rows.map((r) => ({ tenant: r.tenant, name: r.name, createdAt: Number(r.created_at) }));
      },
      async deleteBucket(name) {
        await db.deleteFrom('bucket_notifications').where('bucket', '=', name).execute();
        const r = await db.deleteFrom('buckets').where('name', '=', name).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async putObject(o) {
        const prior = await db
          .selectFrom('objects')
          .selectAll()
          .where('bucket', '=', o.bucket)
          .where('key', '=', o.key)
          .executeTakeFirst();
        const row = {
          bucket: o.bucket,
          key: o.key,
          size: o.size,
          etag: o.etag,
          content_type: o.contentType,
          metadata: JSON.stringify(o.metadata),
          sha256: o.sha256,
          last_modified: o.lastModified,
        };
        const { bucket: _b, key: _k, ...update } = row;
        await db
          .insertInto('objects')
          .values(row)
          .onConflict((oc) => oc.columns(['bucket', 'key']).doUpdateSet(update))
          .execute();
        return prior ? toObject(prior) : undefined;
      },
      async getObject(bucket, key) {
        const r = await db
          .selectFrom('objects')
          .selectAll()
          .where('bucket', '=', bucket)
          .where('key', '=', key)
          .executeTakeFirst();
        return r ? toObject(r) : undefined;
      },
      async deleteObject(bucket, key) {
        const r = await db
          .selectFrom('objects')
          .selectAll()
          .where('bucket', '=', bucket)
          .where('key', '=', key)
          .executeTakeFirst();
        if (!r) return undefined;
        await db.deleteFrom('objects').where('bucket', '=', bucket).where('key', '=', key).execute();
        return toObject(r);
      },
      async listObjects(bucket, q) {
        let query = db.selectFrom('objects').selectAll().where('bucket', '=', bucket);
        if (q.prefix) query = query.where(sql<string>`substr(key, 1, ${q.prefix.length})`, '=', q.prefix);
        if (q.after !== undefined) query = query.where(keyCol(kind), '>', q.after);
        return (await query.orderBy(keyCol(kind)).limit(q.limit).execute()).map(toObject);
      },
      async countBySha(sha256) {
        const r = await db
          .selectFrom('objects')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('sha256', '=', sha256)
          .executeTakeFirst();
        const parts = await db
          .selectFrom('upload_parts')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('sha256', '=', sha256)
          .executeTakeFirst();
        return Number(r?.n ?? 0) + Number(parts?.n ?? 0);
      },
      async createUpload(u) {
        await db
          .insertInto('uploads')
          .values({
            upload_id: u.uploadId,
            bucket: u.bucket,
            key: u.key,
            content_type: u.contentType,
            metadata: JSON.stringify(u.metadata),
            created_at: u.createdAt,
          })
          .execute();
      },
      async getUpload(id) {
        const r = await db.selectFrom('uploads').selectAll().where('upload_id', '=', id).executeTakeFirst();
        return r
          ? {
              uploadId: r.upload_id,
              bucket: r.bucket,
              key: r.key,
              contentType: r.content_type,
              metadata: JSON.parse(r.metadata) as Record<string, string>,
              createdAt: Number(r.created_at),
            }
          : undefined;
      },
      async putPart(pt) {
        const row = {
          upload_id: pt.uploadId,
          part_number: pt.partNumber,
          size: pt.size,
          etag: pt.etag,
          sha256: pt.sha256,
        };
        await db
          .insertInto('upload_parts')
          .values(row)
          .onConflict((oc) =>
            oc
              .columns(['upload_id', 'part_number'])
              .doUpdateSet({ size: pt.size, etag: pt.etag, sha256: pt.sha256 }),
          )
          .execute();
      },
      async listParts(id) {
        const rows = await db
          .selectFrom('upload_parts')
          .selectAll()
          .where('upload_id', '=', id)
          .orderBy('part_number')
          .execute();
        return rows.map((r) => ({
          uploadId: r.upload_id,
          partNumber: Number(r.part_number),
          size: Number(r.size),
          etag: r.etag,
          sha256: r.sha256,
        }));
      },
      async deleteUpload(id) {
        await db.deleteFrom('upload_parts').where('upload_id', '=', id).execute();
        await db.deleteFrom('uploads').where('upload_id', '=', id).execute();
      },
      async putNotifications(bucket, origin, list) {
        let q = db.deleteFrom('bucket_notifications').where('bucket', '=', bucket);
        if (origin) q = q.where('origin', '=', origin);
        await q.execute();
        for (const n of list)
          await db
            .insertInto('bucket_notifications')
            .values({
              bucket,
              id: n.id,
              function_name: n.functionName,
              events: JSON.stringify(n.events),
              prefix: n.prefix ?? null,
              suffix: n.suffix ?? null,
              origin: n.origin,
            })
            .execute();
      },
      async listNotifications(bucket) {
        let q = db.selectFrom('bucket_notifications').selectAll();
        if (bucket !== undefined) q = q.where('bucket', '=', bucket);
        const rows = await q.orderBy('bucket').orderBy('id').execute();
        return rows.map((r) => ({
          bucket: r.bucket,
          id: r.id,
          functionName: r.function_name,
          events: JSON.parse(r.events) as string[],
          prefix: r.prefix ?? undefined,
          suffix: r.suffix ?? undefined,
          origin: r.origin === 'manifest' ? 'manifest' : 'api',
        }));
      },
      async deleteNotificationsFor(functionName, origin) {
        let q = db.deleteFrom('bucket_notifications').where('function_name', '=', functionName);
        if (origin) q = q.where('origin', '=', origin);
        return Number((await q.executeTakeFirst()).numDeletedRows);
      },
    },

    outbox: {
      async add(items) {
        if (items.length > 0)
          await db
            .insertInto('outbox')
            .values(items.map((i) => ({ tenant: i.tenant, item: i.item })))
            .execute();
      },
      async take(limit) {
        const rows = await db.selectFrom('outbox').selectAll().orderBy('seq').limit(limit).execute();
        return rows.map((r) => ({ seq: Number(r.seq), tenant: r.tenant, item: r.item }));
      },
      async delete(seqs) {
        if (seqs.length > 0)
          await db
            .deleteFrom('outbox')
            .where('seq', 'in', [...seqs])
            .execute();
      },
    },

    sources: {
      ...tenantRows(db, 'sources', 'id', toSource),
      create: (x) =>
        insertOrConflict(`source ${x.id}`, () =>
          db
            .insertInto('sources')
            .values({
              tenant: x.tenant,
              id: x.id,
              function_name: x.functionName,
              qualifier: x.qualifier ?? null,
              kind: x.kind,
              config: JSON.stringify(x.config),
              batch_size: x.batchSize,
              batch_window_ms: x.batchWindowMs,
              max_retries: x.maximumRetryAttempts,
              concurrency: x.concurrency,
              enabled: x.enabled ? 1 : 0,
              origin: x.origin,
              created_at: x.createdAt,
            })
            .execute(),
        ),
      async deleteForFunction(tenant, functionName, origin) {
        let q = db
          .selectFrom('sources')
          .select('id')
          .where('tenant', '=', tenant)
          .where('function_name', '=', functionName);
        if (origin) q = q.where('origin', '=', origin);
        const ids = (await q.execute()).map((r) => r.id);
        for (const id of ids)
          await db.deleteFrom('sources').where('tenant', '=', tenant).where('id', '=', id).execute();
        return ids;
      },
    },

    webhooks: {
      create: (w) =>
        insertOrConflict(`webhook ${w.id}`, () =>
          db
            .insertInto('webhooks')
            .values({
              id: w.id,
              tenant: w.tenant,
              topic: w.topic,
              verification: w.verification,
              secret_ciphertext: w.secretCiphertext ?? null,
              header: w.header ?? null,
              tolerance_sec: w.toleranceSec,
              description: w.description,
              created_at: w.createdAt,
            })
            .execute(),
        ),
      async get(id) {
        const r = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
        return r ? toWebhook(r) : undefined;
      },
      async list(tenant) {
        return (
          await db.selectFrom('webhooks').selectAll().where('tenant', '=', tenant).orderBy('id').execute()
        ).map(toWebhook);
      },
      async delete(tenant, id) {
        const r = await db
          .deleteFrom('webhooks')
          .where('tenant', '=', tenant)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },

    topics: {
      async put(t) {
        const exists = await db
          .selectFrom('topics')
          .select('name')
          .where('tenant', '=', t.tenant)
          .where('name', '=', t.name)
          .executeTakeFirst();
        if (exists) {
          await db
            .updateTable('topics')
            .set({ description: t.description })
            .where('tenant', '=', t.tenant)
            .where('name', '=', t.name)
            .execute();
          return false;
        }
        await db
          .insertInto('topics')
          .values({ tenant: t.tenant, name: t.name, description: t.description, created_at: t.createdAt })
          .onConflict((oc) => oc.columns(['tenant', 'name']).doNothing())
          .execute();
        return true;
      },
      async get(tenant, name) {
        const r = await db
          .selectFrom('topics')
          .selectAll()
          .where('tenant', '=', tenant)
          .where('name', '=', name)
          .executeTakeFirst();
        return r
          ? { tenant: r.tenant, name: r.name, description: r.description, createdAt: r.created_at }
          : undefined;
      },
      async list(tenant) {
        const rows = await db
          .selectFrom('topics')
          .selectAll()
          .where('tenant', '=', tenant)
          .orderBy('name')
          .execute();
        return rows.map((r) => ({
          tenant: r.tenant,
          name: r.name,
          description: r.description,
          createdAt: r.created_at,
        }));
      },
      async delete(tenant, name) {
        await db.deleteFrom('subscriptions').where('tenant', '=', tenant).where('topic', '=', name).execute();
        const r = await db
          .deleteFrom('topics')
          .where('tenant', '=', tenant)
          .where('name', '=', name)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },

    subscriptions: {
      create: (s) =>
        insertOrConflict(`subscription ${s.id}`, () =>
          db
            .insertInto('subscriptions')
            .values({
              tenant: s.tenant,
              id: s.id,
              topic: s.topic,
              pattern: s.pattern ?? null,
              target: JSON.stringify(s.target),
              input_transformer: s.inputTransformer ? JSON.stringify(s.inputTransformer) : null,
              partition_key: s.partitionKey ?? null,
              retry: s.retry ? JSON.stringify(s.retry) : null,
              origin: s.origin,
              owner: s.owner ?? null,
              description: s.description,
              created_at: s.createdAt,
            })
            .execute(),
        ),
      async get(tenant, id) {
        const r = await db
          .selectFrom('subscriptions')
          .selectAll()
          .where('tenant', '=', tenant)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toSubscription(r) : undefined;
      },
      async list(tenant, topic) {
        let q = db.selectFrom('subscriptions').selectAll().where('tenant', '=', tenant);
        if (topic !== undefined) q = q.where('topic', '=', topic);
        return (await q.orderBy('created_at').orderBy('id').execute()).map(toSubscription);
      },
      async listAll() {
        return (await db.selectFrom('subscriptions').selectAll().orderBy('created_at').execute()).map(
          toSubscription,
        );
      },
      async delete(tenant, id) {
        const r = await db
          .deleteFrom('subscriptions')
          .where('tenant', '=', tenant)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async deleteOwned(tenant, owner) {
        const r = await db
          .deleteFrom('subscriptions')
          .where('tenant', '=', tenant)
          .where('owner', '=', owner)
          .where('origin', '=', 'manifest')
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },

    schedules: {
      ...tenantRows(db, 'schedules', 'name', toSchedule),
      async put(r) {
        const row = {
          tenant: r.tenant,
          name: r.name,
          function_name: r.functionName,
          qualifier: r.qualifier ?? null,
          expression: r.expression,
          timezone: r.timezone,
          input: r.input ?? null,
          enabled: r.enabled ? 1 : 0,
          misfire: r.misfire,
          origin: r.origin,
          description: r.description,
          next_fire_at: r.nextFireAt ?? null,
          last_fire_at: r.lastFireAt ?? null,
          created_at: r.createdAt,
          updated_at: r.updatedAt,
        };
        const { tenant: _t, name: _n, created_at: _c, ...update } = row;
        await db
          .insertInto('schedules')
          .values(row)
          .onConflict((oc) => oc.columns(['tenant', 'name']).doUpdateSet(update))
          .execute();
      },
      async deleteForFunction(tenant, functionName, origin) {
        let q = db
          .deleteFrom('schedules')
          .where('tenant', '=', tenant)
          .where('function_name', '=', functionName);
        if (origin) q = q.where('origin', '=', origin);
        return Number((await q.executeTakeFirst()).numDeletedRows);
      },
      async advance(tenant, name, expected, next, lastFireAt) {
        let q = db
          .updateTable('schedules')
          .set({
            next_fire_at: next ?? null,
            ...(lastFireAt !== undefined ? { last_fire_at: lastFireAt } : {}),
          })
          .where('tenant', '=', tenant)
          .where('name', '=', name);
        q =
          expected === undefined
            ? q.where('next_fire_at', 'is', null)
            : q.where('next_fire_at', '=', expected);
        return Number((await q.executeTakeFirst()).numUpdatedRows) > 0;
      },
    },

    usage: {
      async record(u) {
        await this.recordMany([u]);
      },
      async recordMany(us) {
        // Chunked under SQLite's bound-parameter limit (12 columns per row).
        for (let i = 0; i < us.length; i += 500) {
          await db
            .insertInto('usage')
            .values(
              us.slice(i, i + 500).map((u) => ({
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
              })),
            )
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
          .select((eb) => [
            eb.fn.countAll().as('n'),
            eb.fn.coalesce(eb.fn.sum('gb_seconds'), eb.lit(0)).as('gbs'),
            eb.fn.coalesce(eb.fn.sum('billed_duration_ms'), eb.lit(0)).as('billed'),
            eb.fn.count('init_duration_ms').as('cold'),
            eb.fn.sum(eb.case().when('outcome', '!=', 'success').then(1).else(0).end()).as('errors'),
          ])
          .executeTakeFirstOrThrow();
        return {
          invocations: num(r.n),
          gbSeconds: num(r.gbs),
          billedDurationMs: num(r.billed),
          coldStarts: num(r.cold),
          errors: num(r.errors ?? 0),
        };
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
