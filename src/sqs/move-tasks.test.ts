/**
 * Message move tasks on two cluster nodes: each node has its own Store and Queue adapters (own
 * pools) on one PostgreSQL schema, as `nimbus start --cluster` nodes do. A cancel made on the node
 * that does not run the task reaches the runner through the stored task, and a stale task that
 * both nodes find at once is taken over by exactly one. Every change to a queue's tasks is one
 * atomic read-change-write (SettingsRepo.update), so neither a heartbeat nor a second taker can
 * overwrite it. Each message ends in exactly one queue.
 *
 * Needs PostgreSQL (127.0.0.1:5432): fails in CI without it, skips elsewhere.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { systemClock } from '../core/clock.ts';
import type { Queue, Store } from '../core/ports.ts';
import type { SqsQueueRecord } from '../core/types.ts';
import { openPostgresQueue } from '../queue/postgres/index.ts';
import { openPostgresStore } from '../store/postgres/index.ts';
import { isPostgresReachable, TEST_PG_URL } from '../store/postgres/reachable.ts';
import { createMoveTasks, type MoveTask, type MoveTasks, STALE_MS } from './move-tasks.ts';
import { DEAD_LETTER_SOURCE, portQueue } from './stored.ts';

const T = 'default';
const reachable = await isPostgresReachable();
const skip = !reachable && process.env.CI !== 'true' ? 'PostgreSQL is not reachable' : false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SQS message move tasks on two nodes (PostgreSQL)', { skip }, () => {
  const schema = `nimbus_test_mt_${randomBytes(4).toString('hex')}`;
  const closers: (() => Promise<unknown>)[] = [];
  const logs: { node: string; msg: string }[] = [];
  type Node = { store: Store; queue: Queue; moves: MoveTasks };
  let a: Node;
  let b: Node;

  const record = (name: string, attributes: Record<string, string> = {}): SqsQueueRecord => ({
    tenant: T,
    name,
    attributes,
    tags: {},
    createdAt: Date.now(),
    updatedAt: Date.now(),
  });

  const node = async (id: string): Promise<Node> => {
    const store = await openPostgresStore({ url: TEST_PG_URL, schema, maxConnections: 4 });
    const queue = await openPostgresQueue({
      url: TEST_PG_URL,
      schema: `${schema}_q`,
      clock: systemClock,
      nodeId: id,
    });
    const moves = createMoveTasks({
      repo: store.sqsQueues,
      queue,
      settings: store.settings,
      clock: systemClock,
      wake: () => {},
      deadLetterSources: async (tenant, name) =>
        (await store.sqsQueues.list(tenant)).filter((q) => q.attributes.RedrivePolicy?.includes(`:${name}"`)),
      log: (_level, _obj, msg) => logs.push({ node: id, msg }),
    });
    closers.push(
      () => moves.close(),
      () => queue.close(),
      () => store.close(),
    );
    return { store, queue, moves };
  };

  /** A dead-letter queue `<p>-dlq` of `<p>`, holding `n` messages dead-lettered from `<p>`. */
  const deadLetters = async (p: string, n: number) => {
    await a.store.sqsQueues.create(record(`${p}-dlq`));
    await a.store.sqsQueues.create(
      record(p, {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: `arn:aws:sqs:local-1:000000000000:${p}-dlq`,
          maxReceiveCount: 1,
        }),
      }),
    );
    await a.queue.enqueue(
      Array.from({ length: n }, (_, i) => ({
        queue: portQueue(T, `${p}-dlq`),
        tenant: T,
        body: JSON.stringify({ b: `m${i}`, s: 'test' }),
        source: `${DEAD_LETTER_SOURCE}${p}`,
      })),
    );
    // Enqueued before the task starts (a task moves what was there when it started).
    await sleep(5);
  };
  const ready = async (q: Queue, name: string) => (await q.stats(portQueue(T, name)))[0]?.ready ?? 0;
  const task = async (m: MoveTasks, source: string, id: string) =>
    (await m.list(T, source)).find((t) => t.id === id);
  const until = async (what: string, f: () => Promise<boolean>, ms = 20_000) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await f()) return;
    assert.fail(`timed out: ${what}`);
  };

  before(async () => {
    a = await node('node-a');
    b = await node('node-b');
  });
  after(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_q CASCADE`);
    await c.end();
  });

  it('a cancel made on the other node ends the task: what it moved stays moved', async () => {
    await deadLetters('orders', 30);
    // Two a second: the task is still running when the other node cancels it.
    const t = await a.moves.start(T, 'orders-dlq', { maxPerSecond: 2 });
    await until('a first move', async () => (await ready(a.queue, 'orders')) > 0);
    const answer = await b.moves.cancel(T, 'orders-dlq', t.id);
    assert.equal(answer.status, 'CANCELLING', 'node b does not run it: the runner ends it');
    // A second cancel is refused while the first is pending (it is no longer RUNNING).
    await assert.rejects(b.moves.cancel(T, 'orders-dlq', t.id), {
      code: 'NIMBUS_ERR_SQS_MOVE_TASK_NOT_RUNNING',
    });
    let ended: MoveTask | undefined;
    await until('the runner on node a to end it', async () => {
      ended = await task(b.moves, 'orders-dlq', t.id);
      return ended?.status === 'CANCELLED';
    });
    const moved = await ready(a.queue, 'orders');
    assert.ok(moved < 30, `cancelled before the end (${moved} moved)`);
    assert.equal(ended?.moved, moved);
    assert.equal(moved + (await ready(a.queue, 'orders-dlq')), 30, 'each message in exactly one queue');
  });

  it('a stale task found by both nodes at once is taken over by exactly one', async () => {
    await deadLetters('billing', 12);
    const now = Date.now();
    const stale: MoveTask = {
      id: 'stale-1',
      source: 'billing-dlq',
      destination: null,
      maxPerSecond: null,
      status: 'RUNNING',
      moved: 0,
      toMove: 12,
      startedAt: now,
      // Its runner died longer than STALE_MS ago.
      updatedAt: now - STALE_MS - 1000,
      endedAt: null,
      failureReason: null,
    };
    await a.store.settings.put(T, 'sqs.move-tasks/billing-dlq', { tasks: [stale] });
    const before = logs.length;
    await Promise.all([a.moves.resume(), b.moves.resume(), a.moves.resume(), b.moves.resume()]);
    const resumed = logs.slice(before).filter((l) => l.msg === 'SQS message move task resumed');
    assert.equal(resumed.length, 1, `taken over once: ${JSON.stringify(resumed)}`);
    await until(
      'the task to complete',
      async () => (await task(a.moves, 'billing-dlq', 'stale-1'))?.status === 'COMPLETED',
    );
    assert.equal(await ready(a.queue, 'billing'), 12);
    assert.equal(await ready(a.queue, 'billing-dlq'), 0);
    assert.equal((await task(b.moves, 'billing-dlq', 'stale-1'))?.moved, 12);
  });
});
