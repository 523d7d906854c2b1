/** examples/event-router end to end: deployed by the CLI, orders published as CloudEvents, routes checked. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliRunner, startTestPlatform, type TestPlatform } from './helpers.ts';
import { type Sink, type SinkRequest, startSink } from './support/sink.ts';

describe('examples/event-router', () => {
  let p: TestPlatform;
  const got: { route: string; event: Record<string, unknown> }[] = [];
  let server: Sink;
  const onServer = (r: SinkRequest) => {
    got.push(JSON.parse(r.body));
  };

  before(async () => {
    server = await startSink(onServer);
    p = await startTestPlatform();
    const cli = cliRunner(() => ({
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_SECRET: p.secret,
      ROUTER_REPORT_URL: `${server.url}/report`,
    }));
    const d = await cli('deploy', 'examples/event-router');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /subscription orders/);
  });
  after(async () => {
    await p?.stop();
    server?.close();
  });

  it('routes orders by amount, region and country', async () => {
    const order = (id: string, data: Record<string, unknown>) => ({
      specversion: '1.0',
      id,
      source: '/shop',
      type: 'order.placed',
      data,
    });
    const r = await p.api(
      'POST',
      '/v1/topics/orders/events',
      [
        order('big-eu', { amount: 1500, region: 'eu-west-1', country: 'FR' }),
        order('small-eu', { amount: 20, region: 'eu-central-1', country: 'DE' }),
        order('small-us', { amount: 99, region: 'us-east-1', country: 'US' }),
        order('huge-odd', { amount: 9000, region: 'ap-south-1', country: 'IN' }),
      ],
      { 'content-type': 'application/cloudevents-batch+json' },
    );
    assert.equal(r.status, 202);
    const end = Date.now() + 20_000;
    while (got.length < 9 && Date.now() < end) await new Promise((res) => setTimeout(res, 25));
    await new Promise((res) => setTimeout(res, 300));
    const routes = (id: string) =>
      got
        .filter((g) => g.event.id === id || g.event.order === id)
        .map((g) => g.route)
        .sort();
    assert.deepEqual(routes('big-eu'), ['audit', 'large-orders']);
    assert.deepEqual(routes('small-eu'), ['audit', 'eu-orders']);
    assert.deepEqual(routes('small-us'), ['audit', 'us-orders']);
    assert.deepEqual(routes('huge-odd'), ['audit', 'fraud-check', 'large-orders']);
    const fraud = got.find((g) => g.route === 'fraud-check');
    assert.deepEqual(fraud?.event, { order: 'huge-odd', amount: 9000, reason: 'review order huge-odd' });
    assert.equal(got.length, 9);
  });
});
