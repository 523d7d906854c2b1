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
    // Structural, not a clock: count the candidate routes the lookups examined. Each lookup
    // needs its own bucket (one route) and, at most, the catch-all; a scan would look at about
    // half of the 10,001 routes per lookup.
    const before = table.candidatesExamined;
    for (let i = 0; i < 10_000; i++)
      assert.equal(table.match('default', 'GET', [`f${i}`])?.route.functionName, `f${i}`);
    const examined = table.candidatesExamined - before;
    assert.ok(examined >= 10_000, `every lookup examined a candidate (${examined})`);
    assert.ok(
      examined <= 2 * 10_000,
      `an indexed lookup is not a scan: ${examined} candidates for 10,000 lookups`,
    );
  });
});

describe('stages (REST API stages served at /<stage>/<path>)', () => {
  const staged = (routeKey: string, stage: string | undefined, tenant = 'default'): RouteRecord => ({
    ...route(routeKey, `${stage ?? '-'}:${routeKey}`),
    id: `${tenant}:${stage ?? '-'}:${routeKey}`,
    tenant,
    stage,
  });
  const table = new RouteTable([
    staged('GET /users/{id}', 'dev'),
    staged('GET /', 'dev'),
    staged('POST /orders', 'prod'),
    staged('GET /health', undefined),
    staged('ANY /{proxy+}', undefined),
    staged('GET /other', 'dev', 'acme'),
  ]);

  it('matches /<stage>/<path> against that stage and says which stage it took', () => {
    const m = table.match('default', 'GET', ['dev', 'users', '42']);
    assert.equal(m?.route.functionName, 'dev:GET /users/{id}');
    assert.deepEqual(m?.pathParameters, { id: '42' });
    assert.equal(m?.stagePrefix, 'dev');
    const root = table.match('default', 'GET', ['dev']);
    assert.equal(root?.route.routeKey, 'GET /');
    assert.equal(root?.stagePrefix, 'dev');
    assert.equal(table.match('default', 'POST', ['prod', 'orders'])?.stagePrefix, 'prod');
  });

  it('serves staged routes at the unstaged path too (the alias), without a stage prefix', () => {
    const m = table.match('default', 'GET', ['users', '42']);
    assert.equal(m?.route.functionName, 'dev:GET /users/{id}');
    assert.equal(m?.stagePrefix, undefined);
    assert.equal(table.match('default', 'POST', ['orders'])?.route.stage, 'prod');
  });

  it("matches a stage's routes only under its prefix, and falls back to the whole path", () => {
    // /dev/health: no dev route for /health → the whole path, caught by the unstaged proxy.
    const h = table.match('default', 'GET', ['dev', 'health']);
    assert.equal(h?.route.routeKey, 'ANY /{proxy+}');
    assert.deepEqual(h?.pathParameters, { proxy: 'dev/health' });
    assert.equal(h?.stagePrefix, undefined);
    // /prod/users/42: the route is dev's, not prod's.
    assert.equal(table.match('default', 'GET', ['prod', 'users', '42'])?.route.routeKey, 'ANY /{proxy+}');
    // Unstaged routes keep behaving as before.
    assert.equal(table.match('default', 'GET', ['health'])?.route.routeKey, 'GET /health');
    assert.equal(table.match('default', 'GET', ['health'])?.stagePrefix, undefined);
  });

  it("keeps stages per tenant (another tenant's stage is a plain segment here)", () => {
    assert.equal(table.match('acme', 'GET', ['dev', 'other'])?.stagePrefix, 'dev');
    assert.equal(table.match('acme', 'GET', ['dev', 'users', '1']), undefined);
    assert.equal(table.match('default', 'GET', ['dev', 'other'])?.route.routeKey, 'ANY /{proxy+}');
  });

  it('finds the routes of the most specific resource (any method) for preflights', () => {
    const t = new RouteTable([
      staged('GET /users/{id}', 'dev'),
      staged('DELETE /users/{userId}', 'dev'),
      staged('GET /users/me', 'dev'),
      staged('POST /items', undefined),
      staged('ANY /{proxy+}', undefined),
    ]);
    const ids = (r: ReturnType<RouteTable['resource']>) => r?.routes.map((x) => x.routeKey).sort();
    assert.deepEqual(ids(t.resource('default', ['dev', 'users', '42'])), [
      'DELETE /users/{userId}',
      'GET /users/{id}',
    ]);
    assert.equal(t.resource('default', ['dev', 'users', '42'])?.stagePrefix, 'dev');
    assert.deepEqual(ids(t.resource('default', ['users', 'me'])), ['GET /users/me']);
    assert.deepEqual(ids(t.resource('default', ['items'])), ['POST /items']);
    assert.deepEqual(ids(t.resource('default', ['nothing', 'here'])), ['ANY /{proxy+}']);
    assert.equal(new RouteTable([staged('GET /a', 'dev')]).resource('default', ['b']), undefined);
  });

  // Reference: unstaged tables (checked against a scan above) of the stage's routes, then of all.
  it("answers like the stage's routes, then all routes, without stages (random tables and paths)", () => {
    let seed = 11;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 1;
      return (seed >>> 8) % n;
    };
    const stages = [undefined, undefined, 'dev', 'prod', 'a'];
    const words = ['dev', 'prod', 'a', 'b', 'user'];
    const seg = () => ['a', 'b', 'user', 'dev', '{p}', '{q}'][rnd(6)]!;
    for (let round = 0; round < 40; round++) {
      const keys = new Set<string>();
      for (let tries = 0; keys.size < 20 && tries < 10_000; tries++) {
        const parts = Array.from({ length: rnd(4) }, seg);
        if (parts.filter((p) => p === '{p}').length > 1 || parts.filter((p) => p === '{q}').length > 1)
          continue;
        if (rnd(4) === 0) parts.push('{proxy+}');
        keys.add(rnd(30) === 0 ? '$default' : `${['GET', 'POST', 'ANY'][rnd(3)]} /${parts.join('/')}`);
      }
      const routes = [...keys].map((k, i) => ({ ...route(k, `f${i}`), id: `r${i}`, stage: stages[rnd(5)] }));
      const unstaged = (rs: RouteRecord[]) => new RouteTable(rs.map((r) => ({ ...r, stage: undefined })));
      const table = new RouteTable(routes);
      for (let q = 0; q < 60; q++) {
        const segs = Array.from({ length: rnd(4) }, () => words[rnd(5)]!);
        const method = ['GET', 'POST', 'DELETE'][rnd(3)]!;
        const first = segs[0];
        let want: { m: ReturnType<RouteTable['match']>; stage?: string } | undefined;
        if (first !== undefined && routes.some((r) => r.stage === first)) {
          const inStage = unstaged(routes.filter((r) => r.stage === first)).match(
            'default',
            method,
            segs.slice(1),
          );
          if (inStage) want = { m: inStage, stage: first };
        }
        want ??= { m: unstaged(routes).match('default', method, segs) };
        const got = table.match('default', method, segs);
        const why = `${method} /${segs.join('/')} in ${routes.map((r) => `${r.stage ?? '-'}:${r.routeKey}`).join(', ')}`;
        assert.equal(got?.route.id, want.m?.route.id, why);
        assert.deepEqual(got?.pathParameters, want.m?.pathParameters, why);
        assert.equal(got?.stagePrefix, want.stage, why);
      }
    }
  });
});
