/**
 * The Step Functions API end to end with the real `@aws-sdk/client-sfn` (AWS JSON 1.0, SigV4):
 * state machine lifecycle (idempotent create, update with a new revision, paged list, delete),
 * executions to SUCCEEDED with a history compared field by field to AWS's documented event
 * shapes (ids, previousEventId chains, reverse order, pages, includeExecutionData), name
 * deduplication, stop, redrive after the failing function is fixed, the waitForTaskToken
 * callback pattern (SendTaskSuccess/Failure/Heartbeat), StartSyncExecution (also through the
 * SDK's `sync-` host prefix), error types, tenant isolation and IAM denials.
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { fixture, sdkError, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const REGION = 'local-1';
const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/workflows`;
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const machineArn = (name: string, account = ACCOUNT) =>
  `arn:aws:states:${REGION}:${account}:stateMachine:${name}`;
const errorOf = sdkError;
const json = (s: string | undefined): unknown => JSON.parse(s ?? 'null');
const words = (s: string) => s.trim().split(/\s+/);

/** Pass → Task (a function) → Choice → Wait → Succeed. */
const SHAPE = {
  Comment: 'one of each',
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 21, ResultPath: '$.value', Next: 'Double' },
    Double: { Type: 'Task', Resource: fnArn('double'), ResultPath: '$.doubled', Next: 'IsBig' },
    IsBig: {
      Type: 'Choice',
      Choices: [{ Variable: '$.doubled.value', NumericGreaterThan: 40, Next: 'Pause' }],
      Default: 'TooSmall',
    },
    TooSmall: { Type: 'Fail', Error: 'TooSmall', Cause: 'the value is too small' },
    Pause: { Type: 'Wait', Seconds: 1, Next: 'Done' },
    Done: { Type: 'Succeed', OutputPath: '$.doubled' },
  },
};
const SLEEPY = { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 3600, End: true } } };
const FRAGILE = { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: fnArn('flaky'), End: true } } };
const APPROVAL = {
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: fnArn('tokener'),
        Payload: { 'token.$': '$$.Task.Token', 'order.$': '$.order' },
      },
      HeartbeatSeconds: 600,
      End: true,
    },
  },
};
const GREET = {
  StartAt: 'Check',
  States: {
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.name', IsPresent: true, Next: 'Greet' }],
      Default: 'NoName',
    },
    Greet: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('Hello, {}!', $.name)" }, End: true },
    NoName: { Type: 'Fail', Error: 'NoName', Cause: 'name is missing' },
  },
};

/** The `…EventDetails` members an event carries. */
const detailKeys = (e: HistoryEvent) =>
  Object.entries(e)
    .filter(([k, v]) => k.endsWith('EventDetails') && v !== undefined)
    .map(([k]) => k);

