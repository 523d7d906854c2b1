import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../core/clock.ts';
import { PoolSizer } from './pool-sizer.ts';

describe('PoolSizer (adaptive generic pools)', () => {
  it('starts at the base size: the configured one for node, at most 1 for families in use', () => {
    const s = new PoolSizer({ clock: new FakeClock(), base: 2, max: 16 });
    assert.equal(s.target('node'), 2);
    assert.equal(s.target('python'), 0, 'no python functions yet: no python process');
    s.expect('python');
    assert.equal(s.target('python'), 1);
    s.begin('java')();
    assert.equal(s.target('java'), 1, 'a cold start marks the family as used');
    const none = new PoolSizer({ clock: new FakeClock(), base: 0, max: 16 });
    none.expect('python');
    assert.equal(none.target('python'), 0);
  });
  it('grows to the peak of simultaneous cold starts in the window, bounded, and shrinks back when quiet', () => {
    const clock = new FakeClock();
    const s = new PoolSizer({ clock, base: 2, max: 16, windowMs: 10_000 });
    const five = Array.from({ length: 5 }, () => s.begin('node'));
    assert.equal(s.target('node'), 5);
    for (const done of five) done();
    assert.equal(s.target('node'), 5, 'the peak is remembered for the window');
    const many = Array.from({ length: 50 }, () => s.begin('node'));
    assert.equal(s.target('node'), 16);
    for (const done of many) done();
    s.expect('python');
    assert.equal(s.target('python'), 1, 'families are sized separately');
    clock.advance(10_001);
    assert.equal(s.target('node'), 2);
  });
  it('cold starts one after another do not grow the pool', () => {
    const clock = new FakeClock();
    const s = new PoolSizer({ clock, base: 2, max: 16 });
    for (let i = 0; i < 10; i++) {
      const done = s.begin('node');
      clock.advance(100);
      done();
    }
    assert.equal(s.target('node'), 2);
  });
});
