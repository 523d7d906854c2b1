import { z } from 'zod';
import type { TracingConfig } from '../observability/tracing.ts';
import { parseCidr } from '../security/egress.ts';

const port = z.coerce.number().int().min(0).max(65535);

/** The one schema for platform configuration. Every field has a flag and a NIMBUS_* env var. */
export const PlatformConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  /** Gateway (HTTP triggers) port. */
  port: port.default(3000),
  /** Control-plane API port (REST /v1, Lambda API). */
  apiPort: port.default(8080),
  /** S3-compatible bucket API port. */
  s3Port: port.default(9000),
  /** Largest object (or part) accepted by the S3 API; bodies are held in memory while stored. */
  s3MaxObjectBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(100 * 1024 * 1024),
  dataDir: z.string().min(1).default('./.nimbus'),
  /** `sqlite` (embedded, in the data dir) or a `postgres://` URL. */
  store: z
    .string()
    .default('sqlite')
    .refine((s) => s === 'sqlite' || /^postgres(ql)?:\/\//.test(s), 'must be "sqlite" or a postgres:// URL'),
  sqliteSynchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  region: z.string().min(1).default('local-1'),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be 12 digits')
    .default('000000000000'),
  /**
   * Gateway host names of tenants: `<tenant>.<tenantDomain>` routes to that tenant's routes
   * (`acme.localhost`); the path prefix `/~<tenant>/` works on any host.
   */
  tenantDomain: z
    .string()
    .regex(/^[a-z0-9.-]{1,200}$/, 'a DNS domain such as localhost or fn.example.com')
    .default('localhost'),
  /** Sandbox kind; `auto` picks bubblewrap when installed, else unshare. */
  sandbox: z.enum(['auto', 'bwrap', 'unshare']).default('auto'),
  /** Pre-booted generic processes kept per runtime family. */
  poolSize: z.coerce.number().int().min(0).max(64).default(2),
  /** Seconds a warm instance stays idle before it is stopped. */
  idleTtlSec: z.coerce.number().int().min(1).max(86400).default(300),
  /**
   * `fixed` idle TTL; `adaptive` per-function keep-alive and pre-warm from inter-arrival
   * histograms; `predictive` fixed TTL plus pre-warm from a fitted daily arrival model.
   */
  keepAlivePolicy: z.enum(['fixed', 'adaptive', 'predictive']).default('fixed'),
  /** Default per-function concurrency limit (reserved concurrency overrides it). */
  functionConcurrency: z.coerce.number().int().min(1).max(10000).default(50),
  /**
   * HTTP requests one instance of a Node.js function runs at once when the function does not set
   * `scaling.perInstanceConcurrency` (Invoke API, async and event invocations still get an
   * instance each). 1 = Lambda's one request per instance for HTTP too.
   */
  httpInstanceSharing: z.coerce.number().int().min(1).max(1000).default(16),
  /** How long an invoke waits for a free concurrency slot before 429 (hard bound). */
  throttleWaitMs: z.coerce.number().int().min(0).max(60000).default(2000),
  /**
   * A request may wait for a slot only while its expected wait is at most this many typical run
   * times of the function (else 429 at once): overload is refused fast, admitted latency kept.
   */
  queueWaitFactor: z.coerce.number().min(0).max(1000).default(1),
  /** Concurrency limit per tenant (account); reserved concurrency is carved out of it. */
  tenantConcurrency: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  /** Memory budget for instances on this node, MB (sum of their memoryMb); 0 = 80% of RAM. */
  nodeMemoryMb: z.coerce.number().int().min(0).default(0),
  /** Sync invoke payload limit (Lambda: 6 MB). */
  maxPayloadBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(6 * 1024 * 1024),
  /** The gateway answers 504 after this long even if the function keeps running (API Gateway: 30 s). */
  gatewayTimeoutMs: z.coerce.number().int().min(50).max(900_000).default(30_000),
  /** Async invocations running at once on this node (the dispatcher's slots). */
  asyncConcurrency: z.coerce.number().int().min(1).max(10000).default(32),
  /** Per-function limit of waiting async events; submits beyond it get 429. */
  asyncMaxQueueDepth: z.coerce.number().int().min(1).default(100_000),
  /** Submits get 429 when a function's oldest deliverable event has waited longer (0 = off). */
  asyncMaxQueueLagSec: z.coerce.number().int().min(0).default(3600),
  /** Async payload limit (Lambda: 1 MB). */
  asyncMaxPayloadBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Idempotency-Key dedupe window. */
  asyncIdempotencyWindowSec: z.coerce.number().int().min(1).default(86_400),
  /** How long finished async invocations (status, result) are kept. */
  asyncResultRetentionSec: z.coerce.number().int().min(60).default(86_400),
  /** Async hop limit that stops A → B → A loops. */
  asyncMaxHops: z.coerce.number().int().min(1).max(1000).default(16),
  /**
   * CIDRs (comma-separated) the platform's own outbound calls — webhook subscriptions and
   * destinations — may reach although the `internet` egress policy forbids them, e.g. a receiver
   * in the private network. The cloud metadata addresses stay blocked whatever is listed.
   */
  egressAllowCidrs: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const list = s
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      for (const c of list)
        if (!parseCidr(c))
          ctx.addIssue({ code: 'custom', message: `${c} is not a CIDR (a.b.c.d/n or x::y/n)` });
      return Object.freeze(list) as readonly string[];
    }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Audit records older than this are pruned (daily; the chain stays verifiable); 0 keeps them forever. */
  auditRetentionDays: z.coerce.number().int().min(0).max(36_500).default(365),
  /** Prometheus `/metrics`, the 1-minute rollups and `nimbus top` (off: none of them, no overhead). */
  metrics: z.enum(['on', 'off']).default('on'),
  /** Distinct (tenant, function) label pairs with series of their own; later ones count as `other`. */
  metricsMaxSeries: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  /** 1-minute rollups older than this are pruned (each minute); 0 keeps them forever. */
  metricsRetentionDays: z.coerce.number().int().min(0).max(36_500).default(14),
  /** Bootstrap admin credentials (else generated on first start). */
  adminKeyId: z
    .string()
    .regex(/^[A-Z0-9]{16,40}$/, 'must be 16–40 chars A–Z 0–9')
    .optional(),
  adminSecret: z.string().min(20, 'must be at least 20 characters').optional(),
  /** Base64 32-byte master key for secrets at rest (else generated into <dataDir>/master.key). */
  masterKey: z.string().optional(),
  /**
   * A JSON price table file (metering/prices.ts; default: AWS Lambda's on-demand prices). An
   * operator's `PUT /v1/prices` overrides it until removed.
   */
  priceTable: z.string().optional(),
  /**
   * Cluster mode: nodes started with the same name form one cluster (its PostgreSQL schema, NATS
   * streams and subjects are namespaced by it). Needs a postgres:// store, a NATS URL and a master
   * key shared by every node. Absent: the embedded single node.
   */
  cluster: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, '1–40 of a–z 0–9 _, starting with a letter')
    .optional(),
  /** NATS server URL(s), comma-separated (cluster mode: blobs, node-to-node messages). */
  nats: z
    .string()
    .refine(
      (s) => s.split(',').every((u) => /^(nats|tls):\/\/[^\s]+$/.test(u.trim())),
      'nats://host:port[,…]',
    )
    .optional(),
  /** Replicas of the cluster's JetStream Object Store buckets (3 in production; 1 = one server). */
  natsReplicas: z.coerce.number().int().min(1).max(5).default(1),
  /** What this node does (cluster mode): gateway, api, worker, scheduler; default all. */
  roles: z
    .string()
    .default('gateway,api,worker,scheduler')
    .transform((s) => [
      ...new Set(
        s
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.enum(['gateway', 'api', 'worker', 'scheduler'])).min(1, 'at least one role')),
});

