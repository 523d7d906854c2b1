/**
 * Isolate runtime through the real server: deploy with `isolation: 'isolate'` over REST (bundled
 * by esbuild at deploy), invoke over an HTTP route, the REST invoke API and the Lambda Invoke
 * API, timeouts as coded errors, `functions status` counting isolate instances, PATCH switching
 * a function between runtimes, and validation of the new setting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../src/core/clock.ts';
import { createIsolateSandboxFactory } from '../src/runtime/index.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const probe = createIsolateSandboxFactory({ clock: systemClock, hiddenPaths: [], spareHost: false });
const why = probe.isolation().sandbox.startsWith('none usable') ? probe.isolation().sandbox : undefined;
void probe.close();

const HANDLER = `import { shout } from './lib.mjs';
let n = 0;
export const handler = async (event, context) => {
  if (event.hang || event.queryStringParameters?.hang) { while (true) {} }
  console.log('hello from', context.functionName);
  n++;
  const where = typeof process === 'undefined' ? 'isolate' : 'process';
  if (event.requestContext?.http) {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ where, n, path: event.rawPath, msg: shout('hi') }) };
  }
  return { where, n, msg: shout(event.msg ?? 'hi') };
};`;

describe('Isolate runtime e2e', { skip: why && !process.env.CI ? why : false }, () => {
  let p: TestPlatform;

  before(async () => {
    p = await startTestPlatform();
    const dir = await fixture({
      'index.mjs': HANDLER,
      'lib.mjs': 'export const shout = (s) => s.toUpperCase();',
    });
    const r = await p.deployDir('iso', dir, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      timeoutSec: 1,
      isolation: 'isolate',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((r.body.function as { isolation: string }).isolation, 'isolate');
    const route = await p.json('POST', '/v1/routes', { routeKey: 'GET /iso/{x}', function: 'iso' });
    assert.equal(route.status, 201, JSON.stringify(route.body));
  });
  after(async () => {
    await p?.stop();
  });

  it('invokes over an HTTP route, the REST invoke API and the Lambda Invoke API', async () => {
    const g = await fetch(`${p.gatewayUrl}/iso/abc`);
    assert.equal(g.status, 200);
    const body = (await g.json()) as { where: string; path: string; msg: string };
    assert.deepEqual(
      { where: body.where, path: body.path, msg: body.msg },
      { where: 'isolate', path: '/iso/abc', msg: 'HI' },
    );
    const rest = await p.api('POST', '/v1/functions/iso/invoke', { msg: 'rest' });
    assert.equal(rest.status, 200);
    const rb = ((await rest.json()) as { result: { where: string; msg: string } }).result;
    assert.equal(rb.where, 'isolate');
    assert.equal(rb.msg, 'REST');
    const lambda = await p.api(
      'POST',
      '/2015-03-31/functions/iso/invocations',
      { msg: 'aws' },
      {
        'x-amz-log-type': 'Tail',
      },
    );
    assert.equal(lambda.status, 200);
    assert.equal(((await lambda.json()) as { msg: string }).msg, 'AWS');
    const tail = Buffer.from(lambda.headers.get('x-amz-log-result') ?? '', 'base64').toString('utf8');
    assert.match(tail, /hello from iso/);
  });

  it('counts isolate instances in functions status and reports timeouts as coded errors', async () => {
    const st = await p.json<{
      functions: { functionName: string; warm: number; busy: number; coldStarts: number }[];
    }>('GET', '/v1/status');
    const s = st.body.functions.find((f) => f.functionName === 'iso');
    assert.ok(s, JSON.stringify(st.body));
    assert.ok(s.warm + s.busy >= 1, JSON.stringify(s));
    assert.ok(s.coldStarts >= 1);
    const t0 = performance.now();
    const hang = await p.api('POST', '/v1/functions/iso/invoke', { hang: true });
    const took = performance.now() - t0;
    const text = await hang.text();
    assert.match(text + JSON.stringify(Object.fromEntries(hang.headers)), /NIMBUS_ERR_RUNTIME_TIMEOUT/);
    assert.ok(took < 2500, `took ${took} ms`);
    // The timed-out instance is replaced: the next request is served.
    const next = await p.api('POST', '/v1/functions/iso/invoke', { msg: 'again' });
    assert.equal(((await next.json()) as { result: { msg: string } }).result.msg, 'AGAIN');
  });

  it('switches a function between runtimes with PATCH and validates the setting', async () => {
    const toProcess = await p.json<{ function: { isolation: string } }>('PATCH', '/v1/functions/iso', {
      isolation: 'process',
    });
    assert.equal(toProcess.status, 200);
    assert.equal(toProcess.body.function.isolation, 'process');
    const r = await p.api('POST', '/v1/functions/iso/invoke', {});
    assert.equal(((await r.json()) as { result: { where: string } }).result.where, 'process');
    const back = await p.json<{ function: { isolation: string } }>('PATCH', '/v1/functions/iso', {
      isolation: 'isolate',
    });
    assert.equal(back.body.function.isolation, 'isolate');
    const r2 = await p.api('POST', '/v1/functions/iso/invoke', {});
    assert.equal(((await r2.json()) as { result: { where: string } }).result.where, 'isolate');
    const bad = await p.json<{ error: { code: string } }>('PATCH', '/v1/functions/iso', { isolation: 'vm' });
    assert.equal(bad.status, 400);
    const py = await fixture({ 'app.py': 'def handler(e, c):\n    return 1\n' });
    const pyDeploy = await p.deployDir('py-iso', py, {
      runtime: 'python3.12',
      handler: 'app.handler',
      isolation: 'isolate',
    });
    assert.equal(pyDeploy.status, 400);
    assert.match(
      JSON.stringify(pyDeploy.body),
      /NIMBUS_ERR_DEPLOY_INVALID_CONFIG.*only Node functions run in isolates/,
    );
    const fsUser = await fixture({
      'index.mjs':
        'import { readFileSync } from "node:fs"; export const handler = async () => readFileSync("/etc/hostname", "utf8");',
    });
    const fsDeploy = await p.deployDir('fs-iso', fsUser, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      isolation: 'isolate',
    });
    assert.equal(fsDeploy.status, 400);
    assert.match(JSON.stringify(fsDeploy.body), /NIMBUS_ERR_DEPLOY_ISOLATE_INCOMPATIBLE.*node:fs/);
    // The same code deploys as a process function.
    const asProcess = await p.deployDir('fs-iso', fsUser, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
    });
    assert.equal(asProcess.status, 201);
  });
});
