/**
 * Bootstrap admin credentials: from config (NIMBUS_ADMIN_KEY_ID/SECRET, config wins over a stored
 * key with the same id), or generated once on first start and written to
 * `<dataDir>/admin-credentials.json` (0600). The secret is returned only when just generated, so
 * the caller prints it exactly once.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, KeyRepo } from '../core/ports.ts';
import { DEFAULT_TENANT } from '../core/types.ts';
import { createApiKey, hashSecret } from './keys.ts';

export interface AdminCredentials {
  keyId: string;
  secret?: string | undefined;
  generated: boolean;
  file: string;
}

export async function bootstrapAdmin(o: {
  keys: KeyRepo;
  masterKey: Buffer;
  dataDir: string;
  adminKeyId?: string | undefined;
  adminSecret?: string | undefined;
  endpoint: string;
  clock: Clock;
}): Promise<AdminCredentials> {
  const file = join(o.dataDir, 'admin-credentials.json');
  if (o.adminKeyId && o.adminSecret) {
    const existing = await o.keys.get(o.adminKeyId);
    if (existing && existing.secretHash !== hashSecret(o.adminSecret)) await o.keys.delete(o.adminKeyId);
    if (!existing || existing.secretHash !== hashSecret(o.adminSecret)) {
      await createApiKey(
        o.keys,
        o.masterKey,
        {
          tenant: DEFAULT_TENANT,
          policies: ['AdministratorAccess'],
          description: 'bootstrap admin (from config)',
          keyId: o.adminKeyId,
          secret: o.adminSecret,
        },
        o.clock,
      );
    }
    return { keyId: o.adminKeyId, secret: o.adminSecret, generated: false, file };
  }
  const admins = (await o.keys.list(DEFAULT_TENANT)).filter(
    (k) => k.policies.includes('AdministratorAccess') && !k.disabled,
  );
  if (admins.length > 0) return { keyId: admins[0]!.keyId, generated: false, file };
  const { record, secret } = await createApiKey(
    o.keys,
    o.masterKey,
    { tenant: DEFAULT_TENANT, policies: ['AdministratorAccess'], description: 'bootstrap admin (generated)' },
    o.clock,
  );
  const fh = await open(file, 'w', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(
      `${JSON.stringify({ keyId: record.keyId, secret, endpoint: o.endpoint, createdAt: new Date(o.clock.now()).toISOString() }, null, 2)}\n`,
    );
  } finally {
    await fh.close();
  }
  return { keyId: record.keyId, secret, generated: true, file };
}
