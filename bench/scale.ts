/**
 * bench/scale.ts — scaling behaviour of a real Nimbus platform (bench/support/platform.ts, a child
 * process; this process is the client), every figure next to a baseline measured in the same run:
 *
 *   zero      scale from zero: request → first byte through an HTTP route while the function has
 *             no instance (idle TTL 1 s; each sample waits for warm = busy = starting = 0 in
 *             /v1/status and checks that it was counted as a cold start); warm p50 and a bare
 *             node:http server (fresh connections both) for reference. Process and isolate runtime.
 *   memory    idle warm instance: RSS and PSS (/proc/<pid>/smaps_rollup) of each instance's
 *             process tree (found by its cgroup); isolate runtime: host RSS delta / N.
 *   idle      10,000 registered idle functions (each with a route): deploy rate, platform start
 *             time and RSS with 10k vs 0 functions, gateway hello p50 with 10k routes vs 1.
 *   overload  a function capped by reservedConcurrency driven at 4× what it can serve (open loop):
 *             time to the first 429, 429 latency, admitted p99 vs its p99 at 1× (closed loop at
 *             the cap), with the default queue-wait settings.
 *   burst     32 concurrent requests to a function at zero: latency and instances started.
 *
 *   npm run bench:scale -- --quick
 *   npm run bench:scale -- --only zero,overload
 *   npm run bench:scale -- --idle-functions 2000 --json bench/results/scale.json
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, get, request } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { assertLoopback, pct, printTable } from './support/load.ts';
import { zipOne } from './support/zip.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'idle-functions': { type: 'string' },
    json: { type: 'string' },
  },
});
const QUICK = args.quick;
const PARTS = ['zero', 'memory', 'idle', 'overload', 'burst'] as const;
type Part = (typeof PARTS)[number];
const only = new Set((args.only ?? PARTS.join(',')).split(',').filter(Boolean));
for (const p of only)
  if (!PARTS.includes(p as Part)) throw new Error(`--only: unknown part ${p} (${PARTS.join(',')})`);
const N = {
  zero: QUICK ? 8 : 30,
  memory: QUICK ? 4 : 16,
  idle: Number(args['idle-functions'] ?? 10_000),
  overloadS: QUICK ? 3 : 10,
  warm: QUICK ? 100 : 500,
};
if (!(N.idle >= 1 && N.idle <= 100_000)) throw new Error('--idle-functions: 1..100000');

const NODE = process.execPath;
const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const log = (...a: unknown[]) => console.error(`[scale ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => pct(xs, 50);
const r1 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));
const r2 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));

// ------------------------------------------------------------------ processes
const children = new Set<ChildProcess>();
interface Plat {
  child: ChildProcess;
  pid: number;
  apiUrl: string;
  gatewayUrl: string;
  secret: string;
  startMs: number;
}

async function startPlatform(dataDir: string, env: Record<string, string> = {}): Promise<Plat> {
  const t0 = performance.now();
  const child = spawn(NODE, [join(ROOT, 'bench/support/platform.ts'), dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NIMBUS_LOG_LEVEL: 'error', ...env },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('platform did not start within 300 s')), 300_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
    child.once('exit', (c) => reject(new Error(`platform exited (${c}) before it was ready`)));
  });
  const startMs = performance.now() - t0;
  const info = JSON.parse(line) as { apiUrl: string; gatewayUrl: string; secret: string };
  assertLoopback(info.apiUrl);
  assertLoopback(info.gatewayUrl);
  return { child, pid: child.pid!, ...info, startMs };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(t);
}

/** A bare node:http server answering {"hello":"world"} (the baseline), on an ephemeral port. */
async function startBare(): Promise<{ child: ChildProcess; url: string }> {
  const src =
    'const s=require(\'node:http\').createServer((q,r)=>{const b=\'{"hello":"world"}\';' +
    "r.writeHead(200,{'content-type':'application/json','content-length':b.length});r.end(b)});" +
    "s.listen(0,'127.0.0.1',()=>console.log(JSON.stringify({url:'http://127.0.0.1:'+s.address().port})));" +
    "process.on('SIGTERM',()=>process.exit(0));";
  const child = spawn(NODE, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  const url = (JSON.parse(line) as { url: string }).url;
  assertLoopback(url);
  return { child, url };
}

// ------------------------------------------------------------------ HTTP
const keepAlive = new Agent({ keepAlive: true, maxSockets: 512 });

/** One request; resolves at the first byte of the response (headers) and at its end. */
function timedGet(
  url: string,
  agent: Agent | false = false,
): Promise<{ status: number; ttfbMs: number; ms: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = get(url, { agent, headers: agent ? {} : { connection: 'close' } }, (res) => {
      const ttfbMs = performance.now() - t0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          ttfbMs,
          ms: performance.now() - t0,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

class Api {
  readonly p: Plat;
  constructor(p: Plat) {
    this.p = p;
  }
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.p.apiUrl}${path}`,
        {
          method,
          agent: keepAlive,
          headers: { authorization: `Bearer ${this.p.secret}`, 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 0) >= 300)
              reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`));
            else resolve((text ? JSON.parse(text) : {}) as T);
          });
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
  /** Creates a function (Lambda handler) and routes `GET /<name>` to it. Returns the deploy answer. */
  async deploy(name: string, code: string, extra: Record<string, unknown> = {}) {
    const out = await this.call<{ function: Record<string, unknown> }>('PUT', `/v1/functions/${name}`, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64: zipOne('index.mjs', code).toString('base64') },
      ...extra,
    });
    await this.call('PUT', `/v1/functions/${name}/routes`, { routes: [{ routeKey: `GET /${name}` }] });
    return out;
  }
  async status(name: string) {
    const s = await this.call<{ functions: Record<string, number | string>[] }>('GET', '/v1/status');
    return s.functions.find((f) => f.functionName === name) as Record<string, number> | undefined;
  }
}

