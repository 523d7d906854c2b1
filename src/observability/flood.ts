/**
 * The flood cap: how many lines (and bytes) one instance may have stored per second. A function
 * printing millions of lines must not slow the others or fill the disk: the excess is dropped
 * where the frames arrive, counted, and each invocation that lost lines gets one platform line
 * saying how many. Two counters and a clock read per line.
 */
import type { Clock } from '../core/ports.ts';

export interface LogRateLimits {
  /** Lines per instance per second. */
  readonly linesPerSecond: number;
  /** Bytes (UTF-16 code units, a cheap stand-in) of messages per instance per second. */
  readonly bytesPerSecond: number;
}

export const DEFAULT_LOG_RATE: LogRateLimits = Object.freeze({
  linesPerSecond: 1000,
  bytesPerSecond: 256 * 1024,
});

/** A fixed one-second window per instance (simple and cheap; bursts of 2× at a window edge). */
export class LogRateLimiter {
  #windowStart = Number.NEGATIVE_INFINITY;
  #lines = 0;
  #bytes = 0;
  readonly #clock: Clock;
  readonly #limits: () => LogRateLimits;

  constructor(clock: Clock, limits: () => LogRateLimits = () => DEFAULT_LOG_RATE) {
    this.#clock = clock;
    this.#limits = limits;
  }

  /** Whether a line of `size` may be stored now (and counts it if so). */
  admit(size: number): boolean {
    const now = this.#clock.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#lines = 0;
      this.#bytes = 0;
    }
    const l = this.#limits();
    // A line longer than the byte budget still goes in alone (it is capped at 256 KiB on its own).
    if (this.#lines >= l.linesPerSecond || (this.#lines > 0 && this.#bytes + size > l.bytesPerSecond))
      return false;
    this.#lines++;
    this.#bytes += size;
    return true;
  }
}

/** The platform line an invocation that lost lines gets (one per invocation). */
export function droppedLine(n: number): string {
  return `${n} log line${n === 1 ? '' : 's'} dropped (rate limit)`;
}
