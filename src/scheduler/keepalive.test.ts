import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitSeasonal, hybridWindows, IatHistogram, MINUTE, SeasonalPredictor } from './keepalive.ts';
import { rng, simulate, syntheticDay } from './simulate.ts';

describe('inter-arrival histogram and the hybrid policy', () => {
  it('computes percentiles over 1-minute bins and counts out-of-bounds gaps', () => {
    const h = new IatHistogram(240);
    let t = 0;
    for (const gap of [5, 5, 5, 6, 6, 7, 300]) {
      t += gap * MINUTE;
      h.observe(t);
    }
    h.observe(t); // first call has no gap: 7 gaps recorded before this 0-minute one
    assert.equal(h.total, 7);
    assert.equal(h.outOfBounds, 1);
    assert.equal(h.percentile(0.05), 0);
    assert.equal(h.percentile(0.5), 5);
    assert.equal(h.percentile(0.99), 7);
  });

  it('pre-warms and keeps alive around a periodic pattern', () => {
    const h = new IatHistogram();
    for (let i = 0; i <= 30; i++) h.observe(i * 17 * MINUTE);
    const w = hybridWindows(h);
    assert.equal(w.policy, 'histogram');
    assert.equal(w.preWarmMs, 15 * MINUTE); // p5 = 17 min, minus 10 %
    assert.equal(w.keepAliveMs, 20 * MINUTE); // (17 + 1) + 10 %, rounded up
  });

  const fallbacks: [string, number[]][] = [
    ['too few samples', [1, 2, 3]],
    ['mostly beyond 4 h', Array.from({ length: 21 }, (_, i) => (i % 3 ? 300 : 10))],
    ['spread out (no pattern)', Array.from({ length: 60 }, (_, i) => 1 + ((i * 37) % 200))],
  ];
  for (const [name, gaps] of fallbacks)
    it(`falls back to the fixed window: ${name}`, () => {
      const h = new IatHistogram();
      let t = 0;
      h.observe(t);
      for (const g of gaps) {
        t += g * MINUTE;
        h.observe(t);
      }
      assert.equal(hybridWindows(h).policy, 'fixed');
    });
});

describe('seasonal fit T(t) = A + B·sin(ωt) + C·cos(ωt) + D·t', () => {
  it('recovers the coefficients of a noisy daily curve', () => {
    const r = rng(3);
    const t = Array.from({ length: 1440 }, (_, i) => i);
    const w = (2 * Math.PI) / 1440;
    const y = t.map((x) => 5 + 3 * Math.sin(w * x) - 2 * Math.cos(w * x) + 0.001 * x + (r() - 0.5) * 0.2);
    const f = fitSeasonal(t, y);
    assert.ok(f);
    assert.ok(Math.abs(f.A - 5) < 0.05, `A ${f.A}`);
    assert.ok(Math.abs(f.B - 3) < 0.05, `B ${f.B}`);
    assert.ok(Math.abs(f.C + 2) < 0.05, `C ${f.C}`);
    assert.ok(Math.abs(f.D - 0.001) < 0.0001, `D ${f.D}`);
  });
  it('returns undefined for degenerate input', () =>
    assert.equal(fitSeasonal([1, 1, 1, 1], [1, 2, 3, 4]), undefined));
});

describe('replayed synthetic day', () => {
  const history = syntheticDay(1);
  const day = syntheticDay(2);
  it('adaptive keep-alive removes the periodic function’s cold starts and idles less than fixed', () => {
    const fixed = simulate('fixed', day.periodic!, history.periodic!);
    const adaptive = simulate('adaptive', day.periodic!, history.periodic!);
    assert.ok(
      fixed.coldStarts > fixed.invocations * 0.9,
      'a 17-minute period outlives a 10-minute keep-alive',
    );
    assert.ok(adaptive.coldStarts < fixed.coldStarts / 10, JSON.stringify({ fixed, adaptive }));
    assert.ok(adaptive.idleSeconds < fixed.idleSeconds, JSON.stringify({ fixed, adaptive }));
  });
  it('predictive pre-warm (the shipped SeasonalPredictor) lowers cold starts of the diurnal function', () => {
    // simulate('predictive') asks SeasonalPredictor.hot as the scheduler's minute tick does.
    const fixed = simulate('fixed', day.diurnal!, history.diurnal!);
    const predictive = simulate('predictive', day.diurnal!, history.diurnal!);
    assert.ok(predictive.coldStarts < fixed.coldStarts * 0.8, JSON.stringify({ fixed, predictive }));
    // Warm in the busy hours only: a predictor that is always hot would idle the whole night.
    assert.ok(predictive.idleSeconds < fixed.idleSeconds * 1.1, JSON.stringify({ fixed, predictive }));
    // The periodic function's rate (one call per 17 minutes) is below the threshold everywhere.
    assert.deepEqual(
      simulate('predictive', day.periodic!, history.periodic!),
      simulate('fixed', day.periodic!, history.periodic!),
    );
  });
  it('is deterministic', () =>
    assert.deepEqual(
      simulate('adaptive', day.bursty!, history.bursty!),
      simulate('adaptive', day.bursty!, history.bursty!),
    ));
});

describe('SeasonalPredictor (predictive pre-warm)', () => {
  const HOUR = 60 * MINUTE;
  const day0 = Date.UTC(2026, 10, 1);
  it('predicts nothing before a whole day, then the business-hours load', () => {
    const p = new SeasonalPredictor();
    // One call a minute from 08:00 to 14:00 UTC on day 0.
    for (let m = 8 * 60; m < 14 * 60; m++) p.observe(day0 + m * MINUTE);
    assert.equal(p.rate(day0 + 15 * HOUR), undefined);
    assert.equal(p.hot(day0 + 24 * HOUR + 11 * HOUR), true); // day 1, 11:00
    assert.equal(p.hot(day0 + 24 * HOUR + 23 * HOUR), false); // day 1, 23:00
  });
  it('averages over the days observed', () => {
    const p = new SeasonalPredictor();
    for (let m = 8 * 60; m < 14 * 60; m++) p.observe(day0 + m * MINUTE);
    const one = p.rate(day0 + 35 * HOUR)!;
    const q = new SeasonalPredictor();
    for (let m = 8 * 60; m < 14 * 60; m++) q.observe(day0 + m * MINUTE);
    // Same history, read after three days: the counts are averaged over 3.125 days observed
    // instead of 1.125 (first call 08:00 on day 0), and the fit is linear in them: about a third
    // of the rate, exactly 1.125 / 3.125 of it.
    const three = q.rate(day0 + 3 * 24 * HOUR + 11 * HOUR)!;
    assert.ok(one > q.threshold, `business hours are hot: ${one}`);
    assert.ok(
      Math.abs(three / one - 1.125 / 3.125) < 1e-9,
      JSON.stringify({ one, three, ratio: three / one }),
    );
  });
});
