/**
 * The budget service on a fake clock and a real SQLite store: periods (calendar month, N days),
 * spend loaded from usage records at start, the cap at admission, rollover, thresholds announced
 * once per period (and not again after a restart), a raised limit releasing the block.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import { isNimbusError } from '../core/errors.ts';
import type { Store } from '../core/ports.ts';
import type { UsageRecord } from '../core/types.ts';
import { openStore } from '../store/index.ts';
import { type BudgetService, createBudgetService, parseBudgetInput, periodAt } from './index.ts';

const DAY = 86_400_000;

describe('budgets', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nimbus-budgets-'));
    store = await openStore({ url: 'sqlite', dataDir: dir });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const usage = (
    tenant: string,
    fn: string,
    startedAt: number,
    costUsd: number,
    id: string,
  ): UsageRecord => ({
    tenant,
    requestId: id,
    functionName: fn,
    version: '1',
    startedAt,
    durationMs: 1,
    billedDurationMs: 1,
    memoryMb: 128,
    maxRssBytes: 1,
    gbSeconds: 0.000125,
    outcome: 'success',
    costUsd,
  });
  const refused = (b: BudgetService, tenant: string, fn: string) => {
    try {
      b.admit(tenant, fn);
      return undefined;
    } catch (e) {
      assert.ok(isNimbusError(e));
      return e;
    }
  };

  it('computes calendar-month and N-day periods', () => {
    const t = Date.UTC(2026, 11, 31, 23, 59);
    assert.deepEqual(periodAt({ period: { kind: 'monthly' }, anchor: 0 }, t), {
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1),
    });
    const anchor = Date.UTC(2026, 0, 1);
    assert.deepEqual(periodAt({ period: { kind: 'days', days: 7 }, anchor }, anchor + 10 * DAY), {
      start: anchor + 7 * DAY,
      end: anchor + 14 * DAY,
    });
  });

  it('loads the spend, blocks at the cap, announces each threshold once, and rolls over with the month', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 7, 12));
    // Spent before the service starts: $3 this month, $100 last month (not counted).
    await store.usage.recordMany([
      usage('t1', 'f', Date.UTC(2026, 11, 2), 3, 'old-1'),
      usage('t1', 'f', Date.UTC(2026, 10, 20), 100, 'old-2'),
      usage('t1', 'g', Date.UTC(2026, 11, 3), 1, 'old-3'),
    ]);
    const events: { topic: string; data: Record<string, unknown> }[] = [];
    const deps = {
      store,
      clock,
      flush: async () => {},
      publish: async (_t: string, topic: string, e: Record<string, unknown>) => {
        events.push({ topic, data: e.data as Record<string, unknown> });
      },
    };
    const b = createBudgetService(deps);
    await b.start();
    const s = await b.put('t1', 'f-month', parseBudgetInput({ limitUsd: 5, function: 'f', topic: 'alerts' }));
    assert.equal(s.spentUsd, 3);
    assert.equal(s.blocking, false);
    assert.deepEqual(
      events.map((e) => e.data.thresholdPercent),
      [50],
    );
    assert.equal(refused(b, 't1', 'f'), undefined);
    b.record(usage('t1', 'f', clock.now(), 1.5, 'n1')); // 4.5: 90 %
    b.record(usage('t1', 'g', clock.now(), 50, 'n2')); // another function: not this budget's
    assert.deepEqual(
      events.map((e) => e.data.thresholdPercent),
      [50, 80],
    );
    assert.equal(refused(b, 't1', 'f'), undefined);
    b.record(usage('t1', 'f', clock.now(), 0.5, 'n3')); // 5.0: the cap
    const e = refused(b, 't1', 'f');
    assert.equal(e?.code, 'NIMBUS_ERR_BUDGET_EXCEEDED');
    assert.equal(e?.status, 429);
    assert.equal(e?.retryAfterMs, Date.UTC(2027, 0, 1) - clock.now());
    assert.equal(b.blockedUntil('t1', 'f'), Date.UTC(2027, 0, 1));
    assert.equal(refused(b, 't1', 'g'), undefined);
    assert.equal(refused(b, 't2', 'f'), undefined);
    assert.deepEqual(
      events.map((x) => x.data.thresholdPercent),
      [50, 80, 100],
    );
    // A restart loads the same spend and does not announce the same thresholds again.
    await store.usage.recordMany([
      usage('t1', 'f', clock.now(), 1.5, 'n1'),
      usage('t1', 'f', clock.now(), 0.5, 'n3'),
    ]);
    const b2 = createBudgetService(deps);
    await b2.start();
    assert.equal(refused(b2, 't1', 'f')?.code, 'NIMBUS_ERR_BUDGET_EXCEEDED');
    assert.equal(events.length, 3);
    // Raised: released at once.
    await b2.put('t1', 'f-month', parseBudgetInput({ limitUsd: 10, function: 'f', topic: 'alerts' }));
    assert.equal(refused(b2, 't1', 'f'), undefined);
    // Lowered again, then the month rolls over: spend starts from zero.
    await b2.put('t1', 'f-month', parseBudgetInput({ limitUsd: 5, function: 'f' }));
    assert.ok(refused(b2, 't1', 'f'));
    clock.advance(Date.UTC(2027, 0, 1) - clock.now());
    assert.equal(refused(b2, 't1', 'f'), undefined);
    assert.equal((await b2.get('t1', 'f-month')).spentUsd, 0);
  });

  it('a notify budget never blocks; a tenant budget covers every function', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    const b = createBudgetService({ store, clock, flush: async () => {} });
    await b.put('t3', 'watch', parseBudgetInput({ limitUsd: 1, action: 'notify' }));
    await b.put('t3', 'all', parseBudgetInput({ limitUsd: 2, period: { days: 1 } }));
    b.record(usage('t3', 'a', clock.now(), 1.5, 'x1'));
    assert.equal(refused(b, 't3', 'a'), undefined);
    b.record(usage('t3', 'b', clock.now(), 0.5, 'x2'));
    assert.equal(refused(b, 't3', 'a')?.code, 'NIMBUS_ERR_BUDGET_EXCEEDED');
    assert.equal(refused(b, 't3', 'b')?.code, 'NIMBUS_ERR_BUDGET_EXCEEDED');
    const list = await b.list('t3');
    assert.deepEqual(
      list.map((x) => [x.name, x.blocking]),
      [
        ['all', true],
        ['watch', false],
      ],
    );
    clock.advance(DAY);
    assert.equal(refused(b, 't3', 'a'), undefined);
    await b.delete('t3', 'all');
    await assert.rejects(b.delete('t3', 'all'), /does not exist/);
  });
});
