/** Deploys a serverless.yml with several httpApi/http events through the real CLI and calls every route. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const run = promisify(execFile);

const SLS = `service: shop
provider:
  name: aws
  runtime: nodejs20.x
  httpApi:
    cors:
      allowedOrigins: ['https://shop.example']
      allowedMethods: [GET, POST]
      maxAge: 300
functions:
  products:
    handler: src/products.handler
    events:
      - httpApi: 'GET /products'
      - httpApi: 'GET /products/{id}'
      - httpApi:
          method: POST
          path: /products
  legacy:
    handler: src/legacy.handler
    events:
      - http: 'GET legacy/{name}'
  fallback:
    handler: src/fallback.handler
    events:
      - httpApi: '*'
`;
const PRODUCTS = `export const handler = async (e) => {
  if (e.routeKey === 'POST /products') return { statusCode: 201, body: JSON.stringify({ created: JSON.parse(e.body) }) };
  if (e.pathParameters?.id) return { id: e.pathParameters.id };
  return [{ id: '1' }, { id: '2' }];
};`;
const LEGACY = `export const handler = async (e) => ({ statusCode: 200, body: 'hello ' + e.pathParameters.name });`;
const FALLBACK = `export const handler = async (e) => ({ statusCode: 418, body: 'fallback for ' + e.rawPath });`;

describe('serverless.yml with httpApi events', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p?.stop());

  it('deploys every function with its routes and serves each route', async () => {
    const dir = await fixture({
      'serverless.yml': SLS,
      'src/products.mjs': PRODUCTS,
      'src/legacy.mjs': LEGACY,
      'src/fallback.mjs': FALLBACK,
    });
    const env = { ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret };
    const out = await run(process.execPath, ['bin/nimbus.mjs', 'deploy', dir], { env });
    assert.match(out.stdout, /route GET \/products\/\{id\}/);
    assert.match(out.stdout, /route \$default/);
    const gw = (path: string, init?: RequestInit) => fetch(`${p.gatewayUrl}${path}`, init);
    assert.deepEqual(await (await gw('/products')).json(), [{ id: '1' }, { id: '2' }]);
    assert.deepEqual(await (await gw('/products/42')).json(), { id: '42' });
    const created = await gw('/products', {
      method: 'POST',
      body: '{"name":"tea"}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { created: { name: 'tea' } });
    assert.equal(await (await gw('/legacy/ada')).text(), 'hello ada');
    const pre = await gw('/products', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://shop.example');
    assert.equal(pre.headers.get('access-control-max-age'), '300');
    const fb = await gw('/anything/else', { method: 'DELETE' });
    assert.equal(fb.status, 418);
    assert.equal(await fb.text(), 'fallback for /anything/else');

    // Redeploying without an event removes its route (the manifest is the source of truth).
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${dir}/serverless.yml`, SLS.replace("      - httpApi: 'GET /products/{id}'\n", ''));
    await run(process.execPath, ['bin/nimbus.mjs', 'deploy', dir, '--function', 'products'], { env });
    assert.equal((await gw('/products/42')).status, 418); // now served by $default
  });

  it('rejects a malformed httpApi event naming its line', async () => {
    const dir = await fixture({
      'serverless.yml':
        'service: s\nprovider:\n  runtime: nodejs24.x\nfunctions:\n  f:\n    handler: index.handler\n    events:\n      - httpApi: GET-products\n',
      'index.mjs': 'export const handler = () => 1;',
    });
    const env = { ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret };
    const r = await run(process.execPath, ['bin/nimbus.mjs', 'deploy', dir], { env }).catch(
      (e: { stderr: string; code: number }) => e,
    );
    assert.equal((r as { code: number }).code, 1);
    assert.match(
      (r as { stderr: string }).stderr,
      /line 8: functions\.f\.events\[0\]: httpApi "GET-products"/,
    );
  });
});
