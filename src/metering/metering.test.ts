import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { billedDurationMs, computeUsage } from './index.ts';

describe('metering', () => {
  const cases: [number, number][] = [
    [0, 1],
    [0.2, 1],
    [1, 1],
    [1.0001, 2],
    [99.5, 100],
    [900000, 900000],
  ];
  for (const [d, b] of cases) it(`bills ${d} ms as ${b} ms`, () => assert.equal(billedDurationMs(d), b));

  it('computes GB-seconds from memory and billed duration', () => {
    const u = computeUsage({
      tenant: 'default',
      requestId: 'r',
      functionName: 'f',
      version: '$LATEST',
      startedAt: 0,
      durationMs: 999.2,
      memoryMb: 2048,
      maxRssBytes: 1,
      outcome: 'success',
    });
    assert.equal(u.billedDurationMs, 1000);
    assert.equal(u.gbSeconds, 2);
  });
});
