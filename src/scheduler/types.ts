/**
 * The scheduler's public face: what it is built from (SchedulerDeps), what it hands out (a Lease
 * on an instance of a Target) and what it reports (FunctionStatus, NodeStatus).
 */
import type { Clock, InstanceSpec, Sandbox, SandboxFactory } from '../core/ports.ts';
import type { CodeRef, FunctionConfig, TenantId, VersionId } from '../core/types.ts';

export interface SchedulerDeps {
  readonly factory: SandboxFactory;
  readonly clock: Clock;
  readonly idleTtlMs: number;
  readonly defaultConcurrency: number;
  /** Hard bound on a request's wait for a concurrency slot (then 429). */
  readonly throttleWaitMs: number;
  /** Returns a host directory holding the unpacked artifact (cached by sha256). */
  readonly materialize: (code: CodeRef) => Promise<string>;
  readonly region: string;
  readonly accountId: string;
  /** The account id of a tenant (ARNs); default: `accountId` for every tenant. */
  readonly accountOf?: (tenant: string) => string;
  /**
   * The environment an instance starts with (the function's, with secret references resolved and
   * the platform's variables added: temporary credentials, endpoints). Default: the function's.
   */
  readonly instanceEnv?: (spec: InstanceSpec) => Promise<Readonly<Record<string, string>>>;
  /**
   * Instances older than this are replaced when next idle (their temporary credentials expire);
   * default: never.
   */
  readonly instanceMaxAgeMs?: number;
  /**
   * `fixed`: idle instances live `idleTtlMs`. `adaptive`: per function, the hybrid-histogram
   * keep-alive learnt from its inter-arrival times (falls back to `idleTtlMs`), including its
   * pre-warm window (unload right after a call, load again ahead of the next one). `predictive`:
   * the fixed window, plus an instance kept (or pre-warmed) through the minutes a fitted daily
   * model of the function's arrivals predicts load for.
   */
  readonly keepAlive?: 'fixed' | 'adaptive' | 'predictive';
  /** Concurrency limit per tenant (account); reserved concurrency is carved out of it. Default 1000. */
  readonly tenantConcurrency?: number;
  /**
   * Cluster mode: the fraction of every concurrency limit (function caps, reservations, the
   * tenant's) this node admits — 1 / the live nodes, so the cluster as a whole holds each limit
   * within one per node (each share is rounded up). Default 1.
   */
  readonly share?: () => number;
  /** Node-wide memory budget for instances (sum of their memoryMb), MB. Default: unlimited. */
  readonly nodeMemoryMb?: number;
  /** Waiters per function (then 429 at once). Default 1000. */
  readonly maxQueue?: number;
  /** A request may queue while its expected wait ≤ this many typical run times. Default 1. */
  readonly queueWaitFactor?: number;
  /** Concurrent instance starts per pool. Default 8. */
  readonly maxConcurrentStarts?: number;
  /**
   * Instances a pool scales to under demand before queue-aware scale-out may let waiters wait for
   * a busy instance instead of a new one. Default: the node's cores (os.availableParallelism()).
   */
  readonly parallelism?: number;
  /**
   * HTTP requests one instance of a Node.js function without `perInstanceConcurrency` runs at
   * once (other invocations keep an instance to themselves). Default 1: Lambda semantics.
   */
  readonly httpSharing?: number;
}

export interface Target {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly version: VersionId;
  readonly config: FunctionConfig;
  readonly code: CodeRef;
}

export interface Lease {
  readonly sandbox: Sandbox;
  /** The request waited for this instance's init (Lambda's cold start: Init Duration reported). */
  readonly cold: boolean;
  /** Returns the instance to its pool (or disposes it if it died). Call exactly once. */
  release(): void;
}

export interface FunctionStatus {
  readonly tenant: TenantId;
  readonly functionName: string;
  /** Idle instances (warm, no invocation running). */
  readonly warm: number;
  /** Instances running at least one invocation. */
  readonly busy: number;
  /** Instances being started. */
  readonly starting: number;
  /** Invocations running. */
  readonly inflight: number;
  /** Requests waiting for a concurrency slot or for an instance. */
  readonly waiting: number;
  /** Instances kept warm regardless of traffic (min instances / provisioned concurrency). */
  readonly provisionedInstances: number;
  readonly concurrencyLimit: number;
  readonly reservedConcurrency: number | null;
  readonly perInstanceConcurrency: number;
  /** Instances started because a request needed one (the request waited for init). */
  readonly coldStarts: number;
  /** Instances started ahead of requests (provisioned floor, pre-warm). */
  readonly prewarms: number;
  readonly evictions: number;
  readonly throttles: number;
  /** Leases granted (invocations started). */
  readonly invocations: number;
  /** Time spent waiting for a concurrency slot: total and worst, ms. */
  readonly queueWaitMsTotal: number;
  readonly queueWaitMsMax: number;
}

export interface NodeStatus {
  readonly memoryBudgetMb: number | null;
  readonly memoryUsedMb: number;
  readonly instances: number;
  readonly evictions: number;
}
