/**
 * @module core/ports
 * The only seams of the platform. Adapters implement these; everything else depends on them.
 * Each port has one contract test suite run against every adapter.
 */
import type { NimbusErrorJSON } from './errors.ts';
import type { LogStreamRepo } from './log-streams.ts';
import type {
  AliasRecord,
  ApiKeyRecord,
  AuditEntry,
  AuditQuery,
  AuditRecord,
  BucketNotification,
  BucketRecord,
  BudgetRecord,
  EnqueueItem,
  EnqueueResult,
  ExecutionQuery,
  ExecutionRecord,
  FunctionConfig,
  FunctionErrorPayload,
  FunctionRecord,
  HistoryEventRecord,
  Invocation,
  InvocationLog,
  LeasedMessage,
  LogLine,
  LogQuery,
  LogScanQuery,
  LogScanWindow,
  ObjectRecord,
  PartRecord,
  QueueListQuery,
  QueueMessage,
  QueueStats,
  RoleRecord,
  RouteRecord,
  RuntimeFamily,
  ScheduleRecord,
  SecretRecord,
  SourceRecord,
  SqsQueueRecord,
  StateMachineRecord,
  StoredLogLine,
  SubscriptionRecord,
  TenantId,
  TenantRecord,
  TopicRecord,
  UploadRecord,
  UsageGroup,
  UsageGrouping,
  UsageQuery,
  UsageRecord,
  UsageSummary,
  VersionId,
  VersionRecord,
  WebhookRecord,
} from './types.ts';

// ---------------------------------------------------------------- Clock

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Monotonic high-resolution milliseconds (for durations). */
  monotonic(): number;
  /** Runs fn after ms; returns a cancel function. */
  setTimeout(fn: () => void, ms: number): () => void;
}

// ---------------------------------------------------------------- Store

export interface KeyRepo {
  /** Throws CORE_CONFLICT if keyId exists. */
  create(rec: ApiKeyRecord): Promise<void>;
  get(keyId: string): Promise<ApiKeyRecord | undefined>;
  getBySecretHash(secretHash: string): Promise<ApiKeyRecord | undefined>;
  list(tenant: TenantId): Promise<ApiKeyRecord[]>;
  /** Replaces the record of `rec.keyId` (rotation, revocation, policies); false if it is gone. */
  update(rec: ApiKeyRecord): Promise<boolean>;
  /** Returns false if it did not exist. */
  delete(keyId: string): Promise<boolean>;
}

export interface TenantRepo {
  /** Throws CORE_CONFLICT if the id or the account id exists. */
  create(rec: TenantRecord): Promise<void>;
  get(id: TenantId): Promise<TenantRecord | undefined>;
  getByAccount(accountId: string): Promise<TenantRecord | undefined>;
  list(): Promise<TenantRecord[]>;
  delete(id: TenantId): Promise<boolean>;
}

export interface RoleRepo {
  /** Creates or replaces (tenant, name); the stored generation is one more than before. */
  put(rec: Omit<RoleRecord, 'generation' | 'createdAt'> & { createdAt?: number }): Promise<RoleRecord>;
  get(tenant: TenantId, name: string): Promise<RoleRecord | undefined>;
  list(tenant: TenantId): Promise<RoleRecord[]>;
  delete(tenant: TenantId, name: string): Promise<boolean>;
}

export interface SecretRepo {
  /** Creates or replaces (tenant, name). */
  put(rec: SecretRecord): Promise<void>;
  get(tenant: TenantId, name: string): Promise<SecretRecord | undefined>;
  /** Names and metadata of a tenant's secrets (ciphertexts included: callers never return them). */
  list(tenant: TenantId): Promise<SecretRecord[]>;
  delete(tenant: TenantId, name: string): Promise<boolean>;
  /** Every secret of every tenant wrapped by another key than `kekId`, up to `limit` (re-wrap). */
  listNotWrappedBy(kekId: string, limit: number): Promise<SecretRecord[]>;
  /** Replaces the wrapped data key if the record still has `expectVersionId`; false otherwise. */
  rewrap(
    tenant: TenantId,
    name: string,
    expectVersionId: string,
    wrappedKey: string,
    kekId: string,
  ): Promise<boolean>;
}

