/**
 * What `npm run cluster:local` makes on the host, and how it is found and removed again: the
 * bridge, the node namespaces and their veths, the nftables table that forwards PostgreSQL and
 * NATS, the state file that records all of it before it exists, and the cluster's data.
 * See scripts/cluster-local.ts for the picture.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

/** 10.213.X.0/24 per running cluster: clear of the sandbox's 172.29.0.0/16 and 169.254.1.1. */
export const SUBNET_HI = '10.213';
/** Node i is 10.213.X.(10+i); the bridge is 10.213.X.1. */
export const NODE_HOST_BASE = 10;
const NS_PREFIX = 'nimbus-cl-';
const TABLE_PREFIX = 'nimbus_cl_';
/** Not `nb`: the sandbox's nftables rules match its instance interfaces by that prefix. */
const IF_PREFIX = 'ncl';
const CMD_TIMEOUT_MS = 10_000;
export const STOP_GRACE_MS = 15_000;

export type Mode = 'netns' | 'loopback';

export interface State {
  version: 1;
  name: string;
  owner: number;
  /** The owner's start time (/proc/<pid>/stat), so a recycled pid is not taken for it. */
  ownerStart: string | undefined;
  detached: boolean;
  mode: Mode;
  bridge?: string | undefined;
  table?: string | undefined;
  subnet?: string | undefined;
  namespaces: string[];
  pids: number[];
  dataDir: string;
  drop: boolean;
  pg: string;
  nats: string;
}

