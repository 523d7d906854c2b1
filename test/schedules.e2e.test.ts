/**
 * Schedules end to end with a fake clock (no waiting for minutes): REST and manifest schedules
 * fire through the durable async path (cold-starting the function), exactly once per tick —
 * including when a tick was submitted but its advance was lost in a crash — and the misfire
 * policy decides what happens to ticks missed while the platform was down.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../src/core/clock.ts';
import { openStore } from '../src/store/index.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { type Sink, type SinkRequest, startSink } from './support/sink.ts';

const MIN = 60_000;
const ADMIN = { adminKeyId: 'NKSCHEDULETEST000001', adminSecret: 'schedule-test-secret-0123456789' };

describe('schedules (e2e, fake clock)', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 0));
  const hits: { name: string; time: string }[] = [];
  let counter: Sink;
  const onCounter = (r: SinkRequest) => {
    const u = new URL(r.url ?? '/', 'http://x');
    hits.push({ name: u.searchParams.get('name') ?? '', time: u.searchParams.get('time') ?? '' });
  };
  let p: TestPlatform;
  let dataDir = '';
  let code = '';

  const hitsOf = (name: string) => hits.filter((h) => h.name === name);
  const waitHits = async (name: string, n: number) => {
    const end = Date.now() + 20_000;
    while (hitsOf(name).length < n) {
      if (Date.now() > end) throw new Error(`expected ${n} hits for ${name}, got ${hitsOf(name).length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  /** Moves the fake clock and lets the runner and dispatcher act on it. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await p.schedules.tick();
    p.async.kick();
  };
  /**
   * Waits until nothing is queued or running: every fire the runner submitted has run and been
   * acknowledged (its hit recorded), so "no more hits" is a real observation, not a guess.
   */
  const settle = async () => {
    const end = Date.now() + 15_000;
    for (;;) {
      const q = await p.json<{ queues: { ready: number; inflight: number }[] }>('GET', '/v1/queues');
      if (q.body.queues.every((x) => x.ready === 0 && x.inflight === 0)) return;
      if (Date.now() > end) throw new Error(`the async queue did not drain: ${JSON.stringify(q.body)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const start = async () => {
    p = await startTestPlatform({ ...ADMIN, dataDir }, { clock });
  };

  before(async () => {
    counter = await startSink(onCounter);
    code = await fixture({
      'index.mjs': `export const handler = async (e) => {
        const name = e.name ?? e.resources?.[0]?.split('/').pop();
        const time = e.time ?? '';
        await (await fetch('${counter.url}/hit?name=' + name + '&time=' + time)).text();
        return { name, time };
      };`,
    });
    const first = await startTestPlatform(ADMIN, { clock });
    dataDir = first.dataDir;
    p = first;
    const r = await p.deployDir('tick', code, { runtime: 'nodejs22.x', handler: 'index.handler' });
    assert.ok(r.status < 300);
  });
  after(async () => {
    await p.stop();
    await rm(code, { recursive: true, force: true });
    counter?.close();
  });

  it('fires a rate schedule once per tick with an EventBridge Scheduled Event', async () => {
    const put = await p.json<{ nextFireAt: string; name: string }>('PUT', '/v1/schedules/every5', {
      function: 'tick',
      expression: 'rate(5 minutes)',
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.nextFireAt, '2026-01-01T00:05:00.000Z');
    await advance(4 * MIN);
    await settle();
    assert.equal(hitsOf('every5').length, 0, 'not before its time');
    await advance(1 * MIN);
    await waitHits('every5', 1);
    assert.equal(hitsOf('every5')[0]?.time, '2026-01-01T00:05:00Z');
    await settle(); // let the invocation be acked before time jumps past its lease
    await advance(5 * MIN);
    await waitHits('every5', 2);
    await settle();
    assert.equal(hitsOf('every5').length, 2);
    const s = await p.json<{ nextFireAt: string; lastFireAt: string }>('GET', '/v1/schedules/every5');
    assert.equal(s.body.nextFireAt, '2026-01-01T00:15:00.000Z');
    assert.equal(s.body.lastFireAt, '2026-01-01T00:10:00.000Z');
  });

  it('passes a constant input, honours enabled=false, rejects bad expressions with a coded error', async () => {
    await p.json('PUT', '/v1/schedules/with-input', {
      function: 'tick',
      expression: 'cron(*/10 * * * ? *)',
      input: { name: 'with-input', time: 'constant' },
    });
    await p.json('PUT', '/v1/schedules/off', {
      function: 'tick',
      expression: 'rate(1 minute)',
      enabled: false,
    });
    const bad = await p.json<{ error: { code: string } }>('PUT', '/v1/schedules/bad', {
      function: 'tick',
      expression: 'cron(0 12 * * * *)',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'NIMBUS_ERR_SCHEDULE_BAD_EXPRESSION');
    await advance(10 * MIN);
    await waitHits('with-input', 1);
    assert.equal(hitsOf('with-input')[0]?.time, 'constant');
    assert.equal(hitsOf('off').length, 0);
    assert.equal((await p.api('DELETE', '/v1/schedules/with-input')).status, 204);
    assert.equal((await p.api('DELETE', '/v1/schedules/off')).status, 204);
    assert.equal((await p.api('DELETE', '/v1/schedules/every5')).status, 204);
  });

  it('fires after a restart and never twice for one tick, even when the advance was lost', async () => {
    const put = await p.json<{ nextFireAt: string }>('PUT', '/v1/schedules/durable', {
      function: 'tick',
      expression: 'rate(1 hour)',
    });
    const tick = Date.parse(put.body.nextFireAt);
    const before = hitsOf('durable').length;
    await advance(tick - clock.now());
    await waitHits('durable', before + 1);
    await settle();
    await p.close();
    // Simulate a crash between "tick submitted" and "next tick saved": roll the schedule back.
    const store = await openStore({ url: 'sqlite', dataDir });
    const s = await store.schedules.get('default', 'durable');
    assert.ok(s?.nextFireAt);
    assert.equal(await store.schedules.advance('default', 'durable', s.nextFireAt, tick), true);
    await store.close();
    await start();
    await p.schedules.tick();
    p.async.kick();
    await settle();
    await settle();
    assert.equal(hitsOf('durable').length, before + 1, 'the re-submitted tick was deduplicated');
    const after1 = await p.json<{ nextFireAt: string }>('GET', '/v1/schedules/durable');
    assert.equal(after1.body.nextFireAt, new Date(tick + 60 * MIN).toISOString());
    await advance(60 * MIN);
    await waitHits('durable', before + 2);
    await p.api('DELETE', '/v1/schedules/durable');
  });

  it('applies the misfire policy to ticks missed while the platform was down', async () => {
    await p.json('PUT', '/v1/schedules/catchup', { function: 'tick', expression: 'rate(10 minutes)' });
    await p.json('PUT', '/v1/schedules/skipper', {
      function: 'tick',
      expression: 'rate(10 minutes)',
      misfire: 'skip',
    });
    await p.close();
    clock.advance(3 * 60 * MIN + 7 * MIN); // down for 3 h 7 min: ~18 ticks missed
    await start();
    await p.schedules.tick();
    p.async.kick();
    await waitHits('catchup', 1);
    await settle();
    assert.equal(hitsOf('catchup').length, 1, 'fireOnce: one catch-up fire, not 18');
    assert.equal(hitsOf('skipper').length, 0, 'skip: missed ticks are dropped');
    for (const name of ['catchup', 'skipper']) {
      const s = await p.json<{ nextFireAt: string }>('GET', `/v1/schedules/${name}`);
      assert.ok(Date.parse(s.body.nextFireAt) > clock.now(), `${name}: next tick is in the future`);
    }
    // The next tick fires on time (advance exactly to it: a later jump would itself be a misfire).
    const next = await p.json<{ nextFireAt: string }>('GET', '/v1/schedules/skipper');
    await advance(Date.parse(next.body.nextFireAt) - clock.now());
    await waitHits('skipper', 1);
  });

  it('deploys manifest schedules per function and replaces them on redeploy', async () => {
    const r = await p.json<{ schedules: { name: string; timezone: string; nextFireAt: string }[] }>(
      'PUT',
      '/v1/functions/tick/schedules',
      {
        schedules: [
          { name: 'tick-schedule-1', expression: 'cron(0 12 * * ? *)', timezone: 'Europe/Paris' },
          { name: 'tick-schedule-2', expression: 'rate(1 day)' },
        ],
      },
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.schedules[0]?.timezone, 'Europe/Paris');
    assert.match(r.body.schedules[0]?.nextFireAt ?? '', /T11:00:00\.000Z$/);
    const again = await p.json<{ schedules: { name: string }[] }>('PUT', '/v1/functions/tick/schedules', {
      schedules: [{ name: 'tick-schedule-1', expression: 'cron(0 12 * * ? *)', timezone: 'Europe/Paris' }],
    });
    assert.deepEqual(
      again.body.schedules.map((s) => s.name),
      ['tick-schedule-1'],
    );
    const all = await p.json<{ schedules: { name: string; origin: string }[] }>('GET', '/v1/schedules');
    assert.deepEqual(
      all.body.schedules.filter((s) => s.origin === 'manifest').map((s) => s.name),
      ['tick-schedule-1'],
    );
  });
});
