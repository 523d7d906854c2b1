// @nimbus/sdk — what a function can import inside Nimbus (`import { … } from '@nimbus/sdk'`).
// Resolved by the deploy bundler to this file; it has no dependencies and runs in the sandbox.

/** Throw to fail an async invocation without further retries (it goes to the dead letters). */
export class NonRetriableError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

/** Throw to have an async invocation retried after `ms` (does not use up retry attempts). */
export class RetryAfterError extends Error {
  constructor(ms, message = `retry after ${ms} ms`, options) {
    super(message, options);
    this.name = 'RetryAfterError';
    this.retryAfterMs = Number(ms);
  }
}

/** Return value form of NonRetriableError: `return nonRetriable('bad input')`. */
export const nonRetriable = (message = '') => ({ __nimbus: 'non-retriable', message: String(message) });

/** Return value form of RetryAfterError: `return retryAfter(5000)`. */
export const retryAfter = (ms) => ({ __nimbus: 'retry-after', ms: Number(ms) });

/**
 * The context client of the current invocation: `nimbus(context).invoke('fn', payload)`,
 * `.timers.schedule({ delaySeconds, target, payload })`, `.timers.cancel(id)`.
 * Scoped to the function's tenant; calls go to the platform over the sandbox channel.
 */
export function nimbus(context) {
  if (!context?.nimbus) throw new Error('not running inside Nimbus (context.nimbus is missing)');
  return context.nimbus;
}
