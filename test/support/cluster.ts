/**
 * A local Nimbus cluster for tests: N real `nimbus start --cluster …` processes on loopback ports,
 * sharing the local PostgreSQL and NATS, and everything they created dropped at the end.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { TEST_PG_URL } from '../../src/store/postgres/reachable.ts';
import { freePort, startNimbusProcess } from './nimbus-process.ts';

export const TEST_NATS_URL = process.env.NIMBUS_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const CLUSTER_KEY_ID = 'NKCLUSTER00000000001';
export const CLUSTER_SECRET = 'cluster-secret-0123456789abcdef';

export async function isNatsReachable(url = TEST_NATS_URL): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 1000, maxReconnectAttempts: 0 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

export interface ClusterNodeHandle {
  readonly index: number;
  readonly apiPort: number;
  readonly port: number;
  readonly s3Port: number;
  readonly api: string;
  readonly s3: string;
  readonly gateway: string;
  readonly roles: string;
  child: ChildProcess;
  /** Starts it again (same ports, same data dir) after a kill. */
  restart(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and, unless it is a pause (SIGSTOP), waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface LocalCluster {
  readonly name: string;
  readonly nodes: ClusterNodeHandle[];
  /** JSON request with the cluster's admin key against one node's API. */
  json<T = Record<string, unknown>>(
    node: number,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startLocalCluster(o: {
  nodes: number;
  roles?: readonly (string | undefined)[];
  env?: Record<string, string>;
  /** Another NATS than the shared one (a private server a chaos test restarts). */
  natsUrl?: string;
  /** Another PostgreSQL than the shared one. */
  pgUrl?: string;
  /** URLs a node reaches them at instead (a proxy a partition test cuts), by node index. */
  perNode?: readonly ({ pgUrl?: string; natsUrl?: string } | undefined)[];
}): Promise<LocalCluster> {
  const natsUrl = o.natsUrl ?? TEST_NATS_URL;
  const pgUrl = o.pgUrl ?? TEST_PG_URL;
  const name = `t${randomBytes(4).toString('hex')}`;
  const masterKey = randomBytes(32).toString('base64');
  const dirs: string[] = [];
  const nodes: ClusterNodeHandle[] = [];
  const env = {
    NIMBUS_ADMIN_KEY_ID: CLUSTER_KEY_ID,
    NIMBUS_ADMIN_SECRET: CLUSTER_SECRET,
    NIMBUS_MASTER_KEY: masterKey,
    NIMBUS_LOG_LEVEL: 'error',
    NIMBUS_POOL_SIZE: '1',
    ...o.env,
  };
  const cluster: LocalCluster = {
    name,
    nodes,
    async json(node, method, path, body) {
      const r = await fetch(`${nodes[node]!.api}${path}`, {
        method,
        headers: { authorization: `Bearer ${CLUSTER_SECRET}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : {}) as never };
    },
    async stop() {
      // A SIGKILLed node has a signalCode and no exitCode; a paused one is resumed to end it.
      const alive = (n: ClusterNodeHandle) => n.child.exitCode === null && n.child.signalCode === null;
      for (const n of nodes)
        if (alive(n)) {
          n.child.kill('SIGCONT');
          n.child.kill('SIGTERM');
        }
      await Promise.all(
        nodes.map((n) => (alive(n) ? new Promise((r) => n.child.once('exit', r)) : Promise.resolve())),
      );
      try {
        await dropCluster(name, { pgUrl, natsUrl });
      } finally {
        for (const d of dirs) await rm(d, { recursive: true, force: true });
      }
    },
  };
  try {
    for (let i = 0; i < o.nodes; i++) {
      const dataDir = await mkdtemp(join(tmpdir(), `nimbus-${name}-${i}-`));
      dirs.push(dataDir);
      const [apiPort, port, s3Port] = [await freePort(), await freePort(), await freePort()];
      const roles = o.roles?.[i] ?? 'gateway,api,worker,scheduler';
      const start = () =>
        startNimbusProcess({
          apiPort,
          port,
          dataDir,
          env: { ...env, NIMBUS_NODE_ID: `node${i}` },
          args: [
            '--s3-port',
            String(s3Port),
            '--cluster',
            name,
            '--store',
            o.perNode?.[i]?.pgUrl ?? pgUrl,
            '--nats',
            o.perNode?.[i]?.natsUrl ?? natsUrl,
            '--roles',
            roles,
          ],
          timeoutMs: 60_000,
        });
      const handle: ClusterNodeHandle = {
        index: i,
        apiPort,
        port,
        s3Port,
        api: `http://127.0.0.1:${apiPort}`,
        s3: `http://127.0.0.1:${s3Port}`,
        gateway: `http://127.0.0.1:${port}`,
        roles,
        child: await start(),
        async restart() {
          handle.child = await start();
        },
        async kill(signal = 'SIGKILL') {
          const c = handle.child;
          if (c.exitCode !== null || c.signalCode !== null) return;
          const gone = new Promise((r) => c.once('exit', r));
          c.kill(signal);
          if (signal !== 'SIGSTOP' && signal !== 'SIGCONT') await gone;
        },
      };
      nodes.push(handle);
    }
    return cluster;
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

/** Drops a cluster's PostgreSQL schemas and JetStream streams. */
export async function dropCluster(name: string, o: { pgUrl?: string; natsUrl?: string } = {}): Promise<void> {
  const c = new pg.Client({ connectionString: o.pgUrl ?? TEST_PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname = $1 OR nspname LIKE $2`,
      [`nimbus_${name}`, `nimbus_${name}\\_%`],
    );
    for (const r of rows) await c.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`);
  } finally {
    await c.end();
  }
  const nc = await connect({ servers: o.natsUrl ?? TEST_NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const s of jsm.streams.list())
      if (s.config.name.includes(`nimbus-${name}-`) || s.config.name.includes(`nimbus_${name}_`))
        await jsm.streams.delete(s.config.name);
  } finally {
    await nc.close();
  }
}
