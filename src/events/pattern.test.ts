import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compilePattern, type EventPattern, RuleIndex } from './pattern.ts';

const ORDER = {
  source: 'shop.orders',
  'detail-type': 'OrderPlaced',
  time: '2026-11-25T10:00:00Z',
  detail: {
    id: 'o-1',
    amount: 150.5,
    region: 'eu-west-1',
    customer: { tier: 'gold', email: 'ADA@Example.com' },
    tags: ['new', 'promo'],
    items: [
      { sku: 'A-1', qty: 2 },
      { sku: 'B-7', qty: 1 },
    ],
    ip: '10.0.3.7',
    coupon: null,
  },
};

describe('event patterns: matching', () => {
  const table: [name: string, pattern: EventPattern, matches: boolean][] = [
    ['exact string', { source: ['shop.orders'] }, true],
    ['one of several', { source: ['x', 'shop.orders'] }, true],
    ['exact miss', { source: ['shop.payments'] }, false],
    ['nested', { detail: { region: ['eu-west-1'] } }, true],
    ['number compares numerically', { detail: { amount: [150.5] } }, true],
    ['string is not a number', { detail: { amount: ['150.5'] } }, false],
    ['null literal', { detail: { coupon: [null] } }, true],
    ['prefix', { detail: { region: [{ prefix: 'eu-' }] } }, true],
    ['prefix miss', { detail: { region: [{ prefix: 'us-' }] } }, false],
    [
      'prefix ignoring case',
      { detail: { customer: { email: [{ prefix: { 'equals-ignore-case': 'ada@' } }] } } },
      true,
    ],
    ['suffix', { detail: { customer: { email: [{ suffix: '.com' }] } } }, true],
    [
      'suffix ignoring case',
      { detail: { customer: { email: [{ suffix: { 'equals-ignore-case': 'EXAMPLE.COM' } }] } } },
      true,
    ],
    [
      'equals-ignore-case',
      { detail: { customer: { email: [{ 'equals-ignore-case': 'ada@example.com' }] } } },
      true,
    ],
    ['wildcard', { detail: { region: [{ wildcard: 'eu-*-1' }] } }, true],
    ['wildcard miss', { detail: { region: [{ wildcard: 'us-*' }] } }, false],
    ['anything-but value', { detail: { region: [{ 'anything-but': 'us-east-1' }] } }, true],
    ['anything-but list hit', { detail: { region: [{ 'anything-but': ['eu-west-1', 'x'] }] } }, false],
    ['anything-but prefix', { detail: { region: [{ 'anything-but': { prefix: 'us-' } }] } }, true],
    ['anything-but suffix miss', { detail: { region: [{ 'anything-but': { suffix: '-1' } }] } }, false],
    [
      'anything-but ignore-case',
      { source: [{ 'anything-but': { 'equals-ignore-case': 'SHOP.ORDERS' } }] },
      false,
    ],
    ['anything-but needs the field', { detail: { nope: [{ 'anything-but': 'x' }] } }, false],
    ['numeric range', { detail: { amount: [{ numeric: ['>', 100, '<=', 200] }] } }, true],
    ['numeric miss', { detail: { amount: [{ numeric: ['<', 100] }] } }, false],
    ['numeric equals', { detail: { items: { qty: [{ numeric: ['=', 2] }] } } }, true],
    ['exists true', { detail: { id: [{ exists: true }] } }, true],
    ['exists false on absent', { detail: { refund: [{ exists: false }] } }, true],
    ['exists false on present', { detail: { id: [{ exists: false }] } }, false],
    ['exists does not match an object', { detail: { customer: [{ exists: true }] } }, false],
    ['array field: any element', { detail: { tags: ['promo'] } }, true],
    ['array of objects: one element matches', { detail: { items: { sku: ['B-7'], qty: [1] } } }, true],
    [
      'array consistency: fields of different elements',
      { detail: { items: { sku: ['B-7'], qty: [2] } } },
      false,
    ],
    ['cidr', { detail: { ip: [{ cidr: '10.0.0.0/16' }] } }, true],
    ['cidr miss', { detail: { ip: [{ cidr: '10.1.0.0/16' }] } }, false],
    ['$or top level', { $or: [{ source: ['nope'] }, { detail: { tags: ['new'] } }] }, true],
    ['$or nested', { detail: { $or: [{ region: ['x'] }, { amount: [{ numeric: ['>', 150] }] }] } }, true],
    ['$or all miss', { $or: [{ source: ['a'] }, { source: ['b'] }] }, false],
    ['all keys must match', { source: ['shop.orders'], 'detail-type': ['OrderCancelled'] }, false],
  ];
  for (const [name, pattern, expected] of table)
    it(name, () => {
      assert.equal(compilePattern(pattern).match(ORDER), expected);
      assert.equal(new RuleIndex([['r', pattern]]).match(ORDER).length, expected ? 1 : 0, 'index agrees');
    });
});

