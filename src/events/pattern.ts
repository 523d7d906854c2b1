/**
 * EventBridge event patterns: validation (coded errors at subscription time), compilation into
 * closures, and a RuleIndex that finds the matching rules of an event without looping over all
 * rules. The reference is aws/event-ruler (the engine behind EventBridge); its own test cases are
 * ported into pattern.test.ts.
 *
 * Semantics:
 * - A pattern is an object; every key must match. Leaves are non-empty arrays of matchers, any of
 *   which may match. Nested objects match nested objects.
 * - A field's values are its leaf values: arrays are flattened, also arrays nested in arrays
 *   (`{"a": [[1, 2], [3]]}` has the values 1, 2, 3 at `a`); objects are not leaf values.
 * - Matchers: a literal (string, number — compared numerically — boolean, null), `{prefix}`,
 *   `{suffix}` (both also `{prefix|suffix: {equals-ignore-case}}`), `{equals-ignore-case}` (each
 *   character of the pattern may appear as itself or its lower- or upper-case form, which can be
 *   longer: "ΰ" matches "Ϋ́"),
 *   `{wildcard}` (`*` matches any run; `\*` is a literal star, `\\` a literal backslash, any other
 *   escape and two unescaped `*` in a row are refused), `{numeric: [op, n] | [">"|">=", lo,
 *   "<"|"<=", hi]}`, `{exists: bool}`, `{anything-but: string | number | string[] | number[] |
 *   {prefix | suffix | equals-ignore-case | wildcard: string | string[]}}` (lists are non-empty and
 *   of one type; an anything-but prefix/suffix is non-empty), `{cidr}` (IPv4 `10.0.0.0/24`, IPv6
 *   `2001:db8::/32` incl. `::` forms; compared on the address value of a string field, an
 *   IPv4-mapped address `::ffff:a.b.c.d` counts as its IPv4 address), and `$or: [pattern, pattern,
 *   …]` at any level. Inside `$or` branches, matcher names (`prefix`, `numeric`, `=`, …, the list
 *   event-ruler reserves) cannot be field names.
 * - `exists: true` needs at least one leaf value, `exists: false` needs none — also when the parent
 *   object is missing or is not an object; `anything-but` needs a value that is none of the given
 *   ones (and is not null).
 * - Arrays of objects (nested arrays flattened): the conditions of one sub-pattern are met within
 *   one element (array consistency). `exists: false` conditions are checked inside that element;
 *   a sub-pattern (or `$or` branch) made only of `exists: false` conditions needs the fields absent
 *   in every element. Formally: the pattern is an OR of conjunctions (over `$or` and over leaves
 *   mixing `exists: false` with other matchers); a conjunction matches when its value conditions
 *   can be met by elements chosen consistently, and none of its absent fields occurs under the
 *   chosen elements. Part objects below carry both halves (`pos`: some conjunction with a value
 *   condition holds within one object; `abs`: some all-absent conjunction holds over a set of
 *   objects), so the OR is never expanded.
 *
 * Known divergences from event-ruler, i.e. from EventBridge's engine (by choice; pattern.test.ts
 * pins each one with event-ruler's answer next to ours):
 * - event-ruler checks `exists: false` while walking fields in name order, so its answer can depend
 *   on field names; here it is checked after the value conditions of its sub-pattern.
 * - A nested field used both directly and inside `$or` branches (or in several `$or`) is matched
 *   per group, so two groups may use different elements of an array of objects; event-ruler merges
 *   them per branch (and lets a later condition on the same leaf path replace the earlier one —
 *   here both must hold).
 * - `cidr` accepts /32 (IPv4) and /128 (IPv6); event-ruler refuses them. IPv4-mapped addresses are
 *   also accepted in dotted form. A literal string that is an IP address is compared as a string
 *   (event-ruler compares it as an address, so "::1" would also match "0:0::1").
 * - `anything-but` does not match null (event-ruler's does); empty anything-but prefix/suffix/
 *   equals-ignore-case/wildcard lists are refused (event-ruler accepts them, then fails adding the
 *   rule); event-ruler's undocumented `{"exactly": s}` is not supported.
 *
 * Index: each pattern is expanded into conjunctions (over `$or`); each conjunction is anchored on
 * its most selective literal-only field, stored in a hash map (path, value) → rules. An event is
 * flattened once; only rules whose anchor value occurs in the event (plus the few patterns with no
 * literal field) are checked in full. A literal leaf has no "absent" alternative, so every
 * conjunction that can match through it needs the anchor value at that path somewhere in the event.
 */
