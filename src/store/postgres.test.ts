import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import pg from 'pg';
import { describeStoreContract } from './contract.ts';
import { openStore } from './index.ts';
import { isPostgresReachable, TEST_PG_URL } from './postgres/reachable.ts';

const URL = TEST_PG_URL;

if (await isPostgresReachable()) {
  describeStoreContract('postgres', async () => {
    const schema = `nimbus_test_${randomBytes(4).toString('hex')}`;
    const store = await openStore({ url: URL, dataDir: '/nonexistent', schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        const c = new pg.Client({ connectionString: URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  });
} else if (process.env.CI === 'true') {
  it('PostgreSQL must be reachable in CI', () => assert.fail(`PostgreSQL is not reachable at ${URL}`));
} else {
  it('Store contract: postgres', {
    skip: `PostgreSQL not reachable at ${URL} (allowed outside CI)`,
  }, () => {});
}
