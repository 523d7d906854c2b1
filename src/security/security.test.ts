import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { FakeClock } from '../core/clock.ts';
import type { Store } from '../core/ports.ts';
import { openStore } from '../store/index.ts';
import {
  type AuthRequest,
  bootstrapAdmin,
  createApiKey,
  createAuthenticator,
  createSessionIssuer,
  createTenantDirectory,
  decryptSecret,
  encryptSecret,
  loadOrCreateMasterKey,
  rotatedKey,
} from './index.ts';

describe('security', () => {
  let dir: string;
  let store: Store;
  let key: Buffer;
  const clock = new FakeClock(Date.UTC(2026, 10, 24, 12, 0, 0));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nimbus-sec-'));
    store = await openStore({ url: 'sqlite', dataDir: dir });
    key = await loadOrCreateMasterKey({ dataDir: dir });
  });
  const makeAuth = async () =>
    createAuthenticator({
      keys: store.keys,
      roles: store.roles,
      functions: store.functions,
      tenants: await createTenantDirectory({ repo: store.tenants, clock, defaultAccountId: '000000000000' }),
      sessions: createSessionIssuer(key, clock),
      masterKey: key,
      clock,
    });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  /** A ReadOnly role, a function that has it, and credentials of a session of that role for it. */
  const roleSession = async (roleName: string, functionName: string) => {
    await store.roles.put({
      tenant: 'default',
      name: roleName,
      policies: ['ReadOnly'],
      description: '',
      updatedAt: 1,
    });
    const role = (await store.roles.get('default', roleName))!;
    await store.functions.create({
      tenant: 'default',
      name: functionName,
      config: { role: roleName } as never,
      code: { sha256: 'a'.repeat(64), size: 1, family: 'node', entry: 'index.mjs', exportName: 'handler' },
      revisionId: 'r1',
      createdAt: 1,
      updatedAt: 1,
    });
    return createSessionIssuer(key, clock).mint({
      tenant: 'default',
      role: roleName,
      generation: role.generation,
      functionName,
    });
  };

  it('creates the master key once with mode 0600 and reuses it', async () => {
    assert.equal((await stat(join(dir, 'master.key'))).mode & 0o777, 0o600);
    assert.deepEqual(await loadOrCreateMasterKey({ dataDir: dir }), key);
    await assert.rejects(loadOrCreateMasterKey({ dataDir: dir, masterKeyBase64: 'c2hvcnQ=' }), /32 bytes/);
  });

  it('encrypts secrets with AES-GCM and detects tampering or a moved ciphertext', () => {
    const c = encryptSecret(key, 's3cret', 'NKID');
    assert.notEqual(c, encryptSecret(key, 's3cret', 'NKID'));
    assert.equal(decryptSecret(key, c, 'NKID'), 's3cret');
    assert.throws(() => decryptSecret(key, c, 'OTHER'), /cannot be decrypted/);
    const parts = c.split('.');
    parts[3] = Buffer.from('xxxxxx').toString('base64url');
    assert.throws(() => decryptSecret(key, parts.join('.')), /cannot be decrypted/);
  });

  it('bootstraps admin credentials once, in a 0600 file', async () => {
    const a = await bootstrapAdmin({
      keys: store.keys,
      masterKey: key,
      dataDir: dir,
      endpoint: 'http://x',
      clock,
    });
    assert.equal(a.generated, true);
    assert.ok(a.secret && a.secret.length >= 40);
    const file = JSON.parse(await readFile(a.file, 'utf8'));
    assert.equal(file.keyId, a.keyId);
    assert.equal(file.secret, a.secret);
    assert.equal((await stat(a.file)).mode & 0o777, 0o600);
    const again = await bootstrapAdmin({
      keys: store.keys,
      masterKey: key,
      dataDir: dir,
      endpoint: 'http://x',
      clock,
    });
    assert.equal(again.generated, false);
    assert.equal(again.secret, undefined);
    assert.equal(again.keyId, a.keyId);
    // The stored record never holds the secret in clear.
    const rec = await store.keys.get(a.keyId);
    assert.ok(rec && !JSON.stringify(rec).includes(a.secret));
  });

  it('uses configured admin credentials (config wins over a stale stored secret)', async () => {
    const o = {
      keys: store.keys,
      masterKey: key,
      dataDir: dir,
      endpoint: 'x',
      clock,
      adminKeyId: 'NKCONFIGURED0000000A',
    };
    await bootstrapAdmin({ ...o, adminSecret: 'first-secret-000000000000' });
    const r = await bootstrapAdmin({ ...o, adminSecret: 'second-secret-00000000000' });
    assert.equal(r.generated, false);
    const auth = await makeAuth();
    const p = await auth(req({ authorization: 'Bearer second-secret-00000000000' }));
    assert.equal(p.keyId, 'NKCONFIGURED0000000A');
    await assert.rejects(auth(req({ authorization: 'Bearer first-secret-000000000000' })), /unknown secret/);
  });

  const req = (headers: Record<string, string>, extra: Partial<AuthRequest> = {}): AuthRequest => ({
    method: 'GET',
    path: '/v1/functions',
    query: '',
    headers,
    body: undefined,
    ...extra,
  });

  it('authenticates Bearer secrets and rejects unknown secrets, a missing header and other schemes', async () => {
    const { record, secret } = await createApiKey(
      store.keys,
      key,
      { tenant: 'default', policies: ['Developer'], description: '' },
      clock,
    );
    const auth = await makeAuth();
    const p = await auth(req({ authorization: `Bearer ${secret}` }));
    assert.equal(p.tenant, 'default');
    assert.equal(p.keyId, record.keyId);
    assert.equal(p.arn, `arn:aws:iam::000000000000:user/${record.keyId}`);
    assert.equal(p.policy.evaluate({ action: 'lambda:CreateFunction', resource: '*' }).effect, 'Allow');
    assert.equal(p.policy.evaluate({ action: 'nimbus:CreateKey', resource: '*' }).effect, 'Deny');
    await assert.rejects(
      auth(req({ authorization: 'Bearer wrong' })),
      (e: Error & { status: number }) => e.status === 401,
    );
    await assert.rejects(auth(req({})), /no Authorization header/);
    await assert.rejects(auth(req({ authorization: 'Basic abc' })), /unsupported/);
  });

  async function sign(o: {
    keyId: string;
    secret: string;
    /** Role-session credentials' token (X-Amz-Security-Token). */
    sessionToken?: string;
    method: string;
    path: string;
    query?: Record<string, string>;
    body?: string;
    date?: Date;
  }): Promise<AuthRequest> {
    const signer = new SignatureV4({
      credentials: { accessKeyId: o.keyId, secretAccessKey: o.secret, sessionToken: o.sessionToken },
      region: 'local-1',
      service: 'lambda',
      sha256: Sha256,
    });
    const r = await signer.sign(
      new HttpRequest({
        method: o.method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 8080,
        path: o.path,
        query: o.query ?? {},
        headers: { host: '127.0.0.1:8080', 'content-type': 'application/json' },
        body: o.body,
      }),
      { signingDate: o.date ?? new Date(clock.now()) },
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
    const query = new URLSearchParams(o.query ?? {}).toString().replace(/\+/g, '%20');
    return { method: o.method, path: o.path, query, headers, body: o.body ? Buffer.from(o.body) : undefined };
  }

  it('verifies SigV4 (query, body, encoded path) and rejects wrong secret, tampering and skew', async () => {
    const { record, secret } = await createApiKey(
      store.keys,
      key,
      { tenant: 'default', policies: ['AdministratorAccess'], description: '' },
      clock,
    );
    const auth = await makeAuth();
    const base = { keyId: record.keyId, secret };
    const get = await sign({
      ...base,
      method: 'GET',
      path: '/2015-03-31/functions/',
      query: { MaxItems: '5', Marker: 'a b' },
    });
    assert.equal((await auth(get)).keyId, record.keyId);
    const post = await sign({
      ...base,
      method: 'POST',
      path: '/2015-03-31/functions/my%3Afn/invocations',
      query: { Qualifier: 'live' },
      body: '{"a":1}',
    });
    assert.equal((await auth(post)).kind, 'key');
    await assert.rejects(auth({ ...post, body: Buffer.from('{"a":2}') }), /signature/);
    await assert.rejects(auth({ ...post, query: 'Qualifier=other' }), /signature/);
    const wrong = await sign({ ...base, secret: 'not-the-secret', method: 'GET', path: '/x' });
    await assert.rejects(auth(wrong), (e: Error & { status: number }) => e.status === 403);
    const old = await sign({ ...base, method: 'GET', path: '/x', date: new Date(clock.now() - 20 * 60_000) });
    await assert.rejects(auth(old), /minutes from the server time/);
    const unknown = await sign({ keyId: 'NKUNKNOWN000000000000', secret, method: 'GET', path: '/x' });
    await assert.rejects(auth(unknown), /unknown access key id/);
  });

  it('refuses expired and revoked keys (revocation is seen within the 1 s cache)', async () => {
    const { record, secret } = await createApiKey(
      store.keys,
      key,
      { tenant: 'default', policies: ['ReadOnly'], description: '', expiresAt: clock.now() + 60_000 },
      clock,
    );
    const auth = await makeAuth();
    const bearer = req({ authorization: `Bearer ${secret}` });
    assert.equal((await auth(bearer)).keyId, record.keyId);
    await store.keys.update({ ...record, disabled: true });
    assert.equal((await auth(bearer)).keyId, record.keyId, 'served from the cache for up to 1 s');
    clock.advance(1000);
    await assert.rejects(auth(bearer), isCode('NIMBUS_ERR_SECURITY_KEY_INVALID'));
    await store.keys.update({ ...record, disabled: false });
    clock.advance(60_000);
    await assert.rejects(auth(bearer), isCode('NIMBUS_ERR_SECURITY_TOKEN_EXPIRED'));
  });

  it('accepts both secrets during a rotation, then only the new one', async () => {
    const { record, secret: old } = await createApiKey(
      store.keys,
      key,
      { tenant: 'default', policies: ['ReadOnly'], description: '' },
      clock,
    );
    const { record: rotated, secret: fresh } = rotatedKey(record, key, 10_000, clock);
    await store.keys.update(rotated);
    const auth = await makeAuth();
    for (const s of [old, fresh]) {
      assert.equal((await auth(req({ authorization: `Bearer ${s}` }))).keyId, record.keyId);
      const signed = await sign({ keyId: record.keyId, secret: s, method: 'GET', path: '/v1/functions' });
      assert.equal((await auth(signed)).keyId, record.keyId);
    }
    clock.advance(10_001);
    const auth2 = await makeAuth();
    await assert.rejects(
      auth2(req({ authorization: `Bearer ${old}` })),
      isCode('NIMBUS_ERR_SECURITY_KEY_INVALID'),
    );
    const stale = await sign({ keyId: record.keyId, secret: old, method: 'GET', path: '/v1/functions' });
    await assert.rejects(auth2(stale), isCode('NIMBUS_ERR_SECURITY_SIGNATURE_MISMATCH'));
    assert.equal((await auth2(req({ authorization: `Bearer ${fresh}` }))).keyId, record.keyId);
  });

  it('verifies role sessions: token bound to its key id, revoked when the role or function changes', async () => {
    const sessions = createSessionIssuer(key, clock);
    const c = await roleSession('reader', 'with-role');
    assert.match(c.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    const signed = (akid = c.accessKeyId, token = c.sessionToken) =>
      sign({
        keyId: akid,
        secret: c.secretAccessKey,
        sessionToken: token,
        method: 'GET',
        path: '/v1/functions',
      });
    const auth = await makeAuth();
    const p = await auth(await signed());
    assert.equal(p.kind, 'session');
    assert.equal(p.arn, 'arn:aws:sts::000000000000:assumed-role/reader/with-role');
    assert.equal(p.policy.evaluate({ action: 'lambda:GetFunction', resource: '*' }).effect, 'Allow');
    assert.equal(p.policy.evaluate({ action: 'lambda:DeleteFunction', resource: '*' }).effect, 'Deny');
    // The boundary: no role lets a function administer keys.
    await store.roles.put({
      tenant: 'default',
      name: 'reader',
      policies: ['AdministratorAccess'],
      description: '',
      updatedAt: 2,
    });
    clock.advance(1000);
    await assert.rejects(auth(await signed()), isCode('NIMBUS_ERR_SECURITY_KEY_INVALID'));
    const r2 = (await store.roles.get('default', 'reader'))!;
    const c2 = await sessions.mint({
      tenant: 'default',
      role: 'reader',
      generation: r2.generation,
      functionName: 'with-role',
    });
    const p2 = await auth(
      await sign({
        keyId: c2.accessKeyId,
        secret: c2.secretAccessKey,
        sessionToken: c2.sessionToken,
        method: 'GET',
        path: '/x',
      }),
    );
    assert.equal(p2.policy.evaluate({ action: 'lambda:DeleteFunction', resource: '*' }).effect, 'Allow');
    assert.equal(p2.policy.evaluate({ action: 'nimbus:CreateKey', resource: '*' }).effect, 'Deny');
    // A token presented with another access key id, and an expired token.
    await assert.rejects(
      auth(await signed('ASIAAAAAAAAAAAAAAAAA', c.sessionToken)),
      isCode('NIMBUS_ERR_SECURITY_KEY_INVALID'),
    );
    clock.advance(2 * 3600_000);
    await assert.rejects(auth(await signed()), isCode('NIMBUS_ERR_SECURITY_TOKEN_EXPIRED'));
  });

  it('presigns a GET for a key and for a role session: it verifies as them, for that URL, until it expires', async () => {
    const auth = await makeAuth();
    const fromUrl = (u: string): AuthRequest => {
      const url = new URL(u);
      return {
        method: 'GET',
        path: url.pathname,
        query: url.search.slice(1),
        headers: { host: url.host },
        body: undefined,
      };
    };
    const { record, secret } = await createApiKey(
      store.keys,
      key,
      { tenant: 'default', policies: ['ReadOnly'], description: '' },
      clock,
    );
    const keyP = await auth(req({ authorization: `Bearer ${secret}` }));
    const link = await auth.presignGet(keyP, new URL('http://127.0.0.1:4000/v1/artifacts/ab?x=1'), {
      expiresSec: 600,
      service: 'lambda',
    });
    assert.equal((await auth(fromUrl(link))).keyId, record.keyId);
    for (const bad of [
      link.replace('/ab?', '/ac?'),
      link.replace('x=1', 'x=2'),
      link.replace('127.0.0.1', 'localhost'),
    ])
      await assert.rejects(auth(fromUrl(bad)), isCode('NIMBUS_ERR_SECURITY_SIGNATURE_MISMATCH'), bad);

    // A role session signs with its session credentials and carries its token in the link.
    const c = await roleSession('linker', 'links');
    const sessionP = await auth(
      await sign({
        keyId: c.accessKeyId,
        secret: c.secretAccessKey,
        sessionToken: c.sessionToken,
        method: 'GET',
        path: '/x',
      }),
    );
    assert.equal(sessionP.kind, 'session');
    const url = new URL('http://h/v1/functions/links/source');
    await assert.rejects(
      auth.presignGet(sessionP, url, { expiresSec: 600, service: 'lambda' }),
      isCode('NIMBUS_ERR_CORE_UNAUTHORIZED'),
    );
    const sessionLink = await auth.presignGet(sessionP, url, {
      expiresSec: 600,
      service: 'lambda',
      sessionToken: c.sessionToken,
    });
    assert.equal(new URL(sessionLink).searchParams.get('X-Amz-Security-Token'), c.sessionToken);
    assert.equal((await auth(fromUrl(sessionLink))).arn, sessionP.arn);

    clock.advance(601_000);
    await assert.rejects(auth(fromUrl(link)), isCode('NIMBUS_ERR_SECURITY_PRESIGNED_EXPIRED'));
  });
});

const isCode = (code: string) => (e: unknown) => (e as { code?: string }).code === code;
