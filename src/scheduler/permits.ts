/**
 * Concurrency permits per function: at most `limit` invocations run at once; further callers wait
 * in a bounded FIFO for up to `maxWaitMs`, then get a coded 429 with a Retry-After hint.
 * All timing reads the injected clock.
 */
import type { Clock } from '../core/ports.ts';
import { SchedulerErrors } from './errors.ts';

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
  cancelTimer: () => void;
}

export class Permits {
  #inUse = 0;
  #waiters: Waiter[] = [];
  limit: number;
  readonly #clock: Clock;
  readonly #maxWaitMs: number;
  readonly #maxQueue: number;
  readonly #name: string;

  constructor(name: string, limit: number, clock: Clock, maxWaitMs: number, maxQueue = 1000) {
    this.#name = name;
    this.limit = limit;
    this.#clock = clock;
    this.#maxWaitMs = maxWaitMs;
    this.#maxQueue = maxQueue;
  }

  get inUse(): number {
    return this.#inUse;
  }
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves when a permit is held; the caller must call `release()` exactly once. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.#inUse < this.limit && this.#waiters.length === 0) {
      this.#inUse++;
      return Promise.resolve();
    }
    if (this.#maxWaitMs === 0 || this.#waiters.length >= this.#maxQueue) {
      return Promise.reject(this.#throttled());
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        cancelTimer: this.#clock.setTimeout(() => {
          this.#remove(w);
          reject(this.#throttled());
        }, this.#maxWaitMs),
      };
      this.#waiters.push(w);
      signal?.addEventListener(
        'abort',
        () => {
          if (this.#remove(w)) {
            w.cancelTimer();
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          }
        },
        { once: true },
      );
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) {
      // Hand the permit straight to the next waiter: inUse stays the same.
      next.cancelTimer();
      next.resolve();
      return;
    }
    this.#inUse = Math.max(0, this.#inUse - 1);
  }

  #remove(w: Waiter): boolean {
    const i = this.#waiters.indexOf(w);
    if (i < 0) return false;
    this.#waiters.splice(i, 1);
    return true;
  }

  #throttled(): Error {
    return SchedulerErrors.THROTTLED(
      { function: this.#name, limit: this.limit },
      { retryAfterMs: Math.max(1000, this.#maxWaitMs) },
    );
  }
}
