/**
 * Egress policy: which addresses a function (or a platform-made outbound call on a user's behalf,
 * such as a webhook or a destination) may reach.
 *
 *  - `none`: nothing (the instance's network namespace has only its own loopback);
 *  - `internet` (default): every address except the platform's neighbourhood — loopback, RFC 1918,
 *    RFC 4193 unique-local, link-local (incl. the cloud metadata addresses 169.254.169.254 and
 *    fd00:ec2::254), CGNAT 100.64/10, multicast, "this network" 0/8, broadcast, and the host's own
 *    addresses (checked where the connection is made);
 *  - `allowlist`: only the listed CIDRs / hosts, optionally restricted to ports. An allowlist may
 *    name private addresses (a database in the user's own network); loopback, link-local and the
 *    metadata addresses stay blocked whatever it says.
 *
 * Addresses are checked after DNS resolution on every connection (the packet filter for instances,
 * `guardedLookup` for the platform's own outbound calls), so alternative IP encodings (decimal,
 * octal, IPv4-mapped IPv6) and DNS rebinding do not get through: what is checked is the address
 * that is connected to.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

export type EgressMode = 'none' | 'internet' | 'allowlist';

export interface EgressRule {
  /** A CIDR (`203.0.113.0/24`), an address, or a host name (resolved when the policy is applied). */
  readonly host: string;
  /** Allowed destination ports; all ports when absent. */
  readonly ports?: readonly number[] | undefined;
}

export interface EgressPolicy {
  readonly mode: EgressMode;
  /** For `allowlist`: the permitted destinations. */
  readonly allow?: readonly EgressRule[] | undefined;
}

export const DEFAULT_EGRESS: EgressPolicy = Object.freeze({ mode: 'internet' });

const hostSchema = z
  .string()
  .min(1)
  .max(253)
  .refine(
    (h) =>
      parseCidr(h) !== undefined ||
      /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(h),
    {
      message: 'must be an IP address, a CIDR (a.b.c.d/n) or a host name',
    },
  );

export const egressRuleSchema = z
  .object({
    host: hostSchema,
    ports: z.array(z.number().int().min(1).max(65535)).min(1).max(64).optional(),
  })
  .strict();

export const egressPolicySchema = z
  .object({
    mode: z.enum(['none', 'internet', 'allowlist']),
    allow: z.array(egressRuleSchema).max(256).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.mode === 'allowlist' && !p.allow?.length) {
      ctx.addIssue({
        code: 'custom',
        message: 'mode allowlist needs at least one `allow` entry',
        path: ['allow'],
      });
    }
    if (p.mode !== 'allowlist' && p.allow?.length) {
      ctx.addIssue({ code: 'custom', message: '`allow` is only valid with mode allowlist', path: ['allow'] });
    }
  });

