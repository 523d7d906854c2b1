/**
 * PostgreSQL Store through Kysely + `pg`. int8 columns are parsed as JS numbers (epoch ms and
 * sequence numbers stay far below 2^53).
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../../core/ports.ts';
import { StoreErrors } from '../errors.ts';
import { migrate } from '../migrations.ts';
import { makeStore } from '../repos.ts';
import type { Tables } from '../schema.ts';
import { guardedPool, poolTimeouts } from './connection.ts';

const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export interface PostgresStoreOptions {
  readonly url: string;
  /** Schema to create (if missing) and use; tests isolate themselves with it. */
  readonly schema?: string;
  readonly maxConnections?: number;
  /** How long a query may go unanswered before it fails STORE_UNAVAILABLE (default 30 s). */
  readonly queryTimeoutMs?: number;
  /** How long opening a connection may take (default 5 s). */
  readonly connectTimeoutMs?: number;
}

export async function openPostgresStore(o: PostgresStoreOptions): Promise<Store> {
  if (o.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(o.schema)) {
    throw StoreErrors.UNAVAILABLE({ reason: `invalid schema name ${o.schema}` });
  }
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.maxConnections ?? 10,
    types,
    ...poolTimeouts({ queryTimeoutMs: o.queryTimeoutMs, connectTimeoutMs: o.connectTimeoutMs }),
  });
  pool.on('error', () => {
    // Idle client errors (server restart) must not crash the platform; the next query reconnects.
  });
  // The pool listens for errors only on idle clients: one checked out by Kysely (a query or a
  // transaction in progress) whose connection dies emits 'error' with nobody listening, and the
  // process crashed on every PostgreSQL restart under load. The query in flight still fails
  // (pg rejects it), and the pool drops the dead client when it is released.
  pool.on('connect', (c) => {
    c.on('error', () => {});
  });
  if (o.schema) {
    pool.on('connect', (c) => {
      c.query(`SET search_path TO ${o.schema}`).catch(() => {});
    });
  }
  // Where the store's tables (and Kysely's migration tables) live: the given schema, else the
  // role's current one (migrate() must not find another schema's migration tables).
  let schema = o.schema;
  try {
    const c = await pool.connect();
    try {
      if (!o.schema) schema = (await c.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
      if (o.schema) {
        // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when
        // the schema exists, which a least-privilege role given just its schema does not have.
        const found = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [o.schema]);
        if (found.rowCount === 0) await c.query(`CREATE SCHEMA IF NOT EXISTS ${o.schema}`);
        await c.query(`SET search_path TO ${o.schema}`);
      }
    } finally {
      c.release();
    }
  } catch (e) {
    await pool.end().catch(() => {});
    throw StoreErrors.UNAVAILABLE({ reason: (e as Error).message }, { cause: e });
  }
  const guarded = guardedPool(pool, (e) =>
    StoreErrors.UNAVAILABLE({ reason: (e as Error).message || String(e) }, { cause: e }),
  );
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: guarded }) });
  await migrate(db as Kysely<unknown>, 'postgres', schema);
  return makeStore('postgres', db, () => db.destroy());
}
