/**
 * What both PostgreSQL adapters (the store and the queue) need of a connection: which driver
 * errors mean "the server or the network went away", and a bound on every query. A node cut off
 * from PostgreSQL without a reset (a silent partition) would otherwise hold each store-bound
 * request until the network heals; with `query_timeout` the driver gives up, the request answers
 * a coded 503, and the connection is destroyed instead of going back to the pool.
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** How long a query may go unanswered (ms) before it fails as "unavailable". */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
/** How long opening a connection may take (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

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
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|not queryable|Query read timeout/i.test(
    msg,
  );
}

/** Pool settings every adapter uses: bounded connects and queries, TCP keepalive. */
export function poolTimeouts(o: {
  queryTimeoutMs?: number | undefined;
  connectTimeoutMs?: number | undefined;
}) {
  return {
    connectionTimeoutMillis: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    query_timeout: o.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    keepAlive: true,
  } as const;
}

/**
 * The pool as Kysely's PostgresDialect takes it, with connection failures turned into `unavailable`
 * (a coded, retryable error) and a connection that failed so destroyed on release, not reused.
 * Once a query of a checkout failed so, its later queries (a transaction's ROLLBACK) fail at once.
 */
export function guardedPool(pool: pg.Pool, unavailable: (e: unknown) => Error): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      let c: pg.PoolClient;
      try {
        c = await pool.connect();
      } catch (e) {
        throw isConnectionError(e) ? unavailable(e) : e;
      }
      let broken: unknown;
      const client = {
        query(sql: unknown, parameters?: ReadonlyArray<unknown>) {
          // A cursor (Kysely's streaming): passed through as it is.
          if (typeof sql !== 'string') return c.query(sql as never);
          if (broken !== undefined) return Promise.reject(unavailable(broken));
          return c.query(sql, parameters as unknown[]).catch((e: unknown) => {
            if (!isConnectionError(e)) throw e;
            broken = e;
            throw unavailable(e);
          });
        },
        release() {
          c.release(broken === undefined ? undefined : (broken as Error));
        },
      };
      return client as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
