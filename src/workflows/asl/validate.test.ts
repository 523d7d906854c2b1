/**
 * @module workflows/asl/validate.test
 * Definitions: valid ones of every state type pass (JSONPath, JSONata, mixed, YAML); each rule has
 * a failing case whose problem names the state and the field; hostile definitions (20,000 states,
 * nesting 200 deep, > 1 MiB) are refused quickly and without a stack overflow; parseDefinition.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNimbusError } from '../../core/errors.ts';
import { DEFINITION_LIMITS, definitionFromValue, parseDefinition } from './parse.ts';
import { type ValidationProblem, validateDefinition } from './validate.ts';

type Def = Record<string, unknown>;
const clone = (d: Def): Def => structuredClone(d);

const JSONPATH: Def = {
  Comment: 'every state type, JSONPath',
  StartAt: 'Prepare',
  TimeoutSeconds: 3600,
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'id.$': '$.id', fixed: 1 }, ResultPath: '$.prep', Next: 'Resize' },
    Resize: {
      Type: 'Task',
      Resource: 'resize:live',
      InputPath: '$.prep',
      ResultSelector: { 'size.$': '$.size' },
      ResultPath: '$.resized',
      TimeoutSeconds: 30,
      Retry: [
        {
          ErrorEquals: ['Lambda.TooManyRequestsException'],
          IntervalSeconds: 1,
          MaxAttempts: 3,
          BackoffRate: 2,
        },
        { ErrorEquals: ['States.ALL'], MaxDelaySeconds: 10, JitterStrategy: 'FULL' },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
      Next: 'Invoke',
    },
    Invoke: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:thumb', 'Payload.$': '$' },
      Next: 'Notify',
    },
    Notify: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' },
      HeartbeatSeconds: 60,
      Next: 'Route',
    },
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.resized.size', NumericGreaterThan: 100, Next: 'Fan' },
        {
          And: [{ Variable: '$.kind', StringEquals: 'slow' }, { Not: { Variable: '$.x', IsPresent: true } }],
          Next: 'Pause',
        },
      ],
      Default: 'Done',
    },
    Pause: { Type: 'Wait', Seconds: 5, Next: 'PauseUntil' },
    PauseUntil: { Type: 'Wait', TimestampPath: '$.until', Next: 'Fan' },
    Fan: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'B1', States: { B1: { Type: 'Pass', Result: { x: 1 }, End: true } } },
        { StartAt: 'B2', States: { B2: { Type: 'Wait', Timestamp: '2030-01-01T00:00:00Z', End: true } } },
      ],
      ResultPath: '$.fan',
      Next: 'Each',
    },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'item.$': '$$.Map.Item.Value' },
      MaxConcurrency: 4,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Work',
        States: {
          Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work', End: true },
        },
      },
      ResultPath: null,
      Next: 'Legacy',
    },
    Legacy: {
      Type: 'Map',
      Iterator: { StartAt: 'L', States: { L: { Type: 'Succeed' } } },
      Assign: { 'total.$': '$.count' },
      Next: 'Done',
    },
    Done: { Type: 'Succeed', OutputPath: '$.resized' },
    Failed: { Type: 'Fail', Error: 'Resize.Failed', CausePath: '$.error.Cause' },
  },
};

const JSONATA: Def = {
  Comment: 'every state type, JSONata',
  QueryLanguage: 'JSONata',
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Pass',
      Assign: { id: '{% $states.input.id %}', empty: '', lines: 'a\nb' },
      Output: { id: '{% $states.input.id %}', list: [[1, 2], ['x']], note: '' },
      Next: 'Resize',
    },
    Resize: {
      Type: 'Task',
      Resource: 'resize',
      Arguments: { id: '{% $id %}', size: '{% $states.input.size ? $states.input.size : 100 %}' },
      TimeoutSeconds: '{% 30 %}',
      HeartbeatSeconds: 10,
      Output: '{%\n  $merge([$states.input, {"resized": $states.result}])\n%}',
      Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }],
      Catch: [
        {
          ErrorEquals: ['States.ALL'],
          Output: '{% $states.errorOutput %}',
          Assign: { failed: true },
          Next: 'Failed',
        },
      ],
      Next: 'Invoke',
    },
    Invoke: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Arguments: { FunctionName: 'thumb', Payload: '{% $states.input %}' },
      Output: '{% $states.result.Payload %}',
      Next: 'Route',
    },
    Route: {
      Type: 'Choice',
      Choices: [
        { Condition: '{% $states.input.size > 100 %}', Next: 'Fan', Assign: { big: true }, Output: 'big' },
        { Condition: true, Next: 'Pause' },
      ],
      Default: 'Done',
      Output: '{% $states.input %}',
    },
    Pause: { Type: 'Wait', Seconds: '{% $count(["a"]) %}', Next: 'PauseUntil' },
    PauseUntil: { Type: 'Wait', Timestamp: '{% $states.input.until %}', Next: 'Fan' },
    Fan: {
      Type: 'Parallel',
      Arguments: { a: 1 },
      Branches: [{ StartAt: 'B1', States: { B1: { Type: 'Pass', Output: 7, End: true } } }],
      Output: '{% $states.result[0] %}',
      Next: 'Each',
    },
    Each: {
      Type: 'Map',
      Items: '{% $states.input.items %}',
      ItemSelector: { value: '{% $states.context.Map.Item.Value %}' },
      MaxConcurrency: '{% 2 %}',
      ToleratedFailurePercentage: 10,
      ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'work:1', End: true } } },
      Next: 'Done',
    },
    Done: { Type: 'Succeed', Output: { ok: true } },
    Failed: { Type: 'Fail', Error: '{% "Resize.Failed" %}', Cause: 'the resize\nfailed' },
  },
};

const MIXED: Def = {
  StartAt: 'Old',
  States: {
    Old: { Type: 'Pass', Result: 1, ResultPath: '$.n', Next: 'New' },
    New: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $states.input.n + 1 %}', End: true },
  },
};

const DISTRIBUTED: Def = {
  StartAt: 'Big',
  States: {
    Big: {
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: 'b', Key: 'k' },
      },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'W',
        States: { W: { Type: 'Succeed' } },
      },
      ToleratedFailureCount: 5,
      End: true,
    },
  },
};

function errorsOf(def: unknown): ValidationProblem[] {
  const r = validateDefinition(def);
  return r.ok ? [] : r.errors;
}

function expectProblem(
  def: unknown,
  want: { path: string; state?: string; field?: string; message?: RegExp },
): void {
  const errors = errorsOf(def);
  const hit = errors.find((e) => e.path === want.path);
  assert.ok(hit, `expected a problem at ${want.path}, got ${JSON.stringify(errors, null, 1)}`);
  if (want.state !== undefined) assert.equal(hit.state, want.state);
  if (want.field !== undefined) assert.equal(hit.field, want.field);
  if (want.message) assert.match(hit.message, want.message);
}

/** A definition whose only state is `state` (JSONPath unless ql says otherwise). */
const one = (state: Def, ql?: 'JSONata'): Def => ({
  ...(ql ? { QueryLanguage: ql } : {}),
  StartAt: 'S',
  States: { S: state },
});

