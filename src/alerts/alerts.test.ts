/**
 * Alert rules on a fake clock, reading the real rollups (ActivityWindows + the rollup writer +
 * the SQLite store): an error-rate rule goes pending, fires after its for-duration, notifies
 * once, resolves when the errors stop; state survives a restart without a second notification;
 * queue and budget metrics; bad rules are coded 400s.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import type { Store } from '../core/ports.ts';
import { startRollupWriter } from '../observability/rollups.ts';
import { ActivityWindows } from '../observability/windows.ts';
import { openStore } from '../store/index.ts';
import { type AlertDeps, createAlertService, parseAlertRule, rollupMinutes, windowValue } from './index.ts';

const MIN = 60_000;

describe('alerts', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nimbus-alerts-'));
    store = await openStore({ url: 'sqlite', dataDir: dir });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fires after its for-duration, notifies once, resolves, and keeps its state across a restart', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 0));
    const windows = new ActivityWindows();
    const writer = startRollupWriter({
      windows,
      repo: store.metrics,
      clock,
      retentionDays: 14,
      onError: (e) => assert.fail(String(e)),
    });
    const events: { topic: string; type: string; data: Record<string, unknown> }[] = [];
    const invoked: { fn: string; payload: string; key: string }[] = [];
    const deps: AlertDeps = {
      settings: store.settings,
      clock,
      minutes: rollupMinutes(store.metrics, windows),
      publish: async (_t, topic, e) => {
        events.push({ topic, type: String(e.type), data: e.data as Record<string, unknown> });
      },
      invokeAsync: async (_t, fn, payload, key) => {
        invoked.push({ fn, payload, key });
      },
      intervalMs: 30_000,
      onError: (e) => assert.fail(String(e)),
    };
    const alerts = createAlertService(deps);
    await alerts.start();
    await alerts.put('acme', 'api-errors', {
      metric: 'error_rate',
      function: 'api',
      op: '>',
      threshold: 10,
      windowSec: 120,
      forSec: 60,
      notify: [{ topic: 'ops' }, { function: 'pager' }],
    });
    const traffic = (n: number, errors: number) => {
      for (let i = 0; i < n; i++)
        windows.observe('acme', 'api', clock.now(), {
          durationMs: 5,
          error: i < errors,
          cold: false,
          gbSeconds: 0,
        });
    };
    // Healthy minute: 2 % errors.
    traffic(50, 1);
    clock.advance(30_000);
    await alerts.evaluate();
    assert.equal((await alerts.get('acme', 'api-errors')).state, 'ok');
    // Errors start: 40 % over the window → pending (for 60 s), then firing.
    traffic(50, 40);
    clock.advance(30_000); // 12:01:00 — the rollup writer stores 12:00
    await writer.flush();
    await alerts.evaluate();
    let v = await alerts.get('acme', 'api-errors');
    assert.equal(v.state, 'pending');
    assert.ok(v.value! > 10);
    traffic(20, 10);
    clock.advance(30_000);
    await alerts.evaluate();
    assert.equal((await alerts.get('acme', 'api-errors')).state, 'pending');
    traffic(20, 10);
    clock.advance(30_000);
    await alerts.evaluate();
    v = await alerts.get('acme', 'api-errors');
    assert.equal(v.state, 'firing');
    assert.deepEqual(
      events.map((e) => [e.topic, e.type, e.data.alert]),
      [['ops', 'nimbus.alert.firing', 'api-errors']],
    );
    assert.equal(invoked.length, 1);
    assert.equal(invoked[0]!.fn, 'pager');
    assert.equal(JSON.parse(invoked[0]!.payload).state, 'firing');
    // Still failing: no second notification (deduplicated).
    traffic(20, 10);
    clock.advance(30_000);
    await alerts.evaluate();
    assert.equal(events.length, 1);

    // A restart keeps the firing state and does not notify again.
    alerts.close();
    const again = createAlertService(deps);
    await again.start();
    assert.equal((await again.get('acme', 'api-errors')).state, 'firing');
    traffic(20, 10);
    clock.advance(30_000);
    await again.evaluate();
    assert.equal(events.length, 1);

    // The errors stop; once the bad minutes leave the 2-minute window, it resolves (once).
    for (let i = 0; i < 6; i++) {
      traffic(30, 0);
      clock.advance(30_000);
      await again.evaluate();
    }
    assert.equal((await again.get('acme', 'api-errors')).state, 'ok');
    assert.deepEqual(
      events.map((e) => e.type),
      ['nimbus.alert.firing', 'nimbus.alert.resolved'],
    );
    assert.equal(invoked.length, 2);
    assert.notEqual(invoked[0]!.key, invoked[1]!.key);
    again.close();
    await writer.close();
  });

  it('watches dead letters, queue age and budgets; no data is not a breach', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 7, 13));
    let dead = 0;
    const events: string[] = [];
    const alerts = createAlertService({
      settings: store.settings,
      clock,
      minutes: async () => [],
      queues: async () => [
        { functionName: 'worker', dead, oldestAgeMs: 90_000 },
        { functionName: 'other', dead: 0, oldestAgeMs: 5_000 },
      ],
      budgetPercent: async (_t, name) => (name === 'monthly' ? 85 : undefined),
      publish: async (_t, _topic, e) => {
        events.push(`${e.type} ${(e.data as { alert: string }).alert}`);
      },
    });
    await alerts.start();
    await alerts.put('t9', 'dlq', {
      metric: 'dead_letters',
      function: 'worker',
      op: '>',
      threshold: 0,
      notify: [{ topic: 'x' }],
    });
    await alerts.put('t9', 'lag', {
      metric: 'queue_age_sec',
      op: '>=',
      threshold: 60,
      notify: [{ topic: 'x' }],
    });
    await alerts.put('t9', 'spend', {
      metric: 'budget_percent',
      budget: 'monthly',
      op: '>=',
      threshold: 80,
      notify: [{ topic: 'x' }],
    });
    await alerts.put('t9', 'quiet', {
      metric: 'error_rate',
      op: '>',
      threshold: 0,
      notify: [{ topic: 'x' }],
    });
    await alerts.evaluate();
    assert.deepEqual(events.sort(), ['nimbus.alert.firing lag', 'nimbus.alert.firing spend']);
    dead = 3;
    await alerts.evaluate();
    assert.ok(events.includes('nimbus.alert.firing dlq'));
    assert.equal((await alerts.get('t9', 'quiet')).value, null);
    assert.equal((await alerts.list('t9')).length, 4);
    await alerts.delete('t9', 'quiet');
    await assert.rejects(alerts.get('t9', 'quiet'), /does not exist/);
    alerts.close();
  });

  it('refuses bad rules with coded errors, and computes windowed values', () => {
    for (const [name, body] of [
      ['bad name!', { metric: 'errors', threshold: 1 }],
      ['a', { metric: 'cpu', threshold: 1 }],
      ['a', { metric: 'errors', threshold: 'x' }],
      ['a', { metric: 'errors', threshold: 1, op: '=>' }],
      ['a', { metric: 'errors', threshold: 1, windowSec: 90 }],
      ['a', { metric: 'errors', threshold: 1, forSec: -1 }],
      ['a', { metric: 'budget_percent', threshold: 1 }],
      ['a', { metric: 'errors', threshold: 1, notify: [{ webhook: 'ftp://x' }] }],
      ['a', { metric: 'errors', threshold: 1, notify: [{ webhook: 'https://user:pw@x.example' }] }],
      ['a', { metric: 'errors', threshold: 1, notify: [{ webhook: 'https://x.example', topic: 't' }] }],
      ['a', { metric: 'errors', threshold: 1, extra: 1 }],
      ['a', [1]],
    ] as const) {
      assert.throws(
        () => parseAlertRule(name, body),
        (e: Error & { code?: string }) => e.code === 'NIMBUS_ERR_ALERT_INVALID',
      );
    }
    assert.deepEqual(
      parseAlertRule('w', { metric: 'errors', threshold: 1, notify: [{ webhook: 'https://h.example/x' }] })
        .notify,
      [{ webhook: 'https://h.example/x' }],
    );
    const rows = [
      {
        functionName: 'f',
        minute: 0,
        invocations: 10,
        errors: 1,
        throttles: 2,
        coldStarts: 1,
        durationSumMs: 100,
        durationP99Ms: 30,
      },
      {
        functionName: 'g',
        minute: MIN,
        invocations: 10,
        errors: 3,
        throttles: 0,
        coldStarts: 0,
        durationSumMs: 300,
        durationP99Ms: 80,
      },
    ];
    assert.equal(windowValue('error_rate', rows), 20);
    assert.equal(windowValue('duration_avg', rows), 20);
    assert.equal(windowValue('duration_p99', rows), 80);
    assert.equal(windowValue('throttles', rows), 2);
    assert.equal(windowValue('error_rate', []), null);
  });
});
