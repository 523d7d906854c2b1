/** API keys: a public key id and a random secret, stored hashed (Bearer) and encrypted (SigV4). */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Clock, KeyRepo } from '../core/ports.ts';
import type { ApiKeyRecord, ApiKeyRole, TenantId } from '../core/types.ts';
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
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export async function createApiKey(
  keys: KeyRepo,
  masterKey: Buffer,
  o: { tenant: TenantId; role: ApiKeyRole; description: string; keyId?: string; secret?: string },
  clock: Clock,
): Promise<{ record: ApiKeyRecord; secret: string }> {
  const keyId = o.keyId ?? generateKeyId();
  const secret = o.secret ?? generateSecret();
  const record: ApiKeyRecord = {
    tenant: o.tenant,
    keyId,
    secretHash: hashSecret(secret),
    secretCiphertext: encryptSecret(masterKey, secret, keyId),
    role: o.role,
    description: o.description,
    createdAt: clock.now(),
    disabled: false,
  };
  await keys.create(record);
  return { record, secret };
}
