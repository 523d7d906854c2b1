/**
 * CloudEvents 1.0: validation of structured events (JSON), and reading the HTTP binding in
 * structured (`application/cloudevents+json`), batch (`application/cloudevents-batch+json`) and
 * binary (`ce-*` headers + body) modes. Every event the bus delivers is a structured CloudEvent.
 */
import { randomUUID } from 'node:crypto';
import { defineErrors } from '../core/errors.ts';

export const CloudEventErrors = defineErrors('EVENTS', {
  INVALID_CLOUDEVENT: {
    status: 400,
    kind: 'user',
    message: 'invalid CloudEvent{where}: {reason}',
    hint: 'a CloudEvent needs specversion "1.0", id, source and type (https://cloudevents.io)',
  },
});

export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly data?: unknown;
  readonly data_base64?: string;
  readonly [extension: string]: unknown;
}

const REQUIRED = ['id', 'source', 'type'] as const;
const OPTIONAL_STRINGS = ['subject', 'time', 'datacontenttype', 'dataschema'] as const;
const EXTENSION = /^[a-z0-9]{1,20}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const MAX_EVENT_BYTES = 256 * 1024;

/** Validates one structured CloudEvent; `where` names it in errors (e.g. " #3" in a batch). */
export function validateCloudEvent(raw: unknown, where = ''): CloudEvent {
  const bad = (reason: string) => CloudEventErrors.INVALID_CLOUDEVENT({ where, reason });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('an event is a JSON object');
  const e = raw as Record<string, unknown>;
  if (e.specversion !== '1.0') throw bad('specversion must be "1.0"');
  const missing = REQUIRED.filter((k) => typeof e[k] !== 'string' || e[k] === '');
  if (missing.length > 0) throw bad(`missing or empty ${missing.join(', ')}`);
  for (const k of OPTIONAL_STRINGS)
    if (e[k] !== undefined && typeof e[k] !== 'string') throw bad(`${k} must be a string`);
  if (typeof e.time === 'string' && !(RFC3339.test(e.time) && !Number.isNaN(Date.parse(e.time))))
    throw bad('time must be an RFC 3339 timestamp');
  if (e.data !== undefined && e.data_base64 !== undefined) throw bad('give data or data_base64, not both');
  if (
    e.data_base64 !== undefined &&
    (typeof e.data_base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(e.data_base64))
  )
    throw bad('data_base64 must be base64');
  for (const k of Object.keys(e)) {
    if (
      k === 'specversion' ||
      k === 'data' ||
      k === 'data_base64' ||
      (REQUIRED as readonly string[]).includes(k)
    )
      continue;
    if ((OPTIONAL_STRINGS as readonly string[]).includes(k)) continue;
    if (!EXTENSION.test(k)) throw bad(`attribute name "${k}" must be 1–20 lowercase letters or digits`);
    const v = e[k];
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v))
      throw bad(`extension attribute "${k}" must be a string, number or boolean`);
  }
  if (JSON.stringify(e).length > MAX_EVENT_BYTES) throw bad(`an event is at most ${MAX_EVENT_BYTES} bytes`);
  return e as unknown as CloudEvent;
}

const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml)\b|application\/x-www-form-urlencoded)/i;

/**
 * Reads the events of an HTTP request (any of the three modes). `body` is the raw bytes.
 * Throws EVENTS_INVALID_CLOUDEVENT / CORE_MALFORMED_JSON-like coded errors.
 */
export function readHttpCloudEvents(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): CloudEvent[] {
  const h = (k: string) => {
    const v = headers[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const type = (h('content-type') ?? '').toLowerCase();
  const parse = (): unknown => {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw CloudEventErrors.INVALID_CLOUDEVENT({
        where: '',
        reason: `body is not JSON: ${(e as Error).message}`,
      });
    }
  };
  if (type.startsWith('application/cloudevents-batch+json')) {
    const arr = parse();
    if (!Array.isArray(arr) || arr.length === 0)
      throw CloudEventErrors.INVALID_CLOUDEVENT({ where: '', reason: 'a batch is a non-empty JSON array' });
    if (arr.length > 100)
      throw CloudEventErrors.INVALID_CLOUDEVENT({ where: '', reason: 'a batch holds at most 100 events' });
    return arr.map((e, i) => validateCloudEvent(e, ` #${i}`));
  }
  if (type.startsWith('application/cloudevents+json')) return [validateCloudEvent(parse())];
  if (h('ce-specversion') !== undefined) {
    const ev: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (!k.startsWith('ce-') || v === undefined) continue;
      ev[k.slice(3)] = Array.isArray(v) ? v[0] : v;
    }
    const ct = h('content-type');
    if (ct) ev.datacontenttype = ct;
    if (body.length > 0) {
      if (!ct || /json/i.test(ct)) ev.data = parse();
      else if (TEXTUAL.test(ct)) ev.data = body.toString('utf8');
      else ev.data_base64 = body.toString('base64');
    }
    return [validateCloudEvent(ev)];
  }
  throw CloudEventErrors.INVALID_CLOUDEVENT({
    where: '',
    reason:
      'send application/cloudevents+json (structured), application/cloudevents-batch+json, or ce-* headers (binary)',
  });
}

/** A CloudEvent built for `context.nimbus.publish(topic, {type, data, …})` from inside a function. */
export function eventFromFunction(
  functionName: string,
  input: unknown,
  now: number,
): Record<string, unknown> {
  const o = (input ?? {}) as Record<string, unknown>;
  return {
    specversion: '1.0',
    id: typeof o.id === 'string' ? o.id : randomUUID(),
    source: typeof o.source === 'string' ? o.source : `nimbus://functions/${functionName}`,
    type: o.type,
    time: new Date(now).toISOString(),
    ...(o.subject !== undefined ? { subject: o.subject } : {}),
    ...(o.data !== undefined ? { datacontenttype: 'application/json', data: o.data } : {}),
  };
}
