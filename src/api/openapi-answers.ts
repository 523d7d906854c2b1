/**
 * The answers of the REST routes beyond the core ones of openapi-views.ts (async work, events,
 * buckets, workflows, identity, secrets, audit, billing, alerts, metrics, status): one zod schema
 * per JSON answer, written after the route files' views, registered in SCHEMAS
 * (openapi-routes.ts). Documentation only; openapi.e2e checks each one against a real answer with
 * no field left undocumented. Epoch-ms fields say so; the other times are ISO 8601.
 */
import { z } from 'zod';
import { ALERT_METRICS } from '../alerts/index.ts';
import { EXECUTION_STATUSES } from '../core/types.ts';
import { PriceTableSchema } from '../metering/prices.ts';
import { SERIES } from '../observability/rollups.ts';
import { MOVE_TASK_STATUSES } from '../sqs/move-tasks.ts';
import { GROUPINGS } from './billing-routes.ts';

const iso = z.iso.datetime({ offset: true }).describe('ISO 8601 time');
const int = z.number().int();

const ms = int.describe('epoch ms');
const count = int.min(0);

/** `GET /healthz`: 200, or 503 while starting or degraded (the same shape, `ok: false`). */
export const Health = z.object({
  ok: z.boolean(),
  live: z.literal(true).optional().describe('`?live=1`: the process serves'),
  starting: z.literal(true).optional().describe('503: start-up is not complete'),
  degraded: z.literal(true).optional().describe('503: a dependency in `checks` is not ok'),
  checks: z
    .record(z.string(), z.string())
    .optional()
    .describe('store (and nats in cluster mode): ok, unreachable, timeout, disconnected'),
});

/** `GET /v1/openapi.json`: this document (described by the OpenAPI 3.1 schema, not here). */
export const OpenApiDocumentView = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.record(z.string(), z.unknown()),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.looseObject({ schemas: z.record(z.string(), z.unknown()) }),
});

// ---- async invocations, timers, queues

/** Why an async invocation failed (the last attempt's error, or why it was dead-lettered). */
export const InvocationError = z.looseObject({
  reason: z
    .string()
    .optional()
    .describe(
      'why it was dead-lettered: RetriesExhausted, EventAgeExceeded, FunctionNotFound, LoopDetected…',
    ),
  failure: z.string().optional().describe('the last failure: function, timeout, oom, crash, init…'),
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
  errorCode: z.string().optional().describe('the coded platform error, when there is one'),
});

export const InvocationView = z.object({
  id: z.string(),
  functionName: z
    .string()
    .describe('the function (`webhook:<url>`, `topic:<name>`, `sqs:<queue>` for deliveries)'),
  qualifier: z.string().nullable(),
  status: z.enum(['queued', 'scheduled', 'running', 'retrying', 'succeeded', 'failed']),
  source: z.string().describe('who queued it: api, lambda, timer, schedule, function, destination…'),
  attempts: count,
  failures: count,
  submittedAt: iso,
  updatedAt: iso,
  nextAttemptAt: iso.nullable().describe('queued, scheduled or retrying: when it runs next'),
  hop: count,
  result: z.unknown().optional().describe("succeeded: the function's result"),
  executedVersion: z.string().optional().describe('succeeded: the version that ran'),
  error: InvocationError.optional(),
  payload: z.unknown().optional().describe('the event (invocations of a function)'),
});

export const TimerCreated = z.object({ id: z.string(), fireAt: iso, duplicate: z.boolean() });
export const TimerList = z.object({ timers: z.array(InvocationView) });

export const QueueView = z.object({
  functionName: z.string(),
  queue: z.string(),
  ready: count.describe('visible now and not leased'),
  delayed: count.describe('waiting for a delay or a retry time'),
  inflight: count.describe('leased and running'),
  dead: count.describe('dead letters'),
  oldestAgeMs: z.number().min(0).describe('how long the oldest deliverable message has waited'),
});
export const QueueList = z.object({ queues: z.array(QueueView) });
export const DeadLetterList = z.object({
  deadLetters: z.array(InvocationView),
  next: z.string().nullable().describe('`after` for the next page (null: this page is empty)'),
});
export const DeadLettersReplayed = z.object({ replayed: count });
export const DeadLettersPurged = z.object({ purged: count });

// ---- SQS queues

