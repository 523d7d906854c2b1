/**
 * Rollups on a real SQLite store and a fake clock: minutes become rows at the boundary, steps
 * aggregate them, a minute written twice adds up, retention prunes; and the sketch's quantiles.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { FakeClock } from '../core/clock.ts';
import type { Store } from '../core/ports.ts';
import { openStore } from '../store/index.ts';
import { isPostgresReachable, TEST_PG_URL } from '../store/postgres/reachable.ts';
import { aggregate, startRollupWriter } from './rollups.ts';
import { ActivityWindows, Sketch } from './windows.ts';

const MIN = 60_000;
const ok = (durationMs: number) => ({ durationMs, error: false, cold: false, gbSeconds: 0.001 });

/** The store-backed cases, run on SQLite and (when reachable) PostgreSQL. */
function describeRollups(kind: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  describe(`metric rollups (${kind})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = await open());
    });
    after(() => cleanup());

    it('writes one row per active function at the minute boundary, and steps aggregate them', async () => {
      const clock = new FakeClock(Date.UTC(2026, 0, 1, 10, 0, 0));
      const w = new ActivityWindows();
      const errors: unknown[] = [];
      const writer = startRollupWriter({
        windows: w,
        repo: store.metrics,
        clock,
        retentionDays: 14,
        onError: (e) => errors.push(e),
      });
      const t0 = clock.now();
      for (let i = 1; i <= 10; i++) w.observe('acme', 'a', clock.now(), ok(i * 10));
      w.observe('acme', 'a', clock.now(), { durationMs: 500, error: true, cold: true, gbSeconds: 0.5 });
      w.throttle('acme', 'a', clock.now());
      w.observe('acme', 'b', clock.now(), ok(1));
      w.observe('bravo', 'a', clock.now(), ok(1));
      clock.advance(MIN);
      await writer.flush(); // the tick's write is queued before this one: both done
      // Minute 2: only `a` of acme.
      w.observe('acme', 'a', clock.now(), ok(20));
      clock.advance(MIN);
      await writer.flush();
      const rows = await store.metrics.query({ tenant: 'acme', from: t0, to: t0 + 10 * MIN });
      assert.deepEqual(
        rows.map((r) => [
          r.functionName,
          (r.minute - t0) / MIN,
          r.invocations,
          r.errors,
          r.throttles,
          r.coldStarts,
        ]),
        [
          ['a', 0, 11, 1, 1, 1],
          ['b', 0, 1, 0, 0, 0],
          ['a', 1, 1, 0, 0, 0],
        ],
      );
      const a0 = rows[0]!;
      assert.equal(a0.durationSumMs, 1050);
      assert.equal(a0.durationMaxMs, 500);
      assert.ok(Math.abs(a0.durationP50Ms! - 60) / 60 < 0.06, `p50 ${a0.durationP50Ms}`);
      assert.ok(Math.abs(a0.durationP99Ms! - 500) / 500 < 0.06, `p99 ${a0.durationP99Ms}`);
      assert.ok(Math.abs(a0.gbSeconds - 0.51) < 1e-9);
      assert.equal((await store.metrics.query({ tenant: 'bravo', from: t0, to: t0 + 10 * MIN })).length, 1);

      const fnA = rows.filter((r) => r.functionName === 'a');
      assert.deepEqual(aggregate(fnA, 'invocations', t0, t0 + 3 * MIN, MIN), [
        [t0, 11],
        [t0 + MIN, 1],
        [t0 + 2 * MIN, 0],
      ]);
      assert.deepEqual(aggregate(rows, 'invocations', t0, t0 + 5 * MIN, 5 * MIN), [[t0, 13]]);
      const p99 = aggregate(rows, 'duration_p99', t0, t0 + 5 * MIN, 5 * MIN);
      assert.equal(p99.length, 1);
      assert.ok(p99[0]![1] >= 470, 'max of the minutes’ p99s');
      assert.deepEqual(
        aggregate(fnA, 'duration_avg', t0, t0 + 2 * MIN, MIN),
        [
          [t0, 1050 / 11],
          [t0 + MIN, 20],
        ].map(([t, v]) => [t, Math.round(v! * 1e6) / 1e6]),
      );
      await writer.close();
      assert.deepEqual(errors, []);
    });

    it('adds to a minute written twice, and prunes rows older than the retention', async () => {
      const clock = new FakeClock(Date.UTC(2026, 1, 1, 0, 0, 0));
      const t0 = clock.now();
      const w = new ActivityWindows();
      w.observe('t', 'f', t0, ok(5));
      // A stop mid-minute writes the minute as it is; a restart within it adds to it.
      let writer = startRollupWriter({
        windows: w,
        repo: store.metrics,
        clock,
        retentionDays: 14,
        onError: (e) => assert.fail(String(e)),
      });
      await writer.close();
      w.observe('t', 'f', t0 + 1000, ok(50));
      writer = startRollupWriter({
        windows: w,
        repo: store.metrics,
        clock,
        retentionDays: 14,
        onError: (e) => assert.fail(String(e)),
      });
      await writer.close();
      const [row] = await store.metrics.query({ tenant: 't', functionName: 'f', from: t0, to: t0 + MIN });
      assert.equal(row?.invocations, 2);
      assert.equal(row?.durationMaxMs, 50);

      // 15 days later the tick prunes it.
      writer = startRollupWriter({
        windows: w,
        repo: store.metrics,
        clock,
        retentionDays: 14,
        onError: (e) => assert.fail(String(e)),
      });
      clock.advance(15 * 86_400_000);
      await writer.flush();
      assert.deepEqual(await store.metrics.query({ tenant: 't', from: t0, to: t0 + MIN }), []);
      await writer.close();
    });
  });
}

describeRollups('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-rollups-'));
  const store = await openStore({ url: 'sqlite', dataDir: dir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

if (await isPostgresReachable())
  describeRollups('postgres', async () => {
    const schema = `nimbus_test_${randomBytes(4).toString('hex')}`;
    const store = await openStore({ url: TEST_PG_URL, dataDir: '/nonexistent', schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        const c = new pg.Client({ connectionString: TEST_PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  });

describe('duration sketch', () => {
  it('quantiles are within 5 % of the exact ones', () => {
    const s = new Sketch();
    const w = new ActivityWindows();
    const xs: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const v = 0.2 * 1.013 ** i;
      xs.push(v);
      w.observe('t', 'f', 0, ok(v));
    }
    const rows = w.unwritten('t');
    for (const v of xs) s.add(Math.floor(Math.log(v / 0.01) / Math.log(1.1)));
    for (const [q, got] of [
      [0.5, rows[0]!.durationP50Ms!],
      [0.99, rows[0]!.durationP99Ms!],
    ] as const) {
      const exact = xs[Math.ceil(q * xs.length) - 1]!;
      assert.ok(Math.abs(got - exact) / exact < 0.05, `q${q}: ${got} vs ${exact}`);
    }
    assert.equal(s.n, 1000);
  });
});
