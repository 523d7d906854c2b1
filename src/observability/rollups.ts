/**
 * The rollup writer: at each minute boundary (injected clock) the minutes that ended become one
 * `metric_rollups` row per function that had activity, in one transaction; rows older than the
 * retention are pruned by the same tick. Queries aggregate minutes into steps.
 */
import type { Clock, MetricRollup, MetricRollupRepo } from '../core/ports.ts';
import type { ActivityWindows } from './windows.ts';

const MINUTE = 60_000;

export interface RollupWriter {
  /** Writes the minutes that ended (also called at close: the current minute is written too). */
  flush(final?: boolean): Promise<void>;
  close(): Promise<void>;
}

export function startRollupWriter(o: {
  windows: ActivityWindows;
  repo: MetricRollupRepo;
  clock: Clock;
  retentionDays: number;
  onError: (e: unknown) => void;
}): RollupWriter {
  let cancel = () => {};
  let closed = false;
  let chain: Promise<void> = Promise.resolve();
  const write = (final: boolean) => {
    chain = chain.then(async () => {
      // At close the current minute is written as it is (a restart within it adds to it).
      const now = o.clock.now();
      const rows = o.windows.drain(final ? now + MINUTE : now);
      try {
        await o.repo.write(rows);
        if (o.retentionDays > 0) await o.repo.prune(now - o.retentionDays * 86_400_000);
      } catch (e) {
        o.onError(e);
      }
    });
    return chain;
  };
  const arm = () => {
    if (closed) return;
    const now = o.clock.now();
    // Just after the boundary, so the minute that ended is complete.
    cancel = o.clock.setTimeout(
      () => {
        void write(false).then(arm);
      },
      MINUTE - (now % MINUTE) + 5,
    );
  };
  arm();
  return {
    flush: (final = false) => write(final),
    async close() {
      closed = true;
      cancel();
      await write(true);
    },
  };
}

/** What `GET /v1/metrics` can chart. */
export const SERIES = [
  'invocations',
  'errors',
  'throttles',
  'cold_starts',
  'duration_avg',
  'duration_max',
  'duration_p50',
  'duration_p99',
  'gb_seconds',
] as const;
export type SeriesName = (typeof SERIES)[number];

const COUNTS: Partial<Record<SeriesName, (r: MetricRollup) => number>> = {
  invocations: (r) => r.invocations,
  errors: (r) => r.errors,
  throttles: (r) => r.throttles,
  cold_starts: (r) => r.coldStarts,
  gb_seconds: (r) => r.gbSeconds,
};

/**
 * Points `[t, value]` (t: epoch ms of the step's start) from minute rows. Counts are summed
 * (steps without rows are 0); `duration_avg` is the sum over the invocations; `duration_max`,
 * `duration_p50` and `duration_p99` are the largest per-minute (and per-function) value in the step
 * — an upper bound of the step's true quantile, not the quantile itself — and absent for steps
 * without invocations.
 */
export function aggregate(
  rows: readonly MetricRollup[],
  name: SeriesName,
  from: number,
  to: number,
  stepMs: number,
): [number, number][] {
  const start = from - (from % stepMs);
  const count = COUNTS[name];
  const buckets = new Map<number, { v: number; n: number; sum: number }>();
  for (const r of rows) {
    if (r.minute < from || r.minute >= to) continue;
    const t = r.minute - (r.minute % stepMs);
    let b = buckets.get(t);
    if (!b) {
      b = { v: 0, n: 0, sum: 0 };
      buckets.set(t, b);
    }
    if (count) b.v += count(r);
    else if (name === 'duration_avg') {
      b.n += r.invocations;
      b.sum += r.durationSumMs;
    } else if (r.invocations > 0) {
      const v =
        name === 'duration_max'
          ? r.durationMaxMs
          : name === 'duration_p50'
            ? r.durationP50Ms
            : r.durationP99Ms;
      if (v !== null && (b.n === 0 || v > b.v)) b.v = v;
      b.n += r.invocations;
    }
  }
  const out: [number, number][] = [];
  for (let t = start; t < to; t += stepMs) {
    const b = buckets.get(t);
    if (count) out.push([t, round(b?.v ?? 0)]);
    else if (b && b.n > 0) out.push([t, round(name === 'duration_avg' ? b.sum / b.n : b.v)]);
  }
  return out;
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;