import { defineErrors } from '../core/errors.ts';

export const PatternErrors = defineErrors('EVENTS', {
  INVALID_PATTERN: {
    status: 400,
    kind: 'user',
    message: 'invalid event pattern at {path}: {reason}',
    hint: 'see the EventBridge event pattern syntax: {"source": ["orders"], "detail": {"amount": [{"numeric": [">", 100]}]}}',
  },
});

export type EventPattern = Record<string, unknown>;
type Primitive = string | number | boolean | null;
type Leaf = (v: Primitive) => boolean;

const MAX_DEPTH = 12;
const MAX_CONJUNCTIONS = 256;
const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

/** Names event-ruler reserves: they may not be field names anywhere inside a `$or` branch. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

// ------------------------------------------------------------------ shared helpers

/** Leaf values of a field value: arrays (also nested ones) are flattened, objects are not leaves. */
export function leafValues(v: unknown, out: Primitive[] = []): Primitive[] {
  if (v === undefined) return out;
  if (Array.isArray(v)) {
    for (const x of v) leafValues(x, out);
    return out;
  }
  if (v !== null && typeof v === 'object') return out;
  out.push(v as Primitive);
  return out;
}

/** Whether a field value has at least one leaf value (no allocation). */
function hasLeaf(v: unknown): boolean {
  if (v === undefined) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (hasLeaf(x)) return true;
    return false;
  }
  return v === null || typeof v !== 'object';
}

/** Objects of a field value: the value itself, or the objects in it when it is an array (flattened). */
function objectsIn(v: unknown, out: unknown[]): unknown[] {
  if (Array.isArray(v)) {
    for (const x of v) objectsIn(x, out);
  } else if (isPlainObject(v)) {
    out.push(v);
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const field = (node: unknown, key: string): unknown => (isPlainObject(node) ? node[key] : undefined);

function literalEquals(lit: Primitive, v: Primitive): boolean {
  if (typeof lit === 'number') return typeof v === 'number' && v === lit;
  return lit === v;
}

/**
 * Case-insensitive matching as event-ruler does it: each character of the pattern may appear in the
 * event as itself, its lower-case or its upper-case form (which may be longer: "ΰ" / "Ϋ́"). No form
 * of a character is a prefix of another, so the alternation never backtracks.
 */
function caselessRegExp(p: string, anchor: 'whole' | 'prefix' | 'suffix'): RegExp {
  let body = '';
  for (const ch of p) {
    const forms = [...new Set([ch, ch.toLowerCase(), ch.toUpperCase()])].map((f) =>
      f.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'),
    );
    body += forms.length === 1 ? forms[0] : `(?:${forms.join('|')})`;
  }
  return new RegExp(anchor === 'suffix' ? `${body}$` : anchor === 'prefix' ? `^${body}` : `^${body}$`, 'u');
}

/**
 * Parses an event-ruler wildcard into the literal runs between its unescaped `*` (n stars give
 * n + 1 runs). `\*` and `\\` are literal; any other escape and `**` are refused.
 */
function wildcardRuns(path: string, what: string, p: string): string[] {
  const runs: string[] = [];
  let run = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (p[i + 1] === '*') fail(path, `${what} may not contain consecutive * (position ${i})`);
      runs.push(run);
      run = '';
    } else if (c === '\\') {
      const next = p[i + 1];
      if (next !== '*' && next !== '\\')
        fail(path, `${what} has an invalid escape at position ${i}: only \\* and \\\\ are allowed`);
      run += next;
      i++;
    } else {
      run += c;
    }
  }
  runs.push(run);
  return runs;
}

/** Glob match on literal runs: first run is a prefix, last a suffix, middle runs leftmost in order. */
function wildcardMatches(runs: readonly string[], v: string): boolean {
  const last = runs.length - 1;
  if (last === 0) return v === runs[0];
  const head = runs[0]!;
  const tail = runs[last]!;
  if (v.length < head.length + tail.length || !v.startsWith(head) || !v.endsWith(tail)) return false;
  const end = v.length - tail.length;
  let pos = head.length;
  for (let i = 1; i < last; i++) {
    const run = runs[i]!;
    const at = v.indexOf(run, pos);
    if (at < 0 || at + run.length > end) return false;
    pos = at + run.length;
  }
  return true;
}

