/**
 * bench/invoke.ts — warm invoke latency/throughput through the Lambda Invoke API vs bare node:http
 * serving the same handler, and cold start (a new function's first invoke from the pre-booted
 * pool). Both servers run as child processes; this process is the load generator.
 *
 *   npm run bench:invoke                       # defaults
 *   npx node bench/invoke.ts --seq 2000 --conc 32 --duration 5 --cold 20
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { zipDirectory } from '../src/registry/build/index.ts';
import {
  agent,
  assertLoopback,
  pct,
  post,
  printTable,
  startChild,
  throughputWithCpu,
} from './support/load.ts';

const { values: args } = parseArgs({
  options: {
    seq: { type: 'string', default: '2000' },
    conc: { type: 'string', default: '32' },
    duration: { type: 'string', default: '5' },
    cold: { type: 'string', default: '20' },
  },
});
const SEQ = Number(args.seq);
const CONC = Number(args.conc);
const DURATION_MS = Number(args.duration) * 1000;
const COLD = Number(args.cold);
const HANDLER = 'examples/hello/index.mjs';

async function latency(send: () => Promise<unknown>, n: number): Promise<number[]> {
  for (let i = 0; i < Math.min(200, n); i++) await send(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await send();
    out.push(performance.now() - t);
  }
  return out;
}

const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-bench-'));
const node = process.execPath;
const children: ChildProcess[] = [];
try {
  const bare = await startChild(node, ['bench/support/bare.mjs', HANDLER]);
  children.push(bare.child);
  const plat = await startChild(node, ['bench/support/platform.ts', dataDir]);
  children.push(plat.child);
  const api = plat.info.apiUrl!;
  const auth = { authorization: `Bearer ${plat.info.secret}` };
  assertLoopback(api);
  assertLoopback(bare.info.url!);

  const zip = Buffer.from(await zipDirectory('examples/hello')).toString('base64');
  const deploy = async (name: string) => {
    const r = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({
        runtime: 'nodejs24.x',
        handler: 'index.handler',
        code: { zipBase64: zip },
      });
      const req = request(
        `${api}/v1/functions/${name}`,
        { method: 'PUT', agent, headers: { ...auth, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    if (r >= 300) throw new Error(`deploy ${name}: ${r}`);
  };
  await deploy('hello');
  const event = JSON.stringify({ name: 'Ada' });
  const nimbusSend = async () => {
    const r = await post(`${api}/2015-03-31/functions/hello/invocations`, event, auth);
    if (r.status !== 200) throw new Error(`invoke: ${r.status} ${r.body}`);
  };
  const bareSend = () => post(bare.info.url!, event);

  const latBare = await latency(bareSend, SEQ);
  const latNimbus = await latency(nimbusSend, SEQ);
  // Server CPU per request: the bare server's process; the platform's process and its instances.
  const tpBare = await throughputWithCpu(bareSend, CONC, DURATION_MS, bare.child.pid!);
  const tpNimbus = await throughputWithCpu(nimbusSend, CONC, DURATION_MS, plat.child.pid!);
  const tp1Bare = await throughputWithCpu(bareSend, 1, DURATION_MS, bare.child.pid!);
  const tp1Nimbus = await throughputWithCpu(nimbusSend, 1, DURATION_MS, plat.child.pid!);

  // Cold starts: deploy N fresh functions, then time each one's first invoke (pool pre-booted).
  const colds: number[] = [];
  for (let i = 0; i < COLD; i++) {
    const name = `cold-${i}`;
    await deploy(name);
    await new Promise((r) => setTimeout(r, 300)); // let the pool refill, as in steady state
    const t = performance.now();
    const r = await post(`${api}/2015-03-31/functions/${name}/invocations`, event, auth);
    colds.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`cold invoke: ${r.status} ${r.body}`);
  }

  const f = (n: number) => n.toFixed(3);
  const rows = [
    ['metric', 'bare node:http', 'nimbus', 'ratio / overhead'],
    [
      'warm p50 (ms)',
      f(pct(latBare, 50)),
      f(pct(latNimbus, 50)),
      `+${f(pct(latNimbus, 50) - pct(latBare, 50))} ms`,
    ],
    [
      'warm p99 (ms)',
      f(pct(latBare, 99)),
      f(pct(latNimbus, 99)),
      `+${f(pct(latNimbus, 99) - pct(latBare, 99))} ms`,
    ],
    [
      'req/s c=1',
      tp1Bare.rps.toFixed(0),
      tp1Nimbus.rps.toFixed(0),
      `${(tp1Nimbus.rps / tp1Bare.rps).toFixed(2)}×`,
    ],
    [
      'server CPU µs/req c=1',
      tp1Bare.cpuUsPerReq.toFixed(0),
      tp1Nimbus.cpuUsPerReq.toFixed(0),
      `${(tp1Nimbus.cpuUsPerReq / tp1Bare.cpuUsPerReq).toFixed(2)}×`,
    ],
    [
      `req/s c=${CONC}`,
      tpBare.rps.toFixed(0),
      tpNimbus.rps.toFixed(0),
      `${(tpNimbus.rps / tpBare.rps).toFixed(2)}×`,
    ],
    [
      `server CPU µs/req c=${CONC}`,
      tpBare.cpuUsPerReq.toFixed(0),
      tpNimbus.cpuUsPerReq.toFixed(0),
      `${(tpNimbus.cpuUsPerReq / tpBare.cpuUsPerReq).toFixed(2)}×`,
    ],
    ['cold start p50 (ms)', '-', f(pct(colds, 50)), `p99 ${f(pct(colds, 99))} ms (n=${COLD})`],
  ];
  printTable(rows);
  console.log(
    `\nnode ${process.versions.node}, ${(await import('node:os')).cpus().length} cores; seq=${SEQ} conc=${CONC} duration=${DURATION_MS / 1000}s`,
  );
  console.log(
    'goals (issue 3): warm p50 overhead ≤ 1 ms, cold start p50 ≤ 50 ms; (issue 16): warm p50 overhead ≤ 0.2 ms',
  );
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await rm(dataDir, { recursive: true, force: true });
  agent.destroy();
}
