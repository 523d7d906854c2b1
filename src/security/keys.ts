/** API keys: a public key id and a random secret, stored hashed (Bearer) and encrypted (SigV4). */
import { hash, randomBytes, randomInt } from 'node:crypto';
import type { Clock, KeyRepo } from '../core/ports.ts';
import type { ApiKeyRecord, KeyKind, PolicyRef, TenantId } from '../core/types.ts';
import { encryptSecret } from './secrets.ts';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function generateKeyId(): string {
  let s = 'NK';
  for (let i = 0; i < 18; i++) s += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return s;
}

/** 40 base62 characters ≈ 238 bits of entropy. */
export function generateSecret(): string {
  const bytes = randomBytes(40);
  let s = '';
  for (const b of bytes) s += SECRET_ALPHABET[b % 62];
  // b % 62 has a slight bias; 40 chars still leave > 230 bits, far beyond guessing range.
  return s;
}

/**
 * sha256 is enough here: secrets are ~238-bit random strings, not passwords, so there is nothing
 * for a slow KDF to protect against, and Bearer lookups stay fast on the request path.
 */
export function hashSecret(secret: string): string {
  // One-shot: no Hash object per request (a bearer secret is hashed on every API call).
  return hash('sha256', secret, 'hex');
}

export interface NewKey {
  tenant: TenantId;
  policies: readonly PolicyRef[];
  description: string;
  kind?: KeyKind;
  /** Epoch ms; undefined = never expires. */
  expiresAt?: number | undefined;
  keyId?: string;
  secret?: string;
}

export async function createApiKey(
  keys: KeyRepo,
  masterKey: Buffer,
  o: NewKey,
  clock: Clock,
): Promise<{ record: ApiKeyRecord; secret: string }> {
  const keyId = o.keyId ?? generateKeyId();
  const secret = o.secret ?? generateSecret();
  const record: ApiKeyRecord = {
    tenant: o.tenant,
    keyId,
    kind: o.kind ?? 'user',
    secretHash: hashSecret(secret),
    secretCiphertext: encryptSecret(masterKey, secret, keyId),
    policies: o.policies,
    description: o.description,
    createdAt: clock.now(),
    expiresAt: o.expiresAt,
    disabled: false,
  };
  await keys.create(record);
  return { record, secret };
}

/**
 * Rotation: a new current secret; the old one stays valid for `graceMs` (two active secrets at
 * once), so clients can be switched over without an outage. `graceMs` 0 ends the old one now.
 */
export function rotatedKey(
  k: ApiKeyRecord,
  masterKey: Buffer,
  graceMs: number,
  clock: Clock,
  secret = generateSecret(),
): { record: ApiKeyRecord; secret: string } {
  const record: ApiKeyRecord = {
    ...k,
    secretHash: hashSecret(secret),
    secretCiphertext: encryptSecret(masterKey, secret, k.keyId),
    ...(graceMs > 0
      ? {
          prevSecretHash: k.secretHash,
          prevSecretCiphertext: k.secretCiphertext,
          prevExpiresAt: clock.now() + graceMs,
        }
      : { prevSecretHash: undefined, prevSecretCiphertext: undefined, prevExpiresAt: undefined }),
  };
  return { record, secret };
}