// ------------------------------------------------------------------ IP addresses

/** An IP address as eight 16-bit groups; IPv4 a.b.c.d is the IPv4-mapped ::ffff:a.b.c.d. */
type Ip = readonly number[];

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((n) => n > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

const mapped = (v4: number): Ip => [0, 0, 0, 0, 0, 0xffff, v4 >>> 16, v4 & 0xffff];

/** IPv6 text (RFC 4291: full, `::`-compressed, dotted IPv4 tail) → groups; no zone ids, no brackets. */
function ipv6(s: string): Ip | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (text: string, withTail: boolean): number[] | undefined => {
    if (text === '') return [];
    const parts = text.split(':');
    const out: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (withTail && i === parts.length - 1 && part.includes('.')) {
        const v4 = ipv4(part);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
        out.push(Number.parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  if (halves.length === 1) {
    const all = groups(s, true);
    return all?.length === 8 ? all : undefined;
  }
  const head = groups(halves[0]!, false);
  const tail = groups(halves[1]!, true);
  if (!head || !tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function parseIp(s: string): Ip | undefined {
  const v4 = ipv4(s);
  return v4 === undefined ? ipv6(s) : mapped(v4);
}

/** Whether the first `bits` bits of two addresses agree. */
function samePrefix(a: Ip, b: Ip, bits: number): boolean {
  let i = 0;
  for (; bits >= 16; bits -= 16, i++) if (a[i] !== b[i]) return false;
  if (bits === 0) return true;
  const mask = (0xffff << (16 - bits)) & 0xffff;
  return (a[i]! & mask) === (b[i]! & mask);
}

function compileCidr(path: string, arg: unknown): Leaf {
  const usage = '"cidr" takes an IPv4 or IPv6 block like 10.0.0.0/24 or 2001:db8::/32';
  if (typeof arg !== 'string') return fail(path, usage);
  const parts = arg.split('/');
  if (parts.length !== 2) return fail(path, `${usage}, with one "/"`);
  const [ipText, bitsText] = parts as [string, string];
  const v4 = ipv4(ipText);
  const base = v4 === undefined ? ipv6(ipText) : mapped(v4);
  if (!base) return fail(path, `${usage}; "${ipText}" is not an IP address`);
  const max = v4 === undefined ? 128 : 32;
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max)
    return fail(path, `the prefix length of an ${v4 === undefined ? 'IPv6' : 'IPv4'} block is 0 to ${max}`);
  const bits = Number(bitsText) + (v4 === undefined ? 0 : 96);
  return (v) => {
    if (typeof v !== 'string') return false;
    const ip = parseIp(v);
    return ip !== undefined && samePrefix(ip, base, bits);
  };
}

// ------------------------------------------------------------------ validation + compilation

interface Compiled {
  match: (event: unknown) => boolean;
}

function fail(path: string, reason: string): never {
  throw PatternErrors.INVALID_PATTERN({ path: path || '(root)', reason });
}

function compileStringOp(path: string, op: string, arg: unknown): Leaf {
  if (typeof arg === 'string') {
    if (op === 'prefix') return (v) => typeof v === 'string' && v.startsWith(arg);
    if (op === 'suffix') return (v) => typeof v === 'string' && v.endsWith(arg);
  }
  if (isPlainObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
    const re = caselessRegExp(arg['equals-ignore-case'] as string, op === 'prefix' ? 'prefix' : 'suffix');
    if (op === 'prefix' || op === 'suffix') return (v) => typeof v === 'string' && re.test(v);
  }
  return fail(path, `"${op}" takes a string or {"equals-ignore-case": string}`);
}

function compileWildcard(path: string, what: string, arg: string): Leaf {
  const runs = wildcardRuns(path, what, arg);
  return (v) => typeof v === 'string' && wildcardMatches(runs, v);
}

const ANYTHING_BUT_OPS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];

function compileAnythingBut(path: string, arg: unknown): Leaf {
  let inner: Leaf[];
  if (Array.isArray(arg)) {
    if (arg.length === 0) return fail(path, '"anything-but" list is empty');
    if (!arg.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x))))
      return fail(path, '"anything-but" lists hold strings or numbers');
    if (arg.some((x) => typeof x === 'string') && arg.some((x) => typeof x === 'number'))
      return fail(path, '"anything-but" list mixes strings and numbers; use one type');
    inner = arg.map((x) => compileMatcher(path, x).leaf!);
  } else if (typeof arg === 'string' || typeof arg === 'number') {
    inner = [compileMatcher(path, arg).leaf!];
  } else if (isPlainObject(arg)) {
    const k = Object.keys(arg);
    const op = k[0]!;
    if (k.length !== 1 || !ANYTHING_BUT_OPS.includes(op))
      return fail(
        path,
        '"anything-but" takes literals, or one of prefix, suffix, equals-ignore-case, wildcard',
      );
    const v = arg[op];
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0 || !list.every((x) => typeof x === 'string'))
      return fail(path, `"anything-but" ${op} takes a string or a non-empty list of strings`);
    if ((op === 'prefix' || op === 'suffix') && list.includes(''))
      return fail(path, `"anything-but" ${op} may not be empty (it would exclude every string)`);
    inner = (list as string[]).map((x) =>
      op === 'wildcard'
        ? compileWildcard(path, '"anything-but" wildcard', x)
        : compileMatcher(path, { [op]: x }).leaf!,
    );
  } else {
    return fail(
      path,
      '"anything-but" takes a literal, a list, or a {prefix|suffix|equals-ignore-case|wildcard}',
    );
  }
  return (v) => v !== null && !inner.some((f) => f(v));
}

