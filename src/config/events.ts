/**
 * The events of a serverless.yml / nimbus.yml function (`- httpApi:`, `- http:`, `- schedule:`,
 * `- eventBridge:`, `- sns:`, `- sqs:`, `- s3:`, broker sources), each parsed into what a deploy
 * creates: gateway routes, schedules, bus subscriptions, event sources, bucket events. A parser
 * returns a problem string instead of throwing so the manifest can name the line.
 */
import { createHash } from 'node:crypto';
import { patternView } from '../events/views.ts';

export interface HttpRouteSpec {
  /** `GET /user/{userId}` or `$default`. */
  readonly routeKey: string;
  readonly payloadFormat: '1.0' | '2.0';
  /** Route auth in the REST API's shape (`{type: 'jwt', issuer, audience, jwksUrl, scopes}`). */
  readonly auth?: Record<string, unknown> | undefined;
  /** REST (`http`) routes of a serverless.yml: the stage they are served under (`/dev/…`). */
  readonly stage?: string | undefined;
  /** REST routes' `cors:` in the gateway's shape (preflights answered per route). */
  readonly cors?: Record<string, unknown> | undefined;
}

/** `provider.httpApi.authorizers.<name>` (Serverless v3 JWT authorizers; `jwksUrl` is a Nimbus extension). */
export interface EventContext {
  /** The deployed name (default schedule names start with it). */
  readonly functionName: string;
  /** Schedule events seen so far in this function (default names `<fn>-schedule-<n>`). */
  scheduleCount: number;
  /** serverless.yml: the API Gateway REST stage `http` routes are served under. */
  readonly stage?: string | undefined;
  readonly authorizers: Record<
    string,
    { issuerUrl?: unknown; audience?: unknown; jwksUrl?: unknown; type?: unknown }
  >;
}

/** A recurring schedule from `- schedule:` (the REST API's `/v1/functions/{name}/schedules` item). */
export interface ScheduleSpec {
  readonly name: string;
  readonly expression: string;
  readonly timezone?: string | undefined;
  readonly input?: unknown;
  readonly enabled?: boolean | undefined;
  readonly misfire?: 'fireOnce' | 'skip' | undefined;
  readonly description?: string | undefined;
}

/** A topic subscription from `- eventBridge:` / `- sns:` (the REST API's `/v1/functions/{name}/subscriptions` item). */
export interface SubscriptionSpec {
  readonly topic: string;
  readonly pattern?: Record<string, unknown> | undefined;
  readonly inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string } | undefined;
  readonly retry?: { maximumRetryAttempts?: number; maximumEventAgeSec?: number } | undefined;
  readonly partitionKey?: string | undefined;
  /** The shape matched and delivered (src/events/views.ts); absent = CloudEvents. */
  readonly view?: 'cloudevent' | 'eventbridge' | 'sns' | undefined;
  /** `sns` filter policies: over the attributes (default) or the body. */
  readonly filterScope?: 'MessageAttributes' | 'MessageBody' | undefined;
}

/** A broker event source from `- rabbitmq:` / `- nats:` / `- jetstream:` / `- mqtt:` / `- redis:`. */
export interface SourceSpec {
  readonly kind: 'nats' | 'jetstream' | 'rabbitmq' | 'mqtt' | 'redis' | 'postgres' | 'sqs';
  readonly config: Record<string, unknown>;
  readonly batchSize?: number | undefined;
  readonly batchWindowMs?: number | undefined;
  readonly maximumRetryAttempts?: number | undefined;
  readonly concurrency?: number | undefined;
  readonly enabled?: boolean | undefined;
}

const SOURCE_KEYS: Record<SourceSpec['kind'], string> = {
  nats: 'subject',
  jetstream: 'stream',
  rabbitmq: 'queue',
  mqtt: 'topic',
  redis: 'stream',
  postgres: 'url',
  sqs: 'queue',
};

