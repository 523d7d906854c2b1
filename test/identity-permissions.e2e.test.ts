/**
 * POST /v1/identity/permissions: a key learns which actions it may perform (the console hides
 * pages and buttons with it). Each action is evaluated as its collection route evaluates it, so
 * the answer agrees with what the routes then do; a malformed ask is a coded 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from './helpers.ts';

describe('identity permissions (e2e)', () => {
  let p: TestPlatform;
  const secrets: Record<string, string> = {};
  before(async () => {
    p = await startTestPlatform();
    for (const policy of ['ReadOnly', 'Invoker', 'Developer']) {
      const k = await p.json<{ secret: string }>('POST', '/v1/keys', { policies: [policy] });
      assert.equal(k.status, 201);
      secrets[policy] = k.body.secret;
    }
  });
  after(() => p?.stop());
  const as = (policy: string, method: string, path: string, body?: unknown) =>
    fetch(`${p.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${secrets[policy]}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const actions = [
    'lambda:ListFunctions',
    'lambda:CreateFunction',
    'nimbus:QueryAudit',
    's3:ListAllMyBuckets',
  ];
  const ask = async (policy: string) =>
    (
      (await (await as(policy, 'POST', '/v1/identity/permissions', { actions })).json()) as {
        allowed: Record<string, boolean>;
      }
    ).allowed;

  it('answers per action, as the routes then decide', async () => {
    assert.deepEqual(await ask('ReadOnly'), {
      'lambda:ListFunctions': true,
      'lambda:CreateFunction': false,
      'nimbus:QueryAudit': false,
      's3:ListAllMyBuckets': true,
    });
    const inv = await ask('Invoker');
    assert.equal(inv['lambda:ListFunctions'], true);
    assert.equal(inv['s3:ListAllMyBuckets'], false);
    // The routes agree: what the answer allows, the route allows; what it does not, is a 403.
    assert.equal((await as('Invoker', 'GET', '/v1/functions')).status, 200);
    assert.equal((await as('Invoker', 'GET', '/v1/buckets')).status, 403);
    assert.equal((await as('ReadOnly', 'GET', '/v1/audit')).status, 403);
    const admin = await p.json<{ allowed: Record<string, boolean> }>('POST', '/v1/identity/permissions', {
      actions,
    });
    assert.ok(Object.values(admin.body.allowed).every(Boolean));
  });

  it('refuses a malformed ask with a coded 400', async () => {
    for (const body of [
      {},
      { actions: [] },
      { actions: ['not an action'] },
      { actions: Array(101).fill('s3:GetObject') },
      { actions: ['s3:GetObject'], extra: 1 },
    ]) {
      const r = await as('ReadOnly', 'POST', '/v1/identity/permissions', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(await r.text(), /NIMBUS_ERR_CORE_VALIDATION/);
    }
    assert.equal((await fetch(`${p.apiUrl}/v1/identity/permissions`, { method: 'POST' })).status, 401);
  });
});
