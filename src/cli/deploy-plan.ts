/**
 * `nimbus deploy` as one change: a service's functions, routes, schedules and events switch
 * together, or nothing changes.
 *
 * 1. Validate what can be checked before anything is built: route keys parse and are free (not
 *    served outside this deploy), schedule expressions and names, subscription patterns and input
 *    transformers, the queues sqs sources read and the roles functions name.
 * 2. Build (phase 1): every function is uploaded with `dryRun` — validated, built, the artifact
 *    stored and kept by sha256 on the platform; nothing else changes. A build that fails ends the
 *    deploy here, and nothing was changed.
 * 3. Snapshot each function as it is (configuration, code sha256, routes, schedules,
 *    subscriptions, sources, bucket events; the gateway CORS and the roles the manifest defines)
 *    through the REST API, and pin each existing function's current code (a `dryRun` naming it by
 *    sha256), so a rollback needs no build either. Create the manifest's queues and buckets and
 *    put its roles, as before.
 * 4. Apply (phase 2): every function with its prebuilt code (`code: {sha256}`: no build, so no
 *    build error now), then every function's wiring, kind by kind (routes and schedules in two
 *    passes, so one can move between functions of the service), the gateway CORS, the state
 *    machines and their events (serverless-step-functions: ./deploy-workflows.ts, which also
 *    validates and snapshots them with the functions, and rolls them back first), and last the
 *    versions are published.
 * 5. Anything failing in 3's role changes or in 4 rolls back: functions this deploy created are
 *    deleted (their wiring goes with them), the others get their snapshot back (configuration and
 *    code by sha256, then the wiring it changed), the CORS and the roles too.
 *
 * What is not atomic: phase 2 and a rollback are sequences of REST calls, so for their duration
 * (milliseconds per call) callers can see some functions switched and others not, and a crash of
 * the CLI or the platform in the middle leaves it half-applied (deploy again). Queues and buckets
 * a failed deploy created stay (empty), and queue attributes it changed stay changed; versions it
 * published before failing stay (immutable, as in Lambda), though no alias or `$LATEST` points at
 * them. What the REST API does not show cannot be restored: API-key route auth (keys are stored
 * hashed) and source credentials it redacts (taken from the new manifest when the source is the
 * same there), and a subscription's `raw` delivery (its `filterScope` likewise).
 */
import { createReadStream, statSync } from 'node:fs';
import { ACCOUNT_REF, REGION_REF } from '../config/cloudformation.ts';
import type { ManifestFunction, ProjectManifest } from '../config/manifest.ts';
import { defineErrors, NimbusError } from '../core/errors.ts';
import { compilePattern } from '../events/pattern.ts';
import { redactSourceConfig } from '../events/sources/types.ts';
import { compileTransformer } from '../events/transform.ts';
import { normalizeRouteKey } from '../gateway/routes.ts';
import { compileSchedule } from '../schedules/expression.ts';
import { SqsErrors } from '../sqs/errors.ts';
import type { ScheduleView, SubscriptionView } from './api-views.ts';
import type { ApiClient } from './client.ts';
import {
  type DeployedFunction,
  functionBody,
  putWiring,
  WIRING_KINDS,
  type Wiring,
  type WiringKind,
  wiringOf,
} from './deploy-function.ts';
import { type DeployedMachine, stateMachinePlan } from './deploy-workflows.ts';
import { CliErrors } from './errors.ts';
import type { CodeUpload } from './package-service.ts';

export const DeployPlanErrors = defineErrors('DEPLOY', {
  ROLLED_BACK: {
    status: 409,
    kind: 'user',
    message: '{cause} (while {step}); the deploy was rolled back: {undone}',
    hint: 'every function of the service serves what it served before; fix the cause and deploy again',
  },
  ROLLBACK_INCOMPLETE: {
    status: 500,
    kind: 'system',
    message: '{cause} (while {step}); the rollback left this undone: {problems}',
    hint: 'deploy again (or deploy the previous version of the service) to bring every function to one version',
  },
});

// ---------------------------------------------------------------- REST views (docs/API.md)

