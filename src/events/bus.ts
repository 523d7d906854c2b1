/**
 * The event bus: topics, content-filtered subscriptions, and publish.
 *
 * Publish = validate the CloudEvents → match each against the topic's RuleIndex → one delivery
 * message per (event, matching subscription) → ALL committed in one queue transaction → 202.
 * Deliveries then run on the async machinery: a function target is an async invocation (the
 * subscription's retry policy, the function's destinations and dead letters), a webhook target a
 * webhook delivery (CloudEvent, structured mode), a topic target a forward one hop further.
 * A delivery's dedupe key is (subscription, event source, event id) — CloudEvents' identity — so
 * publishing the same event twice delivers it once per subscription.
 * Every delivery's envelope (function, webhook, SQS, topic forward) carries the publish's trace:
 * its PRODUCER span with tracing on, the publisher's context as given with it off.
 */
import { randomUUID } from 'node:crypto';
import { assertWebhookEgress } from '../async/config.ts';
import { AsyncErrors } from '../async/errors.ts';
import { functionQueue, topicQueue, webhookQueue, workflowQueue } from '../async/service.ts';
import type {
  InvokeEnvelope,
  PublishEnvelope,
  SqsEnvelope,
  WebhookEnvelope,
  WorkflowEnvelope,
} from '../async/types.ts';
import { CoreErrors, defineErrors } from '../core/errors.ts';
import type { Clock, Queue, Store } from '../core/ports.ts';
import type {
  EnqueueItem,
  EventView,
  InputTransformer,
  SubscriptionRecord,
  SubscriptionTarget,
  TenantId,
  TopicRecord,
} from '../core/types.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { RegistryService } from '../registry/types.ts';
import { type CloudEvent, validateCloudEvent } from './cloudevents.ts';
import { compilePattern, type EventPattern, RuleIndex } from './pattern.ts';
import { type CompiledTransformer, compileTransformer, getPath, parseJsonPath } from './transform.ts';
import {
  eventBridgeView,
  lambdaSnsEvent,
  snsAttributes,
  snsFilterView,
  snsNotification,
  snsRawMessage,
  type ViewContext,
} from './views.ts';

export const BusErrors = defineErrors('EVENTS', {
  TOPIC_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'topic {topic} does not exist',
    hint: 'create it first: PUT /v1/topics/{topic} (manifests create the topics they subscribe to)',
  },
  BAD_TOPIC_NAME: {
    status: 400,
    kind: 'user',
    message: 'invalid topic name "{topic}": 1–128 of A–Z a–z 0–9 . _ -',
  },
  BAD_SUBSCRIPTION: {
    status: 400,
    kind: 'user',
    message: 'invalid subscription: {reason}',
  },
});

const TOPIC = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_HOPS_DEFAULT = 16;

export interface SubscriptionInput {
  readonly topic: string;
  readonly pattern?: EventPattern | undefined;
  readonly target: SubscriptionTarget;
  readonly inputTransformer?: InputTransformer | undefined;
  readonly partitionKey?: string | undefined;
  readonly retry?: SubscriptionRecord['retry'];
  readonly description?: string | undefined;
}

export interface PublishResult {
  readonly id: string;
  /** How many subscriptions it was delivered to. */
  readonly deliveries: number;
}

