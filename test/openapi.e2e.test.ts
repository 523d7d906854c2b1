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
  const schemaOf = (name: string) => ajv.getSchema(`nimbus#/components/schemas/${name}`)!;
  const accepts = (name: string, body: unknown) => {
    const v = schemaOf(name);
    return v(body) ? true : JSON.stringify(v.errors);
  };
  /** The operation a concrete path matches. */
  const opFor = (method: string, path: string): Op | undefined => {
    const clean = path.split('?')[0]!;
    for (const [tpl, item] of Object.entries(doc.paths)) {
      const re = new RegExp(`^${tpl.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (re.test(clean) && item[method.toLowerCase()]) return item[method.toLowerCase()] as Op;
    }
    return undefined;
  };
  let checkedAnswers = 0;
  /** A call whose JSON answer must match the document's schema for its status. */
  const call = async (method: string, path: string, body?: unknown, secret?: string) => {
    const r = await fetch(`${p.apiUrl}${path}`, {
      method,
      headers: {
        ...(secret === '' ? {} : { authorization: `Bearer ${secret ?? p.secret}` }),
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    const json =
      text && /json/.test(r.headers.get('content-type') ?? '') ? (JSON.parse(text) as unknown) : text;
    const op = opFor(method, path);
    assert.ok(op, `${method} ${path} is not in the document`);
    const declared = op.responses[String(r.status)] ?? op.responses[`${String(r.status)[0]}XX`];
    assert.ok(declared, `${method} ${path}: status ${r.status} is not declared (${text.slice(0, 200)})`);
    const schema = (
      (declared.$ref
        ? { content: { 'application/json': { schema: { $ref: 'nimbus#/components/schemas/Error' } } } }
        : declared) as {
        content?: Record<string, { schema: Json }>;
      }
    ).content?.['application/json']?.schema;
    if (schema && typeof json === 'object') {
      const s = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"nimbus#/components/'),
      ) as Json;
      const v = ajv.compile(s);
      assert.ok(v(json), `${method} ${path} ${r.status}: answer does not match: ${JSON.stringify(v.errors)}`);
      checkedAnswers++;
    }
    return { status: r.status, body: json as Json & Record<string, never>, text };
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
      const op = opFor(c.method, c.path)!;
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

  it('console/src/api/schema.d.ts is up to date (npm run openapi:types) and type-checks', async () => {
    const text = openApiTypes(doc);
    assert.equal(await readFile(SCHEMA_DTS, 'utf8'), text, 'stale: run npm run openapi:types');
    const dir = await mkdtemp(join(tmpdir(), 'nimbus-openapi-'));
    const use = join(dir, 'use.ts');
    await writeFile(
      use,
      `import type { DeployRequest, paths, SubscriptionRequest } from ${JSON.stringify(SCHEMA_DTS)};
const d: DeployRequest = { runtime: 'nodejs22.x', handler: 'index.handler', code: { zipBase64: 'UEs=' } };
const s: SubscriptionRequest = { target: { function: 'f' }, pattern: { type: ['x'] } };
type Created = paths['/v1/functions/{name}']['put']['responses']['201']['content']['application/json'];
const c = null as unknown as Created;
const name: string = 'function' in c ? c.function.name : c.codeSha256;
type Failed = paths['/v1/routes']['post']['responses']['4XX']['content']['application/json'];
const e: Failed = { error: { code: 'X', message: 'm', status: 400, kind: 'user', retryable: false } };
// @ts-expect-error runtime is required
const bad: DeployRequest = { handler: 'h', code: { zipBase64: 'x' } };
void [d, s, e, bad, name];
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