/** Compiles one matcher of a leaf array. */
function compileMatcher(path: string, m: unknown): { leaf?: Leaf; exists?: boolean } {
  if (m === null || typeof m === 'string' || typeof m === 'boolean') return { leaf: (v) => v === m };
  if (typeof m === 'number') {
    if (!Number.isFinite(m)) fail(path, 'numbers must be finite');
    return { leaf: (v) => literalEquals(m, v) };
  }
  if (!isPlainObject(m)) return fail(path, 'a matcher is a literal or an object such as {"prefix": "a"}');
  const keys = Object.keys(m);
  if (keys.length !== 1)
    return fail(path, `a matcher object has exactly one key, got ${keys.join(', ') || 'none'}`);
  const op = keys[0]!;
  const arg = m[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return { leaf: compileStringOp(path, op, arg) };
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') return fail(path, '"equals-ignore-case" takes a string');
      const re = caselessRegExp(arg, 'whole');
      return { leaf: (v) => typeof v === 'string' && re.test(v) };
    }
    case 'wildcard':
      if (typeof arg !== 'string') return fail(path, '"wildcard" takes a string');
      return { leaf: compileWildcard(path, '"wildcard"', arg) };
    case 'exists':
      if (typeof arg !== 'boolean') return fail(path, '"exists" takes true or false');
      return { exists: arg };
    case 'numeric': {
      if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4)
        return fail(path, '"numeric" takes [op, n] or [op, n, op, n]');
      const tests: [string, number][] = [];
      for (let i = 0; i < arg.length; i += 2) {
        const o = arg[i];
        const n = arg[i + 1];
        if (typeof o !== 'string' || !NUMERIC_OPS.has(o))
          return fail(path, `unknown numeric operator ${String(o)}`);
        if (typeof n !== 'number' || !Number.isFinite(n))
          return fail(path, 'numeric bounds must be finite numbers');
        tests.push([o, n]);
      }
      if (tests.length === 2) {
        const [[o1, n1], [o2, n2]] = tests as [[string, number], [string, number]];
        if (!o1.startsWith('>') || !o2.startsWith('<') || n1 >= n2)
          return fail(path, 'a numeric range is [">" | ">=", low, "<" | "<=", high] with low < high');
      }
      return {
        leaf: (v) =>
          typeof v === 'number' &&
          tests.every(([o, n]) =>
            o === '=' ? v === n : o === '<' ? v < n : o === '<=' ? v <= n : o === '>' ? v > n : v >= n,
          ),
      };
    }
    case 'cidr':
      return { leaf: compileCidr(path, arg) };
    case 'anything-but':
      return { leaf: compileAnythingBut(path, arg) };
    default:
      return fail(path, `unknown matcher "${op}"`);
  }
}

/**
 * A compiled part of a pattern (a leaf, a nested object, a `$or`, or a whole level). Seen as an OR
 * of conjunctions, it may have conjunctions with a value condition (`canPos`) and conjunctions made
 * only of absent fields (`canAbs`).
 */
interface Part {
  readonly canPos: boolean;
  readonly canAbs: boolean;
  /** Some conjunction with a value condition holds within this one object (elements below chosen). */
  pos(node: unknown): boolean;
  /** Some all-absent conjunction holds over all these objects together (nothing chosen). */
  abs(nodes: readonly unknown[]): boolean;
}

