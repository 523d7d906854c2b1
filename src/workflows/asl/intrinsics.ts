/**
 * @module workflows/asl/intrinsics
 * ASL's intrinsic functions (JSONPath mode): parses strings such as
 * `States.Format('Hello {}', States.ArrayGetItem($.names, 0))` and evaluates them. Arguments are
 * single-quoted strings (escapes `\'`, `\{`, `\}`, `\\`), numbers, `true`/`false`/`null`, paths
 * (`$.x`, `$$.x`, `$var`) and nested calls. Every function AWS documents is here; a bad call
 * (argument count or type, a value out of range) raises `States.IntrinsicFailure` saying what is
 * wrong. Randomness (MathRandom without a seed, UUID) can be injected for tests.
 */
import { createHash, randomUUID } from 'node:crypto';
import { evaluatePath, isJsonObject, showJson } from './jsonpath.ts';
import { type ContextObject, type Json, StatesError, type Variables } from './types.ts';

export interface IntrinsicEnv {
  /** A float in [0, 1) (default Math.random); MathRandom without a seed uses it. */
  readonly random?: () => number;
  /** A v4 UUID (default crypto.randomUUID). */
  readonly uuid?: () => string;
  /** The ASL field being evaluated (e.g. `greeting.$`), for error messages. */
  readonly field?: string;
}

export type IntrinsicArg =
  /** `raw` is the text between the quotes, escapes kept (Format reads `\{` in it). */
  | { readonly kind: 'string'; readonly value: string; readonly raw: string }
  | { readonly kind: 'literal'; readonly value: number | boolean | null }
  | { readonly kind: 'path'; readonly path: string }
  | IntrinsicCall;

export interface IntrinsicCall {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly IntrinsicArg[];
}

/** True when a `.$` value is an intrinsic function call rather than a path. */
export const isIntrinsic = (expr: string): boolean => expr.startsWith('States.');

const fail = (message: string): StatesError => new StatesError('States.IntrinsicFailure', message);

const cache = new Map<string, IntrinsicCall>();
const CACHE_MAX = 1000;

/** Parses an intrinsic function call (throws `States.IntrinsicFailure` on a syntax error). */
export function parseIntrinsic(expr: string): IntrinsicCall {
  const hit = cache.get(expr);
  if (hit) return hit;
  let i = 0;
  const bad = (why: string) => fail(`Invalid intrinsic function '${expr}': ${why} at position ${i}`);
  const ws = () => {
    while (i < expr.length && /\s/u.test(expr[i]!)) i++;
  };
  const call = (): IntrinsicCall => {
    const m = /^States\.[A-Za-z0-9]+/u.exec(expr.slice(i));
    if (!m) throw bad("expected a function 'States.<Name>('");
    const name = m[0];
    i += name.length;
    ws();
    if (expr[i] !== '(') throw bad("expected '('");
    i++;
    ws();
    const args: IntrinsicArg[] = [];
    if (expr[i] === ')') {
      i++;
      return { kind: 'call', name, args };
    }
    for (;;) {
      args.push(arg());
      ws();
      const c = expr[i++];
      if (c === ')') return { kind: 'call', name, args };
      if (c !== ',') {
        i--;
        throw bad("expected ',' or ')'");
      }
    }
  };
  const str = (): IntrinsicArg => {
    const start = ++i;
    let value = '';
    for (; i < expr.length && expr[i] !== "'"; i++) {
      const c = expr[i]!;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const next = expr[++i];
      if (next === undefined) break;
      // The reserved characters lose their escape; any other backslash stays as written.
      value += "'{}\\".includes(next) ? next : c + next;
    }
    if (i >= expr.length) throw bad('unterminated string');
    const raw = expr.slice(start, i++);
    return { kind: 'string', value, raw };
  };
  const path = (): IntrinsicArg => {
    // A path runs to the ',' or ')' that ends the argument, outside brackets and quotes.
    const start = i;
    let depth = 0;
    let quote: string | undefined;
    for (; i < expr.length; i++) {
      const c = expr[i]!;
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = undefined;
      } else if (depth > 0 && (c === "'" || c === '"')) quote = c;
      else if (c === '[' || c === '(') depth++;
      else if (c === ']' || (c === ')' && depth > 0)) depth--;
      else if (depth === 0 && (c === ',' || c === ')')) break;
    }
    return { kind: 'path', path: expr.slice(start, i).trim() };
  };
  const arg = (): IntrinsicArg => {
    ws();
    const c = expr[i];
    if (c === "'") return str();
    if (c === '$') return path();
    if (expr.startsWith('States.', i)) return call();
    const num = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/u.exec(expr.slice(i));
    const word = /^[A-Za-z]+/u.exec(expr.slice(i));
    if (num) {
      const value = Number(num[0]);
      if (!Number.isFinite(value)) throw bad(`the number ${num[0]} is out of range`);
      i += num[0].length;
      return { kind: 'literal', value };
    }
    const literals: Record<string, boolean | null> = { true: true, false: false, null: null };
    if (word && Object.hasOwn(literals, word[0])) {
      i += word[0].length;
      return { kind: 'literal', value: literals[word[0]]! };
    }
    throw bad('expected a string, number, boolean, null, path or function call');
  };
  ws();
  const parsed = call();
  ws();
  if (i < expr.length) throw bad('unexpected text after the function call');
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(expr, parsed);
  return parsed;
}

