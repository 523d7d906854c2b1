/**
 * @module workflows/engine/errors
 * Retry and Catch as pure decisions over ASL's error names (table-tested in errors.test.ts).
 *
 * Matching (ASL spec, AWS "Handling errors"): a name matches itself; `States.ALL` matches every
 * error but the terminal `States.Runtime` and `States.DataLimitExceeded`; `States.TaskFailed`
 * matches any error of a Task but a timeout; `States.Timeout` also matches
 * `States.HeartbeatTimeout`. The first retrier (or catcher) whose ErrorEquals matches decides:
 * later ones are not consulted even when the first is exhausted.
 */
import type { Catcher, Retrier } from '../asl/types.ts';

const TERMINAL = new Set(['States.Runtime', 'States.DataLimitExceeded']);
const TIMEOUTS = new Set(['States.Timeout', 'States.HeartbeatTimeout']);

export function errorMatches(names: readonly string[], error: string): boolean {
  for (const n of names) {
    if (n === error) return true;
    if (n === 'States.ALL' && !TERMINAL.has(error)) return true;
    if (n === 'States.TaskFailed' && !TIMEOUTS.has(error) && !TERMINAL.has(error)) return true;
    if (n === 'States.Timeout' && error === 'States.HeartbeatTimeout') return true;
  }
  return false;
}

export type RetryDecision =
  | { readonly retry: true; readonly index: number; readonly delayMs: number }
  | { readonly retry: false };

/**
 * `used[i]`: retries retrier i already spent on this state. Delay: IntervalSeconds (default 1) ×
 * BackoffRate (default 2) ^ used, at most MaxDelaySeconds; FULL jitter draws in [0, delay).
 */
export function decideRetry(
  retriers: readonly Retrier[] | undefined,
  used: readonly number[],
  error: string,
  random: () => number,
): RetryDecision {
  if (!retriers) return { retry: false };
  const index = retriers.findIndex((r) => errorMatches(r.ErrorEquals, error));
  if (index < 0) return { retry: false };
  const r = retriers[index]!;
  const n = used[index] ?? 0;
  if (n >= (r.MaxAttempts ?? 3)) return { retry: false };
  let delay = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** n;
  if (r.MaxDelaySeconds !== undefined) delay = Math.min(delay, r.MaxDelaySeconds);
  let ms = Math.round(delay * 1000);
  if (r.JitterStrategy === 'FULL') ms = Math.floor(random() * ms);
  return { retry: true, index, delayMs: ms };
}

export function findCatcher(catchers: readonly Catcher[] | undefined, error: string): Catcher | undefined {
  return catchers?.find((c) => errorMatches(c.ErrorEquals, error));
}