function leafPart(path: string, key: string, arr: unknown[]): Part {
  if (arr.length === 0) fail(path, 'a leaf is a non-empty array of matchers');
  const leaves: Leaf[] = [];
  let existsTrue = false;
  let existsFalse = false;
  for (const m of arr) {
    const c = compileMatcher(path, m);
    if (c.leaf) leaves.push(c.leaf);
    if (c.exists === true) existsTrue = true;
    if (c.exists === false) existsFalse = true;
  }
  return {
    canPos: existsTrue || leaves.length > 0,
    canAbs: existsFalse,
    pos(node) {
      const values = leafValues(field(node, key));
      if (values.length === 0) return false;
      if (existsTrue) return true;
      for (const v of values) for (const f of leaves) if (f(v)) return true;
      return false;
    },
    abs(nodes) {
      for (const n of nodes) if (hasLeaf(field(n, key))) return false;
      return true;
    },
  };
}

function nestedPart(key: string, sub: Part): Part {
  return {
    canPos: sub.canPos,
    canAbs: sub.canAbs,
    pos(node) {
      for (const el of objectsIn(field(node, key), [])) if (sub.pos(el)) return true;
      return false;
    },
    abs(nodes) {
      const children: unknown[] = [];
      for (const n of nodes) objectsIn(field(n, key), children);
      return sub.abs(children);
    },
  };
}

function orPart(alts: Part[]): Part {
  return {
    canPos: alts.some((a) => a.canPos),
    canAbs: alts.some((a) => a.canAbs),
    pos: (node) => alts.some((a) => a.canPos && a.pos(node)),
    abs: (nodes) => alts.some((a) => a.canAbs && a.abs(nodes)),
  };
}

/**
 * All parts of one level must hold: a conjunction with a value condition needs every part to hold
 * (by value or by absence, within this object) and at least one of them by value; an all-absent
 * conjunction needs every part to hold by absence.
 */
function levelPart(parts: Part[]): Part {
  const canAbs = parts.every((p) => p.canAbs);
  return {
    canPos: parts.some((p) => p.canPos),
    canAbs,
    pos(node) {
      let byValue = false;
      const self = [node];
      for (const p of parts) {
        if (p.canPos && p.pos(node)) byValue = true;
        else if (!p.canAbs || !p.abs(self)) return false;
      }
      return byValue;
    },
    abs(nodes) {
      if (!canAbs) return false;
      for (const p of parts) if (!p.abs(nodes)) return false;
      return true;
    },
  };
}

function compileObject(path: string, p: unknown, depth: number, inOr: boolean): Part {
  if (!isPlainObject(p)) return fail(path, 'a pattern level is an object');
  if (depth > MAX_DEPTH) return fail(path, `patterns nest at most ${MAX_DEPTH} levels`);
  const entries = Object.entries(p);
  if (entries.length === 0) return fail(path, 'an empty object matches nothing useful');
  const parts: Part[] = [];
  for (const [key, val] of entries) {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(val) || val.length < 2) fail(here, '"$or" takes a list of at least two patterns');
      parts.push(
        orPart((val as unknown[]).map((alt, i) => compileObject(`${here}[${i}]`, alt, depth + 1, true))),
      );
      continue;
    }
    if (inOr && RESERVED_IN_OR.has(key))
      fail(here, `"${key}" is a matcher name and cannot be a field name inside "$or"`);
    if (Array.isArray(val)) parts.push(leafPart(here, key, val));
    else if (isPlainObject(val)) parts.push(nestedPart(key, compileObject(here, val, depth + 1, inOr)));
    else fail(here, 'a value is either an array of matchers or a nested object');
  }
  return levelPart(parts);
}

/** Validates and compiles a pattern; throws EVENTS_INVALID_PATTERN naming the place. */
export function compilePattern(pattern: unknown): Compiled {
  const text = JSON.stringify(pattern ?? null);
  if (text.length > 8192) fail('', 'a pattern is at most 8 KB of JSON');
  const root = compileObject('', pattern, 0, false);
  return {
    match: (event) => (root.canPos && root.pos(event)) || (root.canAbs && root.abs([event])),
  };
}

// ------------------------------------------------------------------ index

/** A literal-only condition usable as an index anchor. */
interface Anchor {
  readonly path: string;
  readonly keys: string[];
}

