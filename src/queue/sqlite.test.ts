import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../core/clock.ts';
import type { Queue } from '../core/ports.ts';
import { describeQueueContract } from './contract.ts';
import { openSqliteQueue } from './index.ts';

describeQueueContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-queue-'));
  const clock = new FakeClock();
  const file = join(dir, 'queue.db');
  let queue: Queue = openSqliteQueue({ file, clock });
  return {
    get queue() {
      return queue;
    },
    clock,
    async reopen() {
      await queue.close();
      queue = openSqliteQueue({ file, clock });
      return queue;
    },
    async cleanup() {
      await queue.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
