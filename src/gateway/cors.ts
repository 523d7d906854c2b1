/**
 * CORS for an API, answered by the gateway like API Gateway HTTP APIs: preflight requests get
 * 204 with the allowed methods/headers/max-age without reaching a function; actual responses get
 * Access-Control-Allow-Origin (+ credentials, expose headers) when the origin is allowed.
 * Per-route CORS (REST `http` events' `cors:`) is API Gateway REST's mock OPTIONS method: the
 * preflight on a resource is answered from the CORS of the routes on it ({@link resourceCors}).
 */
import { z } from 'zod';
import type { RouteRecord } from '../core/types.ts';
import { parseRouteKey } from './routes.ts';

export const CorsSchema = z
  .object({
    allowOrigins: z.array(z.string().min(1)).min(1),
    allowMethods: z.array(z.string().min(1)).default(['*']),
    allowHeaders: z.array(z.string().min(1)).default(['*']),
    exposeHeaders: z.array(z.string().min(1)).default([]),
    allowCredentials: z.boolean().default(false),
    maxAge: z.number().int().min(0).max(86400).default(0),
  })
  .refine((c) => !(c.allowCredentials && c.allowOrigins.includes('*')), {
    message: 'allowCredentials cannot be used with the * origin (browsers reject it)',
  });

export type CorsConfig = z.infer<typeof CorsSchema>;
/** What the CORS answers read: a tenant's CorsConfig or a route's stored one. */
export type CorsRules = NonNullable<RouteRecord['cors']>;
export const CORS_SETTING = 'gateway.cors';

function originAllowed(cfg: CorsRules, origin: string): boolean {
  return cfg.allowOrigins.some((o) => {
    if (o === '*' || o === origin) return true;
    // https://*.example.com
    const m = /^(https?:\/\/)\*\.(.+)$/.exec(o);
    return m ? origin.startsWith(m[1]!) && origin.endsWith(`.${m[2]}`) : false;
  });
}

/** Headers for an actual (non-preflight) response; empty when the origin is not allowed. */
export function corsResponseHeaders(
  cfg: CorsRules | undefined,
  origin: string | undefined,
): [string, string][] {
  if (!cfg || !origin || !originAllowed(cfg, origin)) return [];
  const out: [string, string][] = [
    ['access-control-allow-origin', cfg.allowOrigins.includes('*') ? '*' : origin],
  ];
  if (!cfg.allowOrigins.includes('*')) out.push(['vary', 'Origin']);
  if (cfg.allowCredentials) out.push(['access-control-allow-credentials', 'true']);
  if (cfg.exposeHeaders.length) out.push(['access-control-expose-headers', cfg.exposeHeaders.join(',')]);
  return out;
}

/** A preflight answer, or undefined when this is not a preflight the gateway should answer. */
export function preflight(
  cfg: CorsRules | undefined,
  method: string,
  header: (name: string) => string | undefined,
): { status: number; headers: [string, string][] } | undefined {
  const origin = header('origin');
  const reqMethod = header('access-control-request-method');
  if (!cfg || method !== 'OPTIONS' || !origin || !reqMethod) return undefined;
  const base = corsResponseHeaders(cfg, origin);
  if (base.length === 0) return { status: 204, headers: [] };
  const methodOk =
    cfg.allowMethods.includes('*') ||
    cfg.allowMethods.map((m) => m.toUpperCase()).includes(reqMethod.toUpperCase());
  if (!methodOk) return { status: 204, headers: [] };
  const reqHeaders = header('access-control-request-headers');
  const headers: [string, string][] = [
    ...base,
    [
      'access-control-allow-methods',
      cfg.allowMethods.includes('*') ? reqMethod.toUpperCase() : cfg.allowMethods.join(','),
    ],
  ];
  if (reqHeaders) {
    headers.push([
      'access-control-allow-headers',
      cfg.allowHeaders.includes('*') ? reqHeaders : cfg.allowHeaders.join(','),
    ]);
  }
  if (cfg.maxAge > 0) headers.push(['access-control-max-age', String(cfg.maxAge)]);
  return { status: 204, headers };
}

const ANY_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];

/**
 * The CORS a resource's preflight is answered with: the union of its routes' origins, headers
 * and expose headers, credentials if any route allows them, the longest max-age; the allowed
 * methods are those of the routes with CORS (ANY / $default: all of them) plus OPTIONS — what
 * Serverless puts on the mock OPTIONS method. Undefined when no route there has CORS.
 */
export function resourceCors(routes: readonly RouteRecord[]): CorsRules | undefined {
  const withCors = routes.filter((r) => r.cors);
  if (withCors.length === 0) return undefined;
  const union = (pick: (c: CorsRules) => readonly string[]) => {
    const all = new Set(withCors.flatMap((r) => pick(r.cors!)));
    return all.has('*') ? ['*'] : [...all];
  };
  const methods = new Set<string>();
  for (const r of withCors) {
    const { method } = parseRouteKey(r.routeKey);
    for (const m of method === 'ANY' ? ANY_METHODS : [method]) if (m !== 'OPTIONS') methods.add(m);
  }
  const allowOrigins = union((c) => c.allowOrigins);
  return {
    allowOrigins,
    allowMethods: ['OPTIONS', ...[...methods].sort()],
    allowHeaders: union((c) => c.allowHeaders),
    exposeHeaders: [...new Set(withCors.flatMap((r) => r.cors!.exposeHeaders))],
    // Browsers refuse credentials with the * origin; a route allowing any origin wins.
    allowCredentials: !allowOrigins.includes('*') && withCors.some((r) => r.cors!.allowCredentials),
    maxAge: Math.max(...withCors.map((r) => r.cors!.maxAge)),
  };
}
