import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteRecord } from '../core/types.ts';
import { CorsSchema, preflight, resourceCors } from './cors.ts';

const route = (routeKey: string, cors?: unknown): RouteRecord => ({
  tenant: 'default',
  id: routeKey,
  routeKey,
  functionName: 'f',
  payloadFormat: '1.0',
  cors: cors === undefined ? undefined : CorsSchema.parse(cors),
  createdAt: 0,
});

describe('per-route CORS (the mock OPTIONS method of a REST resource)', () => {
  it('is nothing without a route with cors on the resource', () => {
    assert.equal(resourceCors([route('GET /a'), route('POST /a')]), undefined);
  });

  it('allows the methods of the routes with cors plus OPTIONS, and merges their settings', () => {
    const c = resourceCors([
      route('GET /a', { allowOrigins: ['https://one.example'], allowHeaders: ['x-a'], maxAge: 60 }),
      route('PUT /a', {
        allowOrigins: ['https://two.example'],
        allowHeaders: ['x-b'],
        exposeHeaders: ['x-total'],
        allowCredentials: true,
        maxAge: 600,
      }),
      route('DELETE /a'),
    ]);
    assert.deepEqual(c, {
      allowOrigins: ['https://one.example', 'https://two.example'],
      allowMethods: ['OPTIONS', 'GET', 'PUT'],
      allowHeaders: ['x-a', 'x-b'],
      exposeHeaders: ['x-total'],
      allowCredentials: true,
      maxAge: 600,
    });
    const header = (h: Record<string, string>) => (n: string) => h[n];
    const pre = preflight(
      c,
      'OPTIONS',
      header({ origin: 'https://two.example', 'access-control-request-method': 'PUT' }),
    );
    assert.equal(pre?.status, 204);
    assert.deepEqual(new Map(pre?.headers).get('access-control-allow-methods'), 'OPTIONS,GET,PUT');
    // A method without cors on the resource gets no CORS headers (the browser refuses it).
    const del = preflight(
      c,
      'OPTIONS',
      header({ origin: 'https://two.example', 'access-control-request-method': 'DELETE' }),
    );
    assert.deepEqual(del, { status: 204, headers: [] });
  });

  it('expands ANY, and a * origin or header wins (without credentials)', () => {
    const c = resourceCors([
      route('ANY /a', { allowOrigins: ['*'] }),
      route('GET /a', { allowOrigins: ['https://x.example'], allowHeaders: ['x-a'], allowCredentials: true }),
    ]);
    assert.deepEqual(c?.allowMethods, ['OPTIONS', 'DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT']);
    assert.deepEqual(c?.allowOrigins, ['*']);
    assert.deepEqual(c?.allowHeaders, ['*']);
    assert.equal(c?.allowCredentials, false);
  });
});
