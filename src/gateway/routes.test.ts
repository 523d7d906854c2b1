import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteRecord } from '../core/types.ts';
import { normalizeRouteKey, parseRouteKey, RouteTable } from './routes.ts';

const route = (routeKey: string, functionName = routeKey): RouteRecord => ({
  tenant: 'default',
  id: routeKey,
  routeKey,
  functionName,
  payloadFormat: '2.0',
  createdAt: 0,
});
const split = (p: string) => (p === '/' ? [] : p.slice(1).split('/'));

describe('route keys', () => {
  it('parses methods, params, greedy params and $default', () => {
    assert.deepEqual(parseRouteKey('GET /user/{userId}').segments, [
      { kind: 'static', value: 'user' },
      { kind: 'param', name: 'userId' },
    ]);
    assert.equal(parseRouteKey('ANY /files/{proxy+}').segments[1]?.kind, 'greedy');
    assert.equal(parseRouteKey('$default').isDefault, true);
    assert.equal(normalizeRouteKey('get /a'), 'GET /a');
  });
  const bad = ['GET', 'FETCH /a', 'GET a', 'GET /a//b', 'GET /{p+}/x', 'GET /a{b}', 'GET /{x}/{x}', '/a'];
  for (const k of bad)
    it(`rejects ${JSON.stringify(k)} with a coded error`, () => {
      assert.throws(
        () => parseRouteKey(k),
        (e: Error & { code: string }) => e.code === 'NIMBUS_ERR_ROUTE_INVALID_KEY',
      );
    });
});

describe('route precedence (API Gateway HTTP API)', () => {
  const table = new RouteTable(
    [
      'GET /user/{userId}',
      'GET /user/me',
      'ANY /user/{userId}',
      'PUT /user/{userId}',
      'GET /files/{proxy+}',
      'GET /files/readme',
      'ANY /{proxy+}',
      'GET /',
      '$default',
    ].map((k) => route(k)),
  );
  const cases: [string, string, string, Record<string, string>][] = [
    ['GET', '/user/me', 'GET /user/me', {}],
    ['GET', '/user/42', 'GET /user/{userId}', { userId: '42' }],
    ['PUT', '/user/42', 'PUT /user/{userId}', { userId: '42' }],
    ['DELETE', '/user/42', 'ANY /user/{userId}', { userId: '42' }],
    ['GET', '/files/readme', 'GET /files/readme', {}],
    ['GET', '/files/a/b/c.txt', 'GET /files/{proxy+}', { proxy: 'a/b/c.txt' }],
    ['POST', '/files/a', 'ANY /{proxy+}', { proxy: 'files/a' }],
    ['GET', '/', 'GET /', {}],
    ['POST', '/', '$default', {}],
    ['GET', '/user/42/extra', 'ANY /{proxy+}', { proxy: 'user/42/extra' }],
  ];
  for (const [method, path, expected, params] of cases) {
    it(`${method} ${path} → ${expected}`, () => {
      const m = table.match('default', method, split(path));
      assert.equal(m?.route.routeKey, expected);
      assert.deepEqual(m?.pathParameters, params);
    });
  }
  it('does not match other tenants, and without $default an unknown path has no route', () => {
    const t = new RouteTable([route('GET /a')]);
    assert.equal(t.match('other', 'GET', ['a']), undefined);
    assert.equal(t.match('default', 'POST', ['a']), undefined);
    assert.equal(t.match('default', 'GET', ['b']), undefined);
    assert.equal(t.match('default', 'GET', ['a', '']), undefined);
  });
});
