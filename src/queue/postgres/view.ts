/**
 * The local view behind the synchronous `depth()` / `activeQueues()`: queued messages per queue,
 * for the whole cluster.
 *
 * It is a database count taken under a snapshot (`pg_current_snapshot()` in the same statement)
 * plus the deltas of mutations committed since — this adapter's own (applied when their statement
 * returns) and other nodes' (applied when their NOTIFY arrives). Every delta carries the id of the
 * transaction that made it, so the view can tell exactly whether the snapshot already counted it:
 * a delta that arrives late, or while a refresh is under way, is neither lost nor counted twice.
 * What it cannot see is a change nobody announced (a notification lost while the LISTEN connection
 * was down, a node killed between its commit and its NOTIFY): the next refresh repairs those.
 */

export interface Snapshot {
  readonly xmin: bigint;
  readonly xmax: bigint;
  readonly xip: ReadonlySet<bigint>;
}

/** Parses `pg_current_snapshot()::text` (`xmin:xmax:xip1,xip2,…`). */
export function parseSnapshot(text: string): Snapshot {
  const [xmin, xmax, xip = ''] = text.split(':');
  if (xmin === undefined || xmax === undefined) throw new Error(`bad snapshot ${text}`);
  return {
    xmin: BigInt(xmin),
    xmax: BigInt(xmax),
    xip: new Set(
      xip
        .split(',')
        .filter(Boolean)
        .map((x) => BigInt(x)),
    ),
  };
}

/** Whether a committed transaction's effects are visible to a snapshot. */
export function visibleIn(xid: bigint, s: Snapshot): boolean {
  return xid < s.xmin || (xid < s.xmax && !s.xip.has(xid));
}

interface Delta {
  readonly xid: bigint;
  readonly queue: string;
  readonly n: number;
}

export class CountView {
  readonly #counts = new Map<string, number>();
  #snap: Snapshot | undefined;
  /** Deltas applied since the refresh in flight was sent (undefined: none in flight). */
  #window: Delta[] | undefined;

  /** A committed change of `n` queued messages in `queue` by transaction `xid`. */
  apply(xid: string | bigint | null | undefined, queue: string, n: number): void {
    if (n === 0 || xid === null || xid === undefined) return;
    const d: Delta = { xid: BigInt(xid), queue, n };
    this.#window?.push(d);
    if (this.#snap && visibleIn(d.xid, this.#snap)) return;
    this.#add(queue, n);
  }

  /** Call just before sending the refresh query. */
  beginRefresh(): void {
    this.#window = [];
  }

  /** The refresh's counts and the snapshot they were read under. */
  endRefresh(snapshot: string, rows: readonly { queue: string; n: number }[]): void {
    const snap = parseSnapshot(snapshot);
    const window = this.#window ?? [];
    this.#window = undefined;
    this.#counts.clear();
    for (const r of rows) this.#add(r.queue, r.n);
    for (const d of window) if (!visibleIn(d.xid, snap)) this.#add(d.queue, d.n);
    this.#snap = snap;
  }

  abortRefresh(): void {
    this.#window = undefined;
  }

  depth(queue: string): number {
    return Math.max(0, this.#counts.get(queue) ?? 0);
  }

  active(): string[] {
    const out: string[] = [];
    for (const [q, n] of this.#counts) if (n > 0) out.push(q);
    return out;
  }

  // A count may dip below zero for a moment (another node's ack announced before the enqueue it
  // settles): it is kept, not clamped, so the late +1 brings it back to the true value.
  #add(queue: string, n: number): void {
    const v = (this.#counts.get(queue) ?? 0) + n;
    if (v !== 0) this.#counts.set(queue, v);
    else this.#counts.delete(queue);
  }
}
