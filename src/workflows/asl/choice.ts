/**
 * @module workflows/asl/choice
 * JSONPath Choice rules: every ASL comparison operator (String*, Numeric*, Boolean*, Timestamp*,
 * their `…Path` forms, StringMatches, IsNull/IsPresent/IsNumeric/IsString/IsBoolean/IsTimestamp)
 * and And/Or/Not nesting, with AWS's semantics: a value of the wrong type makes a comparison false;
 * a `Variable` that selects nothing is `States.Runtime` except for IsPresent (which is then false).
 * Also the RFC 3339 timestamp parser Choice and Wait share.
 */
import { queryPath } from './jsonpath.ts';
import { type ChoiceRule, type ContextObject, type Json, StatesError, type Variables } from './types.ts';

/** An RFC 3339 instant: epoch milliseconds, and nanoseconds for exact comparison. */
export interface Timestamp {
  readonly ms: number;
  readonly ns: bigint;
}

// AWS: an uppercase T between date and time, an uppercase Z when there is no numeric offset.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/u;

/** Parses an RFC 3339 timestamp (`2016-08-18T17:33:00Z`, `…T17:33:00.123+02:00`); undefined if not one. */
export function parseTimestamp(s: string): Timestamp | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0); // day 0 of the next month: the last day of this one
  const daysInMonth = last.getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const zone = m[8]!;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const [oh, om] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const secondsMs = date.getTime() - offsetMin * 60_000;
  const fraction = (m[7] ?? '').padEnd(9, '0');
  const ns = BigInt(secondsMs) * 1_000_000n + BigInt(fraction);
  return { ms: secondsMs + Math.floor(Number(fraction) / 1_000_000), ns };
}

type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

const RELATIONS: Record<Relation, (c: number) => boolean> = {
  Equals: (c) => c === 0,
  LessThan: (c) => c < 0,
  GreaterThan: (c) => c > 0,
  LessThanEquals: (c) => c <= 0,
  GreaterThanEquals: (c) => c >= 0,
};

const cmp = <T extends string | number | bigint>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

/** `value` compared with `operand` as `kind`: a number (<0, 0, >0), or undefined on a type mismatch. */
function compare(kind: Kind, value: Json, operand: Json): number | undefined {
  switch (kind) {
    case 'String':
      return typeof value === 'string' && typeof operand === 'string' ? cmp(value, operand) : undefined;
    case 'Numeric':
      return typeof value === 'number' && typeof operand === 'number' ? cmp(value, operand) : undefined;
    case 'Boolean':
      return typeof value === 'boolean' && typeof operand === 'boolean'
        ? value === operand
          ? 0
          : 1
        : undefined;
    case 'Timestamp': {
      const a = typeof value === 'string' ? parseTimestamp(value) : undefined;
      const b = typeof operand === 'string' ? parseTimestamp(operand) : undefined;
      return a && b ? cmp(a.ns, b.ns) : undefined;
    }
  }
}

/**
 * `StringMatches`: `*` matches any run of characters; `\*` is a literal `*`, `\\` a literal `\`.
 * Greedy matching with a single backtrack point (no regular expression, so no catastrophic cases).
 */
export function stringMatches(value: string, pattern: string): boolean {
  const tokens: (string | null)[] = []; // a character, or null for a wildcard
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k]!;
    if (c === '\\' && (pattern[k + 1] === '*' || pattern[k + 1] === '\\')) tokens.push(pattern[++k]!);
    else tokens.push(c === '*' ? null : c);
  }
  let v = 0;
  let t = 0;
  let star = -1; // the last wildcard seen, and where in `value` it started matching
  let mark = 0;
  while (v < value.length) {
    if (t < tokens.length && tokens[t] !== null && tokens[t] === value[v]) {
      v++;
      t++;
    } else if (t < tokens.length && tokens[t] === null) {
      star = t++;
      mark = v;
    } else if (star >= 0) {
      t = star + 1;
      v = ++mark;
    } else return false;
  }
  while (t < tokens.length && tokens[t] === null) t++;
  return t === tokens.length;
}

const TYPE_TESTS: Record<string, (v: Json) => boolean> = {
  IsNull: (v) => v === null,
  IsNumeric: (v) => typeof v === 'number',
  IsString: (v) => typeof v === 'string',
  IsBoolean: (v) => typeof v === 'boolean',
  IsTimestamp: (v) => typeof v === 'string' && parseTimestamp(v) !== undefined,
};

