/**
 * The serverless-step-functions plugin's format (github.com/serverless-operations/
 * serverless-step-functions), deployed as Nimbus workflows:
 *
 *   stepFunctions:
 *     validate: true            # ignored: every definition is validated at deploy
 *     stateMachines:
 *       <key>:
 *         name: …               # default <service>-<stage>-<key> (the key with naming: short)
 *         type: STANDARD | EXPRESS
 *         role: arn:aws:iam::…  # optional; the tenant's workflow role otherwise
 *         definition: {…}       # or a JSON/YAML string
 *         events: [http, httpApi, schedule, eventBridge / cloudwatchEvent]
 *
 * Function references in a definition are resolved as the plugin (through CloudFormation) does:
 * `Fn::GetAtt: [hello, Arn]` and `Fn::GetAtt: [HelloLambdaFunction, Arn]` (the function's logical
 * id) become the deployed function's ARN, `Ref: hello` its deployed name; `#{AWS::Region}`,
 * `#{AWS::AccountId}` (and `#{<logical id>}`) pseudo parameters are substituted. ARNs name the
 * account and region as `${nimbus:account}` / `${nimbus:region}`, filled in by the deploy.
 * Other intrinsics (queues, buckets, `Fn::Join`, `Fn::Sub`) go through cloudformation.ts.
 */

import { patternView } from '../events/views.ts';
import { parseDefinition } from '../workflows/asl/parse.ts';
import { ACCOUNT_REF, REGION_REF, resolveIntrinsics } from './cloudformation.ts';
import {
  EVENT_PARSERS,
  type EventContext,
  type HttpRouteSpec,
  type ScheduleSpec,
  type SubscriptionSpec,
} from './events.ts';

export interface ManifestStateMachine {
  /** The key under `stepFunctions.stateMachines`. */
  readonly key: string;
  /** The deployed name. */
  readonly name: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** An IAM role ARN (placeholders possible); absent: the tenant's default workflow role. */
  readonly roleArn?: string | undefined;
  /** The ASL definition, function references resolved (account/region placeholders remain). */
  readonly definition: Record<string, unknown>;
  readonly tags?: Record<string, string> | undefined;
  /** The line of its key in the file (0 when unknown). */
  readonly line: number;
  /** `http` / `httpApi` events: gateway routes that start an execution. */
  readonly routes: HttpRouteSpec[];
  /** `schedule` events: each tick starts an execution. */
  readonly schedules: ScheduleSpec[];
  /** `eventBridge` / `cloudwatchEvent` events: each matching event starts an execution. */
  readonly subscriptions: SubscriptionSpec[];
}

export interface StepFunctionsContext {
  readonly service: string;
  readonly stage: string;
  readonly naming: 'service' | 'short';
  /** Function key → deployed name. */
  readonly functions: ReadonlyMap<string, string>;
  /** For the other CloudFormation references (cloudformation.ts). */
  readonly cfn: {
    readonly queues: ReadonlyMap<string, string>;
    readonly buckets?: ReadonlyMap<string, string> | undefined;
    readonly stack: string;
  };
  readonly authorizers: EventContext['authorizers'];
  /** The line of a path of the file (0 when unknown). */
  readonly lineOf: (path: (string | number)[]) => number;
}

export interface StepFunctionsResult {
  readonly stateMachines: ManifestStateMachine[];
  /** Errors, each naming its line and key path. */
  readonly problems: string[];
  /** Keys Nimbus does not act on (the deploy's "not acted on" warning). */
  readonly ignored: string[];
}

