/**
 * Adaptive size of the pre-booted generic pool per runtime family: a base size (node: the
 * configured pool size; other families: at most 1 once they are in use, else 0), grown to the peak number of *simultaneous*
 * cold starts (specializations in flight) the family saw in the last window, bounded by `max`, so
 * a burst's followers find booted processes; shrunk back once the window passes quietly.
 * Cold starts one after another need no more than the base pool (each refill is ready long before
 * the next one), so they do not inflate it. Pure bookkeeping over the injected clock.
 */
import type { Clock } from '../../core/ports.ts';

export interface PoolSizerOptions {
  readonly clock: Clock;
  /** Base size for the node family (the configured pool size). */
  readonly base: number;
  readonly max: number;
  readonly windowMs?: number;
}

interface FamilyState {
  inFlight: number;
  /** (time, cold starts in flight right after it began) for every begin in the window. */
  peaks: { at: number; n: number }[];
}

export class PoolSizer {
  readonly #o: PoolSizerOptions;
  readonly #families = new Map<string, FamilyState>();
  readonly #used = new Set<string>();

  constructor(o: PoolSizerOptions) {
    this.#o = o;
  }

  get windowMs(): number {
    return this.#o.windowMs ?? 10_000;
  }

  /** A cold start of `family` began; call the returned function when it ended (either way). */
  begin(family: string): () => void {
    this.#used.add(family);
    const s = this.#state(family);
    const now = this.#o.clock.now();
    s.inFlight++;
    s.peaks.push({ at: now, n: s.inFlight });
    this.#prune(s, now);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      s.inFlight = Math.max(0, s.inFlight - 1);
    };
  }

  /**
   * node: the configured size. Other families: 0 until the family is used (or expected: it has
   * functions) — a platform without Java functions does not keep a JVM booted — then at most 1.
   */
  base(family: string): number {
    if (family === 'node') return this.#o.base;
    return this.#used.has(family) ? Math.min(1, this.#o.base) : 0;
  }

  /** The family has functions: keep its base pool from now on. */
  expect(family: string): void {
    this.#used.add(family);
  }

  target(family: string): number {
    const s = this.#state(family);
    this.#prune(s, this.#o.clock.now());
    let peak = 0;
    for (const p of s.peaks) if (p.n > peak) peak = p.n;
    return Math.min(Math.max(this.#o.max, this.base(family)), Math.max(this.base(family), peak));
  }

  #state(family: string): FamilyState {
    let s = this.#families.get(family);
    if (!s) {
      s = { inFlight: 0, peaks: [] };
      this.#families.set(family, s);
    }
    return s;
  }

  #prune(s: FamilyState, now: number): void {
    const from = now - this.windowMs;
    let i = 0;
    while (i < s.peaks.length && s.peaks[i]!.at < from) i++;
    if (i > 0) s.peaks.splice(0, i);
  }
}
