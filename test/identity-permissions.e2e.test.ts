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

  it('answers on one named resource, as the routes of that resource decide', async () => {
    const scoped = await p.json<{ secret: string }>('POST', '/v1/keys', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
            { Effect: 'Allow', Action: 'lambda:*', Resource: 'arn:aws:lambda:*:*:function:orders-*' },
            { Effect: 'Allow', Action: 'states:*', Resource: 'arn:aws:states:*:*:stateMachine:orders-*' },
            {
              Effect: 'Allow',
              Action: 'states:StopExecution',
              Resource: 'arn:aws:states:*:*:execution:orders-*',
            },
            { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::orders', 'arn:aws:s3:::orders/*'] },
          ],
        },
      ],
    });
    assert.equal(scoped.status, 201, JSON.stringify(scoped.body));
    secrets.scoped = scoped.body.secret;
    const acts = [
      'lambda:DeleteFunction',
      'lambda:UpdateFunctionConfiguration',
      'states:StartExecution',
      'states:StopExecution',
      's3:DeleteBucket',
      's3:PutObject',
    ];
    const on = async (resource?: Record<string, string>) =>
      (
        (await (
          await as('scoped', 'POST', '/v1/identity/permissions', {
            actions: acts,
            ...(resource ? { resource } : {}),
          })
        ).json()) as { allowed: Record<string, boolean> }
      ).allowed;
    const yes = (a: Record<string, boolean>) => acts.filter((x) => a[x]);
    assert.deepEqual(yes(await on()), [], 'account-wide (resource *): nothing');
    assert.deepEqual(yes(await on({ function: 'orders-api' })), [
      'lambda:DeleteFunction',
      'lambda:UpdateFunctionConfiguration',
    ]);
    assert.deepEqual(yes(await on({ function: 'billing' })), []);
    // On a state machine, an execution's actions are asked of its executions (`execution:orders-flow:*`).
    assert.deepEqual(yes(await on({ stateMachine: 'orders-flow' })), [
      'states:StartExecution',
      'states:StopExecution',
    ]);
    const { body: who } = await p.json<{ accountId: string; region: string }>('GET', '/v1/identity');
    const exec = `arn:aws:states:${who.region}:${who.accountId}:execution:orders-flow:e1`;
    // On an execution: Stop is checked on its ARN, Start on its state machine's.
    assert.deepEqual(yes(await on({ execution: exec })), ['states:StartExecution', 'states:StopExecution']);
    const other = `arn:aws:states:${who.region}:${who.accountId}:execution:billing-flow:e1`;
    assert.deepEqual(yes(await on({ execution: other })), []);
    assert.deepEqual(yes(await on({ bucket: 'orders' })), ['s3:DeleteBucket', 's3:PutObject']);
    assert.deepEqual(yes(await on({ bucket: 'billing' })), []);
    // The routes agree: allowed on orders-api (then 404: it does not exist), refused on billing.
    const patch = (fn: string) =>
      as('scoped', 'PATCH', `/v1/functions/${fn}`, { memoryMb: 256 }).then((r) => r.status);
    assert.equal(await patch('orders-api'), 404);
    assert.equal(await patch('billing'), 403);
    for (const resource of [{ function: 'orders-*' }, { nope: 'x' }, { function: 'a', bucket: 'b' }]) {
      const r = await as('scoped', 'POST', '/v1/identity/permissions', { actions: acts, resource });
      assert.equal(r.status, 400, JSON.stringify(resource));
    }
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
