/**
 * @module core/types
 * Domain types shared by every capability. Ports speak these, never driver types.
 * Every stored record carries a tenant id (one `default` tenant until multi-tenancy lands).
 */

export type TenantId = string;
export const DEFAULT_TENANT: TenantId = 'default';

/** Runtime families Nimbus can actually execute (the installed runtimes). */
export type RuntimeFamily = 'node' | 'python' | 'provided' | 'java';

/** Mutable part of a function's configuration ($LATEST), copied into each published version. */
export interface FunctionConfig {
  /** Runtime identifier as the user gave it (Lambda ids like `nodejs22.x`, `python3.12`, or `node`). */
  readonly runtime: string;
  /** Lambda-style handler: `index.handler`, `src/app.main`, `app.handler` (python). */
  readonly handler: string;
  /** 128..10240 */
  readonly memoryMb: number;
  /** 1..900 */
  readonly timeoutSec: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly description: string;
  /** Max concurrent invocations of this function (all versions); 0 = platform default. */
  readonly reservedConcurrency?: number | undefined;
  /** Async invocation settings (Lambda EventInvokeConfig + Nimbus extras). */
  readonly async?: AsyncInvokeConfig | undefined;
  /** Autoscaling: instance bounds, per-instance concurrency, provisioned (always-warm) capacity. */
  readonly scaling?: ScalingConfig | undefined;
  /**
   * Which sandbox runs the instances: `process` (default: one sandboxed process per instance) or
   * `isolate` (a V8 isolate in a per-tenant jailed host; Node functions without Node APIs).
   */
  readonly isolation?: FunctionIsolation | undefined;
  /**
   * What the function's instances may reach on the network (enforced outside the instance):
   * `internet` (default: public addresses only), `allowlist` (listed CIDRs/hosts/ports) or `none`.
   */
  readonly egress?: FunctionEgress | undefined;
  /**
   * The execution role (a role of the tenant, by name): its policies decide what the function's
   * temporary credentials may do. Omitted: the default execution role (its own logs only).
   */
  readonly role?: string | undefined;
  /** Secrets of the tenant injected as environment variables of the same name. */
  readonly secrets?: readonly string[] | undefined;
}

export interface FunctionEgress {
  readonly mode: 'none' | 'internet' | 'allowlist';
  readonly allow?:
    | readonly { readonly host: string; readonly ports?: readonly number[] | undefined }[]
    | undefined;
}

export type FunctionIsolation = 'process' | 'isolate';
export const FUNCTION_ISOLATIONS: readonly FunctionIsolation[] = ['process', 'isolate'];

/**
 * How a function scales. Instances start on demand (singleflight: only as many as the waiting
 * requests need) and scale in to `max(minInstances, ⌈provisioned / perInstance⌉)` after idle.
 */
export interface ScalingConfig {
  /** Instances kept warm at all times (Cloud Run min instances). Default 0 (scale to zero). */
  readonly minInstances?: number | undefined;
  /** Upper bound on instances (with perInstanceConcurrency, caps the function's concurrency). */
  readonly maxInstances?: number | undefined;
  /** Invocations one instance runs at once: 1 = Lambda semantics; N > 1 for Node handlers that opt in. */
  readonly perInstanceConcurrency?: number | undefined;
  /** Lambda provisioned concurrency: this many concurrent invocations never see a cold start. */
  readonly provisionedConcurrency?: number | undefined;
  /**
   * Scheduled provisioned concurrency (Application Auto Scaling scheduled actions): from each
   * fire of `schedule` (rate()/cron(), UTC or `timezone`) on, `provisionedConcurrency` applies,
   * until another entry fires.
   */
  readonly provisionedSchedule?: readonly ScheduledProvisioning[] | undefined;
}

export interface ScheduledProvisioning {
  readonly schedule: string;
  readonly timezone?: string | undefined;
  readonly provisionedConcurrency: number;
}

/** Where an async invocation's outcome record goes. */
export type DestinationRef =
  | { readonly type: 'function'; readonly name: string; readonly qualifier?: string | undefined }
  | { readonly type: 'webhook'; readonly url: string };

