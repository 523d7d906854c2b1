import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isNimbusError } from '../core/errors.ts';
import {
  compileFilterPattern,
  eventFields,
  FilterPatternErrors,
  globMatch,
  MAX_PATTERN_LENGTH,
  parseFilterPattern,
} from './filter-pattern.ts';

const LAMBDA = (msg: string) =>
  `2026-12-07T10:00:00.000Z\t0193a8f0-aaaa-7bbb-8ccc-000000000001\tINFO\t${msg}`;
const JSON_LINE = LAMBDA(
  JSON.stringify({
    level: 'error',
    latency: 250,
    user: { id: 42, name: 'Ann' },
    tags: ['a', 'b'],
    items: [{ sku: 'x1' }],
    ok: false,
    done: true,
    gone: null,
    msg: 'error: disk full',
    status: 503,
  }),
);

/** [pattern, message, expected] */
const CASES: [string, string, boolean][] = [
  // empty and terms
  ['', 'anything', true],
  ['   ', 'anything', true],
  ['ERROR', 'an ERROR here', true],
  ['ERROR', 'an error here', false],
  ['ERROR', 'ERRORS', true],
  ['ERROR disk', 'ERROR: disk full', true],
  ['ERROR disk', 'ERROR: memory', false],
  ['"disk full"', 'ERROR: disk full', true],
  ['"disk full"', 'disk is full', false],
  ['"quote \\" inside"', 'a quote " inside', true],
  ['?ERROR ?WARN', 'WARN low', true],
  ['?ERROR ?WARN', 'ERROR high', true],
  ['?ERROR ?WARN', 'INFO ok', false],
  ['ERROR -timeout', 'ERROR disk', true],
  ['ERROR -timeout', 'ERROR timeout', false],
  ['ERROR -"health check"', 'ERROR in health check', false],
  ['ERROR ?disk ?memory', 'ERROR memory', true],
  ['ERROR ?disk ?memory', 'ERROR cpu', false],
  ['ERROR ?disk ?memory', 'WARN disk', false],
  ['-DEBUG', 'INFO x', true],
  ['-DEBUG', 'DEBUG x', false],
  ['a-b', 'x a-b y', true],
  ['START', 'START RequestId: r1 Version: $LATEST', true],
  // JSON
  ['{ $.level = "error" }', JSON_LINE, true],
  ['{ $.level = "ERROR" }', JSON_LINE, false],
  ['{$.level="error"}', JSON_LINE, true],
  ['{ $.level = error }', JSON_LINE, true],
  ['{ $.level = "err*" }', JSON_LINE, true],
  ['{ $.level = "*rr*" }', JSON_LINE, true],
  ['{ $.level = "warn*" }', JSON_LINE, false],
  ['{ $.level != "info" }', JSON_LINE, true],
  ['{ $.level != "error" }', JSON_LINE, false],
  ['{ $.missing != "x" }', JSON_LINE, false],
  ['{ $.latency > 100 }', JSON_LINE, true],
  ['{ $.latency > 250 }', JSON_LINE, false],
  ['{ $.latency >= 250 }', JSON_LINE, true],
  ['{ $.latency < 251 }', JSON_LINE, true],
  ['{ $.latency <= 249 }', JSON_LINE, false],
  ['{ $.latency = 250 }', JSON_LINE, true],
  ['{ $.latency = 250.0 }', JSON_LINE, true],
  ['{ $.latency != 250 }', JSON_LINE, false],
  ['{ $.latency > 1e2 }', JSON_LINE, true],
  ['{ $.level > 1 }', JSON_LINE, false],
  ['{ $.user.id = 42 }', JSON_LINE, true],
  ['{ $.user.id = 43 }', JSON_LINE, false],
  ['{ $.user.name = "Ann" }', JSON_LINE, true],
  ['{ $.tags[0] = "a" }', JSON_LINE, true],
  ['{ $.tags[1] = "a" }', JSON_LINE, false],
  ['{ $.tags[5] NOT EXISTS }', JSON_LINE, true],
  ['{ $.items[0].sku = "x1" }', JSON_LINE, true],
  ['{ $.status = 5* }', JSON_LINE, true],
  ['{ $.ok IS FALSE }', JSON_LINE, true],
  ['{ $.ok IS TRUE }', JSON_LINE, false],
  ['{ $.done IS TRUE }', JSON_LINE, true],
  ['{ $.gone IS NULL }', JSON_LINE, true],
  ['{ $.level IS NULL }', JSON_LINE, false],
  ['{ $.missing IS NULL }', JSON_LINE, false],
  ['{ $.missing NOT EXISTS }', JSON_LINE, true],
  ['{ $.level NOT EXISTS }', JSON_LINE, false],
  ['{ $.level EXISTS }', JSON_LINE, true],
  ['{ $.gone not exists }', JSON_LINE, false],
  ['{ $.level = "error" && $.latency > 100 }', JSON_LINE, true],
  ['{ $.level = "error" && $.latency > 1000 }', JSON_LINE, false],
  ['{ $.level = "info" || $.latency > 100 }', JSON_LINE, true],
  ['{ ($.level = "info" || $.latency > 100) && $.user.id = 42 }', JSON_LINE, true],
  ['{ ($.level = "info" || $.latency > 1000) && $.user.id = 42 }', JSON_LINE, false],
  ['{ $.level = "info" || ($.latency > 1000 && $.user.id = 42) }', JSON_LINE, false],
  ['{ ((($.user.id = 42))) }', JSON_LINE, true],
  ['{ $.msg = "error: disk full" }', JSON_LINE, true],
  ['{ $.level = "error" }', '{"level":"error"}', true],
  ['{ $.level = "error" }', 'level=error', false],
  ['{ $.level = "error" }', LAMBDA('{"level": broken}'), false],
  ['{ $.a = 1 }', '[1,2]', false],
  ['{ $.user = "x" }', JSON_LINE, false],
  ['{ $.ip != 10.0.* }', '{"ip":"192.168.0.1"}', true],
  ['{ $.ip != 10.0.* }', '{"ip":"10.0.3.4"}', false],
  // space-delimited
  [
    '[ip, user, username, timestamp, request, status_code, bytes]',
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    true,
  ],
  [
    '[ip, user, username, timestamp, request = "*.gif*", status_code = 2*, bytes > 1000]',
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    true,
  ],
  [
    '[ip, user, username, timestamp, request, status_code = 4* || status_code = 5*, bytes]',
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /x HTTP/1.0" 503 1534',
    true,
  ],
  [
    '[ip, user, username, timestamp, request, status_code = 4* || status_code = 5*, bytes]',
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /x HTTP/1.0" 200 1534',
    false,
  ],
  ['[ip, ..., bytes > 1000]', '127.0.0.1 - frank "GET /x" 200 1534', true],
  ['[ip, ..., bytes > 2000]', '127.0.0.1 - frank "GET /x" 200 1534', false],
  ['[a, b]', 'one two three', false],
  ['[..., status = 200, ...]', 'a b 200 c d', true],
  ['[..., status = 200, ...]', 'a b 201 c d', false],
  ['[ts, id, level = INFO, ...]', LAMBDA('hello world'), true],
  ['[ts, id, level = ERROR, ...]', LAMBDA('hello world'), false],
  ['[a, b != x]', 'p x', false],
  ['[a, b != x]', 'p y', true],
  ['[a, n >= 10 && n < 20]', 'p 15', true],
  ['[a, n >= 10 && n < 20]', 'p 25', false],
  ['[a, n > 10]', 'p abc', false],
  ['[a = 1]', '1', true],
  ['[a = 1]', '2', false],
];

