/**
 * `npm run cluster:local` end to end: the script (a real child process) starts three nodes, each
 * in a network namespace of its own; each answers on its own address from the host, reaches
 * PostgreSQL and NATS through the script's forward, and still runs function instances in
 * namespaces of their own; a function deployed through one node runs through the others. SIGTERM
 * stops it and nothing it made is left. A run killed with SIGKILL is cleaned up by the next one,
 * and the loopback fallback runs the same cluster on 127.0.0.1.
 * PostgreSQL and NATS missing, or no root/ip/nft for the namespaces: fails in CI, skipped elsewhere.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { netnsUnavailable, readNetCounters, stateFile } from '../scripts/cluster-local/host.ts';
import { zipFiles } from '../src/registry/build/index.ts';
import { isPostgresReachable, TEST_PG_URL } from '../src/store/postgres/reachable.ts';
import { waitUntil } from './helpers.ts';
import { isNatsReachable, TEST_NATS_URL } from './support/cluster.ts';

const SCRIPT = fileURLToPath(new URL('../scripts/cluster-local.ts', import.meta.url));
const CI = process.env.CI === 'true';

interface Started {
  name: string;
  mode: 'netns' | 'loopback';
  fallback?: string;
  bridge?: string;
  bridgeAddress?: string;
  subnet?: string;
  table?: string;
  adminSecret: string;
  nodes: {
    id: string;
    pid: number;
    namespace?: string;
    hostIf?: string;
    address: string;
    api: string;
    gateway: string;
  }[];
}

/** The script as a child: its first stdout line (the cluster, JSON), later lines, its exit. */
function runScript(args: string[]) {
  const child = spawn(process.execPath, [SCRIPT, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const lines: Record<string, unknown>[] = [];
  let onLine: () => void = () => {};
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l) as Record<string, unknown>);
    onLine();
  });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const line = async (i: number, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (lines.length <= i) {
      if (child.exitCode !== null) throw new Error(`the script exited with ${child.exitCode}: ${stderr}`);
      if (Date.now() > end) throw new Error(`no output from the script within ${timeoutMs} ms: ${stderr}`);
      await new Promise<void>((r) => {
        onLine = r;
        setTimeout(r, 200);
      });
    }
    return lines[i]!;
  };
  return { child, line, exit, stderr: () => stderr };
}

async function stopScript(
  child: ChildProcess,
  exit: Promise<number | null>,
  signal: NodeJS.Signals = 'SIGTERM',
) {
  if (child.exitCode === null) child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      exit,
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error('the script did not stop within 60 s')), 60_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const code = (body: string) =>
  Buffer.from(zipFiles({ 'index.mjs': new TextEncoder().encode(body) })).toString('base64');
// Where the instance runs: its interfaces (an egress veth has a 172.29.x.y/32).
const WHOAMI = `import os from 'node:os';
export const handler = async (e) => ({
  n: e.n ?? null,
  statusCode: e.rawPath ? 200 : undefined,
  body: e.rawPath ? 'hi ' + e.rawPath : undefined,
  eth0: (os.networkInterfaces().eth0 ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address),
});`;

