/**
 * Pure scaling decisions: a function's effective limits, how many instances to start for the
 * requests waiting (singleflight), the provisioned floor at a point in time, whether a request
 * may queue or is throttled at once, and which idle instance to evict under memory pressure.
 * No I/O, no timers: every input (including `now`) is a parameter, so each rule is table-tested.
 */
import type { FunctionConfig, ScalingConfig, ScheduledProvisioning } from '../core/types.ts';
import { compileSchedule } from '../schedules/expression.ts';

export interface ScalingDefaults {
  /** Concurrency of a function without reserved concurrency (platform default). */
  readonly functionConcurrency: number;
  /**
   * HTTP requests one instance of a Node.js function may run at once when the function does not
   * set `perInstanceConcurrency` (1 = Lambda semantics for every request). Default 1.
   */
  readonly httpSharing?: number;
}

export interface EffectiveScaling {
  /** Invocations one instance runs at once. */
  readonly perInstance: number;
  /**
   * HTTP requests one instance runs at once. Above `perInstance` (a Node.js function that did not
   * set `perInstanceConcurrency`), HTTP requests share instances up to this many while every
   * other invocation (Invoke API, async, events) still gets an instance to itself.
   */
  readonly shared: number;
  /** Max concurrent invocations of the function. */
  readonly cap: number;
  /** Reserved concurrency: a cap, and capacity no other function of the tenant can take. */
  readonly reserved: number | undefined;
  readonly maxInstances: number;
  readonly minInstances: number;
  readonly provisioned: number;
  readonly schedule: readonly ScheduledProvisioning[];
}

export function effectiveScaling(
  config: FunctionConfig,
  d: ScalingDefaults,
  family?: string,
): EffectiveScaling {
  const s: ScalingConfig = config.scaling ?? {};
  const perInstance = Math.max(1, s.perInstanceConcurrency ?? 1);
  const shared =
    s.perInstanceConcurrency === undefined && family === 'node'
      ? Math.max(1, d.httpSharing ?? 1)
      : perInstance;
  const reserved = config.reservedConcurrency || undefined;
  const maxInstances = s.maxInstances ?? Number.POSITIVE_INFINITY;
  const cap = Math.max(1, Math.min(reserved ?? d.functionConcurrency, maxInstances * shared));
  return {
    perInstance,
    shared,
    cap,
    reserved,
    maxInstances,
    minInstances: s.minInstances ?? 0,
    provisioned: s.provisionedConcurrency ?? 0,
    schedule: s.provisionedSchedule ?? [],
  };
}

/** How far back scheduled provisioning looks for the entry in force (a weekly cycle fits). */
const LOOKBACK_MS = 8 * 86_400_000;
const MAX_STEPS = 20_000;

/**
 * Provisioned concurrency in force at `now`: the value of the schedule entry that fired last
 * (within 8 days), else the base value; `until` is when that may change next.
 */
export function provisionedAt(
  base: number,
  schedule: readonly ScheduledProvisioning[],
  now: number,
): { value: number; until: number } {
  let value = base;
  let lastFire = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  for (const e of schedule) {
    const c = compileSchedule(e.schedule, { timezone: e.timezone, anchor: 0 });
    let t = c.next(now - LOOKBACK_MS);
    let last: number | undefined;
    for (let i = 0; t !== undefined && t <= now && i < MAX_STEPS; i++) {
      last = t;
      t = c.next(t);
    }
    if (t !== undefined && t > now) until = Math.min(until, t);
    if (last !== undefined && last > lastFire) {
      lastFire = last;
      value = e.provisionedConcurrency;
    }
  }
  return { value, until };
}

/** Instances a pool keeps even when idle: min instances or what provisioned concurrency needs. */
export function floorInstances(e: EffectiveScaling, provisioned: number): number {
  return Math.min(e.maxInstances, Math.max(e.minInstances, Math.ceil(provisioned / e.perInstance)));
}

/**
 * Singleflight scale-out: how many instances to start now for `waiting` requests, given
 * `starting` instances already on their way (each will take `perInstance` of the waiters),
 * `live` instances, the instance bound, and a bound on concurrent starts per pool.
 *
 * Queue-aware: once the pool knows its typical run time (`runMs`) and start time (`startMs`), a
 * busy slot will serve ⌊startMs / runMs⌋ waiters before a new instance could be ready, so those
 * waiters are covered without a start (when that is at least 4) (a 0.3 ms handler behind a 20 ms cold start waits less on a
 * busy instance than on a new one). `minParallel` (the node's cores) keeps at least that many
 * instances when the demand is there, so CPU-bound functions still use every core. Without
 * samples this is plain one-start-per-uncovered-waiter, Lambda's behaviour.
 */
