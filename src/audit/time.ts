/** Time bounds in queries: an ISO date, epoch ms, or relative to now (`30s`, `30m`, `1h`, `7d`). */
import { CoreErrors } from '../core/errors.ts';

const UNIT_MS = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 } as const;

/** → epoch ms; throws CORE_VALIDATION naming `name`. */
export function parseTimeBound(value: string, name: string, now: number): number {
  const rel = /^(\d{1,9})(s|m|h|d)$/.exec(value);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  if (/^\d{1,16}$/.test(value)) return Number(value);
  // Only date-like strings: Date.parse also accepts oddities like "1" or "March 7".
  const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t))
    throw CoreErrors.VALIDATION({
      reason: `${name} ${JSON.stringify(value.slice(0, 50))}: use an ISO time (2026-01-31T12:00:00Z), epoch ms, or 30m, 1h, 7d`,
    });
  return t;
}
