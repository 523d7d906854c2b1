/**
 * @module workflows/asl/validate
 * Deploy-time validation of a state machine definition. Hostile shapes are refused first, without
 * recursion (JSON depth and size, state count, Parallel/Map nesting); `asl-validator` checks the
 * ASL JSON schemas and JSONPath syntax on a copy in which the JSONata fields it misjudges are
 * neutralised (AWS takes any JSON in Output/Arguments, multi-line `{% %}` …: we check those), its
 * problems mapped to their state and field; then our own checks: scopes and transitions,
 * reachability, query-language field rules, Retry/Catch, Wait, Map, the Task resources Nimbus runs
 * (resources.ts) and every JSONata expression compiled. A problem names its path
 * (`States.Fan.Branches[0].States.A.Next`), its state and its field relative to the state.
 */
import { createRequire } from 'node:module';
import jsonata from 'jsonata';
import { expressionOf, isRfc3339 } from './jsonata-io.ts';
import { DEFINITION_LIMITS, definitionShapeProblem } from './parse.ts';
import { parseResource } from './resources.ts';
import type { StateMachineDefinition } from './types.ts';

export { DEFINITION_LIMITS };

export interface ValidationProblem {
  /** e.g. `States.Resize.Resource`, `States.Fan.Branches[0].States.A.Next`; '' is the whole definition. */
  readonly path: string;
  readonly state?: string;
  /** Relative to the state: `Next`, `Retry[0].MaxAttempts`. */
  readonly field?: string;
  readonly message: string;
}

export type ValidationResult =
  | { readonly ok: true; readonly definition: StateMachineDefinition }
  | { readonly ok: false; readonly errors: ValidationProblem[] };

type Obj = Record<string, unknown>;
type QL = 'JSONPath' | 'JSONata';
type Scope = { readonly def: Obj; readonly path: string; readonly depth: number };
type StateRef = {
  readonly name: string;
  readonly state: Obj;
  readonly path: string;
  readonly scope: Scope;
  ql: QL;
};

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isExpr = (v: unknown): boolean => typeof v === 'string' && expressionOf(v) !== undefined;
const isQl = (v: unknown): v is QL => v === 'JSONPath' || v === 'JSONata';
const words = (s: string): string[] => s.split(' ');

