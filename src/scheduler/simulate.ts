/**
 * Replays invocation traces against keep-alive policies and counts cold starts and idle
 * instance-seconds (one instance per function, invocations shorter than the gaps — the regime the
 * policies are about). Deterministic: traces come from a seeded generator.
 */
import { DEFAULT_HYBRID, hybridWindows, IatHistogram, MINUTE, SeasonalPredictor } from './keepalive.ts';

export type PolicyName = 'fixed' | 'adaptive' | 'predictive';

export interface SimResult {
  readonly invocations: number;
  readonly coldStarts: number;
  /** Seconds an instance was warm without running anything. */
  readonly idleSeconds: number;
}

/** mulberry32 */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 1440 * MINUTE;

/** A synthetic day: named traces of invocation times (ms from midnight), sorted. */
export function syntheticDay(seed = 7): Record<string, number[]> {
  const r = rng(seed);
  const out: Record<string, number[]> = {};
  // Timer-like: every 17 min ± 30 s.
  out.periodic = [];
  for (let t = 3 * MINUTE; t < DAY; t += 17 * MINUTE + (r() - 0.5) * MINUTE) out.periodic.push(t);
  // Diurnal: Poisson with a rate following the day (quiet nights), 0.02–0.6 per minute.
  out.diurnal = [];
  for (let t = 0; t < DAY; ) {
    const rate = 0.31 - 0.29 * Math.cos((2 * Math.PI * t) / DAY);
    t += (-Math.log(1 - r()) / rate) * MINUTE;
    if (t < DAY) out.diurnal.push(t);
  }
  // Bursty: bursts of 5–30 calls within a minute, bursts every 25–90 minutes.
  out.bursty = [];
  for (let t = 10 * MINUTE; t < DAY; t += (25 + r() * 65) * MINUTE) {
    const n = 5 + Math.floor(r() * 25);
    for (let i = 0; i < n; i++) out.bursty.push(t + r() * MINUTE);
  }
  out.bursty.sort((a, b) => a - b);
  // Rare: every 2–3 hours.
  out.rare = [];
  for (let t = 30 * MINUTE; t < DAY; t += (120 + r() * 60) * MINUTE) out.rare.push(t);
  return out;
}

/**
 * Simulates one function. `history` (the previous day) trains the adaptive and predictive
 * policies before the replay, as a running platform would have learnt them.
 */
export function simulate(
  policy: PolicyName,
  trace: readonly number[],
  history: readonly number[],
  fixedKeepAliveMs = 10 * MINUTE,
): SimResult {
  let cold = 0;
  let idleMs = 0;
  // Warm intervals [from, until): instance exists and is idle.
  let warmFrom = Number.NEGATIVE_INFINITY;
  let warmUntil = Number.NEGATIVE_INFINITY;

  const hist = new IatHistogram();
  for (const t of history) hist.observe(t - DAY);

  // Predictive: the scheduler's own SeasonalPredictor, trained on the history day and on every call
  // of the replay as it comes, asked the way the scheduler's minute tick asks it (hot this minute
  // or the next → one instance kept warm through the minute). Times are shifted onto a clock that
  // starts at the history day (the predictor keys minutes of the day from non-negative times).
  let hot: ((minute: number) => boolean) | undefined;
  let predictor: SeasonalPredictor | undefined;
  if (policy === 'predictive') {
    const p = new SeasonalPredictor();
    predictor = p;
    for (const t of history) p.observe(t);
    const decided = new Map<number, boolean>(); // the tick decides each minute once
    hot = (m) => {
      let h = decided.get(m);
      if (h === undefined) {
        const at = DAY + m * MINUTE;
        h = p.hot(at) || p.hot(at + MINUTE);
        decided.set(m, h);
      }
      return h;
    };
  }

  const isWarmAt = (t: number) => (t >= warmFrom && t < warmUntil) || hot?.(Math.floor(t / MINUTE));

  let prev: number | undefined;
  for (const t of trace) {
    if (!isWarmAt(t)) cold++;
    // Idle time accrued between the previous invocation and this one.
    if (prev !== undefined) idleMs += idleBetween(prev, t);
    hist.observe(t);
    predictor?.observe(DAY + t);
    if (policy === 'fixed' || policy === 'predictive') {
      warmFrom = t;
      warmUntil = t + fixedKeepAliveMs;
    } else {
      const w = hybridWindows(hist, { ...DEFAULT_HYBRID, fixedKeepAliveMs });
      warmFrom = t + w.preWarmMs;
      warmUntil = t + w.keepAliveMs;
      if (w.preWarmMs === 0) warmFrom = t;
    }
    prev = t;
  }
  if (prev !== undefined) idleMs += idleBetween(prev, DAY);
  return { invocations: trace.length, coldStarts: cold, idleSeconds: Math.round(idleMs / 1000) };

  /** Warm-and-idle time in (a, b): the policy window plus predicted hot minutes. */
  function idleBetween(a: number, b: number): number {
    let ms = Math.max(0, Math.min(b, warmUntil) - Math.max(a, warmFrom));
    if (hot) {
      for (let m = Math.floor(a / MINUTE); m * MINUTE < b; m++) {
        if (!hot(m)) continue;
        const from = Math.max(a, m * MINUTE);
        const to = Math.min(b, (m + 1) * MINUTE);
        // Only count what the policy window did not already cover.
        const overlap = Math.max(0, Math.min(to, warmUntil) - Math.max(from, warmFrom));
        ms += Math.max(0, to - from - overlap);
      }
    }
    return ms;
  }
}