interface FunctionView {
  name: string;
  runtime: string;
  handler: string;
  memoryMb: number;
  timeoutSec: number;
  environment: Record<string, string>;
  description: string;
  reservedConcurrency: number | null;
  async: Record<string, unknown> | null;
  scaling: Record<string, unknown> | null;
  isolation: string;
  egress: Record<string, unknown>;
  role: string | null;
  secrets: string[];
  codeSha256: string;
  codeSize: number;
}
interface RouteView {
  routeKey: string;
  /** null: the route targets a state machine (`stateMachine`). */
  function: string;
  stateMachine?: string;
  qualifier: string | null;
  payloadFormat: string;
  throttle: Record<string, unknown> | null;
  stage: string | null;
  cors: Record<string, unknown> | null;
  auth: ({ type: string } & Record<string, unknown>) | null;
}
interface SourceView {
  id: string;
  function: string;
  kind: string;
  config: Record<string, unknown>;
  batchSize?: number;
  batchWindowMs?: number;
  maximumRetryAttempts?: number;
  concurrency?: number;
  enabled?: boolean;
  origin: string;
}
interface NotificationView {
  id: string;
  bucket: string;
  function: string;
  events: string[];
  prefix: string | null;
  suffix: string | null;
  origin: string;
}
interface RoleView {
  name: string;
  description: string;
  policies: unknown[];
}

const notFound = (e: unknown) => (e as NimbusError).status === 404;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const drop = <T extends Record<string, unknown>>(o: T): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

// ---------------------------------------------------------------- upload

/**
 * `PUT`s a JSON body whose `code.zipBase64` is the file's bytes, streamed: the zip is read and
 * base64-encoded chunk by chunk, never held whole (the REST API takes code as base64 in JSON).
 */
/** The REST API's body limit (src/api/index.ts API_BODY_LIMIT): the zip goes in it as base64. */
const API_BODY_LIMIT = 96 * 1024 * 1024;

async function putWithZip<T>(
  client: ApiClient,
  path: string,
  body: Record<string, unknown>,
  file: string,
): Promise<T> {
  const size = statSync(file).size;
  if (Math.ceil(size / 3) * 4 + 64 * 1024 > API_BODY_LIMIT) {
    throw CliErrors.BAD_ARGUMENT({
      reason: `the package ${file} is ${(size / 2 ** 20).toFixed(1)} MiB: the API takes code up to about ${Math.floor((API_BODY_LIMIT * 3) / 4 / 2 ** 20) - 1} MiB zipped (base64 in JSON); leave more out (package.patterns) or package functions individually`,
      command: 'deploy',
    });
  }
  const json = JSON.stringify({ ...body, code: { zipBase64: '' } });
  const tail = '""}}';
  if (!json.endsWith(`"zipBase64":${tail}`)) throw new Error('unexpected request body shape');
  const head = json.slice(0, -tail.length + 1); // …"zipBase64":"
  async function* chunks(): AsyncGenerator<Buffer> {
    yield Buffer.from(head);
    let rest: Buffer = Buffer.alloc(0);
    for await (const c of createReadStream(file, { highWaterMark: 3 << 18 })) {
      const buf = rest.length > 0 ? Buffer.concat([rest, c as Buffer]) : (c as Buffer);
      const whole = buf.length - (buf.length % 3);
      yield Buffer.from(buf.subarray(0, whole).toString('base64'));
      rest = buf.subarray(whole);
    }
    if (rest.length > 0) yield Buffer.from(rest.toString('base64'));
    yield Buffer.from('"}}');
  }
  // Streamed (chunked) body: the zip is never held in memory.
  return client.call<T>('PUT', path, chunks());
}

// ---------------------------------------------------------------- validation

const SCHEDULE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const queueNameOf = (q: string) => (q.startsWith('arn:') ? (q.split(':').pop() ?? q) : q);
const routeKeyOf = (s: Record<string, unknown>) => normalizeRouteKey(String(s.routeKey));

/**
 * Everything about the event wiring that can be checked before anything is built or changed.
 * Routes and schedule names are the tenant's: one served by a function outside this deploy is
 * refused (another service's, another stage's, or — with --function — another of this service's).
 */
