/** REST control-plane routes `/v1/...` (docs/API.md). Thin: validate, call a service, render a view. */

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AsyncConfigSchema } from '../async/config.ts';
import { CoreErrors } from '../core/errors.ts';
import { parseForView } from '../core/json.ts';
import type { Clock, IsolationReport, Store } from '../core/ports.ts';
import { DEFAULT_TENANT } from '../core/types.ts';
import type { InvokeService } from '../invoke/types.ts';
import type { LogSink } from '../observability/logs.ts';
import { traceparentOfHeaders } from '../observability/trace-context.ts';
import type { CodeInput, PrebuiltCode, RegistryService } from '../registry/types.ts';
import { ScalingConfigSchema } from '../scheduler/config.ts';
import type { FunctionStatus, NodeStatus } from '../scheduler/index.ts';
import { egressPolicySchema } from '../security/egress.ts';
import { authorize, isAllowed } from './auth.ts';
import { params, parseBody, parseJsonBody, query } from './http.ts';
import { type ArnContext, aliasView, functionView, versionView } from './views.ts';

export interface RestDeps {
  readonly registry: RegistryService;
  readonly invoke: InvokeService;
  readonly store: Store;
  readonly logSink: LogSink;
  /** Flushes batched usage records so a query sees every finished invocation. */
  readonly flushUsage: () => Promise<void>;
  readonly clock: Clock;
  readonly arn: ArnContext;
  readonly doctor: (tenant: string) => Promise<{ sandbox: IsolationReport; [k: string]: unknown }>;
  readonly status: () => FunctionStatus[];
  readonly nodeStatus?: () => NodeStatus;
  /** False until the platform has finished starting (`GET /healthz` answers 503 until then). */
  readonly ready?: () => boolean;
  /** Other dependencies' states for `GET /healthz` (cluster mode: `nats`); anything but `ok` degrades. */
  readonly health?: () => Readonly<Record<string, string>>;
  /** Cluster mode: the cluster's nodes, their loads and the leader (operators' `GET /v1/status`). */
  readonly cluster?: () => Promise<Record<string, unknown>>;
  /** Poll interval for `logs?follow=1`. */
  readonly followPollMs?: number;
}

const env = z.record(z.string(), z.string());
/** A role name, or its ARN (`arn:aws:iam::<account>:role/<name>`, as Lambda's `Role`). */
const RoleRef = z
  .string()
  .regex(
    /^(arn:aws:iam::\d{12}:role\/(?:[A-Za-z0-9+=,.@_-]+\/)*)?[A-Za-z0-9+=,.@_-]{1,64}$/,
    'a role name or ARN',
  )
  .transform((r) => r.slice(r.lastIndexOf('/') + 1));
const SecretList = z.array(z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/)).max(50);
export const DeployBody = z.object({
  runtime: z.string().min(1),
  handler: z.string().min(1),
  memoryMb: z.number().int().optional(),
  timeoutSec: z.number().int().optional(),
  environment: env.optional(),
  description: z.string().max(256).optional(),
  reservedConcurrency: z.number().int().min(1).optional(),
  async: AsyncConfigSchema.optional(),
  scaling: ScalingConfigSchema.optional(),
  isolation: z.enum(['process', 'isolate']).optional(),
  egress: egressPolicySchema.optional(),
  role: RoleRef.nullable().optional(),
  secrets: SecretList.optional(),
  code: z.union([
    z.object({ zipBase64: z.string().min(1) }),
    z.object({ tarBase64: z.string().min(1) }),
    // An artifact built before (by a dryRun, or the function's own code): no build now.
    z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256') }),
  ]),
  publish: z.boolean().optional(),
  /** Validate and build, store the artifact, change nothing: `nimbus deploy`'s first phase. */
  dryRun: z.boolean().optional(),
});
export const PatchBody = z
  .object({
    runtime: z.string().min(1),
    handler: z.string().min(1),
    memoryMb: z.number().int(),
    timeoutSec: z.number().int(),
    environment: env,
    description: z.string().max(256),
    reservedConcurrency: z.number().int().min(1).nullable(),
    async: AsyncConfigSchema,
    scaling: ScalingConfigSchema.nullable(),
    isolation: z.enum(['process', 'isolate']),
    egress: egressPolicySchema.nullable(),
    role: RoleRef.nullable(),
    secrets: SecretList,
  })
  .partial()
  .strict();
export const AliasBody = z.object({
  functionVersion: z.string().min(1),
  additionalWeights: z.record(z.string(), z.number()).optional(),
  description: z.string().max(256).optional(),
});
export const VersionBody = z.object({ description: z.string().max(256).optional() });
export const SourceQuery = z.object({
  qualifier: z
    .string()
    .regex(/^(\$LATEST|\d+|[A-Za-z0-9_-]{1,128})$/)
    .optional()
    .describe('`$LATEST` (default), a version number or an alias (its primary version)'),
});

const parse = parseBody;