/** State machine names Step Functions accepts (and the workflow service: 1-80 of these). */
const MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const MACHINE_KEYS = new Set(['name', 'type', 'role', 'definition', 'events', 'tags', 'id']);
/** Plugin keys whose AWS effect Nimbus does not reproduce (said in the deploy's warning). */
const IGNORED_MACHINE_KEYS = new Set([
  'alarms',
  'notifications',
  'loggingConfig',
  'tracingConfig',
  'encryptionConfig',
  'iamRoleStatements',
  'dependsOn',
  'retain',
  'useExactVersion',
  'inheritGlobalTags',
]);
/** `stepFunctions.*` keys that change nothing here (validation always happens). */
const QUIET_TOP_KEYS = new Set(['stateMachines', 'validate', 'noOutput']);
const HTTP_KEYS = new Set(['path', 'method', 'cors']);
const SCHEDULE_KEYS = new Set(['rate', 'enabled', 'input', 'name', 'description', 'timezone', 'misfire']);
const RULE_KEYS = new Set([
  'event',
  'pattern',
  'eventBusName',
  'eventBus',
  'enabled',
  'input',
  'inputPath',
  'inputTransformer',
  'description',
  'name',
]);
/** What ignoring an event key means, where it matters. */
const NOTES: Readonly<Record<string, string>> = {
  private: ' (the endpoint is public)',
  authorizer: ' (the endpoint is public)',
  request: ' (the request body is the execution input)',
  action: ' (requests start an execution)',
  response: ' (the answer is {executionArn, startDate})',
  inputPath: ' (the Scheduled Event is the input)',
};
export const STATE_MACHINE_EVENT_TYPES = [
  'http',
  'httpApi',
  'schedule',
  'eventBridge',
  'cloudwatchEvent',
] as const;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The logical ids Serverless gives a function (`hello-world` → `HelloDashworldLambdaFunction`),
 * plus the same with `-`/`_` simply dropped when that is unambiguous.
 */
export function functionLogicalIds(keys: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const up = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const all = [...keys];
  for (const k of all) out.set(`${up(k.replace(/-/g, 'Dash').replace(/_/g, 'Underscore'))}LambdaFunction`, k);
  for (const k of all) {
    const id = `${up(k.replace(/[-_]/g, ''))}LambdaFunction`;
    if (!out.has(id)) out.set(id, k);
  }
  return out;
}

