/**
 * @module workflows/asl/jsonata-io
 * The JSONata query language of ASL (`QueryLanguage: "JSONata"`): a string that is, trimmed, `{% expr %}`
 * is a JSONata expression; objects and arrays are templates walked for such strings; anything else
 * is a literal. Expressions see `$states.input` (the raw state input), `$states.result` (after the
 * work), `$states.errorOutput` (in a Catcher), `$states.context` (the context object) and every
 * workflow variable as `$name` (values from before the state: Assign and Output both see them).
 * Step Functions' extension functions are provided ($partition, $range, $hash, $random with a
 * seed, $uuid, $parse; `$eval` is refused as on AWS). Any failure is States.QueryEvaluationError
 * naming the field and the expression. Compiled expressions are cached per IO instance.
 */
import { createHash, randomUUID } from 'node:crypto';
import jsonata from 'jsonata';
import type { ErrorOutput, StateIO, StateOutput } from './io.ts';
import type {
  Catcher,
  ChoiceRule,
  ContextObject,
  Json,
  JsonObject,
  MapState,
  State,
  Variables,
} from './types.ts';
import { StatesError } from './types.ts';

export interface JsonataEnv {
  /** [0, 1) for `$random()` without a seed (default Math.random). */
  readonly random?: () => number;
  /** `$uuid()` (default crypto.randomUUID). */
  readonly uuid?: () => string;
  /** Epoch ms for `$now()` and `$millis()` (default: the clock at evaluation). */
  readonly now?: () => number;
}

/** Guards on one evaluation: wall time (ms) and JSONata evaluation depth. */
// The evaluation runs on the platform's event loop (it never yields while it computes): the
// bounds stay small. `sequence` caps any array JSONata builds.
const EVAL_LIMITS = { timeout: 500, stack: 500, sequence: 1_000_000 } as const;
/** Compiled expressions kept per IO instance (oldest dropped first beyond this). */
const CACHE_SIZE = 5_000;
/** Most items `$range` builds (the limit of its JSONPath twin, States.ArrayRange). */
const RANGE_MAX_ITEMS = 1_000;
const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
const QEE = 'States.QueryEvaluationError';
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The expression inside a `{% … %}` string (trimmed), or undefined for a literal string. */
export function expressionOf(value: string): string | undefined {
  const t = value.trim();
  return t.length >= 4 && t.startsWith('{%') && t.endsWith('%}') ? t.slice(2, -2) : undefined;
}

/** An RFC 3339 timestamp as ASL wants it (uppercase T and Z), and a real date. */
export function isRfc3339(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  return !Number.isNaN(Date.parse(s));
}

