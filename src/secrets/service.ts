/**
 * Secrets with envelope encryption: every version of a secret gets its own random 32-byte data
 * key; the value is AES-256-GCM under it (associated data `<tenant>/<name>/<versionId>`, so a
 * ciphertext cannot be moved to another secret, tenant or version), and the data key is stored
 * wrapped by the KeyProvider. Rotating the key-encryption key re-wraps data keys only; values are
 * never re-encrypted and never leave this module except through `get`.
 *
 * Only the current version is kept (Secrets Manager's AWSCURRENT); a new value is a new version.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isNimbusError } from '../core/errors.ts';
import type { Clock, KeyProvider, SecretRepo } from '../core/ports.ts';
import type { SecretRecord, TenantId } from '../core/types.ts';
import { decryptSecret, encryptSecret } from '../security/secrets.ts';
import { SecretsErrors } from './errors.ts';

/** Secrets Manager's name charset and length. */
export const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
export const MAX_SECRET_BYTES = 65_536;
export const MAX_DESCRIPTION_CHARS = 2048;
/** Secrets Manager's ClientRequestToken, which becomes the VersionId. */
const VERSION_ID = /^[A-Za-z0-9-]{32,64}$/;

export interface SecretMetadata {
  readonly name: string;
  readonly description: string;
  readonly versionId: string;
  readonly createdAt: number;
  /** When the current version was written. */
  readonly updatedAt: number;
}

export interface SecretValue extends SecretMetadata {
  readonly value: string;
}

export interface PutOptions {
  /** `create` fails if the secret exists, `update` if it does not; default: either. */
  readonly mode?: 'create' | 'update' | 'upsert' | undefined;
  /**
   * The new version's id (Secrets Manager's ClientRequestToken). Writing the current version's id
   * again with the same value is a no-op (a retried request); with another value, a conflict.
   */
  readonly versionId?: string | undefined;
}

export interface RewrapResult {
  /** The key-encryption key everything is wrapped by now. */
  readonly kekId: string;
  readonly rewrapped: number;
  /** Secrets that got a new version while being re-wrapped (re-read and re-wrapped, or already new). */
  readonly raced: number;
  /** Secrets whose data key could not be unwrapped (left as they are). */
  readonly failed: readonly { tenant: TenantId; name: string; code: string }[];
}

export interface SecretsService {
  /** Writes a new version; the description is kept when not given. Returns metadata only. */
  put(
    tenant: TenantId,
    name: string,
    value: string,
    description?: string,
    opts?: PutOptions,
  ): Promise<SecretMetadata & { created: boolean }>;
  get(tenant: TenantId, name: string): Promise<SecretValue>;
  describe(tenant: TenantId, name: string): Promise<SecretMetadata>;
  /** Ordered by name; metadata only. */
  list(tenant: TenantId): Promise<SecretMetadata[]>;
  /** Deletes immediately (no recovery window); returns what was deleted. */
  delete(tenant: TenantId, name: string): Promise<SecretMetadata>;
  /** A new version of an existing secret. */
  rotate(tenant: TenantId, name: string, value: string): Promise<SecretMetadata>;
  /** Re-wraps every data key not wrapped by the active key-encryption key (after `keys.rotate()`). */
  rewrapAll(): Promise<RewrapResult>;
  /** Rotates the key-encryption key, then re-wraps everything under the new one. */
  rotateKeys(): Promise<RewrapResult>;
}

export interface SecretsServiceDeps {
  readonly repo: SecretRepo;
  readonly keys: KeyProvider;
  readonly clock: Pick<Clock, 'now'>;
  /** Secrets re-wrapped per page (default 100). */
  readonly pageSize?: number;
}

export function validateSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw SecretsErrors.INVALID_NAME({
      name: JSON.stringify(name.slice(0, 64)) + (name.length > 64 ? '…' : ''),
      reason:
        name.length === 0 || name.length > 512
          ? 'it must be 1-512 characters long'
          : 'it may only hold A-Z a-z 0-9 / _ + = . @ -',
    });
  }
}

function validateValue(value: unknown): asserts value is string {
  if (typeof value !== 'string')
    throw SecretsErrors.INVALID_PARAMETER({ field: 'value', reason: 'it must be a string' });
  const size = Buffer.byteLength(value, 'utf8');
  if (size > MAX_SECRET_BYTES) throw SecretsErrors.TOO_LARGE({ size, limit: MAX_SECRET_BYTES });
}

