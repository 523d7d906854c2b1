/**
 * One function of a project manifest → `PUT /v1/functions/{name}` (its deployed name,
 * `<service>-<stage>-<key>` for a serverless.yml) + its routes, schedules, subscriptions,
 * sources and bucket events (shared by deploy and dev).
 */
import type { ManifestFunction, ProjectManifest } from '../config/manifest.ts';
import type { ApiClient } from './client.ts';

export interface DeployedFunction {
  function: { name: string; codeSha256: string; codeSize: number };
  version?: { version: string };
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

export async function deployFunction(
  client: ApiClient,
  manifest: ProjectManifest,
  f: ManifestFunction,
  zipBase64: string,
  publish: boolean,
): Promise<DeployedFunction> {
  const t0 = performance.now();
  const path = `/v1/functions/${encodeURIComponent(f.name)}`;
  const r = await client.call<
    Omit<DeployedFunction, 'routes' | 'schedules' | 'subscriptions' | 'sources' | 'bucketEvents' | 'wallMs'>
  >('PUT', path, {
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
    code: { zipBase64 },
    publish,
  });
  // A manifest declares the function's HTTP routes and schedules: replace them (declarative,
  // like sls deploy).
  let routes: DeployedFunction['routes'] = [];
  let schedules: DeployedFunction['schedules'] = [];
  let subscriptions: DeployedFunction['subscriptions'] = [];
  let sources: DeployedFunction['sources'] = [];
  let bucketEvents: DeployedFunction['bucketEvents'] = [];
  if (manifest.source !== 'inferred') {
    const specs = f.events.flatMap((e) => (e.route ? [e.route] : []));
    routes = (
      await client.call<{ routes: DeployedFunction['routes'] }>('PUT', `${path}/routes`, { routes: specs })
    ).routes;
    const sched = f.events.flatMap((e) => e.schedules ?? []);
    schedules = (
      await client.call<{ schedules: DeployedFunction['schedules'] }>('PUT', `${path}/schedules`, {
        schedules: sched,
      })
    ).schedules;
    const subs = f.events.flatMap((e) => e.subscriptions ?? []);
    subscriptions = (
      await client.call<{ subscriptions: DeployedFunction['subscriptions'] }>(
        'PUT',
        `${path}/subscriptions`,
        {
          subscriptions: subs,
        },
      )
    ).subscriptions;
    const srcs = f.events.flatMap((e) => e.sources ?? []);
    sources = (
      await client.call<{ sources: DeployedFunction['sources'] }>('PUT', `${path}/sources`, { sources: srcs })
    ).sources;
    const be = f.events.flatMap((e) => e.bucketEvents ?? []);
    bucketEvents = (
      await client.call<{ events: DeployedFunction['bucketEvents'] }>('PUT', `${path}/bucket-events`, {
        events: be,
      })
    ).events;
  }
  return { ...r, routes, schedules, subscriptions, sources, bucketEvents, wallMs: performance.now() - t0 };
}
