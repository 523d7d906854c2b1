/**
 * What a tenant owns, counted and (with `--force`) removed, kind by kind. Removal goes through the
 * owning service where one exists, so side effects follow (instances stopped, broker connections
 * closed, indexes rebuilt, blobs released); plain records go through their repo. The audit log is
 * append-only and keeps the tenant's records; usage and log rows are kept for billing and are
 * pruned by their own retention.
 */
import type { TenantId } from '../core/types.ts';

export interface ResourceKind {
  readonly name: string;
  list(tenant: TenantId): Promise<readonly string[]>;
  remove(tenant: TenantId, id: string): Promise<void>;
}

export interface TenantResources {
  /** Count per kind (kinds with none are left out). */
  count(tenant: TenantId): Promise<Record<string, number>>;
  /** Removes everything, dependents first; returns what was removed per kind. */
  purge(tenant: TenantId): Promise<Record<string, number>>;
}

/** `kinds` in removal order: dependents (subscriptions, routes…) before what they point at. */
export function tenantResources(kinds: readonly ResourceKind[]): TenantResources {
  return {
    async count(tenant) {
      const out: Record<string, number> = {};
      for (const k of kinds) {
        const n = (await k.list(tenant)).length;
        if (n > 0) out[k.name] = n;
      }
      return out;
    },
    async purge(tenant) {
      const out: Record<string, number> = {};
      for (const k of kinds) {
        const ids = await k.list(tenant);
        for (const id of ids) await k.remove(tenant, id);
        if (ids.length > 0) out[k.name] = ids.length;
      }
      return out;
    },
  };
}

/** Services a tenant's resources live in (narrow: only what counting and removal need). */
export interface TenantServices {
  readonly functions: {
    listFunctions(t: TenantId): Promise<readonly { name: string }[]>;
    deleteFunction(t: TenantId, name: string): Promise<void>;
  };
  readonly routes: {
    list(t: TenantId): Promise<readonly { id: string }[]>;
    delete(t: TenantId, id: string): Promise<unknown>;
  };
  readonly schedules: {
    list(t: TenantId): Promise<readonly { name: string }[]>;
    delete(t: TenantId, name: string): Promise<void>;
  };
  readonly bus: {
    listTopics(t: TenantId): Promise<readonly { name: string }[]>;
    deleteTopic(t: TenantId, name: string): Promise<void>;
    listSubscriptions(t: TenantId): Promise<readonly { id: string }[]>;
    unsubscribe(t: TenantId, id: string): Promise<void>;
  };
  readonly webhooks: {
    list(t: TenantId): Promise<readonly { id: string }[]>;
    delete(t: TenantId, id: string): Promise<void>;
  };
  readonly sources: {
    list(t: TenantId): Promise<readonly { id: string }[]>;
    delete(t: TenantId, id: string): Promise<void>;
  };
  readonly buckets: {
    listBuckets(t: TenantId): Promise<readonly { name: string }[]>;
    /** Empties and deletes the bucket. */
    destroyBucket(t: TenantId, name: string): Promise<void>;
  };
  readonly queues: {
    listQueues(t: TenantId): Promise<readonly { name: string }[]>;
    deleteQueue(t: TenantId, name: string): Promise<void>;
  };
  readonly secrets: {
    list(t: TenantId): Promise<readonly { name: string }[]>;
    delete(t: TenantId, name: string): Promise<unknown>;
  };
  readonly roles: {
    list(t: TenantId): Promise<readonly { name: string }[]>;
    delete(t: TenantId, name: string): Promise<unknown>;
  };
  readonly keys: {
    list(t: TenantId): Promise<readonly { keyId: string }[]>;
    delete(keyId: string): Promise<unknown>;
  };
}

export function tenantResourcesOf(s: TenantServices): TenantResources {
  const kind = <T>(
    name: string,
    list: (t: TenantId) => Promise<readonly T[]>,
    id: (x: T) => string,
    remove: (t: TenantId, id: string) => Promise<unknown>,
  ): ResourceKind => ({
    name,
    list: async (t) => (await list(t)).map(id),
    remove: async (t, i) => {
      await remove(t, i);
    },
  });
  return tenantResources([
    kind(
      'subscriptions',
      (t) => s.bus.listSubscriptions(t),
      (x) => x.id,
      (t, i) => s.bus.unsubscribe(t, i),
    ),
    kind(
      'routes',
      (t) => s.routes.list(t),
      (x) => x.id,
      (t, i) => s.routes.delete(t, i),
    ),
    kind(
      'schedules',
      (t) => s.schedules.list(t),
      (x) => x.name,
      (t, i) => s.schedules.delete(t, i),
    ),
    kind(
      'sources',
      (t) => s.sources.list(t),
      (x) => x.id,
      (t, i) => s.sources.delete(t, i),
    ),
    kind(
      'webhooks',
      (t) => s.webhooks.list(t),
      (x) => x.id,
      (t, i) => s.webhooks.delete(t, i),
    ),
    kind(
      'topics',
      (t) => s.bus.listTopics(t),
      (x) => x.name,
      (t, i) => s.bus.deleteTopic(t, i),
    ),
    kind(
      'queues',
      (t) => s.queues.listQueues(t),
      (x) => x.name,
      (t, i) => s.queues.deleteQueue(t, i),
    ),
    kind(
      'functions',
      (t) => s.functions.listFunctions(t),
      (x) => x.name,
      (t, i) => s.functions.deleteFunction(t, i),
    ),
    kind(
      'buckets',
      (t) => s.buckets.listBuckets(t),
      (x) => x.name,
      (t, i) => s.buckets.destroyBucket(t, i),
    ),
    kind(
      'secrets',
      (t) => s.secrets.list(t),
      (x) => x.name,
      (t, i) => s.secrets.delete(t, i),
    ),
    kind(
      'roles',
      (t) => s.roles.list(t),
      (x) => x.name,
      (t, i) => s.roles.delete(t, i),
    ),
    kind(
      'keys',
      (t) => s.keys.list(t),
      (x) => x.keyId,
      (_t, i) => s.keys.delete(i),
    ),
  ]);
}
