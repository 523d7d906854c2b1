/**
 * @module core/clock
 * The real clock and a manual fake clock for tests (cron, retries, keep-alive, autoscaler windows).
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from './ports.ts';

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn: () => void, ms: number) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
});

/** A clock that only moves when told to. Timers fire in due order during `advance`. */
export class FakeClock implements Clock {
  #now: number;
  #mono = 0;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #seq = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  monotonic(): number {
    return this.#mono;
  }
  setTimeout(fn: () => void, ms: number): () => void {
    const id = ++this.#seq;
    this.#timers.push({ at: this.#now + Math.max(0, ms), fn, id });
    return () => {
      this.#timers = this.#timers.filter((t) => t.id !== id);
    };
  }
  /** Moves time forward by ms, firing due timers in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#mono += next.at - this.#now;
      this.#now = next.at;
      next.fn();
    }
    this.#mono += target - this.#now;
    this.#now = target;
  }
  pendingTimers(): number {
    return this.#timers.length;
  }
}
