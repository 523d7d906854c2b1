/**
 * @module workflows/asl/jsonpath
 * ASL's JSONPath paths, with AWS's (Jayway) semantics:
 * - `$…` selects from the state's data, `$$…` from the context object, `$name…` from the workflow
 *   variable `name`;
 * - a definite path (only names and single indexes) yields one value and throws `States.Runtime`
 *   naming the path when nothing is there; an indefinite one (`*`, `..`, slices, unions, filters)
 *   yields an array of the matches, possibly empty;
 * - filter expressions (`[?(@.price < 10)]`) are evaluated by `jsonpath-plus` in its safe
 *   (non-`eval`) interpreter; everything else is walked here so that lookups only ever see own
 *   properties of JSON values (no `length` of arrays, no prototype members).
 * `setAtPath` applies a reference path (ResultPath) to a value without mutating it.
 */
import { JSONPath } from 'jsonpath-plus';
import { type ContextObject, type Json, type JsonObject, StatesError, type Variables } from './types.ts';

export type PathSegment =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'names'; readonly names: readonly string[] }
  | { readonly kind: 'indexes'; readonly indexes: readonly number[] }
  | {
      readonly kind: 'slice';
      readonly start: number | undefined;
      readonly end: number | undefined;
      readonly step: number | undefined;
    }
  | { readonly kind: 'filter'; readonly expr: string }
  | { readonly kind: 'descendant'; readonly inner: PathSegment };

export interface ParsedPath {
  /** What `$` stands for: the data (`$`), the context object (`$$`) or a variable (`$name`). */
  readonly source: 'input' | 'context' | 'variable';
  /** The variable's name (without `$`) when `source` is `variable`. */
  readonly variable?: string;
  readonly segments: readonly PathSegment[];
  /** Only names and single indexes: the path selects at most one value. */
  readonly definite: boolean;
}

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value of an own property (never one from the prototype chain). */
const own = (obj: JsonObject, key: string): Json | undefined =>
  Object.hasOwn(obj, key) ? obj[key] : undefined;

