/**
 * Per-function activity windows kept in memory: the current minute (what the rollup writer turns
 * into one `metric_rollups` row per function that had activity) and a ring of one-second slots
 * (what `nimbus top` shows). Durations go into a log-bucketed sketch (≤ 5 % relative error on a
 * quantile) so p50/p99 cost one array increment per invocation, not a sort.
 */

/** Bucket i holds durations in [MIN_MS·B^i, MIN_MS·B^(i+1)): 10 µs to ~15 min at 5 % steps. */
import type { MetricRollup } from '../core/ports.ts';

const MIN_MS = 0.01;
const B = 1.1;
const LOG_B = Math.log(B);
const BUCKETS = 192;

function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const i = Math.floor(Math.log(ms / MIN_MS) / LOG_B);
  return i >= BUCKETS ? BUCKETS - 1 : i;
}

/** A duration sketch: counts per log bucket. */
export class Sketch {
  readonly counts = new Uint32Array(BUCKETS);
  n = 0;

  add(bucket: number): void {
    this.counts[bucket]!++;
    this.n++;
  }
  merge(o: Sketch): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += o.counts[i]!;
    this.n += o.n;
  }
  /** The q-quantile (0..1) in ms: the geometric middle of its bucket; undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.n === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return MIN_MS * B ** (i + 0.5);
    }
    return MIN_MS * B ** BUCKETS;
  }
  clear(): void {
    this.counts.fill(0);
    this.n = 0;
  }
}

/** One finished invocation, as the windows see it. */
export interface Observation {
  readonly durationMs: number;
  readonly error: boolean;
  readonly cold: boolean;
  readonly gbSeconds: number;
  /** Its cost (the price table's), when metered. */
  readonly costUsd?: number | undefined;
}

/** One function's minute, as stored (times in epoch ms, durations in ms): a `metric_rollups` row. */
export type RollupRow = MetricRollup;

class Acc {
  inv = 0;
  err = 0;
  thr = 0;
  cold = 0;
  durSum = 0;
  durMax = 0;
  gbs = 0;
  readonly sketch = new Sketch();

  active(): boolean {
    return this.inv > 0 || this.thr > 0;
  }
  row(tenant: string, functionName: string, minute: number): RollupRow {
    return {
      tenant,
      functionName,
      minute,
      invocations: this.inv,
      errors: this.err,
      throttles: this.thr,
      coldStarts: this.cold,
      durationSumMs: this.durSum,
      durationMaxMs: this.durMax,
      durationP50Ms: this.sketch.quantile(0.5) ?? null,
      durationP99Ms: this.sketch.quantile(0.99) ?? null,
      gbSeconds: this.gbs,
    };
  }
  reset(): void {
    this.inv = this.err = this.thr = this.cold = this.durSum = this.durMax = this.gbs = 0;
    this.sketch.clear();
  }
}

interface SecondSlot {
  sec: number;
  inv: number;
  err: number;
  thr: number;
  cost: number;
  readonly sketch: Sketch;
}

/** The ring's length: `nimbus top` averages over up to this many seconds. */
export const LIVE_SECONDS = 10;

interface FnWindow {
  readonly tenant: string;
  readonly functionName: string;
  minute: number;
  readonly acc: Acc;
  readonly secs: SecondSlot[];
  lastSeen: number;
}

/** A function's rates over the last seconds (`GET /v1/metrics/live`). */
export interface LiveRates {
  readonly functionName: string;
  readonly invocationsPerSec: number;
  readonly errorsPerSec: number;
  readonly throttlesPerSec: number;
  readonly costUsdPerSec: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

const MINUTE = 60_000;

export class ActivityWindows {
  readonly #fns = new Map<string, FnWindow>();
  /** Minutes that ended while invocations kept coming, waiting for the next drain. */
  #pending: RollupRow[] = [];

  #window(tenant: string, functionName: string, now: number): FnWindow {
    const key = `${tenant}\u0000${functionName}`;
    let w = this.#fns.get(key);
    const minute = now - (now % MINUTE);
    if (!w) {
      w = { tenant, functionName, minute, acc: new Acc(), secs: [], lastSeen: now };
      for (let i = 0; i < LIVE_SECONDS; i++)
        w.secs.push({ sec: -1, inv: 0, err: 0, thr: 0, cost: 0, sketch: new Sketch() });
      this.#fns.set(key, w);
    } else if (w.minute !== minute) {
      if (w.acc.active()) this.#pending.push(w.acc.row(tenant, functionName, w.minute));
      w.acc.reset();
      w.minute = minute;
    }
    w.lastSeen = now;
    return w;
  }

