import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorOutput } from './io.ts';
import { createJsonPathIO, jsonPathIO } from './jsonpath-io.ts';
import { testContext } from './test-context.ts';
import {
  type Catcher,
  type ChoiceState,
  type ContextObject,
  type FailState,
  type Json,
  type MapState,
  type PassState,
  type State,
  StatesError,
  type TaskState,
  type Variables,
  type WaitState,
} from './types.ts';

const ctx = testContext();
const vars: Variables = { total: 10, prefix: 'job' };
const io = createJsonPathIO({ uuid: () => 'uuid-1', random: () => 0 });

const task = (fields: Partial<TaskState> = {}): TaskState => ({
  Type: 'Task',
  Resource: 'fn',
  End: true,
  ...fields,
});
const map = (fields: Partial<MapState> = {}): MapState => ({ Type: 'Map', End: true, ...fields });

const statesError =
  (error: string, ...fragments: string[]) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof StatesError, `expected a StatesError, got ${String(e)}`);
    assert.equal(e.error, error);
    for (const f of fragments)
      assert.ok(e.cause.includes(f), `cause ${JSON.stringify(e.cause)} lacks ${JSON.stringify(f)}`);
    return true;
  };

const rejects = (p: Promise<unknown>, error: string, ...fragments: string[]) =>
  assert.rejects(p, statesError(error, ...fragments));

// The AWS documentation's ResultPath examples: this input, and a function answering this.
const docInput: Json = {
  comment: 'This is a test of the input and output of a Task state.',
  details: 'Default example',
  who: 'AWS Step Functions',
};
const hello = 'Hello, AWS Step Functions!';

describe('Task: effectiveInput (InputPath, Parameters)', () => {
  const table: [name: string, state: TaskState, raw: Json, expected: Json][] = [
    ['no InputPath: the raw input', task(), docInput, docInput],
    ['InputPath selects', task({ InputPath: '$.who' }), docInput, 'AWS Step Functions'],
    ['InputPath null gives {}', task({ InputPath: null }), docInput, {}],
    ['InputPath $$', task({ InputPath: '$$.StateMachine' }), docInput, ctx.StateMachine as unknown as Json],
    [
      'Parameters over the InputPath-filtered input',
      task({
        InputPath: '$.lambda',
        Parameters: { 'who.$': '$.who', fixed: 1, 'run.$': '$$.Execution.Name', 'n.$': '$total' },
      }),
      { lambda: { who: 'me' } },
      { who: 'me', fixed: 1, run: 'run-1', n: 10 },
    ],
    ['Parameters with intrinsics', task({ Parameters: { 'id.$': 'States.UUID()' } }), {}, { id: 'uuid-1' }],
    ['Parameters that are a literal', task({ Parameters: 'x' }), {}, 'x'],
  ];
  for (const [name, state, raw, expected] of table)
    it(name, async () => assert.deepEqual(await io.effectiveInput(state, raw, ctx, vars), expected));

  it('an InputPath that matches nothing is States.Runtime naming the path and the field', () =>
    assert.rejects(
      io.effectiveInput(task({ InputPath: '$.nope' }), { a: 1 }, ctx, vars),
      statesError(
        'States.Runtime',
        `The JSONPath '$.nope' specified for the field 'InputPath' could not be found in the input '{"a":1}'`,
      ),
    ));
});

