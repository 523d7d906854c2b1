/**
 * @module workflows/asl/jsonata-io.test
 * The JSONata StateIO: every method and field, the defaults, `$states` and variables (old values
 * seen by Assign and Output), Choice rule-level Output/Assign, the error cases and the Step
 * Functions extension functions.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createJsonataIO, expressionOf, isRfc3339 } from './jsonata-io.ts';
import { testContext } from './test-context.ts';
import type {
  Catcher,
  ChoiceState,
  ContextObject,
  FailState,
  Json,
  MapState,
  ParallelState,
  PassState,
  SucceedState,
  TaskState,
  Variables,
  WaitState,
} from './types.ts';
import { StatesError } from './types.ts';

const ctx = testContext({ state: 'S', retryCount: 2, input: { start: true } });
const mapCtx: ContextObject = { ...ctx, Map: { Item: { Index: 1, Value: { id: 'b' } } } };
const vars: Variables = { count: 3, name: 'nimbus' };
const input: Json = { a: 1, list: [1, 2, 3], user: { name: 'ada' } };
const io = createJsonataIO({
  now: () => Date.parse('2030-01-02T03:04:05.000Z'),
  uuid: () => 'u-1',
  random: () => 0.25,
});

const task = (extra: Partial<TaskState> = {}): TaskState => ({
  Type: 'Task',
  Resource: 'fn',
  End: true,
  ...extra,
});
const pass = (extra: Partial<PassState> = {}): PassState => ({ Type: 'Pass', End: true, ...extra });

/** Asserts a StatesError QueryEvaluationError whose cause names each fragment. */
async function rejectsQee(p: Promise<unknown>, ...fragments: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StatesError, String(e));
    assert.equal(e.error, 'States.QueryEvaluationError');
    for (const f of fragments) assert.ok(e.cause.includes(f), `${e.cause} should mention ${f}`);
    return true;
  });
}

describe('expressionOf / isRfc3339', () => {
  const exprs: [string, string | undefined][] = [
    ['{% $x %}', ' $x '],
    ['  {%$x%}  ', '$x'],
    ['{%\n  $states.input\n%}', '\n  $states.input\n'],
    ['{% $x', undefined],
    ['$x %}', undefined],
    ['plain', undefined],
    ['{%%}', ''],
  ];
  for (const [s, want] of exprs)
    it(`expressionOf(${JSON.stringify(s)})`, () => assert.equal(expressionOf(s), want));
  const stamps: [string, boolean][] = [
    ['2030-01-01T00:00:00Z', true],
    ['2030-01-01T00:00:00.123+02:00', true],
    ['2030-01-01t00:00:00z', false],
    ['2030-01-01 00:00:00Z', false],
    ['2030-13-01T00:00:00Z', false],
    ['2030-01-01T00:00:00', false],
    ['tomorrow', false],
  ];
  for (const [s, want] of stamps) it(`isRfc3339(${s}) is ${want}`, () => assert.equal(isRfc3339(s), want));
});

describe('effectiveInput (Arguments)', () => {
  const cases: [string, Partial<TaskState>, Json][] = [
    ['no Arguments: the raw input', {}, input],
    ['a literal template', { Arguments: { k: 'v', n: [1, null, true] } }, { k: 'v', n: [1, null, true] }],
    ['an expression', { Arguments: '{% $states.input.user %}' }, { name: 'ada' }],
    [
      'a template of expressions, variables and context',
      {
        Arguments: {
          who: '{% $states.input.user.name %}',
          n: '{% $count * 2 %}',
          run: '{% $states.context.Execution.Name %}',
        },
      },
      { who: 'ada', n: 6, run: 'run-1' },
    ],
    ['nested arrays', { Arguments: { xs: ['{% $name %}', ['{% $count %}']] } }, { xs: ['nimbus', [3]] }],
    [
      'a string that is not an expression',
      { Arguments: { s: '$count', t: '{% only open' } },
      { s: '$count', t: '{% only open' },
    ],
  ];
  for (const [name, extra, want] of cases)
    it(name, async () => assert.deepEqual(await io.effectiveInput(task(extra), input, ctx, vars), want));
  it('Parallel Arguments', async () => {
    const state: ParallelState = {
      Type: 'Parallel',
      Branches: [],
      End: true,
      Arguments: { x: '{% $states.input.a %}' },
    };
    assert.deepEqual(await io.effectiveInput(state, input, ctx, vars), { x: 1 });
  });
});