describe('event patterns: validation', () => {
  const bad: [EventPattern | unknown, RegExp][] = [
    [[], /a pattern level is an object/],
    [{}, /empty object/],
    [{ source: 'x' }, /either an array of matchers or a nested object/],
    [{ source: [] }, /non-empty array/],
    [{ source: [{ prefix: 1 }] }, /"prefix" takes a string/],
    [{ source: [{ prefix: 'a', suffix: 'b' }] }, /exactly one key/],
    [{ source: [{ regex: 'a' }] }, /unknown matcher "regex"/],
    [{ n: [{ numeric: ['>>', 1] }] }, /unknown numeric operator/],
    [{ n: [{ numeric: ['>', 5, '<', 1] }] }, /low < high/],
    [{ n: [{ numeric: ['>', 'x'] }] }, /finite numbers/],
    [{ n: [{ exists: 'yes' }] }, /true or false/],
    [{ n: [{ 'anything-but': [] }] }, /list is empty/],
    [{ n: [{ 'anything-but': { numeric: ['>', 1] } }] }, /anything-but/],
    [{ n: [{ wildcard: 'a**b' }] }, /consecutive/],
    [{ n: [{ cidr: '300.0.0.0/8' }] }, /IPv4 block/],
    [{ $or: [{ a: ['x'] }] }, /at least two/],
    [{ detail: { a: { b: 'x' } } }, /at detail\.a\.b/],
  ];
  for (const [pattern, re] of bad)
    it(`rejects ${JSON.stringify(pattern)}`, () =>
      assert.throws(
        () => compilePattern(pattern),
        (e: Error & { code?: string }) =>
          e.code === 'NIMBUS_ERR_EVENTS_INVALID_PATTERN' && re.test(e.message),
      ));
  it('an invalid rule is not added to an index', () => {
    const idx = new RuleIndex<string>([]);
    assert.throws(() => idx.add('bad', { a: 'x' }));
    assert.equal(idx.size, 0);
  });
});

// ------------------------------------------------------------------ property: index vs reference

/** Plain reference interpreter of the same semantics (no compilation, no index). */
function refLeaves(v: unknown): unknown[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(refLeaves);
  if (v !== null && typeof v === 'object') return [];
  return [v];
}
function refOne(m: unknown, v: unknown): boolean {
  if (m === null || typeof m !== 'object')
    return typeof m === 'number' ? typeof v === 'number' && v === m : m === v;
  const [op, arg] = Object.entries(m as Record<string, unknown>)[0]!;
  const s = typeof v === 'string' ? v : undefined;
  switch (op) {
    case 'prefix':
      return typeof arg === 'string'
        ? s?.startsWith(arg) === true
        : s
            ?.toLowerCase()
            .startsWith(String((arg as Record<string, unknown>)['equals-ignore-case']).toLowerCase()) ===
            true;
    case 'suffix':
      return typeof arg === 'string'
        ? s?.endsWith(arg) === true
        : s
            ?.toLowerCase()
            .endsWith(String((arg as Record<string, unknown>)['equals-ignore-case']).toLowerCase()) === true;
    case 'equals-ignore-case':
      return s !== undefined && s.toLowerCase() === String(arg).toLowerCase();
    case 'numeric': {
      if (typeof v !== 'number') return false;
      const a = arg as (string | number)[];
      for (let i = 0; i < a.length; i += 2) {
        const n = a[i + 1] as number;
        const ok = { '=': v === n, '<': v < n, '<=': v <= n, '>': v > n, '>=': v >= n }[a[i] as string];
        if (!ok) return false;
      }
      return true;
    }
    case 'anything-but': {
      if (v === null) return false;
      if (Array.isArray(arg)) return !arg.some((x) => refOne(x, v));
      if (arg !== null && typeof arg === 'object') return !refOne(arg, v);
      return !refOne(arg, v);
    }
    default:
      throw new Error(`reference does not know ${op}`);
  }
}
function refObject(p: Record<string, unknown>, node: unknown): boolean {
  const obj =
    node !== null && typeof node === 'object' && !Array.isArray(node)
      ? (node as Record<string, unknown>)
      : undefined;
  for (const [k, v] of Object.entries(p)) {
    if (k === '$or') {
      if (!(v as Record<string, unknown>[]).some((alt) => refObject(alt, node))) return false;
      continue;
    }
    const child = obj?.[k];
    if (Array.isArray(v)) {
      const values = refLeaves(child);
      const ok =
        values.length === 0
          ? v.some((m) => (m as { exists?: boolean })?.exists === false)
          : v.some(
              (m) =>
                (m as { exists?: boolean })?.exists === true ||
                values.some((x) => (m as { exists?: unknown })?.exists === undefined && refOne(m, x)),
            );
      if (!ok) return false;
    } else if (Array.isArray(child)) {
      if (
        !child.some(
          (el) =>
            el !== null &&
            typeof el === 'object' &&
            !Array.isArray(el) &&
            refObject(v as Record<string, unknown>, el),
        )
      )
        return false;
    } else if (child === null || typeof child !== 'object' || !refObject(v as Record<string, unknown>, child))
      return false;
  }
  return true;
}

