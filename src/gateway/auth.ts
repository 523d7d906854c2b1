/**
 * Per-route authorization on the gateway: API keys (sha256 compared in constant time) and JWTs
 * verified with `jose` (issuer, audience, expiry, signature via a remote JWKS or static public
 * keys; required scopes). The result becomes `requestContext.authorizer` like API Gateway's.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
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
  FORBIDDEN: { status: 403, kind: 'user', message: 'forbidden: {reason}' },
});

export type AuthorizerContext =
  | { jwt: { claims: Record<string, unknown>; scopes: string[] } }
  | { apiKey: { id: string } };

export const hashApiKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

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

/** Returns the authorizer context, or throws a coded 401/403. */
export async function authorize(
  auth: RouteAuth,
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