export function run(cmd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((res, rej) => {
    const child = execFile(cmd, args, { timeout: CMD_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else res(String(stdout));
    });
    child.stdin?.on('error', () => {});
    if (input !== undefined) child.stdin?.end(input);
  });
}

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a Nimbus node of cluster `name` (not a recycled pid). */
export function isOurNode(pid: number, name: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = argv.indexOf('--cluster');
    return argv.some((a) => a.endsWith('src/cli/main.ts')) && at >= 0 && argv[at + 1] === name;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const namesFor = (name: string, nodes: number) => {
  // Interface names are at most 15 bytes: a hash of the name stands in for it.
  const tag = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return {
    bridge: `${IF_PREFIX}${tag}`,
    table: `${TABLE_PREFIX}${name}`,
    ns: Array.from({ length: nodes }, (_, i) => `${NS_PREFIX}${name}-${i}`),
    veth: Array.from({ length: nodes }, (_, i) => `${IF_PREFIX}${tag}n${i}`),
  };
};

// ---------------------------------------------------------------------------------------------
// State files

export function stateDir(): string {
  return process.getuid?.() === 0 ? '/run/nimbus-cluster-local' : join(tmpdir(), 'nimbus-cluster-local');
}
export const stateFile = (name: string) => join(stateDir(), `${name}.json`);

export async function writeState(s: State): Promise<void> {
  await mkdir(stateDir(), { recursive: true });
  await writeFile(stateFile(s.name), `${JSON.stringify(s, null, 2)}\n`);
}

export function readStates(): State[] {
  let files: string[] = [];
  try {
    files = readdirSync(stateDir()).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const out: State[] = [];
  for (const f of files) {
    try {
      out.push(JSON.parse(readFileSync(join(stateDir(), f), 'utf8')) as State);
    } catch {
      // half-written: what it names is found by the orphan scan
    }
  }
  return out;
}

/** A run is live while its owner runs, or (detached) while any of its nodes does. */
export const stateLive = (s: State) =>
  (pidAlive(s.owner) && startTime(s.owner) === s.ownerStart) ||
  (s.detached && s.pids.some((p) => pidAlive(p) && isOurNode(p, s.name)));

/** Why namespaces cannot be used here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  const missing = [
    process.getuid?.() !== 0 && 'root',
    !which('ip') && 'ip (iproute2)',
    !which('nft') && 'nft (nftables)',
    !which('nsenter') && 'nsenter',
    !which('unshare') && 'unshare',
  ].filter(Boolean);
  return missing.length ? `network namespaces need ${missing.join(', ')}` : undefined;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL and NATS as the nodes see them

export interface Forward {
  /** Counter names: <label>_conn (new connections), <label>_in / <label>_out (bytes). */
  label: string;
  port: number;
}

/** Rewrites loopback hosts of the URLs to the bridge address and lists the ports to forward. */
export function forServices(pgUrl: string, natsUrls: string, hostIp: string) {
  const forwards: Forward[] = [];
  const local = (h: string) => h === '127.0.0.1' || h === 'localhost' || h === '[::1]';
  const pgU = new URL(pgUrl);
  if (local(pgU.hostname)) {
    forwards.push({ label: 'pg', port: Number(pgU.port || 5432) });
    pgU.hostname = hostIp;
  }
  const nats = natsUrls.split(',').map((raw, i) => {
    const u = new URL(raw.trim());
    if (!local(u.hostname)) return raw.trim();
    forwards.push({ label: i === 0 ? 'nats' : `nats${i}`, port: Number(u.port || 4222) });
    u.hostname = hostIp;
    return u.toString().replace(/\/$/, '');
  });
  return { pg: pgU.toString(), nats: nats.join(','), forwards };
}

function ruleset(table: string, bridge: string, hostIp: string, subnet: string, fw: Forward[]): string {
  const l = [`table ip ${table} {`];
  for (const f of fw)
    l.push(`  counter ${f.label}_conn { }`, `  counter ${f.label}_in { }`, `  counter ${f.label}_out { }`);
  l.push('  chain to_loopback {', '    type nat hook prerouting priority -100; policy accept;');
  for (const f of fw)
    l.push(
      `    iifname "${bridge}" ip daddr ${hostIp} tcp dport ${f.port} counter name "${f.label}_conn" dnat to 127.0.0.1`,
    );
  // pg_hba trusts 127.0.0.1 only: the forwarded connection comes from loopback too.
  l.push('  }', '  chain from_loopback {', '    type nat hook input priority 100; policy accept;');
  for (const f of fw)
    l.push(`    iifname "${bridge}" ip daddr 127.0.0.1 tcp dport ${f.port} snat to 127.0.0.1`);
  l.push(
    '  }',
    '  chain out_of_host {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    ip saddr ${subnet} oifname != "${bridge}" masquerade`,
    '  }',
    '  chain count_in {',
    '    type filter hook input priority 0; policy accept;',
  );
  for (const f of fw) l.push(`    iifname "${bridge}" tcp dport ${f.port} counter name "${f.label}_in"`);
  // Replies leave by lo's route first and are re-routed once the NAT is undone, so the output
  // hook's interface is still lo: they are told by their (restored) destination.
  l.push('  }', '  chain count_out {', '    type filter hook output priority 0; policy accept;');
  for (const f of fw) l.push(`    ip daddr ${subnet} tcp sport ${f.port} counter name "${f.label}_out"`);
  l.push('  }', '}', '');
  return l.join('\n');
}

export type NetCounters = Record<string, { conn: number; in: number; out: number }>;

/** Connections and bytes between the nodes and each forwarded service (in: node → service). */
export async function readNetCounters(table: string): Promise<NetCounters> {
  const out = JSON.parse(await run(which('nft')!, ['-j', 'list', 'counters', 'table', 'ip', table])) as {
    nftables: { counter?: { name: string; bytes: number; packets: number } }[];
  };
  const r: NetCounters = {};
  for (const c of out.nftables.flatMap((x) => (x.counter ? [x.counter] : []))) {
    const m = /^(.*)_(conn|in|out)$/.exec(c.name);
    if (!m) continue;
    const e = r[m[1]!] ?? { conn: 0, in: 0, out: 0 };
    r[m[1]!] = e;
    e[m[2] as 'conn' | 'in' | 'out'] = m[2] === 'conn' ? c.packets : c.bytes;
  }
  return r;
}

/** Bytes through a node's veth, all traffic (host side: rx = sent by the node). */
export function vethBytes(hostIf: string): { fromNode: number; toNode: number } {
  const read = (f: string) => Number(readFileSync(`/sys/class/net/${hostIf}/statistics/${f}`, 'utf8'));
  return { fromNode: read('rx_bytes'), toNode: read('tx_bytes') };
}

// ---------------------------------------------------------------------------------------------
// Set-up and removal

/** The first 10.213.X.0/24 that no address or route of the host and no live run uses. */
export function freeSubnet(): number | undefined {
  const used = new Set<number>();
  let text = '';
  try {
    text = readFileSync('/proc/net/fib_trie', 'utf8');
  } catch {
    // without it, only the live states count
  }
  for (const m of text.matchAll(/\b10\.213\.(\d+)\.\d+/g)) used.add(Number(m[1]));
  for (const s of readStates()) if (s.subnet && stateLive(s)) used.add(Number(s.subnet.split('.')[2]));
  return Array.from({ length: 256 }, (_, i) => i).find((i) => !used.has(i));
}

export async function createNetwork(s: State, nodes: number, fw: Forward[], hostIp: string): Promise<void> {
  const ip = which('ip')!;
  const n = namesFor(s.name, nodes);
  const x = s.subnet!.split('.')[2];
  const batch = [
    `link add ${n.bridge} type bridge`,
    `link set ${n.bridge} addrgenmode none`,
    `addr add ${hostIp}/24 dev ${n.bridge}`,
    `link set ${n.bridge} up`,
  ];
  for (let i = 0; i < nodes; i++)
    batch.push(
      `netns add ${n.ns[i]}`,
      `link add ${n.veth[i]} type veth peer name eth0 netns ${n.ns[i]}`,
      `link set ${n.veth[i]} addrgenmode none`,
      `link set ${n.veth[i]} master ${n.bridge}`,
      `link set ${n.veth[i]} up`,
    );
  await run(ip, ['-b', '-'], `${batch.join('\n')}\n`);
  for (let i = 0; i < nodes; i++)
    await run(
      ip,
      ['-n', n.ns[i]!, '-b', '-'],
      [
        'link set lo up',
        'link set eth0 addrgenmode none',
        `addr add ${SUBNET_HI}.${x}.${NODE_HOST_BASE + i}/24 dev eth0`,
        'link set eth0 up',
        `route add default via ${hostIp}`,
        '',
      ].join('\n'),
    );
  // Forwarded connections end at 127.0.0.1, which the kernel delivers from the bridge only so.
  await writeFile(`/proc/sys/net/ipv4/conf/${n.bridge}/route_localnet`, '1');
  // For the masquerade out of the host (the sandbox turns this on too; it is not turned off).
  await writeFile('/proc/sys/net/ipv4/ip_forward', '1');
  await run(which('nft')!, ['-f', '-'], ruleset(n.table, n.bridge, hostIp, s.subnet!, fw));
}

/** Removes the namespaces, bridge and table named; returns what was removed. */
export async function removeNetwork(s: Pick<State, 'bridge' | 'table' | 'namespaces'>): Promise<string[]> {
  const removed: string[] = [];
  const ip = which('ip');
  const nft = which('nft');
  if (!ip) return removed;
  for (const ns of s.namespaces) {
    if (!existsSync(`/run/netns/${ns}`)) continue;
    // Whatever still runs inside (a node's instance after the node was SIGKILLed) goes first.
    const pids = (await run(ip, ['netns', 'pids', ns]).catch(() => '')).split(/\s+/).filter(Boolean);
    for (const p of pids) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        // gone
      }
    }
    // Deleting the namespace deletes its veth, and with it the host end.
    await run(ip, ['netns', 'del', ns]).then(
      () => removed.push(`netns ${ns}`),
      () => {},
    );
  }
  if (s.bridge && existsSync(`/sys/class/net/${s.bridge}`))
    await run(ip, ['link', 'del', s.bridge]).then(
      () => removed.push(`bridge ${s.bridge}`),
      () => {},
    );
  if (s.table && nft)
    await run(nft, ['delete', 'table', 'ip', s.table]).then(
      () => removed.push(`nft table ip ${s.table}`),
      () => {},
    );
  return removed;
}