describe('valid definitions pass', () => {
  const cases: [string, Def][] = [
    ['JSONPath, every state type', JSONPATH],
    ['JSONata, every state type (literal Output, multi-line and unspaced {% %})', JSONATA],
    ['a JSONPath machine with a JSONata state', MIXED],
    ['a DISTRIBUTED Map with an ItemReader', DISTRIBUTED],
    ['a bare function name Resource', one({ Type: 'Task', Resource: 'hello', End: true })],
    [
      'an unspaced JSONata expression',
      one({ Type: 'Pass', Output: '{%$states.input%}', End: true }, 'JSONata'),
    ],
  ];
  for (const [name, def] of cases) {
    it(name, () => {
      const r = validateDefinition(clone(def));
      assert.deepEqual(r.ok ? [] : r.errors, []);
      assert.ok(r.ok && r.definition.StartAt === def['StartAt']);
    });
  }
  it('the definition is not modified (asl-validator works on a copy)', () => {
    const def = clone(JSONPATH);
    validateDefinition(def);
    assert.deepEqual(def, JSONPATH);
  });
});

/**
 * [name, definition, path, message]. A path starting with `.` is under the single state `S`; the
 * expected state is the one the path names last, the field what follows it.
 */
type Case = [string, Def, string, RegExp];
const jp = (s: Def): Def => one(s);
const ja = (s: Def): Def => one(s, 'JSONata');
const T = { Type: 'Task', Resource: 'fn', End: true };
const W = { StartAt: 'W', States: { W: { Type: 'Succeed' } } };
const two = (a: Def, b: Def = { Type: 'Succeed' }): Def => ({ StartAt: 'A', States: { A: a, B: b } });
const retry = (r: Def): Def => jp({ ...T, Retry: [{ ErrorEquals: ['X'], ...r }] });
const catches = (...c: Def[]): Def[] => c.map((x) => ({ ErrorEquals: ALL, Next: 'S', ...x }));
const map = (m: Def, ql?: 'JSONata'): Def => one({ Type: 'Map', ItemProcessor: W, End: true, ...m }, ql);
const wait = (w: Def): Def => jp({ Type: 'Wait', End: true, ...w });
const choice = (rules: Def[], ql?: 'JSONata'): Def => one({ Type: 'Choice', Choices: rules }, ql);
const branch = (next: string): Def => ({ StartAt: 'X', States: { X: { Type: 'Pass', Next: next } } });
const rule = { Variable: '$.x', IsPresent: true, Next: 'B' };
const ALL = ['States.ALL'];
const INVOKE = 'arn:aws:states:::lambda:invoke';
const LONG = 'x'.repeat(81);
const BIG = (DISTRIBUTED['States'] as Def)['Big'] as Def;

