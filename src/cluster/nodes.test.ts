import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import type { NodeLoad, NodeRecord, NodeRepo, Store } from '../core/ports.ts';
import { NodeMembership } from './nodes.ts';
import { SHARED_STORES, unavailable } from './test-stores.ts';

const EVERY = 1_000;

/** The real repo, counting its calls in flight so a test can let a beat finish before time moves. */
class Tracked implements NodeRepo {
  readonly #pending = new Set<Promise<unknown>>();
  readonly real: NodeRepo;
  constructor(real: NodeRepo) {
    this.real = real;
  }
  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    const done = () => this.#pending.delete(p);
    p.then(done, done);
    return p;
  }
  async settled(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.#pending]);
      await new Promise((r) => setImmediate(r));
      if (this.#pending.size === 0) return;
    }
  }
  heartbeat = (rec: NodeRecord) => this.#track(this.real.heartbeat(rec));
  list = (aliveSince: number) => this.#track(this.real.list(aliveSince));
  remove = (id: string) => this.#track(this.real.remove(id));
  prune = (before: number) => this.#track(this.real.prune(before));
}

interface Member {
  readonly store: Store;
  readonly m: NodeMembership;
  readonly nodes: Tracked;
  /** Each onChange call's ids. */
  readonly changes: string[][];
  readonly load: { inflight: number; instances: number; warm: string[] };
  readonly logs: string[];
  closed: boolean;
}

for (const [dialect, setup] of Object.entries(SHARED_STORES)) {
  const skip = await unavailable(dialect);
  describe(`NodeMembership on ${dialect}`, { skip }, () => {
    const withCluster = async (
      fn: (
        join: (id: string, roles?: string[]) => Promise<Member>,
        advance: (ms: number) => Promise<void>,
        clock: FakeClock,
      ) => Promise<void>,
    ) => {
      const db = await setup();
      const clock = new FakeClock();
      const members: Member[] = [];
      const join = async (id: string, roles = ['gateway', 'worker']) => {
        const store = await db.open();
        const load = { inflight: 0, instances: 0, warm: [] as string[] };
        const logs: string[] = [];
        const nodes = new Tracked(store.nodes);
        const m = new NodeMembership({
          nodes,
          clock,
          id,
          address: `http://${id}:8080`,
          roles,
          intervalMs: EVERY,
          pruneAfterMs: 10 * EVERY,
          load: (): NodeLoad => ({ ...load, warm: [...load.warm] }),
          log: (_l, _o, msg) => logs.push(msg),
        });
        const member: Member = { store, m, nodes, changes: [], load, logs, closed: false };
        m.onChange((alive) => member.changes.push(alive.map((n) => n.id)));
        members.push(member);
        return member;
      };
      // Beats run on the fake clock; each one's store calls finish before time moves on.
      const advance = async (ms: number) => {
        for (let t = 0; t < ms; t += 250) {
          clock.advance(Math.min(250, ms - t));
          for (const x of members) await x.nodes.settled();
        }
      };
      try {
        await fn(join, advance, clock);
      } finally {
        for (const x of members) {
          if (!x.closed) {
            await x.m.stop();
            await x.store.close();
          }
        }
        await db.cleanup();
      }
    };

    it('nodes find each other with their roles and load; a stopped node leaves at the next beat', () =>
      withCluster(async (join, advance, clock) => {
        const t0 = clock.now();
        const a = await join('node-a');
        a.load.inflight = 3;
        a.load.warm.push('default/hello:1');
        await a.m.start();
        assert.deepEqual(
          a.m.alive().map((n) => n.id),
          ['node-a'],
        );
        const b = await join('node-b', ['scheduler']);
        await b.m.start();
        const seenByB = b.m.alive();
        assert.deepEqual(
          seenByB.map((n) => n.id),
          ['node-a', 'node-b'],
        );
        const expectA: NodeRecord = {
          id: 'node-a',
          address: 'http://node-a:8080',
          roles: ['gateway', 'worker'],
          startedAt: t0,
          seenAt: t0,
          load: { inflight: 3, instances: 0, warm: ['default/hello:1'] },
        };
        assert.deepEqual(seenByB[0], expectA);
        await advance(EVERY);
        assert.deepEqual(a.changes, [['node-a'], ['node-a', 'node-b']]);
        // Load moves every beat; it is visible to others but no membership change.
        a.load.inflight = 9;
        await advance(3 * EVERY);
        assert.equal(b.m.alive()[0]?.load.inflight, 9);
        // Both beat at the same instants, concurrently: B reads A's row of this beat or the last.
        assert.ok(b.m.alive()[0]!.seenAt >= clock.now() - EVERY);
        assert.deepEqual(a.changes, [['node-a'], ['node-a', 'node-b']]);
        assert.deepEqual(b.changes, [['node-a', 'node-b']]);
        // A stop removes the row: gone for the others at their next beat, not after 3 intervals.
        await b.m.stop();
        assert.deepEqual(b.m.alive(), []);
        assert.deepEqual(
          (await a.store.nodes.list(0)).map((n) => n.id),
          ['node-a'],
        );
        await advance(EVERY);
        assert.deepEqual(a.changes.at(-1), ['node-a']);
      }));

    it('a node that dies without stopping drops out after 3 intervals and its row is pruned later', () =>
      withCluster(async (join, advance, clock) => {
        const a = await join('node-a');
        const c = await join('node-c');
        await a.m.start();
        await c.m.start();
        await advance(2 * EVERY);
        const lastSeen = clock.now();
        // Crash: its store goes away, nothing removes its row.
        await c.store.close();
        c.closed = true;
        await advance(3 * EVERY);
        assert.deepEqual(
          a.m.alive().map((n) => n.id),
          ['node-a', 'node-c'],
          'seen exactly 3 intervals ago: still alive',
        );
        await advance(EVERY);
        assert.deepEqual(
          a.m.alive().map((n) => n.id),
          ['node-a'],
        );
        assert.deepEqual(a.changes.at(-1), ['node-a']);
        assert.equal(clock.now() - lastSeen, 4 * EVERY);
        // Cut off, the dead node's own view ages by the same rule, itself included.
        assert.ok(c.logs.includes('heartbeat failed'));
        assert.deepEqual(c.m.alive(), []);
        assert.deepEqual(c.changes.at(-1), []);
        assert.deepEqual(
          (await a.store.nodes.list(0)).map((n) => n.id),
          ['node-a', 'node-c'],
          'the row stays until pruning',
        );
        await advance(6 * EVERY);
        assert.deepEqual(
          (await a.store.nodes.list(0)).map((n) => n.id),
          ['node-a', 'node-c'],
          'seen exactly 10 intervals ago: kept',
        );
        await advance(EVERY);
        assert.deepEqual(
          (await a.store.nodes.list(0)).map((n) => n.id),
          ['node-a'],
          'pruned once not seen for more than 10 intervals',
        );
        await c.m.stop(); // its row is gone already; the failure is only logged
        assert.ok(c.logs.some((l) => l.startsWith('node row not removed')));
      }));
  });
}

it('refuses a heartbeat interval that cannot work', () => {
  const clock = new FakeClock();
  assert.throws(
    () =>
      new NodeMembership({
        nodes: {} as NodeRepo,
        clock,
        id: 'n',
        address: 'http://n',
        roles: [],
        load: () => ({ inflight: 0, instances: 0, warm: [] }),
        intervalMs: 0,
      }),
    (e: { code?: string }) => e.code === 'NIMBUS_ERR_CLUSTER_TIMING',
  );
});
