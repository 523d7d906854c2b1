/**
 * Log retention by age on a fake clock: the tenant's `retentionDays` decides, the sweeper deletes
 * the lines and the invocation records (usage rows) older than that, and nothing newer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../src/core/clock.ts';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const DAY = 86_400_000;

describe('log retention by age (fake clock)', () => {
  // The clock starts now: function lines carry the instance's own time.
  const clock = new FakeClock(Date.now());
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({}, { clock });
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => { console.log(e.text); };`,
    });
    assert.equal(
      (await p.deployDir('aged', dir, { runtime: 'nodejs22.x', handler: 'index.handler' })).status,
      201,
    );
  });
  after(() => p?.stop());

  const lines = async () =>
    (await p.json<{ lines: { message: string }[] }>('GET', '/v1/functions/aged/logs?limit=1000')).body.lines;

  it('deletes lines and records older than the tenant retention, and keeps the rest', async () => {
    const r = await p.json<{ ok: boolean }>('POST', '/v1/functions/aged/invoke', { text: 'an old line' });
    assert.equal(r.body.ok, true);
    await waitUntil('the record', async () => (await lines()).some((l) => l.message.startsWith('REPORT')));
    assert.equal((await p.json('PUT', '/v1/settings/logs', { retentionDays: 3 })).status, 200);
    clock.advance(2 * DAY);
    await p.logRetention.sweep();
    const kept = await lines();
    assert.ok(kept.some((l) => l.message === 'an old line'));
    assert.ok(kept.some((l) => l.message.startsWith('START')));
    assert.equal((await p.json('PUT', '/v1/settings/logs', { retentionDays: 1 })).status, 200);
    const deleted = await p.logRetention.sweep();
    assert.ok(deleted >= 2, `${deleted} rows deleted`);
    assert.deepEqual(await lines(), []);
  });
});
