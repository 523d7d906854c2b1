/**
 * bench/workflows.ts — what the durable executor costs, on the embedded store and on PostgreSQL,
 * in one process run:
 *   - per state (instantaneous): a chain of 100 Pass states, one execution at a time;
 *   - per Task transition: a chain of 5 Tasks on a trivial function, one execution at a time,
 *     against the baseline of 5 synchronous invokes of the same function through the REST API
 *     (overhead = (chain − 5 × invoke) / 5: the queue hops, commits and history a Task adds);
 *   - executions/s: many 5-Task chains at once, and 100-item Maps (100 Tasks each) at once.
 *
 *   npm run bench:workflows
 *   node bench/workflows.ts --chains 500 --maps 10 --seq 50 [--no-pg]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/index.ts';
import { zipDirectory } from '../src/registry/build/index.ts';
import { type RunningPlatform, startPlatform } from '../src/server/index.ts';
import { isPostgresReachable, TEST_PG_URL } from '../src/store/postgres/reachable.ts';
import { pct, printTable } from './support/load.ts';

const { values: args } = parseArgs({
  options: {
    chains: { type: 'string', default: '500' },
    maps: { type: 'string', default: '10' },
    seq: { type: 'string', default: '50' },
    'no-pg': { type: 'boolean', default: false },
  },
});
const CHAINS = Number(args.chains);
const MAPS = Number(args.maps);
const SEQ = Number(args.seq);
const T = 'default';

const task = (next?: string) => ({
  Type: 'Task',
  Resource: 'inc',
  ...(next ? { Next: next } : { End: true }),
});
const DEFINITIONS = {
  passes: {
    StartAt: 'P0',
    States: Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [
        `P${i}`,
        { Type: 'Pass', ...(i < 99 ? { Next: `P${i + 1}` } : { End: true }) },
      ]),
    ),
  },
  chain: {
    StartAt: 'S1',
    States: { S1: task('S2'), S2: task('S3'), S3: task('S4'), S4: task('S5'), S5: task() },
  },
  map: {
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemSelector: { 'n.$': '$$.Map.Item.Value' },
        ItemProcessor: { StartAt: 'I', States: { I: task() } },
        End: true,
      },
    },
  },
};

interface Figures {
  passMs: number;
  invokeMs: number;
  chainMs: number;
  chainsPerSec: number;
  mapsPerSec: number;
}

async function measure(store: string | undefined): Promise<Figures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-bench-wf-'));
  const config = loadConfig(
    { port: 0, apiPort: 0, s3Port: 0, dataDir, logLevel: 'error', poolSize: 2, ...(store ? { store } : {}) },
    {},
  );
  const p: RunningPlatform = await startPlatform(config, { log: () => {} });
  try {
    const auth = { authorization: `Bearer ${p.admin.secret}`, 'content-type': 'application/json' };
    const fn = await mkdtemp(join(tmpdir(), 'nimbus-bench-fn-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(fn, 'index.mjs'), 'export const handler = async (e) => ({ n: (e.n ?? 0) + 1 });\n');
    const zip = Buffer.from(await zipDirectory(fn)).toString('base64');
    const dep = await fetch(`${p.apiUrl}/v1/functions/inc`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ runtime: 'nodejs24.x', handler: 'index.handler', code: { zipBase64: zip } }),
    });
    if (dep.status >= 300) throw new Error(`deploy: ${dep.status} ${await dep.text()}`);
    for (const [name, definition] of Object.entries(DEFINITIONS))
      await p.workflows.putMachine(T, { name, definition, type: 'EXPRESS' });

    const once = async (machine: string, input = '{"n":0}') => {
      const e = await p.workflows.startExecution(T, { machine, input });
      const done = await p.workflows.waitForEnd(T, e.arn, 120_000);
      if (done.status !== 'SUCCEEDED')
        throw new Error(`${machine}: ${done.status} ${done.error} ${done.cause}`);
    };
    const timeSeq = async (n: number, fn: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await fn();
        ms.push(performance.now() - t0);
      }
      return pct(ms, 50);
    };
    // Warm: instances, compiled paths, prepared statements.
    for (let i = 0; i < 5; i++) await once('chain');
    const invoke = () =>
      fetch(`${p.apiUrl}/v1/functions/inc/invoke`, { method: 'POST', headers: auth, body: '{"n":0}' }).then(
        (r) => r.text(),
      );
    for (let i = 0; i < 20; i++) await invoke();

    const passMs = (await timeSeq(SEQ, () => once('passes'))) / 100;
    const invokeMs = await timeSeq(SEQ * 5, invoke);
    const chainMs = await timeSeq(SEQ, () => once('chain'));

    const burst = async (machine: string, n: number, input: string) => {
      const t0 = performance.now();
      const arns = await Promise.all(
        Array.from({ length: n }, async () => (await p.workflows.startExecution(T, { machine, input })).arn),
      );
      for (const arn of arns) {
        const e = await p.workflows.waitForEnd(T, arn, 600_000);
        if (e.status !== 'SUCCEEDED') throw new Error(`${machine}: ${e.status} ${e.error}`);
      }
      return n / ((performance.now() - t0) / 1000);
    };
    const chainsPerSec = await burst('chain', CHAINS, '{"n":0}');
    const items = JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => i) });
    const mapsPerSec = await burst('map', MAPS, items);
    await rm(fn, { recursive: true, force: true });
    return { passMs, invokeMs, chainMs, chainsPerSec, mapsPerSec };
  } finally {
    await p.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const rows: string[][] = [
  [
    'store',
    'Pass state ms',
    'sync invoke ms',
    '5-Task chain ms',
    'overhead/Task ms',
    '5-Task chains/s',
    '100-item Maps/s',
  ],
];
const row = (name: string, f: Figures) => [
  name,
  f.passMs.toFixed(3),
  f.invokeMs.toFixed(2),
  f.chainMs.toFixed(1),
  ((f.chainMs - 5 * f.invokeMs) / 5).toFixed(2),
  f.chainsPerSec.toFixed(0),
  f.mapsPerSec.toFixed(2),
];
rows.push(row('sqlite', await measure(undefined)));
if (!args['no-pg'] && (await isPostgresReachable())) {
  const schema = `nimbus_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    rows.push(
      row(
        'postgres',
        await measure(`${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`),
      ),
    );
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}
console.log(
  `workflows: ${CHAINS} chains and ${MAPS} maps at once; sequential figures are p50 of ${SEQ} runs`,
);
printTable(rows);
process.exit(0);
