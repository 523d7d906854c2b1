import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateIntrinsic,
  INTRINSIC_FUNCTIONS,
  isIntrinsic,
  jsonEquals,
  parseIntrinsic,
} from './intrinsics.ts';
import { testContext } from './test-context.ts';
import { type Json, StatesError, type Variables } from './types.ts';

const ctx = testContext();
const vars: Variables = { greeting: 'Hi', nums: [3, 1, 2] };

// The inputs of the AWS documentation's examples (intrinsic-functions.html), in one object.
const data: Json = {
  name: 'Arnav',
  template: 'Hello, my name is {}.',
  escapedJsonString: '{"foo": "bar"}',
  unescapedJson: { foo: 'bar' },
  someJson: { random: 'abcdefg' },
  inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  chunkSize: 4,
  lookingFor: 5,
  index: 5,
  duplicates: [1, 2, 3, 3, 3, 3, 3, 3, 4],
  input: 'Data to encode',
  base64: 'RGF0YSB0byBlbmNvZGU=',
  Data: 'input data',
  Algorithm: 'SHA-1',
  json1: { a: { a1: 1, a2: 2 }, b: 2 },
  json2: { a: { a3: 1, a4: 2 }, c: 3 },
  start: 1,
  end: 999,
  value1: 111,
  step: -1,
  inputString: '1,2,3,4,5',
  splitter: ',',
  objects: [{ a: 1, b: [1] }, { b: [1], a: 1 }, { a: 2 }],
  n: null,
  flag: true,
};

const run = (expr: string, env = {}) => evaluateIntrinsic(expr, data, ctx, vars, env);

const statesError =
  (error: string, ...fragments: string[]) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof StatesError, `expected a StatesError, got ${String(e)}`);
    assert.equal(e.error, error);
    for (const f of fragments)
      assert.ok(e.cause.includes(f), `cause ${JSON.stringify(e.cause)} lacks ${JSON.stringify(f)}`);
    return true;
  };

describe('intrinsic functions: the AWS documentation examples', () => {
  const table: [expr: string, expected: Json][] = [
    ["States.Format('Hello, my name is {}.', $.name)", 'Hello, my name is Arnav.'],
    ['States.Format($.template, $.name)', 'Hello, my name is Arnav.'],
    ['States.StringToJson($.escapedJsonString)', { foo: 'bar' }],
    ['States.JsonToString($.unescapedJson)', '{"foo":"bar"}'],
    ["States.Array('Foo', 2020, $.someJson, null)", ['Foo', 2020, { random: 'abcdefg' }, null]],
    ['States.ArrayPartition($.inputArray, $.chunkSize)', [[1, 2, 3, 4], [5, 6, 7, 8], [9]]],
    ['States.ArrayPartition(States.Array(1,2,3,4,5,6,7,8,9), 4)', [[1, 2, 3, 4], [5, 6, 7, 8], [9]]],
    ['States.ArrayContains($.inputArray, $.lookingFor)', true],
    ['States.ArrayRange(1, 9, 2)', [1, 3, 5, 7, 9]],
    ['States.ArrayGetItem($.inputArray, $.index)', 6],
    ['States.ArrayLength($.inputArray)', 9],
    ['States.ArrayUnique($.duplicates)', [1, 2, 3, 4]],
    ['States.Base64Encode($.input)', 'RGF0YSB0byBlbmNvZGU='],
    ['States.Base64Decode($.base64)', 'Data to encode'],
    ['States.Hash($.Data, $.Algorithm)', 'aaff4a450a104cd177d28d18d74485e8cae074b7'],
    ["States.Hash('input data', 'SHA-1')", 'aaff4a450a104cd177d28d18d74485e8cae074b7'],
    ['States.JsonMerge($.json1, $.json2, false)', { a: { a3: 1, a4: 2 }, b: 2, c: 3 }],
    ['States.MathAdd($.value1, $.step)', 110],
    ['States.StringSplit($.inputString, $.splitter)', ['1', '2', '3', '4', '5']],
    ["States.StringSplit('1,2,3,4,5', ',')", ['1', '2', '3', '4', '5']],
    ["States.StringSplit('This.is+a,test=string', '.+,=')", ['This', 'is', 'a', 'test', 'string']],
  ];
  for (const [expr, expected] of table) it(expr, () => assert.deepEqual(run(expr), expected));
});