/** Appends a key or an index to a path: `a.b`, `a[0]`, `a["x.y"]`. */
function seg(base: string, k: string | number): string {
  if (typeof k === 'number') return `${base}[${k}]`;
  if (!/^[^.[\]"]+$/.test(k)) return `${base}[${JSON.stringify(k)}]`;
  return base ? `${base}.${k}` : k;
}

const TYPES = words('Task Pass Choice Wait Succeed Fail Parallel Map');
const SCOPE_KEYS = new Set(words('Branches ItemProcessor Iterator'));
const WORK = 'Parameters Arguments ResultSelector ResultPath Retry Catch';
const MAP_NUMBERS = words('MaxConcurrency ToleratedFailurePercentage ToleratedFailureCount');
const KNOWN = new Map(
  Object.entries({
    Task: `${WORK} Resource Credentials TimeoutSeconds TimeoutSecondsPath HeartbeatSeconds HeartbeatSecondsPath`,
    Pass: 'Result Parameters ResultPath',
    Choice: 'Choices Default',
    Wait: 'Seconds Timestamp SecondsPath TimestampPath',
    Succeed: '',
    Fail: 'Error Cause ErrorPath CausePath',
    Parallel: `${WORK} Branches`,
    Map: `${WORK} Items ItemsPath ItemSelector ItemProcessor Iterator ItemReader ItemBatcher ResultWriter Label`,
  }).map(([type, fields]) => {
    const extra = type === 'Map' ? MAP_NUMBERS.flatMap((f) => [f, `${f}Path`]) : [];
    const base = words('Type Comment QueryLanguage Next End InputPath OutputPath Output Assign');
    return [type, new Set([...base, ...words(fields), ...extra])];
  }),
);
const JSONPATH_ONLY = words(
  'InputPath Parameters ResultSelector ResultPath OutputPath ItemsPath SecondsPath TimestampPath ErrorPath ' +
    'CausePath TimeoutSecondsPath HeartbeatSecondsPath MaxConcurrencyPath ToleratedFailurePercentagePath ' +
    'ToleratedFailureCountPath',
);
const JSONATA_ONLY = words('Arguments Output Items');
const READERS = words('arn:aws:states:::s3:listObjectsV2 arn:aws:states:::s3:getObject');
/** Numeric fields: `name:min[:max]`, a trailing `.` when not an integer. */
const NUMBER_RULES = new Map(
  words(
    'MaxAttempts:0 IntervalSeconds:1 BackoffRate:1. MaxDelaySeconds:1 TimeoutSeconds:1 HeartbeatSeconds:1 ' +
      'Seconds:0 MaxConcurrency:0 ToleratedFailurePercentage:0:100. ToleratedFailureCount:0',
  ).map((spec) => {
    const [name = '', min = '0', max] = spec.replace(/\.$/, '').split(':');
    const integer = !spec.endsWith('.');
    return [name, { min: Number(min), max: max === undefined ? undefined : Number(max), integer }];
  }),
);
const PLACEHOLDER = '{% 0 %}';

class Problems {
  readonly list: ValidationProblem[] = [];
  at(path: string, message: string): void {
    this.list.push({ path, message });
  }
  has(path: string): boolean {
    return this.list.some((x) => x.path === path);
  }
  /** A problem of a state (field undefined) or of one of its fields. */
  of(ref: StateRef, field: string | undefined, message: string): void {
    if (field === undefined) this.list.push({ path: ref.path, state: ref.name, message });
    else this.list.push({ path: `${ref.path}.${field}`, state: ref.name, field, message });
  }
}

/** Validates a parsed definition (parse.ts); on success the same value, typed. */
export function validateDefinition(def: unknown): ValidationResult {
  if (!isObj(def))
    return { ok: false, errors: [{ path: '', message: 'a definition must be a JSON object' }] };
  const p = new Problems();
  const shape = definitionShapeProblem(def);
  if (shape !== undefined) p.at('', shape);
  const walked = collect(def, p); // iterative too: names a hostile nesting even when too deep as JSON
  if (shape !== undefined || !walked) return { ok: false, errors: p.list };
  const ql = def['QueryLanguage'];
  if (ql !== undefined && !isQl(ql)) p.at('QueryLanguage', 'QueryLanguage must be "JSONPath" or "JSONata"');
  const topQl: QL = ql === 'JSONata' ? 'JSONata' : 'JSONPath';
  for (const scope of walked.scopes) checkScope(scope, walked.refs, p);
  const seen = new Map<string, string>();
  for (const ref of walked.refs) {
    const first = seen.get(ref.name);
    if (first !== undefined) p.of(ref, undefined, `state names must be unique (${first} has this one)`);
    else seen.set(ref.name, ref.path);
    checkState(ref, topQl, p);
  }
  const errors = mergeAsl(p.list, aslProblems(def, topQl, walked.refs));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, definition: def as unknown as StateMachineDefinition };
}

/** Iterative walk of the scopes: every state once, counted, nesting checked; undefined over a limit. */
function collect(def: Obj, p: Problems): { refs: StateRef[]; scopes: Scope[] } | undefined {
  const { maxStates, maxNesting } = DEFINITION_LIMITS;
  const topQl: QL = def['QueryLanguage'] === 'JSONata' ? 'JSONata' : 'JSONPath';
  const refs: StateRef[] = [];
  const scopes: Scope[] = [];
  const queue: Scope[] = [{ def, path: '', depth: 0 }];
  let ok = true;
  for (let scope = queue.pop(); scope; scope = queue.pop()) {
    scopes.push(scope);
    const states = scope.def['States'];
    if (!isObj(states)) {
      p.at(seg(scope.path, 'States'), 'States must be an object of states by name');
      continue;
    }
    for (const [name, state] of Object.entries(states)) {
      if (refs.length >= maxStates) {
        p.at('', `the definition has more than ${maxStates} states (nested ones included)`);
        return undefined;
      }
      const path = seg(seg(scope.path, 'States'), name);
      if (!isObj(state)) {
        p.at(path, 'a state must be an object');
        continue;
      }
      const q = state['QueryLanguage'];
      const ref: StateRef = { name, state, path, scope, ql: isQl(q) ? q : topQl };
      refs.push(ref);
      const children: [string, unknown][] = [];
      const branches = state['Branches'];
      if (state['Type'] === 'Parallel' && Array.isArray(branches))
        for (const [i, b] of branches.entries()) children.push([seg('Branches', i), b]);
      if (state['Type'] === 'Map')
        for (const k of ['ItemProcessor', 'Iterator']) children.push([k, state[k]]);
      for (const [field, child] of children) {
        if (!isObj(child)) continue;
        if (scope.depth < maxNesting)
          queue.push({ def: child, path: `${path}.${field}`, depth: scope.depth + 1 });
        else {
          p.of(ref, field, `Parallel/Map states nest deeper than ${maxNesting} levels`);
          ok = false;
        }
      }
    }
  }
  return ok ? { refs, scopes } : undefined;
}

/** Every transition of a state: [field, target]. */
function nextsOf(s: Obj): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const k of ['Next', 'Default']) if (k in s) out.push([k, s[k]]);
  for (const k of ['Choices', 'Catch']) {
    const list = s[k];
    if (!Array.isArray(list)) continue;
    for (const [i, r] of list.entries())
      if (isObj(r) && 'Next' in r) out.push([`${k}[${i}].Next`, r['Next']]);
  }
  return out;
}