export function startsNeeded(o: {
  waiting: number;
  starting: number;
  live: number;
  perInstance: number;
  maxInstances: number;
  maxStarts: number;
  /** Slots in use on live instances. */
  busy?: number;
  runMs?: number | undefined;
  startMs?: number | undefined;
  minParallel?: number;
}): number {
  const busy = o.busy ?? 0;
  // Only when clearly worth it (a busy slot serves ≥ 4 waiters before a start could finish), so
  // slow starts on a loaded node do not turn second-long functions into a queue.
  const perBusySlot =
    o.runMs !== undefined && o.startMs !== undefined && o.runMs > 0 && o.startMs >= 4 * o.runMs
      ? Math.floor(o.startMs / o.runMs)
      : 0;
  const uncovered = o.waiting - o.starting * o.perInstance - busy * perBusySlot;
  const need = uncovered > 0 ? Math.ceil(uncovered / o.perInstance) : 0;
  const parallel =
    Math.min(o.minParallel ?? 0, Math.ceil((o.waiting + busy) / o.perInstance)) - o.live - o.starting;
  const room = o.maxInstances - o.live - o.starting;
  return Math.max(0, Math.min(Math.max(need, parallel), room, o.maxStarts - o.starting));
}

/**
 * Scale-out of a pool whose HTTP requests share instances (`shared` > 1): every exclusive waiter
 * (an invocation that is not an HTTP request) needs an instance of its own, shared waiters one per
 * `shared` of them; each start in flight covers one of those needs. (Spreading shared load over
 * the node's cores before packing it is the scheduler's pick, not a start for a waiter.)
 */
export function sharedStartsNeeded(o: {
  exclusiveWaiting: number;
  sharedWaiting: number;
  shared: number;
  starting: number;
  live: number;
  maxInstances: number;
  maxStarts: number;
}): number {
  const need =
    o.exclusiveWaiting + (o.sharedWaiting > 0 ? Math.ceil(o.sharedWaiting / o.shared) : 0) - o.starting;
  const room = o.maxInstances - o.live - o.starting;
  return Math.max(0, Math.min(need, room, o.maxStarts - o.starting));
}

export interface QueueDecision {
  readonly queue: boolean;
  /** Why it was refused (for the 429's details). */
  readonly reason?: 'queue-full' | 'expected-wait' | 'no-wait';
}

/**
 * May a request that cannot run now wait for a slot? It may when the queue has room and its
 * expected wait — rounds of `cap` ahead of it × the function's typical run time — stays within
 * `waitFactor` run times (at least `floorMs`, at most `maxWaitMs`). Without a run time sample
 * yet, only the hard bounds apply. At overload this turns excess requests away at once instead
 * of letting them wait out `maxWaitMs` (and the admitted ones keep their latency).
 */
export function mayQueue(o: {
  waiting: number;
  cap: number;
  serviceMs: number | undefined;
  maxWaitMs: number;
  maxQueue: number;
  waitFactor: number;
  floorMs: number;
}): QueueDecision {
  if (o.maxWaitMs <= 0) return { queue: false, reason: 'no-wait' };
  if (o.waiting >= o.maxQueue) return { queue: false, reason: 'queue-full' };
  if (o.serviceMs === undefined) return { queue: true };
  const rounds = Math.ceil((o.waiting + 1) / Math.max(1, o.cap));
  const expected = rounds * o.serviceMs;
  const allowed = Math.min(o.maxWaitMs, Math.max(o.floorMs, o.serviceMs * o.waitFactor));
  return expected <= allowed ? { queue: true } : { queue: false, reason: 'expected-wait' };
}

/** What an isolate instance holds against the node budget (idle ≈1.3 MiB measured, plus headroom). */
export const ISOLATE_RESERVATION_MB = 4;

/**
 * Memory an instance reserves in the node budget: a process instance its whole memory size (its
 * cgroup limit); an isolate a few MB — its heap limit is enforced by V8 and the tenant's isolate
 * host has its own cgroup ceiling, so reserving the full size would throw density away.
 */
export function instanceReservationMb(c: Pick<FunctionConfig, 'memoryMb' | 'isolation'>): number {
  return c.isolation === 'isolate' ? Math.min(c.memoryMb, ISOLATE_RESERVATION_MB) : c.memoryMb;
}

export interface EvictionCandidate {
  readonly lastUsed: number;
  readonly memoryMb: number;
}

/**
 * Least-recently-used idle instances to evict so that `needMb` more fits in `budgetMb` with
 * `usedMb` in use; undefined when even evicting every candidate is not enough.
 */
export function pickEvictions<T extends EvictionCandidate>(
  candidates: readonly T[],
  usedMb: number,
  needMb: number,
  budgetMb: number,
): T[] | undefined {
  let over = usedMb + needMb - budgetMb;
  if (over <= 0) return [];
  const out: T[] = [];
  for (const c of [...candidates].sort((a, b) => a.lastUsed - b.lastUsed)) {
    out.push(c);
    over -= c.memoryMb;
    if (over <= 0) return out;
  }
  return undefined;
}

/** Exponentially weighted moving average (service time estimate). */
export function ewma(prev: number | undefined, sample: number, alpha = 0.2): number {
  return prev === undefined ? sample : prev + alpha * (sample - prev);
}