const VARIABLE = /^[\p{L}_][\p{L}\p{Nd}_]*/u;
/** Characters that cannot appear in a dot-notation name. */
const NAME_STOP = /[\s.[\]()'",*]/u;
const INT = /^-?\d+$/;

const invalid = (path: string, why: string): StatesError =>
  new StatesError('States.Runtime', `Invalid JSONPath '${path}': ${why}`);

const cache = new Map<string, ParsedPath>();
const CACHE_MAX = 2000;

/** Parses a path (throws `States.Runtime` when it is not one). Results are cached. */
export function parsePath(path: string): ParsedPath {
  const hit = cache.get(path);
  if (hit) return hit;
  const parsed = parseUncached(path);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(path, parsed);
  return parsed;
}

function parseUncached(path: string): ParsedPath {
  let source: ParsedPath['source'] = 'input';
  let variable: string | undefined;
  let i: number;
  if (path.startsWith('$$')) {
    source = 'context';
    i = 2;
  } else if (path.startsWith('$')) {
    const m = VARIABLE.exec(path.slice(1));
    if (m) {
      source = 'variable';
      variable = m[0];
      i = 1 + m[0].length;
    } else i = 1;
  } else throw invalid(path, "a path must start with '$'");

  const segments: PathSegment[] = [];
  const readName = (): string => {
    const start = i;
    while (i < path.length && !NAME_STOP.test(path[i]!)) i++;
    if (i === start) throw invalid(path, `expected a name at position ${start}`);
    if (path[i] === '(') throw invalid(path, 'functions are not supported');
    return path.slice(start, i);
  };
  const skipWs = () => {
    while (i < path.length && /\s/u.test(path[i]!)) i++;
  };
  const expect = (c: string) => {
    skipWs();
    if (path[i] !== c) throw invalid(path, `expected '${c}' at position ${i}`);
    i++;
  };
  const readQuoted = (): string => {
    const q = path[i]!;
    let out = '';
    for (i++; i < path.length && path[i] !== q; i++) {
      if (path[i] === '\\' && i + 1 < path.length) i++;
      out += path[i];
    }
    if (i >= path.length) throw invalid(path, 'unterminated string');
    i++;
    return out;
  };
  const readFilter = (): string => {
    // At '(' after '?': scan to the matching ')' (strings may contain parentheses).
    const start = i + 1;
    let depth = 0;
    for (; i < path.length; i++) {
      const c = path[i]!;
      if (c === "'" || c === '"') {
        readQuoted();
        i--;
      } else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) break;
    }
    if (i >= path.length) throw invalid(path, 'unterminated filter expression');
    const expr = path.slice(start, i).trim();
    i++;
    if (!expr) throw invalid(path, 'empty filter expression');
    return expr;
  };
  const readBracket = (): PathSegment => {
    i++; // '['
    skipWs();
    const c = path[i];
    if (c === '*') {
      i++;
      expect(']');
      return { kind: 'wildcard' };
    }
    if (c === '?') {
      i++;
      skipWs();
      if (path[i] !== '(') throw invalid(path, `expected '(' at position ${i}`);
      const expr = readFilter();
      expect(']');
      return { kind: 'filter', expr };
    }
    if (c === "'" || c === '"') {
      const names = [readQuoted()];
      for (skipWs(); path[i] === ','; skipWs()) {
        i++;
        skipWs();
        if (path[i] !== "'" && path[i] !== '"')
          throw invalid(path, `expected a quoted name at position ${i}`);
        names.push(readQuoted());
      }
      expect(']');
      return names.length === 1 ? { kind: 'name', name: names[0]! } : { kind: 'names', names };
    }
    const end = path.indexOf(']', i);
    if (end < 0) throw invalid(path, "missing ']'");
    const body = path.slice(i, end).trim();
    i = end + 1;
    if (body.includes(':')) {
      const parts = body.split(':').map((p) => p.trim());
      if (parts.length > 3 || parts.some((p) => p !== '' && !INT.test(p)))
        throw invalid(path, `bad slice [${body}]`);
      const num = (p: string | undefined) => (p === undefined || p === '' ? undefined : Number(p));
      const step = num(parts[2]);
      if (step === 0) throw invalid(path, 'slice step cannot be 0');
      return { kind: 'slice', start: num(parts[0]), end: num(parts[1]), step };
    }
    const parts = body.split(',').map((p) => p.trim());
    if (parts.some((p) => !INT.test(p))) throw invalid(path, `bad index [${body}]`);
    const indexes = parts.map(Number);
    return indexes.length === 1 ? { kind: 'index', index: indexes[0]! } : { kind: 'indexes', indexes };
  };

  while (i < path.length) {
    const c = path[i];
    if (c === '.' && path[i + 1] === '.') {
      i += 2;
      let inner: PathSegment;
      if (path[i] === '[') inner = readBracket();
      else if (path[i] === '*') {
        i++;
        inner = { kind: 'wildcard' };
      } else inner = { kind: 'name', name: readName() };
      segments.push({ kind: 'descendant', inner });
    } else if (c === '.') {
      i++;
      if (path[i] === '*') {
        i++;
        segments.push({ kind: 'wildcard' });
      } else segments.push({ kind: 'name', name: readName() });
    } else if (c === '[') segments.push(readBracket());
    else throw invalid(path, `unexpected '${c}' at position ${i}`);
  }
  const definite = segments.every((s) => s.kind === 'name' || s.kind === 'index');
  return variable === undefined ? { source, segments, definite } : { source, variable, segments, definite };
}

/** True when the path selects at most one value (AWS returns it bare rather than in an array). */
export const isDefinitePath = (path: string): boolean => parsePath(path).definite;

function stepDefinite(node: Json, seg: PathSegment): Json | undefined {
  if (seg.kind === 'name') return isJsonObject(node) ? own(node, seg.name) : undefined;
  if (seg.kind === 'index' && Array.isArray(node))
    return node[seg.index < 0 ? node.length + seg.index : seg.index];
  return undefined;
}

const children = (node: Json): Json[] =>
  Array.isArray(node) ? node : isJsonObject(node) ? Object.values(node) : [];

function descendants(node: Json, out: Json[]): Json[] {
  out.push(node);
  for (const child of children(node)) descendants(child, out);
  return out;
}

