/**
 * The cluster coordination part of the Store contract (leader leases, node registry), run against
 * SQLite and PostgreSQL. `open` gives another store on the same database (PostgreSQL: the same
 * schema; SQLite: the same file), i.e. another node: the races go through two connections.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LeaseRecord, NodeRecord, Store } from '../core/ports.ts';

const T0 = Date.UTC(2026, 0, 1);
const TTL = 10_000;

export function describeClusterContract(
  name: string,
  setup: () => Promise<{ open: () => Promise<Store>; cleanup: () => Promise<void> }>,
): void {
  describe(`Store contract, cluster coordination: ${name}`, () => {
    let a: Store;
    let b: Store;
    let cleanup: (() => Promise<void>) | undefined;
    before(async () => {
      const h = await setup();
      cleanup = h.cleanup;
      a = await h.open();
      b = await h.open();
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await cleanup?.();
    });

    it('a lease: taken when free or expired, renewed by its holder, a new token at every new term', async () => {
      const L = 'basics';
      assert.equal(await a.leases.get(L), undefined);
      assert.equal(await a.leases.checkToken(L, 1), false);
      const first = await a.leases.acquire(L, 'n1', T0, TTL);
      assert.deepEqual(first, { name: L, holder: 'n1', token: 1, expiresAt: T0 + TTL, acquiredAt: T0 });
      assert.deepEqual(await b.leases.get(L), first, 'another node reads the same row');
      // Held: nobody else gets it, up to the last ms of the term.
      assert.equal(await b.leases.acquire(L, 'n2', T0 + 1, TTL), undefined);
      assert.equal(await b.leases.acquire(L, 'n2', T0 + TTL - 1, TTL), undefined);
      // Renewal: token and start kept, expiry pushed; a late renewal (older now) never shortens it.
      const renewed = await a.leases.acquire(L, 'n1', T0 + 4000, TTL);
      assert.deepEqual(renewed, { ...first, expiresAt: T0 + 4000 + TTL });
      assert.deepEqual(await a.leases.acquire(L, 'n1', T0 + 1000, TTL), renewed);
      assert.equal(await a.leases.checkToken(L, 1, T0 + 4000 + TTL - 1), true);
      assert.equal(await a.leases.checkToken(L, 1, T0 + 4000 + TTL), false, 'expired');
      // Expired (expiresAt <= now): the next holder takes it with the next token.
      const t1 = T0 + 4000 + TTL;
      const second = await b.leases.acquire(L, 'n2', t1, TTL);
      assert.deepEqual(second, { name: L, holder: 'n2', token: 2, expiresAt: t1 + TTL, acquiredAt: t1 });
      assert.equal(await a.leases.acquire(L, 'n1', t1 + 1, TTL), undefined, 'the old holder is out');
      assert.equal(await a.leases.checkToken(L, 1), false);
      assert.equal(await a.leases.checkToken(L, 2), true);
      // Release: only by the holder; the token stays, the lease is free at once.
      assert.equal(await a.leases.release(L, 'n1'), false);
      assert.deepEqual(await a.leases.get(L), second);
      assert.equal(await b.leases.release(L, 'n2'), true);
      assert.deepEqual(await a.leases.get(L), { ...second, expiresAt: 0 });
      assert.equal(await a.leases.checkToken(L, 2, t1 + 1), false, 'a released term fails a timed check');
      const third = await a.leases.acquire(L, 'n1', t1 + 2, TTL);
      assert.equal(third?.token, 3);
      // The same holder after its own term expired starts a new term: a new token, so a
      // straggler of its earlier term fails the fence.
      const t2 = t1 + 2 + TTL;
      const fourth = await a.leases.acquire(L, 'n1', t2, TTL);
      assert.deepEqual(fourth, { name: L, holder: 'n1', token: 4, expiresAt: t2 + TTL, acquiredAt: t2 });
      // Leases are independent by name.
      assert.equal((await b.leases.acquire('other', 'n2', t2, TTL))?.token, 1);
      await assert.rejects(a.leases.acquire(L, 'n1', t2, 0), /NIMBUS_ERR_CORE_VALIDATION|ttl/);
    });

    it('two nodes racing for an expired lease 100 times: exactly one wins each time, tokens +1', async () => {
      const L = 'race';
      let prev = 0;
      const wins = { a: 0, b: 0 };
      for (let i = 0; i < 100; i++) {
        const now = T0 + i * TTL; // every round starts as the previous term expires
        const [ra, rb] = await Promise.all([
          a.leases.acquire(L, 'node-a', now, TTL),
          b.leases.acquire(L, 'node-b', now, TTL),
        ]);
        const won = [ra, rb].filter((r): r is LeaseRecord => r !== undefined);
        assert.equal(won.length, 1, `round ${i}: ${JSON.stringify([ra, rb])}`);
        assert.equal(won[0]!.token, prev + 1, `round ${i}`);
        assert.deepEqual(await b.leases.get(L), won[0]);
        prev = won[0]!.token;
        if (ra) wins.a++;
        else wins.b++;
      }
      assert.equal(prev, 100);
      assert.equal(wins.a + wins.b, 100);
    });

    it('many acquirers on two nodes at shuffled times: terms never overlap and tokens only grow', async () => {
      const L = 'interleaved';
      let clock = T0;
      const grants: LeaseRecord[] = [];
      const worker = async (s: Store, holder: string, seed: number) => {
        let x = seed;
        for (let i = 0; i < 40; i++) {
          x = (x * 1103515245 + 12345) % 2 ** 31;
          clock += x % 1500; // shared logical time; callers race with whatever they read
          const now = clock - (x % 700); // some arrive with a stale now
          const r = await s.leases.acquire(L, holder, now, 2000);
          if (r) grants.push(r);
        }
      };
      await Promise.all([worker(a, 'a1', 1), worker(a, 'a2', 2), worker(b, 'b1', 3), worker(b, 'b2', 4)]);
      const terms = new Map<number, { holder: string; from: number; to: number }>();
      for (const g of grants) {
        const t = terms.get(g.token);
        if (!t) terms.set(g.token, { holder: g.holder, from: g.acquiredAt, to: g.expiresAt });
        else {
          assert.equal(t.holder, g.holder, `token ${g.token} had one holder`);
          assert.equal(t.from, g.acquiredAt, `token ${g.token} began once`);
          t.to = Math.max(t.to, g.expiresAt);
        }
      }
      const tokens = [...terms.keys()].sort((x, y) => x - y);
      assert.ok(tokens.length > 5, `several terms (${tokens.length})`);
      assert.equal(tokens.at(-1), (await a.leases.get(L))?.token);
      for (let i = 1; i < tokens.length; i++) {
        const p = terms.get(tokens[i - 1]!)!;
        const n = terms.get(tokens[i]!)!;
        assert.ok(
          p.to <= n.from,
          `term ${tokens[i - 1]} [${p.from},${p.to}) ends before ${tokens[i]} starts at ${n.from}`,
        );
      }
    });

    it('a fenced write checks its token in the transaction that writes', async () => {
      const L = 'fenced';
      const mine = await a.leases.acquire(L, 'n1', T0, TTL);
      assert.ok(mine);
      const write = (s: Store, token: number, value: string) =>
        s.transaction(async (tx) => {
          if (!(await tx.leases.checkToken(L, token, T0 + 1))) return false;
          await tx.settings.put('_cluster', 'fenced', value);
          return true;
        });
      assert.equal(await write(a, mine.token, 'one'), true);
      assert.ok(await b.leases.acquire(L, 'n2', T0 + TTL, TTL));
      assert.equal(await write(a, mine.token, 'stale'), false, 'the deposed token is refused');
      assert.equal(await b.settings.get('_cluster', 'fenced'), 'one');
      if (a.kind !== 'postgres') return;
      // PostgreSQL: the checked row stays share-locked until the fenced write commits, so a
      // takeover waits for it instead of slipping in between the check and the write.
      const current = (await b.leases.get(L))!;
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let checked!: () => void;
      const isChecked = new Promise<void>((r) => {
        checked = r;
      });
      const tx = b.transaction(async (t) => {
        assert.equal(await t.leases.checkToken(L, current.token), true);
        checked();
        await held;
        await t.settings.put('_cluster', 'fenced', 'two');
      });
      await isChecked;
      let takenOver = false;
      const takeover = a.leases.acquire(L, 'n1', current.expiresAt, TTL).then((r) => {
        takenOver = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(takenOver, false, 'the takeover waits for the fenced transaction');
      release();
      await tx;
      assert.equal((await takeover)?.token, current.token + 1);
      assert.equal(await a.settings.get('_cluster', 'fenced'), 'two');
    });

    it('the node registry: heartbeats upsert, list by last seen, remove, prune', async () => {
      const node = (id: string, seenAt: number, inflight = 0): NodeRecord => ({
        id,
        address: `http://${id}.nimbus.svc:8080`,
        roles: ['gateway', 'worker'],
        startedAt: T0,
        seenAt,
        load: { inflight, instances: 2, warm: ['default/hello:3', 'default/thumb:$LATEST'] },
      });
      assert.deepEqual(await a.nodes.list(0), []);
      await a.nodes.heartbeat(node('n2', T0 + 100));
      await b.nodes.heartbeat(node('n1', T0 + 50));
      await b.nodes.heartbeat(node('n3', T0 + 10));
      assert.deepEqual(
        (await a.nodes.list(0)).map((n) => n.id),
        ['n1', 'n2', 'n3'],
      );
      assert.deepEqual(await a.nodes.list(T0 + 50), [node('n1', T0 + 50), node('n2', T0 + 100)]);
      // A heartbeat replaces the row: seen time, load, roles, address.
      const again = { ...node('n3', T0 + 200, 7), roles: ['scheduler'], address: 'http://10.0.0.3:8080' };
      await a.nodes.heartbeat(again);
      assert.deepEqual((await b.nodes.list(T0 + 150))[0], again);
      assert.equal(await a.nodes.remove('n2'), true);
      assert.equal(await a.nodes.remove('n2'), false);
      assert.equal(await b.nodes.prune(T0 + 100), 1, 'n1, last seen at T0+50');
      assert.deepEqual(
        (await a.nodes.list(0)).map((n) => n.id),
        ['n3'],
      );
      assert.equal(await b.nodes.prune(T0 + 100), 0);
      await a.nodes.remove('n3');
    });
  });
}
