/** Shared load-generation helpers for the benchmarks (this process is the client). */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

export const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export function assertLoopback(url: string): void {
  if (!/^http:\/\/127\.0\.0\.1:\d+/.test(url)) throw new Error(`refusing non-loopback target ${url}`);
}

export function send(
  method: string,
  url: string,
  body: string | undefined,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  send('POST', url, body, headers);

/** Spawns a server that prints one JSON line with its address when ready. */
export async function startChild(
  cmd: string,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; info: Record<string, string> }> {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const rl = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${argv.join(' ')} did not start`)), 30_000);
    rl.once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
  });
  return { child, info: JSON.parse(line) as Record<string, string> };
}

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

/** Keeps `conc` requests in flight for `ms`; returns requests per second. */
export async function throughput(sendOne: () => Promise<unknown>, conc: number, ms: number): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (performance.now() < end) {
        await sendOne();
        done++;
      }
    }),
  );
  return done / (ms / 1000);
}

/** Sends `total` requests with `conc` in flight; returns requests per second. */
export async function blast(
  sendOne: (i: number) => Promise<unknown>,
  total: number,
  conc: number,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        await sendOne(i);
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/** Table printer. */
export function printTable(rows: string[][]): void {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join('  '));
}

/**
 * CPU time (ms, user + system) of a process and every live descendant, from /proc (Linux). A
 * descendant that exits between two readings takes its share with it: read before and after a
 * steady-state window, where the instances stay.
 */
export function treeCpuMs(pid: number): number {
  const tick = 10; // USER_HZ = 100 on Linux
  let total = 0;
  const walk = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) * tick;
      for (const t of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (kids) for (const k of kids.split(' ')) walk(Number(k));
      }
    } catch {
      // gone
    }
  };
  walk(pid);
  return total;
}

/** `throughput` plus the server tree's CPU per request (µs). */
export async function throughputWithCpu(
  sendOne: () => Promise<unknown>,
  conc: number,
  ms: number,
  serverPid: number,
): Promise<{ rps: number; cpuUsPerReq: number }> {
  const c0 = treeCpuMs(serverPid);
  const rps = await throughput(sendOne, conc, ms);
  const c1 = treeCpuMs(serverPid);
  return { rps, cpuUsPerReq: ((c1 - c0) * 1000) / (rps * (ms / 1000)) };
}
