/** One function of a project manifest → `PUT /v1/functions/{name}` + its routes (shared by deploy and dev). */
import type { ManifestFunction, ProjectManifest } from '../config/manifest.ts';
import type { ApiClient } from './client.ts';

export interface DeployedFunction {
  function: { name: string; codeSha256: string; codeSize: number };
  version?: { version: string };
  timings: { buildMs: number; storeMs: number; totalMs: number };
  warnings: string[];
  unchanged: boolean;
  routes: { routeKey: string }[];
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
  const r = await client.call<Omit<DeployedFunction, 'routes' | 'wallMs'>>('PUT', path, {
    runtime: f.runtime,
    handler: f.handler,
    memoryMb: f.memoryMb,
    timeoutSec: f.timeoutSec,
    environment: f.environment,
    description: f.description,
    code: { zipBase64 },
    publish,
  });
  // A manifest declares the function's HTTP routes: replace them (declarative, like sls deploy).
  let routes: { routeKey: string }[] = [];
  if (manifest.source !== 'inferred') {
    const specs = f.events.flatMap((e) => (e.route ? [e.route] : []));
    routes = (
      await client.call<{ routes: { routeKey: string }[] }>('PUT', `${path}/routes`, { routes: specs })
    ).routes;
  }
  return { ...r, routes, wallMs: performance.now() - t0 };
}
