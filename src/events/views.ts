/**
 * One event, three shapes. The bus keeps every event as a CloudEvent; a subscription chooses
 * the shape (its `view`) its pattern is matched against and its target receives:
 *
 * - `cloudevent` (Nimbus-native, the default): the CloudEvent itself.
 * - `eventbridge`: the EventBridge envelope `{version, id, detail-type, source, account, time,
 *   region, resources, detail}` — what `eventBridge.pattern`s written for AWS match, and what a
 *   Lambda target of an EventBridge rule receives.
 * - `sns`: an SNS notification. Filter policies match the message attributes (or, with
 *   FilterPolicyScope MessageBody, the message parsed as JSON); a Lambda subscriber receives
 *   `{Records: [{EventSource: 'aws:sns', Sns: {...}}]}`, an SQS or HTTP subscriber the
 *   notification JSON (or the bare message with RawMessageDelivery).
 *
 * Events put through PutEvents or Publish become CloudEvents that carry what the other shapes
 * need (`awsresources`, `snsattributes` extension attributes), so each round-trips.
 */
import type { CloudEvent } from './cloudevents.ts';

export type EventView = 'cloudevent' | 'eventbridge' | 'sns';

export interface ViewContext {
  readonly region: string;
  readonly account: string;
  readonly topic: string;
  readonly now: number;
}

/** An SNS message attribute as the SNS APIs and notifications carry it. */
export interface SnsAttribute {
  readonly Type: string;
  readonly Value: string;
}

export const SNS_TYPE = 'aws.sns.notification';

const iso = (ms: number) => new Date(ms).toISOString();
const timeOf = (ev: CloudEvent, ctx: ViewContext) => ev.time ?? iso(ctx.now);
export const topicArn = (ctx: Pick<ViewContext, 'region' | 'account' | 'topic'>) =>
  `arn:aws:sns:${ctx.region}:${ctx.account}:${ctx.topic}`;

function parseJson<T>(s: unknown, fallback: T): T {
  if (typeof s !== 'string') return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

/** The CloudEvent's data as text (SNS `Message`). */
function dataText(ev: CloudEvent): string {
  if (typeof ev.data === 'string') return ev.data;
  if (ev.data_base64 !== undefined) return Buffer.from(ev.data_base64, 'base64').toString('utf8');
  return ev.data === undefined ? '' : JSON.stringify(ev.data);
}

export function eventBridgeView(ev: CloudEvent, ctx: ViewContext): Record<string, unknown> {
  const data = ev.type === SNS_TYPE ? { message: dataText(ev) } : ev.data;
  return {
    version: '0',
    id: ev.id,
    'detail-type': ev.type,
    source: ev.source,
    account: ctx.account,
    time: timeOf(ev, ctx).replace(/\.\d+Z$/, 'Z'),
    region: ctx.region,
    resources: parseJson<unknown[]>(ev.awsresources, []),
    detail: data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {},
  };
}

export function snsAttributes(ev: CloudEvent): Record<string, SnsAttribute> {
  return parseJson<Record<string, SnsAttribute>>(ev.snsattributes, {});
}

/** The SNS notification (what SQS/HTTP subscribers get, and `Sns` of a Lambda record). */
export function snsNotification(ev: CloudEvent, ctx: ViewContext): Record<string, unknown> {
  const attrs = snsAttributes(ev);
  return {
    Type: 'Notification',
    MessageId: ev.id,
    TopicArn: topicArn(ctx),
    ...(ev.subject !== undefined ? { Subject: ev.subject } : {}),
    Message: dataText(ev),
    Timestamp: timeOf(ev, ctx),
    SignatureVersion: '1',
    Signature: '',
    SigningCertURL: '',
    UnsubscribeURL: '',
    ...(Object.keys(attrs).length > 0 ? { MessageAttributes: attrs } : {}),
  };
}

/** The message itself (RawMessageDelivery). */
export const snsRawMessage = (ev: CloudEvent) => dataText(ev);

/**
 * What an SNS filter policy is matched against: the attributes (`Number` values as numbers,
 * `String.Array` as arrays), or the message parsed as JSON (FilterPolicyScope MessageBody).
 */
export function snsFilterView(ev: CloudEvent, scope: 'MessageAttributes' | 'MessageBody'): unknown {
  if (scope === 'MessageBody') return parseJson<unknown>(dataText(ev), {});
  const out: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(snsAttributes(ev))) {
    if (a.Type === 'Number') out[k] = Number(a.Value);
    else if (a.Type === 'String.Array') out[k] = parseJson<unknown>(a.Value, a.Value);
    else if (a.Type === 'String') out[k] = a.Value;
  }
  return out;
}

