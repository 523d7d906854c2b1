/**
 * @module api/lambda
 * The Lambda-compatible API subset (restJson1, as `@aws-sdk/client-lambda` speaks it):
 * functions, code, configuration, versions, aliases with weighted routing, and Invoke.
 * Errors use Lambda's shape (`x-amzn-ErrorType` + `{Type, message}`) with our code in the message.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AsyncConfigSchema } from '../../async/config.ts';
import type { AsyncService } from '../../async/types.ts';
import type { PlatformConfig } from '../../config/index.ts';
import { CoreErrors } from '../../core/errors.ts';
import type { RoleRepo } from '../../core/ports.ts';
import type { AsyncInvokeConfig, DestinationRef } from '../../core/types.ts';
import type { InvokeService } from '../../invoke/types.ts';
import { traceparentOfHeaders } from '../../observability/trace-context.ts';
import type { RegistryService } from '../../registry/types.ts';
import { type Authenticator, authorize } from '../auth.ts';
import { codedError, type ErrorReporting, parseJsonBody, parseJsonDocument, publicError } from '../http.ts';
import {
  aliasConfiguration,
  functionConfiguration,
  lambdaErrorType,
  parseFunctionName,
  versionConfiguration,
} from './mapping.ts';

export { lambdaErrorType, parseFunctionName } from './mapping.ts';

export interface LambdaApiDeps {
  readonly registry: RegistryService;
  readonly invoke: InvokeService;
  readonly async: AsyncService;
  readonly config: PlatformConfig;
  readonly roles: Pick<RoleRepo, 'get'>;
  readonly report?: ErrorReporting;
  /** Presigns GetFunction's `Code.Location` for its caller (without it: a link that needs credentials). */
  readonly presignGet?: Authenticator['presignGet'] | undefined;
}

/** How long GetFunction's code link works (Lambda's presigned S3 URL: 10 minutes). */
const CODE_LINK_SEC = 600;

const Env = z.object({ Variables: z.record(z.string(), z.string()).optional() }).optional();
const CreateFunction = z.object({
  FunctionName: z.string().min(1),
  Runtime: z.string().min(1),
  Handler: z.string().min(1),
  Role: z.string().optional(),
  Code: z.object({ ZipFile: z.string().min(1) }),
  Description: z.string().optional(),
  Timeout: z.number().int().optional(),
  MemorySize: z.number().int().optional(),
  Environment: Env,
  Publish: z.boolean().optional(),
});
const UpdateCode = z.object({
  ZipFile: z.string().min(1),
  Publish: z.boolean().optional(),
  RevisionId: z.string().optional(),
});
const UpdateConfig = z.object({
  Handler: z.string().optional(),
  Runtime: z.string().optional(),
  MemorySize: z.number().int().optional(),
  Timeout: z.number().int().optional(),
  Environment: Env,
  Description: z.string().optional(),
  Role: z.string().optional(),
  RevisionId: z.string().optional(),
});
const Publish = z.object({
  Description: z.string().optional(),
  CodeSha256: z.string().optional(),
  RevisionId: z.string().optional(),
});
const Routing = z
  .object({ AdditionalVersionWeights: z.record(z.string(), z.number()).optional() })
  .optional();
const CreateAlias = z.object({
  Name: z.string().min(1),
  FunctionVersion: z.string().min(1),
  Description: z.string().optional(),
  RoutingConfig: Routing,
});
const UpdateAlias = z.object({
  FunctionVersion: z.string().optional(),
  Description: z.string().optional(),
  RoutingConfig: Routing,
  RevisionId: z.string().optional(),
});

function body<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(parseJsonDocument(raw, {}));
  if (!r.success) {
    throw CoreErrors.VALIDATION({
      reason: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    });
  }
  return r.data;
}

const fnParam = (req: FastifyRequest) => parseFunctionName((req.params as { fn: string }).fn);
const q = (req: FastifyRequest) => req.query as Record<string, string | undefined>;
const hexSha = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

