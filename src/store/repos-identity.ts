/**
 * Repos of the identity capability (tenants, access keys, execution roles, secrets, the audit
 * log), shared by both adapters; `makeRepos` spreads them in.
 */
import type { Selectable } from 'kysely';
import type { StoreRepos } from '../core/ports.ts';
import type {
  ApiKeyRecord,
  AuditRecord,
  AuditResult,
  RoleRecord,
  SecretRecord,
  TenantRecord,
} from '../core/types.ts';
import { type Db, insertOrConflict, inTransaction } from './db.ts';
import type { Tables } from './schema.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const opt = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : num(v));

export const toKey = (r: Selectable<Tables['api_keys']>): ApiKeyRecord => ({
  tenant: r.tenant,
  keyId: r.key_id,
  kind: r.kind === 'service' ? 'service' : 'user',
  secretHash: r.secret_hash,
  secretCiphertext: r.secret_ciphertext,
  prevSecretHash: r.prev_secret_hash ?? undefined,
  prevSecretCiphertext: r.prev_secret_ciphertext ?? undefined,
  prevExpiresAt: opt(r.prev_expires_at),
  policies: JSON.parse(r.policies) as ApiKeyRecord['policies'],
  description: r.description,
  createdAt: num(r.created_at),
  expiresAt: opt(r.expires_at),
  disabled: num(r.disabled) !== 0,
});

const keyRow = (k: ApiKeyRecord) => ({
  tenant: k.tenant,
  key_id: k.keyId,
  kind: k.kind,
  secret_hash: k.secretHash,
  secret_ciphertext: k.secretCiphertext,
  prev_secret_hash: k.prevSecretHash ?? null,
  prev_secret_ciphertext: k.prevSecretCiphertext ?? null,
  prev_expires_at: k.prevExpiresAt ?? null,
  // The column predates policies; kept for old readers.
  role: 'policy',
  policies: JSON.stringify(k.policies),
  description: k.description,
  created_at: k.createdAt,
  expires_at: k.expiresAt ?? null,
  disabled: k.disabled ? 1 : 0,
});

const toTenant = (r: Selectable<Tables['tenants']>): TenantRecord => ({
  id: r.id,
  accountId: r.account_id,
  description: r.description,
  createdAt: num(r.created_at),
});