describe('resultOutput (Task, Parallel, Map)', () => {
  it('defaults to $states.result', async () => {
    assert.deepEqual(await io.resultOutput(task(), input, { r: 1 }, ctx, vars), { output: { r: 1 } });
  });
  it('Output sees $states.result and $states.input', async () => {
    const out = await io.resultOutput(
      task({ Output: { sum: '{% $states.result.r + $states.input.a %}' } }),
      input,
      { r: 41 },
      ctx,
      vars,
    );
    assert.deepEqual(out, { output: { sum: 42 } });
  });
  it('Assign and Output both see the old variable values', async () => {
    const state = task({
      Assign: { count: '{% $count + 1 %}', got: '{% $states.result %}' },
      Output: '{% $count %}',
    });
    const out = await io.resultOutput(state, input, 'res', ctx, vars);
    assert.deepEqual(out, { output: 3, assign: { count: 4, got: 'res' } });
  });
  it('Parallel and Map results are arrays', async () => {
    const par: ParallelState = {
      Type: 'Parallel',
      Branches: [],
      End: true,
      Output: '{% $count($states.result) %}',
    };
    assert.deepEqual(await io.resultOutput(par, input, [1, 2], ctx, {}), { output: 2 });
    const map: MapState = { Type: 'Map', End: true, Output: '{% $sum($states.result) %}' };
    assert.deepEqual(await io.resultOutput(map, input, [1, 2, 3], ctx, vars), { output: 6 });
  });
  it('undefined inside an expression object drops the key; a top-level undefined fails', async () => {
    const out = await io.resultOutput(
      task({ Output: '{% {"a": $states.result.missing, "b": 1} %}' }),
      input,
      {},
      ctx,
      {},
    );
    assert.deepEqual(out.output, { b: 1 });
    await rejectsQee(
      io.resultOutput(task({ Output: '{% $states.result.missing %}' }), input, {}, ctx, {}),
      'Output',
    );
  });
});

describe('passOutput, plainOutput', () => {
  const cases: [string, Partial<PassState>, Json][] = [
    ['Pass defaults to the raw input', {}, input],
    ['a literal string', { Output: 'done' }, 'done'],
    ['a literal number', { Output: 7 }, 7],
    ['null', { Output: null }, null],
    ['an array template', { Output: [1, '{% $states.input.a %}'] }, [1, 1]],
    ['an expression building an object', { Output: '{% {"n": $name} %}' }, { n: 'nimbus' }],
    ['JSONata sequences become arrays', { Output: '{% $states.input.list[$ > 1] %}' }, [2, 3]],
  ];
  for (const [name, extra, want] of cases)
    it(name, async () => assert.deepEqual((await io.passOutput(pass(extra), input, ctx, vars)).output, want));
  it('Pass Assign', async () => {
    const out = await io.passOutput(pass({ Assign: { lit: 'x', v: '{% $name %}' } }), input, ctx, vars);
    assert.deepEqual(out, { output: input, assign: { lit: 'x', v: 'nimbus' } });
  });
  it('Wait and Succeed default to the raw input; Output overrides', async () => {
    const wait: WaitState = { Type: 'Wait', Seconds: 1, Next: 'X' };
    assert.deepEqual(await io.plainOutput(wait, input, ctx, vars), { output: input });
    const succeed: SucceedState = { Type: 'Succeed', Output: '{% $states.input.a %}' };
    assert.deepEqual(await io.plainOutput(succeed, input, ctx, vars), { output: 1 });
    const assigned: WaitState = { ...wait, Assign: { w: '{% $count %}' } };
    assert.deepEqual(await io.plainOutput(assigned, input, ctx, vars), { output: input, assign: { w: 3 } });
  });
});