export const SqsQueueView = z.object({
  name: z.string(),
  url: z.string().describe('the QueueUrl, with the origin the request used'),
  arn: z.string(),
  fifo: z.boolean(),
  messages: z
    .object({
      visible: count.describe('ApproximateNumberOfMessages'),
      inflight: count.describe('ApproximateNumberOfMessagesNotVisible: received, not yet deleted'),
      delayed: count.describe('ApproximateNumberOfMessagesDelayed'),
    })
    .nullable()
    .describe('null: the key may not sqs:GetQueueAttributes on this queue'),
  deadLetterQueue: z
    .object({ name: z.string(), arn: z.string(), maxReceiveCount: int.min(1) })
    .nullable()
    .describe('its RedrivePolicy: where a message goes after maxReceiveCount receives'),
  deadLetterSources: z.array(z.string()).describe('the queues whose dead-letter queue this is'),
  createdAt: iso,
});
export const SqsQueueList = z.object({ queues: z.array(SqsQueueView) });
export const MoveTaskView = z.object({
  id: z.string(),
  handle: z.string().nullable().describe('RUNNING: the TaskHandle CancelMessageMoveTask takes'),
  status: z.enum(MOVE_TASK_STATUSES),
  source: z.string().describe('the dead-letter queue'),
  destination: z.string().nullable().describe('null: each message back to the queue it came from'),
  maxPerSecond: int.nullable(),
  moved: count,
  toMove: count.describe('its visible messages when the task started'),
  startedAt: iso,
  endedAt: iso.nullable(),
  failureReason: z.string().nullable().describe('FAILED: why (e.g. a message with no source queue)'),
});
export const MoveTaskAnswer = z.object({ task: MoveTaskView });
export const MoveTaskList = z.object({ tasks: z.array(MoveTaskView) });

// ---- logs setting

export const LogSettings = z.object({
  retentionDays: int,
  maxMegabytes: int.nullable().describe('null: no cap'),
  redact: z.array(z.string()).describe('regular expressions; matches are replaced by ***'),
  linesPerSecond: int,
  bytesPerSecond: int,
});
export const LogSettingsResult = z.object({ logs: LogSettings });

// ---- events: publish, webhooks, sources

export const PublishedEvents = z.object({
  events: z.array(z.object({ id: z.string(), deliveries: count.describe('subscriptions it went to') })),
});

export const WebhookView = z.object({
  id: z.string(),
  url: z.string().describe('the gateway URL that publishes to the topic'),
  topic: z.string(),
  verification: z.enum(['github', 'stripe', 'standard', 'shared-secret', 'none']),
  header: z.string().nullable().describe('shared-secret: the header carrying it'),
  toleranceSec: z.number(),
  description: z.string(),
  createdAt: iso,
});
export const WebhookCreated = WebhookView.extend({
  secret: z.string().optional().describe('a generated signing secret, shown this once'),
});
export const WebhookList = z.object({ webhooks: z.array(WebhookView) });

const SOURCE_KINDS = ['nats', 'jetstream', 'rabbitmq', 'mqtt', 'redis', 'postgres', 'sqs'] as const;
export const SourceView = z.object({
  id: z.string(),
  function: z.string(),
  qualifier: z.string().nullable(),
  kind: z.enum(SOURCE_KINDS),
  config: z.record(z.string(), z.unknown()).describe('connector settings, credentials redacted'),
  batchSize: int,
  batchWindowMs: int,
  maximumRetryAttempts: int,
  concurrency: int,
  enabled: z.boolean(),
  origin: z.enum(['manifest', 'api']),
  createdAt: iso,
  status: z
    .object({
      id: z.string(),
      kind: z.enum(SOURCE_KINDS),
      connected: z.boolean(),
      received: count,
      succeeded: count,
      retried: count,
      deadLettered: count,
      inFlightBatches: count,
      lastError: z.string().optional(),
    })
    .nullable()
    .describe('null while it is not running on this node'),
});
export const SourceList = z.object({ sources: z.array(SourceView) });

// ---- gateway CORS

/** A CORS setting as stored (every default filled in). */
export const CorsView = z.object({
  allowOrigins: z.array(z.string()),
  allowMethods: z.array(z.string()),
  allowHeaders: z.array(z.string()),
  exposeHeaders: z.array(z.string()),
  allowCredentials: z.boolean(),
  maxAge: int,
});
export const GatewayCors = z.object({ cors: CorsView.nullable().describe('null: none set') });

// ---- buckets and objects

