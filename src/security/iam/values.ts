/**
 * @module security/iam/values
 * Parsers for typed condition values (numbers, dates, IP addresses and CIDR blocks, base64, ARNs),
 * shared by the policy validator and the evaluator so both agree on what a value means.
 */

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number (`12`, `-1.5`, `2e3`); undefined for anything else (hex, `Infinity`, blanks). */
export function parseNumber(s: string): number | undefined {
  if (!NUMBER.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

const EPOCH = /^[+-]?\d+(?:\.\d+)?$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (y: number, m: number): number => (m === 2 && isLeap(y) ? 29 : DAYS[m - 1]!);

/**
 * A date as milliseconds since the epoch: epoch seconds (`1700000000`, `1700000000.5`) or ISO 8601
 * (`2024-01-31`, `2024-01-31T12:00Z`, `2024-01-31T12:00:00.123+02:00`). A date-time without an
 * offset is taken as UTC. Undefined when not a valid date.
 */
export function parseDateMs(s: string): number | undefined {
  if (EPOCH.test(s)) {
    const ms = Number(s) * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  }
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac, tz] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs ?? 0);
  const mi = Number(mis ?? 0);
  const sec = Number(ss ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // setUTCFullYear: years 0-99 are not shifted to 19xx
  date.setUTCHours(h, mi, sec, 0);
  let ms = date.getTime() + (frac === undefined ? 0 : Number(`0.${frac}`) * 1000);
  if (tz !== undefined && tz.toUpperCase() !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return undefined;
    ms -= sign * (oh * 60 + om) * 60_000;
  }
  return ms;
}

export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

export interface CidrBlock {
  readonly version: 4 | 6;
  /** The network address with host bits cleared. */
  readonly network: bigint;
  readonly prefix: number;
}

const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

function parseIpv4(s: string): bigint | undefined {
  const m = IPV4.exec(s);
  if (!m) return undefined;
  let v = 0n;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    v = (v << 8n) | BigInt(o);
  }
  return v;
}

function parseGroups(s: string, last: boolean): bigint[] | undefined {
  if (s === '') return [];
  const out: bigint[] = [];
  const pieces = s.split(':');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (last && i === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseIpv4(piece);
      if (v4 === undefined) return undefined;
      out.push(v4 >> 16n, v4 & 0xffffn);
    } else if (HEX_GROUP.test(piece)) {
      out.push(BigInt(`0x${piece}`));
    } else {
      return undefined;
    }
  }
  return out;
}

function parseIpv6(input: string): bigint | undefined {
  const s = input.toLowerCase();
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return undefined;
  let groups: bigint[];
  if (dbl < 0) {
    const all = parseGroups(s, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  } else {
    const head = parseGroups(s.slice(0, dbl), false);
    const tail = parseGroups(s.slice(dbl + 2), true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | g;
  return v;
}

/** An IPv4 (dotted quad, no leading zeros) or IPv6 address (no zone id); undefined otherwise. */
export function parseIp(s: string): IpAddress | undefined {
  if (s.includes(':')) {
    const value = parseIpv6(s);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIpv4(s);
  return value === undefined ? undefined : { version: 4, value };
}

/** `10.0.0.0/8`, `2001:db8::/32`; a plain address is a /32 (IPv4) or /128 (IPv6) block. */
export function parseCidr(s: string): CidrBlock | undefined {
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (ip === undefined) return undefined;
  const width = ip.version === 4 ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > width) return undefined;
    prefix = Number(p);
  }
  const shift = BigInt(width - prefix);
  return { version: ip.version, network: (ip.value >> shift) << shift, prefix };
}

/**
 * Whether the block holds the address. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is also
 * checked against IPv4 blocks, as the IPv4 address it carries.
 */
export function cidrContains(block: CidrBlock, ip: IpAddress): boolean {
  let { version, value } = ip;
  if (block.version === 4 && version === 6 && value >> 32n === 0xffffn) {
    version = 4;
    value &= 0xffffffffn;
  }
  if (block.version !== version) return false;
  const shift = BigInt((version === 4 ? 32 : 128) - block.prefix);
  return value >> shift === block.network >> shift;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes canonical padded base64; undefined when `s` is not base64. */
export function decodeBase64(s: string): Buffer | undefined {
  return BASE64.test(s) ? Buffer.from(s, 'base64') : undefined;
}

/**
 * Splits an ARN into its six colon-separated parts (`arn`, partition, service, region, account,
 * resource); the resource part keeps any further colons. Undefined when there are fewer than six.
 */
export function splitArn(s: string): string[] | undefined {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const c = s.indexOf(':', from);
    if (c < 0) return undefined;
    out.push(s.slice(from, c));
    from = c + 1;
  }
  out.push(s.slice(from));
  return out;
}