interface Scope {
  readonly data: Json;
  readonly ctx: ContextObject;
  readonly vars: Variables;
  readonly env: IntrinsicEnv;
}

const typeName = (v: Json): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v;

function argValue(arg: IntrinsicArg, scope: Scope): Json {
  switch (arg.kind) {
    case 'string':
    case 'literal':
      return arg.value;
    case 'path':
      return evaluatePath(arg.path, scope.data, scope.ctx, scope.vars, scope.env.field);
    case 'call':
      return callIntrinsic(arg, scope);
  }
}

/** Typed access to a function's evaluated arguments, failing with the function and position named. */
class Args {
  readonly fn: string;
  readonly values: readonly Json[];
  constructor(fn: string, values: readonly Json[]) {
    this.fn = fn;
    this.values = values;
  }
  private at(n: number): Json {
    return this.values[n] as Json;
  }
  private wrong(n: number, want: string): StatesError {
    const v = this.at(n);
    return fail(`${this.fn}: argument ${n + 1} must be ${want}, got ${typeName(v)} ${showJson(v)}`);
  }
  any(n: number): Json {
    return this.at(n);
  }
  string(n: number, maxLength?: number): string {
    const v = this.at(n);
    if (typeof v !== 'string') throw this.wrong(n, 'a string');
    if (maxLength !== undefined && v.length > maxLength)
      throw fail(
        `${this.fn}: argument ${n + 1} must be at most ${maxLength} characters long, got ${v.length}`,
      );
    return v;
  }
  array(n: number): Json[] {
    const v = this.at(n);
    if (!Array.isArray(v)) throw this.wrong(n, 'an array');
    return v;
  }
  object(n: number): { [key: string]: Json } {
    const v = this.at(n);
    if (!isJsonObject(v)) throw this.wrong(n, 'an object');
    return v;
  }
  number(n: number): number {
    const v = this.at(n);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.wrong(n, 'a number');
    return v;
  }
  integer(n: number, min?: number): number {
    const v = this.at(n);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw this.wrong(n, 'an integer');
    if (min !== undefined && v < min) throw this.wrong(n, `an integer >= ${min}`);
    return v;
  }
  boolean(n: number): boolean {
    const v = this.at(n);
    if (typeof v !== 'boolean') throw this.wrong(n, 'a boolean');
    return v;
  }
}

/** Deep equality of JSON values (object key order does not matter). */
export function jsonEquals(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, k) => jsonEquals(x, b[k]!));
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && jsonEquals(a[k]!, b[k]!));
}

