/**
 * HTTP gateway e2e with a real HTTP client: API Gateway v2/v1 events, response mapping, route
 * changes without restart, and bad input (malformed paths, CRLF in function headers, oversized
 * bodies and headers, unknown routes, function errors and timeouts) answered with coded errors.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const ECHO = `export const handler = async (event) => {
  if (event.headers?.['x-mode'] === 'crlf') return { statusCode: 200, headers: { 'x-bad': 'a\\r\\nset-cookie: evil=1' }, body: 'x' };
  if (event.headers?.['x-mode'] === 'throw') throw new Error('secret internals');
  if (event.headers?.['x-mode'] === 'hang') await new Promise(() => {});
  if (event.headers?.['x-mode'] === 'slow') { await new Promise((r) => setTimeout(r, 4000)); return 'late'; }
  if (event.headers?.['x-mode'] === 'plain') return { hello: 'world' };
  if (event.headers?.['x-mode'] === 'framing') return { statusCode: 200, headers: { 'content-length': '999', 'transfer-encoding': 'chunked', connection: 'close', 'x-kept': 'yes' }, body: 'abc' };
  if (event.headers?.['x-mode'] === 'nocontent') return { statusCode: 204, headers: { 'x-kept': 'yes' }, body: 'ignored' };
  if (event.headers?.['x-mode'] === 'binary') return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true };
  return { statusCode: 201, headers: { 'content-type': 'application/json', 'x-route': event.routeKey ?? event.resource }, cookies: ['a=1', 'b=2'], body: JSON.stringify(event) };
};
`;

interface Ev {
  version: string;
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  queryStringParameters: Record<string, string>;
  multiValueQueryStringParameters: Record<string, string[]>;
  pathParameters: Record<string, string>;
  cookies: string[];
  headers: Record<string, string | undefined>;
  requestContext: { http: { method: string; sourceIp: string }; stage: string; time: string };
  isBase64Encoded: boolean;
  body: string;
  resource: string;
  httpMethod: string;
}

describe('HTTP gateway', () => {
  let p: TestPlatform;
  const gw = (path: string, init: RequestInit = {}) => fetch(`${p.gatewayUrl}${path}`, init);

  before(async () => {
    p = await startTestPlatform({ gatewayTimeoutMs: 2000 });
    const dir = await fixture({ 'index.mjs': ECHO });
    assert.equal(
      (await p.deployDir('echo', dir, { runtime: 'nodejs24.x', handler: 'index.handler', timeoutSec: 1 }))
        .status,
      201,
    );
    for (const [routeKey, payloadFormat] of [
      ['GET /user/{userId}', '2.0'],
      ['ANY /files/{proxy+}', '2.0'],
      ['POST /v1style/{id}', '1.0'],
    ]) {
      const r = await p.json('POST', '/v1/routes', { routeKey, function: 'echo', payloadFormat });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });
  after(() => p?.stop());

  it('builds API Gateway payload 2.0 events and maps {statusCode, headers, cookies, body}', async () => {
    const r = await gw('/user/42?x=1&x=2&y=%20z', { headers: { cookie: 'c1=a; c2=b', 'X-Custom': 'Yes' } });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('x-route'), 'GET /user/{userId}');
    assert.deepEqual(r.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.ok(r.headers.get('apigw-requestid'));
    const e = (await r.json()) as Ev;
    assert.equal(e.version, '2.0');
    assert.equal(e.routeKey, 'GET /user/{userId}');
    assert.equal(e.rawPath, '/user/42');
    assert.equal(e.rawQueryString, 'x=1&x=2&y=%20z');
    assert.deepEqual(e.queryStringParameters, { x: '1,2', y: ' z' });
    assert.deepEqual(e.pathParameters, { userId: '42' });
    assert.deepEqual(e.cookies, ['c1=a', 'c2=b']);
    assert.equal(e.headers['x-custom'], 'Yes');
    assert.equal(e.headers.cookie, undefined);
    assert.equal(e.requestContext.http.method, 'GET');
    assert.equal(e.requestContext.http.sourceIp, '127.0.0.1');
    assert.equal(e.requestContext.stage, '$default');
    assert.match(e.requestContext.time, /^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(e.isBase64Encoded, false);
  });

  it('passes greedy paths, binary bodies (base64) and decodes percent-encoded segments', async () => {
    const r = await gw('/files/a/b%20c/d.txt', {
      method: 'PUT',
      body: new Uint8Array([1, 2, 3]),
      headers: { 'content-type': 'application/octet-stream' },
    });
    const e = (await r.json()) as Ev;
    assert.deepEqual(e.pathParameters, { proxy: 'a/b c/d.txt' });
    assert.equal(e.isBase64Encoded, true);
    assert.deepEqual([...Buffer.from(e.body, 'base64')], [1, 2, 3]);
    const bin = await gw('/files/x', { headers: { 'x-mode': 'binary' } });
    assert.deepEqual([...new Uint8Array(await bin.arrayBuffer())], [0, 1, 2, 255]);
  });

  it('builds payload 1.0 events for http routes', async () => {
    const r = await gw('/v1style/7?q=1&q=2', {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    const e = (await r.json()) as Ev;
    assert.equal(e.version, '1.0');
    assert.equal(e.resource, '/v1style/{id}');
    assert.equal(e.httpMethod, 'POST');
    assert.deepEqual(e.pathParameters, { id: '7' });
    assert.deepEqual(e.multiValueQueryStringParameters, { q: ['1', '2'] });
    assert.equal(e.queryStringParameters.q, '2');
    assert.equal(e.body, '{"a":1}');
  });

  it('maps a plain return value to 200 JSON', async () => {
    const r = await gw('/user/1', { headers: { 'x-mode': 'plain' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.deepEqual(await r.json(), { hello: 'world' });
  });

  it('never injects CR/LF from function headers, and hides function errors behind coded 502/504', async () => {
    const crlf = await gw('/user/1', { headers: { 'x-mode': 'crlf' } });
    assert.equal(crlf.status, 502);
    assert.equal(crlf.headers.get('set-cookie'), null);
    assert.equal(
      ((await crlf.json()) as { error: { code: string } }).error.code,
      'NIMBUS_ERR_GATEWAY_BAD_FUNCTION_RESPONSE',
    );
    const thrown = await gw('/user/1', { headers: { 'x-mode': 'throw' } });
    assert.equal(thrown.status, 502);
    const text = await thrown.text();
    assert.doesNotMatch(text, /secret internals|at .*index\.mjs/);
    assert.match(text, /NIMBUS_ERR_GATEWAY_FUNCTION_ERROR/);
    const hang = await gw('/user/1', { headers: { 'x-mode': 'hang' } });
    assert.equal(hang.status, 504);
    assert.match(await hang.text(), /NIMBUS_ERR_GATEWAY_FUNCTION_TIMEOUT/);
  });

  it('owns the message framing: the function cannot set Content-Length or Transfer-Encoding, and a 204 has no body', async () => {
    const r = await gw('/user/7', { headers: { 'x-mode': 'framing' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), '3');
    assert.equal(r.headers.get('transfer-encoding'), null);
    assert.equal(r.headers.get('x-kept'), 'yes');
    assert.equal(await r.text(), 'abc');
    // The connection stays usable: the next request on it is answered.
    assert.equal((await gw('/user/8', { headers: { 'x-mode': 'plain' } })).status, 200);
    const n = await gw('/user/7', { headers: { 'x-mode': 'nocontent' } });
    assert.equal(n.status, 204);
    assert.equal(n.headers.get('x-kept'), 'yes');
    assert.ok(n.headers.get('apigw-requestid'));
    assert.equal(await n.text(), '');
  });

  it('answers 504 at the gateway timeout while the function keeps its own (longer) timeout', async () => {
    const dir = await fixture({ 'index.mjs': ECHO });
    await p.deployDir('echo-slow', dir, { runtime: 'nodejs24.x', handler: 'index.handler', timeoutSec: 10 });
    await p.json('POST', '/v1/routes', { routeKey: 'GET /slow', function: 'echo-slow' });
    const t0 = performance.now();
    const r = await gw('/slow', { headers: { 'x-mode': 'slow' } });
    assert.equal(r.status, 504);
    assert.match(await r.text(), /NIMBUS_ERR_GATEWAY_INTEGRATION_TIMEOUT/);
    assert.ok(performance.now() - t0 < 3000);
  });

  it('joins duplicate request headers with commas in payload 2.0', async () => {
    const { request: req } = await import('node:http');
    const u = new URL(p.gatewayUrl);
    const body = await new Promise<string>((resolve, reject) => {
      const r = req(
        {
          host: u.hostname,
          port: u.port,
          path: '/user/9',
          headers: ['Host', u.host, 'X-Dup', 'a', 'X-Dup', 'b'] as unknown as Record<string, string>,
        },
        (res) => {
          let b = '';
          res.on('data', (c: Buffer) => {
            b += c.toString();
          });
          res.on('end', () => resolve(b));
        },
      );
      r.on('error', reject);
      r.end();
    });
    assert.equal((JSON.parse(body) as Ev).headers['x-dup'], 'a,b');
  });

  it('answers unknown routes, method mismatches and malformed paths with coded 404/400', async () => {
    const nf = await gw('/nope');
    assert.equal(nf.status, 404);
    assert.equal(
      ((await nf.json()) as { error: { code: string } }).error.code,
      'NIMBUS_ERR_GATEWAY_ROUTE_NOT_FOUND',
    );
    assert.equal((await gw('/user/1', { method: 'DELETE' })).status, 404);
    const bad = await rawGet('/user/%E0%A4%A');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /NIMBUS_ERR_GATEWAY_MALFORMED_REQUEST/);
  });

  it('limits body size (413) and header size (431)', async () => {
    const big = await gw('/files/x', { method: 'POST', body: 'a'.repeat(6 * 1024 * 1024 + 1) });
    assert.equal(big.status, 413);
    const huge = await rawGet('/user/1', { 'x-big': 'a'.repeat(20_000) });
    assert.equal(huge.status, 431);
  });

  it('applies route changes without a restart', async () => {
    assert.equal((await gw('/late')).status, 404);
    const created = await p.json<{ route: { id: string } }>('POST', '/v1/routes', {
      routeKey: 'GET /late',
      function: 'echo',
    });
    assert.equal((await gw('/late', { headers: { 'x-mode': 'plain' } })).status, 200);
    assert.equal((await p.api('DELETE', `/v1/routes/${created.body.route.id}`)).status, 204);
    assert.equal((await gw('/late')).status, 404);
    const invalid = await p.json('POST', '/v1/routes', { routeKey: 'FETCH /x', function: 'echo' });
    assert.equal(invalid.status, 400);
    const dup = await p.json('POST', '/v1/routes', { routeKey: 'get /user/{userId}', function: 'echo' });
    assert.equal(dup.status, 409);
  });

  it('drops the routes of a deleted function', async () => {
    const dir = await fixture({ 'index.mjs': ECHO });
    await p.deployDir('short-lived', dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    await p.json('POST', '/v1/routes', { routeKey: 'GET /short', function: 'short-lived' });
    assert.equal((await gw('/short', { headers: { 'x-mode': 'plain' } })).status, 200);
    assert.equal((await p.api('DELETE', '/v1/functions/short-lived')).status, 204);
    const deadline = Date.now() + 2000;
    while ((await gw('/short')).status !== 404 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal((await gw('/short')).status, 404);
    const routes = await p.json<{ routes: { routeKey: string }[] }>('GET', '/v1/routes');
    assert.ok(!routes.body.routes.some((r) => r.routeKey === 'GET /short'));
  });

  function rawGet(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    const u = new URL(p.gatewayUrl);
    return new Promise((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }
});
