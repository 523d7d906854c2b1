/**
 * Request authentication for every API: `Authorization: Bearer <secret>`, AWS SigV4 (header or
 * presigned query), with an access key of a tenant or a function's temporary role credentials
 * (`X-Amz-Security-Token`). SigV4 is verified by re-signing the request as received with the
 * key's secret using @smithy/signature-v4 (the signer the AWS SDKs use) and comparing in constant
 * time. The result is a Principal: the tenant (always from the credentials, never the request)
 * and the compiled policies that every route evaluates.
 *
 * Key records, role generations and function roles are cached for at most `cacheMs` (1 s), so a
 * revoked or rotated key stops working within a second; secrets themselves are never cached
 * outside the records.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CoreErrors } from '../core/errors.ts';
import type { Clock, FunctionRepo, KeyRepo, RoleRepo } from '../core/ports.ts';
import type { ApiKeyRecord, TenantId } from '../core/types.ts';
import { SecurityErrors } from './errors.ts';
import { hashSecret } from './keys.ts';
import { type PolicySet, policySetFor, sessionPolicySet } from './policy-set.ts';
import { decryptSecret } from './secrets.ts';
import type { SessionIssuer } from './sessions.ts';
import { FastSha256 } from './sha256.ts';

/** How a role session of a function without a role is named (the default execution role). */
export const DEFAULT_ROLE = 'nimbus-default-execution';

import type { TenantDirectory } from './tenants.ts';

export interface Principal {
  readonly tenant: TenantId;
  readonly accountId: string;
  /** The access key id (an `ASIA…` id for temporary credentials). */
  readonly keyId: string;
  /** `arn:aws:iam::<account>:user/<keyId>` or `arn:aws:sts::<account>:assumed-role/<role>/<function>`. */
  readonly arn: string;
  readonly kind: 'key' | 'session';
  /** Set for temporary credentials: the role and the function whose instance holds them. */
  readonly session?: { readonly role: string; readonly functionName: string } | undefined;
  readonly policy: PolicySet;
}

export interface AuthRequest {
  method: string;
  /** Raw path as received (percent-encoded). */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array | undefined;
  /** A browser-based S3 POST upload: authenticated by its form fields instead of a header. */
  postPolicy?: PostPolicyAuth | undefined;
}

/** The SigV4 fields of a POST Object form (`createPresignedPost`); the signature is over the base64 policy. */
export interface PostPolicyAuth {
  /** `<access key id>/<yyyymmdd>/<region>/s3/aws4_request` */
  readonly credential: string;
  /** `x-amz-date` (`yyyymmddThhmmssZ`, the credential's day). */
  readonly date: string;
  readonly signature: string;
  /** The `policy` field exactly as sent (base64). */
  readonly policy: string;
  readonly securityToken?: string | undefined;
}

/** The SigV4 signature of a POST policy: HMAC-SHA256 of the base64 policy under the day/region/service signing key. */
export function postPolicySignature(
  secret: string,
  scope: { day: string; region: string; service: string },
  policy: string,
): string {
  const mac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  const signingKey = mac(
    mac(mac(mac(`AWS4${secret}`, scope.day), scope.region), scope.service),
    'aws4_request',
  );
  return createHmac('sha256', signingKey).update(policy, 'utf8').digest('hex');
}

export interface AuthenticatorOptions {
  keys: KeyRepo;
  roles: RoleRepo;
  functions: FunctionRepo;
  tenants: TenantDirectory;
  sessions: SessionIssuer;
  masterKey: Buffer;
  clock: Clock;
  region?: string;
  maxSkewMs?: number;
  /** How long a key record / role generation may be served from memory (default 1 s). */
  cacheMs?: number;
}

const SIGV4 =
  /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

