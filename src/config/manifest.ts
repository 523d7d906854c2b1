/**
 * Project manifests. `nimbus.yml` has the same shape as a Serverless Framework v3
 * `serverless.yml` (service, provider, functions), so a project can switch either way; an existing
 * `serverless.yml` deploys unchanged for the supported subset:
 *   service, provider.{runtime, memorySize, timeout, environment},
 *   functions.<name>.{handler, runtime, memorySize, timeout, environment, description, events}.
 * Variables: `${env:NAME}`, `${env:NAME, 'default'}`, `${self:service}`, `${self:provider.X}`,
 * `${sls:stage}`, `${opt:stage}`, `${file(./x.yml)}` / `${file(./x.json):key}` (YAML/JSON only).
 * serverless-step-functions' `stepFunctions.stateMachines` are parsed by ./stepfunctions.ts.
 * Function names follow the Serverless Framework: in a serverless.yml, function `hello` of service
 * `svc` deploys as `svc-<stage>-hello` (stage: the CLI's `--stage`, else `provider.stage`, else
 * `dev`; a function's `name:` overrides it). nimbus.yml keeps the short names unless it says
 * `naming: service` (and a serverless.yml may say `naming: short`).
 * Without a manifest, one function named after the directory is inferred.
 * Event types are added by later capabilities through SUPPORTED_EVENT_TYPES; any other type is an
 * error that names the file, the line and the function.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { defineErrors, type NimbusError } from '../core/errors.ts';
import { resolveRuntimeId } from '../registry/runtimes.ts';
import { type EgressPolicy, egressPolicySchema, egressRuleSchema } from '../security/egress.ts';
import {
  ACCOUNT_REF,
  bucketNames,
  CFN_TAGS,
  type ManifestQueue,
  manifestQueues,
  queueNames,
  REGION_REF,
  resolveIntrinsics,
} from './cloudformation.ts';
import {
  type BucketEventSpec,
  EVENT_PARSERS,
  type EventContext,
  type HttpRouteSpec,
  REST_CORS_HEADERS,
  type ScheduleSpec,
  type SourceSpec,
  SUPPORTED_EVENT_TYPES,
  type SubscriptionSpec,
} from './events.ts';
import { liftConstructs } from './lift.ts';
import { type ManifestStateMachine, parseStepFunctions } from './stepfunctions.ts';
import { unusedKeys } from './unused-keys.ts';

export type { BucketEventSpec, HttpRouteSpec, ScheduleSpec, SourceSpec, SubscriptionSpec } from './events.ts';
export { SUPPORTED_EVENT_TYPES } from './events.ts';
export type { ManifestStateMachine } from './stepfunctions.ts';

export const ManifestErrors = defineErrors('MANIFEST', {
  INVALID: {
    status: 400,
    kind: 'user',
    message: '{file} is not valid:\n{problems}',
    hint: 'fix the lines listed above (the format is the Serverless Framework v3 one)',
  },
  UNKNOWN_EVENT: {
    status: 400,
    kind: 'user',
    message:
      '{file}:{line}: function {function} has an event of type "{type}", which Nimbus does not support yet',
    hint: 'supported event types: {supported}; remove the event or deploy it once support lands',
  },
  NO_FUNCTION: {
    status: 400,
    kind: 'user',
    message: 'no manifest in {dir} and no handler file to infer a function from',
    hint: 'add a nimbus.yml (or serverless.yml), or an index.js / index.ts / app.py with a handler',
  },
});

export interface ManifestEvent {
  readonly type: string;
  readonly line: number;
  readonly raw: unknown;
  /** For httpApi / http events: the gateway route to create. */
  readonly route?: HttpRouteSpec | undefined;
  /** For schedule events. */
  readonly schedules?: ScheduleSpec[] | undefined;
  /** For eventBridge / sns events. */
  readonly subscriptions?: SubscriptionSpec[] | undefined;
  /** For broker events (rabbitmq, nats, jetstream, mqtt, redis). */
  readonly sources?: SourceSpec[] | undefined;
  /** For s3 events. */
  readonly bucketEvents?: BucketEventSpec[] | undefined;
}