describe('Task: resultOutput (ResultSelector, ResultPath, OutputPath, Assign)', () => {
  const table: [name: string, state: TaskState, raw: Json, result: Json, expected: Json][] = [
    ['ResultPath $ (default): the result replaces the input', task(), docInput, hello, hello],
    ['ResultPath $ explicitly', task({ ResultPath: '$' }), docInput, hello, hello],
    [
      'ResultPath $.taskresult adds the result to the input',
      task({ ResultPath: '$.taskresult' }),
      docInput,
      hello,
      { ...(docInput as object), taskresult: hello },
    ],
    ['ResultPath null discards the result', task({ ResultPath: null }), docInput, hello, docInput],
    [
      'ResultPath into an existing object',
      task({ ResultPath: '$.strings.lambdaresult' }),
      { strings: { string1: 'foo', string2: 'bar' } },
      hello,
      { strings: { string1: 'foo', string2: 'bar', lambdaresult: hello } },
    ],
    [
      'the AWS InputPath/ResultPath/OutputPath example (ResultPath sets into the raw input)',
      task({ InputPath: '$.lambda', ResultPath: '$.data.lambdaresult', OutputPath: '$.data' }),
      {
        comment: 'An input comment.',
        data: { val1: 23, val2: 17 },
        extra: 'foo',
        lambda: { who: 'AWS Step Functions' },
      },
      hello,
      { val1: 23, val2: 17, lambdaresult: hello },
    ],
    ['OutputPath null gives {}', task({ OutputPath: null }), docInput, hello, {}],
    ['OutputPath over the combined value', task({ ResultPath: '$.r', OutputPath: '$.r' }), docInput, 7, 7],
    [
      'ResultSelector applies to the result before ResultPath',
      task({
        ResultSelector: {
          'ClusterId.$': '$.output.ClusterId',
          'ResourceType.$': '$.resourceType',
          fixed: true,
        },
        ResultPath: '$.EMROutput',
      }),
      { in: 1 },
      { resourceType: 'elasticmapreduce', output: { ClusterId: 'AKIAIOSFODNN7EXAMPLE', other: 'x' } },
      {
        in: 1,
        EMROutput: { ClusterId: 'AKIAIOSFODNN7EXAMPLE', ResourceType: 'elasticmapreduce', fixed: true },
      },
    ],
  ];
  for (const [name, state, raw, result, expected] of table)
    it(name, async () => {
      const out = await io.resultOutput(state, raw, result, ctx, vars);
      assert.deepEqual(out.output, expected);
      assert.equal(out.assign, undefined);
    });

  it('Assign sees the result after ResultSelector, $$ and the variables before the state', async () => {
    const out = await io.resultOutput(
      task({
        ResultSelector: { 'count.$': '$.Payload.count' },
        Assign: {
          'count.$': '$.count',
          'sum.$': 'States.MathAdd($total, $.count)',
          'step.$': '$$.State.Name',
          k: 'v',
        },
        ResultPath: null,
      }),
      { in: 1 },
      { Payload: { count: 3 } },
      ctx,
      vars,
    );
    assert.deepEqual(out, { output: { in: 1 }, assign: { count: 3, sum: 13, step: 'Step', k: 'v' } });
  });

  it('a ResultPath through a non-object is States.ResultPathMatchFailure', () =>
    assert.rejects(
      io.resultOutput(task({ ResultPath: '$.a.b' }), { a: 'string' }, 1, ctx, vars),
      statesError(
        'States.ResultPathMatchFailure',
        'Unable to apply ReferencePath $.a.b to input {"a":"string"}',
      ),
    ));
  it('a ResultPath on a non-object input is States.ResultPathMatchFailure', () =>
    rejects(
      io.resultOutput(task({ ResultPath: '$.r' }), 'just a string', 1, ctx, vars),
      'States.ResultPathMatchFailure',
      '$.r',
    ));
  it('an OutputPath that matches nothing is States.Runtime', () =>
    rejects(
      io.resultOutput(task({ OutputPath: '$.nope' }), {}, { a: 1 }, ctx, vars),
      'States.Runtime',
      "'$.nope' specified for the field 'OutputPath'",
    ));
  it('a ResultSelector path that matches nothing is States.Runtime', () =>
    rejects(
      io.resultOutput(task({ ResultSelector: { 'x.$': '$.nope' } }), {}, { a: 1 }, ctx, vars),
      'States.Runtime',
      "'$.nope' specified for the field 'x.$'",
    ));
  it('the raw input is not modified', async () => {
    const raw = { a: { b: 1 } };
    await io.resultOutput(task({ ResultPath: '$.a.c' }), raw, 2, ctx, vars);
    assert.deepEqual(raw, { a: { b: 1 } });
  });
});