/** Common batching keys (Serverless names) + broker settings for the connector. */
function sourceParser(kind: SourceSpec['kind']) {
  return (raw: unknown): EventTargets | string => {
    const required = SOURCE_KEYS[kind];
    const o = (typeof raw === 'string' ? { [required]: raw } : raw) as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || Array.isArray(o)) return `${kind} must be {${required}, …}`;
    const {
      batchSize,
      maximumBatchingWindow,
      maximumRetryAttempts,
      parallelizationFactor,
      concurrency,
      enabled,
      ...config
    } = o;
    if (typeof config[required] !== 'string') return `${kind}.${required} is required`;
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    return {
      sources: [
        {
          kind,
          config,
          batchSize: num(batchSize),
          batchWindowMs:
            typeof maximumBatchingWindow === 'number' ? Math.round(maximumBatchingWindow * 1000) : undefined,
          maximumRetryAttempts: num(maximumRetryAttempts),
          concurrency: num(concurrency) ?? num(parallelizationFactor),
          enabled: typeof enabled === 'boolean' ? enabled : undefined,
        },
      ],
    };
  };
}

/** Object events of a bucket from `- s3:` (the REST `/v1/functions/{name}/bucket-events` item). */
export interface BucketEventSpec {
  readonly bucket: string;
  readonly events: string[];
  readonly prefix?: string | undefined;
  readonly suffix?: string | undefined;
}

/** What one event entry deploys. */
export interface EventTargets {
  readonly bucketEvents?: BucketEventSpec[];
  readonly sources?: SourceSpec[];
  readonly route?: HttpRouteSpec;
  readonly schedules?: ScheduleSpec[];
  readonly subscriptions?: SubscriptionSpec[];
}

/**
 * Event types Nimbus can deploy, each with the parser that validates its Serverless syntax.
 * A parser returns a problem string instead of throwing so the error can name the line.
 */
