import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describeLogStreamContract } from './contract-log-streams.ts';
import { openStore } from './index.ts';
import { isPostgresReachable, TEST_PG_URL } from './postgres/reachable.ts';

describeLogStreamContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-store-'));
  const store = await openStore({ url: 'sqlite', dataDir: dir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

if (await isPostgresReachable())
  describeLogStreamContract('postgres', async () => {
    const schema = `nimbus_test_${randomBytes(4).toString('hex')}`;
    const store = await openStore({ url: TEST_PG_URL, dataDir: '/nonexistent', schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        const c = new pg.Client({ connectionString: TEST_PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  });
