/**
 * V8 compile cache for large Node bundles. Compiling a multi-megabyte bundle is a visible part of
 * a cold start; Node's module compile cache skips it when the cache matches the source.
 *
 * Sharing rules: a cache belongs to one function's code version in one tenant, and is produced by
 * an instance of that same code (the first cold start compiles into its private /tmp and returns
 * the files with `ready`). Later instances get a read-only copy beside their code. A function can
 * therefore only ever affect the cache its own instances read; V8 also rejects a cache whose source
 * hash or flags differ. Small bundles skip all of it: below MIN_ENTRY_BYTES the copy costs more
 * than it saves.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { InstanceSpec } from '../../core/ports.ts';
import { linkTree } from './link-tree.ts';

/** Entry modules smaller than this are not worth a cache. */
export const MIN_ENTRY_BYTES = 256 * 1024;
/** Where a consumer finds the cache, relative to the code root. */
export const CACHE_DIR = '.nimbus-v8cache';
const MAX_FILES = 2_000;

export interface CachePlan {
  /** What the harness gets in `init.compileCache`. */
  readonly init: { produce: true } | { dir: string };
  /** Called once the instance is ready (with the produced files) or failed. */
  done(files: readonly [string, string][] | undefined): void;
}

export class CompileCaches {
  readonly #root: string;
  readonly #big = new Map<string, Promise<boolean>>();
  readonly #producing = new Set<string>();

  constructor(root: string) {
    this.#root = root;
  }

  /** Decides, for one instance about to be specialized, whether it produces or consumes a cache. */
  async plan(spec: InstanceSpec, slot: string): Promise<CachePlan | undefined> {
    if (!(await this.#isBig(spec))) return undefined;
    const key = createHash('sha256')
      .update(`${spec.tenant}\0${spec.functionName}\0${spec.codeDir}`)
      .digest('hex')
      .slice(0, 32);
    const dir = join(this.#root, key);
    if (existsSync(join(dir, '.complete'))) {
      try {
        await linkTree(dir, join(slot, CACHE_DIR));
        return { init: { dir: CACHE_DIR }, done: () => {} };
      } catch {
        return undefined;
      }
    }
    if (this.#producing.has(key)) return undefined;
    this.#producing.add(key);
    return {
      init: { produce: true },
      done: (files) => {
        if (!files) {
          this.#producing.delete(key);
          return;
        }
        this.#save(dir, files)
          .catch(() => {})
          .finally(() => this.#producing.delete(key));
      },
    };
  }

  #isBig(spec: InstanceSpec): Promise<boolean> {
    let p = this.#big.get(spec.codeDir);
    if (!p) {
      p = stat(join(spec.codeDir, spec.entry)).then(
        (s) => s.size >= MIN_ENTRY_BYTES,
        () => false,
      );
      this.#big.set(spec.codeDir, p);
    }
    return p;
  }

  /** Writes the files under a temporary name, then renames into place (readers see all or none). */
  async #save(dir: string, files: readonly [string, string][]): Promise<void> {
    if (files.length === 0 || files.length > MAX_FILES) return;
    const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
    try {
      for (const [rel, b64] of files) {
        const clean = normalize(rel);
        if (typeof rel !== 'string' || typeof b64 !== 'string') return;
        if (clean.startsWith('..') || clean.startsWith('/') || !/^[\w.+/-]+$/.test(clean)) return;
        const target = join(tmp, clean);
        await mkdir(dirname(target), { recursive: true, mode: 0o755 });
        await writeFile(target, Buffer.from(b64, 'base64'), { mode: 0o644 });
      }
      await writeFile(join(tmp, '.complete'), '', { mode: 0o644 });
      await mkdir(this.#root, { recursive: true, mode: 0o711 });
      await rename(tmp, dir);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