// Lambda (API Gateway proxy) handlers: Nimbus's native shape, and the one both runtimes take
// (isolates refuse fetch-style modules).
const HELLO_SRC =
  'export const handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, ' +
  'body: JSON.stringify({ hello: "world" }) });\n';
const SLEEP_SRC = (ms: number) =>
  `export const handler = async () => { await new Promise((r) => setTimeout(r, ${ms})); ` +
  'return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ hello: "world" }) }; };\n';

/** Does the platform run this function in the isolate runtime? (the deploy answer says so) */
async function isolateSupport(api: Api, name: string, code: string): Promise<true | string> {
  const out = await api.deploy(name, code, { isolation: 'isolate' });
  const got = out.function.isolation;
  return got === 'isolate'
    ? true
    : `unsupported (create with isolation:'isolate' → function.isolation=${String(got ?? 'absent')})`;
}

// ------------------------------------------------------------------ /proc
function descendants(root: number): number[] {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch {
      /* exited */
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

/** Rss and Pss in MiB of one process (smaps_rollup). */
function rollup(pid: number): { rss: number; pss: number } {
  try {
    const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0);
    return { rss: kb('Rss') / 1024, pss: kb('Pss') / 1024 };
  } catch {
    return { rss: 0, pss: 0 };
  }
}
/** The isolate host processes (one per tenant) under the platform. */
const isolateHosts = (root: number) =>
  descendants(root).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('host.worker.mjs');
    } catch {
      return false;
    }
  });
const hostMem = (root: number) =>
  isolateHosts(root)
    .map(rollup)
    .reduce((a, b) => ({ rss: a.rss + b.rss, pss: a.pss + b.pss }), { rss: 0, pss: 0 });
const treeMem = (root: number) =>
  descendants(root)
    .map(rollup)
    .reduce((a, b) => ({ rss: a.rss + b.rss, pss: a.pss + b.pss }), { rss: 0, pss: 0 });

