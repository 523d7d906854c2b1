/**
 * bench/async.ts — durable async invocations on the embedded store: accepted (202, committed) per
 * second and completed per second for a trivial handler, against a bare node:http server that
 * commits each event to SQLite the same way (the floor for a durable accept). Both servers run as
 * child processes; this process is the load generator.
 *
 *   npm run bench:async                                # 20,000 events, 64 in flight
 *   npx node bench/async.ts --events 50000 --conc 64 --sync FULL
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { zipDirectory } from '../src/registry/build/index.ts';
import { agent, assertLoopback, blast, post, printTable, send, startChild } from './support/load.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    conc: { type: 'string', default: '64' },
    sync: { type: 'string', default: 'NORMAL' },
    'async-concurrency': { type: 'string', default: '32' },
  },
});
const EVENTS = Number(args.events);
const CONC = Number(args.conc);
const SYNC = args.sync === 'FULL' ? 'FULL' : 'NORMAL';

const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-bench-async-'));
const children: ChildProcess[] = [];
try {
  const event = JSON.stringify({ name: 'Ada' });
  const bare = await startChild(process.execPath, ['bench/support/bare-queue.mjs', dataDir, SYNC]);
  children.push(bare.child);
  assertLoopback(bare.info.url!);
  await blast(() => post(bare.info.url!, event), 2000, CONC); // warm-up
  const bareRate = await blast(
    async () => {
      const r = await post(bare.info.url!, event);
      if (r.status !== 202) throw new Error(`bare: ${r.status}`);
    },
    EVENTS,
    CONC,
  );
  bare.child.kill('SIGTERM');

  const plat = await startChild(process.execPath, ['bench/support/platform.ts', join(dataDir, 'nimbus')], {
    ...process.env,
    NIMBUS_SQLITE_SYNCHRONOUS: SYNC,
    NIMBUS_ASYNC_CONCURRENCY: args['async-concurrency'],
    NIMBUS_ASYNC_MAX_QUEUE_DEPTH: String(EVENTS * 4),
  });
  children.push(plat.child);
  const api = plat.info.apiUrl!;
  assertLoopback(api);
  const auth = { authorization: `Bearer ${plat.info.secret}` };
  const zip = Buffer.from(await zipDirectory('examples/hello')).toString('base64');
  const dep = await send(
    'PUT',
    `${api}/v1/functions/hello`,
    JSON.stringify({ runtime: 'nodejs24.x', handler: 'index.handler', code: { zipBase64: zip } }),
    auth,
  );
  if (dep.status >= 300) throw new Error(`deploy: ${dep.status} ${dep.body}`);

  const submit = async () => {
    const r = await post(`${api}/v1/functions/hello/invoke-async`, event, auth);
    if (r.status !== 202) throw new Error(`submit: ${r.status} ${r.body}`);
  };
  const depth = async () => {
    const r = await send('GET', `${api}/v1/queues`, undefined, auth);
    const q = (JSON.parse(r.body) as { queues: { ready: number; delayed: number; inflight: number }[] })
      .queues;
    return q.reduce((n, s) => n + s.ready + s.delayed + s.inflight, 0);
  };
  const drain = async () => {
    while ((await depth()) > 0) await new Promise((r) => setTimeout(r, 20));
  };
  // Warm-up: start the function's instances and fill the caches.
  await blast(submit, 1000, CONC);
  await drain();

  const t0 = performance.now();
  const accepted = await blast(submit, EVENTS, CONC);
  const acceptedAt = performance.now();
  const backlog = await depth();
  await drain();
  const completed = EVENTS / ((performance.now() - t0) / 1000);
  const drainOnly = backlog / ((performance.now() - acceptedAt) / 1000);

  printTable([
    ['metric', 'bare node:http + sqlite', 'nimbus', 'ratio', 'goal'],
    [
      'accepted (202) /s',
      bareRate.toFixed(0),
      accepted.toFixed(0),
      `${(accepted / bareRate).toFixed(2)}×`,
      '≥ 5,000',
    ],
    ['completed /s (submit → drained)', '-', completed.toFixed(0), '-', '≥ 2,000'],
    ['completed /s (backlog drain only)', '-', drainOnly.toFixed(0), `backlog ${backlog}`, '-'],
  ]);
  console.log(
    `\nnode ${process.versions.node}, ${cpus().length} cores; events=${EVENTS} conc=${CONC} synchronous=${SYNC} asyncConcurrency=${args['async-concurrency']}`,
  );
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await rm(dataDir, { recursive: true, force: true });
  agent.destroy();
}
