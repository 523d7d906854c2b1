/**
 * @module core/ports
 * The only seams of the platform. Adapters implement these; everything else depends on them.
 * Each port has one contract test suite run against every adapter.
 */
import type { NimbusErrorJSON } from './errors.ts';
import type {
  AliasRecord,
  ApiKeyRecord,
  FunctionConfig,
  FunctionErrorPayload,
  FunctionRecord,
  Invocation,
  LogLine,
  LogQuery,
  RouteRecord,
  RuntimeFamily,
  StoredLogLine,
  TenantId,
  UsageQuery,
  UsageRecord,
  UsageSummary,
  VersionId,
  VersionRecord,
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
  /** Returns false if it did not exist. */
  delete(keyId: string): Promise<boolean>;
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
  /** Deletes the function and all its versions and aliases. Returns false if it did not exist. */
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
  query(q: LogQuery): Promise<StoredLogLine[]>;
}

export interface UsageRepo {
  record(rec: UsageRecord): Promise<void>;
  /** Records many at once (one statement). */
  recordMany(recs: readonly UsageRecord[]): Promise<void>;
  /** Newest first. */
  list(q: UsageQuery): Promise<UsageRecord[]>;
  summary(q: UsageQuery): Promise<UsageSummary>;
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
  /** Every tenant's value for a key (the gateway loads them all). */
  listKey<T = unknown>(key: string): Promise<{ tenant: TenantId; value: T }[]>;
}

export interface StoreRepos {
  readonly keys: KeyRepo;
  readonly functions: FunctionRepo;
  readonly versions: VersionRepo;
  readonly aliases: AliasRepo;
  readonly logs: LogRepo;
  readonly usage: UsageRepo;
  readonly routes: RouteRepo;
  readonly settings: SettingsRepo;
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
  invoke(inv: Invocation, signal?: AbortSignal, stream?: ResponseStreamSink): Promise<InvokeOutcome>;
  stats(): SandboxStats;
  /** Kills the process tree and frees its resources. Idempotent. */
  dispose(): Promise<void>;
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
