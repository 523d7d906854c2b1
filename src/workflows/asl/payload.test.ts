import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateAssign, evaluateDynamic, evaluatePayload } from './payload.ts';
import { type ContextObject, type Json, StatesError, type Variables } from './types.ts';

const ctx: ContextObject = {
  Execution: {
    Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1',
    Input: { original: true },
    Name: 'run-1',
    RoleArn: 'arn:aws:iam::123456789012:role/sfn',
    StartTime: '2026-01-01T00:00:00.000Z',
    RedriveCount: 0,
  },
  State: { EnteredTime: '2026-01-01T00:00:01.000Z', Name: 'Step', RetryCount: 0 },
  StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', Name: 'sm' },
  Task: { Token: 'tok-1' },
};
const vars: Variables = { count: 3, user: { name: 'ana' } };

// The AWS documentation's Parameters example.
const productInput: Json = {
  comment: 'Example for Parameters.',
  product: {
    details: { color: 'blue', size: 'small', material: 'cotton' },
    availability: 'in stock',
    sku: '2317',
    cost: '$23',
  },
};

const statesError =
  (error: string, ...fragments: string[]) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof StatesError, `expected a StatesError, got ${String(e)}`);
    assert.equal(e.error, error);
    for (const f of fragments)
      assert.ok(e.cause.includes(f), `cause ${JSON.stringify(e.cause)} lacks ${JSON.stringify(f)}`);
    return true;
  };