  #slot(w: FnWindow, now: number): SecondSlot {
    const sec = Math.floor(now / 1000);
    const s = w.secs[sec % LIVE_SECONDS]!;
    if (s.sec !== sec) {
      s.sec = sec;
      s.inv = s.err = s.thr = s.cost = 0;
      s.sketch.clear();
    }
    return s;
  }

  observe(tenant: string, functionName: string, now: number, o: Observation): void {
    const w = this.#window(tenant, functionName, now);
    const a = w.acc;
    const b = bucketOf(o.durationMs);
    a.inv++;
    if (o.error) a.err++;
    if (o.cold) a.cold++;
    a.durSum += o.durationMs;
    if (o.durationMs > a.durMax) a.durMax = o.durationMs;
    a.gbs += o.gbSeconds;
    a.sketch.add(b);
    const s = this.#slot(w, now);
    s.inv++;
    if (o.error) s.err++;
    s.cost += o.costUsd ?? 0;
    s.sketch.add(b);
  }

  throttle(tenant: string, functionName: string, now: number): void {
    const w = this.#window(tenant, functionName, now);
    w.acc.thr++;
    this.#slot(w, now).thr++;
  }

  /**
   * The rows of every minute that ended before `now` (to be written), and forgets functions
   * idle for longer than the live window and a minute.
   */
  drain(now: number): RollupRow[] {
    const minute = now - (now % MINUTE);
    const out = this.#pending;
    this.#pending = [];
    for (const [key, w] of this.#fns) {
      if (w.minute < minute) {
        if (w.acc.active()) out.push(w.acc.row(w.tenant, w.functionName, w.minute));
        w.acc.reset();
        w.minute = minute;
      }
      if (now - w.lastSeen > MINUTE + LIVE_SECONDS * 1000) this.#fns.delete(key);
    }
    return out;
  }

  /** Rows not written yet (ended minutes waiting for the drain, and the current minute). */
  unwritten(tenant: string, functionName?: string): RollupRow[] {
    const out = this.#pending.filter(
      (r) => r.tenant === tenant && (functionName === undefined || r.functionName === functionName),
    );
    for (const w of this.#fns.values())
      if (
        w.tenant === tenant &&
        (functionName === undefined || w.functionName === functionName) &&
        w.acc.active()
      )
        out.push(w.acc.row(w.tenant, w.functionName, w.minute));
    return out;
  }

  /** Per-function rates over the last `seconds` seconds (the current, partial one included). */
  live(tenant: string, now: number, seconds = 5): LiveRates[] {
    const n = Math.max(1, Math.min(LIVE_SECONDS, seconds));
    const nowSec = Math.floor(now / 1000);
    // The partial current second counts as the fraction of it that has passed.
    const span = n - 1 + (now % 1000) / 1000 || 1;
    const out: LiveRates[] = [];
    for (const w of this.#fns.values()) {
      if (w.tenant !== tenant) continue;
      let inv = 0;
      let err = 0;
      let thr = 0;
      let cost = 0;
      const sk = new Sketch();
      for (const s of w.secs)
        if (s.sec > nowSec - n && s.sec <= nowSec) {
          inv += s.inv;
          err += s.err;
          thr += s.thr;
          cost += s.cost;
          sk.merge(s.sketch);
        }
      out.push({
        functionName: w.functionName,
        invocationsPerSec: inv / span,
        errorsPerSec: err / span,
        throttlesPerSec: thr / span,
        costUsdPerSec: cost / span,
        p50Ms: sk.quantile(0.5) ?? null,
        p99Ms: sk.quantile(0.99) ?? null,
      });
    }
    return out;
  }
}

/** One function's live figures on one node (`GET /v1/metrics/live`, `nimbus top`). */
export interface LiveRow {
  readonly function: string;
  readonly invocationsPerSec: number;
  readonly errorsPerSec: number;
  readonly throttlesPerSec: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly costUsdPerSec: number;
  readonly inflight: number;
  readonly warm: number;
  readonly busy: number;
}
