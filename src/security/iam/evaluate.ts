/**
 * @module security/iam/evaluate
 * Evaluates identity policies against a request, with AWS's logic for identity policies: an explicit
 * Deny in any matching statement wins; otherwise a matching Allow allows; otherwise the request is
 * denied implicitly.
 *
 * A statement matches when its Action matches the action (or its NotAction matches none), its
 * Resource matches the resource (or its NotResource matches none), every policy variable it uses
 * without a default resolves, and every condition holds.
 *
 * {@link compilePolicies} turns documents into matchers once (sets for literal actions and resources,
 * pre-tokenized wildcards, pre-parsed numbers, dates, CIDR blocks); evaluating then allocates little
 * more than the decision. Use it for anything evaluated more than once.
 */

import { isNimbusError } from '../../core/errors.ts';
import { IamErrors } from './errors.ts';
import {
  hasVariables,
  hasWildcards,
  matchTokens,
  type Part,
  parseTemplate,
  type Resolve,
  renderText,
  renderTokens,
  requiredVariables,
  type Tokens,
  tokensMatcher,
} from './glob.ts';
import {
  type Comparison,
  type ConditionOperator,
  operatorTakesVariables,
  type PolicyDocument,
  parseConditionOperator,
  parsePolicy,
  type Statement,
  splitArnTemplate,
} from './policy.ts';
import {
  cidrContains,
  decodeBase64,
  parseCidr,
  parseDateMs,
  parseIp,
  parseNumber,
  splitArn,
} from './values.ts';

export type ContextValue = string | readonly string[] | undefined;

export interface RequestContext {
  /** `service:Action`, matched case-insensitively. */
  action: string;
  /** The resource ARN (or other identifier), matched case-sensitively. */
  resource: string;
  /**
   * Condition keys, case-insensitive names, e.g. 'aws:SourceIp', 'aws:CurrentTime',
   * 'aws:PrincipalAccount', 's3:prefix', 'nimbus:Tenant'. An array is a multi-valued key; undefined
   * or an empty array is the same as a missing key. Also the values of policy variables
   * (`${aws:username}`).
   */
  context?: Readonly<Record<string, ContextValue>>;
}

/** Which statement decided: the policy's index in the list given, the statement's index in it. */
export interface StatementRef {
  readonly policy: number;
  readonly index: number;
  readonly sid?: string;
}

export type Decision =
  | { effect: 'Allow'; statement: StatementRef }
  | { effect: 'Deny'; explicit: true; statement: StatementRef }
  | { effect: 'Deny'; explicit: false };

export interface CompiledPolicySet {
  /** Number of statements compiled. */
  readonly size: number;
  evaluate(req: RequestContext): Decision;
}

// ---------------------------------------------------------------------------------------------------
// Request context

/** The request's condition keys by lower-cased name, built on first use. */
class RequestKeys {
  readonly #raw: RequestContext['context'];
  #map: Map<string, readonly string[]> | undefined;

  constructor(raw: RequestContext['context']) {
    this.#raw = raw;
  }