describe('filter patterns', () => {
  for (const [pattern, message, expected] of CASES)
    it(`${pattern || '(empty)'} ${expected ? 'matches' : 'does not match'} ${message.slice(0, 60)}`, () => {
      assert.equal(compileFilterPattern(pattern)(message), expected);
    });

  const BAD: [string, string, RegExp][] = [
    ['"unterminated', FilterPatternErrors.codes.INVALID, /unterminated/],
    ['ERROR "half', FilterPatternErrors.codes.INVALID, /unterminated/],
    ['a"b', FilterPatternErrors.codes.INVALID, /quote inside/],
    ['"a"b', FilterPatternErrors.codes.INVALID, /space after/],
    ['? x', FilterPatternErrors.codes.INVALID, /empty term/],
    ['{ $.a = 1', FilterPatternErrors.codes.INVALID, /end with "}"/],
    ['{}', FilterPatternErrors.codes.INVALID, /empty JSON/],
    ['{ $.a }', FilterPatternErrors.codes.INVALID, /operator/],
    ['{ $.a = }', FilterPatternErrors.codes.INVALID, /expected a value/],
    ['{ $.a > "x" }', FilterPatternErrors.codes.INVALID, /compares numbers/],
    ['{ $.a > abc }', FilterPatternErrors.codes.INVALID, /compares numbers/],
    ['{ a = 1 }', FilterPatternErrors.codes.INVALID, /selector/],
    ['{ $ = 1 }', FilterPatternErrors.codes.INVALID, /needs a field/],
    ['{ $.a = 1 && }', FilterPatternErrors.codes.INVALID, /ends where a condition/],
    ['{ ($.a = 1 }', FilterPatternErrors.codes.INVALID, /missing "\)"/],
    ['{ $.a = 1) }', FilterPatternErrors.codes.INVALID, /unexpected/],
    ['{ $.a = 1 $.b = 2 }', FilterPatternErrors.codes.INVALID, /unexpected a selector/],
    ['{ $.a[x] = 1 }', FilterPatternErrors.codes.INVALID, /array index/],
    ['{ $.a[0 = 1 }', FilterPatternErrors.codes.INVALID, /unclosed/],
    ['{ $.a IS MAYBE }', FilterPatternErrors.codes.INVALID, /operator/],
    ['{ $.a ! 1 }', FilterPatternErrors.codes.INVALID, /unexpected/],
    [`{ ${'('.repeat(40)}$.a = 1${')'.repeat(40)} }`, FilterPatternErrors.codes.INVALID, /nested deeper/],
    ['[a, b', FilterPatternErrors.codes.INVALID, /end with "]"/],
    ['[]', FilterPatternErrors.codes.INVALID, /empty space-delimited/],
    ['[a,,b]', FilterPatternErrors.codes.INVALID, /field 2 is empty/],
    ['[1a]', FilterPatternErrors.codes.INVALID, /must start with a name/],
    ['[a, b = 1 || c = 2]', FilterPatternErrors.codes.INVALID, /names the field/],
    [
      `[${Array.from({ length: 101 }, (_, i) => `f${i}`).join(',')}]`,
      FilterPatternErrors.codes.INVALID,
      /more than 100/,
    ],
    ['%ERR.*%', FilterPatternErrors.codes.UNSUPPORTED, /regular expression/],
    ['{ $.a = %x+% }', FilterPatternErrors.codes.UNSUPPORTED, /regular expression/],
    ['{ $.* = 1 }', FilterPatternErrors.codes.UNSUPPORTED, /\$\.\*/],
    ['{ $.a[*] = 1 }', FilterPatternErrors.codes.UNSUPPORTED, /\[\*\]/],
    ['x'.repeat(MAX_PATTERN_LENGTH + 1), FilterPatternErrors.codes.TOO_LONG, /1025 characters/],
  ];
  for (const [pattern, code, message] of BAD)
    it(`rejects ${pattern.slice(0, 50)} with ${code}`, () => {
      assert.throws(
        () => parseFilterPattern(pattern),
        (e: unknown) => isNimbusError(e) && e.code === code && message.test(e.message),
      );
    });

  it('a pattern of exactly 1,024 characters is accepted', () => {
    assert.equal(parseFilterPattern('x'.repeat(MAX_PATTERN_LENGTH)).type, 'terms');
  });

  it('globs: * matches any run, nothing else is special', () => {
    assert.equal(globMatch('a*c', 'abbbc'), true);
    assert.equal(globMatch('a*c', 'ac'), true);
    assert.equal(globMatch('a*c', 'abd'), false);
    assert.equal(globMatch('*', ''), true);
    assert.equal(globMatch('a.c', 'abc'), false);
    assert.equal(globMatch('a*b*a', 'aba'), true);
    assert.equal(globMatch('ab*ba', 'aba'), false);
    assert.equal(globMatch('*x*y*', 'xy'), true);
    assert.equal(globMatch('*x*y*', 'yx'), false);
    assert.equal(globMatch('(.*)+$', '(.*)+$'), true);
  });

  it('space-delimited fields: quotes and brackets group, tabs split', () => {
    assert.deepEqual(eventFields('a "b c" [d e] f\tg'), ['a', 'b c', 'd e', 'f', 'g']);
    assert.deepEqual(eventFields('"unclosed x'), ['"unclosed', 'x']);
  });

  it('property: parsing any string throws only coded errors', () => {
    const alphabet = fc.constantFrom(
      ...'{}[]()$.=!<>&|"\\?-* ,aZ09%\t'.split(''),
      '&&',
      '||',
      'IS',
      'NULL',
      'NOT',
      'EXISTS',
      '...',
      '$.a',
      '[0]',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(alphabet, { maxLength: 80 }).map((a) => a.join('')),
        ),
        (s) => {
          try {
            const m = compileFilterPattern(s);
            // Whatever parsed must also match without throwing.
            m('127.0.0.1 - x [t] "GET /" 200 10');
            m('{"a":[1,{"b":null}],"level":"error"}');
          } catch (e) {
            if (!isNimbusError(e) || !e.code.startsWith('NIMBUS_ERR_FILTER_PATTERN_')) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('pathological patterns against long lines stay fast', () => {
    const line = `${'a'.repeat(200_000)}b`;
    const started = performance.now();
    assert.equal(compileFilterPattern(`{ $.x = "${'*a'.repeat(100)}*c" }`)(`{"x":"${line}"}`), false);
    assert.equal(
      compileFilterPattern(`[${Array.from({ length: 50 }, () => '..., f = a*').join(',')}]`)(
        'a '.repeat(5_000),
      ),
      true,
    );
    assert.equal(compileFilterPattern(`"${'a'.repeat(1000)}b"`)(line), true);
    assert.ok(performance.now() - started < 2_000, `took ${performance.now() - started} ms`);
  });
});
