/**
 * Keeps a build inside its code root: every path the bundler resolves or reads must, after
 * realpath, lie under the root. Used by the build worker (./worker.ts), so it imports nothing of
 * the platform — only node: builtins and esbuild's types.
 *
 * Findings are returned as lines that name the offending path as the user wrote it (an import
 * specifier, a tsconfig entry, a link in the tree), never the host path it resolved to.
 */
import { realpathSync } from 'node:fs';
import { readdir, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Message, OnResolveResult, PartialMessage, Plugin } from 'esbuild';

/** True when `p` is `root` or below it (lexically; pass real paths for a real answer). */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** `p` relative to the root in POSIX form, for messages. */
export const shown = (root: string, p: string): string => relative(root, p).split(sep).join('/') || '.';

/** The real path of `p`, or `p` itself when it does not exist (zip-internal Yarn paths, races). */
export function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Symbolic links anywhere under `root` (node_modules included) whose target leaves it. esbuild
 * follows links for every file it reads — sources, but also package.json files it parses and
 * quotes in its errors — so such a link is refused before the build starts, not when imported.
 * `root` must be a real path.
 */
export async function linksLeavingRoot(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isSymbolicLink()) {
        const target = await readlink(abs);
        let dest: string;
        try {
          dest = await realpath(abs);
        } catch {
          dest = resolve(dirname(abs), target); // dangling: judge the link text
        }
        if (!isInside(root, dest)) found.push(`link ${shown(root, abs)} -> ${JSON.stringify(target)}`);
      }
    }
  }
  await walk(root);
  return found;
}

/** Marks esbuild messages that report a path outside the root (plugin `detail`). */
export interface OutsideDetail {
  readonly nimbusOutside: string;
}
export const isOutsideDetail = (d: unknown): d is OutsideDetail =>
  typeof d === 'object' && d !== null && typeof (d as { nimbusOutside?: unknown }).nimbusOutside === 'string';

/** `file:line:col: what` for an esbuild message. */
export const located = (m: Pick<Message, 'location'>, what: string): string =>
  m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${what}` : what;

/** Passed to build.resolve so our own catch-all onResolve lets esbuild's resolver answer. */
const NESTED = Object.freeze({ nimbusNested: true });

/**
 * esbuild plugin: every import (static, dynamic, require, `with { type: … }` loaders, CSS url())
 * is resolved by esbuild itself — tsconfig paths/baseUrl, package.json main/module/exports/browser,
 * node_modules lookups — and the result must be a file inside the root after realpath. The
 * platform SDK (`@nimbus/sdk` → `sdkFile`) is the one file outside the root a bundle may contain.
 * onLoad checks again what is actually read (defence in depth).
 */
export function containmentPlugin(o: {
  root: string;
  sdkFile: string;
  provided?: readonly string[];
}): Plugin {
  // The runtime's own packages (the AWS SDK v3, as on Lambda) stay imports: resolved at run time
  // from the instance's /node_modules, never bundled, whatever the project has installed.
  const provided = o.provided ?? [];
  const isProvided = (spec: string) => provided.some((p) => spec === p || spec.startsWith(`${p}/`));
  const allowed = (p: string) => p === o.sdkFile || isInside(o.root, realOrSelf(p));
  const refuse = (what: string): PartialMessage => ({
    text: `${what} resolves outside the code root`,
    detail: { nimbusOutside: what } satisfies OutsideDetail,
  });
  return {
    name: 'nimbus-containment',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args): Promise<OnResolveResult | undefined> => {
        if (args.pluginData === NESTED) return undefined;
        if (args.path === '@nimbus/sdk') return { path: o.sdkFile };
        if (isProvided(args.path)) return { path: args.path, external: true };
        // A path that names a place outside the root is refused as such, whether or not it exists
        // where the build runs (the jailed build does not even see the host's files).
        if (
          args.namespace === 'file' &&
          (isAbsolute(args.path) || args.path.startsWith('../') || args.path === '..')
        ) {
          const target = resolve(args.resolveDir || o.root, args.path);
          if (target !== o.sdkFile && !isInside(o.root, realOrSelf(target))) {
            return { errors: [refuse(`import ${JSON.stringify(args.path)}`)] };
          }
        }
        const r = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          namespace: args.namespace,
          resolveDir: args.resolveDir,
          with: args.with,
          pluginData: NESTED,
        });
        // Unresolvable: esbuild's own resolver runs again and reports it with its usual notes.
        if (r.errors.length > 0) return undefined;
        if (!r.external && r.namespace === 'file' && !allowed(r.path)) {
          const what = `import ${JSON.stringify(args.path)}`;
          return { errors: [refuse(what)] };
        }
        return {
          path: r.path,
          external: r.external,
          namespace: r.namespace,
          sideEffects: r.sideEffects,
          suffix: r.suffix,
          pluginData: r.pluginData,
          warnings: r.warnings,
        };
      });
      // Only reachable if a resolution slipped past the check above; the host path is not named.
      b.onLoad({ filter: /.*/, namespace: 'file' }, (args) =>
        allowed(args.path) ? undefined : { errors: [refuse('a module the build read')] },
      );
    },
  };
}