/** Parses `stepFunctions` (already through variable resolution). */
export function parseStepFunctions(raw: unknown, ctx: StepFunctionsContext): StepFunctionsResult {
  const problems: string[] = [];
  const ignored: string[] = [];
  const stateMachines: ManifestStateMachine[] = [];
  if (raw === undefined || raw === null) return { stateMachines, problems, ignored };
  const at = (path: (string | number)[], what: string) =>
    `line ${ctx.lineOf(path) || '?'}: ${path.join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]')}: ${what}`;
  if (!isObj(raw)) {
    problems.push(at(['stepFunctions'], 'must be a mapping with stateMachines'));
    return { stateMachines, problems, ignored };
  }
  for (const k of Object.keys(raw)) if (!QUIET_TOP_KEYS.has(k)) ignored.push(`stepFunctions.${k}`);
  const machines = raw.stateMachines ?? {};
  if (!isObj(machines)) {
    problems.push(at(['stepFunctions', 'stateMachines'], 'must be a mapping of state machines'));
    return { stateMachines, problems, ignored };
  }
  const logicalIds = functionLogicalIds(ctx.functions.keys());
  const names = new Map<string, string>();
  for (const [key, m] of Object.entries(machines)) {
    const base = ['stepFunctions', 'stateMachines', key];
    if (!isObj(m)) {
      problems.push(at(base, 'must be a mapping with a definition'));
      continue;
    }
    for (const k of Object.keys(m)) {
      if (IGNORED_MACHINE_KEYS.has(k)) ignored.push(`${base.join('.')}.${k}`);
      else if (!MACHINE_KEYS.has(k))
        problems.push(
          at(
            [...base, k],
            `unknown key (the plugin's keys: ${[...MACHINE_KEYS, ...IGNORED_MACHINE_KEYS].join(', ')})`,
          ),
        );
    }
    const name = m.name ?? (ctx.naming === 'service' ? `${ctx.service}-${ctx.stage}-${key}` : key);
    if (typeof name !== 'string' || !MACHINE_NAME.test(name)) {
      problems.push(
        at(
          [...base, ...(m.name !== undefined ? ['name'] : [])],
          `the state machine name ${JSON.stringify(name)} is not valid (1-80 of A-Z a-z 0-9 _ -)${m.name === undefined ? `; shorten the service or stage, or set ${base.join('.')}.name` : ''}`,
        ),
      );
      continue;
    }
    const other = names.get(name);
    if (other !== undefined)
      problems.push(at(base, `deploys as ${name}, as stepFunctions.stateMachines.${other} does`));
    names.set(name, key);
    const type = m.type ?? 'STANDARD';
    if (type !== 'STANDARD' && type !== 'EXPRESS')
      problems.push(at([...base, 'type'], 'must be STANDARD or EXPRESS'));
    let roleArn: string | undefined;
    if (typeof m.role === 'string')
      roleArn = m.role
        .replaceAll('#{AWS::AccountId}', ACCOUNT_REF)
        .replaceAll('#{AWS::Region}', REGION_REF)
        .replaceAll('#{AWS::Partition}', 'aws');
    else if (m.role !== undefined)
      ignored.push(
        `${base.join('.')}.role (${JSON.stringify(m.role).slice(0, 60)}: only a role ARN is used; the default workflow role instead)`,
      );
    let tags: Record<string, string> | undefined;
    if (m.tags !== undefined) {
      if (!isObj(m.tags)) problems.push(at([...base, 'tags'], 'must be a mapping of tag names to values'));
      else tags = Object.fromEntries(Object.entries(m.tags).map(([k, v]) => [k, String(v ?? '')]));
    }
    const definition = definitionOf(m.definition, [...base, 'definition'], ctx, logicalIds, problems, at);
    const events = eventsOf(m.events, base, name, ctx, problems, ignored, at);
    if (!definition || !events) continue;
    stateMachines.push({
      key,
      name,
      type: type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      ...(roleArn !== undefined ? { roleArn } : {}),
      definition,
      ...(tags ? { tags } : {}),
      line: ctx.lineOf(base),
      ...events,
    });
  }
  return { stateMachines, problems, ignored };
}

type At = (path: (string | number)[], what: string) => string;

