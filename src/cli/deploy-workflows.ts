/**
 * The state machines of a serverless.yml (serverless-step-functions' `stepFunctions`), as part of
 * `nimbus deploy`'s one change (./deploy-plan.ts):
 *
 * - before anything is built: every definition is validated here, with the ARNs filled in for
 *   the caller's account and region (`validateDefinition`, the platform's own check), and the
 *   machines' routes, schedules and event patterns like the functions' — a problem names the
 *   state machine, the state and the field, and nothing is deployed;
 * - snapshot: each machine as it is (definition, role, tags; routes, schedules, subscriptions);
 * - apply, after the functions and their wiring (definitions name the functions): `PUT
 *   /v1/workflows/{name}`, then its routes, schedules and subscriptions;
 * - rollback (before the functions'): machines this deploy created are deleted with their wiring,
 *   the others get their snapshot back.
 *
 * `nimbus remove` clears a machine's wiring and deletes it ({@link removeStateMachines}).
 */
import { ACCOUNT_REF, REGION_REF } from '../config/cloudformation.ts';
import type { ManifestStateMachine, ProjectManifest } from '../config/manifest.ts';
import type { NimbusError } from '../core/errors.ts';
import { compilePattern } from '../events/pattern.ts';
import { compileTransformer } from '../events/transform.ts';
import { normalizeRouteKey } from '../gateway/routes.ts';
import { compileSchedule } from '../schedules/expression.ts';
import { validateDefinition } from '../workflows/asl/validate.ts';
import type { ScheduleView, SubscriptionView } from './api-views.ts';
import type { ApiClient } from './client.ts';
import { wiringOf } from './deploy-function.ts';
import { CliErrors } from './errors.ts';

interface MachineView {
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: unknown;
  roleArn: string;
  description: string;
  tags: Record<string, string>;
}
interface RouteView {
  routeKey: string;
  function: string | null;
  stateMachine?: string;
  payloadFormat: string;
  throttle: Record<string, unknown> | null;
  stage: string | null;
  cors: Record<string, unknown> | null;
  auth: ({ type: string } & Record<string, unknown>) | null;
}

/** What a deploy made of one state machine. */
export interface DeployedMachine {
  key: string;
  name: string;
  arn: string;
  type: string;
  routes: { routeKey: string; stage: string | null }[];
  schedules: { name: string; expression: string; nextFireAt: string | null }[];
  subscriptions: { id: string; topic: string }[];
}

/** The owner of a machine's manifest subscriptions (src/api/event-routes.ts). */
const ownerOf = (name: string) => `states:${name}`;
const KINDS = ['routes', 'schedules', 'subscriptions'] as const;
type Kind = (typeof KINDS)[number];
const SCHEDULE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Bus topic (event bus) names (src/events/bus.ts). */
const TOPIC = /^[A-Za-z0-9._-]{1,128}$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;
const notFound = (e: unknown) => (e as NimbusError).status === 404;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const drop = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
const path = (name: string, kind: Kind) => `/v1/workflows/${encodeURIComponent(name)}/${kind}`;

interface Snapshot {
  /** null: the machine did not exist. */
  readonly machine: MachineView | null;
  readonly routes: RouteView[];
  readonly schedules: ScheduleView[];
  readonly subscriptions: SubscriptionView[];
}

/** The live routes, schedules and subscriptions of the tenant (one GET each). */
async function liveWiring(client: ApiClient) {
  const [routes, schedules, subscriptions] = await Promise.all([
    client.call<{ routes: RouteView[] }>('GET', '/v1/routes'),
    client.call<{ schedules: ScheduleView[] }>('GET', '/v1/schedules'),
    client.call<{ subscriptions: SubscriptionView[] }>('GET', '/v1/subscriptions'),
  ]);
  return {
    routes: routes.routes,
    schedules: schedules.schedules,
    subscriptions: subscriptions.subscriptions,
  };
}

async function getMachine(client: ApiClient, name: string): Promise<MachineView | null> {
  try {
    return await client.call<MachineView>('GET', `/v1/workflows/${encodeURIComponent(name)}`);
  } catch (e) {
    if (notFound(e)) return null;
    throw e;
  }
}

/**
 * The state machine part of one deploy. `active` false (a `--function` deploy) leaves the
 * machines alone.
 */
