/**
 * The local KeyProvider: a keyring of key-encryption keys (KEKs, 32 random bytes each) that wrap
 * the secrets' data keys with AES-256-GCM (associated data = the KEK id, so a wrapped key cannot be
 * relabelled as another KEK's). The keyring itself is one settings row (tenant `-`, key
 * `secrets.keyring`), sealed under the platform master key.
 *
 * A real KMS or Vault provider implements the same port: `wrap`/`unwrap` are what KMS
 * Encrypt/Decrypt (or GenerateDataKey) and Vault transit encrypt/decrypt do, `rotate` is key
 * rotation there, and the key material never leaves the KMS.
 *
 * Keys are never removed from the ring (a secret wrapped by a dropped key would be lost). The
 * settings table has no compare-and-set, so every write merges with what is stored and reads it
 * back; a write that lost a race to another node is merged and written again. Another node's new
 * key is picked up when `unwrap` meets an unknown id and by every `wrap`/`rotate`, which read the
 * row first.
 */
import { randomBytes } from 'node:crypto';
import { isNimbusError } from '../core/errors.ts';
import type { Clock, KeyProvider, SettingsRepo } from '../core/ports.ts';
import { decryptSecret, encryptSecret } from '../security/secrets.ts';
import { SecretsErrors } from './errors.ts';

export const KEYRING_TENANT = '-';
export const KEYRING_KEY = 'secrets.keyring';
const KEYRING_AAD = 'secrets.keyring';

interface Ring {
  active: string;
  keys: Record<string, { key: string; createdAt: number }>;
}

interface StoredRing {
  v: 1;
  sealed: string;
}

export interface LocalKeyProviderOptions {
  /** The platform master key (32 bytes): seals the keyring. */
  readonly masterKey: Buffer;
  readonly settings: SettingsRepo;
  readonly clock: Pick<Clock, 'now'>;
}

const newKekId = () => randomBytes(6).toString('hex');

export async function createLocalKeyProvider(o: LocalKeyProviderOptions): Promise<KeyProvider> {
  let ring: Ring | undefined;
  /** Decoded KEKs by id (never logged). */
  const kek = new Map<string, Buffer>();

  const adopt = (r: Ring) => {
    ring = r;
    for (const [id, k] of Object.entries(r.keys)) if (!kek.has(id)) kek.set(id, Buffer.from(k.key, 'base64'));
  };

  const read = async (): Promise<Ring | undefined> => {
    const row = await o.settings.get<StoredRing>(KEYRING_TENANT, KEYRING_KEY);
    if (row === undefined) return undefined;
    if (row?.v !== 1 || typeof row.sealed !== 'string')
      throw SecretsErrors.KEYRING_CORRUPT({ reason: 'unknown format' });
    try {
      const r = JSON.parse(decryptSecret(o.masterKey, row.sealed, KEYRING_AAD)) as Ring;
      if (!r.keys[r.active]) throw new Error('the active key is missing');
      return r;
    } catch (e) {
      throw SecretsErrors.KEYRING_CORRUPT({ reason: isNimbusError(e) ? e.message : (e as Error).message });
    }
  };

  const write = (r: Ring) =>
    o.settings.put(KEYRING_TENANT, KEYRING_KEY, {
      v: 1,
      sealed: encryptSecret(o.masterKey, JSON.stringify(r), KEYRING_AAD),
    } satisfies StoredRing);

  /**
   * Applies `change` to the stored ring (or to an empty one) and persists it so that no key
   * anyone wrote is lost: merge with the stored keys, write, read back, repeat if ours is gone.
   */
  const update = async (change: (cur: Ring | undefined) => Ring): Promise<Ring> => {
    const next = change(await read());
    for (let attempt = 1; attempt <= 5; attempt++) {
      const cur = await read();
      const merged: Ring = { active: next.active, keys: { ...cur?.keys, ...next.keys } };
      await write(merged);
      const back = await read();
      if (back && Object.keys(merged.keys).every((id) => back.keys[id])) {
        adopt(back);
        return back;
      }
    }
    throw SecretsErrors.KEYRING_CONFLICT({ attempts: 5 });
  };

  const fresh = (cur: Ring | undefined): Ring => {
    const id = newKekId();
    return {
      active: id,
      keys: {
        ...cur?.keys,
        [id]: { key: randomBytes(32).toString('base64'), createdAt: o.clock.now() },
      },
    };
  };

  const refresh = async () => {
    const r = await read();
    if (r) adopt(r);
    return r;
  };

  if (!(await refresh())) await update((cur) => cur ?? fresh(undefined));

  const keyFor = async (id: string): Promise<Buffer> => {
    let k = kek.get(id);
    if (!k) {
      await refresh(); // another node may have rotated
      k = kek.get(id);
    }
    if (!k) throw SecretsErrors.KEK_NOT_FOUND({ kekId: id });
    return k;
  };

  return {
    activeKeyId: () => ring!.active,
    async wrap(dataKey) {
      // A row that vanished is written again: a key that is not persisted must not wrap anything.
      const r = (await refresh()) ?? (await update(() => ring!));
      const id = r.active;
      return { wrapped: encryptSecret(await keyFor(id), dataKey.toString('base64'), id), kekId: id };
    },
    async unwrap(wrapped, kekId) {
      const k = await keyFor(kekId);
      try {
        return Buffer.from(decryptSecret(k, wrapped, kekId), 'base64');
      } catch {
        throw SecretsErrors.CORRUPT({
          name: '(data key)',
          reason: `the data key does not open with key-encryption key ${kekId}`,
        });
      }
    },
    async rotate() {
      return (await update((cur) => fresh(cur))).active;
    },
  };
}
