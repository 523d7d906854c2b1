/**
 * Retry decisions for async invocations: a pure function of (policy, message state, failure, now,
 * random) — no I/O, no clock reads — so every branch is table-tested.
 *
 * Backoff: exponential with "equal jitter" (half fixed, half random): the n-th retry waits
 * d/2 + random·d/2 where d = min(maxDelay, baseDelay·factor^(n-1)). Lambda's own async retries
 * wait ~1 min then ~2 min; those are the defaults.
 */

export interface RetryPolicy {
  /** Retries after the first failed attempt (Lambda MaximumRetryAttempts, 0–2; Nimbus allows more). */
  readonly maximumRetryAttempts: number;
  /** Events older than this are not attempted again (Lambda MaximumEventAgeInSeconds). */
  readonly maximumEventAgeSec: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maximumRetryAttempts: 2,
  maximumEventAgeSec: 21_600,
  baseDelayMs: 60_000,
  maxDelayMs: 15 * 60_000,
  factor: 2,
});

/** Limits of the policy fields (validated at deploy / PutFunctionEventInvokeConfig). */
export const RETRY_LIMITS = Object.freeze({
  maximumRetryAttempts: { min: 0, max: 100 },
  maximumEventAgeSec: { min: 60, max: 7 * 86_400 },
  baseDelayMs: { min: 0, max: 3_600_000 },
});

export type FailureKind =
  /** The handler threw or returned an error (incl. Runtime.* errors). */
  | 'function'
  | 'timeout'
  | 'oom'
  | 'crash'
  | 'init'
  /** No concurrency slot was free: not the function's fault, not counted. */
  | 'throttled'
  /** The function asked to be retried later (RetryAfterError / retryAfter(ms)). */
  | 'retry-after'
  /** The function said retrying cannot help (NonRetriableError / nonRetriable()). */
  | 'non-retriable'
  /** The platform failed around the invocation (counted like a function failure). */
  | 'system';

export interface RetryInput {
  readonly policy: RetryPolicy;
  readonly failure: FailureKind;
  /** Counted failures before this one. */
  readonly failuresSoFar: number;
  readonly enqueuedAt: number;
  readonly now: number;
  /** For `retry-after`. */
  readonly retryAfterMs?: number;
  /** Uniform [0, 1). */
  readonly random: number;
}

export type DeadReason = 'RetriesExhausted' | 'EventAgeExceeded' | 'NonRetriable';

export type RetryDecision =
  | { readonly action: 'retry'; readonly at: number; readonly countFailure: boolean }
  | { readonly action: 'dead'; readonly reason: DeadReason };

/** Delay before the n-th retry (n ≥ 1). */
export function backoffDelay(policy: RetryPolicy, n: number, random: number): number {
  const exp = policy.baseDelayMs * policy.factor ** Math.max(0, n - 1);
  const d = Math.min(policy.maxDelayMs, exp);
  return Math.round(d / 2 + random * (d / 2));
}

/** Throttled events come back soon (1–2 s) and do not use up retries, like Lambda. */
export const THROTTLE_RETRY_MS = 1000;

export function decideRetry(i: RetryInput): RetryDecision {
  const expires = i.enqueuedAt + i.policy.maximumEventAgeSec * 1000;
  const within = (at: number): RetryDecision =>
    at > expires
      ? { action: 'dead', reason: 'EventAgeExceeded' }
      : { action: 'retry', at, countFailure: true };
  switch (i.failure) {
    case 'non-retriable':
      return { action: 'dead', reason: 'NonRetriable' };
    case 'throttled': {
      const r = within(i.now + THROTTLE_RETRY_MS + Math.round(i.random * THROTTLE_RETRY_MS));
      return r.action === 'retry' ? { ...r, countFailure: false } : r;
    }
    case 'retry-after': {
      const r = within(i.now + Math.max(0, Math.round(i.retryAfterMs ?? 0)));
      return r.action === 'retry' ? { ...r, countFailure: false } : r;
    }
    default: {
      const n = i.failuresSoFar + 1; // this failure
      if (n > i.policy.maximumRetryAttempts) return { action: 'dead', reason: 'RetriesExhausted' };
      return within(i.now + backoffDelay(i.policy, n, i.random));
    }
  }
}