export function stateMachinePlan(client: ApiClient, manifest: ProjectManifest, active: boolean) {
  const machines: readonly ManifestStateMachine[] = active ? (manifest.stateMachines ?? []) : [];
  let me = { accountId: '', region: '' };
  const fill = <T>(v: T): T =>
    JSON.parse(
      JSON.stringify(v).replaceAll(ACCOUNT_REF, me.accountId).replaceAll(REGION_REF, me.region),
    ) as T;
  const snaps = new Map<string, Snapshot>();
  /** Machines phase 2 may have changed, in order. */
  const touched: string[] = [];
  const label = (m: ManifestStateMachine) => `state machine ${m.name} (stepFunctions.stateMachines.${m.key})`;
  /** Tasks run with the machine's role: one of this account that exists (or the manifest makes). */
  const roleProblems = async (arn: string): Promise<string[]> => {
    if (!ROLE_ARN.test(arn))
      return [`role ${arn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`];
    if (!arn.startsWith(`arn:aws:iam::${me.accountId}:`))
      return [`role ${arn} is not a role of this account`];
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    if ((manifest.roles ?? []).some((r) => r.name === name)) return [];
    try {
      await client.call('GET', `/v1/roles/${encodeURIComponent(name)}`);
      return [];
    } catch (e) {
      if (!notFound(e)) throw e;
      return [
        `role ${name} does not exist (create it: nimbus roles put ${name}, or leave role out for the default workflow role)`,
      ];
    }
  };

  const bodyOf = (m: ManifestStateMachine) => ({
    definition: fill(m.definition),
    type: m.type,
    ...(m.roleArn !== undefined ? { roleArn: fill(m.roleArn) } : {}),
    ...(m.tags ? { tags: m.tags } : {}),
  });
  const itemsOf = (m: ManifestStateMachine, kind: Kind): Record<string, unknown>[] =>
    kind === 'routes'
      ? m.routes.map((r) => drop({ ...r }))
      : kind === 'schedules'
        ? m.schedules.map((s) => drop({ ...s }))
        : m.subscriptions.map((s) => drop({ ...s }));

  return {
    machines,

    /** Phase 0: everything checkable before anything is built; throws when something is wrong. */
    async validate(): Promise<void> {
      if (machines.length === 0) return;
      me = await client.call<{ accountId: string; region: string }>('GET', '/v1/identity');
      const problems: string[] = [];
      // Keys and names the functions of the service declare (their own check is deploy-plan's).
      const fnRoutes = new Map<string, string>();
      const fnSchedules = new Map<string, string>();
      for (const f of manifest.functions) {
        const w = wiringOf(f);
        for (const r of w.routes)
          try {
            fnRoutes.set(normalizeRouteKey(String(r.routeKey)), f.name);
          } catch {}
        for (const s of w.schedules) fnSchedules.set(String(s.name), f.name);
      }
      const routeOwners = new Map<string, string>();
      const scheduleOwners = new Map<string, string>();
      for (const m of machines) {
        const v = validateDefinition(fill(m.definition));
        if (!v.ok)
          for (const p of v.errors)
            problems.push(
              `${label(m)}: ${p.state !== undefined ? `state ${p.state}${p.field ? `, field ${p.field}` : ''}` : p.path || 'definition'}: ${p.message}`,
            );
        if (m.roleArn !== undefined)
          problems.push(...(await roleProblems(fill(m.roleArn))).map((p) => `${label(m)}: ${p}`));
        for (const r of m.routes) {
          let key: string;
          try {
            key = normalizeRouteKey(r.routeKey);
          } catch (e) {
            problems.push(`${label(m)}: route ${JSON.stringify(r.routeKey)}: ${errorText(e)}`);
            continue;
          }
          const other = routeOwners.get(key) ?? fnRoutes.get(key);
          if (other) problems.push(`route ${key} is declared by both ${other} and state machine ${m.name}`);
          routeOwners.set(key, `state machine ${m.name}`);
        }
        for (const s of m.schedules) {
          if (!SCHEDULE_NAME.test(s.name))
            problems.push(`${label(m)}: schedule name ${JSON.stringify(s.name)}: 1-64 of A-Z a-z 0-9 . _ -`);
          const other = scheduleOwners.get(s.name) ?? fnSchedules.get(s.name);
          if (other)
            problems.push(`schedule ${s.name} is declared by both ${other} and state machine ${m.name}`);
          scheduleOwners.set(s.name, `state machine ${m.name}`);
          try {
            compileSchedule(s.expression, { timezone: s.timezone, anchor: Date.now() });
          } catch (e) {
            problems.push(`${label(m)}: schedule ${s.name}: ${errorText(e)}`);
          }
        }
        for (const s of m.subscriptions) {
          if (!TOPIC.test(s.topic))
            problems.push(`${label(m)}: event bus ${JSON.stringify(s.topic)}: 1-128 of A-Z a-z 0-9 . _ -`);
          try {
            if (s.pattern !== undefined) compilePattern(s.pattern);
            if (s.inputTransformer !== undefined) compileTransformer(s.inputTransformer);
          } catch (e) {
            problems.push(`${label(m)}: ${s.topic} rule: ${errorText(e)}`);
          }
        }
        const live = await getMachine(client, m.name);
        if (live && live.type !== m.type)
          problems.push(
            `${label(m)}: it exists as a ${live.type} state machine and a type cannot change (remove it first, or give this one another name)`,
          );
      }
      // What the tenant serves already: a key or name held outside this service is refused.
      const ours = new Set([...manifest.functions.map((f) => f.name)]);
      const mine = new Set(machines.map((m) => m.name));
      const live = await liveWiring(client);
      for (const r of live.routes) {
        const wanted = routeOwners.get(r.routeKey);
        if (!wanted) continue;
        if (r.stateMachine !== undefined ? mine.has(r.stateMachine) : ours.has(r.function ?? '')) continue;
        problems.push(
          `route ${r.routeKey} (of ${wanted}) is already served by ${r.stateMachine !== undefined ? `state machine ${r.stateMachine}` : r.function}`,
        );
      }
      for (const s of live.schedules) {
        const wanted = scheduleOwners.get(s.name);
        if (!wanted) continue;
        if (
          s.origin === 'manifest' &&
          (s.stateMachine !== undefined ? mine.has(s.stateMachine) : ours.has(s.function ?? ''))
        )
          continue;
        problems.push(
          `schedule ${s.name} (of ${wanted}) exists already for ${s.stateMachine !== undefined ? `state machine ${s.stateMachine}` : s.function}`,
        );
      }
      if (problems.length > 0)
        throw CliErrors.BAD_ARGUMENT({
          reason: `nothing was deployed:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
          command: 'deploy',
        });
    },

    /** After phase 1: each machine as it is now, to come back to. */
    async snapshot(): Promise<void> {
      if (machines.length === 0) return;
      const live = await liveWiring(client);
      for (const m of machines)
        snaps.set(m.name, {
          machine: await getMachine(client, m.name),
          routes: live.routes.filter((r) => r.stateMachine === m.name),
          schedules: live.schedules.filter((s) => s.stateMachine === m.name && s.origin === 'manifest'),
          subscriptions: live.subscriptions.filter(
            (s) => s.owner === ownerOf(m.name) && s.origin === 'manifest',
          ),
        });
    },

    /** Phase 2, after the functions: the machines, then their routes, schedules and rules. */
    async apply(step: (what: string) => void): Promise<DeployedMachine[]> {
      const out = new Map<string, DeployedMachine>();
      for (const m of machines) {
        step(`deploying ${label(m)}`);
        touched.push(m.name);
        const v = await client.call<MachineView>(
          'PUT',
          `/v1/workflows/${encodeURIComponent(m.name)}`,
          bodyOf(m),
        );
        out.set(m.name, {
          key: m.key,
          name: m.name,
          arn: v.arn,
          type: v.type,
          routes: [],
          schedules: [],
          subscriptions: [],
        });
      }
      for (const kind of KINDS) {
        step(`applying the state machines' ${kind}`);
        const desired = new Map(machines.map((m) => [m.name, itemsOf(m, kind)]));
        const got = await putAll(client, kind, desired);
        for (const [name, items] of got) Object.assign(out.get(name)!, { [kind]: items });
      }
      return machines.map((m) => out.get(m.name)!);
    },

    /** Puts back what apply changed; says what it could not. */
    async rollback(): Promise<{ restored: string[]; removed: string[]; problems: string[] }> {
      const restored: string[] = [];
      const removed: string[] = [];
      const problems: string[] = [];
      const attempt = async (what: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
          return true;
        } catch (e) {
          if (notFound(e)) return true;
          problems.push(`${what}: ${errorText(e)}`);
          return false;
        }
      };
      for (const name of touched) {
        const s = snaps.get(name);
        if (!s) continue;
        if (s.machine === null) {
          // Its PUT may have failed: then there is nothing to take away.
          let exists = true;
          const ok = await attempt(`removing state machine ${name}`, async () => {
            if (!(await getMachine(client, name))) {
              exists = false;
              return;
            }
            for (const kind of KINDS) await put(client, name, kind, []);
            await client.call('DELETE', `/v1/workflows/${encodeURIComponent(name)}`);
          });
          if (ok && exists) removed.push(`state machine ${name}`);
          continue;
        }
        const was = s.machine;
        const ok = await attempt(`restoring state machine ${name}`, () =>
          client.call('PUT', `/v1/workflows/${encodeURIComponent(name)}`, {
            definition: was.definition,
            roleArn: was.roleArn,
            description: was.description,
            tags: was.tags,
          }),
        );
        if (ok) restored.push(`state machine ${name}`);
      }
      // The wiring of machines that existed, after every new machine let go of its keys.
      for (const kind of KINDS) {
        const desired = new Map<string, Record<string, unknown>[]>();
        for (const name of touched) {
          const s = snaps.get(name);
          if (s?.machine) desired.set(name, restoreItems(kind, s, problems, name));
        }
        if (desired.size > 0)
          await attempt(`restoring the state machines' ${kind}`, () => putAll(client, kind, desired));
      }
      return { restored, removed, problems };
    },
  };
}

