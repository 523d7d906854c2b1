/**
 * @module security/iam/policy
 * The IAM identity-policy language: types, and a parser/validator that turns a JSON string or object
 * into a normalized {@link PolicyDocument} or refuses it with the statement index and field at fault
 * (`NIMBUS_ERR_IAM_POLICY_INVALID`).
 *
 * Only identity policies (attached to a user, key or role) are accepted: `Principal` and
 * `NotPrincipal` are refused. Actions are not checked against a service catalogue, so `nimbus:`
 * actions are as good as `s3:` ones; only their shape is checked.
 */
import { IamErrors } from './errors.ts';
import { type Part, parseTemplate } from './glob.ts';
import { decodeBase64, parseCidr, parseDateMs, parseNumber } from './values.ts';

export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type Effect = 'Allow' | 'Deny';

/** Operator → condition key → values (ORed). Normalized: values are always a non-empty string array. */
export type ConditionBlock = Record<string, Record<string, string[]>>;

/** One statement, normalized: every list is a string array. */
export interface Statement {
  Sid?: string;
  Effect: Effect;
  /** Exactly one of Action / NotAction is present. */
  Action?: string[];
  NotAction?: string[];
  /** Exactly one of Resource / NotResource is present. */
  Resource?: string[];
  NotResource?: string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  /**
   * `2012-10-17` is current. Under `2008-10-17` `${...}` is literal text, not a policy variable
   * (as in AWS).
   */
  Version: PolicyVersion;
  Id?: string;
  /** Always an array after {@link parsePolicy}. */
  Statement: Statement[];
}

export const POLICY_LIMITS = Object.freeze({
  maxStatements: 100,
  /**
   * Characters of the document as compact JSON (whitespace does not count, as in AWS). AWS allows
   * 2,048 for an inline user policy and 6,144 for a managed policy; we pick 10,240, room for a
   * hundred-odd resources without turning the evaluator's input into a denial-of-service vector.
   */
  maxDocumentChars: 10_240,
  /** A JSON string input may be pretty-printed, but no larger than this before it is even parsed. */
  maxSourceChars: 102_400,
  /** One Action/NotAction/Resource/NotResource entry. */
  maxPatternChars: 1_024,
});

// ---------------------------------------------------------------------------------------------------
// Condition operators

/** How an operator compares a context value with a policy value. */
export type OperatorFamily =
  | 'string'
  | 'stringIgnoreCase'
  | 'stringLike'
  | 'numeric'
  | 'date'
  | 'bool'
  | 'binary'
  | 'ip'
  | 'arn'
  | 'null';

export type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

interface OperatorSpec {
  readonly family: OperatorFamily;
  readonly comparison: Comparison;
  /** The `Not` form: true when the context value matches none of the policy values. */
  readonly negated: boolean;
}

const spec = (family: OperatorFamily, comparison: Comparison = 'eq', negated = false): OperatorSpec => ({
  family,
  comparison,
  negated,
});

/** Every base operator (each also takes the `IfExists` suffix, except `Null`). */
const OPERATORS: ReadonlyMap<string, OperatorSpec> = new Map([
  ['StringEquals', spec('string')],
  ['StringNotEquals', spec('string', 'eq', true)],
  ['StringEqualsIgnoreCase', spec('stringIgnoreCase')],
  ['StringNotEqualsIgnoreCase', spec('stringIgnoreCase', 'eq', true)],
  ['StringLike', spec('stringLike')],
  ['StringNotLike', spec('stringLike', 'eq', true)],
  ['NumericEquals', spec('numeric')],
  ['NumericNotEquals', spec('numeric', 'eq', true)],
  ['NumericLessThan', spec('numeric', 'lt')],
  ['NumericLessThanEquals', spec('numeric', 'le')],
  ['NumericGreaterThan', spec('numeric', 'gt')],
  ['NumericGreaterThanEquals', spec('numeric', 'ge')],
  ['DateEquals', spec('date')],
  ['DateNotEquals', spec('date', 'eq', true)],
  ['DateLessThan', spec('date', 'lt')],
  ['DateLessThanEquals', spec('date', 'le')],
  ['DateGreaterThan', spec('date', 'gt')],
  ['DateGreaterThanEquals', spec('date', 'ge')],
  ['Bool', spec('bool')],
  ['BinaryEquals', spec('binary')],
  ['IpAddress', spec('ip')],
  ['NotIpAddress', spec('ip', 'eq', true)],
  // The IAM user guide documents ArnEquals exactly like ArnLike (per-part wildcards), and
  // ArnNotEquals like ArnNotLike; so do we.
  ['ArnEquals', spec('arn')],
  ['ArnLike', spec('arn')],
  ['ArnNotEquals', spec('arn', 'eq', true)],
  ['ArnNotLike', spec('arn', 'eq', true)],
  ['Null', spec('null')],
]);