describe('Pass: passOutput', () => {
  const pass = (fields: Partial<PassState> = {}): PassState => ({ Type: 'Pass', End: true, ...fields });
  const table: [name: string, state: PassState, raw: Json, expected: Json][] = [
    ['no fields: the input', pass(), { a: 1 }, { a: 1 }],
    ['Result replaces the input', pass({ Result: { x: 1 } }), { a: 1 }, { x: 1 }],
    ['Result null is a result', pass({ Result: null, ResultPath: '$.r' }), { a: 1 }, { a: 1, r: null }],
    [
      'Result with ResultPath (the AWS Pass example)',
      pass({ Result: { x: 0.381018, y: 622.2269926397355 }, ResultPath: '$.coords' }),
      { georefOf: 'Home' },
      { georefOf: 'Home', coords: { x: 0.381018, y: 622.2269926397355 } },
    ],
    [
      'InputPath, then the effective input is the result',
      pass({ InputPath: '$.a' }),
      { a: { b: 1 } },
      { b: 1 },
    ],
    [
      'Parameters give the result; ResultPath sets it into the raw input',
      pass({ InputPath: '$.a', Parameters: { 'v.$': '$.b' }, ResultPath: '$.p' }),
      { a: { b: 1 } },
      { a: { b: 1 }, p: { v: 1 } },
    ],
    ['ResultPath null', pass({ Result: 'x', ResultPath: null }), { a: 1 }, { a: 1 }],
    ['OutputPath', pass({ Result: { x: { y: 2 } }, OutputPath: '$.x' }), {}, { y: 2 }],
    ['InputPath null', pass({ InputPath: null }), { a: 1 }, {}],
  ];
  for (const [name, state, raw, expected] of table)
    it(name, async () => assert.deepEqual((await io.passOutput(state, raw, ctx, vars)).output, expected));

  it('Assign sees the effective input', async () => {
    const out = await io.passOutput(
      pass({
        InputPath: '$.a',
        Parameters: { 'v.$': '$.b' },
        Result: 'ignored by Assign',
        Assign: { 'x.$': '$.v' },
      }),
      { a: { b: 5 } },
      ctx,
      vars,
    );
    assert.deepEqual(out, { output: 'ignored by Assign', assign: { x: 5 } });
  });
});

describe('Wait, Succeed: plainOutput', () => {
  const table: [name: string, state: State, raw: Json, expected: Json][] = [
    ['no paths', { Type: 'Succeed' }, { a: 1 }, { a: 1 }],
    [
      'InputPath then OutputPath',
      { Type: 'Succeed', InputPath: '$.a', OutputPath: '$.b' },
      { a: { b: 2 } },
      2,
    ],
    ['InputPath null', { Type: 'Wait', Seconds: 1, End: true, InputPath: null }, { a: 1 }, {}],
    ['OutputPath null', { Type: 'Wait', Seconds: 1, End: true, OutputPath: null }, { a: 1 }, {}],
  ];
  for (const [name, state, raw, expected] of table)
    it(name, async () =>
      assert.deepEqual(await io.plainOutput(state, raw, ctx, vars), { output: expected, assign: undefined }),
    );

  it('Assign sees the input after InputPath', async () =>
    assert.deepEqual(
      (
        await io.plainOutput(
          { Type: 'Succeed', InputPath: '$.a', Assign: { 'v.$': '$.b', 'p.$': '$prefix' } },
          { a: { b: 3 } },
          ctx,
          vars,
        )
      ).assign,
      { v: 3, p: 'job' },
    ));
});

describe('Choice: choose', () => {
  const state: ChoiceState = {
    Type: 'Choice',
    InputPath: '$.in',
    OutputPath: '$.keep',
    Choices: [
      { Variable: '$.value', NumericEquals: 0, Next: 'Zero', Assign: { 'which.$': '$.value', rule: 'zero' } },
      { Variable: '$.value', NumericGreaterThanPath: '$total', Next: 'Big' },
      { Variable: '$$.State.Name', StringEquals: 'nope', Next: 'Never' },
    ],
    Default: 'Other',
    Assign: { seen: true, rule: 'state' },
  };
  it('the first matching rule, with state-level then rule-level Assign', async () =>
    assert.deepEqual(await io.choose(state, { in: { value: 0, keep: 'k' } }, ctx, vars), {
      output: 'k',
      assign: { seen: true, rule: 'zero', which: 0 },
      next: 'Zero',
    }));
  it('a rule without Assign keeps the state-level one', async () =>
    assert.deepEqual(await io.choose(state, { in: { value: 11, keep: 'k' } }, ctx, vars), {
      output: 'k',
      assign: { seen: true, rule: 'state' },
      next: 'Big',
    }));
  it('the Default when nothing matches', async () =>
    assert.equal((await io.choose(state, { in: { value: 5, keep: 'k' } }, ctx, vars)).next, 'Other'));
  it('undefined when nothing matches and there is no Default', async () => {
    const { Default: _d, Assign: _a, ...noDefault } = state;
    assert.deepEqual(await io.choose(noDefault, { in: { value: 5, keep: 'k' } }, ctx, vars), {
      output: 'k',
      assign: undefined,
      next: undefined,
    });
  });
  it('an absent Variable is States.Runtime', () =>
    rejects(io.choose(state, { in: { keep: 'k' } }, ctx, vars), 'States.Runtime', "Invalid path '$.value'"));
});