describe('choose (Condition, rule-level Output and Assign)', () => {
  const state: ChoiceState = {
    Type: 'Choice',
    Output: { from: 'state' },
    Assign: { picked: 'state', keep: 1 },
    Choices: [
      { Condition: '{% $states.input.a > 5 %}', Next: 'Big' },
      {
        Condition: '{% $states.input.a = 1 %}',
        Next: 'One',
        Output: '{% $count %}',
        Assign: { picked: 'one' },
      },
    ],
    Default: 'Other',
  };
  it('the first matching rule wins, its Output and Assign over the state-level ones', async () => {
    const out = await io.choose(state, input, ctx, vars);
    assert.deepEqual(out, { next: 'One', output: 3, assign: { picked: 'one', keep: 1 } });
  });
  it('a rule without Output uses the state-level Output', async () => {
    const out = await io.choose(state, { a: 9 }, ctx, vars);
    assert.deepEqual(out, { next: 'Big', output: { from: 'state' }, assign: { picked: 'state', keep: 1 } });
  });
  it('no match: the Default, with the state-level Output and Assign', async () => {
    assert.deepEqual(await io.choose(state, { a: 3 }, ctx, vars), {
      next: 'Other',
      output: { from: 'state' },
      assign: { picked: 'state', keep: 1 },
    });
  });
  it('no match and no Default: next undefined, output the raw input', async () => {
    const bare: ChoiceState = { Type: 'Choice', Choices: [{ Condition: '{% false %}', Next: 'X' }] };
    assert.deepEqual(await io.choose(bare, input, ctx, vars), { next: undefined, output: input });
  });
  it('a literal boolean Condition', async () => {
    const lit: ChoiceState = { Type: 'Choice', Choices: [{ Condition: true, Next: 'Yes' }] };
    assert.equal((await io.choose(lit, input, ctx, vars)).next, 'Yes');
  });
  it('a Condition that is not a boolean is a QueryEvaluationError', async () => {
    const bad: ChoiceState = { Type: 'Choice', Choices: [{ Condition: '{% $states.input.a %}', Next: 'X' }] };
    await rejectsQee(io.choose(bad, input, ctx, vars), 'Choices[0].Condition', '$states.input.a', 'boolean');
  });
  it('conditions see variables', async () => {
    const v: ChoiceState = { Type: 'Choice', Choices: [{ Condition: "{% $name = 'nimbus' %}", Next: 'N' }] };
    assert.equal((await io.choose(v, input, ctx, vars)).next, 'N');
  });
});

describe('waitUntil', () => {
  const now = 1_000_000;
  const wait = (extra: Partial<WaitState>): WaitState => ({ Type: 'Wait', Next: 'X', ...extra });
  const ok: [string, Partial<WaitState>, number][] = [
    ['literal Seconds', { Seconds: 10 }, now + 10_000],
    ['Seconds 0', { Seconds: 0 }, now],
    ['Seconds from an expression', { Seconds: '{% $count * 2 %}' }, now + 6_000],
    ['a literal Timestamp', { Timestamp: '2030-01-01T00:00:00Z' }, Date.parse('2030-01-01T00:00:00Z')],
    [
      'a Timestamp expression',
      { Timestamp: "{% '2030-01-01T00:00:01+01:00' %}" },
      Date.parse('2029-12-31T23:00:01Z'),
    ],
  ];
  for (const [name, extra, want] of ok)
    it(name, async () => assert.equal(await io.waitUntil(wait(extra), input, ctx, vars, now), want));
  const bad: [string, Partial<WaitState>, string][] = [
    ['negative Seconds', { Seconds: '{% -1 %}' }, 'Seconds'],
    ['fractional Seconds', { Seconds: '{% 1.5 %}' }, 'Seconds'],
    ['Seconds of a string', { Seconds: "{% '10' %}" }, 'Seconds'],
    ['a Timestamp that is not RFC 3339', { Timestamp: "{% '2030-01-01 00:00:00' %}" }, 'RFC 3339'],
    ['a lowercase t', { Timestamp: '2030-01-01t00:00:00Z' }, 'Timestamp'],
  ];
  for (const [name, extra, fragment] of bad)
    it(`${name} is a QueryEvaluationError`, () =>
      rejectsQee(io.waitUntil(wait(extra), input, ctx, vars, now), fragment));
});

describe('failure (Error, Cause)', () => {
  it('literals and expressions', async () => {
    const f: FailState = {
      Type: 'Fail',
      Error: 'Custom.Oops',
      Cause: "{% 'bad ' & $states.input.user.name %}",
    };
    assert.deepEqual(await io.failure(f, input, ctx, vars), { error: 'Custom.Oops', cause: 'bad ada' });
    assert.deepEqual(await io.failure({ Type: 'Fail' }, input, ctx, vars), {});
  });
  it('a non-string result is a QueryEvaluationError', async () => {
    await rejectsQee(
      io.failure({ Type: 'Fail', Error: '{% $count %}' }, input, ctx, vars),
      'Error',
      '$count',
    );
  });
});