async function api<T = Record<string, unknown>>(
  c: Started,
  node: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const r = await fetch(`${c.nodes[node]!.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${c.adminSecret}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** Deploys on node 0, then invokes through every other node (sync) and asynchronously. */
async function deployAndInvokeAcross(c: Started): Promise<{ eth0: string[] }[]> {
  const dep = await api(c, 0, 'PUT', '/v1/functions/whoami', {
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    code: { zipBase64: code(WHOAMI) },
  });
  assert.equal(dep.status, 201, JSON.stringify(dep.body));
  const results: { eth0: string[] }[] = [];
  for (let i = 1; i < c.nodes.length; i++) {
    const r = await api<{ result: { n: number; eth0: string[] } }>(
      c,
      i,
      'POST',
      '/v1/functions/whoami/invoke',
      {
        n: i,
      },
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.result.n, i);
    results.push(r.body.result);
  }
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await api<{ id: string }>(c, i % c.nodes.length, 'POST', '/v1/functions/whoami/invoke-async', {
      n: i,
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    ids.push(r.body.id);
  }
  const last = c.nodes.length - 1;
  for (const id of ids)
    await waitUntil(
      `async invocation ${id} seen succeeded through node ${last}`,
      async () =>
        (await api<{ status: string }>(c, last, 'GET', `/v1/invocations/${id}`)).body.status === 'succeeded',
      30_000,
    );
  return results;
}

const nftTables = () => execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Nothing the run made is left: namespaces, links, table, state file, processes, schemas. */
async function assertAllGone(c: Started): Promise<void> {
  for (const n of c.nodes) {
    assert.equal(alive(n.pid), false, `${n.id} (pid ${n.pid}) still runs`);
    if (n.namespace) assert.equal(existsSync(`/run/netns/${n.namespace}`), false, `${n.namespace} is left`);
    if (n.hostIf) assert.equal(existsSync(`/sys/class/net/${n.hostIf}`), false, `${n.hostIf} is left`);
  }
  if (c.bridge) assert.equal(existsSync(`/sys/class/net/${c.bridge}`), false, `${c.bridge} is left`);
  if (c.table) assert.doesNotMatch(nftTables(), new RegExp(`\\b${c.table}\\b`));
  assert.equal(existsSync(stateFile(c.name)), false, 'the state file is left');
  const db = new pg.Client({ connectionString: TEST_PG_URL });
  await db.connect();
  try {
    const { rows } = await db.query(`SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)`, [
      [`nimbus_${c.name}`, `nimbus_${c.name}_queue`, `nimbus_${c.name}_sqs`],
    ]);
    assert.deepEqual(rows, [], '--drop leaves no schema');
  } finally {
    await db.end();
  }
}

describe('npm run cluster:local', { timeout: 900_000 }, async () => {
  const services = (await isPostgresReachable()) && (await isNatsReachable());
  if (!services) {
    it('needs PostgreSQL and NATS', { skip: CI ? false : 'PostgreSQL or NATS not reachable' }, () =>
      assert.fail('PostgreSQL and NATS JetStream must be reachable in CI'),
    );
    return;
  }
  const common = ['--pg', TEST_PG_URL, '--nats', TEST_NATS_URL, '--drop'];
  const why = netnsUnavailable();

  describe('three nodes in network namespaces', { skip: !CI && why ? why : false }, () => {
    const name = `tcl${randomBytes(3).toString('hex')}`;
    let run: ReturnType<typeof runScript>;
    let c: Started;
    before(async () => {
      if (why) assert.fail(why);
      run = runScript(['--netns', '--nodes', '3', '--name', name, ...common]);
      c = (await run.line(0, 300_000)) as unknown as Started;
    });
    after(async () => {
      if (run && run.child.exitCode === null) await stopScript(run.child, run.exit).catch(() => {});
    });

    it('gives each node its own namespace and address, and the host reaches each there', async () => {
      assert.equal(c.mode, 'netns');
      assert.equal(c.nodes.length, 3);
      const addrs = c.nodes.map((n) => n.address);
      assert.equal(new Set(addrs).size, 3, addrs.join(' '));
      for (const n of c.nodes) {
        assert.ok(n.address.startsWith(c.subnet!.replace(/0\/24$/, '')), `${n.address} in ${c.subnet}`);
        const inNs = execFileSync('ip', ['-n', n.namespace!, '-4', '-o', 'addr', 'show', 'dev', 'eth0'], {
          encoding: 'utf8',
        });
        assert.match(inNs, new RegExp(`inet ${n.address.replace(/\./g, '\\.')}/24`));
        const r = await fetch(`${n.api}/healthz`);
        assert.equal(r.status, 200);
        assert.deepEqual(((await r.json()) as { checks: unknown }).checks, { store: 'ok', nats: 'ok' });
      }
    });

    it('the nodes reach PostgreSQL and NATS through the bridge address (forwarded to 127.0.0.1)', async () => {
      const counters = await readNetCounters(c.table!);
      // At least a connection per node to each, and bytes both ways.
      for (const svc of ['pg', 'nats']) {
        const k = counters[svc]!;
        assert.ok(k.conn >= 3, `${svc}: ${JSON.stringify(k)}`);
        assert.ok(k.in > 0 && k.out > 0, `${svc}: ${JSON.stringify(k)}`);
      }
      // Each node registered itself (in PostgreSQL) under its own address.
      const db = new pg.Client({ connectionString: TEST_PG_URL });
      await db.connect();
      try {
        const { rows } = await db.query<{ id: string; address: string }>(
          `SELECT id, address FROM "nimbus_${name}".cluster_nodes ORDER BY id`,
        );
        assert.deepEqual(
          rows.map((r) => [r.id, new URL(r.address).hostname]),
          c.nodes.map((n) => [n.id, n.address]),
        );
      } finally {
        await db.end();
      }
    });

    it('deploys through one node and invokes through the others; instances get their own namespaces', async () => {
      const results = await deployAndInvokeAcross(c);
      // The node's sandbox made a veth namespace for its instance inside the node's namespace.
      for (const r of results) assert.match(r.eth0[0] ?? '', /^172\.29\.\d+\.\d+$/, JSON.stringify(r));
      const rt = await api(c, 0, 'POST', '/v1/routes', { function: 'whoami', routeKey: 'GET /hi' });
      assert.equal(rt.status, 201, JSON.stringify(rt.body));
      await waitUntil(
        'the route on the gateway of node 2',
        async () => {
          const r = await fetch(`${c.nodes[2]!.gateway}/hi`).catch(() => undefined);
          return r?.status === 200 && (await r.text()) === 'hi /hi';
        },
        15_000,
      );
    });

    it('SIGTERM stops the nodes and removes the namespaces, veths, bridge, table and data', async () => {
      assert.equal(await stopScript(run.child, run.exit), 0, run.stderr());
      const bye = (await run.line(1, 1000)) as { stopped: boolean; removed: string[] };
      assert.equal(bye.stopped, true);
      assert.ok(bye.removed.includes(`bridge ${c.bridge}`), bye.removed.join(', '));
      await assertAllGone(c);
    });
  });

  describe('a run killed with SIGKILL', { skip: !CI && why ? why : false }, () => {
    it('leaves nodes and namespaces that --cleanup removes', async () => {
      if (why) assert.fail(why);
      const name = `tck${randomBytes(3).toString('hex')}`;
      const run = runScript(['--netns', '--nodes', '1', '--name', name, ...common]);
      const c = (await run.line(0, 180_000)) as unknown as Started;
      assert.equal(await stopScript(run.child, run.exit, 'SIGKILL'), null);
      // The node outlived the script, and so did its namespace.
      assert.equal(alive(c.nodes[0]!.pid), true);
      assert.equal(existsSync(`/run/netns/${c.nodes[0]!.namespace}`), true);
      const clean = runScript(['--cleanup']);
      const out = (await clean.line(0, 60_000)) as { removed: string[] };
      assert.equal(await clean.exit, 0);
      assert.ok(out.removed.includes(`netns ${c.nodes[0]!.namespace}`), out.removed.join(', '));
      await assertAllGone(c);
    });
  });

  describe('loopback mode', () => {
    it('runs the nodes on 127.0.0.1 with ports of their own, and stops clean', async () => {
      const name = `tlo${randomBytes(3).toString('hex')}`;
      const run = runScript(['--loopback', '--base-port', '0', '--nodes', '2', '--name', name, ...common]);
      try {
        const c = (await run.line(0, 180_000)) as unknown as Started;
        assert.equal(c.mode, 'loopback');
        assert.deepEqual(
          c.nodes.map((n) => n.address),
          ['127.0.0.1', '127.0.0.1'],
        );
        assert.notEqual(c.nodes[0]!.api, c.nodes[1]!.api);
        await deployAndInvokeAcross(c);
        assert.equal(await stopScript(run.child, run.exit), 0, run.stderr());
        await assertAllGone(c);
      } finally {
        if (run.child.exitCode === null) run.child.kill('SIGKILL');
      }
    });
  });
});
