/**
 * @module server
 * Composition root: reads the frozen config, wires adapters to services, starts the API and the
 * gateway. No logic lives here beyond wiring and start/stop order.
 */
import { hkdfSync } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import pino from 'pino';
import { createAlertService, rollupMinutes } from '../alerts/index.ts';
import { stateMachineOwner } from '../api/event-routes.ts';
import { API_ROUTES, type ApiRoute, buildApiApp } from '../api/index.ts';
import { setDestinationEgressAllow } from '../async/config.ts';
import { type AsyncDeps, createAsyncService, functionOfQueue, webhookItem } from '../async/service.ts';
import type { AsyncService } from '../async/types.ts';
import { createAuditService } from '../audit/index.ts';
import { createBudgetService } from '../budgets/index.ts';
import { clusterSubject } from '../cluster/changes.ts';
import type { NodeMembership } from '../cluster/index.ts';
import { shareSpend } from '../cluster/spend.ts';
import type { PlatformConfig } from '../config/index.ts';
import { systemClock } from '../core/clock.ts';
import type { Clock } from '../core/ports.ts';
import { DEFAULT_TENANT, type RuntimeFamily } from '../core/types.ts';
import { createEventBus } from '../events/bus.ts';
import { createSourceManager, type SourceManager } from '../events/sources/manager.ts';
import { createWebhookService } from '../events/webhooks.ts';
import { buildGateway } from '../gateway/index.ts';
import { createInvokeService } from '../invoke/service.ts';
import { loadPriceTable, PriceBook } from '../metering/index.ts';
import { LogSettingsCache } from '../observability/log-settings.ts';
import { createLogSink } from '../observability/logs.ts';
import { PlatformMetrics } from '../observability/metrics.ts';
import { type LogRetention, startLogRetention } from '../observability/retention.ts';
import { startRollupWriter } from '../observability/rollups.ts';
import { buildArtifact } from '../registry/build/index.ts';
import { createRegistryService } from '../registry/service.ts';
import { findJdk } from '../runtime/java/toolchain.ts';
import { createScheduleService, type ScheduleService } from '../schedules/service.ts';
import { createLocalKeyProvider, createSecretsService } from '../secrets/index.ts';
import {
  authorizeContextCall,
  bootstrapAdmin,
  contextCallAction,
  createAuthenticator,
  createFunctionPolicies,
  createSecretRedactor,
  createSessionIssuer,
  createTenantDirectory,
  loadOrCreateMasterKey,
  withEncryptedEnvironment,
} from '../security/index.ts';
import { createSqsService, type SendInput } from '../sqs/service.ts';
import { objectCalls } from '../storage/calls.ts';
import { createOutboxRelay, objectEventBuilder } from '../storage/events.ts';
import { buildS3Server } from '../storage/server.ts';
import { createStorage } from '../storage/service.ts';
import { inspectStore } from '../store/index.ts';
import { tenantResourcesOf } from '../tenancy/resources.ts';
import { workflowCalls } from '../workflows/calls.ts';
import {
  createStateIO,
  createWorkflowService,
  type WorkflowService,
  workflowTaskAuthorizer,
} from '../workflows/index.ts';
import { createIntegrations } from '../workflows/integrations.ts';
import { connectPeers, joinCluster, type Role, syncCaches } from './cluster.ts';
import { createEngine } from './engine.ts';
import { openPorts } from './ports.ts';
import { startRoles } from './roles.ts';
import { openStorage } from './storage.ts';

export interface RunningPlatform {
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly s3Url: string;
  /** This node's id in its cluster (cluster mode only). */
  readonly nodeId?: string | undefined;
  readonly admin: { keyId: string; secret?: string | undefined; generated: boolean; file: string };
  /** The async dispatcher (tests with a fake clock kick it after advancing time). */
  readonly async: AsyncService;
  readonly schedules: ScheduleService;
  readonly sources: SourceManager;
  readonly workflows: WorkflowService;
  /** Every route of the API port (method + URL pattern). */
  readonly apiRoutes: readonly ApiRoute[];
  /** The log retention sweeper (tests call `sweep()`). */
  readonly logRetention: LogRetention;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Receives platform log lines (pino JSON); default: stderr at config.logLevel. */
  readonly log?: (line: string) => void;
  readonly clock?: Clock;
  /** Delay before the n-th retry of an event-source batch (tests shorten it). */
  readonly sourceRetryDelay?: (n: number) => number;
  /** How often async work held by a spent budget looks again (tests shorten it). */
  readonly budgetRecheckMs?: number;
  /** How often alert rules are evaluated (default 30 s; tests shorten it). */
  readonly alertIntervalMs?: number;
}

