/**
 * Schedule expressions in EventBridge syntax — `rate(5 minutes)`, `cron(0 12 * * ? *)` (AWS
 * 6 fields: minute hour day-of-month month day-of-week year, SUN=1) — plus 5-field Unix cron
 * (`cron(0 12 * * 1)` or bare `0 12 * * 1`, SUN=0), with an IANA timezone. Cron matching is done
 * by croner (maintained; handles L, W, #, ?, names and DST); this module only translates.
 */
import { Cron } from 'croner';
import { defineErrors } from '../core/errors.ts';

export const ScheduleErrors = defineErrors('SCHEDULE', {
  BAD_EXPRESSION: {
    status: 400,
    kind: 'user',
    message: 'invalid schedule expression "{expression}": {reason}',
    hint: 'use rate(5 minutes), cron(0 12 * * ? *) (AWS: min hour day month weekday year) or 5-field Unix cron',
  },
  BAD_TIMEZONE: {
    status: 400,
    kind: 'user',
    message: 'unknown timezone "{timezone}"',
    hint: 'use an IANA name such as Europe/Paris or UTC',
  },
});

export interface CompiledSchedule {
  readonly kind: 'rate' | 'cron';
  /** Next fire time strictly after `after` (epoch ms), or undefined when there is none. */
  next(after: number): number | undefined;
}

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** AWS cron field upper bounds (for `a/b` → `a-max/b`): min hour dom month dow year. */
const AWS_MAX = [59, 23, 31, 12, 7, 2199];

export function validateTimezone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw ScheduleErrors.BAD_TIMEZONE({ timezone: tz });
  }
}

/**
 * @param anchor rate schedules fire at anchor + k·period (the schedule's creation time), so a
 *   restart does not shift them.
 */
export function compileSchedule(
  expression: string,
  opts: { timezone?: string; anchor: number },
): CompiledSchedule {
  const expr = expression.trim();
  const bad = (reason: string) => ScheduleErrors.BAD_EXPRESSION({ expression, reason });
  const tz = opts.timezone ?? 'UTC';
  validateTimezone(tz);

  const rate = /^rate\(\s*(\d+)\s+([a-z]+?)s?\s*\)$/i.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    const unit = UNITS[rate[2]!.toLowerCase()];
    if (!unit) throw bad('the unit must be minute(s), hour(s) or day(s)');
    if (!Number.isInteger(n) || n < 1) throw bad('the value must be a positive integer');
    const period = n * unit;
    return {
      kind: 'rate',
      next(after) {
        const k = Math.floor((after - opts.anchor) / period) + 1;
        return opts.anchor + Math.max(1, k) * period;
      },
    };
  }
  if (/^rate\(/i.test(expr)) throw bad('rate(value unit), unit minute(s), hour(s) or day(s)');

  const inner = /^cron\((.*)\)$/i.exec(expr)?.[1]?.trim() ?? expr;
  const fields = inner.split(/\s+/);
  let cron: Cron;
  try {
    if (fields.length === 6) {
      // AWS: one of day-of-month / day-of-week must be '?'.
      if ((fields[2] === '?') === (fields[4] === '?'))
        throw bad('in AWS cron exactly one of day-of-month and day-of-week must be "?"');
      const f = fields.map((v, i) => v.replace(/^(\d+)\/(\d+)$/, (_m, a, b) => `${a}-${AWS_MAX[i]}/${b}`));
      cron = new Cron(`0 ${f.join(' ')}`, {
        paused: true,
        mode: '7-part',
        alternativeWeekdays: true,
        timezone: tz,
      });
    } else if (fields.length === 5) {
      cron = new Cron(fields.join(' '), { paused: true, mode: '5-part', timezone: tz });
    } else {
      throw bad(`expected 6 fields (AWS) or 5 fields (Unix), got ${fields.length}`);
    }
  } catch (e) {
    if (e instanceof Error && e.name === 'NimbusError') throw e;
    throw bad(e instanceof Error ? e.message.replace(/^CronPattern: /, '') : String(e));
  }
  return {
    kind: 'cron',
    next(after) {
      return cron.nextRun(new Date(after))?.getTime();
    },
  };
}
