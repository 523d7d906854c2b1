import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSchedule } from './expression.ts';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0); // Thursday
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const nexts = (expr: string, n: number, tz?: string, from = T0) => {
  const c = compileSchedule(expr, { timezone: tz, anchor: T0 });
  const out: (string | undefined)[] = [];
  let t = from;
  for (let i = 0; i < n; i++) {
    const x = c.next(t);
    out.push(iso(x));
    if (x === undefined) break;
    t = x;
  }
  return out;
};

describe('schedule expressions', () => {
  const table: [expr: string, tz: string | undefined, expected: string[]][] = [
    ['rate(5 minutes)', undefined, ['2026-01-01T00:05:00.000Z', '2026-01-01T00:10:00.000Z']],
    ['rate(1 minute)', undefined, ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']],
    ['rate(2 hours)', undefined, ['2026-01-01T02:00:00.000Z', '2026-01-01T04:00:00.000Z']],
    ['rate(1 day)', undefined, ['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']],
    // AWS 6-field: min hour dom month dow year; SUN=1.
    ['cron(0 12 * * ? *)', undefined, ['2026-01-01T12:00:00.000Z', '2026-01-02T12:00:00.000Z']],
    [
      'cron(0 18 ? * MON-FRI *)',
      undefined,
      ['2026-01-01T18:00:00.000Z', '2026-01-02T18:00:00.000Z', '2026-01-05T18:00:00.000Z'],
    ],
    ['cron(0 8 ? * 2 *)', undefined, ['2026-01-05T08:00:00.000Z', '2026-01-12T08:00:00.000Z']], // 2 = Monday
    ['cron(0/15 * * * ? *)', undefined, ['2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z']],
    ['cron(15 10 ? * 6L 2026)', undefined, ['2026-01-30T10:15:00.000Z', '2026-02-27T10:15:00.000Z']],
    ['cron(0 8 L * ? *)', undefined, ['2026-01-31T08:00:00.000Z', '2026-02-28T08:00:00.000Z']],
    ['cron(0 9 1 1 ? 2027)', undefined, ['2027-01-01T09:00:00.000Z', undefined as unknown as string]],
    // Unix 5-field: SUN=0, 1 = Monday.
    ['cron(0 12 * * 1)', undefined, ['2026-01-05T12:00:00.000Z', '2026-01-12T12:00:00.000Z']],
    ['*/30 * * * *', undefined, ['2026-01-01T00:30:00.000Z', '2026-01-01T01:00:00.000Z']],
    // Timezones (Paris is UTC+1 in January).
    ['cron(0 12 * * ? *)', 'Europe/Paris', ['2026-01-01T11:00:00.000Z', '2026-01-02T11:00:00.000Z']],
    ['0 12 * * *', 'America/New_York', ['2026-01-01T17:00:00.000Z']],
  ];
  for (const [expr, tz, expected] of table)
    it(`${expr}${tz ? ` in ${tz}` : ''}`, () => assert.deepEqual(nexts(expr, expected.length, tz), expected));

  it('rate schedules keep their anchor (no drift after a late evaluation)', () => {
    const c = compileSchedule('rate(10 minutes)', { anchor: T0 });
    assert.equal(iso(c.next(T0 + 25 * 60_000 + 123)), '2026-01-01T00:30:00.000Z');
    assert.equal(iso(c.next(T0 + 30 * 60_000)), '2026-01-01T00:40:00.000Z', 'strictly after');
  });

  it('DST: a daily 02:30 in Paris skips the missing hour without firing twice', () => {
    const from = Date.UTC(2026, 2, 28, 0, 0); // 28 March; DST starts 29 March 02:00 local
    const got = nexts('cron(30 2 * * ? *)', 3, 'Europe/Paris', from);
    assert.equal(new Set(got).size, 3);
  });

  const bad: [string, RegExp][] = [
    ['rate(0 minutes)', /positive/],
    ['rate(5 weeks)', /unit/],
    ['rate(five minutes)', /rate\(value unit\)/],
    ['cron(0 12 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 12 * *)', /expected 6 fields/],
    ['cron(99 12 * * ? *)', /invalid schedule expression/],
    ['hello', /expected 6 fields/],
  ];
  for (const [expr, re] of bad)
    it(`rejects ${expr} with a coded error`, () =>
      assert.throws(
        () => compileSchedule(expr, { anchor: T0 }),
        (e: Error & { code?: string }) =>
          e.code === 'NIMBUS_ERR_SCHEDULE_BAD_EXPRESSION' && re.test(e.message),
      ));
  it('rejects unknown timezones', () =>
    assert.throws(
      () => compileSchedule('rate(1 minute)', { anchor: T0, timezone: 'Mars/Olympus' }),
      /NIMBUS_ERR_SCHEDULE_BAD_TIMEZONE|unknown timezone/,
    ));
});