describe('Wait: waitUntil', () => {
  const now = Date.UTC(2026, 0, 1);
  const wait = (fields: Partial<WaitState>): WaitState => ({ Type: 'Wait', End: true, ...fields });
  const at = (h: number, m: number) => Date.UTC(2026, 2, 14, h, m);
  const table: [fields: Partial<WaitState>, raw: Json, expected: number][] = [
    [{ Seconds: 10 }, {}, now + 10_000],
    [{ Seconds: 0 }, {}, now],
    [{ SecondsPath: '$.s' }, { s: 5 }, now + 5000],
    [{ InputPath: '$.w', SecondsPath: '$.s' }, { w: { s: 2 } }, now + 2000],
    [{ SecondsPath: '$total' }, {}, now + 10_000],
    [{ Timestamp: '2026-03-14T01:59:00Z' }, {}, at(1, 59)],
    [{ TimestampPath: '$.t' }, { t: '2026-03-14T02:59:00+01:00' }, at(1, 59)],
    [{ TimestampPath: '$.t' }, { t: '2026-01-01T00:00:00.25Z' }, now + 250],
  ];
  for (const [fields, raw, expected] of table)
    it(`${JSON.stringify(fields)} over ${JSON.stringify(raw)}`, async () =>
      assert.equal(await io.waitUntil(wait(fields), raw, ctx, vars, now), expected));

  const errors: [fields: Partial<WaitState>, raw: Json, fragment: string][] = [
    [{ SecondsPath: '$.s' }, { s: '5' }, "The SecondsPath '$.s' must give a non-negative integer"],
    [{ SecondsPath: '$.s' }, { s: -1 }, 'non-negative integer, got -1'],
    [{ SecondsPath: '$.s' }, { s: 1.5 }, 'non-negative integer'],
    [{ SecondsPath: '$.s' }, {}, "'$.s' specified for the field 'SecondsPath'"],
    [{ TimestampPath: '$.t' }, { t: 'tomorrow' }, "The TimestampPath '$.t' must give an RFC 3339"],
    [{ TimestampPath: '$.t' }, { t: 1 }, 'RFC 3339'],
    [{ Timestamp: '2026-01-01' }, {}, 'Wait Timestamp must be an RFC 3339 timestamp'],
    [{ Seconds: '{% 1 %}' }, {}, 'Wait Seconds must be a non-negative number'],
    [{}, {}, 'needs one of Seconds'],
  ];
  for (const [fields, raw, fragment] of errors)
    it(`States.Runtime: ${JSON.stringify(fields)} over ${JSON.stringify(raw)}`, () =>
      rejects(io.waitUntil(wait(fields), raw, ctx, vars, now), 'States.Runtime', fragment));
});

describe('Fail: failure', () => {
  const fail = (fields: Partial<FailState>): FailState => ({ Type: 'Fail', ...fields });
  const table: [name: string, state: FailState, raw: Json, expected: { error?: string; cause?: string }][] = [
    ['nothing', fail({}), {}, {}],
    ['Error and Cause', fail({ Error: 'E', Cause: 'C' }), {}, { error: 'E', cause: 'C' }],
    [
      'ErrorPath and CausePath',
      fail({ ErrorPath: '$.e', CausePath: '$.c' }),
      { e: 'Bad', c: 'why' },
      { error: 'Bad', cause: 'why' },
    ],
    [
      'an intrinsic CausePath',
      fail({ Error: 'E', CausePath: "States.Format('item {} failed', $.id)" }),
      { id: 7 },
      { error: 'E', cause: 'item 7 failed' },
    ],
    ['a context ErrorPath', fail({ ErrorPath: '$$.State.Name' }), {}, { error: 'Step' }],
  ];
  for (const [name, state, raw, expected] of table)
    it(name, async () => assert.deepEqual(await io.failure(state, raw, ctx, vars), expected));
  it('an ErrorPath to a non-string is States.Runtime', () =>
    rejects(
      io.failure(fail({ ErrorPath: '$.e' }), { e: 1 }, ctx, vars),
      'States.Runtime',
      "The ErrorPath '$.e' must give a string, got 1",
    ));
  it('a CausePath that matches nothing is States.Runtime', () =>
    rejects(
      io.failure(fail({ CausePath: '$.c' }), {}, ctx, vars),
      'States.Runtime',
      "'$.c' specified for the field 'CausePath'",
    ));
});

