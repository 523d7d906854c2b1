/**
 * bench/cluster.ts — cluster mode on this machine, 1 node vs 3 nodes (scripts/cluster-local.ts):
 * hello req/s through the gateways (wrk, the connections spread over the nodes) and async
 * completed/s (invocations submitted round-robin through the nodes' APIs, timed until every one
 * has succeeded), each with what one request costs: CPU of the node process trees (instances
 * included), of the PostgreSQL backends and of the NATS server; PostgreSQL transactions, rows
 * written and WAL bytes; NATS messages and bytes; bytes on the nodes' links (namespace mode).
 *
 *   npm run bench:cluster                            # namespaces when root; 10 s wrk, 3000 async
 *   node bench/cluster.ts --mode loopback --duration 10 --conc 32 --events 3000 --inflight 32
 *
 * To count only its own traffic it runs a private nats-server (-m: /varz) and a database of its
 * own on the local PostgreSQL (pg_stat_database), both removed at the end; each figure has the
 * idle rate of the same cluster (heartbeats, leases, depth recounts) measured just before taken
 * off. WAL bytes are the whole server's (other users' writes included).
 * The load generator, PostgreSQL, NATS and every node share this machine's cores: with 3 nodes
 * on 2 cores nothing can scale, so the 3-vs-1 ratios show what coordination costs, not capacity.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { netnsUnavailable, which } from '../scripts/cluster-local/host.ts';
import {
  type LocalNode,
  type RunningCluster,
  readNetCounters,
  startClusterLocal,
  vethBytes,
} from '../scripts/cluster-local.ts';
import { zipFiles } from '../src/registry/build/index.ts';
import { agent, printTable, send, treeCpuMs } from './support/load.ts';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'auto' },
    nodes: { type: 'string', default: '1,3' },
    duration: { type: 'string', default: '10' },
    conc: { type: 'string', default: '32' },
    events: { type: 'string', default: '3000' },
    inflight: { type: 'string', default: '32' },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const DURATION = Number(args.duration);
const CONC = Number(args.conc);
const EVENTS = Number(args.events);
const INFLIGHT = Number(args.inflight);
const SIZES = args.nodes.split(',').map(Number);
const SETTLE_MS = 11_000;
const IDLE_MS = 10_000;
const MODE = args.mode === 'auto' ? (netnsUnavailable() ? 'loopback' : 'netns') : args.mode;
if (MODE !== 'netns' && MODE !== 'loopback') throw new Error('--mode auto|netns|loopback');
const WRK = which('wrk');
if (!WRK) throw new Error('needs wrk (apt-get install wrk)');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = (cmd: string, argv: string[], timeoutMs: number) =>
  new Promise<string>((res, rej) =>
    execFile(cmd, argv, { timeout: timeoutMs }, (e, out, err) =>
      e ? rej(new Error(`${e.message} ${err}`)) : res(out),
    ),
  );

// ---------------------------------------------------------------------------------------------
// Private NATS and database

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startNats(dir: string): Promise<{ url: string; varz: string; child: ChildProcess }> {
  const bin = which('nats-server');
  if (!bin) throw new Error('needs nats-server for a private server with monitoring (-m)');
  const [port, mon] = [await freePort(), await freePort()];
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-m', String(mon), '-js', '-sd', dir], {
    stdio: 'ignore',
  });
  const varz = `http://127.0.0.1:${mon}/varz`;
  for (let i = 0; i < 100; i++) {
    if ((await fetch(varz).catch(() => undefined))?.ok)
      return { url: `nats://127.0.0.1:${port}`, varz, child };
    await sleep(100);
  }
  child.kill();
  throw new Error('the private nats-server did not start');
}

// ---------------------------------------------------------------------------------------------
// Snapshots of every counter

interface Snap {
  t: number;
  cpuNodes: number;
  cpuPg: Map<number, number>;
  cpuNats: number;
  xact: number;
  rows: number;
  wal: bigint;
  natsInMsgs: number;
  natsOutMsgs: number;
  natsBytes: number;
  linkPg: number;
  linkNats: number;
  linkAll: number;
}

const procCpuMs = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
};

async function snap(c: RunningCluster, mon: pg.Client, db: string, nats: { varz: string; pid: number }) {
  await mon.query('SELECT pg_stat_clear_snapshot()');
  const s = (
    await mon.query<{ xact: string; rows: string; wal: string }>(
      `SELECT xact_commit + xact_rollback AS xact, tup_inserted + tup_updated + tup_deleted AS rows,
              pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS wal
         FROM pg_stat_database WHERE datname = $1`,
      [db],
    )
  ).rows[0]!;
  const backends = (
    await mon.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db])
  ).rows.map((r) => r.pid);
  const v = (await (await fetch(nats.varz)).json()) as Record<string, number>;
  let linkPg = 0;
  let linkNats = 0;
  let linkAll = 0;
  if (c.table) {
    const k = await readNetCounters(c.table);
    linkPg = (k.pg?.in ?? 0) + (k.pg?.out ?? 0);
    linkNats = (k.nats?.in ?? 0) + (k.nats?.out ?? 0);
    for (const n of c.nodes) {
      const b = vethBytes(n.hostIf!);
      linkAll += b.fromNode + b.toNode;
    }
  }
  return {
    t: performance.now(),
    cpuNodes: c.nodes.reduce((a, n) => a + treeCpuMs(n.pid), 0),
    cpuPg: new Map(backends.map((p) => [p, procCpuMs(p)])),
    cpuNats: procCpuMs(nats.pid),
    xact: Number(s.xact),
    rows: Number(s.rows),
    wal: BigInt(s.wal),
    natsInMsgs: v.in_msgs!,
    natsOutMsgs: v.out_msgs!,
    natsBytes: v.in_bytes! + v.out_bytes!,
    linkPg,
    linkNats,
    linkAll,
  } satisfies Snap;
}

type Delta = { secs: number } & Record<Exclude<keyof Snap, 't'>, number>;

function delta(a: Snap, b: Snap): Delta {
  // Backends of both readings (one born in between counts from 0; one that ended is lost).
  let cpuPg = 0;
  for (const [pid, ms] of b.cpuPg) cpuPg += ms - (a.cpuPg.get(pid) ?? 0);
  return {
    secs: (b.t - a.t) / 1000,
    cpuNodes: b.cpuNodes - a.cpuNodes,
    cpuPg,
    cpuNats: b.cpuNats - a.cpuNats,
    xact: b.xact - a.xact,
    rows: b.rows - a.rows,
    wal: Number(b.wal - a.wal),
    natsInMsgs: b.natsInMsgs - a.natsInMsgs,
    natsOutMsgs: b.natsOutMsgs - a.natsOutMsgs,
    natsBytes: b.natsBytes - a.natsBytes,
    linkPg: b.linkPg - a.linkPg,
    linkNats: b.linkNats - a.linkNats,
    linkAll: b.linkAll - a.linkAll,
  };
}

/** Per request: the window's counts less the idle rate over the same time, over `n`. */
function perRequest(d: Delta, idle: Delta, n: number): Delta {
  const out = { secs: d.secs } as Delta;
  for (const k of Object.keys(d) as (keyof Delta)[])
    if (k !== 'secs') out[k] = (d[k] - (idle[k] / idle.secs) * d.secs) / n;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Load

interface WrkResult {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
}

async function wrk(url: string, conns: number, secs: number): Promise<WrkResult> {
  const out = await run(WRK!, ['-t1', `-c${conns}`, `-d${secs}s`, '--latency', url], (secs + 30) * 1000);
  const ms = (s: string | undefined) => {
    const m = /([\d.]+)(us|ms|s)/.exec(s ?? '');
    if (!m) return Number.NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  return {
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    errors:
      Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) +
      (/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
        .exec(out)
        ?.slice(1)
        .reduce((a, x) => a + Number(x), 0) ?? 0),
    p50: ms(/50%\s+(\S+)/.exec(out)?.[1]),
    p99: ms(/99%\s+(\S+)/.exec(out)?.[1]),
  };
}

/** wrk against every node's gateway at once, the connections split between them. */
async function helloLoad(nodes: readonly LocalNode[], secs: number) {
  const per = Math.max(1, Math.round(CONC / nodes.length));
  const rs = await Promise.all(nodes.map((n) => wrk(`${n.gateway}/hello`, per, secs)));
  const requests = rs.reduce((a, r) => a + r.requests, 0);
  return {
    requests,
    errors: rs.reduce((a, r) => a + r.errors, 0),
    rps: requests / secs,
    p50: Math.max(...rs.map((r) => r.p50)),
    p99: Math.max(...rs.map((r) => r.p99)),
    conns: per * nodes.length,
  };
}

const HELLO = `exports.handler = async (e) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: e?.name ?? 'world' }) });`;

async function prepare(c: RunningCluster) {
  const auth = { authorization: `Bearer ${c.admin.secret}` };
  const api = c.nodes[0]!.api;
  const zip = Buffer.from(zipFiles({ 'index.js': new TextEncoder().encode(HELLO) })).toString('base64');
  const dep = await send(
    'PUT',
    `${api}/v1/functions/hello`,
    JSON.stringify({ runtime: 'nodejs24.x', handler: 'index.handler', code: { zipBase64: zip } }),
    auth,
  );
  if (dep.status >= 300) throw new Error(`deploy: ${dep.status} ${dep.body}`);
  const rt = await send(
    'POST',
    `${api}/v1/routes`,
    JSON.stringify({ function: 'hello', routeKey: 'GET /hello' }),
    auth,
  );
  if (rt.status >= 300) throw new Error(`route: ${rt.status} ${rt.body}`);
  for (const n of c.nodes) {
    const end = Date.now() + 30_000;
    while ((await send('GET', `${n.gateway}/hello`, undefined).catch(() => ({ status: 0 }))).status !== 200) {
      if (Date.now() > end) throw new Error(`GET /hello on ${n.gateway} does not answer 200`);
      await sleep(100);
    }
  }
  return auth;
}

async function asyncRun(c: RunningCluster, auth: Record<string, string>, total: number) {
  const ids: string[] = new Array(total);
  let next = 0;
  let rejected = 0;
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const node = c.nodes[i % c.nodes.length]!;
        const r = await send('POST', `${node.api}/v1/functions/hello/invoke-async`, `{"name":"n${i}"}`, auth);
        if (r.status !== 202) rejected++;
        else ids[i] = (JSON.parse(r.body) as { id: string }).id;
      }
    }),
  );
  const acceptedAt = performance.now();
  const depth = async () => {
    const r = await send('GET', `${c.nodes[0]!.api}/v1/queues`, undefined, auth);
    const qs = (JSON.parse(r.body) as { queues: { ready: number; delayed: number; inflight: number }[] })
      .queues;
    return qs.reduce((a, q) => a + q.ready + q.delayed + q.inflight, 0);
  };
  while ((await depth()) > 0) await sleep(25);
  let doneAt = performance.now();
  // The depth view may trail other nodes by a moment: every invocation must read succeeded.
  let pending = ids.filter(Boolean);
  let failed = 0;
  for (let round = 0; pending.length > 0 && round < 600; round++) {
    const still: string[] = [];
    let k = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (;;) {
          const id = pending[k++];
          if (id === undefined) return;
          const node = c.nodes[k % c.nodes.length]!;
          const r = await send('GET', `${node.api}/v1/invocations/${id}`, undefined, auth);
          const st = (JSON.parse(r.body) as { status?: string }).status;
          if (st === 'failed' || st === 'dead') failed++;
          else if (st !== 'succeeded') still.push(id);
        }
      }),
    );
    if (round > 0 || still.length > 0) doneAt = performance.now();
    pending = still;
    if (pending.length) await sleep(100);
  }
  return { acceptedAt, doneAt, rejected, failed, unfinished: pending.length };
}

