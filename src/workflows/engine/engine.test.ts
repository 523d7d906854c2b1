/**
 * The transition function alone: every state type, the I/O pipeline, Retry/Catch, Parallel and
 * Map (with MaxConcurrency and failure tolerance), timeouts and the history it writes, driven
 * by a small simulator that answers invoke commands and fires timers in time order. The real
 * state I/O (JSONPath and JSONata) is used; nothing here starts a process.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json, StateMachineDefinition } from '../asl/types.ts';
import { createStateIO } from '../index.ts';
import { apply, type ExecutionEnd, type ExecutionMeta, MAX_STATES_PER_TRANSITION } from './engine.ts';
import { type Command, type HistoryEvent, newRuntime, type Runtime, type WorkflowEvent } from './runtime.ts';

type Answer = Json | { error: string; cause?: string } | 'hang';
type Fns = Record<string, (payload: Json, attempt: number) => Answer>;

const io = createStateIO();
const deps = { io, random: () => 0.5, nonce: () => 'n0nce' };

async function drive(def: unknown, input: Json, fns: Fns = {}) {
  const meta: ExecutionMeta = {
    arn: 'arn:aws:states:r:1:execution:m:e',
    name: 'e',
    machineArn: 'arn:aws:states:r:1:stateMachine:m',
    machineName: 'm',
    roleArn: 'arn:aws:iam::1:role/r',
    input,
    startedAt: 0,
    redriveCount: 0,
    region: 'r',
  };
  let rt: Runtime = { ...newRuntime(), events: 1 };
  let now = 0;
  const history: HistoryEvent[] = [];
  const invokes: (Command & { kind: 'invoke' })[] = [];
  const timers: (Command & { kind: 'timer' })[] = [];
  const calls: Record<string, number> = {};
  const invoked: { fn: string; at: number; payload: Json }[] = [];
  let end: ExecutionEnd | undefined;
  let transitions = 0;
  const step = async (e: WorkflowEvent) => {
    const tr = await apply(def as StateMachineDefinition, meta, rt, e, now, deps);
    if (!tr) return;
    transitions++;
    rt = tr.rt;
    history.push(...tr.history);
    end = tr.end;
    for (const c of tr.commands) (c.kind === 'invoke' ? invokes : timers).push(c as never);
  };
  await step({ type: 'start' });
  for (let guard = 0; !end && guard < 10_000; guard++) {
    const c = invokes.shift();
    if (c) {
      calls[c.functionName] = (calls[c.functionName] ?? 0) + 1;
      const payload = JSON.parse(c.payload) as Json;
      invoked.push({ fn: c.functionName, at: now, payload });
      const a = fns[c.functionName]?.(payload, calls[c.functionName]!) ?? payload;
      if (a === 'hang') continue;
      if (a && typeof a === 'object' && !Array.isArray(a) && typeof a.error === 'string')
        await step({
          type: 'result',
          token: c.token,
          ok: false,
          error: a.error,
          cause: String(a.cause ?? ''),
        });
      else await step({ type: 'result', token: c.token, ok: true, payload: a });
      continue;
    }
    timers.sort((x, y) => x.at - y.at);
    const t = timers.shift();
    if (!t) break;
    now = Math.max(now, t.at);
    await step({ type: 'timer', token: t.token });
  }
  const types = history.map((h) => h.type);
  return { end, history, types, rt, calls, invoked, now, transitions };
}

const out = (end: ExecutionEnd | undefined) => (end?.status === 'SUCCEEDED' ? end.output : end);

describe('engine: states and paths', () => {
  it('Pass with Result, ResultPath, InputPath, Parameters and OutputPath', async () => {
    const r = await drive(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Result: { x: 1 }, ResultPath: '$.a', Next: 'B' },
          B: {
            Type: 'Pass',
            InputPath: '$.a',
            Parameters: { 'y.$': '$.x', 'z.$': "States.Format('n={}', $.x)" },
            ResultPath: '$.b',
            OutputPath: '$.b',
            End: true,
          },
        },
      },
      { keep: true },
    );
    assert.deepEqual(out(r.end), { y: 1, z: 'n=1' });
    assert.deepEqual(r.types, [
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('Choice picks the first matching rule, else Default, else fails with States.NoChoiceMatched', async () => {
    const def = (withDefault: boolean) => ({
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            {
              And: [
                { Variable: '$.n', IsNumeric: true },
                { Variable: '$.n', NumericGreaterThan: 10 },
              ],
              Next: 'Big',
            },
            { Not: { Variable: '$.s', StringMatches: 'a*' }, Next: 'NotA' },
          ],
          ...(withDefault ? { Default: 'Other' } : {}),
        },
        Big: { Type: 'Pass', Result: 'big', End: true },
        NotA: { Type: 'Pass', Result: 'notA', End: true },
        Other: { Type: 'Pass', Result: 'other', End: true },
      },
    });
    assert.equal(out((await drive(def(true), { n: 11 })).end), 'big');
    assert.equal(out((await drive(def(true), { n: 1, s: 'bcd' })).end), 'notA');
    assert.equal(out((await drive(def(true), { n: 1, s: 'abc' })).end), 'other');
    const none = await drive(def(false), { n: 1, s: 'abc' });
    assert.deepEqual(
      [none.end?.status, (none.end as { error: string }).error],
      ['FAILED', 'States.NoChoiceMatched'],
    );
  });

  it('Wait by Seconds, SecondsPath, Timestamp and TimestampPath arms timers; a past time does not wait', async () => {
    const r = await drive(
      {
        StartAt: 'W1',
        States: {
          W1: { Type: 'Wait', Seconds: 10, Next: 'W2' },
          W2: { Type: 'Wait', SecondsPath: '$.s', Next: 'W3' },
          W3: { Type: 'Wait', TimestampPath: '$.at', Next: 'W4' },
          W4: { Type: 'Wait', Timestamp: '1970-01-01T00:00:00Z', End: true },
        },
      },
      { s: 5, at: new Date(60_000).toISOString() },
    );
    assert.equal(r.end?.status, 'SUCCEEDED');
    assert.equal(r.now, 60_000);
    assert.equal(r.types.filter((t) => t === 'WaitStateEntered').length, 4);
  });

  it('Fail ends the execution with its Error and Cause (and ErrorPath/CausePath)', async () => {
    const r = await drive(
      { StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: '$.e', Cause: 'because' } } },
      { e: 'Bad' },
    );
    assert.deepEqual(r.end, { status: 'FAILED', error: 'Bad', cause: 'because' });
    assert.deepEqual(r.types, ['FailStateEntered', 'ExecutionFailed']);
  });

  it('Task: a function ARN gives Lambda* events, lambda:invoke wraps the answer and gives Task* events', async () => {
    const r = await drive(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Task', Resource: 'arn:aws:lambda:r:1:function:double', ResultPath: '$.a', Next: 'B' },
          B: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'arn:aws:lambda:r:1:function:double:live', 'Payload.$': '$.a' },
            ResultSelector: { 'p.$': '$.Payload', 'v.$': '$.ExecutedVersion' },
            End: true,
          },
        },
      },
      { n: 2 },
      { double: (p) => ({ n: (p as { n: number }).n * 2 }) },
    );
    assert.deepEqual(out(r.end), { p: { n: 8 }, v: '$LATEST' });
    assert.deepEqual(r.types, [
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = r.history.find((h) => h.type === 'TaskScheduled')!.details
      .taskScheduledEventDetails as Record<string, Json>;
    assert.deepEqual(Object.keys(scheduled).sort(), ['parameters', 'region', 'resource', 'resourceType']);
    assert.equal(scheduled.resource, 'invoke');
    assert.deepEqual(
      r.history.map((h) => h.id),
      r.history.map((_, i) => i + 2),
      'ids continue after ExecutionStarted',
    );
  });

  it('TimeoutSeconds: a late answer is ignored after States.Timeout', async () => {
    const r = await drive(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'slow', TimeoutSeconds: 3, End: true } } },
      {},
      { slow: () => 'hang' },
    );
    assert.deepEqual([r.end?.status, (r.end as { error: string }).error], ['FAILED', 'States.Timeout']);
    assert.ok(r.types.includes('LambdaFunctionTimedOut'));
    assert.equal(r.now, 3000);
  });

  it('definition TimeoutSeconds ends the execution TIMED_OUT', async () => {
    const r = await drive(
      { TimeoutSeconds: 5, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } },
      {},
    );
    assert.equal(r.end?.status, 'TIMED_OUT');
    assert.equal(r.types.at(-1), 'ExecutionTimedOut');
  });
});

describe('engine: Retry and Catch matrix', () => {
  const def = (extra: object) => ({
    StartAt: 'T',
    States: {
      T: { Type: 'Task', Resource: 'f', End: true, ...extra },
      Caught: { Type: 'Pass', Parameters: { 'caught.$': '$' }, End: true },
    },
  });
  const failTimes = (n: number, error = 'Boom'): Fns => ({
    f: (_p: Json, k: number): Answer => (k <= n ? { error, cause: `try ${k}` } : { ok: k }),
  });
  const cases: [string, object, Fns, string, Json | string][] = [
    ['no Retry: fails', {}, failTimes(1), 'FAILED', 'Boom'],
    [
      'Retry absorbs two failures',
      { Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2 }] },
      failTimes(2),
      'SUCCEEDED',
      { ok: 3 },
    ],
    [
      'Retry exhausted, then Catch',
      {
        Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 1 }],
        Catch: [{ ErrorEquals: ['Boom'], Next: 'Caught', ResultPath: '$.err' }],
      },
      failTimes(5),
      'SUCCEEDED',
      { caught: { err: { Error: 'Boom', Cause: 'try 2' } } },
    ],
    [
      'Retry for another error does not apply',
      { Retry: [{ ErrorEquals: ['Other'] }] },
      failTimes(1),
      'FAILED',
      'Boom',
    ],
    [
      'States.TaskFailed catches a function error',
      { Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }] },
      failTimes(1),
      'SUCCEEDED',
      { caught: { Error: 'Boom', Cause: 'try 1' } },
    ],
    [
      'Catch ResultPath null keeps the input',
      { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught', ResultPath: null }] },
      failTimes(1),
      'SUCCEEDED',
      { caught: {} },
    ],
    [
      'Timeout retried by States.Timeout',
      { TimeoutSeconds: 1, Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 1 }] },
      { f: (_p, k) => (k === 1 ? 'hang' : { ok: k }) },
      'SUCCEEDED',
      { ok: 2 },
    ],
    [
      'States.TaskFailed does not catch a timeout',
      { TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }] },
      { f: () => 'hang' },
      'FAILED',
      'States.Timeout',
    ],
  ];
  for (const [name, extra, fns, status, want] of cases)
    it(name, async () => {
      const r = await drive(def(extra), {}, fns);
      assert.equal(r.end?.status, status, JSON.stringify(r.end));
      if (status === 'SUCCEEDED') assert.deepEqual(out(r.end), want);
      else assert.equal((r.end as { error: string }).error, want);
    });

  it('retries wait IntervalSeconds × BackoffRate^n and count $$.State.RetryCount', async () => {
    const r = await drive(
      def({
        Parameters: { 'retry.$': '$$.State.RetryCount' },
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3 }],
      }),
      {},
      failTimes(3),
    );
    assert.equal(r.end?.status, 'SUCCEEDED');
    assert.deepEqual(
      r.invoked.map((x) => [x.at, (x.payload as { retry: number }).retry]),
      [
        [0, 0],
        [2000, 1],
        [8000, 2],
        [26_000, 3],
      ],
    );
  });
});

describe('engine: Parallel and Map', () => {
  it('Parallel gives each branch the input and collects outputs in order; a failing branch fails it', async () => {
    const def = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'a', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Result: 'b', End: true } } },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', Result: 'caught', End: true },
      },
    };
    const ok = await drive(def, { v: 1 }, { a: (p) => ({ got: p }) });
    assert.deepEqual(out(ok.end), [{ got: { v: 1 } }, 'b']);
    assert.ok(ok.types.includes('ParallelStateStarted') && ok.types.includes('ParallelStateSucceeded'));
    const bad = await drive(def, {}, { a: () => ({ error: 'X' }) });
    assert.equal(out(bad.end), 'caught');
    assert.ok(bad.types.includes('ParallelStateFailed'));
  });

  it('Map bounds running iterations by MaxConcurrency and keeps item order', async () => {
    let running = 0;
    let peak = 0;
    const def = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.xs',
          MaxConcurrency: 2,
          ItemSelector: { 'v.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index' },
          ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'sq', End: true } } },
          End: true,
        },
      },
    };
    const r = await drive(
      def,
      { xs: [3, 1, 2, 5, 4] },
      {
        sq: (p) => {
          running++;
          peak = Math.max(peak, running);
          running--;
          const { v, i } = p as { v: number; i: number };
          return { i, sq: v * v };
        },
      },
    );
    assert.deepEqual(
      out(r.end),
      [0, 1, 2, 3, 4].map((i) => ({ i, sq: [9, 1, 4, 25, 16][i]! })),
    );
    assert.equal(r.types.filter((t) => t === 'MapIterationStarted').length, 5);
    // At most two iteration frames at a time: the map waits for one to end before the next starts.
    const starts = r.history.filter(
      (h) => h.type === 'MapIterationStarted' || h.type === 'MapIterationSucceeded',
    );
    let live = 0;
    let most = 0;
    for (const h of starts) {
      live += h.type === 'MapIterationStarted' ? 1 : -1;
      most = Math.max(most, live);
    }
    assert.equal(most, 2);
  });

  it('Map ToleratedFailureCount tolerates failures up to the count, then States.ExceedToleratedFailureThreshold', async () => {
    const def = (count: number) => ({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ToleratedFailureCount: count,
          ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'f', End: true } } },
          End: true,
        },
      },
    });
    const fns: Fns = { f: (p) => ((p as number) % 2 ? { error: 'Odd' } : p) };
    const tolerated = await drive(def(2), [1, 2, 3, 4], fns);
    assert.equal(tolerated.end?.status, 'SUCCEEDED');
    const exceeded = await drive(def(1), [1, 2, 3, 4], fns);
    assert.equal((exceeded.end as { error: string }).error, 'States.ExceedToleratedFailureThreshold');
  });

  it('an empty Map and an empty Parallel succeed with []', async () => {
    const m = await drive(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      [],
    );
    assert.deepEqual(out(m.end), []);
  });
});

describe('engine: JSONata and variables', () => {
  it('Assign sets variables after the state; Output and Arguments see them', async () => {
    const r = await drive(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Assign: { total: '{% $states.input.a + $states.input.b %}' }, Next: 'B' },
          B: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Arguments: { FunctionName: 'f', Payload: { t: '{% $total %}' } },
            Output: '{% $states.result.Payload.t * 10 %}',
            End: true,
          },
        },
      },
      { a: 1, b: 2 },
    );
    assert.equal(out(r.end), 30);
    const exited = r.history.find((h) => h.type === 'PassStateExited')!.details
      .stateExitedEventDetails as Record<string, Json>;
    assert.deepEqual(exited.assignedVariables, { total: '3' });
  });
});

describe('engine: limits', () => {
  it(`a long run of instantaneous states yields every ${MAX_STATES_PER_TRANSITION} states`, async () => {
    const n = 1200;
    const States = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `S${i}`,
        { Type: 'Pass', ...(i < n - 1 ? { Next: `S${i + 1}` } : { End: true }) },
      ]),
    );
    const r = await drive({ StartAt: 'S0', States }, { x: 1 });
    assert.equal(r.end?.status, 'SUCCEEDED');
    assert.equal(r.transitions, Math.ceil(n / MAX_STATES_PER_TRANSITION));
  });

  it('a stale token (an answer after the state moved on) changes nothing', async () => {
    const def = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, End: true } } };
    const r = await drive(def, {});
    const again = await apply(
      def as StateMachineDefinition,
      {} as ExecutionMeta,
      r.rt,
      { type: 'timer', token: 'f1.1' },
      5000,
      deps,
    );
    assert.equal(again, undefined);
  });
});
