import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import { Permits } from './permits.ts';

describe('Permits (per-function concurrency)', () => {
  it('admits up to the limit immediately', async () => {
    const p = new Permits('f', 2, new FakeClock(), 1000);
    await p.acquire();
    await p.acquire();
    assert.equal(p.inUse, 2);
  });

  it('queues beyond the limit and hands the permit over on release', async () => {
    const clock = new FakeClock();
    const p = new Permits('f', 1, clock, 1000);
    await p.acquire();
    let got = false;
    const w = p.acquire().then(() => {
      got = true;
    });
    assert.equal(p.waiting, 1);
    p.release();
    await w;
    assert.equal(got, true);
    assert.equal(p.inUse, 1);
  });

  it('throttles with a coded 429 and Retry-After after the bounded wait', async () => {
    const clock = new FakeClock();
    const p = new Permits('f', 1, clock, 500);
    await p.acquire();
    const w = p.acquire();
    clock.advance(499);
    assert.equal(p.waiting, 1);
    clock.advance(1);
    await assert.rejects(w, (e: Error & { code: string; status: number; retryAfterMs: number }) => {
      assert.equal(e.code, 'NIMBUS_ERR_SCHEDULER_THROTTLED');
      assert.equal(e.status, 429);
      assert.ok(e.retryAfterMs >= 500);
      return true;
    });
    assert.equal(p.waiting, 0);
  });

  it('rejects at once when waiting is disabled or the queue is full', async () => {
    const p = new Permits('f', 1, new FakeClock(), 0);
    await p.acquire();
    await assert.rejects(p.acquire(), /concurrency limit/);
    const q = new Permits('g', 1, new FakeClock(), 1000, 1);
    await q.acquire();
    void q.acquire().catch(() => {});
    await assert.rejects(q.acquire(), /concurrency limit/);
  });

  it('an aborted waiter leaves the queue', async () => {
    const p = new Permits('f', 1, new FakeClock(), 1000);
    await p.acquire();
    const ac = new AbortController();
    const w = p.acquire(ac.signal);
    ac.abort(new Error('client went away'));
    await assert.rejects(w, /client went away/);
    assert.equal(p.waiting, 0);
    p.release();
    assert.equal(p.inUse, 0);
  });
});