export interface ManifestFunction {
  /**
   * The deployed name: `<service>-<stage>-<key>` for a serverless.yml (or `naming: service`),
   * the key for a nimbus.yml, or the function's `name:` when it has one.
   */
  readonly name: string;
  /** The function's key under `functions:` (the short name `nimbus invoke -f` takes). */
  readonly key: string;
  readonly handler: string;
  readonly runtime: string;
  readonly memoryMb?: number | undefined;
  readonly timeoutSec?: number | undefined;
  readonly environment: Record<string, string>;
  readonly description?: string | undefined;
  readonly events: ManifestEvent[];
  /** Async settings (maximumRetryAttempts, maximumEventAge, destinations) in the REST shape. */
  readonly async?: Record<string, unknown> | undefined;
  readonly reservedConcurrency?: number | undefined;
  /** `scaling:` plus Serverless' `provisionedConcurrency`, in the REST shape. */
  readonly scaling?: Record<string, unknown> | undefined;
  /** `isolation: isolate` runs the function as a V8 isolate (Nimbus extension). */
  readonly isolation?: 'process' | 'isolate' | undefined;
  /** `egress:` (function, or provider default) in the REST shape `{mode, allow}`. */
  readonly egress?: EgressPolicy | undefined;
  /** The execution role's name: function `role:`, provider `iam.role` (name/ARN), or the service role. */
  readonly role?: string | undefined;
  /** `secrets:` (function, plus provider) — injected as environment variables of the same name. */
  readonly secrets?: string[] | undefined;
}

export type Naming = 'service' | 'short';

/** What loading a manifest may be told. */
export interface ManifestOptions {
  /** The CLI's `--stage`: wins over `provider.stage` for names, `${sls:stage}` and `${opt:stage}`. */
  readonly stage?: string | undefined;
}

/** An execution role the project defines (`provider.iam.role.statements` and friends). */
export interface ManifestRole {
  readonly name: string;
  /** One inline policy document from the statements, plus managed policy names/ARNs. */
  readonly policies: (string | Record<string, unknown>)[];
}

export interface ProjectManifest {
  readonly service: string;
  /** The stage: the `stage` load option (CLI `--stage`), else `provider.stage`, else `dev`. */
  readonly stage: string;
  /**
   * How functions are named: `service` (`<service>-<stage>-<key>`, serverless.yml's default) or
   * `short` (the key; nimbus.yml's default and inferred projects).
   */
  readonly naming: Naming;
  readonly source: 'nimbus.yml' | 'serverless.yml' | 'inferred';
  readonly dir: string;
  readonly file?: string | undefined;
  readonly functions: ManifestFunction[];
  /** provider.httpApi.cors, in the REST API's `/v1/gateway/cors` shape. */
  readonly cors?: Record<string, unknown> | undefined;
  /** Roles to create or replace before the functions are deployed. */
  readonly roles?: ManifestRole[] | undefined;
  /** SQS queues (`AWS::SQS::Queue` resources) to create or update first. */
  readonly queues?: ManifestQueue[] | undefined;
  /** What the deploy should tell the user (references Nimbus could not resolve, …). */
  readonly warnings?: string[] | undefined;
  /** Buckets (`AWS::S3::Bucket` resources, Lift storage) to create first. */
  readonly buckets?: string[] | undefined;
  /** Plugins whose job Nimbus does itself (serverless-esbuild → our bundler, …). */
  readonly served?: string[] | undefined;
  /** serverless-step-functions `stepFunctions.stateMachines`, deployed after the functions. */
  readonly stateMachines?: ManifestStateMachine[] | undefined;
}

/**
 * `egress: none | internet`, or `egress: { allow: ['203.0.113.0/24', 'api.example.com:443',
 * 'db.internal:5432,5433', {host, ports}] }` (or the REST shape `{mode, allow}`).
 */
const EgressRuleText = z.string().transform((s, ctx) => {
  // `host`, `host:443` or `host:80,443`; an IPv6 address or CIDR is taken whole.
  const m = /^([^:]+):(\d+(?:,\d+)*)$/.exec(s);
  const r = egressRuleSchema.safeParse(m ? { host: m[1], ports: m[2]!.split(',').map(Number) } : { host: s });
  if (!r.success) {
    ctx.addIssue({
      code: 'custom',
      message: `egress allow entry ${JSON.stringify(s)}: ${r.error.issues[0]?.message}`,
    });
    return z.NEVER;
  }
  return r.data;
});
const EgressSchema = z
  .union([
    z.enum(['none', 'internet']).transform((mode) => ({ mode })),
    z
      .object({
        mode: z.enum(['none', 'internet', 'allowlist']).optional(),
        allow: z.array(z.union([EgressRuleText, egressRuleSchema])).optional(),
      })
      .strict()
      .transform((o) => ({
        mode: o.mode ?? (o.allow ? 'allowlist' : 'internet'),
        ...(o.allow ? { allow: o.allow } : {}),
      })),
  ])
  .pipe(egressPolicySchema);

const EnvMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));
const FnSchema = z.object({
  // Serverless: the deployed name instead of `<service>-<stage>-<key>`.
  name: z.string().min(1).optional(),
  handler: z.string().min(1),
  runtime: z.string().optional(),
  memorySize: z.number().int().optional(),
  timeout: z.number().int().optional(),
  environment: EnvMap.optional(),
  description: z.string().optional(),
  events: z.array(z.unknown()).optional(),
  // Serverless v3 concurrency settings, and Nimbus autoscaling.
  reservedConcurrency: z.number().int().min(1).optional(),
  provisionedConcurrency: z.number().int().min(0).optional(),
  scaling: z.record(z.string(), z.unknown()).optional(),
  isolation: z.enum(['process', 'isolate']).optional(),
  egress: EgressSchema.optional(),
  // A role name or ARN (Serverless: a role of the account; here a role of the tenant).
  role: z.string().min(1).optional(),
  secrets: z.array(z.string().min(1)).optional(),
  // Serverless v3 async invocation settings.
  maximumRetryAttempts: z.number().int().optional(),
  maximumEventAge: z.number().int().optional(),
  destinations: z
    .object({
      onSuccess: z.union([z.string(), z.object({ arn: z.string() }).passthrough()]).optional(),
      onFailure: z.union([z.string(), z.object({ arn: z.string() }).passthrough()]).optional(),
    })
    .optional(),
});
const FileSchema = z.object({
  service: z.union([z.string(), z.object({ name: z.string() })]),
  // Nimbus: `service` names functions `<service>-<stage>-<key>` (serverless.yml's default),
  // `short` by their key (nimbus.yml's default).
  naming: z.enum(['service', 'short']).optional(),
  provider: z
    .object({
      name: z.string().optional(),
      runtime: z.string().optional(),
      memorySize: z.number().int().optional(),
      timeout: z.number().int().optional(),
      environment: EnvMap.optional(),
      egress: EgressSchema.optional(),
      stage: z.string().optional(),
      secrets: z.array(z.string().min(1)).optional(),
      // Serverless v3 `iam.role` (a name/ARN, or statements + managed policies) and v2 `iamRoleStatements`.
      iam: z
        .object({
          role: z
            .union([
              z.string().min(1),
              z
                .object({
                  name: z.string().optional(),
                  statements: z.array(z.record(z.string(), z.unknown())).optional(),
                  managedPolicies: z.array(z.string()).optional(),
                })
                .passthrough(),
            ])
            .optional(),
        })
        .passthrough()
        .optional(),
      iamRoleStatements: z.array(z.record(z.string(), z.unknown())).optional(),
      iamManagedPolicies: z.array(z.string()).optional(),
    })
    .passthrough()
    .optional(),
  functions: z.record(z.string(), FnSchema),
});

const NAMES = ['nimbus.yml', 'nimbus.yaml', 'serverless.yml', 'serverless.yaml'] as const;

function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: (string | number)[]): number {
  const node = doc.getIn(path, true) as YamlNode | undefined;
  const off = node?.range?.[0];
  return off === undefined ? 0 : lc.linePos(off).line;
}

/** The stage variables: `${sls:stage}` is the stage, `${opt:stage}` the CLI's `--stage`. */
interface StageVars {
  readonly stage: string;
  readonly optStage: string | undefined;
  /** serverless-lift `${construct:<id>.<attr>}` values. */
  readonly constructs?: Readonly<Record<string, string>> | undefined;
  /** The service folder: `${file(./x.yml)}` paths are relative to it. */
  readonly dir?: string | undefined;
}

/** `${file(path)}` / `${file(path):a.b}`, optionally with a `, 'default'`. */
const FILE_VAR = /^\s*file\(\s*([^)]+?)\s*\)(?::([\w.-]+))?\s*(?:,\s*(?:'([^']*)'|"([^"]*)"))?\s*$/;

/**
 * A `${file(…)}` variable's value: the YAML or JSON file (relative to the service folder) or one
 * of its keys; undefined (and a problem) when it cannot be read. JavaScript files are not run.
 */
