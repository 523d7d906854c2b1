import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import { TokenBuckets } from './ratelimit.ts';

describe('token buckets', () => {
  it('allows a burst, then refills at the rate', () => {
    const clock = new FakeClock();
    const tb = new TokenBuckets(clock);
    for (let i = 0; i < 3; i++) assert.deepEqual(tb.take('r', 2, 3), { ok: true });
    assert.deepEqual(tb.take('r', 2, 3), { ok: false, retryAfterMs: 500 });
    clock.advance(499);
    assert.equal(tb.take('r', 2, 3).ok, false);
    clock.advance(1);
    assert.equal(tb.take('r', 2, 3).ok, true);
    clock.advance(10_000);
    for (let i = 0; i < 3; i++) assert.equal(tb.take('r', 2, 3).ok, true); // capped at burst
    assert.equal(tb.take('r', 2, 3).ok, false);
  });
  it('keeps keys apart and bounds its memory', () => {
    const clock = new FakeClock();
    const tb = new TokenBuckets(clock, 2);
    assert.equal(tb.take('a', 1, 1).ok, true);
    assert.equal(tb.take('a', 1, 1).ok, false);
    assert.equal(tb.take('b', 1, 1).ok, true);
    assert.equal(tb.take('c', 1, 1).ok, true); // evicts a (least recently used)
    assert.equal(tb.take('a', 1, 1).ok, true);
  });
});
