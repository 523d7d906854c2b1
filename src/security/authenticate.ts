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

function parseQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = decodeURIComponent((i < 0 ? part : part.slice(0, i)).replace(/\+/g, '%20'));
    const v = i < 0 ? '' : decodeURIComponent(part.slice(i + 1).replace(/\+/g, '%20'));
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

  return async (req) => {
    const auth = header(req.headers, 'authorization');
    if (!auth) throw CoreErrors.UNAUTHORIZED({ reason: 'no Authorization header' });
    if (/^Bearer\s+/i.test(auth)) return bearer(auth.replace(/^Bearer\s+/i, '').trim());
    const m = SIGV4.exec(auth);
    if (m) return sigv4(req, m);
    throw CoreErrors.UNAUTHORIZED({
      reason: 'unsupported Authorization scheme (use Bearer or AWS4-HMAC-SHA256)',
    });
  };
}
