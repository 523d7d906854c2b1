/**
 * Hostile battery, workflows: definitions built to exhaust the validator or the executor (deep
 * nesting, huge state counts, a Pass loop, a JSONata expression that never ends, results past
 * the payload quota), hostile inputs and names, forged and foreign task tokens, and a role that
 * may not invoke. Every case ends in a coded refusal or a failed execution with a named error;
 * the platform keeps answering other requests while it happens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeTaskToken } from '../../src/workflows/engine/task-token.ts';
import { fixture, startTestPlatform, type TestPlatform } from '../helpers.ts';

const T = 'default';

describe('hostile workflows', { timeout: 180_000 }, () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => e.big ? { blob: 'x'.repeat(300 * 1024) } : { ok: true, e };`,
    });
    assert.ok(
      (await p.deployDir('fn', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
    );
  });
  after(() => p?.stop());

  const put = (name: string, definition: unknown, extra: Record<string, unknown> = {}) =>
    p.json<{ error?: { code: string; message: string } }>('PUT', `/v1/workflows/${name}`, {
      definition,
      ...extra,
    });
  const run = async (name: string, definition: unknown, input: unknown = {}) => {
    const r = await put(name, definition);
    assert.equal(r.status < 300, true, JSON.stringify(r.body));
    const e = await p.workflows.startExecution(T, { machine: name, input: JSON.stringify(input) });
    return p.workflows.waitForEnd(T, e.arn, 60_000);
  };
  /** The API answers a cheap request within `ms` while `work` runs. */
  const staysResponsive = async <R>(work: Promise<R>, ms = 1500): Promise<R> => {
    let worst = 0;
    let done = false;
    const probe = (async () => {
      while (!done) {
        const t0 = performance.now();
        await p.api('GET', '/healthz');
        worst = Math.max(worst, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const r = await work;
    done = true;
    await probe;
    assert.ok(worst < ms, `a health check took ${worst.toFixed(0)} ms while the hostile execution ran`);
    return r;
  };

  it('refuses definitions nested 200 deep, with 20,000 states, or over 1 MiB — quickly and by name', async () => {
    let deep: Record<string, unknown> = { StartAt: 'S', States: { S: { Type: 'Succeed' } } };
    for (let i = 0; i < 200; i++)
      deep = { StartAt: `P${i}`, States: { [`P${i}`]: { Type: 'Parallel', Branches: [deep], End: true } } };
    const many = {
      StartAt: 'S0',
      States: Object.fromEntries(
        Array.from({ length: 20_000 }, (_, i) => [`S${i}`, { Type: 'Pass', End: true }]),
      ),
    };
    const huge = { StartAt: 'S', States: { S: { Type: 'Pass', Result: 'x'.repeat(1_100_000), End: true } } };
    for (const [name, def] of [
      ['deep', deep],
      ['many', many],
      ['huge', huge],
    ] as const) {
      const t0 = performance.now();
      const r = await put(name, def);
      assert.equal(r.status, 400, name);
      assert.match(
        r.body.error!.code,
        /NIMBUS_ERR_(WORKFLOW_INVALID_DEFINITION|ASL_|CORE_PAYLOAD|CORE_VALIDATION)/,
        name,
      );
      assert.ok(performance.now() - t0 < 5000, `${name} took ${(performance.now() - t0).toFixed(0)} ms`);
    }
  });

  it('a Pass/Choice loop ends at the history limit without holding the executor', async () => {
    const e = await staysResponsive(
      run('loop', {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Next: 'B' },
          B: {
            Type: 'Choice',
            Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'End' }],
            Default: 'A',
          },
          End: { Type: 'Succeed' },
        },
      }),
    );
    assert.equal(e.status, 'FAILED');
    assert.equal(e.error, 'States.Runtime');
    assert.match(e.cause!, /25000 history events/);
  });

  it('a JSONata expression that never ends fails its state with States.QueryEvaluationError', async () => {
    const e = await staysResponsive(
      run('spin', {
        QueryLanguage: 'JSONata',
        StartAt: 'S',
        States: {
          S: {
            Type: 'Pass',
            Output: '{% ($f := function($n) { $n > 0 ? $f($n + 1) : 0 }; $f(1)) %}',
            End: true,
          },
        },
      }),
      2500,
    );
    assert.equal(e.status, 'FAILED');
    assert.equal(e.error, 'States.QueryEvaluationError');
  });

  it('a result over 256 KiB fails with States.DataLimitExceeded, which States.ALL does not catch', async () => {
    const e = await run('bigout', {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'fn',
          Parameters: { big: true },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Succeed' },
      },
    });
    assert.equal(e.status, 'FAILED');
    assert.equal(e.error, 'States.DataLimitExceeded');
  });

  it('refuses hostile inputs and names with coded errors', async () => {
    await put('plain', { StartAt: 'S', States: { S: { Type: 'Succeed' } } });
    const deepInput = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    for (const [body, code] of [
      [{ input: JSON.parse('{"a":1}'), name: '../../etc' }, 'NIMBUS_ERR_WORKFLOW_INVALID_NAME'],
      [{ name: 'x'.repeat(81) }, 'NIMBUS_ERR_WORKFLOW_INVALID_NAME'],
      [{ input: 'x'.repeat(300 * 1024) }, 'NIMBUS_ERR_WORKFLOW_INVALID_INPUT'],
    ] as const) {
      const r = await p.json<{ error: { code: string } }>('POST', '/v1/workflows/plain/executions', body);
      assert.equal(r.body.error?.code, code, JSON.stringify(r.body));
    }
    await assert.rejects(
      p.workflows.startExecution(T, { machine: 'plain', input: deepInput }),
      (e: { code?: string }) => e.code === 'NIMBUS_ERR_WORKFLOW_INVALID_INPUT',
    );
  });

  it('forged tokens are refused; a token of another tenant’s execution finds nothing', async () => {
    for (const token of ['', 'not a token', 'x'.repeat(5000), Buffer.from('[1,2]').toString('base64url')]) {
      const r = await p.json<{ error: { code: string } }>('POST', '/v1/tasks/success', {
        taskToken: token,
        output: '{}',
      });
      assert.ok(r.status === 400 || r.status === 404, `${token.slice(0, 20)}: ${r.status}`);
    }
    const foreign = encodeTaskToken({
      arn: 'arn:aws:states:local-1:999999999999:execution:theirs:x',
      token: 'f1.1',
      nonce: 'guess',
    });
    const r = await p.json<{ error: { code: string } }>('POST', '/v1/tasks/success', {
      taskToken: foreign,
      output: '{}',
    });
    assert.equal(r.body.error?.code, 'NIMBUS_ERR_WORKFLOW_TASK_NOT_FOUND');
  });

  it('a state machine whose role may not invoke the function fails the Task with States.Permissions', async () => {
    const account = (await p.json<{ accountId: string }>('GET', '/v1/identity')).body.accountId;
    const role = await p.json('PUT', '/v1/roles/wf-narrow', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'lambda:InvokeFunction',
              Resource: 'arn:aws:lambda:*:*:function:other',
            },
          ],
        },
      ],
    });
    assert.ok(role.status < 300, JSON.stringify(role.body));
    const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'fn', End: true } } };
    const m = await p.json('PUT', '/v1/workflows/narrow', {
      definition: def,
      roleArn: `arn:aws:iam::${account}:role/wf-narrow`,
    });
    assert.ok(m.status < 300, JSON.stringify(m.body));
    const e = await p.workflows.startExecution(T, { machine: 'narrow' });
    const done = await p.workflows.waitForEnd(T, e.arn, 30_000);
    assert.equal(done.status, 'FAILED');
    assert.equal(done.error, 'States.Permissions');
    assert.match(done.cause!, /does not allow lambda:InvokeFunction/);
    const missing = await p.json('PUT', '/v1/workflows/ghost-role', {
      definition: def,
      roleArn: `arn:aws:iam::${account}:role/nope`,
    });
    assert.ok(missing.status < 300);
    const g = await p.workflows.waitForEnd(
      T,
      (await p.workflows.startExecution(T, { machine: 'ghost-role' })).arn,
      30_000,
    );
    assert.equal(g.error, 'States.Permissions');
  });
});