/** The base condition operator names (without `IfExists` / `ForAnyValue:` / `ForAllValues:`). */
export const CONDITION_OPERATORS: readonly string[] = Object.freeze([...OPERATORS.keys()]);

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

/** A condition operator name taken apart: `ForAllValues:StringLikeIfExists`. */
export interface ConditionOperator extends OperatorSpec {
  readonly name: string;
  readonly base: string;
  readonly ifExists: boolean;
  readonly set: SetQualifier | undefined;
}

function suggestOperator(name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const op of OPERATORS.keys()) {
    for (const prefix of ['', 'ForAnyValue:', 'ForAllValues:']) {
      for (const suffix of ['', 'IfExists']) {
        const candidate = `${prefix}${op}${suffix}`;
        if (candidate.toLowerCase() === lower) return candidate;
      }
    }
  }
  return undefined;
}

/** Parses an operator name; a string is the reason it is refused. */
export function parseConditionOperator(name: string): ConditionOperator | string {
  let rest = name;
  let set: SetQualifier | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const q = rest.slice(0, colon);
    if (q === 'ForAnyValue' || q === 'ForAllValues') set = q;
    rest = rest.slice(colon + 1);
  }
  const ifExists = rest.endsWith('IfExists');
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  const found = OPERATORS.get(base);
  if (!found || (colon >= 0 && set === undefined)) {
    const suggestion = suggestOperator(name);
    if (suggestion !== undefined) {
      return `unknown condition operator "${name}" (operator names are case-sensitive: did you mean "${suggestion}"?)`;
    }
    return `unknown condition operator "${name}"; known operators: ${CONDITION_OPERATORS.join(', ')} (each with an optional IfExists suffix and ForAnyValue:/ForAllValues: prefix)`;
  }
  if (found.family === 'null' && (ifExists || set !== undefined)) {
    return 'Null tests whether a key is present; it takes neither IfExists nor ForAnyValue:/ForAllValues:';
  }
  return { ...found, name, base, ifExists, set };
}

/** Whether the operator's values may hold policy variables (String, Arn and Bool operators, as in AWS). */
export function operatorTakesVariables(op: OperatorSpec): boolean {
  return (
    op.family === 'string' ||
    op.family === 'stringIgnoreCase' ||
    op.family === 'stringLike' ||
    op.family === 'arn' ||
    op.family === 'bool'
  );
}

/**
 * Splits an ARN template into its six colon-separated part templates (colons inside `${...}` do not
 * count; the resource part keeps later colons). Undefined when there are fewer than six parts.
 */
export function splitArnTemplate(parts: readonly Part[]): Part[][] | undefined {
  const segments: Part[][] = [[]];
  for (const p of parts) {
    if (p.kind !== 'text' || segments.length === 6) {
      segments.at(-1)!.push(p);
      continue;
    }
    let text = p.text;
    let colon = text.indexOf(':');
    while (colon >= 0 && segments.length < 6) {
      if (colon > 0) segments.at(-1)!.push({ kind: 'text', text: text.slice(0, colon) });
      segments.push([]);
      text = text.slice(colon + 1);
      colon = text.indexOf(':');
    }
    if (text !== '') segments.at(-1)!.push({ kind: 'text', text });
  }
  return segments.length === 6 ? segments : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Parsing

class PolicyProblem {
  readonly statement: number | '-';
  readonly field: string;
  readonly reason: string;
  constructor(statement: number | '-', field: string, reason: string) {
    this.statement = statement;
    this.field = field;
    this.reason = reason;
  }
}

function fail(statement: number | '-', field: string, reason: string): never {
  throw new PolicyProblem(statement, field, reason);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
};

/** Own-property define: a key named `__proto__` stays data, never a prototype. */
function put<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const ACTION = /^(?:\*|[a-z0-9-]+:[A-Za-z0-9_*?-]+)$/;
const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

function stringList(v: unknown, statement: number, field: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list)) fail(statement, field, `must be a string or an array of strings, not ${show(v)}`);
  if (list.length === 0) fail(statement, field, 'must not be an empty array');
  return list.map((item, i) => {
    if (typeof item !== 'string') fail(statement, field, `entry ${i} must be a string, not ${show(item)}`);
    if (item === '') fail(statement, field, `entry ${i} is an empty string`);
    if (item.length > POLICY_LIMITS.maxPatternChars) {
      fail(
        statement,
        field,
        `entry ${i} is ${item.length} characters; the limit is ${POLICY_LIMITS.maxPatternChars}`,
      );
    }
    return item;
  });
}

