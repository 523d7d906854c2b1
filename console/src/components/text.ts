/** Values as the console shows them (times, durations, sizes, money) and JSON typed by a user. */
import { ApiError } from '../api/errors.ts';

export function formatTime(iso: string | number): string {
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** An age or a wait, in the largest unit that keeps it readable. */
export function ago(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 90) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${Math.round(s / 86_400)} d`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** An amount: cents, or two significant digits below a cent (0.0000002 USD, not 2.0e-7). */
export const usd = (n: number, currency = 'USD') =>
  `${n < 0.01 && n > 0 ? n.toLocaleString('en-US', { maximumSignificantDigits: 2, maximumFractionDigits: 20 }) : n.toFixed(2)} ${currency}`;

/** Parses JSON typed by a user; the coded error names what broke and where. */
export function parseJson(
  text: string,
  what: string,
  hint = 'paste a JSON object',
): { ok: true; value: unknown } | { ok: false; error: ApiError } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = `${what} is not JSON: ${(e as Error).message}`;
    return { ok: false, error: new ApiError({ code: 'INVALID_JSON', message, status: 400, hint }) };
  }
}
