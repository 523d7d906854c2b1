/**
 * bench/authz.ts — what identity costs on the hot path: warm invoke p50 (Lambda Invoke API, so
 * authentication + policy evaluation run on every request) and gateway hello req/s, for this
 * tree against the build before identity and policies landed, in the same process run. Rounds
 * alternate base/head so machine drift hits both.
 *
 *   npm run bench:authz                        # base = the commit before identity
 *   node bench/authz.ts --base <rev> --seq 2000 --conc 32 --duration 5 --rounds 3
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { zipDirectory } from '../src/registry/build/index.ts';
import {
  agent,
  assertLoopback,
  pct,
  post,
  printTable,
  send,
  startChild,
  throughput,
} from './support/load.ts';

const { values: args } = parseArgs({
  options: {
    // The last commit before tenants, IAM policies and role credentials.
    base: { type: 'string', default: '22addbf' },
    seq: { type: 'string', default: '2000' },
    conc: { type: 'string', default: '32' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
  },
});
const SEQ = Number(args.seq);
const CONC = Number(args.conc);
const DURATION_MS = Number(args.duration) * 1000;
const ROUNDS = Number(args.rounds);
const root = resolve(import.meta.dirname, '..');

/** A checkout of the base revision sharing this tree's node_modules. */
function baseTree(rev: string): string {
  const dir = join(tmpdir(), `nimbus-bench-base-${rev}`);
  if (!existsSync(dir)) {
    execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', dir, rev], { stdio: 'ignore' });
    // A hard-linked copy, not a symlink: the deploy-time build jail sees only the tree itself.
    execFileSync('cp', ['-al', join(root, 'node_modules'), join(dir, 'node_modules')]);
  }
  return dir;
}

interface Target {
  readonly name: string;
  readonly child: ChildProcess;
  readonly invoke: () => Promise<void>;
  readonly hello: () => Promise<void>;
  readonly dataDir: string;
}

async function start(name: string, tree: string): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), `nimbus-bench-authz-${name}-`));
  const { child, info } = await startChild(process.execPath, [
    join(tree, 'bench/support/platform.ts'),
    dataDir,
  ]);
  try {
    return await prepare(name, child, info, dataDir);
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
}

async function prepare(
  name: string,
  child: ChildProcess,
  info: Record<string, string>,
  dataDir: string,
): Promise<Target> {
  const api = info.apiUrl!;
  const gw = info.gatewayUrl!;
  assertLoopback(api);
  assertLoopback(gw);
  const auth = { authorization: `Bearer ${info.secret}`, 'content-type': 'application/json' };
  const zip = Buffer.from(await zipDirectory(join(root, 'examples/hello'))).toString('base64');
  const call = (method: string, path: string, body: unknown) =>
    new Promise<number>((res, rej) => {
      const req = request(`${api}${path}`, { method, agent, headers: auth }, (r) => {
        r.resume();
        r.on('end', () => res(r.statusCode ?? 0));
      });
      req.on('error', rej);
      req.end(JSON.stringify(body));
    });
  if (
    (await call('PUT', '/v1/functions/hello', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64: zip },
    })) >= 300
  )
    throw new Error(`${name}: deploy failed`);
  if ((await call('POST', '/v1/routes', { routeKey: 'GET /hello', function: 'hello' })) >= 300)
    throw new Error(`${name}: route failed`);
  const event = JSON.stringify({ name: 'Ada' });
  return {
    name,
    child,
    dataDir,
    invoke: async () => {
      const r = await post(`${api}/2015-03-31/functions/hello/invocations`, event, auth);
      if (r.status !== 200) throw new Error(`${name} invoke: ${r.status} ${r.body}`);
    },
    hello: async () => {
      const r = await send('GET', `${gw}/hello`, '');
      if (r.status !== 200) throw new Error(`${name} hello: ${r.status}`);
    },
  };
}

/** `+3.1` / `-2.0`: the change from base to head. */
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

const targets: Target[] = [];
try {
  targets.push(await start('base', baseTree(args.base!)));
  targets.push(await start('head', root));
  const p50: Record<string, number[]> = { base: [], head: [] };
  const rps: Record<string, number[]> = { base: [], head: [] };
  for (const t of targets) for (let i = 0; i < 300; i++) await t.invoke(); // warm both
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
      const lat: number[] = [];
      for (let i = 0; i < SEQ; i++) {
        const t0 = performance.now();
        await t.invoke();
        lat.push(performance.now() - t0);
      }
      p50[t.name]!.push(pct(lat, 50));
      rps[t.name]!.push(await throughput(t.hello, CONC, DURATION_MS));
    }
  }
  const med = (xs: number[]) => pct(xs, 50);
  const b = { p50: med(p50.base!), rps: med(rps.base!) };
  const h = { p50: med(p50.head!), rps: med(rps.head!) };
  printTable([
    ['metric', `base (${args.base})`, 'head (policies on)', 'head vs base'],
    [
      'warm invoke p50 (ms)',
      b.p50.toFixed(3),
      h.p50.toFixed(3),
      `${signed((h.p50 / b.p50 - 1) * 100)} % latency`,
    ],
    [
      `gateway hello req/s c=${CONC}`,
      b.rps.toFixed(0),
      h.rps.toFixed(0),
      `${signed((h.rps / b.rps - 1) * 100)} % throughput`,
    ],
  ]);
  console.log(
    `\nmedians of ${ROUNDS} alternating rounds; seq=${SEQ} conc=${CONC} duration=${DURATION_MS / 1000}s; node ${process.versions.node}`,
  );
  console.log(
    `per round p50: base ${p50.base!.map((x) => x.toFixed(3)).join(' ')} | head ${p50.head!.map((x) => x.toFixed(3)).join(' ')}`,
  );
  console.log(
    `per round req/s: base ${rps.base!.map((x) => x.toFixed(0)).join(' ')} | head ${rps.head!.map((x) => x.toFixed(0)).join(' ')}`,
  );
} finally {
  for (const t of targets) {
    t.child.kill('SIGTERM');
    await new Promise((r) => t.child.once('exit', r));
    await rm(t.dataDir, { recursive: true, force: true });
  }
  agent.destroy();
}
