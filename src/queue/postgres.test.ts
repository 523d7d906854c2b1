import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import pg from 'pg';
import { FakeClock } from '../core/clock.ts';
import { isPostgresReachable, TEST_PG_URL } from '../store/postgres/reachable.ts';
import { describeQueueContract } from './contract.ts';
import { openPostgresQueue, type PostgresQueue } from './postgres/index.ts';

const URL = TEST_PG_URL;

if (await isPostgresReachable()) {
  describeQueueContract('postgres', async () => {
    const schema = `nimbus_test_q_${randomBytes(4).toString('hex')}`;
    const clock = new FakeClock();
    const open = () => openPostgresQueue({ url: URL, schema, clock, nodeId: 'node-a' });
    let queue: PostgresQueue = await open();
    return {
      get queue() {
        return queue;
      },
      clock,
      async reopen() {
        await queue.close();
        queue = await open();
        return queue;
      },
      async cleanup() {
        await queue.close();
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
  it('Queue contract: postgres', {
    skip: `PostgreSQL not reachable at ${URL} (allowed outside CI)`,
  }, () => {});
}