/** StartAt, transition targets inside the scope, reachability, a terminal state. */
function checkScope(scope: Scope, all: StateRef[], p: Problems): void {
  if (!isObj(scope.def['States'])) return;
  const refs = all.filter((r) => r.scope === scope);
  const byName = new Map(refs.map((r) => [r.name, r]));
  const where = scope.path === '' ? 'the top level' : scope.path;
  const start = scope.def['StartAt'];
  const startAt = seg(scope.path, 'StartAt');
  if (typeof start !== 'string') p.at(startAt, 'StartAt must name the first state');
  else if (!byName.has(start)) p.at(startAt, `"${start}" is not a state of ${where}`);
  const reached = new Set<string>();
  const todo = typeof start === 'string' && byName.has(start) ? [start] : [];
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (reached.has(name)) continue;
    reached.add(name);
    for (const [, t] of nextsOf(byName.get(name)!.state))
      if (typeof t === 'string' && byName.has(t)) todo.push(t);
  }
  for (const ref of refs) {
    for (const [field, target] of nextsOf(ref.state)) {
      if (typeof target !== 'string') p.of(ref, field, 'a transition must name a state');
      else if (!byName.has(target)) p.of(ref, field, `"${target}" is not a state of ${where}`);
    }
    if (reached.size > 0 && !reached.has(ref.name)) p.of(ref, undefined, `is not reachable from "${start}"`);
  }
  const ends = refs.some(
    (r) => r.state['End'] === true || ['Succeed', 'Fail'].includes(String(r.state['Type'])),
  );
  if (refs.length > 0 && !ends)
    p.at(seg(scope.path, 'States'), `no state ends ${where} (End, Succeed, Fail)`);
}

function checkState(ref: StateRef, topQl: QL, p: Problems): void {
  const s = ref.state;
  const type = String(s['Type']);
  const known = KNOWN.get(type);
  if (ref.name.length === 0 || ref.name.length > DEFINITION_LIMITS.maxStateNameLength)
    p.of(ref, undefined, `a state name has 1 to ${DEFINITION_LIMITS.maxStateNameLength} characters`);
  if (!known) {
    p.of(ref, 'Type', `Type must be one of ${TYPES.join(', ')}`);
    return;
  }
  checkLanguage(ref, topQl, p);
  for (const k of Object.keys(s))
    if (!known.has(k) && !p.has(`${ref.path}.${k}`)) p.of(ref, k, `${k} is not a field of a ${type} state`);
  checkTransitions(ref, type, p);
  if (type === 'Task' || type === 'Parallel' || type === 'Map') {
    checkErrorList(ref, 'Retry', p);
    checkErrorList(ref, 'Catch', p);
  }
  if (type === 'Task') checkTask(ref, p);
  else if (type === 'Wait') checkWait(ref, p);
  else if (type === 'Map') checkMap(ref, p);
  else if (type === 'Choice') checkChoice(ref, p);
  const b = s['Branches'];
  if (type === 'Parallel' && (!Array.isArray(b) || b.length === 0 || !b.every(isObj)))
    p.of(ref, 'Branches', 'Branches must be a non-empty array of state machines');
  if ('Assign' in s && !isObj(s['Assign'])) p.of(ref, 'Assign', 'Assign must be an object of variables');
  if (ref.ql === 'JSONata') compileAll(ref, s, '', p);
  else
    for (const f of words('Parameters ResultSelector ItemSelector Assign')) duplicateFields(ref, s[f], f, p);
}

