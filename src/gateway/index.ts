/**
 * @module gateway
 * The HTTP gateway: routes like `GET /user/{userId}` to functions with API Gateway event and
 * response shapes (payload 2.0 and 1.0). The route table is swapped atomically when routes change
 * (no restart; requests in flight keep the table they matched against). Errors never leak
 * internals to clients: every failure is a coded JSON body.
 */

import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { PlatformConfig } from '../config/index.ts';
import { CoreErrors, isNimbusError, type NimbusError } from '../core/errors.ts';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../core/json.ts';
import type { Clock, ResponseStreamSink, RouteRepo, SettingsRepo } from '../core/ports.ts';
import type { RouteRecord } from '../core/types.ts';
import { DEFAULT_TENANT } from '../core/types.ts';
import {
  clientAbort,
  frameworkError,
  HttpErrors,
  hardenServer,
  isClientAbort,
  type OnClientAbort,
  type WireHardening,
  wireOptions,
} from '../http/index.ts';
import type { InvokeService } from '../invoke/types.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { WorkflowService } from '../workflows/types.ts';
import { RouteAuthorizer } from './auth.ts';
import { CORS_SETTING, type CorsConfig, corsResponseHeaders, preflight, resourceCors } from './cors.ts';
import { buildEventV1, buildEventV2, type GatewayRequest } from './events.ts';
import { TokenBuckets } from './ratelimit.ts';
import { GatewayErrors, type HttpResponse, headerPairs, mapFunctionResult } from './response.ts';
import { RouteTable } from './routes.ts';
import { gatewaySpan } from './tracing.ts';

export { GatewayErrors } from './response.ts';
export { normalizeRouteKey, parseRouteKey, RouteErrors, RouteTable } from './routes.ts';

export interface GatewayDeps {
  readonly config: PlatformConfig;
  readonly invoke: InvokeService;
  /** Routes that target a state machine start an execution through it (StartExecution). */
  readonly workflows?: Pick<WorkflowService, 'startExecution'> | undefined;
  readonly routes: RouteRepo;
  readonly settings: SettingsRepo;
  readonly clock: Clock;
  /** Tenants by id (host `<tenant>.<tenantDomain>` or path prefix `/~<tenant>/`). */
  readonly tenants: { get(id: string): Promise<{ accountId: string } | undefined> };
  readonly onSystemError?: (e: Error) => void;
  /** A client that closed the connection mid-request (logged at debug, without a stack). */
  readonly onClientAbort?: OnClientAbort;
  /** Spans (absent: tracing off; only an incoming `traceparent` is passed on). */
  readonly tracing?: Tracing | undefined;
  /** Inbound webhooks: `POST /hooks/{id}` (the path prefix is reserved for them). */
  readonly hooks?: (
    id: string,
    req: { headers: Record<string, string | string[] | undefined>; body: Buffer },
  ) => Promise<{ status: number; body: Record<string, unknown> }>;
}

/** A route change already committed to the store, applied to the live table without a reload. */
export type RouteChange =
  | { readonly kind: 'added'; readonly route: RouteRecord }
  | { readonly kind: 'removed'; readonly tenant: string; readonly id: string }
  /** The function's routes are now exactly `routes` (none after a delete). */
  | {
      readonly kind: 'function';
      readonly tenant: string;
      readonly functionName: string;
      readonly routes: readonly RouteRecord[];
    }
  /** The state machine's routes are now exactly `routes`. */
  | {
      readonly kind: 'stateMachine';
      readonly tenant: string;
      readonly stateMachine: string;
      readonly routes: readonly RouteRecord[];
    };

export interface Gateway {
  readonly app: FastifyInstance;
  /** Reloads the route table (and CORS settings) from the store and swaps it in. */
  reload(): Promise<void>;
  /**
   * Applies one committed route change to the in-memory route list and swaps in a new table:
   * no store read, so a deploy costs the same with 10 or 10,000 routes registered.
   */
  apply(change: RouteChange): void;
}

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

// System errors say only that something failed; details stay in the platform log.
const codedBody = (e: NimbusError, requestId: string) =>
  e.kind === 'system'
    ? { error: { code: e.code, message: 'internal error', requestId } }
    : { error: { code: e.code, message: e.message, requestId } };

