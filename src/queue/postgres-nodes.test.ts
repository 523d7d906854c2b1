/**
 * Several PostgreSQL queue adapters on one schema are several nodes of a cluster: leases never
 * overlap, stale leases are refused, recover() is per node, the depth view follows the other
 * nodes, watch() wakes them, and a lost connection comes back. A TCP proxy in front of the server
 * stands in for a server restart (the real server is shared with other tests).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { FakeClock } from '../core/clock.ts';
import { NimbusError } from '../core/errors.ts';
import type { LeasedMessage } from '../core/types.ts';
import { isPostgresReachable, TEST_PG_URL } from '../store/postgres/reachable.ts';
import { TcpProxy } from '../store/postgres/test-proxy.ts';
import { openPostgresQueue, type PostgresQueue, type PostgresQueueOptions } from './postgres/index.ts';

const URL = TEST_PG_URL;

/** Leaked rejections from the driver would crash a server; count them over the whole file. */
const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds; returns the ms it took. */
async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const t0 = performance.now();
  for (;;) {
    if (await cond()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(2);
  }
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const isUnavailable = (e: unknown) =>
  e instanceof NimbusError && e.code === 'NIMBUS_ERR_QUEUE_UNAVAILABLE' && e.retryable;

if (await isPostgresReachable()) {
  describe('Queue on PostgreSQL: several nodes on one schema', () => {
    const schema = `nimbus_test_qn_${randomBytes(4).toString('hex')}`;
    const clock = new FakeClock();
    const opened: PostgresQueue[] = [];
    const node = async (nodeId: string, extra: Partial<PostgresQueueOptions> = {}) => {
      const q = await openPostgresQueue({ url: URL, schema, clock, nodeId, ...extra });
      opened.push(q);
      return q;
    };
    let a: PostgresQueue;
    let b: PostgresQueue;
    const fresh = () => `q-${randomBytes(4).toString('hex')}`;
    const put = (q: PostgresQueue, queue: string, n: number, extra = {}) =>
      q.enqueue(Array.from({ length: n }, (_, i) => ({ queue, tenant: 't1', body: String(i), ...extra })));

    before(async () => {
      // Both open at once: the table is created once, under an advisory lock.
      [a, b] = await Promise.all([node('node-a'), node('node-b')]);
    });
    after(async () => {
      for (const q of opened) await q.close();
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
      assert.deepEqual(unhandled, [], 'no unhandled rejections');
    });

    it('a message enqueued through A is leased through B', async () => {
      const name = fresh();
      const [r] = await a.enqueue([{ queue: name, tenant: 't1', body: '{"x":1}' }]);
      const [m] = await b.lease(name, { max: 5, visibilityMs: 10_000 });
      assert.equal(m?.id, r?.id);
      assert.equal(m?.body, '{"x":1}');
      assert.equal((await a.lease(name, { max: 5, visibilityMs: 10_000 })).length, 0, 'A sees it leased');
      assert.equal(await b.ack(m!.id, m!.leaseToken), true);
      assert.equal((await a.get(m!.id))?.state, 'done');
    });

    it('A and B leasing one queue at once never share a message and drain it together', async () => {
      const name = fresh();
      const n = 500;
      await put(a, name, n);
      const seen = new Map<string, string>();
      const dupes: string[] = [];
      const drain = async (q: PostgresQueue, who: string) => {
        let got: LeasedMessage[];
        let mine = 0;
        do {
          got = await q.lease(name, { max: 7, visibilityMs: 60_000 });
          for (const m of got) {
            if (seen.has(m.id)) dupes.push(m.id);
            seen.set(m.id, who);
          }
          const acks = await Promise.all(got.map((m) => q.ack(m.id, m.leaseToken)));
          assert.ok(acks.every(Boolean));
          mine += got.length;
        } while (got.length > 0);
        return mine;
      };
      // Two loops per node, as a dispatcher runs several passes.
      const counts = await Promise.all([drain(a, 'a'), drain(b, 'b'), drain(a, 'a'), drain(b, 'b')]);
      assert.deepEqual(dupes, []);
      assert.equal(seen.size, n);
      assert.equal(
        counts.reduce((x, y) => x + y),
        n,
      );
      assert.ok(counts[0]! + counts[2]! > 0 && counts[1]! + counts[3]! > 0, `both nodes leased: ${counts}`);
      const [st] = await a.stats(name);
      assert.deepEqual([st?.ready, st?.inflight, st?.delayed], [0, 0, 0]);
    });

    it('ordered groups stay one at a time and in order across nodes', async () => {
      const name = fresh();
      const groups = 8;
      const per = 15;
      const items = [];
      for (let i = 0; i < per; i++)
        for (let g = 0; g < groups; g++)
          items.push({ queue: name, tenant: 't1', body: String(i), group: `g${g}` });
      await a.enqueue(items);
      const running = new Set<string>();
      const order = new Map<string, number[]>();
      const drain = async (q: PostgresQueue) => {
        for (let idle = 0; idle < 3; ) {
          const got = await q.lease(name, { max: 4, visibilityMs: 60_000 });
          if (got.length === 0) {
            idle++;
            await sleep(1);
            continue;
          }
          idle = 0;
          for (const m of got) {
            assert.ok(!running.has(m.group!), `two messages of ${m.group} at once`);
            running.add(m.group!);
            order.set(m.group!, [...(order.get(m.group!) ?? []), Number(m.body)]);
          }
          await sleep(1);
          for (const m of got) running.delete(m.group!);
          await Promise.all(got.map((m) => q.ack(m.id, m.leaseToken)));
        }
      };
      await Promise.all([drain(a), drain(b)]);
      assert.equal(order.size, groups);
      for (const [g, seq] of order)
        assert.deepEqual(
          seq,
          Array.from({ length: per }, (_, i) => i),
          `group ${g} in order`,
        );
    });

    it('a group stays one at a time while both nodes enqueue into it and lease from it at once', async () => {
      const name = fresh();
      const total = 300;
      let sent = 0;
      let done = 0;
      const running = new Set<string>();
      const overlaps: string[] = [];
      const produce = async (q: PostgresQueue) => {
        while (sent < total) {
          sent++;
          await q.enqueue([{ queue: name, tenant: 't1', body: '{}', group: `g${sent % 3}` }]);
        }
      };
      const consume = async (q: PostgresQueue) => {
        while (done < total) {
          const got = await q.lease(name, { max: 3, visibilityMs: 60_000 });
          for (const m of got) {
            if (running.has(m.group!)) overlaps.push(m.group!);
            running.add(m.group!);
          }
          await sleep(got.length ? 1 : 0);
          for (const m of got) running.delete(m.group!);
          await Promise.all(got.map((m) => q.ack(m.id, m.leaseToken)));
          done += got.length;
        }
      };
      // Several producers per node: enqueue statements of one group overlap within and across nodes.
      await Promise.all([
        ...Array.from({ length: 4 }, () => produce(a)),
        ...Array.from({ length: 4 }, () => produce(b)),
        consume(a),
        consume(b),
      ]);
      assert.deepEqual(overlaps, []);
      assert.equal(done, total);
    });

    it('a group message that commits late does not run beside a later one of its group', async () => {
      const name = fresh();
      // A's insert has its seq (the column default) when this trigger holds it: a slow commit.
      await admin((c) =>
        c.query(`
          CREATE FUNCTION ${schema}.slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.body = '"slow"' THEN PERFORM pg_sleep(0.3); END IF; RETURN NEW; END $$;
          CREATE TRIGGER slow_insert BEFORE INSERT ON ${schema}.queue_messages
            FOR EACH ROW EXECUTE FUNCTION ${schema}.slow_insert()`),
      );
      try {
        const slow = a.enqueue([{ queue: name, tenant: 't1', body: '"slow"', group: 'G' }]);
        await sleep(100);
        // B's message of the same group comes later: it must neither overtake the slow one nor,
        // once the slow one commits, run beside it.
        await b.enqueue([{ queue: name, tenant: 't1', body: '"fast"', group: 'G' }]);
        const first = await b.lease(name, { max: 5, visibilityMs: 60_000 });
        await slow;
        const second = await b.lease(name, { max: 5, visibilityMs: 60_000 });
        assert.deepEqual(
          [...first, ...second].map((m) => m.body),
          ['"slow"'],
          'one message of G in flight, the earlier one',
        );
        await b.ack(first[0]!.id, first[0]!.leaseToken);
        const [next] = await b.lease(name, { max: 5, visibilityMs: 60_000 });
        assert.equal(next?.body, '"fast"');
        await b.ack(next!.id, next!.leaseToken);
      } finally {
        await admin((c) =>
          c.query(
            `DROP TRIGGER slow_insert ON ${schema}.queue_messages; DROP FUNCTION ${schema}.slow_insert()`,
          ),
        );
      }
    });

    it("a lease that expired and was taken by B makes A's ack, nack and extend return false", async () => {
      const name = fresh();
      await put(a, name, 1);
      const [first] = await a.lease(name, { max: 1, visibilityMs: 1000 });
      clock.advance(1000);
      const [second] = await b.lease(name, { max: 1, visibilityMs: 1000 });
      assert.equal(second?.id, first?.id);
      assert.equal(second?.attempts, 2);
      assert.equal(await a.ack(first!.id, first!.leaseToken), false);
      assert.equal(await a.nack(first!.id, first!.leaseToken, { retryAt: clock.now() }), false);
      assert.equal(await a.extend(first!.id, first!.leaseToken, 5000), false);
      assert.equal(
        await a.ack(first!.id, first!.leaseToken, { followUps: [{ queue: name, tenant: 't1', body: '{}' }] }),
        false,
        'and its follow-ups are not enqueued',
      );
      assert.equal(await b.ack(second!.id, second!.leaseToken), true);
      await waitFor(() => a.depth(name) === 0, 1000, "A hears B's ack");
    });

    it("recover() on a restarting node releases only that node's leases", async () => {
      const name = fresh();
      const c = await node('node-c');
      await put(a, name, 2);
      const [mc] = await c.lease(name, { max: 1, visibilityMs: 600_000 });
      const [mb] = await b.lease(name, { max: 1, visibilityMs: 600_000 });
      // node-c is killed and comes back under the same name.
      await c.close();
      const c2 = await node('node-c');
      assert.equal(await c2.recover(), 1);
      const again = await a.lease(name, { max: 5, visibilityMs: 1000 });
      assert.deepEqual(
        again.map((m) => m.id),
        [mc!.id],
        "node-c's message is free again; node-b's stays leased",
      );
      assert.equal(await c2.ack(mc!.id, mc!.leaseToken), false, "the dead node's token is void");
      assert.equal(await b.ack(mb!.id, mb!.leaseToken), true, "node-b's lease survived");
      assert.equal(await a.ack(again[0]!.id, again[0]!.leaseToken), true);
    });

    it("depth() and activeQueues() on B follow A's changes (announced: within milliseconds)", async () => {
      const name = fresh();
      await put(a, name, 50);
      assert.equal(a.depth(name), 50, "A's own enqueue counts at once");
      const seen = await waitFor(() => b.depth(name) === 50, 1000, 'B sees 50');
      assert.ok(b.activeQueues().includes(name));
      const got = await a.lease(name, { max: 50, visibilityMs: 10_000 });
      await Promise.all(got.map((m) => a.ack(m.id, m.leaseToken)));
      const gone = await waitFor(() => b.depth(name) === 0, 1000, 'B sees 0');
      assert.ok(!b.activeQueues().includes(name));
      console.log(`# B saw A's enqueue after ${seen.toFixed(1)} ms and its acks after ${gone.toFixed(1)} ms`);
    });

    it('an unannounced change (a node killed before its NOTIFY) shows within refreshMs', async () => {
      const refreshMs = 300;
      const d = await node('node-d', { refreshMs });
      const name = fresh();
      // Written behind the adapters' backs, as a commit whose announcement never went out.
      await admin((c) =>
        c.query(
          `INSERT INTO ${schema}.queue_messages (id, queue, tenant, source, state, body, enqueued_at, visible_at, updated_at)
           VALUES ($1, $2, 't1', 'api', 'queued', '{}', $3, $3, $3)`,
          [`raw-${name}`, name, clock.now()],
        ),
      );
      const took = await waitFor(() => d.depth(name) === 1, refreshMs + 500, 'refresh finds it');
      assert.ok(took <= refreshMs + 200, `${took} ms`);
      const [m] = await d.lease(name, { max: 1, visibilityMs: 1000 });
      await d.ack(m!.id, m!.leaseToken);
      assert.equal(d.depth(name), 0);
    });

    it('the depth view stays exact while both nodes mutate and recount concurrently', async () => {
      const e = await node('node-e', { refreshMs: 3_600_000 });
      const f = await node('node-f', { refreshMs: 3_600_000 });
      const name = fresh();
      let stop = false;
      // Recounts in a loop, so announcements and own changes keep landing inside refresh windows.
      const recount = async () => {
        while (!stop) await Promise.all([e.refresh(), f.refresh()]);
      };
      const work = async (q: PostgresQueue) => {
        for (let round = 0; round < 30; round++) {
          await Promise.all(Array.from({ length: 5 }, (_, i) => put(q, name, 1 + (i % 3))));
          const got = await q.lease(name, { max: 6, visibilityMs: 60_000 });
          await Promise.all(got.map((m, i) => (i % 4 === 3 ? q.cancel(m.id) : q.ack(m.id, m.leaseToken))));
          const [x] = await put(q, name, 1, { delayMs: 60_000 });
          if (round % 2) await q.cancel(x!.id);
        }
      };
      const loop = recount();
      await Promise.all([work(e), work(f), work(e), work(f)]);
      stop = true;
      await loop;
      const truth = async () => {
        const [st] = await e.stats(name);
        return (st?.ready ?? 0) + (st?.delayed ?? 0) + (st?.inflight ?? 0);
      };
      const n = await truth();
      assert.ok(n > 0);
      // No recount from here on: only exact bookkeeping (plus the last announcements) gets there.
      await waitFor(() => e.depth(name) === n && f.depth(name) === n, 2000, `both at ${n}`);
      await sleep(100);
      assert.deepEqual([e.depth(name), f.depth(name)], [n, n], 'and they stay there');
    });

    it('watch() wakes B when A enqueues, nacks or replays, not for B itself, until unsubscribed', async () => {
      const name = fresh();
      const woken: string[] = [];
      const off = b.watch((q) => {
        if (q === name) woken.push(q);
      });
      await put(b, name, 1);
      await sleep(100);
      assert.deepEqual(woken, [], "B's own enqueue does not wake B");
      await put(a, name, 1);
      await waitFor(() => woken.length === 1, 1000, 'enqueue wakes');
      const [m1, m2] = await a.lease(name, { max: 2, visibilityMs: 1000 });
      await a.nack(m1!.id, m1!.leaseToken, { retryAt: clock.now() });
      await waitFor(() => woken.length === 2, 1000, 'nack wakes');
      await a.deadLetter(m2!.id, m2!.leaseToken, { error: '{}' });
      await a.replay([m2!.id]);
      await waitFor(() => woken.length === 3, 1000, 'replay wakes');
      off();
      await put(a, name, 1);
      await sleep(100);
      assert.equal(woken.length, 3, 'unsubscribed');
      await a.drop(name);
    });

    it('B listens again after its LISTEN session is killed and hears A again', async () => {
      const name = fresh();
      const woken: string[] = [];
      const off = b.watch((q) => {
        if (q === name) woken.push(q);
      });
      const pid = b.listenerPid;
      assert.ok(pid);
      await admin((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
      // While B is not listening A's change is not heard, yet it is not lost: B recounts and wakes
      // every queue with work when it is back.
      await put(a, name, 3);
      await waitFor(() => b.listenerPid !== undefined && b.listenerPid !== pid, 5000, 'B listens again');
      await waitFor(() => b.depth(name) === 3, 2000, 'B recounted');
      await waitFor(() => woken.length >= 1, 2000, 'B woke for the queue it may have missed');
      const before = woken.length;
      await put(a, name, 1);
      await waitFor(() => woken.length > before && b.depth(name) === 4, 1000, 'notifications resume');
      off();
      await a.drop(name);
    });

    it('one bad call in a shared (group-commit) statement fails alone', async () => {
      const name = fresh();
      const [first] = await put(a, name, 1);
      // Same event-loop turn: both calls go out in one statement, which the taken id fails.
      const [bad, good] = await Promise.allSettled([
        a.enqueue([{ queue: name, tenant: 't1', body: '{}', id: first!.id }]),
        a.enqueue([{ queue: name, tenant: 't1', body: '{}' }]),
      ]);
      assert.equal(bad.status, 'rejected');
      assert.equal((bad as PromiseRejectedResult).reason?.code, 'NIMBUS_ERR_CORE_CONFLICT');
      assert.equal(good.status, 'fulfilled');
      assert.equal(a.depth(name), 2);
      await a.drop(name);
    });

    it('a node whose pool connections are killed fails with a retryable coded error at worst, then recovers', async () => {
      const name = fresh();
      await put(a, name, 1);
      await admin((c) =>
        c.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nimbus-queue/node-a'`,
        ),
      );
      let failures = 0;
      for (let i = 0; i < 20; i++) {
        try {
          await put(a, name, 1);
        } catch (e) {
          assert.ok(isUnavailable(e), String(e));
          failures++;
        }
      }
      assert.ok(failures < 20, 'A works again');
      await a.drop(name);
    });
  });

  describe('Queue on PostgreSQL: the server goes away and comes back', () => {
    const schema = `nimbus_test_qp_${randomBytes(4).toString('hex')}`;
    const clock = new FakeClock();
    const target = new globalThis.URL(URL);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    let viaProxy: PostgresQueue;
    let direct: PostgresQueue;

    before(async () => {
      await proxy.start();
      viaProxy = await openPostgresQueue({
        url: proxy.url(),
        schema,
        clock,
        nodeId: 'proxied',
        pool: { connectTimeoutMs: 1000 },
      });
      direct = await openPostgresQueue({ url: URL, schema, clock, nodeId: 'direct' });
    });
    after(async () => {
      await viaProxy?.close();
      await direct?.close();
      await proxy.stop();
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
      assert.deepEqual(unhandled, [], 'no unhandled rejections');
    });

    it('calls fail with NIMBUS_ERR_QUEUE_UNAVAILABLE while it is down, and work (and LISTEN) again after', async () => {
      const name = `q-${randomBytes(4).toString('hex')}`;
      const woken: string[] = [];
      viaProxy.watch((q) => woken.push(q));
      await viaProxy.enqueue([{ queue: name, tenant: 't1', body: '{}' }]);
      await proxy.stop();
      for (const call of [
        () => viaProxy.enqueue([{ queue: name, tenant: 't1', body: '{}' }]),
        () => viaProxy.lease(name, { max: 1, visibilityMs: 1000 }),
        () => viaProxy.stats(name),
        () => viaProxy.ack('x', 'y'),
      ])
        await assert.rejects(call(), (e) => isUnavailable(e));
      // The cluster goes on without this node meanwhile.
      await direct.enqueue([{ queue: name, tenant: 't1', body: '{}' }]);
      await proxy.start();
      await viaProxy.enqueue([{ queue: name, tenant: 't1', body: '{}' }]);
      await waitFor(() => viaProxy.listenerPid !== undefined, 5000, 'listening again');
      await waitFor(() => viaProxy.depth(name) === 3, 3000, 'recounted after the reconnect');
      const before = woken.length;
      await direct.enqueue([{ queue: name, tenant: 't1', body: '{}' }]);
      await waitFor(() => woken.length > before, 2000, 'notifications resume');
    });

    it('a silent partition fails calls within the query timeout, and they work again when it heals', async () => {
      const frozen = new TcpProxy();
      await frozen.start();
      const q = await openPostgresQueue({
        url: frozen.url(),
        schema,
        clock,
        nodeId: 'partitioned',
        pool: { connectTimeoutMs: 400, queryTimeoutMs: 400 },
      });
      try {
        const name = `q-${randomBytes(4).toString('hex')}`;
        await q.enqueue([{ queue: name, tenant: 't1', body: '{}' }]);
        frozen.freeze();
        for (const call of [
          () => q.enqueue([{ queue: name, tenant: 't1', body: '{}' }]),
          () => q.lease(name, { max: 1, visibilityMs: 1000 }),
        ]) {
          const t0 = performance.now();
          await assert.rejects(call(), (e) => isUnavailable(e));
          assert.ok(performance.now() - t0 < 2000, `answered after ${Math.round(performance.now() - t0)} ms`);
        }
        frozen.thaw();
        await q.enqueue([{ queue: name, tenant: 't1', body: '{}' }]);
        assert.equal((await q.lease(name, { max: 5, visibilityMs: 1000 })).length >= 2, true);
      } finally {
        frozen.thaw();
        await q.close();
        await frozen.stop();
      }
    });

    it('opening against a server that is down fails with the same coded error', async () => {
      await assert.rejects(
        openPostgresQueue({
          url: 'postgres://postgres@127.0.0.1:1/test',
          schema,
          clock,
          pool: { connectTimeoutMs: 500 },
        }),
        (e) => isUnavailable(e),
      );
    });
  });
} else if (process.env.CI === 'true') {
  it('PostgreSQL must be reachable in CI', () => assert.fail(`PostgreSQL is not reachable at ${URL}`));
} else {
  it('Queue on PostgreSQL: several nodes', {
    skip: `PostgreSQL not reachable at ${URL} (allowed outside CI)`,
  }, () => {});
}