/** Operator name → how it compares (type tests and IsPresent are handled apart). */
const COMPARISONS = new Map<
  string,
  { readonly kind: Kind; readonly relation: Relation; readonly path: boolean }
>();
for (const kind of ['String', 'Numeric', 'Boolean', 'Timestamp'] as const)
  for (const relation of Object.keys(RELATIONS) as Relation[]) {
    if (kind === 'Boolean' && relation !== 'Equals') continue;
    COMPARISONS.set(`${kind}${relation}`, { kind, relation, path: false });
    COMPARISONS.set(`${kind}${relation}Path`, { kind, relation, path: true });
  }

/** Every comparison operator this module knows. */
export const CHOICE_OPERATORS: readonly string[] = [
  ...COMPARISONS.keys(),
  'StringMatches',
  'IsPresent',
  ...Object.keys(TYPE_TESTS),
];
const OPERATORS = new Set(CHOICE_OPERATORS);

const runtime = (message: string) => new StatesError('States.Runtime', message);

function operatorOf(rule: ChoiceRule): string {
  const ops = Object.keys(rule).filter((k) => OPERATORS.has(k));
  if (ops.length !== 1)
    throw runtime(
      ops.length === 0
        ? `A Choice rule needs a comparison operator or And/Or/Not: ${JSON.stringify(rule)}`
        : `A Choice rule has more than one comparison operator (${ops.join(', ')})`,
    );
  return ops[0]!;
}

const invalidPath = (path: string) =>
  runtime(`Invalid path '${path}': The choice state's condition path references an invalid value.`);

/** Whether `rule` (a comparison or And/Or/Not) holds over `data` (`$`), `ctx` (`$$`) and `vars`. */
export function evaluateRule(rule: ChoiceRule, data: Json, ctx: ContextObject, vars: Variables): boolean {
  if (rule.And !== undefined) {
    if (!Array.isArray(rule.And) || rule.And.length === 0)
      throw runtime('And needs a non-empty array of rules');
    return rule.And.every((r: ChoiceRule) => evaluateRule(r, data, ctx, vars));
  }
  if (rule.Or !== undefined) {
    if (!Array.isArray(rule.Or) || rule.Or.length === 0) throw runtime('Or needs a non-empty array of rules');
    return rule.Or.some((r: ChoiceRule) => evaluateRule(r, data, ctx, vars));
  }
  if (rule.Not !== undefined) {
    if (typeof rule.Not !== 'object' || rule.Not === null) throw runtime('Not needs a rule');
    return !evaluateRule(rule.Not, data, ctx, vars);
  }
  const op = operatorOf(rule);
  const operand = rule[op];
  const variable = rule.Variable;
  if (typeof variable !== 'string' || !variable.startsWith('$'))
    throw runtime(`The Choice rule with ${op} needs a Variable path, got ${JSON.stringify(variable)}`);
  const value = queryPath(variable, data, ctx, vars);

  if (op === 'IsPresent') {
    if (typeof operand !== 'boolean') throw runtime('IsPresent must be true or false');
    return (value !== undefined) === operand;
  }
  if (value === undefined) throw invalidPath(variable);

  const typeTest = TYPE_TESTS[op];
  if (typeTest) {
    if (typeof operand !== 'boolean') throw runtime(`${op} must be true or false`);
    return typeTest(value) === operand;
  }
  if (op === 'StringMatches') {
    if (typeof operand !== 'string') throw runtime('StringMatches must be a string pattern');
    return typeof value === 'string' && stringMatches(value, operand);
  }
  const spec = COMPARISONS.get(op)!;
  let against: Json;
  if (spec.path) {
    if (typeof operand !== 'string' || !operand.startsWith('$')) throw runtime(`${op} must be a path`);
    const found = queryPath(operand, data, ctx, vars);
    if (found === undefined) throw invalidPath(operand);
    against = found;
  } else {
    if (operand === undefined) throw runtime(`${op} needs a value`);
    against = operand as Json;
  }
  const c = compare(spec.kind, value, against);
  return c !== undefined && RELATIONS[spec.relation](c);
}

/** The first rule of `rules` that holds, or undefined. */
export function firstMatchingRule(
  rules: readonly ChoiceRule[],
  data: Json,
  ctx: ContextObject,
  vars: Variables,
): ChoiceRule | undefined {
  return rules.find((rule) => evaluateRule(rule, data, ctx, vars));
}