export const BucketView = z.object({ name: z.string(), createdAt: iso });
export const BucketList = z.object({ buckets: z.array(BucketView) });
export const BucketName = z.object({ name: z.string() });
export const BucketNotificationView = z.object({
  id: z.string(),
  bucket: z.string(),
  function: z.string(),
  events: z.array(z.string()).describe('s3:ObjectCreated:*, s3:ObjectRemoved:Delete, …'),
  prefix: z.string().nullable(),
  suffix: z.string().nullable(),
  origin: z.enum(['manifest', 'api']),
});
export const BucketNotificationList = z.object({ notifications: z.array(BucketNotificationView) });
export const FunctionBucketEvents = z.object({ events: z.array(BucketNotificationView) });
export const ObjectView = z.object({
  key: z.string(),
  size: count,
  etag: z.string(),
  contentType: z.string(),
  lastModified: iso,
});
export const ObjectList = z.object({
  objects: z.array(ObjectView),
  prefixes: z.array(z.string()).describe('with a delimiter: the folders under the prefix'),
  nextAfter: z.string().nullable().describe('`after` for the next page (null: the last page)'),
});

// ---- workflows

export const WorkflowView = z.object({
  name: z.string(),
  arn: z.string(),
  type: z.enum(['STANDARD', 'EXPRESS']),
  status: z.literal('ACTIVE'),
  definition: z.record(z.string(), z.unknown()).describe('the Amazon States Language definition'),
  roleArn: z.string(),
  description: z.string(),
  tags: z.record(z.string(), z.string()),
  revisionId: z.string(),
  createdAt: iso,
  updatedAt: iso,
});
export const WorkflowList = z.object({ workflows: z.array(WorkflowView) });
export const ExecutionView = z.object({
  arn: z.string(),
  name: z.string(),
  workflow: z.string(),
  workflowArn: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  input: z.unknown(),
  output: z.unknown().describe('null until it succeeds'),
  error: z.string().nullable(),
  cause: z.string().nullable(),
  startedAt: iso,
  stoppedAt: iso.nullable(),
  redriveCount: count,
  redrivenAt: iso.nullable(),
  redriveStatus: z.enum(['REDRIVABLE', 'NOT_REDRIVABLE', 'REDRIVABLE_BY_MAP_RUN']),
});
export const ExecutionList = z.object({
  executions: z.array(ExecutionView),
  nextToken: z.string().nullable().describe('null: the last page'),
});
export const HistoryEventView = z.object({
  id: int,
  previousEventId: int,
  timestamp: iso,
  type: z.string(),
  state: z.string().nullable().describe('the state it is about, when it names one'),
  details: z.record(z.string(), z.unknown()).describe("`{ <type>EventDetails: {...} }` (AWS's names)"),
});
export const HistoryPage = z.object({
  events: z.array(HistoryEventView),
  nextToken: z.string().nullable().describe('null: the last page'),
});

// ---- identity: tenants, keys, roles

const Policies = z
  .array(z.union([z.string(), z.record(z.string(), z.unknown())]))
  .describe('managed policy names or ARNs, or inline IAM policy documents');
export const TenantView = z.object({
  id: z.string(),
  accountId: z.string(),
  description: z.string(),
  createdAt: iso,
});
export const TenantDetail = TenantView.extend({
  resources: z
    .record(z.string(), count)
    .describe('what it owns, per kind (kinds it has none of are left out)'),
});
export const TenantResult = z.object({ tenant: TenantDetail });
export const TenantList = z.object({ tenants: z.array(TenantView) });
export const TenantDeleted = z.object({
  deleted: z.string(),
  removed: z.record(z.string(), count).describe('force=true: what was removed, per kind'),
});
export const KeyView = z.object({
  keyId: z.string(),
  tenant: z.string(),
  kind: z.enum(['user', 'service']),
  description: z.string(),
  policies: Policies,
  status: z.enum(['active', 'revoked', 'expired']),
  createdAt: iso,
  expiresAt: iso.nullable(),
  previousSecretValidUntil: iso.nullable().describe('after a rotation: until when the old secret works'),
});
export const KeyResult = z.object({ key: KeyView });
export const KeyWithSecret = z.object({
  key: KeyView,
  secret: z.string().describe('the secret, shown this once (it is stored hashed and encrypted)'),
});
export const KeyList = z.object({ keys: z.array(KeyView) });
export const RoleView = z.object({
  name: z.string(),
  arn: z.string(),
  description: z.string(),
  policies: Policies,
  generation: int.describe('raised by every change: credentials minted before it stop working'),
  createdAt: iso,
  updatedAt: iso,
});
export const RoleResult = z.object({ role: RoleView });
export const RoleList = z.object({ roles: z.array(RoleView) });

