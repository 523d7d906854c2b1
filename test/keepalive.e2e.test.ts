/**
 * Adaptive keep-alive on a real platform with a fake clock: a function called every 17 minutes
 * cold-starts every time under a 10-minute fixed TTL; with the adaptive policy, once its
 * inter-arrival histogram is learnt, its instance is kept warm across the gap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../src/core/clock.ts';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

interface FnStatus {
  functionName: string;
  warm: number;
  busy: number;
  inflight: number;
  starting: number;
  prewarms: number;
}
const fnStatus = async (p: TestPlatform, name: string) =>
  (await p.json<{ functions: FnStatus[] }>('GET', '/v1/status')).body.functions.find(
    (f) => f.functionName === name,
  );

async function coldPattern(policy: 'fixed' | 'adaptive'): Promise<boolean[]> {
  const clock = new FakeClock();
  const p = await startTestPlatform({ keepAlivePolicy: policy, idleTtlSec: 600 }, { clock });
  try {
    const dir = await fixture({ 'index.mjs': 'export const handler = async () => 1;' });
    assert.ok(
      (await p.deployDir('tick', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
    );
    const cold: boolean[] = [];
    for (let i = 0; i < 16; i++) {
      const r = await p.json<{ cold: boolean }>('POST', '/v1/functions/tick/invoke', {});
      cold.push(r.body.cold);
      // The lease is released after the reply: wait until the instance is idle before time moves.
      await waitUntil('the lease to be released', async () => {
        const s = await fnStatus(p, 'tick');
        return s !== undefined && s.inflight === 0 && s.busy === 0;
      });
      clock.advance(17 * 60_000);
    }
    return cold;
  } finally {
    await p.stop();
  }
}

describe('adaptive keep-alive (fake clock)', () => {
  it('fixed 10-minute TTL: every 17-minute call is cold', async () => {
    const cold = await coldPattern('fixed');
    assert.ok(cold.every(Boolean), JSON.stringify(cold));
  });
  it('adaptive: warm once the 17-minute pattern is learnt', async () => {
    const cold = await coldPattern('adaptive');
    // 10 gaps train the histogram; from then on the instance outlives the gap.
    assert.ok(cold.slice(0, 10).every(Boolean), JSON.stringify(cold));
    assert.ok(
      cold.slice(12).every((c) => !c),
      JSON.stringify(cold),
    );
  });
});

describe('predictive pre-warm (fake clock)', () => {
  it('after a day of business-hours traffic, an instance is ready in the morning before the first call', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const p = await startTestPlatform({ keepAlivePolicy: 'predictive', idleTtlSec: 300 }, { clock });
    try {
      const dir = await fixture({ 'index.mjs': 'export const handler = async () => 1;' });
      assert.ok(
        (await p.deployDir('office', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
      );
      const call = async () =>
        (await p.json<{ cold: boolean }>('POST', '/v1/functions/office/invoke', {})).body;
      // Day 0: a call every 2 minutes from 08:00 to 16:00 (kept warm by the 5-minute TTL).
      clock.advance(8 * 3_600_000);
      for (let i = 0; i < 240; i++) {
        await call();
        await new Promise((r) => setImmediate(r));
        clock.advance(2 * 60_000);
      }
      // Overnight the model predicts nothing: no instance. Day 1, 10:00: one is pre-warmed.
      clock.advance(Date.UTC(2026, 0, 2, 3) - clock.now());
      const night = (
        await p.json<{ functions: { functionName: string; warm: number }[] }>('GET', '/v1/status')
      ).body.functions.find((f) => f.functionName === 'office');
      assert.equal(night?.warm, 0);
      clock.advance(Date.UTC(2026, 0, 2, 10) - clock.now());
      // The pre-warm start runs in real time: wait until its instance is up, however long that takes.
      const s = await waitUntil('the pre-warmed instance', async () => {
        const f = await fnStatus(p, 'office');
        return f && f.prewarms >= 1 && f.warm >= 1 && f.starting === 0 ? f : undefined;
      });
      assert.ok(s.prewarms >= 1);
      const morning = await call();
      assert.equal(morning.cold, false);
    } finally {
      await p.stop();
    }
  });
});