/** Ranges no function reaches under `internet`. */
export const BLOCKED_V4: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local / cloud metadata'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];
export const BLOCKED_V6: readonly (readonly [string, number, string])[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b::', 96, 'NAT64 (embeds IPv4)'],
  ['fc00::', 7, 'unique local (RFC 4193) incl. fd00:ec2::254'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];
/** Never reachable, even when an allowlist names them. */
export const ALWAYS_BLOCKED_V4: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, 'this network'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local / cloud metadata'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];
export const ALWAYS_BLOCKED_V6: readonly (readonly [string, number, string])[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fd00:ec2::254', 128, 'cloud metadata'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

function blockList(v4: typeof BLOCKED_V4, v6: typeof BLOCKED_V6): BlockList {
  const b = new BlockList();
  for (const [a, n] of v4) b.addSubnet(a, n, 'ipv4');
  for (const [a, n] of v6) b.addSubnet(a, n, 'ipv6');
  return b;
}
const BLOCKED = blockList(BLOCKED_V4, BLOCKED_V6);
const ALWAYS = blockList(ALWAYS_BLOCKED_V4, ALWAYS_BLOCKED_V6);

/** `a.b.c.d/n`, `a.b.c.d`, `x::y/n` or `x::y` → [address, prefix, family]; undefined otherwise. */
export function parseCidr(s: string): { address: string; prefix: number; family: 4 | 6 } | undefined {
  const [addr = '', bits, ...rest] = s.split('/');
  if (rest.length) return undefined;
  const fam = isIP(addr);
  if (fam !== 4 && fam !== 6) return undefined;
  const family: 4 | 6 = fam;
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address: addr, prefix, family };
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d` or `::ffff:7f00:1`) → the IPv4 address; else unchanged. */
export function unmapIPv4(ip: string): string {
  const m = /^::ffff:(?:0{1,4}:)?(.+)$/i.exec(ip);
  if (!m) return ip;
  const tail = m[1]!;
  if (isIP(tail) === 4) return tail;
  const h = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
  if (!h) return ip;
  const hi = Number.parseInt(h[1]!, 16);
  const lo = Number.parseInt(h[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

const family = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/** Why `ip` is outside what `internet` allows, or undefined when it is a public address. */
export function blockedReason(ip: string): string | undefined {
  const a = unmapIPv4(ip);
  if (isIP(a) === 0) return 'not an IP address';
  if (!BLOCKED.check(a, family(a))) return undefined;
  for (const [base, n, why] of isIP(a) === 4 ? BLOCKED_V4 : BLOCKED_V6) {
    const one = new BlockList();
    one.addSubnet(base, n, family(a));
    if (one.check(a, family(a))) return why;
  }
  return 'reserved';
}

/** May a connection to `ip`:`port` leave under `policy`? (`hostAllowed` answers for host-name rules.) */
export function addressAllowed(
  policy: EgressPolicy,
  ip: string,
  port?: number,
  resolvedHosts?: ReadonlyMap<string, readonly string[]>,
): boolean {
  const a = unmapIPv4(ip);
  if (isIP(a) === 0) return false;
  if (policy.mode === 'none') return false;
  if (ALWAYS.check(a, family(a))) return false;
  if (policy.mode === 'internet') return !BLOCKED.check(a, family(a));
  for (const rule of policy.allow ?? []) {
    if (port !== undefined && rule.ports && !rule.ports.includes(port)) continue;
    const c = parseCidr(rule.host);
    if (c) {
      if (c.family !== isIP(a)) continue;
      const b = new BlockList();
      b.addSubnet(c.address, c.prefix, c.family === 4 ? 'ipv4' : 'ipv6');
      if (b.check(a, family(a))) return true;
    } else if (resolvedHosts?.get(rule.host.toLowerCase())?.some((r) => unmapIPv4(r) === a)) {
      return true;
    }
  }
  return false;
}

/**
 * What an administrator's allowlist (NIMBUS_EGRESS_ALLOW_CIDRS) can never open: the cloud metadata
 * addresses and the rest of link-local, "this network", multicast and reserved space. Loopback and
 * private ranges it may open (a receiver on the same host or in the private network).
 */
export const ADMIN_NEVER_V4: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, 'this network'],
  ['169.254.0.0', 16, 'link-local / cloud metadata'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];
export const ADMIN_NEVER_V6: readonly (readonly [string, number, string])[] = [
  ['::', 128, 'unspecified'],
  ['fd00:ec2::254', 128, 'cloud metadata'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];
const ADMIN_NEVER = blockList(ADMIN_NEVER_V4, ADMIN_NEVER_V6);

/**
 * May the platform itself (a webhook, a destination) connect to `ip`? The `internet` policy, plus
 * the CIDRs an administrator allowed on top — never the metadata addresses.
 */
export function platformAddressAllowed(ip: string, adminAllow: readonly string[] = []): boolean {
  const a = unmapIPv4(ip);
  if (isIP(a) === 0) return false;
  if (addressAllowed(DEFAULT_EGRESS, a)) return true;
  if (ADMIN_NEVER.check(a, family(a))) return false;
  for (const cidr of adminAllow) {
    const c = parseCidr(cidr);
    if (!c || c.family !== isIP(a)) continue;
    const b = new BlockList();
    b.addSubnet(c.address, c.prefix, c.family === 4 ? 'ipv4' : 'ipv6');
    if (b.check(a, family(a))) return true;
  }
  return false;
}

/** `localhost`, `foo.localhost`, `localhost.`: names every resolver maps to loopback (RFC 6761). */
const LOCALHOST = /^(?:.+\.)?localhost\.?$/i;

/**
 * Why the platform may not call `url`, judged from the URL alone (at creation time): a host that
 * is a literal forbidden IP — in any encoding, since WHATWG URL parsing turns `2130706433`,
 * `0177.0.0.1` and `0x7f.1` into `127.0.0.1` — or a `localhost` name. Other names are checked
 * where the connection is made (`guardedLookup`), so DNS rebinding is caught there.
 */
export function urlEgressProblem(url: string | URL, adminAllow: readonly string[] = []): string | undefined {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return 'not a valid URL';
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) {
    if (platformAddressAllowed(host, adminAllow)) return undefined;
    return blockedReason(host) ?? 'reserved';
  }
  if (LOCALHOST.test(host)) {
    const loopback = ['127.0.0.1', '::1'];
    return loopback.some((a) => platformAddressAllowed(a, adminAllow)) ? undefined : 'loopback (localhost)';
  }
  return undefined;
}

export class EgressDeniedError extends Error {
  readonly code = 'EGRESS_DENIED';
  readonly host: string;
  readonly address: string;
  readonly reason: string;
  constructor(host: string, address: string, reason: string) {
    super(`egress to ${host} (${address}) is not allowed: ${reason}`);
    this.name = 'EgressDeniedError';
    this.host = host;
    this.address = address;
    this.reason = reason;
  }
}

const familyOf = (f: number | string | undefined): 0 | 4 | 6 =>
  f === 4 || f === 'IPv4' ? 4 : f === 6 || f === 'IPv6' ? 6 : 0;

/**
 * A `dns.lookup`-compatible function for http(s).request / undici's `connect.lookup` that resolves
 * the name, drops every address the policy forbids, and fails with EgressDeniedError when none is
 * left. The connection is then made to an address that was checked: no second resolution, so DNS
 * rebinding cannot swap it. `adminAllow` are CIDRs an administrator permitted on top (e.g. a
 * webhook receiver on the private network); the metadata addresses stay blocked whatever it says.
 *
 * Node connects to a literal IP without calling `lookup` at all: callers check literal hosts with
 * `platformAddressAllowed` / `addressAllowed` themselves.
 */
export function guardedLookup(policy: EgressPolicy = DEFAULT_EGRESS, adminAllow: readonly string[] = []) {
  const ok = (ip: string) =>
    addressAllowed(policy, ip) || (adminAllow.length > 0 && platformAddressAllowed(ip, adminAllow));
  return function lookup(
    hostname: string,
    options: { family?: number | string; all?: boolean } | number | ((...a: unknown[]) => void),
    callback?: (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void {
    const cb = (typeof options === 'function' ? options : callback) as NonNullable<typeof callback>;
    const opts = typeof options === 'object' && options !== null ? options : {};
    const fam = familyOf(typeof options === 'number' ? options : opts.family);
    dnsLookup(hostname, { all: true, family: fam }, (err, addresses) => {
      if (err) return cb(err, []);
      const list = addresses as LookupAddress[];
      const good = list.filter((a) => ok(a.address));
      if (!good.length) {
        const first = list[0]?.address ?? hostname;
        const e = new EgressDeniedError(hostname, first, blockedReason(first) ?? 'not in the allowlist');
        return cb(Object.assign(e, { errno: -1 }) as unknown as NodeJS.ErrnoException, []);
      }
      if (opts.all) return cb(null, good);
      cb(null, good[0]!.address, good[0]!.family);
    });
  };
}
