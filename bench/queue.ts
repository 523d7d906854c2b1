/**
 * bench/queue.ts — the durable queue on three engines, for choosing cluster mode's queue:
 *
 *   sqlite     the embedded adapter (temp file; synchronous NORMAL, the platform default, and FULL)
 *   postgres   the PostgreSQL adapter (temp schema; also with synchronous_commit=off, to show what
 *              the per-commit fsync costs)
 *   jetstream  a raw JetStream baseline: a work-queue stream on file storage, publish with
 *              Nats-Msg-Id, one durable pull consumer, fetch batches of 50, ackAck each
 *
 * Phases, each on N messages (every item carries a dedupe key, as every JetStream publish carries a
 * Nats-Msg-Id): enqueue in calls of 1 item, enqueue in calls of 50 (both with --conc calls in
 * flight), lease(max 50) + ack of everything (--consumers loops), then end to end (producers of
 * single items and consumers at once, N messages from first enqueue to last ack). Per message it
 * also counts round trips: PostgreSQL statements (each its own commit; the adapter's NOTIFYs and
 * recounts included) and JetStream requests (publishes, fetches, ackAcks). Durability differs:
 * PostgreSQL (synchronous_commit on) and SQLite FULL fsync before acknowledging; SQLite NORMAL
 * survives a process crash, not a power cut; JetStream's file store fsyncs on a timer (2 min by
 * default), so an acknowledged publish survives a server crash but not a power cut either.
 *
 *   npm run bench:queue
 *   node bench/queue.ts --n 20000 --conc 32 --consumers 4 --engines sqlite,postgres,jetstream
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { systemClock } from '../src/core/clock.ts';
import type { Queue } from '../src/core/ports.ts';
import { openPostgresQueue, type PostgresQueue } from '../src/queue/postgres/index.ts';
import { openSqliteQueue } from '../src/queue/sqlite/index.ts';
import { printTable } from './support/load.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '5000' },
    conc: { type: 'string', default: '16' },
    consumers: { type: 'string', default: '4' },
    engines: { type: 'string', default: 'sqlite,sqlite-full,postgres,postgres-async,jetstream' },
    pg: { type: 'string', default: process.env.NIMBUS_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test' },
    nats: { type: 'string', default: process.env.NIMBUS_TEST_NATS ?? 'nats://127.0.0.1:4222' },
  },
});
const N = Number(args.n);
const CONC = Number(args.conc);
const CONSUMERS = Number(args.consumers);
const BATCH = 50;
const QUEUE = 'bench';
const body = (i: number) => JSON.stringify({ n: i, pad: 'x'.repeat(80) });

/** One engine under test, reduced to what the phases need. */
interface Engine {
  readonly name: string;
  enqueue(items: readonly { id: string; body: string }[]): Promise<void>;
  /** Takes up to `max` messages and acknowledges each; how many it took. */
  take(max: number): Promise<number>;
  /** Round trips to the server so far (undefined: not countable for this engine). */
  trips(): number | undefined;
  close(): Promise<void>;
}

function queueEngine(
  name: string,
  q: Queue,
  trips: () => number | undefined,
  close: () => Promise<void>,
): Engine {
  return {
    name,
    async enqueue(items) {
      await q.enqueue(items.map((it) => ({ queue: QUEUE, tenant: 't1', body: it.body, dedupeKey: it.id })));
    },
    async take(max) {
      const got = await q.lease(QUEUE, { max, visibilityMs: 60_000 });
      await Promise.all(got.map((m) => q.ack(m.id, m.leaseToken)));
      return got.length;
    },
    trips,
    close,
  };
}

async function sqliteEngine(sync: 'NORMAL' | 'FULL'): Promise<Engine> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-bench-queue-'));
  const q = openSqliteQueue({ file: join(dir, 'queue.db'), clock: systemClock, synchronous: sync });
  return queueEngine(
    sync === 'NORMAL' ? 'sqlite (NORMAL)' : 'sqlite (FULL)',
    q,
    () => undefined,
    async () => {
      await q.close();
      await rm(dir, { recursive: true, force: true });
    },
  );
}

