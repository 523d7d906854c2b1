/**
 * Archives in and out: safe unpacking of user zips/tarballs (no absolute paths, no `..`, no
 * links, size and file-count limits) and deterministic zips (sorted entries, fixed times), so the
 * same code always yields the same artifact sha256.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { unzipSync, type Zippable, zipSync } from 'fflate';
import * as tar from 'tar';
import { DeployErrors } from '../errors.ts';

export interface UnpackLimits {
  readonly maxUnpackedBytes?: number;
  readonly maxFiles?: number;
}
const DEFAULT_MAX_BYTES = 250 * 1024 * 1024;
const DEFAULT_MAX_FILES = 20_000;
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

/** Validates a member path and returns it normalized (POSIX, relative), or throws. */
function safeRel(name: string): string {
  const n = normalize(name.replace(/\\/g, '/')).replace(/^\.\/+/, '');
  if (
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name) ||
    n === '..' ||
    n.startsWith(`..${sep}`) ||
    n.includes(`${sep}..${sep}`)
  ) {
    throw DeployErrors.BAD_ARCHIVE({ reason: `entry ${JSON.stringify(name)} points outside the code root` });
  }
  return n;
}

export async function unpackZip(zip: Uint8Array, dest: string, limits: UnpackLimits = {}): Promise<void> {
  const maxBytes = limits.maxUnpackedBytes ?? DEFAULT_MAX_BYTES;
  const maxFiles = limits.maxFiles ?? DEFAULT_MAX_FILES;
  let files = 0;
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter(f) {
        files++;
        total += f.originalSize;
        if (files > maxFiles) throw DeployErrors.BAD_ARCHIVE({ reason: `more than ${maxFiles} files` });
        if (total > maxBytes) throw DeployErrors.ARCHIVE_TOO_LARGE({ limit: maxBytes });
        return true;
      },
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('NIMBUS_ERR_')) throw e;
    throw DeployErrors.BAD_ARCHIVE({ reason: `not a valid zip (${(e as Error).message})` });
  }
  let written = 0;
  for (const [name, data] of Object.entries(entries)) {
    const rel = safeRel(name);
    written += data.byteLength;
    if (written > maxBytes) throw DeployErrors.ARCHIVE_TOO_LARGE({ limit: maxBytes });
    const out = join(dest, rel);
    if (name.endsWith('/')) {
      await mkdir(out, { recursive: true });
      continue;
    }
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, data);
  }
}

export async function unpackTar(data: Uint8Array, dest: string, limits: UnpackLimits = {}): Promise<void> {
  const maxBytes = limits.maxUnpackedBytes ?? DEFAULT_MAX_BYTES;
  const maxFiles = limits.maxFiles ?? DEFAULT_MAX_FILES;
  let files = 0;
  let total = 0;
  let problem: Error | undefined;
  await mkdir(dest, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const x = tar.x({
      cwd: dest,
      strict: true,
      preserveOwner: false,
      filter: (path, entry) => {
        const e = entry as { type?: string; size?: number };
        try {
          safeRel(path);
        } catch (err) {
          problem ??= err as Error;
          return false;
        }
        if (e.type === 'SymbolicLink' || e.type === 'Link') {
          problem ??= DeployErrors.BAD_ARCHIVE({ reason: `links are not allowed (${path})` });
          return false;
        }
        files++;
        total += e.size ?? 0;
        if (files > maxFiles) problem ??= DeployErrors.BAD_ARCHIVE({ reason: `more than ${maxFiles} files` });
        if (total > maxBytes) problem ??= DeployErrors.ARCHIVE_TOO_LARGE({ limit: maxBytes });
        return problem === undefined;
      },
    });
    x.on('error', (e: Error) =>
      reject(DeployErrors.BAD_ARCHIVE({ reason: `not a valid tar archive (${e.message})` })),
    );
    x.on('close', () => resolve());
    x.end(Buffer.from(data));
  });
  if (problem) throw problem;
}

/** Lists files under dir (relative POSIX paths, sorted), skipping excluded names and links. */
export async function listFiles(
  dir: string,
  exclude: (rel: string, isDir: boolean) => boolean,
): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    const ents = await readdir(d, { withFileTypes: true });
    for (const e of ents) {
      const abs = join(d, e.name);
      const rel = relative(dir, abs).split(sep).join('/');
      if (e.isSymbolicLink()) {
        // Follow links only when they stay inside the root (npm workspaces use them).
        const st = await lstat(abs);
        if (!st.isSymbolicLink()) continue;
        continue;
      }
      if (exclude(rel, e.isDirectory())) continue;
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push(rel);
    }
  }
  await walk(dir);
  return out.sort();
}

const JUNK = /(^|\/)(\.git|\.nimbus|\.DS_Store|__pycache__|\.cache)(\/|$)|\.pyc$/;

/** Zips a directory deterministically. `exclude` adds names to skip. */
export async function zipDirectory(dir: string, opts: { exclude?: string[] } = {}): Promise<Uint8Array> {
  const extra = new Set(opts.exclude ?? []);
  const files = await listFiles(dir, (rel) => JUNK.test(rel) || extra.has(rel));
  const z: Zippable = {};
  for (const f of files) z[f] = [new Uint8Array(await readFile(join(dir, f))), { mtime: FIXED_MTIME }];
  return zipSync(z, { level: 6, mtime: FIXED_MTIME });
}

/** Zips an in-memory file map deterministically. */
export function zipFiles(files: Record<string, Uint8Array>): Uint8Array {
  const z: Zippable = {};
  for (const name of Object.keys(files).sort()) z[name] = [files[name]!, { mtime: FIXED_MTIME }];
  return zipSync(z, { level: 6, mtime: FIXED_MTIME });
}

/** Unpacks an artifact (a zip this module produced, or any safe zip) into destDir. */
export function unpackArtifact(zip: Uint8Array, destDir: string): Promise<void> {
  return unpackZip(zip, destDir);
}

/**
 * Installs a project's npm dependencies when it declares some and has no node_modules yet
 * (examples keep only package.json + lock in git).
 */
export async function ensureExampleDeps(dir: string): Promise<void> {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile) || existsSync(join(dir, 'node_modules'))) return;
  const pkg = JSON.parse(await readFile(pkgFile, 'utf8')) as { dependencies?: Record<string, string> };
  if (!pkg.dependencies || Object.keys(pkg.dependencies).length === 0) return;
  await new Promise<void>((resolve, reject) => {
    const p = spawn('npm', ['install', '--no-audit', '--no-fund', '--omit=dev'], {
      cwd: dir,
      stdio: 'ignore',
    });
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm install in ${dir} exited with ${code}`)),
    );
  });
}