describe('Map: mapItems and mapItemInput', () => {
  // The AWS documentation's ItemSelector example.
  const input: Json = {
    'delivery-partner': 'Example delivery partner',
    shipped: [
      { prod: 'R31', 'dest-code': 9511, quantity: 1344 },
      { prod: 'S39', 'dest-code': 9511, quantity: 40 },
    ],
  };
  const itemCtx = (Index: number, Value: Json): ContextObject => ({
    ...ctx,
    Map: { Item: { Index, Value } },
  });

  it('ItemsPath selects the items', async () =>
    assert.deepEqual(
      await io.mapItems(map({ ItemsPath: '$.shipped' }), input, ctx, vars),
      (input as { shipped: Json[] }).shipped,
    ));
  it('ItemsPath defaults to $, after InputPath', async () =>
    assert.deepEqual(
      await io.mapItems(map({ InputPath: '$.shipped' }), input, ctx, vars),
      (input as { shipped: Json[] }).shipped,
    ));
  it('ItemsPath from a variable', async () =>
    assert.deepEqual(await io.mapItems(map({ ItemsPath: '$list' }), {}, ctx, { list: [1, 2] }), [1, 2]));
  it('items that are not an array are States.Runtime naming ItemsPath', () =>
    rejects(
      io.mapItems(map({ ItemsPath: '$.delivery-partner' }), input, ctx, vars),
      'States.Runtime',
      "The ItemsPath '$.delivery-partner' must select an array",
    ));
  it('a missing ItemsPath is States.Runtime', () =>
    rejects(io.mapItems(map({ ItemsPath: '$.nope' }), input, ctx, vars), 'States.Runtime', "'ItemsPath'"));

  it('ItemSelector with $$.Map.Item.Value and $ = the Map input', async () =>
    assert.deepEqual(
      await io.mapItemInput(
        map({
          ItemsPath: '$.shipped',
          ItemSelector: {
            'parcel.$': '$$.Map.Item.Value',
            'courier.$': '$.delivery-partner',
            'index.$': '$$.Map.Item.Index',
          },
        }),
        input,
        itemCtx(1, { prod: 'S39', 'dest-code': 9511, quantity: 40 }),
        vars,
      ),
      {
        parcel: { prod: 'S39', 'dest-code': 9511, quantity: 40 },
        courier: 'Example delivery partner',
        index: 1,
      },
    ));
  it('legacy Parameters work as ItemSelector, after InputPath', async () =>
    assert.deepEqual(
      await io.mapItemInput(
        map({ InputPath: '$.wrap', Parameters: { 'v.$': '$$.Map.Item.Value', 'o.$': '$.other' } }),
        { wrap: { other: 'O' } },
        itemCtx(0, 'x'),
        vars,
      ),
      { v: 'x', o: 'O' },
    ));
  it('without a selector the item itself', async () =>
    assert.deepEqual(await io.mapItemInput(map(), input, itemCtx(0, { a: 1 }), vars), { a: 1 }));
  it('without a selector or $$.Map: States.Runtime', () =>
    rejects(io.mapItemInput(map(), input, ctx, vars), 'States.Runtime', 'outside a Map iteration'));
  it('Map resultOutput: ResultSelector, ResultPath', async () =>
    assert.deepEqual(
      (
        await io.resultOutput(
          map({ ResultSelector: { 'n.$': 'States.ArrayLength($)' }, ResultPath: '$.res' }),
          { a: 1 },
          [1, 2],
          ctx,
          vars,
        )
      ).output,
      { a: 1, res: { n: 2 } },
    ));
});