function checkTransitions(ref: StateRef, type: string, p: Problems): void {
  const hasNext = 'Next' in ref.state;
  const hasEnd = 'End' in ref.state;
  if (hasEnd && ref.state['End'] !== true) p.of(ref, 'End', 'End must be true when present');
  if (type === 'Choice') {
    if (hasEnd) p.of(ref, 'End', 'a Choice state cannot end a workflow: use Default or a Succeed state');
    if (hasNext) p.of(ref, 'Next', 'a Choice state moves on through Choices and Default, not Next');
  } else if (type === 'Succeed' || type === 'Fail') {
    if (hasNext || hasEnd) p.of(ref, hasNext ? 'Next' : 'End', `a ${type} state takes no Next or End`);
  } else if (hasNext && hasEnd) p.of(ref, 'End', 'has both Next and End: keep one');
  else if (!hasNext && !hasEnd) p.of(ref, 'Next', 'needs Next, or End: true');
}

function checkLanguage(ref: StateRef, topQl: QL, p: Problems): void {
  const s = ref.state;
  const q = s['QueryLanguage'];
  if (q !== undefined && !isQl(q))
    p.of(ref, 'QueryLanguage', 'QueryLanguage must be "JSONPath" or "JSONata"');
  if (topQl === 'JSONata' && q === 'JSONPath')
    p.of(ref, 'QueryLanguage', 'a JSONata machine cannot hold JSONPath states (only JSONPath → JSONata)');
  const only = ref.ql === 'JSONata' ? JSONPATH_ONLY : JSONATA_ONLY;
  const other = ref.ql === 'JSONata' ? 'JSONPath' : 'JSONata';
  for (const f of only) if (f in s) p.of(ref, f, `${f} is ${other}-only; this state uses ${ref.ql}`);
  if (ref.ql === 'JSONata' && s['Type'] === 'Pass' && 'Result' in s)
    p.of(ref, 'Result', 'Result is JSONPath-only; a JSONata Pass state gives its result in Output');
}

/** A numeric field: a number within its rule, or (fields of a JSONata state) a `{% %}` expression. */
function checkNumber(ref: StateRef, obj: Obj, key: string, field: string, p: Problems): void {
  const v = obj[key];
  const rule = NUMBER_RULES.get(key);
  if (v === undefined || !rule || (obj === ref.state && ref.ql === 'JSONata' && isExpr(v))) return;
  const { min, max, integer } = rule;
  const inRange = typeof v === 'number' && v >= min && (max === undefined || v <= max);
  const ok = inRange && Number.isFinite(v) && (!integer || Number.isInteger(v));
  const range = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
  if (!ok) p.of(ref, field, `${key} must be ${integer ? 'an integer' : 'a number'} ${range}`);
}

function checkErrorList(ref: StateRef, kind: 'Retry' | 'Catch', p: Problems): void {
  const list = ref.state[kind];
  if (list !== undefined && !Array.isArray(list)) p.of(ref, kind, `${kind} must be an array`);
  if (!Array.isArray(list)) return;
  for (const [i, r] of list.entries()) {
    const f = `${kind}[${i}]`;
    if (!isObj(r)) {
      p.of(ref, f, `each ${kind === 'Retry' ? 'retrier' : 'catcher'} must be an object`);
      continue;
    }
    const eq = r['ErrorEquals'];
    if (!Array.isArray(eq) || eq.length === 0 || !eq.every((e) => typeof e === 'string' && e !== '')) {
      p.of(ref, `${f}.ErrorEquals`, 'ErrorEquals must be a non-empty array of error names');
    } else if (eq.includes('States.ALL')) {
      if (eq.length > 1) p.of(ref, `${f}.ErrorEquals`, 'States.ALL must be alone in its ErrorEquals');
      if (i !== list.length - 1) p.of(ref, `${f}.ErrorEquals`, `the entry with States.ALL must be last`);
    }
    if (kind === 'Retry') {
      for (const k of words('MaxAttempts IntervalSeconds BackoffRate MaxDelaySeconds'))
        checkNumber(ref, r, k, `${f}.${k}`, p);
      const j = r['JitterStrategy'];
      if (j !== undefined && j !== 'FULL' && j !== 'NONE')
        p.of(ref, `${f}.JitterStrategy`, 'JitterStrategy must be FULL or NONE');
    } else if (ref.ql === 'JSONata' && 'ResultPath' in r) {
      p.of(ref, `${f}.ResultPath`, 'ResultPath is JSONPath-only; a JSONata catcher uses Output');
    } else if (ref.ql === 'JSONPath' && 'Output' in r) {
      p.of(ref, `${f}.Output`, 'Output is JSONata-only; a JSONPath catcher uses ResultPath');
    }
  }
}

