/**
 * Contract suite every Queue adapter must pass (embedded SQLite now; Postgres and JetStream in the
 * cluster issue). Time is a FakeClock: visibility timeouts, delays and retry times are exact.
 * Each test uses its own queue names so adapters may share one backing store across tests.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FakeClock } from '../core/clock.ts';
import type { Queue } from '../core/ports.ts';

export interface QueueHarness {
  readonly queue: Queue;
  readonly clock: FakeClock;
  /** Closes and reopens the same backing store (durability); optional for in-memory adapters. */
  reopen?(): Promise<Queue>;
  cleanup(): Promise<void>;
}

export function describeQueueContract(name: string, make: () => Promise<QueueHarness>): void {
  describe(`Queue contract: ${name}`, () => {
    let h: QueueHarness;
    let q: Queue;
    let clock: FakeClock;
    before(async () => {
      h = await make();
      q = h.queue;
      clock = h.clock;
    });
    after(() => h.cleanup());
    const fresh = () => `q-${randomUUID().slice(0, 8)}`;
    const put = async (queue: string, body: unknown, extra: Record<string, unknown> = {}) => {
      const [r] = await q.enqueue([{ queue, tenant: 't1', body: JSON.stringify(body), ...extra }]);
      return r!.id;
    };

    it('enqueues, leases once, acks with a result', async () => {
      const name = fresh();
      const id = await put(name, { n: 1 });
      const m0 = await q.get(id);
      assert.equal(m0?.state, 'queued');
      assert.equal(m0?.tenant, 't1');
      const [m] = await q.lease(name, { max: 10, visibilityMs: 30_000 });
      assert.equal(m?.id, id);
      assert.deepEqual(JSON.parse(m!.body), { n: 1 });
      assert.equal(m?.attempts, 1);
      assert.equal((await q.lease(name, { max: 10, visibilityMs: 30_000 })).length, 0, 'leased once');
      assert.equal((await q.get(id))?.leased, true);
      assert.equal(await q.ack(id, m!.leaseToken, { result: '"ok"' }), true);
      const done = await q.get(id);
      assert.equal(done?.state, 'done');
      assert.equal(done?.result, '"ok"');
      assert.equal(q.depth(name), 0);
      assert.equal(await q.ack(id, m!.leaseToken), false, 'second ack is refused');
    });

    it('delivers in order and respects max', async () => {
      const name = fresh();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await put(name, { i }));
      const a = await q.lease(name, { max: 3, visibilityMs: 1000 });
      const b = await q.lease(name, { max: 3, visibilityMs: 1000 });
      assert.deepEqual(
        a.map((m) => m.id),
        ids.slice(0, 3),
      );
      assert.deepEqual(
        b.map((m) => m.id),
        ids.slice(3),
      );
      for (const m of [...a, ...b]) await q.ack(m.id, m.leaseToken);
    });

    it('hides delayed messages until their time', async () => {
      const name = fresh();
      const id = await put(name, {}, { delayMs: 5000 });
      assert.equal((await q.lease(name, { max: 1, visibilityMs: 1000 })).length, 0);
      assert.equal(await q.nextVisibleAt(), clock.now() + 5000);
      clock.advance(4999);
      assert.equal((await q.lease(name, { max: 1, visibilityMs: 1000 })).length, 0);
      clock.advance(1);
      const [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(m?.id, id);
      await q.ack(m!.id, m!.leaseToken);
    });

    it('an absolute visibleAt wins over delayMs (a timer relayed late still fires on time)', async () => {
      const name = fresh();
      const due = clock.now() + 3000;
      const id = await put(name, {}, { visibleAt: due, delayMs: 60_000 });
      assert.equal(await q.nextVisibleAt(), due);
      clock.advance(3000);
      const [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(m?.id, id);
      await q.ack(m!.id, m!.leaseToken);
      const past = await put(name, {}, { visibleAt: clock.now() - 10_000 });
      const [late] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(late?.id, past, 'a time already past is visible at once');
      await q.ack(late!.id, late!.leaseToken);
    });

    it('redelivers after the visibility timeout; the stale lease cannot ack', async () => {
      const name = fresh();
      const id = await put(name, {});
      const [first] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      clock.advance(1000);
      const [second] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(second?.id, id);
      assert.equal(second?.attempts, 2);
      assert.equal(await q.ack(id, first!.leaseToken), false, 'expired lease');
      assert.equal(await q.ack(id, second!.leaseToken), true);
    });

    it('extends a lease', async () => {
      const name = fresh();
      await put(name, {});
      const [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      clock.advance(900);
      assert.equal(await q.extend(m!.id, m!.leaseToken, 5000), true);
      clock.advance(1000);
      assert.equal((await q.lease(name, { max: 1, visibilityMs: 1000 })).length, 0);
      assert.equal(await q.extend(m!.id, 'not-the-token', 5000), false);
      assert.equal(await q.ack(m!.id, m!.leaseToken), true);
    });

    it('nacks to a retry time and counts failures (or not)', async () => {
      const name = fresh();
      const id = await put(name, {});
      let [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(await q.nack(id, m!.leaseToken, { retryAt: clock.now() + 2000, error: '{"e":1}' }), true);
      assert.equal((await q.lease(name, { max: 1, visibilityMs: 1000 })).length, 0);
      clock.advance(2000);
      [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(m?.failures, 1);
      assert.equal(m?.error, '{"e":1}');
      await q.nack(id, m!.leaseToken, { retryAt: clock.now(), countFailure: false });
      [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(m?.failures, 1, 'throttle-style nack does not count');
      assert.equal(m?.attempts, 3);
      await q.ack(id, m!.leaseToken);
    });

    it('dead-letters, lists, replays and purges', async () => {
      const name = fresh();
      const a = await put(name, { a: 1 });
      const b = await put(name, { b: 1 });
      for (const m of await q.lease(name, { max: 2, visibilityMs: 1000 }))
        assert.equal(await q.deadLetter(m.id, m.leaseToken, { error: '{"reason":"x"}' }), true);
      const dead = await q.list({ queue: name, state: 'dead' });
      assert.deepEqual(
        dead.map((m) => m.id),
        [a, b],
      );
      assert.equal(dead[0]?.error, '{"reason":"x"}');
      assert.equal((await q.stats(name))[0]?.dead, 2);
      assert.equal(q.depth(name), 0);
      assert.equal(await q.replay([a, 'missing']), 1);
      assert.equal(q.depth(name), 1);
      const [again] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(again?.id, a);
      assert.equal(again?.failures, 0, 'replay resets the failure count');
      await q.ack(a, again!.leaseToken);
      assert.equal(await q.purge([b]), 1);
      assert.equal(await q.get(b), undefined);
      assert.equal((await q.list({ queue: name, state: 'dead' })).length, 0);
      assert.equal(await q.purge([a]), 0, 'only dead messages are purged');
    });

    it('stores a message directly as a dead letter', async () => {
      const name = fresh();
      const [r] = await q.enqueue([{ queue: name, tenant: 't1', body: '{}', dead: { error: '{"why":1}' } }]);
      const m = await q.get(r!.id);
      assert.equal(m?.state, 'dead');
      assert.equal(m?.error, '{"why":1}');
      assert.equal(q.depth(name), 0);
      assert.equal((await q.lease(name, { max: 1, visibilityMs: 1000 })).length, 0);
      assert.equal((await q.stats(name))[0]?.dead, 1);
      assert.equal(await q.purge([r!.id]), 1);
    });

    it('pages lists with a cursor and filters by tenant and source', async () => {
      const name = fresh();
      for (let i = 0; i < 5; i++) await put(name, { i }, { source: i % 2 ? 'timer' : 'api' });
      await q.enqueue([{ queue: name, tenant: 'other', body: '{}' }]);
      const p1 = await q.list({ queue: name, tenant: 't1', state: 'queued', limit: 2 });
      const p2 = await q.list({ queue: name, tenant: 't1', state: 'queued', limit: 10, after: p1[1]!.id });
      assert.equal(p1.length + p2.length, 5);
      assert.equal((await q.list({ queue: name, state: 'queued', source: 'timer' })).length, 2);
      for (const m of await q.lease(name, { max: 10, visibilityMs: 1000 })) await q.ack(m.id, m.leaseToken);
    });

    it('dedupes by key within the window, not after it', async () => {
      const name = fresh();
      const [a] = await q.enqueue([
        { queue: name, tenant: 't1', body: '{}', dedupeKey: 'k1', dedupeWindowMs: 10_000 },
      ]);
      const [b] = await q.enqueue([
        { queue: name, tenant: 't1', body: '{}', dedupeKey: 'k1', dedupeWindowMs: 10_000 },
      ]);
      assert.equal(b?.id, a?.id);
      assert.equal(b?.duplicate, true);
      assert.equal(q.depth(name), 1);
      // Still a duplicate after it was processed (done), within the window.
      const [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      await q.ack(m!.id, m!.leaseToken);
      const [c] = await q.enqueue([{ queue: name, tenant: 't1', body: '{}', dedupeKey: 'k1' }]);
      assert.equal(c?.duplicate, true);
      clock.advance(10_001);
      const [d] = await q.enqueue([{ queue: name, tenant: 't1', body: '{}', dedupeKey: 'k1' }]);
      assert.equal(d?.duplicate, false);
      assert.notEqual(d?.id, a?.id);
      // Same key in another queue is independent.
      const [e] = await q.enqueue([{ queue: fresh(), tenant: 't1', body: '{}', dedupeKey: 'k1' }]);
      assert.equal(e?.duplicate, false);
    });

    it('commits follow-ups atomically with ack and dead-letter', async () => {
      const name = fresh();
      const next = fresh();
      await put(name, {});
      await put(name, {});
      const [m1, m2] = await q.lease(name, { max: 2, visibilityMs: 1000 });
      await q.ack(m1!.id, m1!.leaseToken, { followUps: [{ queue: next, tenant: 't1', body: '{"ok":1}' }] });
      await q.deadLetter(m2!.id, m2!.leaseToken, {
        error: '{}',
        followUps: [{ queue: next, tenant: 't1', body: '{"ok":2}' }],
      });
      const got = await q.lease(next, { max: 5, visibilityMs: 1000 });
      assert.deepEqual(got.map((m) => JSON.parse(m.body).ok).sort(), [1, 2]);
      // A refused ack (stale token) enqueues nothing.
      assert.equal(
        await q.ack(m1!.id, m1!.leaseToken, { followUps: [{ queue: next, tenant: 't1', body: '{}' }] }),
        false,
      );
      assert.equal(q.depth(next), 2);
      for (const m of got) await q.ack(m.id, m.leaseToken);
    });

    it('delivers an ordered group one at a time, in order, retries included', async () => {
      const name = fresh();
      const a1 = await put(name, { a: 1 }, { group: 'A' });
      const a2 = await put(name, { a: 2 }, { group: 'A' });
      const b1 = await put(name, { b: 1 }, { group: 'B' });
      const free = await put(name, { free: 1 });
      let got = await q.lease(name, { max: 10, visibilityMs: 1000 });
      assert.deepEqual(
        got.map((m) => m.id),
        [a1, b1, free],
        'heads of groups plus ungrouped',
      );
      assert.equal(got[0]?.group, 'A');
      // a1 fails and waits for a retry: a2 must still wait behind it.
      await q.nack(a1, got[0]!.leaseToken, { retryAt: clock.now() + 500 });
      await q.ack(b1, got[1]!.leaseToken);
      await q.ack(free, got[2]!.leaseToken);
      assert.equal((await q.lease(name, { max: 10, visibilityMs: 1000 })).length, 0);
      clock.advance(500);
      got = await q.lease(name, { max: 10, visibilityMs: 1000 });
      assert.deepEqual(
        got.map((m) => m.id),
        [a1],
      );
      await q.ack(a1, got[0]!.leaseToken);
      got = await q.lease(name, { max: 10, visibilityMs: 1000 });
      assert.deepEqual(
        got.map((m) => m.id),
        [a2],
      );
      await q.ack(a2, got[0]!.leaseToken);
    });

    it('cancels a waiting message but not a leased one', async () => {
      const name = fresh();
      const a = await put(name, {}, { delayMs: 60_000 });
      assert.equal(await q.cancel(a), true);
      assert.equal(await q.get(a), undefined);
      assert.equal(await q.cancel(a), false);
      const b = await put(name, {});
      const [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(await q.cancel(b), false, 'running: too late to cancel');
      await q.ack(m!.id, m!.leaseToken);
      assert.equal(q.depth(name), 0);
    });

    it('reports ready / delayed / inflight / oldest age and active queues', async () => {
      const name = fresh();
      await put(name, {});
      await put(name, {});
      const [m] = await q.lease(name, { max: 1, visibilityMs: 5000 });
      clock.advance(1000);
      await put(name, {}, { delayMs: 10_000 });
      assert.equal(await q.lagMs(name), 1000, 'the ready message waits since 1 s');
      const [st] = await q.stats(name);
      assert.deepEqual(
        { ready: st?.ready, delayed: st?.delayed, inflight: st?.inflight },
        { ready: 1, delayed: 1, inflight: 1 },
      );
      assert.ok((st?.oldestAgeMs ?? 0) >= 1000);
      assert.ok(q.activeQueues().includes(name));
      assert.ok((await q.stats()).some((s) => s.queue === name));
      assert.equal(q.depth(name), 3);
      await q.ack(m!.id, m!.leaseToken);
      clock.advance(10_000);
      for (const x of await q.lease(name, { max: 5, visibilityMs: 1000 })) await q.ack(x.id, x.leaseToken);
      assert.ok(!q.activeQueues().includes(name));
    });

    it('recover() makes orphaned leases visible at once', async () => {
      const name = fresh();
      const id = await put(name, {});
      await q.lease(name, { max: 1, visibilityMs: 600_000 });
      assert.ok((await q.recover()) >= 1);
      const [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(m?.id, id);
      await q.ack(id, m!.leaseToken);
    });

    it('sweeps old done messages only', async () => {
      const name = fresh();
      const id = await put(name, {});
      const [m] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      await q.ack(id, m!.leaseToken);
      const keep = await put(name, {});
      clock.advance(1000);
      assert.ok((await q.sweep(clock.now())) >= 1);
      assert.equal(await q.get(id), undefined);
      assert.equal((await q.get(keep))?.state, 'queued');
      const [k] = await q.lease(name, { max: 1, visibilityMs: 1000 });
      await q.ack(keep, k!.leaseToken);
    });

    it('drops a whole queue, or what was enqueued before a time, leased messages included', async () => {
      const name = fresh();
      const other = fresh();
      const old1 = await put(name, { n: 1 });
      await put(name, { n: 2 }, { dead: { error: '"x"' } });
      const [leased] = await q.lease(name, { max: 1, visibilityMs: 60_000 });
      assert.equal(leased?.id, old1);
      clock.advance(1000);
      const young = await put(name, { n: 3 });
      const kept = await put(other, { n: 4 });
      assert.equal(await q.drop(name, { enqueuedBefore: clock.now() - 500 }), 2);
      assert.equal(await q.get(old1), undefined);
      assert.equal(q.depth(name), 1);
      assert.equal((await q.stats(name))[0]?.dead, 0);
      assert.equal(await q.ack(old1, leased!.leaseToken), false, 'a dropped lease is void');
      assert.equal(await q.drop(name), 1);
      assert.equal(await q.get(young), undefined);
      assert.equal(q.depth(name), 0);
      assert.ok(!q.activeQueues().includes(name));
      assert.equal((await q.get(kept))?.state, 'queued', 'other queues are untouched');
    });

    it('never hands one message to two concurrent consumers', async () => {
      const name = fresh();
      const n = 500;
      const ids = await q.enqueue(
        Array.from({ length: n }, (_, i) => ({ queue: name, tenant: 't1', body: String(i) })),
      );
      assert.equal(new Set(ids.map((r) => r.id)).size, n);
      const seen: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (;;) {
            const got = await q.lease(name, { max: 7, visibilityMs: 60_000 });
            if (got.length === 0) return;
            for (const m of got) seen.push(m.id);
            await Promise.all(got.map((m) => q.ack(m.id, m.leaseToken)));
          }
        }),
      );
      assert.equal(seen.length, n);
      assert.equal(new Set(seen).size, n);
    });

    it('resolves concurrent single enqueues (each committed)', async () => {
      const name = fresh();
      const rs = await Promise.all(
        Array.from({ length: 200 }, (_, i) => q.enqueue([{ queue: name, tenant: 't1', body: String(i) }])),
      );
      assert.equal(rs.length, 200);
      assert.equal(q.depth(name), 200);
      for (;;) {
        const got = await q.lease(name, { max: 100, visibilityMs: 1000 });
        if (got.length === 0) break;
        await Promise.all(got.map((m) => q.ack(m.id, m.leaseToken)));
      }
    });

    it('keeps everything it acknowledged across a reopen', async (t) => {
      if (!h.reopen) return t.skip('adapter has no durable backing');
      const name = fresh();
      const id = await put(name, { keep: true });
      const [m] = await q.lease(name, { max: 1, visibilityMs: 600_000 });
      const dead = await put(name, {});
      const closing = q;
      q = await h.reopen();
      // A run that ends after shutdown cannot record its outcome; it is told so by code.
      await assert.rejects(closing.ack(id, m!.leaseToken), { code: 'NIMBUS_ERR_QUEUE_CLOSED' });
      assert.equal((await q.get(id))?.state, 'queued');
      assert.equal(q.depth(name), 2);
      assert.equal(await q.recover(), 1);
      const got = await q.lease(name, { max: 5, visibilityMs: 1000 });
      assert.deepEqual(got.map((x) => x.id).sort(), [id, dead].sort());
      assert.equal(await q.ack(id, m!.leaseToken), false, 'old lease is void after recover');
      for (const x of got) await q.ack(x.id, x.leaseToken);
    });
  });
}
