/**
 * The EventBridge API (AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Op>`), as
 * `@aws-sdk/client-eventbridge` speaks it, over the event bus: an event bus is a bus topic
 * (`default` included), PutEvents publishes each entry as a CloudEvent, and a rule's targets are
 * bus subscriptions in the `eventbridge` view (owned by `rule:<bus>/<name>`), so rule patterns
 * written for AWS (`source`, `detail-type`, `detail.…`) match the EventBridge envelope and Lambda
 * targets receive it.
 *
 * Rules (pattern, state, description, targets) are kept per tenant in the settings store (one
 * document per tenant); the subscriptions are derived from them on every change.
 *
 * Targets: Lambda functions, SQS queues, SNS topics, event buses and state machines (an execution
 * per event, the event as its input) of the caller's account, with
 * Input, InputPath or InputTransformer. Not served: scheduled rules (ScheduleExpression: use a
 * `schedule` event or `nimbus schedules`), API destinations, archives and replays, partner
 * sources, cross-account buses, dead-letter configs and retry policies of targets.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authorize, type Principal } from '../api/auth.ts';
import type { AwsErrorType, AwsJsonInput, AwsJsonService } from '../api/aws-json.ts';
import { CoreErrors, defineErrors, type NimbusError } from '../core/errors.ts';
import type { SettingsRepo } from '../core/ports.ts';
import type { InputTransformer, SubscriptionTarget, TenantId } from '../core/types.ts';
import { BusErrors, type EventBus, type SubscriptionInput } from './bus.ts';
import { CloudEventErrors } from './cloudevents.ts';
import { compilePattern, type EventPattern, PatternErrors } from './pattern.ts';
import { cloudEventFromEventBridge } from './views.ts';

export const EventBridgeErrors = defineErrors('EVENTBRIDGE', {
  NOT_FOUND: { status: 404, kind: 'user', message: '{what} does not exist' },
  EXISTS: { status: 409, kind: 'user', message: '{what} already exists' },
  INVALID: { status: 400, kind: 'user', message: 'invalid {field}: {reason}' },
});

export interface EventBridgeApiDeps {
  readonly bus: EventBus;
  readonly settings: SettingsRepo;
  readonly region: string;
  readonly clock: { now(): number };
}

interface StoredTarget {
  readonly Id: string;
  readonly Arn: string;
  readonly Input?: string | undefined;
  readonly InputPath?: string | undefined;
  readonly InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string } | undefined;
}

interface StoredRule {
  readonly pattern?: string | undefined;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly description: string;
  readonly targets: StoredTarget[];
  readonly createdAt: number;
}

/** bus → rule name → rule */
type RuleDoc = Record<string, Record<string, StoredRule>>;

