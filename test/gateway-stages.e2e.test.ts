/**
 * REST API (`http` events) on a real platform: staged routes answer at `/<stage>/<path>` and at
 * the unstaged alias with API Gateway's 1.0 event fields, behind a tenant prefix too; per-route
 * CORS answers preflights without invoking the function (the mock OPTIONS method) and decorates
 * responses unless the function sets its own origin; the tenant-wide CORS keeps precedence.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { zipDirectory } from '../src/registry/build/index.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const ECHO = `let calls = 0;
export const handler = async (event) => {
  calls++;
  const mode = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-mode')?.[1];
  if (mode === 'own')
    return { statusCode: 200, headers: { 'Access-Control-Allow-Origin': 'https://own.example' }, body: 'own' };
  return { statusCode: 200, headers: { 'content-type': 'application/json', 'x-calls': String(calls) }, body: JSON.stringify(event) };
};
`;

interface V1 {
  version: string;
  resource: string;
  path: string;
  httpMethod: string;
  pathParameters: Record<string, string> | null;
  queryStringParameters: Record<string, string> | null;
  requestContext: { stage: string; path: string; resourcePath: string; httpMethod: string };
}
interface RouteView {
  id: string;
  routeKey: string;
  stage: string | null;
  cors: Record<string, unknown> | null;
}

const APP = 'https://app.example';

describe('gateway stages and per-route CORS (REST http events)', () => {
  let p: TestPlatform;
  const gw = (path: string, init: RequestInit = {}) => fetch(`${p.gatewayUrl}${path}`, init);
  const preflightTo = (path: string, origin: string, method: string, headers?: string) =>
    gw(path, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        ...(headers ? { 'access-control-request-headers': headers } : {}),
      },
    });
  /** How many times the echo function's (single, warm) instance ran, this call included. */
  const calls = async () => Number((await gw('/dev/plain')).headers.get('x-calls'));

  before(async () => {
    p = await startTestPlatform();
    const dir = await fixture({ 'index.mjs': ECHO });
    const fn = await p.deployDir('echo', dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    assert.equal(fn.status, 201, JSON.stringify(fn.body));
    const put = await p.json<{ routes: RouteView[] }>('PUT', '/v1/functions/echo/routes', {
      routes: [
        {
          routeKey: 'GET /users/{id}',
          payloadFormat: '1.0',
          stage: 'dev',
          cors: {
            allowOrigins: [APP],
            allowHeaders: ['content-type', 'authorization'],
            exposeHeaders: ['x-calls'],
            allowCredentials: true,
            maxAge: 300,
          },
        },
        { routeKey: 'POST /users/{id}', payloadFormat: '1.0', stage: 'dev', cors: { allowOrigins: [APP] } },
        { routeKey: 'DELETE /users/{id}', payloadFormat: '1.0', stage: 'dev' },
        { routeKey: 'GET /plain', payloadFormat: '1.0', stage: 'dev' },
        { routeKey: 'GET /legacy/{name}', payloadFormat: '1.0' },
      ],
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
  });
  after(() => p?.stop());

  it('takes stage and cors on routes, shows them in views, and validates them', async () => {
    const list = await p.json<{ routes: RouteView[] }>('GET', '/v1/routes');
    const byKey = new Map(list.body.routes.map((r) => [r.routeKey, r]));
    assert.equal(byKey.get('GET /users/{id}')?.stage, 'dev');
    assert.deepEqual(byKey.get('POST /users/{id}')?.cors, {
      allowOrigins: [APP],
      allowMethods: ['*'],
      allowHeaders: ['*'],
      exposeHeaders: [],
      allowCredentials: false,
      maxAge: 0,
    });
    assert.equal(byKey.get('GET /legacy/{name}')?.stage, null);
    assert.equal(byKey.get('GET /legacy/{name}')?.cors, null);

    for (const stage of ['', 'd/v', 'dév', 'x'.repeat(129)]) {
      const r = await p.json('POST', '/v1/routes', { routeKey: 'GET /s', function: 'echo', stage });
      assert.equal(r.status, 400, `stage ${JSON.stringify(stage)}`);
    }
    const badCors = await p.json('POST', '/v1/routes', {
      routeKey: 'GET /s',
      function: 'echo',
      cors: { allowOrigins: ['*'], allowCredentials: true },
    });
    assert.equal(badCors.status, 400);
    // Route keys are unique per tenant whatever the stage.
    for (const stage of [undefined, 'prod']) {
      const dup = await p.json('POST', '/v1/routes', {
        routeKey: 'GET /users/{id}',
        function: 'echo',
        payloadFormat: '1.0',
        ...(stage ? { stage } : {}),
      });
      assert.equal(dup.status, 409, `stage ${stage}`);
    }
    const ok = await p.json<{ route: RouteView }>('POST', '/v1/routes', {
      routeKey: 'GET /s',
      function: 'echo',
      stage: 'Stage_2-b',
    });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.route.stage, 'Stage_2-b');
    assert.equal((await p.api('DELETE', `/v1/routes/${ok.body.route.id}`)).status, 204);
  });

  it('serves a staged route at /<stage>/<path> with the 1.0 event API Gateway builds', async () => {
    const r = await gw('/dev/users/42?x=1');
    assert.equal(r.status, 200);
    const e = (await r.json()) as V1;
    assert.equal(e.version, '1.0');
    assert.equal(e.path, '/users/42');
    assert.equal(e.resource, '/users/{id}');
    assert.equal(e.httpMethod, 'GET');
    assert.deepEqual(e.pathParameters, { id: '42' });
    assert.deepEqual(e.queryStringParameters, { x: '1' });
    assert.equal(e.requestContext.stage, 'dev');
    assert.equal(e.requestContext.path, '/dev/users/42');
    assert.equal(e.requestContext.resourcePath, '/users/{id}');
  });

  it('serves it at the unstaged alias too, stage still dev', async () => {
    const e = (await (await gw('/users/42')).json()) as V1;
    assert.equal(e.path, '/users/42');
    assert.equal(e.resource, '/users/{id}');
    assert.equal(e.requestContext.stage, 'dev');
    assert.equal(e.requestContext.path, '/users/42');
    assert.equal(e.requestContext.resourcePath, '/users/{id}');
  });

  it('leaves unstaged routes as they were: $default stage, not under a stage prefix', async () => {
    const e = (await (await gw('/legacy/bob')).json()) as V1;
    assert.equal(e.requestContext.stage, '$default');
    assert.equal(e.path, '/legacy/bob');
    assert.equal(e.requestContext.path, '/legacy/bob');
    assert.equal((await gw('/dev/legacy/bob')).status, 404);
    assert.equal((await gw('/prod/users/42')).status, 404, 'no prod stage');
  });

  it('strips the tenant prefix first, then the stage', async () => {
    assert.equal((await p.api('POST', '/v1/tenants', { id: 'acme' })).status, 201);
    const key = await p.json<{ secret: string }>('POST', '/v1/keys', {
      tenant: 'acme',
      policies: ['AdministratorAccess'],
    });
    assert.equal(key.status, 201);
    const as = (method: string, path: string, body: unknown) =>
      fetch(`${p.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${key.body.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const dir = await fixture({ 'index.mjs': ECHO });
    const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
    const fn = await as('PUT', '/v1/functions/echo', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64: zip },
    });
    assert.equal(fn.status, 201, await fn.text());
    const routes = await as('PUT', '/v1/functions/echo/routes', {
      routes: [{ routeKey: 'GET /items/{id}', payloadFormat: '1.0', stage: 'v1' }],
    });
    assert.equal(routes.status, 200, await routes.text());
    const e = (await (await gw('/~acme/v1/items/7')).json()) as V1;
    assert.equal(e.path, '/items/7');
    assert.equal(e.requestContext.stage, 'v1');
    assert.equal(e.requestContext.path, '/v1/items/7');
    assert.equal(e.requestContext.resourcePath, '/items/{id}');
    const alias = (await (await gw('/~acme/items/7')).json()) as V1;
    assert.equal(alias.requestContext.path, '/items/7');
    assert.equal(alias.requestContext.stage, 'v1');
    // The default tenant has no v1 stage nor such route.
    assert.equal((await gw('/v1/items/7')).status, 404);
  });

  it('answers preflights of a resource with cors routes without invoking the function', async () => {
    const before = await calls();
    for (const path of ['/dev/users/42', '/users/42']) {
      const pre = await preflightTo(path, APP, 'POST', 'content-type');
      assert.equal(pre.status, 204, path);
      assert.equal(await pre.text(), '');
      assert.equal(pre.headers.get('access-control-allow-origin'), APP);
      // The methods of the routes with cors on /users/{id} (not DELETE), plus OPTIONS.
      assert.equal(pre.headers.get('access-control-allow-methods'), 'OPTIONS,GET,POST');
      // Merged from both routes: POST's default * echoes the requested headers.
      assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type');
      assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(pre.headers.get('access-control-max-age'), '300');
      assert.ok(pre.headers.get('apigw-requestid'));
    }
    const denied = await preflightTo('/dev/users/42', 'https://evil.example', 'GET');
    assert.equal(denied.status, 204);
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    const noCorsMethod = await preflightTo('/dev/users/42', APP, 'DELETE');
    assert.equal(noCorsMethod.status, 204);
    assert.equal(noCorsMethod.headers.get('access-control-allow-methods'), null);
    assert.equal(await calls(), before + 1, 'no preflight reached the function');
  });

  it('does not answer preflights of a resource without cors routes', async () => {
    const pre = await preflightTo('/dev/plain', APP, 'GET');
    assert.equal(pre.status, 404);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    assert.equal(
      ((await pre.json()) as { error: { code: string } }).error.code,
      'NIMBUS_ERR_GATEWAY_ROUTE_NOT_FOUND',
    );
  });

  it("adds the route's CORS to responses unless the function sets its own origin", async () => {
    const r = await gw('/dev/users/1', { headers: { origin: APP } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), APP);
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(r.headers.get('access-control-expose-headers'), 'x-calls');
    assert.equal(r.headers.get('vary'), 'Origin');
    const evil = await gw('/dev/users/1', { headers: { origin: 'https://evil.example' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const own = await gw('/dev/users/1', { headers: { origin: APP, 'x-mode': 'own' } });
    assert.equal(await own.text(), 'own');
    assert.equal(own.headers.get('access-control-allow-origin'), 'https://own.example');
    assert.equal(own.headers.get('access-control-allow-credentials'), null);
    assert.equal(own.headers.get('vary'), null);
    const noCors = await gw('/dev/users/1', { method: 'DELETE', headers: { origin: APP } });
    assert.equal(noCors.status, 200);
    assert.equal(noCors.headers.get('access-control-allow-origin'), null);
  });

  it('gives the tenant-wide CORS precedence while it is set', async () => {
    const put = await p.json('PUT', '/v1/gateway/cors', {
      allowOrigins: ['https://tenant.example'],
      allowMethods: ['GET'],
    });
    assert.equal(put.status, 200);
    try {
      const pre = await preflightTo('/dev/users/42', 'https://tenant.example', 'GET');
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'https://tenant.example');
      assert.equal(pre.headers.get('access-control-allow-methods'), 'GET');
      const routeOrigin = await preflightTo('/dev/users/42', APP, 'GET');
      assert.equal(routeOrigin.status, 204);
      assert.equal(routeOrigin.headers.get('access-control-allow-origin'), null);
      // The tenant's CORS answers every preflight, cors routes or not.
      assert.equal((await preflightTo('/dev/plain', 'https://tenant.example', 'GET')).status, 204);
      const r = await gw('/dev/users/1', { headers: { origin: APP } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), null);
      assert.equal(r.headers.get('access-control-allow-credentials'), null);
    } finally {
      assert.equal((await p.api('DELETE', '/v1/gateway/cors')).status, 204);
    }
    const back = await preflightTo('/dev/users/42', APP, 'GET');
    assert.equal(back.headers.get('access-control-allow-methods'), 'OPTIONS,GET,POST');
  });
});
