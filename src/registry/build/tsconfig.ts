/**
 * The tsconfig of a build, checked before esbuild sees it. Left alone, esbuild reads the nearest
 * tsconfig.json/jsconfig.json of every source directory — up through the code root's parents —
 * follows its `extends` chain (relative paths, absolute paths, node_modules packages, a package's
 * "tsconfig" field) and quotes what it read in its errors; `paths` and `baseUrl` then steer
 * imports anywhere. So the build worker picks one file itself (the nearest to the handler, never
 * above the root), walks its chain the way esbuild does (internal/resolver: parseTSConfig) and
 * refuses an `extends`, `baseUrl` or `paths` target that leaves the root. esbuild then gets
 * exactly that file (`tsconfig`), or `tsconfigRaw: '{}'` when there is none, which turns its own
 * search off. Like the rest of the worker's code it imports only node: builtins.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isInside, realOrSelf, shown } from './containment.ts';

export interface TsconfigCheck {
  /** The file esbuild should use (absolute), or undefined: none applies. */
  readonly file: string | undefined;
  /** What leaves the code root, one line each (`tsconfig.json: extends "…"`). */
  readonly outside: string[];
  /** A file of the chain that could not be parsed (then nothing of it was checked). */
  readonly invalid: string | undefined;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** JSON with comments and trailing commas, as tsconfig files are written (and esbuild accepts). */
export function parseJsonc(text: string): unknown {
  let out = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
    } else {
      if (c === '}' || c === ']') out = out.replace(/,\s*$/, '');
      out += c;
      i++;
    }
  }
  return JSON.parse(out);
}

/** The nearest tsconfig.json (or jsconfig.json) from `fromDir` up to the root, never above it. */
export function findTsconfig(root: string, fromDir: string): string | undefined {
  for (let d = fromDir; isInside(root, d); d = dirname(d)) {
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      if (isFile(join(d, name))) return join(d, name);
    }
    if (d === root) break;
  }
  return undefined;
}

/** A package's "exports" target for `subpath` ('.' or './x') under the require/default/node conditions. */
function exportsTarget(exp: unknown, subpath: string): string | undefined {
  const pick = (t: unknown): string | undefined => {
    if (typeof t === 'string') return t;
    if (Array.isArray(t)) return t.map(pick).find((x) => x !== undefined);
    if (!isRecord(t)) return undefined;
    for (const [k, v] of Object.entries(t)) {
      if (k === 'require' || k === 'default' || k === 'node') {
        const r = pick(v);
        if (r !== undefined) return r;
      }
    }
    return undefined;
  };
  if (!isRecord(exp) || !Object.keys(exp).some((k) => k.startsWith('.'))) {
    return subpath === '.' ? pick(exp) : undefined;
  }
  if (subpath in exp) return pick(exp[subpath]);
  for (const [k, v] of Object.entries(exp)) {
    const star = k.indexOf('*');
    const pre = k.slice(0, star);
    const post = k.slice(star + 1);
    if (star < 0 || !subpath.startsWith(pre) || !subpath.endsWith(post)) continue;
    return pick(v)?.replace(/\*/g, subpath.slice(pre.length, subpath.length - post.length));
  }
  return undefined;
}

interface Effective {
  /** Absolute baseUrl of the nearest config that sets one. */
  baseUrl?: string;
  /** `paths` of the nearest config that sets them, with that config's directory and name. */
  paths?: { dir: string; name: string; entries: [string, string][] };
}

