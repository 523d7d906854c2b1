import { defineErrors } from '../../core/errors.ts';

export const PgQueueErrors = defineErrors('QUEUE', {
  UNAVAILABLE: {
    status: 503,
    kind: 'system',
    message: 'queue database is unavailable: {reason}',
    hint: 'check the PostgreSQL URL and that the server is running; the call can be retried',
    retryable: true,
  },
});

export { isConnectionError } from '../../store/postgres/connection.ts';

/** Deadlock or serialization failure: the statement was rolled back and may simply run again. */
export function isTransient(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === '40P01' || code === '40001';
}
