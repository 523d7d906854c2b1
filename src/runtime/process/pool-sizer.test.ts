import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../core/clock.ts';
import { PoolSizer } from './pool-sizer.ts';

describe('PoolSizer (adaptive generic pools)', () => {
  it('starts at the base size: the configured one for node, at most 1 for the others', () => {
    const s = new PoolSizer({ clock: new FakeClock(), base: 2, max: 16 });
    assert.equal(s.target('node'), 2);
    assert.equal(s.target('python'), 1);
    assert.equal(new PoolSizer({ clock: new FakeClock(), base: 0, max: 16 }).target('python'), 0);
  });
  it('grows with the cold starts of the last window, bounded, and shrinks back when quiet', () => {
    const clock = new FakeClock();
    const s = new PoolSizer({ clock, base: 2, max: 16, windowMs: 10_000 });
    for (let i = 0; i < 5; i++) s.record('node');
    assert.equal(s.target('node'), 5);
    for (let i = 0; i < 50; i++) s.record('node');
    assert.equal(s.target('node'), 16);
    assert.equal(s.target('python'), 1, 'families are sized separately');
    clock.advance(10_001);
    assert.equal(s.target('node'), 2);
  });
});
