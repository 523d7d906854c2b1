/**
 * `npm run cluster:local` — a Nimbus cluster of N nodes on this machine, against the local
 * PostgreSQL and NATS, each node in a network namespace of its own (its own address, the
 * platform's default ports), so what the nodes say to each other and to the services crosses a
 * real link. Without root, ip, nft, nsenter or unshare (or when a namespace cannot be made) the
 * nodes run on 127.0.0.1 with different ports instead, and the script says so.
 *
 *   npm run cluster:local                          # 3 nodes, cluster "local"; Ctrl-C stops
 *   npm run cluster:local -- --nodes 2 --name demo --drop    # drop its data when stopped
 *   npm run cluster:local -- --loopback            # no namespaces: 127.0.0.1, ports 7100+10·i
 *   npm run cluster:local -- --detach              # leave it running; `--down` stops it
 *   npm run cluster:local -- --cleanup             # remove what crashed runs left behind
 * Also: --json (one line with the nodes and credentials), --pg, --nats, --base-port, --log-level.
 *
 * The network (root):
 *
 *   host ── bridge ncl<tag> 10.213.X.1/24 ─┬─ veth ── ns nimbus-cl-<name>-0  eth0 10.213.X.10
 *           route_localnet=1               ├─ veth ── ns nimbus-cl-<name>-1  eth0 10.213.X.11
 *                                          └─ veth ── ns nimbus-cl-<name>-2  eth0 10.213.X.12
 *
 * PostgreSQL and NATS listen on 127.0.0.1 only, and pg_hba trusts 127.0.0.1 only, so the nodes are
 * given the bridge's address (postgres://…@10.213.X.1:5432, nats://10.213.X.1:4222) and an
 * nftables table of ours (`ip nimbus_cl_<name>`) turns those connections into local ones: DNAT to
 * 127.0.0.1 in prerouting (route_localnet on the bridge lets the kernel deliver it) and SNAT to
 * 127.0.0.1 in the nat input hook (the server sees a loopback client, as pg_hba wants). No other
 * port of the host is forwarded; the same table masquerades the subnet's other traffic out of the
 * host (functions with internet egress) and counts the bytes each service exchanges with the
 * nodes (`readNetCounters`, used by bench/cluster.ts).
 *
 * 10.213.0.0/16 stays clear of the sandbox's ranges: instances get 172.29.0.0/16 addresses and
 * the 169.254.1.1 gateway (src/runtime/process/network.ts), and their egress rules block 10/8,
 * so a function cannot reach the nodes' link. A node still makes namespaces for its instances
 * inside its own: it runs in a mount namespace of its own (IN_NAMESPACE below).
 *
 * Everything is written to a state file (/run/nimbus-cluster-local/<name>.json) before it is
 * created; every start first removes what dead runs left (scripts/cluster-local/host.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, open, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateKeyId, generateSecret } from '../src/security/keys.ts';
import {
  cleanupLeftovers,
  createNetwork,
  forServices,
  freeSubnet,
  type Mode,
  NODE_HOST_BASE,
  namesFor,
  netnsUnavailable,
  pidAlive,
  readStates,
  removeRun,
  type State,
  SUBNET_HI,
  sleep,
  startTime,
  stateFile,
  stopPids,
  which,
  writeState,
} from './cluster-local/host.ts';

export { readNetCounters, vethBytes } from './cluster-local/host.ts';
export type { Mode };

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'src/cli/main.ts');
export const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_NATS = 'nats://127.0.0.1:4222';
/** Ports of a node in its own namespace (the platform's defaults). */
const NETNS_PORTS = { api: 8080, gateway: 3000, s3: 9000 };

/**
 * The node's side of `nsenter --net=… unshare --mount --propagation slave`: `ip netns exec` would
 * mount a sysfs of the node's network namespace on /sys (the sandbox's egress code reads
 * /sys/class/net) but lose /sys/fs/cgroup with it (instances' memory and pids limits), so this
 * mounts the sysfs and moves the host's cgroup mounts back in. /run/netns is made private: the
 * namespaces the node makes for its instances are its own business (and do not appear as dangling
 * names in the host's `ip netns list`).
 */
