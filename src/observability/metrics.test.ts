/**
 * The registry of one platform on its own: the series cap, the tenant filter of the exposition
 * (a label value that merely contains `tenant="…"` does not pass), and two platforms in one
 * process not sharing counters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import type { UsageRecord } from '../core/types.ts';
import { OTHER, PlatformMetrics, SeriesLimiter } from './metrics.ts';

const usage = (tenant: string, functionName: string, extra: Partial<UsageRecord> = {}): UsageRecord => ({
  tenant,
  functionName,
  requestId: 'r',
  version: '$LATEST',
  startedAt: 0,
  durationMs: 12,
  billedDurationMs: 12,
  memoryMb: 128,
  maxRssBytes: 1 << 20,
  gbSeconds: 0.0015,
  outcome: 'success',
  ...extra,
});

describe('platform metrics', () => {
  it('caps (tenant, function) pairs: later functions of a known tenant go to other, unknown tenants to other/other', () => {
    const l = new SeriesLimiter(2);
    assert.deepEqual(l.labels('a', 'f1'), ['a', 'f1']);
    assert.deepEqual(l.labels('a', 'f2'), ['a', 'f2']);
    assert.deepEqual(l.labels('a', 'f3'), ['a', OTHER]);
    assert.deepEqual(l.labels('b', 'f1'), [OTHER, OTHER]);
    assert.deepEqual(l.labels('a', 'f1'), ['a', 'f1'], 'admitted pairs keep their series');
  });

  it('shows a tenant only its own series, and no label lookalikes', async () => {
    const m = new PlatformMetrics({
      clock: new FakeClock(),
      maxSeries: 100,
      sources: {},
      processMetrics: false,
    });
    m.invocation(usage('acme', 'f'));
    m.invocation(usage('evil', 'x",tenant="acme'));
    m.invocation(usage('evil', 'g', { outcome: 'error', initDurationMs: 50 }));
    const acme = await m.render('acme');
    assert.match(acme, /nimbus_invocations_total\{tenant="acme",function="f",outcome="success"\} 1/);
    assert.doesNotMatch(acme, /evil/);
    assert.match(acme, /^# HELP nimbus_invocations_total/m, 'HELP and TYPE of the metrics it sees');
    assert.doesNotMatch(acme, /nimbus_init_duration_seconds/, 'no family without its series');
    const all = await m.render(undefined);
    assert.match(all, /nimbus_cold_starts_total\{tenant="evil",function="g"\} 1/);
    assert.match(all, /nimbus_errors_total\{tenant="evil",function="g"\} 1/);
  });

  it('keeps the counters of two platforms in one process apart', async () => {
    const a = new PlatformMetrics({
      clock: new FakeClock(),
      maxSeries: 10,
      sources: {},
      processMetrics: false,
    });
    const b = new PlatformMetrics({
      clock: new FakeClock(),
      maxSeries: 10,
      sources: {},
      processMetrics: false,
    });
    a.invocation(usage('t', 'f'));
    a.throttle('t', 'f');
    assert.match(await a.render(undefined), /nimbus_throttles_total\{tenant="t",function="f"\} 1/);
    assert.doesNotMatch(await b.render(undefined), /tenant="t"/);
  });
});
