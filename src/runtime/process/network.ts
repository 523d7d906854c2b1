/**
 * A network namespace per instance, with egress filtered outside the instance.
 *
 * `veth` mode (root, with iproute2 and nftables): each instance's namespace has loopback and one
 * end of a veth pair; the host end carries a /32 route to the instance's address from
 * 172.29.0.0/16 and answers ARP for the instance's gateway (169.254.1.1) by proxy ARP, so
 * instances share no link, no subnet and no address. Traffic leaves through the host's routing
 * with masquerade. An nftables table (`inet nimbus_v1`, shared by every Nimbus process on the
 * machine) decides per host-side interface:
 *   - input from an instance interface: dropped (the host itself, all of its addresses and ports,
 *     is unreachable, IPv6 link-local included);
 *   - forwarded: the interface's verdict from the `ifpolicy` map — `jump internet` (public
 *     addresses only, plus DNS to the host's resolvers), `jump allow_<hash>` (an allowlist), or no
 *     entry (rejected: `none`, and pre-booted processes before their function is known).
 * Packets are filtered by their real destination address, so IP encodings and DNS rebinding make
 * no difference. IPv6 is not routed (no address, no route: connections fail at once).
 *
 * `isolated` mode (no root, or no ip/nft): a fresh namespace with only loopback; no egress.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ALWAYS_BLOCKED_V4, BLOCKED_V4, type EgressPolicy, parseCidr } from '../../security/egress.ts';
import { pidAlive } from './cgroups.ts';
import { which } from './host.ts';

export const NFT_TABLE = 'nimbus_v1';
const TABLE_GONE = 'the nimbus nftables table is missing';
const SUBNET_HI = [172, 29];
const GATEWAY = '169.254.1.1';
const NETNS_DIR = '/run/netns';
const IF_PREFIX = 'nb';

export interface NetNs {
  readonly name: string;
  readonly path: string;
  readonly hostIf: string;
  readonly address: string;
  /** The verdict currently in the ifpolicy map (undefined: none → rejected). */
  verdict?: string | undefined;
}

export interface EgressNetwork {
  readonly mode: 'veth' | 'isolated';
  readonly nsenter: string | undefined;
  /** Why egress is unavailable (isolated mode). */
  readonly reason: string | undefined;
  /** A new namespace wired for egress with the default policy; undefined in isolated mode. */
  prepare(policy?: EgressPolicy): Promise<NetNs | undefined>;
  /** Replaces the namespace's egress policy. */
  apply(ns: NetNs, policy: EgressPolicy): Promise<void>;
  release(ns: NetNs): Promise<void>;
  describe(): string;
  /** Whether the filter is in place now (the table exists); undefined in isolated mode. */
  filterInPlace(): boolean | undefined;
  /**
   * The host address instances reach the platform at (their gateway, made a local address of
   * the host), ready for `allowPlatformPorts`; undefined in isolated mode.
   */
  platformAddress(): Promise<string | undefined>;
  /**
   * Lets instances connect to these TCP ports of the platform address (and nothing else of the
   * host). The permission expires unless renewed, so ports of a process that died are closed
   * within a minute; the returned function withdraws it.
   */
  allowPlatformPorts(ports: readonly number[]): Promise<() => Promise<void>>;
}

