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
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, posix, relative, sep } from 'node:path';
import { finished } from 'node:stream/promises';
import { deflateRawSync } from 'node:zlib';
import { unzipSync, Zip, ZipDeflate, ZipPassThrough, type Zippable, zipSync } from 'fflate';
import * as tar from 'tar';
import { DeployErrors } from '../errors.ts';
import { parseJsonc } from './tsconfig.ts';

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

/** Never packaged, wherever they are: VCS and tool state, caches, compiled Python. */
const JUNK = /(^|\/)(\.git|\.nimbus|\.DS_Store|__pycache__|\.cache)(\/|$)|\.pyc$/;
/** Never packaged: Serverless' own output at the root, and npm's links to package binaries. */
const TOOL_DIRS = /^(\.serverless|\.serverless_plugins)(\/|$)|(^|\/)node_modules\/\.bin(\/|$)/;

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const PACKAGE_NAME = /^(@[A-Za-z0-9._~-][\w.~-]*\/)?[A-Za-z0-9._~-][\w.~-]*$/;

async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  try {
    const v = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

const runtimeDeps = (p: PackageJson): string[] =>
  Object.keys({ ...p.dependencies, ...p.optionalDependencies, ...p.peerDependencies }).filter(
    (n) => PACKAGE_NAME.test(n) && !n.split('/').includes('..'),
  );

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where Node finds package `name` required from `from` (the project, `''`, or a package folder such
 * as `node_modules/a/node_modules/b`): `<d>/node_modules/<name>` for `from` and each of its parent
 * folders that is not itself a node_modules folder, nearest first.
 */
function resolvePackage(root: string, name: string, from: string): string | undefined {
  let d = from;
  for (;;) {
    if (posix.basename(d) !== 'node_modules') {
      const c = d === '' ? `node_modules/${name}` : `${d}/node_modules/${name}`;
      if (isDir(join(root, c))) return c;
    }
    if (d === '') return undefined;
    const i = d.lastIndexOf('/');
    d = i < 0 ? '' : d.slice(0, i);
  }
}

/** The package folders (relative POSIX paths) the packages `names` need, themselves included. */
async function reachable(root: string, names: readonly string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue: [string, string][] = names.map((n) => [n, '']);
  while (queue.length > 0) {
    const [name, from] = queue.pop()!;
    const at = resolvePackage(root, name, from);
    if (at === undefined || seen.has(at)) continue;
    seen.add(at);
    const pkg = await readPackageJson(join(root, at));
    if (pkg) for (const d of runtimeDeps(pkg)) queue.push([d, at]);
  }
  return seen;
}

/** Packages a root tsconfig.json / jsconfig.json `extends` (esbuild reads them while bundling). */
async function tsconfigPackages(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    let ext: unknown;
    try {
      ext = (parseJsonc(await readFile(join(root, name), 'utf8')) as { extends?: unknown }).extends;
    } catch {
      continue;
    }
    for (const e of Array.isArray(ext) ? ext : [ext]) {
      if (typeof e !== 'string' || e.startsWith('.') || e.startsWith('/')) continue;
      const parts = e.split('/');
      out.push(e.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return out.filter((n) => PACKAGE_NAME.test(n));
}

/**
 * The node_modules package folders (relative POSIX paths) only devDependencies reach: what
 * `serverless deploy` leaves out of a package (`package.excludeDevDependencies`, on by default).
 * The graph is walked as Node resolves, from package.json `dependencies` (with optional and peer
 * ones, and what a root tsconfig `extends`) and from `devDependencies`, through each package's own
 * package.json. Packages neither side reaches (extraneous) stay, as in Serverless.
 */
export async function devOnlyPackages(root: string): Promise<Set<string>> {
  const pkg = await readPackageJson(root);
  if (!pkg || !isDir(join(root, 'node_modules'))) return new Set();
  const prod = await reachable(root, [...runtimeDeps(pkg), ...(await tsconfigPackages(root))]);
  const dev = await reachable(
    root,
    Object.keys(pkg.devDependencies ?? {}).filter((n) => PACKAGE_NAME.test(n)),
  );
  return new Set([...dev].filter((d) => !prod.has(d)));
}

export interface ListProjectOptions {
  /** Leave out node_modules packages only devDependencies reach (default true, as Serverless). */
  readonly excludeDevDependencies?: boolean | undefined;
  /** Folders (relative POSIX paths) not to walk into. */
  readonly skipDir?: ((rel: string) => boolean) | undefined;
}

/**
 * The files of a project a package may hold (relative POSIX paths, sorted; links skipped): not
 * VCS/tool state (.git, .nimbus, .serverless, caches, node_modules/.bin) and, unless told
 * otherwise, not the packages only devDependencies need — those folders are never walked, so a
 * project with `serverless` as a devDependency lists its own files, not the tool's 20 000.
 */
export async function listProjectFiles(dir: string, opts: ListProjectOptions = {}): Promise<string[]> {
  const dev = opts.excludeDevDependencies === false ? new Set<string>() : await devOnlyPackages(dir);
  return listFiles(
    dir,
    (rel, isDirectory) =>
      JUNK.test(rel) ||
      TOOL_DIRS.test(rel) ||
      (isDirectory && (dev.has(rel) || (opts.skipDir?.(rel) ?? false))),
  );
}

/** Serverless' default excludes (lib/plugins/package/lib/package-service.js). */
export const DEFAULT_PACKAGE_EXCLUDES: readonly string[] = [
  '.git/**',
  '.gitignore',
  '.DS_Store',
  'npm-debug.log',
  'yarn-*.log',
  '.serverless/**',
  '.serverless_plugins/**',
];

/**
 * The ordered pattern list of a package as Serverless builds it: every exclude (the defaults, then
 * legacy `exclude` entries) negated, then the includes — legacy `include` and `patterns`, the
 * service's then the function's — each list without repeats. Applied in order, the last pattern
 * matching a file decides; `!` excludes.
 */
export function packagePatterns(p: { exclude?: readonly string[]; include?: readonly string[] }): string[] {
  const once = (xs: readonly string[]) => [...new Set(xs)];
  const excluded = once([...DEFAULT_PACKAGE_EXCLUDES, ...(p.exclude ?? [])]).map((x) =>
    x.startsWith('!') ? x.slice(1) : `!${x}`,
  );
  return [...excluded, ...once(p.include ?? [])];
}

/**
 * A leading dot of a path segment, hidden from the glob matcher. Serverless matches with
 * `dot: true` (`*` and `**` match dotfiles); Node's path.matchesGlob has no such option, and no
 * glob library is installed, so segments' leading dots become a private-use character on both
 * sides: `**` then matches `.env`, and `.env` or `.*` still match it as written.
 */
const DOT = '\uE000';
const undot = (s: string) => s.replace(/(^|[/{,])\./g, `$1${DOT}`);

/** Whether a project-relative POSIX path matches a Serverless package glob (micromatch, dot: true). */
export function globMatch(file: string, pattern: string): boolean {
  return posix.matchesGlob(undot(file), undot(pattern.replace(/^\.\//, '')));
}

/** The files a pattern list keeps: all to start with (Serverless globs `**`), then each in order. */
export function selectFiles(files: readonly string[], patterns: readonly string[]): string[] {
  const keep = new Map(files.map((f) => [f, true]));
  for (const p of patterns) {
    const include = !p.startsWith('!');
    const glob = include ? p : p.slice(1);
    for (const f of files) if (keep.get(f) !== include && globMatch(f, glob)) keep.set(f, include);
  }
  return files.filter((f) => keep.get(f));
}

/** `a/b/*.js` → `a/b/`: the part of a glob before its first wildcard, up to a slash. */
function literalPrefix(glob: string): string {
  const meta = glob.search(/[*?[{}()!+@\\]/);
  if (meta < 0) return glob;
  return glob.slice(0, glob.lastIndexOf('/', meta) + 1);
}

/**
 * Whether a pattern list leaves out every file under folder `rel`, so the folder need not be
 * walked: some `!X/**` whose X matches the folder, and no include after it that could reach in.
 * Conservative: anything it cannot tell counts as reaching in.
 */
export function patternsSkipDir(patterns: readonly string[], rel: string): boolean {
  let skipped = false;
  for (const p of patterns) {
    const include = !p.startsWith('!');
    const glob = (include ? p : p.slice(1)).replace(/^\.\//, '');
    if (!include) {
      const m = /^(.*)\/\*\*(\/\*)?$/.exec(glob);
      // `!X/**` leaves out everything under a folder X matches: `rel` or one of its parents.
      const parts = rel.split('/');
      if (m && parts.some((_, i) => globMatch(parts.slice(0, i + 1).join('/'), m[1]!))) skipped = true;
    } else if (skipped) {
      const lp = literalPrefix(glob);
      if (lp.startsWith(`${rel}/`) || `${rel}/`.startsWith(lp)) skipped = false;
    }
  }
  return skipped;
}

/** Zips a directory deterministically (in memory). `exclude` adds names to skip. */
export async function zipDirectory(dir: string, opts: { exclude?: string[] } = {}): Promise<Uint8Array> {
  const extra = new Set(opts.exclude ?? []);
  const files = (await listProjectFiles(dir)).filter((f) => !extra.has(f));
  const z: Zippable = {};
  for (const f of files) z[f] = [new Uint8Array(await readFile(join(dir, f))), { mtime: FIXED_MTIME }];
  return zipSync(z, { level: 6, mtime: FIXED_MTIME });
}

/**
 * A zip entry deflated in one go by Node's zlib (native: fflate's streaming Deflate allocates
 * ~200 KiB per entry, which a 20 000-file project pays 20 000 times). The raw bytes go through
 * `push` (fflate takes the CRC and size from them); the compressed ones are set just before.
 */
class DeflatedEntry extends ZipPassThrough {
  deflated: Uint8Array<ArrayBuffer> | undefined;
  constructor(filename: string) {
    super(filename);
    this.compression = 8;
  }
  protected override process(_raw: Uint8Array, final: boolean): void {
    if (!final) return;
    const d = this.deflated ?? new Uint8Array(0);
    this.deflated = undefined; // the archive keeps each entry object: not its bytes
    this.ondata(null, d, true);
  }
}

/** Files up to this size are deflated whole by zlib; larger ones stream through fflate. */
const WHOLE_FILE_MAX = 16 << 20;

/**
 * Zips `files` of `dir` (relative POSIX paths) into the file `out`, streamed: the archive is never
 * in memory, only one file (up to 16 MiB; larger ones in 1 MiB chunks). Deterministic (sorted
 * entries, fixed times).
 */
export async function zipToFile(
  dir: string,
  files: readonly string[],
  out: string,
): Promise<{ bytes: number; files: number }> {
  const ws = createWriteStream(out);
  let bytes = 0;
  let failed: Error | undefined;
  const zip = new Zip((err, chunk, final) => {
    if (err) {
      failed ??= err;
      return;
    }
    bytes += chunk.byteLength;
    ws.write(chunk);
    if (final) ws.end();
  });
  const drained = () =>
    ws.writableNeedDrain ? new Promise<void>((r) => ws.once('drain', () => r())) : undefined;
  try {
    for (const f of [...files].sort()) {
      const abs = join(dir, f);
      if (statSync(abs).size <= WHOLE_FILE_MAX) {
        // Sync: one small read after another is ~20x faster than awaiting each (no thread hop).
        const raw = new Uint8Array(readFileSync(abs));
        const entry = new DeflatedEntry(f);
        entry.mtime = FIXED_MTIME;
        zip.add(entry);
        entry.deflated = deflateRawSync(raw, { level: 6 }) as Uint8Array<ArrayBuffer>;
        entry.push(raw, true);
      } else {
        const entry = new ZipDeflate(f, { level: 6 });
        entry.mtime = FIXED_MTIME;
        zip.add(entry);
        for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) {
          entry.push(chunk as Buffer, false);
          await drained();
        }
        entry.push(new Uint8Array(0), true);
      }
      if (failed) throw failed;
      await drained();
    }
    zip.end();
    await finished(ws);
  } catch (e) {
    ws.destroy();
    throw e;
  }
  if (failed) throw failed;
  return { bytes, files: files.length };
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