export function registerRestRoutes(app: FastifyInstance, d: RestDeps): void {
  /** A function may only name a role its tenant has (its credentials are minted from it). */
  const roleExists = async (tenant: string, role: string | undefined) => {
    if (role !== undefined && !(await d.store.roles.get(tenant, role)))
      throw CoreErrors.VALIDATION({
        reason: `role ${role} does not exist (create it: nimbus roles put ${role})`,
      });
  };
  /** ARNs carry the caller's account (its tenant's). */
  const arnOf = (p: { accountId: string }): ArnContext => ({ ...d.arn, accountId: p.accountId });
  const fv = (p: { accountId: string }, f: Parameters<typeof functionView>[1]) => functionView(arnOf(p), f);

  app.get('/healthz', async (req, reply) => {
    // Not healthy until start-up is complete (the admin credentials exist, queues run).
    if (d.ready && !d.ready()) return reply.code(503).send({ ok: false, starting: true });
    // `?live=1` (a liveness probe): the process serves. A node whose store or NATS is away is
    // degraded, not dead: restarting it would not bring them back.
    if (query(req).live !== undefined) return { ok: true, live: true };
    // Degraded (503, so a load balancer looks elsewhere) while the store or NATS is unreachable;
    // the node keeps running and reconnects by itself.
    const checks: Record<string, string> = {
      store: await Promise.race([
        d.store.ping().then(
          () => 'ok',
          () => 'unreachable',
        ),
        new Promise<string>((r) => setTimeout(r, 2000, 'timeout').unref()),
      ]),
      ...d.health?.(),
    };
    if (Object.values(checks).some((v) => v !== 'ok'))
      return reply.code(503).send({ ok: false, degraded: true, checks });
    return { ok: true, ...(d.health ? { checks } : {}) };
  });

  app.get('/v1/functions', async (req) => {
    const p = authorize(req, 'lambda:ListFunctions');
    return { functions: (await d.registry.listFunctions(p.tenant)).map((f) => fv(p, f)) };
  });

  app.put('/v1/functions/:name', async (req, reply) => {
    const p = authorize(req, 'lambda:CreateFunction', (a) => a.fn(params(req).name!));
    const b = parse(DeployBody, req.body);
    const code: CodeInput | PrebuiltCode =
      'zipBase64' in b.code
        ? { kind: 'zip', data: Buffer.from(b.code.zipBase64, 'base64') }
        : 'tarBase64' in b.code
          ? { kind: 'tar', data: Buffer.from(b.code.tarBase64, 'base64') }
          : { kind: 'prebuilt', sha256: b.code.sha256 };
    const { code: _c, publish, role, dryRun, ...rest } = b;
    // `role: null` (a manifest without one) resets to the default execution role.
    const config = role === undefined ? rest : { ...rest, role: role ?? undefined };
    if (dryRun) {
      // The role is checked by the deploy that switches (`nimbus deploy` creates roles between).
      const r = await d.registry.prebuild(p.tenant, { name: params(req).name!, config, code });
      return {
        dryRun: true,
        codeSha256: r.code.sha256,
        codeSize: r.code.size,
        exists: r.exists,
        unchanged: r.unchanged,
        timings: r.timings,
        warnings: r.warnings,
      };
    }
    await roleExists(p.tenant, role ?? undefined);
    const r = await d.registry.deploy(
      p.tenant,
      { name: params(req).name!, config, code },
      { publish: publish ?? false },
    );
    reply.code(r.created ? 201 : 200);
    return {
      function: fv(p, r.function),
      version: r.version ? versionView(arnOf(p), r.version) : undefined,
      timings: r.timings,
      warnings: r.warnings,
      unchanged: r.unchanged ?? false,
    };
  });

  app.get('/v1/functions/:name', async (req) => {
    const p = authorize(req, 'lambda:GetFunction', (a) => a.fn(params(req).name!));
    const name = params(req).name!;
    const f = await d.registry.getFunction(p.tenant, name);
    const [versions, aliases] = await Promise.all([
      d.registry.listVersions(p.tenant, name),
      d.registry.listAliases(p.tenant, name),
    ]);
    return {
      function: fv(p, f),
      versions: versions.map((v) => versionView(arnOf(p), v)),
      aliases: aliases.map((a) => aliasView(arnOf(p), a)),
    };
  });

  app.get('/v1/functions/:name/source', async (req, reply) => {
    const p = authorize(req, 'lambda:GetFunction', (a) => a.fn(params(req).name!));
    const q = SourceQuery.safeParse(query(req));
    if (!q.success)
      throw CoreErrors.VALIDATION({ reason: 'qualifier: a version number, $LATEST or an alias' });
    const src = await d.registry.getSource(p.tenant, params(req).name!, q.data.qualifier);
    return reply
      .type(src.format === 'zip' ? 'application/zip' : 'application/x-tar')
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(src.data));
  });

  app.patch('/v1/functions/:name', async (req) => {
    const p = authorize(req, 'lambda:UpdateFunctionConfiguration', (a) => a.fn(params(req).name!));
    const { scaling, egress, role, reservedConcurrency, ...rest } = parse(PatchBody, req.body);
    await roleExists(p.tenant, role ?? undefined);
    // `scaling: null` / `egress: null` / `role: null` / `reservedConcurrency: null` clear them.
    const patch = {
      ...rest,
      ...(reservedConcurrency === undefined ? {} : { reservedConcurrency: reservedConcurrency ?? undefined }),
      ...(egress === undefined ? {} : { egress: egress ?? undefined }),
      ...(role === undefined ? {} : { role: role ?? undefined }),
    };
    const input = scaling === undefined ? patch : { ...patch, scaling: scaling ?? undefined };
    return { function: fv(p, await d.registry.updateConfig(p.tenant, params(req).name!, input)) };
  });

  app.delete('/v1/functions/:name', async (req, reply) => {
    const p = authorize(req, 'lambda:DeleteFunction', (a) => a.fn(params(req).name!));
    await d.registry.deleteFunction(p.tenant, params(req).name!);
    return reply.code(204).send();
  });

  app.post('/v1/functions/:name/versions', async (req, reply) => {
    const p = authorize(req, 'lambda:PublishVersion', (a) => a.fn(params(req).name!));
    const b = parse(VersionBody, req.body, {});
    const v = await d.registry.publishVersion(p.tenant, params(req).name!, b);
    reply.code(201);
    return { version: versionView(arnOf(p), v) };
  });

  app.get('/v1/functions/:name/versions', async (req) => {
    const p = authorize(req, 'lambda:ListVersionsByFunction', (a) => a.fn(params(req).name!));
    return {
      versions: (await d.registry.listVersions(p.tenant, params(req).name!)).map((v) =>
        versionView(arnOf(p), v),
      ),
    };
  });

  app.put('/v1/functions/:name/aliases/:alias', async (req) => {
    const p = authorize(req, 'lambda:CreateAlias', (a) => a.fn(params(req).name!));
    const { name, alias } = params(req) as { name: string; alias: string };
    const b = parse(AliasBody, req.body);
    const exists = await d.registry.getAlias(p.tenant, name, alias).then(
      () => true,
      () => false,
    );
    const rec = exists
      ? await d.registry.updateAlias(p.tenant, name, alias, {
          ...b,
          additionalWeights: b.additionalWeights ?? {},
        })
      : await d.registry.createAlias(p.tenant, name, { name: alias, ...b });
    return { alias: aliasView(arnOf(p), rec) };
  });

  app.get('/v1/functions/:name/aliases', async (req) => {
    const p = authorize(req, 'lambda:ListAliases', (a) => a.fn(params(req).name!));
    return {
      aliases: (await d.registry.listAliases(p.tenant, params(req).name!)).map((a) => aliasView(arnOf(p), a)),
    };
  });

  app.delete('/v1/functions/:name/aliases/:alias', async (req, reply) => {
    const p = authorize(req, 'lambda:DeleteAlias', (a) => a.fn(params(req).name!));
    await d.registry.deleteAlias(p.tenant, params(req).name!, params(req).alias!);
    return reply.code(204).send();
  });

  app.post('/v1/functions/:name/invoke', async (req) => {
    const p = authorize(req, 'lambda:InvokeFunction', (a) => a.fn(params(req).name!));
    const body = req.body instanceof Buffer ? req.body.toString('utf8') : '';
    if (body.length > 0) parseJsonBody(req.body);
    const q = query(req);
    const r = await d.invoke.invoke({
      tenant: p.tenant,
      functionName: params(req).name!,
      qualifier: q.qualifier,
      payload: body,
      trigger: { type: 'api' },
      logTail: q.logs === 'tail',
      traceparent: traceparentOfHeaders(req.headers),
    });
    const parsed = parseForView(r.payload);
    return {
      requestId: r.requestId,
      version: r.version,
      ok: r.functionError === undefined,
      result: r.functionError === undefined ? parsed : undefined,
      error: r.functionError === undefined ? undefined : { ...(parsed as object), code: r.errorCode },
      cold: r.cold,
      initDurationMs: r.initDurationMs,
      durationMs: r.durationMs,
      billedDurationMs: r.billedDurationMs,
      maxRssBytes: r.maxRssBytes,
      memoryMb: r.memoryMb,
      logTail: r.logTail,
    };
  });

  // GET /v1/functions/:name/logs: log-routes.ts (filters, SSE tail).

  // GET /v1/usage: billing-routes.ts (with cost, aggregates and CSV).

  app.get('/v1/status', async (req) => {
    const p = authorize(req, 'nimbus:GetStatus');
    return {
      functions: d.status().filter((s) => s.tenant === p.tenant),
      // The machine's state is the operator's: principals of the default tenant with the right.
      ...(d.nodeStatus && p.tenant === DEFAULT_TENANT && isAllowed(req, 'nimbus:GetNodeStatus')
        ? { node: d.nodeStatus(), ...(d.cluster ? { cluster: await d.cluster() } : {}) }
        : {}),
    };
  });

  app.get('/v1/doctor', async (req) => {
    const p = authorize(req, 'nimbus:GetDoctor');
    return d.doctor(p.tenant);
  });
}
