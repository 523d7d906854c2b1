/** The real `nimbus` CLI for durable async work: invoke --async, invocations, timers, queues, dead letters. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliRunner, fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

describe('nimbus CLI: async', () => {
  let p: TestPlatform;
  let env: NodeJS.ProcessEnv;
  const cli = cliRunner(() => env);

  before(async () => {
    p = await startTestPlatform();
    env = {
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_KEY_ID: p.admin.keyId,
      NIMBUS_SECRET: p.secret,
    };
    const ok = await fixture({ 'index.mjs': 'export const handler = async (e) => ({ echo: e });' });
    const bad = await fixture({
      'index.mjs': "export const handler = async () => { throw new Error('nope'); };",
    });
    assert.ok(
      (await p.deployDir('echo', ok, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
    );
    assert.ok(
      (
        await p.deployDir('bad', bad, {
          runtime: 'nodejs24.x',
          handler: 'index.handler',
          async: { maximumRetryAttempts: 0 },
        })
      ).status < 300,
    );
  });
  after(() => p?.stop());

  it('queues with --async, waits with --wait, dedupes with --idempotency-key', async () => {
    const a = await cli('invoke', 'echo', '--async', '-d', '{"n":1}', '--idempotency-key', 'k1');
    assert.equal(a.code, 0, a.stderr);
    const id = a.stdout.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const b = await cli('invoke', 'echo', '--async', '-d', '{"n":2}', '--idempotency-key', 'k1');
    assert.match(b.stdout, new RegExp(`${id}.*duplicate`));
    const w = await cli('invoke', 'echo', '--async', '--wait', '--json', '-d', '{"n":3}');
    assert.equal(w.code, 0, w.stderr);
    const v = JSON.parse(w.stdout);
    assert.equal(v.status, 'succeeded');
    assert.deepEqual(v.result, { echo: { n: 3 } });
    const g = await cli('invocations', 'get', id);
    assert.equal(g.code, 0, g.stderr);
    const got = JSON.parse(g.stdout) as { id: string; status: string };
    assert.equal(got.id, id);
    assert.ok(['queued', 'running', 'succeeded'].includes(got.status), got.status);
  });

  it('lists, shows, replays and purges dead letters; refuses a purge without a selector', async () => {
    const w = await cli('invoke', 'bad', '--async', '--wait', '--json');
    assert.equal(w.code, 1, 'a failed invocation exits 1');
    const id = JSON.parse(w.stdout).id;
    const list = await cli('queues', 'dlq', 'list', '--function', 'bad');
    assert.match(list.stdout, new RegExp(id));
    assert.match(list.stdout, /RetriesExhausted/);
    const show = await cli('queues', 'dlq', 'show', id);
    assert.equal(JSON.parse(show.stdout).status, 'failed');
    const rep = await cli('queues', 'dlq', 'replay', id);
    assert.match(rep.stdout, /replayed 1/);
    const none = await cli('queues', 'dlq', 'purge');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /--function NAME or --all/);
    // The replayed event fails again (no retries) and is dead again: purge it.
    for (let i = 0; i < 100; i++) {
      if ((await cli('queues', 'dlq', 'list', '--function', 'bad')).stdout.includes(id)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const pur = await cli('queues', 'dlq', 'purge', '--function', 'bad');
    assert.match(pur.stdout, /purged 1/);
    const stats = await cli('queues', 'stats');
    assert.match(stats.stdout, /FUNCTION\s+READY/);
  });

  it('shows per-function instance status', async () => {
    await cli('invoke', 'echo', '-d', '{}');
    const st = await cli('functions', 'status');
    assert.equal(st.code, 0, st.stderr);
    assert.match(
      st.stdout,
      /FUNCTION\s+WARM\s+BUSY\s+STARTING\s+PROVISIONED\s+IN FLIGHT\s+WAITING\s+LIMIT\s+INVOCATIONS\s+COLD STARTS/,
    );
    // echo: warm 1, busy 0, starting 0, provisioned 0, in flight 0, waiting 0, limit, invocations, cold starts 1
    assert.match(st.stdout, /\becho\s+1\s+0\s+0\s+0\s+0\s+0\s+\d+\s+\d+\s+1\b/);
  });

  it('sets, lists and deletes schedules', async () => {
    const s = await cli(
      'schedules',
      'set',
      'nightly',
      'echo',
      'cron(0 2 * * ? *)',
      '--timezone',
      'Europe/Paris',
    );
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /nightly: cron\(0 2 \* \* \? \*\) → echo, next .*T01:00:00/);
    assert.match((await cli('schedules', 'list')).stdout, /nightly\s+echo/);
    const bad = await cli('schedules', 'set', 'x', 'echo', 'cron(bad)');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid schedule expression/);
    assert.match((await cli('schedules', 'delete', 'nightly')).stdout, /deleted nightly/);
  });

  it('creates topics, publishes CloudEvents and lists subscriptions and webhooks', async () => {
    assert.match((await cli('topics', 'create', 'cli-topic')).stdout, /topic cli-topic/);
    await p.json('POST', '/v1/topics/cli-topic/subscriptions', {
      target: 'echo',
      pattern: { type: ['x.y'] },
    });
    const pub = await cli('publish', 'cli-topic', '--type', 'x.y', '-d', '{"a":1}', '--id', 'cli-1');
    assert.equal(pub.code, 0, pub.stderr);
    assert.match(pub.stdout, /cli-1 → 1 subscription/);
    assert.match((await cli('subscriptions', 'list', '--topic', 'cli-topic')).stdout, /function:echo/);
    const hook = await cli('webhooks', 'create', 'cli-topic', '--verify', 'github', '--id', 'cli-hook');
    assert.match(hook.stdout, /\/hooks\/cli-hook/);
    assert.match(hook.stdout, /secret \(shown once\): whsec_/);
    assert.match((await cli('webhooks', 'list')).stdout, /cli-hook/);
    assert.match((await cli('topics', 'list')).stdout, /cli-topic/);
    assert.match((await cli('sources', 'list')).stdout, /ID\s+FUNCTION/);
    const bad = await cli('publish', 'nope', '--type', 't');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /topic nope does not exist/);
  });

  it('schedules, lists and cancels timers', async () => {
    const s = await cli('timers', 'schedule', 'echo', '--in', '3600', '-d', '{"later":true}');
    assert.equal(s.code, 0, s.stderr);
    const id = s.stdout.split(' ')[0]!;
    assert.match((await cli('timers', 'list')).stdout, new RegExp(id));
    assert.match((await cli('timers', 'cancel', id)).stdout, /cancelled/);
    const again = await cli('timers', 'cancel', id);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not found/);
  });
});
