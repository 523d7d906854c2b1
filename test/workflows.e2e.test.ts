/**
 * Workflows end to end: real functions in sandboxed instances, the durable executor on the real
 * store and queue. The service is called directly (the Step Functions API has its own e2e test).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const T = 'default';

describe('workflows: the executor runs ASL state machines on real functions', { timeout: 180_000 }, () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
    const dir = await fixture({
      'index.mjs': `
        export const handler = async (event) => {
          if (event.op === 'double') return { n: event.n * 2 };
          if (event.op === 'fail') { const e = new Error('it broke: ' + event.n); e.name = 'CustomError'; throw e; }
          if (event.op === 'echo') return event;
          return { seen: event };
        };`,
    });
    const r = await p.deployDir('worker', dir, { runtime: 'nodejs22.x', handler: 'index.handler' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  after(() => p?.stop());

  /** Publishes one CloudEvent (structured mode). */
  const emit = (topic: string, e: { id: string; type: string; data: unknown }) =>
    p.api(
      'POST',
      `/v1/topics/${topic}/events`,
      JSON.stringify({ specversion: '1.0', source: 'test', ...e }),
      {
        'content-type': 'application/cloudevents+json',
      },
    );

  async function run(definition: object, input: unknown, type: 'STANDARD' | 'EXPRESS' = 'EXPRESS') {
    const name = `m${Math.random().toString(36).slice(2, 8)}`;
    await p.workflows.putMachine(T, { name, definition, type });
    const e = await p.workflows.startExecution(T, { machine: name, input: JSON.stringify(input) });
    const done = await p.workflows.waitForEnd(T, e.arn, 60_000);
    const history = (await p.workflows.history(T, e.arn, {})).items;
    return { e: done, history, output: done.output === null ? undefined : JSON.parse(done.output) };
  }

  it('chains Tasks and Pass/Choice states, with the history AWS shows', async () => {
    const { e, output, history } = await run(
      {
        StartAt: 'Double',
        States: {
          Double: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:worker',
            Parameters: { op: 'double', 'n.$': '$.n' },
            ResultPath: '$.doubled',
            Next: 'Big?',
          },
          'Big?': {
            Type: 'Choice',
            Choices: [{ Variable: '$.doubled.n', NumericGreaterThan: 10, Next: 'Big' }],
            Default: 'Small',
          },
          Big: { Type: 'Pass', Result: 'big', ResultPath: '$.size', End: true },
          Small: { Type: 'Pass', Result: 'small', ResultPath: '$.size', End: true },
        },
      },
      { n: 7 },
    );
    assert.equal(e.status, 'SUCCEEDED', `${e.error}: ${e.cause}`);
    assert.deepEqual(output, { n: 7, doubled: { n: 14 }, size: 'big' });
    assert.deepEqual(
      history.map((h) => h.type),
      [
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'ChoiceStateEntered',
        'ChoiceStateExited',
        'PassStateEntered',
        'PassStateExited',
        'ExecutionSucceeded',
      ],
    );
    history.forEach((h, i) => {
      assert.equal(h.id, i + 1);
      assert.equal(h.previousEventId, i);
    });
  });

  it('fans out with Parallel and Map (bounded by MaxConcurrency), and the lambda:invoke integration', async () => {
    const { e, output } = await run(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Parallel',
            Branches: [
              {
                StartAt: 'Each',
                States: {
                  Each: {
                    Type: 'Map',
                    ItemsPath: '$.items',
                    MaxConcurrency: 2,
                    ItemSelector: { op: 'double', 'n.$': '$$.Map.Item.Value' },
                    ItemProcessor: {
                      StartAt: 'D',
                      States: { D: { Type: 'Task', Resource: 'worker', End: true } },
                    },
                    End: true,
                  },
                },
              },
              {
                StartAt: 'Invoke',
                States: {
                  Invoke: {
                    Type: 'Task',
                    Resource: 'arn:aws:states:::lambda:invoke',
                    Parameters: { FunctionName: 'worker', Payload: { op: 'echo', 'v.$': '$.tag' } },
                    ResultSelector: { 'p.$': '$.Payload', 'code.$': '$.StatusCode' },
                    End: true,
                  },
                },
              },
            ],
            End: true,
          },
        },
      },
      { items: [1, 2, 3, 4, 5], tag: 'x' },
    );
    assert.equal(e.status, 'SUCCEEDED', `${e.error}: ${e.cause}`);
    assert.deepEqual(output, [
      [{ n: 2 }, { n: 4 }, { n: 6 }, { n: 8 }, { n: 10 }],
      { p: { op: 'echo', v: 'x' }, code: 200 },
    ]);
  });

  it('retries, then catches a function error; an uncaught one fails the execution with error and cause', async () => {
    const caught = await run(
      {
        StartAt: 'Boom',
        States: {
          Boom: {
            Type: 'Task',
            Resource: 'worker',
            Parameters: { op: 'fail', n: 1 },
            Retry: [{ ErrorEquals: ['CustomError'], IntervalSeconds: 1, MaxAttempts: 1, BackoffRate: 1 }],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
        },
      },
      { keep: true },
    );
    assert.equal(caught.e.status, 'SUCCEEDED');
    assert.equal(caught.output.keep, true);
    assert.equal(caught.output.err.Error, 'CustomError');
    assert.match(JSON.parse(caught.output.err.Cause).errorMessage, /it broke: 1/);
    // The stack trace shows Lambda's runtime directory, never where the platform is installed.
    assert.ok(!caught.output.err.Cause.includes(process.cwd()), caught.output.err.Cause);
    assert.match(caught.output.err.Cause, /var\/runtime\/harness\.mjs/);
    assert.equal(caught.history.filter((h) => h.type === 'LambdaFunctionFailed').length, 2, 'one retry');
    assert.ok(
      caught.history.some((h) => h.type === 'PassStateEntered'),
      'the Catch went on to Handled',
    );

    const failed = await run(
      {
        StartAt: 'Boom',
        States: { Boom: { Type: 'Task', Resource: 'worker', Parameters: { op: 'fail', n: 2 }, End: true } },
      },
      {},
    );
    assert.equal(failed.e.status, 'FAILED');
    assert.equal(failed.e.error, 'CustomError');
    assert.equal(failed.history.at(-1)?.type, 'ExecutionFailed');
  });

  it('runs JSONata states with variables', async () => {
    const { e, output } = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Arguments: { FunctionName: 'worker', Payload: { op: 'double', n: '{% $states.input.n %}' } },
            Assign: { doubled: '{% $states.result.Payload.n %}' },
            Output: '{% $states.input %}',
            Next: 'Done',
          },
          Done: { Type: 'Pass', Output: { total: '{% $doubled + $states.input.n %}' }, End: true },
        },
      },
      { n: 5 },
    );
    assert.equal(e.status, 'SUCCEEDED', `${e.error}: ${e.cause}`);
    assert.deepEqual(output, { total: 15 });
  });

  it('waits for a matching event on a topic (nimbus:waitForEvent), and times out without one', async () => {
    await p.json('PUT', '/v1/topics/users', {});
    // The pattern names the user of the input (a JSONata expression in Arguments).
    const wf = {
      StartAt: 'Wait',
      States: {
        Wait: {
          Type: 'Task',
          QueryLanguage: 'JSONata',
          Resource: 'arn:aws:states:::nimbus:waitForEvent',
          Arguments: {
            Topic: 'users',
            Pattern: { type: ['user.verified'], data: { userId: ['{% $states.input.userId %}'] } },
          },
          TimeoutSeconds: 30,
          Output: { who: '{% $states.result.data.userId %}' },
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Reminder' }],
          Next: 'Welcome',
        },
        Welcome: { Type: 'Pass', Result: 'welcome', ResultPath: '$.mail', End: true },
        Reminder: { Type: 'Pass', Result: 'reminder', End: true },
      },
    };
    await p.workflows.putMachine(T, { name: 'verify', definition: wf });
    const e = await p.workflows.startExecution(T, {
      machine: 'verify',
      input: JSON.stringify({ userId: 'u1' }),
    });
    const waiting = async () =>
      (await p.workflows.history(T, e.arn, {})).items.some((h) => h.type === 'TaskStarted');
    await waitUntil('the wait to start', waiting);
    const publish = (userId: string, type = 'user.verified') =>
      emit('users', { id: `e-${userId}-${Math.random()}`, type, data: { userId } });
    assert.equal((await publish('someone-else')).status, 202);
    assert.equal((await publish('u1', 'user.created')).status, 202);
    assert.equal(
      (await p.workflows.describeExecution(T, e.arn)).status,
      'RUNNING',
      'non-matching events do not complete it',
    );
    assert.equal((await publish('u1')).status, 202);
    const done = await p.workflows.waitForEnd(T, e.arn, 30_000);
    assert.equal(done.status, 'SUCCEEDED', `${done.error}: ${done.cause}`);
    assert.deepEqual(JSON.parse(done.output!), { who: 'u1', mail: 'welcome' });
    const subs = await p.json<{ subscriptions: unknown[] }>('GET', '/v1/topics/users/subscriptions');
    assert.equal(subs.body.subscriptions.length, 0, 'the wait’s subscription is gone with it');
  });

  it('a stateMachine subscription target starts an execution per matching event', async () => {
    await p.workflows.putMachine(T, {
      name: 'on-order',
      definition: {
        StartAt: 'P',
        States: { P: { Type: 'Pass', Parameters: { 'id.$': '$.data.id' }, End: true } },
      },
    });
    await p.json('PUT', '/v1/topics/orders', {});
    const sub = await p.json('POST', '/v1/topics/orders/subscriptions', {
      target: { stateMachine: 'on-order' },
    });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    assert.equal((await emit('orders', { id: 'o-1', type: 'order', data: { id: 42 } })).status, 202);
    const ex = await waitUntil('an execution', async () => {
      const l = await p.workflows.listExecutions(T, { machine: 'on-order' });
      return l.items[0]?.status === 'SUCCEEDED' ? l.items[0] : undefined;
    });
    assert.deepEqual(JSON.parse(ex.output!), { id: 42 });
    const bad = await p.json('POST', '/v1/topics/orders/subscriptions', {
      target: { stateMachine: 'missing' },
    });
    assert.equal(bad.status, 400);
  });

  it('stops a waiting execution (ABORTED) and redrives a failed one from the failed state', async () => {
    await p.workflows.putMachine(T, {
      name: 'long',
      definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } },
    });
    const e = await p.workflows.startExecution(T, { machine: 'long' });
    await waitUntil('the wait', async () =>
      (await p.workflows.history(T, e.arn, {})).items.some((h) => h.type === 'WaitStateEntered'),
    );
    const stopped = await p.workflows.stopExecution(T, e.arn, { error: 'Why', cause: 'because' });
    assert.equal(stopped.status, 'ABORTED');
    assert.equal(stopped.error, 'Why');

    // Fails on its first run (the Choice finds no flag), succeeds when redriven after a fix… of
    // the world: here the function answers differently the second time (a counter file in /tmp).
    const dir = await fixture({
      'index.mjs': `
        import { existsSync, writeFileSync } from 'node:fs';
        export const handler = async () => {
          if (existsSync('/tmp/ran')) return { ok: true };
          writeFileSync('/tmp/ran', '1');
          throw new Error('first time');
        };`,
    });
    assert.equal(
      (await p.deployDir('flaky', dir, { runtime: 'nodejs22.x', handler: 'index.handler' })).status,
      201,
    );
    await p.workflows.putMachine(T, {
      name: 'redrive-me',
      definition: {
        StartAt: 'First',
        States: {
          First: { Type: 'Pass', Result: 1, ResultPath: '$.first', Next: 'Flaky' },
          Flaky: { Type: 'Task', Resource: 'flaky', ResultPath: '$.flaky', End: true },
        },
      },
    });
    const r = await p.workflows.startExecution(T, { machine: 'redrive-me', input: '{"x":1}' });
    const failed = await p.workflows.waitForEnd(T, r.arn, 30_000);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.redriveStatus, 'REDRIVABLE');
    await p.workflows.redriveExecution(T, r.arn);
    const ok = await p.workflows.waitForEnd(T, r.arn, 30_000);
    assert.equal(ok.status, 'SUCCEEDED', `${ok.error}: ${ok.cause}`);
    assert.equal(ok.redriveCount, 1);
    assert.deepEqual(JSON.parse(ok.output!), { x: 1, first: 1, flaky: { ok: true } });
    const types = (await p.workflows.history(T, r.arn, {})).items.map((h) => h.type);
    assert.equal(
      types.filter((t) => t === 'PassStateEntered').length,
      1,
      'the redrive restarts at the failed state',
    );
    assert.ok(types.includes('ExecutionRedriven'));
  });

  it('service integrations: sqs:sendMessage, sns:publish and events:putEvents reach Nimbus’s own services', async () => {
    const creds = { accessKeyId: p.admin.keyId, secretAccessKey: p.secret };
    const sqs = new SQSClient({ endpoint: p.apiUrl, region: 'local-1', credentials: creds });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'wf-out' }));
    // Each published event starts an execution of `echo` (a stateMachine subscription).
    await p.workflows.putMachine(T, {
      name: 'echo',
      definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
    });
    for (const topic of ['news', 'default']) {
      await p.json('PUT', `/v1/topics/${topic}`, {});
      await p.json('POST', `/v1/topics/${topic}/subscriptions`, { target: { stateMachine: 'echo' } });
    }
    const { e, output } = await run(
      {
        StartAt: 'Send',
        States: {
          Send: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage',
            Parameters: { QueueUrl, 'MessageBody.$': '$.order' },
            ResultSelector: { 'id.$': '$.MessageId' },
            ResultPath: '$.sqs',
            Next: 'Publish',
          },
          Publish: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sns:publish',
            Parameters: { TopicArn: 'arn:aws:sns:local-1:000000000000:news', Message: { hello: 'sns' } },
            ResultPath: '$.sns',
            Next: 'Put',
          },
          Put: {
            Type: 'Task',
            Resource: 'arn:aws:states:::events:putEvents',
            Parameters: { Entries: [{ Source: 'shop', DetailType: 'order.placed', 'Detail.$': '$.order' }] },
            ResultPath: '$.events',
            End: true,
          },
        },
      },
      { order: { id: 7 } },
    );
    assert.equal(e.status, 'SUCCEEDED', `${e.error}: ${e.cause}`);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.equal(got.Messages?.[0]?.Body, '{"id":7}');
    assert.equal(got.Messages?.[0]?.MessageId, output.sqs.id);
    assert.equal(output.events.FailedEntryCount, 0);
    const echoed = await waitUntil('two executions of echo', async () => {
      const l = await p.workflows.listExecutions(T, { machine: 'echo', status: 'SUCCEEDED' });
      return l.items.length >= 2 ? l.items : undefined;
    });
    const inputs = echoed.map((x) => JSON.parse(x.input) as { type?: string; data?: unknown });
    assert.ok(
      inputs.some((i) => i.type === 'order.placed'),
      JSON.stringify(inputs),
    );
    assert.ok(
      inputs.some((i) => JSON.stringify(i).includes('sns')),
      JSON.stringify(inputs),
    );
    sqs.destroy();
  });

  it('a distributed Map reads its items from a bucket listing and from a CSV object (ItemReader)', async () => {
    const s3 = new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'wf-items' }));
    for (const k of ['in/a.txt', 'in/b.txt', 'in/c.txt', 'other/x.txt'])
      await s3.send(new PutObjectCommand({ Bucket: 'wf-items', Key: k, Body: k }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'wf-items', Key: 'rows.csv', Body: 'id,qty\n1,5\n2,7\n3,9\n' }),
    );
    const listing = await run(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemReader: {
              Resource: 'arn:aws:states:::s3:listObjectsV2',
              Parameters: { Bucket: 'wf-items', Prefix: 'in/' },
            },
            ItemProcessor: {
              ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
              StartAt: 'Echo',
              States: {
                Echo: {
                  Type: 'Task',
                  Resource: 'worker',
                  Parameters: { op: 'echo', 'key.$': '$.Key', 'size.$': '$.Size' },
                  End: true,
                },
              },
            },
            End: true,
          },
        },
      },
      {},
    );
    assert.equal(listing.e.status, 'SUCCEEDED', `${listing.e.error}: ${listing.e.cause}`);
    assert.deepEqual(
      listing.output.map((o: { key: string; size: number }) => [o.key, o.size]),
      [
        ['in/a.txt', 8],
        ['in/b.txt', 8],
        ['in/c.txt', 8],
      ],
    );
    const csv = await run(
      {
        StartAt: 'Rows',
        States: {
          Rows: {
            Type: 'Map',
            ItemReader: {
              Resource: 'arn:aws:states:::s3:getObject',
              ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', MaxItems: 2 },
              Parameters: { Bucket: 'wf-items', Key: 'rows.csv' },
            },
            ItemProcessor: {
              ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
              StartAt: 'R',
              States: { R: { Type: 'Pass', End: true } },
            },
            End: true,
          },
        },
      },
      {},
    );
    assert.equal(csv.e.status, 'SUCCEEDED', `${csv.e.error}: ${csv.e.cause}`);
    assert.deepEqual(csv.output, [
      { id: '1', qty: '5' },
      { id: '2', qty: '7' },
    ]);
    const missing = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemReader: {
              Resource: 'arn:aws:states:::s3:getObject',
              Parameters: { Bucket: 'wf-items', Key: 'nope.json' },
            },
            ItemProcessor: {
              ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
              StartAt: 'R',
              States: { R: { Type: 'Pass', End: true } },
            },
            End: true,
          },
        },
      },
      {},
    );
    assert.equal(missing.e.status, 'FAILED');
    assert.equal(missing.e.error, 'S3.NotFoundException');
    s3.destroy();
  });

  it('a function completes a waitForTaskToken Task through its context client (its role permitting)', async () => {
    const role = await p.json('PUT', '/v1/roles/approver', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: '*' },
          ],
        },
      ],
    });
    assert.ok(role.status < 300, JSON.stringify(role.body));
    const dir = await fixture({
      'index.mjs': `
        export const handler = async (e, ctx) => {
          if (e.fail) await ctx.nimbus.workflows.sendTaskFailure(e.token, 'Rejected', 'no budget');
          else await ctx.nimbus.workflows.sendTaskSuccess(e.token, { approved: e.order });
          return 'sent';
        };`,
    });
    assert.equal(
      (
        await p.deployDir('approver', dir, {
          runtime: 'nodejs22.x',
          handler: 'index.handler',
          role: 'approver',
        })
      ).status,
      201,
    );
    assert.equal(
      (await p.deployDir('no-role', dir, { runtime: 'nodejs22.x', handler: 'index.handler' })).status,
      201,
    );
    const def = (fn: string) => ({
      StartAt: 'Ask',
      States: {
        Ask: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: fn,
            Payload: { 'token.$': '$$.Task.Token', 'order.$': '$.order', 'fail.$': '$.fail' },
          },
          TimeoutSeconds: 20,
          End: true,
        },
      },
    });
    const ok = await run(def('approver'), { order: 42, fail: false });
    assert.equal(ok.e.status, 'SUCCEEDED', `${ok.e.error}: ${ok.e.cause}`);
    assert.deepEqual(ok.output, { approved: 42 });
    const rejected = await run(def('approver'), { order: 1, fail: true });
    assert.deepEqual(
      [rejected.e.status, rejected.e.error, rejected.e.cause],
      ['FAILED', 'Rejected', 'no budget'],
    );
    // Without a role allowing it the call is refused: the function fails, and so does the Task.
    const denied = await run(def('no-role'), { order: 1, fail: false });
    assert.equal(denied.e.status, 'FAILED');
    assert.match(`${denied.e.error} ${denied.e.cause}`, /Forbidden|not allow|states:SendTaskSuccess/i);
  });

  it('deleting a state machine ends its running executions with a coded error; starting one then is refused', async () => {
    await p.workflows.putMachine(T, {
      name: 'doomed',
      definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } },
    });
    const e = await p.workflows.startExecution(T, { machine: 'doomed' });
    await waitUntil('the wait', async () =>
      (await p.workflows.history(T, e.arn, {})).items.some((h) => h.type === 'WaitStateEntered'),
    );
    await p.workflows.deleteMachine(T, 'doomed');
    const ended = await p.workflows.waitForEnd(T, e.arn, 10_000);
    assert.deepEqual([ended.status, ended.error], ['ABORTED', 'Nimbus.StateMachineDeleted']);
    await assert.rejects(
      p.workflows.startExecution(T, { machine: 'doomed' }),
      (err: { code?: string }) => err.code === 'NIMBUS_ERR_WORKFLOW_MACHINE_NOT_FOUND',
    );
  });

  it('StartSyncExecution answers the output; one that outlives its wait ends TIMED_OUT', async () => {
    await p.workflows.putMachine(T, {
      name: 'express',
      type: 'EXPRESS',
      definition: {
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$.slow', IsPresent: true, Next: 'W' }], Default: 'P' },
          W: { Type: 'Wait', Seconds: 60, Next: 'P' },
          P: { Type: 'Pass', Result: 'done', End: true },
        },
      },
    });
    const fast = await p.workflows.startSyncExecution(T, { machine: 'express', input: '{}' });
    assert.deepEqual([fast.status, fast.output], ['SUCCEEDED', '"done"']);
    const slow = await p.workflows.startSyncExecution(
      T,
      { machine: 'express', input: '{"slow":1}' },
      { timeoutMs: 300 },
    );
    assert.deepEqual([slow.status, slow.error], ['TIMED_OUT', 'States.Timeout']);
    assert.equal(
      (await p.workflows.describeExecution(T, slow.arn)).status,
      'TIMED_OUT',
      'it does not run on',
    );
  });

  it('a Task of a function that does not exist fails with Lambda.ResourceNotFoundException', async () => {
    const { e } = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'nope', End: true } } },
      {},
    );
    assert.equal(e.status, 'FAILED');
    assert.equal(e.error, 'Lambda.ResourceNotFoundException');
  });
});