describe('evaluatePayload', () => {
  const table: [name: string, template: Json, data: Json, expected: Json][] = [
    [
      'the AWS Parameters example',
      {
        comment: 'Selecting what I care about.',
        MyDetails: {
          'size.$': '$.product.details.size',
          'exists.$': '$.product.availability',
          StaticValue: 'foo',
        },
      },
      productInput,
      {
        comment: 'Selecting what I care about.',
        MyDetails: { size: 'small', exists: 'in stock', StaticValue: 'foo' },
      },
    ],
    [
      'literals pass through',
      { a: 1, b: [true, null, 'x'], c: { d: {} } },
      {},
      { a: 1, b: [true, null, 'x'], c: { d: {} } },
    ],
    ['a scalar template is itself', 'plain', { x: 1 }, 'plain'],
    ['a string that looks like a path is literal without .$', { a: '$.x' }, { x: 1 }, { a: '$.x' }],
    ['the whole input', { 'all.$': '$' }, { x: 1 }, { all: { x: 1 } }],
    [
      'the context object',
      { 'id.$': '$$.Execution.Id', 'token.$': '$$.Task.Token', 'input.$': '$$.Execution.Input' },
      {},
      {
        id: 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1',
        token: 'tok-1',
        input: { original: true },
      },
    ],
    ['variables', { 'n.$': '$count', 'who.$': '$user.name' }, {}, { n: 3, who: 'ana' }],
    [
      'intrinsic functions',
      {
        'greeting.$': "States.Format('Hello {}, {} items', $user.name, $count)",
        'parts.$': "States.StringSplit($.csv, ',')",
      },
      { csv: 'a,b' },
      { greeting: 'Hello ana, 3 items', parts: ['a', 'b'] },
    ],
    [
      'indefinite paths give arrays',
      { 'xs.$': '$.items[*].x', 'none.$': '$.items[?(@.x > 10)]' },
      { items: [{ x: 1 }, { x: 2 }] },
      { xs: [1, 2], none: [] },
    ],
    [
      'objects inside arrays are templates too',
      { list: [{ 'v.$': '$.a' }, [{ 'w.$': '$.b' }], 'lit', 1] },
      { a: 'A', b: 'B' },
      { list: [{ v: 'A' }, [{ w: 'B' }], 'lit', 1] },
    ],
    [
      'a value that is null or an object',
      { 'n.$': '$.n', 'o.$': '$.o' },
      { n: null, o: { 'k.$': 'not evaluated' } },
      { n: null, o: { 'k.$': 'not evaluated' } },
    ],
    ['a key that is only .$ is literal', { '.$': '$.x' }, { x: 1 }, { '.$': '$.x' }],
    ['a template array at the top', [{ 'a.$': '$.a' }], { a: 1 }, [{ a: 1 }]],
  ];
  for (const [name, template, data, expected] of table)
    it(name, () => assert.deepEqual(evaluatePayload(template, data, ctx, vars), expected));

  it('does not modify the template and shares none of its objects', () => {
    const template = { a: { b: [1] }, 'c.$': '$.c' };
    const before = structuredClone(template);
    const out = evaluatePayload(template, { c: 2 }, ctx, vars) as { a: { b: number[] } };
    assert.deepEqual(template, before);
    assert.notEqual(out.a, template.a);
    assert.notEqual(out.a.b, template.a.b);
  });

  it('a __proto__ key stays an own property', () => {
    const template = JSON.parse('{"__proto__": {"polluted": true}, "x.$": "$.x"}') as Json;
    const out = evaluatePayload(template, { x: 1 }, ctx, vars) as Record<string, unknown>;
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('passes injected randomness to intrinsics', () =>
    assert.deepEqual(evaluatePayload({ 'id.$': 'States.UUID()' }, {}, ctx, vars, { uuid: () => 'u-1' }), {
      id: 'u-1',
    }));

  const errors: [name: string, template: Json, error: string, fragments: string[]][] = [
    [
      'a .$ value that is a number',
      { 'a.$': 1 },
      'States.Runtime',
      ["The value of the field 'a.$' must be a path or an intrinsic function (a string), got 1"],
    ],
    ['a .$ value that is an object', { 'a.$': { b: 1 } }, 'States.Runtime', ["field 'a.$'"]],
    ['a .$ value that is null', { nested: { 'a.$': null } }, 'States.Runtime', ["field 'a.$'", 'got null']],
    [
      'a .$ value that is neither path nor intrinsic',
      { 'a.$': 'hello' },
      'States.Runtime',
      ["The value of the field 'a.$' must be a path", "got 'hello'"],
    ],
    [
      'a path that matches nothing',
      { deep: [{ 'size.$': '$.product.nope' }] },
      'States.Runtime',
      ["The JSONPath '$.product.nope' specified for the field 'size.$' could not be found in the input"],
    ],
    ['an undefined variable', { 'v.$': '$missing' }, 'States.Runtime', ["'$missing'", 'not defined']],
    [
      'a failing intrinsic',
      { 'v.$': 'States.ArrayLength($.product)' },
      'States.IntrinsicFailure',
      ['must be an array'],
    ],
    [
      'an intrinsic whose path matches nothing names the field',
      { 'v.$': "States.Format('{}', $.nope)" },
      'States.Runtime',
      ["'$.nope' specified for the field 'v.$'"],
    ],
  ];
  for (const [name, template, error, fragments] of errors)
    it(`${error} for ${name}`, () =>
      assert.throws(
        () => evaluatePayload(template, productInput, ctx, vars),
        statesError(error, ...fragments),
      ));
});

describe('evaluateDynamic and evaluateAssign', () => {
  it('evaluateDynamic reads a path or an intrinsic', () => {
    assert.equal(evaluateDynamic('$.a', { a: 1 }, ctx, vars, 'x.$'), 1);
    assert.equal(evaluateDynamic('States.MathAdd($.a, 1)', { a: 1 }, ctx, vars, 'x.$'), 2);
    assert.throws(
      () => evaluateDynamic(5, {}, ctx, vars, 'CausePath'),
      statesError('States.Runtime', "'CausePath'"),
    );
  });
  it('evaluateAssign gives the variables by name', () =>
    assert.deepEqual(
      evaluateAssign(
        { 'total.$': 'States.MathAdd($count, $.n)', label: 'static', 'from.$': '$$.State.Name' },
        { n: 2 },
        ctx,
        vars,
      ),
      { total: 5, label: 'static', from: 'Step' },
    ));
});
