/**
 * Keep-alive and pre-warm policies — pure functions of a function's invocation history and the
 * clock, so they are unit-tested and replayed on synthetic traffic (bench/keepalive.ts).
 *
 * - fixed: keep an idle instance for a constant time (what Lambda-class platforms do).
 * - adaptive (the "hybrid histogram" policy of Shahrad et al., "Serverless in the Wild", USENIX
 *   ATC'20): a histogram of the function's inter-arrival times (1-minute bins up to 4 h). When it is
 *   representative, unload right after an invocation, pre-warm at the 5th percentile of the idle
 *   time and keep alive until the 99th (with margins); otherwise fall back to the fixed window.
 * - predictive: fit T(t) = A + B·sin(ωt) + C·cos(ωt) + D·t to per-minute arrival counts (least
 *   squares, ω for a daily period) and keep an instance warm through the minutes the fit predicts
 *   load for (`SeasonalPredictor`; the fixed window applies otherwise).
 */

export const MINUTE = 60_000;

/** Inter-arrival histogram: 1-minute bins, 0..maxMinutes; longer gaps are counted as out of bounds. */
export class IatHistogram {
  readonly bins: number[];
  outOfBounds = 0;
  total = 0;
  #last: number | undefined;

  readonly maxMinutes: number;

  constructor(maxMinutes = 240) {
    this.maxMinutes = maxMinutes;
    this.bins = new Array<number>(maxMinutes).fill(0);
  }

  /** Records an invocation at `t` (epoch ms). */
  observe(t: number): void {
    if (this.#last !== undefined) {
      const gap = Math.max(0, t - this.#last);
      const bin = Math.floor(gap / MINUTE);
      if (bin >= this.maxMinutes) this.outOfBounds++;
      else this.bins[bin]!++;
      this.total++;
    }
    this.#last = t;
  }

  /** The p-th percentile (0..1) of in-bounds gaps, in minutes (bin lower edge). */
  percentile(p: number): number | undefined {
    const inBounds = this.total - this.outOfBounds;
    if (inBounds <= 0) return undefined;
    const target = p * inBounds;
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= target && seen > 0) return i;
    }
    return this.bins.length - 1;
  }

  /** Coefficient of variation of the bin counts (high = concentrated, a usable pattern). */
  binCv(): number {
    const n = this.bins.length;
    const mean = this.bins.reduce((a, b) => a + b, 0) / n;
    if (mean === 0) return 0;
    const variance = this.bins.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    return Math.sqrt(variance) / mean;
  }
}

export interface Windows {
  /** Unload the instance this long after an invocation ends (0 = at once). */
  readonly preWarmMs: number;
  /** Have an instance warm from preWarm until this long after the invocation. */
  readonly keepAliveMs: number;
  readonly policy: 'fixed' | 'histogram';
}

export interface HybridOptions {
  readonly fixedKeepAliveMs: number;
  /** Gaps needed before the histogram is trusted. */
  readonly minSamples: number;
  /** Share of gaps beyond the histogram range above which it is not representative. */
  readonly maxOutOfBounds: number;
  /** The histogram is used only when its bins are concentrated enough (CV threshold). */
  readonly minCv: number;
  /** Margin taken off the pre-warm point and added to the keep-alive end. */
  readonly margin: number;
}

export const DEFAULT_HYBRID: HybridOptions = Object.freeze({
  fixedKeepAliveMs: 10 * MINUTE,
  minSamples: 10,
  maxOutOfBounds: 0.5,
  minCv: 2,
  margin: 0.1,
});

/** The hybrid-histogram decision for the next idle period. */
export function hybridWindows(h: IatHistogram, o: HybridOptions = DEFAULT_HYBRID): Windows {
  const fixed: Windows = { preWarmMs: 0, keepAliveMs: o.fixedKeepAliveMs, policy: 'fixed' };
  if (h.total < o.minSamples) return fixed;
  if (h.outOfBounds / h.total > o.maxOutOfBounds) return fixed;
  if (h.binCv() < o.minCv) return fixed;
  const p5 = h.percentile(0.05);
  const p99 = h.percentile(0.99);
  if (p5 === undefined || p99 === undefined) return fixed;
  const preWarmMs = Math.max(0, Math.floor(p5 * (1 - o.margin)) * MINUTE);
  const keepAliveMs = Math.max(MINUTE, Math.ceil((p99 + 1) * (1 + o.margin)) * MINUTE);
  return { preWarmMs, keepAliveMs, policy: 'histogram' };
}

/** Least-squares fit of counts[i] at times t[i] (minutes) to A + B sin(ωt) + C cos(ωt) + D t. */
export function fitSeasonal(t: readonly number[], counts: readonly number[], periodMinutes = 1440) {
  const w = (2 * Math.PI) / periodMinutes;
  const rows = t.map((x) => [1, Math.sin(w * x), Math.cos(w * x), x]);
  // Normal equations XᵀX β = Xᵀy, solved by Gaussian elimination (4×4).
  const m = Array.from({ length: 4 }, () => new Array<number>(5).fill(0));
  rows.forEach((r, i) => {
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) m[a]![b]! += r[a]! * r[b]!;
      m[a]![4]! += r[a]! * counts[i]!;
    }
  });
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    [m[col], m[piv]] = [m[piv]!, m[col]!];
    const d = m[col]![col]!;
    if (Math.abs(d) < 1e-12) return undefined; // degenerate (e.g. too little data)
    for (let c = col; c < 5; c++) m[col]![c]! /= d;
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = m[r]![col]!;
      for (let c = col; c < 5; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const [A, B, C, D] = m.map((r) => r[4]!) as [number, number, number, number];
  return { A, B, C, D, predict: (x: number) => A + B * Math.sin(w * x) + C * Math.cos(w * x) + D * x };
}

const DAY_MINUTES = 1440;

/**
 * Per-function arrival model for predictive pre-warm: counts per minute of the day (UTC),
 * averaged over the days observed, fitted with `fitSeasonal` (refitted at most hourly). A minute
 * is hot when the predicted rate reaches `threshold` invocations per minute. It predicts nothing
 * until a whole day has been observed (unseen minutes would read as zero).
 */
export class SeasonalPredictor {
  readonly #counts = new Float64Array(DAY_MINUTES);
  #first: number | undefined;
  #fit: ReturnType<typeof fitSeasonal> | undefined;
  #fittedAt = Number.NEGATIVE_INFINITY;
  readonly threshold: number;

  constructor(threshold = 0.15) {
    this.threshold = threshold;
  }

  observe(t: number): void {
    this.#first ??= t;
    this.#counts[Math.floor(t / MINUTE) % DAY_MINUTES]! += 1;
  }

  /** Predicted invocations in the minute containing `t` (undefined before a full day). */
  rate(t: number): number | undefined {
    if (this.#first === undefined || t - this.#first < DAY_MINUTES * MINUTE) return undefined;
    if (t - this.#fittedAt >= 60 * MINUTE) {
      const days = (t - this.#first) / (DAY_MINUTES * MINUTE);
      const xs = Array.from({ length: DAY_MINUTES }, (_, i) => i);
      this.#fit = fitSeasonal(
        xs,
        xs.map((i) => this.#counts[i]! / days),
      );
      this.#fittedAt = t;
    }
    return this.#fit?.predict(Math.floor(t / MINUTE) % DAY_MINUTES);
  }

  hot(t: number): boolean {
    const r = this.rate(t);
    return r !== undefined && r >= this.threshold;
  }
}