describe('numberField', () => {
  type Field = Parameters<typeof io.numberField>[1];
  /** The field a state sets (`X` or `XPath`). */
  const fieldOf = (state: State): Field => {
    const key = Object.keys(state).find((k) => /^(Timeout|Heartbeat|MaxConc|ToleratedF)/.test(k))!;
    return key.replace(/Path$/, '') as Field;
  };
  const table: [name: string, state: State, raw: Json, expected: number | undefined][] = [
    ['a literal', task({ TimeoutSeconds: 30 }), {}, 30],
    ['a path', task({ TimeoutSecondsPath: '$.t' }), { t: 45 }, 45],
    ['a path after InputPath', task({ InputPath: '$.i', HeartbeatSecondsPath: '$.h' }), { i: { h: 5 } }, 5],
    ['MaxConcurrencyPath 0 (unlimited)', map({ MaxConcurrencyPath: '$.m' }), { m: 0 }, 0],
    ['ToleratedFailurePercentagePath', map({ ToleratedFailurePercentagePath: '$.p' }), { p: 12.5 }, 12.5],
    ['ToleratedFailureCountPath', map({ ToleratedFailureCountPath: '$.c' }), { c: 3 }, 3],
    ['a variable', task({ TimeoutSecondsPath: '$total' }), {}, 10],
  ];
  for (const [name, state, raw, expected] of table)
    it(name, async () => assert.equal(await io.numberField(state, fieldOf(state), raw, ctx, vars), expected));
  it('neither form', async () =>
    assert.equal(await io.numberField(task(), 'TimeoutSeconds', {}, ctx, vars), undefined));

  const errors: [name: string, state: State, raw: Json, fragment: string][] = [
    [
      'TimeoutSecondsPath to 0',
      task({ TimeoutSecondsPath: '$.t' }),
      { t: 0 },
      "'$.t' must give a positive integer, got 0",
    ],
    ['TimeoutSecondsPath to a string', task({ TimeoutSecondsPath: '$.t' }), { t: '30' }, 'got "30"'],
    [
      'HeartbeatSecondsPath to a fraction',
      task({ HeartbeatSecondsPath: '$.h' }),
      { h: 1.5 },
      'positive integer',
    ],
    ['MaxConcurrencyPath negative', map({ MaxConcurrencyPath: '$.m' }), { m: -1 }, 'non-negative integer'],
    [
      'ToleratedFailurePercentagePath > 100',
      map({ ToleratedFailurePercentagePath: '$.p' }),
      { p: 101 },
      'from 0 to 100',
    ],
    [
      'a missing path',
      task({ TimeoutSecondsPath: '$.t' }),
      {},
      "specified for the field 'TimeoutSecondsPath'",
    ],
    [
      'a string literal (JSONata form)',
      task({ TimeoutSeconds: '{% 5 %}' }),
      {},
      'TimeoutSeconds must be a number',
    ],
  ];
  for (const [name, state, raw, fragment] of errors)
    it(`States.Runtime: ${name}`, () =>
      rejects(io.numberField(state, fieldOf(state), raw, ctx, vars), 'States.Runtime', fragment));
});

describe('Catch: catchOutput', () => {
  const error: ErrorOutput = { Error: 'States.TaskFailed', Cause: 'boom' };
  const catcher = (fields: Partial<Catcher> = {}): Catcher => ({
    ErrorEquals: ['States.ALL'],
    Next: 'Handle',
    ...fields,
  });
  const table: [name: string, c: Catcher, raw: Json, expected: Json][] = [
    [
      'ResultPath default: the error output replaces the input',
      catcher(),
      { a: 1 },
      { Error: 'States.TaskFailed', Cause: 'boom' },
    ],
    [
      'ResultPath $.error',
      catcher({ ResultPath: '$.error' }),
      { a: 1 },
      { a: 1, error: { Error: 'States.TaskFailed', Cause: 'boom' } },
    ],
    ['ResultPath null', catcher({ ResultPath: null }), { a: 1 }, { a: 1 }],
  ];
  for (const [name, c, raw, expected] of table)
    it(name, async () =>
      assert.deepEqual(await io.catchOutput(c, raw, error, ctx, vars), {
        output: expected,
        assign: undefined,
      }),
    );

  it('Assign sees the error output', async () =>
    assert.deepEqual(
      (
        await io.catchOutput(
          catcher({ Assign: { 'err.$': '$.Error', 'msg.$': "States.Format('{}: {}', $.Error, $.Cause)" } }),
          {},
          error,
          ctx,
          vars,
        )
      ).assign,
      { err: 'States.TaskFailed', msg: 'States.TaskFailed: boom' },
    ));
  it('a ResultPath through a non-object is States.ResultPathMatchFailure', () =>
    rejects(
      io.catchOutput(catcher({ ResultPath: '$.a.b' }), { a: [1] }, error, ctx, vars),
      'States.ResultPathMatchFailure',
      '$.a.b',
    ));
});

describe('the default instance', () => {
  it('jsonPathIO works without injected randomness', async () => {
    const out = await jsonPathIO.effectiveInput(
      task({ Parameters: { 'id.$': 'States.UUID()' } }),
      {},
      ctx,
      vars,
    );
    assert.match(String((out as { id: string }).id), /^[0-9a-f-]{36}$/);
  });
});