/** What `$states` holds while one field evaluates. */
interface Scope {
  readonly input: Json;
  readonly context: ContextObject;
  readonly vars: Variables;
  readonly result?: Json;
  readonly errorOutput?: Json;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function messageOf(e: unknown): string {
  if (isObject(e) || e instanceof Error) {
    const m = (e as { message?: unknown }).message;
    const code = (e as { code?: unknown }).code;
    const text = typeof m === 'string' ? m : String(e);
    return typeof code === 'string' ? `${code}: ${text}` : text;
  }
  return String(e);
}

/** A JSONata value as JSON; `undefined` inside objects drops the key (JSON.stringify's rule). */
function toJson(v: unknown, field: string, expr: string): Json | undefined {
  if (v === undefined || v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v))
      throw new StatesError(QEE, `${describe(field, expr)} returned a non-finite number`);
    return v;
  }
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const item of v) {
      const j = toJson(item, field, expr);
      if (j !== undefined) out.push(j);
    }
    return out;
  }
  if (
    typeof v === 'function' ||
    (isObject(v) && v['_jsonata_function'] === true) ||
    (isObject(v) && v['_jsonata_lambda'])
  ) {
    throw new StatesError(QEE, `${describe(field, expr)} returned a function, not JSON`);
  }
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, item] of Object.entries(v)) {
      const j = toJson(item, field, expr);
      if (j !== undefined)
        Object.defineProperty(out, k, { value: j, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  throw new StatesError(QEE, `${describe(field, expr)} returned a value that is not JSON`);
}

const describe = (field: string, expr: string): string =>
  `The JSONata expression '${expr.trim()}' specified for the field '${field}'`;

/** Mulberry32: a small deterministic generator for `$random(seed)`. */
function seeded(seed: number): number {
  let t = (Math.trunc(seed) + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function registerExtensions(expr: jsonata.Expression, env: JsonataEnv): void {
  expr.registerFunction(
    'partition',
    (array: unknown[], size: number) => {
      if (!Number.isInteger(size) || size < 1)
        throw new Error('$partition: the size must be a positive integer');
      const out: unknown[][] = [];
      for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
      return out;
    },
    '<an:a>',
  );
  expr.registerFunction(
    'range',
    (start: number, end: number, step?: number) => {
      const s = step ?? 1;
      if (![start, end, s].every(Number.isInteger))
        throw new Error('$range: start, end and step must be integers');
      if (s === 0) throw new Error('$range: the step must not be 0');
      const count = Math.floor((end - start) / s) + 1;
      if (count > RANGE_MAX_ITEMS) throw new Error(`$range: at most ${RANGE_MAX_ITEMS} items`);
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(start + i * s);
      return out;
    },
    '<nnn?:a<n>>',
  );
  expr.registerFunction(
    'hash',
    (value: string, algorithm: string) => {
      const alg = Object.hasOwn(HASH_ALGORITHMS, algorithm) ? HASH_ALGORITHMS[algorithm] : undefined;
      if (!alg)
        throw new Error(`$hash: the algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
      return createHash(alg).update(value, 'utf8').digest('hex');
    },
    '<ss:s>',
  );
  expr.registerFunction(
    'random',
    (seed?: number) => (seed === undefined ? (env.random ?? Math.random)() : seeded(seed)),
    '<n?:n>',
  );
  expr.registerFunction('uuid', () => (env.uuid ?? randomUUID)(), '<:s>');
  expr.registerFunction(
    'parse',
    (text: string) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        throw new Error(`$parse: not JSON (${e instanceof Error ? e.message : String(e)})`);
      }
    },
    '<s:x>',
  );
  expr.registerFunction('eval', () => {
    throw new Error('$eval is not available in Step Functions; use $parse');
  });
  const now = env.now;
  if (now) {
    expr.registerFunction('millis', () => now(), '<:n>');
    expr.registerFunction(
      'now',
      function (this: jsonata.Focus, picture?: string, timezone?: string) {
        const fromMillis: unknown = this.environment.lookup('fromMillis');
        const impl = isObject(fromMillis) ? fromMillis['implementation'] : undefined;
        if (typeof impl !== 'function') return new Date(now()).toISOString();
        return (impl as (ms: number, p?: string, tz?: string) => string).call(this, now(), picture, timezone);
      },
      '<s?s?:s>',
    );
  }
}

/** The JSONata StateIO. `env` fixes the non-deterministic functions (tests, replays). */
export function createJsonataIO(env: JsonataEnv = {}): StateIO {
  const cache = new Map<string, jsonata.Expression>();

  function compiled(expr: string, field: string): jsonata.Expression {
    const hit = cache.get(expr);
    if (hit) return hit;
    let e: jsonata.Expression;
    try {
      e = jsonata(expr, EVAL_LIMITS);
    } catch (err) {
      throw new StatesError(QEE, `${describe(field, expr)} is not valid JSONata: ${messageOf(err)}`);
    }
    registerExtensions(e, env);
    if (cache.size >= CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(expr, e);
    return e;
  }

  async function evaluate(expr: string, field: string, scope: Scope): Promise<Json> {
    const states: Record<string, unknown> = { input: scope.input, context: scope.context };
    if (scope.result !== undefined) states['result'] = scope.result;
    if (scope.errorOutput !== undefined) states['errorOutput'] = scope.errorOutput;
    let value: unknown;
    try {
      value = await compiled(expr, field).evaluate(undefined, { ...scope.vars, states });
    } catch (err) {
      if (err instanceof StatesError) throw err;
      throw new StatesError(QEE, `${describe(field, expr)} threw an error: ${messageOf(err)}`);
    }
    const json = toJson(value, field, expr);
    if (json === undefined)
      throw new StatesError(QEE, `${describe(field, expr)} returned nothing (undefined)`);
    return json;
  }

  /** A field's value: expressions evaluated, templates walked, literals as they are. */
  async function value(v: Json | undefined, field: string, scope: Scope): Promise<Json> {
    if (v === undefined) return null;
    if (typeof v === 'string') {
      const expr = expressionOf(v);
      return expr === undefined ? v : evaluate(expr, field, scope);
    }
    if (Array.isArray(v)) {
      const out: Json[] = [];
      for (let i = 0; i < v.length; i++) out.push(await value(v[i], `${field}[${i}]`, scope));
      return out;
    }
    if (v !== null && typeof v === 'object') {
      const out: JsonObject = {};
      for (const [k, item] of Object.entries(v)) {
        const j = await value(item, `${field}.${k}`, scope);
        Object.defineProperty(out, k, { value: j, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  }

  async function assign(a: unknown, field: string, scope: Scope): Promise<Record<string, Json> | undefined> {
    if (a === undefined) return undefined;
    if (!isObject(a)) {
      if (typeof a === 'string' && expressionOf(a) !== undefined) {
        const v = await value(a, field, scope);
        if (isObject(v)) return v as Record<string, Json>;
      }
      throw new StatesError(QEE, `The field '${field}' must be an object of variable names to values`);
    }
    const out: Record<string, Json> = {};
    for (const [k, item] of Object.entries(a)) {
      Object.defineProperty(out, k, {
        value: await value(item as Json, `${field}.${k}`, scope),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  async function finish(
    state: { Output?: Json; Assign?: JsonObject },
    fallback: Json,
    scope: Scope,
  ): Promise<StateOutput> {
    const a = await assign(state.Assign, 'Assign', scope);
    const output = state.Output === undefined ? fallback : await value(state.Output, 'Output', scope);
    return a === undefined ? { output } : { output, assign: a };
  }

  async function integer(
    v: unknown,
    field: string,
    scope: Scope,
    rule: { min: number; max?: number; integer: boolean },
  ): Promise<number> {
    const n = typeof v === 'string' ? await value(v, field, scope) : v;
    const ok =
      typeof n === 'number' &&
      Number.isFinite(n) &&
      (!rule.integer || Number.isInteger(n)) &&
      n >= rule.min &&
      (rule.max === undefined || n <= rule.max);
    if (!ok) {
      const what = rule.integer ? 'an integer' : 'a number';
      const range = rule.max === undefined ? `>= ${rule.min}` : `between ${rule.min} and ${rule.max}`;
      const src = typeof v === 'string' ? describe(field, expressionOf(v) ?? v) : `The field '${field}'`;
      throw new StatesError(QEE, `${src} must be ${what} ${range}, got ${JSON.stringify(n) ?? 'nothing'}`);
    }
    return n;
  }

  const io: StateIO = {
    async effectiveInput(state, raw, ctx, vars) {
      if (state.Arguments === undefined) return raw;
      return value(state.Arguments, 'Arguments', { input: raw, context: ctx, vars });
    },

    async resultOutput(state, raw, result, ctx, vars) {
      return finish(state, result, { input: raw, result, context: ctx, vars });
    },

    async passOutput(state, raw, ctx, vars) {
      return finish(state, raw, { input: raw, context: ctx, vars });
    },

    async plainOutput(state, raw, ctx, vars) {
      return finish(state as { Output?: Json; Assign?: JsonObject }, raw, { input: raw, context: ctx, vars });
    },

    async choose(state, raw, ctx, vars) {
      const scope: Scope = { input: raw, context: ctx, vars };
      for (let i = 0; i < state.Choices.length; i++) {
        const rule: ChoiceRule = state.Choices[i]!;
        const field = `Choices[${i}].Condition`;
        const c = rule.Condition;
        const matched = typeof c === 'string' ? await value(c, field, scope) : c;
        if (typeof matched !== 'boolean') {
          const src = typeof c === 'string' ? describe(field, expressionOf(c) ?? c) : `The field '${field}'`;
          throw new StatesError(
            QEE,
            `${src} must evaluate to a boolean, got ${JSON.stringify(matched) ?? 'nothing'}`,
          );
        }
        if (!matched) continue;
        const stateAssign = await assign(state.Assign, 'Assign', scope);
        const ruleAssign = await assign(rule.Assign, `Choices[${i}].Assign`, scope);
        const merged = stateAssign || ruleAssign ? { ...stateAssign, ...ruleAssign } : undefined;
        const output =
          rule.Output !== undefined
            ? await value(rule.Output, `Choices[${i}].Output`, scope)
            : state.Output !== undefined
              ? await value(state.Output, 'Output', scope)
              : raw;
        return merged === undefined
          ? { output, next: rule.Next }
          : { output, assign: merged, next: rule.Next };
      }
      const out = await finish(state, raw, scope);
      return { ...out, next: state.Default };
    },

    async waitUntil(state, raw, ctx, vars, now) {
      const scope: Scope = { input: raw, context: ctx, vars };
      if (state.Seconds !== undefined) {
        const s = await integer(state.Seconds, 'Seconds', scope, { min: 0, integer: true });
        return now + s * 1000;
      }
      if (state.Timestamp !== undefined) {
        const t = await value(state.Timestamp, 'Timestamp', scope);
        if (typeof t !== 'string' || !isRfc3339(t)) {
          const src = expressionOf(state.Timestamp);
          const what = src === undefined ? `The field 'Timestamp'` : describe('Timestamp', src);
          throw new StatesError(QEE, `${what} must be an RFC 3339 timestamp, got ${JSON.stringify(t)}`);
        }
        return Date.parse(t);
      }
      throw new StatesError('States.Runtime', 'A JSONata Wait state needs Seconds or Timestamp');
    },

    async failure(state, raw, ctx, vars) {
      const scope: Scope = { input: raw, context: ctx, vars };
      const out: { error?: string; cause?: string } = {};
      for (const field of ['Error', 'Cause'] as const) {
        const v = state[field];
        if (v === undefined) continue;
        const s = await value(v, field, scope);
        if (typeof s !== 'string') {
          throw new StatesError(QEE, `${describe(field, expressionOf(v) ?? v)} must evaluate to a string`);
        }
        if (field === 'Error') out.error = s;
        else out.cause = s;
      }
      return out;
    },

    async mapItems(state: MapState, raw, ctx, vars) {
      if (state.Items === undefined) {
        if (!Array.isArray(raw))
          throw new StatesError(QEE, 'The Map state input must be an array when Items is not set');
        return raw;
      }
      const items = await value(state.Items, 'Items', { input: raw, context: ctx, vars });
      if (!Array.isArray(items)) {
        const src =
          typeof state.Items === 'string'
            ? describe('Items', expressionOf(state.Items) ?? '')
            : "The field 'Items'";
        throw new StatesError(
          QEE,
          `${src} must be an array, got ${typeof items === 'object' ? 'an object' : typeof items}`,
        );
      }
      return items;
    },

    async mapItemInput(state, raw, ctx, vars) {
      if (state.ItemSelector !== undefined)
        return value(state.ItemSelector, 'ItemSelector', { input: raw, context: ctx, vars });
      if (!ctx.Map)
        throw new StatesError('States.Runtime', 'A Map iteration has no $states.context.Map.Item');
      return ctx.Map.Item.Value;
    },

    async numberField(state: State, field, raw, ctx, vars) {
      const v = (state as unknown as Record<string, unknown>)[field];
      if (v === undefined) return undefined;
      const scope: Scope = { input: raw, context: ctx, vars };
      switch (field) {
        case 'TimeoutSeconds':
        case 'HeartbeatSeconds':
          return integer(v, field, scope, { min: 1, integer: true });
        case 'ToleratedFailurePercentage':
          return integer(v, field, scope, { min: 0, max: 100, integer: false });
        default:
          return integer(v, field, scope, { min: 0, integer: true });
      }
    },

    async catchOutput(catcher: Catcher, raw, error: ErrorOutput, ctx, vars) {
      return finish(catcher, error, { input: raw, errorOutput: error, context: ctx, vars });
    },
  };
  return io;
}
