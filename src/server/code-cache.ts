/**
 * Materializes artifacts (zip blobs) as unpacked directories, once per sha256, atomically
 * (unpack to a temp dir, then rename), with concurrent cold starts of one version sharing the work.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../core/ports.ts';
import type { CodeRef } from '../core/types.ts';

export interface CodeCache {
  materialize(code: CodeRef): Promise<string>;
}

export function createCodeCache(o: {
  dir: string;
  blobs: BlobStore;
  unpack: (zip: Uint8Array, dest: string) => Promise<void>;
}): CodeCache {
  const inflight = new Map<string, Promise<string>>();
  const ready = new Set<string>();
  return {
    materialize(code) {
      const dest = join(o.dir, code.sha256);
      if (ready.has(code.sha256)) return Promise.resolve(dest);
      let p = inflight.get(code.sha256);
      if (!p) {
        p = (async () => {
          const exists = await stat(dest).then(
            () => true,
            () => false,
          );
          if (!exists) {
            const tmp = `${dest}.tmp-${process.pid}-${Date.now()}`;
            await mkdir(tmp, { recursive: true });
            try {
              await o.unpack(await o.blobs.get(code.sha256), tmp);
              await rename(tmp, dest).catch(async (e: NodeJS.ErrnoException) => {
                // Another process won the race: its copy is identical (content-addressed).
                if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
                await rm(tmp, { recursive: true, force: true });
              });
            } catch (e) {
              await rm(tmp, { recursive: true, force: true });
              throw e;
            }
          }
          ready.add(code.sha256);
          return dest;
        })().finally(() => inflight.delete(code.sha256));
        inflight.set(code.sha256, p);
      }
      return p;
    },
  };
}
