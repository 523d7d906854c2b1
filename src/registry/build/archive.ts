/**
 * Archives in and out: safe unpacking of user zips/tarballs (no absolute paths, no `..`, no
 * links, size and file-count limits) and deterministic zips (sorted entries, fixed times), so the
 * same code always yields the same artifact sha256.
 *
 * Links are refused outright (a build follows them; the artifact would not keep them anyway): one
 * whose target leaves the code root fails with DEPLOY_PATH_OUTSIDE_ROOT, any other link with
 * DEPLOY_BAD_ARCHIVE.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, posix, relative, sep } from 'node:path';
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

/**
 * The refusal for a link entry `name` → `target`. `fromRoot`: the target is relative to the
 * archive root (tar hard links), not to the link's directory (symbolic links).
 */
function linkError(name: string, target: string, fromRoot = false): Error {
  const t = target.replace(/\\/g, '/');
  const dest = posix.normalize(posix.join(fromRoot ? '.' : posix.dirname(name), t));
  const outside = t.startsWith('/') || /^[A-Za-z]:/.test(t) || dest === '..' || dest.startsWith('../');
  const shown = `link ${name} -> ${JSON.stringify(target)}`;
  return outside
    ? DeployErrors.PATH_OUTSIDE_ROOT({ paths: `  - ${shown} in the archive` })
    : DeployErrors.BAD_ARCHIVE({ reason: `links are not allowed (${shown})` });
}

/**
 * Names of the symbolic links in a zip (Unix mode S_IFLNK in a central directory entry's external
 * attributes; the entry's data is the target). fflate does not read modes, so without this a link
 * would unpack as a small file holding its target path.
 */
export function zipLinks(zip: Uint8Array): Set<string> {
  const links = new Set<string>();
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let p = zip.length - 22; p >= Math.max(0, zip.length - 22 - 0xffff); p--) {
    if (v.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) return links;
  let count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  if ((p === 0xffffffff || count === 0xffff) && eocd >= 20 && v.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(v.getBigUint64(eocd - 12, true));
    if (z64 + 56 <= zip.length && v.getUint32(z64, true) === 0x06064b50) {
      count = Number(v.getBigUint64(z64 + 32, true));
      p = Number(v.getBigUint64(z64 + 48, true));
    }
  }
  for (let i = 0; i < count && p + 46 <= zip.length && v.getUint32(p, true) === 0x02014b50; i++) {
    const os = v.getUint16(p + 4, true) >> 8;
    const utf8 = (v.getUint16(p + 8, true) & 0x800) !== 0;
    const n = v.getUint16(p + 28, true);
    const mode = v.getUint32(p + 38, true) >>> 16;
    if ((os === 3 || os === 19) && (mode & 0o170000) === 0o120000) {
      const raw = zip.subarray(p + 46, p + 46 + n);
      links.add(utf8 ? new TextDecoder().decode(raw) : String.fromCharCode(...raw));
    }
    p += 46 + n + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return links;
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
  for (const name of zipLinks(zip)) {
    const target = entries[name];
    if (target) throw linkError(safeRel(name), new TextDecoder().decode(target));
  }
  let written = 0;
  for (const [name, data] of Object.entries(entries)) {
    const rel = safeRel(name);
    written += data.byteLength;
    if (written > maxBytes) throw DeployErrors.ARCHIVE_TOO_LARGE({ limit: maxBytes });
    const out = join(dest, rel);
    try {
      if (name.endsWith('/')) {
        await mkdir(out, { recursive: true });
        continue;
      }
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, data);
    } catch (e) {
      // `a` as a file and `a/b`, an entry named `.`, …
      throw DeployErrors.BAD_ARCHIVE({
        reason: `entry ${JSON.stringify(name)}: ${(e as { code?: string }).code ?? 'cannot be written'}`,
      });
    }
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
        const e = entry as { type?: string; size?: number; linkpath?: string };
        let rel: string;
        try {
          rel = safeRel(path);
        } catch (err) {
          problem ??= err as Error;
          return false;
        }
        if (e.type === 'SymbolicLink' || e.type === 'Link') {
          problem ??= linkError(rel, e.linkpath ?? '', e.type === 'Link');
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