/** Memory cgroup of a process (v2, else v1) and its limit in bytes (NaN when unknown / "max"). */
function cgroupOf(pid: number): { path: string; max: number } | undefined {
  try {
    const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
    const v1 = lines.find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
    const [file, path] = v1
      ? [
          'memory.limit_in_bytes',
          join('/sys/fs/cgroup/memory', v1.slice(v1.indexOf(':', v1.indexOf(':') + 1) + 1)),
        ]
      : ['memory.max', join('/sys/fs/cgroup', lines.find((l) => l.startsWith('0::'))?.slice(3) ?? '/')];
    const f = join(path, file);
    return { path, max: existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) : Number.NaN };
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ results
interface Row {
  part: string;
  metric: string;
  value: string;
  baseline: string;
  goal: string;
  pass: string;
}
const rows: Row[] = [];
const json: Record<string, unknown> = {};
function row(part: string, metric: string, value: string, baseline = '', goal = '', pass?: boolean | 'skip') {
  const verdict = pass === undefined ? '' : pass === 'skip' ? 'SKIP' : pass ? 'PASS' : 'FAIL';
  rows.push({ part, metric, value, baseline, goal, pass: verdict });
}

const dataRoot = await mkdtemp(join(os.tmpdir(), 'nimbus-scale-'));
const dir = (name: string) => join(dataRoot, name);

// ------------------------------------------------------------------ zero
async function partZero(): Promise<void> {
  const bare = await startBare();
  const p = await startPlatform(dir('zero'), { NIMBUS_IDLE_TTL_SEC: '1' });
  const api = new Api(p);
  try {
    // Baseline: bare node:http, fresh connection per request (as each scale-from-zero sample).
    const bareTtfb: number[] = [];
    for (let i = 0; i < 50; i++) await timedGet(bare.url); // warm up
    for (let i = 0; i < N.warm; i++) bareTtfb.push((await timedGet(bare.url)).ttfbMs);
    const bareP50 = median(bareTtfb);
    json.zero = { bare_ttfb_p50_ms: bareP50 };

    const runtimes: ['process' | 'isolate', string, Record<string, unknown>][] = [
      ['process', 'zp', {}],
      ['isolate', 'zi', { isolation: 'isolate' }],
    ];
    for (const [runtime, name, extra] of runtimes) {
      if (runtime === 'isolate') {
        const ok = await isolateSupport(api, name, HELLO_SRC);
        if (ok !== true) {
          row('zero', 'isolate: scale from zero p50', ok, '', '≤ 5 ms', 'skip');
          json.zero = { ...(json.zero as object), isolate: ok };
          continue;
        }
      } else await api.deploy(name, HELLO_SRC, extra);
      const url = `${p.gatewayUrl}/${name}`;
      const first = await timedGet(url); // code cache, first specialization
      if (first.status !== 200) throw new Error(`${name}: ${first.status} ${first.body}`);
      const samples: number[] = [];
      let notCold = 0;
      for (let i = 0; i < N.zero; i++) {
        // wait for the instance to be gone (idle TTL 1 s), then for the generic pool to refill
        const t = performance.now();
        for (;;) {
          const s = await api.status(name);
          if (s && s.warm === 0 && s.busy === 0 && s.starting === 0) break;
          if (performance.now() - t > 20_000) throw new Error(`${name} did not scale to zero`);
          await sleep(100);
        }
        await sleep(400);
        const before = (await api.status(name))?.coldStarts ?? 0;
        const r = await timedGet(url);
        if (r.status !== 200) throw new Error(`${name}: ${r.status} ${r.body}`);
        samples.push(r.ttfbMs);
        if (((await api.status(name))?.coldStarts ?? 0) !== before + 1) notCold++;
      }
      const warm: number[] = [];
      for (let i = 0; i < N.warm; i++) warm.push((await timedGet(url)).ttfbMs);
      const z50 = median(samples);
      const goal = runtime === 'process' ? 25 : 5;
      row(
        'zero',
        `${runtime}: scale from zero p50 (n=${samples.length}${notCold ? `, ${notCold} not cold!` : ''})`,
        `${r1(z50)} ms`,
        `bare ${r2(bareP50)} ms`,
        `≤ ${goal} ms`,
        z50 <= goal,
      );
      row('zero', `${runtime}: scale from zero p99`, `${r1(pct(samples, 99))} ms`, '', '');
      row(
        'zero',
        `${runtime}: warm p50 (fresh connection)`,
        `${r2(median(warm))} ms`,
        `bare ${r2(bareP50)} ms`,
        '',
      );
      json.zero = {
        ...(json.zero as object),
        [runtime]: {
          samples_ms: samples,
          p50_ms: z50,
          p99_ms: pct(samples, 99),
          warm_p50_ms: median(warm),
          notCold,
        },
      };
    }
  } finally {
    await stop(p.child);
    await stop(bare.child);
  }
}

// ------------------------------------------------------------------ memory
const MARK_MB = 320; // memoryMb of the measured functions: their cgroup memory.max identifies them

async function partMemory(): Promise<void> {
  const bare = await startBare();
  const p = await startPlatform(dir('memory'));
  const api = new Api(p);
  try {
    for (let i = 0; i < 200; i++) await timedGet(bare.url, keepAlive);
    const bareMem = treeMem(bare.child.pid!);
    const names = Array.from({ length: N.memory }, (_, i) => `m${i}`);
    for (const n of names) await api.deploy(n, HELLO_SRC, { memoryMb: MARK_MB });
    for (const n of names) for (let i = 0; i < 20; i++) await timedGet(`${p.gatewayUrl}/${n}`, keepAlive);
    await sleep(2000); // idle, warm
    const byCg = new Map<string, { rss: number; pss: number; procs: number }>();
    for (const pid of descendants(p.pid)) {
      const cg = cgroupOf(pid);
      if (!cg || cg.max !== MARK_MB * 1024 * 1024) continue;
      const m = rollup(pid);
      const e = byCg.get(cg.path) ?? { rss: 0, pss: 0, procs: 0 };
      byCg.set(cg.path, { rss: e.rss + m.rss, pss: e.pss + m.pss, procs: e.procs + 1 });
    }
    const inst = [...byCg.values()];
    if (inst.length === 0) {
      row(
        'memory',
        'process: idle warm instance',
        'no instance cgroups found (cgroups off?)',
        '',
        '≤ 35 MiB',
        false,
      );
    } else {
      const rss = median(inst.map((x) => x.rss));
      const pss = median(inst.map((x) => x.pss));
      row(
        'memory',
        `process: idle warm instance PSS (median of ${inst.length}, ${inst[0]!.procs} procs each)`,
        `${r1(pss)} MiB`,
        `bare node ${r1(bareMem.pss)} MiB`,
        '≤ 35 MiB',
        pss <= 35,
      );
      row(
        'memory',
        'process: idle warm instance RSS',
        `${r1(rss)} MiB`,
        `bare node ${r1(bareMem.rss)} MiB`,
        '',
      );
      json.memory = { instances: inst, rss_median_mib: rss, pss_median_mib: pss, bare: bareMem };
    }
    // Isolate runtime: host RSS delta per function.
    const ok = await isolateSupport(api, 'mi-probe', HELLO_SRC);
    if (ok !== true) {
      row('memory', 'isolate: idle warm instance (host RSS Δ / N)', ok, '', '≤ 2 MiB', 'skip');
    } else {
      // The tenant's isolate host is up (the probe ran in it); measure the host alone — the
      // platform's own heap grows with any 64 new functions, whatever runs them.
      await timedGet(`${p.gatewayUrl}/mi-probe`, keepAlive);
      const iso = Array.from({ length: N.memory * 4 }, (_, i) => `mi${i}`);
      for (const n of iso) await api.deploy(n, HELLO_SRC, { isolation: 'isolate' });
      await sleep(1000);
      const before = hostMem(p.pid);
      for (const n of iso) for (let i = 0; i < 20; i++) await timedGet(`${p.gatewayUrl}/${n}`, keepAlive);
      await sleep(2000);
      const after = hostMem(p.pid);
      const per = (after.rss - before.rss) / iso.length;
      row(
        'memory',
        `isolate: idle warm instance (isolate host RSS Δ / ${iso.length})`,
        `${r2(per)} MiB`,
        '',
        '≤ 2 MiB',
        per <= 2,
      );
      json.memory_isolate = { before, after, per_mib: per };
    }
  } finally {
    await stop(p.child);
    await stop(bare.child);
  }
}

// ------------------------------------------------------------------ idle (10k)
async function partIdle(): Promise<void> {
  const d = dir('idle');
  const empty = dir('idle-empty');
  const conc = 8;
  // 0 functions: start, settle, measure, restart (the second start is the comparable one).
  let p = await startPlatform(empty);
  await stop(p.child);
  p = await startPlatform(empty);
  await sleep(2000);
  const rss0 = treeMem(p.pid);
  const start0 = p.startMs;
  await stop(p.child);

  p = await startPlatform(d);
  let api = new Api(p);
  await api.deploy('hello', HELLO_SRC);
  const helloP50 = async (url: string) => {
    for (let i = 0; i < 50; i++) await timedGet(url, keepAlive);
    const xs: number[] = [];
    for (let i = 0; i < N.warm; i++) xs.push((await timedGet(url, keepAlive)).ttfbMs);
    return median(xs);
  };
  const lat1 = await helloP50(`${p.gatewayUrl}/hello`);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      for (;;) {
        const i = next++;
        if (i >= N.idle) return;
        await api.deploy(`f${String(i).padStart(5, '0')}`, HELLO_SRC.replace('world', `w${i}`));
        if (i % 1000 === 999) log(`idle: ${i + 1} functions deployed`);
      }
    }),
  );
  const deploySec = (performance.now() - t0) / 1000;
  const latN = await helloP50(`${p.gatewayUrl}/hello`);
  await stop(p.child);
  p = await startPlatform(d);
  api = new Api(p);
  const startN = p.startMs;
  await sleep(2000);
  const rssN = treeMem(p.pid);
  const last = await timedGet(`${p.gatewayUrl}/f${String(N.idle - 1).padStart(5, '0')}`);
  if (last.status !== 200) throw new Error(`last function after restart: ${last.status} ${last.body}`);
  await stop(p.child);
  const n = N.idle.toLocaleString('en-US');
  row('idle', `deploy rate (create + route, ${conc} at once)`, `${r1(N.idle / deploySec)} fn/s`, '', '');
  row('idle', `platform start with ${n} fns`, `${r1(startN)} ms`, `0 fns ${r1(start0)} ms`, '');
  row('idle', `platform RSS with ${n} idle fns`, `${r1(rssN.rss)} MiB`, `0 fns ${r1(rss0.rss)} MiB`, '');
  row(
    'idle',
    `gateway hello p50 (keep-alive) with ${n} routes`,
    `${r2(latN)} ms`,
    `1 route ${r2(lat1)} ms`,
    '',
  );
  row('idle', `first call of the last fn after restart`, `${r1(last.ttfbMs)} ms`, '', '');
  json.idle = {
    functions: N.idle,
    deploySec,
    start0,
    startN,
    rss0,
    rssN,
    lat1,
    latN,
    lastFirstMs: last.ttfbMs,
  };
}