/** Exactly one of `key` / `Not<key>`; returns which one and its list. */
function oneOf(
  s: Record<string, unknown>,
  key: 'Action' | 'Resource',
  statement: number,
): [key: string, list: string[]] {
  const notKey = `Not${key}`;
  const has = Object.hasOwn(s, key);
  const hasNot = Object.hasOwn(s, notKey);
  if (has && hasNot) fail(statement, key, `give exactly one of ${key} or ${notKey}, not both`);
  if (!has && !hasNot) {
    fail(statement, key, `one of ${key} or ${notKey} is required (identity policies name what they cover)`);
  }
  const k = has ? key : notKey;
  return [k, stringList(s[k], statement, k)];
}

function conditionValues(v: unknown, statement: number, field: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) fail(statement, field, 'must have at least one value');
  return list.map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    return fail(
      statement,
      field,
      `values must be strings, numbers or booleans (or an array of them), not ${show(item)}`,
    );
  });
}

function checkConditionValue(
  op: ConditionOperator,
  value: string,
  version: PolicyVersion,
  statement: number,
  field: string,
): void {
  const bad = (what: string): never => fail(statement, field, `${show(value)} is not ${what}`);
  if (!operatorTakesVariables(op) && version === '2012-10-17' && value.includes('${')) {
    fail(
      statement,
      field,
      `policy variables are supported only with String, Arn and Bool operators, not ${op.base}`,
    );
  }
  switch (op.family) {
    case 'numeric':
      if (parseNumber(value) === undefined) bad('a number');
      return;
    case 'date':
      if (parseDateMs(value) === undefined)
        bad('a date (ISO 8601, e.g. 2024-01-31T00:00:00Z, or epoch seconds)');
      return;
    case 'binary':
      if (decodeBase64(value) === undefined) bad('base64');
      return;
    case 'ip':
      if (parseCidr(value) === undefined) bad('an IPv4 or IPv6 address or CIDR block');
      return;
    case 'null':
      if (value !== 'true' && value !== 'false')
        bad('"true" or "false" (Null: "true" means the key is absent)');
      return;
    default:
  }
  const template = parseTemplate(value, {
    wildcards: op.family === 'stringLike' || op.family === 'arn',
    variables: version === '2012-10-17',
  });
  if ('error' in template) fail(statement, field, `${show(value)}: ${template.error}`);
  if (op.family === 'bool') {
    const literal = template.parts.every((p) => p.kind === 'text');
    const v = value.toLowerCase();
    if (literal && v !== 'true' && v !== 'false') bad('"true" or "false"');
  }
  if (op.family === 'arn' && splitArnTemplate(template.parts) === undefined) {
    bad(
      'an ARN with six colon-separated parts (arn:partition:service:region:account:resource; wildcards allowed in each)',
    );
  }
}

function parseCondition(v: unknown, statement: number, version: PolicyVersion): ConditionBlock {
  if (!isObject(v)) fail(statement, 'Condition', `must be an object of operators, not ${show(v)}`);
  const out: ConditionBlock = {};
  for (const [opName, block] of Object.entries(v)) {
    const field = `Condition.${opName}`;
    const op = parseConditionOperator(opName);
    if (typeof op === 'string') fail(statement, field, op);
    if (!isObject(block)) fail(statement, field, `must be an object of condition keys, not ${show(block)}`);
    const keys = Object.entries(block);
    if (keys.length === 0) fail(statement, field, 'must name at least one condition key');
    const normalized: Record<string, string[]> = {};
    for (const [key, raw] of keys) {
      const keyField = `${field}.${key}`;
      if (key.trim() === '') fail(statement, field, 'condition keys must be non-empty strings');
      const values = conditionValues(raw, statement, keyField);
      for (const value of values) checkConditionValue(op, value, version, statement, keyField);
      put(normalized, key, values);
    }
    put(out, opName, normalized);
  }
  return out;
}

function checkResources(list: string[], version: PolicyVersion, statement: number, field: string): void {
  if (version !== '2012-10-17') return;
  for (const r of list) {
    const t = parseTemplate(r, { wildcards: true, variables: true });
    if ('error' in t) fail(statement, field, `${show(r)}: ${t.error}`);
  }
}

