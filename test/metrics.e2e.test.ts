/**
 * Metrics on a real platform: exact counter and histogram values after a known workload (sync
 * successes and errors, a throttle, a cold start, an async invocation dead-lettered, an event
 * publish, a workflow), authorization and tenant scoping of `/metrics`, the cardinality cap, the
 * 1-minute rollups over REST on a fake clock, and the live rates `nimbus top` polls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../src/core/clock.ts';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const WORK = `export const handler = async (e) => {
  if (e.sleep) await new Promise((r) => setTimeout(r, e.sleep));
  if (e.fail) throw new Error('asked to fail');
  return { ok: true };
};`;

/** The value of one sample (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (want.length === 0 && line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
    if (!line.startsWith(`${name}{`)) continue;
    const set = line.slice(line.indexOf('{') + 1, line.indexOf('}'));
    const parts = set.split(',');
    if (want.every((w) => parts.includes(w)) && parts.length === want.length)
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics (e2e)', () => {
  let p: TestPlatform;
  let bravo: string;
  const scrape = async (secret?: string) => {
    const r = await fetch(`${p.apiUrl}/metrics`, {
      headers: secret === undefined ? {} : { authorization: `Bearer ${secret}` },
    });
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  };
  const invoke = (fn: string, body: unknown) => p.api('POST', `/v1/functions/${fn}/invoke`, body);

  before(async () => {
    p = await startTestPlatform({ throttleWaitMs: 0 });
    const dir = await fixture({ 'index.mjs': WORK });
    const base = { runtime: 'nodejs24.x', handler: 'index.handler' };
    for (const [name, extra] of [
      ['work', {}],
      ['slow', { reservedConcurrency: 1 }],
      ['dead', { async: { maximumRetryAttempts: 0 } }],
    ] as const)
      assert.ok((await p.deployDir(name, dir, { ...base, ...extra })).status < 300);
    // Tenant bravo, with a function of its own.
    assert.ok((await p.api('POST', '/v1/tenants', { id: 'bravo' })).status < 300);
    const k = await p.json<{ secret: string }>('POST', '/v1/keys', {
      tenant: 'bravo',
      policies: ['AdministratorAccess'],
    });
    bravo = k.body.secret;
    const zip = await fixture({ 'index.mjs': WORK });
    const { zipDirectory } = await import('../src/registry/build/index.ts');
    const r = await fetch(`${p.apiUrl}/v1/functions/bravo-fn`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${bravo}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...base,
        code: { zipBase64: Buffer.from(await zipDirectory(zip)).toString('base64') },
      }),
    });
    assert.ok(r.status < 300, await r.text());
    const inv = await fetch(`${p.apiUrl}/v1/functions/bravo-fn/invoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bravo}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(inv.status, 200);
  });
  after(() => p?.stop());

  it('counts invocations, errors, durations and one cold start exactly', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await invoke('work', {})).status, 200);
    for (let i = 0; i < 2; i++) {
      const r = await invoke('work', { fail: true });
      assert.equal(((await r.json()) as { ok: boolean }).ok, false);
    }
    const { status, type, text } = await scrape(p.secret);
    assert.equal(status, 200);
    assert.match(type ?? '', /^text\/plain/);
    const fn = { tenant: 'default', function: 'work' };
    assert.equal(sample(text, 'nimbus_invocations_total', { ...fn, outcome: 'success' }), 5);
    assert.equal(sample(text, 'nimbus_invocations_total', { ...fn, outcome: 'error' }), 2);
    assert.equal(sample(text, 'nimbus_errors_total', fn), 2);
    assert.equal(sample(text, 'nimbus_invocation_duration_seconds_count', fn), 7);
    assert.equal(sample(text, 'nimbus_invocation_duration_seconds_bucket', { ...fn, le: '+Inf' }), 7);
    assert.equal(sample(text, 'nimbus_cold_starts_total', fn), 1);
    assert.equal(sample(text, 'nimbus_init_duration_seconds_count', fn), 1);
    assert.ok((sample(text, 'nimbus_instance_memory_rss_bytes', fn) ?? 0) > 0);
    assert.equal(sample(text, 'nimbus_instances_warm', fn), 1, 'its instance is kept warm');
    assert.equal(sample(text, 'nimbus_concurrent_executions', fn), 0);
    // Process metrics, on the platform's own registry.
    assert.ok(sample(text, 'nimbus_process_resident_memory_bytes', {}) !== undefined);
    // Invocation records are committed in batches, within 50 ms.
    await waitUntil('a record batch commit', async () => {
      const t = (await scrape(p.secret)).text;
      return (sample(t, 'nimbus_record_commit_seconds_count', {}) ?? 0) >= 1;
    });
  });

  it('counts a 429 from admission as a throttle', async () => {
    const [a, b] = await Promise.all([invoke('slow', { sleep: 1500 }), invoke('slow', { sleep: 1500 })]);
    assert.deepEqual([a.status, b.status].sort(), [200, 429]);
    const { text } = await scrape(p.secret);
    assert.equal(sample(text, 'nimbus_throttles_total', { tenant: 'default', function: 'slow' }), 1);
    assert.equal(
      sample(text, 'nimbus_invocations_total', { tenant: 'default', function: 'slow', outcome: 'success' }),
      1,
    );
  });

  it('shows an async invocation that failed into the dead-letter queue', async () => {
    const r = await p.json<{ id: string }>('POST', '/v1/functions/dead/invoke-async', { fail: true });
    assert.equal(r.status, 202);
    const text = await waitUntil('the dead letter', async () => {
      const t = (await scrape(p.secret)).text;
      return sample(t, 'nimbus_async_dead_letters', { tenant: 'default', function: 'dead' }) === 1 && t;
    });
    assert.equal(sample(text, 'nimbus_async_queue_depth', { tenant: 'default', function: 'dead' }), 0);
    assert.ok((sample(text, 'nimbus_queue_commit_seconds_count', {}) ?? 0) >= 1);
  });

  it('counts published events and their deliveries', async () => {
    assert.ok((await p.api('PUT', '/v1/topics/orders', {})).status < 300);
    const sub = await p.api('POST', '/v1/topics/orders/subscriptions', {
      target: 'work',
      pattern: { type: ['order.created'] },
    });
    assert.ok(sub.status < 300, await sub.text());
    const ev = (type: string) => ({
      specversion: '1.0',
      id: type + Math.random(),
      source: 'test',
      type,
      data: {},
    });
    const pub = await p.api('POST', '/v1/topics/orders/events', [ev('order.created'), ev('order.deleted')], {
      'content-type': 'application/cloudevents-batch+json',
    });
    assert.ok(pub.status < 300, await pub.text());
    const { text } = await scrape(p.secret);
    assert.equal(sample(text, 'nimbus_events_published_total', { tenant: 'default' }), 2);
    assert.equal(sample(text, 'nimbus_events_matched_total', { tenant: 'default' }), 1);
    assert.equal(sample(text, 'nimbus_event_deliveries_total', { tenant: 'default' }), 1);
  });

  it('counts workflow executions by end status and their state transitions', async () => {
    const put = await p.api('PUT', '/v1/workflows/pipeline', {
      type: 'EXPRESS',
      definition: {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Next: 'B' },
          B: {
            Type: 'Choice',
            Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'Boom' }],
            Default: 'C',
          },
          C: { Type: 'Pass', End: true },
          Boom: { Type: 'Fail', Error: 'Asked', Cause: 'the input said so' },
        },
      },
    });
    assert.ok(put.status < 300, await put.text());
    for (const fail of [false, false, true]) {
      const r = await p.json<{ status: string }>('POST', '/v1/workflows/pipeline/executions?sync=1', {
        input: { fail },
      });
      assert.equal(r.body.status, fail ? 'FAILED' : 'SUCCEEDED');
    }
    const wf = { tenant: 'default', machine: 'pipeline' };
    const text = await waitUntil('the third execution to be counted', async () => {
      const t = (await scrape(p.secret)).text;
      return sample(t, 'nimbus_workflow_executions_ended_total', { ...wf, status: 'FAILED' }) === 1 && t;
    });
    assert.equal(sample(text, 'nimbus_workflow_executions_started_total', wf), 3);
    assert.equal(sample(text, 'nimbus_workflow_executions_ended_total', { ...wf, status: 'SUCCEEDED' }), 2);
    // A, B, C twice; A, B, Boom once.
    assert.equal(sample(text, 'nimbus_workflow_state_transitions_total', wf), 9);
  });

  it('refuses a scrape without credentials, and scopes a tenant to its own series', async () => {
    const none = await scrape();
    assert.equal(none.status, 401);
    assert.match(none.text, /NIMBUS_ERR_CORE_UNAUTHORIZED/);
    const b = await scrape(bravo);
    assert.equal(b.status, 200);
    assert.equal(
      sample(b.text, 'nimbus_invocations_total', {
        tenant: 'bravo',
        function: 'bravo-fn',
        outcome: 'success',
      }),
      1,
    );
    assert.doesNotMatch(b.text, /tenant="default"/);
    assert.doesNotMatch(b.text, /nimbus_process_/, 'process metrics are the operator’s');
    // Rollups too: bravo has no function `work`, and its own function's count is its own.
    const rollup = async (fn: string) => {
      const r = await fetch(`${p.apiUrl}/v1/metrics?function=${fn}&name=invocations`, {
        headers: { authorization: `Bearer ${bravo}` },
      });
      return ((await r.json()) as { points: [number, number][] }).points.reduce((a, [, v]) => a + v, 0);
    };
    assert.equal(await rollup('work'), 0);
    assert.equal(await rollup('bravo-fn'), 1);
    // The operator sees both tenants.
    const all = (await scrape(p.secret)).text;
    assert.equal(
      sample(all, 'nimbus_invocations_total', { tenant: 'bravo', function: 'bravo-fn', outcome: 'success' }),
      1,
    );
  });

  it('answers live rates for the tenant’s functions', async () => {
    await invoke('work', {});
    const r = await p.json<{
      totals: { invocationsPerSec: number; instances: number };
      functions: { function: string; invocationsPerSec: number; p99Ms: number | null; warm: number }[];
    }>('GET', '/v1/metrics/live?window=10');
    assert.equal(r.status, 200);
    const work = r.body.functions.find((f) => f.function === 'work');
    assert.ok(work && work.invocationsPerSec > 0 && work.p99Ms !== null, JSON.stringify(r.body));
    assert.ok(!r.body.functions.some((f) => f.function === 'bravo-fn'));
    const bad = await p.json('GET', '/v1/metrics/live?window=99');
    assert.equal(bad.status, 400);
  });
});

describe('metrics cardinality cap (e2e)', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({ metricsMaxSeries: 2 });
  });
  after(() => p?.stop());

  it('counts functions beyond the cap under function="other"', async () => {
    const dir = await fixture({ 'index.mjs': WORK });
    for (const name of ['f1', 'f2', 'f3', 'f4']) {
      assert.ok(
        (await p.deployDir(name, dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
      );
      assert.equal((await p.api('POST', `/v1/functions/${name}/invoke`, {})).status, 200);
    }
    const text = await (await p.api('GET', '/metrics')).text();
    const inv = (f: string) =>
      sample(text, 'nimbus_invocations_total', { tenant: 'default', function: f, outcome: 'success' });
    assert.deepEqual(
      [inv('f1'), inv('f2'), inv('f3'), inv('f4'), inv('other')],
      [1, 1, undefined, undefined, 2],
    );
    const fns = new Set([...text.matchAll(/function="([^"]+)"/g)].map((m) => m[1]));
    assert.deepEqual([...fns].sort(), ['f1', 'f2', 'other']);
  });
});

describe('metric rollups over REST (e2e, fake clock)', () => {
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12, 0, 10));
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({}, { clock });
  });
  after(() => p?.stop());

  it('writes the minute when it ends and answers points per step', async () => {
    const dir = await fixture({ 'index.mjs': WORK });
    assert.ok(
      (await p.deployDir('roll', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
    );
    const m0 = Date.UTC(2026, 5, 1, 12, 0, 0);
    for (let i = 0; i < 3; i++) await p.api('POST', '/v1/functions/roll/invoke', {});
    await p.api('POST', '/v1/functions/roll/invoke', { fail: true });
    type Points = { points: [number, number][] };
    const q = (name: string, step = 60) =>
      p.json<Points>(
        'GET',
        `/v1/metrics?function=roll&name=${name}&from=${m0}&to=${m0 + 3 * 60_000}&step=${step}`,
      );
    // The current minute is answered from memory before it is written.
    assert.deepEqual((await q('invocations')).body.points, [
      [m0, 4],
      [m0 + 60_000, 0],
      [m0 + 120_000, 0],
    ]);
    clock.advance(60_000);
    // The tick wrote the minute: the store has it (the windows no longer do).
    await waitUntil('the rollup row', async () => (await q('errors')).body.points[0]?.[1] === 1);
    clock.advance(60_000);
    await p.api('POST', '/v1/functions/roll/invoke', {});
    assert.deepEqual((await q('invocations')).body.points, [
      [m0, 4],
      [m0 + 60_000, 0],
      [m0 + 120_000, 1],
    ]);
    assert.deepEqual((await q('invocations', 300)).body.points, [[m0, 5]]);
    const p99 = (await q('duration_p99')).body.points;
    assert.equal(p99.length, 2, 'duration points only where there were invocations');
    assert.ok(p99.every(([, v]) => v > 0));
    assert.equal((await q('cold_starts')).body.points[0]?.[1], 1);
    const bad = await p.json<{ error: { code: string } }>('GET', '/v1/metrics?name=nope');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'NIMBUS_ERR_CORE_VALIDATION');
    assert.equal((await p.json('GET', '/v1/metrics?step=7')).status, 400);
  });
});

describe('metrics turned off (e2e)', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({ metrics: 'off' });
  });
  after(() => p?.stop());

  it('answers 404 NIMBUS_ERR_METRICS_DISABLED on every metrics route', async () => {
    for (const path of ['/metrics', '/v1/metrics', '/v1/metrics/live']) {
      const r = await p.json<{ error: { code: string } }>('GET', path);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.error.code, 'NIMBUS_ERR_METRICS_DISABLED');
    }
  });
});