// ------------------------------------------------------------------ overload
async function partOverload(): Promise<void> {
  const CAP = 4;
  const RUN_MS = 50; // capacity = CAP / 50 ms = 80 req/s: admission is measured, not the per-request CPU cost
  const p = await startPlatform(dir('overload'));
  const api = new Api(p);
  try {
    await api.deploy('ov', SLEEP_SRC(RUN_MS), { reservedConcurrency: CAP });
    const url = `${p.gatewayUrl}/ov`;
    // 1×: closed loop with exactly CAP requests in flight (what the cap can serve, no queueing).
    const closed = async (seconds: number) => {
      const lat: number[] = [];
      let non200 = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: CAP }, async () => {
          while (performance.now() < end) {
            const r = await timedGet(url, keepAlive);
            if (r.status === 200) lat.push(r.ms);
            else non200++;
          }
        }),
      );
      return { lat, non200, rps: lat.length / seconds };
    };
    await closed(1); // warm: CAP instances up
    const base = await closed(N.overloadS);
    const capacity = base.rps;
    // 4×: open loop at 4 × the measured capacity, evenly spaced.
    const rate = 4 * capacity;
    const total = Math.round(rate * N.overloadS);
    const ok: number[] = [];
    const rejected: number[] = [];
    let firstRejectAt = Number.NaN;
    const other: Record<string, number> = {};
    const t0 = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      inflight.push(
        timedGet(url, keepAlive).then(
          (r) => {
            if (r.status === 200) ok.push(r.ms);
            else if (r.status === 429) {
              rejected.push(r.ms);
              if (Number.isNaN(firstRejectAt)) firstRejectAt = performance.now() - t0;
            } else other[r.status] = (other[r.status] ?? 0) + 1;
          },
          () => {
            other.error = (other.error ?? 0) + 1;
          },
        ),
      );
    }
    const sendSec = (performance.now() - t0) / 1000;
    await Promise.all(inflight);
    const b99 = pct(base.lat, 99);
    const a99 = pct(ok, 99);
    const r429 = pct(rejected, 99);
    row(
      'overload',
      `1× (closed loop, ${CAP} in flight = cap): req/s, p99`,
      `${r1(capacity)} req/s, p99 ${r1(b99)} ms`,
      '',
      '',
    );
    row(
      'overload',
      `4× offered (${r1(rate)} req/s open loop for ${r1(sendSec)} s): admitted / 429 / other`,
      `${ok.length} / ${rejected.length} / ${JSON.stringify(other)}`,
      '',
      '',
    );
    row(
      'overload',
      'time from overload start to the first 429',
      `${r1(firstRejectAt)} ms`,
      '',
      '≤ 50 ms',
      firstRejectAt <= 50,
    );
    row(
      'overload',
      '429 answer latency p50 / p99',
      `${r2(median(rejected))} / ${r2(r429)} ms`,
      '',
      '≤ 50 ms',
      r429 <= 50,
    );
    row(
      'overload',
      'admitted p99 at 4× (ratio to 1× p99)',
      `${r1(a99)} ms (${r2(a99 / b99)}×)`,
      `1× p99 ${r1(b99)} ms`,
      '≤ 2×',
      a99 <= 2 * b99,
    );
    const st = await api.status('ov');
    json.overload = {
      cap: CAP,
      runMs: RUN_MS,
      capacity,
      rate,
      base_p99: b99,
      admitted_p99: a99,
      admitted: ok.length,
      rejected: rejected.length,
      other,
      firstRejectAt,
      r429_p99: r429,
      status: st,
    };
  } finally {
    await stop(p.child);
  }
}

