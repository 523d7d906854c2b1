import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePath, isDefinitePath, parsePath, queryPath, setAtPath } from './jsonpath.ts';
import { type ContextObject, type Json, StatesError, type Variables } from './types.ts';

const ctx: ContextObject = {
  Execution: {
    Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1',
    Input: { start: true },
    Name: 'run-1',
    RoleArn: 'arn:aws:iam::123456789012:role/sfn',
    StartTime: '2026-01-01T00:00:00.000Z',
    RedriveCount: 0,
  },
  State: { EnteredTime: '2026-01-01T00:00:01.000Z', Name: 'Step', RetryCount: 2 },
  StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', Name: 'sm' },
  Map: { Item: { Index: 3, Value: { id: 'x3' } } },
};

const vars: Variables = {
  myVar: { field: 'f', list: [10, 20] },
  list: [1, 2, 3],
  _x: 'under',
  café: 'unicode',
};

const data: Json = {
  a: { b: 'ab', 'c d': 'spaced', 'e.f': 'dotted' },
  arr: [{ x: 1, n: 'p' }, { x: 5 }, { x: 3, n: 'q' }],
  n: null,
  s: 'str',
  'my-key': 'hyphen',
  limit: 2,
  nested: { deep: { x: 9 }, list: [{ x: 7 }] },
  flags: [{ id: 1, on: true }, { id: 2, on: false }, { id: 3, on: null }, { id: 4 }],
};

const statesError =
  (error: string, ...fragments: (string | RegExp)[]) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof StatesError, `expected a StatesError, got ${String(e)}`);
    assert.equal(e.error, error);
    for (const f of fragments)
      if (typeof f === 'string')
        assert.ok(e.cause.includes(f), `cause ${JSON.stringify(e.cause)} lacks ${f}`);
      else assert.match(e.cause, f);
    return true;
  };

describe('evaluatePath: definite paths give the value', () => {
  const table: [path: string, expected: Json][] = [
    ['$', data],
    ['$.a', { b: 'ab', 'c d': 'spaced', 'e.f': 'dotted' }],
    ['$.a.b', 'ab'],
    ["$['a']['c d']", 'spaced'],
    ['$["a"]["e.f"]', 'dotted'],
    ["$.a['e.f']", 'dotted'],
    ['$.arr[0]', { x: 1, n: 'p' }],
    ['$.arr[2].n', 'q'],
    ['$.arr[-1].x', 3],
    ['$.n', null],
    ['$.s', 'str'],
    ['$.my-key', 'hyphen'],
    ['$.nested.list[0].x', 7],
    ["$[ 'limit' ]", 2],
  ];
  for (const [path, expected] of table)
    it(path, () => assert.deepEqual(evaluatePath(path, data, ctx, vars), expected));
});

