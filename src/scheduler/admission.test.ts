/**
 * Admission decisions on a fake clock with synthetic traffic: function caps, the tenant pool and
 * reservations, fast 429 at overload, bounded waits, and round-robin fairness.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import { isNimbusError } from '../core/errors.ts';
import { Admission, type FunctionSlot } from './admission.ts';

function setup(o: Partial<ConstructorParameters<typeof Admission>[0]> = {}) {
  const clock = new FakeClock();
  const a = new Admission({
    clock,
    maxWaitMs: 1000,
    maxQueue: 1000,
    waitFactor: 1,
    floorMs: 10,
    tenantLimit: 1000,
    ...o,
  });
  return { clock, a };
}

const settle = () => new Promise((r) => setImmediate(r));
/** Starts an acquire and records how it ends. */
function track(a: Admission, s: FunctionSlot) {
  const t: { state: 'waiting' | 'granted' | 'throttled' | 'aborted'; code?: string } = { state: 'waiting' };
  const ac = new AbortController();
  a.acquire(s, ac.signal).then(
    () => {
      t.state = 'granted';
    },
    (e: unknown) => {
      t.state = isNimbusError(e) ? 'throttled' : 'aborted';
      if (isNimbusError(e)) t.code = e.code;
    },
  );
  return Object.assign(t, { abort: () => ac.abort() });
}

describe('Admission', () => {
  it('admits up to the function cap, queues, hands over on release', async () => {
    const { a } = setup();
    const f = a.slot('t', 'f');
    a.setLimits(f, 2, undefined);
    const r = [track(a, f), track(a, f), track(a, f)];
    await settle();
    assert.deepEqual(
      r.map((x) => x.state),
      ['granted', 'granted', 'waiting'],
    );
    a.release(f);
    await settle();
    assert.equal(r[2]!.state, 'granted');
    assert.equal(f.inUse, 2);
  });

  it('a waiter is throttled with a coded 429 after the bounded wait', async () => {
    const { a, clock } = setup();
    const f = a.slot('t', 'f');
    a.setLimits(f, 1, undefined);
    track(a, f);
    const w = track(a, f);
    clock.advance(999);
    await settle();
    assert.equal(w.state, 'waiting');
    clock.advance(1);
    await settle();
    assert.equal(w.state, 'throttled');
    assert.equal(w.code, 'NIMBUS_ERR_SCHEDULER_THROTTLED');
    assert.equal(f.throttles, 1);
  });

  it('at overload, requests beyond one round of waiters are refused at once (no wait)', async () => {
    const { a, clock } = setup({ maxWaitMs: 2000 });
    const f = a.slot('t', 'f');
    a.setLimits(f, 4, undefined);
    // Teach it the run time: 100 ms.
    await a.acquire(f);
    clock.advance(100);
    a.release(f, 100);
    const r = Array.from({ length: 16 }, () => track(a, f)); // 4× the cap
    await settle();
    const states = r.map((x) => x.state);
    assert.equal(states.filter((s) => s === 'granted').length, 4);
    assert.equal(states.filter((s) => s === 'waiting').length, 4);
    assert.equal(states.filter((s) => s === 'throttled').length, 8); // at t+0: no waiting at all
  });

  it('tenant pool: unreserved functions share limit − Σ reserved', async () => {
    const { a } = setup({ tenantLimit: 4, maxWaitMs: 0 });
    const reservedFn = a.slot('t', 'r');
    const f = a.slot('t', 'f');
    const g = a.slot('t', 'g');
    a.setLimits(reservedFn, 2, 2);
    a.setLimits(f, 50, undefined);
    a.setLimits(g, 50, undefined);
    // r is idle, yet its 2 are held back: f and g share 2.
    const r = [track(a, f), track(a, g), track(a, f)];
    await settle();
    assert.deepEqual(
      r.map((x) => x.state),
      ['granted', 'granted', 'throttled'],
    );
    assert.equal(r[2]!.code, 'NIMBUS_ERR_SCHEDULER_TENANT_THROTTLED');
    // The reservation is a guarantee: r still gets its 2 with the shared pool exhausted…
    const rr = [track(a, reservedFn), track(a, reservedFn), track(a, reservedFn)];
    await settle();
    assert.deepEqual(
      rr.map((x) => x.state),
      ['granted', 'granted', 'throttled'],
    );
    // …and a cap: the third is refused by r's own limit.
    assert.equal(rr[2]!.code, 'NIMBUS_ERR_SCHEDULER_THROTTLED');
    // Dropping r (deleted) gives its reservation back.
    a.release(reservedFn);
    a.release(reservedFn);
    a.drop(reservedFn);
    assert.equal(a.sharedCapacity('t').reserved, 0);
    assert.equal(
      (await Promise.allSettled([a.acquire(f), a.acquire(g)])).every((x) => x.status === 'fulfilled'),
      true,
    );
  });

  it('tenants do not share a pool', async () => {
    const { a } = setup({ tenantLimit: 1, maxWaitMs: 0 });
    const x = a.slot('t1', 'f');
    const y = a.slot('t2', 'f');
    a.setLimits(x, 10, undefined);
    a.setLimits(y, 10, undefined);
    await a.acquire(x);
    await a.acquire(y);
    await assert.rejects(a.acquire(x), /account concurrency limit/);
  });

  it('fairness: a flooded function cannot starve a quiet one (synthetic traffic)', async () => {
    const { a } = setup({ tenantLimit: 4, maxWaitMs: 60_000 });
    const flood = a.slot('t', 'flood');
    const quiet = a.slot('t', 'quiet');
    a.setLimits(flood, 100, undefined);
    a.setLimits(quiet, 100, undefined);
    const fl = Array.from({ length: 200 }, () => track(a, flood));
    await settle();
    assert.equal(fl.filter((x) => x.state === 'granted').length, 4);
    const q = Array.from({ length: 5 }, () => track(a, quiet));
    await settle();
    // Every release goes round-robin: the quiet function's 5 get in within 10 releases, while a
    // FIFO over the tenant would have made them wait behind 196 flood requests.
    let releases = 0;
    while (q.some((x) => x.state !== 'granted') && releases < 50) {
      const grantedFlood = fl.filter((x) => x.state === 'granted').length;
      if (flood.inUse > 0) a.release(flood);
      else a.release(quiet);
      releases++;
      await settle();
      assert.ok(fl.filter((x) => x.state === 'granted').length >= grantedFlood);
    }
    assert.ok(releases <= 10, `quiet function served after ${releases} releases`);
  });

  it('an aborted waiter leaves the queue', async () => {
    const { a } = setup();
    const f = a.slot('t', 'f');
    a.setLimits(f, 1, undefined);
    track(a, f);
    const w = track(a, f);
    await settle();
    w.abort();
    await settle();
    assert.equal(w.state, 'aborted');
    assert.equal(f.waiters.length, 0);
    a.release(f);
    assert.equal(f.inUse, 0);
  });

  it('raising the cap wakes waiters', async () => {
    const { a } = setup();
    const f = a.slot('t', 'f');
    a.setLimits(f, 1, undefined);
    track(a, f);
    const w = track(a, f);
    await settle();
    a.setLimits(f, 2, undefined);
    await settle();
    assert.equal(w.state, 'granted');
  });
});
