/**
 * Function environment variables hold users' secrets (API tokens, database passwords), so they are
 * encrypted at rest like Lambda does: this Store decorator seals `config.environment` of functions
 * and versions with the master key on write and opens it on read. Everything else passes through.
 */
import type { FunctionRepo, SourceRepo, Store, StoreRepos, VersionRepo } from '../core/ports.ts';
import type { FunctionConfig, SourceRecord } from '../core/types.ts';
import { decryptSecret, encryptSecret } from './secrets.ts';

const SEALED = '__nimbus_sealed_env';

function seal(key: Buffer, c: FunctionConfig): FunctionConfig {
  if (Object.keys(c.environment).length === 0) return c;
  return {
    ...c,
    environment: { [SEALED]: encryptSecret(key, JSON.stringify(c.environment), 'environment') },
  };
}

function open(key: Buffer, c: FunctionConfig): FunctionConfig {
  const sealed = c.environment[SEALED];
  if (sealed === undefined) return c;
  return {
    ...c,
    environment: JSON.parse(decryptSecret(key, sealed, 'environment')) as Record<string, string>,
  };
}

function wrapFunctions(key: Buffer, r: FunctionRepo): FunctionRepo {
  const o = <T extends { config: FunctionConfig } | undefined>(x: T): T =>
    x ? { ...x, config: open(key, x.config) } : x;
  return {
    create: (f) => r.create({ ...f, config: seal(key, f.config) }),
    get: async (t, n) => o(await r.get(t, n)),
    list: async (t) => (await r.list(t)).map((f) => o(f)),
    update: (f, rev) => r.update({ ...f, config: seal(key, f.config) }, rev),
    delete: (t, n) => r.delete(t, n),
  };
}

function wrapVersions(key: Buffer, r: VersionRepo): VersionRepo {
  const o = <T extends { config: FunctionConfig } | undefined>(x: T): T =>
    x ? { ...x, config: open(key, x.config) } : x;
  return {
    publish: async (t, n, d) => o(await r.publish(t, n, { ...d, config: seal(key, d.config) })),
    get: async (t, n, v) => o(await r.get(t, n, v)),
    list: async (t, n) => (await r.list(t, n)).map((v) => o(v)),
    latest: async (t, n) => o(await r.latest(t, n)),
  };
}

/** Event source configs carry broker URLs with credentials: sealed whole. */
function wrapSources(key: Buffer, r: SourceRepo): SourceRepo {
  const aad = (x: SourceRecord) => `source:${x.tenant}:${x.id}`;
  const o = <T extends SourceRecord | undefined>(x: T): T => {
    if (!x) return x;
    const sealed = x.config[SEALED];
    if (typeof sealed !== 'string') return x;
    return { ...x, config: JSON.parse(decryptSecret(key, sealed, aad(x))) as Record<string, unknown> };
  };
  return {
    create: (x) =>
      r.create({ ...x, config: { [SEALED]: encryptSecret(key, JSON.stringify(x.config), aad(x)) } }),
    get: async (t, id) => o(await r.get(t, id)),
    list: async (t) => (await r.list(t)).map((x) => o(x)),
    listAll: async () => (await r.listAll()).map((x) => o(x)),
    delete: (t, id) => r.delete(t, id),
    deleteForFunction: (t, f, origin) => r.deleteForFunction(t, f, origin),
  };
}

function wrapRepos(key: Buffer, repos: StoreRepos): StoreRepos {
  return {
    keys: repos.keys,
    tenants: repos.tenants,
    roles: repos.roles,
    // Secrets carry their own envelope encryption (security/secrets-service).
    secrets: repos.secrets,
    audit: repos.audit,
    functions: wrapFunctions(key, repos.functions),
    versions: wrapVersions(key, repos.versions),
    aliases: repos.aliases,
    logs: repos.logs,
    logStreams: repos.logStreams,
    usage: repos.usage,
    budgets: repos.budgets,
    routes: repos.routes,
    schedules: repos.schedules,
    topics: repos.topics,
    sqsQueues: repos.sqsQueues,
    workflows: repos.workflows,
    subscriptions: repos.subscriptions,
    webhooks: repos.webhooks,
    sources: wrapSources(key, repos.sources),
    objects: repos.objects,
    outbox: repos.outbox,
    metrics: repos.metrics,
    leases: repos.leases,
    nodes: repos.nodes,
    settings: repos.settings,
  };
}

export function withEncryptedEnvironment(store: Store, masterKey: Buffer): Store {
  return {
    ...wrapRepos(masterKey, store),
    kind: store.kind,
    transaction: (fn) => store.transaction((tx) => fn(wrapRepos(masterKey, tx))),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