function parseStatement(s: unknown, i: number, version: PolicyVersion): Statement {
  if (!isObject(s)) fail(i, '(statement)', `a statement must be an object, not ${show(s)}`);
  for (const key of Object.keys(s)) {
    if (key === 'Principal' || key === 'NotPrincipal') {
      fail(
        i,
        key,
        `${key} is not allowed: this is an identity policy, which applies to whoever it is attached to (resource-based policies are not supported)`,
      );
    }
    if (!STATEMENT_KEYS.has(key)) {
      fail(i, key, `unknown statement key; allowed: ${[...STATEMENT_KEYS].join(', ')}`);
    }
  }
  const out: Partial<Statement> = {};
  if (Object.hasOwn(s, 'Sid')) {
    if (typeof s['Sid'] !== 'string') fail(i, 'Sid', `must be a string, not ${show(s['Sid'])}`);
    out.Sid = s['Sid'];
  }
  if (!Object.hasOwn(s, 'Effect')) fail(i, 'Effect', 'is required ("Allow" or "Deny")');
  const effect = s['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny')
    fail(i, 'Effect', `must be "Allow" or "Deny", not ${show(effect)}`);
  out.Effect = effect;
  const [actionKey, actions] = oneOf(s, 'Action', i);
  actions.forEach((a, j) => {
    if (!ACTION.test(a)) {
      fail(
        i,
        actionKey,
        `entry ${j} ${show(a)} is not an action: write "service:Action" (service prefix in lower-case letters, digits and "-"; "*" and "?" wildcards allowed in the action name), or "*"`,
      );
    }
  });
  out[actionKey as 'Action'] = actions;
  const [resourceKey, resources] = oneOf(s, 'Resource', i);
  checkResources(resources, version, i, resourceKey);
  out[resourceKey as 'Resource'] = resources;
  if (Object.hasOwn(s, 'Condition')) out.Condition = parseCondition(s['Condition'], i, version);
  return out as Statement;
}

function parseDocument(input: unknown): PolicyDocument {
  let raw = input;
  if (typeof input === 'string') {
    if (input.length > POLICY_LIMITS.maxSourceChars) {
      fail('-', '(document)', `is ${input.length} characters; the limit is ${POLICY_LIMITS.maxSourceChars}`);
    }
    try {
      raw = JSON.parse(input);
    } catch (e) {
      fail('-', '(document)', `is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (!isObject(raw)) fail('-', '(document)', `must be a JSON object, not ${show(raw)}`);
  let size: number;
  try {
    size = JSON.stringify(raw).length;
  } catch (e) {
    fail('-', '(document)', `cannot be serialized as JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (size > POLICY_LIMITS.maxDocumentChars) {
    fail(
      '-',
      '(document)',
      `is ${size} characters as compact JSON; the limit is ${POLICY_LIMITS.maxDocumentChars}`,
    );
  }
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.has(key)) fail('-', key, `unknown top-level key; allowed: ${[...TOP_KEYS].join(', ')}`);
  }
  const version = raw['Version'];
  if (version === undefined) fail('-', 'Version', 'is required; use "2012-10-17"');
  if (version !== '2012-10-17' && version !== '2008-10-17') {
    fail('-', 'Version', `must be "2012-10-17" (or the legacy "2008-10-17"), not ${show(version)}`);
  }
  const doc: PolicyDocument = { Version: version, Statement: [] };
  if (Object.hasOwn(raw, 'Id')) {
    if (typeof raw['Id'] !== 'string') fail('-', 'Id', `must be a string, not ${show(raw['Id'])}`);
    doc.Id = raw['Id'];
  }
  const statements = raw['Statement'];
  if (statements === undefined) fail('-', 'Statement', 'is required');
  const list = Array.isArray(statements) ? statements : isObject(statements) ? [statements] : undefined;
  if (list === undefined)
    fail('-', 'Statement', `must be an object or an array of objects, not ${show(statements)}`);
  if (list.length === 0) fail('-', 'Statement', 'must hold at least one statement');
  if (list.length > POLICY_LIMITS.maxStatements) {
    fail('-', 'Statement', `has ${list.length} statements; the limit is ${POLICY_LIMITS.maxStatements}`);
  }
  const sids = new Map<string, number>();
  list.forEach((s, i) => {
    const st = parseStatement(s, i, version);
    if (st.Sid !== undefined) {
      const other = sids.get(st.Sid);
      if (other !== undefined) fail(i, 'Sid', `duplicate Sid ${show(st.Sid)} (also statement ${other})`);
      sids.set(st.Sid, i);
    }
    doc.Statement.push(st);
  });
  return doc;
}

/**
 * Parses and validates an identity policy given as a JSON string or an already-parsed object, and
 * returns it normalized (Statement an array; Action/NotAction/Resource/NotResource and condition
 * values string arrays). The input is not modified or aliased.
 *
 * @throws NimbusError `NIMBUS_ERR_IAM_POLICY_INVALID` (400) naming the 0-based statement index (`-`
 *   for the document) and the field; `details` carries `{ statement, field, reason }`.
 */
export function parsePolicy(input: unknown): PolicyDocument {
  try {
    return parseDocument(input);
  } catch (e) {
    if (!(e instanceof PolicyProblem)) throw e;
    const details = { statement: e.statement, field: e.field, reason: e.reason };
    throw IamErrors.POLICY_INVALID(details, { details });
  }
}
