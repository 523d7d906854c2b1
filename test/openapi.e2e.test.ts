/**
 * The OpenAPI document (GET /v1/openapi.json, src/api/openapi.ts) against a running platform:
 * - every `/v1` route of the live route table is in it, with its method and path parameters
 *   (and nothing in it is not served); the other routes are the AWS-shaped APIs it lists in
 *   `x-nimbus-compatible-apis` (or the console's static files);
 * - it is valid OpenAPI 3.1 (the official schema, @seriousme/openapi-schema-validator);
 * - its body schemas accept known good requests the server takes (deploy, route create, topic
 *   subscription, and the hand-validated budget / logs setting / alert bodies) and reject bad
 *   ones the server refuses; every answer of this test is checked against the answer schema the
 *   document declares for it;
 * - the served document is authorized (no key: 401; an Invoker key may read it);
 * - console/src/api/schema.d.ts is what `npm run openapi:types` writes now, and type-checks.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { SCHEMA_DTS } from '../scripts/openapi-types.ts';
import {
  isCompatibleApiRoute,
  type OpenApiDocument,
  openApiDocument,
  openApiPath,
} from '../src/api/openapi.ts';
import { openApiTypes } from '../src/api/openapi-types.ts';
import { zipDirectory } from '../src/registry/build/index.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

type Json = Record<string, unknown>;
type Op = Json & { parameters?: { name: string; in: string }[]; responses: Record<string, Json> };

/** Static files of the web console (src/console): not API operations. */
const isConsoleFile = (url: string) => url === '/console' || url.startsWith('/console/');