export const EVENT_PARSERS: Record<string, (raw: unknown, ctx: EventContext) => EventTargets | string> = {
  httpApi: (raw, ctx) => asRoute(httpApiRoute(raw, ctx)),
  http: (raw, ctx) => asRoute(httpRoute(raw, ctx)),
  // schedule: 'rate(5 minutes)' | 'cron(…)' | { rate: expr | expr[], enabled, input, name,
  //   description, timezone, misfire } — misfire is a Nimbus extension (fireOnce | skip).
  schedule(raw, ctx) {
    const n = ++ctx.scheduleCount;
    const base = `${ctx.functionName}-schedule-${n}`;
    if (typeof raw === 'string') return { schedules: [{ name: fitName(base), expression: raw }] };
    if (!raw || typeof raw !== 'object') return 'schedule must be an expression or {rate, …}';
    const o = raw as Record<string, unknown>;
    const rates = Array.isArray(o.rate) ? o.rate : [o.rate];
    if (rates.length === 0 || rates.some((r) => typeof r !== 'string'))
      return 'schedule.rate must be an expression or a list of expressions';
    if (o.enabled !== undefined && typeof o.enabled !== 'boolean')
      return 'schedule.enabled must be true or false';
    if (o.timezone !== undefined && typeof o.timezone !== 'string')
      return 'schedule.timezone must be a string';
    if (o.misfire !== undefined && o.misfire !== 'fireOnce' && o.misfire !== 'skip')
      return 'schedule.misfire must be fireOnce or skip';
    if (o.name !== undefined && typeof o.name !== 'string') return 'schedule.name must be a string';
    const name = typeof o.name === 'string' ? o.name : base;
    // Default names are derived from the deployed name and kept within the 64 characters a
    // schedule name may have; a name the file gives is used as written.
    const fit = typeof o.name === 'string' ? (s: string) => s : fitName;
    return {
      schedules: (rates as string[]).map((expression, i) => ({
        name: fit(rates.length > 1 ? `${name}-${i + 1}` : name),
        expression,
        timezone: o.timezone as string | undefined,
        input: o.input,
        enabled: o.enabled as boolean | undefined,
        misfire: o.misfire as ScheduleSpec['misfire'],
        description: typeof o.description === 'string' ? o.description : undefined,
      })),
    };
  },
  // eventBridge: { pattern, eventBus?, inputTransformer?, retryPolicy?, partitionKey? } — the
  // event bus is a Nimbus topic (default "default"); patterns match the CloudEvent.
  eventBridge(raw) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      return 'eventBridge must be {pattern, eventBus?}';
    const o = raw as Record<string, unknown>;
    if (o.schedule !== undefined) return 'eventBridge.schedule: use a "- schedule:" event';
    if (o.pattern === undefined || typeof o.pattern !== 'object' || Array.isArray(o.pattern))
      return 'eventBridge.pattern must be an event pattern object';
    const bus = o.eventBus ?? 'default';
    if (typeof bus !== 'string') return 'eventBridge.eventBus must be a name';
    const topic = bus.startsWith('arn:') ? (bus.split('/').pop() ?? bus) : bus;
    const rp = o.retryPolicy as { maximumRetryAttempts?: unknown; maximumEventAge?: unknown } | undefined;
    const it = o.inputTransformer as { inputPathsMap?: unknown; inputTemplate?: unknown } | undefined;
    if (it !== undefined && typeof it.inputTemplate !== 'string')
      return 'eventBridge.inputTransformer needs an inputTemplate';
    return {
      subscriptions: [
        {
          topic,
          pattern: o.pattern as Record<string, unknown>,
          view:
            o.shape === 'cloudevent' || o.shape === 'eventbridge'
              ? o.shape
              : patternView(o.pattern as Record<string, unknown>),
          ...(it
            ? {
                inputTransformer: {
                  inputTemplate: it.inputTemplate as string,
                  ...(it.inputPathsMap ? { inputPathsMap: it.inputPathsMap as Record<string, string> } : {}),
                },
              }
            : {}),
          ...(rp
            ? {
                retry: {
                  ...(typeof rp.maximumRetryAttempts === 'number'
                    ? { maximumRetryAttempts: rp.maximumRetryAttempts }
                    : {}),
                  ...(typeof rp.maximumEventAge === 'number'
                    ? { maximumEventAgeSec: rp.maximumEventAge }
                    : {}),
                },
              }
            : {}),
          ...(typeof o.partitionKey === 'string' ? { partitionKey: o.partitionKey } : {}),
        },
      ],
    };
  },
  // s3: 'bucket' | { bucket, event?, rules?: [{prefix}, {suffix}], existing? } — Serverless syntax.
  s3(raw) {
    const o = (typeof raw === 'string' ? { bucket: raw } : raw) as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || typeof o.bucket !== 'string')
      return 's3 must be a bucket name or {bucket, event, rules}';
    const event = o.event ?? 's3:ObjectCreated:*';
    if (typeof event !== 'string' || !event.startsWith('s3:Object'))
      return 's3.event is like s3:ObjectCreated:* or s3:ObjectRemoved:*';
    let prefix: string | undefined;
    let suffix: string | undefined;
    for (const r of Array.isArray(o.rules) ? (o.rules as Record<string, unknown>[]) : []) {
      if (typeof r?.prefix === 'string') prefix = r.prefix;
      else if (typeof r?.suffix === 'string') suffix = r.suffix;
      else return 's3.rules items are {prefix} or {suffix}';
    }
    return { bucketEvents: [{ bucket: o.bucket, events: [event], prefix, suffix }] };
  },
  nats: sourceParser('nats'),
  jetstream: sourceParser('jetstream'),
  rabbitmq: sourceParser('rabbitmq'),
  mqtt: sourceParser('mqtt'),
  redis: sourceParser('redis'),
  // postgres: { url, tables: [schema.table] } — row changes (INSERT/MODIFY/REMOVE with images).
  postgres: sourceParser('postgres'),
  // sqs: 'arn' | { arn, batchSize, maximumBatchingWindow, functionResponseType, filterPatterns,
  //   maximumConcurrency, enabled } — a queue of the tenant (an ARN, or !GetAtt of a resource).
  sqs(raw) {
    const o = (typeof raw === 'string' ? { arn: raw } : raw) as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || Array.isArray(o)) return 'sqs must be a queue ARN or {arn, …}';
    if (typeof o.arn !== 'string' || o.arn === '')
      return 'sqs.arn must be a queue ARN (or !GetAtt <Queue>.Arn of an AWS::SQS::Queue resource)';
    const t = o.functionResponseType;
    if (t !== undefined && t !== 'ReportBatchItemFailures')
      return 'sqs.functionResponseType is ReportBatchItemFailures or absent';
    const fp = o.filterPatterns;
    if (fp !== undefined && (!Array.isArray(fp) || fp.some((p) => !p || typeof p !== 'object')))
      return 'sqs.filterPatterns is a list of event patterns';
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    return {
      sources: [
        {
          kind: 'sqs',
          config: {
            queue: o.arn.split(':').pop() ?? o.arn,
            ...(t ? { functionResponseTypes: [t] } : {}),
            ...(fp ? { filterPatterns: fp } : {}),
          },
          batchSize: num(o.batchSize) ?? 10,
          batchWindowMs:
            typeof o.maximumBatchingWindow === 'number'
              ? Math.round(o.maximumBatchingWindow * 1000)
              : undefined,
          concurrency: num(o.maximumConcurrency) ?? 2,
          enabled: typeof o.enabled === 'boolean' ? o.enabled : undefined,
        },
      ],
    };
  },
  // sns: 'topic' | { topicName | arn } — every event of the topic.
  sns(raw) {
    const o = (raw && typeof raw === 'object' ? raw : {}) as { topicName?: unknown; arn?: unknown };
    const name =
      typeof raw === 'string'
        ? raw
        : typeof o.topicName === 'string'
          ? o.topicName
          : typeof o.arn === 'string'
            ? o.arn.split(':').pop()
            : undefined;
    if (!name) return 'sns must be a topic name or {topicName}';
    const fp = (o as { filterPolicy?: unknown }).filterPolicy;
    if (fp !== undefined && (!fp || typeof fp !== 'object' || Array.isArray(fp)))
      return 'sns.filterPolicy must be an object';
    const scope = (o as { filterPolicyScope?: unknown }).filterPolicyScope;
    if (scope !== undefined && scope !== 'MessageAttributes' && scope !== 'MessageBody')
      return 'sns.filterPolicyScope is MessageAttributes or MessageBody';
    return {
      subscriptions: [
        {
          topic: name.startsWith('arn:') ? (name.split(':').pop() ?? name) : name,
          view: 'sns',
          ...(fp ? { pattern: fp as Record<string, unknown> } : {}),
          ...(scope ? { filterScope: scope } : {}),
        },
      ],
    };
  },
};

