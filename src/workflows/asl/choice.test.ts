import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHOICE_OPERATORS,
  evaluateRule,
  firstMatchingRule,
  parseTimestamp,
  stringMatches,
} from './choice.ts';
import { testContext } from './test-context.ts';
import { type ChoiceRule, type Json, StatesError, type Variables } from './types.ts';

const ctx = testContext({ state: 'Choose' });
const vars: Variables = { limit: 10, mode: 'fast' };

const data: Json = {
  str: 'beta',
  num: 5,
  float: 2.5,
  bool: true,
  nul: null,
  numStr: '5',
  ts: '2026-01-01T12:00:00Z',
  tsOffset: '2026-01-01T13:00:00+01:00',
  tsNano: '2026-01-01T12:00:00.000000001Z',
  tsLower: '2026-01-01t12:00:00z',
  file: 'log-2026.txt',
  star: 'a*b',
  slash: 'a\\b',
  arr: [1, 2],
  obj: {},
  other: {
    str: 'beta',
    lower: 'alpha',
    higher: 'gamma',
    num: 5,
    small: 1,
    big: 10,
    bool: true,
    ts: '2026-01-01T12:00:00Z',
    early: '2025-12-31T00:00:00Z',
    late: '2026-06-01T00:00:00Z',
  },
};

const V = (Variable: string, op: string, value: unknown): ChoiceRule => ({ Variable, [op]: value });

