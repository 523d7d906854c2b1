/**
 * @module scheduler
 * Warm instances per function version, per-function concurrency permits, cold starts from the
 * runtime's pre-booted generic pool, and idle TTL (scale to zero). One invocation per instance at
 * a time (Lambda semantics). The autoscaler issue extends this with min/max, provisioned and
 * predictive prewarm; every decision here reads the injected clock.
 */
import type { Clock, InstanceSpec, Sandbox, SandboxFactory } from '../core/ports.ts';
import type { CodeRef, FunctionConfig, TenantId, VersionId } from '../core/types.ts';
import { SchedulerErrors } from './errors.ts';
import { DEFAULT_HYBRID, hybridWindows, IatHistogram } from './keepalive.ts';
import { Permits } from './permits.ts';

export { SchedulerErrors } from './errors.ts';
export { Permits } from './permits.ts';

export interface SchedulerDeps {
  readonly factory: SandboxFactory;
  readonly clock: Clock;
  readonly idleTtlMs: number;
  readonly defaultConcurrency: number;
  readonly throttleWaitMs: number;
  /** Returns a host directory holding the unpacked artifact (cached by sha256). */
  readonly materialize: (code: CodeRef) => Promise<string>;
  readonly region: string;
  readonly accountId: string;
  /**
   * `fixed`: idle instances live `idleTtlMs`. `adaptive`: per function, the hybrid-histogram
   * keep-alive learnt from its inter-arrival times (falls back to `idleTtlMs`).
   */
  readonly keepAlive?: 'fixed' | 'adaptive';
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
  readonly cold: boolean;
  /** Returns the instance to the warm pool (or disposes it if it died). Call exactly once. */
  release(): void;
}

export interface FunctionStatus {
  readonly tenant: TenantId;
  readonly functionName: string;
  readonly warm: number;
  readonly busy: number;
  readonly waiting: number;
  readonly coldStarts: number;
  /** Leases granted (invocations started). */
  readonly invocations: number;
  /** Time spent waiting for a concurrency slot: total and worst, ms. */
  readonly queueWaitMsTotal: number;
  readonly queueWaitMsMax: number;
}

interface Idle {
  readonly sandbox: Sandbox;
  cancel: () => void;
}

interface VersionPool {
  readonly idle: Idle[];
  readonly busy: Set<Sandbox>;
}

interface FunctionState {
  readonly permits: Permits;
  readonly pools: Map<string, VersionPool>;
  coldStarts: number;
  /** Inter-arrival times (adaptive keep-alive). */
  hist: IatHistogram;
  invocations: number;
  waitTotal: number;
  waitMax: number;
}