function checkTask(ref: StateRef, p: Problems): void {
  const s = ref.state;
  checkNumber(ref, s, 'TimeoutSeconds', 'TimeoutSeconds', p);
  checkNumber(ref, s, 'HeartbeatSeconds', 'HeartbeatSeconds', p);
  const resource = s['Resource'];
  const r = typeof resource === 'string' ? parseResource(resource) : { invalid: 'Resource must be a string' };
  if ('invalid' in r) p.of(ref, 'Resource', r.invalid);
  if ('invalid' in r || r.kind !== 'lambda:invoke') return;
  const field = ref.ql === 'JSONata' ? 'Arguments' : 'Parameters';
  const payload = s[field];
  const named = isObj(payload)
    ? 'FunctionName' in payload || (ref.ql === 'JSONPath' && 'FunctionName.$' in payload)
    : ref.ql === 'JSONata' && isExpr(payload);
  if (!named) p.of(ref, field, `arn:aws:states:::lambda:invoke needs FunctionName in ${field}`);
}

function checkWait(ref: StateRef, p: Problems): void {
  const s = ref.state;
  const forms = words('Seconds Timestamp SecondsPath TimestampPath').filter((k) => k in s);
  if (forms.length === 0) p.of(ref, 'Seconds', 'needs one of Seconds, Timestamp, SecondsPath, TimestampPath');
  if (forms.length > 1) p.of(ref, forms[1], `has ${forms.join(' and ')}: keep one`);
  checkNumber(ref, s, 'Seconds', 'Seconds', p);
  const t = s['Timestamp'];
  if (t !== undefined && !(ref.ql === 'JSONata' && isExpr(t)) && !(typeof t === 'string' && isRfc3339(t)))
    p.of(ref, 'Timestamp', 'Timestamp must be RFC 3339, such as 2030-01-01T00:00:00Z');
}

function checkMap(ref: StateRef, p: Problems): void {
  const s = ref.state;
  const procs = ['ItemProcessor', 'Iterator'].filter((k) => k in s);
  if (procs.length === 0) p.of(ref, 'ItemProcessor', 'a Map state needs an ItemProcessor');
  if (procs.length > 1) p.of(ref, 'Iterator', 'has ItemProcessor and its legacy name Iterator: keep one');
  for (const k of procs) if (!isObj(s[k])) p.of(ref, k, `${k} must be a state machine (StartAt, States)`);
  const reader = s['ItemReader'];
  if (reader !== undefined) {
    const proc = s['ItemProcessor'];
    const config = isObj(proc) ? proc['ProcessorConfig'] : undefined;
    if (!isObj(reader) || !READERS.includes(String(reader['Resource'])))
      p.of(ref, 'ItemReader.Resource', `the ItemReader Resource must be one of ${READERS.join(', ')}`);
    if (!isObj(config) || config['Mode'] !== 'DISTRIBUTED')
      p.of(ref, 'ItemReader', 'ItemReader needs a DISTRIBUTED Map (ItemProcessor.ProcessorConfig.Mode)');
  }
  for (const k of MAP_NUMBERS) checkNumber(ref, s, k, k, p);
  const items = s['Items'];
  if (items !== undefined && ref.ql === 'JSONata' && !Array.isArray(items) && !isExpr(items))
    p.of(ref, 'Items', 'Items must be an array or a {% %} expression giving one');
}

function checkChoice(ref: StateRef, p: Problems): void {
  const rules = ref.state['Choices'];
  if (!Array.isArray(rules) || rules.length === 0) p.of(ref, 'Choices', 'Choices must be a non-empty array');
  if (!Array.isArray(rules)) return;
  for (const [i, rule] of rules.entries()) {
    const f = `Choices[${i}]`;
    if (!isObj(rule)) {
      p.of(ref, f, 'a Choice rule must be an object');
      continue;
    }
    if (!('Next' in rule)) p.of(ref, `${f}.Next`, 'a Choice rule needs Next');
    if (ref.ql === 'JSONPath') {
      for (const k of ['Condition', 'Output']) if (k in rule) p.of(ref, `${f}.${k}`, `${k} is JSONata-only`);
      continue;
    }
    const c = rule['Condition'];
    if (c === undefined) p.of(ref, `${f}.Condition`, 'a JSONata Choice rule needs Condition');
    else if (typeof c !== 'boolean' && !isExpr(c))
      p.of(ref, `${f}.Condition`, 'Condition must be a {% %} expression (or a boolean)');
    for (const k of words('Variable And Or Not'))
      if (k in rule) p.of(ref, `${f}.${k}`, `${k} is JSONPath-only; a JSONata rule uses Condition`);
  }
}