describe('Choice comparison operators', () => {
  const table: [rule: ChoiceRule, expected: boolean][] = [
    // strings
    [V('$.str', 'StringEquals', 'beta'), true],
    [V('$.str', 'StringEquals', 'Beta'), false],
    [V('$.num', 'StringEquals', '5'), false],
    [V('$.str', 'StringEqualsPath', '$.other.str'), true],
    [V('$.str', 'StringEqualsPath', '$.other.lower'), false],
    [V('$.str', 'StringEqualsPath', '$.other.num'), false],
    [V('$.str', 'StringLessThan', 'gamma'), true],
    [V('$.str', 'StringLessThan', 'beta'), false],
    [V('$.num', 'StringLessThan', 'z'), false],
    [V('$.str', 'StringLessThanPath', '$.other.higher'), true],
    [V('$.str', 'StringLessThanPath', '$.other.lower'), false],
    [V('$.str', 'StringGreaterThan', 'alpha'), true],
    [V('$.str', 'StringGreaterThan', 'beta'), false],
    [V('$.bool', 'StringGreaterThan', 'a'), false],
    [V('$.str', 'StringGreaterThanPath', '$.other.lower'), true],
    [V('$.str', 'StringGreaterThanPath', '$.other.higher'), false],
    [V('$.str', 'StringLessThanEquals', 'beta'), true],
    [V('$.str', 'StringLessThanEquals', 'alpha'), false],
    [V('$.nul', 'StringLessThanEquals', 'z'), false],
    [V('$.str', 'StringLessThanEqualsPath', '$.other.str'), true],
    [V('$.str', 'StringLessThanEqualsPath', '$.other.lower'), false],
    [V('$.str', 'StringGreaterThanEquals', 'beta'), true],
    [V('$.str', 'StringGreaterThanEquals', 'gamma'), false],
    [V('$.arr', 'StringGreaterThanEquals', ''), false],
    [V('$.str', 'StringGreaterThanEqualsPath', '$.other.str'), true],
    [V('$.str', 'StringGreaterThanEqualsPath', '$.other.higher'), false],
    [V('$.str', 'StringLessThan', 'b'), false],
    [V('$.str', 'StringGreaterThan', 'B'), true], // code-unit order: lowercase after uppercase
    // StringMatches
    [V('$.file', 'StringMatches', 'log-*.txt'), true],
    [V('$.file', 'StringMatches', '*.csv'), false],
    [V('$.file', 'StringMatches', 'log-2026.txt*'), true],
    [V('$.file', 'StringMatches', '*'), true],
    [V('$.file', 'StringMatches', 'log-2026?txt'), false],
    [V('$.file', 'StringMatches', 'log-2026xtxt'), false],
    [V('$.star', 'StringMatches', 'a\\*b'), true],
    [V('$.file', 'StringMatches', 'log\\*'), false],
    [V('$.slash', 'StringMatches', 'a\\\\b'), true],
    [V('$.num', 'StringMatches', '*'), false],
    // numbers
    [V('$.num', 'NumericEquals', 5), true],
    [V('$.num', 'NumericEquals', 5.0001), false],
    [V('$.numStr', 'NumericEquals', 5), false],
    [V('$.num', 'NumericEqualsPath', '$.other.num'), true],
    [V('$.num', 'NumericEqualsPath', '$.other.big'), false],
    [V('$.num', 'NumericEqualsPath', '$.numStr'), false],
    [V('$.num', 'NumericLessThan', 10), true],
    [V('$.num', 'NumericLessThan', 5), false],
    [V('$.str', 'NumericLessThan', 10), false],
    [V('$.num', 'NumericLessThanPath', '$.other.big'), true],
    [V('$.num', 'NumericLessThanPath', '$.other.small'), false],
    [V('$.num', 'NumericGreaterThan', 4.9), true],
    [V('$.num', 'NumericGreaterThan', 5), false],
    [V('$.nul', 'NumericGreaterThan', 0), false],
    [V('$.num', 'NumericGreaterThanPath', '$.other.small'), true],
    [V('$.num', 'NumericGreaterThanPath', '$.other.big'), false],
    [V('$.num', 'NumericLessThanEquals', 5), true],
    [V('$.float', 'NumericLessThanEquals', 2.4), false],
    [V('$.bool', 'NumericLessThanEquals', 5), false],
    [V('$.num', 'NumericLessThanEqualsPath', '$.other.num'), true],
    [V('$.num', 'NumericLessThanEqualsPath', '$.other.small'), false],
    [V('$.float', 'NumericGreaterThanEquals', 2.5), true],
    [V('$.num', 'NumericGreaterThanEquals', 6), false],
    [V('$.arr', 'NumericGreaterThanEquals', 0), false],
    [V('$.num', 'NumericGreaterThanEqualsPath', '$.other.num'), true],
    [V('$.num', 'NumericGreaterThanEqualsPath', '$.other.big'), false],
    // booleans
    [V('$.bool', 'BooleanEquals', true), true],
    [V('$.bool', 'BooleanEquals', false), false],
    [V('$.str', 'BooleanEquals', true), false],
    [V('$.bool', 'BooleanEqualsPath', '$.other.bool'), true],
    [V('$.bool', 'BooleanEqualsPath', '$.str'), false],
    // timestamps (instants: offsets and nanoseconds count)
    [V('$.ts', 'TimestampEquals', '2026-01-01T12:00:00Z'), true],
    [V('$.ts', 'TimestampEquals', '2026-01-01T12:00:00.000Z'), true],
    [V('$.tsOffset', 'TimestampEquals', '2026-01-01T12:00:00Z'), true],
    [V('$.tsNano', 'TimestampEquals', '2026-01-01T12:00:00Z'), false],
    [V('$.str', 'TimestampEquals', '2026-01-01T12:00:00Z'), false],
    [V('$.tsLower', 'TimestampEquals', '2026-01-01T12:00:00Z'), false],
    [V('$.ts', 'TimestampEqualsPath', '$.other.ts'), true],
    [V('$.ts', 'TimestampEqualsPath', '$.other.late'), false],
    [V('$.ts', 'TimestampLessThan', '2026-01-02T00:00:00Z'), true],
    [V('$.ts', 'TimestampLessThan', '2026-01-01T12:00:00Z'), false],
    [V('$.num', 'TimestampLessThan', '2026-01-02T00:00:00Z'), false],
    [V('$.ts', 'TimestampLessThan', 'not a timestamp'), false],
    [V('$.ts', 'TimestampLessThanPath', '$.other.late'), true],
    [V('$.ts', 'TimestampLessThanPath', '$.other.early'), false],
    [V('$.tsNano', 'TimestampGreaterThan', '2026-01-01T12:00:00Z'), true],
    [V('$.ts', 'TimestampGreaterThan', '2026-01-01T12:00:00-01:00'), false],
    [V('$.bool', 'TimestampGreaterThan', '2026-01-01T12:00:00Z'), false],
    [V('$.ts', 'TimestampGreaterThanPath', '$.other.early'), true],
    [V('$.ts', 'TimestampGreaterThanPath', '$.other.late'), false],
    [V('$.ts', 'TimestampLessThanEquals', '2026-01-01T13:00:00+01:00'), true],
    [V('$.ts', 'TimestampLessThanEquals', '2026-01-01T11:59:59.999Z'), false],
    [V('$.str', 'TimestampLessThanEquals', '2026-01-01T12:00:00Z'), false],
    [V('$.ts', 'TimestampLessThanEqualsPath', '$.other.ts'), true],
    [V('$.ts', 'TimestampLessThanEqualsPath', '$.other.early'), false],
    [V('$.ts', 'TimestampGreaterThanEquals', '2026-01-01T12:00:00Z'), true],
    [V('$.ts', 'TimestampGreaterThanEquals', '2026-01-01T12:00:00.001Z'), false],
    [V('$.nul', 'TimestampGreaterThanEquals', '2026-01-01T12:00:00Z'), false],
    [V('$.ts', 'TimestampGreaterThanEqualsPath', '$.other.ts'), true],
    [V('$.ts', 'TimestampGreaterThanEqualsPath', '$.other.late'), false],
    [V('$.ts', 'TimestampGreaterThanEqualsPath', '$.str'), false],
    // type tests
    [V('$.nul', 'IsNull', true), true],
    [V('$.nul', 'IsNull', false), false],
    [V('$.str', 'IsNull', true), false],
    [V('$.str', 'IsNull', false), true],
    [V('$.str', 'IsPresent', true), true],
    [V('$.nul', 'IsPresent', true), true],
    [V('$.missing', 'IsPresent', true), false],
    [V('$.missing', 'IsPresent', false), true],
    [V('$.arr[5]', 'IsPresent', true), false],
    [V('$.other.missing.deeper', 'IsPresent', true), false],
    [V('$undefinedVar', 'IsPresent', true), false],
    [V('$.num', 'IsNumeric', true), true],
    [V('$.float', 'IsNumeric', true), true],
    [V('$.numStr', 'IsNumeric', true), false],
    [V('$.numStr', 'IsNumeric', false), true],
    [V('$.str', 'IsString', true), true],
    [V('$.num', 'IsString', true), false],
    [V('$.nul', 'IsString', false), true],
    [V('$.bool', 'IsBoolean', true), true],
    [V('$.str', 'IsBoolean', true), false],
    [V('$.ts', 'IsTimestamp', true), true],
    [V('$.tsOffset', 'IsTimestamp', true), true],
    [V('$.tsLower', 'IsTimestamp', true), false],
    [V('$.str', 'IsTimestamp', true), false],
    [V('$.num', 'IsTimestamp', false), true],
    // the context object and variables
    [V('$$.State.Name', 'StringEquals', 'Choose'), true],
    [V('$limit', 'NumericGreaterThan', 5), true],
    [V('$.num', 'NumericLessThanPath', '$limit'), true],
    [V('$mode', 'StringEqualsPath', '$$.State.Name'), false],
    // an indefinite Variable gives an array
    [V('$.arr[*]', 'IsPresent', true), true],
    [V('$.arr[*]', 'NumericEquals', 1), false],
  ];
  for (const [rule, expected] of table)
    it(`${JSON.stringify(rule)} → ${expected}`, () =>
      assert.equal(evaluateRule(rule, data, ctx, vars), expected));

  it('covers every ASL comparison operator', () => {
    const tested = new Set(table.flatMap(([rule]) => Object.keys(rule).filter((k) => k !== 'Variable')));
    assert.deepEqual(
      CHOICE_OPERATORS.filter((op) => !tested.has(op)),
      [],
    );
    assert.equal(CHOICE_OPERATORS.length, 39); // 32 comparisons (Boolean: Equals only), StringMatches, 6 tests
  });
});