describe('mapItems, mapItemInput', () => {
  const map = (extra: Partial<MapState>): MapState => ({ Type: 'Map', End: true, ...extra });
  it('Items defaults to the input, which must be an array', async () => {
    assert.deepEqual(await io.mapItems(map({}), [1, 2], ctx, vars), [1, 2]);
    await rejectsQee(io.mapItems(map({}), input, ctx, vars), 'array');
  });
  it('Items from an expression, or an array of templates', async () => {
    assert.deepEqual(
      await io.mapItems(map({ Items: '{% $states.input.list %}' }), input, ctx, vars),
      [1, 2, 3],
    );
    assert.deepEqual(await io.mapItems(map({ Items: [1, '{% $name %}'] }), input, ctx, vars), [1, 'nimbus']);
  });
  it('Items that are not an array is a QueryEvaluationError', async () => {
    await rejectsQee(
      io.mapItems(map({ Items: '{% $states.input.user %}' }), input, ctx, vars),
      'Items',
      'array',
    );
  });
  it('ItemSelector sees $states.context.Map.Item and $states.input', async () => {
    const m = map({
      ItemSelector: {
        id: '{% $states.context.Map.Item.Value.id %}',
        i: '{% $states.context.Map.Item.Index %}',
        a: '{% $states.input.a %}',
      },
    });
    assert.deepEqual(await io.mapItemInput(m, input, mapCtx, vars), { id: 'b', i: 1, a: 1 });
  });
  it('without ItemSelector the item itself', async () => {
    assert.deepEqual(await io.mapItemInput(map({}), input, mapCtx, vars), { id: 'b' });
  });
});

describe('numberField', () => {
  const fields = [
    'TimeoutSeconds',
    'HeartbeatSeconds',
    'MaxConcurrency',
    'ToleratedFailurePercentage',
    'ToleratedFailureCount',
  ] as const;
  for (const field of fields) {
    it(`${field}: absent, literal, expression`, async () => {
      assert.equal(await io.numberField(task(), field, input, ctx, vars), undefined);
      assert.equal(await io.numberField(task({ [field]: 5 }), field, input, ctx, vars), 5);
      assert.equal(await io.numberField(task({ [field]: '{% $count + 1 %}' }), field, input, ctx, vars), 4);
    });
  }
  const bad: [(typeof fields)[number], Json][] = [
    ['TimeoutSeconds', '{% 0 %}'],
    ['HeartbeatSeconds', '{% 1.5 %}'],
    ['MaxConcurrency', '{% -1 %}'],
    ['ToleratedFailurePercentage', '{% 101 %}'],
    ['ToleratedFailureCount', "{% 'x' %}"],
    ['TimeoutSeconds', 'ten'],
  ];
  for (const [field, v] of bad)
    it(`${field} = ${JSON.stringify(v)} is a QueryEvaluationError`, () =>
      rejectsQee(io.numberField(task({ [field]: v }), field, input, ctx, vars), field));
  it('a fractional percentage is allowed', async () => {
    assert.equal(
      await io.numberField(
        { Type: 'Map', End: true, ToleratedFailurePercentage: '{% 12.5 %}' },
        'ToleratedFailurePercentage',
        input,
        ctx,
        vars,
      ),
      12.5,
    );
  });
});

describe('catchOutput', () => {
  const error = { Error: 'States.TaskFailed', Cause: 'boom' };
  it('defaults to the error output', async () => {
    const c: Catcher = { ErrorEquals: ['States.ALL'], Next: 'H' };
    assert.deepEqual(await io.catchOutput(c, input, error, ctx, vars), { output: error });
  });
  it('Output and Assign see $states.errorOutput and $states.input', async () => {
    const c: Catcher = {
      ErrorEquals: ['States.ALL'],
      Next: 'H',
      Output: { err: '{% $states.errorOutput.Error %}', a: '{% $states.input.a %}' },
      Assign: { lastCause: '{% $states.errorOutput.Cause %}' },
    };
    const out = await io.catchOutput(c, input, error, ctx, vars);
    assert.deepEqual(out, { output: { err: 'States.TaskFailed', a: 1 }, assign: { lastCause: 'boom' } });
  });
});