/** Checks `file` and its whole `extends` chain; `root` must be a real path. */
export function checkTsconfig(root: string, file: string): TsconfigCheck {
  const outside: string[] = [];
  let invalid: string | undefined;
  const visiting = new Set<string>();
  const loaded = new Map<string, Effective>();
  const pnp = ['.pnp.data.json', '.pnp.cjs', '.pnp.js'].some((f) => isFile(join(root, f)));

  function load(f: string): Effective {
    const name = shown(root, f);
    const real = realOrSelf(f);
    if (!isInside(root, real)) {
      outside.push(`${name}: a link to a file outside the code root`);
      return {};
    }
    const cached = loaded.get(real);
    if (cached) return cached;
    if (visiting.has(real)) return {}; // a cycle: esbuild warns and stops there too
    visiting.add(real);
    try {
      const eff = loadFile(f, name, real);
      loaded.set(real, eff);
      return eff;
    } finally {
      visiting.delete(real);
    }
  }

  function loadFile(f: string, name: string, real: string): Effective {
    let cfg: unknown;
    try {
      cfg = parseJsonc(readFileSync(real, 'utf8'));
    } catch (e) {
      invalid ??= `${name}: ${(e as Error).message}`;
      return {};
    }
    if (!isRecord(cfg)) return {};
    const dir = dirname(f);
    // Later entries of an `extends` array override earlier ones; the file itself overrides all.
    let merged: Effective = {};
    const ext =
      typeof cfg.extends === 'string' ? [cfg.extends] : Array.isArray(cfg.extends) ? cfg.extends : [];
    for (const e of ext) {
      if (typeof e !== 'string') continue;
      const base = extendsOf(name, dir, e);
      merged = {
        ...merged,
        ...(base.baseUrl ? { baseUrl: base.baseUrl } : {}),
        ...(base.paths ? { paths: base.paths } : {}),
      };
    }
    const co = isRecord(cfg.compilerOptions) ? cfg.compilerOptions : {};
    if (typeof co.baseUrl === 'string') {
      const b = resolve(dir, co.baseUrl);
      if (isInside(root, b)) merged.baseUrl = b;
      else outside.push(`${name}: compilerOptions.baseUrl ${JSON.stringify(co.baseUrl)}`);
    }
    if (isRecord(co.paths)) {
      const entries: [string, string][] = [];
      for (const [key, targets] of Object.entries(co.paths)) {
        if (!Array.isArray(targets)) continue;
        for (const t of targets) if (typeof t === 'string') entries.push([key, t]);
      }
      merged.paths = { dir, name, entries };
    }
    return merged;
  }

  /** Follows one `extends` entry of the config `name` in `dir`. */
  function extendsOf(name: string, dir: string, e: string): Effective {
    const refuse = (why = ''): Effective => {
      outside.push(`${name}: extends ${JSON.stringify(e)}${why}`);
      return {};
    };
    const relativeOrAbs =
      e === '.' || e === '..' || e.startsWith('./') || e.startsWith('../') || isAbsolute(e);
    if (relativeOrAbs) {
      const target = resolve(dir, e === '.' || e === '..' ? `${e}/tsconfig.json` : e);
      if (!isInside(root, target)) return refuse();
      const hit = [target, ...(target.endsWith('.json') ? [] : [`${target}.json`])].find(isFile);
      return hit ? load(hit) : {}; // missing: esbuild only warns
    }
    if (pnp) return refuse(' (a package resolved through Yarn PnP, which the build cannot confine)');
    // A package: node_modules of this directory and of every parent, like esbuild — which does
    // not stop at the code root; a hit above it is refused.
    const seg = e.split('/');
    const pkgName = e.startsWith('@') ? seg.slice(0, 2).join('/') : (seg[0] ?? e);
    const subpath = `.${e.slice(pkgName.length)}`;
    for (let cur = dir; ; cur = dirname(cur)) {
      if (basename(cur) !== 'node_modules') {
        const pkgDir = join(cur, 'node_modules', pkgName);
        let direct = join(cur, 'node_modules', e);
        const candidates: string[] = [];
        try {
          const pj: unknown = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
          if (isRecord(pj)) {
            if (typeof pj.tsconfig === 'string') direct = resolve(pkgDir, pj.tsconfig);
            const t = exportsTarget(pj.exports, subpath);
            if (t !== undefined) candidates.push(join(pkgDir, t));
          }
        } catch {
          // no (readable) package.json: esbuild tries the plain paths below
        }
        candidates.push(join(direct, 'tsconfig.json'), direct, `${direct}.json`);
        const hits = candidates.filter(isFile);
        if (hits.length > 0) {
          if (!isInside(root, cur) || hits.some((h) => !isInside(root, h))) return refuse();
          // esbuild takes the first hit; the others are checked too, in case our reading of
          // "exports" differs from esbuild's. Only the first one's settings count.
          const first = load(hits[0]!);
          for (const h of hits.slice(1)) load(h);
          return first;
        }
      }
      const up = dirname(cur);
      if (up === cur) return {}; // nowhere: esbuild warns and goes on without it
    }
  }

  if (!isFile(file)) return { file: undefined, outside, invalid };
  const eff = load(file);
  if (eff.paths) {
    const base = eff.baseUrl ?? eff.paths.dir;
    for (const [key, target] of eff.paths.entries) {
      // A `*` stands for what the import writes after the prefix; the import itself is checked
      // when it resolves. Here: the fixed part of the target must stay inside.
      const p = resolve(base, target.replace(/\*/g, '_'));
      if (!isInside(root, p)) {
        outside.push(
          `${eff.paths.name}: compilerOptions.paths[${JSON.stringify(key)}] -> ${JSON.stringify(target)}`,
        );
      }
    }
  }
  return { file, outside, invalid };
}