/** Compiles every `{% %}` string of a JSONata state (nested scopes hold states of their own). */
function compileAll(ref: StateRef, v: unknown, field: string, p: Problems): void {
  if (typeof v === 'string') {
    const expr = expressionOf(v);
    if (expr === undefined) return;
    try {
      jsonata(expr);
    } catch (e) {
      const m = isObj(e) && typeof e['message'] === 'string' ? e['message'] : String(e);
      p.of(ref, field, `the JSONata expression '${expr.trim()}' does not compile: ${m}`);
    }
  } else if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) compileAll(ref, x, seg(field, i), p);
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v))
      if (k !== 'Comment' && !(field === '' && SCOPE_KEYS.has(k))) compileAll(ref, x, seg(field, k), p);
  }
}

/** ASL: no object may hold both `x` and `x.$` (they collide once `.$` is stripped). */
function duplicateFields(ref: StateRef, v: unknown, field: string, p: Problems): void {
  if (Array.isArray(v)) for (const [i, x] of v.entries()) duplicateFields(ref, x, seg(field, i), p);
  if (!isObj(v)) return;
  for (const [k, x] of Object.entries(v)) {
    const bare = k.slice(0, -2);
    if (k.endsWith('.$') && bare in v) p.of(ref, seg(field, k), `"${bare}" and "${k}" are the same field`);
    duplicateFields(ref, x, seg(field, k), p);
  }
}

type AslError = { 'Error code': string; Message: string; schemaError?: { instancePath: string } };
type AslValidator = (
  def: unknown,
  opts: { checkPaths: boolean; checkArn: boolean },
) => { errors: AslError[] };
let aslValidator: AslValidator | undefined;
/** asl-validator checks that ours replace (theirs name no state, or ignore scopes). */
const REPLACED = new Set(
  words(
    'MISSING_TRANSITION_TARGET BRANCH_OUTBOUND_TRANSITION_TARGET MAP_OUTBOUND_TRANSITION_TARGET ' +
      'MISSING_TERMINAL_STATE DUPLICATE_STATE_NAMES DUPLICATE_FIELD_NAME TERMINAL_STATE_WITH_NEXT ' +
      'WAIT_DURATION MAP_ITEM_PROCESSOR',
  ),
);
const VAGUE = 'does not match the ASL schema: a field is misplaced, mistyped or of the other query language';

/**
 * asl-validator's problems, run on a neutralised copy (it also writes QueryLanguage into states).
 * Resources are ours to judge (parseResource): its ARN check is off, so bare function names pass.
 */
function aslProblems(def: Obj, topQl: QL, refs: StateRef[]): ValidationProblem[] {
  aslValidator ??= createRequire(import.meta.url)('asl-validator') as AslValidator;
  const copy = structuredClone(def);
  neutralise(copy, topQl);
  let errors: AslError[];
  try {
    errors = aslValidator(copy, { checkPaths: true, checkArn: false }).errors;
  } catch (e) {
    return [{ path: '', message: `asl-validator failed: ${e instanceof Error ? e.message : String(e)}` }];
  }
  const byName = new Map(refs.map((r) => [r.name, r]));
  const out: ValidationProblem[] = [];
  for (const e of errors) {
    if (REPLACED.has(e['Error code'])) continue;
    if (e.schemaError) {
      const at = locate(copy, e.schemaError.instancePath);
      const message = e.Message.replace(/^.*? is invalid\. /, '');
      // The schemas of the other state types and of the other query language answer too: not a problem.
      const st = byName.get(at.state ?? '')?.state;
      const q = st?.['QueryLanguage'];
      const valid = at.field === 'Type' ? TYPES.includes(String(st?.['Type'])) : q === undefined || isQl(q);
      if ((at.field === 'Type' || at.field === 'QueryLanguage') && valid && /allowed values/.test(message))
        continue;
      out.push({ ...at, message: /oneOf/.test(message) ? VAGUE : message });
      continue;
    }
    const ref = byName.get(/^State "([^"]+)"/.exec(e.Message)?.[1] ?? '');
    const message = e.Message.replace(/^State "[^"]+" /, '');
    const field = /"([A-Za-z]+)"/.exec(message)?.[1];
    if (!ref) out.push({ path: '', message });
    else if (!field) out.push({ path: ref.path, state: ref.name, message });
    else out.push({ path: `${ref.path}.${field}`, state: ref.name, field, message });
  }
  return out;
}

