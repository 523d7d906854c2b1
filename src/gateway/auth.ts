/**
 * Per-route authorization on the gateway: API keys (sha256 compared in constant time) and JWTs
 * verified with `jose` (issuer, audience, expiry, signature via a remote JWKS or static public
 * keys; required scopes). The result becomes `requestContext.authorizer` like API Gateway's.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  importSPKI,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { defineErrors } from '../core/errors.ts';
import type { RouteAuth } from '../core/types.ts';

export const AuthErrors = defineErrors('GATEWAY_AUTH', {
  UNAUTHORIZED: { status: 401, kind: 'user', message: 'unauthorized: {reason}' },
  AUTHORIZER_FAILED: {
    status: 500,
    kind: 'user',
    message: 'the authorizer function failed',
    hint: 'see the logs of the authorizer function',
  },
  FORBIDDEN: { status: 403, kind: 'user', message: 'forbidden: {reason}' },
});

export type AuthorizerContext =
  | { jwt: { claims: Record<string, unknown>; scopes: string[] } }
  | { apiKey: { id: string } }
  | { lambda: Record<string, unknown> };

export const hashApiKey = (key: string) => hash('sha256', key, 'hex');

const keySets = new Map<string, JWTVerifyGetKey>();

async function keySetFor(a: Extract<RouteAuth, { type: 'jwt' }>): Promise<JWTVerifyGetKey> {
  const cacheKey = a.jwksUrl ?? JSON.stringify(a.publicKeys ?? []);
  let ks = keySets.get(cacheKey);
  if (!ks) {
    if (a.jwksUrl)
      ks = createRemoteJWKSet(new URL(a.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
    else {
      const keys = [];
      for (const pem of a.publicKeys ?? []) {
        for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
          try {
            keys.push({ ...(await exportJWK(await importSPKI(pem, alg, { extractable: true }))), alg });
            break;
          } catch {
            // try the next algorithm family
          }
        }
      }
      ks = createLocalJWKSet({ keys });
    }
    keySets.set(cacheKey, ks);
  }
  return ks;
}

/** Runs a Lambda authorizer: given the identity values and the v2 request event, returns its simple response. */
export type LambdaAuthorizerCall = (
  tenant: string,
  functionName: string,
  event: Record<string, unknown>,
  /** The request's trace: the authorizer's invocation is part of it. */
  traceparent?: string | undefined,
) => Promise<{ ok: boolean; payload: string }>;

export interface AuthRequestView {
  /** The route's tenant: its authorizer function is that tenant's. */
  readonly tenant: string;
  header(name: string): string | undefined;
  query(name: string): string | undefined;
  /** The route's API Gateway v2 request event (built lazily; only Lambda authorizers need it). */
  event(): Record<string, unknown>;
  readonly traceparent?: string | undefined;
}

/** Resolves `$request.header.X` / `$request.querystring.X` identity sources. */
export function identityValues(sources: readonly string[], req: AuthRequestView): string[] | undefined {
  const out: string[] = [];
  for (const src of sources) {
    const m = /^\$request\.(header|querystring)\.(.+)$/.exec(src);
    const v = m ? (m[1] === 'header' ? req.header(m[2]!.toLowerCase()) : req.query(m[2]!)) : undefined;
    if (v === undefined || v === '') return undefined;
    out.push(v);
  }
  return out;
}

export class RouteAuthorizer {
  readonly #call: LambdaAuthorizerCall;
  readonly #now: () => number;
  readonly #cache = new Map<string, { until: number; ok: boolean; context: Record<string, unknown> }>();

  constructor(call: LambdaAuthorizerCall, now: () => number) {
    this.#call = call;
    this.#now = now;
  }

  /** Returns the authorizer context, or throws a coded 401/403/500. */
  async authorize(routeId: string, auth: RouteAuth, req: AuthRequestView): Promise<AuthorizerContext> {
    if (auth.type !== 'lambda') return authorize(auth, (n) => req.header(n));
    const identity = identityValues(auth.identitySource, req);
    if (!identity)
      throw AuthErrors.UNAUTHORIZED({ reason: `missing identity source ${auth.identitySource.join(', ')}` });
    const key = `${req.tenant}\u0000${routeId}\u0000${identity.join('\u0000')}`;
    const hit = this.#cache.get(key);
    let result = hit && hit.until > this.#now() ? hit : undefined;
    if (!result) {
      const r = await this.#call(
        req.tenant,
        auth.functionName,
        { ...req.event(), type: 'REQUEST', identitySource: identity },
        req.traceparent,
      );
      let parsed: { isAuthorized?: unknown; context?: unknown };
      try {
        parsed = r.ok ? (JSON.parse(r.payload) as typeof parsed) : {};
      } catch {
        parsed = {};
      }
      if (!r.ok || typeof parsed.isAuthorized !== 'boolean') throw AuthErrors.AUTHORIZER_FAILED();
      result = {
        until: this.#now() + auth.ttlSec * 1000,
        ok: parsed.isAuthorized,
        context:
          parsed.context && typeof parsed.context === 'object'
            ? (parsed.context as Record<string, unknown>)
            : {},
      };
      if (auth.ttlSec > 0) {
        if (this.#cache.size > 10_000) this.#cache.clear();
        this.#cache.set(key, result);
      }
    }
    if (!result.ok) throw AuthErrors.FORBIDDEN({ reason: 'the authorizer denied the request' });
    return { lambda: result.context };
  }
}

/** Returns the authorizer context for API key and JWT auth, or throws a coded 401/403. */
export async function authorize(
  auth: Exclude<RouteAuth, { type: 'lambda' }>,
  header: (name: string) => string | undefined,
): Promise<AuthorizerContext> {
  if (auth.type === 'apiKey') {
    const key = header(auth.header.toLowerCase());
    if (!key) throw AuthErrors.UNAUTHORIZED({ reason: `missing ${auth.header} header` });
    const h = Buffer.from(hashApiKey(key));
    const hit = auth.keyHashes.find((k) => k.length === h.length && timingSafeEqual(Buffer.from(k), h));
    if (!hit) throw AuthErrors.UNAUTHORIZED({ reason: 'invalid API key' });
    return { apiKey: { id: hit.slice(0, 12) } };
  }
  const m = /^Bearer\s+(\S+)$/i.exec(header('authorization') ?? '');
  if (!m) throw AuthErrors.UNAUTHORIZED({ reason: 'missing bearer token' });
  let claims: Record<string, unknown>;
  try {
    const r = await jwtVerify(m[1]!, await keySetFor(auth), {
      issuer: auth.issuer,
      audience: [...auth.audience],
      clockTolerance: 5,
    });
    claims = r.payload as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'ERR_JWT_INVALID';
    throw AuthErrors.UNAUTHORIZED({ reason: `token rejected (${code})` });
  }
  const scopes = [
    ...(typeof claims.scope === 'string' ? claims.scope.split(' ') : []),
    ...(Array.isArray(claims.scp)
      ? claims.scp.map(String)
      : typeof claims.scp === 'string'
        ? claims.scp.split(' ')
        : []),
  ].filter(Boolean);
  const missing = (auth.scopes ?? []).filter((s) => !scopes.includes(s));
  if (missing.length) throw AuthErrors.FORBIDDEN({ reason: `token lacks scope ${missing.join(', ')}` });
  return { jwt: { claims, scopes } };
}
