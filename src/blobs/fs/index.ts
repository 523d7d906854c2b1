/**
 * Local-directory BlobStore: content-addressed `<dir>/<aa>/<sha256>`, atomic writes (temp file in
 * the same directory, fsync, rename) so a crash never leaves a half-written blob under its name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreErrors } from '../../core/errors.ts';
import type { BlobStore } from '../../core/ports.ts';

const SHA = /^[0-9a-f]{64}$/;

export function createFsBlobStore(dir: string): BlobStore {
  const pathOf = (sha: string) => {
    if (!SHA.test(sha))
      throw CoreErrors.VALIDATION({
        reason: `blob id must be a sha256 hex digest, got ${JSON.stringify(sha)}`,
      });
    return join(dir, sha.slice(0, 2), sha);
  };
  return {
    async put(data) {
      const sha256 = createHash('sha256').update(data).digest('hex');
      const dest = pathOf(sha256);
      const exists = await stat(dest).then(
        (s) => s.size === data.byteLength,
        () => false,
      );
      if (!exists) {
        await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
        const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
        const fh = await open(tmp, 'wx', 0o600);
        try {
          await fh.writeFile(data);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, dest);
      }
      return { sha256, size: data.byteLength };
    },
    async get(sha256) {
      try {
        return new Uint8Array(await readFile(pathOf(sha256)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT')
          throw CoreErrors.NOT_FOUND({ what: `blob ${sha256}` });
        throw e;
      }
    },
    async has(sha256) {
      return stat(pathOf(sha256)).then(
        () => true,
        () => false,
      );
    },
    async delete(sha256) {
      await rm(pathOf(sha256), { force: true });
    },
  };
}