const PAR_OUT = two({ Type: 'Parallel', Branches: [branch('B')], Next: 'B' });
const MAP_OUT = two({ Type: 'Map', ItemProcessor: branch('B'), Next: 'B' });
const TWICE = jp({ Type: 'Parallel', Branches: [{ StartAt: 'S', States: { S: T } }], End: true });
const res = (Resource: unknown, extra: Def = {}, ql?: 'JSONata'): Def =>
  one({ ...T, Resource, ...extra }, ql);
const cond = (Condition: string, ql?: 'JSONata'): Def => choice([{ Condition, Next: 'S' }], ql);
const S3 = 'arn:aws:states:::s3:getObject';
const RX = { ErrorEquals: ['X'] };
const failing: Case[] = [
  // scopes and transitions
  ['StartAt names no state', { StartAt: 'Nope', States: { A: T } }, 'StartAt', /"Nope" is not a state/],
  ['Next names no state', two({ Type: 'Pass', Next: 'Q' }), 'States.A.Next', /"Q"/],
  ['a branch to the top level', PAR_OUT, 'States.A.Branches[0].States.X.Next', /of States\.A\.Branches\[0\]/],
  ['a Map iteration to the top level', MAP_OUT, 'States.A.ItemProcessor.States.X.Next', /not a state/],
  ['Catch Next names no state', jp({ ...T, Catch: catches({ Next: 'H' }) }), '.Catch[0].Next', /"H"/],
  ['Default names no state', two({ Type: 'Choice', Choices: [rule], Default: 'Q' }), 'States.A.Default', /Q/],
  ['an unreachable state', two(T), 'States.B', /not reachable/],
  ['Next and End', two({ Type: 'Pass', Next: 'B', End: true }), 'States.A.End', /both/],
  ['neither Next nor End', jp({ Type: 'Pass' }), '.Next', /needs Next/],
  ['a Choice with End', two({ Type: 'Choice', Choices: [rule], End: true }), 'States.A.End', /Choice/],
  ['a Succeed with Next', jp({ Type: 'Succeed', Next: 'S' }), '.Next', /no Next/],
  ['a name used twice', TWICE, 'States.S.Branches[0].States.S', /unique/],
  ['an unknown Type', jp({ Type: 'Lambda', End: true }), '.Type', /one of/],
  ['an unknown field', jp({ ...T, Foo: 1 }), '.Foo', /not a field of a Task/],
  ['a state name over 80 characters', { StartAt: LONG, States: { [LONG]: T } }, `States.${LONG}`, /80/],
  // Task resources
  ['a Resource Nimbus does not run', res('arn:aws:states:::dynamodb:getItem'), '.Resource', /served/],
  ['a Resource that is no function name', res('my fn'), '.Resource', /not a function name/],
  ['a non-string Resource', res({ Ref: 'Fn' }), '.Resource', /string/],
  ['lambda:invoke without FunctionName', res(INVOKE, { Parameters: {} }), '.Parameters', /FunctionName/],
  ['the same, JSONata', res(INVOKE, { Arguments: {} }, 'JSONata'), '.Arguments', /FunctionName/],
  ['a TimeoutSeconds of 0', jp({ ...T, TimeoutSeconds: 0 }), '.TimeoutSeconds', /integer >= 1/],
  // query languages
  ['JSONPath in a JSONata machine', ja({ ...T, QueryLanguage: 'JSONPath' }), '.QueryLanguage', /cannot/],
  ['an unknown QueryLanguage', jp({ ...T, QueryLanguage: 'XPath' }), '.QueryLanguage', /must be/],
  ['JSONata Pass with Result', ja({ Type: 'Pass', Result: 1, End: true }), '.Result', /JSONPath-only/],
  ['a JSONPath rule with Condition', cond('{% true %}'), '.Choices[0].Condition', /JSONata-only/],
  ['a JSONata rule with Variable', choice([rule], 'JSONata'), '.Choices[0].Variable', /JSONPath-only/],
  ['a JSONata rule without Condition', choice([rule], 'JSONata'), '.Choices[0].Condition', /needs/],
  ['a Condition that is no expression', cond('true', 'JSONata'), '.Choices[0].Condition', /expression/],
  ['JSONata ResultPath', ja({ ...T, Catch: catches({ ResultPath: '$' }) }), '.Catch[0].ResultPath', /only/],
  ['JSONPath Catch Output', jp({ ...T, Catch: catches({ Output: 1 }) }), '.Catch[0].Output', /JSONata-only/],
  ['an Output that does not compile', ja({ ...T, Output: { a: ['{% $x. %}'] } }), '.Output.a[0]', /compile/],
  ['Arguments that do not compile', ja({ ...T, Arguments: '{% ( %}' }), '.Arguments', /does not compile/],
  ['an Assign that is not an object', jp({ ...T, Assign: 'x' }), '.Assign', /object/],
  // Retry and Catch
  ['MaxAttempts -1', retry({ MaxAttempts: -1 }), '.Retry[0].MaxAttempts', /integer >= 0/],
  ['MaxAttempts 1.5', retry({ MaxAttempts: 1.5 }), '.Retry[0].MaxAttempts', /integer/],
  ['IntervalSeconds 0', retry({ IntervalSeconds: 0 }), '.Retry[0].IntervalSeconds', /integer >= 1/],
  ['BackoffRate 0.5', retry({ BackoffRate: 0.5 }), '.Retry[0].BackoffRate', /number >= 1/],
  ['MaxDelaySeconds 0', retry({ MaxDelaySeconds: 0 }), '.Retry[0].MaxDelaySeconds', /integer >= 1/],
  ['JitterStrategy SOME', retry({ JitterStrategy: 'SOME' }), '.Retry[0].JitterStrategy', /FULL or NONE/],
  ['an empty ErrorEquals', retry({ ErrorEquals: [] }), '.Retry[0].ErrorEquals', /non-empty/],
  ['States.ALL not alone', retry({ ErrorEquals: ['States.ALL', 'X'] }), '.Retry[0].ErrorEquals', /alone/],
  ['Retry: States.ALL first', jp({ ...T, Retry: [{ ErrorEquals: ALL }, RX] }), '.Retry[0].ErrorEquals', /la/],
  ['Catch: States.ALL first', jp({ ...T, Catch: catches({}, RX) }), '.Catch[0].ErrorEquals', /last/],
  // Wait
  ['a Wait without a duration', wait({}), '.Seconds', /needs one of/],
  ['Seconds and Timestamp', wait({ Seconds: 1, Timestamp: '2030-01-01T00:00:00Z' }), '.Timestamp', /one/],
  ['Seconds and SecondsPath', wait({ Seconds: 1, SecondsPath: '$.s' }), '.SecondsPath', /keep one/],
  ['a fractional Seconds', wait({ Seconds: 1.5 }), '.Seconds', /integer/],
  ['a Timestamp not RFC 3339', wait({ Timestamp: '2030-01-01 00:00' }), '.Timestamp', /RFC 3339/],
  // Map
  ['a Map without ItemProcessor', jp({ Type: 'Map', End: true }), '.ItemProcessor', /needs an ItemProcessor/],
  ['another reader', jp({ ...BIG, ItemReader: { Resource: 'x' } }), '.ItemReader.Resource', /s3/],
  ['an ItemReader in an INLINE Map', map({ ItemReader: { Resource: S3 } }), '.ItemReader', /DISTRIBUTED/],
  ['MaxConcurrency -1', map({ MaxConcurrency: -1 }), '.MaxConcurrency', />= 0/],
  ['101 percent', map({ ToleratedFailurePercentage: 101 }), '.ToleratedFailurePercentage', /0 to 100/],
  ['ToleratedFailureCount 1.5', map({ ToleratedFailureCount: 1.5 }), '.ToleratedFailureCount', /integer/],
  ['JSONata Items not an array', map({ Items: 'abc' }, 'JSONata'), '.Items', /array/],
  // asl-validator's own findings, mapped to the state and field
  ['a bad path in Parameters', jp({ ...T, Parameters: { 'a.$': '$.[[' } }), '.Parameters["a.$"]', /payload/],
  ['a bad InputPath', jp({ ...T, InputPath: 'not a path' }), '.InputPath', /asl_path/],
  ['both timeout forms', jp({ ...T, TimeoutSeconds: 5, TimeoutSecondsPath: '$' }), '.TimeoutSeconds', /most/],
  ['a and a.$', jp({ ...T, Parameters: { a: 1, 'a.$': '$' } }), '.Parameters["a.$"]', /same field/],
];
for (const f of [
  ...['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'ItemsPath', 'SecondsPath'],
  ...['TimestampPath', 'ErrorPath', 'CausePath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath'],
])
  failing.push([`a JSONata state with ${f}`, ja({ ...T, [f]: '$.x' }), `.${f}`, /JSONPath-only/]);
for (const f of ['Arguments', 'Output', 'Items'])
  failing.push([`a JSONPath state with ${f}`, jp({ ...T, [f]: { a: 1 } }), `.${f}`, /JSONata-only/]);

describe('each rule names the state and the field', () => {
  for (const [name, def, where, message] of failing) {
    it(name, () => {
      const path = where.startsWith('.') ? `States.S${where}` : where;
      const match = [...path.matchAll(/(?:^|\.)States\.([^.[]+)/g)].pop();
      if (!match) return expectProblem(def, { path, message });
      const field = path.slice((match.index ?? 0) + match[0].length + 1);
      expectProblem(def, { path, state: match[1]!, ...(field ? { field } : {}), message });
    });
  }
});

describe('hostile definitions', () => {
  it('a 20,000-state definition is refused quickly', () => {
    const States: Def = {};
    for (let i = 0; i < 20_000; i++) States[`s${i}`] = { Type: 'Succeed' };
    const t0 = performance.now();
    const errors = errorsOf({ StartAt: 's0', States });
    assert.ok(performance.now() - t0 < 1_000, 'took too long');
    assert.ok(
      errors.some((e) => e.path === '' && /more than 10000 states/.test(e.message)),
      JSON.stringify(errors),
    );
  });
  it('Parallel nested 200 deep is refused without a stack overflow', () => {
    let inner: Def = { StartAt: 'Leaf', States: { Leaf: { Type: 'Succeed' } } };
    for (let i = 199; i >= 0; i--)
      inner = { StartAt: `P${i}`, States: { [`P${i}`]: { Type: 'Parallel', Branches: [inner], End: true } } };
    const t0 = performance.now();
    const errors = errorsOf(inner);
    assert.ok(performance.now() - t0 < 1_000, 'took too long');
    const nesting = errors.find((e) => /nest deeper than 32/.test(e.message));
    assert.ok(nesting, JSON.stringify(errors));
    assert.equal(nesting.state, 'P32');
    assert.equal(nesting.field, 'Branches[0]');
  });
  it('33 levels of Map nesting are refused, 32 pass', () => {
    const nest = (levels: number): Def => {
      let inner: Def = { StartAt: 'Leaf', States: { Leaf: { Type: 'Succeed' } } };
      for (let i = levels - 1; i >= 0; i--)
        inner = { StartAt: `M${i}`, States: { [`M${i}`]: { Type: 'Map', ItemProcessor: inner, End: true } } };
      return inner;
    };
    assert.deepEqual(errorsOf(nest(32)), []);
    const path = `${Array.from({ length: 33 }, (_, i) => `States.M${i}`).join('.ItemProcessor.')}.ItemProcessor`;
    expectProblem(nest(33), { path, state: 'M32', field: 'ItemProcessor', message: /nest deeper than 32/ });
  });
  it('deep JSON nesting in a template is refused without a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const errors = errorsOf(jp({ Type: 'Pass', Result: deep as Def, End: true }));
    assert.ok(
      errors.some((e) => /nested deeper than 256/.test(e.message)),
      JSON.stringify(errors),
    );
  });
  it('a definition over 1 MiB is refused', () => {
    const errors = errorsOf(jp({ Type: 'Pass', Result: 'x'.repeat(DEFINITION_LIMITS.maxBytes), End: true }));
    assert.ok(
      errors.some((e) => e.path === '' && /bytes serialized/.test(e.message)),
      JSON.stringify(errors),
    );
  });
  it('not an object', () => {
    for (const v of [null, [], 'x', 1]) assert.equal(errorsOf(v)[0]?.path, '');
  });
});

describe('parseDefinition', () => {
  it('JSON', () => {
    assert.deepEqual(parseDefinition(JSON.stringify(JSONPATH)), JSONPATH);
  });
  it('YAML, which then validates', () => {
    const yaml = [
      'Comment: hello',
      'StartAt: Hello',
      'States:',
      '  Hello:',
      '    Type: Task',
      '    Resource: hello',
      '    Retry:',
      '      - ErrorEquals: [States.ALL]',
      '        MaxAttempts: 2',
      '    Next: Done',
      '  Done:',
      '    Type: Succeed',
      '    Comment: "yes"',
    ].join('\n');
    const def = parseDefinition(yaml);
    assert.deepEqual(validateDefinition(def).ok, true);
    assert.deepEqual((def as { States: { Hello: { Retry: unknown } } }).States.Hello.Retry, [
      { ErrorEquals: ['States.ALL'], MaxAttempts: 2 },
    ]);
  });
  it('YAML flow style, JSONata expressions and a BOM', () => {
    const def = parseDefinition(
      "\uFEFF{StartAt: A, States: {A: {Type: Pass, Output: '{% 1 %}', End: true}}}",
    );
    assert.deepEqual(def, { StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% 1 %}', End: true } } });
  });
  const bad: [string, string, string][] = [
    ['a JSON syntax error', '{"StartAt": "A", "States": {', 'NIMBUS_ERR_ASL_SYNTAX'],
    ['a YAML syntax error', 'StartAt: A\nStates:\n  - : : [', 'NIMBUS_ERR_ASL_SYNTAX'],
    ['a duplicate YAML key', 'StartAt: A\nStartAt: B\nStates: {}', 'NIMBUS_ERR_ASL_SYNTAX'],
    ['two YAML documents', 'StartAt: A\n---\nStartAt: B', 'NIMBUS_ERR_ASL_SYNTAX'],
    ['an empty text', '  \n', 'NIMBUS_ERR_ASL_SYNTAX'],
    ['YAML .inf', 'StartAt: A\nTimeoutSeconds: .inf\nStates: {}', 'NIMBUS_ERR_ASL_NOT_JSON'],
    ['a text over the limit', `{"Comment": "${'x'.repeat(3 * 1024 * 1024)}"}`, 'NIMBUS_ERR_ASL_TOO_LARGE'],
    ['hostile JSON nesting', `${'['.repeat(200_000)}${']'.repeat(200_000)}`, 'NIMBUS_ERR_ASL_NOT_JSON'],
    ['hostile YAML nesting', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'NIMBUS_ERR_ASL_'],
  ];
  for (const [name, text, code] of bad) {
    it(`${name} is a coded error`, () => {
      assert.throws(
        () => parseDefinition(text),
        (e: unknown) => isNimbusError(e) && e.code.startsWith(code) && e.status === 400,
      );
    });
  }
  it('definitionFromValue: Maps become objects, __proto__ stays a plain key', () => {
    const v = definitionFromValue(
      new Map<unknown, unknown>([
        ['a', new Set([1])],
        [2, 'two'],
      ]),
    );
    assert.deepEqual(v, { a: [1], 2: 'two' });
    const proto = definitionFromValue(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<
      string,
      unknown
    >;
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.deepEqual(Object.keys(proto), ['__proto__']);
    assert.throws(() => definitionFromValue({ d: new Date(0) }), /date/);
  });
});
