/**
 * Adaptive size of the pre-booted generic pool per runtime family: a base size (node: the
 * configured pool size; other families: at most 1), grown to the number of cold starts the family
 * saw in the last window (bounded by `max`) so a burst's followers find booted processes, and
 * shrunk back once the window passes quietly. Pure bookkeeping over the injected clock.
 */
import type { Clock } from '../../core/ports.ts';

export interface PoolSizerOptions {
  readonly clock: Clock;
  /** Base size for the node family (the configured pool size). */
  readonly base: number;
  readonly max: number;
  readonly windowMs?: number;
}

export class PoolSizer {
  readonly #o: PoolSizerOptions;
  readonly #takes = new Map<string, number[]>();

  constructor(o: PoolSizerOptions) {
    this.#o = o;
  }

  get windowMs(): number {
    return this.#o.windowMs ?? 10_000;
  }

  /** A specialization took a generic process of `family`. */
  record(family: string): void {
    const now = this.#o.clock.now();
    const list = this.#takes.get(family) ?? [];
    list.push(now);
    this.#prune(list, now);
    this.#takes.set(family, list);
  }

  base(family: string): number {
    return family === 'node' ? this.#o.base : Math.min(1, this.#o.base);
  }

  target(family: string): number {
    const list = this.#takes.get(family) ?? [];
    this.#prune(list, this.#o.clock.now());
    return Math.min(Math.max(this.#o.max, this.base(family)), Math.max(this.base(family), list.length));
  }

  #prune(list: number[], now: number): void {
    const from = now - this.windowMs;
    let i = 0;
    while (i < list.length && list[i]! < from) i++;
    if (i > 0) list.splice(0, i);
  }
}