describe('intrinsic functions: more cases', () => {
  const table: [expr: string, expected: Json][] = [
    // Format: every scalar type, escapes, no placeholders, sources of values
    ["States.Format('{} {} {} {}', 'a', 1.5, true, null)", 'a 1.5 true null'],
    ["States.Format('no placeholders')", 'no placeholders'],
    ["States.Format('\\{\\} {} it\\'s \\\\ done', $.name)", "{} Arnav it's \\ done"],
    ["States.Format('{}{}', $$.StateMachine.Name, $greeting)", 'smHi'],
    ["States.Format('lone { and } stay')", 'lone { and } stay'],
    ["States.Format('{}', States.ArrayGetItem(States.Array('a', 'b'), 1))", 'b'],
    ["States.Format( 'spaces' )", 'spaces'],
    ["States.Format('a,b)c{}', $.name)", 'a,b)cArnav'],
    // literals and escapes outside Format
    [
      "States.Array('it\\'s', '\\{x\\}', 'back\\\\slash', 'other\\n')",
      ["it's", '{x}', 'back\\slash', 'other\\n'],
    ],
    ['States.Array(-1, 0, 2.5, 1e3, true, false, null)', [-1, 0, 2.5, 1000, true, false, null]],
    ['States.Array()', []],
    ['States.Array($)', [data]],
    ['States.Array($nums, $$.State.Name)', [[3, 1, 2], 'Step']],
    [
      'States.Array($.inputArray[0:2], $.inputArray[?(@ > 7)])',
      [
        [1, 2],
        [8, 9],
      ],
    ],
    // JSON
    ['States.StringToJson(\'[1, {"a": null}]\')', [1, { a: null }]],
    ['States.StringToJson(\'"s"\')', 's'],
    ["States.StringToJson('42')", 42],
    ['States.JsonToString(States.StringToJson(\'{"a": [1, 2]}\'))', '{"a":[1,2]}'],
    ['States.JsonToString($.n)', 'null'],
    ["States.JsonToString('s')", '"s"'],
    // arrays
    ['States.ArrayPartition(States.Array(), 3)', []],
    ['States.ArrayPartition($.inputArray, 20)', [[1, 2, 3, 4, 5, 6, 7, 8, 9]]],
    ['States.ArrayContains($.inputArray, 10)', false],
    ['States.ArrayContains($.objects, $.objects[1])', true],
    ["States.ArrayContains(States.Array(1, '1'), '1')", true],
    ["States.ArrayContains(States.Array(1), '1')", false],
    ['States.ArrayRange(0, 0, 1)', [0]],
    ['States.ArrayRange(10, 1, -3)', [10, 7, 4, 1]],
    ['States.ArrayRange(1, 5, -1)', []],
    ['States.ArrayRange(1, 1000, 1)', Array.from({ length: 1000 }, (_, k) => k + 1)],
    ['States.ArrayGetItem($.inputArray, 0)', 1],
    ['States.ArrayLength(States.Array())', 0],
    ['States.ArrayUnique($.objects)', [{ a: 1, b: [1] }, { a: 2 }]],
    // encodings and hashes
    ["States.Base64Encode('')", ''],
    ["States.Base64Encode('héllo ✓')", 'aMOpbGxvIOKckw=='],
    ["States.Base64Decode('aMOpbGxvIOKckw==')", 'héllo ✓'],
    ["States.Hash('input data', 'MD5')", '812f45842bc6d66ee14572ce20db8e86'],
    [
      "States.Hash('input data', 'SHA-256')",
      'b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3',
    ],
    [
      "States.Hash('input data', 'SHA-384')",
      'd28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562',
    ],
    [
      "States.Hash('input data', 'SHA-512')",
      '6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4',
    ],
    // merge, math, split
    ['States.JsonMerge($.json2, $.json1, false)', { a: { a1: 1, a2: 2 }, c: 3, b: 2 }],
    ['States.MathAdd(1.5, 2)', 3.5],
    ['States.MathAdd(-5, States.ArrayLength($.inputArray))', 4],
    ["States.StringSplit('a,,b,', ',')", ['a', 'b']],
    ["States.StringSplit('', ',')", []],
    ["States.StringSplit('abc', '')", ['abc']],
    ["States.ArrayLength(States.StringSplit('a b  c', ' '))", 3],
  ];
  for (const [expr, expected] of table) it(expr, () => assert.deepEqual(run(expr), expected));
});