export async function startPlatform(
  config: PlatformConfig,
  opts: StartOptions = {},
): Promise<RunningPlatform> {
  const clock = opts.clock ?? systemClock;
  const logger = pino(
    { level: config.logLevel, base: { svc: 'nimbus' } },
    opts.log ? { write: (s: string) => opts.log?.(s.trimEnd()) } : pino.destination(2),
  );
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const cleanups: (() => Promise<void>)[] = [];
  const defer = (cleanup: () => Promise<void>) => {
    cleanups.push(cleanup);
  };
  const closeAll = async () => {
    for (const c of cleanups.reverse())
      await c().catch((e: unknown) => logger.error({ err: e }, 'close failed'));
  };
  try {
    // Traces (OTEL_* variables): the SDK is loaded only when on; shut down (flushed) last.
    const tracing = config.tracing
      ? (await import('../observability/tracing-otel.ts')).createOtelTracing(config.tracing, {
          onExportError: (e) =>
            logger.warn({ err: e, endpoint: config.tracing?.endpoint }, 'span export failed: spans dropped'),
        })
      : undefined;
    if (tracing) cleanups.push(() => tracing.shutdown());
    // Cluster mode: NATS, this node's identity and roles, the change feed (else undefined).
    const cluster = await joinCluster(config, clock, (e, what) => logger.error({ err: e }, `${what} failed`));
    if (cluster) cleanups.push(() => cluster.close());
    const has = (role: Role) => cluster === undefined || cluster.roles.has(role);
    // The cluster's live nodes (heartbeats), set once this node has joined.
    let membership: NodeMembership | undefined;
    // The Store, blob stores and durable queues: the data dir, or the cluster's PostgreSQL and JetStream.
    const durable = await openStorage({ config, cluster, clock, logger, defer });
    setDestinationEgressAllow(config.egressAllowCidrs);
    const blobs = await durable.blobStore('code', 'blobs');
    const masterKey = await loadOrCreateMasterKey({
      dataDir: config.dataDir,
      masterKeyBase64: config.masterKey,
    });
    const store = withEncryptedEnvironment(durable.store, masterKey);
    const tenants = await createTenantDirectory({
      repo: store.tenants,
      clock,
      defaultAccountId: config.accountId,
    });
    const sessions = createSessionIssuer(masterKey, clock);
    const redactor = createSecretRedactor();
    // Each tenant's logs setting (retention, redaction patterns, flood cap), cached for per-line use.
    const logSettings = new LogSettingsCache(store.settings, () => clock.monotonic());
    await logSettings.load();
    const secrets = createSecretsService({
      repo: store.secrets,
      keys: await createLocalKeyProvider({ masterKey, settings: store.settings, clock }),
      clock,
    });

    // Where instances reach the platform's own APIs (set once the API and S3 ports listen).
    let platformEndpoints: { api: string; s3: string } | undefined;
    // Network, sandboxes, build jail, code cache and the scheduler.
    const { network, processes, sandbox, buildJail, scheduler, syncScaling } = createEngine({
      config,
      clock,
      logger,
      blobs,
      // Late-bound: the registry is built further down (with the build jail).
      resolve: (tenant, name) => registry.resolve(tenant, name, undefined),
      logRate: (tenant) => logSettings.rate(tenant),
      accountOf: (t) => tenants.accountOf(t),
      // In a cluster each node admits its share of every limit (1 / live nodes, rounded up).
      share: cluster ? () => 1 / Math.max(1, membership?.alive().length ?? 1) : undefined,
      instanceEnv: {
        sessions,
        roles: store.roles,
        secretValue: async (tenant, name) => (await secrets.get(tenant, name)).value,
        onSecrets: (tenant, fn, values) => redactor.remember(tenant, fn, values),
        endpoints: () => platformEndpoints,
      },
      defer,
    });
    // Prometheus metrics and the 1-minute rollups (NIMBUS_METRICS=off: none of it, no hooks).
    const metrics =
      config.metrics === 'on'
        ? new PlatformMetrics({
            clock,
            maxSeries: config.metricsMaxSeries,
            sources: {
              status: () => scheduler.status(),
              nodeStatus: () => scheduler.node(),
              asyncStats: async () =>
                (await queue.stats()).flatMap((q) => {
                  const f = functionOfQueue(q.queue);
                  return f ? [{ ...q, ...f }] : [];
                }),
            },
          })
        : undefined;
    if (metrics) {
      const rollups = startRollupWriter({
        windows: metrics.windows,
        repo: store.metrics,
        clock,
        retentionDays: config.metricsRetentionDays,
        onError: (e) => logger.error({ err: e }, 'metric rollups write failed'),
      });
      cleanups.push(() => rollups.close());
    }

    let reloadGateway = () => {};
    // Its routes, schedules, sources and bucket notifications went with it (one Store delete):
    // the gateway drops the routes, source runners stop, the object-event cache is refreshed.
    let onFunctionDeleted = (_tenant: string, _name: string) => reloadGateway();
    // A deleted state machine's routes, schedules and manifest subscriptions (set once all exist).
    let onMachineDeleted = async (_tenant: string, _name: string) => {};
    let gatewayUrl = `http://${config.host}:${config.port}`;
    // Cluster mode: tells the other nodes what changed here (set once every cache exists).
    let clusterSync: ReturnType<typeof syncCaches> | undefined;
    let started = false;
    const registry = createRegistryService({
      store,
      blobs,
      clock,
      build: (code, o) => buildArtifact(code, { ...o, jail: buildJail }),
      onFunctionChanged: (tenant, name) => {
        scheduler.retire(tenant, name);
        syncScaling(tenant, name);
        clusterSync?.functionChanged(tenant, name, false);
      },
      onFunctionDeleted: (tenant, name) => {
        onFunctionDeleted(tenant, name);
        clusterSync?.functionChanged(tenant, name, true);
      },
    });
    // Invocation records: one usage row + the function's own lines per invocation, one
    // transaction per batch (START/END/REPORT render from the row when read).
    const logSink = createLogSink({
      repo: metrics ? metrics.timedRecords(store.logs) : store.logs,
      clock,
      redact: (tenant, fn, message) => logSettings.redact(tenant, redactor.redact(tenant, fn, message)),
      onError: (e) => logger.error({ err: e }, 'log write failed'),
    });
    cleanups.push(() => logSink.flush());
    const logRetention = startLogRetention({
      repo: store.logs,
      settings: logSettings,
      clock,
      onError: (e) => logger.error({ err: e }, 'log retention sweep failed'),
    });
    cleanups.push(async () => logRetention.stop());
    // Cost: the price table (file, then the operator's override in settings); budgets with caps.
    const prices = new PriceBook(await loadPriceTable(config.priceTable, store.settings));
    const budgets = createBudgetService({
      store,
      clock,
      flush: () => logSink.flush(),
      // Late-bound: the event bus is built further down.
      publish: (tenant, topic, event) => bus.publish(tenant, topic, [event]),
      onError: (e, what) => logger.error({ err: e }, `${what} failed`),
      shareSpend: cluster !== undefined,
    });
    await budgets.start();
    // In a cluster each node tells the others what its invocations cost, once a second, so that
    // a cap holds cluster-wide within about a second (not at the next reload).
    if (cluster) {
      const onError = (e: unknown) => logger.error({ err: e }, 'budget spend sharing failed');
      const sharing = shareSpend({ cluster, budgets, clock, onError });
      cleanups.push(() => sharing.stop());
    }
    const contextCalls: { handler?: AsyncService['contextCalls'] } = {};
    const invoke = createInvokeService({
      registry,
      scheduler,
      logs: logSink,
      clock,
      maxPayloadBytes: config.maxPayloadBytes,
      contextCalls,
      prices,
      budgets,
      metrics,
      tracing,
    });

    const queue = await durable.openQueue('queue', config.asyncIdempotencyWindowSec * 1000);
    cleanups.push(() => queue.close());
    metrics?.timeEnqueue(queue);
    const publish: NonNullable<AsyncDeps['publish']> = {};
    const workflowHook: NonNullable<AsyncDeps['workflows']> = {};
    const asyncService = createAsyncService({
      publish,
      workflows: workflowHook,
      queue,
      registry,
      invoke,
      clock,
      arn: {
        region: config.region,
        accountId: config.accountId,
        accountOf: (t: string) => tenants.accountOf(t),
      },
      limits: {
        concurrency: config.asyncConcurrency,
        maxQueueDepth: config.asyncMaxQueueDepth,
        maxQueueLagSec: config.asyncMaxQueueLagSec,
        maxPayloadBytes: config.asyncMaxPayloadBytes,
        idempotencyWindowSec: config.asyncIdempotencyWindowSec,
        resultRetentionSec: config.asyncResultRetentionSec,
        maxHops: config.asyncMaxHops,
        functionConcurrency: config.functionConcurrency,
      },
      log: (level, obj, msg) => logger[level](obj, msg),
      egressAllowCidrs: config.egressAllowCidrs,
      budgets,
      budgetRecheckMs: opts.budgetRecheckMs,
      tracing,
    });
    const functionPolicies = createFunctionPolicies({
      functions: store.functions,
      roles: store.roles,
      now: () => clock.now(),
    });
    contextCalls.handler = (caller) => {
      const objects = objectCalls(storage, caller);
      const base = asyncService.contextCalls(caller);
      const account = tenants.accountOf(caller.tenant);
      return async (op, args) => {
        // The caller's execution role decides, as for its AWS SDK calls.
        const call = contextCallAction(op, args, { region: config.region, account });
        if (call)
          await authorizeContextCall(await functionPolicies(caller.tenant, caller.functionName), call, {
            tenant: caller.tenant,
            functionName: caller.functionName,
            account,
          });
        return objects(op, args) ?? workflowCalls(workflows, caller)(op, args) ?? base(op, args);
      };
    };
    // SQS messages have a Queue of their own: the async dispatcher leases from every queue of its.
    const sqsQueue = await durable.openQueue('sqs');
    cleanups.push(() => sqsQueue.close());
    const sqs = createSqsService({
      repo: store.sqsQueues,
      settings: store.settings,
      queue: sqsQueue,
      clock,
      region: config.region,
      accountOf: (t) => tenants.accountOf(t),
      log: (level, obj, msg) => logger[level](obj, msg),
      tracing,
    });
    cleanups.push(() => sqs.close());
    // Cluster mode: another node's enqueue wakes this node's dispatcher and long polls at once.
    for (const stop of [queue.watch?.(() => asyncService.kick()), sqsQueue.watch?.((q) => sqs.wake(q))])
      if (stop) cleanups.push(async () => stop());
    publish.sqs = async (tenant, env) => {
      const q = await sqs.getQueue(tenant, env.queue);
      const fifo = q.attributes.FifoQueue === 'true';
      const [r] = await sqs.send(
        tenant,
        env.queue,
        [
          {
            body: env.body,
            attributes: env.attributes,
            traceparent: env.traceparent,
            ...(fifo ? { groupId: env.groupId, dedupeId: env.dedupeId } : {}),
          },
        ],
        'nimbus-events',
      );
      if (r && 'error' in r) throw r.error;
    };
    const bus = createEventBus({
      store,
      queue,
      registry,
      clock,
      kick: () => asyncService.kick(),
      maxQueueDepth: config.asyncMaxQueueDepth,
      maxHops: config.asyncMaxHops,
      egressAllowCidrs: config.egressAllowCidrs,
      log: (level, obj, msg) => logger[level](obj, msg),
      region: config.region,
      accountOf: (t) => tenants.accountOf(t),
      sqsQueueExists: async (t, name) => (await store.sqsQueues.get(t, name)) !== undefined,
      onPublished: metrics ? (t, r) => metrics.published(t, r) : undefined,
      tracing,
      stateMachineExists: async (t, name) => (await store.workflows.getMachine(t, name)) !== undefined,
    });
    await bus.load();
    publish.handler = (tenant, topic, event, hop, traceparent) =>
      bus.publish(tenant, topic, [JSON.parse(event)], { hop, traceparent });
    // Alert rules read the rollups (and the current minute), the async queues and the budgets.
    const alerts = metrics
      ? createAlertService({
          settings: store.settings,
          clock,
          minutes: rollupMinutes(store.metrics, metrics.windows),
          queues: (tenant) => asyncService.stats(tenant),
          budgetPercent: async (tenant, name) =>
            (await budgets.list(tenant)).find((b) => b.name === name)?.percent,
          publish: (tenant, topic, event) => bus.publish(tenant, topic, [event]),
          invokeAsync: (tenant, fn, payload, idempotencyKey) =>
            asyncService.submit({ tenant, functionName: fn, payload, source: 'alert', idempotencyKey }),
          // The async service's webhook queue delivers it: retried, under the egress policy.
          postWebhook: (tenant, url, body, dedupeKey) =>
            queue.enqueue([
              webhookItem(
                tenant,
                { url, body, contentType: 'application/cloudevents+json' },
                { source: 'alert', dedupeKey },
              ),
            ]),
          intervalMs: opts.alertIntervalMs,
          onError: (e, what) => logger.error({ err: e }, `${what} failed`),
        })
      : undefined;
    // A single node evaluates alert rules itself; a cluster's leader does (started below).
    if (alerts) {
      await (cluster ? alerts.reload() : alerts.start());
      cleanups.push(async () => alerts.close());
    }
    const webhooks = createWebhookService({ repo: store.webhooks, bus, masterKey, clock });
    const sources = createSourceManager({
      repo: store.sources,
      registry,
      invoke,
      queue,
      clock,
      sqs,
      region: config.region,
      log: (level, obj, msg) => logger[level](obj, msg),
      retryDelay: opts.sourceRetryDelay,
      tracing,
    });
    cleanups.push(() => sources.close());
    const authenticate = createAuthenticator({
      keys: store.keys,
      roles: store.roles,
      functions: store.functions,
      tenants,
      sessions,
      masterKey,
      clock,
      region: config.region,
    });
    const outboxRelay = createOutboxRelay({
      outbox: store.outbox,
      queue,
      kick: () => asyncService.kick(),
      onError: (e) => logger.error({ err: e }, 'outbox relay failed'),
    });
    const workflows = createWorkflowService({
      store,
      clock,
      region: config.region,
      accountOf: (t) => tenants.accountOf(t),
      io: createStateIO(),
      relay: () => outboxRelay.relay(),
      queue,
      reloadTopic: (t, topic) => bus.reloadTopic(t, topic),
      // Called only after start-up (storage is built below).
      integrations: createIntegrations({
        sqsSend: async (t, q, m) => {
          const [r] = await sqs.send(t, q, [m as SendInput], 'nimbus-workflows');
          if (!r || 'error' in r) throw r?.error ?? new Error('SQS send failed');
          return r.ok;
        },
        publish: (t, topic, events) => bus.publish(t, topic, events),
        listObjects: (t, bucket, q) => storage.listObjects(t, bucket, q),
        getObject: async (t, bucket, key) => (await storage.getObject(t, bucket, key)).body,
        now: () => clock.now(),
      }),
      authorizeTask: workflowTaskAuthorizer({
        roles: store.roles,
        region: config.region,
        accountOf: (t) => tenants.accountOf(t),
      }),
      log: (level, obj, msg) => logger[level](obj, msg),
      onMachineDeleted: (tenant, name) => onMachineDeleted(tenant, name),
      onStarted: metrics ? (t, m) => metrics.workflowStarted(t, m) : undefined,
      tracing,
      onTransition: metrics ? (t, m, n, end) => metrics.workflowTransition(t, m, n, end) : undefined,
      // A sync execution waits on the node that started it; its steps may end on another one.
      onEnded: cluster
        ? (arn) => cluster.nc.publish(clusterSubject(cluster.name, 'workflows', 'ended'), arn)
        : undefined,
    });
    workflowHook.handle = (m) => workflows.handle(m);
    if (cluster) {
      const ended = cluster.nc.subscribe(clusterSubject(cluster.name, 'workflows', 'ended'), {
        callback: (err, msg) => (err ? undefined : workflows.ended(msg.string())),
      });
      cleanups.push(async () => ended.unsubscribe());
    }
    const storage = createStorage({
      store,
      blobs: await durable.blobStore('objects', 'objects'),
      clock,
      maxObjectBytes: config.s3MaxObjectBytes,
      eventItems: objectEventBuilder({ region: config.region, clock }),
      onOutbox: () => void outboxRelay.relay(),
    });
    // Closed before the sandbox (cleanups run in reverse): running invocations may finish.
    cleanups.push(() => asyncService.close());
    const schedules = createScheduleService({
      repo: store.schedules,
      async: asyncService,
      workflows,
      clock,
      arn: {
        region: config.region,
        accountId: config.accountId,
        accountOf: (t: string) => tenants.accountOf(t),
      },
      log: (level, obj, msg) => logger[level](obj, msg),
    });
    cleanups.push(() => schedules.close());

    // A client that hangs up mid-request is not a platform failure: debug level, no stack.
    const onClientAbort = (a: object) => logger.debug(a, 'client closed the connection mid-request');
    // Cluster mode: sync invocations go to a node with a warm instance; the API sees every node.
    const peers = connectPeers({
      cluster,
      invoke,
      warmHere: (t, fn) => scheduler.hasRoom(t, fn),
      timeoutSec: async (r) =>
        (await registry.resolve(r.tenant, r.functionName, r.qualifier)).config.timeoutSec,
      leases: store.leases,
      membership: () => membership,
      onError: (e, what) => logger.error({ err: e }, `${what} failed`),
      defer,
    });
    const syncInvoke = peers.invoke;
    const gateway = await buildGateway({
      config,
      invoke: syncInvoke,
      workflows,
      routes: store.routes,
      settings: store.settings,
      clock,
      tenants,
      onSystemError: (e) => logger.error({ err: e }, 'gateway request failed'),
      onClientAbort,
      hooks: (id, req) => webhooks.receive(id, req),
      tracing,
    });
    cleanups.push(() => gateway.app.close());
    reloadGateway = () => {
      gateway.reload().catch((e: unknown) => logger.error({ err: e }, 'gateway reload failed'));
    };

    // Closed after the API (cleanups run in reverse): the last requests' entries are flushed.
    const audit = createAuditService({
      chainKey: Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'nimbus-audit-chain-v1', 32)),
      repo: store.audit,
      settings: store.settings,
      clock,
      retentionDays: config.auditRetentionDays,
      onError: (e, what) => logger.error({ err: e }, what),
    });
    cleanups.push(() => audit.close());
    // In a cluster every successful configuration change is announced to the other nodes.
    const requestAudit: typeof audit = cluster
      ? {
          ...audit,
          record(e) {
            audit.record(e);
            clusterSync?.audited(e);
          },
        }
      : audit;
    const api = await buildApiApp({
      audit: requestAudit,
      secrets,
      routes: store.routes,
      settings: store.settings,
      onRoutesChanged: async (change) => (change ? gateway.apply(change) : gateway.reload()),
      config,
      sqs,
      registry,
      invoke: syncInvoke,
      async: asyncService,
      schedules,
      workflows,
      bus,
      webhooks,
      sources,
      storage,
      gatewayUrl: () => gatewayUrl,
      store,
      logSink,
      logSettings,
      flushUsage: () => logSink.flush(),
      prices,
      budgets,
      alerts,
      clock,
      arn: { region: config.region, accountId: config.accountId },
      authenticate,
      doctor: async (tenant) => ({
        sandbox: sandbox.isolation(),
        build: buildJail
          ? { jailed: true, detail: buildJail.describe() }
          : { jailed: false, detail: 'no sandbox available: builds run as plain child processes' },
        // Each function's egress policy (what its instances may reach on the network).
        egress: (await registry.listFunctions(tenant)).map((f) => ({
          function: f.name,
          mode: f.config.egress?.mode ?? 'internet',
          ...(f.config.egress?.allow ? { allow: f.config.egress.allow } : {}),
        })),
        store: { kind: store.kind, warnings: await inspectStore(config.store) },
        runtimes: { node: process.versions.node, java: findJdk()?.version ?? null },
        pool: { size: config.poolSize },
      }),
      tenants,
      tenantResources: tenantResourcesOf({
        functions: registry,
        queues: sqs,
        routes: store.routes,
        schedules,
        bus,
        webhooks,
        sources,
        buckets: {
          listBuckets: (t) => storage.listBuckets(t),
          async destroyBucket(t, name) {
            for (;;) {
              const page = await storage.listObjects(t, name, { prefix: '', maxKeys: 1000 });
              for (const o of page.contents) await storage.deleteObject(t, name, o.key, '-');
              if (!page.truncated) break;
            }
            await storage.deleteBucket(t, name);
          },
        },
        secrets: store.secrets,
        roles: store.roles,
        keys: store.keys,
      }),
      keys: store.keys,
      roles: store.roles,
      masterKey,
      status: () => scheduler.status(),
      metrics,
      nodeStatus: () => scheduler.node(),
      ready: () => started,
      ...peers.api,
      onSystemError: (e) => logger.error({ err: e }, 'request failed'),
      onClientAbort,
    });
    cleanups.push(() => api.close());
    const s3 = await buildS3Server({
      storage,
      authenticate,
      audit: requestAudit,
      maxObjectBytes: config.s3MaxObjectBytes,
      onSystemError: (e) => logger.error({ err: e }, 's3 request failed'),
      onClientAbort,
    });
    cleanups.push(() => s3.close());
    onMachineDeleted = async (tenant, name) => {
      for (const r of await store.routes.list(tenant))
        if (r.stateMachine === name) await store.routes.delete(tenant, r.id);
      gateway.apply({ kind: 'stateMachine', tenant, stateMachine: name, routes: [] });
      await schedules.replaceForStateMachine(tenant, name, []);
      await bus.replaceOwned(tenant, stateMachineOwner(name), []);
    };
    onFunctionDeleted = (tenant, name) => {
      scheduler.forget(tenant, name);
      gateway.apply({ kind: 'function', tenant, functionName: name, routes: [] });
      storage.invalidateNotifications();
      sources
        .stopFunction(tenant, name)
        .catch((e: unknown) => logger.error({ err: e }, 'stopping sources failed'));
    };
    if (cluster) {
      clusterSync = syncCaches(
        cluster.changes,
        {
          function(tenant, name, deleted) {
            registry.forget(tenant, name);
            scheduler.retire(tenant, name);
            if (deleted) onFunctionDeleted(tenant, name);
            else syncScaling(tenant, name);
          },
          async reloadAll() {
            storage.invalidateNotifications();
            prices.set(await loadPriceTable(config.priceTable, store.settings));
            await Promise.all([
              gateway.reload(),
              bus.load(),
              logSettings.load(),
              budgets.reload(),
              alerts?.reload(),
              sources.resync(),
              schedules.tick(),
            ]);
          },
        },
        clock,
        (e) => logger.error({ err: e }, 'cluster cache reload failed'),
      );
      cleanups.push(async () => clusterSync?.stop());
    }
    // The S3, API (with the console) and gateway ports, and the bridges instances reach the platform by.
    const ports = await openPorts({
      config,
      api,
      s3,
      gateway: gateway.app,
      network,
      has,
      nodeId: cluster?.nodeId,
      logger,
      onInstanceEndpoints: (e) => {
        platformEndpoints = e;
      },
      onGatewayUrl: (url) => {
        gatewayUrl = url;
      },
      defer,
    });
    const { apiUrl } = ports;

    const admin = await bootstrapAdmin({
      keys: store.keys,
      masterKey,
      dataDir: config.dataDir,
      adminKeyId: config.adminKeyId,
      adminSecret: config.adminSecret,
      endpoint: apiUrl,
      clock,
    });
    // Workers, and what runs once (on this node, or on the cluster's leader).
    await startRoles({
      cluster,
      has,
      store,
      scheduler,
      asyncService,
      sqs,
      schedules,
      sources,
      alerts,
      apiUrl,
      clock,
      logger,
      onMembership: (m) => {
        membership = m;
      },
      defer,
    });
    await outboxRelay.relay(); // events committed before a crash
    const families = new Set<RuntimeFamily>();
    for (const f of await store.functions.list(DEFAULT_TENANT)) {
      if (f.config.reservedConcurrency || f.config.scaling) syncScaling(f.tenant, f.name);
      families.add(f.code.family);
    }
    // Pre-boot the generic pools after the ports are open so start-up is not blocked by it.
    sandbox.warmup().catch((e: unknown) => logger.error({ err: e }, 'sandbox warmup failed'));
    // Families with functions keep a pre-booted process (a JVM only when there are Java functions).
    for (const family of families) processes.expect(family);
    logger.info(
      {
        apiUrl,
        gatewayUrl: ports.gatewayUrl,
        store: store.kind,
        ...(cluster ? { cluster: cluster.name, node: cluster.nodeId, roles: [...cluster.roles] } : {}),
      },
      'nimbus started',
    );

    started = true;
    return {
      apiUrl,
      gatewayUrl: ports.gatewayUrl ?? '',
      s3Url: ports.s3Url,
      nodeId: cluster?.nodeId,
      admin,
      async: asyncService,
      schedules,
      sources,
      workflows,
      apiRoutes: API_ROUTES.get(api) ?? [],
      logRetention,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