describe('evaluatePath: the context object ($$) and variables ($name)', () => {
  const table: [path: string, expected: Json][] = [
    ['$$.Execution.Id', 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1'],
    ['$$.Execution.Input.start', true],
    ['$$.State.RetryCount', 2],
    ['$$.Map.Item.Index', 3],
    ['$$.Map.Item.Value', { id: 'x3' }],
    ["$$['StateMachine'].Name", 'sm'],
    ['$myVar', { field: 'f', list: [10, 20] }],
    ['$myVar.field', 'f'],
    ['$myVar.list[1]', 20],
    ['$list[0]', 1],
    ['$list[*]', [1, 2, 3]],
    ['$_x', 'under'],
    ['$café', 'unicode'],
  ];
  for (const [path, expected] of table)
    it(path, () => assert.deepEqual(evaluatePath(path, data, ctx, vars), expected));
  it('$$ alone is the whole context object', () =>
    assert.deepEqual(evaluatePath('$$', data, ctx, vars), ctx));
});

describe('evaluatePath: indefinite paths give an array (possibly empty)', () => {
  const table: [path: string, expected: Json][] = [
    ['$.arr[*].x', [1, 5, 3]],
    ['$.arr[*].n', ['p', 'q']],
    ['$..x', [1, 5, 3, 9, 7]],
    ['$.arr..n', ['p', 'q']],
    ['$.arr[?(@.x > 2)]', [{ x: 5 }, { x: 3, n: 'q' }]],
    ['$.arr[?(@.x > 2)].x', [5, 3]],
    ['$.arr[?(@.x > $.limit && @.x < 5)].x', [3]],
    ["$.arr[?(@.n == 'q')].x", [3]],
    ['$.arr[?(@.n)].x', [1, 3]],
    ['$.arr[?(@.missing.deeper)]', []],
    ['$.arr[0:2].x', [1, 5]],
    ['$.arr[-2:].x', [5, 3]],
    ['$.arr[:1].x', [1]],
    ['$.arr[::2].x', [1, 3]],
    ['$.arr[0,2].x', [1, 3]],
    ["$.a['b','c d']", ['ab', 'spaced']],
    ['$.a.*', ['ab', 'spaced', 'dotted']],
    ['$.a[*]', ['ab', 'spaced', 'dotted']],
    ['$.missing[*]', []],
    ['$.s[*]', []],
    ['$.n.*', []],
    ['$.arr[*].missing', []],
    ['$.nested[?(@.deep)].deep.x', [9]],
    ['$.flags[?(@.on)].id', [1, 2, 3]],
    ['$.flags[?(@.on == false)].id', [2]],
    [`$.arr[?(@['n'] == "p")].x`, [1]],
    ["$.arr[?(@.n != 'it\\'s')].x", [1, 5, 3]],
  ];
  for (const [path, expected] of table)
    it(path, () => assert.deepEqual(evaluatePath(path, data, ctx, vars), expected));
});

describe('evaluatePath: a definite path that matches nothing is States.Runtime', () => {
  const table: [path: string, field: string | undefined, fragments: string[]][] = [
    [
      '$.x',
      'InputPath',
      ["The JSONPath '$.x' specified for the field 'InputPath' could not be found in the input '{"],
    ],
    ['$.a.b.c', undefined, ["The JSONPath '$.a.b.c' could not be found in the input"]],
    ['$.arr[10]', 'OutputPath', ["'$.arr[10]'", "'OutputPath'"]],
    ['$.arr.length', undefined, ["'$.arr.length'"]],
    ['$.constructor', undefined, ["'$.constructor'"]],
    ['$.s.length', undefined, ["'$.s.length'"]],
    ['$.a[0]', undefined, ["'$.a[0]'"]],
    ['$$.Task.Token', 'token.$', ["'$$.Task.Token'", 'context object']],
    ['$myVar.nope', undefined, ["'$myVar.nope'", "variable '$myVar'"]],
    ['$undefinedVar', 'x.$', ["variable '$undefinedVar'", 'not defined']],
  ];
  for (const [path, field, fragments] of table)
    it(path, () =>
      assert.throws(
        () => evaluatePath(path, data, ctx, vars, field),
        statesError('States.Runtime', ...fragments),
      ),
    );
  it('the message shows the input', () =>
    assert.throws(
      () => evaluatePath('$.x', { y: 1 }, ctx, vars, 'InputPath'),
      statesError(
        'States.Runtime',
        `The JSONPath '$.x' specified for the field 'InputPath' could not be found in the input '{"y":1}'`,
      ),
    ));
  it('queryPath gives undefined instead of throwing', () => {
    assert.equal(queryPath('$.x', data, ctx, vars), undefined);
    assert.equal(queryPath('$nope', data, ctx, vars), undefined);
    assert.equal(queryPath('$.n', data, ctx, vars), null);
  });
});

describe('parsePath', () => {
  const bad = [
    '',
    'a.b',
    '$.',
    '$.a[',
    '$.a[?()]',
    '$.length()',
    '$.a b',
    '$[abc]',
    '$.a[1:2:3:4]',
    "$['x",
    '$.a[0:1:0]',
  ];
  for (const path of bad)
    it(`refuses ${JSON.stringify(path)}`, () =>
      assert.throws(() => parsePath(path), statesError('States.Runtime', 'Invalid JSONPath')));

  const definite: [string, boolean][] = [
    ['$', true],
    ['$$.Execution.Id', true],
    ['$v.a[0]', true],
    ["$['a'][0]", true],
    ['$.a[*]', false],
    ['$..a', false],
    ['$.a[0:1]', false],
    ['$.a[0,1]', false],
    ["$['a','b']", false],
    ['$.a[?(@.x)]', false],
    ['$.*', false],
  ];
  for (const [path, expected] of definite)
    it(`isDefinitePath(${path}) = ${expected}`, () => assert.equal(isDefinitePath(path), expected));

  it('knows the source of a path', () => {
    assert.equal(parsePath('$.a').source, 'input');
    assert.equal(parsePath('$$.a').source, 'context');
    assert.deepEqual([parsePath('$v.a').source, parsePath('$v.a').variable], ['variable', 'v']);
  });
  it('reads filters with parentheses and brackets inside strings', () =>
    assert.deepEqual(evaluatePath("$[?(@.t == 'a(b)]c')].t", [{ t: 'a(b)]c' }, { t: 'c' }], ctx, vars), [
      'a(b)]c',
    ]));
  it('a filter that does not parse is States.Runtime', () =>
    assert.throws(
      () => evaluatePath('$[?(@.x >)]', [{ x: 1 }], ctx, vars),
      statesError('States.Runtime', 'Invalid JSONPath filter'),
    ));
});

describe('setAtPath (ResultPath)', () => {
  const input: Json = {
    comment: 'This is a test of the input and output of a Task state.',
    details: 'Default example',
    who: 'AWS Step Functions',
  };
  const table: [name: string, target: Json, path: string, value: Json, expected: Json][] = [
    ['$ replaces the input', input, '$', 'Hello!', 'Hello!'],
    ['$.taskresult adds to the input', input, '$.taskresult', 'Hello!', { ...input, taskresult: 'Hello!' }],
    [
      'a nested path merges into an existing object',
      { strings: { a: 1 }, x: 2 },
      '$.strings.lambdaresult',
      'r',
      { strings: { a: 1, lambdaresult: 'r' }, x: 2 },
    ],
    ['missing intermediates are created', { x: 1 }, '$.a.b.c', true, { x: 1, a: { b: { c: true } } }],
    ['an existing key is overwritten', { a: { b: 1 } }, '$.a.b', [2], { a: { b: [2] } }],
    ['bracket names', { x: 1 }, "$['a b']['c.d']", 1, { x: 1, 'a b': { 'c.d': 1 } }],
    ['an array index', { arr: [1, 2, 3] }, '$.arr[1]', 'two', { arr: [1, 'two', 3] }],
    ['a negative index', { arr: [1, 2, 3] }, '$.arr[-1]', 'last', { arr: [1, 2, 'last'] }],
    ['into an array element', { arr: [{ a: 1 }] }, '$.arr[0].b', 2, { arr: [{ a: 1, b: 2 }] }],
    ['a null value', { a: 1 }, '$.r', null, { a: 1, r: null }],
  ];
  for (const [name, target, path, value, expected] of table)
    it(name, () => assert.deepEqual(setAtPath(target, path, value), expected));

  it('does not modify the target', () => {
    const target = { a: { b: 1 }, arr: [{ c: 1 }] };
    const before = structuredClone(target);
    setAtPath(target, '$.a.x', 2);
    setAtPath(target, '$.arr[0].c', 9);
    assert.deepEqual(target, before);
  });

  it('a __proto__ key becomes an own property', () => {
    const out = setAtPath({}, "$['__proto__'].polluted", true) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.deepEqual(Object.getPrototypeOf(out), Object.prototype);
  });

  const mismatches: [name: string, target: Json, path: string][] = [
    ['the input is a string', 'hello', '$.x'],
    ['the input is null', null, '$.x'],
    ['an intermediate is a number', { a: 1 }, '$.a.b'],
    ['an intermediate is null', { a: null }, '$.a.b'],
    ['an intermediate is a string', { a: { b: 'x' } }, '$.a.b.c'],
    ['a name applied to an array', { a: [1] }, '$.a.b'],
    ['an index applied to an object', { a: { b: 1 } }, '$.a[0]'],
    ['an index out of range', { a: [1] }, '$.a[3]'],
    ['an index on a missing member', {}, '$.a[0]'],
  ];
  for (const [name, target, path] of mismatches)
    it(`States.ResultPathMatchFailure when ${name}`, () =>
      assert.throws(
        () => setAtPath(target, path, 'v'),
        statesError('States.ResultPathMatchFailure', `Unable to apply ReferencePath ${path} to input`),
      ));

  for (const path of ['$$.x', '$var.x', '$.a[*]', '$..a', '$.a[0:1]', '$.a[?(@.x)]'])
    it(`States.Runtime for the non-reference path ${path}`, () =>
      assert.throws(() => setAtPath({}, path, 1), statesError('States.Runtime', 'Invalid reference path')));
});