/** A deterministic float in [0, 1) from an integer seed (mulberry32). */
function seededRandom(seed: number): number {
  let t = (Math.trunc(seed) + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const HASHES: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
const MAX_STRING = 10_000;
const MAX_RANGE = 1000;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/u;

type Impl = (a: Args, scope: Scope) => Json;
/** Each function: its argument count range and its implementation. */
const FUNCTIONS: Record<string, { readonly min: number; readonly max: number; readonly run: Impl }> = {
  'States.Format': { min: 1, max: Number.POSITIVE_INFINITY, run: () => '' }, // see format()
  'States.StringToJson': {
    min: 1,
    max: 1,
    run: (a) => {
      const s = a.string(0);
      try {
        return JSON.parse(s) as Json;
      } catch (e) {
        throw fail(
          `States.StringToJson: argument 1 is not valid JSON (${(e as Error).message}): ${showJson(s)}`,
        );
      }
    },
  },
  'States.JsonToString': { min: 1, max: 1, run: (a) => JSON.stringify(a.any(0)) },
  'States.Array': { min: 0, max: Number.POSITIVE_INFINITY, run: (a) => [...a.values] },
  'States.ArrayPartition': {
    min: 2,
    max: 2,
    run: (a) => {
      const arr = a.array(0);
      const size = a.integer(1, 1);
      const out: Json[] = [];
      for (let k = 0; k < arr.length; k += size) out.push(arr.slice(k, k + size));
      return out;
    },
  },
  'States.ArrayContains': {
    min: 2,
    max: 2,
    run: (a) => {
      const needle = a.any(1);
      return a.array(0).some((x) => jsonEquals(x, needle));
    },
  },
  'States.ArrayRange': {
    min: 3,
    max: 3,
    run: (a) => {
      const [start, end, step] = [a.integer(0), a.integer(1), a.integer(2)];
      if (step === 0) throw fail('States.ArrayRange: the step (argument 3) cannot be 0');
      const count = (end - start) / step < 0 ? 0 : Math.floor((end - start) / step) + 1;
      if (count > MAX_RANGE)
        throw fail(
          `States.ArrayRange: the range would have ${count} items; at most ${MAX_RANGE} are allowed`,
        );
      return Array.from({ length: count }, (_, k) => start + k * step);
    },
  },
  'States.ArrayGetItem': {
    min: 2,
    max: 2,
    run: (a) => {
      const arr = a.array(0);
      const index = a.integer(1, 0);
      if (index >= arr.length)
        throw fail(
          `States.ArrayGetItem: index ${index} is out of bounds for an array of length ${arr.length}`,
        );
      return arr[index]!;
    },
  },
  'States.ArrayLength': { min: 1, max: 1, run: (a) => a.array(0).length },
  'States.ArrayUnique': {
    min: 1,
    max: 1,
    run: (a) => {
      const out: Json[] = [];
      for (const x of a.array(0)) if (!out.some((y) => jsonEquals(x, y))) out.push(x);
      return out;
    },
  },
  'States.Base64Encode': {
    min: 1,
    max: 1,
    run: (a) => Buffer.from(a.string(0, MAX_STRING), 'utf8').toString('base64'),
  },
  'States.Base64Decode': {
    min: 1,
    max: 1,
    run: (a) => {
      const s = a.string(0, MAX_STRING);
      if (!BASE64.test(s)) throw fail(`States.Base64Decode: argument 1 is not valid base64: ${showJson(s)}`);
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(s, 'base64'));
      } catch {
        throw fail('States.Base64Decode: the decoded bytes are not valid UTF-8');
      }
    },
  },
  'States.Hash': {
    min: 2,
    max: 2,
    run: (a) => {
      const data = a.string(0, MAX_STRING);
      const algorithm = a.string(1);
      const node = Object.hasOwn(HASHES, algorithm) ? HASHES[algorithm] : undefined;
      if (!node)
        throw fail(
          `States.Hash: unsupported algorithm ${showJson(algorithm)}; use one of ${Object.keys(HASHES).join(', ')}`,
        );
      return createHash(node).update(data, 'utf8').digest('hex');
    },
  },
  'States.JsonMerge': {
    min: 3,
    max: 3,
    run: (a) => {
      const [left, right, deep] = [a.object(0), a.object(1), a.boolean(2)];
      if (deep) throw fail('States.JsonMerge: deep merging is not supported; argument 3 must be false');
      const out: { [key: string]: Json } = {};
      for (const src of [left, right])
        for (const [k, v] of Object.entries(src))
          Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      return out;
    },
  },
  'States.MathRandom': {
    min: 2,
    max: 3,
    run: (a, scope) => {
      const [start, end] = [a.integer(0), a.integer(1)];
      const seed = a.values.length > 2 ? a.integer(2) : undefined;
      if (end <= start)
        throw fail(`States.MathRandom: the end (${end}) must be greater than the start (${start})`);
      const r = seed === undefined ? (scope.env.random ?? Math.random)() : seededRandom(seed);
      return start + Math.floor(r * (end - start));
    },
  },
  'States.MathAdd': {
    min: 2,
    max: 2,
    run: (a) => {
      const sum = a.number(0) + a.number(1);
      if (!Number.isFinite(sum)) throw fail('States.MathAdd: the sum is out of range');
      return sum;
    },
  },
  'States.StringSplit': {
    min: 2,
    max: 2,
    run: (a) => {
      // Every character of the delimiter splits (AWS: 'This.is+a,test=string' by '.+,=' gives 5
      // parts); empty parts are dropped.
      const [s, delims] = [a.string(0), a.string(1)];
      const out: string[] = [];
      let part = '';
      for (const c of s) {
        if (delims.includes(c)) {
          if (part) out.push(part);
          part = '';
        } else part += c;
      }
      if (part) out.push(part);
      return out;
    },
  },
  'States.UUID': { min: 0, max: 0, run: (_a, scope) => (scope.env.uuid ?? randomUUID)() },
};