const SETTINGS_KEY = 'eventbridge-rules';
const NAME = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[.\-_A-Za-z0-9]+$/);
const BusRef = z.string().min(1).max(1600).optional();
const Target = z.object({
  Id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[.\-_A-Za-z0-9]+$/),
  Arn: z.string().min(1).max(1600),
  Input: z.string().max(8192).optional(),
  InputPath: z.string().max(256).optional(),
  InputTransformer: z
    .object({
      InputPathsMap: z.record(z.string(), z.string()).optional(),
      InputTemplate: z.string().max(8192),
    })
    .optional(),
});
const S = {
  PutEvents: z.object({
    Entries: z
      .array(
        z.object({
          Source: z.string().optional(),
          DetailType: z.string().optional(),
          Detail: z.string().optional(),
          Resources: z.array(z.string()).optional(),
          Time: z.union([z.number(), z.string()]).optional(),
          EventBusName: BusRef,
          TraceHeader: z.string().optional(),
        }),
      )
      .min(1)
      .max(10),
  }),
  PutRule: z.object({
    Name: NAME,
    EventBusName: BusRef,
    EventPattern: z.string().max(4096).optional(),
    ScheduleExpression: z.string().optional(),
    State: z.enum(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']).optional(),
    Description: z.string().max(512).optional(),
    RoleArn: z.string().optional(),
    Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
  }),
  Rule: z.object({ Name: NAME, EventBusName: BusRef, Force: z.boolean().optional() }),
  ListRules: z.object({
    NamePrefix: z.string().max(64).optional(),
    EventBusName: BusRef,
    NextToken: z.string().max(2048).optional(),
    Limit: z.number().int().min(1).max(100).optional(),
  }),
  PutTargets: z.object({ Rule: NAME, EventBusName: BusRef, Targets: z.array(Target).min(1).max(5) }),
  RemoveTargets: z.object({
    Rule: NAME,
    EventBusName: BusRef,
    Ids: z.array(z.string().min(1).max(64)).min(1).max(100),
    Force: z.boolean().optional(),
  }),
  ListTargets: z.object({
    Rule: NAME,
    EventBusName: BusRef,
    NextToken: z.string().optional(),
    Limit: z.number().int().optional(),
  }),
  Bus: z.object({ Name: z.string().min(1).max(256) }),
  ListBuses: z.object({
    NamePrefix: z.string().optional(),
    NextToken: z.string().optional(),
    Limit: z.number().int().optional(),
  }),
  TestEventPattern: z.object({ EventPattern: z.string(), Event: z.string() }),
};

function input<T>(schema: z.ZodType<T>, raw: AwsJsonInput): T {
  const r = schema.safeParse(raw);
  if (!r.success)
    throw CoreErrors.VALIDATION({
      reason: r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
    });
  return r.data;
}

const busName = (ref: string | undefined) => {
  if (!ref) return 'default';
  const m = /^arn:aws:events:[^:]*:\d{12}:event-bus\/(.+)$/.exec(ref);
  return m ? m[1]! : ref;
};

function parsePattern(text: string): EventPattern {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    throw PatternErrors.INVALID_PATTERN({ path: '(root)', reason: 'the event pattern is not JSON' });
  }
  compilePattern(p);
  return p as EventPattern;
}