export class Scheduler {
  readonly #d: SchedulerDeps;
  readonly #fns = new Map<string, FunctionState>();
  /** Busy instances that must be disposed on release (their function changed). */
  readonly #retired = new WeakSet<Sandbox>();
  #closed = false;

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
  }

  async acquire(t: Target, signal?: AbortSignal): Promise<Lease> {
    if (this.#closed) throw SchedulerErrors.SHUTTING_DOWN();
    const fs = this.#fn(t);
    const limit = t.config.reservedConcurrency || this.#d.defaultConcurrency;
    if (fs.permits.limit !== limit) fs.permits.limit = limit;
    const waitStart = this.#d.clock.monotonic();
    await fs.permits.acquire(signal);
    const waited = this.#d.clock.monotonic() - waitStart;
    fs.invocations++;
    fs.hist.observe(this.#d.clock.now());
    fs.waitTotal += waited;
    if (waited > fs.waitMax) fs.waitMax = waited;
    let sandbox: Sandbox | undefined;
    let cold = false;
    // One pool reference for the whole lease: the key serializes the config, so compute it once.
    const pool = this.#pool(fs, t);
    try {
      while (!sandbox) {
        const idle = pool.idle.pop();
        if (!idle) break;
        idle.cancel();
        if (idle.sandbox.alive) sandbox = idle.sandbox;
        else void idle.sandbox.dispose();
      }
      if (!sandbox) {
        cold = true;
        fs.coldStarts++;
        sandbox = await this.#d.factory.create(this.#spec(t, await this.#d.materialize(t.code)));
      }
      pool.busy.add(sandbox);
    } catch (e) {
      fs.permits.release();
      throw e;
    }
    const sb = sandbox;
    let released = false;
    return {
      sandbox: sb,
      cold,
      release: () => {
        if (released) return;
        released = true;
        pool.busy.delete(sb);
        fs.permits.release();
        if (!sb.alive || this.#closed || this.#retired.has(sb)) {
          void sb.dispose();
          return;
        }
        const idle: Idle = { sandbox: sb, cancel: () => {} };
        idle.cancel = this.#d.clock.setTimeout(() => {
          const i = pool.idle.indexOf(idle);
          if (i >= 0) {
            pool.idle.splice(i, 1);
            void sb.dispose();
          }
        }, this.#keepAliveMs(fs));
        pool.idle.push(idle);
      },
    };
  }

  #keepAliveMs(fs: FunctionState): number {
    if (this.#d.keepAlive !== 'adaptive') return this.#d.idleTtlMs;
    return hybridWindows(fs.hist, { ...DEFAULT_HYBRID, fixedKeepAliveMs: this.#d.idleTtlMs }).keepAliveMs;
  }

  /** Retires every instance of a function (code or config changed, or it was deleted). */
  retire(tenant: TenantId, functionName: string): void {
    const fs = this.#fns.get(`${tenant}\u0000${functionName}`);
    if (!fs) return;
    for (const pool of fs.pools.values()) {
      for (const idle of pool.idle.splice(0)) {
        idle.cancel();
        void idle.sandbox.dispose();
      }
      for (const sb of pool.busy) this.#retired.add(sb);
    }
    fs.pools.clear();
  }

  status(): FunctionStatus[] {
    const out: FunctionStatus[] = [];
    for (const [k, fs] of this.#fns) {
      const [tenant = '', functionName = ''] = k.split('\u0000');
      let warm = 0;
      let busy = 0;
      for (const p of fs.pools.values()) {
        warm += p.idle.length;
        busy += p.busy.size;
      }
      out.push({
        tenant,
        functionName,
        warm,
        busy,
        waiting: fs.permits.waiting,
        coldStarts: fs.coldStarts,
        invocations: fs.invocations,
        queueWaitMsTotal: Math.round(fs.waitTotal * 1000) / 1000,
        queueWaitMsMax: Math.round(fs.waitMax * 1000) / 1000,
      });
    }
    return out;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all: Promise<void>[] = [];
    for (const fs of this.#fns.values()) {
      for (const pool of fs.pools.values()) {
        for (const idle of pool.idle.splice(0)) {
          idle.cancel();
          all.push(idle.sandbox.dispose());
        }
        for (const sb of pool.busy) all.push(sb.dispose());
      }
    }
    await Promise.allSettled(all);
  }

  #fn(t: Target): FunctionState {
    const k = `${t.tenant}\u0000${t.functionName}`;
    let fs = this.#fns.get(k);
    if (!fs) {
      const limit = t.config.reservedConcurrency || this.#d.defaultConcurrency;
      fs = {
        permits: new Permits(t.functionName, limit, this.#d.clock, this.#d.throttleWaitMs),
        pools: new Map(),
        coldStarts: 0,
        hist: new IatHistogram(),
        invocations: 0,
        waitTotal: 0,
        waitMax: 0,
      };
      this.#fns.set(k, fs);
    }
    return fs;
  }

  #pool(fs: FunctionState, t: Target): VersionPool {
    // An instance is only reusable for the exact code + config it was specialized with.
    const k = `${t.version}\u0000${t.code.sha256}\u0000${JSON.stringify(t.config)}`;
    let p = fs.pools.get(k);
    if (!p) {
      p = { idle: [], busy: new Set() };
      fs.pools.set(k, p);
    }
    return p;
  }

  #spec(t: Target, codeDir: string): InstanceSpec {
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
      functionArn: `arn:aws:lambda:${this.#d.region}:${this.#d.accountId}:function:${t.functionName}${qualifier}`,
      region: this.#d.region,
    };
  }
}
