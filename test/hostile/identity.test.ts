/**
 * Hostile battery, identity: forged and replayed credentials, cross-tenant names and ARNs,
 * escalation through roles and keys, tenant spoofing by headers, and hostile policy documents.
 * Every case must end in a coded refusal, never in another tenant's data or a 500.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { zipDirectory } from '../../src/registry/build/index.ts';
import { fixture, startTestPlatform, type TestPlatform } from '../helpers.ts';
import { sigv4GetHeaders } from '../support/raw-http.ts';

const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');

describe('hostile identity', () => {
  let p: TestPlatform;
  const key: Record<string, { keyId: string; secret: string }> = {};
  const call = async (
    who: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers = {},
  ) => {
    const r = await fetch(`${p.apiUrl}${path}`, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${key[who]!.secret}` } : {}),
        'content-type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return {
      status: r.status,
      text,
      json: (() => {
        try {
          return JSON.parse(text);
        } catch {
          return {};
        }
      })(),
    };
  };
  /** A SigV4-signed request with the given credentials (a session token when given). */
  const signed = async (
    creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
    path: string,
  ) => {
    const u = new URL(`${p.apiUrl}${path}`);
    const headers = await sigv4GetHeaders({ credentials: creds, service: 'lambda', host: u.host, path });
    const r = await fetch(u, { headers });
    return { status: r.status, text: await r.text() };
  };

  before(async () => {
    p = await startTestPlatform();
    for (const t of ['alpha', 'bravo']) {
      assert.equal((await p.api('POST', '/v1/tenants', { id: t })).status, 201);
      for (const [who, policy] of [
        [`${t}-admin`, 'AdministratorAccess'],
        [`${t}-dev`, 'Developer'],
      ] as const) {
        const r = (await (await p.api('POST', '/v1/keys', { tenant: t, policies: [policy] })).json()) as {
          key: { keyId: string };
          secret: string;
        };
        key[who] = { keyId: r.key.keyId, secret: r.secret };
      }
    }
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => ({ secret: 'ALPHA-PRIVATE', env: { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN } });`,
    });
    const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
    const d = await call('alpha-admin', 'PUT', '/v1/functions/private', {
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      code: { zipBase64: zip },
    });
    assert.equal(d.status, 201, d.text);
  });
  after(() => p?.stop());

  it("cannot name another tenant's function by ARN, account id or Host header", async () => {
    const alphaArn = (await call('alpha-admin', 'GET', '/v1/functions/private')).json.function.arn as string;
    for (const path of [
      `/2015-03-31/functions/${encodeURIComponent(alphaArn)}/invocations`,
      `/2015-03-31/functions/${alphaArn.split(':')[4]}:function:private/invocations`,
      '/2015-03-31/functions/private/invocations',
    ]) {
      const r = await call('bravo-admin', 'POST', path, {});
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status} ${r.text}`);
      assert.ok(!r.text.includes('ALPHA-PRIVATE'));
    }
    for (const host of ['alpha.localhost', 'alpha', `${alphaArn.split(':')[4]}.localhost`]) {
      const r = await call('bravo-admin', 'POST', '/v1/functions/private/invoke', {}, { host });
      assert.equal(r.status, 404, `${host}: ${r.text}`);
    }
    const tenantHeader = await call('bravo-admin', 'GET', '/v1/functions?tenant=alpha', undefined, {
      'x-nimbus-tenant': 'alpha',
    });
    assert.deepEqual(tenantHeader.json.functions, []);
  });

  it('refuses forged, altered, replayed-elsewhere and expired session tokens', async () => {
    const inv = await call('alpha-admin', 'POST', '/v1/functions/private/invoke', {});
    const env = (inv.json.result ?? inv.json).env as { id: string; secret: string; token: string };
    assert.match(env.id, /^ASIA/);
    const ok = await signed(
      { accessKeyId: env.id, secretAccessKey: env.secret, sessionToken: env.token },
      '/2015-03-31/functions/',
    );
    assert.notEqual(ok.status, 401);
    const [h, body, sig] = env.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const cases: Record<string, { accessKeyId: string; secretAccessKey: string; sessionToken: string }> = {
      'alg none': {
        accessKeyId: env.id,
        secretAccessKey: env.secret,
        sessionToken: `${b64u('{"alg":"none"}')}.${body}.`,
      },
      'tenant switched, old signature': {
        accessKeyId: env.id,
        secretAccessKey: env.secret,
        sessionToken: `${h}.${b64u(JSON.stringify({ ...claims, t: 'bravo' }))}.${sig}`,
      },
      'signed with a guessed key': {
        accessKeyId: env.id,
        secretAccessKey: env.secret,
        sessionToken: (() => {
          const hb = `${h}.${b64u(JSON.stringify({ ...claims, r: 'admin' }))}`;
          return `${hb}.${b64u(createHmac('sha256', 'nimbus').update(hb).digest())}`;
        })(),
      },
      'token of another access key id': {
        accessKeyId: 'ASIAAAAAAAAAAAAAAAAA',
        secretAccessKey: env.secret,
        sessionToken: env.token,
      },
      'right token, wrong secret': {
        accessKeyId: env.id,
        secretAccessKey: 'x'.repeat(40),
        sessionToken: env.token,
      },
      'garbage token': { accessKeyId: env.id, secretAccessKey: env.secret, sessionToken: 'a.b.c' },
      'huge token': { accessKeyId: env.id, secretAccessKey: env.secret, sessionToken: 'a'.repeat(7000) },
    };
    for (const [name, c] of Object.entries(cases)) {
      const r = await signed(c, '/2015-03-31/functions/');
      assert.ok(r.status === 400 || r.status === 401 || r.status === 403, `${name}: ${r.status} ${r.text}`);
      assert.ok(!r.text.includes('private'), `${name} listed functions`);
    }
    // A session's secret is not a Bearer secret.
    assert.equal(
      (await fetch(`${p.apiUrl}/v1/functions`, { headers: { authorization: `Bearer ${env.secret}` } }))
        .status,
      401,
    );
  });

  it('cannot escalate: a developer, or a function with an administrator role, administers no key', async () => {
    const own = key['alpha-dev']!.keyId;
    for (const [method, path, body] of [
      ['PUT', `/v1/keys/${own}/policies`, { policies: ['AdministratorAccess'] }],
      ['POST', '/v1/keys', { policies: ['AdministratorAccess'] }],
      ['POST', `/v1/keys/${key['alpha-admin']!.keyId}/revoke`, undefined],
      ['POST', '/v1/tenants', { id: 'mine' }],
      ['GET', '/v1/audit', undefined],
    ] as const) {
      const r = await call('alpha-dev', method, path, body);
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    }
    // The developer may make a role that says AdministratorAccess and give it to a function…
    assert.equal(
      (await call('alpha-dev', 'PUT', '/v1/roles/godmode', { policies: ['AdministratorAccess'] })).status,
      200,
    );
    assert.equal(
      (await call('alpha-dev', 'PATCH', '/v1/functions/private', { role: 'godmode' })).status,
      200,
    );
    const inv = await call('alpha-dev', 'POST', '/v1/functions/private/invoke', {});
    const env = (inv.json.result ?? inv.json).env as { id: string; secret: string; token: string };
    const creds = { accessKeyId: env.id, secretAccessKey: env.secret, sessionToken: env.token };
    // …whose credentials then do everything but identity administration.
    assert.equal((await signed(creds, '/2015-03-31/functions/')).status, 200);
    assert.equal((await signed(creds, '/v1/keys')).status, 403);
    // A role name that does not exist is refused, not silently "no role".
    const missing = await call('alpha-dev', 'PATCH', '/v1/functions/private', { role: 'nope' });
    assert.equal(missing.status, 400);
  });

  it('refuses hostile policy documents with the statement and field, and never fails uncoded', async () => {
    const put = (policies: unknown) => call('alpha-admin', 'PUT', '/v1/roles/fuzzed', { policies });
    const principal = await put([
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        ],
      },
    ]);
    assert.equal(principal.status, 400);
    assert.match(principal.text, /statement 1, field Principal/);
    const huge = await put([
      {
        Version: '2012-10-17',
        Statement: Array.from({ length: 500 }, () => ({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${'b'.repeat(60)}/*`,
        })),
      },
    ]);
    assert.equal(huge.status, 400);
    const unknown = await put(['NoSuchManagedPolicy']);
    assert.equal(unknown.status, 400);
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = { a: deep };
    const deepDoc = await put([
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: deep }],
      },
    ]);
    assert.equal(deepDoc.status, 400);
    // Random documents: a 400 with a coded error, or a 200 — never a 5xx.
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null));
    const stmt = fc.dictionary(
      fc.constantFrom(
        'Effect',
        'Action',
        'NotAction',
        'Resource',
        'NotResource',
        'Condition',
        'Sid',
        'Principal',
        'X',
      ),
      fc.oneof(
        value,
        fc.array(value, { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 12 }), fc.dictionary(fc.string({ maxLength: 12 }), value)),
      ),
    );
    const doc = fc.record({
      Version: fc.constantFrom('2012-10-17', '2008-10-17', 'x'),
      Statement: fc.oneof(stmt, fc.array(stmt, { maxLength: 4 })),
    });
    await fc.assert(
      fc.asyncProperty(doc, async (d) => {
        const r = await put([d]);
        if (r.status === 200) return;
        assert.equal(r.status, 400, r.text);
        assert.equal(
          r.json.error.code,
          r.json.error.code.startsWith('NIMBUS_ERR_') ? r.json.error.code : 'uncoded',
        );
      }),
      { numRuns: 150 },
    );
  });
});
