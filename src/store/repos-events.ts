/**
 * Repos of the event-driven capabilities (schedules, topics, subscriptions, webhooks, event
 * sources, buckets/objects and the outbox), shared by both adapters. Split from repos.ts by
 * concern; `makeRepos` spreads them in.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { StoreRepos } from '../core/ports.ts';
import type {
  ObjectRecord,
  ScheduleRecord,
  SourceRecord,
  SubscriptionRecord,
  WebhookRecord,
} from '../core/types.ts';
import { type Db, insertOrConflict } from './db.ts';
import type { Tables } from './schema.ts';

const toSchedule = (r: Selectable<Tables['schedules']>): ScheduleRecord => ({
  tenant: r.tenant,
  name: r.name,
  functionName: r.function_name,
  ...(r.state_machine ? { stateMachine: r.state_machine } : {}),
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

type EventRepos = Pick<
  StoreRepos,
  'objects' | 'outbox' | 'sources' | 'webhooks' | 'topics' | 'subscriptions' | 'schedules'
>;

export function makeEventRepos(db: Db, kind: string): EventRepos {
  const objectRow = (bucket: string, key: string) =>
    db
      .selectFrom('objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('key', '=', key)
      .executeTakeFirst();
  return {
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
        const prior = await objectRow(o.bucket, o.key);
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
        const r = await objectRow(bucket, key);
        return r ? toObject(r) : undefined;
      },
      async deleteObject(bucket, key) {
        const r = await objectRow(bucket, key);
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
      async deleteNotificationsFor(tenant, functionName, origin) {
        let q = db
          .deleteFrom('bucket_notifications')
          .where('function_name', '=', functionName)
          .where('bucket', 'in', db.selectFrom('buckets').select('name').where('tenant', '=', tenant));
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
          state_machine: r.stateMachine ?? null,
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
  };
}
