/**
 * Concurrency admission for every invocation, two levels:
 * - per function: at most `cap` run at once (reserved concurrency, max instances × per-instance
 *   concurrency, or the platform default);
 * - per tenant (account): functions without reserved concurrency share `limit − Σ reserved`, so a
 *   reservation is both a cap and a guarantee (Lambda's model).
 * A request that cannot run waits in its function's bounded queue (see `mayQueue`: turned away at
 * once when its expected wait is too long) up to `maxWaitMs`, then gets a coded 429.
 * Fairness: freed shared capacity goes round-robin over the functions that have waiters, so one
 * flooded function cannot starve the others. All timing reads the injected clock.
 */
import type { Clock } from '../core/ports.ts';
import { SchedulerErrors } from './errors.ts';
import { ewma, mayQueue } from './scaling.ts';

export interface AdmissionOptions {
  readonly clock: Clock;
  /** Hard bound on a request's wait for a slot (0 = throttle at once, like Lambda). */
  readonly maxWaitMs: number;
  /** Bound on waiters per function. */
  readonly maxQueue: number;
  /** A request may queue when its expected wait is ≤ this many typical run times… */
  readonly waitFactor: number;
  /** …or ≤ this many ms, whichever is larger. */
  readonly floorMs: number;
  /** Concurrency limit per tenant (account). */
  readonly tenantLimit: number;
  /** This node's fraction of the tenant limit (cluster mode; default 1). */
  readonly share?: (() => number) | undefined;
}

interface Waiter {
  readonly slot: FunctionSlot;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  cancelTimer: () => void;
}

interface TenantState {
  readonly id: string;
  reservedSum: number;
  sharedInUse: number;
  /** Functions with waiters, served round-robin. */
  readonly ring: FunctionSlot[];
  cursor: number;
}

export class FunctionSlot {
  readonly name: string;
  readonly tenant: TenantState;
  inUse = 0;
  cap = 1;
  reserved: number | undefined;
  readonly waiters: Waiter[] = [];
  /** Typical run time (EWMA of grant → release), ms. */
  serviceMs: number | undefined;
  throttles = 0;

  constructor(name: string, tenant: TenantState) {
    this.name = name;
    this.tenant = tenant;
  }
}

export class Admission {
  readonly #o: AdmissionOptions;
  readonly #tenants = new Map<string, TenantState>();

  constructor(o: AdmissionOptions) {
    this.#o = o;
  }

  slot(tenant: string, name: string): FunctionSlot {
    let t = this.#tenants.get(tenant);
    if (!t) {
      t = { id: tenant, reservedSum: 0, sharedInUse: 0, ring: [], cursor: 0 };
      this.#tenants.set(tenant, t);
    }
    return new FunctionSlot(name, t);
  }