export interface AsyncInvokeConfig {
  /** Lambda MaximumRetryAttempts (0–2 on Lambda; Nimbus allows up to 100). Default 2. */
  readonly maximumRetryAttempts?: number | undefined;
  /** Lambda MaximumEventAgeInSeconds (60–604800 here). Default 21600. */
  readonly maximumEventAgeSec?: number | undefined;
  /** First retry delay; later ones double (with jitter). Default 60000 like Lambda. */
  readonly retryBaseDelayMs?: number | undefined;
  readonly onSuccess?: DestinationRef | undefined;
  readonly onFailure?: DestinationRef | undefined;
  /** Submits beyond this many waiting events get 429 (default: the platform limit). */
  readonly maxQueueDepth?: number | undefined;
}

/**
 * What a deploy produced and the runtime executes: a content-addressed artifact (zip blob) holding
 * the code root, plus how to enter it.
 */
export interface CodeRef {
  /** sha256 hex of the artifact blob (content address in the BlobStore). */
  readonly sha256: string;
  /** Size of the artifact in bytes. */
  readonly size: number;
  readonly family: RuntimeFamily;
  /** Module path relative to the code root (`index.mjs`, `app.py`). */
  readonly entry: string;
  /** Exported name (`handler`, `default` for `export default { fetch }`). */
  readonly exportName: string;
  /**
   * The archive the code was deployed from, as uploaded (a blob of its own), when it was a zip
   * or tar of at most SOURCE_KEEP_MAX_BYTES: the console's editor opens it. Absent for code
   * deployed from a directory, from a larger archive, or before sources were kept.
   */
  readonly source?: SourceRef;
}

export interface SourceRef {
  readonly sha256: string;
  readonly size: number;
  readonly format: 'zip' | 'tar';
}