export interface EventBus {
  putTopic(
    tenant: TenantId,
    name: string,
    description?: string,
  ): Promise<{ topic: TopicRecord; created: boolean }>;
  getTopic(tenant: TenantId, name: string): Promise<TopicRecord>;
  listTopics(tenant: TenantId): Promise<TopicRecord[]>;
  deleteTopic(tenant: TenantId, name: string): Promise<void>;
  subscribe(tenant: TenantId, input: SubscriptionInput): Promise<SubscriptionRecord>;
  listSubscriptions(tenant: TenantId, topic?: string): Promise<SubscriptionRecord[]>;
  unsubscribe(tenant: TenantId, id: string): Promise<void>;
  /** Replaces a subscription's pattern and/or target, keeping its id (SetSubscriptionAttributes). */
  updateSubscription(
    tenant: TenantId,
    id: string,
    change: { readonly pattern?: EventPattern | null; readonly target?: SubscriptionTarget },
  ): Promise<SubscriptionRecord>;
  /** Replaces the subscriptions a function's manifest declares (topics are created as needed). */
  replaceOwned(
    tenant: TenantId,
    owner: string,
    inputs: readonly SubscriptionInput[],
  ): Promise<SubscriptionRecord[]>;
  /** Validated CloudEvents → committed deliveries. Resolves after the commit. */
  publish(
    tenant: TenantId,
    topic: string,
    events: readonly unknown[],
    /** `traceparent`: the publisher's trace; function deliveries continue it. */
    opts?: { hop?: number; traceparent?: string | undefined },
  ): Promise<PublishResult[]>;
  /** Builds the indexes from the Store (at start and after changes by other means). */
  load(): Promise<void>;
  /** Rebuilds one topic's index (after its subscriptions changed in the store by other means). */
  reloadTopic(tenant: TenantId, topic: string): Promise<void>;
}

export interface BusDeps {
  readonly store: Pick<Store, 'topics' | 'subscriptions' | 'transaction'>;
  readonly queue: Queue;
  readonly registry: Pick<RegistryService, 'resolve'>;
  readonly clock: Clock;
  /** Wakes the async dispatcher after deliveries were queued. */
  readonly kick: () => void;
  /** After a publish commits: each event's delivery count (metrics). */
  readonly onPublished?: (tenant: TenantId, results: readonly PublishResult[]) => void;
  /** A PRODUCER span per publish (absent: tracing off). */
  readonly tracing?: Tracing | undefined;
  readonly maxQueueDepth: number;
  readonly maxHops?: number;
  /** CIDRs an administrator opened for webhook targets (NIMBUS_EGRESS_ALLOW_CIDRS). */
  readonly egressAllowCidrs?: readonly string[];
  readonly log?: (level: 'warn', obj: Record<string, unknown>, msg: string) => void;
  /** ARNs in the EventBridge and SNS shapes. */
  readonly region?: string;
  readonly accountOf?: (tenant: TenantId) => string;
  /** Whether the tenant has this SQS queue (targets `{sqs}`). */
  readonly sqsQueueExists?: (tenant: TenantId, name: string) => Promise<boolean>;
  /** Whether a state machine exists (stateMachine targets; src/workflows/). */
  readonly stateMachineExists?: (tenant: TenantId, name: string) => Promise<boolean>;
}

interface Compiled {
  readonly sub: SubscriptionRecord;
  readonly transformer?: CompiledTransformer | undefined;
  readonly partition?: (string | number)[] | undefined;
}

/** The subscriptions that match one view of the event. */
interface ViewIndex {
  readonly index: RuleIndex<string>;
  /** Subscriptions without a pattern get every event. */
  readonly all: string[];
}

interface TopicIndex {
  /** By matching key (`cloudevent`, `eventbridge`, `sns:MessageAttributes`, `sns:MessageBody`). */
  readonly views: Map<string, ViewIndex>;
  readonly subs: Map<string, Compiled>;
}

const viewOf = (t: SubscriptionTarget): EventView => ('view' in t && t.view) || 'cloudevent';
const matchKey = (t: SubscriptionTarget) => {
  const v = viewOf(t);
  return v === 'sns' ? `sns:${('filterScope' in t && t.filterScope) || 'MessageAttributes'}` : v;
};