function header(h: AuthRequest['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** Query-string decoding for re-signing; a malformed escape is the client's 400, not a URIError. */
function decodeQueryPart(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    throw CoreErrors.VALIDATION({ reason: 'invalid percent-encoding in the query string' });
  }
}

function parseQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = decodeQueryPart(i < 0 ? part : part.slice(0, i));
    const v = i < 0 ? '' : decodeQueryPart(part.slice(i + 1));
    const cur = out[k];
    if (cur === undefined) out[k] = v;
    else out[k] = Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

/**
 * The signer that recomputes a request's signature with one candidate secret. Signers are kept
 * (at most 1,000, then all dropped) so that each keeps its cached signing key: a new signer per
 * request derived it again, four HMACs per request.
 */
const signers = new Map<string, SignatureV4>();
const signerFor = (accessKeyId: string, secretAccessKey: string, region: string, service: string) => {
  const k = `${accessKeyId}\u0000${secretAccessKey}\u0000${region}\u0000${service}`;
  let s = signers.get(k);
  if (s === undefined) {
    if (signers.size >= 1000) signers.clear();
    s = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey },
      region,
      service,
      sha256: FastSha256,
      // S3 signs the path as sent; every other AWS service double-encodes it.
      uriEscapePath: service !== 's3',
      applyChecksum: false,
    });
    signers.set(k, s);
  }
  return s;
};

const safeEqual = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** How a URL is presigned for a principal (see `Authenticator.presignGet`). */
export interface PresignOptions {
  /** Seconds the URL stays valid (S3's and Lambda's code URLs: 600). */
  readonly expiresSec: number;
  /** The service named in the credential scope (`lambda`, `s3`). */
  readonly service: string;
  /** A session principal's X-Amz-Security-Token (the request's: the platform keeps none). */
  readonly sessionToken?: string | undefined;
}

export interface Authenticator {
  (req: AuthRequest): Promise<Principal>;
  /**
   * A query-string SigV4 URL (as S3 presigns them) for a GET of `url` by `p`, signed with the
   * principal's own key (or session credentials), so whoever holds the URL is authenticated as
   * `p` until it expires, for that one path, and the route still checks p's policy. What
   * GetFunction's `Code.Location` is: a link a client downloads with no credentials of its own.
   */
  presignGet(p: Principal, url: URL, opts: PresignOptions): Promise<string>;
}

