/** Test support: the PostgreSQL URL tests use, and whether it answers. */
import pg from 'pg';

export const TEST_PG_URL = process.env.NIMBUS_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function isPostgresReachable(url = TEST_PG_URL): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}