// ---- secrets

export const SecretView = z.object({
  name: z.string(),
  arn: z.string(),
  description: z.string(),
  versionId: z.string(),
  createdAt: iso,
  updatedAt: iso.describe('when the current value was written'),
});
export const SecretValue = SecretView.extend({ value: z.string() });
export const SecretList = z.object({ secrets: z.array(SecretView) });
export const MasterKeyRotation = z.object({
  kekId: z.string().describe('the key-encryption key everything is wrapped by now'),
  rewrapped: count,
  raced: count.describe('secrets that got a new value meanwhile'),
  failed: z
    .array(z.object({ tenant: z.string(), name: z.string(), code: z.string() }))
    .describe('secrets whose data key could not be unwrapped (left as they are)'),
});

// ---- audit

export const AuditRecordView = z.object({
  seq: int,
  time: iso,
  tenant: z.string(),
  principal: z.string().describe('key id or role session; `-` when unauthenticated'),
  action: z.string(),
  resource: z.string(),
  sourceIp: z.string(),
  result: z.enum(['ok', 'denied', 'unauthenticated', 'error']),
  status: int,
  detail: z.string(),
  hash: z.string().describe("the record's link in the hash chain"),
});
export const AuditPage = z.object({
  records: z.array(AuditRecordView),
  next: int.optional().describe('`after` for the next page; absent on the last page'),
});
const ChainPoint = z.object({ seq: int, hash: z.string() });
const ChainEnds = {
  head: ChainPoint.describe("the chain's head when verification started"),
  anchor: ChainPoint.describe('where verification started: the last pruned record, or seq 0'),
};
export const AuditVerification = z.union([
  z.object({ ok: z.literal(true), checked: count, ...ChainEnds }),
  z.object({
    ok: z.literal(false),
    checked: count,
    seq: int.describe('the first seq where the chain breaks'),
    reason: z.string(),
    ...ChainEnds,
  }),
]);

// ---- usage, prices, budgets

const UsageSums = {
  invocations: count,
  errors: count,
  coldStarts: count,
  billedDurationMs: z.number(),
  gbSeconds: z.number(),
  costUsd: z.number(),
};
export const UsageSummary = z.object(UsageSums);
export const UsageGroup = z.object({
  key: z.string().describe('the function, day (2026-12-07), month (2026-12) or tenant'),
  ...UsageSums,
});
export const UsageRecordView = z.object({
  tenant: z.string(),
  requestId: z.string(),
  functionName: z.string(),
  version: z.string(),
  startedAt: ms,
  durationMs: z.number(),
  billedDurationMs: z.number(),
  memoryMb: int,
  maxRssBytes: z.number(),
  gbSeconds: z.number(),
  initDurationMs: z.number().optional().describe('present when it paid a cold start'),
  outcome: z.enum(['success', 'error', 'timeout', 'oom', 'crash']),
  attempt: int.describe('delivery attempt (async retries keep the request id)'),
  costUsd: z.number(),
});
/** `GET /v1/usage?by=…`: groups with their sums. */
export const UsageAggregate = z.object({
  by: z.enum(GROUPINGS),
  groups: z.array(UsageGroup),
  total: UsageSummary,
  currency: z.string(),
});
/** `GET /v1/usage` without `by`: the newest invocations and the sums of every matching one. */
export const UsageRecords = z.object({
  records: z.array(UsageRecordView),
  summary: UsageSummary,
  currency: z.string(),
});
export const UsageReport = z.union([UsageAggregate, UsageRecords]);

/** The price table in force (the request schema `PriceTable`: `currency` is always there). */
export const Prices = z.object({ table: PriceTableSchema });

export const BudgetView = z.object({
  tenant: z.string(),
  name: z.string(),
  functionName: z.string().optional().describe('absent: every function of the tenant'),
  period: z.union([
    z.object({ kind: z.literal('monthly') }),
    z.object({ kind: z.literal('days'), days: int }),
  ]),
  anchor: ms.describe('epoch ms the `days` periods count from'),
  limitUsd: z.number(),
  thresholds: z.array(z.number()).describe('percentages of the limit, ascending'),
  action: z.enum(['block', 'notify']),
  topic: z.string().optional(),
  notified: z
    .object({ periodStart: ms, pct: z.number() })
    .optional()
    .describe('the highest threshold announced in the period'),
  createdAt: ms,
  updatedAt: ms,
  periodStart: ms,
  periodEnd: ms,
  spentUsd: z.number(),
  percent: z.number(),
  blocking: z.boolean().describe('a block budget at or over its limit: its invocations are refused'),
});
export const BudgetResult = z.object({ budget: BudgetView });
export const BudgetList = z.object({ budgets: z.array(BudgetView) });

