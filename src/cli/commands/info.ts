/**
 * `nimbus info [dir] [--stage s]` (like `serverless info`): the service at a stage as deployed —
 * each function's deployed name, runtime, memory and last change, its HTTP endpoints, schedules,
 * event sources, subscriptions and bucket events; the state machines (serverless-step-functions)
 * with their ARNs, endpoints, schedules and subscriptions.
 */
import type { Command } from 'commander';
import type { ProjectManifest } from '../../config/manifest.ts';
import type { NimbusError } from '../../core/errors.ts';
import type { ApiClient } from '../client.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { type ServiceOpts, serviceManifest, withService } from '../names.ts';
import { bold, dim, printJson } from '../output.ts';

interface InfoOpts extends GlobalOpts, ServiceOpts {
  gateway?: string;
}

interface Route {
  routeKey: string;
  function: string | null;
  stateMachine?: string;
  qualifier: string | null;
  /** A REST API (`http` event) stage: the route answers at /<stage>/<path>. */
  stage?: string | null;
}
interface Schedule {
  name: string;
  function: string | null;
  stateMachine?: string;
  expression: string;
  enabled: boolean;
  nextFireAt: string | null;
}
interface Source {
  id: string;
  function: string;
  kind: string;
  config: Record<string, unknown>;
  enabled: boolean;
}
interface Subscription {
  id: string;
  topic: string;
  target: { function?: string };
  owner: string | null;
}
interface Notification {
  bucket: string;
  function: string;
  events: string[];
  prefix: string | null;
  suffix: string | null;
}
interface Fn {
  name: string;
  runtime: string;
  memoryMb: number;
  timeoutSec: number;
  codeSize: number;
  updatedAt: string;
}

/** The config key that says what a source of each kind reads. */
const SOURCE_WHAT: Record<string, string> = {
  sqs: 'queue',
  rabbitmq: 'queue',
  nats: 'subject',
  jetstream: 'stream',
  mqtt: 'topic',
  redis: 'stream',
  postgres: 'tables',
};

/**
 * Where the gateway answers: `--gateway`, NIMBUS_GATEWAY_URL, else the API endpoint's host on the
 * default gateway port 3000 (the API does not say which port the gateway listens on).
 */
export function gatewayUrl(o: { gateway?: string }, endpoint: string, env = process.env): string {
  const explicit = o.gateway ?? env.NIMBUS_GATEWAY_URL;
  if (explicit) return explicit.replace(/\/+$/, '');
  const u = new URL(endpoint);
  u.port = '3000';
  return u.origin;
}

/**
 * `GET /user/{id}` → `GET - http://gw/user/{id}` (`http://gw/<stage>/user/{id}` for a route of a
 * REST API stage); `$default` → every other path.
 */
export function endpointOf(
  routeKey: string,
  base: string,
  stage?: string | null,
): { method: string; url: string } {
  const root = stage ? `${base}/${stage}` : base;
  if (routeKey === '$default') return { method: 'ANY', url: `${root}/{proxy+} ($default)` };
  const i = routeKey.indexOf(' ');
  return { method: routeKey.slice(0, i), url: `${root}${routeKey.slice(i + 1)}` };
}

async function bucketNotifications(client: ApiClient, manifest: ProjectManifest): Promise<Notification[]> {
  const buckets = new Set(
    manifest.functions.flatMap((f) => f.events.flatMap((e) => (e.bucketEvents ?? []).map((b) => b.bucket))),
  );
  const out: Notification[] = [];
  for (const b of buckets) {
    try {
      out.push(
        ...(
          await client.call<{ notifications: Notification[] }>(
            'GET',
            `/v1/buckets/${encodeURIComponent(b)}/notifications`,
          )
        ).notifications,
      );
    } catch (e) {
      if ((e as NimbusError).status !== 404) throw e;
    }
  }
  return out;
}

