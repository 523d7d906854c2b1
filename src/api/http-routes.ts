/** REST `/v1/routes`: gateway routes (route key → function), applied without a restart. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CoreErrors } from '../core/errors.ts';
import type { Clock, RouteRepo, SettingsRepo } from '../core/ports.ts';
import type { RouteAuth, RouteRecord } from '../core/types.ts';
import { hashApiKey } from '../gateway/auth.ts';
import { CORS_SETTING, CorsSchema } from '../gateway/cors.ts';
import type { RouteChange } from '../gateway/index.ts';
import { normalizeRouteKey } from '../gateway/routes.ts';
import type { RegistryService } from '../registry/types.ts';
import type { WorkflowService } from '../workflows/types.ts';
import { authorize } from './auth.ts';
import { parseBody } from './http.ts';

export interface RouteAdminDeps {
  readonly routes: RouteRepo;
  readonly settings: SettingsRepo;
  readonly registry: RegistryService;
  /** State machines that routes may target (`PUT /v1/workflows/{name}/routes`). */
  readonly workflows?: Pick<WorkflowService, 'describeMachine'> | undefined;
  readonly clock: Clock;
  /**
   * Swaps the gateway's route table; awaited so a created route answers right after 201. With a
   * change the gateway applies it in memory; without one (CORS settings) it reloads from the store.
   */
  readonly onRoutesChanged: (change?: RouteChange) => Promise<void>;
}

const AuthSpec = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('apiKey'),
    header: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .default('x-api-key'),
    keys: z.array(z.string().min(16, 'API keys must be at least 16 characters')).min(1).max(100),
  }),
  z
    .object({
      type: z.literal('jwt'),
      issuer: z.string().min(1),
      audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      jwksUrl: z.url().optional(),
      publicKeys: z.array(z.string().includes('BEGIN PUBLIC KEY')).min(1).optional(),
      scopes: z.array(z.string().min(1)).optional(),
    })
    .refine((a) => Boolean(a.jwksUrl) !== Boolean(a.publicKeys), 'give exactly one of jwksUrl or publicKeys'),
  z.object({
    type: z.literal('lambda'),
    function: z.string().min(1),
    identitySource: z
      .array(
        z
          .string()
          .regex(/^\$request\.(header|querystring)\..+$/, 'use $request.header.X or $request.querystring.X'),
      )
      .min(1)
      .default(['$request.header.Authorization']),
    ttlSec: z.number().int().min(0).max(3600).default(300),
  }),
]);
const RouteSpec = z.object({
  routeKey: z.string().min(1),
  qualifier: z.string().min(1).optional(),
  payloadFormat: z.enum(['1.0', '2.0']).optional(),
  auth: AuthSpec.optional(),
  throttle: z
    .object({
      rateLimit: z.number().positive().max(100_000),
      burstLimit: z.number().int().min(1).max(100_000),
      perKey: z.boolean().default(false),
    })
    .optional(),
  /** API Gateway REST stage: the route answers at `/<stage>/<path>` (and at `/<path>`). */
  stage: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'a stage is 1-128 letters, digits, _ or -')
    .optional(),
  /** The route's own CORS (REST `http` events' `cors:`); the tenant's gateway CORS wins when set. */
  cors: CorsSchema.optional(),
});

/** Stored form: API keys only as hashes, audience as a list. */
function toRouteAuth(a: z.infer<typeof AuthSpec> | undefined): RouteAuth | undefined {
  if (!a) return undefined;
  if (a.type === 'apiKey') return { type: 'apiKey', header: a.header, keyHashes: a.keys.map(hashApiKey) };
  if (a.type === 'lambda') {
    return { type: 'lambda', functionName: a.function, identitySource: a.identitySource, ttlSec: a.ttlSec };
  }
  return {
    type: 'jwt',
    issuer: a.issuer,
    audience: typeof a.audience === 'string' ? [a.audience] : a.audience,
    jwksUrl: a.jwksUrl,
    publicKeys: a.publicKeys,
    scopes: a.scopes,
  };
}
export const CreateBody = RouteSpec.extend({ function: z.string().min(1) });
export const ReplaceBody = z.object({ routes: z.array(RouteSpec).max(300) });

const parse = parseBody;

const view = (r: RouteRecord) => ({
  id: r.id,
  routeKey: r.routeKey,
  function: r.stateMachine === undefined ? r.functionName : null,
  ...(r.stateMachine !== undefined ? { stateMachine: r.stateMachine } : {}),
  qualifier: r.qualifier ?? null,
  payloadFormat: r.payloadFormat,
  throttle: r.throttle ?? null,
  stage: r.stage ?? null,
  cors: r.cors ?? null,
  auth: r.auth
    ? r.auth.type === 'apiKey'
      ? { type: 'apiKey', header: r.auth.header, keys: r.auth.keyHashes.length }
      : r.auth
    : null,
  createdAt: new Date(r.createdAt).toISOString(),
});