const IN_NAMESPACE = [
  'd=$(mktemp -d /tmp/nimbus-cl-cgroup.XXXXXX)',
  'mount --rbind /sys/fs/cgroup "$d"',
  'umount -l /sys',
  'mount -t sysfs sysfs /sys',
  'mount --move "$d" /sys/fs/cgroup',
  'rmdir "$d"',
  'mount -t tmpfs -o mode=0755 nimbus-netns /run/netns',
  'exec "$@"',
].join('\n');

export interface ClusterLocalOptions {
  nodes?: number;
  name?: string;
  /** `auto`: namespaces when possible, else loopback with a message. */
  mode?: 'auto' | Mode;
  /** PostgreSQL and NATS as the host reaches them. */
  pg?: string;
  nats?: string;
  /** Parent of the cluster's folder (node data dirs; cluster.json: master key, admin key). */
  dataRoot?: string;
  /** Loopback mode: node i listens on base+10i (API), +1 (gateway), +2 (S3); 0: any free ports. */
  basePort?: number;
  logLevel?: string;
  /** Extra environment for every node. */
  env?: Record<string, string>;
  /** Nodes outlive this process (output to <data>/node<i>.log); stop with `downClusterLocal`. */
  detach?: boolean;
  /** On stop, also drop the cluster's PostgreSQL schemas, JetStream streams and data folder. */
  drop?: boolean;
  /** Bound on each node's start (default 90 s). */
  startTimeoutMs?: number;
  /** Messages for the operator (default: stderr). */
  log?: (line: string) => void;
  /** Node logs when not detached: onto stderr, each line prefixed (default), or dropped. */
  nodeOutput?: 'prefix' | 'ignore';
  signal?: AbortSignal;
}

export interface LocalNode {
  readonly index: number;
  readonly id: string;
  readonly pid: number;
  readonly namespace: string | undefined;
  /** The host end of its veth. */
  readonly hostIf: string | undefined;
  readonly address: string;
  readonly api: string;
  readonly gateway: string;
  readonly s3: string;
}