function fileVariable(m: RegExpExecArray, whole: string, dir: string, problems: string[]): unknown {
  const fallback = m[3] ?? m[4];
  const path = resolve(dir, m[1]!.replace(/^["']|["']$/g, ''));
  if (!/\.(ya?ml|json)$/i.test(path)) {
    problems.push(
      `${whole}: only YAML and JSON files can be included (Nimbus does not run JavaScript variables)`,
    );
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (fallback !== undefined) return fallback;
    problems.push(
      `${whole}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `${path} does not exist` : (e as Error).message}`,
    );
    return undefined;
  }
  const doc = parseDocument(text, { customTags: CFN_TAGS });
  if (doc.errors.length > 0) {
    problems.push(`${whole}: ${path}: ${doc.errors[0]!.message.split('\n')[0]}`);
    return undefined;
  }
  let cur: unknown = doc.toJS();
  for (const k of m[2]?.split('.') ?? [])
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  if (cur === undefined) {
    if (fallback !== undefined) return fallback;
    problems.push(`${whole}: ${m[2]} is not in ${path}`);
  }
  return cur;
}

/**
 * Resolves `${env:X}`, `${env:X, 'd'}`, `${self:a.b}`, `${sls:stage}`, … in every string of the
 * document. A `${self:…}` value that holds variables itself is resolved in turn.
 */
function resolveVariables(
  value: unknown,
  root: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  problems: string[],
  stageVars: StageVars,
  depth = 0,
): unknown {
  if (typeof value === 'string') {
    // `${file(x.yml)}` as the whole value: the file's content (any YAML value), variables resolved.
    const only = /^\$\{([^}]+)\}$/.exec(value);
    const fm = only ? FILE_VAR.exec(only[1]!) : null;
    if (fm && stageVars.dir !== undefined) {
      if (depth >= 10) {
        problems.push(`${value}: variables nest too deep (a cycle?)`);
        return '';
      }
      const v = fileVariable(fm, value, stageVars.dir, problems);
      return v === undefined ? '' : resolveVariables(v, root, env, problems, stageVars, depth + 1);
    }
    return value.replace(/\$\{([^}]+)\}/g, (whole, expr: string) => {
      const inFile = FILE_VAR.exec(expr);
      if (inFile && stageVars.dir !== undefined) {
        const v = depth >= 10 ? undefined : fileVariable(inFile, whole, stageVars.dir, problems);
        if (v !== undefined && typeof v === 'object') {
          problems.push(`${whole}: the file's value is not a string or number; use it as the whole value`);
          return whole;
        }
        return v === undefined ? '' : String(resolveVariables(v, root, env, problems, stageVars, depth + 1));
      }
      const m =
        /^\s*(env|self|sls|opt|aws|construct):([\w.-]+)\s*(?:,\s*(?:'([^']*)'|"([^"]*)"|([^\s'"]+)))?\s*$/.exec(
          expr,
        );
      // `${AWS::Region}`, `${Queue.Arn}`: CloudFormation's own (Fn::Sub), not a Serverless variable.
      if (!m && !/^\s*[A-Za-z]+:(?!:)/.test(expr)) return whole;
      if (!m) {
        problems.push(
          `unsupported variable ${whole} (supported: \${env:NAME}, \${env:NAME, 'default'}, \${self:path}, \${sls:stage}, \${opt:stage}, \${opt:region}, \${aws:region}, \${aws:accountId}, \${file(./x.yml):key})`,
        );
        return whole;
      }
      const fallback = m[3] ?? m[4] ?? m[5];
      // Serverless' own variables: the stage (`${opt:stage, 'x'}` is x without --stage), and
      // the region/account (filled in at deploy).
      const builtin: Record<string, string> = {
        'sls:stage': stageVars.stage,
        'opt:stage': stageVars.optStage ?? fallback ?? stageVars.stage,
        'opt:region': REGION_REF,
        'aws:region': REGION_REF,
        'aws:accountId': ACCOUNT_REF,
        ...stageVars.constructs,
      };
      const key = `${m[1]}:${m[2]}`;
      if (Object.hasOwn(builtin, key)) return builtin[key]!;
      if (m[1] !== 'env' && m[1] !== 'self') {
        if (fallback !== undefined) return fallback;
        problems.push(`unsupported variable ${whole}`);
        return whole;
      }
      if (m[1] === 'env') {
        const v = env[m[2]!];
        if (v !== undefined) return v;
        if (fallback !== undefined) return fallback;
        problems.push(`${whole}: environment variable ${m[2]} is not set and has no default`);
        return '';
      }
      let cur: unknown = root;
      for (const k of m[2]!.split('.'))
        cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
      if (cur === undefined || typeof cur === 'object') {
        if (fallback !== undefined) return fallback;
        problems.push(`${whole}: ${m[2]} is not a value in this file`);
        return '';
      }
      if (typeof cur === 'string' && cur.includes('${')) {
        if (depth >= 10) {
          problems.push(`${whole}: variables nest too deep (a cycle?)`);
          return '';
        }
        return String(resolveVariables(cur, root, env, problems, stageVars, depth + 1));
      }
      return String(cur);
    });
  }
  if (Array.isArray(value))
    return value.map((v) => resolveVariables(v, root, env, problems, stageVars, depth));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveVariables(v, root, env, problems, stageVars, depth)]),
    );
  }
  return value;
}

