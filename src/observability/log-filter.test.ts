import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import type { StoredLogLine } from '../core/types.ts';
import { DEFAULT_LOG_RATE, droppedLine, LogRateLimiter } from './flood.ts';
import { jsonLevel, levelOf, levelsFrom, normalizeLevel } from './levels.ts';
import { matchesFields, parseFilterEntry, parseLogFilter } from './log-filter.ts';

const line = (message: string, o: Partial<StoredLogLine> = {}): StoredLogLine => ({
  seq: 1,
  tenant: 't',
  functionName: 'f',
  version: '$LATEST',
  requestId: 'r',
  ts: 0,
  stream: 'stdout',
  message,
  instanceId: 'i',
  ...o,
});

describe('log levels', () => {
  it('normalizes level spellings and ranks them', () => {
    assert.equal(normalizeLevel('warning'), 'WARN');
    assert.equal(normalizeLevel('CRITICAL'), 'FATAL');
    assert.equal(normalizeLevel(50), 'ERROR');
    assert.equal(normalizeLevel('loud'), undefined);
    assert.equal(normalizeLevel({}), undefined);
    assert.deepEqual(levelsFrom('WARN'), ['WARN', 'ERROR', 'FATAL']);
  });
  it('takes a JSON line level, then the harness one, then the stream', () => {
    assert.equal(jsonLevel('{"level":"error","x":1}'), 'ERROR');
    assert.equal(jsonLevel('{"severity":"Debug"}'), 'DEBUG');
    assert.equal(jsonLevel('{"nested":{"level":"error"}}'), undefined);
    assert.equal(jsonLevel('[{"level":"error"}]'), undefined);
    assert.equal(jsonLevel(`{"level":"error","pad":"${'x'.repeat(20_000)}"}`), undefined);
    assert.equal(levelOf('stderr', 'plain'), 'ERROR');
    assert.equal(levelOf('stdout', 'plain'), 'INFO');
    assert.equal(levelOf('stderr', 'plain', 'WARN'), 'WARN');
    assert.equal(levelOf('stdout', '{"level":"fatal"}'), 'FATAL');
    assert.equal(levelOf('stdout', '{"level":"fatal"}', 'bogus'), 'FATAL');
  });
});

describe('log filters', () => {
  it('parses field filters, text and levels, and refuses bad ones with coded errors', () => {
    assert.deepEqual(parseFilterEntry('user.id=42'), { path: ['user', 'id'], op: '=', value: '42', num: 42 });
    assert.deepEqual(parseFilterEntry('ms >= 5'), { path: ['ms'], op: '>=', value: '5', num: 5 });
    assert.equal(parseFilterEntry('just some text'), 'just some text');
    const f = parseLogFilter({ level: 'Warn', q: 'abc', filter: ['a=1,b!=2', 'free text, with comma'] });
    assert.equal(f.minLevel, 'WARN');
    assert.deepEqual(f.text, ['abc', 'free text, with comma']);
    assert.deepEqual(
      f.fields.map((x) => `${x.path.join('.')}${x.op}${x.value}`),
      ['a=1', 'b!=2'],
    );
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as { code: string }).code;
      }
      return 'none';
    };
    assert.equal(
      code(() => parseLogFilter({ level: 'loud' })),
      'NIMBUS_ERR_LOGS_BAD_LEVEL',
    );
    assert.equal(
      code(() => parseFilterEntry('ms>abc')),
      'NIMBUS_ERR_LOGS_BAD_FILTER',
    );
    assert.equal(
      code(() => parseFilterEntry('level=loud')),
      'NIMBUS_ERR_LOGS_BAD_FILTER',
    );
    assert.equal(
      code(() => parseFilterEntry(`a=${'x'.repeat(2000)}`)),
      'NIMBUS_ERR_LOGS_BAD_FILTER',
    );
    assert.equal(
      code(() => parseLogFilter({ filter: Array.from({ length: 20 }, (_, i) => `k${i}=1`) })),
      'NIMBUS_ERR_LOGS_BAD_QUERY',
    );
  });

  it('matches JSON fields by path, numbers and strings, and levels from the line or the JSON', () => {
    const m = (msg: string, filters: string[], o: Partial<StoredLogLine> = {}) =>
      matchesFields(line(msg, o), parseLogFilter({ filter: filters }).fields);
    const j = JSON.stringify({ user: { id: 42, name: 'ada' }, ms: 150, ok: true, level: 'warn' });
    assert.ok(m(j, ['user.id=42']));
    assert.ok(m(j, ['user.name=ada', 'ms>100', 'ms<=150', 'ok=true']));
    assert.ok(!m(j, ['user.name!=ada']));
    assert.ok(!m(j, ['missing!=x']));
    assert.ok(!m(j, ['ms<100']));
    assert.ok(!m(j, ['user.id="43"']));
    assert.ok(!m('not json', ['a=1']));
    assert.ok(!m('{broken', ['a=1']));
    assert.ok(m(j, ['level=warn']));
    assert.ok(m('plain', ['level=error'], { level: 'ERROR' }));
    assert.ok(m('plain', ['level=error'], { stream: 'stderr' }));
    assert.ok(!m('plain', ['level=error']));
    assert.ok(m('plain', ['level!=error']));
    assert.ok(m('START RequestId: x', ['level=info'], { stream: 'platform' }));
    // Prototype keys are not fields.
    assert.ok(!m('{}', ['constructor=x']));
    assert.ok(!m('{"a":{}}', ['a.__proto__=x']));
  });
});

describe('flood cap', () => {
  it('admits lines and bytes per second per instance, and resets each second', () => {
    const clock = new FakeClock();
    const r = new LogRateLimiter(clock, () => ({ linesPerSecond: 3, bytesPerSecond: 100 }));
    assert.deepEqual([r.admit(10), r.admit(10), r.admit(10), r.admit(10)], [true, true, true, false]);
    clock.advance(1000);
    assert.equal(r.admit(90), true);
    assert.equal(r.admit(20), false);
    clock.advance(1000);
    assert.equal(r.admit(500), true); // one line longer than the budget goes in alone
    assert.equal(r.admit(1), false);
    assert.equal(droppedLine(1), '1 log line dropped (rate limit)');
    assert.equal(droppedLine(5), '5 log lines dropped (rate limit)');
    assert.equal(DEFAULT_LOG_RATE.linesPerSecond, 1000);
  });
});
