/**
 * Builds a runnable artifact from user code: unpack (zip/tar/dir), then for Node/TypeScript bundle
 * the handler module and its npm dependencies with esbuild into one ESM file; Python code is kept
 * as is; Java sources are compiled with javac (./java.ts). A broken bundle is rejected here with
 * esbuild's (or javac's) own messages.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { DeployErrors } from '../errors.ts';
import { resolveRuntime } from '../runtimes.ts';
import type { BuiltArtifact, CodeInput } from '../types.ts';
import { listFiles, type UnpackLimits, unpackTar, unpackZip, zipFiles } from './archive.ts';
import { buildJava } from './java.ts';

export {
  ensureExampleDeps,
  unpackArtifact,
  zipDirectory,
  zipFiles,
} from './archive.ts';

const NODE_EXTS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx'];

/** `src/app.main` → { file: 'src/app', exportName: 'main' } (the last dot splits, like Lambda). */
export function splitHandler(handler: string): { file: string; exportName: string } {
  const i = handler.lastIndexOf('.');
  return { file: handler.slice(0, i), exportName: handler.slice(i + 1) };
}

async function withCodeDir<T>(
  code: CodeInput,
  limits: UnpackLimits,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  if (code.kind === 'dir') return fn(code.path);
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-build-'));
  try {
    if (code.kind === 'zip') await unpackZip(code.data, dir, limits);
    else await unpackTar(code.data, dir, limits);
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** `import … from '@nimbus/sdk'` in user code resolves to the platform's SDK file. */
const SDK_FILE = fileURLToPath(new URL('../../sdk/index.mjs', import.meta.url));
const sdkPlugin: esbuild.Plugin = {
  name: 'nimbus-sdk',
  setup(b) {
    b.onResolve({ filter: /^@nimbus\/sdk$/ }, () => ({ path: SDK_FILE }));
  },
};

async function buildNode(dir: string, handler: string): Promise<Omit<BuiltArtifact, 'buildMs' | 'family'>> {
  const { file, exportName } = splitHandler(handler);
  const tried = NODE_EXTS.map((e) => `${file}${e}`);
  const found = tried.find((f) => isFile(join(dir, f))) ?? (isFile(join(dir, file)) ? file : undefined);
  if (!found) throw DeployErrors.HANDLER_FILE_NOT_FOUND({ handler, tried: tried.join(', ') });
  // The entry re-exports the handler module as a namespace: works for ESM and CommonJS handlers
  // (esbuild's interop exposes module.exports members on the namespace).
  const entry = `import * as m from ${JSON.stringify(`./${found}`)};\nexport const __nimbus = m;\n`;
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      stdin: { contents: entry, resolveDir: dir, sourcefile: '__nimbus_entry.mjs', loader: 'js' },
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      write: false,
      metafile: true,
      outfile: join(dir, 'index.mjs'),
      keepNames: true,
      logLevel: 'silent',
      absWorkingDir: dir,
      plugins: [sdkPlugin],
      // CommonJS dependencies that require() Node builtins need a real `require` in ESM output.
      banner: {
        js: "import { createRequire as __nimbusCreateRequire } from 'node:module';\nconst require = __nimbusCreateRequire(import.meta.url);",
      },
    });
  } catch (e) {
    const errors = (e as { errors?: esbuild.Message[] }).errors;
    if (!errors) throw e;
    const lines = await esbuild.formatMessages(errors, { kind: 'error', color: false, terminalWidth: 100 });
    const short = errors.map((m) =>
      m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text,
    );
    throw DeployErrors.BUILD_FAILED(
      { messages: short.join('\n') },
      { details: { formatted: lines.join('\n') } },
    );
  }
  const out = result.outputFiles?.[0];
  if (!out) throw DeployErrors.BUILD_FAILED({ messages: 'esbuild produced no output' });
  const warnings = result.warnings.map((w) =>
    w.location ? `${w.location.file}:${w.location.line}: ${w.text}` : w.text,
  );
  const externalImports = [
    ...new Set(
      Object.values(result.metafile.outputs)
        .flatMap((o) => o.imports)
        .filter((i) => i.external && i.path !== 'node:module')
        .map((i) => i.path),
    ),
  ].sort();
  return {
    zip: zipFiles({ 'index.mjs': out.contents }),
    entry: 'index.mjs',
    exportName,
    warnings,
    externalImports,
  };
}

async function buildPython(dir: string, handler: string): Promise<Omit<BuiltArtifact, 'buildMs' | 'family'>> {
  const { file, exportName } = splitHandler(handler);
  // Lambda accepts `pkg.mod.func` and `pkg/mod.func`.
  const modulePath = `${file.replace(/\./g, '/')}.py`;
  if (!isFile(join(dir, modulePath)))
    throw DeployErrors.HANDLER_FILE_NOT_FOUND({ handler, tried: modulePath });
  const files = await listFiles(dir, (rel) =>
    /(^|\/)(\.git|\.nimbus|__pycache__|\.DS_Store)(\/|$)|\.pyc$/.test(rel),
  );
  const map: Record<string, Uint8Array> = {};
  for (const f of files) map[f] = new Uint8Array(await readFile(join(dir, f)));
  return { zip: zipFiles(map), entry: modulePath, exportName, warnings: [] };
}

/** Custom runtime: the code as is; `bootstrap` at the root is the entry, the handler is `_HANDLER`. */
async function buildProvided(
  dir: string,
  handler: string,
): Promise<Omit<BuiltArtifact, 'buildMs' | 'family'>> {
  if (!isFile(join(dir, 'bootstrap')))
    throw DeployErrors.HANDLER_FILE_NOT_FOUND({ handler, tried: 'bootstrap' });
  const files = await listFiles(dir, (rel) => /(^|\/)(\.git|\.nimbus|\.DS_Store)(\/|$)/.test(rel));
  const map: Record<string, Uint8Array> = {};
  for (const f of files) map[f] = new Uint8Array(await readFile(join(dir, f)));
  return { zip: zipFiles(map), entry: 'bootstrap', exportName: handler, warnings: [] };
}

export async function buildArtifact(
  code: CodeInput,
  opts: { runtime: string; handler: string; limits?: UnpackLimits },
): Promise<BuiltArtifact> {
  const family = resolveRuntime(opts.runtime);
  const t0 = performance.now();
  if (code.kind === 'dir' && !existsSync(code.path)) {
    throw DeployErrors.BAD_ARCHIVE({ reason: `directory ${code.path} does not exist` });
  }
  const built = await withCodeDir(code, opts.limits ?? {}, (dir) =>
    family === 'node'
      ? buildNode(dir, opts.handler)
      : family === 'python'
        ? buildPython(dir, opts.handler)
        : family === 'java'
          ? buildJava(dir, opts.handler)
          : buildProvided(dir, opts.handler),
  );
  return { ...built, family, buildMs: performance.now() - t0 };
}
