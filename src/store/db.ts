/** The Kysely handle the repos use (a database or a transaction) and the unique-violation mapping. */
import type { Kysely, Transaction } from 'kysely';
import { CoreErrors } from '../core/errors.ts';
import type { Tables } from './schema.ts';

export type Db = Kysely<Tables> | Transaction<Tables>;

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string; errcode?: number };
  return (
    err.code === '23505' ||
    /UNIQUE constraint failed|PRIMARY KEY/.test(err.message ?? '') ||
    err.errcode === 1555
  );
}

/** Runs an insert; a unique-key violation becomes CORE_CONFLICT naming `what`. */
export async function insertOrConflict(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (isUniqueViolation(e)) throw CoreErrors.CONFLICT({ what });
    throw e;
  }
}

/**
 * Splits `items` into chunks whose sizes are powers of two (largest first, at most `max`), so a
 * multi-row INSERT has only a handful of distinct SQL texts and its prepared statement is reused
 * (a batch of 37 rows becomes 32 + 4 + 1 instead of a new 37-row statement).
 */
export function* pow2Chunks<T>(items: readonly T[], max: number): Generator<readonly T[]> {
  let i = 0;
  let size = 1;
  while (size * 2 <= max) size *= 2;
  while (i < items.length) {
    while (size > items.length - i) size /= 2;
    yield items.slice(i, i + size);
    i += size;
  }
}

/** Runs fn in a transaction, or inline when `db` already is one. */
export function inTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction
    ? fn(db)
    : (db as Kysely<Tables>).transaction().execute((tx: Transaction<Tables>) => fn(tx));
}