export function createEventBus(d: BusDeps): EventBus {
  const maxHops = d.maxHops ?? MAX_HOPS_DEFAULT;
  const topics = new Map<string, TopicIndex>();
  const key = (tenant: TenantId, topic: string) => `${tenant}\u0000${topic}`;

  function compile(sub: SubscriptionRecord): Compiled {
    return {
      sub,
      transformer: sub.inputTransformer ? compileTransformer(sub.inputTransformer) : undefined,
      partition: sub.partitionKey ? parseJsonPath(sub.partitionKey) : undefined,
    };
  }

  function rebuild(tenant: TenantId, topic: string, subs: readonly SubscriptionRecord[]): void {
    const views = new Map<string, ViewIndex>();
    const map = new Map<string, Compiled>();
    for (const s of subs) {
      map.set(s.id, compile(s));
      const mk = matchKey(s.target);
      let v = views.get(mk);
      if (!v) {
        v = { index: new RuleIndex<string>([]), all: [] };
        views.set(mk, v);
      }
      const { index, all } = v;
      if (s.pattern === undefined) all.push(s.id);
      else {
        try {
          index.add(s.id, JSON.parse(s.pattern) as EventPattern);
        } catch (e) {
          // Stored before the matcher refused it (it follows event-ruler's validation): it matches
          // nothing until replaced, and the topic's other subscriptions keep working.
          d.log?.(
            'warn',
            { tenant, topic, subscription: s.id, err: e instanceof Error ? e.message : String(e) },
            'a stored subscription pattern is no longer valid: it matches nothing until it is replaced',
          );
        }
      }
    }
    topics.set(key(tenant, topic), { views, subs: map });
  }

  async function reloadTopic(tenant: TenantId, topic: string): Promise<void> {
    rebuild(tenant, topic, await d.store.subscriptions.list(tenant, topic));
  }

  async function requireTopic(tenant: TenantId, name: string): Promise<TopicRecord> {
    const t = await d.store.topics.get(tenant, name);
    if (!t) throw BusErrors.TOPIC_NOT_FOUND({ topic: name });
    return t;
  }

  async function validate(tenant: TenantId, input: SubscriptionInput): Promise<void> {
    const bad = (reason: string) => BusErrors.BAD_SUBSCRIPTION({ reason });
    if (input.pattern !== undefined) compilePattern(input.pattern);
    if (input.inputTransformer) compileTransformer(input.inputTransformer);
    if (input.partitionKey !== undefined) parseJsonPath(input.partitionKey);
    const t = input.target;
    if (t.type === 'function') await d.registry.resolve(tenant, t.name, t.qualifier);
    else if (t.type === 'webhook') {
      if (!/^https?:\/\//.test(t.url)) throw bad('a webhook target is an http(s) URL');
      assertWebhookEgress(t.url, d.egressAllowCidrs ?? []);
    } else if (t.type === 'topic') {
      if (t.name === input.topic) throw bad('a topic cannot forward to itself');
      await requireTopic(tenant, t.name);
    } else if (t.type === 'sqs') {
      if (!d.sqsQueueExists) throw bad('SQS queues are not available');
      if (!(await d.sqsQueueExists(tenant, t.queue))) throw bad(`the SQS queue ${t.queue} does not exist`);
    } else if (t.type === 'stateMachine') {
      if (!(await d.stateMachineExists?.(tenant, t.name)))
        throw bad(`the state machine ${t.name} does not exist`);
    } else throw bad('target is {function}, {webhook}, {topic}, {sqs} or {stateMachine}');
  }

  function record(
    tenant: TenantId,
    input: SubscriptionInput,
    origin: SubscriptionRecord['origin'],
    owner?: string,
  ) {
    return {
      tenant,
      id: `sub_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      topic: input.topic,
      pattern: input.pattern === undefined ? undefined : JSON.stringify(input.pattern),
      target: input.target,
      inputTransformer: input.inputTransformer,
      partitionKey: input.partitionKey,
      retry: input.retry,
      origin,
      owner,
      description: input.description ?? '',
      createdAt: d.clock.now(),
    } satisfies SubscriptionRecord;
  }

  async function putTopic(tenant: TenantId, name: string, description = '') {
    if (!TOPIC.test(name)) throw BusErrors.BAD_TOPIC_NAME({ topic: name });
    const rec: TopicRecord = { tenant, name, description, createdAt: d.clock.now() };
    const created = await d.store.topics.put(rec);
    if (!topics.has(key(tenant, name))) await reloadTopic(tenant, name);
    return { topic: (await d.store.topics.get(tenant, name)) ?? rec, created };
  }

  /** The deliveries of one event: one queue item per matching subscription. */
  function deliveries(
    tenant: TenantId,
    topic: string,
    idx: TopicIndex,
    ev: CloudEvent,
    hop: number,
    traceparent?: string,
  ): EnqueueItem[] {
    const items: EnqueueItem[] = [];
    const eventText = JSON.stringify(ev);
    const ctx: ViewContext = {
      region: d.region ?? 'local-1',
      account: d.accountOf?.(tenant) ?? '000000000000',
      topic,
      now: d.clock.now(),
    };
    let bridge: Record<string, unknown> | undefined;
    const bridgeView = () => {
      bridge ??= eventBridgeView(ev, ctx);
      return bridge;
    };
    for (const [mk, v] of idx.views) {
      const matched =
        mk === 'cloudevent'
          ? ev
          : mk === 'eventbridge'
            ? bridgeView()
            : snsFilterView(ev, mk === 'sns:MessageBody' ? 'MessageBody' : 'MessageAttributes');
      const ids = v.index.size > 0 ? [...v.all, ...v.index.match(matched)] : v.all;
      for (const id of ids) {
        const c = idx.subs.get(id);
        if (c) items.push(delivery(tenant, topic, c, ev, eventText, matched, ctx, hop, traceparent));
      }
    }
    return items;
  }

  /** One subscription's delivery of an event, in the subscription's shape. */
  function delivery(
    tenant: TenantId,
    topic: string,
    c: Compiled,
    ev: CloudEvent,
    eventText: string,
    matched: unknown,
    ctx: ViewContext,
    hop: number,
    traceparent?: string,
  ): EnqueueItem {
    const s = c.sub;
    const t = s.target;
    const view = viewOf(t);
    const raw = 'raw' in t && t.raw === true;
    // The target's payload: a transformer applies to the view the pattern saw.
    const payload = c.transformer
      ? c.transformer.apply(view === 'sns' ? snsNotification(ev, ctx) : matched)
      : view === 'cloudevent'
        ? eventText
        : view === 'eventbridge'
          ? JSON.stringify(matched)
          : t.type === 'function'
            ? JSON.stringify(lambdaSnsEvent(ev, ctx, s.id))
            : raw
              ? snsRawMessage(ev)
              : JSON.stringify(snsNotification(ev, ctx));
    const pk = c.partition ? getPath(ev, c.partition) : undefined;
    const common = {
      tenant,
      source: `topic:${topic}`,
      dedupeKey: `evt:${s.id}:${ev.source}:${ev.id}`,
      group:
        pk === undefined || pk === null
          ? undefined
          : `${s.id}:${typeof pk === 'string' ? pk : JSON.stringify(pk)}`,
    };
    if (t.type === 'function') {
      const env: InvokeEnvelope = {
        v: 1,
        kind: 'invoke',
        function: t.name,
        qualifier: t.qualifier,
        payload,
        hop: hop + 1,
        retry: s.retry,
        traceparent,
      };
      return { ...common, queue: functionQueue(tenant, t.name), body: JSON.stringify(env) };
    }
    if (t.type === 'webhook') {
      const env: WebhookEnvelope = {
        v: 1,
        kind: 'webhook',
        url: t.url,
        body: payload,
        contentType:
          view === 'sns'
            ? 'text/plain; charset=UTF-8'
            : c.transformer || view === 'eventbridge'
              ? 'application/json'
              : 'application/cloudevents+json',
        traceparent,
      };
      return { ...common, queue: webhookQueue(tenant), body: JSON.stringify(env) };
    }
    if (t.type === 'sqs') {
      // SNS raw delivery passes the message attributes on as SQS message attributes.
      const attrs = view === 'sns' && raw ? snsAttributes(ev) : {};
      const env: SqsEnvelope = {
        v: 1,
        kind: 'sqs',
        queue: t.queue,
        body: payload,
        ...(Object.keys(attrs).length > 0
          ? {
              attributes: Object.fromEntries(
                Object.entries(attrs).map(([k, a]) => [
                  k,
                  a.Type === 'Binary'
                    ? { DataType: 'Binary', BinaryValue: a.Value }
                    : { DataType: a.Type === 'String.Array' ? 'String' : a.Type, StringValue: a.Value },
                ]),
              ),
            }
          : {}),
        groupId: s.id,
        dedupeId: ev.id,
        traceparent,
      };
      return { ...common, queue: topicQueue(tenant), body: JSON.stringify(env) };
    }
    if (t.type === 'workflow' || t.type === 'stateMachine') {
      // A waiting Task gets the event; a state machine target starts an execution with it.
      const env: WorkflowEnvelope =
        t.type === 'workflow'
          ? {
              v: 1,
              kind: 'wf',
              arn: t.arn,
              event: {
                type: 'callback',
                token: t.token,
                nonce: t.nonce,
                ok: true,
                output: JSON.parse(payload),
              },
            }
          : { v: 1, kind: 'wf', arn: '', event: { type: 'launch', machine: t.name, input: payload } };
      return { ...common, group: undefined, queue: workflowQueue(tenant), body: JSON.stringify(env) };
    }
    const env: PublishEnvelope = {
      v: 1,
      kind: 'publish',
      topic: t.name,
      event: eventText,
      hop: hop + 1,
      // The next topic's publish continues this one's trace.
      traceparent,
    };
    return { ...common, queue: topicQueue(tenant), body: JSON.stringify(env) };
  }

  return {
    putTopic,
    getTopic: requireTopic,
    listTopics: (tenant) => d.store.topics.list(tenant),
    async deleteTopic(tenant, name) {
      if (!(await d.store.topics.delete(tenant, name))) throw BusErrors.TOPIC_NOT_FOUND({ topic: name });
      topics.delete(key(tenant, name));
    },

    async subscribe(tenant, input) {
      await requireTopic(tenant, input.topic);
      await validate(tenant, input);
      const rec = record(tenant, input, 'api');
      await d.store.subscriptions.create(rec);
      await reloadTopic(tenant, input.topic);
      return rec;
    },

    listSubscriptions: (tenant, topic) => d.store.subscriptions.list(tenant, topic),

    async unsubscribe(tenant, id) {
      const s = await d.store.subscriptions.get(tenant, id);
      if (!s || !(await d.store.subscriptions.delete(tenant, id)))
        throw CoreErrors.NOT_FOUND({ what: `subscription ${id}` });
      await reloadTopic(tenant, s.topic);
    },

    async updateSubscription(tenant, id, change) {
      const s = await d.store.subscriptions.get(tenant, id);
      if (!s) throw CoreErrors.NOT_FOUND({ what: `subscription ${id}` });
      const pattern =
        change.pattern === null
          ? undefined
          : change.pattern !== undefined
            ? change.pattern
            : s.pattern === undefined
              ? undefined
              : (JSON.parse(s.pattern) as EventPattern);
      const input: SubscriptionInput = {
        topic: s.topic,
        pattern,
        target: change.target ?? s.target,
        inputTransformer: s.inputTransformer,
        partitionKey: s.partitionKey,
        retry: s.retry,
        description: s.description,
      };
      await validate(tenant, input);
      const rec: SubscriptionRecord = {
        ...s,
        pattern: pattern === undefined ? undefined : JSON.stringify(pattern),
        target: input.target,
      };
      await d.store.transaction(async (tx) => {
        await tx.subscriptions.delete(tenant, id);
        await tx.subscriptions.create(rec);
      });
      await reloadTopic(tenant, s.topic);
      return rec;
    },

    async replaceOwned(tenant, owner, inputs) {
      for (const i of inputs) {
        if (!TOPIC.test(i.topic)) throw BusErrors.BAD_TOPIC_NAME({ topic: i.topic });
        if (i.pattern !== undefined) compilePattern(i.pattern);
        if (i.inputTransformer) compileTransformer(i.inputTransformer);
      }
      const before = (await d.store.subscriptions.list(tenant)).filter(
        (s) => s.owner === owner && s.origin === 'manifest',
      );
      for (const i of inputs)
        if (!(await d.store.topics.get(tenant, i.topic))) await putTopic(tenant, i.topic);
      await d.store.subscriptions.deleteOwned(tenant, owner);
      const out: SubscriptionRecord[] = [];
      for (const i of inputs) {
        const rec = record(tenant, i, 'manifest', owner);
        await d.store.subscriptions.create(rec);
        out.push(rec);
      }
      for (const t of new Set([...before.map((s) => s.topic), ...inputs.map((i) => i.topic)]))
        await reloadTopic(tenant, t);
      return out;
    },

    async publish(tenant, topic, raw, opts = {}) {
      const hop = opts.hop ?? 0;
      if (hop > maxHops)
        throw AsyncErrors.LOOP_DETECTED({ function: `topic ${topic}`, hops: hop, limit: maxHops });
      if (!topics.has(key(tenant, topic))) {
        await requireTopic(tenant, topic);
        await reloadTopic(tenant, topic);
      }
      const idx = topics.get(key(tenant, topic))!;
      const events = raw.map((e, i) => validateCloudEvent(e, raw.length > 1 ? ` #${i}` : ''));
      const items: EnqueueItem[] = [];
      const counts: PublishResult[] = [];
      const span = d.tracing?.start(`publish ${topic}`, {
        kind: 'producer',
        parent: opts.traceparent,
        attributes: {
          'messaging.system': 'nimbus',
          'messaging.operation.type': 'publish',
          'messaging.destination.name': topic,
          'messaging.batch.message_count': events.length,
          'nimbus.tenant': tenant,
        },
      });
      const traceparent = span ? span.traceparent : opts.traceparent;
      for (const ev of events) {
        const mine = deliveries(tenant, topic, idx, ev, hop, traceparent);
        items.push(...mine);
        counts.push({ id: ev.id, deliveries: mine.length });
      }
      // Admission: never accept an event a target cannot take (429 for the whole publish).
      const perQueue = new Map<string, number>();
      for (const it of items) perQueue.set(it.queue, (perQueue.get(it.queue) ?? 0) + 1);
      try {
        for (const [q, n] of perQueue)
          if (d.queue.depth(q) + n > d.maxQueueDepth)
            throw AsyncErrors.QUEUE_FULL(
              { function: q, depth: d.queue.depth(q), limit: d.maxQueueDepth },
              { retryAfterMs: 1000 },
            );
        if (items.length > 0) {
          span?.set('nimbus.deliveries', items.length);
          await d.queue.enqueue(items);
          d.kick();
        }
      } catch (e) {
        span?.fail(e instanceof Error && 'code' in e ? String(e.code) : 'publish failed');
        throw e;
      } finally {
        span?.end();
      }
      d.onPublished?.(tenant, counts);
      return counts;
    },

    reloadTopic,

    async load() {
      topics.clear();
      const byTopic = new Map<string, SubscriptionRecord[]>();
      for (const s of await d.store.subscriptions.listAll()) {
        const k = key(s.tenant, s.topic);
        const list = byTopic.get(k) ?? [];
        list.push(s);
        byTopic.set(k, list);
      }
      for (const list of byTopic.values()) rebuild(list[0]!.tenant, list[0]!.topic, list);
    },
  };
}