/** Ours first; asl-validator's unless we report that path already (or that state, for its vague one). */
function mergeAsl(own: ValidationProblem[], asl: ValidationProblem[]): ValidationProblem[] {
  const paths = new Set(own.map((x) => x.path));
  const states = new Set(own.map((x) => x.state));
  const out = [...own];
  for (const x of asl) {
    if (paths.has(x.path) || (x.message === VAGUE && states.has(x.state))) continue;
    if (!out.some((y) => y.path === x.path && y.message === x.message)) out.push(x);
  }
  return out;
}

/** A JSON pointer as our path, with the innermost state and the field relative to it. */
function locate(root: unknown, pointer: string): Omit<ValidationProblem, 'message'> {
  let [path, cur, mode, state, statePath] = ['', root, 'machine', undefined as string | undefined, ''];
  for (const raw of pointer.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const inArray = Array.isArray(cur);
    path = seg(path, inArray ? Number(k) : k);
    cur = inArray ? (cur as unknown[])[Number(k)] : isObj(cur) ? cur[k] : undefined;
    if (mode === 'machine') mode = k === 'States' ? 'states' : 'field';
    else if (mode === 'states') [mode, state, statePath] = ['state', k, path];
    else if (mode === 'state') mode = k === 'Branches' ? 'branches' : SCOPE_KEYS.has(k) ? 'machine' : 'field';
    else if (mode === 'branches') mode = 'machine';
  }
  if (state === undefined) return { path };
  return path === statePath ? { path, state } : { path, state, field: path.slice(statePath.length + 1) };
}

/** JSONata states of a copy: placeholders where AWS takes any JSON, or `{% %}` its regex misreads. */
function neutralise(machine: Obj, topQl: QL): void {
  const states = machine['States'];
  if (!isObj(states)) return;
  for (const s of Object.values(states)) {
    if (!isObj(s)) continue;
    const q = s['QueryLanguage'];
    if ((isQl(q) ? q : topQl) === 'JSONata') neutraliseState(s);
    const branches = s['Branches'];
    if (Array.isArray(branches)) for (const b of branches) if (isObj(b)) neutralise(b, topQl);
    for (const m of [s['ItemProcessor'], s['Iterator']]) if (isObj(m)) neutralise(m, topQl);
  }
}

function neutraliseState(s: Obj): void {
  const deep = (v: unknown): unknown => {
    if (isExpr(v)) return PLACEHOLDER;
    if (Array.isArray(v)) return v.map(deep);
    return isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)])) : v;
  };
  for (const k of Object.keys(s)) if (!SCOPE_KEYS.has(k)) s[k] = deep(s[k]);
  for (const k of ['Output', 'Arguments', 'ItemSelector']) if (k in s) s[k] = PLACEHOLDER;
  for (const k of ['Error', 'Cause']) if (typeof s[k] === 'string') s[k] = PLACEHOLDER;
  if (isObj(s['Assign'])) s['Assign'] = {};
  if (Array.isArray(s['Items'])) s['Items'] = [];
  for (const o of [s['ItemReader'], s['ResultWriter']])
    if (isObj(o) && 'Arguments' in o) o['Arguments'] = PLACEHOLDER;
  const batcher = s['ItemBatcher'];
  if (isObj(batcher) && 'BatchInput' in batcher) batcher['BatchInput'] = PLACEHOLDER;
  for (const list of [s['Choices'], s['Catch']]) {
    if (!Array.isArray(list)) continue;
    for (const r of list.filter(isObj)) {
      if (['boolean', 'string'].includes(typeof r['Condition'])) r['Condition'] = PLACEHOLDER;
      if (isObj(r['Assign'])) r['Assign'] = {};
      delete r['Output'];
    }
  }
}