/** Every intrinsic function name Nimbus implements. */
export const INTRINSIC_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

function arity(min: number, max: number): string {
  const n = (k: number) => `${k} argument${k === 1 ? '' : 's'}`;
  if (min === max) return `exactly ${n(min)}`;
  return max === Number.POSITIVE_INFINITY ? `at least ${n(min)}` : `${min} to ${max} arguments`;
}

/** States.Format: `{}` takes the next argument; in a literal template `\{` `\}` are plain braces. */
function format(call: IntrinsicCall, scope: Scope): string {
  const [first, ...rest] = call.args;
  let template: { text: string; escaped: boolean };
  if (first?.kind === 'string') template = { text: first.raw, escaped: true };
  else {
    const v = first === undefined ? undefined : argValue(first, scope);
    if (typeof v !== 'string')
      throw fail(
        `States.Format: argument 1 must be a string, got ${v === undefined ? 'nothing' : typeName(v)}`,
      );
    template = { text: v, escaped: false };
  }
  const values = rest.map((arg, k) => {
    const v = argValue(arg, scope);
    if (v !== null && typeof v === 'object')
      throw fail(
        `States.Format: argument ${k + 2} must be a string, number, boolean or null, got ${typeName(v)}`,
      );
    return String(v);
  });
  const { text, escaped } = template;
  let out = '';
  let used = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (escaped && c === '\\' && k + 1 < text.length) {
      const next = text[++k]!;
      out += "'{}\\".includes(next) ? next : c + next;
    } else if (c === '{' && text[k + 1] === '}') {
      k++;
      if (used < values.length) out += values[used];
      used++;
    } else out += c;
  }
  if (used !== values.length)
    throw fail(
      `States.Format: the template has ${used} '{}' placeholder${used === 1 ? '' : 's'} but ${values.length} value${values.length === 1 ? ' was' : 's were'} given`,
    );
  return out;
}

function callIntrinsic(call: IntrinsicCall, scope: Scope): Json {
  const spec = Object.hasOwn(FUNCTIONS, call.name) ? FUNCTIONS[call.name] : undefined;
  if (!spec) throw fail(`Unknown intrinsic function '${call.name}'`);
  const n = call.args.length;
  if (n < spec.min || n > spec.max) throw fail(`${call.name} takes ${arity(spec.min, spec.max)}, got ${n}`);
  if (call.name === 'States.Format') return format(call, scope);
  const values = call.args.map((arg) => argValue(arg, scope));
  return spec.run(new Args(call.name, values), scope);
}

/**
 * Evaluates an intrinsic function call: `$` paths select from `data`, `$$` from `ctx`, `$name`
 * from `vars`. Throws `States.IntrinsicFailure` for a bad call, `States.Runtime` when a path
 * argument matches nothing.
 */
export function evaluateIntrinsic(
  expr: string,
  data: Json,
  ctx: ContextObject,
  vars: Variables,
  env: IntrinsicEnv = {},
): Json {
  return callIntrinsic(parseIntrinsic(expr), { data, ctx, vars, env });
}