/** Lambda's SNS event for one notification. */
export function lambdaSnsEvent(
  ev: CloudEvent,
  ctx: ViewContext,
  subscriptionId: string,
): Record<string, unknown> {
  const n = snsNotification(ev, ctx);
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn(ctx)}:${subscriptionId}`,
        Sns: { ...n, Subject: n.Subject ?? null, MessageAttributes: n.MessageAttributes ?? {} },
      },
    ],
  };
}

const EVENTBRIDGE_KEYS = new Set(['detail-type', 'detail', 'account', 'region', 'resources', 'version']);
const CLOUDEVENT_KEYS = new Set(['type', 'data', 'specversion', 'subject', 'datacontenttype', 'dataschema']);

/**
 * The view an `eventBridge.pattern` is written for: the EventBridge envelope when it names its
 * fields (`detail-type`, `detail`, …) or only shared ones (`source`, `id`, `time`), CloudEvents
 * when it names theirs (`type`, `data`, …) — so patterns written for AWS and Nimbus's own
 * CloudEvent patterns both keep matching what they were written for.
 */
export function patternView(pattern: Readonly<Record<string, unknown>>): 'eventbridge' | 'cloudevent' {
  const keys: string[] = [];
  const walk = (p: Readonly<Record<string, unknown>>) => {
    for (const [k, v] of Object.entries(p)) {
      if (k !== '$or' || !Array.isArray(v)) {
        keys.push(k);
        continue;
      }
      for (const b of v) if (b && typeof b === 'object') walk(b as Record<string, unknown>);
    }
  };
  walk(pattern);
  if (keys.some((k) => EVENTBRIDGE_KEYS.has(k))) return 'eventbridge';
  if (
    keys.some(
      (k) => CLOUDEVENT_KEYS.has(k) || (/^[a-z0-9]{1,20}$/.test(k) && !['source', 'id', 'time'].includes(k)),
    )
  )
    return 'cloudevent';
  return 'eventbridge';
}

/** A PutEvents entry as a CloudEvent. */
export function cloudEventFromEventBridge(
  e: {
    Source: string;
    DetailType: string;
    Detail: unknown;
    Resources?: readonly string[] | undefined;
    Time?: number | undefined;
  },
  id: string,
  now: number,
): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: e.Source,
    type: e.DetailType,
    time: iso(e.Time ?? now),
    datacontenttype: 'application/json',
    data: e.Detail,
    ...(e.Resources && e.Resources.length > 0 ? { awsresources: JSON.stringify(e.Resources) } : {}),
  };
}

/** An SNS Publish as a CloudEvent. */
export function cloudEventFromSns(
  m: {
    Message: string;
    Subject?: string | undefined;
    MessageAttributes?: Readonly<Record<string, SnsAttribute>> | undefined;
  },
  id: string,
  arn: string,
  now: number,
): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: arn,
    type: SNS_TYPE,
    time: iso(now),
    datacontenttype: 'text/plain',
    data: m.Message,
    ...(m.Subject !== undefined ? { subject: m.Subject } : {}),
    ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0
      ? { snsattributes: JSON.stringify(m.MessageAttributes) }
      : {}),
  };
}