export function registerRouteAdmin(app: FastifyInstance, d: RouteAdminDeps): void {
  const make = (
    tenant: string,
    fn: string,
    s: z.infer<typeof RouteSpec>,
    stateMachine?: string,
  ): RouteRecord => ({
    tenant,
    id: `rt_${randomBytes(6).toString('hex')}`,
    routeKey: normalizeRouteKey(s.routeKey),
    functionName: fn,
    ...(stateMachine !== undefined ? { stateMachine } : {}),
    qualifier: s.qualifier,
    payloadFormat: s.payloadFormat ?? '2.0',
    auth: toRouteAuth(s.auth),
    throttle: s.throttle,
    stage: s.stage,
    cors: s.cors,
    createdAt: d.clock.now(),
  });

  app.get('/v1/routes', async (req) => {
    const p = authorize(req, 'nimbus:ListRoutes');
    return { routes: (await d.routes.list(p.tenant)).map(view) };
  });

  app.post('/v1/routes', async (req, reply) => {
    const p = authorize(req, 'nimbus:CreateRoute', (a) => a.nimbus('route'));
    const b = parse(CreateBody, req.body);
    await d.registry.getFunction(p.tenant, b.function);
    const rec = make(p.tenant, b.function, b);
    await d.routes.create(rec);
    await d.onRoutesChanged({ kind: 'added', route: rec });
    reply.code(201);
    return { route: view(rec) };
  });

  app.delete('/v1/routes/:id', async (req, reply) => {
    const p = authorize(req, 'nimbus:DeleteRoute', (a) =>
      a.nimbus('route', (req.params as { id: string }).id),
    );
    const id = (req.params as { id: string }).id;
    const ok = await d.routes.delete(p.tenant, id);
    if (!ok) throw CoreErrors.NOT_FOUND({ what: `route ${id}` });
    await d.onRoutesChanged({ kind: 'removed', tenant: p.tenant, id });
    return reply.code(204).send();
  });

  app.get('/v1/gateway/cors', async (req) => {
    const p = authorize(req, 'nimbus:GetGatewayCors', (a) => a.nimbus('gateway', 'cors'));
    return { cors: (await d.settings.get(p.tenant, CORS_SETTING)) ?? null };
  });

  app.put('/v1/gateway/cors', async (req) => {
    const p = authorize(req, 'nimbus:PutGatewayCors', (a) => a.nimbus('gateway', 'cors'));
    const cors = parse(CorsSchema, req.body);
    await d.settings.put(p.tenant, CORS_SETTING, cors);
    await d.onRoutesChanged();
    return { cors };
  });

  app.delete('/v1/gateway/cors', async (req, reply) => {
    const p = authorize(req, 'nimbus:DeleteGatewayCors', (a) => a.nimbus('gateway', 'cors'));
    await d.settings.delete(p.tenant, CORS_SETTING);
    await d.onRoutesChanged();
    return reply.code(204).send();
  });

  // Replaces all routes of one function (what `nimbus deploy` does from httpApi/http events).
  app.put('/v1/functions/:name/routes', async (req) => {
    const p = authorize(req, 'nimbus:CreateRoute', (a) => [
      a.fn((req.params as { name: string }).name),
      a.nimbus('route'),
    ]);
    const name = (req.params as { name: string }).name;
    const b = parse(ReplaceBody, req.body);
    await d.registry.getFunction(p.tenant, name);
    const recs = b.routes.map((s) => make(p.tenant, name, s));
    await d.routes.deleteForFunction(p.tenant, name);
    for (const r of recs) await d.routes.create(r);
    await d.onRoutesChanged({ kind: 'function', tenant: p.tenant, functionName: name, routes: recs });
    return { routes: recs.map(view) };
  });

  // Replaces all routes of one state machine (serverless-step-functions `http` events): a request
  // starts an execution. Authorized like a function's routes, on the machine's ARN.
  app.put('/v1/workflows/:name/routes', async (req) => {
    const name = (req.params as { name: string }).name;
    const w = d.workflows;
    const p = authorize(req, 'nimbus:CreateRoute', (a) => [
      a.of('states', `stateMachine:${name}`),
      a.nimbus('route'),
    ]);
    if (!w) throw CoreErrors.NOT_FOUND({ what: `state machine ${name}` });
    const b = parse(ReplaceBody, req.body);
    await w.describeMachine(p.tenant, name);
    const recs = b.routes.map((s) => make(p.tenant, '', { ...s, qualifier: undefined }, name));
    for (const r of (await d.routes.list(p.tenant)).filter((x) => x.stateMachine === name))
      await d.routes.delete(p.tenant, r.id);
    for (const r of recs) await d.routes.create(r);
    await d.onRoutesChanged({ kind: 'stateMachine', tenant: p.tenant, stateMachine: name, routes: recs });
    return { routes: recs.map(view) };
  });
}
