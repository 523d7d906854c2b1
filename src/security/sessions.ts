/**
 * Temporary credentials for function execution roles, shaped as AWS STS returns them
 * (AccessKeyId `ASIA…`, SecretAccessKey, SessionToken, Expiration).
 *
 * Stateless: the session token is a JWT (jose, HS256) naming the tenant, the role and its
 * generation, the function and the access key id; the secret is an HMAC of the access key id. Both
 * keys are derived from the master key (HKDF), so nothing is stored per instance start, and any
 * node of a cluster verifies a token. Revocation is by state, checked on every request (cached
 * ≤ 1 s): a role whose generation moved on, a deleted function or a function that no longer names
 * the role ends the session.
 */
import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../core/ports.ts';
import type { TenantId } from '../core/types.ts';

export interface SessionClaims {
  readonly accessKeyId: string;
  readonly tenant: TenantId;
  readonly role: string;
  readonly generation: number;
  readonly functionName: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export type SessionCheck =
  | { readonly ok: true; readonly claims: SessionClaims }
  | { readonly ok: false; readonly reason: 'expired' | 'invalid' };

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ISSUER = 'nimbus-sts';
/** Lambda's credentials last up to 12 h; ours at most 1 h, refreshed before they expire. */
export const MAX_SESSION_MS = 60 * 60_000;

export interface SessionIssuer {
  mint(c: Omit<SessionClaims, 'accessKeyId' | 'expiresAt'>, ttlMs?: number): Promise<SessionCredentials>;
  verify(token: string): Promise<SessionCheck>;
  /** The secret of a session's access key id (for SigV4 verification). */
  secretFor(accessKeyId: string): string;
}

export function createSessionIssuer(masterKey: Buffer, clock: Clock): SessionIssuer {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
  const tokenKey = derive('nimbus-session-token-v1');
  const secretKey = derive('nimbus-session-secret-v1');
  const secretFor = (akid: string) =>
    createHmac('sha256', secretKey).update(akid).digest('base64url').slice(0, 40);
  return {
    secretFor,
    async mint(c, ttlMs = MAX_SESSION_MS) {
      let accessKeyId = 'ASIA';
      for (let i = 0; i < 16; i++) accessKeyId += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
      const now = clock.now();
      const expiresAt = now + Math.min(Math.max(60_000, ttlMs), MAX_SESSION_MS);
      const sessionToken = await new SignJWT({ t: c.tenant, r: c.role, g: c.generation, f: c.functionName })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setSubject(accessKeyId)
        .setIssuedAt(Math.floor(now / 1000))
        .setExpirationTime(Math.floor(expiresAt / 1000))
        .sign(tokenKey);
      return { accessKeyId, secretAccessKey: secretFor(accessKeyId), sessionToken, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, tokenKey, {
          issuer: ISSUER,
          algorithms: ['HS256'],
          currentDate: new Date(clock.now()),
        });
        const { t, r, g, f, sub, exp } = payload as Record<string, unknown>;
        if (
          typeof t !== 'string' ||
          typeof r !== 'string' ||
          typeof g !== 'number' ||
          typeof f !== 'string' ||
          typeof sub !== 'string' ||
          typeof exp !== 'number'
        )
          return { ok: false, reason: 'invalid' };
        return {
          ok: true,
          claims: {
            accessKeyId: sub,
            tenant: t,
            role: r,
            generation: g,
            functionName: f,
            expiresAt: exp * 1000,
          },
        };
      } catch (e) {
        return { ok: false, reason: e instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
      }
    },
  };
}