  #tenantLimit(): number {
    const share = this.#o.share?.() ?? 1;
    return share >= 1 ? this.#o.tenantLimit : Math.max(1, Math.ceil(this.#o.tenantLimit * share));
  }

  /** Applies a function's current limits (its config may have changed); wakes waiters it allows. */
  setLimits(s: FunctionSlot, cap: number, reserved: number | undefined): void {
    if (s.cap === cap && s.reserved === reserved) return;
    const t = s.tenant;
    // Move the slot's running invocations between the shared pool and its reservation.
    if (s.reserved === undefined && reserved !== undefined) t.sharedInUse -= s.inUse;
    if (s.reserved !== undefined && reserved === undefined) t.sharedInUse += s.inUse;
    t.reservedSum += (reserved ?? 0) - (s.reserved ?? 0);
    s.cap = cap;
    s.reserved = reserved;
    this.#pump(t);
  }

  /** Forgets a function (deleted): its reservation no longer holds capacity back. */
  drop(s: FunctionSlot): void {
    this.setLimits(s, s.cap, undefined);
  }

  sharedCapacity(tenant: string): { limit: number; reserved: number; inUse: number } {
    const t = this.#tenants.get(tenant);
    return { limit: this.#tenantLimit(), reserved: t?.reservedSum ?? 0, inUse: t?.sharedInUse ?? 0 };
  }

  /** Resolves when the invocation may run; the caller must `release` exactly once. */
  acquire(s: FunctionSlot, signal?: AbortSignal): Promise<void> {
    if (s.waiters.length === 0 && this.#canRun(s)) {
      this.#grant(s);
      return Promise.resolve();
    }
    const d = mayQueue({
      waiting: s.waiters.length,
      cap: s.cap,
      serviceMs: s.serviceMs,
      maxWaitMs: this.#o.maxWaitMs,
      maxQueue: this.#o.maxQueue,
      waitFactor: this.#o.waitFactor,
      floorMs: this.#o.floorMs,
    });
    if (!d.queue) {
      s.throttles++;
      return Promise.reject(this.#throttled(s, d.reason ?? 'queue-full'));
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { slot: s, resolve, reject, cancelTimer: () => {} };
      w.cancelTimer = this.#o.clock.setTimeout(() => {
        if (!this.#remove(w)) return;
        s.throttles++;
        reject(this.#throttled(s, 'wait-timeout'));
      }, this.#o.maxWaitMs);
      s.waiters.push(w);
      if (!s.tenant.ring.includes(s)) s.tenant.ring.push(s);
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.#remove(w)) return;
          w.cancelTimer();
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        },
        { once: true },
      );
    });
  }

  /** `ranMs`: how long the invocation held its slot (feeds the expected-wait estimate). */
  release(s: FunctionSlot, ranMs?: number): void {
    s.inUse = Math.max(0, s.inUse - 1);
    if (s.reserved === undefined) s.tenant.sharedInUse = Math.max(0, s.tenant.sharedInUse - 1);
    if (ranMs !== undefined && Number.isFinite(ranMs)) s.serviceMs = ewma(s.serviceMs, ranMs);
    this.#pump(s.tenant);
  }

  #canRun(s: FunctionSlot): boolean {
    if (s.inUse >= s.cap) return false;
    if (s.reserved !== undefined) return true;
    const t = s.tenant;
    return t.sharedInUse < Math.max(0, this.#tenantLimit() - t.reservedSum);
  }

  #grant(s: FunctionSlot): void {
    s.inUse++;
    if (s.reserved === undefined) s.tenant.sharedInUse++;
  }

  /** Hands free capacity to waiters, round-robin over the tenant's functions. */
  #pump(t: TenantState): void {
    let idle = 0;
    while (t.ring.length > 0 && idle < t.ring.length) {
      if (t.cursor >= t.ring.length) t.cursor = 0;
      const s = t.ring[t.cursor]!;
      const w = s.waiters[0];
      if (!w) {
        t.ring.splice(t.cursor, 1);
        continue;
      }
      if (!this.#canRun(s)) {
        t.cursor++;
        idle++;
        continue;
      }
      s.waiters.shift();
      w.cancelTimer();
      this.#grant(s);
      idle = 0;
      if (s.waiters.length === 0) t.ring.splice(t.cursor, 1);
      else t.cursor++;
      w.resolve();
    }
  }

  #remove(w: Waiter): boolean {
    const q = w.slot.waiters;
    const i = q.indexOf(w);
    if (i < 0) return false;
    q.splice(i, 1);
    if (q.length === 0) {
      const ring = w.slot.tenant.ring;
      const j = ring.indexOf(w.slot);
      if (j >= 0) {
        ring.splice(j, 1);
        if (w.slot.tenant.cursor > j) w.slot.tenant.cursor--;
      }
    }
    return true;
  }

  #throttled(s: FunctionSlot, reason: string): Error {
    const retryAfterMs = Math.max(1000, Math.min(this.#o.maxWaitMs, 5000));
    const details = { reason, waiting: s.waiters.length };
    // The function's own cap binds, or (shared pool) the tenant's.
    if (s.reserved !== undefined || s.inUse >= s.cap) {
      return SchedulerErrors.THROTTLED({ function: s.name, limit: s.cap }, { retryAfterMs, details });
    }
    return SchedulerErrors.TENANT_THROTTLED(
      { function: s.name, limit: this.#tenantLimit(), reserved: s.tenant.reservedSum },
      { retryAfterMs, details },
    );
  }
}