describe('Choice rules: And, Or, Not', () => {
  const t = V('$.num', 'NumericEquals', 5);
  const f = V('$.num', 'NumericEquals', 6);
  const table: [name: string, rule: ChoiceRule, expected: boolean][] = [
    ['And all true', { And: [t, t] }, true],
    ['And one false', { And: [t, f] }, false],
    ['Or one true', { Or: [f, t] }, true],
    ['Or all false', { Or: [f, f] }, false],
    ['Not true', { Not: t }, false],
    ['Not false', { Not: f }, true],
    ['nested', { And: [{ Or: [f, { Not: f }] }, { Not: { And: [t, f] } }] }, true],
    ['Not IsPresent on a missing member', { Not: V('$.missing', 'IsPresent', true) }, true],
    [
      'And stops at the first false (no error for a later missing Variable)',
      { And: [f, V('$.missing', 'IsNull', true)] },
      false,
    ],
    ['Or stops at the first true', { Or: [t, V('$.missing', 'IsNull', true)] }, true],
    [
      'IsPresent guards a comparison',
      { And: [V('$.missing', 'IsPresent', true), V('$.missing', 'NumericEquals', 1)] },
      false,
    ],
  ];
  for (const [name, rule, expected] of table)
    it(name, () => assert.equal(evaluateRule(rule, data, ctx, vars), expected));

  it('the AWS documentation example picks the first matching rule', () => {
    const choices: ChoiceRule[] = [
      { Not: { Variable: '$.type', StringEquals: 'Private' }, Next: 'Public' },
      { Variable: '$.value', NumericEquals: 0, Next: 'ValueIsZero' },
      {
        And: [
          { Variable: '$.value', NumericGreaterThanEquals: 20 },
          { Variable: '$.value', NumericLessThan: 30 },
        ],
        Next: 'ValueInTwenties',
      },
    ];
    const next = (input: Json) => firstMatchingRule(choices, input, ctx, vars)?.Next;
    assert.equal(next({ type: 'Public', value: 0 }), 'Public');
    assert.equal(next({ type: 'Private', value: 0 }), 'ValueIsZero');
    assert.equal(next({ type: 'Private', value: 25 }), 'ValueInTwenties');
    assert.equal(next({ type: 'Private', value: 30 }), undefined);
  });
});