describe('OpenAPI document (e2e)', () => {
  let p: TestPlatform;
  const doc: OpenApiDocument = openApiDocument();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'nimbus', components: doc.components });
  /**
   * Answers are checked against closed schemas: every object schema that does not say what other
   * properties it takes (the document leaves them open, so that clients tolerate new fields)
   * takes none here, so a field the server sends and the schema does not name fails the check.
   * Schemas that allow other properties on purpose (`additionalProperties: {}`, records) stay so.
   */
  const closed = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(closed)
      : v && typeof v === 'object'
        ? Object.fromEntries([
            ...Object.entries(v).map(([k, x]) => [
              k,
              k === 'properties' ? mapValues(x as Json, closed) : closed(x),
            ]),
            ...('properties' in v && !('additionalProperties' in v) ? [['additionalProperties', false]] : []),
          ])
        : v;
  const mapValues = (o: Json, f: (v: unknown) => unknown) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
  const strictAjv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(strictAjv);
  strictAjv.addSchema({ $id: 'nimbus', components: closed(doc.components) });
  const schemaOf = (name: string) => ajv.getSchema(`nimbus#/components/schemas/${name}`)!;
  const accepts = (name: string, body: unknown) => {
    const v = schemaOf(name);
    return v(body) ? true : JSON.stringify(v.errors);
  };
  /** The operation a concrete path matches, and its path template. */
  const opFor = (method: string, path: string): { op: Op; tpl: string } | undefined => {
    const clean = path.split('?')[0]!;
    for (const [tpl, item] of Object.entries(doc.paths)) {
      const re = new RegExp(`^${tpl.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (re.test(clean) && item[method.toLowerCase()]) return { op: item[method.toLowerCase()] as Op, tpl };
    }
    return undefined;
  };
  let checkedAnswers = 0;
  /** `METHOD /template` of every operation whose success answer was checked (or was a 204). */
  const answered = new Set<string>();
  /** An answer's fields, read freely: `send` has checked them against the document's schema. */
  // biome-ignore lint/suspicious/noExplicitAny: the schema check above is what types them
  type Fields = Record<string, any>;
  type Answer = { status: number; body: Fields; text: string };
  /**
   * A request whose JSON answer must match the document's schema for its status (`body`: sent as
   * JSON; `raw`: sent as it is, with `headers` saying its type).
   */
  const send = async (
    method: string,
    path: string,
    o: { body?: unknown; raw?: string; headers?: Record<string, string>; secret?: string } = {},
  ): Promise<Answer> => {
    const r = await fetch(`${p.apiUrl}${path}`, {
      method,
      headers: {
        ...(o.secret === '' ? {} : { authorization: `Bearer ${o.secret ?? p.secret}` }),
        'content-type': 'application/json',
        ...o.headers,
      },
      body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
    });
    const text = await r.text();
    const json =
      text && /json/.test(r.headers.get('content-type') ?? '') ? (JSON.parse(text) as unknown) : text;
    const found = opFor(method, path);
    assert.ok(found, `${method} ${path} is not in the document`);
    const { op, tpl } = found;
    const declared = op.responses[String(r.status)] ?? op.responses[`${String(r.status)[0]}XX`];
    assert.ok(declared, `${method} ${path}: status ${r.status} is not declared (${text.slice(0, 200)})`);
    const content = (
      (declared.$ref
        ? { content: { 'application/json': { schema: { $ref: 'nimbus#/components/schemas/Error' } } } }
        : declared) as {
        content?: Record<string, { schema: Json }>;
      }
    ).content;
    const schema = content?.['application/json']?.schema;
    if (r.ok && r.status !== 204 && !/json/.test(r.headers.get('content-type') ?? ''))
      assert.ok(
        !schema || Object.keys(content ?? {}).length > 1,
        `${method} ${path}: not JSON: ${text.slice(0, 200)}`,
      );
    if (schema && typeof json === 'object') {
      const s = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"nimbus#/components/'),
      ) as Json;
      const v = strictAjv.compile(s);
      assert.ok(v(json), `${method} ${path} ${r.status}: answer does not match: ${JSON.stringify(v.errors)}`);
      checkedAnswers++;
      if (r.ok) answered.add(`${method} ${tpl}`);
    }
    if (r.status === 204) answered.add(`${method} ${tpl}`);
    return { status: r.status, body: json as Fields, text };
  };
  const call = (method: string, path: string, body?: unknown, secret?: string) =>
    send(method, path, { body, ...(secret === undefined ? {} : { secret }) });
  /** `call`, asserting a success status. */
  const ok = async (method: string, path: string, body?: unknown, status?: number): Promise<Answer> => {
    const r = await call(method, path, body);
    if (status !== undefined) assert.equal(r.status, status, `${method} ${path}: ${r.text.slice(0, 300)}`);
    else
      assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  };
  /** Calls until `done` holds for the answer (each answer is checked). */
  const until = async (what: string, method: string, path: string, done: (b: Json) => boolean) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await ok(method, path);
      if (done(r.body)) return r;
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}: ${r.text.slice(0, 300)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  };

  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p?.stop());

  it('has every /v1 route of the live route table, with its method and path parameters', () => {
    const missing: string[] = [];
    const uncovered: string[] = [];
    let described = 0;
    for (const r of p.apiRoutes) {
      const { path, params } = openApiPath(r.url);
      const op = doc.paths[path]?.[r.method.toLowerCase()] as Op | undefined;
      if (!op) {
        if (r.url.startsWith('/v1/')) missing.push(`${r.method} ${r.url}`);
        else if (!isCompatibleApiRoute(r.method, r.url) && !isConsoleFile(r.url))
          uncovered.push(`${r.method} ${r.url}`);
        continue;
      }
      described++;
      const declared = (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name);
      assert.deepEqual(declared, params, `${r.method} ${r.url}: path parameters`);
    }
    assert.deepEqual(missing, [], '/v1 routes missing from the document');
    assert.deepEqual(uncovered, [], 'routes neither described nor in x-nimbus-compatible-apis');
    const live = new Set(p.apiRoutes.map((r) => `${r.method} ${openApiPath(r.url).path}`));
    const stale = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .map((m) => `${m.toUpperCase()} ${path}`)
        .filter((k) => !live.has(k)),
    );
    assert.deepEqual(stale, [], 'operations the platform does not serve');
    console.log(`openapi: ${described} operations described, ${p.apiRoutes.length} routes served`);
  });

  it('is valid OpenAPI 3.1, with unique operation ids, actions, Bearer security and coded errors', async () => {
    const r = await new Validator().validate(doc as unknown as Json);
    assert.deepEqual(r, { valid: true });
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths))
      for (const [m, op] of Object.entries(item) as [string, Op][]) {
        assert.ok(!ids.has(String(op.operationId)), `duplicate operationId ${op.operationId}`);
        ids.add(String(op.operationId));
        if (path !== '/healthz')
          assert.match(String(op['x-nimbus-action']), /^[a-z0-9]+:[A-Za-z0-9]+$/, `${m} ${path}`);
        assert.deepEqual(op.responses['4XX'], { $ref: '#/components/responses/Error' }, `${m} ${path}`);
        assert.deepEqual(op.responses['5XX'], { $ref: '#/components/responses/Error' }, `${m} ${path}`);
      }
    const err = doc.components.schemas.Error as { properties: { error: { required: string[] } } };
    assert.deepEqual(err.properties.error.required.sort(), [
      'code',
      'kind',
      'message',
      'retryable',
      'status',
    ]);
    const compat = doc['x-nimbus-compatible-apis'] as { name: string; docs: string }[];
    assert.ok(
      compat.some((c) => c.name === 'AWS Lambda' && c.docs.startsWith('https://docs.aws.amazon.com/')),
    );
  });

  it('serves the document to authenticated principals only', async () => {
    const r = await call('GET', '/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, JSON.parse(JSON.stringify(doc)));
    const none = await call('GET', '/v1/openapi.json', undefined, '');
    assert.equal(none.status, 401);
    const k = await call('POST', '/v1/keys', { policies: ['Invoker'] });
    assert.equal(k.status, 201, k.text);
    const invoker = await call('GET', '/v1/openapi.json', undefined, String(k.body.secret));
    assert.equal(invoker.status, 200, invoker.text);
  });

  it('body schemas accept the good requests the server takes and reject the bad ones it refuses', async () => {
    const dir = await fixture({ 'index.mjs': 'export const handler = async (e) => ({ echo: e });' });
    const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
    const cases: { name: string; method: string; path: string; good: unknown; bad: unknown }[] = [
      {
        name: 'DeployRequest',
        method: 'PUT',
        path: '/v1/functions/oa-fn',
        good: { runtime: 'nodejs22.x', handler: 'index.handler', memoryMb: 128, code: { zipBase64: zip } },
        bad: { runtime: 'nodejs22.x', handler: 'index.handler', code: { sha256: 'not-hex' } },
      },
      {
        name: 'CreateRouteRequest',
        method: 'POST',
        path: '/v1/routes',
        good: { routeKey: 'GET /oa', function: 'oa-fn', auth: { type: 'apiKey', keys: ['k'.repeat(16)] } },
        bad: { routeKey: 'GET /oa2', function: 'oa-fn', payloadFormat: '3.0' },
      },
      {
        name: 'SubscriptionRequest',
        method: 'POST',
        path: '/v1/topics/oa-topic/subscriptions',
        good: { target: { function: 'oa-fn' }, pattern: { type: ['order.created'] }, view: 'eventbridge' },
        bad: { target: { function: 'oa-fn' }, view: 'smoke-signals' },
      },
      {
        name: 'BudgetRequest',
        method: 'PUT',
        path: '/v1/budgets/oa-budget',
        good: { limitUsd: 10, period: { days: 7 }, thresholds: [50, 100], action: 'notify' },
        bad: { limitUsd: -1 },
      },
      {
        name: 'LogSettingsRequest',
        method: 'PUT',
        path: '/v1/settings/logs',
        good: { retentionDays: 14, maxMegabytes: null, redact: ['card=\\d+'] },
        bad: { retentionDays: 0 },
      },
      {
        name: 'AlertRuleRequest',
        method: 'PUT',
        path: '/v1/alerts/oa-alert',
        good: {
          metric: 'errors',
          function: 'oa-fn',
          threshold: 5,
          windowSec: 300,
          notify: [{ topic: 'oa-topic' }],
        },
        bad: { metric: 'errors', threshold: 5, windowSec: 90 },
      },
    ];
    assert.equal((await call('PUT', '/v1/topics/oa-topic', {})).status, 201);
    for (const c of cases) {
      const { op } = opFor(c.method, c.path)!;
      const ref = (op.requestBody as { content: Record<string, { schema: { $ref: string } }> }).content[
        'application/json'
      ]!.schema.$ref;
      assert.equal(ref, `#/components/schemas/${c.name}`, `${c.method} ${c.path} body`);
      assert.equal(accepts(c.name, c.good), true, `${c.name} rejects the good request`);
      assert.notEqual(accepts(c.name, c.bad), true, `${c.name} accepts the bad request`);
      const good = await call(c.method, c.path, c.good);
      assert.ok(good.status < 300, `${c.method} ${c.path} (good): ${good.status} ${good.text.slice(0, 300)}`);
      const bad = await call(c.method, c.path, c.bad);
      assert.equal(bad.status, 400, `${c.method} ${c.path} (bad): ${bad.status} ${bad.text.slice(0, 300)}`);
    }
  });

  it("the answers of the main read routes match the document's schemas", async () => {
    await call('PUT', '/v1/schedules/oa-sched', { function: 'oa-fn', expression: 'rate(1 day)' });
    await call('PUT', '/v1/functions/oa-fn/aliases/live', { functionVersion: '$LATEST' });
    await call('POST', '/v1/functions/oa-fn/versions', {});
    for (const path of [
      '/v1/functions',
      '/v1/functions/oa-fn',
      '/v1/functions/oa-fn/versions',
      '/v1/functions/oa-fn/aliases',
      '/v1/routes',
      '/v1/topics',
      '/v1/topics/oa-topic',
      '/v1/topics/oa-topic/subscriptions',
      '/v1/subscriptions',
      '/v1/schedules',
      '/v1/schedules/oa-sched',
      '/v1/identity',
      '/v1/functions/nope',
    ]) {
      const r = await call('GET', path);
      assert.ok(r.status === 200 || path.endsWith('/nope'), `${path}: ${r.status}`);
    }
    const inv = await call('POST', '/v1/functions/oa-fn/invoke', { hello: 1 });
    assert.equal(inv.status, 200, inv.text);
    const logs = await call('GET', '/v1/functions/oa-fn/logs?limit=10');
    assert.equal(logs.status, 200, logs.text);
    assert.ok(checkedAnswers >= 20, `checked ${checkedAnswers} answers`);
  });

  it('every JSON route answers as its schema says, with real data behind it', async () => {
    const enc = encodeURIComponent;
    const NODE = { runtime: 'nodejs22.x', handler: 'index.handler' };
    const zipOf = async (files: Record<string, string>) =>
      Buffer.from(await zipDirectory(await fixture(files))).toString('base64');
    // ---- functions: a failing one (no retries: a dead letter at once), configuration, aliases
    const failing = await zipOf({
      'index.mjs': "export const handler = async () => { throw new Error('down'); };",
    });
    await ok(
      'PUT',
      '/v1/functions/oa-fail',
      { ...NODE, async: { maximumRetryAttempts: 0 }, code: { zipBase64: failing } },
      201,
    );
    await ok('PATCH', '/v1/functions/oa-fn', { memoryMb: 256, environment: { A: '1' } });
    await ok('PUT', '/v1/functions/oa-fn/aliases/tmp', { functionVersion: '1', description: 'x' });
    await ok('GET', '/v1/functions/oa-fn/aliases');
    await ok('DELETE', '/v1/functions/oa-fn/aliases/tmp', undefined, 204);
    const failed = await ok('POST', '/v1/functions/oa-fail/invoke', {});
    assert.equal(failed.body.ok, false);

    // ---- async: a succeeded invocation, a timer, a dead letter replayed and purged
    const sub = await ok('POST', '/v1/functions/oa-fn/invoke-async', { n: 1 }, 202);
    await until('the invocation', 'GET', `/v1/invocations/${sub.body.id}`, (b) => b.status === 'succeeded');
    const timer = await ok(
      'POST',
      '/v1/timers',
      { target: 'oa-fn', delaySeconds: 3600, payload: { t: 1 } },
      201,
    );
    await ok('GET', '/v1/timers?function=oa-fn');
    await ok('GET', `/v1/timers/${timer.body.id}`);
    await ok('DELETE', `/v1/timers/${timer.body.id}`, undefined, 204);
    await ok('POST', '/v1/functions/oa-fail/invoke-async', { n: 2 }, 202);
    const dlq = '/v1/queues/dlq?function=oa-fail';
    const dead = (await until('a dead letter', 'GET', dlq, (b) => (b.deadLetters as unknown[]).length > 0))
      .body.deadLetters as { id: string; error: { reason?: string } }[];
    assert.ok(dead[0]!.error.reason, 'a dead letter says why');
    await ok('GET', `/v1/queues/dlq/${dead[0]!.id}`);
    await ok('GET', '/v1/queues');
    assert.equal((await ok('POST', '/v1/queues/dlq/replay', { ids: [dead[0]!.id] })).body.replayed, 1);
    await until('the dead letter again', 'GET', dlq, (b) => (b.deadLetters as unknown[]).length > 0);
    assert.equal((await ok('POST', '/v1/queues/dlq/purge', { function: 'oa-fail' })).body.purged, 1);

    // ---- SQS queues: a dead letter redriven back to its queue, a purge
    const sqsCall = (target: string, body: unknown) =>
      fetch(`${p.apiUrl}/`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${p.secret}`,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AmazonSQS.${target}`,
        },
        body: JSON.stringify(body),
      }).then(async (r) => {
        const t = await r.text();
        assert.ok(r.ok, `${target}: ${r.status} ${t}`);
        return JSON.parse(t) as Fields;
      });
    const dlqArn = 'arn:aws:sqs:local-1:000000000000:oa-dlq';
    const dlqUrl = (await sqsCall('CreateQueue', { QueueName: 'oa-dlq' })).QueueUrl as string;
    const workUrl = (
      await sqsCall('CreateQueue', {
        QueueName: 'oa-work',
        Attributes: {
          VisibilityTimeout: '0',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
        },
      })
    ).QueueUrl as string;
    await sqsCall('SendMessage', { QueueUrl: workUrl, MessageBody: 'oa' });
    const dlqCount = async () =>
      Number(
        (await sqsCall('GetQueueAttributes', { QueueUrl: dlqUrl, AttributeNames: ['All'] })).Attributes
          .ApproximateNumberOfMessages,
      );
    for (let i = 0; i < 50 && (await dlqCount()) === 0; i++)
      await sqsCall('ReceiveMessage', { QueueUrl: workUrl });
    const queues = await ok('GET', '/v1/sqs/queues');
    const dlqView = (queues.body.queues as Fields[]).find((q) => q.name === 'oa-dlq')!;
    assert.deepEqual(dlqView.deadLetterSources, ['oa-work']);
    assert.equal(dlqView.messages.visible, 1);
    const started = await ok('POST', '/v1/sqs/queues/oa-dlq/redrive', {}, 202);
    assert.equal(started.body.task.status, 'RUNNING');
    await until('the redrive', 'GET', '/v1/sqs/queues/oa-dlq/redrives', (b) =>
      (b.tasks as Fields[]).some((t) => t.status === 'COMPLETED' && t.moved === 1),
    );
    // A slow move (1 a second) cancelled at once; cancelling it again is a 409.
    for (const n of [1, 2, 3]) await sqsCall('SendMessage', { QueueUrl: dlqUrl, MessageBody: `c${n}` });
    const slow = await ok(
      'POST',
      '/v1/sqs/queues/oa-dlq/redrive',
      { destination: 'oa-work', maxPerSecond: 1 },
      202,
    );
    const cancel = `/v1/sqs/queues/oa-dlq/redrives/${slow.body.task.id}/cancel`;
    assert.equal((await ok('POST', cancel)).body.task.status, 'CANCELLED');
    assert.equal((await call('POST', cancel)).status, 409);
    await ok('POST', '/v1/sqs/queues/oa-dlq/purge', undefined, 204);
    await ok('POST', '/v1/sqs/queues/oa-work/purge', undefined, 204);
    assert.equal((await call('POST', '/v1/sqs/queues/oa-nope/redrive', {})).status, 404);

    // ---- logs setting, routes, gateway CORS
    await ok('GET', '/v1/settings/logs');
    const route = await ok(
      'POST',
      '/v1/routes',
      { routeKey: 'POST /oa-tmp', function: 'oa-fn', throttle: { rateLimit: 5, burstLimit: 5 } },
      201,
    );
    await ok('DELETE', `/v1/routes/${(route.body.route as { id: string }).id}`, undefined, 204);
    await ok('PUT', '/v1/functions/oa-fn/routes', {
      routes: [{ routeKey: 'GET /oa-manifest', stage: 'dev' }],
    });
    await ok('PUT', '/v1/gateway/cors', { allowOrigins: ['https://console.example'] });
    assert.notEqual((await ok('GET', '/v1/gateway/cors')).body.cors, null);
    await ok('DELETE', '/v1/gateway/cors', undefined, 204);
    assert.equal((await ok('GET', '/v1/gateway/cors')).body.cors, null);

    // ---- events: publish, webhooks, manifest subscriptions, a broker source
    const published = await send('POST', '/v1/topics/oa-topic/events', {
      raw: JSON.stringify({
        specversion: '1.0',
        id: 'e1',
        source: 'oa',
        type: 'order.created',
        data: { a: 1 },
      }),
      headers: { 'content-type': 'application/cloudevents+json' },
    });
    assert.equal(published.status, 202, published.text);
    const hook = await ok('POST', '/v1/webhooks', { topic: 'oa-topic', verification: 'standard' }, 201);
    assert.equal(typeof hook.body.secret, 'string');
    await ok('GET', '/v1/webhooks');
    await ok('DELETE', `/v1/webhooks/${hook.body.id}`, undefined, 204);
    const owned = await ok('PUT', '/v1/functions/oa-fn/subscriptions', {
      subscriptions: [
        { topic: 'oa-topic', pattern: { type: ['order.paid'] }, retry: { maximumRetryAttempts: 1 } },
      ],
    });
    const ownedId = (owned.body.subscriptions as { id: string }[])[0]!.id;
    await ok('DELETE', `/v1/subscriptions/${ownedId}`, undefined, 204);
    const source = await ok(
      'POST',
      '/v1/sources',
      { function: 'oa-fn', kind: 'nats', config: { subject: 'oa.src' } },
      201,
    );
    await ok('GET', '/v1/sources');
    await ok('GET', `/v1/sources/${source.body.id}`);
    await ok('PUT', '/v1/functions/oa-fn/sources', {
      sources: [{ kind: 'nats', config: { subject: 'oa.manifest' }, enabled: false }],
    });
    await ok('DELETE', `/v1/sources/${source.body.id}`, undefined, 204);
    await ok('PUT', '/v1/functions/oa-fn/schedules', {
      schedules: [{ name: 'oa-manifest', expression: 'cron(0 12 * * ? *)', input: { a: 1 } }],
    });
    await ok('DELETE', '/v1/schedules/oa-sched', undefined, 204);

    // ---- buckets and objects
    assert.equal((await ok('PUT', '/v1/buckets/oa-bucket')).status, 201);
    assert.equal((await ok('PUT', '/v1/buckets/oa-bucket')).status, 200);
    await ok('GET', '/v1/buckets');
    await ok('PUT', '/v1/buckets/oa-bucket/notifications', {
      notifications: [{ function: 'oa-fn', events: ['s3:ObjectCreated:*'], prefix: 'in/' }],
    });
    await ok('GET', '/v1/buckets/oa-bucket/notifications');
    const put = await send('PUT', `/v1/buckets/oa-bucket/object?key=${enc('in/a b.txt')}`, {
      raw: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(put.status, 200, put.text);
    const listed = await ok('GET', '/v1/buckets/oa-bucket/objects?delimiter=%2F');
    assert.deepEqual(listed.body.prefixes, ['in/']);
    await ok('GET', '/v1/buckets/oa-bucket/objects?prefix=in%2F&limit=1');
    const got = await ok('GET', `/v1/buckets/oa-bucket/object?key=${enc('in/a b.txt')}`);
    assert.equal(got.text, 'hello');
    await ok('DELETE', `/v1/buckets/oa-bucket/object?key=${enc('in/a b.txt')}`, undefined, 204);
    await ok('PUT', '/v1/buckets/oa-bucket/notifications', { notifications: [] });
    await ok('DELETE', '/v1/buckets/oa-bucket', undefined, 204);
    await ok('PUT', '/v1/functions/oa-fn/bucket-events', {
      events: [{ bucket: 'oa-events', events: ['s3:ObjectRemoved:*'] }],
    });

    // ---- workflows: succeeded, stopped, failed and redriven, EXPRESS run synchronously
    const pass = { StartAt: 'P', States: { P: { Type: 'Pass', Result: { done: true }, End: true } } };
    await ok('PUT', '/v1/workflows/oa-wf', { definition: pass, description: 'd', tags: { team: 'oa' } });
    await ok('GET', '/v1/workflows');
    await ok('GET', '/v1/workflows/oa-wf');
    const ex = await ok('POST', '/v1/workflows/oa-wf/executions', { name: 'run-1', input: { x: 1 } }, 201);
    const exPath = `/v1/executions/${enc(String(ex.body.arn))}`;
    assert.equal((await ok('GET', `${exPath}?wait=10`)).body.status, 'SUCCEEDED');
    await ok('GET', '/v1/workflows/oa-wf/executions?status=SUCCEEDED&limit=10');
    const hist = await ok('GET', `${exPath}/history?limit=1`);
    assert.equal(typeof hist.body.nextToken, 'string');
    await ok('GET', `${exPath}/history?reverse=1`);
    await ok('PUT', '/v1/workflows/oa-wait', {
      definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } },
    });
    const waiting = await ok('POST', '/v1/workflows/oa-wait/executions', undefined, 201);
    const stopped = await ok('POST', `/v1/executions/${enc(String(waiting.body.arn))}/stop`, {
      error: 'Why',
      cause: 'because',
    });
    assert.equal(stopped.body.status, 'ABORTED');
    await ok('PUT', '/v1/workflows/oa-task', {
      definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'oa-fail', End: true } } },
    });
    const task = await ok('POST', '/v1/workflows/oa-task/executions', {}, 201);
    const taskPath = `/v1/executions/${enc(String(task.body.arn))}`;
    assert.equal((await ok('GET', `${taskPath}?wait=20`)).body.status, 'FAILED');
    assert.equal((await ok('POST', `${taskPath}/redrive`)).body.redriveCount, 1);
    await ok('PUT', '/v1/workflows/oa-express', { definition: pass, type: 'EXPRESS' });
    assert.equal(
      (await ok('POST', '/v1/workflows/oa-express/executions?sync=1', { input: {} }, 200)).body.status,
      'SUCCEEDED',
    );
    await ok('PUT', '/v1/workflows/oa-wf/routes', { routes: [{ routeKey: 'POST /oa-wf' }] });
    await ok('PUT', '/v1/workflows/oa-wf/schedules', {
      schedules: [{ name: 'oa-wf-daily', expression: 'rate(1 day)' }],
    });
    await ok('PUT', '/v1/workflows/oa-wf/subscriptions', {
      subscriptions: [{ topic: 'oa-topic', pattern: { type: ['wf'] } }],
    });
    await ok('DELETE', '/v1/workflows/oa-express', undefined, 204);
    assert.equal(
      (await call('POST', '/v1/tasks/heartbeat', { taskToken: 'not-a-token' })).status >= 400,
      true,
    );

    // ---- identity: what the caller may do, tenants, keys (rotated, re-policied, revoked), roles
    const may = await ok('POST', '/v1/identity/permissions', {
      actions: ['lambda:ListFunctions', 'nimbus:ListTenants'],
    });
    assert.deepEqual(may.body.allowed, { 'lambda:ListFunctions': true, 'nimbus:ListTenants': true });
    await ok('POST', '/v1/tenants', { id: 'oa-tenant', description: 'for the document' }, 201);
    await ok('GET', '/v1/tenants');
    await ok('POST', '/v1/keys', { tenant: 'oa-tenant', policies: ['Developer'] }, 201);
    assert.deepEqual((await ok('GET', '/v1/tenants/oa-tenant')).body.tenant.resources, { keys: 1 });
    const key = await ok(
      'POST',
      '/v1/keys',
      { description: 'oa', policies: ['ReadOnly'], kind: 'service', expiresIn: '1d' },
      201,
    );
    const keyPath = `/v1/keys/${(key.body.key as { keyId: string }).keyId}`;
    await ok('GET', '/v1/keys');
    await ok('GET', keyPath);
    const rotated = await ok('POST', `${keyPath}/rotate`, { graceSeconds: 60 });
    assert.equal(
      typeof (rotated.body.key as { previousSecretValidUntil: unknown }).previousSecretValidUntil,
      'string',
    );
    await ok('PUT', `${keyPath}/policies`, {
      policies: [
        'Invoker',
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
      ],
    });
    assert.equal((await ok('POST', `${keyPath}/revoke`)).body.key.status, 'revoked');
    await ok('DELETE', keyPath, undefined, 204);
    const removed = await ok('DELETE', '/v1/tenants/oa-tenant?force=true');
    assert.equal(removed.body.deleted, 'oa-tenant');
    await ok('PUT', '/v1/roles/oa-role', {
      policies: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
      ],
      description: 'reads objects',
    });
    await ok('GET', '/v1/roles');
    await ok('GET', '/v1/roles/oa-role');
    await ok('DELETE', '/v1/roles/oa-role', undefined, 204);

    // ---- secrets (a name with a slash), the master key
    const secretPath = `/v1/secrets/${enc('oa/db')}`;
    await ok('PUT', secretPath, { value: 's3cret', description: 'db' }, 201);
    await ok('PUT', secretPath, { value: 's3cret-2' }, 200);
    await ok('GET', '/v1/secrets');
    await ok('GET', secretPath);
    assert.equal((await ok('GET', `${secretPath}/value`)).body.value, 's3cret-2');
    await ok('POST', `${secretPath}/rotate`, { value: 's3cret-3' });
    await ok('POST', '/v1/secrets/rotate-master-key');
    await ok('DELETE', secretPath, undefined, 204);

    // ---- audit, usage, prices, budgets, alerts
    const page = await ok('GET', '/v1/audit?limit=2');
    assert.equal(typeof page.body.next, 'number');
    await ok('GET', `/v1/audit?after=${page.body.next}&result=ok`);
    assert.equal((await ok('POST', '/v1/audit/verify')).body.ok, true);
    assert.ok(((await ok('GET', '/v1/usage?by=function')).body.groups as unknown[]).length > 0);
    assert.ok(((await ok('GET', '/v1/usage?function=oa-fn&limit=5')).body.records as unknown[]).length > 0);
    assert.match((await ok('GET', '/v1/usage?by=day&format=csv')).text, /^day,invocations/);
    await ok('GET', '/v1/prices');
    await ok('PUT', '/v1/prices', { entries: [{ perRequest: 0.0000002, perGbSecond: 0.0000166667 }] });
    await ok('DELETE', '/v1/prices', undefined, 204);
    await ok('PUT', '/v1/budgets/oa-fn-budget', {
      limitUsd: 5,
      function: 'oa-fn',
      topic: 'oa-topic',
      action: 'block',
    });
    await ok('GET', '/v1/budgets');
    await ok('GET', '/v1/budgets/oa-budget');
    await ok('DELETE', '/v1/budgets/oa-fn-budget', undefined, 204);
    await ok('PUT', '/v1/alerts/oa-budget-alert', {
      metric: 'budget_percent',
      budget: 'oa-budget',
      threshold: 80,
      notify: [{ function: 'oa-fn' }],
      description: 'spent',
    });
    await ok('GET', '/v1/alerts');
    await ok('GET', '/v1/alerts/oa-alert');
    await ok('DELETE', '/v1/alerts/oa-budget-alert', undefined, 204);

    // ---- metrics, status, doctor, health
    const series = await ok('GET', '/v1/metrics?function=oa-fn&name=invocations&step=60');
    assert.ok(
      (series.body.points as [number, number][]).some(([, v]) => v > 0),
      'the invocations are counted',
    );
    await ok('GET', '/v1/metrics?name=duration_p99&step=300');
    await ok('GET', '/v1/metrics/live?window=10');
    assert.ok(((await ok('GET', '/v1/status')).body.functions as unknown[]).length > 0);
    await ok('GET', '/v1/doctor');
    await ok('GET', '/healthz');
    await ok('GET', '/healthz?live=1');
    await ok('DELETE', '/v1/functions/oa-fail', undefined, 204);

    // Every route that answers JSON has been answered and checked here (or in the tests above).
    const unanswered = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) =>
          Object.entries((op as Op).responses).some(
            ([st, r]) =>
              /^2\d\d$/.test(st) && st !== '204' && (r.content as Json | undefined)?.['application/json'],
          ),
        )
        .map(([m]) => `${m.toUpperCase()} ${path}`)
        .filter((k) => !answered.has(k)),
    );
    assert.deepEqual(unanswered, [], 'JSON routes no test answered');
    assert.ok(checkedAnswers >= 140, `checked ${checkedAnswers} answers`);
    console.log(`openapi: ${checkedAnswers} answers checked, ${answered.size} operations answered`);
  });

  it('console/src/api/schema.d.ts is up to date (npm run openapi:types) and type-checks', async () => {
    const text = openApiTypes(doc);
    assert.equal(await readFile(SCHEMA_DTS, 'utf8'), text, 'stale: run npm run openapi:types');
    const dir = await mkdtemp(join(tmpdir(), 'nimbus-openapi-'));
    const use = join(dir, 'use.ts');
    await writeFile(
      use,
      `import type { AlertRuleRequest, DeployRequest, paths, SubscriptionRequest, UsageReport } from ${JSON.stringify(SCHEMA_DTS)};
const d: DeployRequest = { runtime: 'nodejs22.x', handler: 'index.handler', code: { zipBase64: 'UEs=' } };
const s: SubscriptionRequest = { target: { function: 'f' }, pattern: { type: ['x'] } };
type Created = paths['/v1/functions/{name}']['put']['responses']['201']['content']['application/json'];
const c = null as unknown as Created;
const name: string = 'function' in c ? c.function.name : c.codeSha256;
type Failed = paths['/v1/routes']['post']['responses']['4XX']['content']['application/json'];
const e: Failed = { error: { code: 'X', message: 'm', status: 400, kind: 'user', retryable: false } };
// @ts-expect-error runtime is required
const bad: DeployRequest = { handler: 'h', code: { zipBase64: 'x' } };
const a: AlertRuleRequest = { metric: 'errors', threshold: 1, notify: [{ topic: 't' }, { webhook: 'https://x' }] };
// @ts-expect-error a notify target is a topic, a function or a webhook, not two of them
const both: AlertRuleRequest = { metric: 'errors', threshold: 1, notify: [{ topic: 't', function: 'f' }] };
type Queues = paths['/v1/queues']['get']['responses']['200']['content']['application/json'];
const q: Queues = { queues: [{ functionName: 'f', queue: 'q', ready: 0, delayed: 0, inflight: 0, dead: 0, oldestAgeMs: 0 }] };
const u = null as unknown as UsageReport;
const cost: number = 'groups' in u ? u.total.costUsd : u.summary.costUsd;
void [d, s, e, bad, name, a, both, q, cost];
`,
    );
    const tsc = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsc');
    const args = ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022'];
    const r = await promisify(execFile)(tsc, [
      ...args,
      '--module',
      'nodenext',
      '--allowImportingTsExtensions',
      use,
    ]).then(
      () => ({ ok: true, out: '' }),
      (e: { stdout?: string }) => ({ ok: false, out: e.stdout ?? String(e) }),
    );
    assert.ok(r.ok, r.out);
  });
});
