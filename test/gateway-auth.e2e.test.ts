/** Gateway route auth: API keys and JWTs (static keys and a JWKS URL), scopes, forged/expired tokens. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

describe('gateway route authorization', () => {
  let p: TestPlatform;
  let jwks: Server;
  let signKey: CryptoKey;
  let jwksKey: CryptoKey;
  let otherKey: CryptoKey;
  const ISS = 'https://issuer.example';

  const token = (
    key: CryptoKey,
    o: { aud?: string; scope?: string; exp?: string | number; iss?: string; kid?: string } = {},
  ) =>
    new SignJWT({ scope: o.scope ?? 'users:read users:write', sub: 'ada' })
      .setProtectedHeader({ alg: 'RS256', ...(o.kid ? { kid: o.kid } : {}) })
      .setIssuer(o.iss ?? ISS)
      .setAudience(o.aud ?? 'users-api')
      .setIssuedAt()
      .setExpirationTime(o.exp ?? '5m')
      .sign(key);

  before(async () => {
    const a = await generateKeyPair('RS256', { extractable: true });
    const b = await generateKeyPair('RS256', { extractable: true });
    const c = await generateKeyPair('RS256', { extractable: true });
    signKey = a.privateKey;
    jwksKey = b.privateKey;
    otherKey = c.privateKey;
    const jwk = { ...(await exportJWK(b.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    p = await startTestPlatform();
    const dir = await fixture({
      'index.mjs':
        'export const handler = async (e) => ({ authorizer: e.requestContext.authorizer ?? null });',
    });
    await p.deployDir('who', dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    const pem = await exportSPKI(a.publicKey);
    const routes = [
      {
        routeKey: 'GET /static',
        auth: { type: 'jwt', issuer: ISS, audience: 'users-api', publicKeys: [pem], scopes: ['users:read'] },
      },
      {
        routeKey: 'PUT /static',
        auth: { type: 'jwt', issuer: ISS, audience: 'users-api', publicKeys: [pem], scopes: ['admin'] },
      },
      {
        routeKey: 'GET /jwks',
        auth: {
          type: 'jwt',
          issuer: ISS,
          audience: ['users-api'],
          jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
        },
      },
      { routeKey: 'GET /keyed', auth: { type: 'apiKey', header: 'x-api-key', keys: ['k-0123456789abcdef'] } },
    ];
    for (const r of routes) {
      const res = await p.json('POST', '/v1/routes', { ...r, function: 'who' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
  });
  after(async () => {
    await p?.stop();
    jwks?.close();
  });

  const gw = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${p.gatewayUrl}${path}`, { method, headers });

  it('accepts a valid JWT and passes its claims and scopes to the function', async () => {
    const r = await gw('/static', { authorization: `Bearer ${await token(signKey)}` });
    assert.equal(r.status, 200);
    const body = (await r.json()) as { authorizer: { jwt: { claims: { sub: string }; scopes: string[] } } };
    assert.equal(body.authorizer.jwt.claims.sub, 'ada');
    assert.deepEqual(body.authorizer.jwt.scopes, ['users:read', 'users:write']);
  });

  it('verifies tokens against a JWKS URL', async () => {
    assert.equal(
      (await gw('/jwks', { authorization: `Bearer ${await token(jwksKey, { kid: 'k1' })}` })).status,
      200,
    );
    assert.equal(
      (await gw('/jwks', { authorization: `Bearer ${await token(signKey, { kid: 'k1' })}` })).status,
      401,
    );
  });

  it('rejects missing, forged, expired, wrong-audience and wrong-issuer tokens (401) and missing scopes (403)', async () => {
    const cases: [Record<string, string>, number][] = [
      [{}, 401],
      [{ authorization: 'Bearer not.a.jwt' }, 401],
      [{ authorization: `Bearer ${await token(otherKey)}` }, 401],
      [{ authorization: `Bearer ${await token(signKey, { exp: Math.floor(Date.now() / 1000) - 60 })}` }, 401],
      [{ authorization: `Bearer ${await token(signKey, { aud: 'other' })}` }, 401],
      [{ authorization: `Bearer ${await token(signKey, { iss: 'https://evil' })}` }, 401],
    ];
    for (const [headers, status] of cases) {
      const r = await gw('/static', headers);
      assert.equal(r.status, status, JSON.stringify(headers).slice(0, 80));
      assert.match(await r.text(), /NIMBUS_ERR_GATEWAY_AUTH_UNAUTHORIZED/);
    }
    const noScope = await gw('/static', { authorization: `Bearer ${await token(signKey)}` }, 'PUT');
    assert.equal(noScope.status, 403);
    assert.match(await noScope.text(), /lacks scope admin/);
  });

  it('checks API keys and never stores them in clear', async () => {
    assert.equal((await gw('/keyed')).status, 401);
    assert.equal((await gw('/keyed', { 'x-api-key': 'wrong-key-0000000000' })).status, 401);
    assert.equal((await gw('/keyed', { 'x-api-key': 'k-0123456789abcdef' })).status, 200);
    const routes = await p.json<{ routes: { auth: unknown }[] }>('GET', '/v1/routes');
    assert.doesNotMatch(JSON.stringify(routes.body), /k-0123456789abcdef/);
  });

  it('rate-limits per route and per key with 429 + Retry-After', async () => {
    const mk = (routeKey: string, perKey: boolean, auth?: unknown) =>
      p.json('POST', '/v1/routes', {
        routeKey,
        function: 'who',
        throttle: { rateLimit: 0.5, burstLimit: 2, perKey },
        auth,
      });
    assert.equal((await mk('GET /limited', false)).status, 201);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await gw('/limited')).status);
    assert.deepEqual(codes, [200, 200, 429]);
    const r = await gw('/limited');
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.match(await r.text(), /NIMBUS_ERR_GATEWAY_THROTTLED/);
    const keys = ['key-a-0123456789abcdef', 'key-b-0123456789abcdef'];
    assert.equal((await mk('GET /per-key', true, { type: 'apiKey', keys })).status, 201);
    const a = [];
    for (let i = 0; i < 3; i++) a.push((await gw('/per-key', { 'x-api-key': keys[0]! })).status);
    assert.deepEqual(a, [200, 200, 429]);
    assert.equal((await gw('/per-key', { 'x-api-key': keys[1]! })).status, 200); // its own bucket
  });

  it('runs Lambda authorizers (simple responses), caches by identity, and reports throwing authorizers', async () => {
    const dir = await fixture({
      'index.mjs': `let calls = 0;
export const handler = async (e) => {
  calls++;
  const token = e.identitySource[0];
  if (token === 'boom') throw new Error('authorizer exploded');
  return { isAuthorized: token === 'let-me-in', context: { user: 'ada', calls, route: e.routeKey } };
};`,
    });
    await p.deployDir('authz', dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    const res = await p.json('POST', '/v1/routes', {
      routeKey: 'GET /guarded',
      function: 'who',
      auth: {
        type: 'lambda',
        function: 'authz',
        identitySource: ['$request.header.Authorization'],
        ttlSec: 60,
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await gw('/guarded')).status, 401);
    assert.equal((await gw('/guarded', { authorization: 'nope' })).status, 403);
    const ok1 = (await (await gw('/guarded', { authorization: 'let-me-in' })).json()) as {
      authorizer: { lambda: { user: string; calls: number } };
    };
    const ok2 = (await (await gw('/guarded', { authorization: 'let-me-in' })).json()) as {
      authorizer: { lambda: { calls: number } };
    };
    assert.equal(ok1.authorizer.lambda.user, 'ada');
    assert.equal(
      ok2.authorizer.lambda.calls,
      ok1.authorizer.lambda.calls,
      'second call served from the authorizer cache',
    );
    const boom = await gw('/guarded', { authorization: 'boom' });
    assert.equal(boom.status, 500);
    const text = await boom.text();
    assert.match(text, /NIMBUS_ERR_GATEWAY_AUTH_AUTHORIZER_FAILED/);
    assert.doesNotMatch(text, /exploded/);
  });

  it('rejects an invalid auth configuration at route creation', async () => {
    const r = await p.json('POST', '/v1/routes', {
      routeKey: 'GET /x',
      function: 'who',
      auth: { type: 'jwt', issuer: ISS, audience: 'a' },
    });
    assert.equal(r.status, 400);
    assert.match(JSON.stringify(r.body), /exactly one of jwksUrl or publicKeys/);
  });
});
