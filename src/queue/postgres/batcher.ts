/**
 * Group commit for one kind of mutation: calls made in the same event-loop turn run as ONE
 * statement (one round trip, one commit) and each resolves after that commit. Up to `maxInFlight`
 * statements run at once; calls made while they are busy wait and go out together in the next.
 */
export interface BatcherOptions<T, R> {
  readonly run: (items: readonly T[]) => Promise<R[]>;
  /** Statements in flight at once. */
  readonly maxInFlight: number;
  /** Weight per statement, at most (a batch always takes at least one item). */
  readonly maxBatch: number;
  /** An item's weight (default 1): e.g. the rows of an enqueue call. */
  readonly weight?: (item: T) => number;
  /** Two items with the same key never share a statement (the later one waits for the next). */
  readonly key?: (item: T) => string;
  /** Whether a failed batch is retried item by item, so one bad call does not fail the others. */
  readonly split?: (e: unknown) => boolean;
}

interface Pending<T, R> {
  readonly item: T;
  resolve(v: R): void;
  reject(e: unknown): void;
}

export class Batcher<T, R> {
  readonly #o: BatcherOptions<T, R>;
  #pending: Pending<T, R>[] = [];
  #inFlight = 0;
  #scheduled = false;
  #idle: (() => void)[] = [];

  constructor(o: BatcherOptions<T, R>) {
    this.#o = o;
  }

  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when nothing is pending or in flight. */
  idle(): Promise<void> {
    if (this.#pending.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  #schedule(): void {
    if (this.#scheduled || this.#pending.length === 0 || this.#inFlight >= this.#o.maxInFlight) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#pending.length > 0 && this.#inFlight < this.#o.maxInFlight) this.#send(this.#take());
    });
  }

  #take(): Pending<T, R>[] {
    const { key, maxBatch, weight } = this.#o;
    const batch: Pending<T, R>[] = [];
    const rest: Pending<T, R>[] = [];
    const keys = new Set<string>();
    let total = 0;
    for (const p of this.#pending) {
      const k = key?.(p.item);
      const w = weight?.(p.item) ?? 1;
      if ((batch.length > 0 && total + w > maxBatch) || (k !== undefined && keys.has(k))) rest.push(p);
      else {
        if (k !== undefined) keys.add(k);
        total += w;
        batch.push(p);
      }
    }
    this.#pending = rest;
    return batch;
  }

  #send(batch: Pending<T, R>[]): void {
    this.#inFlight++;
    void this.#runBatch(batch).finally(() => {
      this.#inFlight--;
      this.#schedule();
      if (this.#pending.length === 0 && this.#inFlight === 0) for (const r of this.#idle.splice(0)) r();
    });
  }

  async #runBatch(batch: Pending<T, R>[]): Promise<void> {
    try {
      const out = await this.#o.run(batch.map((p) => p.item));
      for (const [i, p] of batch.entries()) p.resolve(out[i]!);
    } catch (e) {
      if (batch.length > 1 && this.#o.split?.(e)) {
        await Promise.all(batch.map((p) => this.#runBatch([p])));
        return;
      }
      for (const p of batch) p.reject(e);
    }
  }
}
