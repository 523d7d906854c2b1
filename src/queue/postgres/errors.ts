import { defineErrors } from '../../core/errors.ts';

export const PgQueueErrors = defineErrors('QUEUE', {
  UNAVAILABLE: {
    status: 503,
    kind: 'system',
    message: 'queue database is unavailable: {reason}',
    hint: 'check the PostgreSQL URL and that the server is running; the call can be retried',
    retryable: true,
  },
  CLOSED: { status: 503, kind: 'system', message: 'queue is closed', retryable: true },
});

/** SQLSTATE classes and driver errors that mean "the server or the connection went away". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown (server stopping, pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '53300', // too_many_connections
]);

export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  if (CONNECTION_CODES.has(code) || code.startsWith('08')) return true;
  const msg = typeof err?.message === 'string' ? err.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|not queryable/i.test(
    msg,
  );
}

/** Deadlock or serialization failure: the statement was rolled back and may simply run again. */
export function isTransient(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === '40P01' || code === '40001';
}