export interface RunningCluster {
  readonly name: string;
  readonly mode: Mode;
  /** Why namespaces were not used (auto mode fell back). */
  readonly fallback: string | undefined;
  readonly bridge: string | undefined;
  readonly bridgeAddress: string | undefined;
  readonly subnet: string | undefined;
  readonly table: string | undefined;
  /** PostgreSQL and NATS URLs as the nodes use them. */
  readonly nodePg: string;
  readonly nodeNats: string;
  readonly admin: { readonly keyId: string; readonly secret: string };
  readonly dataDir: string;
  readonly nodes: readonly LocalNode[];
  /** Resolves when a node exits while the cluster is meant to run (not when detached). */
  readonly nodeExited: Promise<{ index: number; code: number | null }>;
  toJSON(): Record<string, unknown>;
  /** Stops the nodes and removes what was made (and the data, with `drop`); bounded. */
  stop(): Promise<string[]>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function portFree(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((r) => {
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
  });
}

interface Credentials {
  masterKey: string;
  adminKeyId: string;
  adminSecret: string;
}

/** The cluster's master key and admin key: made on its first start, the same ever after. */
async function credentials(dataDir: string): Promise<Credentials> {
  const file = join(dataDir, 'cluster.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  } catch {
    await mkdir(dataDir, { recursive: true });
    const c: Credentials = {
      masterKey: randomBytes(32).toString('base64'),
      adminKeyId: generateKeyId(),
      adminSecret: generateSecret(),
    };
    const fh = await open(file, 'w', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify(c, null, 2)}\n`);
    } finally {
      await fh.close();
    }
    await chmod(file, 0o600);
    return c;
  }
}

async function waitHealthy(
  url: string,
  exited: () => string | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not up yet
    }
    const why = exited();
    if (why) throw new Error(`the node at ${url} exited during start (${why})`);
    if (Date.now() > end) throw new Error(`the node at ${url} was not healthy within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function startClusterLocal(o: ClusterLocalOptions = {}): Promise<RunningCluster> {
  const nodes = o.nodes ?? 3;
  const name = o.name ?? 'local';
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(name))
    throw new Error('--name: 1–40 of a–z 0–9 _, starting with a letter');
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 50) throw new Error('--nodes: 1 to 50');
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const pgUrl = o.pg ?? DEFAULT_PG;
  const natsUrl = o.nats ?? DEFAULT_NATS;
  const dataDir = resolve(o.dataRoot ?? join(ROOT, '.nimbus/cluster-local'), name);

  for (const r of await cleanupLeftovers()) log(`removed leftover ${r}`);
  if (readStates().some((s) => s.name === name))
    throw new Error(`cluster "${name}" already runs here (stop it first: --down --name ${name})`);

  let mode: Mode = o.mode === 'loopback' ? 'loopback' : 'netns';
  let fallback = mode === 'netns' ? netnsUnavailable() : undefined;
  if (fallback && o.mode === 'netns') throw new Error(fallback);
  if (fallback) mode = 'loopback';

  const creds = await credentials(dataDir);
  const state: State = {
    version: 1,
    name,
    owner: process.pid,
    ownerStart: startTime(process.pid),
    detached: o.detach ?? false,
    mode,
    namespaces: [],
    pids: [],
    dataDir,
    drop: o.drop ?? false,
    pg: pgUrl,
    nats: natsUrl,
  };
  const n = namesFor(name, nodes);
  let hostIp: string | undefined;
  let nodePg = pgUrl;
  let nodeNats = natsUrl;
  if (mode === 'netns') {
    const x = freeSubnet();
    if (x === undefined) throw new Error(`no free /24 left in ${SUBNET_HI}.0.0/16`);
    const svc = forServices(pgUrl, natsUrl, `${SUBNET_HI}.${x}.1`);
    Object.assign(state, {
      bridge: n.bridge,
      table: n.table,
      subnet: `${SUBNET_HI}.${x}.0/24`,
      namespaces: n.ns,
    });
    // Written before anything exists: a crash at any point leaves a record of what to remove.
    await writeState(state);
    try {
      await createNetwork(state, nodes, svc.forwards, `${SUBNET_HI}.${x}.1`);
      hostIp = `${SUBNET_HI}.${x}.1`;
      nodePg = svc.pg;
      nodeNats = svc.nats;
    } catch (e) {
      await removeRun({ ...state, drop: false });
      if (o.mode === 'netns') throw e;
      fallback = `network namespaces could not be made (${(e as Error).message})`;
      mode = 'loopback';
      Object.assign(state, { mode, bridge: undefined, table: undefined, subnet: undefined, namespaces: [] });
    }
  }
  if (fallback) log(`${fallback}: the nodes run on 127.0.0.1 instead (as with --loopback)`);
  await writeState(state);

  const list: LocalNode[] = [];
  const children: ChildProcess[] = [];
  let stopping: Promise<string[]> | undefined;
  let onExit: (v: { index: number; code: number | null }) => void = () => {};
  const nodeExited = new Promise<{ index: number; code: number | null }>((r) => {
    onExit = r;
  });
  const stop = () => {
    // Our own children first, by pid even before they have become the node (nsenter → node).
    const own = children.filter((c) => c.exitCode === null && c.signalCode === null && c.pid);
    stopping ??= stopPids(own.map((c) => c.pid!)).then(async (s) => [...s, ...(await removeRun(state))]);
    return stopping;
  };

  try {
    const basePort = o.basePort ?? 7100;
    for (let i = 0; i < nodes; i++) {
      o.signal?.throwIfAborted();
      const address = hostIp ? `${SUBNET_HI}.${hostIp.split('.')[2]}.${NODE_HOST_BASE + i}` : '127.0.0.1';
      let ports = NETNS_PORTS;
      if (!hostIp) {
        ports =
          basePort === 0
            ? { api: await freePort(), gateway: await freePort(), s3: await freePort() }
            : { api: basePort + 10 * i, gateway: basePort + 10 * i + 1, s3: basePort + 10 * i + 2 };
        for (const p of Object.values(ports))
          if (!(await portFree(p)))
            throw new Error(`port ${p} of 127.0.0.1 is taken (try another --base-port)`);
      }
      const nodeDir = join(dataDir, `node${i}`);
      await mkdir(nodeDir, { recursive: true });
      const args = [
        MAIN,
        'start',
        '--json',
        '--host',
        address,
        '--port',
        String(ports.gateway),
        '--api-port',
        String(ports.api),
        '--s3-port',
        String(ports.s3),
        '--data-dir',
        nodeDir,
        '--cluster',
        name,
        '--store',
        nodePg,
        '--nats',
        nodeNats,
      ];
      const env = {
        ...process.env,
        NIMBUS_MASTER_KEY: creds.masterKey,
        NIMBUS_ADMIN_KEY_ID: creds.adminKeyId,
        NIMBUS_ADMIN_SECRET: creds.adminSecret,
        NIMBUS_NODE_ID: `node${i}`,
        NIMBUS_LOG_LEVEL: o.logLevel ?? process.env.NIMBUS_LOG_LEVEL ?? 'warn',
        ...o.env,
      };
      // nsenter, unshare and sh all exec: the pid is the node's.
      const [cmd, argv] = hostIp
        ? [
            which('nsenter')!,
            [
              `--net=/run/netns/${n.ns[i]}`,
              '--',
              which('unshare')!,
              '--mount',
              '--propagation',
              'slave',
              '--',
              '/bin/sh',
              '-ec',
              IN_NAMESPACE,
              'sh',
              process.execPath,
              ...args,
            ],
          ]
        : [process.execPath, args];
      let child: ChildProcess;
      if (o.detach) {
        const out = await open(join(dataDir, `node${i}.log`), 'a');
        child = spawn(cmd, argv, { env, detached: true, stdio: ['ignore', out.fd, out.fd] });
        child.unref();
        await out.close();
      } else {
        child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
        // Its start-up summary (stdout) is ours to print; its logs are passed on.
        child.stdout?.resume();
        if (o.nodeOutput === 'ignore') child.stderr?.resume();
        else if (child.stderr)
          createInterface({ input: child.stderr }).on('line', (l) =>
            process.stderr.write(`[node${i}] ${l}\n`),
          );
        child.once('exit', (code) => {
          if (!stopping) onExit({ index: i, code });
        });
      }
      children.push(child);
      if (!child.pid) throw new Error(`could not start node ${i} (${cmd})`);
      const pid = child.pid;
      state.pids.push(pid);
      await writeState(state);
      const node: LocalNode = {
        index: i,
        id: `node${i}`,
        pid,
        namespace: hostIp ? n.ns[i] : undefined,
        hostIf: hostIp ? n.veth[i] : undefined,
        address,
        api: `http://${address}:${ports.api}`,
        gateway: `http://${address}:${ports.gateway}`,
        s3: `http://${address}:${ports.s3}`,
      };
      // One at a time: the first node creates the cluster's schemas.
      await waitHealthy(
        node.api,
        () =>
          o.detach
            ? pidAlive(pid)
              ? undefined
              : 'see its log'
            : child.exitCode !== null || child.signalCode !== null
              ? `exit ${child.exitCode ?? child.signalCode}`
              : undefined,
        o.startTimeoutMs ?? 90_000,
        o.signal,
      );
      list.push(node);
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    name,
    mode,
    fallback,
    bridge: state.bridge,
    bridgeAddress: hostIp,
    subnet: state.subnet,
    table: state.table,
    nodePg,
    nodeNats,
    admin: { keyId: creds.adminKeyId, secret: creds.adminSecret },
    dataDir,
    nodes: list,
    nodeExited,
    toJSON: () => ({
      name,
      mode,
      ...(fallback ? { fallback } : {}),
      ...(hostIp
        ? { bridge: state.bridge, bridgeAddress: hostIp, subnet: state.subnet, table: state.table }
        : {}),
      pg: nodePg,
      nats: nodeNats,
      adminKeyId: creds.adminKeyId,
      adminSecret: creds.adminSecret,
      dataDir,
      stateFile: stateFile(name),
      nodes: list,
    }),
    stop,
  };
}

/** Stops a cluster started with `--detach` and removes what it made; false if none runs. */
export async function downClusterLocal(name: string): Promise<string[] | undefined> {
  const s = readStates().find((x) => x.name === name);
  return s ? await removeRun(s) : undefined;
}

function describe(c: RunningCluster, detached: boolean): string {
  const w = (s: string, n: number) => s.padEnd(n);
  const lines = [
    c.mode === 'netns'
      ? `Nimbus cluster "${c.name}": ${c.nodes.length} node(s), each in its own network namespace (bridge ${c.bridge}, ${c.bridgeAddress}/24)`
      : `Nimbus cluster "${c.name}": ${c.nodes.length} node(s) on 127.0.0.1 (loopback mode)`,
  ];
  for (const nd of c.nodes)
    lines.push(
      `  ${w(nd.id, 7)}${nd.namespace ? `${w(nd.namespace, 20)} ` : ''}API ${w(nd.api, 26)} gateway ${w(nd.gateway, 26)} S3 ${nd.s3}`,
    );
  lines.push(
    c.mode === 'netns'
      ? `  The nodes use ${c.nodePg} and ${c.nodeNats}, forwarded to 127.0.0.1 (nftables table ip ${c.table}).`
      : `  PostgreSQL ${c.nodePg}, NATS ${c.nodeNats}`,
    '',
    'Admin credentials (the nimbus CLI reads these):',
    `  export NIMBUS_ENDPOINT=${c.nodes[0]?.api} NIMBUS_KEY_ID=${c.admin.keyId} NIMBUS_SECRET=${c.admin.secret}`,
    '',
    `Data: ${c.dataDir} (cluster.json holds the master key; the same --name starts the same cluster again)`,
    detached
      ? `Detached: stop it with \`npm run cluster:local -- --down --name ${c.name}\``
      : 'Ctrl-C stops the nodes and removes the namespaces, links and nftables table.',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      nodes: { type: 'string', default: '3' },
      name: { type: 'string', default: 'local' },
      loopback: { type: 'boolean', default: false },
      netns: { type: 'boolean', default: false },
      'base-port': { type: 'string', default: '7100' },
      pg: { type: 'string', default: process.env.NIMBUS_TEST_PG ?? DEFAULT_PG },
      nats: { type: 'string', default: process.env.NIMBUS_TEST_NATS_URL ?? DEFAULT_NATS },
      'data-root': { type: 'string' },
      'log-level': { type: 'string' },
      detach: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
      down: { type: 'boolean', default: false },
      cleanup: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
  if (a.help) {
    const src = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
    process.stdout.write(
      `${src
        .slice(1, 13)
        .map((l) => l.replace(/^ \* ?/, ''))
        .join('\n')}\n`,
    );
    return;
  }
  if (a.cleanup) {
    const removed = await cleanupLeftovers();
    if (a.json) out({ removed });
    else log(removed.length ? `removed ${removed.join(', ')}` : 'nothing was left over');
    return;
  }
  if (a.down) {
    const removed = await downClusterLocal(a.name);
    if (a.json) out({ stopped: removed !== undefined, removed: removed ?? [] });
    else log(removed ? `stopped "${a.name}": ${removed.join(', ')}` : `no cluster "${a.name}" runs here`);
    if (!removed) process.exitCode = 1;
    return;
  }
  if (a.loopback && a.netns) throw new Error('--loopback or --netns, not both');
  const abort = new AbortController();
  let signalled: () => void = () => {};
  const finished = new Promise<void>((r) => {
    signalled = r;
  });
  // Kept on (not `once`): a second Ctrl-C must not kill this process half-way through removing.
  const onSignal = () => {
    if (abort.signal.aborted) log('stopping…');
    abort.abort();
    signalled();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const cluster = await startClusterLocal({
    nodes: Number(a.nodes),
    name: a.name,
    mode: a.loopback ? 'loopback' : a.netns ? 'netns' : 'auto',
    pg: a.pg,
    nats: a.nats,
    dataRoot: a['data-root'],
    basePort: Number(a['base-port']),
    logLevel: a['log-level'],
    detach: a.detach,
    drop: a.drop,
    signal: abort.signal,
    log,
  });
  if (a.json) out(cluster);
  else process.stdout.write(`${describe(cluster, a.detach)}\n`);
  if (a.detach) return;
  const exited = await Promise.race([finished.then(() => undefined), cluster.nodeExited]);
  if (exited) log(`node${exited.index} exited (code ${exited.code}); stopping the cluster`);
  const removed = await cluster.stop();
  if (a.json) out({ stopped: true, removed });
  else log(`stopped; removed ${removed.join(', ')}`);
  if (exited) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(),
    (e: unknown) => {
      process.stderr.write(`cluster:local: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