/** The definition as an object, function references and pseudo parameters resolved. */
function definitionOf(
  raw: unknown,
  path: (string | number)[],
  ctx: StepFunctionsContext,
  logicalIds: ReadonlyMap<string, string>,
  problems: string[],
  at: At,
): Record<string, unknown> | undefined {
  if (raw === undefined) {
    problems.push(at(path.slice(0, -1), 'has no definition'));
    return undefined;
  }
  let def: unknown = raw;
  if (typeof raw === 'string') {
    try {
      def = parseDefinition(raw);
    } catch (e) {
      problems.push(at(path, `not a JSON or YAML definition: ${e instanceof Error ? e.message : String(e)}`));
      return undefined;
    }
  }
  if (!isObj(def)) {
    problems.push(at(path, 'must be an Amazon States Language object (or a JSON/YAML string of one)'));
    return undefined;
  }
  const before = problems.length;
  const fnKey = (id: string) => (ctx.functions.has(id) ? id : logicalIds.get(id));
  const arnOf = (key: string) =>
    `arn:aws:lambda:${REGION_REF}:${ACCOUNT_REF}:function:${ctx.functions.get(key)}`;
  const known = () => `functions of this service: ${[...ctx.functions.keys()].join(', ') || 'none'}`;
  /** `X` / `X.Arn` of a function (Fn::Sub and `#{…}` references), else undefined. */
  const subRef = (expr: string): string | undefined => {
    const [id, attr, extra] = expr.split('.');
    const key = id === undefined || extra !== undefined ? undefined : fnKey(id);
    if (key === undefined) return undefined;
    if (attr === undefined) return ctx.functions.get(key);
    return attr === 'Arn' ? arnOf(key) : undefined;
  };
  const pseudo = (s: string, p: (string | number)[]): string =>
    s.replace(/#\{([^}]+)\}/g, (whole, expr: string) => {
      const e = expr.trim();
      const v = subRef(e) ?? (resolveIntrinsics({ 'Fn::Sub': `\${${e}}` }, ctx.cfn, []) as unknown);
      if (typeof v === 'string') return v;
      problems.push(
        at(
          [...path, ...p],
          `${whole}: Nimbus resolves AWS:: pseudo parameters and references to this service's functions, queues and buckets (${known()})`,
        ),
      );
      return whole;
    });
  /** Function references inside an intrinsic (any depth), replaced by their values. */
  const functionRefs = (v: unknown, p: (string | number)[]): unknown => {
    if (Array.isArray(v)) return v.map((x) => functionRefs(x, p));
    if (!isObj(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const arg = v[keys[0]!];
      if (keys[0] === 'Ref' && typeof arg === 'string') {
        const key = fnKey(arg);
        if (key !== undefined) return ctx.functions.get(key);
      }
      if (keys[0] === 'Fn::GetAtt') {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
        const key = typeof id === 'string' ? fnKey(id) : undefined;
        if (key !== undefined) {
          if (attr === 'Arn') return arnOf(key);
          problems.push(
            at([...path, ...p], `Fn::GetAtt ${JSON.stringify(arg)}: a function's only attribute here is Arn`),
          );
          return v;
        }
      }
      if (keys[0] === 'Fn::Sub' && typeof arg === 'string')
        return {
          'Fn::Sub': arg.replace(/\$\{([^}!][^}]*)\}/g, (whole, e: string) => subRef(e.trim()) ?? whole),
        };
    }
    return Object.fromEntries(keys.map((k) => [k, functionRefs(v[k], p)]));
  };
  const walk = (v: unknown, p: (string | number)[]): unknown => {
    if (typeof v === 'string') return v.includes('#{') ? pseudo(v, p) : v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...p, i]));
    if (!isObj(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      const local: string[] = [];
      const seen = problems.length;
      const refs = functionRefs(v, p);
      if (problems.length > seen) return v;
      const out = resolveIntrinsics(refs, ctx.cfn, local);
      for (const l of local) problems.push(at([...path, ...p], `${l} (${known()})`));
      if (local.length === 0 && typeof out !== 'string')
        problems.push(
          at(
            [...path, ...p],
            `${keys[0]} ${JSON.stringify(v[keys[0]!]).slice(0, 120)}: Nimbus cannot resolve this intrinsic here (${known()})`,
          ),
        );
      return out;
    }
    return Object.fromEntries(keys.map((k) => [k, walk(v[k], [...p, k])]));
  };
  const out = walk(def, []) as Record<string, unknown>;
  return problems.length > before ? undefined : out;
}

interface MachineEvents {
  readonly routes: HttpRouteSpec[];
  readonly schedules: ScheduleSpec[];
  readonly subscriptions: SubscriptionSpec[];
}