// ---------------------------------------------------------------------------------------------

interface Result {
  nodes: number;
  hello: Awaited<ReturnType<typeof helloLoad>>;
  helloCost: Delta;
  asyncRate: number;
  acceptRate: number;
  asyncIssues: string;
  asyncCost: Delta;
  idle: Delta;
  /** Deploy, route and the first request on each node (code from the Object Store), in total. */
  deploy: Delta;
}

const dir = await mkdtemp(join(tmpdir(), 'nimbus-bench-cluster-'));
const dbName = `nimbus_bench_cluster_${process.pid}`;
const mon = new pg.Client({ connectionString: args.pg });
await mon.connect();
await mon.query(`CREATE DATABASE ${dbName}`);
const dbUrl = (() => {
  const u = new URL(args.pg);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const nats = await startNats(join(dir, 'nats'));
const results: Result[] = [];
let cluster: RunningCluster | undefined;
try {
  for (const size of SIZES) {
    const name = `bench${size}_${randomBytes(2).toString('hex')}`;
    process.stderr.write(`starting ${size} node(s) (${MODE})…\n`);
    cluster = await startClusterLocal({
      nodes: size,
      name,
      mode: MODE,
      pg: dbUrl,
      nats: nats.url,
      dataRoot: dir,
      basePort: 0,
      drop: true,
      nodeOutput: 'ignore',
      logLevel: 'error',
      env: { NIMBUS_ASYNC_MAX_QUEUE_DEPTH: String(EVENTS * 4) },
    });
    const c = cluster;
    const natsRef = { varz: nats.varz, pid: nats.child.pid! };
    const take = () => snap(c, mon, dbName, natsRef);
    // A backend whose stats flush met a lock retries 10 s later (PGSTAT_IDLE_INTERVAL): every
    // window ends after that long, and the next one starts where it ended.
    const settle = () => sleep(SETTLE_MS);

    const d0 = await take();
    const auth = await prepare(c);
    await settle();
    const d1 = await take();
    const deploy = delta(d0, d1);

    process.stderr.write('  warm-up…\n');
    await helloLoad(c.nodes, 3);
    const w = await asyncRun(c, auth, 300);
    if (w.rejected || w.failed || w.unfinished) throw new Error(`warm-up async: ${JSON.stringify(w)}`);
    await settle();
    // Idle: what the cluster does on its own (heartbeats, leader lease, depth recounts).
    const i0 = await take();
    await sleep(IDLE_MS);
    const h0 = await take();
    const idle = delta(i0, h0);

    process.stderr.write(`  hello: wrk ${DURATION} s…\n`);
    const hello = await helloLoad(c.nodes, DURATION);
    await settle();
    const a0 = await take();
    const helloCost = perRequest(delta(h0, a0), idle, hello.requests);

    process.stderr.write(`  async: ${EVENTS} invocations…\n`);
    const a = await asyncRun(c, auth, EVENTS);
    await settle();
    const asyncCost = perRequest(delta(a0, await take()), idle, EVENTS);
    const asyncSecs = (a.doneAt - a0.t) / 1000;
    results.push({
      nodes: size,
      hello,
      helloCost,
      asyncRate: (EVENTS - a.rejected) / asyncSecs,
      acceptRate: (EVENTS - a.rejected) / ((a.acceptedAt - a0.t) / 1000),
      asyncIssues:
        [
          a.rejected && `${a.rejected} rejected`,
          a.failed && `${a.failed} failed`,
          a.unfinished && `${a.unfinished} unfinished`,
        ]
          .filter(Boolean)
          .join(', ') || 'all succeeded',
      asyncCost,
      idle,
      deploy,
    });
    await c.stop();
    cluster = undefined;
  }
} finally {
  await cluster?.stop().catch(() => {});
  nats.child.kill('SIGTERM');
  await mon.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
  await mon.end();
  agent.destroy();
  await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Report

const num = (d: number) => (x: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const kb = (x: number) => (Number.isFinite(x) ? `${(x / 1024).toFixed(2)} KiB` : '-');
type Fmt = (x: number) => string;
const row = (label: string, pick: (r: Result) => number, fmt: Fmt) => {
  const xs = results.map(pick);
  const shown = xs.map(fmt);
  // No ratio of figures that print as zero (or of noise below the idle rate).
  const base = Number.parseFloat(shown[0] ?? '');
  const last = Number.parseFloat(shown.at(-1) ?? '');
  const ratio = xs.length >= 2 && base > 0 && last >= 0 ? `${(xs.at(-1)! / xs[0]!).toFixed(2)}×` : '-';
  return [label, ...shown, ratio];
};
const costRows = (p: string, pick: (r: Result) => Delta) => {
  const rows: [string, keyof Delta, Fmt][] = [
    ['CPU nodes+instances (ms)', 'cpuNodes', num(3)],
    ['CPU PostgreSQL backends (ms)', 'cpuPg', num(3)],
    ['CPU nats-server (ms)', 'cpuNats', num(3)],
    ['PG transactions', 'xact', num(2)],
    ['PG rows written', 'rows', num(2)],
    ['WAL bytes (whole server)', 'wal', num(0)],
    ['NATS msgs published', 'natsInMsgs', num(2)],
    ['NATS msgs delivered', 'natsOutMsgs', num(2)],
    ['NATS bytes (in + out)', 'natsBytes', num(0)],
  ];
  if (MODE === 'netns')
    rows.push(
      ['bytes node↔PG (link)', 'linkPg', kb],
      ['bytes node↔NATS (link)', 'linkNats', kb],
      ['bytes on all node links', 'linkAll', kb],
    );
  return rows.map(([label, k, fmt]) => row(`${p} ${label}`, (r) => pick(r)[k], fmt));
};
const perSec = (k: keyof Delta) => (r: Result) => r.idle[k] / r.idle.secs;
printTable([
  [
    'metric',
    ...results.map((r) => `${r.nodes} node${r.nodes > 1 ? 's' : ''}`),
    `${SIZES.at(-1)} vs ${SIZES[0]}`,
  ],
  row(`hello req/s (gateway, wrk ${DURATION} s)`, (r) => r.hello.rps, num(0)),
  row('hello p50 ms (slowest node)', (r) => r.hello.p50, num(2)),
  row('hello p99 ms (slowest node)', (r) => r.hello.p99, num(2)),
  row('hello errors', (r) => r.hello.errors, num(0)),
  ...costRows('  per hello:', (r) => r.helloCost),
  row(`async accepted/s (${EVENTS}, ${INFLIGHT} in flight)`, (r) => r.acceptRate, num(0)),
  row('async completed/s (submit → all succeeded)', (r) => r.asyncRate, num(0)),
  ...costRows('  per async:', (r) => r.asyncCost),
  row('deploy+route+first calls: NATS msgs', (r) => r.deploy.natsInMsgs, num(0)),
  row('deploy+route+first calls: NATS bytes', (r) => r.deploy.natsBytes, kb),
  row('deploy+route+first calls: PG transactions', (r) => r.deploy.xact, num(0)),
  row('idle: PG transactions /s', perSec('xact'), num(1)),
  row('idle: PG rows written /s', perSec('rows'), num(1)),
  row('idle: NATS msgs published /s', perSec('natsInMsgs'), num(1)),
  row('idle: CPU nodes ms/s', perSec('cpuNodes'), num(1)),
]);
for (const r of results)
  console.log(`${r.nodes} node(s): hello over ${r.hello.conns} connections; async: ${r.asyncIssues}`);
console.log(
  [
    '',
    `node ${process.versions.node}, ${cpus().length} cores, ${MODE} mode; PostgreSQL database ${dbName} (dropped), a private nats-server with JetStream.`,
    `The nodes, their instances, PostgreSQL, NATS and the load generator all share these ${cpus().length} cores: 3 nodes`,
    'cannot raise throughput here; the 3-vs-1 ratios show what coordination costs, not capacity.',
    'Costs are per request, with the idle rate of the same cluster (measured just before) taken off;',
    'CPU of instances that exited inside a window is not counted.',
  ].join('\n'),
);
