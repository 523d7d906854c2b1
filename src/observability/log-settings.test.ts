import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPattern, DEFAULT_LOG_SETTINGS, parseLogSettings, redactWith } from './log-settings.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'none';
};

describe('logs setting', () => {
  it('accepts plain patterns and refuses ReDoS shapes, bad syntax and long ones', () => {
    for (const ok of [
      'card=\\d+',
      '[\\w.]+@[\\w.]+',
      'token:[a-z]{1,64}',
      '(?:ab|cd)',
      '(ab)+',
      'a{3}(b|c)',
      'x?y?z?',
    ])
      assert.ok(checkPattern(ok) instanceof RegExp, ok);
    for (const bad of [
      '(a+)+',
      '(a*)*',
      '(a|b)*',
      '((ab)+)+',
      '(a{1,})+',
      'a+b+c+',
      '\\1',
      '\\k<x>',
      '(?=x)',
      '(?<!x)',
      '(',
      ')',
      '[',
      'x'.repeat(201),
      '',
    ])
      assert.equal(
        codeOf(() => checkPattern(bad)),
        'NIMBUS_ERR_LOGS_BAD_PATTERN',
        bad,
      );
  });

  it('redacts matches in pieces, and fails closed past its time budget', () => {
    const re = [checkPattern('card=\\d+')];
    const mono = () => performance.now();
    assert.equal(redactWith(re, 'paid card=4111 and card=42 ok', mono), 'paid *** and *** ok');
    // A match near a piece boundary (the cut is at whitespace) is still found.
    const long = `${'word '.repeat(60)}card=1234567890 ${'x '.repeat(200)}`;
    assert.ok(!redactWith(re, long, mono).includes('1234567890'));
    // A clock that jumps: the rest of the line is replaced.
    let t = 0;
    const out = redactWith(re, 'a '.repeat(1000), () => (t += 100));
    assert.match(out, /\*\*\* \[redaction time limit\]$/);
    assert.ok(out.length < 400);
  });

  it('validates a setting, merging over the current one, with every problem listed', () => {
    const s = parseLogSettings({ retentionDays: 7, maxMegabytes: 512, redact: ['card=\\d+'] });
    assert.deepEqual(s, {
      ...DEFAULT_LOG_SETTINGS,
      retentionDays: 7,
      maxMegabytes: 512,
      redact: ['card=\\d+'],
    });
    assert.deepEqual(parseLogSettings({ linesPerSecond: 10 }, s), { ...s, linesPerSecond: 10 });
    assert.equal(parseLogSettings({ maxMegabytes: null }, s).maxMegabytes, null);
    try {
      parseLogSettings({ retentionDays: 0, maxMegabytes: -1, bogus: 1 });
      assert.fail('expected an error');
    } catch (e) {
      const m = (e as Error).message;
      assert.match(m, /retentionDays/);
      assert.match(m, /maxMegabytes/);
      assert.match(m, /bogus/);
    }
    assert.equal(
      codeOf(() => parseLogSettings([])),
      'NIMBUS_ERR_LOGS_BAD_QUERY',
    );
    assert.equal(
      codeOf(() => parseLogSettings({ redact: ['(a+)+'] })),
      'NIMBUS_ERR_LOGS_BAD_PATTERN',
    );
  });
});