export type PlatformConfig = Readonly<z.infer<typeof PlatformConfigSchema>> & {
  /**
   * Traces (OTLP/HTTP): read from the standard OTEL_* variables, not a NIMBUS_* one
   * (src/observability/tracing.ts `tracingFromEnv`); absent: tracing off.
   */
  readonly tracing?: TracingConfig | undefined;
};

/** Flag name → env var, used by the CLI and docs. */
export const ENV_VARS: Readonly<Record<keyof z.infer<typeof PlatformConfigSchema>, string>> = Object.freeze({
  host: 'NIMBUS_HOST',
  port: 'NIMBUS_PORT',
  apiPort: 'NIMBUS_API_PORT',
  s3Port: 'NIMBUS_S3_PORT',
  s3MaxObjectBytes: 'NIMBUS_S3_MAX_OBJECT_BYTES',
  dataDir: 'NIMBUS_DATA_DIR',
  store: 'NIMBUS_STORE',
  sqliteSynchronous: 'NIMBUS_SQLITE_SYNCHRONOUS',
  region: 'NIMBUS_REGION',
  accountId: 'NIMBUS_ACCOUNT_ID',
  tenantDomain: 'NIMBUS_TENANT_DOMAIN',
  sandbox: 'NIMBUS_SANDBOX',
  poolSize: 'NIMBUS_POOL_SIZE',
  idleTtlSec: 'NIMBUS_IDLE_TTL_SEC',
  keepAlivePolicy: 'NIMBUS_KEEP_ALIVE_POLICY',
  functionConcurrency: 'NIMBUS_FUNCTION_CONCURRENCY',
  httpInstanceSharing: 'NIMBUS_HTTP_INSTANCE_SHARING',
  throttleWaitMs: 'NIMBUS_THROTTLE_WAIT_MS',
  queueWaitFactor: 'NIMBUS_QUEUE_WAIT_FACTOR',
  tenantConcurrency: 'NIMBUS_TENANT_CONCURRENCY',
  nodeMemoryMb: 'NIMBUS_NODE_MEMORY_MB',
  maxPayloadBytes: 'NIMBUS_MAX_PAYLOAD_BYTES',
  gatewayTimeoutMs: 'NIMBUS_GATEWAY_TIMEOUT_MS',
  asyncConcurrency: 'NIMBUS_ASYNC_CONCURRENCY',
  asyncMaxQueueDepth: 'NIMBUS_ASYNC_MAX_QUEUE_DEPTH',
  asyncMaxQueueLagSec: 'NIMBUS_ASYNC_MAX_QUEUE_LAG_SEC',
  asyncMaxPayloadBytes: 'NIMBUS_ASYNC_MAX_PAYLOAD_BYTES',
  asyncIdempotencyWindowSec: 'NIMBUS_ASYNC_IDEMPOTENCY_WINDOW_SEC',
  asyncResultRetentionSec: 'NIMBUS_ASYNC_RESULT_RETENTION_SEC',
  asyncMaxHops: 'NIMBUS_ASYNC_MAX_HOPS',
  egressAllowCidrs: 'NIMBUS_EGRESS_ALLOW_CIDRS',
  logLevel: 'NIMBUS_LOG_LEVEL',
  auditRetentionDays: 'NIMBUS_AUDIT_RETENTION_DAYS',
  metrics: 'NIMBUS_METRICS',
  metricsMaxSeries: 'NIMBUS_METRICS_MAX_SERIES',
  metricsRetentionDays: 'NIMBUS_METRICS_RETENTION_DAYS',
  adminKeyId: 'NIMBUS_ADMIN_KEY_ID',
  adminSecret: 'NIMBUS_ADMIN_SECRET',
  masterKey: 'NIMBUS_MASTER_KEY',
  priceTable: 'NIMBUS_PRICE_TABLE',
  cluster: 'NIMBUS_CLUSTER',
  nats: 'NIMBUS_NATS',
  natsReplicas: 'NIMBUS_NATS_REPLICAS',
  roles: 'NIMBUS_ROLES',
});
