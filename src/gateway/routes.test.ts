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

describe('route index (first static segment)', () => {
  // Reference: the precedence order written out again, and a scan over every route.
  const RANK = { static: 0, param: 1, greedy: 2 } as const;
  const specificity = (a: string, b: string) => {
    const x = parseRouteKey(a);
    const y = parseRouteKey(b);
    if (x.isDefault !== y.isDefault) return x.isDefault ? 1 : -1;
    for (let i = 0; i < Math.max(x.segments.length, y.segments.length); i++) {
      const sa = x.segments[i];
      const sb = y.segments[i];
      if (!sa || !sb) return sa ? -1 : 1;
      if (RANK[sa.kind] !== RANK[sb.kind]) return RANK[sa.kind] - RANK[sb.kind];
    }
    if ((x.method === 'ANY') !== (y.method === 'ANY')) return x.method === 'ANY' ? 1 : -1;
    return 0;
  };
  const scan = (routes: RouteRecord[], tenant: string, method: string, segs: string[]) => {
    for (const r of [...routes].sort((a, b) => specificity(a.routeKey, b.routeKey))) {
      if (r.tenant !== tenant) continue;
      const m = new RouteTable([r]).match(tenant, method, segs);
      if (m) return m;
    }
    return undefined;
  };

  it('answers like a scan of all routes (random tables and paths)', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 1;
      return (seed >>> 8) % n;
    };
    const words = ['a', 'b', 'user', 'files'];
    const seg = () => ['a', 'b', 'user', 'files', '{p}', '{q}'][rnd(6)]!;
    for (let round = 0; round < 40; round++) {
      const keys = new Set<string>();
      for (let tries = 0; keys.size < 25 && tries < 10_000; tries++) {
        const n = rnd(4);
        const parts = Array.from({ length: n }, seg);
        if (parts.filter((p) => p === '{p}').length > 1 || parts.filter((p) => p === '{q}').length > 1)
          continue;
        if (rnd(4) === 0) parts.push('{proxy+}');
        keys.add(rnd(30) === 0 ? '$default' : `${['GET', 'POST', 'ANY'][rnd(3)]} /${parts.join('/')}`);
      }
      const routes = [...keys].map((k, i) => ({
        ...route(k, `f${i}`),
        tenant: rnd(5) === 0 ? 'other' : 'default',
      }));
      const table = new RouteTable(routes);
      for (let q = 0; q < 60; q++) {
        const segs = Array.from({ length: rnd(4) }, () => words[rnd(4)]!);
        const method = ['GET', 'POST', 'DELETE'][rnd(3)]!;
        const tenant = rnd(5) === 0 ? 'other' : 'default';
        const got = table.match(tenant, method, segs);
        const want = scan(routes, tenant, method, segs);
        assert.equal(
          got?.route.id,
          want?.route.id,
          `${method} /${segs.join('/')} (${tenant}) in ${[...keys].join(', ')}`,
        );
        assert.deepEqual(got?.pathParameters, want?.pathParameters);
      }
    }
  });

  it('finds one route among 10,000 without scanning them all', () => {
    const routes = Array.from({ length: 10_000 }, (_, i) => route(`GET /f${i}`, `f${i}`));
    const table = new RouteTable([...routes, route('GET /{any}', 'catch')]);
    assert.equal(table.match('default', 'GET', ['f9999'])?.route.functionName, 'f9999');
    assert.equal(table.match('default', 'GET', ['nope'])?.route.functionName, 'catch');
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) table.match('default', 'GET', [`f${i}`]);
    assert.ok(performance.now() - t0 < 1000, 'an indexed lookup is not a scan of 10,000 routes');
  });
});