  /** The key's values; undefined when missing (or given as undefined or an empty array). */
  get(key: string): readonly string[] | undefined {
    if (this.#map === undefined) {
      this.#map = new Map();
      for (const [k, v] of Object.entries(this.#raw ?? {})) {
        const list =
          typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
        if (list.length > 0) this.#map.set(k.toLowerCase(), list);
      }
    }
    return this.#map.get(key);
  }

  /** A policy variable's value: the key's single value (a multi-valued key does not resolve). */
  readonly resolve: Resolve = (key) => {
    const v = this.get(key);
    return v?.length === 1 ? v[0] : undefined;
  };
}

// ---------------------------------------------------------------------------------------------------
// Matchers

type Matcher = (s: string, keys: RequestKeys) => boolean;

const noVariables: Resolve = () => undefined;

/** A wildcard template (possibly with variables) as a matcher. `lower`: case-insensitive. */
function templateMatcher(parts: readonly Part[], lower = false): Matcher {
  if (!hasVariables(parts)) {
    const m = tokensMatcher(renderTokens(parts, noVariables, lower)!, lower);
    return (s) => m(s);
  }
  return (s, keys) => {
    const t: Tokens | undefined = renderTokens(parts, keys.resolve, lower);
    return t !== undefined && matchTokens(t, lower ? s.toLowerCase() : s);
  };
}

function mustParse(src: string, wildcards: boolean, variables: boolean): readonly Part[] {
  const r = parseTemplate(src, { wildcards, variables });
  // parsePolicy has already refused malformed templates.
  if ('error' in r) throw new Error(`unreachable: ${r.error}`);
  return r.parts;
}

/** A list of patterns (ORed): literal ones in a set, the rest as matchers; `*` matches everything. */
function listMatcher(patterns: readonly string[], opts: { lower: boolean; variables: boolean }): Matcher {
  const literal = new Set<string>();
  const others: Matcher[] = [];
  for (const pattern of patterns) {
    const parts = mustParse(opts.lower ? pattern.toLowerCase() : pattern, true, opts.variables);
    if (parts.length === 1 && parts[0]!.kind === 'star') return () => true;
    if (!hasVariables(parts) && !hasWildcards(parts)) literal.add(renderText(parts, noVariables)!);
    else others.push(templateMatcher(parts));
  }
  if (others.length === 0) return (s) => literal.has(s);
  return (s, keys) => literal.has(s) || others.some((m) => m(s, keys));
}

// ---------------------------------------------------------------------------------------------------
// Conditions

/** Whether one context value matches at least one of the condition's policy values. */
type ValueTest = (x: string, keys: RequestKeys) => boolean;

const COMPARE: Readonly<Record<Comparison, (a: number, b: number) => boolean>> = {
  eq: (a, b) => a === b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
};

/** Exact string comparison (optionally case-insensitive) with policy variables. */
function equalityTest(values: readonly string[], variables: boolean, lower: boolean): ValueTest {
  const fold = (s: string): string => (lower ? s.toLowerCase() : s);
  const templates = values.map((v) => mustParse(v, false, variables));
  if (!templates.some(hasVariables)) {
    const set = new Set(templates.map((t) => fold(renderText(t, noVariables)!)));
    return (x) => set.has(fold(x));
  }
  return (x, keys) => {
    const folded = fold(x);
    return templates.some((t) => {
      const v = renderText(t, keys.resolve);
      return v !== undefined && fold(v) === folded;
    });
  };
}

function valueTest(op: ConditionOperator, values: readonly string[], variables: boolean): ValueTest {
  switch (op.family) {
    case 'string':
      return equalityTest(values, variables, false);
    case 'stringIgnoreCase':
    case 'bool':
      return equalityTest(values, variables, true);
    case 'stringLike': {
      const matchers = values.map((v) => templateMatcher(mustParse(v, true, variables)));
      return (x, keys) => matchers.some((m) => m(x, keys));
    }
    case 'numeric':
    case 'date': {
      const parse = op.family === 'numeric' ? parseNumber : parseDateMs;
      const compare = COMPARE[op.comparison];
      const policy = values.map((v) => parse(v)!);
      return (x) => {
        const n = parse(x);
        return n !== undefined && policy.some((p) => compare(n, p));
      };
    }
    case 'binary': {
      const policy = values.map((v) => decodeBase64(v)!);
      return (x) => {
        const b = decodeBase64(x);
        return b !== undefined && policy.some((p) => p.equals(b));
      };
    }
    case 'ip': {
      const blocks = values.map((v) => parseCidr(v)!);
      return (x) => {
        const ip = parseIp(x);
        return ip !== undefined && blocks.some((b) => cidrContains(b, ip));
      };
    }
    case 'arn': {
      // Each of the six parts is matched on its own: a wildcard never spans a colon between parts.
      const arns = values.map((v) =>
        splitArnTemplate(mustParse(v, true, variables))!.map((seg) => templateMatcher(seg)),
      );
      return (x, keys) => {
        const parts = splitArn(x);
        return parts !== undefined && arns.some((segs) => segs.every((m, i) => m(parts[i]!, keys)));
      };
    }
    case 'null':
      return () => false; // not used: Null is decided by presence alone
  }
}

interface CompiledCondition {
  readonly key: string;
  readonly op: ConditionOperator;
  readonly test: ValueTest;
  /** Null: for each policy value, whether it asks for the key to be absent ("true"). */
  readonly nullAbsent: readonly boolean[];
}

/**
 * One operator + key. Values for one key are ORed (for a negated operator the context value must
 * match none of them). Context values:
 * - missing key: `...IfExists` → true; `ForAllValues:` → true (vacuously: every one of no values
 *   matches); `ForAnyValue:` → false; a negated operator (StringNotEquals, StringNotEqualsIgnoreCase,
 *   StringNotLike, NumericNotEquals, DateNotEquals, NotIpAddress, ArnNotEquals, ArnNotLike) → true,
 *   because the IAM user guide says a condition that requires the key *not* to match is true when the
 *   key is absent; any other operator → false.
 * - `ForAllValues:` every context value must satisfy the operator; `ForAnyValue:` at least one must.
 * - no qualifier: a positive operator holds when any context value matches; a negated one is the
 *   negation of that (no context value matches any policy value).
 * A context value that does not parse as the operator's type (a number, a date, an address) matches
 * no policy value.
 */
function conditionHolds(c: CompiledCondition, keys: RequestKeys): boolean {
  const values = keys.get(c.key);
  const { op } = c;
  if (op.family === 'null') {
    const absent = values === undefined;
    return c.nullAbsent.some((wantsAbsent) => wantsAbsent === absent);
  }
  if (values === undefined) {
    if (op.ifExists || op.set === 'ForAllValues') return true;
    if (op.set === 'ForAnyValue') return false;
    return op.negated;
  }
  if (op.set === 'ForAllValues') return values.every((x) => c.test(x, keys) !== op.negated);
  if (op.set === 'ForAnyValue') return values.some((x) => c.test(x, keys) !== op.negated);
  return values.some((x) => c.test(x, keys)) !== op.negated;
}

// ---------------------------------------------------------------------------------------------------
// Statements

interface CompiledStatement {
  readonly ref: StatementRef;
  readonly notAction: boolean;
  readonly action: Matcher;
  readonly notResource: boolean;
  readonly resource: Matcher;
  /** Variables without a default used anywhere in the statement: if one does not resolve, no match. */
  readonly required: readonly string[];
  readonly conditions: readonly CompiledCondition[];
}

function compileStatement(
  st: Statement,
  policy: number,
  index: number,
  variables: boolean,
): CompiledStatement {
  const ref: StatementRef = Object.freeze(
    st.Sid === undefined ? { policy, index } : { policy, index, sid: st.Sid },
  );
  const required = new Set<string>();
  const resources = st.Resource ?? st.NotResource ?? [];
  if (variables) {
    for (const r of resources) for (const k of requiredVariables(mustParse(r, true, true))) required.add(k);
  }
  const conditions: CompiledCondition[] = [];
  for (const [opName, block] of Object.entries(st.Condition ?? {})) {
    const op = parseConditionOperator(opName);
    if (typeof op === 'string') throw new Error(`unreachable: ${op}`);
    const vars = variables && operatorTakesVariables(op);
    for (const [key, values] of Object.entries(block)) {
      if (vars) {
        const wildcards = op.family === 'stringLike' || op.family === 'arn';
        for (const v of values)
          for (const k of requiredVariables(mustParse(v, wildcards, true))) required.add(k);
      }
      conditions.push({
        key: key.toLowerCase(),
        op,
        test: valueTest(op, values, vars),
        nullAbsent: op.family === 'null' ? values.map((v) => v === 'true') : [],
      });
    }
  }
  return {
    ref,
    notAction: st.NotAction !== undefined,
    action: listMatcher(st.Action ?? st.NotAction ?? [], { lower: true, variables: false }),
    notResource: st.NotResource !== undefined,
    resource: listMatcher(resources, { lower: false, variables }),
    required: [...required],
    conditions,
  };
}

function statementMatches(
  st: CompiledStatement,
  action: string,
  resource: string,
  keys: RequestKeys,
): boolean {
  if (st.action(action, keys) === st.notAction) return false;
  for (const k of st.required) if (keys.resolve(k) === undefined) return false;
  if (st.resource(resource, keys) === st.notResource) return false;
  for (const c of st.conditions) if (!conditionHolds(c, keys)) return false;
  return true;
}

/**
 * Validates (with {@link parsePolicy}) and compiles identity policies. Decisions name statements by
 * the policy's index in `docs` and the statement's index in that policy.
 *
 * @throws NimbusError `NIMBUS_ERR_IAM_POLICY_INVALID` when a document is invalid (the reason names
 *   the policy's index when more than one is given).
 */
export function compilePolicies(docs: readonly PolicyDocument[]): CompiledPolicySet {
  const denies: CompiledStatement[] = [];
  const allows: CompiledStatement[] = [];
  docs.forEach((input, p) => {
    let doc: PolicyDocument;
    try {
      doc = parsePolicy(input);
    } catch (e) {
      if (docs.length > 1 && isNimbusError(e) && e.details !== undefined) {
        const details = { ...e.details, reason: `(policy ${p}) ${String(e.details['reason'])}`, policy: p };
        throw IamErrors.POLICY_INVALID(details, { details, cause: e });
      }
      throw e;
    }
    const variables = doc.Version === '2012-10-17';
    doc.Statement.forEach((st, i) => {
      (st.Effect === 'Deny' ? denies : allows).push(compileStatement(st, p, i, variables));
    });
  });
  return {
    size: denies.length + allows.length,
    evaluate(req: RequestContext): Decision {
      const keys = new RequestKeys(req.context);
      const action = String(req.action).toLowerCase();
      const resource = String(req.resource);
      // Every Deny is looked at before any Allow: an explicit deny wins wherever it is.
      for (const st of denies) {
        if (statementMatches(st, action, resource, keys))
          return { effect: 'Deny', explicit: true, statement: st.ref };
      }
      for (const st of allows) {
        if (statementMatches(st, action, resource, keys)) return { effect: 'Allow', statement: st.ref };
      }
      return { effect: 'Deny', explicit: false };
    },
  };
}

/** Compiles and evaluates in one go; prefer {@link compilePolicies} when evaluating repeatedly. */
export function evaluate(policies: readonly PolicyDocument[], req: RequestContext): Decision {
  return compilePolicies(policies).evaluate(req);
}
