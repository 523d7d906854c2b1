/**
 * The event bus end to end: topics, content-filtered subscriptions (EventBridge patterns) to
 * functions, webhooks and other topics, CloudEvents in all three HTTP modes, input transformers,
 * per-subscription retries, ordering by partition key, dedupe by CloudEvent identity, publish
 * from inside a function, and coded errors for bad input.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

interface Seen {
  fn: string;
  event: Record<string, unknown> & { id?: string; data?: Record<string, unknown> };
  headers?: Record<string, unknown>;
}

describe('event bus (e2e)', () => {
  let p: TestPlatform;
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => {
      b += c;
    });
    req.on('end', () => {
      if (req.url?.startsWith('/hook'))
        seen.push({ fn: 'webhook', event: JSON.parse(b), headers: req.headers });
      else seen.push(JSON.parse(b) as Seen);
      res.end('ok');
    });
  });
  let base = '';
  const of = (fn: string) => seen.filter((s) => s.fn === fn);
  // Functions cannot reach this test's loopback (own network namespace): they report what they
  // saw in their logs, read back through the API. Webhooks are called by the platform itself.
  const logCursor = new Map<string, number>();
  const pull = async (fn: string) => {
    if (fn === 'webhook') return;
    const r = await p.json<{ lines: { message: string }[]; nextSeq: number }>(
      'GET',
      `/v1/functions/${fn}/logs?afterSeq=${logCursor.get(fn) ?? 0}&limit=1000`,
    );
    for (const l of r.body.lines ?? []) {
      const m = /SEEN (\{.*\})\s*$/.exec(l.message);
      if (m) seen.push(JSON.parse(m[1]!) as Seen);
    }
    logCursor.set(fn, r.body.nextSeq);
  };
  const waitFor = async (fn: string, n: number, ms = 15_000) => {
    const end = Date.now() + ms;
    await pull(fn);
    while (of(fn).length < n) {
      await pull(fn);
      if (Date.now() > end) throw new Error(`${fn}: expected ${n} deliveries, got ${of(fn).length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return of(fn);
  };
  const settle = () => new Promise((r) => setTimeout(r, 400));
  const ce = (id: string, type: string, data: unknown, extra: Record<string, unknown> = {}) => ({
    specversion: '1.0',
    id,
    source: '/shop',
    type,
    data,
    ...extra,
  });
  const publish = (topic: string, body: unknown, contentType = 'application/cloudevents+json') =>
    p.api('POST', `/v1/topics/${topic}/events`, body, { 'content-type': contentType });
  const reporter = (name: string, extra = '') => `
    ${extra}
    export const handler = async (event, context) => {
      ${name === 'flaky' ? "if (event.data?.fail && !globalThis['seen' + event.id]) { globalThis['seen' + event.id] = 1; throw new Error('first try fails'); }" : ''}
      console.log('SEEN ' + JSON.stringify({ fn: '${name}', event }));
      return 'ok';
    };`;
  const deploy = async (name: string, code: string, cfg: Record<string, unknown> = {}) => {
    const r = await p.deployDir(name, await fixture({ 'index.mjs': code }), {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      ...cfg,
    });
    assert.ok(r.status < 300, JSON.stringify(r.body));
  };
  const subscribe = async (topic: string, spec: Record<string, unknown>) => {
    const r = await p.json<{ id: string; error?: { code: string } }>(
      'POST',
      `/v1/topics/${topic}/subscriptions`,
      spec,
    );
    return r;
  };

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The webhook receiver listens on loopback: the administrator opens it for platform calls.
    p = await startTestPlatform({ egressAllowCidrs: '127.0.0.1/32' });
    for (const fn of ['big', 'eu', 'all', 'ordered', 'audit']) await deploy(fn, reporter(fn));
    await deploy('flaky', reporter('flaky'), { async: { retryBaseDelayMs: 10 } });
    for (const t of ['orders', 'audit-log'])
      assert.equal((await p.api('PUT', `/v1/topics/${t}`, {})).status, 201);
  });
  after(async () => {
    await p.stop();
    server.close();
  });

  it('routes events by content to functions; every delivery is the CloudEvent', async () => {
    assert.equal(
      (
        await subscribe('orders', {
          target: 'big',
          pattern: { data: { amount: [{ numeric: ['>=', 100] }] } },
        })
      ).status,
      201,
    );
    await subscribe('orders', {
      target: { function: 'eu' },
      pattern: { type: ['order.placed'], data: { region: [{ prefix: 'eu-' }] } },
    });
    await subscribe('orders', { target: 'all' });
    const r = await publish('orders', ce('o1', 'order.placed', { amount: 150, region: 'eu-west-1' }));
    assert.equal(r.status, 202);
    assert.deepEqual(await r.json(), { events: [{ id: 'o1', deliveries: 3 }] });
    await publish('orders', ce('o2', 'order.placed', { amount: 5, region: 'us-east-1' }));
    await waitFor('all', 2);
    await waitFor('big', 1);
    await waitFor('eu', 1);
    await settle();
    assert.deepEqual(
      of('big').map((s) => s.event.id),
      ['o1'],
    );
    assert.deepEqual(
      of('eu').map((s) => s.event.id),
      ['o1'],
    );
    assert.equal(of('eu')[0]?.event.specversion, '1.0');
    assert.deepEqual(of('eu')[0]?.event.data, { amount: 150, region: 'eu-west-1' });
  });

  it('accepts binary and batch modes, and delivers a re-published event once per subscription', async () => {
    const bin = await p.api(
      'POST',
      '/v1/topics/orders/events',
      JSON.stringify({ amount: 500, region: 'ap' }),
      {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'b1',
        'ce-source': '/pos',
        'ce-type': 'order.placed',
      },
    );
    assert.equal(bin.status, 202);
    const batch = await publish(
      'orders',
      [ce('c1', 'order.cancelled', { amount: 1 }), ce('c2', 'order.cancelled', { amount: 2 })],
      'application/cloudevents-batch+json',
    );
    assert.equal(batch.status, 202);
    const again = await publish('orders', ce('c1', 'order.cancelled', { amount: 1 }));
    assert.equal(again.status, 202);
    await waitFor('all', 5);
    await waitFor('big', 2);
    await settle();
    assert.equal(of('all').filter((s) => s.event.id === 'c1').length, 1, 'same source+id → delivered once');
    assert.equal(of('big').at(-1)?.event.id, 'b1');
  });

  it('applies input transformers and delivers to webhooks and other topics', async () => {
    await subscribe('audit-log', { target: 'audit' });
    await subscribe('orders', { target: { topic: 'audit-log' }, pattern: { type: ['order.refunded'] } });
    await subscribe('orders', {
      target: { webhook: `${base}/hook` },
      pattern: { type: ['order.refunded'] },
      inputTransformer: {
        inputPathsMap: { id: '$.id', amount: '$.data.amount' },
        inputTemplate: '{"refund": <id>, "amount": <amount>, "note": "refund of <amount>"}',
      },
    });
    await publish('orders', ce('r1', 'order.refunded', { amount: 42 }));
    const [hook] = await waitFor('webhook', 1);
    assert.deepEqual(hook?.event, { refund: 'r1', amount: 42, note: 'refund of 42' });
    assert.equal(hook?.headers?.['content-type'], 'application/json');
    const [fwd] = await waitFor('audit', 1);
    assert.equal(fwd?.event.id, 'r1', 'forwarded to the audit-log topic and its subscriber');
  });

  it('keeps order per partition key through a retry, and uses the subscription retry policy', async () => {
    await p.api('PUT', '/v1/topics/ordered-t', {});
    await subscribe('ordered-t', { target: 'flaky', partitionKey: '$.data.customer' });
    const events = [
      ce('k1', 'x', { customer: 'ada', n: 1, fail: true }),
      ce('k2', 'x', { customer: 'ada', n: 2 }),
      ce('k3', 'x', { customer: 'ada', n: 3 }),
      ce('k4', 'x', { customer: 'bob', n: 1 }),
    ];
    await publish('ordered-t', events, 'application/cloudevents-batch+json');
    const got = await waitFor('flaky', 4);
    assert.deepEqual(
      got.filter((s) => s.event.data?.customer === 'ada').map((s) => s.event.id),
      ['k1', 'k2', 'k3'],
      'ada in order although k1 failed once',
    );
    // A subscription with no retries dead-letters at the first failure (the function allows 2).
    await p.api('PUT', '/v1/topics/strict', {});
    await subscribe('strict', { target: 'flaky', retry: { maximumRetryAttempts: 0 } });
    await publish('strict', ce('s1', 'x', { fail: true }));
    const end = Date.now() + 10_000;
    let dead: { id: string; error?: { reason: string } }[] = [];
    while (Date.now() < end) {
      dead = (await p.json<{ deadLetters: typeof dead }>('GET', '/v1/queues/dlq?function=flaky')).body
        .deadLetters;
      if (dead.length > 0) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.equal(dead[0]?.error?.reason, 'RetriesExhausted');
  });

  it('lets functions publish through the context client', async () => {
    // Publishing acts for the function: its role must allow nimbus:PublishEvents on the topic.
    await p.api('PUT', '/v1/roles/publisher', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'nimbus:PublishEvents', Resource: 'arn:aws:nimbus:*:*:topic/orders' },
          ],
        },
      ],
    });
    await deploy(
      'publisher',
      `export const handler = async (e, context) =>
         context.nimbus.publish('orders', { type: 'order.placed', data: { amount: 999, region: 'eu-north-1' } });`,
      { role: 'publisher' },
    );
    const r = await p.json<{ result: { id: string; deliveries: number } }>(
      'POST',
      '/v1/functions/publisher/invoke',
      {},
    );
    assert.equal(r.body.result.deliveries, 3);
    const eu = await waitFor('eu', 2);
    assert.equal(eu.at(-1)?.event.source, 'nimbus://functions/publisher');
  });

  it('answers bad input with coded errors', async () => {
    const code = async (r: Response) =>
      ((await r.json()) as { error: { code: string; message: string } }).error;
    assert.equal(
      (await code(await publish('nope', ce('x', 't', {})))).code,
      'NIMBUS_ERR_EVENTS_TOPIC_NOT_FOUND',
    );
    assert.equal(
      (await code(await publish('orders', { id: 'x' }))).code,
      'NIMBUS_ERR_EVENTS_INVALID_CLOUDEVENT',
    );
    assert.equal(
      (await code(await publish('orders', '{"broken":', 'application/cloudevents+json'))).code,
      'NIMBUS_ERR_EVENTS_INVALID_CLOUDEVENT',
    );
    assert.equal(
      (await code(await publish('orders', ce('x', 't', {}), 'text/plain'))).code,
      'NIMBUS_ERR_EVENTS_INVALID_CLOUDEVENT',
    );
    const badPattern = await subscribe('orders', {
      target: 'all',
      pattern: { data: { amount: [{ numeric: ['>>', 1] }] } },
    });
    assert.equal(badPattern.status, 400);
    assert.equal(badPattern.body.error?.code, 'NIMBUS_ERR_EVENTS_INVALID_PATTERN');
    const noFn = await subscribe('orders', { target: 'missing-fn' });
    assert.equal(noFn.status, 404);
    assert.equal((await p.api('PUT', '/v1/topics/bad name!', {})).status, 400);
  });

  it('replaces a function manifest subscriptions and lists them', async () => {
    const r = await p.json<{ subscriptions: { topic: string; origin: string }[] }>(
      'PUT',
      '/v1/functions/audit/subscriptions',
      { subscriptions: [{ topic: 'new-topic', pattern: { type: ['a'] } }, { topic: 'orders' }] },
    );
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.subscriptions.map((s) => [s.topic, s.origin]),
      [
        ['new-topic', 'manifest'],
        ['orders', 'manifest'],
      ],
    );
    assert.equal((await p.api('GET', '/v1/topics/new-topic')).status, 200, 'topic created on demand');
    await p.json('PUT', '/v1/functions/audit/subscriptions', { subscriptions: [] });
    const left = await p.json<{ subscriptions: { owner: string | null }[] }>('GET', '/v1/subscriptions');
    assert.ok(!left.body.subscriptions.some((s) => s.owner === 'audit'));
  });
});