// ---- alerts

export const AlertRuleView = z.object({
  name: z.string(),
  metric: z.enum(ALERT_METRICS),
  function: z.string().optional().describe('absent: every function of the tenant, summed'),
  budget: z.string().optional().describe('budget_percent: the budget'),
  op: z.enum(['>', '>=', '<', '<=', '==']),
  threshold: z.number(),
  windowSec: int,
  forSec: int,
  notify: z.array(
    z.union([
      z.object({ topic: z.string() }),
      z.object({ function: z.string() }),
      z.object({ webhook: z.string() }),
    ]),
  ),
  description: z.string().optional(),
  state: z.enum(['ok', 'pending', 'firing']),
  since: ms.describe('epoch ms the state began (0: never evaluated)'),
  value: z.number().nullable().describe('the last value (null: no data)'),
  evaluatedAt: ms.describe('epoch ms (0: never evaluated)'),
});
export const AlertResult = z.object({ alert: AlertRuleView });
export const AlertList = z.object({ alerts: z.array(AlertRuleView) });

// ---- metrics, status, doctor

export const MetricSeries = z.object({
  function: z.string().nullable().describe("null: the tenant's functions summed"),
  name: z.enum(SERIES),
  step: int.describe('seconds'),
  from: ms,
  to: ms,
  points: z
    .array(z.tuple([ms, z.number()]))
    .describe('[t, value]: counts are 0 for empty steps; durations leave empty steps out'),
});
export const LiveFunction = z.object({
  function: z.string(),
  invocationsPerSec: z.number(),
  errorsPerSec: z.number(),
  throttlesPerSec: z.number(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  costUsdPerSec: z.number(),
  inflight: count,
  warm: count,
  busy: count,
});
export const LiveMetrics = z.object({
  at: ms,
  windowSec: int,
  totals: z.object({
    functions: count,
    invocationsPerSec: z.number(),
    errorsPerSec: z.number(),
    throttlesPerSec: z.number(),
    costUsdPerSec: z.number(),
    inflight: count,
    instances: count,
  }),
  functions: z.array(LiveFunction),
  nodes: int.optional().describe('cluster mode: the nodes that answered'),
});

export const FunctionStatus = z.object({
  tenant: z.string(),
  functionName: z.string(),
  warm: count.describe('idle instances'),
  busy: count.describe('instances running an invocation'),
  starting: count,
  inflight: count,
  waiting: count.describe('requests waiting for a slot or an instance'),
  provisionedInstances: count,
  concurrencyLimit: int,
  reservedConcurrency: int.nullable(),
  perInstanceConcurrency: int,
  coldStarts: count,
  prewarms: count,
  evictions: count,
  throttles: count,
  invocations: count,
  queueWaitMsTotal: z.number(),
  queueWaitMsMax: z.number(),
});
export const PlatformStatus = z.object({
  functions: z.array(FunctionStatus).describe("this node's instances of the tenant's functions"),
  node: z
    .object({
      memoryBudgetMb: int.nullable(),
      memoryUsedMb: z.number(),
      instances: count,
      evictions: count,
    })
    .optional()
    .describe('operators only'),
  cluster: z
    .looseObject({
      name: z.string(),
      node: z.string(),
      roles: z.array(z.string()),
      leader: z.record(z.string(), z.unknown()).nullable().describe("the scheduler lease's holder"),
      nodes: z.array(z.record(z.string(), z.unknown())),
    })
    .optional()
    .describe('operators only, cluster mode'),
});

export const DoctorReport = z.object({
  sandbox: z.object({
    sandbox: z.string(),
    features: z.record(z.string(), z.object({ active: z.boolean(), detail: z.string() })),
  }),
  build: z.object({ jailed: z.boolean(), detail: z.string() }),
  egress: z.array(
    z.object({
      function: z.string(),
      mode: z.enum(['none', 'internet', 'allowlist']),
      allow: z.array(z.object({ host: z.string(), ports: z.array(int).optional() })).optional(),
    }),
  ),
  store: z.object({
    kind: z.string(),
    warnings: z.array(z.object({ code: z.string(), message: z.string(), hint: z.string() })),
  }),
  runtimes: z.object({ node: z.string(), java: z.string().nullable() }),
  pool: z.object({ size: int }),
});
