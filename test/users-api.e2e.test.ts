/** examples/users-api end to end: deployed by the CLI, called through the gateway with real JWTs. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startTestPlatform, type TestPlatform } from './helpers.ts';

const run = promisify(execFile);
const ISS = 'https://issuer.example';

describe('examples/users-api', () => {
  let p: TestPlatform;
  let jwks: Server;
  let key: CryptoKey;
  const token = (scope: string) =>
    new SignJWT({ scope, sub: 'admin-1' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISS)
      .setAudience('users-api')
      .setExpirationTime('5m')
      .sign(key);

  before(async () => {
    const kp = await generateKeyPair('RS256', { extractable: true });
    key = kp.privateKey;
    const jwk = { ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'RS256' };
    jwks = createServer((_q, res) => res.end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    p = await startTestPlatform();
    const env = {
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_SECRET: p.secret,
      USERS_ISSUER: ISS,
      USERS_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    };
    const out = await run(process.execPath, ['bin/nimbus.mjs', 'deploy', 'examples/users-api'], { env });
    assert.match(out.stdout, /route PUT \/user\/\{userId\}/);
  });
  after(async () => {
    await p?.stop();
    jwks?.close();
  });

  it('reads publicly and writes only with a users:write token', async () => {
    const gw = (path: string, init: RequestInit = {}) => fetch(`${p.gatewayUrl}${path}`, init);
    assert.equal((await gw('/user/ada')).status, 404);
    assert.equal((await gw('/user/ada', { method: 'PUT', body: '{"name":"Ada"}' })).status, 401);
    const readOnly = await gw('/user/ada', {
      method: 'PUT',
      body: '{"name":"Ada"}',
      headers: { authorization: `Bearer ${await token('users:read')}` },
    });
    assert.equal(readOnly.status, 403);
    const auth = {
      authorization: `Bearer ${await token('users:read users:write')}`,
      'content-type': 'application/json',
    };
    const created = await gw('/user/ada', {
      method: 'PUT',
      body: '{"name":"Ada","email":"ada@example.com"}',
      headers: auth,
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), {
      id: 'ada',
      name: 'Ada',
      email: 'ada@example.com',
      updatedBy: 'admin-1',
    });
    assert.equal(
      (await gw('/user/ada', { method: 'PUT', body: '{"name":"Ada L."}', headers: auth })).status,
      200,
    );
    assert.equal(((await (await gw('/user/ada')).json()) as { name: string }).name, 'Ada L.');
    assert.equal((await gw('/user/ada', { method: 'PUT', body: '{oops', headers: auth })).status, 400);
    assert.equal((await gw('/user/ada', { method: 'DELETE' })).status, 401);
    assert.equal((await gw('/user/ada', { method: 'DELETE', headers: auth })).status, 204);
    assert.equal((await gw('/user/ada')).status, 404);
    assert.equal((await gw('/user/bad%20id')).status, 400);
  });
});