describe('Choice rules: errors are States.Runtime', () => {
  const table: [name: string, rule: ChoiceRule, fragment: string][] = [
    [
      'an absent Variable',
      V('$.missing', 'StringEquals', 'x'),
      "Invalid path '$.missing': The choice state's condition path references an invalid value.",
    ],
    ['an absent Variable with IsNull', V('$.missing', 'IsNull', true), "Invalid path '$.missing'"],
    ['an absent variable ($name)', V('$nope', 'IsString', true), "Invalid path '$nope'"],
    ['an absent …Path operand', V('$.num', 'NumericEqualsPath', '$.missing'), "Invalid path '$.missing'"],
    ['no operator', { Variable: '$.num', Next: 'X' }, 'needs a comparison operator'],
    ['an unknown operator', { Variable: '$.num', NumericIs: 5 }, 'needs a comparison operator'],
    [
      'two operators',
      { Variable: '$.num', NumericEquals: 5, NumericLessThan: 9 },
      'more than one comparison operator',
    ],
    ['no Variable', { NumericEquals: 5 }, 'needs a Variable path'],
    ['a Variable that is not a path', V('num', 'NumericEquals', 5), 'needs a Variable path'],
    ['a non-boolean IsPresent', V('$.num', 'IsPresent', 'yes'), 'IsPresent must be true or false'],
    ['a non-boolean IsNull', V('$.num', 'IsNull', 1), 'IsNull must be true or false'],
    [
      'a …Path operand that is not a path',
      V('$.num', 'NumericEqualsPath', 5),
      'NumericEqualsPath must be a path',
    ],
    ['an empty And', { And: [] }, 'And needs a non-empty array'],
    [
      'a nested error',
      { Or: [V('$.num', 'NumericEquals', 6), V('$.missing', 'NumericEquals', 6)] },
      "Invalid path '$.missing'",
    ],
  ];
  for (const [name, rule, fragment] of table)
    it(name, () =>
      assert.throws(
        () => evaluateRule(rule, data, ctx, vars),
        (e: unknown) =>
          e instanceof StatesError && e.error === 'States.Runtime' && e.cause.includes(fragment),
      ),
    );
});

