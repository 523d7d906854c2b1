/**
 * @module store
 * The Store port's adapters: embedded SQLite (default) and PostgreSQL (cluster). Migrations run on
 * open. One contract suite (contract.ts) runs against both.
 */
import type { Store } from '../core/ports.ts';
import { openPostgresStore } from './postgres/index.ts';
import { inspectPostgres, type StoreFinding } from './postgres/inspect.ts';
import { openSqliteStore } from './sqlite/index.ts';

export { StoreErrors } from './errors.ts';
export type { StoreFinding, StoreFindingCode } from './postgres/inspect.ts';

export interface OpenStoreOptions {
  /** `sqlite` or a `postgres://` URL. */
  readonly url: string;
  readonly dataDir: string;
  readonly sqliteSynchronous?: 'NORMAL' | 'FULL';
  readonly schema?: string;
  /** SQLite: the record writer's thread failed (records then go through the store's connection). */
  readonly onError?: (e: Error) => void;
}

export function openStore(o: OpenStoreOptions): Promise<Store> {
  if (o.url === 'sqlite')
    return openSqliteStore({ dataDir: o.dataDir, synchronous: o.sqliteSynchronous, onError: o.onError });
  return openPostgresStore({ url: o.url, schema: o.schema });
}

/** Security findings about the configured store (the PostgreSQL role and server auth); never throws. */
export function inspectStore(url: string): Promise<StoreFinding[]> {
  return url === 'sqlite' ? Promise.resolve([]) : inspectPostgres(url);
}
