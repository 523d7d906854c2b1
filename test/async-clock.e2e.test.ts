/**
 * Async retry timing and event age on a real platform driven by a fake clock: Lambda's default
 * backoff (≈1 min, then ≈2 min, with jitter) is observed without waiting for it.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../src/core/clock.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

type View = {
  status: string;
  attempts: number;
  failures: number;
  error?: { reason?: string };
  result?: unknown;
};

describe('async retries on a fake clock', () => {
  const clock = new FakeClock();
  let p: TestPlatform;
  const status = async (id: string) => (await p.json<View>('GET', `/v1/invocations/${id}`)).body;
  const until = async (id: string, ok: (v: View) => boolean) => {
    const end = Date.now() + 15_000;
    for (;;) {
      const v = await status(id);
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`gave up on ${id}: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const advance = (ms: number) => {
    clock.advance(ms);
    p.async.kick();
  };
  const quiet = () => new Promise((r) => setTimeout(r, 300));

  before(async () => {
    // Webhook destinations to a receiver on this host are allowed (the retry test below).
    p = await startTestPlatform({ egressAllowCidrs: '127.0.0.0/8' }, { clock });
    const dir = await fixture({
      'index.mjs': `const seen = {};
        export const handler = async (e) => {
          seen[e.k] = (seen[e.k] ?? 0) + 1;
          if (seen[e.k] <= e.failTimes) throw new Error('fail ' + seen[e.k]);
          return { tries: seen[e.k] };
        };`,
    });
    assert.ok(
      (await p.deployDir('flaky', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
    );
    assert.ok(
      (
        await p.deployDir('aging', dir, {
          runtime: 'nodejs24.x',
          handler: 'index.handler',
          async: { maximumEventAgeSec: 60, maximumRetryAttempts: 2 },
        })
      ).status < 300,
    );
  });
  after(() => p?.stop());

  it('waits 30–60 s before the first retry and 60–120 s before the second (defaults)', async () => {
    const r = await p.json<{ id: string }>('POST', '/v1/functions/flaky/invoke-async', {
      k: 'a',
      failTimes: 2,
    });
    const id = r.body.id;
    await until(id, (v) => v.status === 'retrying' && v.failures === 1);
    advance(29_999);
    await quiet();
    assert.equal((await status(id)).attempts, 1, 'no retry before half the base delay');
    advance(30_001);
    await until(id, (v) => v.failures === 2);
    advance(59_999);
    await quiet();
    assert.equal((await status(id)).attempts, 2, 'second retry waits at least 60 s');
    advance(60_001);
    const v = await until(id, (x) => x.status === 'succeeded');
    assert.equal(v.attempts, 3);
    assert.deepEqual(v.result, { tries: 3 });
  });

  it('dead-letters with EventAgeExceeded when the next retry would be too old', async () => {
    const r = await p.json<{ id: string }>('POST', '/v1/functions/aging/invoke-async', {
      k: 'b',
      failTimes: 5,
    });
    const id = r.body.id;
    await until(id, (v) => v.failures === 1);
    advance(60_000);
    // The second retry (60–120 s after the second failure) lies beyond the 60 s event age.
    const v = await until(id, (x) => x.status === 'failed');
    assert.equal(v.error?.reason, 'EventAgeExceeded');
    assert.equal(v.attempts, 2);
  });

  it('holds the lease past the 60 s base lease for a function whose timeout is longer (no second delivery)', async () => {
    const dir = await fixture({
      'index.mjs':
        'export const handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return 1; };',
    });
    assert.ok(
      (await p.deployDir('long', dir, { runtime: 'nodejs24.x', handler: 'index.handler', timeoutSec: 120 }))
        .status < 300,
    );
    const r = await p.json<{ id: string }>('POST', '/v1/functions/long/invoke-async', {});
    const id = r.body.id;
    await until(id, (x) => x.status === 'running');
    // 90 s of platform time pass while it runs: past the 60 s base lease, within its timeout.
    advance(90_000);
    await quiet();
    const v = await until(id, (x) => x.status === 'succeeded');
    assert.equal(v.attempts, 1, 'the lease was extended: the event was not delivered a second time');
  });

  it('retries a failing webhook destination with backoff, then dead-letters it', async () => {
    let hits = 0;
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        res.statusCode = 500;
        res.end('unavailable');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/dest`;
      const dir = await fixture({
        'index.mjs': "export const handler = async () => { throw new Error('boom'); };",
      });
      assert.ok(
        (
          await p.deployDir('dest-fails', dir, {
            runtime: 'nodejs24.x',
            handler: 'index.handler',
            async: { maximumRetryAttempts: 0, onFailure: url },
          })
        ).status < 300,
      );
      const r = await p.json<{ id: string }>('POST', '/v1/functions/dest-fails/invoke-async', {});
      await until(r.body.id, (x) => x.status === 'failed');
      const deadHook = async () =>
        (
          await p.json<{ deadLetters: (View & { functionName: string })[] }>('GET', '/v1/queues/dlq')
        ).body.deadLetters.find((d) => d.functionName === `webhook:${url}`);
      let dead: (View & { functionName: string }) | undefined;
      for (let i = 0; i < 40 && !dead; i++) {
        // Each retry is due within the policy's backoff (≤ 5 min): move platform time past it.
        advance(5 * 60_000);
        await quiet();
        dead = await deadHook();
      }
      assert.ok(dead, 'the destination was dead-lettered');
      // The first delivery and 5 retries; a jump of platform time while a delivery is in flight
      // can expire its lease and deliver it once more (at least once), hence the upper margin.
      assert.ok(hits >= 6 && hits <= 8, `deliveries: ${hits}`);
      assert.ok(dead.failures >= 6, `failures: ${dead.failures}`);
    } finally {
      receiver.close();
    }
  });
});