const toRole = (r: Selectable<Tables['roles']>): RoleRecord => ({
  tenant: r.tenant,
  name: r.name,
  policies: JSON.parse(r.policies) as RoleRecord['policies'],
  description: r.description,
  generation: num(r.generation),
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

const toSecret = (r: Selectable<Tables['secrets']>): SecretRecord => ({
  tenant: r.tenant,
  name: r.name,
  description: r.description,
  ciphertext: r.ciphertext,
  wrappedKey: r.wrapped_key,
  kekId: r.kek_id,
  versionId: r.version_id,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

const toAudit = (r: Selectable<Tables['audit_log']>): AuditRecord => ({
  seq: num(r.seq),
  tenant: r.tenant,
  ts: num(r.ts),
  principal: r.principal,
  action: r.action,
  resource: r.resource,
  sourceIp: r.source_ip,
  result: r.result as AuditResult,
  status: num(r.status),
  detail: r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export function makeIdentityRepos(
  db: Db,
  kind: string,
): Pick<StoreRepos, 'keys' | 'tenants' | 'roles' | 'secrets' | 'audit'> {
  return {
    keys: {
      create: (k) =>
        insertOrConflict(`key ${k.keyId}`, () => db.insertInto('api_keys').values(keyRow(k)).execute()),
      async get(keyId) {
        const r = await db.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
        return r && toKey(r);
      },
      async getBySecretHash(h) {
        const r = await db
          .selectFrom('api_keys')
          .selectAll()
          .where((eb) => eb.or([eb('secret_hash', '=', h), eb('prev_secret_hash', '=', h)]))
          .executeTakeFirst();
        return r && toKey(r);
      },
      async list(tenant) {
        return (
          await db.selectFrom('api_keys').selectAll().where('tenant', '=', tenant).orderBy('key_id').execute()
        ).map(toKey);
      },
      async update(k) {
        const { key_id, ...row } = keyRow(k);
        const r = await db.updateTable('api_keys').set(row).where('key_id', '=', key_id).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      async delete(keyId) {
        const r = await db.deleteFrom('api_keys').where('key_id', '=', keyId).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },

    tenants: {
      create: (t) =>
        insertOrConflict(`tenant ${t.id} (or its account id)`, () =>
          db
            .insertInto('tenants')
            .values({
              id: t.id,
              account_id: t.accountId,
              description: t.description,
              created_at: t.createdAt,
            })
            .execute(),
        ),
      async get(id) {
        const r = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
        return r && toTenant(r);
      },
      async getByAccount(accountId) {
        const r = await db
          .selectFrom('tenants')
          .selectAll()
          .where('account_id', '=', accountId)
          .executeTakeFirst();
        return r && toTenant(r);
      },
      async list() {
        return (await db.selectFrom('tenants').selectAll().orderBy('id').execute()).map(toTenant);
      },
      async delete(id) {
        const r = await db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },

    roles: {
      put: (rec) =>
        inTransaction(db, async (tx) => {
          const cur = await tx
            .selectFrom('roles')
            .selectAll()
            .where('tenant', '=', rec.tenant)
            .where('name', '=', rec.name)
            .executeTakeFirst();
          const out: RoleRecord = {
            tenant: rec.tenant,
            name: rec.name,
            policies: rec.policies,
            description: rec.description,
            generation: cur ? num(cur.generation) + 1 : 1,
            createdAt: cur ? num(cur.created_at) : (rec.createdAt ?? rec.updatedAt),
            updatedAt: rec.updatedAt,
          };
          const row = {
            policies: JSON.stringify(out.policies),
            description: out.description,
            generation: out.generation,
            updated_at: out.updatedAt,
          };
          if (cur)
            await tx
              .updateTable('roles')
              .set(row)
              .where('tenant', '=', rec.tenant)
              .where('name', '=', rec.name)
              .execute();
          else
            await tx
              .insertInto('roles')
              .values({ tenant: rec.tenant, name: rec.name, created_at: out.createdAt, ...row })
              .execute();
          return out;
        }),
      async get(tenant, name) {
        const r = await db
          .selectFrom('roles')
          .selectAll()
          .where('tenant', '=', tenant)
          .where('name', '=', name)
          .executeTakeFirst();
        return r && toRole(r);
      },
      async list(tenant) {
        return (
          await db.selectFrom('roles').selectAll().where('tenant', '=', tenant).orderBy('name').execute()
        ).map(toRole);
      },
      async delete(tenant, name) {
        const r = await db
          .deleteFrom('roles')
          .where('tenant', '=', tenant)
          .where('name', '=', name)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },

    secrets: {
      async put(s) {
        const row = {
          description: s.description,
          ciphertext: s.ciphertext,
          wrapped_key: s.wrappedKey,
          kek_id: s.kekId,
          version_id: s.versionId,
          updated_at: s.updatedAt,
        };
        await db
          .insertInto('secrets')
          .values({ tenant: s.tenant, name: s.name, created_at: s.createdAt, ...row })
          .onConflict((oc) => oc.columns(['tenant', 'name']).doUpdateSet(row))
          .execute();
      },
      async get(tenant, name) {
        const r = await db
          .selectFrom('secrets')
          .selectAll()
          .where('tenant', '=', tenant)
          .where('name', '=', name)
          .executeTakeFirst();
        return r && toSecret(r);
      },
      async list(tenant) {
        return (
          await db.selectFrom('secrets').selectAll().where('tenant', '=', tenant).orderBy('name').execute()
        ).map(toSecret);
      },
      async delete(tenant, name) {
        const r = await db
          .deleteFrom('secrets')
          .where('tenant', '=', tenant)
          .where('name', '=', name)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async listNotWrappedBy(kekId, limit) {
        return (
          await db
            .selectFrom('secrets')
            .selectAll()
            .where('kek_id', '!=', kekId)
            .orderBy('tenant')
            .orderBy('name')
            .limit(limit)
            .execute()
        ).map(toSecret);
      },
      async rewrap(tenant, name, expectVersionId, wrappedKey, kekId) {
        const r = await db
          .updateTable('secrets')
          .set({ wrapped_key: wrappedKey, kek_id: kekId })
          .where('tenant', '=', tenant)
          .where('name', '=', name)
          .where('version_id', '=', expectVersionId)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
    },

    audit: {
      async append(entries, link) {
        if (entries.length === 0) return;
        await inTransaction(db, async (tx) => {
          // The head row is the lock: on PostgreSQL, FOR UPDATE makes concurrent appenders (other
          // nodes) wait; SQLite has one writer at a time anyway.
          let q = tx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
          if (kind === 'postgres') q = q.forUpdate();
          const head = await q.executeTakeFirstOrThrow();
          let seq = num(head.seq);
          let prev = head.hash;
          const rows = [];
          for (const e of entries) {
            seq++;
            const hash = link(prev, seq, e);
            rows.push({
              seq,
              tenant: e.tenant,
              ts: e.ts,
              principal: e.principal,
              action: e.action,
              resource: e.resource,
              source_ip: e.sourceIp,
              result: e.result,
              status: e.status,
              detail: e.detail,
              prev_hash: prev,
              hash,
            });
            prev = hash;
          }
          for (let i = 0; i < rows.length; i += 200)
            await tx
              .insertInto('audit_log')
              .values(rows.slice(i, i + 200))
              .execute();
          await tx.updateTable('audit_head').set({ seq, hash: prev }).where('id', '=', 1).execute();
        });
      },
      async query(q) {
        let s = db.selectFrom('audit_log').selectAll();
        if (q.tenant !== undefined) s = s.where('tenant', '=', q.tenant);
        if (q.principal !== undefined) s = s.where('principal', '=', q.principal);
        if (q.action !== undefined) s = s.where('action', '=', q.action);
        if (q.result !== undefined) s = s.where('result', '=', q.result);
        if (q.since !== undefined) s = s.where('ts', '>=', q.since);
        if (q.until !== undefined) s = s.where('ts', '<', q.until);
        if (q.afterSeq !== undefined) s = s.where('seq', '>', q.afterSeq);
        const rows = await s
          .orderBy('seq')
          .limit(Math.min(Math.max(1, q.limit), 10_000))
          .execute();
        return rows.map(toAudit);
      },
      async scan(afterSeq, limit) {
        return (
          await db
            .selectFrom('audit_log')
            .selectAll()
            .where('seq', '>', afterSeq)
            .orderBy('seq')
            .limit(limit)
            .execute()
        ).map(toAudit);
      },
      async head() {
        const h = await db
          .selectFrom('audit_head')
          .select(['seq', 'hash'])
          .where('id', '=', 1)
          .executeTakeFirstOrThrow();
        return { seq: num(h.seq), hash: h.hash };
      },
      async prune(beforeTs) {
        return inTransaction(db, async (tx) => {
          const last = await tx
            .selectFrom('audit_log')
            .selectAll()
            .where('ts', '<', beforeTs)
            .orderBy('seq', 'desc')
            .limit(1)
            .executeTakeFirst();
          if (!last) return undefined;
          await tx.deleteFrom('audit_log').where('seq', '<=', last.seq).execute();
          return toAudit(last);
        });
      },
    },
  };
}