function asRoute(r: HttpRouteSpec | string): EventTargets | string {
  return typeof r === 'string' ? r : { route: r };
}

// httpApi: 'GET /user/{userId}' | '*' | { method, path, authorizer? } — payload format 2.0
function httpApiRoute(raw: unknown, ctx: EventContext): HttpRouteSpec | string {
  if (raw === '*') return { routeKey: '$default', payloadFormat: '2.0' };
  if (typeof raw === 'string') {
    const m = /^([A-Za-z*]+)\s+(\/\S*)$/.exec(raw.trim());
    if (!m) return `httpApi "${raw}" must look like "GET /path" or "*"`;
    return { routeKey: `${m[1] === '*' ? 'ANY' : m[1]!.toUpperCase()} ${m[2]}`, payloadFormat: '2.0' };
  }
  if (raw && typeof raw === 'object') {
    const o = raw as { method?: unknown; path?: unknown; authorizer?: unknown };
    if (typeof o.path !== 'string' || !o.path.startsWith('/'))
      return 'httpApi.path must be a string starting with /';
    const method = typeof o.method === 'string' ? (o.method === '*' ? 'ANY' : o.method.toUpperCase()) : 'ANY';
    let auth: Record<string, unknown> | undefined;
    if (o.authorizer !== undefined) {
      const a = (typeof o.authorizer === 'string' ? { name: o.authorizer } : o.authorizer) as {
        name?: unknown;
        scopes?: unknown;
      };
      const def = typeof a.name === 'string' ? ctx.authorizers[a.name] : undefined;
      if (!def)
        return `httpApi.authorizer ${JSON.stringify(a.name)} is not defined in provider.httpApi.authorizers`;
      if (def.type !== undefined && def.type !== 'jwt')
        return `authorizer ${String(a.name)}: only JWT authorizers are supported yet`;
      if (typeof def.issuerUrl !== 'string') return `authorizer ${String(a.name)} needs issuerUrl`;
      auth = {
        type: 'jwt',
        issuer: def.issuerUrl,
        audience: def.audience,
        // API Gateway discovers keys through OIDC; we take jwksUrl, or the conventional path.
        jwksUrl:
          typeof def.jwksUrl === 'string'
            ? def.jwksUrl
            : `${def.issuerUrl.replace(/\/$/, '')}/.well-known/jwks.json`,
        ...(Array.isArray(a.scopes) ? { scopes: a.scopes } : {}),
      };
    }
    return { routeKey: `${method} ${o.path}`, payloadFormat: '2.0', auth };
  }
  return 'httpApi must be "METHOD /path", "*" or {method, path}';
}