async function postgresEngine(syncCommit: boolean): Promise<Engine> {
  const schema = `nimbus_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(args.pg);
  if (!syncCommit) url.searchParams.set('options', '-c synchronous_commit=off');
  const q: PostgresQueue = await openPostgresQueue({
    url: url.toString(),
    schema,
    clock: systemClock,
    nodeId: 'bench',
  });
  return queueEngine(
    syncCommit ? 'postgres' : 'postgres (sync_commit off)',
    q,
    () => q.counters.statements,
    async () => {
      await q.close();
      const c = new pg.Client({ connectionString: args.pg });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  );
}

async function jetstreamEngine(): Promise<Engine> {
  const nc = await connect({ servers: args.nats });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `NIMBUS_BENCH_${randomBytes(4).toString('hex').toUpperCase()}`;
  const subject = `nimbus.bench.${stream.toLowerCase()}`;
  await jsm.streams.add({
    name: stream,
    subjects: [subject],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: 120_000 * 1_000_000,
  });
  await jsm.consumers.add(stream, {
    durable_name: 'bench',
    ack_policy: AckPolicy.Explicit,
    ack_wait: 60_000 * 1_000_000,
    max_ack_pending: 10_000,
  });
  const consumer = await js.consumers.get(stream, 'bench');
  let trips = 0;
  return {
    name: 'jetstream (raw)',
    async enqueue(items) {
      // No atomic batch publish before 2.12: a "batch" is its publishes in flight at once.
      trips += items.length;
      await Promise.all(items.map((it) => js.publish(subject, it.body, { msgID: it.id })));
    },
    async take(max) {
      trips++;
      const msgs = await consumer.fetch({ max_messages: max, expires: 1000 });
      const got = [];
      for await (const m of msgs) got.push(m);
      trips += got.length;
      await Promise.all(got.map((m) => m.ackAck()));
      return got.length;
    },
    trips: () => trips,
    async close() {
      await jsm.streams.delete(stream).catch(() => {});
      await nc.close();
    },
  };
}

const ENGINES: Record<string, () => Promise<Engine>> = {
  sqlite: () => sqliteEngine('NORMAL'),
  'sqlite-full': () => sqliteEngine('FULL'),
  postgres: () => postgresEngine(true),
  'postgres-async': () => postgresEngine(false),
  jetstream: jetstreamEngine,
};

// ---------------------------------------------------------------- phases

let seq = 0;
const items = (n: number) =>
  Array.from({ length: n }, () => {
    const i = seq++;
    return { id: `m-${i}-${randomBytes(4).toString('hex')}`, body: body(i) };
  });

/**
 * Consumers that found nothing wait for the next enqueue (or 10 ms), as the platform's dispatcher
 * is kicked by a submit instead of polling.
 */
let kicked: { promise: Promise<void>; resolve: () => void } = Promise.withResolvers<void>();
const kick = () => {
  kicked.resolve();
  kicked = Promise.withResolvers<void>();
};
const idle = () => Promise.race([kicked.promise, new Promise((r) => setTimeout(r, 10))]);

/** Runs `calls` with `conc` in flight. */
async function inFlight(calls: (() => Promise<void>)[], conc: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(conc, calls.length) }, async () => {
      while (next < calls.length) {
        await calls[next++]!();
        kick();
      }
    }),
  );
}

/**
 * Consumers take until `target` messages were taken; resolves at that moment (ms since t0). They
 * ask for at most what is still to come: a JetStream fetch waits (its expiry, at least 1 s) to fill
 * its batch, which at the tail would time a wait for messages that never come, not the engine.
 */
async function consume(e: Engine, target: number, t0: number): Promise<number> {
  let taken = 0;
  let asked = 0;
  let doneAt = 0;
  await Promise.all(
    Array.from({ length: CONSUMERS }, async () => {
      while (taken < target) {
        const max = Math.min(BATCH, target - taken - asked);
        if (max <= 0) {
          await idle();
          continue;
        }
        asked += max;
        const n = await e.take(max);
        asked -= max;
        taken += n;
        if (taken >= target && doneAt === 0) doneAt = performance.now() - t0;
        if (n === 0) await idle();
      }
    }),
  );
  return doneAt;
}

interface Result {
  rate: number;
  tripsPerMsg: number | undefined;
}

async function phase(e: Engine, msgs: number, run: () => Promise<number | undefined>): Promise<Result> {
  const before = e.trips();
  const t0 = performance.now();
  const ms = (await run()) ?? performance.now() - t0;
  const after = e.trips();
  return {
    rate: (msgs / ms) * 1000,
    tripsPerMsg: before === undefined || after === undefined ? undefined : (after - before) / msgs,
  };
}

async function bench(e: Engine): Promise<Result[]> {
  // Warm-up (connections, prepared statements, caches), then drained.
  const warm = items(200);
  await inFlight(
    warm.map((it) => () => e.enqueue([it])),
    CONC,
  );
  await consume(e, warm.length, performance.now());

  const one = await phase(e, N, () =>
    inFlight(
      items(N).map((it) => () => e.enqueue([it])),
      CONC,
    ).then(() => undefined),
  );
  const batches: { id: string; body: string }[][] = [];
  const all = items(N);
  for (let i = 0; i < all.length; i += BATCH) batches.push(all.slice(i, i + BATCH));
  const fifty = await phase(e, N, () =>
    inFlight(
      batches.map((b) => () => e.enqueue(b)),
      CONC,
    ).then(() => undefined),
  );
  const drain = await phase(e, 2 * N, () => consume(e, 2 * N, performance.now()));
  const e2e = await phase(e, N, async () => {
    const t0 = performance.now();
    const consumers = consume(e, N, t0);
    await inFlight(
      items(N).map((it) => () => e.enqueue([it])),
      CONC,
    );
    return consumers;
  });
  return [one, fifty, drain, e2e];
}

// ---------------------------------------------------------------- run

const rows: { name: string; r: Result[] }[] = [];
for (const key of args.engines.split(',')) {
  const make = ENGINES[key];
  if (!make) throw new Error(`unknown engine ${key} (${Object.keys(ENGINES).join(', ')})`);
  const e = await make();
  try {
    console.error(`# ${e.name} …`);
    rows.push({ name: e.name, r: await bench(e) });
  } finally {
    await e.close();
  }
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const trip = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(3));
console.log(
  `\nN = ${N} messages per phase (lease+ack: ${2 * N}), ${CONC} calls in flight, ${CONSUMERS} consumers\n`,
);
console.log('msgs/s');
printTable([
  ['engine', 'enqueue ×1', 'enqueue ×50', 'lease 50 + ack', 'end to end'],
  ...rows.map(({ name, r }) => [name, ...r.map((x) => fmt(x.rate))]),
]);
const base = rows.find((x) => x.name.startsWith('sqlite'));
if (base) {
  console.log(`\nratio to ${base.name}`);
  printTable([
    ['engine', 'enqueue ×1', 'enqueue ×50', 'lease 50 + ack', 'end to end'],
    ...rows.map(({ name, r }) => [name, ...r.map((x, i) => `${(x.rate / base.r[i]!.rate).toFixed(2)}×`)]),
  ]);
}
console.log(
  '\nround trips per message (postgres: statements, one commit each; jetstream: publishes + fetches + ackAcks)',
);
printTable([
  ['engine', 'enqueue ×1', 'enqueue ×50', 'lease 50 + ack', 'end to end'],
  ...rows.map(({ name, r }) => [name, ...r.map((x) => trip(x.tripsPerMsg))]),
]);
