/**
 * CORS for an API, answered by the gateway like API Gateway HTTP APIs: preflight requests get
 * 204 with the allowed methods/headers/max-age without reaching a function; actual responses get
 * Access-Control-Allow-Origin (+ credentials, expose headers) when the origin is allowed.
 */
import { z } from 'zod';

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
export const CORS_SETTING = 'gateway.cors';

function originAllowed(cfg: CorsConfig, origin: string): boolean {
  return cfg.allowOrigins.some((o) => {
    if (o === '*' || o === origin) return true;
    // https://*.example.com
    const m = /^(https?:\/\/)\*\.(.+)$/.exec(o);
    return m ? origin.startsWith(m[1]!) && origin.endsWith(`.${m[2]}`) : false;
  });
}

/** Headers for an actual (non-preflight) response; empty when the origin is not allowed. */
export function corsResponseHeaders(
  cfg: CorsConfig | undefined,
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
  cfg: CorsConfig | undefined,
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
