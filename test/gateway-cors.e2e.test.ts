/** CORS answered by the gateway: preflights never reach the function; allowed origins get headers. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

describe('gateway CORS', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
    const dir = await fixture({
      'index.mjs':
        "export const handler = async () => ({ statusCode: 200, headers: { 'access-control-allow-origin': 'https://evil.example' }, body: 'ok' });",
    });
    await p.deployDir('cors-fn', dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    await p.json('POST', '/v1/routes', { routeKey: 'ANY /items/{id}', function: 'cors-fn' });
  });
  after(() => p?.stop());

  const gw = (path: string, init: RequestInit = {}) => fetch(`${p.gatewayUrl}${path}`, init);

  it('answers preflights and decorates responses once configured', async () => {
    const bad = await p.json('PUT', '/v1/gateway/cors', { allowOrigins: ['*'], allowCredentials: true });
    assert.equal(bad.status, 400);
    const put = await p.json('PUT', '/v1/gateway/cors', {
      allowOrigins: ['https://app.example', 'https://*.tenant.example'],
      allowMethods: ['GET', 'PUT'],
      allowHeaders: ['authorization', 'content-type'],
      exposeHeaders: ['x-total'],
      allowCredentials: true,
      maxAge: 600,
    });
    assert.equal(put.status, 200);

    const pre = await gw('/items/1', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,PUT');
    assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization,content-type');
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(pre.headers.get('access-control-max-age'), '600');

    const sub = await gw('/items/1', { headers: { origin: 'https://x.tenant.example' } });
    assert.equal(sub.headers.get('access-control-allow-origin'), 'https://x.tenant.example');
    assert.equal(sub.headers.get('access-control-expose-headers'), 'x-total');
    assert.equal(await sub.text(), 'ok');

    const other = await gw('/items/1', { headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null); // the function's own header is dropped
    const denied = await gw('/items/1', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(denied.status, 204);
    assert.equal(denied.headers.get('access-control-allow-origin'), null);

    assert.equal((await p.api('DELETE', '/v1/gateway/cors')).status, 204);
    const after = await gw('/items/1', { headers: { origin: 'https://app.example' } });
    assert.equal(after.headers.get('access-control-allow-origin'), 'https://evil.example');
  });
});