export type StateMachinePlan = ReturnType<typeof stateMachinePlan>;

async function put<T = Record<string, unknown>>(
  client: ApiClient,
  name: string,
  kind: Kind,
  items: readonly Record<string, unknown>[],
): Promise<T[]> {
  return (await client.call<Record<string, T[]>>('PUT', path(name, kind), { [kind]: items }))[kind] ?? [];
}

/**
 * Puts each machine's items of one kind. Route keys and schedule names are the tenant's: each
 * machine first gets what is free (or its own), letting go of the rest; the ones that had to
 * wait then get all of theirs (so a key can move between machines of one deploy).
 */
async function putAll(
  client: ApiClient,
  kind: Kind,
  desired: ReadonlyMap<string, Record<string, unknown>[]>,
): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  if (kind === 'subscriptions') {
    for (const [name, items] of desired) out.set(name, await put(client, name, kind, items));
    return out;
  }
  const keyOf = (x: Record<string, unknown>) =>
    kind === 'routes' ? normalizeRouteKey(String(x.routeKey)) : String(x.name);
  const owners = new Map<string, string>();
  const live = await liveWiring(client);
  for (const x of kind === 'routes' ? live.routes : live.schedules)
    if (x.stateMachine !== undefined)
      owners.set(kind === 'routes' ? (x as RouteView).routeKey : (x as ScheduleView).name, x.stateMachine);
  const waiting: string[] = [];
  for (const [name, items] of desired) {
    const free = items.filter((x) => (owners.get(keyOf(x)) ?? name) === name);
    if (free.length < items.length) waiting.push(name);
    out.set(name, await put(client, name, kind, free));
    for (const [k, o] of owners) if (o === name) owners.delete(k);
    for (const x of free) owners.set(keyOf(x), name);
  }
  for (const name of waiting) out.set(name, await put(client, name, kind, desired.get(name)!));
  return out;
}