function sendCoded(reply: FastifyReply, e: NimbusError, requestId: string): FastifyReply {
  const body = codedBody(e, requestId);
  if (e.retryAfterMs !== undefined)
    reply.header('retry-after', Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
  return reply.code(e.status).header('apigw-requestid', requestId).type('application/json').send(body);
}

/** Message framing is the gateway's: a function's own values would contradict its body. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

/** A function that sets its own Access-Control-Allow-Origin keeps its CORS: the route's is dropped. */
const ownsCors = (pairs: readonly (readonly [string, string])[]) =>
  pairs.some(([k]) => k === 'access-control-allow-origin');

/**
 * Writes a function's mapped response straight to Node's response (raw header pairs, one
 * writeHead + end): Fastify's reply pipeline (header map, onSend hooks, payload checks) cost a
 * sixth of the platform's CPU per hello under load and adds nothing for a ready body.
 * Headers set on the reply before (CORS) are kept. The gateway sets Content-Length; the
 * function's own framing headers are dropped (API Gateway remaps them too).
 */
function send(
  reply: FastifyReply,
  r: HttpResponse,
  requestId: string,
  gatewayCors: boolean,
  routeCors: readonly (readonly [string, string])[],
): FastifyReply {
  const drop = routeCors.length > 0 && ownsCors(r.headers) ? new Set(routeCors.map(([k]) => k)) : undefined;
  const flat: string[] = [];
  for (const [k, v] of Object.entries(reply.getHeaders())) {
    if (v === undefined || drop?.has(k)) continue;
    if (Array.isArray(v)) for (const x of v) flat.push(k, x);
    else flat.push(k, String(v));
  }
  for (const [k, v] of r.headers) {
    // With CORS configured on the API, the gateway owns the CORS headers (as API Gateway does).
    if (gatewayCors && k.startsWith('access-control-')) continue;
    if (FRAMING.has(k)) continue;
    flat.push(k, v);
  }
  flat.push('apigw-requestid', requestId);
  const bodyless = r.statusCode < 200 || r.statusCode === 204 || r.statusCode === 304;
  if (!bodyless)
    flat.push(
      'content-length',
      String(typeof r.body === 'string' ? Buffer.byteLength(r.body, 'utf8') : r.body.length),
    );
  // Throws (nothing sent) on a header Node refuses: the caller answers with a coded error.
  reply.raw.writeHead(r.statusCode, flat);
  reply.hijack();
  reply.raw.end(bodyless ? undefined : r.body);
  return reply;
}

export async function buildGateway(d: GatewayDeps): Promise<Gateway> {
  // The live route list (id → record); the table is rebuilt from it on every change.
  let routes = new RouteSet(await d.routes.listAll());
  let table = new RouteTable(routes.values());
  const loadCors = async () =>
    new Map((await d.settings.listKey<CorsConfig>(CORS_SETTING)).map((s) => [s.tenant, s.value] as const));
  let cors = await loadCors();
  const tenantSuffix = `.${d.config.tenantDomain}`;
  const buckets = new TokenBuckets(d.clock);
  const authorizers = new RouteAuthorizer(
    async (tenant, functionName, event, traceparent) => {
      const r = await d.invoke.invoke({
        tenant,
        functionName,
        payload: JSON.stringify(event),
        trigger: { type: 'http', routeKey: String(event.routeKey ?? '') },
        traceparent,
      });
      return { ok: r.functionError === undefined, payload: r.payload };
    },
    () => d.clock.now(),
  );
  const wire: WireHardening = {
    render: (e) => ({ contentType: 'application/json', body: JSON.stringify(codedBody(e, randomUUID())) }),
    onClientAbort: d.onClientAbort,
  };
  const app = Fastify({
    logger: false,
    bodyLimit: d.config.maxPayloadBytes,
    return503OnClosing: true,
    // Slow-client protection: bounded header/body time and keep-alive.
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    routerOptions: { maxParamLength: 2048 },
    // Paths the router cannot even decode get our coded 400, not Fastify's own body.
    frameworkErrors: (_err, req, reply) =>
      sendCoded(
        reply,
        GatewayErrors.MALFORMED_REQUEST({ reason: 'invalid percent-encoding in the URL' }),
        String(req.id),
      ),
    ...wireOptions(wire),
  });
  hardenServer(app, wire);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, req, reply) => {
    const requestId = String(req.id);
    if (isClientAbort(err, req.raw)) {
      d.onClientAbort?.(clientAbort(err, req.raw));
      return sendCoded(reply, HttpErrors.CLIENT_ABORTED(), requestId);
    }
    const e = (err as NimbusError).code?.startsWith?.('NIMBUS_ERR_')
      ? (err as NimbusError)
      : (frameworkError(err, req, d.config.maxPayloadBytes) ?? CoreErrors.INTERNAL({ reason: String(err) }));
    if (e.kind === 'system') d.onSystemError?.(e);
    return sendCoded(reply, e, requestId);
  });
  // Methods outside ALL_METHODS (PROPFIND, PURGE…) match no route, as on API Gateway.
  app.setNotFoundHandler((req, reply) =>
    sendCoded(
      reply,
      GatewayErrors.ROUTE_NOT_FOUND({
        method: req.method,
        path: (req.raw.url ?? '/').split('?')[0]!.slice(0, 200),
      }),
      randomUUID(),
    ),
  );

  app.route({
    method: [...ALL_METHODS],
    url: '*',
    handler: async (req, reply) => {
      const requestId = randomUUID();
      const url = req.raw.url ?? '/';
      const header = (n: string) => {
        const v = req.headers[n];
        return Array.isArray(v) ? v.join(',') : v;
      };
      const q = url.indexOf('?');
      const fullPath = q >= 0 ? url.slice(0, q) : url;
      const rawQueryString = q >= 0 ? url.slice(q + 1) : '';
      // Which tenant's routes: `/~<tenant>/…` (stripped, like a stage), else the host
      // `<tenant>.<tenantDomain>`, else the default tenant. An unknown tenant matches nothing.
      let tenant = DEFAULT_TENANT;
      let rawPath = fullPath;
      const prefixed = /^\/~([a-z][a-z0-9-]{0,30}[a-z0-9])(?=\/|$)/.exec(fullPath);
      const host = (header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
      if (prefixed) {
        tenant = prefixed[1]!;
        rawPath = fullPath.slice(prefixed[0].length) || '/';
      } else if (host.endsWith(tenantSuffix)) tenant = host.slice(0, -tenantSuffix.length);
      const account =
        tenant === DEFAULT_TENANT ? d.config.accountId : (await d.tenants.get(tenant))?.accountId;
      if (account === undefined)
        return sendCoded(
          reply,
          GatewayErrors.ROUTE_NOT_FOUND({ method: req.method, path: fullPath.slice(0, 200) }),
          requestId,
        );
      let segments: string[];
      try {
        segments =
          rawPath === '/'
            ? []
            : rawPath.includes('%')
              ? rawPath.slice(1).split('/').map(decodeURIComponent)
              : rawPath.slice(1).split('/');
      } catch {
        return sendCoded(
          reply,
          GatewayErrors.MALFORMED_REQUEST({ reason: 'invalid percent-encoding in the path' }),
          requestId,
        );
      }
      if (tenant === DEFAULT_TENANT && segments[0] === 'hooks' && segments.length === 2 && d.hooks) {
        if (req.method !== 'POST')
          return sendCoded(
            reply,
            GatewayErrors.ROUTE_NOT_FOUND({ method: req.method, path: rawPath.slice(0, 200) }),
            requestId,
          );
        const body = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
        // A webhook's JSON body becomes a stored event: bounded nesting (the same rule as the API's).
        if (
          /json/i.test(header('content-type') ?? '') ||
          /^\s*[[{]/.test(body.subarray(0, 64).toString('latin1'))
        ) {
          if (jsonTooDeep(body))
            return sendCoded(
              reply,
              GatewayErrors.MALFORMED_REQUEST({
                reason: `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`,
              }),
              requestId,
            );
        }
        const r = await d.hooks(segments[1]!, { headers: req.headers, body });
        return reply
          .code(r.status)
          .header('apigw-requestid', requestId)
          .type('application/json')
          .send(r.body);
      }
      const corsCfg = cors.get(tenant);
      // The tenant's CORS answers every preflight; without it, a resource whose routes have CORS
      // answers its own (API Gateway REST's mock OPTIONS method) unless an OPTIONS route is there.
      let pre = preflight(corsCfg, req.method, header);
      if (!pre && !corsCfg && req.method === 'OPTIONS' && header('access-control-request-method')) {
        const on = table.resource(tenant, segments);
        if (on && !on.routes.some((r) => r.routeKey.startsWith('OPTIONS ')))
          pre = preflight(resourceCors(on.routes), req.method, header);
      }
      if (pre) {
        reply.code(pre.status).header('apigw-requestid', requestId);
        for (const [k, v] of pre.headers) reply.header(k, v);
        return reply.send();
      }
      for (const [k, v] of corsResponseHeaders(corsCfg, header('origin'))) reply.header(k, v);
      const match = table.match(tenant, req.method, segments);
      if (!match) {
        return sendCoded(
          reply,
          GatewayErrors.ROUTE_NOT_FOUND({ method: req.method, path: rawPath.slice(0, 200) }),
          requestId,
        );
      }
      const { route, pathParameters, stagePrefix } = match;
      // The function's trace: this request's span (tracing on), else the caller's header as is.
      const traceparent = d.tracing
        ? gatewaySpan(d.tracing, { method: req.method, path: rawPath }, route, header, reply.raw).traceparent
        : header('traceparent');
      // A route's own CORS (no tenant CORS): on every answer once matched, unless the function
      // sets Access-Control-Allow-Origin itself.
      const routeCors = !corsCfg && route.cors ? corsResponseHeaders(route.cors, header('origin')) : [];
      for (const [k, v] of routeCors) reply.header(k, v);
      const raw = req.raw.rawHeaders;
      const headers: [string, string][] = [];
      for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
      // `/dev/users/42` matched as `/users/42` of stage dev: the event's path is the resource's.
      const stageEnd = stagePrefix === undefined ? -1 : rawPath.indexOf('/', 1);
      const greq: GatewayRequest = {
        method: req.method,
        rawPath: stagePrefix === undefined ? rawPath : stageEnd < 0 ? '/' : rawPath.slice(stageEnd),
        ...(stagePrefix === undefined ? {} : { requestPath: rawPath }),
        rawQueryString,
        headers,
        body: req.body instanceof Buffer ? req.body : undefined,
        sourceIp: req.ip,
        protocol: `HTTP/${req.raw.httpVersion}`,
        requestId,
        timeEpoch: d.clock.now(),
        accountId: account,
        apiId: 'nimbus',
      };
      // Parsed only when an authorizer reads the query, and then once.
      let query: URLSearchParams | undefined;
      const authorizer = route.auth
        ? await authorizers.authorize(route.id, route.auth, {
            tenant: route.tenant,
            header,
            query: (n) => {
              query ??= new URLSearchParams(rawQueryString);
              return query.get(n) ?? undefined;
            },
            event: () => buildEventV2(greq, route, pathParameters),
            traceparent,
          })
        : undefined;
      if (route.throttle) {
        const t = route.throttle;
        const who = !t.perKey
          ? ''
          : authorizer && 'apiKey' in authorizer
            ? `k:${authorizer.apiKey.id}`
            : authorizer && 'jwt' in authorizer
              ? `j:${String(authorizer.jwt.claims.sub ?? '')}`
              : `ip:${req.ip}`;
        const taken = buckets.take(`${route.id}|${who}`, t.rateLimit, t.burstLimit);
        if (!taken.ok)
          return sendCoded(
            reply,
            GatewayErrors.THROTTLED({}, { retryAfterMs: taken.retryAfterMs }),
            requestId,
          );
      }
      if (route.stateMachine !== undefined) return startExecution(reply, route, greq, requestId, traceparent);
      const event =
        route.payloadFormat === '1.0'
          ? buildEventV1(greq, route, pathParameters, authorizer)
          : buildEventV2(greq, route, pathParameters, authorizer);
      // Streaming: the first `head` from the function commits status + headers to the wire; body
      // chunks follow as they come, with the client's backpressure passed back to the instance.
      let streaming = false;
      let badHead: NimbusError | undefined;
      const sink: ResponseStreamSink = {
        head(meta) {
          let pairs: [string, string][];
          try {
            const status = meta.statusCode;
            if (!Number.isInteger(status) || status < 100 || status > 599) {
              throw GatewayErrors.BAD_FUNCTION_RESPONSE({
                reason: `statusCode ${status} is not an HTTP status`,
              });
            }
            pairs = headerPairs({ headers: meta.headers, cookies: [...meta.cookies] });
          } catch (e) {
            badHead = e as NimbusError;
            return;
          }
          const inherited = reply.getHeaders();
          if (routeCors.length && ownsCors(pairs)) for (const [k] of routeCors) delete inherited[k];
          reply.hijack();
          streaming = true;
          const res = reply.raw;
          res.statusCode = meta.statusCode;
          for (const [k, v] of Object.entries(inherited)) if (v !== undefined) res.setHeader(k, v as string);
          const grouped = new Map<string, string[]>();
          for (const [k, v] of pairs) {
            if (corsCfg && k.startsWith('access-control-')) continue;
            grouped.set(k, [...(grouped.get(k) ?? []), v]);
          }
          for (const [k, vs] of grouped) res.setHeader(k, vs.length === 1 ? vs[0]! : vs);
          res.setHeader('apigw-requestid', requestId);
          res.flushHeaders();
        },
        chunk: (data) => (streaming ? reply.raw.write(data) : true),
        onDrain: (fn) => {
          if (streaming) reply.raw.once('drain', fn);
          else fn();
        },
      };
      const invocation = d.invoke.invoke({
        tenant: route.tenant,
        functionName: route.functionName,
        qualifier: route.qualifier,
        payload: JSON.stringify(event),
        trigger: { type: 'http', routeKey: route.routeKey },
        stream: sink,
        traceparent,
      });
      // Integration timeout: like API Gateway, answer 504 and let the invocation finish on its own.
      // One promise settled by whichever comes first (Promise.race + finally made three per request).
      let raced = await new Promise<Awaited<typeof invocation> | 'timeout'>((resolve, reject) => {
        const cancel = d.clock.setTimeout(() => resolve('timeout'), d.config.gatewayTimeoutMs);
        invocation.then(
          (r) => {
            cancel();
            resolve(r);
          },
          (e: unknown) => {
            cancel();
            reject(e);
          },
        );
      });
      // A stream that has started (SSE) is bounded by the function timeout, not the gateway's.
      if (raced === 'timeout' && streaming) raced = await invocation;
      if (raced === 'timeout') {
        invocation.catch(() => {});
        return sendCoded(
          reply,
          GatewayErrors.INTEGRATION_TIMEOUT({ ms: d.config.gatewayTimeoutMs }),
          requestId,
        );
      }
      const r = raced;
      if (streaming) {
        // Status and headers are gone already: a failure can only cut the body short.
        if (r.functionError) reply.raw.destroy();
        else reply.raw.end();
        return reply;
      }
      if (badHead) return sendCoded(reply, badHead, r.requestId);
      if (r.functionError) {
        const e =
          r.errorCode === 'NIMBUS_ERR_RUNTIME_TIMEOUT'
            ? GatewayErrors.FUNCTION_TIMEOUT()
            : GatewayErrors.FUNCTION_ERROR();
        return sendCoded(reply, e, r.requestId);
      }
      try {
        return send(
          reply,
          mapFunctionResult(r.payload, route.payloadFormat),
          r.requestId,
          corsCfg !== undefined,
          routeCors,
        );
      } catch (e) {
        return sendCoded(reply, e as NimbusError, r.requestId);
      }
    },
  });

  /**
   * API Gateway's StartExecution integration with the serverless-step-functions default request
   * template: the body (JSON; none is `{}`) is the input, the request id names the execution;
   * the answer is StartExecution's `{executionArn, startDate}` (epoch seconds).
   */
  async function startExecution(
    reply: FastifyReply,
    route: RouteRecord,
    greq: GatewayRequest,
    requestId: string,
    traceparent: string | undefined,
  ): Promise<FastifyReply> {
    if (!d.workflows) throw CoreErrors.INTERNAL({ reason: 'the gateway has no workflow service' });
    const text = greq.body?.toString('utf8').trim() ?? '';
    if (jsonTooDeep(text))
      return sendCoded(
        reply,
        GatewayErrors.MALFORMED_REQUEST({ reason: `JSON body nested deeper than ${MAX_JSON_DEPTH} levels` }),
        requestId,
      );
    let e: Awaited<ReturnType<WorkflowService['startExecution']>>;
    try {
      e = await d.workflows.startExecution(route.tenant, {
        machine: route.stateMachine!,
        name: requestId,
        input: text === '' ? '{}' : text,
        traceparent,
      });
    } catch (err) {
      // Not JSON, too large, the machine gone: the caller's 4xx, as StartExecution answers it.
      if (isNimbusError(err) && err.kind === 'user') return sendCoded(reply, err, requestId);
      throw err;
    }
    return reply
      .code(200)
      .header('apigw-requestid', requestId)
      .type('application/json')
      .send(JSON.stringify({ executionArn: e.arn, startDate: e.startedAt / 1000 }));
  }

  // Route changes arriving while a reload runs share one follow-up reload (a burst of deploys
  // re-reads the table twice, not once per change); every caller's change is in the table it awaits.
  let reloading: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  // Changes applied while a reload reads the store are applied again on top of what it read (they
  // may have committed after the read); applying a change twice is harmless.
  let duringReload: RouteChange[] | undefined;
  function reload(): Promise<void> {
    if (!reloading) {
      reloading = (async () => {
        duringReload = [];
        try {
          const fresh = new RouteSet(await d.routes.listAll());
          for (const c of duringReload) fresh.apply(c);
          routes = fresh;
          table = new RouteTable(routes.values());
          cors = await loadCors();
        } finally {
          duringReload = undefined;
        }
      })().finally(() => {
        reloading = undefined;
      });
      return reloading;
    }
    queued ??= reloading
      .catch(() => {})
      .then(() => {
        queued = undefined;
        return reload();
      });
    return queued;
  }

  function apply(change: RouteChange): void {
    duringReload?.push(change);
    routes.apply(change);
    table = new RouteTable(routes.values());
  }

  return {
    app,
    reload,
    apply,
  };
}

/** The live routes by id, with an index by function so replacing a function's routes is O(its routes). */
class RouteSet {
  readonly #byId = new Map<string, RouteRecord>();
  readonly #byFn = new Map<string, Set<string>>();

  constructor(routes: readonly RouteRecord[]) {
    for (const r of routes) this.#add(r);
  }

  values(): RouteRecord[] {
    return [...this.#byId.values()];
  }

  apply(c: RouteChange): void {
    if (c.kind === 'added') this.#add(c.route);
    else if (c.kind === 'removed') {
      if (this.#byId.get(c.id)?.tenant === c.tenant) this.#remove(c.id);
    } else {
      const owner = c.kind === 'function' ? c.functionName : `\u0001${c.stateMachine}`;
      for (const id of [...(this.#byFn.get(`${c.tenant}\u0000${owner}`) ?? [])]) this.#remove(id);
      for (const r of c.routes) this.#add(r);
    }
  }

  /** Routes are grouped by what they target: a function, or (\u0001-prefixed) a state machine. */
  static #key(r: RouteRecord): string {
    return `${r.tenant}\u0000${r.stateMachine !== undefined ? `\u0001${r.stateMachine}` : r.functionName}`;
  }

  #add(r: RouteRecord): void {
    if (this.#byId.has(r.id)) this.#remove(r.id);
    this.#byId.set(r.id, r);
    const k = RouteSet.#key(r);
    const ids = this.#byFn.get(k);
    if (ids) ids.add(r.id);
    else this.#byFn.set(k, new Set([r.id]));
  }

  #remove(id: string): void {
    const r = this.#byId.get(id);
    if (!r) return;
    this.#byId.delete(id);
    const k = RouteSet.#key(r);
    const ids = this.#byFn.get(k);
    ids?.delete(id);
    if (ids?.size === 0) this.#byFn.delete(k);
  }
}
