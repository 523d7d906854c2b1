/**
 * `nimbus workflows …` and `nimbus executions …` (the real CLI, child processes) against a real
 * platform: deploy from JSON and YAML, list, describe, delete; start with --input, --input-file,
 * --name and --wait; list, describe, history, stop, redrive; human output and --json, errors
 * with their hints. Then what only the REST routes offer: `?sync=1`, `?wait=`, task tokens.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliRunner, fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const EXECUTION_ARN = /arn:aws:states:local-1:000000000000:execution:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+/;

const ORDERS = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'value.$': '$.value' }, Next: 'Double' },
    Double: { Type: 'Task', Resource: 'double', ResultPath: '$.doubled', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};
const GREET_YAML = `Comment: greets
StartAt: Check
States:
  Check:
    Type: Choice
    Choices:
      - Variable: $.name
        IsPresent: true
        Next: Greet
    Default: NoName
  Greet:
    Type: Pass
    Parameters:
      greeting.$: States.Format('Hello, {}!', $.name)
    End: true
  NoName:
    Type: Fail
    Error: NoName
    Cause: name is missing
`;
const SLEEPY = { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 3600, End: true } } };
const APPROVAL = {
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'tokener', Payload: { 'token.$': '$$.Task.Token' } },
      End: true,
    },
  },
};

interface Execution {
  arn: string;
  name: string;
  workflow: string;
  status: string;
  input: unknown;
  output: unknown;
  error: string | null;
  cause: string | null;
  redriveCount: number;
}

describe('nimbus workflows / executions CLI e2e', () => {
  let p: TestPlatform;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const cli = cliRunner(() => env);
  /** Runs a command with --json, expects exit 0 and returns the parsed document. */
  const cliJson = async <T>(...args: string[]): Promise<T> => {
    const r = await cli(...args, '--json');
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout) as T;
  };
  const file = (name: string) => join(dir, name);

  before(async () => {
    p = await startTestPlatform();
    env = {
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_KEY_ID: p.admin.keyId,
      NIMBUS_SECRET: p.secret,
    };
    for (const [name, code] of [
      ['double', 'export const handler = async (e) => ({ value: e.value * 2 });'],
      ['tokener', 'export const handler = async (e) => ({ token: e.token });'],
    ] as const) {
      const fn = await fixture({ 'index.mjs': code });
      const r = await p.deployDir(name, fn, { runtime: 'nodejs24.x', handler: 'index.handler' });
      assert.ok(r.status < 300, JSON.stringify(r.body));
    }
    dir = await fixture({
      'orders.json': JSON.stringify(ORDERS, null, 2),
      'greet.yaml': GREET_YAML,
      'sleepy.json': JSON.stringify(SLEEPY),
      'bad.json': JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }),
      'input.json': '{"value": 5}',
    });
  });
  after(() => p?.stop());

  it('deploys workflows from JSON and YAML, lists, describes them, and explains errors', async () => {
    const human = await cli('workflows', 'deploy', 'orders', file('orders.json'));
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^orders: deployed \(STANDARD, revision [0-9a-f-]{36}\)$/m);
    assert.match(human.stdout, /^arn:aws:states:local-1:000000000000:stateMachine:orders$/m);
    const greet = await cliJson<{ type: string; definition: { StartAt: string } }>(
      'workflows',
      'deploy',
      'greet',
      file('greet.yaml'),
      '--type',
      'express',
    );
    assert.equal(greet.type, 'EXPRESS');
    assert.equal(greet.definition.StartAt, 'Check');
    const sleepy = await cliJson<{ description: string }>(
      'workflows',
      'deploy',
      'sleepy',
      file('sleepy.json'),
      '--description',
      'naps',
    );
    assert.equal(sleepy.description, 'naps');
    // Deploying again updates (a new revision).
    const firstRevision = /revision ([0-9a-f-]+)/.exec(human.stdout)![1];
    const again = await cliJson<{ revisionId: string }>('workflows', 'deploy', 'orders', file('orders.json'));
    assert.notEqual(again.revisionId, firstRevision);
    const now = await cliJson<{ revisionId: string }>('workflows', 'describe', 'orders');
    assert.equal(now.revisionId, again.revisionId);

    const list = await cli('workflows', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAME\s+TYPE\s+UPDATED\s+ARN$/m);
    assert.match(
      list.stdout,
      /^greet\s+EXPRESS\s+\S+Z\s+arn:aws:states:local-1:000000000000:stateMachine:greet$/m,
    );
    const listed = await cliJson<{ workflows: { name: string }[] }>('workflows', 'list');
    assert.deepEqual(
      listed.workflows.map((w) => w.name),
      ['greet', 'orders', 'sleepy'],
    );

    const described = await cli('workflows', 'describe', 'orders');
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^type:\s+STANDARD$/m);
    assert.match(described.stdout, /^role:\s+arn:aws:iam::000000000000:role\/\S+$/m);
    assert.match(described.stdout, /^definition:\n\{\n {2}"StartAt": "Prepare",/m);
    const dj = await cliJson<{ definition: unknown }>('workflows', 'describe', 'orders');
    assert.deepEqual(dj.definition, ORDERS);

    const bad = await cli('workflows', 'deploy', 'bad', file('bad.json'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: invalid definition: .*Nowhere/m);
    assert.match(bad.stderr, /^How to fix: /m);
    assert.match(bad.stderr, /NIMBUS_ERR_WORKFLOW_INVALID_DEFINITION/);
    const missing = await cli('workflows', 'describe', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /state machine nope does not exist/);
    assert.match(missing.stderr, /How to fix: deploy it first/);
    const mj = await cli('workflows', 'describe', 'nope', '--json');
    assert.equal(mj.code, 1);
    assert.equal(JSON.parse(mj.stdout).error.code, 'NIMBUS_ERR_WORKFLOW_MACHINE_NOT_FOUND');
    const noFile = await cli('workflows', 'deploy', 'x', file('absent.json'));
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /cannot read the definition file/);
    const badType = await cli('workflows', 'deploy', 'x', file('orders.json'), '--type', 'FAST');
    assert.equal(badType.code, 1);
    assert.match(badType.stderr, /--type is STANDARD or EXPRESS/);
  });

  it('starts executions, waits for them, lists, describes them and shows their history', async () => {
    const waited = await cli(
      'executions',
      'start',
      'orders',
      '--input',
      '{"value":4}',
      '--name',
      'first',
      '--wait',
    );
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, /^execution: arn:aws:states:local-1:000000000000:execution:orders:first$/m);
    assert.match(waited.stdout, /^status:\s+SUCCEEDED$/m);
    assert.match(waited.stdout, /^output:\s+\{"value":4,"doubled":\{"value":8\}\}$/m);
    const fromFile = await cliJson<Execution>(
      'executions',
      'start',
      'orders',
      '--input-file',
      file('input.json'),
      '--wait',
    );
    assert.equal(fromFile.status, 'SUCCEEDED');
    assert.deepEqual(fromFile.output, { value: 5, doubled: { value: 10 } });
    assert.deepEqual(fromFile.input, { value: 5 });

    const started = await cli('executions', 'start', 'orders', '--input', '{"value":1}', '--name', 'second');
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^started arn:aws:states:local-1:000000000000:execution:orders:second$/m);
    const secondArn = started.stdout.trim().slice('started '.length);
    const notJson = await cli('executions', 'start', 'orders', '--input', 'nope');
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /the input is not valid JSON/);
    const both = await cli(
      'executions',
      'start',
      'orders',
      '--input',
      '{}',
      '--input-file',
      file('input.json'),
    );
    assert.equal(both.code, 1);

    const done = await waitUntil('the second execution to end', async () => {
      const v = await cliJson<Execution>('executions', 'describe', secondArn);
      return v.status !== 'RUNNING' && v;
    });
    assert.equal(done.status, 'SUCCEEDED');
    const list = await cli('executions', 'list', 'orders');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAME\s+STATUS\s+STARTED\s+STOPPED\s+ARN$/m);
    assert.match(
      list.stdout,
      /^first\s+SUCCEEDED\s+\S+Z\s+\S+Z\s+arn:aws:states:\S+:execution:orders:first$/m,
    );
    const lj = await cliJson<{ executions: Execution[] }>(
      'executions',
      'list',
      'orders',
      '--status',
      'succeeded',
    );
    assert.equal(lj.executions.length, 3);
    assert.ok(lj.executions.every((e) => e.status === 'SUCCEEDED' && e.workflow === 'orders'));
    const paged = await cli('executions', 'list', 'orders', '--limit', '1');
    assert.match(paged.stdout, /^more: --next-token \S+$/m);
    const token = /--next-token (\S+)/.exec(paged.stdout)![1]!;
    const rest = await cliJson<{ executions: Execution[] }>(
      'executions',
      'list',
      'orders',
      '--next-token',
      token,
    );
    assert.equal(rest.executions.length, 2);

    const firstArn = 'arn:aws:states:local-1:000000000000:execution:orders:first';
    const d = await cli('executions', 'describe', firstArn);
    assert.match(d.stdout, /^workflow:\s+orders$/m);
    assert.match(d.stdout, /^input:\s+\{"value":4\}$/m);
    assert.match(d.stdout, /^redrive:\s+NOT_REDRIVABLE$/m);

    const h = await cli('executions', 'history', firstArn);
    assert.equal(h.code, 0, h.stderr);
    const lines = h.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID\s+TIME\s+TYPE\s+STATE$/);
    assert.match(lines[1]!, /^1\s+\S+Z\s+ExecutionStarted$/);
    assert.match(lines[2]!, /^2\s+\S+Z\s+PassStateEntered\s+Prepare$/);
    assert.match(h.stdout, /^\d+\s+\S+Z\s+TaskStateExited\s+Double$/m);
    assert.match(lines.at(-1)!, /^\d+\s+\S+Z\s+ExecutionSucceeded$/);
    const hj = await cliJson<{ events: { id: number; type: string; state: string | null }[] }>(
      'executions',
      'history',
      firstArn,
    );
    assert.deepEqual(
      hj.events.map((e) => e.id),
      hj.events.map((_, i) => i + 1),
    );
    assert.equal(hj.events[1]?.state, 'Prepare');
    const reversed = await cliJson<{ events: { id: number }[] }>(
      'executions',
      'history',
      firstArn,
      '--reverse',
    );
    assert.deepEqual(
      reversed.events.map((e) => e.id),
      hj.events.map((e) => e.id).reverse(),
    );

    const hello = await cliJson<Execution>(
      'executions',
      'start',
      'greet',
      '--input',
      '{"name":"Ada"}',
      '--wait',
    );
    assert.deepEqual(hello.output, { greeting: 'Hello, Ada!' });
    const failed = await cli('executions', 'start', 'greet', '--wait');
    assert.equal(failed.code, 1, 'a failed execution with --wait exits 1');
    assert.match(failed.stdout, /^status:\s+FAILED$/m);
    assert.match(failed.stdout, /^error:\s+NoName$/m);
    assert.match(failed.stdout, /^cause:\s+name is missing$/m);
  });

  it('stops, redrives and deletes', async () => {
    const nap = await cliJson<Execution>('executions', 'start', 'sleepy', '--name', 'nap');
    assert.equal(nap.status, 'RUNNING');
    const stopped = await cli(
      'executions',
      'stop',
      nap.arn,
      '--error',
      'Ops.Cancelled',
      '--cause',
      'changed my mind',
    );
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /^stopped arn:\S+:execution:sleepy:nap: ABORTED$/m);
    const d = await cliJson<Execution>('executions', 'describe', nap.arn);
    assert.deepEqual([d.status, d.error, d.cause], ['ABORTED', 'Ops.Cancelled', 'changed my mind']);
    const redriven = await cli('executions', 'redrive', nap.arn);
    assert.equal(redriven.code, 0, redriven.stderr);
    assert.match(redriven.stdout, /^redriven arn:\S+:execution:sleepy:nap \(redrive 1\): RUNNING$/m);
    const again = await cliJson<Execution>('executions', 'stop', nap.arn);
    assert.equal(again.status, 'ABORTED');
    assert.equal(again.redriveCount, 1);
    const firstArn = 'arn:aws:states:local-1:000000000000:execution:orders:first';
    const refused = await cli('executions', 'redrive', firstArn);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /cannot be redriven/);

    const del = await cli('workflows', 'delete', 'orders');
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, 'deleted workflow orders\n');
    assert.deepEqual(await cliJson('workflows', 'delete', 'sleepy'), { deleted: 'sleepy' });
    const kept = await cliJson<Execution>('executions', 'describe', firstArn);
    assert.equal(kept.status, 'SUCCEEDED', "a deleted workflow's executions stay describable");
    const bad = await cli('executions', 'describe', 'not-an-arn', '--json');
    assert.equal(bad.code, 1);
    assert.equal(JSON.parse(bad.stdout).error.code, 'NIMBUS_ERR_WORKFLOW_INVALID_ARN');
  });

  it('serves ?sync=1, ?wait= and task tokens over REST', async () => {
    const sync = await p.json<Execution>('POST', '/v1/workflows/greet/executions?sync=1', {
      name: 'rest-sync',
      input: { name: 'Bo' },
    });
    assert.equal(sync.status, 200);
    assert.deepEqual([sync.body.status, sync.body.output], ['SUCCEEDED', { greeting: 'Hello, Bo!' }]);
    assert.equal((await p.api('PUT', '/v1/workflows/approval', { definition: APPROVAL })).status, 200);
    const started = await p.json<Execution>('POST', '/v1/workflows/approval/executions', { input: { n: 1 } });
    assert.equal(started.status, 201);
    assert.match(started.body.arn, EXECUTION_ARN);
    const path = `/v1/executions/${encodeURIComponent(started.body.arn)}`;
    const submitted = await waitUntil('the task to be submitted', async () => {
      const h = await p.json<{ events: { type: string; details: Record<string, { output?: string }> }[] }>(
        'GET',
        `${path}/history`,
      );
      return h.body.events.find((e) => e.type === 'TaskSubmitted');
    });
    const out = JSON.parse(submitted.details.taskSubmittedEventDetails?.output ?? '{}') as {
      Payload: { token: string };
    };
    const token = out.Payload.token;
    const held = await p.json<Execution>('GET', `${path}?wait=0.2`);
    assert.equal(held.body.status, 'RUNNING', 'still waiting when the wait ends');
    assert.equal((await p.api('POST', '/v1/tasks/success', { taskToken: 'bad!', output: {} })).status, 400);
    assert.equal(
      (await p.api('POST', '/v1/tasks/success', { taskToken: token, output: { ok: 1 } })).status,
      204,
    );
    const waited = await p.json<Execution>('GET', `${path}?wait=30`);
    assert.deepEqual([waited.body.status, waited.body.output], ['SUCCEEDED', { ok: 1 }]);
    const gone = await p.json<{ error: { code: string } }>('POST', '/v1/tasks/heartbeat', {
      taskToken: token,
    });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'NIMBUS_ERR_WORKFLOW_TASK_NOT_FOUND');

    const foreign = await p.json<{ error: { code: string } }>(
      'GET',
      `/v1/executions/${encodeURIComponent('arn:aws:states:local-1:123456789012:execution:approval:x')}`,
    );
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'NIMBUS_ERR_WORKFLOW_EXECUTION_NOT_FOUND');
    const badStatus = await p.json('GET', '/v1/workflows/approval/executions?status=DONE');
    assert.equal(badStatus.status, 400);
  });
});
