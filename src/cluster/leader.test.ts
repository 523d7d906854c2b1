import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import type { LeaseRecord, LeaseRepo, Store } from '../core/ports.ts';
import { LeaderElector } from './leader.ts';
import { SHARED_STORES, unavailable } from './test-stores.ts';

/**
 * The real repo with a switch between it and the elector — the store "unreachable" (calls fail)
 * or "stalled" (calls held, then sent late with their original arguments, as a paused process or
 * a slow network would) — and a way to wait for the calls in flight.
 */
class Faulty implements LeaseRepo {
  mode: 'ok' | 'fail' | 'stall' = 'ok';
  readonly #pending = new Set<Promise<unknown>>();
  readonly #held: (() => void)[] = [];
  readonly real: LeaseRepo;
  constructor(real: LeaseRepo) {
    this.real = real;
  }

  #call<T>(f: () => Promise<T>): Promise<T> {
    if (this.mode === 'fail') return Promise.reject(new Error('store unreachable (injected)'));
    if (this.mode === 'stall')
      return new Promise<T>((res, rej) => this.#held.push(() => this.#track(f()).then(res, rej)));
    return this.#track(f());
  }
  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    const done = () => this.#pending.delete(p);
    p.then(done, done);
    return p;
  }
  /** Back to normal; held calls go out now. */
  resume(): void {
    this.mode = 'ok';
    for (const f of this.#held.splice(0)) f();
  }
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
  acquire = (name: string, holder: string, now: number, ttl: number) =>
    this.#call(() => this.real.acquire(name, holder, now, ttl));
  release = (name: string, holder: string) => this.#call(() => this.real.release(name, holder));
  get = (name: string) => this.#call(() => this.real.get(name));
  checkToken = (name: string, token: number, now?: number) =>
    this.#call(() => this.real.checkToken(name, token, now));
}

const TTL = 15_000;
const RENEW = 5_000;
const MARGIN = 3_000;
const L = 'scheduler';

interface Node {
  readonly name: string;
  readonly store: Store;
  readonly leases: Faulty;
  readonly elector: LeaderElector;
  readonly events: { kind: 'elected' | 'deposed'; at: number; token?: number }[];
  readonly signals: AbortSignal[];
  readonly logs: string[];
  closed: boolean;
}

function harness(open: () => Promise<Store>, clock: FakeClock) {
  const nodes: Node[] = [];
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await Promise.all(nodes.map((n) => n.leases.settled()));
      await new Promise((r) => setImmediate(r));
    }
  };
  return {
    nodes,
    settle,
    async node(name: string): Promise<Node> {
      const store = await open();
      const leases = new Faulty(store.leases);
      const n: Node = {
        name,
        store,
        leases,
        elector: new LeaderElector({
          leases,
          holder: name,
          clock,
          ttlMs: TTL,
          renewEveryMs: RENEW,
          marginMs: MARGIN,
          log: (_l, _o, msg) => n.logs.push(msg),
        }),
        events: [],
        signals: [],
        logs: [],
        closed: false,
      };
      nodes.push(n);
      return n;
    },
    run(n: Node): void {
      n.elector.run(L, {
        onElected: (token, signal) => {
          n.events.push({ kind: 'elected', at: clock.now(), token });
          n.signals.push(signal);
        },
        onDeposed: () => {
          n.events.push({ kind: 'deposed', at: clock.now() });
        },
      });
    },
    /** Moves time in small steps, letting every store call finish at each; checks one leader at most. */
    async advance(ms: number, step = 250): Promise<void> {
      for (let t = 0; t < ms; t += step) {
        clock.advance(Math.min(step, ms - t));
        await settle();
        const leaders = nodes.filter((n) => n.elector.leading(L) !== undefined);
        assert.ok(leaders.length <= 1, `two leaders at ${clock.now()}: ${leaders.map((n) => n.name)}`);
      }
    },
    async close(): Promise<void> {
      for (const n of nodes) {
        await n.elector.stop();
        if (!n.closed) await n.store.close();
      }
    },
  };
}