/** A snapshot's wiring as request items (what the API shows of it). */
function restoreItems(kind: Kind, s: Snapshot, problems: string[], name: string): Record<string, unknown>[] {
  if (kind === 'routes')
    return s.routes.flatMap((r) => {
      if (r.auth?.type === 'apiKey' || r.auth?.type === 'lambda') {
        problems.push(
          `route ${r.routeKey} of state machine ${name}: its ${r.auth.type} auth cannot be restored`,
        );
        return [];
      }
      return [
        drop({
          routeKey: r.routeKey,
          payloadFormat: r.payloadFormat,
          auth: r.auth ? drop(r.auth) : undefined,
          throttle: r.throttle,
          stage: r.stage,
          cors: r.cors,
        }),
      ];
    });
  if (kind === 'schedules')
    return s.schedules.map((x) =>
      drop({
        name: x.name,
        expression: x.expression,
        timezone: x.timezone,
        input: x.input,
        enabled: x.enabled,
        misfire: x.misfire,
        description: x.description,
      }),
    );
  return s.subscriptions.map((x) =>
    drop({
      topic: x.topic,
      pattern: x.pattern,
      view: x.view,
      inputTransformer: x.inputTransformer,
      partitionKey: x.partitionKey,
      retry: x.retry,
      description: x.description,
    }),
  );
}

/** `nimbus remove`: each machine's wiring cleared, then the machine deleted. */
export async function removeStateMachines(
  client: ApiClient,
  manifest: ProjectManifest,
  say: (line: string) => void,
): Promise<{ removed: string[]; missing: string[] }> {
  const removed: string[] = [];
  const missing: string[] = [];
  for (const m of manifest.stateMachines ?? []) {
    if (!(await getMachine(client, m.name))) {
      missing.push(m.name);
      say(`state machine ${m.name} was not deployed`);
      continue;
    }
    for (const kind of KINDS) await put(client, m.name, kind, []);
    try {
      await client.call('DELETE', `/v1/workflows/${encodeURIComponent(m.name)}`);
      removed.push(m.name);
      say(`removed state machine ${m.name}`);
    } catch (e) {
      if (!notFound(e)) throw e;
      missing.push(m.name);
    }
  }
  return { removed, missing };
}
