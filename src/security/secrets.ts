/**
 * Secrets at rest: a 32-byte master key (config or `<dataDir>/master.key`, 0600) and AES-256-GCM
 * encryption of individual secrets (random IV, auth tag, key id as associated data so a
 * ciphertext cannot be moved to another key record).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecurityErrors } from './errors.ts';

export async function loadOrCreateMasterKey(o: {
  dataDir: string;
  masterKeyBase64?: string | undefined;
}): Promise<Buffer> {
  if (o.masterKeyBase64 !== undefined) {
    const k = Buffer.from(o.masterKeyBase64, 'base64');
    if (k.length !== 32)
      throw SecurityErrors.MASTER_KEY_INVALID({ reason: 'NIMBUS_MASTER_KEY must be 32 bytes, base64' });
    return k;
  }
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 });
  const file = join(o.dataDir, 'master.key');
  try {
    const k = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (k.length !== 32)
      throw SecurityErrors.MASTER_KEY_INVALID({ reason: `${file} does not hold a 32-byte base64 key` });
    return k;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const k = randomBytes(32);
  // 'wx' + mode at open: the file never exists with looser permissions, and two racing starts
  // cannot both write a key.
  const fh = await open(file, 'wx', 0o600).catch(async (e: NodeJS.ErrnoException) => {
    if (e.code === 'EEXIST') return undefined;
    throw e;
  });
  if (!fh) return loadOrCreateMasterKey(o);
  try {
    await fh.writeFile(`${k.toString('base64')}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return k;
}

const b64u = (b: Buffer) => b.toString('base64url');

export function encryptSecret(masterKey: Buffer, plaintext: string, aad = ''): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', masterKey, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return `v1.${b64u(iv)}.${b64u(c.getAuthTag())}.${b64u(ct)}`;
}

export function decryptSecret(masterKey: Buffer, ciphertext: string, aad = ''): string {
  const [v, iv, tag, ct] = ciphertext.split('.');
  if (v !== 'v1' || !iv || !tag || ct === undefined)
    throw SecurityErrors.SECRET_CORRUPT({ reason: 'unknown format' });
  try {
    const d = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  } catch {
    throw SecurityErrors.SECRET_CORRUPT({
      reason: 'authentication failed (wrong master key or tampered data)',
    });
  }
}
