/**
 * Build-on-demand for the web console: `console/dist` is (re)built with Vite's JS API when it is
 * missing or older than its sources, so `npm install` + `npm start` suffice on a fresh clone.
 *
 * Several platform processes (parallel e2e tests, cluster nodes on one machine) may find the
 * build stale at once: each builds into its own temporary directory and renames it into place,
 * so a reader never sees a half-written dist. Vite is a dev dependency, imported only here and
 * only when a build is needed: an install without dev dependencies serves a prebuilt dist.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNimbusError } from '../core/errors.ts';
import { ConsoleErrors } from './errors.ts';

/** The console's sources (the Vite project) in this checkout. */
export const CONSOLE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../console');

export interface ConsolePaths {
  /** The Vite project: index.html, vite.config.ts, src/. */
  readonly root: string;
  /** Where the built app lives (root/dist unless given). */
  readonly dist: string;
}

export function consolePaths(root = CONSOLE_ROOT): ConsolePaths {
  return { root, dist: join(root, 'dist') };
}

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const e of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, e)));
  return newest;
}

/**
 * Why the dist must be built, or undefined when it is current. A checkout without sources (a
 * packaged install with only dist) is never stale.
 */
export async function staleReason(p: ConsolePaths): Promise<string | undefined> {
  const index = join(p.dist, 'index.html');
  const srcDir = join(p.root, 'src');
  if (!existsSync(srcDir)) return existsSync(index) ? undefined : 'console/dist and console/src are missing';
  if (!existsSync(index)) return 'console/dist is missing';
  const built = statSync(index).mtimeMs;
  const sources = Math.max(
    await newestMtime(srcDir),
    await newestMtime(join(p.root, 'index.html')),
    await newestMtime(join(p.root, 'vite.config.ts')),
  );
  return sources > built ? 'console/dist is older than console/src' : undefined;
}

export interface BuildReport {
  readonly ms: number;
  /** Output files with their sizes (bytes) and gzip sizes, as Vite reports them. */
  readonly files: readonly { name: string; bytes: number; gzipBytes: number }[];
}

/** Builds console/dist with Vite (into a temporary directory, then renamed into place). */
export async function buildConsole(p: ConsolePaths): Promise<BuildReport> {
  const t0 = performance.now();
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch (e) {
    throw ConsoleErrors.BUILD_UNAVAILABLE({ reason: `vite is not installed (${(e as Error).message})` });
  }
  const tmp = `${p.dist}.tmp-${process.pid}-${Date.now()}`;
  const files: { name: string; bytes: number; gzipBytes: number }[] = [];
  const { gzipSync } = await import('node:zlib');
  try {
    const out = await vite.build({
      root: p.root,
      configFile: join(p.root, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: tmp, emptyOutDir: true },
    });
    for (const o of Array.isArray(out) ? out : [out]) {
      if (!('output' in o)) continue;
      for (const f of o.output) {
        const data = f.type === 'chunk' ? f.code : f.source;
        const buf = Buffer.from(data);
        files.push({ name: f.fileName, bytes: buf.byteLength, gzipBytes: gzipSync(buf).byteLength });
      }
    }
    // Replace the old dist: move it aside first (rename over a non-empty directory fails).
    const old = `${p.dist}.old-${process.pid}-${Date.now()}`;
    await rename(p.dist, old).catch(() => undefined);
    await rename(tmp, p.dist).catch(async (e: unknown) => {
      // Another process put a fresh dist in place between our two renames: keep theirs.
      if (!existsSync(join(p.dist, 'index.html'))) throw e;
    });
    await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (isNimbusError(e)) throw e;
    throw ConsoleErrors.BUILD_FAILED({ reason: (e as Error).message }, { cause: e });
  }
  return { ms: performance.now() - t0, files };
}

export interface ConsoleBuilder {
  /** Resolves once dist is current (building it at most once at a time in this process). */
  ensure(): Promise<void>;
}

export function consoleBuilder(
  p: ConsolePaths,
  log: { info(msg: string): void; error(e: unknown, msg: string): void },
): ConsoleBuilder {
  let current: Promise<void> | undefined;
  let fresh = false;
  return {
    ensure() {
      if (fresh) return Promise.resolve();
      current ??= (async () => {
        const reason = await staleReason(p);
        if (reason) {
          log.info(`building the web console (${reason}); the first page load waits for it`);
          const r = await buildConsole(p);
          const gz = r.files.reduce((a, f) => a + f.gzipBytes, 0);
          log.info(
            `web console built in ${(r.ms / 1000).toFixed(1)} s (${(gz / 1024).toFixed(0)} KiB gzipped)`,
          );
        }
        fresh = true;
      })().finally(() => {
        current = undefined;
      });
      return current.catch((e: unknown) => {
        log.error(e, 'web console build failed');
        throw e;
      });
    },
  };
}