// ------------------------------------------------------------------ burst
async function partBurst(): Promise<void> {
  const p = await startPlatform(dir('burst'));
  const api = new Api(p);
  try {
    await api.deploy('burst', SLEEP_SRC(50));
    await api.deploy('burst-warmcache', SLEEP_SRC(50));
    await timedGet(`${p.gatewayUrl}/burst-warmcache`);
    await sleep(500);
    const t0 = performance.now();
    const rs = await Promise.all(Array.from({ length: 32 }, () => timedGet(`${p.gatewayUrl}/burst`)));
    const wall = performance.now() - t0;
    const lat = rs.map((r) => r.ms);
    const st = await api.status('burst');
    const bad = rs.filter((r) => r.status !== 200).length;
    row(
      'burst',
      `32 concurrent requests at zero (50 ms fn): p50 / max, all done`,
      `${r1(median(lat))} / ${r1(Math.max(...lat))} ms, ${r1(wall)} ms${bad ? `, ${bad} non-200` : ''}`,
      '',
      '',
    );
    row('burst', 'instances started for the burst (cold starts)', String(st?.coldStarts ?? '?'), '', '');
    json.burst = { lat, wall, status: st };
  } finally {
    await stop(p.child);
  }
}

// ------------------------------------------------------------------ main
const stopAll = () => {
  for (const c of children) c.kill('SIGKILL');
};
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});
try {
  const parts: Record<Part, () => Promise<void>> = {
    zero: partZero,
    memory: partMemory,
    idle: partIdle,
    overload: partOverload,
    burst: partBurst,
  };
  for (const name of PARTS) {
    if (!only.has(name)) continue;
    log(`${name}…`);
    const t = performance.now();
    try {
      await parts[name]();
    } catch (e) {
      row(
        name,
        'FAILED',
        String((e as Error).message)
          .split('\n')[0]!
          .slice(0, 160),
        '',
        '',
        false,
      );
      log(`${name} failed:`, e);
    }
    log(`${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
} finally {
  stopAll();
  keepAlive.destroy();
  await rm(dataRoot, { recursive: true, force: true });
}

printTable([
  ['part', 'metric', 'value', 'baseline (same run)', 'goal', 'pass'],
  ...rows.map((r) => [r.part, r.metric, r.value, r.baseline, r.goal, r.pass]),
]);
const machine = `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${os.release()}, node ${process.versions.node}, load ${os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ')}`;
console.log(`\n${machine}${QUICK ? ' — QUICK run (few samples, noisy)' : ''}`);
if (args.json) {
  await mkdir(dirname(args.json), { recursive: true });
  await writeFile(args.json, `${JSON.stringify({ machine, quick: QUICK, rows, data: json }, null, 2)}\n`);
}