export function eventBridgeApi(d: EventBridgeApiDeps): AwsJsonService {
  const { bus } = d;
  const busArn = (p: Principal, bus: string) => `arn:aws:events:${d.region}:${p.accountId}:event-bus/${bus}`;
  const ruleArn = (p: Principal, bus: string, name: string) =>
    `arn:aws:events:${d.region}:${p.accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
  const owner = (bus: string, name: string) => `rule:${bus}/${name}`;

  const load = async (tenant: TenantId): Promise<RuleDoc> =>
    (await d.settings.get<RuleDoc>(tenant, SETTINGS_KEY)) ?? {};
  const save = (tenant: TenantId, doc: RuleDoc) => d.settings.put(tenant, SETTINGS_KEY, doc);

  async function ensureBus(tenant: TenantId, name: string): Promise<void> {
    if (name === 'default') {
      await bus.putTopic(tenant, 'default').catch(() => undefined);
      return;
    }
    await bus.getTopic(tenant, name).catch((e: NimbusError) => {
      if (e.code === BusErrors.codes.TOPIC_NOT_FOUND)
        throw EventBridgeErrors.NOT_FOUND({ what: `event bus ${name}` });
      throw e;
    });
  }

  function getRule(doc: RuleDoc, bus: string, name: string): StoredRule {
    const r = doc[bus]?.[name];
    if (!r) throw EventBridgeErrors.NOT_FOUND({ what: `rule ${name} on event bus ${bus}` });
    return r;
  }

  /** A target ARN → the bus subscription target (in the EventBridge view). */
  function subscriptionTarget(p: Principal, arn: string): SubscriptionTarget {
    const own = (region: string, account: string) => {
      if (region !== d.region || account !== p.accountId)
        throw EventBridgeErrors.INVALID({
          field: 'Targets.Arn',
          reason: `${arn} is not in this account and region`,
        });
    };
    let m = /^arn:aws:lambda:([^:]*):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]+))?$/.exec(
      arn,
    );
    if (m) {
      own(m[1]!, m[2]!);
      return { type: 'function', name: m[3]!, ...(m[4] ? { qualifier: m[4] } : {}), view: 'eventbridge' };
    }
    m = /^arn:aws:sqs:([^:]*):(\d{12}):([A-Za-z0-9_.-]{1,80})$/.exec(arn);
    if (m) {
      own(m[1]!, m[2]!);
      return { type: 'sqs', queue: m[3]!, view: 'eventbridge' };
    }
    m = /^arn:aws:(?:sns:([^:]*):(\d{12}):|events:([^:]*):(\d{12}):event-bus\/)([A-Za-z0-9_.-]{1,256})$/.exec(
      arn,
    );
    if (m) {
      own(m[1] ?? m[3]!, m[2] ?? m[4]!);
      return { type: 'topic', name: m[5]!, view: 'eventbridge' };
    }
    // A state machine: each matching event starts an execution with the event as its input.
    m = /^arn:aws:states:([^:]*):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/.exec(arn);
    if (m) {
      own(m[1]!, m[2]!);
      return { type: 'stateMachine', name: m[3]!, view: 'eventbridge' };
    }
    throw EventBridgeErrors.INVALID({
      field: 'Targets.Arn',
      reason: `${arn.slice(0, 200)}: targets are Lambda functions, SQS queues, SNS topics, event buses or state machines`,
    });
  }

  function transformerOf(t: StoredTarget): InputTransformer | undefined {
    if (t.InputTransformer)
      return {
        inputTemplate: t.InputTransformer.InputTemplate,
        inputPathsMap: t.InputTransformer.InputPathsMap,
      };
    if (t.Input !== undefined) return { inputTemplate: t.Input };
    if (t.InputPath !== undefined) return { inputPathsMap: { v: t.InputPath }, inputTemplate: '<v>' };
    return undefined;
  }

  /** Rebuilds the subscriptions of one rule from its stored form. */
  async function sync(p: Principal, busName: string, name: string, r: StoredRule | undefined): Promise<void> {
    const inputs: SubscriptionInput[] =
      r && r.state !== 'DISABLED'
        ? r.targets.map((t) => {
            const inputTransformer = transformerOf(t);
            return {
              topic: busName,
              target: subscriptionTarget(p, t.Arn),
              ...(r.pattern ? { pattern: JSON.parse(r.pattern) as EventPattern } : {}),
              ...(inputTransformer ? { inputTransformer } : {}),
              description: `EventBridge rule ${name} target ${t.Id}`,
            };
          })
        : [];
    await bus.replaceOwned(p.tenant, owner(busName, name), inputs);
  }

  const ruleView = (p: Principal, b: string, name: string, r: StoredRule) => ({
    Name: name,
    Arn: ruleArn(p, b, name),
    ...(r.pattern ? { EventPattern: r.pattern } : {}),
    State: r.state,
    ...(r.description ? { Description: r.description } : {}),
    EventBusName: b,
  });

  const onBus = (req: FastifyRequest, action: string, ref: string | undefined) => {
    const b = busName(ref);
    const p = authorize(req, `events:${action}`, (a) => a.of('events', `event-bus/${b}`));
    return { p, b };
  };
  const onRule = (req: FastifyRequest, action: string, ref: string | undefined, name: string) => {
    const b = busName(ref);
    const p = authorize(req, `events:${action}`, (a) =>
      a.of('events', `rule/${b === 'default' ? '' : `${b}/`}${name}`),
    );
    return { p, b };
  };

  return {
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    errorType: eventBridgeErrorType,
    dataOperations: new Set([
      'PutEvents',
      'DescribeRule',
      'ListRules',
      'ListTargetsByRule',
      'ListEventBuses',
      'DescribeEventBus',
      'TestEventPattern',
    ]),
    operations: {
      async PutEvents(raw, req) {
        const b = input(S.PutEvents, raw);
        const now = d.clock.now();
        let failed = 0;
        const Entries: object[] = [];
        for (const e of b.Entries) {
          const name = busName(e.EventBusName);
          const p = authorize(req, 'events:PutEvents', (a) => a.of('events', `event-bus/${name}`));
          try {
            if (!e.Source || !e.DetailType || e.Detail === undefined)
              throw EventBridgeErrors.INVALID({
                field: 'Entries',
                reason: 'Source, DetailType and Detail are required',
              });
            if (e.Source.startsWith('aws.'))
              throw EventBridgeErrors.INVALID({
                field: 'Source',
                reason: 'sources starting with aws. are reserved',
              });
            let detail: unknown;
            try {
              detail = JSON.parse(e.Detail);
            } catch {
              detail = undefined;
            }
            if (!detail || typeof detail !== 'object' || Array.isArray(detail))
              throw EventBridgeErrors.INVALID({ field: 'Detail', reason: 'it is a JSON object' });
            const time =
              e.Time === undefined
                ? undefined
                : typeof e.Time === 'number'
                  ? e.Time * 1000
                  : Date.parse(e.Time);
            const id = randomUUID();
            await ensureBus(p.tenant, name);
            await bus.publish(p.tenant, name, [
              cloudEventFromEventBridge(
                {
                  Source: e.Source,
                  DetailType: e.DetailType,
                  Detail: detail,
                  Resources: e.Resources,
                  Time: Number.isFinite(time) ? time : undefined,
                },
                id,
                now,
              ),
            ]);
            Entries.push({ EventId: id });
          } catch (err) {
            const ne = err as NimbusError;
            if (ne.kind !== 'user') throw err;
            failed++;
            Entries.push({
              ErrorCode:
                ne.status === 404
                  ? 'ResourceNotFoundException'
                  : ne.status === 429
                    ? 'ThrottlingException'
                    : 'ValidationException',
              ErrorMessage: ne.message,
            });
          }
        }
        return { FailedEntryCount: failed, Entries };
      },

      async CreateEventBus(raw, req) {
        const b = input(S.Bus, raw);
        const { p } = onBus(req, 'CreateEventBus', b.Name);
        if (b.Name === 'default' || b.Name.includes('/'))
          throw EventBridgeErrors.INVALID({ field: 'Name', reason: 'default is taken; names have no /' });
        const { created } = await bus.putTopic(p.tenant, b.Name);
        if (!created) throw EventBridgeErrors.EXISTS({ what: `event bus ${b.Name}` });
        return { EventBusArn: busArn(p, b.Name) };
      },

      async DeleteEventBus(raw, req) {
        const b = input(S.Bus, raw);
        const { p } = onBus(req, 'DeleteEventBus', b.Name);
        if (b.Name === 'default')
          throw EventBridgeErrors.INVALID({ field: 'Name', reason: 'the default bus cannot be deleted' });
        await bus.deleteTopic(p.tenant, b.Name).catch((e: NimbusError) => {
          if (e.code !== BusErrors.codes.TOPIC_NOT_FOUND) throw e;
        });
        const doc = await load(p.tenant);
        delete doc[b.Name];
        await save(p.tenant, doc);
        return {};
      },

      async DescribeEventBus(raw, req) {
        const name = busName((raw as { Name?: string }).Name);
        const { p } = onBus(req, 'DescribeEventBus', name);
        await ensureBus(p.tenant, name);
        return { Name: name, Arn: busArn(p, name) };
      },

      async ListEventBuses(raw, req) {
        const b = input(S.ListBuses, raw);
        const p = authorize(req, 'events:ListEventBuses');
        const names = new Set(['default', ...(await bus.listTopics(p.tenant)).map((t) => t.name)]);
        return {
          EventBuses: [...names]
            .filter((n) => !b.NamePrefix || n.startsWith(b.NamePrefix))
            .sort()
            .map((n) => ({ Name: n, Arn: busArn(p, n) })),
        };
      },

      async PutRule(raw, req) {
        const b = input(S.PutRule, raw);
        const { p, b: busN } = onRule(req, 'PutRule', b.EventBusName, b.Name);
        if (b.ScheduleExpression !== undefined)
          throw EventBridgeErrors.INVALID({
            field: 'ScheduleExpression',
            reason: 'scheduled rules are not served by this API: use a schedule event or `nimbus schedules`',
          });
        if (b.EventPattern === undefined)
          throw EventBridgeErrors.INVALID({ field: 'EventPattern', reason: 'it is required' });
        parsePattern(b.EventPattern);
        await ensureBus(p.tenant, busN);
        const doc = await load(p.tenant);
        const prior = doc[busN]?.[b.Name];
        const rule: StoredRule = {
          pattern: b.EventPattern,
          state: b.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
          description: b.Description ?? prior?.description ?? '',
          targets: prior?.targets ?? [],
          createdAt: prior?.createdAt ?? d.clock.now(),
        };
        await sync(p, busN, b.Name, rule);
        doc[busN] = { ...doc[busN], [b.Name]: rule };
        await save(p.tenant, doc);
        return { RuleArn: ruleArn(p, busN, b.Name) };
      },

      async DescribeRule(raw, req) {
        const b = input(S.Rule, raw);
        const { p, b: busN } = onRule(req, 'DescribeRule', b.EventBusName, b.Name);
        return ruleView(p, busN, b.Name, getRule(await load(p.tenant), busN, b.Name));
      },

      async ListRules(raw, req) {
        const b = input(S.ListRules, raw);
        const { p, b: busN } = onBus(req, 'ListRules', b.EventBusName);
        const rules = Object.entries((await load(p.tenant))[busN] ?? {})
          .filter(([n]) => !b.NamePrefix || n.startsWith(b.NamePrefix))
          .sort(([x], [y]) => (x < y ? -1 : 1));
        const start = b.NextToken ? Number(Buffer.from(b.NextToken, 'base64url').toString()) || 0 : 0;
        const limit = b.Limit ?? 100;
        const page = rules.slice(start, start + limit);
        return {
          Rules: page.map(([n, r]) => ruleView(p, busN, n, r)),
          ...(start + limit < rules.length
            ? { NextToken: Buffer.from(String(start + limit)).toString('base64url') }
            : {}),
        };
      },

      async DeleteRule(raw, req) {
        const b = input(S.Rule, raw);
        const { p, b: busN } = onRule(req, 'DeleteRule', b.EventBusName, b.Name);
        const doc = await load(p.tenant);
        const r = doc[busN]?.[b.Name];
        if (!r) return {};
        if (r.targets.length > 0 && !b.Force)
          throw EventBridgeErrors.INVALID({
            field: 'Name',
            reason: 'the rule still has targets: remove them first',
          });
        await sync(p, busN, b.Name, undefined);
        delete doc[busN]![b.Name];
        await save(p.tenant, doc);
        return {};
      },

      async EnableRule(raw, req) {
        return setState(raw, req, 'ENABLED');
      },

      async DisableRule(raw, req) {
        return setState(raw, req, 'DISABLED');
      },

      async PutTargets(raw, req) {
        const b = input(S.PutTargets, raw);
        const { p, b: busN } = onRule(req, 'PutTargets', b.EventBusName, b.Rule);
        const doc = await load(p.tenant);
        const r = getRule(doc, busN, b.Rule);
        const FailedEntries: object[] = [];
        const targets = [...r.targets];
        for (const t of b.Targets) {
          try {
            subscriptionTarget(p, t.Arn);
            if ([t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length > 1)
              throw EventBridgeErrors.INVALID({
                field: 'Targets',
                reason: 'give one of Input, InputPath, InputTransformer',
              });
            const i = targets.findIndex((x) => x.Id === t.Id);
            if (i >= 0) targets[i] = t;
            else targets.push(t);
          } catch (err) {
            const ne = err as NimbusError;
            if (ne.kind !== 'user') throw err;
            FailedEntries.push({
              TargetId: t.Id,
              ErrorCode: 'ValidationException',
              ErrorMessage: ne.message,
            });
          }
        }
        if (targets.length > 5)
          throw EventBridgeErrors.INVALID({ field: 'Targets', reason: 'a rule has at most 5 targets' });
        const next = { ...r, targets };
        await sync(p, busN, b.Rule, next);
        doc[busN]![b.Rule] = next;
        await save(p.tenant, doc);
        return { FailedEntryCount: FailedEntries.length, FailedEntries };
      },

      async RemoveTargets(raw, req) {
        const b = input(S.RemoveTargets, raw);
        const { p, b: busN } = onRule(req, 'RemoveTargets', b.EventBusName, b.Rule);
        const doc = await load(p.tenant);
        const r = getRule(doc, busN, b.Rule);
        const next = { ...r, targets: r.targets.filter((t) => !b.Ids.includes(t.Id)) };
        await sync(p, busN, b.Rule, next);
        doc[busN]![b.Rule] = next;
        await save(p.tenant, doc);
        return { FailedEntryCount: 0, FailedEntries: [] };
      },

      async ListTargetsByRule(raw, req) {
        const b = input(S.ListTargets, raw);
        const { p, b: busN } = onRule(req, 'ListTargetsByRule', b.EventBusName, b.Rule);
        return { Targets: getRule(await load(p.tenant), busN, b.Rule).targets };
      },

      async TestEventPattern(raw, req) {
        const b = input(S.TestEventPattern, raw);
        authorize(req, 'events:TestEventPattern');
        let ev: unknown;
        try {
          ev = JSON.parse(b.Event);
        } catch {
          throw EventBridgeErrors.INVALID({ field: 'Event', reason: 'it is not JSON' });
        }
        return { Result: compilePattern(parsePattern(b.EventPattern)).match(ev) };
      },
    },
  };

  async function setState(raw: AwsJsonInput, req: FastifyRequest, state: 'ENABLED' | 'DISABLED') {
    const b = input(S.Rule, raw);
    const { p, b: busN } = onRule(
      req,
      state === 'ENABLED' ? 'EnableRule' : 'DisableRule',
      b.EventBusName,
      b.Name,
    );
    const doc = await load(p.tenant);
    const next = { ...getRule(doc, busN, b.Name), state };
    await sync(p, busN, b.Name, next);
    doc[busN]![b.Name] = next;
    await save(p.tenant, doc);
    return {};
  }
}

/** EventBridge's exceptions for the coded errors its operations raise. */
export function eventBridgeErrorType(e: NimbusError): AwsErrorType | undefined {
  switch (e.code) {
    case EventBridgeErrors.codes.NOT_FOUND:
    case BusErrors.codes.TOPIC_NOT_FOUND:
    case CoreErrors.codes.NOT_FOUND:
      return { type: 'ResourceNotFoundException', status: 400 };
    case EventBridgeErrors.codes.EXISTS:
      return { type: 'ResourceAlreadyExistsException', status: 400 };
    case PatternErrors.codes.INVALID_PATTERN:
      return { type: 'InvalidEventPatternException', status: 400 };
    case EventBridgeErrors.codes.INVALID:
    case BusErrors.codes.BAD_TOPIC_NAME:
    case BusErrors.codes.BAD_SUBSCRIPTION:
    case CloudEventErrors.codes.INVALID_CLOUDEVENT:
    case CoreErrors.codes.VALIDATION:
      return { type: 'ValidationException', status: 400 };
  }
  return undefined;
}
