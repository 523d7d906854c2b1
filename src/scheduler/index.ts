/**
 * @module scheduler
 * The autoscaler. Per function: admission (concurrency caps, tenant pool, fairness, bounded wait
 * → 429; admission.ts), and per version+code+config a pool of instances that scales out on demand
 * (singleflight: only as many starts as the waiting requests need), runs up to
 * `perInstanceConcurrency` invocations per instance, keeps a provisioned floor warm (also on a
 * schedule), pre-warms ahead of the next call (hybrid-histogram policy), scales in after idle down
 * to zero, and evicts idle instances LRU when the node's memory budget is full. Every decision
 * reads the injected clock; the rules themselves are pure functions in scaling.ts/keepalive.ts.
 */
import { availableParallelism } from 'node:os';
import type { InstanceSpec, Sandbox } from '../core/ports.ts';
import type { FunctionConfig, TenantId } from '../core/types.ts';
import { Admission, type FunctionSlot } from './admission.ts';
import { SchedulerErrors } from './errors.ts';
import {
  DEFAULT_HYBRID,
  hybridWindows,
  IatHistogram,
  MINUTE,
  SeasonalPredictor,
  type Windows,
} from './keepalive.ts';
import {
  type EffectiveScaling,
  effectiveScaling,
  ewma,
  floorInstances,
  instanceReservationMb,
  pickEvictions,
  provisionedAt,
  sharedStartsNeeded,
  startsNeeded,
} from './scaling.ts';
import type { FunctionStatus, Lease, NodeStatus, SchedulerDeps, Target } from './types.ts';

export { Admission } from './admission.ts';
export { SchedulerErrors } from './errors.ts';
export type { FunctionStatus, Lease, NodeStatus, SchedulerDeps, Target } from './types.ts';

interface Instance {
  readonly sandbox: Sandbox;
  readonly pool: Pool;
  readonly memoryMb: number;
  active: number;
  /** Runs an invocation that must have the instance to itself (no HTTP request joins it). */
  exclusive: boolean;
  lastUsed: number;
  /** Started for a waiting request: its first lease is a cold start. */
  cold: boolean;
  /** Keep-alive of the next idle period, when not the policy's (pre-warmed instances). */
  keepAliveMs: number | undefined;
  cancelIdle: () => void;
  /** Epoch ms after which the instance is replaced instead of reused (instanceMaxAgeMs). */
  readonly retireAt: number;
}

interface PoolWaiter {
  /** An HTTP request, which may share an instance (EffectiveScaling.shared). */
  readonly shared: boolean;
  readonly resolve: (inst: Instance) => void;
  readonly reject: (e: Error) => void;
}

interface Pool {
  readonly fn: FunctionState;
  readonly target: Target;
  readonly scaling: EffectiveScaling;
  readonly instances: Set<Instance>;
  readonly waiters: PoolWaiter[];
  starting: number;
  /** Typical instance start (create → ready) time, EWMA; feeds queue-aware scale-out. */
  startMs: number | undefined;
  /** Instances kept even when idle (only the function's default target has one). */
  floor: number;
  provisioned: number;
  retired: boolean;
  cancelFloorTimer: () => void;
  cancelHungry: (() => void) | undefined;
}

interface FunctionState {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly slot: FunctionSlot;
  readonly pools: Map<string, Pool>;
  /** The pool of the function's default target (where the provisioned floor lives). */
  floorPool: Pool | undefined;
  coldStarts: number;
  prewarms: number;
  evictions: number;
  /** Inter-arrival times (adaptive keep-alive). */
  hist: IatHistogram;
  /** Daily arrival model (predictive pre-warm). */
  predictor: SeasonalPredictor;
  /** The pool the last invocation used (what predictive pre-warm starts). */
  lastPool: Pool | undefined;
  invocations: number;
  waitTotal: number;
  waitMax: number;
  cancelPrewarm: () => void;
}

const FLOOR_RETRY_MS = 30_000;

/**
 * A pool's key: version, code and the config's JSON. Kept per config object (the registry hands
 * out the same object per version), so a warm acquire looks up the same string each time and its
 * hash is not recomputed over the whole config (0.6 % of the platform under hello load).
 */
