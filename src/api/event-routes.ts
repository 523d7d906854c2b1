/** REST for the event bus: topics, subscriptions, CloudEvents publish. docs/API.md. */

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CoreErrors } from '../core/errors.ts';
import type { DeliveryShape, SubscriptionRecord, SubscriptionTarget, WebhookRecord } from '../core/types.ts';
import type { EventBus, SubscriptionInput } from '../events/bus.ts';
import { readHttpCloudEvents } from '../events/cloudevents.ts';
import type { WebhookService } from '../events/webhooks.ts';
import { traceparentOfHeaders } from '../observability/trace-context.ts';
import type { WorkflowService } from '../workflows/types.ts';
import { authorize } from './auth.ts';
import { params, parseBody, query, rejectDeepJson } from './http.ts';

export interface EventRouteDeps {
  readonly bus: EventBus;
  readonly webhooks: WebhookService;
  /** Public base URL of the gateway (webhook URLs are shown with it). */
  readonly gatewayUrl: () => string;
  /** State machines that manifest subscriptions may target. */
  readonly workflows?: Pick<WorkflowService, 'describeMachine'> | undefined;
}

export const WebhookBody = z
  .object({
    id: z.string().min(1).optional(),
    topic: z.string().min(1),
    verification: z.enum(['github', 'stripe', 'standard', 'shared-secret', 'none']),
    secret: z.string().min(1).optional(),
    header: z.string().min(1).optional(),
    toleranceSec: z.number().int().optional(),
    description: z.string().max(512).optional(),
  })
  .strict();
const webhookView = (w: WebhookRecord, base: string) => ({
  id: w.id,
  url: `${base}/hooks/${w.id}`,
  topic: w.topic,
  verification: w.verification,
  header: w.header ?? null,
  toleranceSec: w.toleranceSec,
  description: w.description,
  createdAt: new Date(w.createdAt).toISOString(),
});

const Target = z.union([
  z
    .string()
    .min(1)
    .transform((name): SubscriptionTarget => ({ type: 'function', name })),
  z
    .object({ function: z.string().min(1), qualifier: z.string().min(1).optional() })
    .strict()
    .transform((t): SubscriptionTarget => ({ type: 'function', name: t.function, qualifier: t.qualifier })),
  z
    .object({ webhook: z.string().url() })
    .strict()
    .transform((t): SubscriptionTarget => ({ type: 'webhook', url: t.webhook })),
  z
    .object({ topic: z.string().min(1) })
    .strict()
    .transform((t): SubscriptionTarget => ({ type: 'topic', name: t.topic })),
  z
    .object({ sqs: z.string().min(1) })
    .strict()
    .transform((t): SubscriptionTarget => ({ type: 'sqs', queue: t.sqs })),
  z
    .object({ stateMachine: z.string().min(1) })
    .strict()
    .transform((t): SubscriptionTarget => ({ type: 'stateMachine', name: t.stateMachine })),
]);
/** The shape a subscription matches and receives (src/events/views.ts). */
const Shape = {
  view: z.enum(['cloudevent', 'eventbridge', 'sns']).optional(),
  filterScope: z.enum(['MessageAttributes', 'MessageBody']).optional(),
  raw: z.boolean().optional(),
};
/** The target with the spec's shape (a topic forward keeps the CloudEvent). */
function shaped(
  t: SubscriptionTarget,
  s: { view?: DeliveryShape['view']; filterScope?: DeliveryShape['filterScope']; raw?: boolean | undefined },
): SubscriptionTarget {
  if (t.type === 'topic' || (!s.view && !s.filterScope && s.raw === undefined)) return t;
  return {
    ...t,
    ...(s.view ? { view: s.view } : {}),
    ...(s.filterScope ? { filterScope: s.filterScope } : {}),
    ...(s.raw !== undefined ? { raw: s.raw } : {}),
  };
}
export const SubscriptionSpec = z
  .object({
    pattern: z.record(z.string(), z.unknown()).optional(),
    target: Target,
    inputTransformer: z
      .object({ inputPathsMap: z.record(z.string(), z.string()).optional(), inputTemplate: z.string() })
      .strict()
      .optional(),
    partitionKey: z.string().min(1).optional(),
    retry: z
      .object({
        maximumRetryAttempts: z.number().int().min(0).max(100).optional(),
        maximumEventAgeSec: z.number().int().min(60).max(604_800).optional(),
      })
      .strict()
      .optional(),
    description: z.string().max(512).optional(),
    ...Shape,
  })
  .strict();
