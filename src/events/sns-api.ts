/**
 * The SNS API (query protocol, `Version=2010-03-31`), as `@aws-sdk/client-sns` speaks it, over
 * the event bus: an SNS topic is a bus topic, a subscription a bus subscription in the `sns`
 * view (src/events/views.ts) whose pattern is the FilterPolicy, and Publish puts a CloudEvent
 * that carries the message, subject and attributes.
 *
 * Protocols: `lambda` (a function of the caller's account), `sqs` (a queue of the SQS API) and
 * `http`/`https` (a webhook delivery, the notification JSON as the body). Subscriptions are
 * confirmed at once (no SubscriptionConfirmation round trip); `email`, `sms`, `application` and
 * `firehose` are refused. Not served: FIFO ordering (a `.fifo` topic is accepted, delivered like
 * a standard one), per-protocol bodies of MessageStructure=json (`default` is delivered),
 * delivery policies, data protection and topic tags.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { authorize, type Principal } from '../api/auth.ts';
import {
  type AwsQueryService,
  el,
  entries,
  entryMap,
  memberList,
  members,
  type QueryNode,
  raw,
  str,
} from '../api/aws-query.ts';
import { CoreErrors, defineErrors, type NimbusError } from '../core/errors.ts';
import type { SubscriptionRecord, SubscriptionTarget, TenantId } from '../core/types.ts';
import { BusErrors, type EventBus } from './bus.ts';
import { CloudEventErrors } from './cloudevents.ts';
import { type EventPattern, PatternErrors } from './pattern.ts';
import { cloudEventFromSns, type SnsAttribute, topicArn } from './views.ts';

export const SnsErrors = defineErrors('SNS', {
  INVALID_PARAMETER: { status: 400, kind: 'user', message: 'invalid parameter {field}: {reason}' },
  NOT_FOUND: { status: 404, kind: 'user', message: '{what} does not exist' },
});

export interface SnsApiDeps {
  readonly bus: EventBus;
  readonly region: string;
  readonly clock: { now(): number };
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const MAX_MESSAGE_BYTES = 256 * 1024;
const ARN_RE = /^arn:aws:sns:([^:]*):(\d{12}):([A-Za-z0-9_.-]{1,256})$/;
const SUB_ARN_RE = /^arn:aws:sns:([^:]*):(\d{12}):([A-Za-z0-9_.-]{1,256}):([A-Za-z0-9_-]+)$/;
const LAMBDA_ARN_RE =
  /^arn:aws:lambda:([^:]*):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]+))?$/;
const SQS_ARN_RE = /^arn:aws:sqs:([^:]*):(\d{12}):([A-Za-z0-9_.-]{1,80})$/;

const bad = (field: string, reason: string) => SnsErrors.INVALID_PARAMETER({ field, reason });

function required(p: QueryNode, name: string): string {
  const v = str(p[name]);
  if (v === undefined || v === '') throw bad(name, 'it is required');
  return v;
}

/** `MessageAttributes.entry.N.Name / .Value.DataType / .Value.StringValue|BinaryValue`. */
function messageAttributes(node: QueryNode | string | undefined): Record<string, SnsAttribute> {
  const out: Record<string, SnsAttribute> = {};
  const list = entries(node, 'Name', 'Value');
  const names = Object.keys(list);
  if (names.length > 10) throw bad('MessageAttributes', `${names.length} attributes; the limit is 10`);
  for (const name of names) {
    const v = list[name];
    const type = typeof v === 'object' ? str(v.DataType) : undefined;
    if (!type || !/^(String|String\.Array|Number|Binary)(\..+)?$/.test(type))
      throw bad(`MessageAttributes.${name}`, 'DataType is String, String.Array, Number or Binary');
    const base =
      type.split('.')[0] === 'String' && type.startsWith('String.Array')
        ? 'String.Array'
        : type.split('.')[0]!;
    const value =
      typeof v === 'object' ? (base === 'Binary' ? str(v.BinaryValue) : str(v.StringValue)) : undefined;
    if (value === undefined) throw bad(`MessageAttributes.${name}`, 'a value is required');
    if (base === 'Number' && !Number.isFinite(Number(value)))
      throw bad(`MessageAttributes.${name}`, 'not a number');
    if (base === 'String.Array') {
      let arr: unknown;
      try {
        arr = JSON.parse(value);
      } catch {
        arr = undefined;
      }
      if (!Array.isArray(arr)) throw bad(`MessageAttributes.${name}`, 'a String.Array value is a JSON array');
    }
    out[name] = { Type: base, Value: value };
  }
  return out;
}

