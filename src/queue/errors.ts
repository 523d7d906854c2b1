import { defineErrors } from '../core/errors.ts';

/** Errors either queue engine raises. */
export const QueueErrors = defineErrors('QUEUE', {
  CLOSED: {
    status: 503,
    kind: 'system',
    message: 'queue is closed',
    hint: 'the platform is shutting down; the call can be retried once it is back',
    retryable: true,
  },
});

/** True for the error a closed queue (shutdown) answers with. */
export const isQueueClosed = (e: unknown): boolean =>
  (e as { code?: unknown } | undefined)?.code === QueueErrors.codes.CLOSED;