export function register(program: Command): void {
  withGlobals(
    withService(
      program
        .command('info [dir]')
        .description(
          "show a service's functions at a stage as deployed: names, runtime, memory, last change, HTTP endpoints, schedules, event sources",
        )
        .option(
          '--gateway <url>',
          'gateway URL for the endpoints (env NIMBUS_GATEWAY_URL, default the API host on port 3000)',
        ),
    ),
  ).action(async (dir: string | undefined, o: InfoOpts) => {
    const manifest = await serviceManifest(dir, o, 'info');
    const client = clientFor(o);
    const me = await client.call<{ tenant: string }>('GET', '/v1/identity');
    // Other tenants' routes answer under /~<tenant>/ on any host.
    const base = `${gatewayUrl(o, client.creds.endpoint)}${me.tenant === 'default' ? '' : `/~${me.tenant}`}`;
    const [routes, schedules, sources, subscriptions, notifications] = await Promise.all([
      client.call<{ routes: Route[] }>('GET', '/v1/routes'),
      client.call<{ schedules: Schedule[] }>('GET', '/v1/schedules'),
      client.call<{ sources: Source[] }>('GET', '/v1/sources'),
      client.call<{ subscriptions: Subscription[] }>('GET', '/v1/subscriptions'),
      bucketNotifications(client, manifest),
    ]);
    const functions = [];
    for (const f of manifest.functions) {
      let fn: Fn | undefined;
      try {
        fn = (await client.call<{ function: Fn }>('GET', `/v1/functions/${encodeURIComponent(f.name)}`))
          .function;
      } catch (e) {
        if ((e as NimbusError).status !== 404) throw e;
      }
      const mine = <T extends { function?: string | null | undefined }>(xs: T[]) =>
        xs.filter((x) => x.function === f.name);
      functions.push({
        key: f.key,
        name: f.name,
        deployed: fn !== undefined,
        ...(fn
          ? {
              runtime: fn.runtime,
              memoryMb: fn.memoryMb,
              timeoutSec: fn.timeoutSec,
              codeSize: fn.codeSize,
              lastModified: fn.updatedAt,
            }
          : {}),
        endpoints: mine(routes.routes).map((r) => ({
          routeKey: r.routeKey,
          ...endpointOf(r.routeKey, base, r.stage),
          qualifier: r.qualifier,
        })),
        schedules: mine(schedules.schedules).map((s) => ({
          name: s.name,
          expression: s.expression,
          enabled: s.enabled,
          nextFireAt: s.nextFireAt,
        })),
        sources: mine(sources.sources).map((s) => ({
          id: s.id,
          kind: s.kind,
          config: s.config,
          enabled: s.enabled,
        })),
        subscriptions: subscriptions.subscriptions
          .filter((s) => s.owner === f.name || s.target.function === f.name)
          .map((s) => ({ id: s.id, topic: s.topic })),
        bucketEvents: mine(notifications).map((n) => ({
          bucket: n.bucket,
          events: n.events,
          prefix: n.prefix,
          suffix: n.suffix,
        })),
      });
    }
    // serverless-step-functions state machines: ARN, type and what starts them.
    const stateMachines = [];
    for (const m of manifest.stateMachines ?? []) {
      let v: { arn: string; type: string; updatedAt: string } | undefined;
      try {
        v = await client.call('GET', `/v1/workflows/${encodeURIComponent(m.name)}`);
      } catch (e) {
        if ((e as NimbusError).status !== 404) throw e;
      }
      stateMachines.push({
        key: m.key,
        name: m.name,
        deployed: v !== undefined,
        ...(v ? { arn: v.arn, type: v.type, lastModified: v.updatedAt } : {}),
        endpoints: routes.routes
          .filter((r) => r.stateMachine === m.name)
          .map((r) => ({ routeKey: r.routeKey, ...endpointOf(r.routeKey, base, r.stage) })),
        schedules: schedules.schedules
          .filter((s) => s.stateMachine === m.name)
          .map((s) => ({
            name: s.name,
            expression: s.expression,
            enabled: s.enabled,
            nextFireAt: s.nextFireAt,
          })),
        subscriptions: subscriptions.subscriptions
          .filter((s) => s.owner === `states:${m.name}`)
          .map((s) => ({ id: s.id, topic: s.topic })),
      });
    }
    const info = {
      service: manifest.service,
      stage: manifest.stage,
      source: manifest.source,
      file: manifest.file ?? null,
      gateway: base,
      functions,
      ...(stateMachines.length ? { stateMachines } : {}),
      roles: (manifest.roles ?? []).map((r) => r.name),
      queues: (manifest.queues ?? []).map((q) => q.name),
    };
    if (o.json) return printJson(info);
    const out: string[] = [
      `${bold('service:')} ${info.service}`,
      `${bold('stage:')} ${info.stage}`,
      `${bold('manifest:')} ${info.file ?? `${manifest.dir} (inferred)`}`,
      `${bold('functions:')}`,
    ];
    for (const f of functions) {
      if (!f.deployed) {
        out.push(`  ${f.key}: ${f.name} ${dim('(not deployed)')}`);
        continue;
      }
      out.push(
        `  ${f.key}: ${f.name} ${dim(`(${f.runtime}, ${f.memoryMb} MB, ${((f.codeSize ?? 0) / 1024).toFixed(1)} KiB, last modified ${f.lastModified})`)}`,
      );
      for (const e of f.endpoints)
        out.push(`    ${e.method} - ${e.url}${e.qualifier ? dim(` → ${e.qualifier}`) : ''}`);
      for (const s of f.schedules)
        out.push(
          `    schedule ${s.name}: ${s.expression}${s.enabled ? '' : ' (disabled)'} ${dim(`next ${s.nextFireAt ?? 'never'}`)}`,
        );
      for (const s of f.sources) {
        const v = s.config[SOURCE_WHAT[s.kind] ?? ''];
        const what = Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : undefined;
        out.push(
          `    source ${s.kind}${what ? ` ${String(what)}` : ''}${s.enabled ? '' : ' (disabled)'} ${dim(`(${s.id})`)}`,
        );
      }
      for (const s of f.subscriptions) out.push(`    subscription ${s.topic} ${dim(`(${s.id})`)}`);
      for (const b of f.bucketEvents)
        out.push(
          `    bucket ${b.bucket} ${b.events.join(',')}${b.prefix ? ` prefix ${b.prefix}` : ''}${b.suffix ? ` suffix ${b.suffix}` : ''}`,
        );
    }
    if (stateMachines.length) out.push(`${bold('state machines:')}`);
    for (const m of stateMachines) {
      if (!m.deployed) {
        out.push(`  ${m.key}: ${m.name} ${dim('(not deployed)')}`);
        continue;
      }
      out.push(`  ${m.key}: ${m.name} ${dim(`(${m.type}, ${m.arn}, last modified ${m.lastModified})`)}`);
      for (const e of m.endpoints) out.push(`    ${e.method} - ${e.url}`);
      for (const s of m.schedules)
        out.push(
          `    schedule ${s.name}: ${s.expression}${s.enabled ? '' : ' (disabled)'} ${dim(`next ${s.nextFireAt ?? 'never'}`)}`,
        );
      for (const s of m.subscriptions) out.push(`    subscription ${s.topic} ${dim(`(${s.id})`)}`);
    }
    if (info.roles.length) out.push(`${bold('roles:')} ${info.roles.join(', ')}`);
    if (info.queues.length) out.push(`${bold('queues:')} ${info.queues.join(', ')}`);
    process.stdout.write(`${out.join('\n')}\n`);
  });
}
