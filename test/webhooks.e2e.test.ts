/**
 * Inbound webhooks on the gateway (`/hooks/{id}`): GitHub, Stripe, Standard Webhooks and shared
 * secret verification, timestamp tolerance, replays, forged signatures — accepted calls become
 * CloudEvents on a topic and reach subscribed functions.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { type Sink, type SinkRequest, startSink } from './support/sink.ts';

describe('inbound webhooks (e2e)', () => {
  let p: TestPlatform;
  const got: Record<string, unknown>[] = [];
  let sink: Sink;
  const onSink = (r: SinkRequest) => {
    got.push(JSON.parse(r.body));
  };
  const hook = (id: string, body: string, headers: Record<string, string>) =>
    fetch(`${p.gatewayUrl}/hooks/${id}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const create = async (spec: Record<string, unknown>) => {
    const r = await p.json<{ id: string; url: string; secret?: string; error?: { code: string } }>(
      'POST',
      '/v1/webhooks',
      spec,
    );
    return r;
  };
  const waitGot = async (n: number) => {
    const end = Date.now() + 15_000;
    while (got.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(got.length, n);
  };
  const codeOf = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;
  const now = () => Math.floor(Date.now() / 1000);

  before(async () => {
    sink = await startSink(onSink);
    p = await startTestPlatform();
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => {
        await (await fetch('${sink.url}/', { method: 'POST', body: JSON.stringify(e) })).text();
      };`,
    });
    assert.ok(
      (await p.deployDir('on-hook', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
    );
    await p.api('PUT', '/v1/topics/hooks-in', {});
    await p.json('POST', '/v1/topics/hooks-in/subscriptions', { target: 'on-hook' });
  });
  after(async () => {
    await p.stop();
    sink?.close();
  });

  it('verifies GitHub signatures and turns deliveries into CloudEvents', async () => {
    const c = await create({
      id: 'gh-1',
      topic: 'hooks-in',
      verification: 'github',
      secret: 'github-secret-123456',
    });
    assert.equal(c.status, 201);
    assert.equal(c.body.url, `${p.gatewayUrl}/hooks/gh-1`);
    assert.equal(c.body.secret, undefined, 'a secret the caller chose is not echoed');
    const body = JSON.stringify({ ref: 'refs/heads/main', commits: 2 });
    const sig = `sha256=${createHmac('sha256', 'github-secret-123456').update(body).digest('hex')}`;
    const headers = { 'x-hub-signature-256': sig, 'x-github-event': 'push', 'x-github-delivery': 'd-1' };
    const ok = await hook('gh-1', body, headers);
    assert.equal(ok.status, 202);
    await waitGot(1);
    assert.equal(got[0]?.type, 'com.github.push');
    assert.equal(got[0]?.id, 'd-1');
    assert.equal(got[0]?.source, 'nimbus://hooks/gh-1');
    assert.deepEqual(got[0]?.data, { ref: 'refs/heads/main', commits: 2 });
    // The same delivery again: acknowledged, not delivered twice.
    const replay = await hook('gh-1', body, headers);
    assert.equal(replay.status, 200);
    assert.deepEqual(await replay.json(), { id: 'd-1', duplicate: true });
    // Forged: body changed after signing, or no signature.
    const forged = await hook('gh-1', body.replace('2', '3'), headers);
    assert.equal(forged.status, 401);
    assert.equal(await codeOf(forged), 'NIMBUS_ERR_WEBHOOK_SIGNATURE_INVALID');
    assert.equal((await hook('gh-1', body, { 'x-github-delivery': 'd-2' })).status, 401);
  });

  it('verifies Stripe signatures with a timestamp tolerance', async () => {
    const c = await create({ id: 'stripe', topic: 'hooks-in', verification: 'stripe', toleranceSec: 300 });
    const secret = c.body.secret!;
    assert.match(secret, /^whsec_/, 'generated secret shown once');
    const body = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { amount: 990 } });
    const sign = (t: number, b = body) =>
      `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${b}`).digest('hex')}`;
    assert.equal((await hook('stripe', body, { 'stripe-signature': sign(now()) })).status, 202);
    await waitGot(2);
    assert.equal(got[1]?.type, 'payment_intent.succeeded');
    assert.equal(got[1]?.id, 'evt_1');
    const old = await hook('stripe', body, { 'stripe-signature': sign(now() - 3600) });
    assert.equal(old.status, 401);
    assert.equal(await codeOf(old), 'NIMBUS_ERR_WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE');
    const wrong = await hook('stripe', body, { 'stripe-signature': `t=${now()},v1=${'0'.repeat(64)}` });
    assert.equal(await codeOf(wrong), 'NIMBUS_ERR_WEBHOOK_SIGNATURE_INVALID');
  });

  it('verifies Standard Webhooks and shared secrets; rejects unknown hooks and bad input', async () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    await create({
      id: 'std',
      topic: 'hooks-in',
      verification: 'standard',
      secret: `whsec_${key.toString('base64')}`,
    });
    const body = JSON.stringify({ type: 'user.created', data: { id: 7 } });
    const ts = now();
    const sig = createHmac('sha256', key).update(`msg_1.${ts}.${body}`).digest('base64');
    const std = await hook('std', body, {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': `v1,${sig}`,
    });
    assert.equal(std.status, 202);
    await create({
      id: 'simple',
      topic: 'hooks-in',
      verification: 'shared-secret',
      secret: 'shared-secret-value-1',
    });
    assert.equal(
      (await hook('simple', '{"a":1}', { 'x-webhook-secret': 'shared-secret-value-1', 'webhook-id': 's1' }))
        .status,
      202,
    );
    assert.equal(
      (await hook('simple', '{"a":1}', { authorization: 'Bearer shared-secret-value-1', 'webhook-id': 's2' }))
        .status,
      202,
    );
    assert.equal((await hook('simple', '{"a":1}', { 'x-webhook-secret': 'nope' })).status, 401);
    await waitGot(5);
    assert.equal((await hook('missing', '{}', {})).status, 404);
    const badJson = await hook('simple', '{"a":', { 'x-webhook-secret': 'shared-secret-value-1' });
    assert.equal(await codeOf(badJson), 'NIMBUS_ERR_WEBHOOK_BAD_WEBHOOK');
    assert.equal((await fetch(`${p.gatewayUrl}/hooks/simple`)).status, 404, 'only POST');
    const noTopic = await create({ topic: 'nope', verification: 'none' });
    assert.equal(noTopic.status, 404);
    const shortSecret = await create({ topic: 'hooks-in', verification: 'github', secret: 'short' });
    assert.equal(shortSecret.body.error?.code, 'NIMBUS_ERR_WEBHOOK_BAD_WEBHOOK');
    const list = await p.json<{ webhooks: { id: string }[] }>('GET', '/v1/webhooks');
    assert.deepEqual(
      list.body.webhooks.map((w) => w.id),
      ['gh-1', 'simple', 'std', 'stripe'],
    );
    assert.equal((await p.api('DELETE', '/v1/webhooks/gh-1')).status, 204);
    assert.equal((await hook('gh-1', '{}', {})).status, 404);
  });
});