const elected = (n: Node) => n.events.filter((e) => e.kind === 'elected');

for (const [dialect, setup] of Object.entries(SHARED_STORES)) {
  const skip = await unavailable(dialect);
  describe(`LeaderElector on ${dialect}`, { skip }, () => {
    const withCluster = async (
      fn: (h: ReturnType<typeof harness>, clock: FakeClock, store: () => Promise<Store>) => Promise<void>,
    ) => {
      const db = await setup();
      const clock = new FakeClock();
      const h = harness(db.open, clock);
      try {
        await fn(h, clock, db.open);
      } finally {
        await h.close();
        await db.cleanup();
      }
    };

    it('two electors: exactly one leads, renews its term and keeps its token; the other never leads', () =>
      withCluster(async (h, clock) => {
        const a = await h.node('node-a');
        const b = await h.node('node-b');
        const t0 = clock.now();
        h.run(a);
        await h.settle();
        clock.advance(1234);
        h.run(b);
        await h.settle();
        await h.advance(120_000);
        assert.deepEqual(a.events, [{ kind: 'elected', at: t0, token: 1 }]);
        assert.deepEqual(b.events, []);
        assert.equal(a.elector.leading(L), 1);
        assert.equal(b.elector.leading(L), undefined);
        const row = await b.store.leases.get(L);
        assert.equal(row?.holder, 'node-a');
        assert.equal(row?.token, 1);
        assert.ok(row!.expiresAt > clock.now() + MARGIN, 'renewed ahead of its deadline');
        assert.equal(a.signals[0]?.aborted, false);
      }));

    it('stop() ends the term (signal aborted, onDeposed) and releases: the other leads at its next try, token 2', () =>
      withCluster(async (h, clock) => {
        const a = await h.node('node-a');
        const b = await h.node('node-b');
        h.run(a);
        await h.settle();
        h.run(b);
        await h.advance(7_000);
        await a.elector.stop();
        const stoppedAt = clock.now();
        assert.equal(a.signals[0]?.aborted, true);
        assert.equal(
          (a.signals[0]?.reason as { code?: string } | undefined)?.code,
          'NIMBUS_ERR_CLUSTER_DEPOSED',
        );
        assert.deepEqual(a.events.at(-1), { kind: 'deposed', at: stoppedAt });
        assert.equal((await b.store.leases.get(L))?.expiresAt, 0, 'released');
        await h.advance(RENEW);
        assert.equal(elected(b).length, 1);
        assert.equal(elected(b)[0]?.token, 2);
        assert.ok(elected(b)[0]!.at - stoppedAt <= RENEW, 'no ttl wait after a release');
        assert.throws(
          () => a.elector.run('other', { onElected() {}, onDeposed() {} }),
          (e: { code?: string }) => e.code === 'NIMBUS_ERR_CLUSTER_ELECTOR_STOPPED',
        );
      }));

    it("the leader's store closes: it deposes itself at expiry − margin, the other leads only after expiry with a higher token", () =>
      withCluster(async (h, clock) => {
        const a = await h.node('node-a');
        const b = await h.node('node-b');
        const t0 = clock.now();
        h.run(a);
        await h.settle();
        h.run(b);
        await h.settle();
        await h.advance(11_000);
        const lastTerm = (await b.store.leases.get(L)) as LeaseRecord;
        assert.equal(lastTerm.expiresAt, t0 + 10_000 + TTL, 'renewed at +10 s');
        await a.store.close();
        a.closed = true;
        await h.advance(30_000);
        const [aDeposed] = a.events.filter((e) => e.kind === 'deposed');
        const [bElected] = elected(b);
        assert.equal(aDeposed?.at, lastTerm.expiresAt - MARGIN, 'stops acting before the lease expires');
        assert.equal(a.signals[0]?.aborted, true);
        assert.ok(bElected, 'the other node took over');
        assert.ok(
          bElected.at >= lastTerm.expiresAt,
          `not before expiry (${bElected.at - lastTerm.expiresAt} ms)`,
        );
        assert.ok(bElected.at - lastTerm.expiresAt <= RENEW, 'within one renewal interval after it');
        assert.equal(bElected.token, 2);
        assert.ok(aDeposed.at < bElected.at);
        assert.ok(a.logs.includes('lease acquire/renew failed'));
      }));

    it('a leader cut off from the store and back: deposed before the takeover, refused after, never leads twice at once', () =>
      withCluster(async (h) => {
        const a = await h.node('node-a');
        const b = await h.node('node-b');
        h.run(a);
        await h.settle();
        h.run(b);
        await h.advance(11_000);
        const lastTerm = (await b.store.leases.get(L)) as LeaseRecord;
        a.leases.mode = 'fail';
        await h.advance(15_000);
        assert.equal(a.events.at(-1)?.kind, 'deposed');
        assert.equal(a.events.at(-1)?.at, lastTerm.expiresAt - MARGIN);
        assert.equal(elected(b)[0]?.token, 2);
        assert.ok(elected(b)[0]!.at >= lastTerm.expiresAt);
        a.leases.resume();
        await h.advance(30_000);
        assert.equal(elected(a).length, 1, 'back, it does not lead again');
        assert.equal(a.elector.leading(L), undefined);
        assert.equal(b.elector.leading(L), 2);
        assert.equal(await a.store.leases.checkToken(L, 2), true);
        assert.equal(await a.store.leases.checkToken(L, 1), false, 'its old token fails the fence');
      }));

    it('a stalled leader: its late renewal (old now) is refused after the takeover; it leads again only with a new token', () =>
      withCluster(async (h) => {
        const a = await h.node('node-a');
        const b = await h.node('node-b');
        h.run(a);
        await h.settle();
        h.run(b);
        await h.advance(11_000);
        const lastTerm = (await b.store.leases.get(L)) as LeaseRecord;
        a.leases.mode = 'stall'; // the renewal at +15 s is held
        await h.advance(15_000);
        assert.equal(a.events.at(-1)?.at, lastTerm.expiresAt - MARGIN, 'deposed by its deadline timer');
        assert.equal(elected(b)[0]?.token, 2);
        a.leases.resume(); // the held renewal reaches the store with its old now
        await h.settle();
        assert.equal(a.elector.leading(L), undefined);
        assert.equal((await b.store.leases.get(L))?.holder, 'node-b');
        await h.advance(20_000);
        assert.equal(elected(a).length, 1);
        await b.elector.stop();
        await h.advance(RENEW);
        assert.equal(elected(a).at(-1)?.token, 3, 'a new term, a new token');
      }));

    it('an acquire confirmed after expiry − margin is not acted on; the next term is', () =>
      withCluster(async (h, clock) => {
        const a = await h.node('node-a');
        const t0 = clock.now();
        a.leases.mode = 'stall';
        h.run(a);
        clock.advance(TTL - MARGIN + 500);
        a.leases.resume(); // the store grants token 1 (now = t0), but the answer comes too late
        await h.settle();
        assert.deepEqual(a.events, []);
        assert.ok(a.logs.includes('lease confirmed too late'));
        assert.equal((await a.store.leases.get(L))?.token, 1);
        await h.advance(RENEW);
        assert.deepEqual(elected(a), [{ kind: 'elected', at: t0 + TTL - MARGIN + 500 + RENEW, token: 2 }]);
      }));
  });
}

it('refuses lease timings that cannot hold a term', () => {
  const leases = {} as LeaseRepo;
  const clock = new FakeClock();
  assert.throws(
    () => new LeaderElector({ leases, holder: 'n', clock, ttlMs: 10_000, renewEveryMs: 8_000 }),
    (e: { code?: string }) => e.code === 'NIMBUS_ERR_CLUSTER_TIMING',
  );
  assert.throws(() => new LeaderElector({ leases, holder: '', clock }), /holder/);
  const ok = new LeaderElector({ leases, holder: 'n', clock });
  assert.deepEqual([ok.ttlMs, ok.renewEveryMs, ok.marginMs], [15_000, 5_000, 3_000]);
});