describe('Step Functions API e2e (@aws-sdk/client-sfn)', () => {
  let p: TestPlatform;
  let sfn: SFNClient;
  const client = (accessKeyId: string, secretAccessKey: string) =>
    new SFNClient({
      endpoint: p.apiUrl,
      region: REGION,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
      disableHostPrefix: true,
    });
  const newKey = async (policies: unknown[], tenant?: string) => {
    const r = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
      policies,
      ...(tenant ? { tenant } : {}),
    });
    assert.equal(r.status, 201);
    return client(r.body.key.keyId, r.body.secret);
  };
  const deployFn = async (name: string, code: string) => {
    const dir = await fixture({ 'index.mjs': code });
    const r = await p.deployDir(name, dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    assert.ok(r.status < 300, JSON.stringify(r.body));
  };
  const create = async (name: string, definition: object, extra: Record<string, unknown> = {}) => {
    const input = { name, definition: JSON.stringify(definition), roleArn: ROLE, ...extra };
    return (await sfn.send(new CreateStateMachineCommand(input))).stateMachineArn!;
  };
  const start = async (machine: string, input: unknown, name?: string) => {
    const s = {
      stateMachineArn: machineArn(machine),
      input: JSON.stringify(input),
      ...(name ? { name } : {}),
    };
    return (await sfn.send(new StartExecutionCommand(s))).executionArn!;
  };
  const describeExecution = (executionArn: string) =>
    sfn.send(new DescribeExecutionCommand({ executionArn }));
  const ended = (executionArn: string): Promise<DescribeExecutionOutput> =>
    waitUntil(`execution ${executionArn} to end`, async () => {
      const d = await describeExecution(executionArn);
      return d.status !== 'RUNNING' && d;
    });
  const historyOf = async (executionArn: string) => {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const r = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
      events.push(...(r.events ?? []));
      nextToken = r.nextToken;
    } while (nextToken);
    return events;
  };
  const eventOf = (arn: string, type: string) =>
    waitUntil(`a ${type} event of ${arn}`, async () => (await historyOf(arn)).find((e) => e.type === type));

  before(async () => {
    p = await startTestPlatform();
    sfn = client(p.admin.keyId, p.secret);
    await deployFn('double', 'export const handler = async (e) => ({ value: e.value * 2 });');
    await deployFn('tokener', 'export const handler = async (e) => ({ token: e.token, order: e.order });');
    await deployFn('flaky', `export const handler = async () => { throw new Error('broken'); };`);
    // The state machines' role (Tasks run with it): it may invoke the tenant's functions.
    const role = await p.json('PUT', '/v1/roles/workflows', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }],
        },
      ],
    });
    assert.ok(role.status < 300, JSON.stringify(role.body));
  });
  after(async () => {
    sfn?.destroy();
    await p?.stop();
  });

  it('creates (idempotently), describes, updates, lists and deletes state machines', async () => {
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'shape',
        definition: JSON.stringify(SHAPE),
        roleArn: ROLE,
        tags: [{ key: 'team', value: 'orders' }],
      }),
    );
    assert.equal(created.stateMachineArn, machineArn('shape'));
    assert.ok(created.creationDate instanceof Date);
    assert.equal(await create('shape', SHAPE), machineArn('shape'), 'the same machine again: the same ARN');
    const clash = await errorOf(create('shape', SLEEPY));
    assert.equal(clash.name, 'StateMachineAlreadyExists');
    assert.equal(clash.status, 400);

    const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('shape') }));
    assert.deepEqual(
      [d.stateMachineArn, d.name, d.status, d.roleArn, d.type],
      [machineArn('shape'), 'shape', 'ACTIVE', ROLE, 'STANDARD'],
    );
    assert.deepEqual(json(d.definition), SHAPE);
    assert.equal(d.creationDate?.getTime(), created.creationDate?.getTime());
    assert.ok(d.revisionId);

    const changed = { ...SHAPE, Comment: 'changed' };
    const u = await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: machineArn('shape'),
        definition: JSON.stringify(changed),
      }),
    );
    assert.ok(u.updateDate instanceof Date);
    assert.ok(u.revisionId && u.revisionId !== d.revisionId, 'an update makes a new revision');
    const d2 = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('shape') }));
    assert.equal(d2.revisionId, u.revisionId);
    assert.equal((json(d2.definition) as { Comment: string }).Comment, 'changed');

    await create('sleepy', SLEEPY);
    await create('fragile', FRAGILE);
    await create('approval', APPROVAL);
    await create('doomed', SLEEPY);
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const r = await sfn.send(new ListStateMachinesCommand({ maxResults: 1, nextToken }));
      assert.equal(r.stateMachines?.length, 1);
      const m = r.stateMachines![0]!;
      assert.equal(m.stateMachineArn, machineArn(m.name!));
      assert.equal(m.type, 'STANDARD');
      assert.ok(m.creationDate instanceof Date);
      names.push(m.name!);
      nextToken = r.nextToken;
      pages++;
    } while (nextToken && pages < 20);
    assert.deepEqual(names, ['approval', 'doomed', 'fragile', 'shape', 'sleepy']);

    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: machineArn('doomed') }));
    const gone = await errorOf(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('doomed') })),
    );
    assert.equal(gone.name, 'StateMachineDoesNotExist');
    assert.equal(gone.status, 400);
    const unknown = await errorOf(start('nope', {}));
    assert.equal(unknown.name, 'StateMachineDoesNotExist');
  });

  it('refuses invalid definitions, names, ARNs and inputs with their AWS exceptions', async () => {
    const broken = {
      StartAt: 'First',
      States: { First: { Type: 'Pass', Next: 'Broken' }, Broken: { Type: 'Pass', Next: 'Missing' } },
    };
    const bad = await errorOf(create('broken', broken));
    assert.equal(bad.name, 'InvalidDefinition');
    assert.match(bad.message, /Broken/, 'names the state');
    assert.match(bad.message, /Next/, 'names the field');
    assert.equal((await errorOf(create('bad name!', SLEEPY))).name, 'InvalidName');
    for (const arn of ['not-an-arn', `arn:aws:states:${REGION}:${ACCOUNT}:execution:shape:x`])
      assert.equal(
        (await errorOf(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn })))).name,
        'InvalidArn',
        arn,
      );
    assert.equal(
      (await errorOf(sfn.send(new DescribeExecutionCommand({ executionArn: machineArn('shape') })))).name,
      'InvalidArn',
    );
    const foreign = await errorOf(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('shape', '123456789012') })),
    );
    assert.equal(foreign.name, 'StateMachineDoesNotExist', "another account's ARN names nothing here");
    const input = await errorOf(
      sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn('sleepy'), input: '{not json' })),
    );
    assert.equal(input.name, 'InvalidExecutionInput');
    const missing = await errorOf(sfn.send(new DescribeExecutionCommand({} as { executionArn: string })));
    assert.equal(missing.name, 'ValidationException');
  });

  it('runs an execution to SUCCEEDED and records the history AWS documents', async () => {
    const arn = await start('shape', { order: 'A1' }, 'run-1');
    assert.equal(arn, `arn:aws:states:${REGION}:${ACCOUNT}:execution:shape:run-1`);
    const d = await ended(arn);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    assert.deepEqual(
      [d.executionArn, d.stateMachineArn, d.name, d.input, d.inputDetails, d.outputDetails],
      [arn, machineArn('shape'), 'run-1', '{"order":"A1"}', { included: true }, { included: true }],
    );
    assert.deepEqual(json(d.output), { value: 42 });
    assert.ok(d.startDate instanceof Date && d.stopDate instanceof Date);
    assert.ok(d.stopDate.getTime() >= d.startDate.getTime() + 1000, 'the Wait of 1 s lies between');
    assert.deepEqual([d.redriveCount, d.redriveStatus, d.error], [0, 'NOT_REDRIVABLE', undefined]);

    const events = await historyOf(arn);
    assert.deepEqual(
      events.map((e) => e.type),
      words(`ExecutionStarted PassStateEntered PassStateExited TaskStateEntered LambdaFunctionScheduled
        LambdaFunctionStarted LambdaFunctionSucceeded TaskStateExited ChoiceStateEntered ChoiceStateExited
        WaitStateEntered WaitStateExited SucceedStateEntered SucceedStateExited ExecutionSucceeded`),
    );
    events.forEach((e, i) => {
      assert.equal(e.id, i + 1);
      assert.equal(e.previousEventId, i, `event ${e.id} follows the one before`);
      assert.ok(e.timestamp instanceof Date);
      assert.ok(
        e.timestamp.getTime() >= d.startDate!.getTime() && e.timestamp.getTime() <= d.stopDate!.getTime(),
      );
    });
    const ev = (id: number) => events[id - 1]!;
    const none = { truncated: false };
    assert.deepEqual(ev(1).executionStartedEventDetails, {
      input: '{"order":"A1"}',
      inputDetails: none,
      roleArn: ROLE,
    });
    const entered = (id: number, name: string, input: unknown) => {
      assert.deepEqual(detailKeys(ev(id)), ['stateEnteredEventDetails'], ev(id).type);
      const s = ev(id).stateEnteredEventDetails!;
      assert.deepEqual([s.name, json(s.input), s.inputDetails], [name, input, none], ev(id).type);
    };
    const exited = (id: number, name: string, output: unknown) => {
      assert.deepEqual(detailKeys(ev(id)), ['stateExitedEventDetails'], ev(id).type);
      const s = ev(id).stateExitedEventDetails!;
      assert.deepEqual([s.name, json(s.output), s.outputDetails], [name, output, none], ev(id).type);
    };
    const afterPass = { order: 'A1', value: 21 };
    const afterTask = { ...afterPass, doubled: { value: 42 } };
    entered(2, 'Prepare', { order: 'A1' });
    exited(3, 'Prepare', afterPass);
    entered(4, 'Double', afterPass);
    const scheduled = ev(5).lambdaFunctionScheduledEventDetails!;
    assert.deepEqual(detailKeys(ev(5)), ['lambdaFunctionScheduledEventDetails']);
    assert.equal(scheduled.resource, fnArn('double'));
    assert.deepEqual(json(scheduled.input), afterPass);
    assert.deepEqual(scheduled.inputDetails, none);
    assert.deepEqual(detailKeys(ev(6)), [], 'LambdaFunctionStarted has no details');
    assert.deepEqual(detailKeys(ev(7)), ['lambdaFunctionSucceededEventDetails']);
    assert.deepEqual(json(ev(7).lambdaFunctionSucceededEventDetails!.output), { value: 42 });
    assert.deepEqual(ev(7).lambdaFunctionSucceededEventDetails!.outputDetails, none);
    exited(8, 'Double', afterTask);
    entered(9, 'IsBig', afterTask);
    exited(10, 'IsBig', afterTask);
    entered(11, 'Pause', afterTask);
    exited(12, 'Pause', afterTask);
    entered(13, 'Done', afterTask);
    exited(14, 'Done', { value: 42 });
    assert.deepEqual(detailKeys(ev(15)), ['executionSucceededEventDetails']);
    assert.deepEqual(json(ev(15).executionSucceededEventDetails!.output), { value: 42 });
    assert.deepEqual(ev(15).executionSucceededEventDetails!.outputDetails, none);

    const reversed = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true }),
    );
    assert.deepEqual(
      reversed.events?.map((e) => e.id),
      events.map((e) => e.id).reverse(),
    );
    const paged: number[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const r = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 4, nextToken }),
      );
      assert.ok((r.events?.length ?? 0) <= 4);
      paged.push(...(r.events ?? []).map((e) => e.id!));
      nextToken = r.nextToken;
      pages++;
    } while (nextToken && pages < 10);
    assert.deepEqual(
      paged,
      events.map((e) => e.id),
    );
    assert.equal(pages, 4);
    const lean = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 2, includeExecutionData: false }),
    );
    assert.deepEqual(lean.events?.[0]?.executionStartedEventDetails, { inputDetails: none, roleArn: ROLE });
    assert.deepEqual(lean.events?.[1]?.stateEnteredEventDetails, { name: 'Prepare', inputDetails: none });

    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn('shape') }));
    const item = listed.executions?.find((x) => x.executionArn === arn);
    assert.deepEqual(
      [item?.name, item?.status, item?.stateMachineArn, item?.stopDate?.getTime()],
      ['run-1', 'SUCCEEDED', machineArn('shape'), d.stopDate.getTime()],
    );
    const running = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn('shape'), statusFilter: 'RUNNING' }),
    );
    assert.equal(running.executions?.length, 0);
  });

  it('starts a name once for the same input, and stops a running execution', async () => {
    const arn = await start('sleepy', { a: 1 }, 'nap');
    assert.equal(await start('sleepy', { a: 1 }, 'nap'), arn, 'same name, same input: the same execution');
    const other = await errorOf(start('sleepy', { a: 2 }, 'nap'));
    assert.equal(other.name, 'ExecutionAlreadyExists');
    await start('sleepy', {}, 'nap-2');
    const running = {
      stateMachineArn: machineArn('sleepy'),
      statusFilter: 'RUNNING',
      maxResults: 1,
    } as const;
    const first = await sfn.send(new ListExecutionsCommand(running));
    assert.equal(first.executions?.length, 1);
    assert.ok(first.nextToken);
    const second = await sfn.send(new ListExecutionsCommand({ ...running, nextToken: first.nextToken }));
    assert.equal(
      (await errorOf(sfn.send(new ListExecutionsCommand({ ...running, nextToken: 'not-a-token' })))).name,
      'InvalidToken',
    );
    assert.deepEqual([...(first.executions ?? []), ...(second.executions ?? [])].map((e) => e.name).sort(), [
      'nap',
      'nap-2',
    ]);
    await eventOf(arn, 'WaitStateEntered');
    assert.equal((await describeExecution(arn)).status, 'RUNNING');

    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn: arn, error: 'Ops.Cancelled', cause: 'no longer needed' }),
    );
    assert.ok(stopped.stopDate instanceof Date);
    const d = await describeExecution(arn);
    const why = { error: 'Ops.Cancelled', cause: 'no longer needed' };
    assert.deepEqual([d.status, d.error, d.cause], ['ABORTED', why.error, why.cause]);
    assert.equal(d.stopDate?.getTime(), stopped.stopDate.getTime());
    const last = (await historyOf(arn)).at(-1)!;
    assert.deepEqual([last.type, last.executionAbortedEventDetails], ['ExecutionAborted', why]);
    await sfn.send(new StopExecutionCommand({ executionArn: `${arn.slice(0, -3)}nap-2` }));
    const missing = await errorOf(
      sfn.send(new StopExecutionCommand({ executionArn: `${arn.slice(0, -3)}never-started` })),
    );
    assert.equal(missing.name, 'ExecutionDoesNotExist');
  });

  it('fails with the error and cause, and redrives once the cause is fixed', async () => {
    const arn = await start('fragile', { attempt: 1 });
    const d = await ended(arn);
    assert.deepEqual([d.status, d.error, d.redriveStatus], ['FAILED', 'Error', 'REDRIVABLE']);
    assert.match(d.cause ?? '', /broken/);
    const events = await historyOf(arn);
    assert.deepEqual(
      events.map((e) => e.type),
      words(`ExecutionStarted TaskStateEntered LambdaFunctionScheduled LambdaFunctionStarted
        LambdaFunctionFailed ExecutionFailed`),
    );
    assert.equal(events[4]!.lambdaFunctionFailedEventDetails?.error, 'Error');
    assert.deepEqual(events[5]!.executionFailedEventDetails, { error: d.error, cause: d.cause });

    await deployFn('flaky', 'export const handler = async (e) => ({ fixed: true, attempt: e.attempt });');
    const r = await sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    assert.ok(r.redriveDate instanceof Date);
    const again = await ended(arn);
    assert.equal(again.status, 'SUCCEEDED', again.cause);
    assert.deepEqual(json(again.output), { fixed: true, attempt: 1 });
    assert.deepEqual([again.redriveCount, again.redriveDate?.getTime()], [1, r.redriveDate.getTime()]);
    const redriven = (await historyOf(arn)).find((e) => e.type === 'ExecutionRedriven');
    assert.deepEqual(redriven?.executionRedrivenEventDetails, { redriveCount: 1 });
    const listed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn('fragile'), redriveFilter: 'REDRIVEN' }),
    );
    assert.deepEqual(
      listed.executions?.map((e) => [e.executionArn, e.redriveCount]),
      [[arn, 1]],
    );
    const twice = await errorOf(sfn.send(new RedriveExecutionCommand({ executionArn: arn })));
    assert.equal(twice.name, 'ExecutionNotRedrivable');
  });

  it('waits for task tokens: heartbeat, success, failure; bad tokens and outputs', async () => {
    const tokenOf = async (arn: string) => {
      const submitted = await eventOf(arn, 'TaskSubmitted');
      const details = submitted.taskSubmittedEventDetails!;
      assert.deepEqual([details.resourceType, details.resource], ['lambda', 'invoke.waitForTaskToken']);
      const out = json(details.output) as { StatusCode: number; Payload: { token: string; order: string } };
      assert.equal(out.StatusCode, 200);
      return out.Payload;
    };
    const ok = await start('approval', { order: 'A7' });
    const { token, order } = await tokenOf(ok);
    assert.equal(order, 'A7');
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    const badOutput = await errorOf(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: 'nope{' })),
    );
    assert.equal(badOutput.name, 'InvalidOutput');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    const done = await ended(ok);
    assert.deepEqual([done.status, json(done.output)], ['SUCCEEDED', { approved: true }]);
    const succeeded = (await historyOf(ok)).find((e) => e.type === 'TaskSucceeded');
    assert.equal(succeeded?.taskSucceededEventDetails?.resource, 'invoke.waitForTaskToken');
    assert.deepEqual(json(succeeded?.taskSucceededEventDetails?.output), { approved: true });
    const used = await errorOf(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
    assert.equal(used.name, 'TaskDoesNotExist', 'the task is no longer waiting');

    const no = await start('approval', { order: 'B2' });
    const rejected = await tokenOf(no);
    await sfn.send(
      new SendTaskFailureCommand({ taskToken: rejected.token, error: 'Rejected', cause: 'too expensive' }),
    );
    const failed = await ended(no);
    assert.deepEqual([failed.status, failed.error, failed.cause], ['FAILED', 'Rejected', 'too expensive']);
    const taskFailed = (await historyOf(no)).find((e) => e.type === 'TaskFailed');
    assert.deepEqual(taskFailed?.taskFailedEventDetails, {
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'Rejected',
      cause: 'too expensive',
    });

    for (const bad of ['garbage!', Buffer.from('["a","b"]').toString('base64url')]) {
      const e = await errorOf(sfn.send(new SendTaskSuccessCommand({ taskToken: bad, output: '{}' })));
      assert.equal(e.name, 'InvalidToken', bad);
    }
    assert.equal(
      (await errorOf(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'garbage!' })))).name,
      'InvalidToken',
    );
  });

  it('answers StartSyncExecution for EXPRESS machines (also through the sync- host prefix)', async () => {
    const arn = await create('greet', GREET, { type: 'EXPRESS' });
    const r = await sfn.send(
      new StartSyncExecutionCommand({ stateMachineArn: arn, name: 'hello-ada', input: '{"name":"Ada"}' }),
    );
    assert.deepEqual(
      [r.status, r.input, r.name, r.stateMachineArn],
      ['SUCCEEDED', '{"name":"Ada"}', 'hello-ada', arn],
    );
    assert.deepEqual(json(r.output), { greeting: 'Hello, Ada!' });
    assert.match(r.executionArn ?? '', /:greet:hello-ada$/);
    assert.ok(r.startDate instanceof Date && r.stopDate instanceof Date);
    const failed = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{}' }));
    assert.deepEqual(
      [failed.status, failed.error, failed.cause, failed.output],
      ['FAILED', 'NoName', 'name is missing', undefined],
    );
    const standard = await errorOf(
      sfn.send(new StartSyncExecutionCommand({ stateMachineArn: machineArn('shape') })),
    );
    assert.equal(standard.name, 'StateMachineTypeNotSupported');

    // Without disableHostPrefix the SDK sends it to sync-<host>: resolve any name to this machine.
    const agent = new Agent({ lookup: (_host, opts, cb) => lookup('127.0.0.1', opts, cb) });
    const prefixed = new SFNClient({
      endpoint: `http://localhost:${new URL(p.apiUrl).port}`,
      region: REGION,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
      maxAttempts: 1,
      requestHandler: { httpAgent: agent },
    });
    try {
      const viaPrefix = await prefixed.send(
        new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{"name":"Bob"}' }),
      );
      assert.deepEqual(json(viaPrefix.output), { greeting: 'Hello, Bob!' });
    } finally {
      prefixed.destroy();
      agent.destroy();
    }
  });

  it("keeps a deleted machine's executions describable", async () => {
    await create('brief', { StartAt: 'P', States: { P: { Type: 'Pass', Result: 'ok', End: true } } });
    const arn = await start('brief', {});
    assert.equal((await ended(arn)).status, 'SUCCEEDED');
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: machineArn('brief') }));
    const d = await describeExecution(arn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(json(d.output), 'ok');
    assert.equal((await historyOf(arn)).at(-1)?.type, 'ExecutionSucceeded');
    assert.equal((await errorOf(start('brief', {}))).name, 'StateMachineDoesNotExist');
  });

  it('keeps tenants apart and enforces IAM actions', async () => {
    const t = await p.json('POST', '/v1/tenants', { id: 'sfn-other' });
    assert.equal(t.status, 201);
    const other = await newKey(['AdministratorAccess'], 'sfn-other');
    const waiting = await start('approval', { order: 'C3' });
    const submitted = await eventOf(waiting, 'TaskSubmitted');
    const { token } = (json(submitted.taskSubmittedEventDetails?.output) as { Payload: { token: string } })
      .Payload;
    try {
      assert.deepEqual((await other.send(new ListStateMachinesCommand({}))).stateMachines, []);
      const foreign = await errorOf(
        other.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('shape') })),
      );
      assert.equal(foreign.name, 'StateMachineDoesNotExist');
      assert.equal(
        (await errorOf(other.send(new DescribeExecutionCommand({ executionArn: waiting })))).name,
        'ExecutionDoesNotExist',
      );
      assert.equal(
        (await errorOf(other.send(new StartExecutionCommand({ stateMachineArn: machineArn('shape') })))).name,
        'StateMachineDoesNotExist',
      );
      const stolen = await errorOf(
        other.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      );
      assert.ok(['TaskDoesNotExist', 'InvalidToken'].includes(stolen.name), stolen.name);
      const mine = { name: 'shape', definition: JSON.stringify(SLEEPY), roleArn: undefined };
      const own = (await other.send(new CreateStateMachineCommand(mine))).stateMachineArn!;
      assert.notEqual(own, machineArn('shape'), 'the same name in another account');
      assert.match(own, /^arn:aws:states:local-1:\d{12}:stateMachine:shape$/);
      assert.equal((await describeExecution(waiting)).status, 'RUNNING', 'untouched by the other tenant');
    } finally {
      other.destroy();
    }

    const reader = await newKey(['ReadOnly']);
    try {
      await reader.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('shape') }));
      await reader.send(new GetExecutionHistoryCommand({ executionArn: waiting }));
      const denied = await errorOf(
        reader.send(new StartExecutionCommand({ stateMachineArn: machineArn('shape') })),
      );
      assert.equal(denied.name, 'AccessDeniedException');
      assert.equal(denied.status, 403);
      assert.equal(
        (await errorOf(reader.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).status,
        403,
      );
    } finally {
      reader.destroy();
    }
    await sfn.send(new StopExecutionCommand({ executionArn: waiting }));
  });
});