export interface FunctionRecord {
  readonly tenant: TenantId;
  readonly name: string;
  readonly config: FunctionConfig;
  readonly code: CodeRef;
  /** Changes on every update of $LATEST (Lambda RevisionId). */
  readonly revisionId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** `$LATEST` or a published version number as a decimal string. */
export type VersionId = string;
export const LATEST: VersionId = '$LATEST';

export interface VersionRecord {
  readonly tenant: TenantId;
  readonly functionName: string;
  /** "1", "2", ... */
  readonly version: VersionId;
  readonly config: FunctionConfig;
  readonly code: CodeRef;
  readonly description: string;
  readonly createdAt: number;
}

export interface AliasRecord {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly name: string;
  /** Primary version the alias points to. */
  readonly functionVersion: VersionId;
  /** Additional versions and their weights (0..1), Lambda RoutingConfig.AdditionalVersionWeights. */
  readonly additionalWeights: Readonly<Record<VersionId, number>>;
  readonly description: string;
  readonly revisionId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export * from './identity-types.ts';

export type LogStream = 'stdout' | 'stderr' | 'platform';

/** A function line's level (Lambda's JSON log format levels; FATAL for Python's CRITICAL). */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

export interface LogLine {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly version: VersionId;
  readonly requestId: string;
  /** Epoch ms. */
  readonly ts: number;
  readonly stream: LogStream;
  readonly message: string;
  /** Instance (log stream) that produced it. */
  readonly instanceId: string;
  /** The line's level; absent on platform lines (START, END, REPORT) and lines stored before 0019. */
  readonly level?: LogLevel | undefined;
}

/** A stored log line with its monotonically increasing id (cursor for `--follow`). */
export interface StoredLogLine extends LogLine {
  readonly seq: number;
}

/**
 * One invocation's compact record, written once when it ends: its usage record, the instance
 * (log stream) it ran on, REPORT's status, and the function's own lines. START, END and REPORT
 * are not stored as text: they are rendered from the record when logs are read.
 */
export interface InvocationLog {
  readonly usage: UsageRecord;
  readonly instanceId: string;
  /** REPORT's `Status:` (timeout, oom, crash, init); absent on success and on function errors. */
  readonly status?: string | undefined;
  /** The function's own lines (console output, the unhandled-error line), oldest first. */
  readonly lines: readonly LogLine[];
}

export interface LogQuery {
  readonly tenant: TenantId;
  readonly functionName?: string;
  readonly version?: VersionId;
  readonly requestId?: string;
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  /** Return lines with seq > afterSeq (follow cursor). */
  readonly afterSeq?: number;
  /** Default 1000, max 10000. Lines are returned oldest first. */
  readonly limit?: number;
  /** If true, return the *last* `limit` lines matching (still ordered oldest first). */
  readonly tail?: boolean;
}

/**
 * One window of a filtered log scan (`LogRepo.scan`): the store applies the level and text
 * filters, the caller the rest (JSON fields), window by window, so a page's work stays bounded.
 */
export interface LogScanQuery extends Omit<LogQuery, 'tail'> {
  /** Lines at or above this level; platform lines (START/END/REPORT, no level) count as INFO. */
  readonly minLevel?: LogLevel;
  /** Case-insensitive substrings the message must all contain. */
  readonly text?: readonly string[];
  /** Newest first, below this seq (a backward scan); `afterSeq` is then ignored. */
  readonly beforeSeq?: number;
  readonly descending?: boolean;
}

export interface LogScanWindow {
  /** The lines of the window that pass the store's filters, oldest first. */
  readonly lines: StoredLogLine[];
  /**
   * How far the window reaches: every line of the seq range (cursor, horizon] — or [horizon,
   * cursor) when descending — was looked at. Undefined: the scan reached the end.
   */
  readonly horizon: number | undefined;
  /** The highest seq seen (the follow cursor of a backward first page). */
  readonly maxSeq: number | undefined;
}

/** One usage (metering) record per invocation. */
export interface UsageRecord {
  readonly tenant: TenantId;
  readonly requestId: string;
  readonly functionName: string;
  readonly version: VersionId;
  /** Epoch ms when the invocation started running. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Duration rounded up to 1 ms (Lambda bills per ms). */
  readonly billedDurationMs: number;
  readonly memoryMb: number;
  readonly maxRssBytes: number;
  /** memoryMb/1024 × billedDurationMs/1000 */
  readonly gbSeconds: number;
  /** Present when this invocation paid a cold start. */
  readonly initDurationMs?: number | undefined;
  readonly outcome: 'success' | 'error' | 'timeout' | 'oom' | 'crash';
  /**
   * Delivery attempt (async retries keep the request id, as on Lambda, and each attempt is billed):
   * 1 when absent.
   */
  readonly attempt?: number | undefined;
  /** What it cost at the price table of the moment it ended (metering/prices.ts); 0 when absent. */
  readonly costUsd?: number | undefined;
}

export interface UsageQuery {
  readonly tenant: TenantId;
  readonly functionName?: string;
  readonly since?: number;
  readonly until?: number;
  readonly limit?: number;
  /** Aggregates `by: 'tenant'` over every tenant (the operator's view); `tenant` is then ignored. */
  readonly allTenants?: boolean;
}

/**
 * A spending limit of a tenant, or of one of its functions, over a period: monthly (calendar
 * month, UTC) or every `days` days from `anchor`. At each threshold (a percentage of the limit)
 * an event goes to `topic`; with `action: 'block'`, new invocations are refused (429
 * NIMBUS_ERR_BUDGET_EXCEEDED) once the spend reaches the limit, until the period rolls over or the
 * limit is raised.
 */
export interface BudgetRecord {
  readonly tenant: TenantId;
  readonly name: string;
  /** Absent: every function of the tenant. */
  readonly functionName?: string | undefined;
  readonly period: { readonly kind: 'monthly' } | { readonly kind: 'days'; readonly days: number };
  /** Epoch ms the `days` periods count from (monthly: unused). */
  readonly anchor: number;
  readonly limitUsd: number;
  /** Percentages of the limit, ascending, e.g. [50, 80, 100]. */
  readonly thresholds: readonly number[];
  readonly action: 'block' | 'notify';
  readonly topic?: string | undefined;
  /** The period (its start) and the highest threshold already announced in it. */
  readonly notified?: { readonly periodStart: number; readonly pct: number } | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface UsageSummary {
  readonly invocations: number;
  readonly gbSeconds: number;
  readonly billedDurationMs: number;
  readonly coldStarts: number;
  readonly errors: number;
  readonly costUsd: number;
}

/** How usage is grouped: per function, per UTC day or month, or per tenant (the operator's view). */
/** `hour` and `minute` keys are UTC `2026-12-07T10` / `2026-12-07T10:05` (the console's cost series). */
export type UsageGrouping = 'function' | 'day' | 'month' | 'tenant' | 'hour' | 'minute';

/** One group of an aggregate: its key (function name, `2026-12-07`, `2026-12`, tenant) and sums. */
export interface UsageGroup extends UsageSummary {
  readonly key: string;
}

/** Per-route authorization on the gateway. Secrets are never stored: API keys as sha256 only. */
export type RouteAuth =
  | { readonly type: 'apiKey'; readonly header: string; readonly keyHashes: readonly string[] }
  | {
      readonly type: 'jwt';
      readonly issuer: string;
      readonly audience: readonly string[];
      /** Remote JWKS (fetched and cached by jose) … */
      readonly jwksUrl?: string | undefined;
      /** … or static public keys (SPKI PEM). */
      readonly publicKeys?: readonly string[] | undefined;
      /** Every scope listed must be in the token's `scope`/`scp` claim. */
      readonly scopes?: readonly string[] | undefined;
    }
  | {
      /** A Lambda authorizer function (payload 2.0, simple responses). */
      readonly type: 'lambda';
      readonly functionName: string;
      /** e.g. `$request.header.Authorization`, `$request.querystring.token`. */
      readonly identitySource: readonly string[];
      /** Result cache per identity; 0 disables it. */
      readonly ttlSec: number;
    };

/** An HTTP route on the gateway (API Gateway HTTP API semantics). */
export interface RouteRecord {
  readonly tenant: TenantId;
  readonly id: string;
  /** `GET /user/{userId}`, `ANY /files/{proxy+}`, `$default`. */
  readonly routeKey: string;
  /** The function the route invokes ('' when it targets a state machine). */
  readonly functionName: string;
  /**
   * A state machine instead of a function (serverless-step-functions `http` events): a request
   * starts an execution with its body as input and is answered like API Gateway's StartExecution
   * integration (`{executionArn, startDate}`).
   */
  readonly stateMachine?: string | undefined;
  /** Version or alias to invoke; undefined = $LATEST. */
  readonly qualifier?: string | undefined;
  /** API Gateway payload format: 2.0 (httpApi events) or 1.0 (http / REST events). */
  readonly payloadFormat: '1.0' | '2.0';
  readonly auth?: RouteAuth | undefined;
  /** Token-bucket limit: requests per second and burst, per route or per caller (key / JWT sub / IP). */
  readonly throttle?:
    | { readonly rateLimit: number; readonly burstLimit: number; readonly perKey: boolean }
    | undefined;
  /**
   * API Gateway REST stage (`dev`): the route is served at `/<stage>/<path>` (events say the stage)
   * and, as an alias, at `/<path>`. Undefined = the `$default` stage, served at `/<path>` only.
   */
  readonly stage?: string | undefined;
  /**
   * Per-route CORS (REST `http` events' `cors:`): preflights on the route's path are answered by
   * the gateway, responses get Access-Control-Allow-Origin unless the function set it. The
   * tenant-wide `gateway.cors` setting takes precedence when set.
   */
  readonly cors?:
    | {
        readonly allowOrigins: readonly string[];
        readonly allowMethods: readonly string[];
        readonly allowHeaders: readonly string[];
        readonly exposeHeaders: readonly string[];
        readonly allowCredentials: boolean;
        readonly maxAge: number;
      }
    | undefined;
  readonly createdAt: number;
}

/** How an invocation entered the platform. Later issues add http, queue, schedule, ... */
export type Trigger =
  | { readonly type: 'api' }
  | { readonly type: 'cli' }
  | { readonly type: 'http'; readonly routeKey: string }
  /** Async invocation; `source` says who queued it (api, timer, schedule, function, destination…). */
  | { readonly type: 'async'; readonly source: string };

/** The one envelope every trigger produces; runtimes see only this. */
export interface Invocation {
  readonly id: string;
  readonly tenant: TenantId;
  readonly functionName: string;
  /** Resolved version actually executed ($LATEST or a number). */
  readonly version: VersionId;
  /** Alias or version qualifier the caller used, if any. */
  readonly qualifier?: string | undefined;
  readonly trigger: Trigger;
  /** JSON text of the event. */
  readonly payload: string;
  readonly attempt: number;
  /** Epoch ms by which the invocation must finish. */
  readonly deadline: number;
  readonly traceparent?: string | undefined;
  /** Lambda client context (base64 JSON), passed through untouched. */
  readonly clientContext?: string | undefined;
}

/** Error shape returned by a failed function, exactly Lambda's. */
export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
  /** Nimbus SDK RetryAfterError: the async dispatcher retries after this many ms. */
  readonly retryAfterMs?: number;
}

// ---------------------------------------------------------------- Queue

/**
 * `queued` (waiting, delayed or leased), `done` (acked; kept for the result-retention window so
 * status queries and dedupe keys keep working) or `dead` (dead-lettered; kept until replay/purge).
 */
export type QueueMessageState = 'queued' | 'done' | 'dead';

export interface QueueMessage {
  readonly id: string;
  readonly queue: string;
  readonly tenant: TenantId;
  /** Free label of who produced it (`api`, `timer`, `schedule`, `function`, `destination`, …). */
  readonly source: string;
  /** JSON text. */
  readonly body: string;
  readonly dedupeKey?: string | undefined;
  /** Ordered group (partition key): delivered one at a time, in enqueue order. */
  readonly group?: string | undefined;
  readonly state: QueueMessageState;
  /** Deliveries so far (each lease counts, like SQS ApproximateReceiveCount). */
  readonly attempts: number;
  /** Failed attempts reported by nack (what retry policies count). */
  readonly failures: number;
  readonly enqueuedAt: number;
  /** Earliest time it can be leased (a delay, a retry time or the end of the current lease). */
  readonly visibleAt: number;
  /** A lease is held and has not expired. */
  readonly leased: boolean;
  readonly updatedAt: number;
  /** `done`: what ack stored (JSON text). */
  readonly result?: string | undefined;
  /** Last failure or dead-letter reason (JSON text). */
  readonly error?: string | undefined;
}

export interface LeasedMessage extends QueueMessage {
  /** Proves ownership for extend/ack/nack/deadLetter; a later lease of the same message replaces it. */
  readonly leaseToken: string;
}

export interface EnqueueItem {
  readonly queue: string;
  readonly tenant: TenantId;
  readonly body: string;
  readonly source?: string;
  /** Chosen id (else a UUID). */
  readonly id?: string;
  /** Not visible before now + delayMs. */
  readonly delayMs?: number;
  /**
   * Not visible before this epoch ms (wins over delayMs): a time fixed when the item was decided,
   * so an item relayed late (an outbox drained after a restart) keeps its due time.
   */
  readonly visibleAt?: number | undefined;
  /** Submits with the same (queue, dedupeKey) within the window return the first message's id. */
  readonly dedupeKey?: string | undefined;
  /** Default: the adapter's dedupe window. */
  readonly dedupeWindowMs?: number;
  /**
   * Ordered group (e.g. a partition key): a message is not delivered while an earlier message of
   * its group is still queued (running or waiting for a retry).
   */
  readonly group?: string | undefined;
  /** Store it directly as a dead letter with this error (e.g. a broker record that kept failing). */
  readonly dead?: { readonly error: string } | undefined;
}

export interface EnqueueResult {
  readonly id: string;
  /** True when the dedupe key matched an earlier message: nothing new was enqueued. */
  readonly duplicate: boolean;
}

export interface QueueStats {
  readonly queue: string;
  /** Visible now and not leased. */
  readonly ready: number;
  /** Waiting for a delay or a retry time. */
  readonly delayed: number;
  /** Leased and running. */
  readonly inflight: number;
  readonly dead: number;
  /** Lag: how long the oldest deliverable message has been waiting since it became visible. */
  readonly oldestAgeMs: number;
}

export interface QueueListQuery {
  readonly tenant?: TenantId;
  readonly queue?: string;
  readonly state: QueueMessageState;
  readonly source?: string;
  /** Only messages with seq order after this id (pagination cursor). */
  readonly after?: string;
  /** Default 100, max 1000. Oldest first. */
  readonly limit?: number;
}

// ---------------------------------------------------------------- Schedules

/** What to do with ticks missed while the platform was down (more than a minute late). */
export type MisfirePolicy = 'fireOnce' | 'skip';

/** A recurring schedule (EventBridge Scheduler-like) that invokes a function asynchronously. */
export interface ScheduleRecord {
  readonly tenant: TenantId;
  /** Unique per tenant. */
  readonly name: string;
  /** The function a tick invokes ('' when it targets a state machine). */
  readonly functionName: string;
  /** A state machine instead of a function: each tick starts an execution (named `<schedule>-<tick>`). */
  readonly stateMachine?: string | undefined;
  readonly qualifier?: string | undefined;
  /** `rate(5 minutes)`, `cron(0 12 * * ? *)` or 5-field Unix cron. */
  readonly expression: string;
  /** IANA timezone for cron expressions. */
  readonly timezone: string;
  /** Constant event (JSON text); absent → an EventBridge "Scheduled Event". */
  readonly input?: string | undefined;
  readonly enabled: boolean;
  readonly misfire: MisfirePolicy;
  /** `manifest` schedules are replaced on each deploy of their function; `api` ones are not. */
  readonly origin: 'manifest' | 'api';
  readonly description: string;
  /** The next tick (epoch ms); undefined until first computed or when there is none. */
  readonly nextFireAt?: number | undefined;
  readonly lastFireAt?: number | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

// ---------------------------------------------------------------- Event bus

export interface TopicRecord {
  readonly tenant: TenantId;
  readonly name: string;
  readonly description: string;
  readonly createdAt: number;
}

/** An SQS-compatible queue (src/sqs/): its messages live in the durable Queue as `<tenant>/<name>`. */
export interface SqsQueueRecord {
  readonly tenant: TenantId;
  /** 1-80 of [A-Za-z0-9_-], `.fifo` suffix for FIFO queues. */
  readonly name: string;
  /** SQS attribute names → values, as SetQueueAttributes takes them (defaults filled in). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A state machine (src/workflows/): its ASL definition and how it runs. */
export interface StateMachineRecord {
  readonly tenant: TenantId;
  readonly name: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** The ASL definition as JSON text (validated when stored). */
  readonly definition: string;
  /** The role its Tasks run with (an IAM role ARN of the tenant's account). */
  readonly roleArn: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Changes on every update (UpdateStateMachine's revisionId). */
  readonly revisionId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export const EXECUTION_STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/**
 * One execution of a state machine. It runs the definition it started with (`definition`), and
 * `state` holds the executor's runtime state (JSON: src/workflows/engine/) at transition `seq`.
 */
export interface ExecutionRecord {
  readonly tenant: TenantId;
  readonly arn: string;
  readonly machine: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  /** JSON text. */
  readonly input: string;
  readonly output: string | null;
  readonly error: string | null;
  readonly cause: string | null;
  readonly startedAt: number;
  readonly stoppedAt: number | null;
  readonly definition: string;
  readonly roleArn: string;
  /** Transitions committed so far (optimistic concurrency: a commit names the seq it read). */
  readonly seq: number;
  readonly state: string;
  readonly redriveCount: number;
  readonly redriveAt: number | null;
}

/** One event of an execution's history (GetExecutionHistory), details as JSON text. */
export interface HistoryEventRecord {
  readonly id: number;
  readonly previousEventId: number;
  readonly ts: number;
  /** ExecutionStarted, TaskStateEntered, LambdaFunctionScheduled, … */
  readonly type: string;
  readonly details: string;
}

export interface ExecutionQuery {
  readonly tenant: TenantId;
  readonly machine?: string | undefined;
  readonly status?: ExecutionStatus | undefined;
  /** Newest first; continue after this (startedAt, arn) cursor. */
  readonly before?: { readonly startedAt: number; readonly arn: string } | undefined;
  readonly limit: number;
}

/** Where a subscription delivers matching events. */
/** The shape a subscription matches and delivers an event in (src/events/views.ts). */
export type EventView = 'cloudevent' | 'eventbridge' | 'sns';

/** How a subscription sees events; absent fields mean CloudEvents. */
export interface DeliveryShape {
  readonly view?: EventView | undefined;
  /** `sns`: deliver the bare message (RawMessageDelivery) to SQS/HTTP subscribers. */
  readonly raw?: boolean | undefined;
  /** `sns`: what the filter policy (the pattern) is matched against. */
  readonly filterScope?: 'MessageAttributes' | 'MessageBody' | undefined;
}

export type SubscriptionTarget =
  | ({
      readonly type: 'function';
      readonly name: string;
      readonly qualifier?: string | undefined;
    } & DeliveryShape)
  | ({ readonly type: 'webhook'; readonly url: string } & DeliveryShape)
  /** A forward (the CloudEvent); `view` only chooses what the pattern is matched against. */
  | ({ readonly type: 'topic'; readonly name: string } & Pick<DeliveryShape, 'view'>)
  /** A queue of the SQS API (src/sqs/). */
  | ({ readonly type: 'sqs'; readonly queue: string } & DeliveryShape)
  /** Starts an execution of a state machine (src/workflows/) with the event as its input. */
  | ({ readonly type: 'stateMachine'; readonly name: string } & DeliveryShape)
  /**
   * A waiting workflow Task (`nimbus:waitForEvent`): the first matching event completes it. Owned
   * by the execution, removed when the wait ends.
   */
  | ({
      readonly type: 'workflow';
      readonly arn: string;
      readonly token: string;
      readonly nonce: string;
    } & Pick<DeliveryShape, 'view'>);

/** EventBridge input transformer: values picked by JSONPath, placed into a template. */
export interface InputTransformer {
  readonly inputPathsMap?: Readonly<Record<string, string>> | undefined;
  readonly inputTemplate: string;
}

export interface SubscriptionRecord {
  readonly tenant: TenantId;
  readonly id: string;
  readonly topic: string;
  /** EventBridge event pattern (JSON text) over the CloudEvent; absent = every event. */
  readonly pattern?: string | undefined;
  readonly target: SubscriptionTarget;
  readonly inputTransformer?: InputTransformer | undefined;
  /** JSONPath of a partition key: events with the same key are delivered one at a time, in order. */
  readonly partitionKey?: string | undefined;
  /** Per-subscription retry policy (overrides the target function's). */
  readonly retry?:
    | { readonly maximumRetryAttempts?: number | undefined; readonly maximumEventAgeSec?: number | undefined }
    | undefined;
  /** `manifest` subscriptions belong to `owner` (a function) and are replaced on its deploy. */
  readonly origin: 'manifest' | 'api';
  readonly owner?: string | undefined;
  readonly description: string;
  readonly createdAt: number;
}

/** How an inbound webhook proves it came from the sender. */
export type WebhookVerification = 'github' | 'stripe' | 'standard' | 'shared-secret' | 'none';

/** An inbound webhook endpoint `/hooks/{id}` on the gateway; accepted calls become events on `topic`. */
export interface WebhookRecord {
  readonly tenant: TenantId;
  /** Unique across tenants (it is the URL). */
  readonly id: string;
  readonly topic: string;
  readonly verification: WebhookVerification;
  /** The signing secret, encrypted with the master key (absent for `none`). */
  readonly secretCiphertext?: string | undefined;
  /** shared-secret: the header carrying it (default `x-webhook-secret`). */
  readonly header?: string | undefined;
  /** stripe / standard: accepted clock skew of the signed timestamp. */
  readonly toleranceSec: number;
  readonly description: string;
  readonly createdAt: number;
}

// ---------------------------------------------------------------- Event sources (brokers)

export type SourceKind = 'nats' | 'jetstream' | 'rabbitmq' | 'mqtt' | 'redis' | 'postgres' | 'sqs';

export interface SourceRecord {
  readonly tenant: TenantId;
  readonly id: string;
  readonly functionName: string;
  readonly qualifier?: string | undefined;
  readonly kind: SourceKind;
  /** Connector settings (URL, subject/queue/topic/stream, group…). Encrypted at rest. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Records per invocation (1–1000). */
  readonly batchSize: number;
  /** How long to wait for a batch to fill before invoking (0–300 000 ms). */
  readonly batchWindowMs: number;
  /** Retries of a failing batch (or of its failed items) before they are dead-lettered. */
  readonly maximumRetryAttempts: number;
  /** Batches in flight at once. 1 keeps the broker's order. */
  readonly concurrency: number;
  readonly enabled: boolean;
  /** `manifest` sources belong to their function and are replaced on its deploy. */
  readonly origin: 'manifest' | 'api';
  readonly createdAt: number;
}

// ---------------------------------------------------------------- Buckets (S3-compatible storage)

export interface BucketRecord {
  readonly tenant: TenantId;
  /** Unique per tenant, S3 naming rules (in the Store: the storage name, see src/storage/service.ts). */
  readonly name: string;
  readonly createdAt: number;
}

export interface ObjectRecord {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** S3 ETag without quotes (md5 hex, or `<md5 of md5s>-<parts>` for multipart). */
  readonly etag: string;
  readonly contentType: string;
  /** `x-amz-meta-*` user metadata (lower-case names without the prefix). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Content address of the bytes in the object BlobStore. */
  readonly sha256: string;
  readonly lastModified: number;
}

export interface UploadRecord {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

export interface PartRecord {
  readonly uploadId: string;
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
  readonly sha256: string;
}

/** Bucket notification: object events of a bucket → a function (async). */
export interface BucketNotification {
  readonly bucket: string;
  readonly id: string;
  readonly functionName: string;
  /** `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, … */
  readonly events: readonly string[];
  readonly prefix?: string | undefined;
  readonly suffix?: string | undefined;
  readonly origin: 'manifest' | 'api';
}