/** SIGTERM, then SIGKILL after `graceMs`; returns a line per process that was running. */
export async function stopPids(pids: number[], graceMs = STOP_GRACE_MS): Promise<string[]> {
  const alive = pids.filter(pidAlive);
  for (const p of alive) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      // gone
    }
  }
  const end = Date.now() + graceMs;
  while (alive.some(pidAlive) && Date.now() < end) await sleep(100);
  for (const p of alive.filter(pidAlive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
  return alive.map((p) => `node process ${p}`);
}

/** Drops the cluster's PostgreSQL schemas and JetStream streams, and its data folder. */
export async function dropClusterData(name: string, pgUrl: string, natsUrl: string, dataDir: string) {
  const c = new pg.Client({
    connectionString: pgUrl,
    connectionTimeoutMillis: 5000,
    statement_timeout: 30_000,
  });
  await c.connect();
  try {
    // The store's schema and the queues' (src/server/index.ts openQueue), named exactly:
    // `nimbus_<name>_…` may be another cluster's (names may hold underscores).
    for (const s of [`nimbus_${name}`, `nimbus_${name}_queue`, `nimbus_${name}_sqs`])
      await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await c.end();
  }
  const nc = await connect({ servers: natsUrl.split(','), timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc);
    // Names hold no '-', so `nimbus-<name>-` is this cluster's alone.
    for await (const s of jsm.streams.list())
      if (s.config.name.includes(`nimbus-${name}-`)) await jsm.streams.delete(s.config.name);
  } finally {
    await nc.close();
  }
  await rm(dataDir, { recursive: true, force: true });
}

/** Stops the nodes of a state, removes its network (and data when asked) and the state file. */
export async function removeRun(s: State): Promise<string[]> {
  const removed = [
    ...(await stopPids(s.pids.filter((p) => isOurNode(p, s.name)))),
    ...(await removeNetwork(s)),
  ];
  if (s.drop)
    await dropClusterData(s.name, s.pg, s.nats, s.dataDir).catch((e: Error) =>
      removed.push(`(the data of "${s.name}" was not dropped: ${e.message})`),
    );
  await rm(stateFile(s.name), { force: true });
  return removed;
}

/**
 * Removes what runs that are no longer live left behind (their nodes if still running, their
 * namespaces, links, tables, state files), then namespaces, links and tables of ours that no
 * live state claims (a crash before the state file was written). A line per thing removed.
 */
export async function cleanupLeftovers(): Promise<string[]> {
  const removed: string[] = [];
  for (const s of readStates()) {
    if (stateLive(s)) continue;
    removed.push(...(await removeRun(s)), `state ${s.name}`);
  }
  if (netnsUnavailable() !== undefined) return removed;
  const live = readStates().filter(stateLive);
  const claimed = new Set(live.flatMap((s) => [...s.namespaces, s.bridge, s.table]));
  const orphanNs = (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter(
    (n) => n.startsWith(NS_PREFIX) && !claimed.has(n),
  );
  const links = readdirSync('/sys/class/net').filter((l) => /^ncl[0-9a-f]{6}$/.test(l) && !claimed.has(l));
  const tables = (await run(which('nft')!, ['list', 'tables', 'ip']).catch(() => ''))
    .split('\n')
    .map((l) => /^table ip (\S+)/.exec(l.trim())?.[1])
    .filter((t): t is string => !!t && t.startsWith(TABLE_PREFIX) && !claimed.has(t));
  removed.push(...(await removeNetwork({ namespaces: orphanNs })));
  for (const b of links) removed.push(...(await removeNetwork({ bridge: b, namespaces: [] })));
  for (const t of tables) removed.push(...(await removeNetwork({ table: t, namespaces: [] })));
  return removed;
}