/** The message to deliver: MessageStructure=json delivers its `default`. */
function messageOf(p: QueryNode): string {
  const message = str(p.Message);
  if (message === undefined) throw bad('Message', 'it is required');
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES)
    throw bad('Message', `it is ${Buffer.byteLength(message)} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
  if (str(p.MessageStructure) !== 'json') return message;
  let o: unknown;
  try {
    o = JSON.parse(message);
  } catch {
    throw bad('Message', 'MessageStructure is json but the message is not JSON');
  }
  const d = (o as { default?: unknown } | null)?.default;
  if (typeof d !== 'string') throw bad('Message', 'a json message structure needs a "default" string');
  return d;
}

function filterPolicy(text: string): EventPattern {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    throw bad('FilterPolicy', 'it is not JSON');
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad('FilterPolicy', 'it is a JSON object');
  return p as EventPattern;
}

export function snsApi(d: SnsApiDeps): AwsQueryService {
  const { bus } = d;
  const arnOf = (p: Principal, topic: string) => topicArn({ region: d.region, account: p.accountId, topic });
  const subArn = (p: Principal, s: SubscriptionRecord) => `${arnOf(p, s.topic)}:${s.id}`;

  /** Authorizes `sns:<action>` on the topic an ARN names; another account's topic is not found. */
  function onTopic(req: FastifyRequest, action: string, arn: string): { p: Principal; topic: string } {
    const m = ARN_RE.exec(arn);
    const p = authorize(req, `sns:${action}`, () => arn);
    if (!m) throw bad('TopicArn', `${arn.slice(0, 200)} is not a topic ARN`);
    if (m[1] !== d.region || m[2] !== p.accountId) throw SnsErrors.NOT_FOUND({ what: `topic ${arn}` });
    return { p, topic: m[3]! };
  }

  async function onSubscription(
    req: FastifyRequest,
    action: string,
    arn: string,
  ): Promise<{ p: Principal; s: SubscriptionRecord }> {
    const m = SUB_ARN_RE.exec(arn);
    const topic = m ? `arn:aws:sns:${m[1]}:${m[2]}:${m[3]}` : arn;
    const p = authorize(req, `sns:${action}`, () => topic);
    if (!m || m[1] !== d.region || m[2] !== p.accountId)
      throw SnsErrors.NOT_FOUND({ what: `subscription ${arn.slice(0, 200)}` });
    const s = (await bus.listSubscriptions(p.tenant, m[3]!)).find((x) => x.id === m[4]);
    if (!s || !isSns(s)) throw SnsErrors.NOT_FOUND({ what: `subscription ${arn}` });
    return { p, s };
  }

  /** The bus target of (Protocol, Endpoint). */
  function targetOf(
    p: Principal,
    protocol: string,
    endpoint: string,
    raw: boolean,
    scope: string | undefined,
  ): SubscriptionTarget {
    const shape = {
      view: 'sns' as const,
      ...(raw ? { raw: true } : {}),
      ...(scope === 'MessageBody' ? { filterScope: 'MessageBody' as const } : {}),
    };
    const own = (region: string, account: string) => {
      if (region !== d.region || account !== p.accountId)
        throw bad('Endpoint', 'it names a resource of another account or region');
    };
    switch (protocol) {
      case 'lambda': {
        const m = LAMBDA_ARN_RE.exec(endpoint);
        if (!m) throw bad('Endpoint', 'a lambda endpoint is a function ARN');
        own(m[1]!, m[2]!);
        return { type: 'function', name: m[3]!, ...(m[4] ? { qualifier: m[4] } : {}), ...shape };
      }
      case 'sqs': {
        const m = SQS_ARN_RE.exec(endpoint);
        if (!m) throw bad('Endpoint', 'an sqs endpoint is a queue ARN');
        own(m[1]!, m[2]!);
        return { type: 'sqs', queue: m[3]!, ...shape };
      }
      case 'http':
      case 'https':
        if (!endpoint.startsWith(`${protocol}://`))
          throw bad('Endpoint', `an ${protocol} endpoint is an ${protocol}:// URL`);
        return { type: 'webhook', url: endpoint, ...shape };
      default:
        throw bad('Protocol', `${protocol.slice(0, 40)} is not supported (lambda, sqs, http, https)`);
    }
  }

  const protocolOf = (t: SubscriptionTarget) =>
    t.type === 'function'
      ? 'lambda'
      : t.type === 'sqs'
        ? 'sqs'
        : t.type === 'webhook'
          ? t.url.startsWith('https:')
            ? 'https'
            : 'http'
          : 'topic';
  const endpointOf = (p: Principal, t: SubscriptionTarget) =>
    t.type === 'function'
      ? `arn:aws:lambda:${d.region}:${p.accountId}:function:${t.name}${t.qualifier ? `:${t.qualifier}` : ''}`
      : t.type === 'sqs'
        ? `arn:aws:sqs:${d.region}:${p.accountId}:${t.queue}`
        : t.type === 'webhook'
          ? t.url
          : t.type === 'workflow'
            ? t.arn
            : t.type === 'stateMachine'
              ? `arn:aws:states:${d.region}:${p.accountId}:stateMachine:${t.name}`
              : t.name;
  const isSns = (s: SubscriptionRecord) => 'view' in s.target && s.target.view === 'sns';
  const subMember = (p: Principal, s: SubscriptionRecord) =>
    el('SubscriptionArn', subArn(p, s)) +
    el('Owner', p.accountId) +
    el('Protocol', protocolOf(s.target)) +
    el('Endpoint', endpointOf(p, s.target)) +
    el('TopicArn', arnOf(p, s.topic));

  /** One Publish (or batch entry): the CloudEvent committed to the topic's deliveries. */
  async function publish(tenant: TenantId, topic: string, arn: string, e: QueryNode): Promise<string> {
    const id = randomUUID();
    const subject = str(e.Subject);
    if (subject !== undefined && (subject.length > 100 || /[\n\r]/.test(subject)))
      throw bad('Subject', 'at most 100 printable characters on one line');
    const ev = cloudEventFromSns(
      { Message: messageOf(e), Subject: subject, MessageAttributes: messageAttributes(e.MessageAttributes) },
      id,
      arn,
      d.clock.now(),
    );
    await bus.publish(tenant, topic, [ev]);
    return id;
  }

  /** One page of SNS subscriptions (ListSubscriptions, ListSubscriptionsByTopic). */
  const subscriptionPage = (who: Principal, subs: readonly SubscriptionRecord[], p: QueryNode) => {
    const { items, next } = page(subs.filter(isSns), str(p.NextToken), (s) => subArn(who, s));
    return (
      memberList(
        'Subscriptions',
        items.map((s) => subMember(who, s)),
      ) + (next ? el('NextToken', next) : '')
    );
  };

  /** Pages of 100 by a base64url cursor (the last name/ARN shown). */
  const page = <T>(all: readonly T[], token: string | undefined, keyOf: (x: T) => string) => {
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : '';
    const rest = after ? all.filter((x) => keyOf(x) > after) : [...all];
    const items = rest.slice(0, 100);
    const next = rest.length > 100 ? Buffer.from(keyOf(items.at(-1)!)).toString('base64url') : undefined;
    return { items, next };
  };

  return {
    version: '2010-03-31',
    xmlns: XMLNS,
    errorCode: snsErrorCode,
    dataOperations: new Set([
      'Publish',
      'PublishBatch',
      'ListTopics',
      'GetTopicAttributes',
      'ListSubscriptions',
      'ListSubscriptionsByTopic',
      'GetSubscriptionAttributes',
    ]),
    operations: {
      async CreateTopic(p, req) {
        const name = required(p, 'Name');
        const who = authorize(req, 'sns:CreateTopic', (a) => a.of('sns', name));
        const attrs = entries(p.Attributes);
        const display = str(attrs.DisplayName);
        if (
          name.endsWith('.fifo') !== (str(attrs.FifoTopic) === 'true') &&
          str(attrs.FifoTopic) !== undefined
        )
          throw bad('Attributes.FifoTopic', 'a FIFO topic’s name ends in .fifo');
        await bus.putTopic(who.tenant, name, display ?? '');
        return el('TopicArn', arnOf(who, name));
      },

      async DeleteTopic(p, req) {
        const { p: who, topic } = onTopic(req, 'DeleteTopic', required(p, 'TopicArn'));
        // Deleting a missing topic succeeds on SNS.
        await bus.deleteTopic(who.tenant, topic).catch((e: NimbusError) => {
          if (e.code !== BusErrors.codes.TOPIC_NOT_FOUND) throw e;
        });
        return '';
      },

      async ListTopics(p, req) {
        const who = authorize(req, 'sns:ListTopics');
        const all = (await bus.listTopics(who.tenant)).map((t) => arnOf(who, t.name));
        const { items, next } = page(all, str(p.NextToken), (x) => x);
        return (
          memberList(
            'Topics',
            items.map((a) => el('TopicArn', a)),
          ) + (next ? el('NextToken', next) : '')
        );
      },

      async GetTopicAttributes(p, req) {
        const arn = required(p, 'TopicArn');
        const { p: who, topic } = onTopic(req, 'GetTopicAttributes', arn);
        const t = await bus.getTopic(who.tenant, topic);
        const subs = (await bus.listSubscriptions(who.tenant, topic)).filter(isSns);
        return entryMap('Attributes', {
          TopicArn: arn,
          Owner: who.accountId,
          DisplayName: t.description,
          SubscriptionsConfirmed: String(subs.length),
          SubscriptionsPending: '0',
          SubscriptionsDeleted: '0',
          ...(topic.endsWith('.fifo') ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : {}),
        });
      },

      async SetTopicAttributes(p, req) {
        const { p: who, topic } = onTopic(req, 'SetTopicAttributes', required(p, 'TopicArn'));
        const name = required(p, 'AttributeName');
        await bus.getTopic(who.tenant, topic);
        // DisplayName is kept; Policy, DeliveryPolicy and the rest are accepted and not acted on.
        if (name === 'DisplayName') await bus.putTopic(who.tenant, topic, str(p.AttributeValue) ?? '');
        return '';
      },

      async Subscribe(p, req) {
        const arn = required(p, 'TopicArn');
        const { p: who, topic } = onTopic(req, 'Subscribe', arn);
        const protocol = required(p, 'Protocol');
        const endpoint = required(p, 'Endpoint');
        const attrs = entries(p.Attributes);
        const fp = str(attrs.FilterPolicy);
        const scope = str(attrs.FilterPolicyScope);
        if (scope !== undefined && scope !== 'MessageAttributes' && scope !== 'MessageBody')
          throw bad('Attributes.FilterPolicyScope', 'MessageAttributes or MessageBody');
        const target = targetOf(who, protocol, endpoint, str(attrs.RawMessageDelivery) === 'true', scope);
        // Subscribing the same endpoint twice answers the existing subscription (as SNS does).
        const existing = (await bus.listSubscriptions(who.tenant, topic)).find(
          (s) =>
            isSns(s) &&
            protocolOf(s.target) === protocolOf(target) &&
            endpointOf(who, s.target) === endpointOf(who, target),
        );
        const s =
          existing ??
          (await bus.subscribe(who.tenant, {
            topic,
            target,
            ...(fp ? { pattern: filterPolicy(fp) } : {}),
            description: `SNS ${protocol} subscription`,
          }));
        return el('SubscriptionArn', subArn(who, s));
      },

      async Unsubscribe(p, req) {
        const { p: who, s } = await onSubscription(req, 'Unsubscribe', required(p, 'SubscriptionArn'));
        await bus.unsubscribe(who.tenant, s.id);
        return '';
      },

      async ListSubscriptions(p, req) {
        const who = authorize(req, 'sns:ListSubscriptions');
        return subscriptionPage(who, await bus.listSubscriptions(who.tenant), p);
      },

      async ListSubscriptionsByTopic(p, req) {
        const { p: who, topic } = onTopic(req, 'ListSubscriptionsByTopic', required(p, 'TopicArn'));
        await bus.getTopic(who.tenant, topic);
        return subscriptionPage(who, await bus.listSubscriptions(who.tenant, topic), p);
      },

      async GetSubscriptionAttributes(p, req) {
        const { p: who, s } = await onSubscription(
          req,
          'GetSubscriptionAttributes',
          required(p, 'SubscriptionArn'),
        );
        const t = s.target;
        return entryMap('Attributes', {
          SubscriptionArn: subArn(who, s),
          TopicArn: arnOf(who, s.topic),
          Owner: who.accountId,
          Protocol: protocolOf(t),
          Endpoint: endpointOf(who, t),
          ConfirmationWasAuthenticated: 'true',
          PendingConfirmation: 'false',
          RawMessageDelivery: String('raw' in t && t.raw === true),
          ...(s.pattern ? { FilterPolicy: s.pattern } : {}),
          FilterPolicyScope: ('filterScope' in t && t.filterScope) || 'MessageAttributes',
        });
      },

      async SetSubscriptionAttributes(p, req) {
        const { p: who, s } = await onSubscription(
          req,
          'SetSubscriptionAttributes',
          required(p, 'SubscriptionArn'),
        );
        const name = required(p, 'AttributeName');
        const value = str(p.AttributeValue) ?? '';
        const t = s.target;
        if (t.type === 'topic' || t.type === 'workflow')
          throw bad('SubscriptionArn', 'not an SNS subscription');
        if (name === 'FilterPolicy')
          await bus.updateSubscription(who.tenant, s.id, {
            pattern: value === '' ? null : filterPolicy(value),
          });
        else if (name === 'FilterPolicyScope') {
          if (value !== 'MessageAttributes' && value !== 'MessageBody')
            throw bad('AttributeValue', 'MessageAttributes or MessageBody');
          await bus.updateSubscription(who.tenant, s.id, { target: { ...t, filterScope: value } });
        } else if (name === 'RawMessageDelivery') {
          if (value !== 'true' && value !== 'false') throw bad('AttributeValue', 'true or false');
          await bus.updateSubscription(who.tenant, s.id, { target: { ...t, raw: value === 'true' } });
        } else if (name !== 'DeliveryPolicy' && name !== 'RedrivePolicy' && name !== 'SubscriptionRoleArn')
          throw bad('AttributeName', `${name.slice(0, 60)} is not a subscription attribute`);
        return '';
      },

      async Publish(p, req) {
        const arn = str(p.TopicArn) ?? str(p.TargetArn);
        if (str(p.PhoneNumber) !== undefined) throw bad('PhoneNumber', 'SMS is not supported by Nimbus');
        if (!arn) throw bad('TopicArn', 'it is required');
        const { p: who, topic } = onTopic(req, 'Publish', arn);
        const id = await publish(who.tenant, topic, arn, p);
        return el('MessageId', id);
      },

      async PublishBatch(p, req) {
        const arn = required(p, 'TopicArn');
        const { p: who, topic } = onTopic(req, 'Publish', arn);
        const list = members(p.PublishBatchRequestEntries);
        if (list.length === 0) throw bad('PublishBatchRequestEntries', 'the batch is empty');
        if (list.length > 10)
          throw bad('PublishBatchRequestEntries', `${list.length} entries; the limit is 10`);
        const ids = list.map((e) => (typeof e === 'object' ? str(e.Id) : undefined) ?? '');
        if (new Set(ids).size !== ids.length)
          throw bad('PublishBatchRequestEntries', 'entry ids must be distinct');
        await bus.getTopic(who.tenant, topic);
        const ok: string[] = [];
        const failed: string[] = [];
        for (const [i, e] of list.entries()) {
          const Id = ids[i]!;
          try {
            if (typeof e !== 'object' || !/^[A-Za-z0-9_-]{1,80}$/.test(Id))
              throw bad('Id', 'use 1-80 of A-Z a-z 0-9 _ -');
            const mid = await publish(who.tenant, topic, arn, e);
            ok.push(el('Id', Id) + el('MessageId', mid));
          } catch (err) {
            const ne = err as NimbusError;
            if (ne.kind !== 'user') throw err;
            const code = snsErrorCode(ne)?.code ?? 'InvalidParameter';
            failed.push(
              el('Id', Id) + el('Code', code) + el('Message', ne.message) + el('SenderFault', 'true'),
            );
          }
        }
        return memberList('Successful', ok) + memberList('Failed', failed);
      },

      async TagResource(_p, req) {
        authorize(req, 'sns:TagResource');
        return '';
      },

      async ListTagsForResource(_p, req) {
        authorize(req, 'sns:ListTagsForResource');
        return raw('Tags', '');
      },
    },
  };
}

/** SNS's error codes for the coded errors its operations raise. */
export function snsErrorCode(e: NimbusError): { code: string; status: number } | undefined {
  switch (e.code) {
    case SnsErrors.codes.NOT_FOUND:
    case BusErrors.codes.TOPIC_NOT_FOUND:
    case CoreErrors.codes.NOT_FOUND:
      return { code: 'NotFound', status: 404 };
    case SnsErrors.codes.INVALID_PARAMETER:
    case BusErrors.codes.BAD_TOPIC_NAME:
    case BusErrors.codes.BAD_SUBSCRIPTION:
    case PatternErrors.codes.INVALID_PATTERN:
    case CloudEventErrors.codes.INVALID_CLOUDEVENT:
    case CoreErrors.codes.VALIDATION:
      return { code: 'InvalidParameter', status: 400 };
  }
  if (e.status === 429) return { code: 'Throttled', status: 429 };
  return undefined;
}