const poolKeys = new WeakMap<FunctionConfig, { version: string; sha: string; key: string }>();
function poolKey(t: Target): string {
  const c = poolKeys.get(t.config);
  if (c !== undefined && c.version === t.version && c.sha === t.code.sha256) return c.key;
  const key = `${t.version}\u0000${t.code.sha256}\u0000${JSON.stringify(t.config)}`;
  poolKeys.set(t.config, { version: t.version, sha: t.code.sha256, key });
  return key;
}

export class Scheduler {
  readonly #d: SchedulerDeps;
  readonly #admission: Admission;
  readonly #fns = new Map<string, FunctionState>();
  readonly #maxStarts: number;
  readonly #parallelism: number;
  /** Pools whose waiters wait for node memory (#hungry), retried when capacity is freed. */
  readonly #hungryPools = new Set<Pool>();
  #memUsed = 0;
  #evictions = 0;
  #closed = false;
  #cancelTick = () => {};

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
    this.#maxStarts = deps.maxConcurrentStarts ?? 8;
    this.#parallelism = deps.parallelism ?? availableParallelism();
    this.#admission = new Admission({
      clock: deps.clock,
      maxWaitMs: deps.throttleWaitMs,
      maxQueue: deps.maxQueue ?? 1000,
      waitFactor: deps.queueWaitFactor ?? 1,
      floorMs: 10,
      tenantLimit: deps.tenantConcurrency ?? 1000,
      share: deps.share,
    });
    if (deps.keepAlive === 'predictive') this.#armTick();
  }

  /**
   * A lease on an instance of `t`. `shared`: the invocation is an HTTP request, which may run
   * beside other HTTP requests in one instance when the function's scaling allows it.
   */
  async acquire(t: Target, signal?: AbortSignal, shared = false): Promise<Lease> {
    if (this.#closed) throw SchedulerErrors.SHUTTING_DOWN();
    const fs = this.#fn(t);
    const eff = this.#effective(t);
    this.#setLimits(fs, eff);
    const waitStart = this.#d.clock.monotonic();
    await this.#admission.acquire(fs.slot, signal);
    const waited = this.#d.clock.monotonic() - waitStart;
    fs.invocations++;
    fs.hist.observe(this.#d.clock.now());
    if (this.#d.keepAlive === 'predictive') fs.predictor.observe(this.#d.clock.now());
    fs.waitTotal += waited;
    if (waited > fs.waitMax) fs.waitMax = waited;
    fs.cancelPrewarm();
    let inst: Instance;
    try {
      const pool = this.#pool(fs, t, eff);
      fs.lastPool = pool;
      inst = this.#take(pool, shared) ?? (await this.#waitForInstance(pool, shared, signal));
    } catch (e) {
      this.#admission.release(fs.slot);
      throw e;
    }
    const cold = inst.cold;
    inst.cold = false;
    const granted = this.#d.clock.monotonic();
    let released = false;
    return {
      sandbox: inst.sandbox,
      cold,
      release: () => {
        if (released) return;
        released = true;
        this.#admission.release(fs.slot, this.#d.clock.monotonic() - granted);
        this.#release(inst);
      },
    };
  }

  /**
   * Tells the scheduler a function's default target (what an unqualified call runs): its
   * reservation starts to count for the tenant and its provisioned floor is started and kept.
   * Call at start-up for every function and again after it changed.
   */
  sync(t: Target): void {
    if (this.#closed) return;
    const fs = this.#fn(t);
    const eff = this.#effective(t);
    this.#setLimits(fs, eff);
    const pool = this.#pool(fs, t, eff);
    if (fs.floorPool && fs.floorPool !== pool) this.#setFloor(fs.floorPool, 0, 0);
    fs.floorPool = pool;
    this.#refreshFloor(pool);
  }

  /** Does the scheduler hold state for this function (it ran, or was synced)? */
  tracks(tenant: TenantId, functionName: string): boolean {
    return this.#fns.has(`${tenant}\u0000${functionName}`);
  }

  /** Retires every instance of a function (code or config changed, or it was deleted). */
  retire(tenant: TenantId, functionName: string): void {
    const fs = this.#fns.get(`${tenant}\u0000${functionName}`);
    if (!fs) return;
    for (const pool of fs.pools.values()) {
      pool.retired = true;
      pool.cancelFloorTimer();
      for (const inst of [...pool.instances]) if (inst.active === 0) this.#remove(inst);
    }
    fs.pools.clear();
    fs.floorPool = undefined;
    fs.lastPool = undefined;
    fs.cancelPrewarm();
  }

  /** The function was deleted: retire it and give its reserved concurrency back to the tenant. */
  forget(tenant: TenantId, functionName: string): void {
    this.retire(tenant, functionName);
    const fs = this.#fns.get(`${tenant}\u0000${functionName}`);
    if (fs) this.#admission.drop(fs.slot);
  }

  /** Could an instance of the function take an invocation now, without a cold start? */
  hasRoom(tenant: TenantId, functionName: string): boolean {
    const fs = this.#fns.get(`${tenant}\u0000${functionName}`);
    if (!fs) return false;
    for (const p of fs.pools.values())
      for (const i of p.instances) if (i.active < p.scaling.perInstance) return true;
    return false;
  }

  status(): FunctionStatus[] {
    const out: FunctionStatus[] = [];
    for (const fs of this.#fns.values()) {
      let warm = 0;
      let busy = 0;
      let starting = 0;
      let waiting = fs.slot.waiters.length;
      let per = 1;
      for (const p of fs.pools.values()) {
        for (const i of p.instances) i.active > 0 ? busy++ : warm++;
        starting += p.starting;
        waiting += p.waiters.length;
        per = p.scaling.perInstance;
      }
      out.push({
        tenant: fs.tenant,
        functionName: fs.functionName,
        warm,
        busy,
        starting,
        inflight: fs.slot.inUse,
        waiting,
        provisionedInstances: fs.floorPool?.floor ?? 0,
        concurrencyLimit: fs.slot.cap,
        reservedConcurrency: fs.slot.reserved ?? null,
        perInstanceConcurrency: fs.floorPool?.scaling.perInstance ?? per,
        coldStarts: fs.coldStarts,
        prewarms: fs.prewarms,
        evictions: fs.evictions,
        throttles: fs.slot.throttles,
        invocations: fs.invocations,
        queueWaitMsTotal: Math.round(fs.waitTotal * 1000) / 1000,
        queueWaitMsMax: Math.round(fs.waitMax * 1000) / 1000,
      });
    }
    return out;
  }

  node(): NodeStatus {
    let instances = 0;
    for (const fs of this.#fns.values()) for (const p of fs.pools.values()) instances += p.instances.size;
    return {
      memoryBudgetMb: this.#d.nodeMemoryMb ?? null,
      memoryUsedMb: this.#memUsed,
      instances,
      evictions: this.#evictions,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelTick();
    const all: Promise<void>[] = [];
    for (const fs of this.#fns.values()) {
      fs.cancelPrewarm();
      for (const pool of fs.pools.values()) {
        pool.cancelFloorTimer();
        pool.cancelHungry?.();
        for (const w of pool.waiters.splice(0)) w.reject(SchedulerErrors.SHUTTING_DOWN());
        for (const inst of pool.instances) {
          inst.cancelIdle();
          all.push(inst.sandbox.dispose());
        }
        pool.instances.clear();
      }
    }
    await Promise.allSettled(all);
  }

  // ------------------------------------------------------------------ instances

  /** Do HTTP requests of this pool share instances beyond `perInstance`? */
  static #sharing(pool: Pool): boolean {
    return pool.scaling.shared > pool.scaling.perInstance;
  }

  /** May `inst` take one more invocation (an HTTP request when `shared`)? */
  static #fits(pool: Pool, inst: Instance, shared: boolean): boolean {
    if (!inst.sandbox.alive) return false;
    if (shared && Scheduler.#sharing(pool)) return !inst.exclusive && inst.active < pool.scaling.shared;
    return inst.active < pool.scaling.perInstance;
  }

  /**
   * A live instance with a free slot. Without sharing: the busiest one (packing lets the others
   * idle out). An HTTP request of a sharing pool: the least busy one, and while every instance is
   * busy and there are fewer than the node's cores, one more starts in the background (shared
   * load spreads over the cores first, then packs: more processes than cores only add switches).
   */
  #take(pool: Pool, shared = false): Instance | undefined {
    const spread = shared && Scheduler.#sharing(pool);
    let best: Instance | undefined;
    let open = 0;
    for (const inst of pool.instances) {
      if (!inst.exclusive && inst.sandbox.alive) open++;
      if (!Scheduler.#fits(pool, inst, shared)) continue;
      const better = !best
        ? true
        : inst.active !== best.active
          ? spread
            ? inst.active < best.active
            : inst.active > best.active
          : inst.lastUsed > best.lastUsed;
      if (better) best = inst;
    }
    if (
      spread &&
      best &&
      best.active > 0 &&
      open + pool.starting < this.#parallelism &&
      pool.instances.size + pool.starting < pool.scaling.maxInstances
    ) {
      this.#start(pool, 'prewarm');
    }
    if (best) this.#use(best, shared);
    return best;
  }

  #use(inst: Instance, shared: boolean): void {
    if (inst.active === 0) {
      inst.cancelIdle();
      inst.exclusive = !shared && Scheduler.#sharing(inst.pool);
    }
    inst.active++;
    inst.keepAliveMs = undefined; // a pre-warmed instance's own window ends with its first call
  }

  #waitForInstance(pool: Pool, shared: boolean, signal?: AbortSignal): Promise<Instance> {
    return new Promise<Instance>((resolve, reject) => {
      const w: PoolWaiter = { shared, resolve, reject };
      pool.waiters.push(w);
      signal?.addEventListener(
        'abort',
        () => {
          const i = pool.waiters.indexOf(w);
          if (i < 0) return;
          pool.waiters.splice(i, 1);
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        },
        { once: true },
      );
      this.#scale(pool);
    });
  }

  /** Singleflight scale-out: start only the instances the waiting requests still need. */
  #scale(pool: Pool): void {
    let busy = 0;
    for (const i of pool.instances) busy += i.active;
    let sharedWaiting = 0;
    if (Scheduler.#sharing(pool)) for (const w of pool.waiters) if (w.shared) sharedWaiting++;
    const n = Scheduler.#sharing(pool)
      ? sharedStartsNeeded({
          exclusiveWaiting: pool.waiters.length - sharedWaiting,
          sharedWaiting,
          shared: pool.scaling.shared,
          starting: pool.starting,
          live: pool.instances.size,
          maxInstances: pool.scaling.maxInstances,
          maxStarts: this.#maxStarts,
        })
      : startsNeeded({
          waiting: pool.waiters.length,
          starting: pool.starting,
          live: pool.instances.size,
          perInstance: pool.scaling.perInstance,
          maxInstances: pool.scaling.maxInstances,
          maxStarts: this.#maxStarts,
          busy,
          runMs: pool.fn.slot.serviceMs,
          startMs: pool.startMs,
          minParallel: this.#parallelism,
        });
    for (let i = 0; i < n; i++) if (!this.#start(pool, 'demand')) break;
  }

  /** Starts one instance; false when the node has no memory for it (waiters are told or wait). */
  #start(pool: Pool, purpose: 'demand' | 'floor' | 'prewarm', keepAliveMs?: number): boolean {
    const mb = instanceReservationMb(pool.target.config);
    if (!this.#reserveMemory(mb)) {
      if (purpose === 'demand') this.#hungry(pool);
      return false;
    }
    const fs = pool.fn;
    pool.starting++;
    if (purpose === 'demand') fs.coldStarts++;
    else fs.prewarms++;
    void (async () => {
      let sandbox: Sandbox;
      const t0 = this.#d.clock.monotonic();
      try {
        const spec = this.#spec(pool, await this.#d.materialize(pool.target.code));
        const env = this.#d.instanceEnv ? await this.#d.instanceEnv(spec) : undefined;
        sandbox = await this.#d.factory.create(
          env ? { ...spec, config: { ...spec.config, environment: env } } : spec,
        );
        pool.startMs = ewma(pool.startMs, this.#d.clock.monotonic() - t0);
      } catch (e) {
        pool.starting--;
        this.#memUsed -= mb;
        // Waiters no other start in flight will serve get the error (an init error is the
        // function's: every request would fail the same way).
        const uncovered = pool.waiters.length - pool.starting * pool.scaling.perInstance;
        for (const w of pool.waiters.splice(0, Math.max(0, uncovered))) w.reject(e as Error);
        if (purpose === 'floor' && !pool.retired) this.#armFloorTimer(pool, FLOOR_RETRY_MS);
        this.#kick();
        return;
      }
      pool.starting--;
      if (this.#closed || (pool.retired && pool.waiters.length === 0)) {
        this.#memUsed -= mb;
        void sandbox.dispose();
        return;
      }
      const inst: Instance = {
        sandbox,
        pool,
        memoryMb: mb,
        active: 0,
        exclusive: false,
        lastUsed: this.#d.clock.now(),
        cold: purpose === 'demand',
        keepAliveMs,
        cancelIdle: () => {},
        retireAt: this.#d.clock.now() + (this.#d.instanceMaxAgeMs ?? Number.POSITIVE_INFINITY),
      };
      pool.instances.add(inst);
      this.#serveWaiters(inst);
      if (inst.active === 0) this.#idle(inst);
      // Still uncovered waiters (more arrived, or starts were bounded): keep scaling out.
      if (pool.waiters.length > 0) this.#scale(pool);
    })();
    return true;
  }

  /** Hands `inst` to the waiters it can take, oldest first (one that needs it alone may wait). */
  #serveWaiters(inst: Instance): void {
    const pool = inst.pool;
    for (let i = 0; i < pool.waiters.length; ) {
      const w = pool.waiters[i]!;
      if (!Scheduler.#fits(pool, inst, w.shared)) {
        if (inst.active >= pool.scaling.shared) return;
        i++;
        continue;
      }
      pool.waiters.splice(i, 1);
      this.#use(inst, w.shared);
      w.resolve(inst);
    }
  }

  #release(inst: Instance): void {
    const pool = inst.pool;
    inst.active = Math.max(0, inst.active - 1);
    if (inst.active === 0) inst.exclusive = false;
    inst.lastUsed = this.#d.clock.now();
    const aged = inst.lastUsed >= inst.retireAt;
    if (!inst.sandbox.alive || this.#closed || (pool.retired && pool.waiters.length === 0) || aged) {
      if (inst.active === 0 || !inst.sandbox.alive) this.#remove(inst);
      if (!pool.retired && pool.fn.floorPool === pool) this.#fillFloor(pool);
      if (pool.waiters.length > 0) this.#scale(pool);
      return;
    }
    if (pool.waiters.length > 0) {
      this.#serveWaiters(inst);
      return;
    }
    if (inst.active === 0) {
      this.#idle(inst);
      this.#kick();
    }
  }

  /** An instance went idle: keep it for the keep-alive window, or unload it and pre-warm later. */
  #idle(inst: Instance): void {
    const pool = inst.pool;
    const fs = pool.fn;
    inst.cancelIdle();
    if (pool.retired) {
      this.#remove(inst);
      return;
    }
    const w = this.#windows(fs);
    const override = inst.keepAliveMs;
    inst.keepAliveMs = undefined;
    // An instance due for retirement (its credentials expire) is not kept past that moment.
    const keepAliveMs = Math.max(0, Math.min(override ?? w.keepAliveMs, inst.retireAt - this.#d.clock.now()));
    if (w.preWarmMs > 0 && override === undefined && pool.floor === 0 && pool.instances.size === 1) {
      // Hybrid policy: the next call is not expected before preWarmMs — free the memory now and
      // have an instance ready from then until keepAliveMs.
      this.#remove(inst);
      fs.cancelPrewarm();
      fs.cancelPrewarm = this.#d.clock.setTimeout(() => {
        fs.cancelPrewarm = () => {};
        if (pool.retired || this.#closed || pool.instances.size > 0 || pool.starting > 0) return;
        this.#start(pool, 'prewarm', Math.max(1000, w.keepAliveMs - w.preWarmMs));
      }, w.preWarmMs);
      return;
    }
    inst.cancelIdle = this.#d.clock.setTimeout(() => {
      inst.cancelIdle = () => {};
      if (inst.active > 0 || !pool.instances.has(inst)) return;
      if (this.#d.clock.now() >= inst.retireAt) {
        this.#remove(inst);
        if (!pool.retired && pool.fn.floorPool === pool) this.#fillFloor(pool);
        return;
      }
      if (pool.instances.size <= pool.floor) return; // the provisioned floor stays warm
      if (this.#d.keepAlive === 'predictive' && this.#predictedHot(fs) && this.#idleCount(pool) === 1) {
        this.#idle(inst); // load is predicted: keep the last idle instance another window
        return;
      }
      this.#remove(inst);
    }, keepAliveMs);
  }

  #remove(inst: Instance): void {
    inst.cancelIdle();
    if (!inst.pool.instances.delete(inst)) return;
    this.#memUsed -= inst.memoryMb;
    void inst.sandbox.dispose();
  }

  #idleCount(pool: Pool): number {
    let n = 0;
    for (const i of pool.instances) if (i.active === 0) n++;
    return n;
  }

  // ------------------------------------------------------------------ predictive pre-warm

  #predictedHot(fs: FunctionState): boolean {
    const now = this.#d.clock.now();
    return fs.predictor.hot(now) || fs.predictor.hot(now + MINUTE);
  }

  /** Every minute: functions whose model predicts load now or next minute get one instance. */
  #armTick(): void {
    this.#cancelTick = this.#d.clock.setTimeout(() => {
      if (this.#closed) return;
      for (const fs of this.#fns.values()) {
        const pool = fs.lastPool;
        if (!pool || pool.retired || pool.instances.size + pool.starting > 0) continue;
        if (this.#predictedHot(fs)) this.#start(pool, 'prewarm', MINUTE);
      }
      this.#armTick();
    }, MINUTE);
  }

  // ------------------------------------------------------------------ memory budget

  /** Reserves memory for a new instance, evicting idle instances LRU if needed. */
  #reserveMemory(mb: number): boolean {
    const budget = this.#d.nodeMemoryMb;
    if (budget === undefined) {
      this.#memUsed += mb;
      return true;
    }
    const victims = pickEvictions(this.#evictable(), this.#memUsed, mb, budget);
    if (!victims) return false;
    for (const v of victims) {
      v.pool.fn.evictions++;
      this.#evictions++;
      this.#remove(v);
    }
    this.#memUsed += mb;
    return true;
  }

  /** Idle instances above their pool's floor. */
  #evictable(): Instance[] {
    const out: Instance[] = [];
    for (const fs of this.#fns.values()) {
      for (const p of fs.pools.values()) {
        let spare = p.instances.size - p.floor;
        if (spare <= 0) continue;
        const idle = [...p.instances].filter((i) => i.active === 0).sort((a, b) => a.lastUsed - b.lastUsed);
        for (const i of idle) {
          if (spare-- <= 0) break;
          out.push(i);
        }
      }
    }
    return out;
  }

  /** A pool's waiters need an instance the memory budget cannot fit yet. */
  #hungry(pool: Pool): void {
    if (pool.cancelHungry) return;
    this.#hungryPools.add(pool);
    pool.cancelHungry = this.#d.clock.setTimeout(() => {
      pool.cancelHungry = undefined;
      this.#hungryPools.delete(pool);
      const uncovered = pool.waiters.length - pool.starting * pool.scaling.perInstance;
      const err = SchedulerErrors.NODE_CAPACITY(
        {
          function: pool.fn.functionName,
          memoryMb: pool.target.config.memoryMb,
          budgetMb: this.#d.nodeMemoryMb ?? 0,
        },
        { retryAfterMs: 1000 },
      );
      for (const w of pool.waiters.splice(0, Math.max(0, uncovered))) w.reject(err);
    }, this.#d.throttleWaitMs);
  }

  /** Capacity was freed: pools waiting for memory try again. */
  #kick(): void {
    if (this.#hungryPools.size === 0) return; // every release to idle calls this: O(hungry pools)
    const pools = [...this.#hungryPools];
    this.#hungryPools.clear();
    for (const p of pools) {
      p.cancelHungry?.();
      p.cancelHungry = undefined;
      this.#scale(p);
    }
  }

  // ------------------------------------------------------------------ provisioned floor

  #refreshFloor(pool: Pool): void {
    let value = pool.scaling.provisioned;
    let until = Number.POSITIVE_INFINITY;
    try {
      ({ value, until } = provisionedAt(
        pool.scaling.provisioned,
        pool.scaling.schedule,
        this.#d.clock.now(),
      ));
    } catch {
      // An invalid schedule is rejected at deploy; keep the base value if one slipped through.
    }
    this.#setFloor(pool, floorInstances(pool.scaling, value), value);
    if (Number.isFinite(until)) this.#armFloorTimer(pool, until - this.#d.clock.now());
  }

  #armFloorTimer(pool: Pool, ms: number): void {
    pool.cancelFloorTimer();
    pool.cancelFloorTimer = this.#d.clock.setTimeout(
      () => {
        pool.cancelFloorTimer = () => {};
        if (!pool.retired && !this.#closed) this.#refreshFloor(pool);
      },
      Math.max(0, ms),
    );
  }

  #setFloor(pool: Pool, floor: number, provisioned: number): void {
    const lowered = floor < pool.floor;
    pool.floor = floor;
    pool.provisioned = provisioned;
    if (floor === 0) pool.cancelFloorTimer();
    // Instances above a lowered floor start their idle countdown.
    if (lowered) for (const i of pool.instances) if (i.active === 0) this.#idle(i);
    this.#fillFloor(pool);
  }

  #fillFloor(pool: Pool): void {
    while (pool.instances.size + pool.starting < pool.floor) {
      if (!this.#start(pool, 'floor')) {
        this.#armFloorTimer(pool, FLOOR_RETRY_MS);
        return;
      }
    }
  }

  // ------------------------------------------------------------------ bookkeeping

  /** Applies the function's limits, or this node's share of them (cluster mode). */
  #setLimits(fs: FunctionState, eff: EffectiveScaling): void {
    const share = this.#d.share?.() ?? 1;
    if (share >= 1) {
      this.#admission.setLimits(fs.slot, eff.cap, eff.reserved);
      return;
    }
    const part = (n: number) => Math.max(1, Math.ceil(n * share));
    this.#admission.setLimits(
      fs.slot,
      part(eff.cap),
      eff.reserved === undefined ? undefined : part(eff.reserved),
    );
  }

  #effective(t: Pick<Target, 'config' | 'code'>): EffectiveScaling {
    return effectiveScaling(
      t.config,
      { functionConcurrency: this.#d.defaultConcurrency, httpSharing: this.#d.httpSharing },
      t.code.family,
    );
  }

  #windows(fs: FunctionState): Windows {
    if (this.#d.keepAlive !== 'adaptive') {
      return { preWarmMs: 0, keepAliveMs: this.#d.idleTtlMs, policy: 'fixed' };
    }
    return hybridWindows(fs.hist, { ...DEFAULT_HYBRID, fixedKeepAliveMs: this.#d.idleTtlMs });
  }

  #fn(t: Target): FunctionState {
    const k = `${t.tenant}\u0000${t.functionName}`;
    let fs = this.#fns.get(k);
    if (!fs) {
      fs = {
        tenant: t.tenant,
        functionName: t.functionName,
        slot: this.#admission.slot(t.tenant, t.functionName),
        pools: new Map(),
        floorPool: undefined,
        coldStarts: 0,
        prewarms: 0,
        evictions: 0,
        hist: new IatHistogram(),
        predictor: new SeasonalPredictor(),
        lastPool: undefined,
        invocations: 0,
        waitTotal: 0,
        waitMax: 0,
        cancelPrewarm: () => {},
      };
      this.#fns.set(k, fs);
    }
    return fs;
  }

  #pool(fs: FunctionState, t: Target, scaling: EffectiveScaling): Pool {
    // An instance is only reusable for the exact code + config it was specialized with.
    const k = poolKey(t);
    let p = fs.pools.get(k);
    if (!p) {
      p = {
        fn: fs,
        target: t,
        scaling,
        instances: new Set(),
        waiters: [],
        starting: 0,
        startMs: undefined,
        floor: 0,
        provisioned: 0,
        retired: false,
        cancelFloorTimer: () => {},
        cancelHungry: undefined,
      };
      fs.pools.set(k, p);
    }
    return p;
  }

  #spec(pool: Pool, codeDir: string): InstanceSpec {
    const t = pool.target;
    const qualifier = t.version === '$LATEST' ? '' : `:${t.version}`;
    return {
      tenant: t.tenant,
      functionName: t.functionName,
      version: t.version,
      family: t.code.family,
      codeDir,
      entry: t.code.entry,
      exportName: t.code.exportName,
      config: t.config,
      concurrency: Math.max(pool.scaling.perInstance, pool.scaling.shared),
      functionArn: `arn:aws:lambda:${this.#d.region}:${this.#d.accountOf?.(t.tenant) ?? this.#d.accountId}:function:${t.functionName}${qualifier}`,
      region: this.#d.region,
    };
  }
}