/** `FunctionName` of a CreateFunction body for the policy check (`*` when absent or invalid). */
function nameInBody(raw: unknown): string {
  try {
    const v = (JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : '{}') as { FunctionName?: unknown })
      .FunctionName;
    return typeof v === 'string' ? parseFunctionName(v).name : '*';
  } catch {
    return '*';
  }
}

export function registerLambdaApi(app: FastifyInstance, d: LambdaApiDeps): void {
  /** ARNs carry the caller's account (its tenant's). */
  const arnOf = (p: { accountId: string }) => ({ region: d.config.region, accountId: p.accountId });
  const P = '/2015-03-31/functions';
  /**
   * `Role` (an ARN or name) → the tenant's role of that name. A role Nimbus does not have (tools
   * often pass a placeholder ARN) leaves the default execution role: logs only.
   */
  const roleOf = async (tenant: string, role: string | undefined): Promise<string | undefined> => {
    if (!role) return undefined;
    const name = role.slice(role.lastIndexOf('/') + 1);
    return (await d.roles.get(tenant, name)) ? name : undefined;
  };

  app.setErrorHandler((err, req, reply) => {
    const e = codedError(err, req, app.initialConfig.bodyLimit ?? d.config.maxPayloadBytes, d.report);
    const type = lambdaErrorType(e);
    if (e.retryAfterMs !== undefined)
      reply.header('retry-after', Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
    return reply
      .code(e.status)
      .header('x-amzn-errortype', type)
      .type('application/json')
      .send({
        Type: e.kind === 'user' ? 'User' : 'Service',
        message: `[${e.code}] ${publicError(e).message}`,
        code: e.code,
      });
  });

  app.post(P, async (req, reply) => {
    // Authorized before the body is validated (a refused caller learns nothing from a 400).
    const p = authorize(req, 'lambda:CreateFunction', (a) => a.fn(nameInBody(req.body)));
    const b = body(CreateFunction, req.body);
    const r = await d.registry.deploy(
      p.tenant,
      {
        name: parseFunctionName(b.FunctionName).name,
        config: {
          runtime: b.Runtime,
          handler: b.Handler,
          memoryMb: b.MemorySize,
          timeoutSec: b.Timeout,
          description: b.Description,
          environment: b.Environment?.Variables,
          role: await roleOf(p.tenant, b.Role),
        },
        code: { kind: 'zip', data: Buffer.from(b.Code.ZipFile, 'base64') },
      },
      { mode: 'create', publish: b.Publish ?? false },
    );
    reply.code(201);
    return r.version
      ? versionConfiguration(arnOf(p), r.version)
      : functionConfiguration(arnOf(p), r.function);
  });

  const listFunctions = async (req: FastifyRequest) => {
    const p = authorize(req, 'lambda:ListFunctions');
    const all = await d.registry.listFunctions(p.tenant);
    const start = q(req).Marker ? Number(q(req).Marker) : 0;
    const max = Math.min(Number(q(req).MaxItems ?? 50) || 50, 10000);
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? String(start + max) : undefined;
    return {
      Functions: page.map((f) => functionConfiguration(arnOf(p), f)),
      ...(next ? { NextMarker: next } : {}),
    };
  };
  // SDK versions differ on the trailing slash.
  app.get(P, listFunctions);
  app.get(`${P}/`, listFunctions);

  app.get(`${P}/:fn`, async (req) => {
    const p = authorize(req, 'lambda:GetFunction', (a) => a.fn(fnParam(req).name));
    const { name, qualifier } = fnParam(req);
    const qual = q(req).Qualifier ?? qualifier;
    const f = await d.registry.getFunction(p.tenant, name);
    let configuration: object = functionConfiguration(arnOf(p), f);
    let code = f.code;
    let version: string | undefined;
    if (qual && qual !== '$LATEST') {
      const v = /^\d+$/.test(qual)
        ? await d.registry.getVersion(p.tenant, name, qual)
        : await d.registry.getVersion(
            p.tenant,
            name,
            (await d.registry.getAlias(p.tenant, name, qual)).functionVersion,
          );
      configuration = versionConfiguration(arnOf(p), v);
      code = v.code;
      version = v.version;
    }
    const host = req.headers.host ?? `${d.config.host}:${d.config.apiPort}`;
    // The zip as it was uploaded, when the platform kept it (what Lambda's link gives), else the
    // built artifact.
    const link =
      code.source?.format === 'zip'
        ? new URL(
            `http://${host}/v1/functions/${encodeURIComponent(name)}/source${version ? `?qualifier=${version}` : ''}`,
          )
        : new URL(`http://${host}/v1/artifacts/${code.sha256}`);
    const token = req.headers['x-amz-security-token'];
    // As Lambda's: a link that downloads without credentials, for a while (it is the caller's own
    // authority, signed with its key: the route it names still checks its lambda:GetFunction).
    const location = d.presignGet
      ? await d.presignGet(p, link, {
          expiresSec: CODE_LINK_SEC,
          service: 'lambda',
          sessionToken: typeof token === 'string' ? token : undefined,
        })
      : link.toString();
    return { Configuration: configuration, Code: { RepositoryType: 'S3', Location: location } };
  });

  app.get('/v1/artifacts/:sha', async (req, reply) => {
    const p = authorize(req, 'lambda:GetFunction');
    const sha = (req.params as { sha: string }).sha;
    if (!/^[0-9a-f]{64}$/.test(sha)) throw CoreErrors.NOT_FOUND({ what: `artifact ${sha}` });
    // Artifacts are content-addressed and shared: serve one only to a tenant whose function or
    // version uses it (another tenant's artifact is "not found", whoever knows its hash).
    let owned = false;
    for (const f of await d.registry.listFunctions(p.tenant)) {
      if (
        f.code.sha256 === sha ||
        (await d.registry.listVersions(p.tenant, f.name)).some((v) => v.code.sha256 === sha)
      ) {
        owned = true;
        break;
      }
    }
    if (!owned) throw CoreErrors.NOT_FOUND({ what: `artifact ${sha}` });
    const data = await d.registry.getArtifact(sha);
    return reply.type('application/zip').send(Buffer.from(data));
  });

  app.put(`${P}/:fn/code`, async (req) => {
    const p = authorize(req, 'lambda:UpdateFunctionCode', (a) => a.fn(fnParam(req).name));
    const b = body(UpdateCode, req.body);
    const r = await d.registry.updateCode(
      p.tenant,
      fnParam(req).name,
      { kind: 'zip', data: Buffer.from(b.ZipFile, 'base64') },
      { publish: b.Publish ?? false, expectedRevisionId: b.RevisionId },
    );
    return r.version
      ? versionConfiguration(arnOf(p), r.version)
      : functionConfiguration(arnOf(p), r.function);
  });

  app.put(`${P}/:fn/configuration`, async (req) => {
    const p = authorize(req, 'lambda:UpdateFunctionConfiguration', (a) => a.fn(fnParam(req).name));
    const b = body(UpdateConfig, req.body);
    const patch = Object.fromEntries(
      Object.entries({
        handler: b.Handler,
        runtime: b.Runtime,
        memoryMb: b.MemorySize,
        timeoutSec: b.Timeout,
        description: b.Description,
        environment: b.Environment ? (b.Environment.Variables ?? {}) : undefined,
        role: b.Role === undefined ? undefined : ((await roleOf(p.tenant, b.Role)) ?? null),
      }).filter(([, v]) => v !== undefined),
    );
    // A Role Nimbus does not have resets the function to the default execution role.
    if (patch.role === null) patch.role = undefined;
    const f = await d.registry.updateConfig(p.tenant, fnParam(req).name, patch, {
      expectedRevisionId: b.RevisionId,
    });
    return functionConfiguration(arnOf(p), f);
  });

  app.delete(`${P}/:fn`, async (req, reply) => {
    const p = authorize(req, 'lambda:DeleteFunction', (a) => a.fn(fnParam(req).name));
    await d.registry.deleteFunction(p.tenant, fnParam(req).name);
    return reply.code(204).send();
  });

  app.post(`${P}/:fn/versions`, async (req, reply) => {
    const p = authorize(req, 'lambda:PublishVersion', (a) => a.fn(fnParam(req).name));
    const b = body(Publish, req.body);
    const v = await d.registry.publishVersion(p.tenant, fnParam(req).name, {
      description: b.Description,
      expectedCodeSha256: b.CodeSha256 ? hexSha(b.CodeSha256) : undefined,
      expectedRevisionId: b.RevisionId,
    });
    reply.code(201);
    return versionConfiguration(arnOf(p), v);
  });

  app.get(`${P}/:fn/versions`, async (req) => {
    const p = authorize(req, 'lambda:ListVersionsByFunction', (a) => a.fn(fnParam(req).name));
    const name = fnParam(req).name;
    const f = await d.registry.getFunction(p.tenant, name);
    const vs = await d.registry.listVersions(p.tenant, name);
    return {
      Versions: [functionConfiguration(arnOf(p), f), ...vs.map((v) => versionConfiguration(arnOf(p), v))],
    };
  });

  app.post(`${P}/:fn/aliases`, async (req, reply) => {
    const p = authorize(req, 'lambda:CreateAlias', (a) => a.fn(fnParam(req).name));
    const b = body(CreateAlias, req.body);
    const a = await d.registry.createAlias(p.tenant, fnParam(req).name, {
      name: b.Name,
      functionVersion: b.FunctionVersion,
      additionalWeights: b.RoutingConfig?.AdditionalVersionWeights,
      description: b.Description,
    });
    reply.code(201);
    return aliasConfiguration(arnOf(p), a);
  });

  app.put(`${P}/:fn/aliases/:alias`, async (req) => {
    const p = authorize(req, 'lambda:UpdateAlias', (a) => a.fn(fnParam(req).name));
    const b = body(UpdateAlias, req.body);
    const a = await d.registry.updateAlias(
      p.tenant,
      fnParam(req).name,
      (req.params as { alias: string }).alias,
      {
        functionVersion: b.FunctionVersion,
        description: b.Description,
        additionalWeights: b.RoutingConfig ? (b.RoutingConfig.AdditionalVersionWeights ?? {}) : undefined,
      },
      { expectedRevisionId: b.RevisionId },
    );
    return aliasConfiguration(arnOf(p), a);
  });

  app.get(`${P}/:fn/aliases/:alias`, async (req) => {
    const p = authorize(req, 'lambda:GetAlias', (a) => a.fn(fnParam(req).name));
    return aliasConfiguration(
      arnOf(p),
      await d.registry.getAlias(p.tenant, fnParam(req).name, (req.params as { alias: string }).alias),
    );
  });

  app.get(`${P}/:fn/aliases`, async (req) => {
    const p = authorize(req, 'lambda:ListAliases', (a) => a.fn(fnParam(req).name));
    return {
      Aliases: (await d.registry.listAliases(p.tenant, fnParam(req).name)).map((a) =>
        aliasConfiguration(arnOf(p), a),
      ),
    };
  });

  app.delete(`${P}/:fn/aliases/:alias`, async (req, reply) => {
    const p = authorize(req, 'lambda:DeleteAlias', (a) => a.fn(fnParam(req).name));
    await d.registry.deleteAlias(p.tenant, fnParam(req).name, (req.params as { alias: string }).alias);
    return reply.code(204).send();
  });

  app.post(`${P}/:fn/invocations`, async (req, reply) => {
    const p = authorize(req, 'lambda:InvokeFunction', (a) => a.fn(fnParam(req).name));
    const { name, qualifier } = fnParam(req);
    const qual = q(req).Qualifier ?? qualifier;
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const raw = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
    if (raw.length > d.config.maxPayloadBytes) {
      throw CoreErrors.PAYLOAD_TOO_LARGE({ size: raw.length, limit: d.config.maxPayloadBytes });
    }
    const payload = raw.toString('utf8');
    if (payload.length > 0) parseJsonBody(raw);
    if (type === 'DryRun') {
      await d.invoke.dryRun(p.tenant, name, qual);
      return reply.code(204).send();
    }
    if (type === 'Event') {
      // 202 only after the event is committed to the durable queue.
      const r = await d.async.submit({
        tenant: p.tenant,
        functionName: name,
        qualifier: qual,
        payload,
        source: 'lambda',
        clientContext: headerString(req.headers['x-amz-client-context']),
        idempotencyKey: headerString(req.headers['idempotency-key']),
        // A function's AWS SDK sends X-Amzn-Trace-Id from _X_AMZN_TRACE_ID: its trace goes on.
        traceparent: traceparentOfHeaders(req.headers),
      });
      reply.header('x-amz-request-id', r.id).header('x-amzn-requestid', r.id);
      if (r.duplicate) reply.header('x-nimbus-duplicate', 'true');
      return reply.code(202).send();
    }
    if (type !== 'RequestResponse') {
      throw CoreErrors.VALIDATION({
        reason: `invocation type ${type} is not supported (RequestResponse, Event, DryRun)`,
      });
    }
    // Like Lambda, an invocation keeps running if the caller disconnects.
    const r = await d.invoke.invoke({
      tenant: p.tenant,
      functionName: name,
      qualifier: qual,
      payload,
      trigger: { type: 'api' },
      logTail: req.headers['x-amz-log-type'] === 'Tail',
      clientContext: headerString(req.headers['x-amz-client-context']),
      traceparent: traceparentOfHeaders(req.headers),
    });
    reply.header('x-amz-executed-version', r.version).header('x-amz-request-id', r.requestId);
    if (r.functionError) reply.header('x-amz-function-error', r.functionError);
    if (r.errorCode) reply.header('x-nimbus-error-code', r.errorCode);
    if (r.logTail !== undefined) reply.header('x-amz-log-result', Buffer.from(r.logTail).toString('base64'));
    return reply.code(200).type('application/json').send(r.payload);
  });

  // Lambda reserved concurrency (Put/Get/DeleteFunctionConcurrency) = the function's cap and guarantee.
  const ConcurrencyBody = z.object({ ReservedConcurrentExecutions: z.number().int().min(1) });
  app.put('/2017-10-31/functions/:fn/concurrency', async (req) => {
    const p = authorize(req, 'lambda:PutFunctionConcurrency', (a) => a.fn(fnParam(req).name));
    const b = ConcurrencyBody.safeParse(parseJsonDocument(req.body, {}));
    if (!b.success)
      throw CoreErrors.VALIDATION({
        reason:
          'ReservedConcurrentExecutions must be a positive integer (0, "throttle everything", is not supported)',
      });
    const f = await d.registry.updateConfig(p.tenant, fnParam(req).name, {
      reservedConcurrency: b.data.ReservedConcurrentExecutions,
    });
    return { ReservedConcurrentExecutions: f.config.reservedConcurrency };
  });
  app.get('/2019-09-30/functions/:fn/concurrency', async (req) => {
    const p = authorize(req, 'lambda:GetFunctionConcurrency', (a) => a.fn(fnParam(req).name));
    const f = await d.registry.getFunction(p.tenant, fnParam(req).name);
    return f.config.reservedConcurrency ? { ReservedConcurrentExecutions: f.config.reservedConcurrency } : {};
  });
  app.delete('/2017-10-31/functions/:fn/concurrency', async (req, reply) => {
    const p = authorize(req, 'lambda:DeleteFunctionConcurrency', (a) => a.fn(fnParam(req).name));
    await d.registry.updateConfig(p.tenant, fnParam(req).name, { reservedConcurrency: undefined });
    return reply.code(204).send();
  });

  // Lambda EventInvokeConfig (retries, event age, destinations) on the function's async config.
  const EIC = '/2019-09-25/functions/:fn/event-invoke-config';
  const EventInvokeBody = z.object({
    MaximumRetryAttempts: z.number().int().optional(),
    MaximumEventAgeInSeconds: z.number().int().optional(),
    DestinationConfig: z
      .object({
        OnSuccess: z.object({ Destination: z.string().optional() }).optional(),
        OnFailure: z.object({ Destination: z.string().optional() }).optional(),
      })
      .optional(),
  });
  const destArn = (arn: { region: string; accountId: string }, dst: DestinationRef | undefined) =>
    dst === undefined
      ? {}
      : {
          Destination:
            dst.type === 'webhook'
              ? dst.url
              : `arn:aws:lambda:${arn.region}:${arn.accountId}:function:${dst.name}${dst.qualifier ? `:${dst.qualifier}` : ''}`,
        };
  const eventInvokeView = (
    arn: { region: string; accountId: string },
    name: string,
    c: AsyncInvokeConfig | undefined,
    updatedAt: number,
  ) => ({
    FunctionArn: `arn:aws:lambda:${arn.region}:${arn.accountId}:function:${name}:$LATEST`,
    LastModified: updatedAt / 1000,
    MaximumRetryAttempts: c?.maximumRetryAttempts ?? 2,
    MaximumEventAgeInSeconds: c?.maximumEventAgeSec ?? 21600,
    DestinationConfig: { OnSuccess: destArn(arn, c?.onSuccess), OnFailure: destArn(arn, c?.onFailure) },
  });
  const putEventInvoke = (merge: boolean) => async (req: FastifyRequest) => {
    const p = authorize(req, 'lambda:PutFunctionEventInvokeConfig', (a) => a.fn(fnParam(req).name));
    const { name } = fnParam(req);
    const b = EventInvokeBody.safeParse(parseJsonDocument(req.body, {}));
    if (!b.success) throw CoreErrors.VALIDATION({ reason: b.error.issues.map((i) => i.message).join('; ') });
    const cur = merge ? (await d.registry.getFunction(p.tenant, name)).config.async : undefined;
    const onS = b.data.DestinationConfig?.OnSuccess?.Destination;
    const onF = b.data.DestinationConfig?.OnFailure?.Destination;
    const next = AsyncConfigSchema.safeParse({
      ...cur,
      ...(b.data.MaximumRetryAttempts !== undefined
        ? { maximumRetryAttempts: b.data.MaximumRetryAttempts }
        : {}),
      ...(b.data.MaximumEventAgeInSeconds !== undefined
        ? { maximumEventAgeSec: b.data.MaximumEventAgeInSeconds }
        : {}),
      ...(onS !== undefined ? { onSuccess: onS } : {}),
      ...(onF !== undefined ? { onFailure: onF } : {}),
    });
    if (!next.success)
      throw CoreErrors.VALIDATION({
        reason: next.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
    const f = await d.registry.updateConfig(p.tenant, name, { async: next.data });
    return eventInvokeView(arnOf(p), name, f.config.async, f.updatedAt);
  };
  app.put(EIC, putEventInvoke(false));
  app.post(EIC, putEventInvoke(true));
  app.get(EIC, async (req) => {
    const p = authorize(req, 'lambda:GetFunctionEventInvokeConfig', (a) => a.fn(fnParam(req).name));
    const f = await d.registry.getFunction(p.tenant, fnParam(req).name);
    if (!f.config.async) throw CoreErrors.NOT_FOUND({ what: `event invoke config of ${f.name}` });
    return eventInvokeView(arnOf(p), f.name, f.config.async, f.updatedAt);
  });
  app.delete(EIC, async (req, reply) => {
    const p = authorize(req, 'lambda:DeleteFunctionEventInvokeConfig', (a) => a.fn(fnParam(req).name));
    await d.registry.updateConfig(p.tenant, fnParam(req).name, { async: undefined });
    return reply.code(204).send();
  });
}

function headerString(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}
