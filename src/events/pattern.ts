/**
 * EventBridge event patterns: validation (coded errors at subscription time), compilation into
 * closures, and a RuleIndex that finds the matching rules of an event without looping over all
 * rules.
 *
 * Semantics (EventBridge / event-ruler):
 * - A pattern is an object; every key must match. Leaves are non-empty arrays of matchers, any of
 *   which may match. Nested objects match nested objects; when the event holds an array of objects
 *   there, one element must match the whole sub-pattern (array consistency).
 * - Matchers: a literal (string, number — compared numerically — boolean, null), `{prefix}`,
 *   `{suffix}` (both also `{prefix|suffix: {equals-ignore-case}}`), `{equals-ignore-case}`,
 *   `{wildcard}` (`*` any run), `{numeric: [op, n, op, n]}`, `{exists: bool}`, `{anything-but:
 *   literal | literal[] | {prefix} | {suffix} | {equals-ignore-case} | {wildcard}}`, `{cidr}`
 *   (IPv4), and `$or: [pattern, …]` at any level.
 * - A field's values are its leaf values; arrays of leaves are flattened (any element may match).
 *   `exists: true` needs at least one leaf value, `exists: false` needs none; `anything-but`
 *   needs a value that is none of the given ones.
 *
 * Index: each pattern is expanded into conjunctions (over `$or`); each conjunction is anchored on
 * its most selective literal-only field, stored in a hash map (path, value) → rules. An event is
 * flattened once; only rules whose anchor value occurs in the event (plus the few patterns with no
 * literal field) are checked in full.
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
type ObjMatcher = (node: unknown) => boolean;

const MAX_DEPTH = 12;
const MAX_CONJUNCTIONS = 256;
const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

// ------------------------------------------------------------------ shared helpers

/** Leaf values of a field value: arrays are flattened, objects are not leaves. */
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

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function literalEquals(lit: Primitive, v: Primitive): boolean {
  if (typeof lit === 'number') return typeof v === 'number' && v === lit;
  return lit === v;
}

function wildcardRegExp(p: string): RegExp {
  const body = p
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((n) => n > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

// ------------------------------------------------------------------ validation + compilation

interface Compiled {
  match: ObjMatcher;
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
    const a = (arg['equals-ignore-case'] as string).toLowerCase();
    if (op === 'prefix') return (v) => typeof v === 'string' && v.toLowerCase().startsWith(a);
    if (op === 'suffix') return (v) => typeof v === 'string' && v.toLowerCase().endsWith(a);
  }
  return fail(path, `"${op}" takes a string or {"equals-ignore-case": string}`);
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
      const a = arg.toLowerCase();
      return { leaf: (v) => typeof v === 'string' && v.toLowerCase() === a };
    }
    case 'wildcard': {
      if (typeof arg !== 'string') return fail(path, '"wildcard" takes a string');
      if (arg.includes('**')) return fail(path, '"wildcard" may not contain consecutive *');
      const re = wildcardRegExp(arg);
      return { leaf: (v) => typeof v === 'string' && re.test(v) };
    }
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
    case 'cidr': {
      if (typeof arg !== 'string') return fail(path, '"cidr" takes a string like 10.0.0.0/24');
      const [ip, bitsText] = arg.split('/');
      const base = ipv4(ip ?? '');
      const bits = Number(bitsText);
      if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32)
        return fail(path, '"cidr" takes an IPv4 block like 10.0.0.0/24');
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      return {
        leaf: (v) => {
          if (typeof v !== 'string') return false;
          const x = ipv4(v);
          return x !== undefined && (x & mask) >>> 0 === (base & mask) >>> 0;
        },
      };
    }
    case 'anything-but': {
      let inner: Leaf[];
      if (Array.isArray(arg)) {
        if (arg.length === 0) return fail(path, '"anything-but" list is empty');
        if (!arg.every((x) => typeof x === 'string' || typeof x === 'number'))
          return fail(path, '"anything-but" lists hold strings or numbers');
        inner = arg.map((x) => compileMatcher(path, x).leaf!);
      } else if (typeof arg === 'string' || typeof arg === 'number') {
        inner = [compileMatcher(path, arg).leaf!];
      } else if (isPlainObject(arg)) {
        const k = Object.keys(arg);
        if (k.length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(k[0]!))
          return fail(
            path,
            '"anything-but" takes literals, or one of prefix, suffix, equals-ignore-case, wildcard',
          );
        const v = arg[k[0]!];
        const list = Array.isArray(v) ? v : [v];
        if (list.length === 0 || !list.every((x) => typeof x === 'string'))
          return fail(path, `"anything-but" ${k[0]} takes a string or a list of strings`);
        inner = list.map((x) => compileMatcher(path, { [k[0]!]: x }).leaf!);
      } else {
        return fail(
          path,
          '"anything-but" takes a literal, a list, or a {prefix|suffix|equals-ignore-case|wildcard}',
        );
      }
      return { leaf: (v) => v !== null && !inner.some((f) => f(v)) };
    }
    default:
      return fail(path, `unknown matcher "${op}"`);
  }
}

function compileLeafArray(path: string, arr: unknown[]): (fieldValue: unknown) => boolean {
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
  return (fieldValue) => {
    const values = leafValues(fieldValue);
    if (values.length === 0) return existsFalse;
    if (existsTrue) return true;
    for (const v of values) for (const f of leaves) if (f(v)) return true;
    return false;
  };
}

function compileObject(path: string, p: unknown, depth: number): ObjMatcher {
  if (!isPlainObject(p)) return fail(path, 'a pattern level is an object');
  if (depth > MAX_DEPTH) return fail(path, `patterns nest at most ${MAX_DEPTH} levels`);
  const entries = Object.entries(p);
  if (entries.length === 0) return fail(path, 'an empty object matches nothing useful');
  const checks: ObjMatcher[] = [];
  for (const [key, val] of entries) {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(val) || val.length < 2) fail(here, '"$or" takes a list of at least two patterns');
      const alts = (val as unknown[]).map((alt, i) => compileObject(`${here}[${i}]`, alt, depth + 1));
      checks.push((node) => alts.some((a) => a(node)));
    } else if (Array.isArray(val)) {
      const leaf = compileLeafArray(here, val);
      checks.push((node) => leaf(isPlainObject(node) ? node[key] : undefined));
    } else if (isPlainObject(val)) {
      const sub = compileObject(here, val, depth + 1);
      checks.push((node) => {
        const child = isPlainObject(node) ? node[key] : undefined;
        if (Array.isArray(child)) return child.some((el) => isPlainObject(el) && sub(el));
        return isPlainObject(child) && sub(child);
      });
    } else {
      fail(here, 'a value is either an array of matchers or a nested object');
    }
  }
  return (node) => {
    for (const c of checks) if (!c(node)) return false;
    return true;
  };
}

/** Validates and compiles a pattern; throws EVENTS_INVALID_PATTERN naming the place. */
export function compilePattern(pattern: unknown): Compiled {
  const text = JSON.stringify(pattern ?? null);
  if (text.length > 8192) fail('', 'a pattern is at most 8 KB of JSON');
  return { match: compileObject('', pattern, 0) };
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
  readonly #compiled = new Map<Id, ObjMatcher>();

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
