/**
 * Tenants (accounts). Each has a lower-case id (used in host names: `<id>.localhost`) and a
 * 12-digit account id used in every ARN. The `default` tenant always exists and has the
 * configured account id (NIMBUS_ACCOUNT_ID), so single-tenant installs keep their ARNs.
 *
 * The directory caches the table in memory (tenants change rarely; every request needs the
 * account id): a change made through this directory is visible at once on this node, one made
 * elsewhere (another cluster node) within `cacheMs`.
 */
import { randomInt } from 'node:crypto';
import { CoreErrors } from '../core/errors.ts';
import type { Clock, TenantRepo } from '../core/ports.ts';
import { DEFAULT_TENANT, type TenantId, type TenantRecord } from '../core/types.ts';

export const TENANT_ID = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
export const ACCOUNT_ID = /^\d{12}$/;

export interface TenantDirectory {
  get(id: TenantId): Promise<TenantRecord | undefined>;
  getByAccount(accountId: string): Promise<TenantRecord | undefined>;
  list(): Promise<TenantRecord[]>;
  create(o: {
    id: string;
    accountId?: string | undefined;
    description?: string | undefined;
  }): Promise<TenantRecord>;
  delete(id: TenantId): Promise<boolean>;
  /** The account id of a tenant known to exist (ARN building); the default tenant's if unknown. */
  accountOf(id: TenantId): string;
}

export async function createTenantDirectory(o: {
  repo: TenantRepo;
  clock: Clock;
  defaultAccountId: string;
  cacheMs?: number;
}): Promise<TenantDirectory> {
  const cacheMs = o.cacheMs ?? 1000;
  let byId = new Map<string, TenantRecord>();
  let loadedAt = -Infinity;
  const reload = async () => {
    byId = new Map((await o.repo.list()).map((t) => [t.id, t]));
    loadedAt = o.clock.now();
  };
  const fresh = async () => {
    if (o.clock.now() - loadedAt >= cacheMs) await reload();
  };
  const existing = await o.repo.get(DEFAULT_TENANT);
  if (!existing)
    await o.repo
      .create({
        id: DEFAULT_TENANT,
        accountId: o.defaultAccountId,
        description: 'the default tenant',
        createdAt: o.clock.now(),
      })
      .catch(async (e) => {
        if (!(await o.repo.get(DEFAULT_TENANT))) throw e; // another node created it first
      });
  await reload();

  return {
    async get(id) {
      await fresh();
      return byId.get(id);
    },
    async getByAccount(accountId) {
      await fresh();
      for (const t of byId.values()) if (t.accountId === accountId) return t;
      return undefined;
    },
    async list() {
      await fresh();
      return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
    },
    async create(c) {
      if (!TENANT_ID.test(c.id))
        throw CoreErrors.VALIDATION({
          reason:
            'a tenant id is 2-32 characters: lower-case letters, digits and hyphens, starting with a letter',
        });
      if (c.accountId !== undefined && !ACCOUNT_ID.test(c.accountId))
        throw CoreErrors.VALIDATION({ reason: 'an account id is 12 digits' });
      for (let attempt = 0; ; attempt++) {
        const rec: TenantRecord = {
          id: c.id,
          accountId: c.accountId ?? String(randomInt(100_000_000_000, 999_999_999_999)),
          description: c.description ?? '',
          createdAt: o.clock.now(),
        };
        try {
          await o.repo.create(rec);
          byId.set(rec.id, rec);
          return rec;
        } catch (e) {
          // A generated account id that collides is drawn again; a taken tenant id is the caller's.
          if (c.accountId !== undefined || attempt > 5 || (await o.repo.get(c.id))) throw e;
        }
      }
    },
    async delete(id) {
      if (id === DEFAULT_TENANT)
        throw CoreErrors.VALIDATION({ reason: 'the default tenant cannot be deleted' });
      const ok = await o.repo.delete(id);
      byId.delete(id);
      return ok;
    },
    accountOf(id) {
      return byId.get(id)?.accountId ?? byId.get(DEFAULT_TENANT)?.accountId ?? o.defaultAccountId;
    },
  };
}