export const TopicBody = z.object({ description: z.string().max(512).optional() }).strict();
export const OwnedBody = z
  .object({
    subscriptions: z
      .array(SubscriptionSpec.omit({ target: true }).extend({ topic: z.string().min(1) }))
      .max(100),
  })
  .strict();

/** The owner of a state machine's manifest subscriptions. */
export const stateMachineOwner = (name: string) => `states:${name}`;

const targetView = (t: SubscriptionTarget) =>
  t.type === 'function'
    ? { function: t.name, ...(t.qualifier ? { qualifier: t.qualifier } : {}) }
    : t.type === 'webhook'
      ? { webhook: t.url }
      : t.type === 'sqs'
        ? { sqs: t.queue }
        : t.type === 'stateMachine'
          ? { stateMachine: t.name }
          : t.type === 'workflow'
            ? { workflow: t.arn }
            : { topic: t.name };
export const subscriptionView = (s: SubscriptionRecord) => ({
  id: s.id,
  topic: s.topic,
  pattern: s.pattern === undefined ? null : (JSON.parse(s.pattern) as unknown),
  target: targetView(s.target),
  view: ('view' in s.target && s.target.view) || 'cloudevent',
  inputTransformer: s.inputTransformer ?? null,
  partitionKey: s.partitionKey ?? null,
  retry: s.retry ?? null,
  origin: s.origin,
  owner: s.owner ?? null,
  description: s.description,
  createdAt: new Date(s.createdAt).toISOString(),
});

