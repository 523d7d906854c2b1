/**
 * Workflow time on a fake clock: a Wait of a day, a Timestamp wait, retry backoff and Task and
 * heartbeat timeouts are observed without waiting for them. Waits hold no instance: the only
 * thing that exists while an execution waits is its row and a delayed queue message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../src/core/clock.ts';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const T = 'default';

describe('workflows on a fake clock', { timeout: 120_000 }, () => {
  const clock = new FakeClock();
  let p: TestPlatform;
  const advance = (ms: number) => {
    clock.advance(ms);
    p.async.kick();
  };
  /** The execution's history event types so far. */
  const types = async (arn: string) => (await p.workflows.history(T, arn, {})).items.map((h) => h.type);
  const settle = async (arn: string, type: string) =>
    waitUntil(`${type} in the history`, async () => (await types(arn)).includes(type), 15_000);

  before(async () => {
    p = await startTestPlatform({}, { clock });
    const dir = await fixture({
      'index.mjs': `let n = 0;
        export const handler = async (e) => {
          n++;
          if (e.failTimes && n <= e.failTimes) throw new Error('fail ' + n);
          if (e.hang) await new Promise((r) => setTimeout(r, 60000));
          return { n };
        };`,
    });
    const r = await p.deployDir('w', dir, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      timeoutSec: 120,
    });
    assert.ok(r.status < 300, JSON.stringify(r.body));
  });
  after(() => p?.stop());

  it('a Wait of a day ends when the clock says so, not before', async () => {
    await p.workflows.putMachine(T, {
      name: 'day',
      definition: {
        StartAt: 'Sleep',
        States: {
          Sleep: { Type: 'Wait', Seconds: 86_400, Next: 'Until' },
          Until: { Type: 'Wait', TimestampPath: '$.at', Next: 'Done' },
          Done: { Type: 'Pass', End: true },
        },
      },
    });
    const at = new Date(clock.now() + 86_400_000 + 3_600_000).toISOString();
    const e = await p.workflows.startExecution(T, { machine: 'day', input: JSON.stringify({ at }) });
    await settle(e.arn, 'WaitStateEntered');
    advance(86_399_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await types(e.arn)).includes('WaitStateExited'), false, 'one second early: still waiting');
    advance(1_000);
    await waitUntil(
      'the second wait',
      async () => (await types(e.arn)).filter((t) => t === 'WaitStateEntered').length === 2,
    );
    advance(3_600_000);
    const done = await p.workflows.waitForEnd(T, e.arn, 15_000);
    assert.equal(done.status, 'SUCCEEDED');
  });

  it('Retry backs off by IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds', async () => {
    await p.workflows.putMachine(T, {
      name: 'backoff',
      definition: {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'w',
            Parameters: { failTimes: 3 },
            Retry: [
              {
                ErrorEquals: ['States.ALL'],
                IntervalSeconds: 10,
                BackoffRate: 3,
                MaxAttempts: 3,
                MaxDelaySeconds: 60,
              },
            ],
            End: true,
          },
        },
      },
    });
    const e = await p.workflows.startExecution(T, { machine: 'backoff' });
    const failures = async () => (await types(e.arn)).filter((t) => t === 'LambdaFunctionFailed').length;
    await waitUntil('the first failure', async () => (await failures()) === 1);
    // Delays: 10 s, 30 s, then 90 s capped at 60 s.
    for (const [delay, n] of [
      [10_000, 2],
      [30_000, 3],
      [60_000, 4],
    ] as const) {
      advance(delay - 1000);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await failures(), n - 1, `not retried before ${delay} ms`);
      advance(1000);
      if (n < 4) await waitUntil(`failure ${n}`, async () => (await failures()) === n);
    }
    const done = await p.workflows.waitForEnd(T, e.arn, 15_000);
    assert.equal(done.status, 'SUCCEEDED', `${done.error} ${done.cause}`);
  });

  it('TimeoutSeconds fails a Task with States.Timeout; HeartbeatSeconds with States.HeartbeatTimeout', async () => {
    await p.workflows.putMachine(T, {
      name: 'slow',
      definition: {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: 'w', Parameters: { hang: true }, TimeoutSeconds: 30, End: true },
        },
      },
    });
    const e = await p.workflows.startExecution(T, { machine: 'slow' });
    await settle(e.arn, 'LambdaFunctionScheduled');
    advance(30_000);
    const done = await p.workflows.waitForEnd(T, e.arn, 15_000);
    assert.equal(done.status, 'FAILED');
    assert.equal(done.error, 'States.Timeout');
    assert.ok((await types(e.arn)).includes('LambdaFunctionTimedOut'));

    await p.workflows.putMachine(T, {
      name: 'callback',
      definition: {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: 'w', Payload: { 'token.$': '$$.Task.Token' } },
            HeartbeatSeconds: 20,
            End: true,
          },
        },
      },
    });
    const c = await p.workflows.startExecution(T, { machine: 'callback' });
    await settle(c.arn, 'TaskSubmitted');
    const submitted = (await p.workflows.history(T, c.arn, {})).items.find(
      (h) => h.type === 'TaskSubmitted',
    )!;
    const payload = JSON.parse(
      (submitted.details.taskSubmittedEventDetails as { output: string }).output,
    ) as { Payload: { n: unknown }; StatusCode: number };
    assert.equal(typeof payload.Payload.n, 'number', 'the invoke’s answer is the submission');
    assert.equal(payload.StatusCode, 200);
    const scheduled = (await p.workflows.history(T, c.arn, {})).items.find(
      (h) => h.type === 'TaskScheduled',
    )!;
    const token = (
      JSON.parse((scheduled.details.taskScheduledEventDetails as { parameters: string }).parameters) as {
        Payload: { token: string };
      }
    ).Payload.token;
    advance(15_000);
    await p.workflows.sendTaskHeartbeat(T, token);
    advance(15_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(
      (await p.workflows.describeExecution(T, c.arn)).status,
      'RUNNING',
      'the heartbeat kept it alive',
    );
    advance(6_000);
    const hb = await p.workflows.waitForEnd(T, c.arn, 15_000);
    assert.equal(hb.status, 'FAILED');
    assert.equal(hb.error, 'States.HeartbeatTimeout');
  });
});