describe('parseTimestamp and stringMatches', () => {
  const good: [string, string][] = [
    ['2016-08-18T17:33:00Z', '2016-08-18T17:33:00.000Z'],
    ['2016-08-18T17:33:00.5Z', '2016-08-18T17:33:00.500Z'],
    ['2016-08-18T17:33:00.123456789Z', '2016-08-18T17:33:00.123Z'],
    ['2016-08-18T19:33:00+02:00', '2016-08-18T17:33:00.000Z'],
    ['2016-08-18T12:03:00-05:30', '2016-08-18T17:33:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'],
  ];
  for (const [s, iso] of good)
    it(`parses ${s}`, () => assert.equal(new Date(parseTimestamp(s)!.ms).toISOString(), iso));
  const bad = [
    '2016-08-18 17:33:00Z',
    '2016-08-18t17:33:00Z',
    '2016-08-18T17:33:00z',
    '2016-08-18T17:33:00',
    '2016-08-18',
    '2023-02-29T00:00:00Z',
    '2016-13-01T00:00:00Z',
    '2016-08-18T24:00:00Z',
    '2016-08-18T17:60:00Z',
    '2016-08-18T17:33:00+2:00',
    '2016-08-18T17:33:00.Z',
    '1471541580',
  ];
  for (const s of bad) it(`refuses ${s}`, () => assert.equal(parseTimestamp(s), undefined));
  it('keeps nanoseconds', () =>
    assert.equal(parseTimestamp('1970-01-01T00:00:01.000000002Z')!.ns, 1_000_000_002n));

  const matches: [value: string, pattern: string, expected: boolean][] = [
    ['', '*', true],
    ['', '', true],
    ['abc', 'a*c', true],
    ['ac', 'a*c', true],
    ['abd', 'a*c', false],
    ['a.c', 'a.c', true],
    ['abc', 'a.c', false],
    ['a*c', 'a\\*c', true],
    ['abc', 'a\\*c', false],
    ['(x)[y]{z}+?^$|/', '(x)[y]{z}+?^$|/', true],
    ['multi\nline', 'multi*', true],
  ];
  it('stringMatches stays fast on patterns with many wildcards', () => {
    const started = performance.now();
    assert.equal(stringMatches('a'.repeat(20_000), '*a*a*a*a*a*a*a*a*b'), false);
    assert.ok(performance.now() - started < 2000);
  });
  for (const [value, pattern, expected] of matches)
    it(`stringMatches(${JSON.stringify(value)}, ${JSON.stringify(pattern)}) = ${expected}`, () =>
      assert.equal(stringMatches(value, pattern), expected));
});
