/**
 * One function of a project manifest → `PUT /v1/functions/{name}` (its deployed name,
 * `<service>-<stage>-<key>` for a serverless.yml) + its routes, schedules, subscriptions,
 * sources and bucket events. `nimbus dev` deploys this way, one function after the other;
 * `nimbus deploy` uses the pieces (the function's configuration, its wiring) in its two phases
 * (./deploy-plan.ts).
 */
import type { ManifestFunction, ProjectManifest } from '../config/manifest.ts';
import type { ApiClient } from './client.ts';

export interface DeployedFunction {
  function: { name: string; codeSha256: string; codeSize: number };
  version?: { version: string } | undefined;
  timings: { buildMs: number; storeMs: number; totalMs: number };
  warnings: string[];
  unchanged: boolean;
  routes: { routeKey: string }[];
  schedules: { name: string; expression: string; nextFireAt: string | null }[];
  subscriptions: { id: string; topic: string }[];
  sources: { id: string; kind: string }[];
  bucketEvents: { bucket: string; events: string[] }[];
  wallMs: number;
}

/** The function's configuration in the body of `PUT /v1/functions/{name}` (without its code). */
export function functionBody(f: ManifestFunction): Record<string, unknown> {
  return {
    runtime: f.runtime,
    handler: f.handler,
    memoryMb: f.memoryMb,
    timeoutSec: f.timeoutSec,
    environment: f.environment,
    description: f.description,
    ...(f.async ? { async: f.async } : {}),
    ...(f.reservedConcurrency !== undefined ? { reservedConcurrency: f.reservedConcurrency } : {}),
    ...(f.scaling ? { scaling: f.scaling } : {}),
    ...(f.isolation ? { isolation: f.isolation } : {}),
    ...(f.egress ? { egress: f.egress } : {}),
    // Deploying from a manifest is declarative: no role there means the default execution role.
    role: f.role ?? null,
    ...(f.secrets ? { secrets: f.secrets } : {}),
  };
}

/** What hangs off a function, one `PUT /v1/functions/{name}/<kind>` each. */
export const WIRING_KINDS = ['routes', 'schedules', 'subscriptions', 'sources', 'bucket-events'] as const;
export type WiringKind = (typeof WIRING_KINDS)[number];
export type Wiring = Record<WiringKind, Record<string, unknown>[]>;

/** The routes, schedules, subscriptions, sources and bucket events a manifest gives a function. */
export function wiringOf(f: ManifestFunction): Wiring {
  const all = <T>(pick: (e: ManifestFunction['events'][number]) => T[] | undefined) =>
    f.events.flatMap((e) => pick(e) ?? []) as Record<string, unknown>[];
  return {
    routes: all((e) => (e.route ? [e.route] : undefined)),
    schedules: all((e) => e.schedules),
    subscriptions: all((e) => e.subscriptions),
    sources: all((e) => e.sources),
    'bucket-events': all((e) => e.bucketEvents),
  };
}

/** The request body's list key and the response's, per kind. */
const KEYS: Record<WiringKind, { body: string; reply: string }> = {
  routes: { body: 'routes', reply: 'routes' },
  schedules: { body: 'schedules', reply: 'schedules' },
  subscriptions: { body: 'subscriptions', reply: 'subscriptions' },
  sources: { body: 'sources', reply: 'sources' },
  'bucket-events': { body: 'events', reply: 'events' },
};

/** Replaces one kind of a function's wiring (declarative, like sls deploy); returns what it has now. */
export async function putWiring<T = Record<string, unknown>>(
  client: ApiClient,
  name: string,
  kind: WiringKind,
  items: readonly Record<string, unknown>[],
): Promise<T[]> {
  const r = await client.call<Record<string, T[]>>(
    'PUT',
    `/v1/functions/${encodeURIComponent(name)}/${kind}`,
    { [KEYS[kind].body]: items },
  );
  return r[KEYS[kind].reply] ?? [];
}

/** Deploys one function and then its wiring, in place (`nimbus dev`: one function at a time). */
export async function deployFunction(
  client: ApiClient,
  manifest: ProjectManifest,
  f: ManifestFunction,
  zipBase64: string,
  publish: boolean,
): Promise<DeployedFunction> {
  const t0 = performance.now();
  const r = await client.call<
    Omit<DeployedFunction, 'routes' | 'schedules' | 'subscriptions' | 'sources' | 'bucketEvents' | 'wallMs'>
  >('PUT', `/v1/functions/${encodeURIComponent(f.name)}`, {
    ...functionBody(f),
    code: { zipBase64 },
    publish,
  });
  const out = { routes: [], schedules: [], subscriptions: [], sources: [], bucketEvents: [] } as Pick<
    DeployedFunction,
    'routes' | 'schedules' | 'subscriptions' | 'sources' | 'bucketEvents'
  >;
  if (manifest.source !== 'inferred') {
    const w = wiringOf(f);
    out.routes = await putWiring(client, f.name, 'routes', w.routes);
    out.schedules = await putWiring(client, f.name, 'schedules', w.schedules);
    out.subscriptions = await putWiring(client, f.name, 'subscriptions', w.subscriptions);
    out.sources = await putWiring(client, f.name, 'sources', w.sources);
    out.bucketEvents = await putWiring(client, f.name, 'bucket-events', w['bucket-events']);
  }
  return { ...r, ...out, wallMs: performance.now() - t0 };
}
