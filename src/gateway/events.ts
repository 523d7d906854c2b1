/**
 * HTTP request → API Gateway event, payload format 2.0 (httpApi) and 1.0 (http / REST), so Lambda
 * handlers written for API Gateway run unchanged. Pure functions over a plain request description.
 */
import type { RouteRecord } from '../core/types.ts';

export interface GatewayRequest {
  readonly method: string;
  /** Raw path as received (still percent-encoded), without the tenant prefix and the stage. */
  readonly rawPath: string;
  /**
   * Raw path with the stage it was requested under (`/dev/users/42`): REST's
   * `requestContext.path`, HTTP API's `rawPath`. Defaults to rawPath (no stage in the path).
   */
  readonly requestPath?: string;
  /** Raw query string without '?'. */
  readonly rawQueryString: string;
  /** Header pairs in arrival order, names as received. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer | undefined;
  readonly sourceIp: string;
  readonly protocol: string;
  readonly requestId: string;
  readonly timeEpoch: number;
  readonly accountId: string;
  readonly apiId: string;
}

export const TEXTUAL_TYPE =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|graphql)|image\/svg\+xml)/i;

function bodyFields(req: GatewayRequest): { body?: string; isBase64Encoded: boolean } {
  if (!req.body || req.body.length === 0) return { isBase64Encoded: false };
  const type = req.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  return TEXTUAL_TYPE.test(type)
    ? { body: req.body.toString('utf8'), isBase64Encoded: false }
    : { body: req.body.toString('base64'), isBase64Encoded: true };
}

/** `application/x-www-form-urlencoded` style parsing of the query string; undefined when empty. */
function queryMulti(raw: string): Record<string, string[]> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const list = out[k] ?? [];
    list.push(v);
    out[k] = list;
  }
  return Object.keys(out).length ? out : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let clfCache = { second: Number.NaN, text: '' };
/** API Gateway's CLF-style time: `12/Mar/2020:19:03:58 +0000` (formatted once per second). */
export function clfTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === clfCache.second) return clfCache.text;
  clfCache = { second, text: formatClf(ms) };
  return clfCache.text;
}

function formatClf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Decodes each path segment (the caller validated the percent-encoding). */
export function decodePath(rawPath: string): string {
  return rawPath.includes('%') ? rawPath.split('/').map(decodeURIComponent).join('/') : rawPath;
}

export function buildEventV2(
  req: GatewayRequest,
  route: RouteRecord,
  pathParameters: Record<string, string>,
  authorizer?: unknown,
) {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [k, v] of req.headers) {
    const name = k.toLowerCase();
    if (name === 'cookie') {
      for (const c of v.split(/;\s*/)) if (c) cookies.push(c);
      continue;
    }
    headers[name] = headers[name] === undefined ? v : `${headers[name]},${v}`;
  }
  const multi = queryMulti(req.rawQueryString);
  const host = headers.host ?? 'localhost';
  // HTTP APIs keep a named stage in rawPath.
  const path = decodePath(req.requestPath ?? req.rawPath);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: path,
    rawQueryString: req.rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(multi
      ? { queryStringParameters: Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.join(',')])) }
      : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: req.accountId,
      apiId: req.apiId,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: req.method,
        path,
        protocol: req.protocol,
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: req.requestId,
      routeKey: route.routeKey,
      ...(authorizer ? { authorizer } : {}),
      stage: route.stage ?? '$default',
      time: clfTime(req.timeEpoch),
      timeEpoch: req.timeEpoch,
    },
    ...bodyFields(req),
  };
}

/** Payload 1.0 always has a `body` key (null when there is none). */
function v1Body(req: GatewayRequest): { body: string | null; isBase64Encoded: boolean } {
  const b = bodyFields(req);
  return { body: b.body ?? null, isBase64Encoded: b.isBase64Encoded };
}

export function buildEventV1(
  req: GatewayRequest,
  route: RouteRecord,
  pathParameters: Record<string, string>,
  authorizer?: unknown,
) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of req.headers) {
    headers[k] = v;
    const list = multiValueHeaders[k] ?? [];
    list.push(v);
    multiValueHeaders[k] = list;
  }
  const multi = queryMulti(req.rawQueryString);
  const path = decodePath(req.rawPath);
  const resource =
    route.routeKey === '$default' ? '/{proxy+}' : route.routeKey.slice(route.routeKey.indexOf(' ') + 1);
  const lower = (n: string) => req.headers.find(([k]) => k.toLowerCase() === n)?.[1];
  return {
    version: '1.0',
    resource,
    path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: multi
      ? Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.at(-1) ?? '']))
      : null,
    multiValueQueryStringParameters: multi ?? null,
    requestContext: {
      accountId: req.accountId,
      apiId: req.apiId,
      domainName: lower('host') ?? 'localhost',
      extendedRequestId: req.requestId,
      httpMethod: req.method,
      identity: { sourceIp: req.sourceIp, userAgent: lower('user-agent') ?? '' },
      // REST: the path as requested, stage included; event.path is the resource's path.
      path: req.requestPath === undefined ? path : decodePath(req.requestPath),
      protocol: req.protocol,
      requestId: req.requestId,
      requestTime: clfTime(req.timeEpoch),
      requestTimeEpoch: req.timeEpoch,
      resourceId: route.id,
      resourcePath: resource,
      ...(authorizer ? { authorizer } : {}),
      stage: route.stage ?? '$default',
    },
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    ...v1Body(req),
  };
}
