/**
 * Request authentication for every API route: `Authorization: Bearer <secret>` or AWS SigV4
 * (header form). SigV4 is verified by re-signing the request as received with the key's secret
 * using @smithy/signature-v4 (the signer the AWS SDKs use) and comparing in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CoreErrors } from '../core/errors.ts';
import type { Clock, KeyRepo } from '../core/ports.ts';
import type { ApiKeyRecord, ApiKeyRole, TenantId } from '../core/types.ts';
import { SecurityErrors } from './errors.ts';
import { hashSecret } from './keys.ts';
import { decryptSecret } from './secrets.ts';

export interface Principal {
  readonly tenant: TenantId;
  readonly keyId: string;
  readonly role: ApiKeyRole;
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
}

export interface AuthenticatorOptions {
  keys: KeyRepo;
  masterKey: Buffer;
  clock: Clock;
  region?: string;
  maxSkewMs?: number;
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

const safeEqual = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createAuthenticator(o: AuthenticatorOptions): (req: AuthRequest) => Promise<Principal> {
  const maxSkew = o.maxSkewMs ?? 15 * 60_000;
  const principal = (k: ApiKeyRecord): Principal => ({ tenant: k.tenant, keyId: k.keyId, role: k.role });

  async function bearer(secret: string): Promise<Principal> {
    const k = await o.keys.getBySecretHash(hashSecret(secret));
    if (!k || !safeEqual(k.secretHash, hashSecret(secret)))
      throw CoreErrors.UNAUTHORIZED({ reason: 'unknown secret' });
    if (k.disabled) throw CoreErrors.UNAUTHORIZED({ reason: `key ${k.keyId} is disabled` });
    return principal(k);
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
    const k = await o.keys.get(keyId);
    if (!k) throw CoreErrors.UNAUTHORIZED({ reason: `unknown key id ${keyId}` });
    if (k.disabled) throw CoreErrors.UNAUTHORIZED({ reason: `key ${keyId} is disabled` });
    const secret = decryptSecret(o.masterKey, k.secretCiphertext, k.keyId);

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
    const signer = new SignatureV4({
      credentials: { accessKeyId: keyId, secretAccessKey: secret },
      region,
      service,
      sha256: Sha256,
      // S3 signs the path as sent; every other AWS service double-encodes it.
      uriEscapePath: service !== 's3',
      applyChecksum: false,
    });
    const signed = await signer.sign(request, { signingDate: new Date(t), signableHeaders: new Set(names) });
    const expected = /Signature=([0-9a-f]{64})/.exec(
      String(signed.headers.authorization ?? signed.headers.Authorization),
    )?.[1];
    if (!expected || !safeEqual(expected, signature)) {
      throw SecurityErrors.SIGNATURE_MISMATCH({ reason: 'signature computed for this request differs' });
    }
    return principal(k);
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
      throw SecurityErrors.REQUEST_EXPIRED({ date: amzDate, skewMin: 0 });
    if (t - o.clock.now() > maxSkew)
      throw SecurityErrors.REQUEST_EXPIRED({ date: amzDate, skewMin: maxSkew / 60_000 });
    const k = await o.keys.get(keyId);
    if (!k || k.disabled) throw CoreErrors.UNAUTHORIZED({ reason: `unknown or disabled key id ${keyId}` });
    const secret = decryptSecret(o.masterKey, k.secretCiphertext, k.keyId);
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
    const signer = new SignatureV4({
      credentials: { accessKeyId: keyId, secretAccessKey: secret },
      region,
      service,
      sha256: Sha256,
      uriEscapePath: service !== 's3',
      applyChecksum: false,
    });
    const host = headers.host ?? header(req.headers, 'host') ?? 'localhost';
    const signed = await signer.presign(
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
    if (!safeEqual(expected, one('X-Amz-Signature') ?? ''))
      throw SecurityErrors.SIGNATURE_MISMATCH({ reason: 'presigned signature differs' });
    return principal(k);
  }

  return async (req) => {
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
}