describe('intrinsic functions: randomness', () => {
  it('MathRandom uses the injected source and stays within [start, end)', () => {
    assert.equal(run('States.MathRandom($.start, $.end)', { random: () => 0 }), 1);
    assert.equal(run('States.MathRandom($.start, $.end)', { random: () => 0.999999 }), 998);
    assert.equal(run('States.MathRandom(-10, 10)', { random: () => 0.5 }), 0);
  });
  it('MathRandom with a seed is deterministic and ignores the injected source', () => {
    const a = run('States.MathRandom(1, 1000, 42)', { random: () => 0 });
    const b = run('States.MathRandom(1, 1000, 42)', { random: () => 0.9 });
    assert.equal(a, b);
    assert.ok(typeof a === 'number' && Number.isInteger(a) && a >= 1 && a < 1000);
    const seeds = new Set(Array.from({ length: 20 }, (_, k) => run(`States.MathRandom(0, 1000000, ${k})`)));
    assert.ok(seeds.size > 15, 'different seeds give different numbers');
  });
  it('MathRandom without injection stays in range', () => {
    for (let k = 0; k < 200; k++) {
      const v = run('States.MathRandom(5, 8)');
      assert.ok(v === 5 || v === 6 || v === 7, String(v));
    }
  });
  it('UUID is a v4 UUID, or the injected one', () => {
    const v = run('States.UUID()');
    assert.match(String(v), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(run('States.UUID()'), v);
    assert.equal(run('States.UUID()', { uuid: () => 'fixed' }), 'fixed');
    assert.equal(run("States.Format('id-{}', States.UUID())", { uuid: () => 'u1' }), 'id-u1');
  });
});

describe('intrinsic functions: errors are States.IntrinsicFailure', () => {
  const long = 'x'.repeat(10_001);
  const table: [expr: string, fragments: string[]][] = [
    ['States.Nope(1)', ["Unknown intrinsic function 'States.Nope'"]],
    ['States.ArrayLength()', ['States.ArrayLength takes exactly 1 argument, got 0']],
    ['States.UUID(1)', ['States.UUID takes exactly 0 arguments, got 1']],
    ['States.ArrayRange(1, 2)', ['States.ArrayRange takes exactly 3 arguments, got 2']],
    ['States.MathRandom(1)', ['States.MathRandom takes 2 to 3 arguments, got 1']],
    ['States.MathRandom(1, 2, 3, 4)', ['States.MathRandom takes 2 to 3 arguments, got 4']],
    ['States.JsonMerge($.json1, $.json2)', ['States.JsonMerge takes exactly 3 arguments, got 2']],
    ['States.Format()', ['States.Format takes at least 1 argument, got 0']],
    ["States.Format('{} {}', 1)", ["the template has 2 '{}' placeholders but 1 value was given"]],
    ["States.Format('{}', 1, 2)", ["the template has 1 '{}' placeholder but 2 values were given"]],
    [
      "States.Format('{}', $.someJson)",
      ['States.Format: argument 2 must be a string, number, boolean or null, got object'],
    ],
    [
      "States.Format('{}', $.inputArray)",
      ['argument 2 must be a string, number, boolean or null, got array'],
    ],
    ["States.Format(1, 'a')", ['States.Format: argument 1 must be a string, got number']],
    ["States.ArrayLength('x')", ['States.ArrayLength: argument 1 must be an array, got string "x"']],
    [
      'States.ArrayPartition($.inputArray, 0)',
      ['States.ArrayPartition: argument 2 must be an integer >= 1, got number 0'],
    ],
    ['States.ArrayPartition($.inputArray, 1.5)', ['argument 2 must be an integer']],
    ["States.ArrayContains('abc', 'a')", ['States.ArrayContains: argument 1 must be an array']],
    ['States.ArrayRange(1, 1001, 1)', ['the range would have 1001 items; at most 1000 are allowed']],
    ['States.ArrayRange(0, 10000, 2)', ['at most 1000']],
    ['States.ArrayRange(1, 5, 0)', ['the step (argument 3) cannot be 0']],
    ['States.ArrayRange(1.5, 5, 1)', ['States.ArrayRange: argument 1 must be an integer']],
    ["States.ArrayRange(1, '5', 1)", ['argument 2 must be an integer, got string']],
    ['States.ArrayGetItem($.inputArray, 9)', ['index 9 is out of bounds for an array of length 9']],
    ['States.ArrayGetItem($.inputArray, -1)', ['argument 2 must be an integer >= 0']],
    ['States.ArrayUnique($.someJson)', ['States.ArrayUnique: argument 1 must be an array, got object']],
    ['States.Base64Encode(1)', ['States.Base64Encode: argument 1 must be a string, got number']],
    [`States.Base64Encode('${long}')`, ['must be at most 10000 characters long, got 10001']],
    [`States.Base64Decode('${long}')`, ['must be at most 10000 characters long']],
    ["States.Base64Decode('not base64!')", ['States.Base64Decode: argument 1 is not valid base64']],
    ["States.Base64Decode('/w==')", ['not valid UTF-8']],
    [
      "States.Hash('x', 'SHA-3')",
      ['States.Hash: unsupported algorithm "SHA-3"; use one of MD5, SHA-1, SHA-256'],
    ],
    ["States.Hash('x', 'sha-1')", ['unsupported algorithm']],
    ["States.Hash(1, 'MD5')", ['States.Hash: argument 1 must be a string']],
    [`States.Hash('${long}', 'MD5')`, ['at most 10000 characters']],
    ['States.JsonMerge($.json1, $.json2, true)', ['deep merging is not supported']],
    [
      'States.JsonMerge($.json1, $.inputArray, false)',
      ['States.JsonMerge: argument 2 must be an object, got array'],
    ],
    ["States.JsonMerge($.json1, $.json2, 'false')", ['argument 3 must be a boolean']],
    ['States.MathRandom(5, 5)', ['the end (5) must be greater than the start (5)']],
    ['States.MathRandom(1, 10, 1.5)', ['States.MathRandom: argument 3 must be an integer']],
    ["States.MathAdd('1', 2)", ['States.MathAdd: argument 1 must be a number, got string']],
    ['States.MathAdd(1, null)', ['argument 2 must be a number, got null']],
    ["States.StringSplit(1, ',')", ['States.StringSplit: argument 1 must be a string']],
    ["States.StringToJson('{bad')", ['States.StringToJson: argument 1 is not valid JSON']],
    ['States.StringToJson($.someJson)', ['argument 1 must be a string, got object']],
    // syntax
    [
      "States.Format('x'",
      ["Invalid intrinsic function 'States.Format('x'': expected ',' or ')' at position 17"],
    ],
    ["States.Format('x') extra", ['unexpected text after the function call']],
    ["States.Format('unterminated)", ['unterminated string']],
    ['States.Array(@)', ['expected a string, number, boolean, null, path or function call']],
    ['States.Array(1 2)', ["expected ',' or ')'"]],
    ['States.Array(1,)', ['expected a string, number, boolean, null, path or function call']],
    ['States.Array(True)', ['expected a string, number']],
    ['States.Array(1e999)', ['the number 1e999 is out of range']],
    ['States.Array("double")', ['expected a string, number']],
    ['Format(1)', ["expected a function 'States.<Name>('"]],
    ['States.Array', ["expected '('"]],
  ];
  for (const [expr, fragments] of table)
    it(expr.length > 80 ? `${expr.slice(0, 60)}…` : expr, () =>
      assert.throws(() => run(expr), statesError('States.IntrinsicFailure', ...fragments)),
    );

  it('a path argument that matches nothing is States.Runtime naming the path and the field', () =>
    assert.throws(
      () => evaluateIntrinsic("States.Format('{}', $.missing)", data, ctx, vars, { field: 'msg.$' }),
      statesError(
        'States.Runtime',
        "The JSONPath '$.missing' specified for the field 'msg.$' could not be found",
      ),
    ));
  it('an undefined variable is States.Runtime', () =>
    assert.throws(
      () => run('States.ArrayLength($nope)'),
      statesError('States.Runtime', "'$nope'", 'not defined'),
    ));
});

describe('intrinsic helpers', () => {
  it('isIntrinsic', () => {
    assert.equal(isIntrinsic("States.Format('x')"), true);
    assert.equal(isIntrinsic('$.x'), false);
  });
  it('every AWS intrinsic function is implemented', () =>
    assert.deepEqual([...INTRINSIC_FUNCTIONS].sort(), [
      'States.Array',
      'States.ArrayContains',
      'States.ArrayGetItem',
      'States.ArrayLength',
      'States.ArrayPartition',
      'States.ArrayRange',
      'States.ArrayUnique',
      'States.Base64Decode',
      'States.Base64Encode',
      'States.Format',
      'States.Hash',
      'States.JsonMerge',
      'States.JsonToString',
      'States.MathAdd',
      'States.MathRandom',
      'States.StringSplit',
      'States.StringToJson',
      'States.UUID',
    ]));
  it('parses nested calls, paths with commas and parentheses in brackets', () =>
    assert.deepEqual(parseIntrinsic("States.Array($['a,b'], $.x[?(@.y == ')')], States.UUID())"), {
      kind: 'call',
      name: 'States.Array',
      args: [
        { kind: 'path', path: "$['a,b']" },
        { kind: 'path', path: "$.x[?(@.y == ')')]" },
        { kind: 'call', name: 'States.UUID', args: [] },
      ],
    }));
  it('evaluates such paths', () =>
    assert.deepEqual(
      evaluateIntrinsic(
        "States.Array($['a,b'], $.x[?(@.y == ')')].y)",
        { 'a,b': 1, x: [{ y: ')' }, { y: 'z' }] },
        ctx,
        vars,
      ),
      [1, [')']],
    ));
  it('jsonEquals ignores key order', () => {
    assert.equal(jsonEquals({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }), true);
    assert.equal(jsonEquals({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(jsonEquals([1], { 0: 1 }), false);
    assert.equal(jsonEquals(null, {}), false);
  });
});
