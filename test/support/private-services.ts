/**
 * Private NATS and PostgreSQL servers for tests that stop and restart them (chaos tests): each
 * runs on a free loopback port with its data in a fresh directory under /tmp, so the machine's
 * shared servers (NATS :4222, PostgreSQL :5432), which other tests use, are never touched.
 *
 * - NATS: /usr/sbin/nats-server with JetStream (file storage in the data dir, so streams and
 *   Object Store buckets survive a restart). `stop()` SIGKILLs by default: the kernel keeps what
 *   the server wrote, only the process dies.
 * - PostgreSQL 15: initdb + pg_ctl as the `postgres` user (initdb refuses root), trust auth on
 *   127.0.0.1, fsync off (a process crash loses nothing the OS has; the machine does not crash).
 *   `stop('immediate')` is the crash-like stop (recovery from WAL at the next start).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { freePort } from './nimbus-process.ts';

const run = promisify(execFile);

export const NATS_SERVER = process.env.NIMBUS_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';
export const PG_BIN = process.env.NIMBUS_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await ok()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Why a private NATS cannot run here (no nats-server binary), or false. Never skipped in CI. */
export async function privateNatsSkip(): Promise<string | false> {
  if (process.env.CI === 'true') return false;
  try {
    await run(NATS_SERVER, ['--version']);
    return false;
  } catch {
    return `no nats-server at ${NATS_SERVER} (NIMBUS_TEST_NATS_SERVER)`;
  }
}

export interface PrivateNats {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  running(): boolean;
  /** Ends the server (SIGKILL unless told otherwise) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data dir; resolves once JetStream answers. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

export async function startPrivateNats(o: { timeoutMs?: number } = {}): Promise<PrivateNats> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-nats-'));
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let tail = '';
  const jetStreamUp = async () => {
    try {
      const nc = await connect({ servers: url, timeout: 1000, maxReconnectAttempts: 0 });
      try {
        await (await jetstreamManager(nc)).getAccountInfo();
        return true;
      } finally {
        await nc.close();
      }
    } catch {
      return false;
    }
  };
  const nats: PrivateNats = {
    url,
    port,
    dataDir,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async stop(signal = 'SIGKILL') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await gone;
    },
    async start() {
      if (nats.running()) return;
      tail = '';
      const c = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dataDir], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      c.stderr?.on('data', (b: Buffer) => {
        tail = (tail + b.toString('utf8')).slice(-2000);
      });
      child = c;
      await until(
        `nats-server on ${url}`,
        async () => {
          if (c.exitCode !== null) throw new Error(`nats-server exited with ${c.exitCode}: ${tail}`);
          return jetStreamUp();
        },
        o.timeoutMs ?? 20_000,
      );
    },
    async close() {
      await nats.stop('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await nats.start();
    return nats;
  } catch (e) {
    await nats.close();
    throw e;
  }
}

/** Why a private PostgreSQL cannot run here, or false. Never skipped in CI. */
export async function privatePostgresSkip(): Promise<string | false> {
  if (process.env.CI === 'true') return false;
  try {
    await run(join(PG_BIN, 'pg_ctl'), ['--version']);
  } catch {
    return `no PostgreSQL binaries in ${PG_BIN} (NIMBUS_TEST_PG_BIN)`;
  }
  if (process.getuid?.() === 0) {
    try {
      await run('id', ['postgres']);
    } catch {
      return 'running as root without a postgres user to run initdb as';
    }
  }
  return false;
}

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  running(): boolean;
  /** pg_ctl stop: `immediate` is the crash-like stop (default), `fast` the clean one. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts queries. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

export async function startPrivatePostgres(o: { timeoutMs?: number } = {}): Promise<PrivatePostgres> {
  const root = await mkdtemp(join(tmpdir(), 'nimbus-pg-'));
  const dataDir = join(root, 'data');
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // initdb and the server refuse to run as root: as the postgres user, which must own the dirs.
  const asRoot = process.getuid?.() === 0;
  const pgRun = async (bin: string, args: string[]) => {
    const cmd = join(PG_BIN, bin);
    return asRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
    await chmod(root, 0o700);
  }
  let up = false;
  const accepts = async () => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => {});
    }
  };
  const server: PrivatePostgres = {
    url,
    port,
    dataDir,
    running: () => up,
    async stop(mode = 'immediate') {
      if (!up) return;
      await pgRun('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
      up = false;
    },
    async start() {
      if (up) return;
      await pgRun('pg_ctl', [
        '-D',
        dataDir,
        '-l',
        join(root, 'server.log'),
        '-o',
        `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
        '-w',
        '-t',
        String(Math.ceil((o.timeoutMs ?? 30_000) / 1000)),
        'start',
      ]);
      up = true;
      await until(`PostgreSQL on ${url}`, accepts, o.timeoutMs ?? 30_000);
    },
    async close() {
      await server.stop('immediate').catch(() => {});
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    await pgRun('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await server.start();
    return server;
  } catch (e) {
    await server.close();
    throw e;
  }
}

export interface PartitionProxy {
  /** 127.0.0.1 port to give a client instead of the target's. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /**
   * Cuts the link silently: connections stay open (new ones too) but nothing is delivered either
   * way — a network partition, not a refusal: no RST, no FIN, so a client notices only through
   * its own timeouts. The bytes are held, not lost (a partition shorter than TCP's timeouts).
   */
  cut(): void;
  /** Lets everything through again, what was held first. */
  heal(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of 127.0.0.1:`targetPort` that can partition its clients from it. */
export async function startPartitionProxy(targetPort: number): Promise<PartitionProxy> {
  const sockets = new Set<Socket>();
  /** Bytes held back while cut, in order, with where they were going. */
  let held: [Socket, Buffer][] = [];
  let cut = false;
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (b: Buffer) => {
      if (cut) held.push([to, b]);
      else to.write(b);
    });
  const server = createServer((client) => {
    const upstream = tcpConnect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      cut = true;
    },
    heal() {
      cut = false;
      const later = held;
      held = [];
      for (const [to, b] of later) if (!to.destroyed) to.write(b);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