async function validateWiring(
  client: ApiClient,
  manifest: ProjectManifest,
  fns: readonly ManifestFunction[],
): Promise<void> {
  const problems: string[] = [];
  const deploying = new Set(fns.map((f) => f.name));
  const ours = new Set(manifest.functions.map((f) => f.name));
  const wiring = new Map(fns.map((f) => [f.name, wiringOf(f)]));
  const wanted = new Map<string, string>(); // route key → function
  const scheduleNames = new Map<string, string>();
  for (const f of fns) {
    const w = wiring.get(f.name)!;
    for (const r of w.routes) {
      let key: string;
      try {
        key = routeKeyOf(r);
      } catch (e) {
        problems.push(`functions.${f.key}: route ${JSON.stringify(r.routeKey)}: ${errorText(e)}`);
        continue;
      }
      const other = wanted.get(key);
      if (other)
        problems.push(
          `route ${key} is declared by ${other === f.name ? `${f.name} twice` : `both ${other} and ${f.name}`}`,
        );
      wanted.set(key, f.name);
    }
    for (const s of w.schedules) {
      const name = String(s.name);
      if (!SCHEDULE_NAME.test(name))
        problems.push(`functions.${f.key}: schedule name ${JSON.stringify(name)}: 1-64 of A-Z a-z 0-9 . _ -`);
      const other = scheduleNames.get(name);
      if (other)
        problems.push(
          `schedule ${name} is declared by ${other === f.name ? `${f.name} twice` : `both ${other} and ${f.name}`}`,
        );
      scheduleNames.set(name, f.name);
      try {
        compileSchedule(String(s.expression), {
          timezone: s.timezone as string | undefined,
          anchor: Date.now(),
        });
      } catch (e) {
        problems.push(`functions.${f.key}: schedule ${name}: ${errorText(e)}`);
      }
    }
    for (const s of w.subscriptions) {
      try {
        if (s.pattern !== undefined) compilePattern(s.pattern);
        if (s.inputTransformer !== undefined)
          compileTransformer(s.inputTransformer as Parameters<typeof compileTransformer>[0]);
      } catch (e) {
        problems.push(`functions.${f.key}: ${s.topic} subscription: ${errorText(e)}`);
      }
    }
  }
  if (wanted.size > 0) {
    const { routes } = await client.call<{ routes: RouteView[] }>('GET', '/v1/routes');
    const taken: string[] = [];
    for (const r of routes) {
      const fn = wanted.get(r.routeKey);
      if (!fn || deploying.has(r.function)) continue;
      if (!ours.has(r.function))
        taken.push(
          `route ${r.routeKey} (of ${fn}) is already served by ${r.stateMachine !== undefined ? `state machine ${r.stateMachine}` : r.function}`,
        );
      else
        problems.push(
          `route ${r.routeKey} (of ${fn}) is served by ${r.function}, which this deploy leaves as it is: deploy both`,
        );
    }
    if (taken.length > 0) {
      throw CliErrors.BAD_ARGUMENT({
        reason: `${taken.join('; ')}: routes are the tenant's, shared by every service and stage; give this stage its own paths (e.g. /\${sls:stage}/…), or deploy it as another tenant (--profile)`,
        command: 'deploy',
      });
    }
  }
  if (scheduleNames.size > 0) {
    const { schedules } = await client.call<{ schedules: ScheduleView[] }>('GET', '/v1/schedules');
    for (const s of schedules) {
      const fn = scheduleNames.get(s.name);
      if (!fn || (s.function !== null && deploying.has(s.function) && s.origin === 'manifest')) continue;
      problems.push(
        `schedule ${s.name} (of ${fn}) exists already: ${s.origin === 'manifest' ? 'it belongs to' : 'made through the API for'} ${s.stateMachine !== undefined ? `state machine ${s.stateMachine}` : s.function}`,
      );
    }
  }
  // The queues sqs sources read: the manifest's own (made before the switch), or existing ones.
  const declared = new Set((manifest.queues ?? []).map((q) => q.name));
  const queues = new Set<string>();
  for (const f of fns)
    for (const s of wiring.get(f.name)!.sources)
      if (s.kind === 'sqs' && typeof (s.config as { queue?: unknown })?.queue === 'string')
        queues.add(queueNameOf((s.config as { queue: string }).queue));
  for (const q of queues) {
    if (declared.has(q)) continue;
    try {
      await client.aws('AmazonSQS.GetQueueUrl', { QueueName: q });
    } catch (e) {
      if ((e as NimbusError).code !== SqsErrors.codes.QUEUE_NOT_FOUND) throw e;
      problems.push(`sqs queue ${q} does not exist (an event source reads it)`);
    }
  }
  const roles = new Set((manifest.roles ?? []).map((r) => r.name));
  // A role name, or its ARN (the name is its last part).
  const roleNames = fns.flatMap((f) => (f.role ? [f.role.slice(f.role.lastIndexOf('/') + 1)] : []));
  for (const role of new Set(roleNames)) {
    if (roles.has(role)) continue;
    try {
      await client.call('GET', `/v1/roles/${encodeURIComponent(role)}`);
    } catch (e) {
      if (!notFound(e)) throw e;
      problems.push(`role ${role} does not exist (create it: nimbus roles put ${role})`);
    }
  }
  if (problems.length > 0) {
    throw CliErrors.BAD_ARGUMENT({
      reason: `nothing was deployed:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      command: 'deploy',
    });
  }
}

// ---------------------------------------------------------------- snapshot

interface FunctionSnapshot {
  /** Undefined: the function did not exist. */
  readonly fn: FunctionView | undefined;
  readonly wiring: Record<WiringKind, unknown[]>;
}
interface Snapshot {
  readonly functions: Map<string, FunctionSnapshot>;
  /** `undefined`: not read (the manifest sets no CORS); `null`: none set. */
  readonly cors: Record<string, unknown> | null | undefined;
  /** By name; `null`: the role did not exist. */
  readonly roles: Map<string, RoleView | null>;
}

async function takeSnapshot(
  client: ApiClient,
  manifest: ProjectManifest,
  fns: readonly ManifestFunction[],
): Promise<Snapshot> {
  const wired = manifest.source !== 'inferred';
  const list = async <T>(path: string, key: string): Promise<T[]> =>
    wired ? ((await client.call<Record<string, T[]>>('GET', path))[key] ?? []) : [];
  const [routes, schedules, subscriptions, sources] = await Promise.all([
    list<RouteView>('/v1/routes', 'routes'),
    list<ScheduleView>('/v1/schedules', 'schedules'),
    list<SubscriptionView>('/v1/subscriptions', 'subscriptions'),
    list<SourceView>('/v1/sources', 'sources'),
  ]);
  const notifications: NotificationView[] = [];
  for (const b of await list<{ name: string }>('/v1/buckets', 'buckets')) {
    notifications.push(
      ...(await list<NotificationView>(
        `/v1/buckets/${encodeURIComponent(b.name)}/notifications`,
        'notifications',
      )),
    );
  }
  const functions = new Map<string, FunctionSnapshot>();
  for (const f of fns) {
    let fn: FunctionView | undefined;
    try {
      fn = (
        await client.call<{ function: FunctionView }>('GET', `/v1/functions/${encodeURIComponent(f.name)}`)
      ).function;
    } catch (e) {
      if (!notFound(e)) throw e;
    }
    const manifestOwned = <T extends { origin: string }>(xs: T[], owner: (x: T) => string | null) =>
      xs.filter((x) => x.origin === 'manifest' && owner(x) === f.name);
    functions.set(f.name, {
      fn,
      wiring: {
        routes: routes.filter((r) => r.function === f.name),
        schedules: manifestOwned(schedules, (s) => s.function),
        subscriptions: manifestOwned(subscriptions, (s) => s.owner),
        sources: manifestOwned(sources, (s) => s.function),
        'bucket-events': manifestOwned(notifications, (n) => n.function).sort(
          (a, b) => Number(a.id.split('-').pop()) - Number(b.id.split('-').pop()),
        ),
      },
    });
  }
  let cors: Snapshot['cors'];
  if (manifest.cors)
    cors = (await client.call<{ cors: Record<string, unknown> | null }>('GET', '/v1/gateway/cors')).cors;
  const roles = new Map<string, RoleView | null>();
  for (const r of manifest.roles ?? []) {
    try {
      roles.set(
        r.name,
        (await client.call<{ role: RoleView }>('GET', `/v1/roles/${encodeURIComponent(r.name)}`)).role,
      );
    } catch (e) {
      if (!notFound(e)) throw e;
      roles.set(r.name, null);
    }
  }
  return { functions, cors, roles };
}

/** The body that puts a function back as its snapshot shows it (its code by sha256). */
function restoreBody(v: FunctionView): Record<string, unknown> {
  return {
    ...drop({
      runtime: v.runtime,
      handler: v.handler,
      memoryMb: v.memoryMb,
      timeoutSec: v.timeoutSec,
      environment: v.environment,
      description: v.description,
      reservedConcurrency: v.reservedConcurrency,
      async: v.async,
      scaling: v.scaling,
      isolation: v.isolation,
      egress: v.egress,
      secrets: v.secrets.length > 0 ? v.secrets : undefined,
    }),
    role: v.role,
    code: { sha256: v.codeSha256 },
    publish: false,
  };
}

/**
 * A snapshot's wiring as request items. What the API does not show is taken from the new
 * manifest's same item when there is one (source credentials, a subscription's filterScope), and
 * else reported in `problems` (that item is then not restored).
 */
function restoreItems(
  kind: WiringKind,
  fnName: string,
  snap: unknown[],
  next: Wiring | undefined,
  problems: string[],
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const item of snap) {
    if (kind === 'routes') {
      const r = item as RouteView;
      let auth: Record<string, unknown> | undefined;
      if (r.auth?.type === 'apiKey') {
        problems.push(
          `route ${r.routeKey} of ${fnName}: its API keys are stored hashed and cannot be restored`,
        );
        continue;
      }
      if (r.auth?.type === 'lambda') {
        const { functionName, type, ...rest } = r.auth;
        auth = { type, function: functionName, ...rest };
      } else if (r.auth) auth = drop(r.auth);
      out.push(
        drop({
          routeKey: r.routeKey,
          qualifier: r.qualifier,
          payloadFormat: r.payloadFormat,
          auth,
          throttle: r.throttle,
          stage: r.stage,
          cors: r.cors,
        }),
      );
    } else if (kind === 'schedules') {
      const s = item as ScheduleView;
      out.push(
        drop({
          name: s.name,
          qualifier: s.qualifier,
          expression: s.expression,
          timezone: s.timezone,
          input: s.input,
          enabled: s.enabled,
          misfire: s.misfire,
          description: s.description,
        }),
      );
    } else if (kind === 'subscriptions') {
      const s = item as SubscriptionView;
      const same = next?.subscriptions.find(
        (n) =>
          n.topic === s.topic &&
          JSON.stringify(n.pattern ?? null) === JSON.stringify(s.pattern) &&
          (n.view ?? 'cloudevent') === s.view,
      );
      out.push(
        drop({
          topic: s.topic,
          pattern: s.pattern,
          view: s.view,
          filterScope: same?.filterScope,
          inputTransformer: s.inputTransformer,
          partitionKey: s.partitionKey,
          retry: s.retry,
          description: s.description,
        }),
      );
    } else if (kind === 'sources') {
      const s = item as SourceView;
      let config = s.config;
      if (JSON.stringify(config).includes('***')) {
        const same = next?.sources.find(
          (n) =>
            n.kind === s.kind &&
            JSON.stringify(redactSourceConfig(n.config as Record<string, unknown>)) ===
              JSON.stringify(s.config),
        );
        if (!same) {
          problems.push(
            `${s.kind} source ${s.id} of ${fnName}: its credentials are not readable through the API`,
          );
          continue;
        }
        config = same.config as Record<string, unknown>;
      }
      out.push(
        drop({
          kind: s.kind,
          config,
          batchSize: s.batchSize,
          batchWindowMs: s.batchWindowMs,
          maximumRetryAttempts: s.maximumRetryAttempts,
          concurrency: s.concurrency,
          enabled: s.enabled,
        }),
      );
    } else {
      const n = item as NotificationView;
      out.push(drop({ bucket: n.bucket, events: n.events, prefix: n.prefix, suffix: n.suffix }));
    }
  }
  return out;
}

// ---------------------------------------------------------------- apply

/**
 * Routes and schedule names are unique in the tenant: giving function B a key function A holds
 * fails until A lets it go. So each function first gets what is free (or its own), which also
 * lets go of what it no longer wants; the functions that had to wait then get all of theirs.
 */
async function applyUnique(
  client: ApiClient,
  kind: 'routes' | 'schedules',
  desired: ReadonlyMap<string, Record<string, unknown>[]>,
  touch: (fn: string) => void,
): Promise<Map<string, Record<string, unknown>[]>> {
  const keyOf = kind === 'routes' ? routeKeyOf : (s: Record<string, unknown>) => String(s.name);
  const owners = new Map<string, string>();
  if (kind === 'routes')
    for (const r of (await client.call<{ routes: RouteView[] }>('GET', '/v1/routes')).routes)
      owners.set(r.routeKey, r.function);
  else
    for (const s of (await client.call<{ schedules: ScheduleView[] }>('GET', '/v1/schedules')).schedules)
      owners.set(s.name, s.function ?? `state machine ${s.stateMachine}`);
  const out = new Map<string, Record<string, unknown>[]>();
  const put = async (fn: string, items: Record<string, unknown>[]) => {
    touch(fn);
    out.set(fn, await putWiring(client, fn, kind, items));
    for (const [k, o] of owners) if (o === fn) owners.delete(k);
    for (const s of items) owners.set(keyOf(s), fn);
  };
  const waiting: string[] = [];
  for (const [fn, items] of desired) {
    const free = items.filter((s) => (owners.get(keyOf(s)) ?? fn) === fn);
    if (free.length < items.length) waiting.push(fn);
    await put(fn, free);
  }
  for (const fn of waiting) await put(fn, desired.get(fn)!);
  return out;
}

export interface DeployOptions {
  readonly publish: boolean;
  /** What the deploy made of the manifest's state machines (serverless-step-functions). */
  readonly onStateMachines?: ((machines: DeployedMachine[]) => void) | undefined;
  /** Human progress lines (queues, roles, buckets made); silent with --json. */
  readonly say: (line: string) => void;
  readonly progress: (text: string) => () => void;
}

export type DeployResult = DeployedFunction & { key: string };

interface Journal {
  /** Functions whose configuration or code phase 2 may have changed, in order. */
  readonly functions: string[];
  readonly wiring: Map<string, Set<WiringKind>>;
  cors: boolean;
  readonly roles: string[];
  step: string;
}

/**
 * Deploys `fns` of the manifest's service as one change (see the module comment); `code` gives
 * each function's upload by deployed name.
 */
export async function deployService(
  client: ApiClient,
  manifest: ProjectManifest,
  fns: readonly ManifestFunction[],
  code: ReadonlyMap<string, CodeUpload>,
  o: DeployOptions,
): Promise<DeployResult[]> {
  const wired = manifest.source !== 'inferred';
  if (wired) await validateWiring(client, manifest, fns);
  // State machines (./deploy-workflows.ts) deploy with the whole service, not with --function.
  const machines = stateMachinePlan(client, manifest, wired && fns.length === manifest.functions.length);
  await machines.validate();

  // Phase 1: build everything; nothing changes.
  const built = new Map<
    string,
    { codeSha256: string; timings: DeployedFunction['timings']; warnings: string[]; wallMs: number }
  >();
  for (const f of fns) {
    const stop = o.progress(`building ${f.name}`);
    const t0 = performance.now();
    try {
      const r = await putWithZip<{
        codeSha256: string;
        timings: DeployedFunction['timings'];
        warnings: string[];
      }>(
        client,
        `/v1/functions/${encodeURIComponent(f.name)}`,
        { ...functionBody(f), dryRun: true },
        code.get(f.name)!.file,
      );
      built.set(f.name, { ...r, wallMs: performance.now() - t0 });
    } catch (e) {
      throw unchanged(e, f.name);
    } finally {
      stop();
    }
  }

  // What each function is now, to come back to; its current code pinned for that.
  const snap = await takeSnapshot(client, manifest, fns);
  await machines.snapshot();
  for (const [name, s] of snap.functions) {
    if (!s.fn) continue;
    try {
      await client.call('PUT', `/v1/functions/${encodeURIComponent(name)}`, {
        ...restoreBody(s.fn),
        dryRun: true,
      });
    } catch (e) {
      throw unchanged(e, `${name} (keeping its current version for a rollback)`);
    }
  }

  // ARNs the manifest built from resource references name the caller's account and region.
  const me = await client.call<{ accountId: string; region: string }>('GET', '/v1/identity');
  const fill = <T>(v: T): T =>
    JSON.parse(
      JSON.stringify(v).replaceAll(ACCOUNT_REF, me.accountId).replaceAll(REGION_REF, me.region),
    ) as T;
  // Queues first (dead-letter queues before the queues that name them), then buckets: additive,
  // kept even if the deploy fails.
  for (const q of manifest.queues ?? []) {
    await applyQueue(client, q.name, fill(q.attributes), q.tags);
    o.say(`queue ${q.name}`);
  }
  for (const b of manifest.buckets ?? []) {
    await client.call('PUT', `/v1/buckets/${encodeURIComponent(b)}`);
    o.say(`bucket ${b}`);
  }

  const journal: Journal = { functions: [], wiring: new Map(), cors: false, roles: [], step: '' };
  const switching = performance.now();
  const results = new Map<string, DeployResult>();
  try {
    for (const r of manifest.roles ?? []) {
      journal.step = `putting role ${r.name}`;
      journal.roles.push(r.name);
      await client.call('PUT', `/v1/roles/${encodeURIComponent(r.name)}`, {
        policies: fill(r.policies),
        description: `execution role of ${manifest.service} (${manifest.source})`,
      });
      o.say(`role ${r.name}`);
    }

    // Phase 2: switch. Prebuilt code (by sha256) cannot fail to build.
    const stop = o.progress(`switching ${manifest.service}`);
    try {
      for (const f of fns) {
        journal.step = `deploying ${f.name}`;
        journal.functions.push(f.name);
        const b = built.get(f.name)!;
        const t0 = performance.now();
        const r = await client.call<
          Pick<DeployedFunction, 'function' | 'timings' | 'unchanged'> & { warnings: string[] }
        >('PUT', `/v1/functions/${encodeURIComponent(f.name)}`, {
          ...functionBody(f),
          code: { sha256: b.codeSha256 },
          publish: false,
        });
        results.set(f.name, {
          key: f.key,
          function: r.function,
          timings: { ...b.timings, totalMs: b.timings.totalMs + r.timings.totalMs },
          warnings: b.warnings,
          unchanged: r.unchanged,
          routes: [],
          schedules: [],
          subscriptions: [],
          sources: [],
          bucketEvents: [],
          wallMs: b.wallMs + performance.now() - t0,
        });
      }
      if (wired) {
        const touch = (kind: WiringKind) => (fn: string) => {
          const set = journal.wiring.get(fn) ?? new Set<WiringKind>();
          set.add(kind);
          journal.wiring.set(fn, set);
        };
        const wiring = new Map(fns.map((f) => [f.name, wiringOf(f)]));
        const field = {
          routes: 'routes',
          schedules: 'schedules',
          subscriptions: 'subscriptions',
          sources: 'sources',
          'bucket-events': 'bucketEvents',
        } as const;
        for (const kind of WIRING_KINDS) {
          journal.step = `applying ${kind}`;
          const desired = new Map(fns.map((f) => [f.name, wiring.get(f.name)![kind]]));
          let out: Map<string, Record<string, unknown>[]>;
          if (kind === 'routes' || kind === 'schedules')
            out = await applyUnique(client, kind, desired, touch(kind));
          else {
            out = new Map();
            for (const [fn, items] of desired) {
              journal.step = `applying ${kind} of ${fn}`;
              touch(kind)(fn);
              out.set(fn, await putWiring(client, fn, kind, items));
            }
          }
          for (const [fn, items] of out) Object.assign(results.get(fn)!, { [field[kind]]: items });
        }
      }
      if (manifest.cors) {
        journal.step = 'applying provider.httpApi.cors';
        journal.cors = true;
        await client.call('PUT', '/v1/gateway/cors', manifest.cors);
      }
      // After the functions their definitions name; before the versions are published.
      const deployedMachines = await machines.apply((what) => {
        journal.step = what;
      });
      if (machines.machines.length > 0) o.onStateMachines?.(deployedMachines);
      if (o.publish) {
        for (const f of fns) {
          journal.step = `publishing ${f.name}`;
          const v = await client.call<{ version: { version: string } }>(
            'POST',
            `/v1/functions/${encodeURIComponent(f.name)}/versions`,
            {},
          );
          results.get(f.name)!.version = v.version;
        }
      }
    } finally {
      stop();
    }
  } catch (e) {
    const failedAt = performance.now();
    const stop = o.progress(`rolling back ${manifest.service}`);
    // State machines first: they let go of route keys and schedule names the functions get back.
    const undoneMachines = await machines.rollback();
    const undone = await rollback(client, fns, snap, journal).finally(stop);
    undone.restored.push(...undoneMachines.restored);
    undone.removed.push(...undoneMachines.removed);
    undone.problems.push(...undoneMachines.problems);
    throw rolledBack(e, journal.step, {
      ...undone,
      switchMs: Math.round(failedAt - switching),
      rollbackMs: Math.round(performance.now() - failedAt),
    });
  }
  if (manifest.cors) o.say('CORS settings applied from provider.httpApi.cors');
  // How long callers could see some of the service switched and some not.
  o.say(
    `switched ${fns.length} function${fns.length === 1 ? '' : 's'} in ${(performance.now() - switching).toFixed(0)} ms`,
  );
  return fns.map((f) => results.get(f.name)!);
}

/** A phase-1 failure: the error as the platform gave it, saying nothing was changed. */
function unchanged(e: unknown, what: string): unknown {
  if (!(e instanceof NimbusError)) return e;
  return new NimbusError({
    ...e.toJSON(),
    message: `${what}: ${e.message}\n(nothing was deployed: every function of the service serves what it served before)`,
  });
}

function rolledBack(
  e: unknown,
  step: string,
  u: { restored: string[]; removed: string[]; problems: string[]; switchMs: number; rollbackMs: number },
) {
  const cause = e instanceof NimbusError ? e : undefined;
  const details = {
    cause: cause?.toJSON() ?? { message: errorText(e) },
    step,
    restored: u.restored,
    removed: u.removed,
    /** How long the service was partly switched before the failure, and the rollback took. */
    switchMs: u.switchMs,
    rollbackMs: u.rollbackMs,
    ...(u.problems.length > 0 ? { problems: u.problems } : {}),
  };
  if (u.problems.length > 0)
    return DeployPlanErrors.ROLLBACK_INCOMPLETE(
      { cause: errorText(e), step, problems: u.problems.join('; ') },
      { details, cause: e },
    );
  const undone = [
    u.restored.length > 0 ? `restored ${u.restored.join(', ')}` : '',
    u.removed.length > 0 ? `removed ${u.removed.join(', ')} (new in this deploy)` : '',
  ].filter(Boolean);
  const err = DeployPlanErrors.ROLLED_BACK(
    { cause: errorText(e), step, undone: undone.join('; ') || 'nothing had changed' },
    {
      details,
      ...(cause?.hint ? { hint: `${cause.hint} (every function still serves its previous version)` } : {}),
    },
  );
  // The cause's status and kind: a refused setting is the user's, a platform failure is not.
  return new NimbusError({
    ...err.toJSON(),
    status: cause?.status ?? 500,
    kind: cause?.kind ?? 'system',
    cause: e,
  });
}

/** Puts back what phase 2 changed (see the module comment); says what it could not. */
async function rollback(
  client: ApiClient,
  fns: readonly ManifestFunction[],
  snap: Snapshot,
  journal: Journal,
): Promise<{ restored: string[]; removed: string[]; problems: string[] }> {
  const problems: string[] = [];
  const restored: string[] = [];
  const removed: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      return true;
    } catch (e) {
      problems.push(`${what}: ${errorText(e)}`);
      return false;
    }
  };
  const existed = (name: string) => snap.functions.get(name)?.fn !== undefined;
  // New functions go, with whatever hangs off them (freeing their routes and schedule names).
  for (const name of journal.functions.filter((n) => !existed(n))) {
    const ok = await attempt(`removing ${name}`, () =>
      client.call('DELETE', `/v1/functions/${encodeURIComponent(name)}`).catch((e) => {
        if (!notFound(e)) throw e;
      }),
    );
    if (ok) removed.push(name);
  }
  // The others get their configuration and code back (by sha256: pinned before phase 2).
  for (const name of journal.functions.filter(existed)) {
    const ok = await attempt(`restoring ${name}`, () =>
      client.call(
        'PUT',
        `/v1/functions/${encodeURIComponent(name)}`,
        restoreBody(snap.functions.get(name)!.fn!),
      ),
    );
    if (ok) restored.push(name);
  }
  // Then the wiring phase 2 touched, kind by kind.
  const next = new Map(fns.map((f) => [f.name, wiringOf(f)]));
  for (const kind of WIRING_KINDS) {
    const desired = new Map<string, Record<string, unknown>[]>();
    for (const [name, kinds] of journal.wiring)
      if (kinds.has(kind) && existed(name))
        desired.set(
          name,
          restoreItems(kind, name, snap.functions.get(name)!.wiring[kind], next.get(name), problems),
        );
    if (desired.size === 0) continue;
    if (kind === 'routes' || kind === 'schedules')
      await attempt(`restoring ${kind}`, () => applyUnique(client, kind, desired, () => {}));
    else
      for (const [name, items] of desired)
        await attempt(`restoring ${kind} of ${name}`, () => putWiring(client, name, kind, items));
  }
  if (journal.cors && snap.cors !== undefined) {
    const cors = snap.cors;
    await attempt('restoring the gateway CORS', () =>
      cors === null
        ? client.call('DELETE', '/v1/gateway/cors')
        : client.call('PUT', '/v1/gateway/cors', cors),
    );
  }
  for (const name of journal.roles) {
    const before = snap.roles.get(name);
    await attempt(`restoring role ${name}`, () =>
      before
        ? client.call('PUT', `/v1/roles/${encodeURIComponent(name)}`, {
            policies: before.policies,
            description: before.description,
          })
        : client.call('DELETE', `/v1/roles/${encodeURIComponent(name)}`).catch((e) => {
            if (!notFound(e)) throw e;
          }),
    );
  }
  return { restored, removed, problems };
}

/** Creates the queue, or brings an existing one's attributes to what the manifest says. */
async function applyQueue(
  client: ApiClient,
  name: string,
  attributes: Record<string, string>,
  tags: Record<string, string>,
): Promise<void> {
  let url: string | undefined;
  try {
    url = (await client.aws<{ QueueUrl: string }>('AmazonSQS.GetQueueUrl', { QueueName: name })).QueueUrl;
  } catch (e) {
    if ((e as NimbusError).code !== SqsErrors.codes.QUEUE_NOT_FOUND) throw e;
  }
  if (!url) {
    await client.aws('AmazonSQS.CreateQueue', { QueueName: name, Attributes: attributes, tags });
    return;
  }
  const { FifoQueue: _fifo, ...settable } = attributes;
  if (Object.keys(settable).length > 0)
    await client.aws('AmazonSQS.SetQueueAttributes', { QueueUrl: url, Attributes: settable });
  if (Object.keys(tags).length > 0) await client.aws('AmazonSQS.TagQueue', { QueueUrl: url, Tags: tags });
}