function sliceOf(arr: readonly Json[], start: number | undefined, end: number | undefined, step = 1): Json[] {
  const len = arr.length;
  const norm = (n: number) =>
    n < 0 ? Math.max(len + n, step < 0 ? -1 : 0) : Math.min(n, step < 0 ? len - 1 : len);
  const from = start === undefined ? (step < 0 ? len - 1 : 0) : norm(start);
  const to = end === undefined ? (step < 0 ? -1 : len) : norm(end);
  const out: Json[] = [];
  for (let k = from; step > 0 ? k < to : k > to; k += step) out.push(arr[k]!);
  return out;
}

function applyFilter(node: Json, expr: string, root: Json): Json[] {
  // Jayway: a filter over an array keeps the matching elements; over an object it keeps the object.
  const target = Array.isArray(node) ? node : isJsonObject(node) ? [node] : undefined;
  if (!target || target.length === 0) return [];
  // jsonpath-plus splits paths with regular expressions that a `)]` inside a quoted string
  // confuses: string values go to the sandbox and the expression names them instead. (Member
  // names, `@['a b']`, stay: its evaluator does not resolve a variable as a member name.)
  const sandbox: Record<string, unknown> = { $: root };
  const code = expr.replace(
    /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/gu,
    (match: string, single: string | undefined, double: string | undefined, at: number, all: string) => {
      if (
        all.slice(0, at).trimEnd().endsWith('[') &&
        all
          .slice(at + match.length)
          .trimStart()
          .startsWith(']')
      )
        return match;
      const name = `__nimbus_s${Object.keys(sandbox).length}`;
      sandbox[name] = (single ?? double ?? '').replace(/\\(.)/gu, '$1');
      return name;
    },
  );
  // Jayway: a bare `[?(@.isbn)]` tests that the member exists (a JavaScript test would be truthiness).
  const test = /^@(?:\.[\p{L}\p{N}_$-]+|\[\s*\d+\s*\])+$/u.test(code) ? `${code} !== undefined` : code;
  let found: unknown;
  try {
    found = JSONPath({
      path: `$[?(${test})]`,
      json: target,
      wrap: true,
      eval: 'safe',
      ignoreEvalErrors: true, // a member missing on some element only makes that element not match
      // The typings say Map, the library reads a plain object (`$` is the root inside the filter).
      sandbox: sandbox as unknown as Map<string, unknown>,
    });
  } catch (e) {
    throw new StatesError('States.Runtime', `Invalid JSONPath filter '?(${expr})': ${(e as Error).message}`);
  }
  return Array.isArray(found) ? (found as Json[]) : [];
}

function stepAll(node: Json, seg: PathSegment, root: Json, out: Json[]): void {
  switch (seg.kind) {
    case 'name':
    case 'index': {
      const v = stepDefinite(node, seg);
      if (v !== undefined) out.push(v);
      return;
    }
    case 'wildcard':
      out.push(...children(node));
      return;
    case 'names':
      if (isJsonObject(node))
        for (const name of seg.names) {
          const v = own(node, name);
          if (v !== undefined) out.push(v);
        }
      return;
    case 'indexes':
      for (const index of seg.indexes) stepAll(node, { kind: 'index', index }, root, out);
      return;
    case 'slice':
      if (Array.isArray(node)) out.push(...sliceOf(node, seg.start, seg.end, seg.step));
      return;
    case 'filter':
      out.push(...applyFilter(node, seg.expr, root));
      return;
    case 'descendant':
      for (const d of descendants(node, [])) stepAll(d, seg.inner, root, out);
      return;
  }
}

/** Selects with a parsed path from `root`: the value (definite, undefined if absent) or the matches. */
export function selectParsed(parsed: ParsedPath, root: Json): Json | undefined {
  if (parsed.definite) {
    let node: Json | undefined = root;
    for (const seg of parsed.segments) {
      if (node === undefined) return undefined;
      node = stepDefinite(node, seg);
    }
    return node;
  }
  let nodes: Json[] = [root];
  for (const seg of parsed.segments) {
    const next: Json[] = [];
    for (const n of nodes) stepAll(n, seg, root, next);
    nodes = next;
  }
  return nodes;
}

