/**
 * Token buckets for per-route and per-key rate limits: `rate` tokens per second refill a bucket
 * of `burst`; a request takes one or is told how long until one is available. Pure over the
 * injected clock; the map of buckets is bounded (least recently used dropped first).
 */
import type { Clock } from '../core/ports.ts';

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  last: number;
}

export class TokenBuckets {
  readonly #clock: Clock;
  readonly #max: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(clock: Clock, maxBuckets = 50_000) {
    this.#clock = clock;
    this.#max = maxBuckets;
  }

  take(key: string, rate: number, burst: number): TakeResult {
    const now = this.#clock.now();
    let b = this.#buckets.get(key);
    if (b) this.#buckets.delete(key); // re-insert below keeps Map order = recency
    b ??= { tokens: burst, last: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.last) * rate) / 1000);
    b.last = now;
    this.#buckets.set(key, b);
    if (this.#buckets.size > this.#max) this.#buckets.delete(this.#buckets.keys().next().value as string);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) * 1000) / rate) };
  }
}