// http: 'GET users/{id}' | { method, path } — REST API, payload format 1.0
function httpRoute(raw: unknown, ctx: EventContext): HttpRouteSpec | string {
  let method: unknown;
  let path: unknown;
  let cors: unknown;
  if (typeof raw === 'string') [method, path] = raw.trim().split(/\s+/);
  else if (raw && typeof raw === 'object')
    ({ method, path, cors } = raw as { method?: unknown; path?: unknown; cors?: unknown });
  if (typeof method !== 'string' || typeof path !== 'string') return 'http events need a method and a path';
  const m = method.toUpperCase() === '*' ? 'ANY' : method.toUpperCase();
  const c = restCors(cors, m);
  if (typeof c === 'string') return c;
  return {
    routeKey: `${m} /${path.replace(/^\/+/, '')}`,
    payloadFormat: '1.0',
    ...(ctx.stage ? { stage: ctx.stage } : {}),
    ...(c ? { cors: c } : {}),
  };
}

/** Serverless' default CORS headers of REST (`http`) events. */
export const REST_CORS_HEADERS = [
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'X-Amz-Security-Token',
  'X-Amz-User-Agent',
  'X-Amzn-Trace-Id',
];

/** `cors: true | {origin, origins, headers, allowCredentials, maxAge}` → the gateway's route CORS. */
function restCors(raw: unknown, method: string): Record<string, unknown> | undefined | string {
  if (raw === undefined || raw === false) return undefined;
  const methods = method === 'ANY' ? ['*'] : [method, 'OPTIONS'];
  if (raw === true) return { allowOrigins: ['*'], allowHeaders: REST_CORS_HEADERS, allowMethods: methods };
  if (!raw || typeof raw !== 'object')
    return 'http.cors is true or {origin(s), headers, allowCredentials, maxAge}';
  const o = raw as {
    origin?: unknown;
    origins?: unknown;
    headers?: unknown;
    allowCredentials?: unknown;
    maxAge?: unknown;
  };
  const origins = Array.isArray(o.origins) ? o.origins : o.origin !== undefined ? [o.origin] : ['*'];
  if (!origins.every((x) => typeof x === 'string')) return 'http.cors origins are strings';
  if (o.headers !== undefined && !(Array.isArray(o.headers) && o.headers.every((x) => typeof x === 'string')))
    return 'http.cors.headers is a list of header names';
  return {
    allowOrigins: origins,
    allowHeaders: (o.headers as string[] | undefined) ?? REST_CORS_HEADERS,
    allowMethods: methods,
    ...(o.allowCredentials === true ? { allowCredentials: true } : {}),
    ...(typeof o.maxAge === 'number' ? { maxAge: o.maxAge } : {}),
  };
}

/** Event types some capability can deploy. Later issues add theirs to EVENT_PARSERS. */
export const SUPPORTED_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(EVENT_PARSERS));

/**
 * `s` when it fits in `max` characters, else its head and a hash of the whole (so two long names
 * that share a prefix stay distinct).
 */
export function fitName(s: string, max = 64): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max - 9)}-${createHash('sha256').update(s).digest('hex').slice(0, 8)}`;
}
