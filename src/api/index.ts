/**
 * @module api
 * The control-plane HTTP app: REST `/v1/...`, the Lambda-compatible `/2015-03-31/...` routes,
 * authentication on every route but `GET /healthz`, coded errors.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { PlatformConfig } from '../config/index.ts';
import { CoreErrors } from '../core/errors.ts';
import { eventBridgeApi } from '../events/eventbridge-api.ts';
import { snsApi } from '../events/sns-api.ts';
import { hardenServer, type OnClientAbort, type WireHardening, wireOptions } from '../http/index.ts';
import { sqsApi } from '../sqs/api.ts';
import { sqsQueryApi } from '../sqs/query-api.ts';
import type { SqsService } from '../sqs/service.ts';
import { sfnApi } from '../workflows/sfn-api.ts';
import type { WorkflowService } from '../workflows/types.ts';
import { type AlertRouteDeps, registerAlertRoutes } from './alert-routes.ts';
import { type AsyncRouteDeps, registerAsyncRoutes } from './async-routes.ts';
import { type AuditRouteDeps, registerAuditRoutes } from './audit-routes.ts';
import type { Authenticate } from './auth.ts';
import { installAuth } from './auth.ts';
import { installAwsJsonApi } from './aws-json.ts';
import { createAwsQueryDispatcher } from './aws-query.ts';
import { type BillingDeps, registerBillingRoutes } from './billing-routes.ts';
import { type BucketRouteDeps, registerBucketRoutes } from './bucket-routes.ts';
import { cwLogsApi } from './cwlogs-api.ts';
import { type EventRouteDeps, registerEventRoutes } from './event-routes.ts';
import { installErrorHandler, publicError, sendError, useRawBodies } from './http.ts';
import { type RouteAdminDeps, registerRouteAdmin } from './http-routes.ts';
import { type IdentityRouteDeps, registerIdentityRoutes } from './identity-routes.ts';
import { registerLambdaApi } from './lambda/index.ts';
import { type LogRouteDeps, registerLogRoutes } from './log-routes.ts';
import { type MetricsRouteDeps, registerMetricsRoutes } from './metrics-routes.ts';
import { registerObjectRoutes } from './object-routes.ts';
import { registerOpenApiRoute } from './openapi.ts';
import { type RestDeps, registerRestRoutes } from './routes.ts';
import { registerScheduleRoutes, type ScheduleRouteDeps } from './schedule-routes.ts';
import { registerSecretRoutes, type SecretRouteDeps } from './secret-routes.ts';
import { secretsManagerApi } from './secretsmanager-api.ts';
import { registerSourceRoutes, type SourceRouteDeps } from './source-routes.ts';
import { registerSqsRoutes } from './sqs-routes.ts';
import { registerWorkflowRoutes } from './workflow-routes.ts';

export type { Authenticate, Principal } from './auth.ts';

export interface ApiAppDeps
  extends RestDeps,
    LogRouteDeps,
    Omit<RouteAdminDeps, 'registry' | 'clock'>,
    AsyncRouteDeps,
    ScheduleRouteDeps,
    EventRouteDeps,
    SourceRouteDeps,
    BucketRouteDeps,
    Omit<MetricsRouteDeps, 'store' | 'status' | 'clock'>,
    IdentityRouteDeps,
    AuditRouteDeps,
    SecretRouteDeps,
    BillingDeps,
    AlertRouteDeps {
  readonly config: PlatformConfig;
  readonly sqs: SqsService;
  readonly workflows: WorkflowService;
  readonly authenticate: Authenticate;
  readonly onSystemError?: (e: Error) => void;
  /** A client that closed the connection mid-request (logged at debug, without a stack). */
  readonly onClientAbort?: OnClientAbort;
}

export interface ApiRoute {
  readonly method: string;
  readonly url: string;
}
/** Every route of an API app, as registered (the authorization matrix test walks them). */
export const API_ROUTES = new WeakMap<FastifyInstance, ApiRoute[]>();

/** Deploy uploads carry base64 zips: allow more than the 6 MB invoke limit on the API port. */
const API_BODY_LIMIT = 96 * 1024 * 1024;

export async function buildApiApp(d: ApiAppDeps): Promise<FastifyInstance> {
  const wire: WireHardening = {
    render: (e) => ({ contentType: 'application/json', body: JSON.stringify({ error: publicError(e) }) }),
    onClientAbort: d.onClientAbort,
  };
  const app = Fastify({
    bodyLimit: API_BODY_LIMIT,
    logger: false,
    // Deploys bundle code: give them time; slow clients are bounded by these.
    requestTimeout: 300_000,
    connectionTimeout: 0,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    // 512: a secret name (Secrets Manager allows 512 characters) is one path parameter.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 512 },
    frameworkErrors: (_err, _req, reply) =>
      sendError(reply, CoreErrors.VALIDATION({ reason: 'invalid percent-encoding in the URL' })),
    ...wireOptions(wire),
  });
  hardenServer(app, wire);
  useRawBodies(app, API_BODY_LIMIT);
  const report = { onSystemError: (e: Error) => d.onSystemError?.(e), onClientAbort: d.onClientAbort };
  const table: ApiRoute[] = [];
  API_ROUTES.set(app, table);
  app.addHook('onRoute', (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method])
      if (method !== 'HEAD') table.push({ method, url: r.url });
  });
  installErrorHandler(app, undefined, report);
  installAuth(app, { authenticate: d.authenticate, region: d.config.region, audit: d.audit, clock: d.clock });
  registerRestRoutes(app, d);
  registerLogRoutes(app, d);
  registerBillingRoutes(app, d);
  registerAlertRoutes(app, d);
  registerRouteAdmin(app, d);
  registerAsyncRoutes(app, d);
  registerScheduleRoutes(app, d);
  registerEventRoutes(app, d);
  registerSourceRoutes(app, d);
  registerBucketRoutes(app, d);
  registerObjectRoutes(app, d);
  registerAuditRoutes(app, d);
  registerIdentityRoutes(app, d);
  registerSecretRoutes(app, d);
  registerWorkflowRoutes(app, d);
  registerSqsRoutes(app, d);
  registerMetricsRoutes(app, d);
  registerOpenApiRoute(app);
  await app.register(async (scope) =>
    registerLambdaApi(scope, {
      registry: d.registry,
      invoke: d.invoke,
      async: d.async,
      config: d.config,
      roles: d.roles,
      report,
      presignGet: d.authenticate.presignGet,
    }),
  );
  // AWS JSON protocols (POST / + X-Amz-Target), each service registering its target prefix.
  await app.register(async (scope) => {
    const query = createAwsQueryDispatcher();
    query.register(snsApi({ bus: d.bus, region: d.config.region, clock: d.clock }));
    const sqsJson = sqsApi({ sqs: d.sqs });
    query.register(sqsQueryApi(sqsJson));
    const aws = installAwsJsonApi(scope, { report, query });
    aws.register(secretsManagerApi({ secrets: d.secrets, region: d.config.region, clock: d.clock }));
    aws.register(sqsJson);
    aws.register(
      eventBridgeApi({ bus: d.bus, settings: d.settings, region: d.config.region, clock: d.clock }),
    );
    aws.register(sfnApi({ workflows: d.workflows, region: d.config.region }));
    aws.register(
      cwLogsApi({
        registry: d.registry,
        logStreams: d.store.logStreams,
        flush: () => d.logSink.flush(),
        region: d.config.region,
        retentionDays: (tenant) => d.logSettings.get(tenant).retentionDays,
      }),
    );
  });
  return app;
}