/** A stage that can be part of a function name. */
const STAGE = /^[A-Za-z0-9_-]{1,64}$/;
/** A function name Lambda accepts (and so the Lambda API's plain names here). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The stage: `--stage`, else `provider.stage` (which may itself be `${opt:stage, 'dev'}`,
 * `${env:STAGE, 'dev'}`, …), else `dev`.
 */
function stageOf(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  cliStage: string | undefined,
  problems: string[],
): string {
  if (cliStage !== undefined) return cliStage;
  const p = (raw.provider as { stage?: unknown } | undefined)?.stage;
  if (p === undefined || p === null) return 'dev';
  if (typeof p !== 'string') return String(p);
  const v = String(resolveVariables(p, raw, env, problems, { stage: 'dev', optStage: undefined }));
  return v === '' ? 'dev' : v;
}

async function parseFile(
  dir: string,
  name: string,
  env: NodeJS.ProcessEnv,
  opts: ManifestOptions,
): Promise<ProjectManifest> {
  const file = join(dir, name);
  const text = await readFile(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, customTags: CFN_TAGS });
  if (doc.errors.length > 0) {
    throw ManifestErrors.INVALID({
      file: name,
      problems: doc.errors
        .map(
          (e) =>
            `  - line ${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]}`,
        )
        .join('\n'),
    });
  }
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const stage = stageOf(raw, env, opts.stage, problems);
  // serverless-lift constructs: their variables first (names depend only on service, stage, id).
  const rawService = String((raw.service as { name?: unknown } | undefined)?.name ?? raw.service ?? '');
  const defaultTimeoutSec = Number((raw.provider as { timeout?: unknown } | undefined)?.timeout ?? 6) || 6;
  const liftOpts = { service: rawService, stage, defaultTimeoutSec };
  const constructVars = liftConstructs(raw.constructs, liftOpts).vars;
  const vars = resolveVariables(raw, raw, env, problems, {
    stage,
    optStage: opts.stage,
    constructs: constructVars,
    dir,
  }) as Record<string, unknown>;
  const lift = liftConstructs(vars.constructs, liftOpts);
  problems.push(...lift.problems);
  if (Object.keys(lift.functions).length > 0 || lift.statements.length > 0) {
    vars.functions = { ...lift.functions, ...(vars.functions as Record<string, unknown> | undefined) };
    addStatements(vars, lift.statements, problems);
  }
  // CloudFormation references to the resources Nimbus creates (SQS queues) become strings. An
  // unresolvable one is an error where Nimbus needs its value, a warning inside `resources`.
  const serviceName =
    typeof vars.service === 'string'
      ? vars.service
      : String((vars.service as { name?: unknown })?.name ?? '');
  const stack = `${serviceName}-${stage}`;
  const cfnResources = ((vars.resources as { Resources?: unknown } | undefined)?.Resources ?? {}) as Record<
    string,
    unknown
  >;
  const queueIds = queueNames(cfnResources, stack);
  const bucketIds = bucketNames(cfnResources, stack);
  const warnings: string[] = [...lift.warnings];
  // The plugin's state machines resolve references to functions too (./stepfunctions.ts).
  const { resources: _r, stepFunctions, ...rest } = vars;
  const cfn = { queues: queueIds, buckets: bucketIds, stack };
  const resolved = resolveIntrinsics(rest, cfn, problems) as Record<string, unknown>;
  const resources = resolveIntrinsics(cfnResources, cfn, warnings) as Record<string, unknown>;
  const parsed = FileSchema.safeParse(resolved);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const line = lineOf(doc, lc, i.path as (string | number)[]);
      problems.push(`line ${line || '?'}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw ManifestErrors.INVALID({ file: name, problems: problems.map((p) => `  - ${p}`).join('\n') });
  }
  const m = parsed.data;
  const provider = m.provider ?? {};
  const functions: ManifestFunction[] = [];
  const service = typeof m.service === 'string' ? m.service : m.service.name;
  const source = name.startsWith('nimbus') ? 'nimbus.yml' : 'serverless.yml';
  const naming: Naming = m.naming ?? (source === 'serverless.yml' ? 'service' : 'short');
  // The stage is part of names (and of `--stage`'s promise); a short-named project's
  // provider.stage only feeds variables.
  if ((naming === 'service' || opts.stage !== undefined) && !STAGE.test(stage))
    problems.push(`stage ${JSON.stringify(stage)}: use letters, digits, _ and - (at most 64)`);
  // Deployed names first: destinations may name another function of the service by its key.
  const deployedNames = new Map<string, string>();
  for (const [fname, f] of Object.entries(m.functions)) {
    const deployed = f.name ?? (naming === 'service' ? `${service}-${stage}-${fname}` : fname);
    if ((naming === 'service' || f.name !== undefined) && !FUNCTION_NAME.test(deployed)) {
      problems.push(
        `line ${lineOf(doc, lc, ['functions', fname]) || '?'}: functions.${fname}: the deployed name ${JSON.stringify(deployed)} is not a valid function name (1-64 of A-Z a-z 0-9 _ -)${f.name === undefined ? `; shorten the service or stage, or set functions.${fname}.name` : ''}`,
      );
    }
    const other = [...deployedNames].find(([, n]) => n === deployed);
    if (other)
      problems.push(
        `functions.${fname} and functions.${other[0]} both deploy as ${JSON.stringify(deployed)}`,
      );
    deployedNames.set(fname, deployed);
  }
  const sf = parseStepFunctions(stepFunctions, {
    service,
    stage,
    naming,
    functions: deployedNames,
    cfn,
    authorizers:
      (provider as { httpApi?: { authorizers?: EventContext['authorizers'] } }).httpApi?.authorizers ?? {},
    lineOf: (path) => lineOf(doc, lc, path),
  });
  problems.push(...sf.problems);
  if (problems.length > 0)
    throw ManifestErrors.INVALID({ file: name, problems: problems.map((p) => `  - ${p}`).join('\n') });
  const { roles, serviceRole } = rolesOf(service, stage, provider);
  const httpApi = (provider as { httpApi?: { authorizers?: EventContext['authorizers'] } }).httpApi;
  for (const [fname, f] of Object.entries(m.functions)) {
    const ctx: EventContext = {
      functionName: deployedNames.get(fname)!,
      scheduleCount: 0,
      ...(naming === 'service' ? { stage } : {}),
      authorizers: httpApi?.authorizers ?? {},
    };
    const events: ManifestEvent[] = [];
    for (const [i, ev] of (f.events ?? []).entries()) {
      const type = ev && typeof ev === 'object' && !Array.isArray(ev) ? Object.keys(ev)[0] : undefined;
      const line = lineOf(doc, lc, ['functions', fname, 'events', i]);
      if (!type || !SUPPORTED_EVENT_TYPES.has(type)) {
        throw ManifestErrors.UNKNOWN_EVENT({
          file: name,
          line,
          function: fname,
          type: type ?? String(ev),
          supported: SUPPORTED_EVENT_TYPES.size ? [...SUPPORTED_EVENT_TYPES].join(', ') : 'none yet',
        });
      }
      const raw = (ev as Record<string, unknown>)[type];
      const parsed = EVENT_PARSERS[type]!(raw, ctx);
      if (typeof parsed === 'string') {
        throw ManifestErrors.INVALID({
          file: name,
          problems: `  - line ${line}: functions.${fname}.events[${i}]: ${parsed}`,
        });
      }
      events.push({
        type,
        line,
        raw,
        route: parsed.route,
        schedules: parsed.schedules,
        subscriptions: parsed.subscriptions,
        sources: parsed.sources,
        bucketEvents: parsed.bucketEvents,
      });
    }
    const runtime = f.runtime ?? provider.runtime;
    if (!runtime) {
      throw ManifestErrors.INVALID({
        file: name,
        problems: `  - line ${lineOf(doc, lc, ['functions', fname])}: functions.${fname}: no runtime (set provider.runtime or functions.${fname}.runtime)`,
      });
    }
    try {
      resolveRuntimeId(runtime);
    } catch (e) {
      const at = f.runtime !== undefined ? ['functions', fname, 'runtime'] : ['provider', 'runtime'];
      const ne = e as NimbusError;
      throw ManifestErrors.INVALID({
        file: name,
        problems: `  - line ${lineOf(doc, lc, at) || '?'}: ${at.join('.')}: ${ne.message}${ne.hint ? ` (${ne.hint})` : ''}`,
      });
    }
    functions.push({
      name: deployedNames.get(fname)!,
      key: fname,
      handler: f.handler,
      runtime,
      memoryMb: f.memorySize ?? provider.memorySize,
      timeoutSec: f.timeout ?? provider.timeout,
      environment: { ...(provider.environment ?? {}), ...(f.environment ?? {}) },
      description: f.description,
      events,
      ...(asyncOf(f, deployedNames) ? { async: asyncOf(f, deployedNames) } : {}),
      ...(f.reservedConcurrency !== undefined ? { reservedConcurrency: f.reservedConcurrency } : {}),
      ...(f.isolation ? { isolation: f.isolation } : {}),
      ...((f.egress ?? provider.egress) ? { egress: f.egress ?? provider.egress } : {}),
      ...((f.role ?? serviceRole) ? { role: roleName(f.role ?? serviceRole!) } : {}),
      ...(f.secrets || provider.secrets
        ? { secrets: [...new Set([...(provider.secrets ?? []), ...(f.secrets ?? [])])] }
        : {}),
      ...(f.scaling || f.provisionedConcurrency !== undefined
        ? {
            scaling: {
              ...(f.provisionedConcurrency !== undefined
                ? { provisionedConcurrency: f.provisionedConcurrency }
                : {}),
              ...f.scaling,
            },
          }
        : {}),
    });
  }
  const queues = [...lift.queues, ...manifestQueues(resources, queueIds)];
  const buckets = [...new Set([...bucketIds.values(), ...lift.buckets])];
  const unused = unusedKeys(vars, text, {
    functionKeys: new Set([...Object.keys(FnSchema.shape), 'package']),
    actedResourceTypes: new Set(['AWS::SQS::Queue', 'AWS::S3::Bucket']),
  });
  const ignored = [...unused.ignored, ...sf.ignored];
  if (ignored.length > 0) warnings.push(`not acted on by Nimbus: ${ignored.join(', ')}`);
  return {
    service,
    stage,
    naming,
    ...(roles.length ? { roles } : {}),
    ...(queues.length ? { queues } : {}),
    ...(buckets.length ? { buckets } : {}),
    ...(warnings.length ? { warnings } : {}),
    ...(unused.served.length ? { served: unused.served } : {}),
    ...(sf.stateMachines.length ? { stateMachines: sf.stateMachines } : {}),
    source,
    dir,
    file,
    functions,
    cors: corsOf((httpApi as { cors?: unknown } | undefined)?.cors),
  };
}

/** Adds statements to the service role (`provider.iam.role.statements`), as Lift does. */
function addStatements(
  doc: Record<string, unknown>,
  statements: Record<string, unknown>[],
  problems: string[],
): void {
  const provider = (doc.provider ?? {}) as Record<string, unknown>;
  doc.provider = provider;
  const iam = (provider.iam ?? {}) as Record<string, unknown>;
  provider.iam = iam;
  if (typeof iam.role === 'string') {
    problems.push(
      'constructs: provider.iam.role names an existing role; Lift’s permissions need a role defined here',
    );
    return;
  }
  const role = (iam.role ?? {}) as Record<string, unknown>;
  iam.role = role;
  role.statements = [...(Array.isArray(role.statements) ? role.statements : []), ...statements];
}

/** `arn:aws:iam::<account>:role/<path/>name` or `name` → `name`. */
const roleName = (r: string) => r.slice(r.lastIndexOf('/') + 1);

/**
 * The service's execution role: Serverless puts `provider.iam.role.statements` (v3) or
 * `provider.iamRoleStatements` (v2), plus managed policies, into one role shared by every
 * function (`<service>-<stage>-lambdaRole`, or `iam.role.name`). `provider.iam.role` as a
 * string names an existing role instead.
 */
function rolesOf(
  service: string,
  stage: string,
  provider: {
    iam?:
      | {
          role?:
            | string
            | {
                name?: string | undefined;
                statements?: Record<string, unknown>[] | undefined;
                managedPolicies?: string[] | undefined;
              }
            | undefined;
        }
      | undefined;
    iamRoleStatements?: Record<string, unknown>[] | undefined;
    iamManagedPolicies?: string[] | undefined;
  },
): { roles: ManifestRole[]; serviceRole?: string | undefined } {
  const r = provider.iam?.role;
  if (typeof r === 'string') return { roles: [], serviceRole: r };
  const statements = [...(r?.statements ?? []), ...(provider.iamRoleStatements ?? [])];
  const managed = [...(r?.managedPolicies ?? []), ...(provider.iamManagedPolicies ?? [])];
  if (statements.length === 0 && managed.length === 0) return { roles: [] };
  const name = (r?.name ?? `${service}-${stage}-lambdaRole`).slice(0, 64);
  const policies: ManifestRole['policies'] = [
    ...(statements.length ? [{ Version: '2012-10-17', Statement: statements }] : []),
    ...managed,
  ];
  return { roles: [{ name, policies }], serviceRole: name };
}

/** Serverless `provider.httpApi.cors` (true or an object) → the gateway's CORS settings. */
function corsOf(c: unknown): Record<string, unknown> | undefined {
  if (c === undefined || c === false) return undefined;
  if (c === true) {
    // Serverless' httpApi defaults: its REST list without X-Amzn-Trace-Id.
    return {
      allowOrigins: ['*'],
      allowHeaders: REST_CORS_HEADERS.filter((h) => h !== 'X-Amzn-Trace-Id'),
      allowMethods: ['*'],
    };
  }
  const o = c as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const map: [string, string][] = [
    ['allowedOrigins', 'allowOrigins'],
    ['allowedHeaders', 'allowHeaders'],
    ['allowedMethods', 'allowMethods'],
    ['exposedResponseHeaders', 'exposeHeaders'],
    ['allowCredentials', 'allowCredentials'],
    ['maxAge', 'maxAge'],
  ];
  for (const [from, to] of map) if (o[from] !== undefined) out[to] = o[from];
  return out;
}

function infer(dir: string, stage: string): ProjectManifest {
  const name =
    basename(dir)
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 64) || 'function';
  const candidates: [string, string, string][] = [
    ['index.ts', 'index.handler', 'nodejs24.x'],
    ['index.mjs', 'index.handler', 'nodejs24.x'],
    ['index.js', 'index.handler', 'nodejs24.x'],
    ['handler.ts', 'handler.handler', 'nodejs24.x'],
    ['handler.js', 'handler.handler', 'nodejs24.x'],
    ['app.py', 'app.handler', 'python3.12'],
    ['lambda_function.py', 'lambda_function.lambda_handler', 'python3.12'],
    ['handler.py', 'handler.handler', 'python3.12'],
  ];
  const hit = candidates.find(([f]) => existsSync(join(dir, f)));
  if (!hit) throw ManifestErrors.NO_FUNCTION({ dir });
  return {
    service: name,
    stage,
    naming: 'short',
    source: 'inferred',
    dir,
    functions: [{ name, key: name, handler: hit[1], runtime: hit[2], environment: {}, events: [] }],
  };
}

/**
 * The manifest file of a project: `path` itself when it is a YAML file, else the first of nimbus.yml,
 * nimbus.yaml, serverless.yml, serverless.yaml in the folder; undefined when there is none.
 */
export function manifestFile(path: string): string | undefined {
  const abs = resolve(path);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (st?.isFile()) return /\.ya?ml$/.test(abs) ? abs : undefined;
  const found = NAMES.find((n) => existsSync(join(abs, n)));
  return found ? join(abs, found) : undefined;
}

/**
 * A project: `path` is its folder (the manifest found there, or one function inferred from its
 * files) or a manifest file.
 */
export async function loadProjectManifest(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  opts: ManifestOptions = {},
): Promise<ProjectManifest> {
  const file = manifestFile(path);
  if (file) return parseFile(dirname(file), basename(file), env, opts);
  return infer(resolve(path), opts.stage ?? 'dev');
}

/**
 * What a short name means in the project at `path` (a folder or manifest file): the deployed
 * name of the function with that key, or undefined when the project has no manifest or no such
 * function (the name is then used as given). Only a matching key loads the whole manifest, so a
 * manifest that does not resolve in this environment fails only the commands that need it.
 */
export async function deployedFunctionName(
  path: string,
  key: string,
  env: NodeJS.ProcessEnv = process.env,
  opts: ManifestOptions = {},
): Promise<string | undefined> {
  const file = manifestFile(path);
  if (!file) return undefined;
  const doc = parseDocument(await readFile(file, 'utf8'), { customTags: CFN_TAGS });
  const fns = doc.errors.length === 0 ? (doc.toJS() as { functions?: unknown } | null)?.functions : undefined;
  if (!fns || typeof fns !== 'object' || !Object.hasOwn(fns, key)) return undefined;
  const m = await parseFile(dirname(file), basename(file), env, opts);
  return m.functions.find((f) => f.key === key)?.name;
}

function asyncOf(
  f: z.infer<typeof FnSchema>,
  deployedNames: ReadonlyMap<string, string>,
): Record<string, unknown> | undefined {
  // A destination names a function of this service by its key (Serverless), or any function /
  // ARN as it is deployed.
  const dest = (d: string | { arn: string } | undefined) => {
    const v = typeof d === 'string' ? d : d?.arn;
    return v !== undefined ? (deployedNames.get(v) ?? v) : undefined;
  };
  const out: Record<string, unknown> = {
    ...(f.maximumRetryAttempts !== undefined ? { maximumRetryAttempts: f.maximumRetryAttempts } : {}),
    ...(f.maximumEventAge !== undefined ? { maximumEventAgeSec: f.maximumEventAge } : {}),
    ...(f.destinations?.onSuccess !== undefined ? { onSuccess: dest(f.destinations.onSuccess) } : {}),
    ...(f.destinations?.onFailure !== undefined ? { onFailure: dest(f.destinations.onFailure) } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}
