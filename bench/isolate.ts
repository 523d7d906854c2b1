/**
 * bench/isolate.ts — scale-from-zero (request → first byte on a function with no instance) for
 * an isolate function vs a process function, through the Lambda Invoke API and an HTTP route;
 * and idle memory per warm isolate instance (sum of isolate host RSS, delta over M instances / M).
 * The platform runs as a child process; this process is the load generator.
 *
 *   npx node bench/isolate.ts                  # defaults: --cold 30 --instances 100
 *   npx node bench/isolate.ts --cold 50 --instances 200
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { zipDirectory } from '../src/registry/build/index.ts';
import { agent, assertLoopback, pct, printTable, startChild } from './support/load.ts';

const { values: args } = parseArgs({
  options: {
    cold: { type: 'string', default: '30' },
    instances: { type: 'string', default: '100' },
  },
});
const COLD = Number(args.cold);
const INSTANCES = Number(args.instances);

/** Resolves at the response head (first byte of the answer), then drains the body. */
function firstByte(method: string, url: string, body: string | undefined, headers: Record<string, string>) {
  return new Promise<{ ms: number; status: number }>((resolve, reject) => {
    const t = performance.now();
    const req = request(url, { method, agent, headers }, (res) => {
      const ms = performance.now() - t;
      res.resume();
      res.on('end', () => resolve({ ms, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sum of the resident memory of the isolate host processes started by our platform child. */
function hostRssBytes(root: number): number {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid); p && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  let sum = 0;
  for (const pid of parent.keys()) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      // The node host itself (bwrap's own processes are tiny and not counted).
      if (!cmd.startsWith(process.execPath) || !cmd.includes('host.worker.mjs') || !descends(pid)) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) sum += Number(m[1]) * 1024;
    } catch {
      // exited
    }
  }
  return sum;
}

const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-bench-'));
const codeDir = await mkdtemp(join(tmpdir(), 'nimbus-bench-code-'));
const children: ChildProcess[] = [];
try {
  await writeFile(
    join(codeDir, 'index.mjs'),
    `export const handler = async (event) => event?.requestContext?.http
  ? { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'hello ' + event.rawPath }
  : { hello: event?.name ?? 'world' };`,
  );
  const zip = Buffer.from(await zipDirectory(codeDir)).toString('base64');
  const plat = await startChild(process.execPath, ['bench/support/platform.ts', dataDir]);
  children.push(plat.child);
  const api = plat.info.apiUrl!;
  const gw = plat.info.gatewayUrl!;
  assertLoopback(api);
  assertLoopback(gw);
  const auth = { authorization: `Bearer ${plat.info.secret}`, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body: unknown) => {
    const r = await firstByte(method, `${api}${path}`, JSON.stringify(body), auth);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status}`);
  };
  const deploy = (name: string, isolation: 'isolate' | 'process') =>
    call('PUT', `/v1/functions/${name}`, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      isolation,
      code: { zipBase64: zip },
    });
  const event = JSON.stringify({ name: 'Ada' });
  const settle = () => new Promise((r) => setTimeout(r, 300)); // pools refill, as in steady state

  const cold: Record<string, number[]> = {};
  // The request right after each cold one: the warm baseline under the same machine load.
  const warm: Record<string, number[]> = {};
  for (const isolation of ['isolate', 'process'] as const) {
    const viaApi: number[] = [];
    const viaRoute: number[] = [];
    const warmApi: number[] = [];
    const warmRoute: number[] = [];
    for (let i = 0; i < COLD; i++) {
      const a = `${isolation}-api-${i}`;
      await deploy(a, isolation);
      await settle();
      const r = await firstByte('POST', `${api}/2015-03-31/functions/${a}/invocations`, event, auth);
      if (r.status !== 200) throw new Error(`invoke ${a}: ${r.status}`);
      viaApi.push(r.ms);
      const w = await firstByte('POST', `${api}/2015-03-31/functions/${a}/invocations`, event, auth);
      warmApi.push(w.ms);
      const h = `${isolation}-http-${i}`;
      await deploy(h, isolation);
      await call('POST', '/v1/routes', { routeKey: `GET /${h}`, function: h });
      await settle();
      const g = await firstByte('GET', `${gw}/${h}`, undefined, {});
      if (g.status !== 200) throw new Error(`route ${h}: ${g.status}`);
      viaRoute.push(g.ms);
      warmRoute.push((await firstByte('GET', `${gw}/${h}`, undefined, {})).ms);
    }
    cold[`${isolation} invoke API`] = viaApi;
    cold[`${isolation} HTTP route`] = viaRoute;
    warm[`${isolation} invoke API`] = warmApi;
    warm[`${isolation} HTTP route`] = warmRoute;
  }

  // Idle memory per isolate instance: M more functions, one warm instance each, same tenant host.
  for (let i = 0; i < INSTANCES; i++) await deploy(`mem-${i}`, 'isolate');
  await new Promise((r) => setTimeout(r, 1000));
  const before = hostRssBytes(plat.child.pid!);
  for (let i = 0; i < INSTANCES; i++) {
    const r = await firstByte('POST', `${api}/2015-03-31/functions/mem-${i}/invocations`, event, auth);
    if (r.status !== 200) throw new Error(`invoke mem-${i}: ${r.status}`);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const afterRss = hostRssBytes(plat.child.pid!);

  const f = (n: number) => n.toFixed(2);
  printTable([
    ['request → first byte', 'cold p50 (ms)', 'cold p99 (ms)', 'warm p50 (ms)', 'warm p99 (ms)', 'n'],
    ...Object.entries(cold).map(([k, xs]) => [
      k,
      f(pct(xs, 50)),
      f(pct(xs, 99)),
      f(pct(warm[k] ?? [], 50)),
      f(pct(warm[k] ?? [], 99)),
      String(xs.length),
    ]),
  ]);
  const per = (afterRss - before) / INSTANCES;
  console.log(
    `\nidle isolate instance: ${(per / 1024 / 1024).toFixed(2)} MiB (host RSS ${(before / 1048576).toFixed(1)} → ${(afterRss / 1048576).toFixed(1)} MiB over ${INSTANCES} warm instances)`,
  );
  const os = await import('node:os');
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(`node ${process.versions.node}, ${os.cpus().length} cores, load average ${load}; cold=${COLD}`);
  console.log('goals: isolate scale-from-zero p50 ≤ 5 ms, idle warm isolate instance ≤ 2 MiB');
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await rm(dataDir, { recursive: true, force: true });
  await rm(codeDir, { recursive: true, force: true });
  agent.destroy();
}