describe('extension functions', () => {
  const cases: [string, Json][] = [
    ['$partition([1,2,3,4,5], 2)', [[1, 2], [3, 4], [5]]],
    ['$range(0, 10, 2)', [0, 2, 4, 6, 8, 10]],
    ['$range(5, 1, -2)', [5, 3, 1]],
    ['$range(1, 3)', [1, 2, 3]],
    ["$hash('abc', 'SHA-256')", createHash('sha256').update('abc').digest('hex')],
    ["$hash('abc', 'MD5')", createHash('md5').update('abc').digest('hex')],
    ["$hash('abc', 'SHA-512')", createHash('sha512').update('abc').digest('hex')],
    ['$random()', 0.25],
    ['$random(42) = $random(42)', true],
    ['$random(42) = $random(43)', false],
    ['$random(7) >= 0 and $random(7) < 1', true],
    ['$uuid()', 'u-1'],
    [`$parse('{"a":[1,2]}')`, { a: [1, 2] }],
    ['$now()', '2030-01-02T03:04:05.000Z'],
    ['$millis()', Date.parse('2030-01-02T03:04:05.000Z')],
    ["$now('[Y0001]')", '2030'],
  ];
  for (const [expr, want] of cases)
    it(expr, async () =>
      assert.deepEqual(
        (await io.passOutput(pass({ Output: `{% ${expr} %}` }), input, ctx, vars)).output,
        want,
      ),
    );
  const bad: [string, string][] = [
    ['$partition([1,2], 0)', 'size'],
    ['$range(1, 5000)', 'at most'],
    ['$range(1, 5, 0)', 'step'],
    ["$hash('a', 'SHA-3')", 'algorithm'],
    ["$parse('{nope')", 'not JSON'],
    ["$eval('1')", '$parse'],
  ];
  for (const [expr, fragment] of bad)
    it(`${expr} fails`, () =>
      rejectsQee(io.passOutput(pass({ Output: `{% ${expr} %}` }), input, ctx, vars), fragment));
  it('defaults: $uuid is a v4 UUID, $random in [0, 1)', async () => {
    const plain = createJsonataIO();
    const out = await plain.passOutput(
      pass({ Output: { u: '{% $uuid() %}', r: '{% $random() %}' } }),
      input,
      ctx,
      vars,
    );
    const o = out.output as { u: string; r: number };
    assert.match(o.u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(o.r >= 0 && o.r < 1);
  });
});

describe('errors', () => {
  const cases: [string, Json, string[]][] = [
    [
      'an evaluation error names the field and the expression',
      { x: "{% $number('abc') + $nope() %}" },
      ['Output.x', '$nope()'],
    ],
    ['a syntax error at run time', { y: ['{% $states.input. %}'] }, ['Output.y[0]', 'not valid JSONata']],
    ['a function is not JSON', '{% function($v) { $v } %}', ['function']],
    ['an infinite number is not JSON', '{% 1/0 %}', ['non-finite']],
    ['undefined at the top', '{% $nothing %}', ['returned nothing']],
  ];
  for (const [name, output, fragments] of cases)
    it(name, () => rejectsQee(io.passOutput(pass({ Output: output }), input, ctx, vars), ...fragments));
  it('Assign must be an object', async () => {
    const bad = pass({ Assign: 'x' as never });
    await rejectsQee(io.passOutput(bad, input, ctx, vars), 'Assign');
  });
  it('the same expression evaluates again from the cache, with new bindings', async () => {
    const state = pass({ Output: '{% $states.input.a + $count %}' });
    assert.equal((await io.passOutput(state, { a: 1 }, ctx, { count: 1 })).output, 2);
    assert.equal((await io.passOutput(state, { a: 10 }, ctx, { count: 5 })).output, 15);
  });
  it('concurrent evaluations do not share bindings', async () => {
    const state = pass({ Output: '{% $states.input.a %}' });
    const outs = await Promise.all([1, 2, 3, 4].map((a) => io.passOutput(state, { a }, ctx, vars)));
    assert.deepEqual(
      outs.map((o) => o.output),
      [1, 2, 3, 4],
    );
  });
  it('a mapItemInput without a Map context is a States.Runtime error', async () => {
    await assert.rejects(io.mapItemInput({ Type: 'Map', End: true }, input, ctx, vars), (e: unknown) => {
      assert.ok(e instanceof StatesError);
      assert.equal(e.error, 'States.Runtime');
      return true;
    });
  });
});