const keyOf = (v: Primitive): string =>
  typeof v === 'string'
    ? `s:${v}`
    : typeof v === 'number'
      ? `n:${v}`
      : typeof v === 'boolean'
        ? `b:${v}`
        : 'z';

/** Expands a pattern into conjunctions of flattened (path → leaf array) conditions. */
function conjunctions(p: Record<string, unknown>, prefix: string): Record<string, unknown[]>[] | undefined {
  let acc: Record<string, unknown[]>[] = [{}];
  for (const [key, val] of Object.entries(p)) {
    let options: Record<string, unknown[]>[];
    if (key === '$or') {
      options = [];
      for (const alt of val as Record<string, unknown>[]) {
        const sub = conjunctions(alt, prefix);
        if (!sub) return undefined;
        options.push(...sub);
      }
    } else if (Array.isArray(val)) {
      options = [{ [`${prefix}${key}`]: val }];
    } else {
      const sub = conjunctions(val as Record<string, unknown>, `${prefix}${key}\u0000`);
      if (!sub) return undefined;
      options = sub;
    }
    const next: Record<string, unknown[]>[] = [];
    for (const a of acc) for (const o of options) next.push({ ...a, ...o });
    if (next.length > MAX_CONJUNCTIONS) return undefined;
    acc = next;
  }
  return acc;
}

function anchorOf(conj: Record<string, unknown[]>): Anchor | undefined {
  let best: Anchor | undefined;
  for (const [path, leaves] of Object.entries(conj)) {
    if (!leaves.every((m) => m === null || ['string', 'number', 'boolean'].includes(typeof m))) continue;
    const keys = (leaves as Primitive[]).map(keyOf);
    if (!best || keys.length < best.keys.length) best = { path, keys };
  }
  return best;
}

/** Leaf values at a path (arrays are expanded at every level). */
function valuesAt(node: unknown, path: readonly string[], i: number, out: Primitive[]): void {
  if (Array.isArray(node)) {
    for (const x of node) valuesAt(x, path, i, out);
    return;
  }
  if (i === path.length) {
    if (node !== undefined && (node === null || typeof node !== 'object')) out.push(node as Primitive);
    return;
  }
  if (isPlainObject(node)) valuesAt(node[path[i]!], path, i + 1, out);
}

/** Rules (id → pattern) compiled into an index. Rebuild on change; matching is read-only. */
export class RuleIndex<Id> {
  readonly #exact = new Map<string, { segments: string[]; byValue: Map<string, Set<Id>> }>();
  readonly #unanchored = new Set<Id>();
  readonly #compiled = new Map<Id, (event: unknown) => boolean>();

  constructor(rules: Iterable<readonly [Id, EventPattern]>) {
    for (const [id, pattern] of rules) this.add(id, pattern);
  }

  get size(): number {
    return this.#compiled.size;
  }

  /** Throws EVENTS_INVALID_PATTERN for a bad pattern (nothing is added then). */
  add(id: Id, pattern: EventPattern): void {
    const c = compilePattern(pattern);
    const conjs = conjunctions(pattern, '');
    const anchors = conjs?.map(anchorOf);
    this.#compiled.set(id, c.match);
    if (!anchors || anchors.some((a) => a === undefined)) {
      this.#unanchored.add(id);
      return;
    }
    for (const a of anchors as Anchor[]) {
      let entry = this.#exact.get(a.path);
      if (!entry) {
        entry = { segments: a.path.split('\u0000'), byValue: new Map() };
        this.#exact.set(a.path, entry);
      }
      const byValue = entry.byValue;
      for (const k of a.keys) {
        let ids = byValue.get(k);
        if (!ids) {
          ids = new Set();
          byValue.set(k, ids);
        }
        ids.add(id);
      }
    }
  }

  /** Ids of the rules the event matches (each once). */
  match(event: unknown): Id[] {
    const candidates = new Set<Id>(this.#unanchored);
    const values: Primitive[] = [];
    for (const { segments, byValue } of this.#exact.values()) {
      values.length = 0;
      valuesAt(event, segments, 0, values);
      for (const v of values) {
        const ids = byValue.get(keyOf(v));
        if (ids) for (const id of ids) candidates.add(id);
      }
    }
    const out: Id[] = [];
    for (const id of candidates) if (this.#compiled.get(id)!(event)) out.push(id);
    return out;
  }
}