/** Wraps secrets' data keys with key-encryption keys (local keyring; KMS Encrypt/Decrypt; Vault transit). */
export interface KeyProvider {
  activeKeyId(): string;
  wrap(dataKey: Buffer): Promise<{ wrapped: string; kekId: string }>;
  /** With any key the provider still holds (throws SECRETS_KEK_NOT_FOUND otherwise). */
  unwrap(wrapped: string, kekId: string): Promise<Buffer>;
  /** Makes a new key the active one; returns its id. Older keys keep unwrapping. */
  rotate(): Promise<string>;
}

export interface AuditRepo {
  /**
   * Appends entries as one chain link each: the repo serializes appends (one writer at a time,
   * across processes), reads the last record's hash and stores `link(prevHash, seq, entry)`.
   */
  append(
    entries: readonly AuditEntry[],
    link: (prevHash: string, seq: number, e: AuditEntry) => string,
  ): Promise<void>;
  query(q: AuditQuery): Promise<AuditRecord[]>;
  /** Every record with seq > afterSeq, oldest first (verification walks the whole chain). */
  scan(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** The chain's head: the last appended seq and hash (0 and 64 zeros when empty). */
  head(): Promise<{ seq: number; hash: string }>;
  /** Deletes records older than `beforeTs`; returns the last deleted record (the new anchor). */
  prune(beforeTs: number): Promise<AuditRecord | undefined>;
}

export interface FunctionRepo {
  /** Throws CORE_CONFLICT if (tenant, name) exists. */
  create(rec: FunctionRecord): Promise<void>;
  get(tenant: TenantId, name: string): Promise<FunctionRecord | undefined>;
  /** Ordered by name. */
  list(tenant: TenantId): Promise<FunctionRecord[]>;
  /**
   * Replaces the $LATEST record. If `expectedRevisionId` is given and differs from the stored one,
   * throws CORE_CONFLICT (optimistic concurrency, Lambda's RevisionId). Throws CORE_NOT_FOUND if absent.
   */
  update(rec: FunctionRecord, expectedRevisionId?: string): Promise<void>;
  /**
   * Deletes the function and all its versions, aliases, routes, schedules, event sources, bucket
   * notifications and the subscriptions its manifest declared. Returns false if it did not exist.
   */
  delete(tenant: TenantId, name: string): Promise<boolean>;
}

export interface VersionRepo {
  /**
   * Publishes the next version number atomically (1, 2, ...; numbers are never reused even after
   * deletes) from the given config/code and returns the stored record.
   */
  publish(
    tenant: TenantId,
    functionName: string,
    data: Pick<VersionRecord, 'config' | 'code' | 'description' | 'createdAt'>,
  ): Promise<VersionRecord>;
  get(tenant: TenantId, functionName: string, version: VersionId): Promise<VersionRecord | undefined>;
  /** Ordered by version number ascending. */
  list(tenant: TenantId, functionName: string): Promise<VersionRecord[]>;
  /** Highest published version, or undefined. */
  latest(tenant: TenantId, functionName: string): Promise<VersionRecord | undefined>;
}

export interface AliasRepo {
  /** Throws CORE_CONFLICT if it exists. */
  create(rec: AliasRecord): Promise<void>;
  get(tenant: TenantId, functionName: string, name: string): Promise<AliasRecord | undefined>;
  list(tenant: TenantId, functionName: string): Promise<AliasRecord[]>;
  /** Throws CORE_NOT_FOUND if absent. */
  update(rec: AliasRecord): Promise<void>;
  delete(tenant: TenantId, functionName: string, name: string): Promise<boolean>;
}

export interface LogRepo {
  /** Appends lines (one statement / batch); assigns increasing seq. */
  append(lines: readonly LogLine[]): Promise<void>;
  /**
   * Stores finished invocations in one transaction: each one's usage record (as
   * `UsageRepo.recordMany` would) and its function lines, with seqs reserved around them so its
   * START line reads before them and END and REPORT after (rendered by `query`).
   */
  appendInvocations(batch: readonly InvocationLog[]): Promise<void>;
  query(q: LogQuery): Promise<StoredLogLine[]>;
  /** One window (at most `limit` stored lines and `limit` invocation records) of a filtered scan. */
  scan(q: LogScanQuery): Promise<LogScanWindow>;
  /** Tenants that have stored lines or usage rows (the retention sweeper's list). */
  tenants(): Promise<TenantId[]>;
  /** Bytes of a tenant's stored line messages. */
  bytes(tenant: TenantId): Promise<number>;
  /**
   * Retention: deletes at most `limit` of a tenant's lines — those older than `before` (and as
   * many usage rows that started before it), or else its oldest lines beyond the newest
   * `maxBytes` of messages. Returns the number of lines and rows deleted.
   */
  prune(p: LogPrune): Promise<number>;
}

export interface LogPrune {
  readonly tenant: TenantId;
  readonly before?: number;
  readonly maxBytes?: number;
  readonly limit: number;
}

/** One function's minute of activity (epoch ms of the minute's start; durations in ms). */
export interface MetricRollup {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly minute: number;
  readonly invocations: number;
  readonly errors: number;
  readonly throttles: number;
  readonly coldStarts: number;
  readonly durationSumMs: number;
  readonly durationMaxMs: number;
  readonly durationP50Ms: number | null;
  readonly durationP99Ms: number | null;
  readonly gbSeconds: number;
}

export interface MetricRollupRepo {
  /** Adds the rows (one transaction); a minute written again adds its counts (p50/p99: max). */
  write(rows: readonly MetricRollup[]): Promise<void>;
  /** A tenant's rows (one function's, or all) with from ≤ minute < to, oldest first. */
  query(q: {
    tenant: TenantId;
    functionName?: string | undefined;
    from: number;
    to: number;
  }): Promise<MetricRollup[]>;
  /** Deletes rows of minutes before `before`. Returns how many. */
  prune(before: number): Promise<number>;
}

export interface UsageRepo {
  record(rec: UsageRecord): Promise<void>;
  /** Records many at once (one statement). */
  recordMany(recs: readonly UsageRecord[]): Promise<void>;
  /** Newest first. */
  list(q: UsageQuery): Promise<UsageRecord[]>;
  summary(q: UsageQuery): Promise<UsageSummary>;
  /** Sums per function, UTC day, UTC month or tenant, ordered by key. */
  aggregate(q: UsageQuery, by: UsageGrouping): Promise<UsageGroup[]>;
  /** The cost of a tenant's (or one function's) invocations that started at or after `since`. */
  costSince(tenant: TenantId, functionName: string | undefined, since: number): Promise<number>;
}

export interface BudgetRepo {
  /** Creates or replaces (by tenant + name). */
  put(b: BudgetRecord): Promise<void>;
  get(tenant: TenantId, name: string): Promise<BudgetRecord | undefined>;
  list(tenant: TenantId): Promise<BudgetRecord[]>;
  /** Every tenant's budgets (the enforcement cache loads them all). */
  listAll(): Promise<BudgetRecord[]>;
  delete(tenant: TenantId, name: string): Promise<boolean>;
  /** Remembers the highest threshold announced in a period (so a restart does not repeat it). */
  setNotified(tenant: TenantId, name: string, periodStart: number, pct: number): Promise<void>;
}

export interface RouteRepo {
  /** Throws CORE_CONFLICT if (tenant, routeKey) exists. */
  create(rec: RouteRecord): Promise<void>;
  /** Every route of every tenant (the gateway loads the whole table). */
  listAll(): Promise<RouteRecord[]>;
  list(tenant: TenantId): Promise<RouteRecord[]>;
  delete(tenant: TenantId, id: string): Promise<boolean>;
  /** Deletes a function's routes (on function delete or when its manifest routes are replaced). */
  deleteForFunction(tenant: TenantId, functionName: string): Promise<number>;
}

/** Small per-tenant settings documents (e.g. `gateway.cors`). */
export interface SettingsRepo {
  get<T = unknown>(tenant: TenantId, key: string): Promise<T | undefined>;
  put(tenant: TenantId, key: string, value: unknown): Promise<void>;
  delete(tenant: TenantId, key: string): Promise<boolean>;
  /**
   * Read, change and write one value atomically, across processes sharing the store (cluster
   * nodes): `fn` gets the stored value and returns the new one; the same value is written back
   * as nothing, `undefined` deletes it. A throw from `fn` changes nothing and is rethrown.
   * Answers what is stored afterwards.
   */
  update<T>(
    tenant: TenantId,
    key: string,
    fn: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined>;
  /** Every tenant's value for a key (the gateway loads them all). */
  listKey<T = unknown>(key: string): Promise<{ tenant: TenantId; value: T }[]>;
}

export interface ScheduleRepo {
  /** Creates or replaces (tenant, name). */
  put(rec: ScheduleRecord): Promise<void>;
  get(tenant: TenantId, name: string): Promise<ScheduleRecord | undefined>;
  /** Ordered by name. */
  list(tenant: TenantId): Promise<ScheduleRecord[]>;
  /** Every tenant's schedules (the runner loads them all). */
  listAll(): Promise<ScheduleRecord[]>;
  delete(tenant: TenantId, name: string): Promise<boolean>;
  /** Deletes a function's schedules (all, or only those of one origin). Returns how many. */
  deleteForFunction(
    tenant: TenantId,
    functionName: string,
    origin?: ScheduleRecord['origin'],
  ): Promise<number>;
  /**
   * Compare-and-set of the next tick: moves nextFireAt from `expected` to `next` (and records
   * lastFireAt). False when it no longer was `expected` (someone else fired or edited it).
   */
  advance(
    tenant: TenantId,
    name: string,
    expected: number | undefined,
    next: number | undefined,
    lastFireAt?: number,
  ): Promise<boolean>;
}

export interface TopicRepo {
  /** Creates or updates (tenant, name); returns true when it was created. */
  put(rec: TopicRecord): Promise<boolean>;
  get(tenant: TenantId, name: string): Promise<TopicRecord | undefined>;
  list(tenant: TenantId): Promise<TopicRecord[]>;
  /** Deletes the topic and its subscriptions. */
  delete(tenant: TenantId, name: string): Promise<boolean>;
}

export interface SqsQueueRepo {
  /** Inserts; false (nothing changes) when (tenant, name) exists. */
  create(rec: SqsQueueRecord): Promise<boolean>;
  get(tenant: TenantId, name: string): Promise<SqsQueueRecord | undefined>;
  /** One tenant's queues by name, or every tenant's (start-up: pollers, retention). */
  list(tenant?: TenantId): Promise<SqsQueueRecord[]>;
  /** Replaces attributes and tags; false when the queue does not exist. */
  update(rec: SqsQueueRecord): Promise<boolean>;
  delete(tenant: TenantId, name: string): Promise<boolean>;
}

export interface WorkflowRepo {
  /** False if (tenant, name) exists. */
  createMachine(rec: StateMachineRecord): Promise<boolean>;
  getMachine(tenant: TenantId, name: string): Promise<StateMachineRecord | undefined>;
  /** Ordered by name. */
  listMachines(tenant: TenantId): Promise<StateMachineRecord[]>;
  /** Replaces definition, role, description, tags, revision and updatedAt; false if it is gone. */
  updateMachine(rec: StateMachineRecord): Promise<boolean>;
  /** Deletes the machine (its executions stay readable). False if it did not exist. */
  deleteMachine(tenant: TenantId, name: string): Promise<boolean>;
  /** Inserts the execution and its first events. False if (tenant, arn) exists. */
  createExecution(rec: ExecutionRecord, events: readonly HistoryEventRecord[]): Promise<boolean>;
  getExecution(tenant: TenantId, arn: string): Promise<ExecutionRecord | undefined>;
  listExecutions(q: ExecutionQuery): Promise<ExecutionRecord[]>;
  /**
   * Commits one transition: replaces the fields of `rec` and appends `events`, if the stored seq is
   * still `expectSeq` (the new record carries the next seq). False (nothing written) otherwise.
   */
  commitTransition(
    rec: ExecutionRecord,
    expectSeq: number,
    events: readonly HistoryEventRecord[],
  ): Promise<boolean>;
  /** Events with id > after, ascending (or, reverse, with id < before, descending). */
  history(
    tenant: TenantId,
    arn: string,
    q: {
      readonly after?: number;
      readonly before?: number;
      readonly limit: number;
      readonly reverse?: boolean;
    },
  ): Promise<HistoryEventRecord[]>;
}

export interface SubscriptionRepo {
  create(rec: SubscriptionRecord): Promise<void>;
  get(tenant: TenantId, id: string): Promise<SubscriptionRecord | undefined>;
  /** A tenant's subscriptions (of one topic), oldest first. */
  list(tenant: TenantId, topic?: string): Promise<SubscriptionRecord[]>;
  /** Every subscription (the bus builds its indexes from them). */
  listAll(): Promise<SubscriptionRecord[]>;
  delete(tenant: TenantId, id: string): Promise<boolean>;
  /** Deletes the manifest subscriptions a function owns. Returns how many. */
  deleteOwned(tenant: TenantId, owner: string): Promise<number>;
}

export interface WebhookRepo {
  /** Throws CORE_CONFLICT if the id exists. */
  create(rec: WebhookRecord): Promise<void>;
  /** By id alone: the URL names the webhook. */
  get(id: string): Promise<WebhookRecord | undefined>;
  list(tenant: TenantId): Promise<WebhookRecord[]>;
  delete(tenant: TenantId, id: string): Promise<boolean>;
}

export interface SourceRepo {
  /** Throws CORE_CONFLICT if (tenant, id) exists. */
  create(rec: SourceRecord): Promise<void>;
  get(tenant: TenantId, id: string): Promise<SourceRecord | undefined>;
  list(tenant: TenantId): Promise<SourceRecord[]>;
  /** Every tenant's sources (started at boot). */
  listAll(): Promise<SourceRecord[]>;
  delete(tenant: TenantId, id: string): Promise<boolean>;
  /** Deletes a function's manifest sources. Returns their ids. */
  deleteForFunction(
    tenant: TenantId,
    functionName: string,
    origin?: SourceRecord['origin'],
  ): Promise<string[]>;
}

/**
 * Buckets and objects by the bucket's storage name (unique across tenants; a tenant's own names
 * are mapped onto it by src/storage/service.ts): `name` of a BucketRecord and `bucket` of the
 * other records here are storage names.
 */
export interface ObjectRepo {
  /** Throws CORE_CONFLICT if the storage name exists. */
  createBucket(rec: BucketRecord): Promise<void>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  listBuckets(tenant: TenantId): Promise<BucketRecord[]>;
  deleteBucket(name: string): Promise<boolean>;
  /** Creates or replaces (bucket, key); returns the record it replaced. */
  putObject(rec: ObjectRecord): Promise<ObjectRecord | undefined>;
  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** Returns the deleted record. */
  deleteObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** Keys > `after` starting with `prefix`, ordered by key (binary order). */
  listObjects(bucket: string, q: { prefix?: string; after?: string; limit: number }): Promise<ObjectRecord[]>;
  /** Objects (any bucket) whose bytes have this content address. */
  countBySha(sha256: string): Promise<number>;
  createUpload(rec: UploadRecord): Promise<void>;
  getUpload(uploadId: string): Promise<UploadRecord | undefined>;
  putPart(rec: PartRecord): Promise<void>;
  listParts(uploadId: string): Promise<PartRecord[]>;
  deleteUpload(uploadId: string): Promise<void>;
  putNotifications(
    bucket: string,
    origin: BucketNotification['origin'] | undefined,
    list: readonly BucketNotification[],
  ): Promise<void>;
  listNotifications(bucket?: string): Promise<BucketNotification[]>;
  /** Drops a function's notifications on its tenant's buckets (on its deploy or delete). */
  deleteNotificationsFor(
    tenant: TenantId,
    functionName: string,
    origin?: BucketNotification['origin'],
  ): Promise<number>;
}

/**
 * Transactional outbox: rows written in the same Store transaction as the change they announce,
 * relayed to the Queue afterwards (so an object event is never lost between two databases).
 */
export interface OutboxRepo {
  add(items: readonly { tenant: TenantId; item: string }[]): Promise<void>;
  /** Oldest first. */
  take(limit: number): Promise<{ seq: number; tenant: TenantId; item: string }[]>;
  delete(seqs: readonly number[]): Promise<void>;
}

// ---------------------------------------------------------------- Cluster coordination

/**
 * A named leader lease (cluster mode): the database row is the lease. Times are epoch ms of the
 * caller's injected Clock, never the database's now().
 */
export interface LeaseRecord {
  readonly name: string;
  readonly holder: string;
  /**
   * Fencing token: one more at every new term (a change of holder, or the same holder taking the
   * lease again after it expired or was released); never reused. A renewal keeps it.
   */
  readonly token: number;
  readonly expiresAt: number;
  /** When the current term began. */
  readonly acquiredAt: number;
}

export interface LeaseRepo {
  /**
   * One conditional statement: takes the lease if it is free, expired (`expiresAt <= now`) or
   * already `holder`'s (a renewal pushes `expiresAt` to `now + ttlMs`, never back). Returns the
   * record when `holder` holds it afterwards, undefined when someone else does.
   */
  acquire(name: string, holder: string, now: number, ttlMs: number): Promise<LeaseRecord | undefined>;
  /** Ends `holder`'s term at once (expiresAt 0, token kept); false if it did not hold it. */
  release(name: string, holder: string): Promise<boolean>;
  get(name: string): Promise<LeaseRecord | undefined>;
  /**
   * Whether `token` is still the lease's current one (and, with `now`, unexpired) — the check of a
   * fenced write. Inside `Store.transaction` on PostgreSQL the row stays share-locked until the
   * commit, so a takeover waits for the fenced write instead of overtaking it.
   */
  checkToken(name: string, token: number, now?: number): Promise<boolean>;
}

/** What a node reports about its load in each heartbeat. */
export interface NodeLoad {
  /** Invocations in flight on the node. */
  readonly inflight: number;
  /** Sandbox instances alive (busy or warm). */
  readonly instances: number;
  /** Function-version keys with a warm instance on the node. */
  readonly warm: readonly string[];
}

/** A cluster node's registry row, upserted by its heartbeats. */
export interface NodeRecord {
  readonly id: string;
  /** URL other nodes reach this one at. */
  readonly address: string;
  readonly roles: readonly string[];
  readonly startedAt: number;
  readonly seenAt: number;
  readonly load: NodeLoad;
}

export interface NodeRepo {
  /** Inserts or replaces the node's row. */
  heartbeat(rec: NodeRecord): Promise<void>;
  /** Nodes with `seenAt >= aliveSince`, by id. */
  list(aliveSince: number): Promise<NodeRecord[]>;
  remove(id: string): Promise<boolean>;
  /** Deletes nodes last seen before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

export interface StoreRepos {
  readonly keys: KeyRepo;
  readonly tenants: TenantRepo;
  readonly roles: RoleRepo;
  readonly secrets: SecretRepo;
  readonly audit: AuditRepo;
  readonly functions: FunctionRepo;
  readonly versions: VersionRepo;
  readonly aliases: AliasRepo;
  readonly logs: LogRepo;
  readonly logStreams: LogStreamRepo;
  readonly usage: UsageRepo;
  readonly budgets: BudgetRepo;
  readonly routes: RouteRepo;
  readonly settings: SettingsRepo;
  readonly schedules: ScheduleRepo;
  readonly topics: TopicRepo;
  readonly sqsQueues: SqsQueueRepo;
  readonly workflows: WorkflowRepo;
  readonly subscriptions: SubscriptionRepo;
  readonly webhooks: WebhookRepo;
  readonly sources: SourceRepo;
  readonly objects: ObjectRepo;
  readonly outbox: OutboxRepo;
  /** Per-function 1-minute activity rollups (src/observability/rollups.ts). */
  readonly metrics: MetricRollupRepo;
  /** Cluster mode: leader leases with fencing tokens (src/cluster/leader.ts). */
  readonly leases: LeaseRepo;
  /** Cluster mode: the node registry (src/cluster/nodes.ts). */
  readonly nodes: NodeRepo;
}

export interface Store extends StoreRepos {
  /** `sqlite` | `postgres` */
  readonly kind: string;
  /** Runs fn in one transaction; the repos passed in are bound to it. Rolls back if fn throws. */
  transaction<T>(fn: (tx: StoreRepos) => Promise<T>): Promise<T>;
  /** Cheap liveness check. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- Queue

/** Follow-up messages committed in the same transaction as an ack/nack/dead-letter. */
export interface FollowUps {
  readonly followUps?: readonly EnqueueItem[];
}

/**
 * Durable at-least-once work queue. A message is delivered again if its lease expires before
 * ack/nack/deadLetter; every mutation resolves only after it is committed.
 */
export interface Queue {
  readonly kind: string;
  /** Commits all items (one transaction) before resolving. */
  enqueue(items: readonly EnqueueItem[]): Promise<EnqueueResult[]>;
  /** Leases up to `max` visible messages of one queue, oldest first, for `visibilityMs`. */
  lease(queue: string, opts: { max: number; visibilityMs: number }): Promise<LeasedMessage[]>;
  /** Pushes the lease end to now + visibilityMs. False if the lease is no longer held. */
  extend(id: string, leaseToken: string, visibilityMs: number): Promise<boolean>;
  /** Marks done (keeping `result`). False if the lease is no longer held (nothing changes). */
  ack(id: string, leaseToken: string, opts?: FollowUps & { result?: string }): Promise<boolean>;
  /** Gives the message back, visible again at `retryAt`; counts a failure unless told not to. */
  nack(
    id: string,
    leaseToken: string,
    opts: FollowUps & { retryAt: number; error?: string; countFailure?: boolean },
  ): Promise<boolean>;
  /** Moves the message to the dead-letter state with a reason. */
  deadLetter(id: string, leaseToken: string, opts: FollowUps & { error: string }): Promise<boolean>;
  get(id: string): Promise<QueueMessage | undefined>;
  /** Deletes a queued message that is not leased (cancel a timer). False otherwise. */
  cancel(id: string): Promise<boolean>;
  list(q: QueueListQuery): Promise<QueueMessage[]>;
  /** Dead → queued (visible now, failures reset). Returns how many moved. */
  replay(ids: readonly string[]): Promise<number>;
  /** Deletes dead messages. Returns how many. */
  purge(ids: readonly string[]): Promise<number>;
  /** Per-queue counters; one queue or all queues that hold anything. */
  stats(queue?: string): Promise<QueueStats[]>;
  /** Queued (waiting, delayed or leased) messages of one queue, from counters (admission control). */
  depth(queue: string): number;
  /** The queue's lag (see QueueStats.oldestAgeMs), cheap enough for every submit. */
  lagMs(queue: string): Promise<number>;
  /** Queues that hold queued messages (cheap: the dispatcher calls it on every pass). */
  activeQueues(): string[];
  /** Earliest visibleAt over all queued messages, or undefined when none. */
  nextVisibleAt(): Promise<number | undefined>;
  /**
   * Shared adapters (several nodes on one database) only: calls `fn(queue)` when another node
   * enqueued, nacked, replayed or released messages of `queue` (visible now or later: re-read
   * nextVisibleAt), so a dispatcher wakes at once instead of polling. Returns the unsubscribe.
   */
  watch?(fn: (queue: string) => void): () => void;
  /**
   * Releases leases a dead consumer left behind (embedded: at start-up every lease is orphaned,
   * so they become visible at once instead of after their visibility timeout). Returns how many.
   */
  recover(): Promise<number>;
  /** Deletes `done` messages last updated before `before`. Returns how many. */
  sweep(before: number): Promise<number>;
  /**
   * Deletes a queue's messages, leased ones included: all of them (any state), or, with
   * `enqueuedBefore`, the queued and dead ones enqueued before it (retention; done ones keep their
   * dedupe keys until swept). Returns how many.
   */
  drop(queue: string, opts?: { readonly enqueuedBefore?: number }): Promise<number>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- BlobStore

export interface BlobStore {
  /** Stores bytes under their sha256 (hex) and returns it. Idempotent. Atomic (tmp + rename). */
  put(data: Uint8Array): Promise<{ sha256: string; size: number }>;
  /** Throws CORE_NOT_FOUND if absent. */
  get(sha256: string): Promise<Uint8Array>;
  has(sha256: string): Promise<boolean>;
  delete(sha256: string): Promise<void>;
}

// ---------------------------------------------------------------- Sandbox

export interface InstanceSpec {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly version: VersionId;
  readonly family: RuntimeFamily;
  /** Host path of the unpacked code root (read-only for the instance; mounted at /var/task). */
  readonly codeDir: string;
  /** Module path inside the code root (CodeRef.entry). */
  readonly entry: string;
  /** CodeRef.exportName */
  readonly exportName: string;
  readonly config: FunctionConfig;
  /**
   * Invocations the instance accepts at once (the scheduler's bound: perInstanceConcurrency, or
   * the HTTP sharing limit); default `config.scaling.perInstanceConcurrency` or 1.
   */
  readonly concurrency?: number;
  /** arn:aws:lambda:<region>:<account>:function:<name>[:qualifier] */
  readonly functionArn: string;
  /** Region string reported to the function (AWS_REGION). */
  readonly region: string;
}

export interface IsolationReport {
  readonly sandbox: string;
  readonly features: Readonly<Record<string, { active: boolean; detail: string }>>;
}

/** Result of one invocation inside an instance. */
export type InvokeOutcome =
  | {
      readonly ok: true;
      /** JSON text of the result (`null` for undefined). */
      readonly payload: string;
      /** The body went to the stream sink. */
      readonly streamed?: boolean | undefined;
      readonly durationMs: number;
      readonly maxRssBytes: number;
      /** Lines captured during this invocation, with its request id. */
      readonly logs: readonly LogLine[];
    }
  | {
      readonly ok: false;
      /**
       * function: the handler threw or returned an error (Unhandled) — instance stays usable.
       * timeout | oom | crash | init: the instance is gone (or must be discarded).
       */
      readonly failure: 'function' | 'timeout' | 'oom' | 'crash' | 'init';
      readonly error: FunctionErrorPayload;
      /** Coded platform error matching `failure` (undefined for plain function errors). */
      readonly platformError?: NimbusErrorJSON | undefined;
      readonly durationMs: number;
      readonly maxRssBytes: number;
      readonly logs: readonly LogLine[];
    };

/** Where a streaming invocation's response goes (Lambda response streaming, fetch bodies). */
export interface ResponseStreamSink {
  head(meta: {
    statusCode: number;
    headers: Readonly<Record<string, string>>;
    cookies: readonly string[];
  }): void;
  /** Returns false when the consumer is slow: the producer pauses until `onDrain` fires. */
  chunk(data: Uint8Array): boolean;
  onDrain(fn: () => void): void;
}

export interface SandboxStats {
  readonly pid: number | undefined;
  readonly rssBytes: number;
  readonly invocations: number;
  readonly createdAt: number;
  readonly lastUsedAt: number;
}

/**
 * Serves the context client of a running invocation (`context.nimbus.invoke/timers/…` inside the
 * function): the call travels over the instance's fd 3, never over the network, and is scoped to
 * the invocation's tenant by the host. Rejects with a NimbusError.
 */
export type ContextCallHandler = (op: string, args: unknown) => Promise<unknown>;

export interface Sandbox {
  readonly id: string;
  readonly spec: InstanceSpec;
  /** ms the specialization (code load, module init) took — Lambda's Init Duration. */
  readonly initDurationMs: number;
  /** False once the process exited or was killed; the scheduler then drops it. */
  readonly alive: boolean;
  /**
   * One invocation at a time. Enforces the invocation deadline (kills the tree on timeout).
   * With a `stream` sink, the response head and body chunks go there as they are produced and
   * the outcome's payload is `null` with `streamed: true`.
   */
  invoke(
    inv: Invocation,
    signal?: AbortSignal,
    stream?: ResponseStreamSink,
    calls?: ContextCallHandler,
  ): Promise<InvokeOutcome>;
  stats(): SandboxStats;
  /** Kills the process tree and frees its resources. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * Runs deploy-time build steps (esbuild, javac) as untrusted work: an unprivileged process in the
 * same kind of sandbox as instances, seeing only the code root (read-write, at its own path) and the
 * read-only toolchain it is given, with no network and a memory/pids cgroup.
 */
export interface StepJail {
  /** Hands the code root to the sandbox user (it is a directory the platform created for the build). */
  own(codeRoot: string): Promise<void>;
  /** The command line that runs `argv` jailed; `release` frees what it set up (after the exit). */
  prepare(
    argv: readonly string[],
    o: {
      readonly codeRoot: string;
      readonly readOnly: readonly string[];
      readonly memoryMb: number;
      readonly env?: Readonly<Record<string, string>>;
    },
  ): Promise<{ cmd: string; args: string[]; release(): Promise<void> }>;
  /** What the jail is (for doctor and errors). */
  describe(): string;
}

export interface SandboxFactory {
  readonly kind: string;
  /**
   * Takes a pre-booted generic process of spec.family from the pool (or boots one) and specializes
   * it with the function. Throws a coded error (failure `init`) when the module fails to import.
   */
  create(spec: InstanceSpec): Promise<Sandbox>;
  isolation(): IsolationReport;
  /** Boots generic processes up to the configured pool size per family. */
  warmup(): Promise<void>;
  close(): Promise<void>;
}