const meta = (r: SecretRecord): SecretMetadata => ({
  name: r.name,
  description: r.description,
  versionId: r.versionId,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const aad = (tenant: TenantId, name: string, versionId: string) => `${tenant}/${name}/${versionId}`;

export function createSecretsService(d: SecretsServiceDeps): SecretsService {
  const pageSize = d.pageSize ?? 100;

  const existing = async (tenant: TenantId, name: string): Promise<SecretRecord> => {
    validateSecretName(name);
    const r = await d.repo.get(tenant, name);
    if (!r) throw SecretsErrors.NOT_FOUND({ name });
    return r;
  };

  /** The plaintext of a record; any failure is SECRETS_CORRUPT naming the secret, never its bytes. */
  const open = async (r: SecretRecord): Promise<string> => {
    let dataKey: Buffer | undefined;
    try {
      dataKey = await d.keys.unwrap(r.wrappedKey, r.kekId);
      return decryptSecret(dataKey, r.ciphertext, aad(r.tenant, r.name, r.versionId));
    } catch (e) {
      if (isNimbusError(e) && e.code === SecretsErrors.codes.KEK_NOT_FOUND) throw e;
      throw SecretsErrors.CORRUPT({
        name: r.name,
        reason: dataKey
          ? 'the value does not authenticate under its data key (tampered or moved)'
          : 'its data key does not unwrap',
      });
    } finally {
      dataKey?.fill(0);
    }
  };

  const put: SecretsService['put'] = async (tenant, name, value, description, opts = {}) => {
    validateSecretName(name);
    validateValue(value);
    if (
      description !== undefined &&
      (typeof description !== 'string' || description.length > MAX_DESCRIPTION_CHARS)
    )
      throw SecretsErrors.INVALID_PARAMETER({
        field: 'description',
        reason: `it must be a string of at most ${MAX_DESCRIPTION_CHARS} characters`,
      });
    if (opts.versionId !== undefined && !VERSION_ID.test(opts.versionId))
      throw SecretsErrors.INVALID_PARAMETER({
        field: 'version id',
        reason: 'it must be 32-64 characters of A-Z a-z 0-9 -',
      });
    const cur = await d.repo.get(tenant, name);
    if (cur && opts.versionId !== undefined && cur.versionId === opts.versionId) {
      // A retried request: same version id, same value → nothing to do.
      if ((await open(cur)) !== value)
        throw SecretsErrors.VERSION_CONFLICT({ name, versionId: opts.versionId });
      return { ...meta(cur), created: false };
    }
    if (cur && opts.mode === 'create') throw SecretsErrors.ALREADY_EXISTS({ name });
    if (!cur && opts.mode === 'update') throw SecretsErrors.NOT_FOUND({ name });
    const versionId = opts.versionId ?? randomUUID();
    const dataKey = randomBytes(32);
    try {
      const ciphertext = encryptSecret(dataKey, value, aad(tenant, name, versionId));
      const { wrapped, kekId } = await d.keys.wrap(dataKey);
      const now = d.clock.now();
      const rec: SecretRecord = {
        tenant,
        name,
        description: description ?? cur?.description ?? '',
        ciphertext,
        wrappedKey: wrapped,
        kekId,
        versionId,
        createdAt: cur?.createdAt ?? now,
        updatedAt: now,
      };
      await d.repo.put(rec);
      return { ...meta(rec), created: !cur };
    } finally {
      dataKey.fill(0);
    }
  };

  const rewrapAll = async (): Promise<RewrapResult> => {
    let rewrapped = 0;
    let raced = 0;
    const failed: { tenant: TenantId; name: string; code: string }[] = [];
    const skip = new Set<string>();
    const races = new Map<string, number>();
    for (;;) {
      // Re-read each page: a rotation during the run moves the target, and records that failed
      // stay in the listing (the port has no cursor), so the page grows by their number.
      const target = d.keys.activeKeyId();
      const page = (await d.repo.listNotWrappedBy(target, pageSize + skip.size)).filter(
        (r) => !skip.has(`${r.tenant}\u0000${r.name}`),
      );
      if (page.length === 0) return { kekId: target, rewrapped, raced, failed };
      for (const r of page) {
        const id = `${r.tenant}\u0000${r.name}`;
        let dataKey: Buffer | undefined;
        try {
          dataKey = await d.keys.unwrap(r.wrappedKey, r.kekId);
          const { wrapped, kekId } = await d.keys.wrap(dataKey);
          // Conditional on the version read: a concurrent put wrote a new data key, which must
          // not be replaced by this (old) one. It is listed again if it still needs re-wrapping.
          if (await d.repo.rewrap(r.tenant, r.name, r.versionId, wrapped, kekId)) rewrapped++;
          else {
            raced++;
            // A secret rewritten under the old key again and again: left for the next run.
            const n = (races.get(id) ?? 0) + 1;
            races.set(id, n);
            if (n >= 10) {
              skip.add(id);
              failed.push({ tenant: r.tenant, name: r.name, code: SecretsErrors.codes.KEYRING_CONFLICT });
            }
          }
        } catch (e) {
          skip.add(id);
          failed.push({
            tenant: r.tenant,
            name: r.name,
            code: isNimbusError(e) ? e.code : SecretsErrors.codes.CORRUPT,
          });
        } finally {
          dataKey?.fill(0);
        }
      }
    }
  };

  return {
    put,
    async get(tenant, name) {
      const r = await existing(tenant, name);
      return { ...meta(r), value: await open(r) };
    },
    async describe(tenant, name) {
      return meta(await existing(tenant, name));
    },
    async list(tenant) {
      return (await d.repo.list(tenant)).map(meta);
    },
    async delete(tenant, name) {
      const r = await existing(tenant, name);
      if (!(await d.repo.delete(tenant, name))) throw SecretsErrors.NOT_FOUND({ name });
      return meta(r);
    },
    async rotate(tenant, name, value) {
      const { created: _, ...m } = await put(tenant, name, value, undefined, { mode: 'update' });
      return m;
    },
    rewrapAll,
    async rotateKeys() {
      await d.keys.rotate();
      return rewrapAll();
    },
  };
}