function eventsOf(
  raw: unknown,
  base: (string | number)[],
  machine: string,
  ctx: StepFunctionsContext,
  problems: string[],
  ignored: string[],
  at: At,
): MachineEvents | undefined {
  const out: MachineEvents = { routes: [], schedules: [], subscriptions: [] };
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) {
    problems.push(at([...base, 'events'], 'must be a list of events'));
    return undefined;
  }
  const before = problems.length;
  const ectx: EventContext = {
    functionName: machine,
    scheduleCount: 0,
    ...(ctx.naming === 'service' ? { stage: ctx.stage } : {}),
    authorizers: ctx.authorizers,
  };
  for (const [i, ev] of raw.entries()) {
    const path = [...base, 'events', i];
    const type = isObj(ev) ? Object.keys(ev)[0] : undefined;
    if (
      !type ||
      !isObj(ev) ||
      Object.keys(ev).length !== 1 ||
      !(STATE_MACHINE_EVENT_TYPES as readonly string[]).includes(type)
    ) {
      problems.push(
        at(
          path,
          `a state machine event of type ${JSON.stringify(type ?? ev)} is not supported (supported: ${STATE_MACHINE_EVENT_TYPES.join(', ')})`,
        ),
      );
      continue;
    }
    const value = ev[type];
    const here = `${base.join('.')}.events[${i}].${type}`;
    const extra = (keys: ReadonlySet<string>) => {
      if (!isObj(value)) return;
      for (const k of Object.keys(value)) if (!keys.has(k)) ignored.push(`${here}.${k}${NOTES[k] ?? ''}`);
    };
    if (type === 'http' || type === 'httpApi') {
      if (type === 'http') extra(HTTP_KEYS);
      const r = EVENT_PARSERS[type]!(value, ectx);
      if (typeof r === 'string') problems.push(at(path, r));
      else if (r.route) out.routes.push(r.route);
    } else if (type === 'schedule') {
      extra(SCHEDULE_KEYS);
      const r = EVENT_PARSERS.schedule!(value, ectx);
      if (typeof r === 'string') {
        problems.push(at(path, r));
        continue;
      }
      // The plugin passes `input` as the rule target's Input (JSON text, or an object).
      for (const s of r.schedules ?? [])
        out.schedules.push(typeof s.input === 'string' ? { ...s, input: jsonOrText(s.input) } : s);
    } else {
      extra(RULE_KEYS);
      const r = ruleOf(value, type);
      if (typeof r === 'string') problems.push(at(path, r));
      else if (r) out.subscriptions.push(r);
    }
  }
  return problems.length > before ? undefined : out;
}

const jsonOrText = (s: string): unknown => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
};

/**
 * `eventBridge` / `cloudwatchEvent`: `{event (pattern), eventBusName?, enabled?, input?,
 * inputPath?, inputTransformer?}` → a subscription of the bus topic (undefined: disabled).
 */
function ruleOf(raw: unknown, type: string): SubscriptionSpec | undefined | string {
  if (!isObj(raw)) return `${type} must be {event, eventBusName?, input?, inputPath?}`;
  const pattern = raw.event ?? raw.pattern;
  if (!isObj(pattern)) return `${type}.event must be an event pattern object`;
  if (raw.enabled === false) return undefined;
  const bus = raw.eventBusName ?? raw.eventBus ?? 'default';
  if (typeof bus !== 'string') return `${type}.eventBusName must be a bus name or ARN`;
  const given = [raw.input, raw.inputPath, raw.inputTransformer].filter((x) => x !== undefined);
  if (given.length > 1) return `${type}: give one of input, inputPath, inputTransformer`;
  let inputTransformer: SubscriptionSpec['inputTransformer'];
  if (raw.input !== undefined)
    inputTransformer = {
      inputTemplate: typeof raw.input === 'string' ? raw.input : JSON.stringify(raw.input),
    };
  else if (raw.inputPath !== undefined) {
    if (typeof raw.inputPath !== 'string') return `${type}.inputPath must be a JSONPath`;
    inputTransformer = { inputPathsMap: { v: raw.inputPath }, inputTemplate: '<v>' };
  } else if (raw.inputTransformer !== undefined) {
    const it = raw.inputTransformer;
    if (!isObj(it) || typeof it.inputTemplate !== 'string')
      return `${type}.inputTransformer needs an inputTemplate`;
    inputTransformer = {
      inputTemplate: it.inputTemplate,
      ...(isObj(it.inputPathsMap) ? { inputPathsMap: it.inputPathsMap as Record<string, string> } : {}),
    };
  }
  return {
    topic: bus.startsWith('arn:') ? (bus.split('/').pop() ?? bus) : bus,
    pattern,
    view: patternView(pattern),
    ...(inputTransformer ? { inputTransformer } : {}),
  };
}
