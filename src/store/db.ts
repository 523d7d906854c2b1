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