export function createAuthenticator(o: AuthenticatorOptions): Authenticator {
  const maxSkew = o.maxSkewMs ?? 15 * 60_000;
  const cacheMs = o.cacheMs ?? 1000;
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  /** Memoizes a lookup for `cacheMs` (failed lookups are not kept). */
  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const now = o.clock.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < cacheMs) return hit.value as Promise<T>;
    if (cache.size > 10_000) cache.clear();
    const value = load();
    cache.set(key, { at: now, value });
    value.catch(() => cache.delete(key));
    return value;
  };

  const keyPrincipal = async (k: ApiKeyRecord): Promise<Principal> => {
    if (k.disabled) throw SecurityErrors.KEY_INVALID({ reason: `key ${k.keyId} is revoked` });
    if (k.expiresAt !== undefined && o.clock.now() >= k.expiresAt)
      throw SecurityErrors.TOKEN_EXPIRED({ reason: `key ${k.keyId} expired` });
    const t = await o.tenants.get(k.tenant);
    if (!t) throw SecurityErrors.KEY_INVALID({ reason: `key ${k.keyId} belongs to no tenant` });
    return {
      tenant: k.tenant,
      accountId: t.accountId,
      keyId: k.keyId,
      arn: `arn:aws:iam::${t.accountId}:user/${k.keyId}`,
      kind: 'key',
      policy: await cached(`policy:${k.keyId}:${k.secretHash}`, async () => policySetFor(k.policies)),
    };
  };

  /** The secrets a key id signs with now (the current one and, during a rotation, the previous). */
  const keySecrets = (k: ApiKeyRecord): string[] => {
    const out = [decryptSecret(o.masterKey, k.secretCiphertext, k.keyId)];
    if (k.prevSecretCiphertext && (k.prevExpiresAt ?? 0) > o.clock.now())
      out.push(decryptSecret(o.masterKey, k.prevSecretCiphertext, k.keyId));
    return out;
  };

  /** Temporary credentials: the token must verify, name this key id, and its role/function must still hold. */
  async function sessionCredential(
    keyId: string,
    token: string,
  ): Promise<{ p: Principal; secrets: string[] }> {
    const check = await o.sessions.verify(token);
    if (!check.ok)
      throw check.reason === 'expired'
        ? SecurityErrors.TOKEN_EXPIRED({ reason: 'temporary credentials expired' })
        : SecurityErrors.KEY_INVALID({ reason: 'malformed session token' });
    const c = check.claims;
    if (c.accessKeyId !== keyId)
      throw SecurityErrors.KEY_INVALID({ reason: 'the session token belongs to another access key' });
    // Role '' is the default execution role (no record: its own logs only).
    const load = (fresh: boolean) => {
      const get = <T>(k: string, f: () => Promise<T>) => {
        if (fresh) cache.delete(k);
        return cached(k, f);
      };
      return Promise.all([
        o.tenants.get(c.tenant),
        c.role === ''
          ? { policies: [] as const, generation: 0 }
          : get(`role:${c.tenant}:${c.role}`, () => o.roles.get(c.tenant, c.role)),
        get(`fn:${c.tenant}:${c.functionName}`, () => o.functions.get(c.tenant, c.functionName)),
      ]);
    };
    const holds = ([t, role, fn]: Awaited<ReturnType<typeof load>>) =>
      !!t && !!fn && !!role && role.generation === c.generation && (fn.config.role ?? '') === c.role;
    let state = await load(false);
    // A session minted just now may be newer than the cache (a role given a moment ago): look
    // again before refusing. Revocation still takes effect within the cache's second.
    if (!holds(state)) state = await load(true);
    const [t, role] = state;
    if (!t || !role || !holds(state))
      throw SecurityErrors.KEY_INVALID({ reason: 'the role session was revoked (function or role changed)' });
    return {
      p: {
        tenant: c.tenant,
        accountId: t.accountId,
        keyId,
        arn: `arn:aws:sts::${t.accountId}:assumed-role/${c.role || DEFAULT_ROLE}/${c.functionName}`,
        kind: 'session',
        session: { role: c.role, functionName: c.functionName },
        policy: await cached(`rolepolicy:${c.tenant}:${c.role}:${role.generation}`, async () =>
          sessionPolicySet(role.policies),
        ),
      },
      secrets: [o.sessions.secretFor(keyId)],
    };
  }

  async function resolveCredential(
    keyId: string,
    token: string | undefined,
  ): Promise<{ p: Principal; secrets: string[] }> {
    if (token !== undefined) return sessionCredential(keyId, token);
    const k = await cached(`key:${keyId}`, () => o.keys.get(keyId));
    if (!k) throw SecurityErrors.KEY_INVALID({ reason: `unknown access key id ${keyId.slice(0, 32)}` });
    return { p: await keyPrincipal(k), secrets: keySecrets(k) };
  }

  async function bearer(secret: string): Promise<Principal> {
    const h = hashSecret(secret);
    const k = await cached(`bearer:${h}`, () => o.keys.getBySecretHash(h));
    if (!k) throw CoreErrors.UNAUTHORIZED({ reason: 'unknown secret' });
    const current = safeEqual(k.secretHash, h);
    const previous =
      !current &&
      k.prevSecretHash !== undefined &&
      safeEqual(k.prevSecretHash, h) &&
      (k.prevExpiresAt ?? 0) > o.clock.now();
    if (!current && !previous) throw SecurityErrors.KEY_INVALID({ reason: 'the secret was rotated out' });
    return keyPrincipal(k);
  }

  async function sigv4(req: AuthRequest, m: RegExpExecArray): Promise<Principal> {
    const [, credential = '', signedHeaders = '', signature = ''] = m;
    const scope = credential.split('/');
    if (scope.length !== 5 || scope[4] !== 'aws4_request') {
      throw CoreErrors.UNAUTHORIZED({ reason: 'malformed SigV4 credential scope' });
    }
    const [keyId = '', day = '', region = '', service = ''] = scope;
    const amzDate = header(req.headers, 'x-amz-date');
    const t = amzDate ? parseAmzDate(amzDate) : undefined;
    if (t === undefined) throw CoreErrors.UNAUTHORIZED({ reason: 'missing or malformed X-Amz-Date' });
    if (!amzDate!.startsWith(day))
      throw CoreErrors.UNAUTHORIZED({ reason: 'credential date does not match X-Amz-Date' });
    if (Math.abs(o.clock.now() - t) > maxSkew) {
      throw SecurityErrors.REQUEST_EXPIRED({ date: amzDate, skewMin: maxSkew / 60_000 });
    }
    const { p, secrets } = await resolveCredential(keyId, header(req.headers, 'x-amz-security-token'));

    const names = signedHeaders.split(';');
    const headers: Record<string, string> = {};
    for (const n of names) {
      const v = header(req.headers, n);
      if (v === undefined)
        throw SecurityErrors.SIGNATURE_MISMATCH({ reason: `signed header ${n} is missing` });
      headers[n] = v;
    }
    // A signed x-amz-content-sha256 is used by the signer instead of hashing the body, so it must
    // match the bytes that actually arrived (UNSIGNED-PAYLOAD opts out, as S3 allows).
    const claimed = header(req.headers, 'x-amz-content-sha256');
    if (claimed !== undefined && claimed !== 'UNSIGNED-PAYLOAD' && !claimed.startsWith('STREAMING-')) {
      const actual = createHash('sha256')
        .update(req.body ?? new Uint8Array())
        .digest('hex');
      if (!safeEqual(actual, claimed))
        throw SecurityErrors.SIGNATURE_MISMATCH({ reason: 'body does not match x-amz-content-sha256' });
    }
    const host = headers.host ?? header(req.headers, 'host') ?? 'localhost';
    const request = new HttpRequest({
      method: req.method.toUpperCase(),
      protocol: 'http:',
      hostname: host.replace(/:\d+$/, ''),
      path: req.path,
      query: parseQuery(req.query),
      headers,
      body: req.body && req.body.byteLength > 0 ? req.body : undefined,
    });
    for (const secret of secrets) {
      const signed = await signerFor(keyId, secret, region, service).sign(request, {
        signingDate: new Date(t),
        signableHeaders: new Set(names),
      });
      const expected = /Signature=([0-9a-f]{64})/.exec(
        String(signed.headers.authorization ?? signed.headers.Authorization),
      )?.[1];
      if (expected && safeEqual(expected, signature)) return p;
    }
    throw SecurityErrors.SIGNATURE_MISMATCH({ reason: 'signature computed for this request differs' });
  }

  /** Query-string SigV4 (presigned URLs, as S3 issues them): verified by presigning again. */
  async function presigned(req: AuthRequest): Promise<Principal> {
    const q = parseQuery(req.query);
    const one = (k: string) => {
      const v = q[k];
      return Array.isArray(v) ? v[0] : v;
    };
    if (one('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
      throw CoreErrors.UNAUTHORIZED({ reason: 'unsupported X-Amz-Algorithm' });
    const scope = (one('X-Amz-Credential') ?? '').split('/');
    const [keyId = '', day = '', region = '', service = ''] = scope;
    const amzDate = one('X-Amz-Date') ?? '';
    const t = parseAmzDate(amzDate);
    const expires = Number(one('X-Amz-Expires'));
    if (
      scope.length !== 5 ||
      t === undefined ||
      !amzDate.startsWith(day) ||
      !(expires > 0 && expires <= 604_800)
    )
      throw CoreErrors.UNAUTHORIZED({ reason: 'malformed presigned URL' });
    if (o.clock.now() > t + expires * 1000)
      throw SecurityErrors.PRESIGNED_EXPIRED({ date: amzDate, seconds: expires });
    if (t - o.clock.now() > maxSkew)
      throw SecurityErrors.REQUEST_EXPIRED({ date: amzDate, skewMin: maxSkew / 60_000 });
    const { p, secrets } = await resolveCredential(keyId, one('X-Amz-Security-Token'));
    const names = (one('X-Amz-SignedHeaders') ?? 'host').split(';');
    const headers: Record<string, string> = {};
    for (const n of names) {
      const v = header(req.headers, n);
      if (v === undefined)
        throw SecurityErrors.SIGNATURE_MISMATCH({ reason: `signed header ${n} is missing` });
      headers[n] = v;
    }
    const rest: Record<string, string | string[]> = {};
    for (const [name, v] of Object.entries(q))
      if (!name.startsWith('X-Amz-') || name === 'X-Amz-Security-Token') rest[name] = v as string | string[];
    // The presigner signs the payload hash (S3: UNSIGNED-PAYLOAD) as a header it hoists into the query.
    const payloadHash = one('X-Amz-Content-Sha256');
    if (payloadHash !== undefined) headers['X-Amz-Content-Sha256'] = payloadHash;
    const host = headers.host ?? header(req.headers, 'host') ?? 'localhost';
    for (const secret of secrets) {
      const signed = await signerFor(keyId, secret, region, service).presign(
        new HttpRequest({
          method: req.method.toUpperCase(),
          protocol: 'http:',
          hostname: host.replace(/:\d+$/, ''),
          path: req.path,
          query: rest,
          headers,
        }),
        { signingDate: new Date(t), expiresIn: expires, signableHeaders: new Set(names) },
      );
      const expected = String(signed.query?.['X-Amz-Signature'] ?? '');
      if (safeEqual(expected, one('X-Amz-Signature') ?? '')) return p;
    }
    throw SecurityErrors.SIGNATURE_MISMATCH({ reason: 'presigned signature differs' });
  }

  /**
   * A POST policy's signature, with the secret(s) of the credential's key. No clock-skew check on
   * x-amz-date: the policy's own expiration bounds the form (as in S3), checked by the caller.
   */
  async function postPolicy(f: PostPolicyAuth): Promise<Principal> {
    const scope = f.credential.split('/');
    const [keyId = '', day = '', region = '', service = ''] = scope;
    if (scope.length !== 5 || scope[4] !== 'aws4_request' || service !== 's3' || !/^\d{8}$/.test(day))
      throw CoreErrors.UNAUTHORIZED({ reason: 'malformed x-amz-credential' });
    if (parseAmzDate(f.date) === undefined || !f.date.startsWith(day))
      throw CoreErrors.UNAUTHORIZED({ reason: 'x-amz-date is malformed or is not the credential date' });
    if (!/^[0-9a-f]{64}$/.test(f.signature))
      throw SecurityErrors.SIGNATURE_MISMATCH({ reason: 'x-amz-signature is not 64 lower-case hex digits' });
    const { p, secrets } = await resolveCredential(keyId, f.securityToken);
    for (const secret of secrets)
      if (safeEqual(postPolicySignature(secret, { day, region, service }, f.policy), f.signature)) return p;
    throw SecurityErrors.SIGNATURE_MISMATCH({ reason: 'the POST policy signature differs' });
  }

  async function presignGet(p: Principal, url: URL, opts: PresignOptions): Promise<string> {
    const token = p.kind === 'session' ? opts.sessionToken : undefined;
    if (p.kind === 'session' && token === undefined)
      throw CoreErrors.UNAUTHORIZED({ reason: 'a session principal presigns with its session token' });
    const { secrets } = await resolveCredential(p.keyId, token);
    const query: Record<string, string> = Object.fromEntries(url.searchParams);
    if (token !== undefined) query['X-Amz-Security-Token'] = token;
    const signed = await signerFor(p.keyId, secrets[0]!, o.region ?? 'local-1', opts.service).presign(
      new HttpRequest({
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        path: url.pathname,
        query,
        headers: { host: url.host },
      }),
      {
        signingDate: new Date(o.clock.now()),
        expiresIn: opts.expiresSec,
        signableHeaders: new Set(['host']),
      },
    );
    const out = new URL(url.pathname, `${url.protocol}//${url.host}`);
    for (const [k, v] of Object.entries(signed.query ?? {}))
      for (const one of Array.isArray(v) ? v : [v]) if (one != null) out.searchParams.append(k, one);
    return out.toString();
  }

  const authenticate = async (req: AuthRequest): Promise<Principal> => {
    if (req.postPolicy) return postPolicy(req.postPolicy);
    const auth = header(req.headers, 'authorization');
    if (!auth && /(^|&)X-Amz-Signature=/.test(req.query)) return presigned(req);
    if (!auth) throw CoreErrors.UNAUTHORIZED({ reason: 'no Authorization header' });
    if (/^Bearer\s+/i.test(auth)) return bearer(auth.replace(/^Bearer\s+/i, '').trim());
    const m = SIGV4.exec(auth);
    if (m) return sigv4(req, m);
    throw CoreErrors.UNAUTHORIZED({
      reason: 'unsupported Authorization scheme (use Bearer or AWS4-HMAC-SHA256)',
    });
  };
  return Object.assign(authenticate, { presignGet });
}