function run(cmd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err)
        reject(
          Object.assign(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`), { stderr }),
        );
      else resolve(stdout);
    });
    // The command may not read its input (`nft list … || nft -f -` when the table exists): an
    // EPIPE on stdin is expected, not an error of ours.
    child.stdin?.on('error', () => {});
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** IPv4 name servers of the host that an instance may query (loopback ones cannot be reached). */
function resolvers(): string[] {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((a): a is string => !!a && isIP(a) === 4 && !a.startsWith('127.'));
  } catch {
    return [];
  }
}

const cidrs = (list: typeof BLOCKED_V4) => list.map(([a, n]) => `${a}/${n}`).join(', ');

function tableRuleset(T: string, P: string): string {
  return [
    `table inet ${T} {`,
    '  map ifpolicy {',
    '    type ifname : verdict',
    '  }',
    // Filled by every start with the host's resolvers (they may change between starts).
    '  set dns4 {',
    '    type ipv4_addr',
    '  }',
    '  set blocked4 {',
    '    type ipv4_addr',
    '    flags interval',
    `    elements = { ${cidrs(BLOCKED_V4)} }`,
    '  }',
    // addr . port pairs of the platform's own listeners instances may reach (per Nimbus process,
    // renewed with a timeout).
    '  set platform4 {',
    '    type ipv4_addr . inet_service',
    '    flags timeout',
    '  }',
    '  set always4 {',
    '    type ipv4_addr',
    '    flags interval',
    `    elements = { ${cidrs(ALWAYS_BLOCKED_V4)} }`,
    '  }',
    '  chain input {',
    '    type filter hook input priority -10; policy accept;',
    `    iifname "${P}*" ct state established,related accept`,
    `    iifname "${P}*" ip daddr . tcp dport @platform4 accept`,
    `    iifname "${P}*" reject with icmpx admin-prohibited`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority -10; policy accept;',
    `    oifname "${P}*" ct state established,related accept`,
    `    oifname "${P}*" drop`,
    `    iifname "${P}*" jump from_instance`,
    '  }',
    '  chain from_instance {',
    '    iifname vmap @ifpolicy',
    '    reject with icmpx admin-prohibited',
    '  }',
    '  chain internet {',
    '    meta nfproto != ipv4 reject with icmpx admin-prohibited',
    '    ip daddr @dns4 meta l4proto { tcp, udp } th dport 53 accept',
    '    ip daddr @blocked4 reject with icmpx admin-prohibited',
    '    accept',
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    ip saddr ${SUBNET_HI.join('.')}.0.0/16 oifname != "${P}*" masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Host names of an allowlist resolved now (IPv4), so the chain names the addresses. */
async function resolveAllow(
  policy: EgressPolicy,
): Promise<{ cidr: string; ports?: readonly number[] | undefined }[]> {
  const out: { cidr: string; ports?: readonly number[] | undefined }[] = [];
  for (const rule of policy.allow ?? []) {
    const c = parseCidr(rule.host);
    if (c) {
      if (c.family === 4) out.push({ cidr: `${c.address}/${c.prefix}`, ports: rule.ports });
      continue;
    }
    try {
      for (const a of await lookup(rule.host, { all: true, family: 4 }))
        out.push({ cidr: `${a.address}/32`, ports: rule.ports });
    } catch {
      // Unresolvable now: nothing to allow for it.
    }
  }
  return out;
}

function allowChain(
  T: string,
  name: string,
  entries: { cidr: string; ports?: readonly number[] | undefined }[],
): string {
  const rules = entries.map((e) =>
    e.ports?.length
      ? `    ip daddr ${e.cidr} meta l4proto { tcp, udp } th dport { ${e.ports.join(', ')} } accept`
      : `    ip daddr ${e.cidr} accept`,
  );
  return [
    `table inet ${T} {`,
    `  chain ${name} {`,
    '    meta nfproto != ipv4 reject with icmpx admin-prohibited',
    '    ip daddr @dns4 meta l4proto { tcp, udp } th dport 53 accept',
    '    ip daddr @always4 reject with icmpx admin-prohibited',
    ...rules,
    '    reject with icmpx admin-prohibited',
    '  }',
    '}',
    '',
  ].join('\n');
}

export function createEgressNetwork(o: { table?: string; ifPrefix?: string } = {}): EgressNetwork {
  // Another table and interface prefix only for tests (rules of two tables apply to every packet).
  const T = o.table ?? NFT_TABLE;
  const P = o.ifPrefix ?? IF_PREFIX;
  const ip = which('ip');
  const nft = which('nft');
  const nsenter = which('nsenter');
  const flock = which('flock');
  const isRoot = process.getuid?.() === 0;
  const missing = [
    !isRoot && 'root',
    !ip && 'ip (iproute2)',
    !nft && 'nft (nftables)',
    !nsenter && 'nsenter',
  ].filter(Boolean);
  const mode: 'veth' | 'isolated' = missing.length ? 'isolated' : 'veth';
  const reason = missing.length ? `egress needs ${missing.join(', ')}` : undefined;
  const lockFile = existsSync('/run/lock') ? '/run/lock/nimbus-egress.lock' : '/tmp/nimbus-egress.lock';
  let ready: Promise<void> | undefined;
  const chains = new Map<string, Promise<void>>();

  /** Runs `nft -f -` under a machine-wide lock when `unless` (an nft list) fails. */
  async function nftOnce(unless: string[], ruleset: string): Promise<void> {
    const script = `${nft} ${unless.join(' ')} >/dev/null 2>&1 || ${nft} -f -`;
    if (flock) await run(flock, [lockFile, '/bin/sh', '-c', script], ruleset);
    else await run('/bin/sh', ['-c', script], ruleset);
  }

  function setup(): Promise<void> {
    ready ??= (async () => {
      writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
      await nftOnce(['list', 'table', 'inet', T], tableRuleset(T, P));
      const dns = resolvers();
      if (dns.length) await run(nft!, ['add', 'element', 'inet', T, 'dns4', `{ ${dns.join(', ')} }`]);
      // Namespaces left by Nimbus processes that died without cleaning up.
      for (const name of existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR) : []) {
        const m = /^nimbus-(\d+)-[0-9a-f]+$/.exec(name);
        if (m && !pidAlive(Number(m[1]))) await run(ip!, ['netns', 'del', name]).catch(() => {});
      }
      // Policy entries of interfaces that no longer exist (their Nimbus process died).
      await pruneVerdicts().catch(() => {});
    })();
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  }

  async function pruneVerdicts(): Promise<void> {
    const out = JSON.parse(await run(nft!, ['-j', 'list', 'map', 'inet', T, 'ifpolicy'])) as {
      nftables: { map?: { elem?: [string, unknown][] } }[];
    };
    const elems = out.nftables.flatMap((x) => x.map?.elem ?? []).map(([name]) => name);
    // An interface is created before its entry is added, so an entry without one is stale.
    const stale = elems.filter(
      (n) => n.startsWith(P) && /^[a-z]+[0-9a-f]+$/.test(n) && !existsSync(`/sys/class/net/${n}`),
    );
    for (let i = 0; i < stale.length; i += 200) {
      const batch = stale.slice(i, i + 200).map((n) => `"${n}"`);
      await run(nft!, ['-f', '-'], `delete element inet ${T} ifpolicy { ${batch.join(', ')} }\n`);
    }
  }

  async function verdictFor(policy: EgressPolicy): Promise<string | undefined> {
    if (policy.mode === 'none') return undefined;
    if (policy.mode === 'internet') return 'jump internet';
    const entries = await resolveAllow(policy);
    const name = `allow_${createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16)}`;
    let made = chains.get(name);
    if (!made) {
      made = nftOnce(['list', 'chain', 'inet', T, name], allowChain(T, name, entries));
      chains.set(name, made);
      made.catch(() => chains.delete(name));
    }
    await made;
    return `jump ${name}`;
  }

  async function setVerdict(ns: NetNs, verdict: string | undefined): Promise<void> {
    if (verdict === ns.verdict) return;
    const el = `"${ns.hostIf}"`;
    const lines = [
      ...(ns.verdict ? [`delete element inet ${T} ifpolicy { ${el} }`] : []),
      ...(verdict ? [`add element inet ${T} ifpolicy { ${el} : ${verdict} }`] : []),
    ];
    await run(nft!, ['-f', '-'], `${lines.join('\n')}\n`);
    ns.verdict = verdict;
  }

  return {
    mode,
    nsenter,
    reason,
    filterInPlace() {
      if (mode === 'isolated') return undefined;
      try {
        execFileSync(nft!, ['list', 'chain', 'inet', T, 'from_instance'], { stdio: 'ignore', timeout: 5000 });
        return true;
      } catch {
        return false;
      }
    },
    describe() {
      return mode === 'veth'
        ? `own network namespace per instance; egress by policy through a veth filtered by nftables (table inet ${T})`
        : `own network namespace per instance with loopback only: no egress (${reason})`;
    },

    async prepare(policy) {
      if (mode === 'isolated') return undefined;
      await setup();
      const hex = randomBytes(6).toString('hex');
      const name = `nimbus-${process.pid}-${hex}`;
      const hostIf = `${P}${hex}`;
      // One shell for the whole set-up (each command is a process start; from Node a spawn costs
      // several ms): veth into a new namespace, proxy ARP, a free /32 (the kernel refuses a second
      // route to the same address, machine-wide, so a taken candidate just moves to the next),
      // then the instance side. The chosen address is printed.
      const candidates = Array.from(
        { length: 16 },
        () => `${SUBNET_HI.join('.')}.${randomInt(0, 256)}.${randomInt(2, 255)}`,
      );
      const verdict = policy ? await verdictFor(policy) : undefined;
      const script = [
        'set -e',
        // Fail closed: without the filter (someone flushed the ruleset) no instance gets a link.
        `${nft} list chain inet ${T} from_instance >/dev/null 2>&1 || { echo "${TABLE_GONE}" >&2; exit 3; }`,
        `${ip} -b - <<'EOF'`,
        `netns add ${name}`,
        `link add ${hostIf} type veth peer name eth0 netns ${name}`,
        `link set ${hostIf} addrgenmode none`,
        `link set ${hostIf} up`,
        'EOF',
        `echo 1 > /proc/sys/net/ipv4/conf/${hostIf}/proxy_arp`,
        'A=',
        `for c in ${candidates.join(' ')}; do`,
        `  if ${ip} route add "$c/32" dev ${hostIf} 2>/dev/null; then A=$c; break; fi`,
        'done',
        '[ -n "$A" ] || { echo "no free instance address" >&2; exit 1; }',
        `${ip} -n ${name} -b - <<EOF`,
        'link set lo up',
        'link set eth0 addrgenmode none',
        'addr add $A/32 dev eth0',
        'link set eth0 up',
        `route add ${GATEWAY} dev eth0 scope link`,
        `route add default via ${GATEWAY} dev eth0`,
        'EOF',
        ...(verdict ? [`${nft} add element inet ${T} ifpolicy '{ "${hostIf}" : ${verdict} }'`] : []),
        'echo "$A"',
      ].join('\n');
      const ns: NetNs = { name, path: `${NETNS_DIR}/${name}`, hostIf, address: '' };
      try {
        const out = await run('/bin/sh', ['-c', script]);
        (ns as { address: string }).address = out.trim();
        ns.verdict = verdict;
        return ns;
      } catch (e) {
        await run(ip!, ['netns', 'del', name]).catch(() => {});
        // The table is gone: set it up again for the next boot (this one fails).
        if (String(e).includes(TABLE_GONE)) {
          ready = undefined;
          chains.clear();
        }
        throw e;
      }
    },

    async apply(ns, policy) {
      await setVerdict(ns, await verdictFor(policy));
    },

    async platformAddress() {
      if (mode === 'isolated') return undefined;
      await setup();
      // A table made by an older Nimbus has no platform set yet: add it and its input rule.
      await nftOnce(
        ['list', 'set', 'inet', T, 'platform4'],
        [
          `add set inet ${T} platform4 { type ipv4_addr . inet_service; flags timeout; }`,
          `insert rule inet ${T} input iifname "${P}*" ip daddr . tcp dport @platform4 accept`,
          '',
        ].join('\n'),
      );
      // The gateway address becomes the host's own (on loopback), so a listener can bind it; ARP
      // for it on the veths is answered as before.
      await run(ip!, ['addr', 'add', `${GATEWAY}/32`, 'dev', 'lo']).catch((e: Error) => {
        if (!/File exists|already assigned/.test(e.message)) throw e;
      });
      return GATEWAY;
    },

    async allowPlatformPorts(ports) {
      if (mode === 'isolated' || ports.length === 0) return async () => {};
      const elems = (timeout: boolean) =>
        ports.map((p) => `${GATEWAY} . ${p}${timeout ? ' timeout 60s' : ''}`).join(', ');
      const add = `add element inet ${T} platform4 { ${elems(true)} }\n`;
      const del = `delete element inet ${T} platform4 { ${elems(false)} }\n`;
      // Renewing: delete + add in one transaction (an add alone keeps the old timeout).
      const renew = () => run(nft!, ['-f', '-'], del + add).catch(() => run(nft!, ['-f', '-'], add));
      await renew();
      const timer = setInterval(() => void renew().catch(() => {}), 20_000);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await run(nft!, ['-f', '-'], del).catch(() => {});
      };
    },

    async release(ns) {
      if (ns.verdict) await setVerdict(ns, undefined).catch(() => {});
      await run(ip!, ['netns', 'del', ns.name]).catch(() => {});
    },
  };
}