const str = fc.constantFrom('a', 'b', 'eu-west', 'EU-West', 'us-east', '');
const num = fc.constantFrom(0, 1, 5, 100, 150.5, -3);
const prim = fc.oneof(str, num, fc.boolean(), fc.constant(null));
const key = fc.constantFrom('source', 'kind', 'region', 'amount', 'tags');
const leafValue = fc.oneof(prim, fc.array(prim, { maxLength: 3 }));
const eventArb = fc.letrec((tie) => ({
  node: fc.dictionary(
    key,
    fc.oneof({ depthSize: 'small' }, leafValue, tie('node'), fc.array(tie('node'), { maxLength: 2 })),
    {
      maxKeys: 4,
    },
  ),
})).node;
const matcher = fc.oneof(
  prim,
  str.map((s) => ({ prefix: s })),
  str.map((s) => ({ suffix: s })),
  str.map((s) => ({ prefix: { 'equals-ignore-case': s } })),
  str.map((s) => ({ 'equals-ignore-case': s })),
  fc.tuple(fc.constantFrom('>', '>=', '<', '<=', '='), num).map(([o, n]) => ({ numeric: [o, n] })),
  fc.boolean().map((b) => ({ exists: b })),
  fc.array(fc.oneof(str, num), { minLength: 1, maxLength: 3 }).map((xs) => ({ 'anything-but': xs })),
  str.map((s) => ({ 'anything-but': { prefix: s } })),
);
const patternArb: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  p: fc.dictionary(
    key,
    fc.oneof({ depthSize: 'small' }, fc.array(matcher, { minLength: 1, maxLength: 3 }), tie('p')),
    {
      minKeys: 1,
      maxKeys: 3,
    },
  ),
  or: fc.tuple(tie('p'), tie('p')).map(([a, b]) => ({ $or: [a, b] })),
  any: fc.oneof(tie('p'), tie('or')),
})).any as fc.Arbitrary<Record<string, unknown>>;

describe('event patterns: index agrees with a plain reference matcher (fast-check)', () => {
  it('for random rule sets and events', () => {
    fc.assert(
      fc.property(
        fc.array(patternArb, { minLength: 1, maxLength: 30 }),
        fc.array(eventArb, { minLength: 1, maxLength: 10 }),
        (patterns, events) => {
          const valid = patterns.flatMap((p, i) => {
            try {
              compilePattern(p);
              return [[i, p] as const];
            } catch {
              return [];
            }
          });
          const idx = new RuleIndex<number>(valid);
          for (const e of events) {
            const got = idx.match(e).sort((a, b) => a - b);
            const want = valid.filter(([, p]) => refObject(p, e)).map(([i]) => i);
            assert.deepEqual(got, want, `event ${JSON.stringify(e)}`);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