export function registerEventRoutes(app: FastifyInstance, d: EventRouteDeps): void {
  app.get('/v1/topics', async (req) => {
    const p = authorize(req, 'nimbus:ListTopics');
    return {
      topics: (await d.bus.listTopics(p.tenant)).map((t) => ({ name: t.name, description: t.description })),
    };
  });
  app.put('/v1/topics/:topic', async (req, reply) => {
    const p = authorize(req, 'nimbus:PutTopic', (a) => a.nimbus('topic', params(req).topic!));
    const b = parseBody(TopicBody, req.body, {});
    const r = await d.bus.putTopic(p.tenant, params(req).topic!, b.description);
    return reply.code(r.created ? 201 : 200).send({ name: r.topic.name, description: r.topic.description });
  });
  app.get('/v1/topics/:topic', async (req) => {
    const p = authorize(req, 'nimbus:GetTopic', (a) => a.nimbus('topic', params(req).topic!));
    const t = await d.bus.getTopic(p.tenant, params(req).topic!);
    const subs = await d.bus.listSubscriptions(p.tenant, t.name);
    return { name: t.name, description: t.description, subscriptions: subs.length };
  });
  app.delete('/v1/topics/:topic', async (req, reply) => {
    const p = authorize(req, 'nimbus:DeleteTopic', (a) => a.nimbus('topic', params(req).topic!));
    await d.bus.deleteTopic(p.tenant, params(req).topic!);
    return reply.code(204).send();
  });

  /** CloudEvents over HTTP: structured, batch or binary mode → 202 once every delivery is committed. */
  app.post('/v1/topics/:topic/events', async (req, reply) => {
    const p = authorize(req, 'nimbus:PublishEvents', (a) => a.nimbus('topic', params(req).topic!));
    const body = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
    // JSON events are stored and matched: bounded nesting, like every document we keep.
    if (/json/i.test(String(req.headers['content-type'] ?? ''))) rejectDeepJson(body);
    const events = readHttpCloudEvents(req.headers, body);
    // Function deliveries continue the publisher's trace (traceparent or X-Amzn-Trace-Id).
    const r = await d.bus.publish(p.tenant, params(req).topic!, events, {
      traceparent: traceparentOfHeaders(req.headers),
    });
    return reply.code(202).send({ events: r });
  });

  app.get('/v1/topics/:topic/subscriptions', async (req) => {
    const p = authorize(req, 'nimbus:ListSubscriptions', (a) => a.nimbus('topic', params(req).topic!));
    await d.bus.getTopic(p.tenant, params(req).topic!);
    return {
      subscriptions: (await d.bus.listSubscriptions(p.tenant, params(req).topic!)).map(subscriptionView),
    };
  });
  app.post('/v1/topics/:topic/subscriptions', async (req, reply) => {
    const p = authorize(req, 'nimbus:CreateSubscription', (a) => a.nimbus('topic', params(req).topic!));
    const { view, filterScope, raw, ...b } = parseBody(SubscriptionSpec, req.body);
    const input: SubscriptionInput = {
      ...b,
      target: shaped(b.target, { view, filterScope, raw }),
      topic: params(req).topic!,
    };
    return reply.code(201).send(subscriptionView(await d.bus.subscribe(p.tenant, input)));
  });
  app.get('/v1/subscriptions', async (req) => {
    const p = authorize(req, 'nimbus:ListSubscriptions');
    return {
      subscriptions: (await d.bus.listSubscriptions(p.tenant, query(req).topic)).map(subscriptionView),
    };
  });
  app.delete('/v1/subscriptions/:id', async (req, reply) => {
    const p = authorize(req, 'nimbus:DeleteSubscription', (a) => a.nimbus('subscription', params(req).id!));
    await d.bus.unsubscribe(p.tenant, params(req).id!);
    return reply.code(204).send();
  });
  /** Replaces the subscriptions a function's manifest declares (`- eventBridge:` / `- sns:`). */
  app.put('/v1/functions/:name/subscriptions', async (req) => {
    const p = authorize(req, 'nimbus:CreateSubscription', (a) => [
      a.fn(params(req).name!),
      a.nimbus('topic'),
    ]);
    const b = parseBody(OwnedBody, req.body);
    const fn = params(req).name!;
    const out = await d.bus.replaceOwned(
      p.tenant,
      fn,
      b.subscriptions.map(({ view, filterScope, raw, ...s }) => ({
        ...s,
        target: shaped({ type: 'function', name: fn }, { view, filterScope, raw }),
      })),
    );
    return { subscriptions: out.map(subscriptionView) };
  });

  /**
   * Replaces the subscriptions a state machine's manifest declares (serverless-step-functions
   * `eventBridge` events): each matching event starts an execution with the event as input.
   * They are owned by `states:<name>` (not a function name: those have no colon).
   */
  app.put('/v1/workflows/:name/subscriptions', async (req) => {
    const name = params(req).name!;
    const p = authorize(req, 'nimbus:CreateSubscription', (a) => [
      a.of('states', `stateMachine:${name}`),
      a.nimbus('topic'),
    ]);
    const b = parseBody(OwnedBody, req.body);
    if (!d.workflows) throw CoreErrors.NOT_FOUND({ what: `state machine ${name}` });
    await d.workflows.describeMachine(p.tenant, name);
    const out = await d.bus.replaceOwned(
      p.tenant,
      stateMachineOwner(name),
      b.subscriptions.map(({ view, filterScope, raw, ...s }) => ({
        ...s,
        target: shaped({ type: 'stateMachine', name }, { view, filterScope, raw }),
      })),
    );
    return { subscriptions: out.map(subscriptionView) };
  });

  app.post('/v1/webhooks', async (req, reply) => {
    const p = authorize(req, 'nimbus:CreateWebhook', (a) => a.nimbus('webhook'));
    const b = parseBody(WebhookBody, req.body);
    const r = await d.webhooks.create(p.tenant, b);
    // The generated secret is shown once; it is stored encrypted only.
    return reply
      .code(201)
      .send({ ...webhookView(r.hook, d.gatewayUrl()), ...(r.secret ? { secret: r.secret } : {}) });
  });
  app.get('/v1/webhooks', async (req) => {
    const p = authorize(req, 'nimbus:ListWebhooks');
    return { webhooks: (await d.webhooks.list(p.tenant)).map((w) => webhookView(w, d.gatewayUrl())) };
  });
  app.delete('/v1/webhooks/:id', async (req, reply) => {
    const p = authorize(req, 'nimbus:DeleteWebhook', (a) => a.nimbus('webhook', params(req).id!));
    await d.webhooks.delete(p.tenant, params(req).id!);
    return reply.code(204).send();
  });
}