/** The value a path starts from, or undefined (an unknown variable). */
function rootOf(parsed: ParsedPath, data: Json, ctx: ContextObject, vars: Variables): Json | undefined {
  if (parsed.source === 'input') return data;
  // The context object is JSON by construction (optional members are absent, never undefined values).
  if (parsed.source === 'context') return ctx as unknown as Json;
  const name = parsed.variable!;
  return Object.hasOwn(vars, name) ? vars[name] : undefined;
}

/**
 * The value at `path`, or undefined when a definite path matches nothing (or names an unknown
 * variable). Indefinite paths always give an array.
 */
export function queryPath(path: string, data: Json, ctx: ContextObject, vars: Variables): Json | undefined {
  const parsed = parsePath(path);
  const root = rootOf(parsed, data, ctx, vars);
  if (root === undefined) return undefined;
  return selectParsed(parsed, root);
}

const MAX_SHOWN = 2048;
/** JSON text of a value for an error message, shortened past a couple of KB. */
export function showJson(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s;
}

/**
 * The value at `path` (Jayway semantics, see the module doc). A definite path that matches nothing
 * throws `States.Runtime`: "The JSONPath '$.x' specified for the field 'InputPath' could not be
 * found in the input '{…}'" (`field` names the ASL field, when the caller knows it).
 */
export function evaluatePath(
  path: string,
  data: Json,
  ctx: ContextObject,
  vars: Variables,
  field?: string,
): Json {
  const parsed = parsePath(path);
  const root = rootOf(parsed, data, ctx, vars);
  const forField = field === undefined ? '' : ` specified for the field '${field}'`;
  if (root === undefined)
    throw new StatesError(
      'States.Runtime',
      `The JSONPath '${path}'${forField} references the variable '$${parsed.variable}', which is not defined`,
    );
  const value = selectParsed(parsed, root);
  if (value !== undefined) return value;
  const where =
    parsed.source === 'input'
      ? `the input '${showJson(root)}'`
      : parsed.source === 'context'
        ? `the context object '${showJson(root)}'`
        : `the variable '$${parsed.variable}' ('${showJson(root)}')`;
  throw new StatesError('States.Runtime', `The JSONPath '${path}'${forField} could not be found in ${where}`);
}

/**
 * `target` with `value` placed at the reference path `refPath` (ResultPath): `$` replaces it;
 * `$.a.b`, `$['a b']`, `$.a[0]` set a member, creating missing intermediate objects. `target` is
 * not modified (the objects and arrays along the path are copied).
 * Throws `States.ResultPathMatchFailure` when an existing intermediate (or the target itself) is
 * not an object (or, for an index, not an array holding that index); `States.Runtime` when
 * `refPath` is not a reference path (`$$`, a variable, wildcards, filters, slices…).
 */
export function setAtPath(target: Json, refPath: string, value: Json): Json {
  const parsed = parsePath(refPath);
  if (parsed.source !== 'input')
    throw new StatesError(
      'States.Runtime',
      `Invalid reference path '${refPath}': it must start with '$.' or be '$'`,
    );
  if (!parsed.definite)
    throw new StatesError(
      'States.Runtime',
      `Invalid reference path '${refPath}': only names and single indexes are allowed (no wildcards, filters or slices)`,
    );
  const fail = () =>
    new StatesError(
      'States.ResultPathMatchFailure',
      `Unable to apply ReferencePath ${refPath} to input ${showJson(target)}`,
    );
  const segs = parsed.segments;
  const setIn = (node: Json | undefined, k: number): Json => {
    const seg = segs[k];
    if (seg === undefined) return value;
    if (seg.kind === 'name') {
      if (node !== undefined && !isJsonObject(node)) throw fail();
      const obj: JsonObject = node ?? {};
      const copy: JsonObject = { ...obj };
      // defineProperty: a key such as `__proto__` becomes an own property, never the prototype.
      Object.defineProperty(copy, seg.name, {
        value: setIn(own(obj, seg.name), k + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return copy;
    }
    if (seg.kind !== 'index' || !Array.isArray(node)) throw fail();
    const idx = seg.index < 0 ? node.length + seg.index : seg.index;
    if (idx < 0 || idx >= node.length) throw fail();
    const copy = node.slice();
    copy[idx] = setIn(node[idx], k + 1);
    return copy;
  };
  return setIn(target, 0);
}
