/**
 * Test support: two nodes' stores on one database (one SQLite file, or one PostgreSQL schema),
 * and whether a dialect can run here (PostgreSQL must be reachable in CI; elsewhere it may skip).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Store } from '../core/ports.ts';
import { openStore } from '../store/index.ts';
import { isPostgresReachable, TEST_PG_URL } from '../store/postgres/reachable.ts';

/** `open` gives one more node's store on the shared database; `cleanup` drops the database. */
export type SharedStores = () => Promise<{ open: () => Promise<Store>; cleanup: () => Promise<void> }>;

export const SHARED_STORES: Record<'sqlite' | 'postgres', SharedStores> = {
  sqlite: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nimbus-cluster-'));
    return {
      open: () => openStore({ url: 'sqlite', dataDir: dir }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
  postgres: async () => {
    const schema = `nimbus_test_${randomBytes(4).toString('hex')}`;
    return {
      open: () => openStore({ url: TEST_PG_URL, dataDir: '/nonexistent', schema }),
      cleanup: async () => {
        const c = new pg.Client({ connectionString: TEST_PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  },
};

/**
 * A skip reason when the dialect cannot run here. Never in CI: there the tests run and fail on
 * the missing PostgreSQL.
 */
export async function unavailable(dialect: string): Promise<string | undefined> {
  if (dialect !== 'postgres' || process.env.CI === 'true' || (await isPostgresReachable())) return undefined;
  return `PostgreSQL not reachable at ${TEST_PG_URL} (allowed outside CI)`;
}
