/**
 * Builds a runnable artifact from user code: unpack (zip/tar/dir), then for Node/TypeScript bundle
 * the handler module and its npm dependencies with esbuild into one ESM file; Python code is kept
 * as is; Java sources are compiled with javac (./java.ts). A broken bundle is rejected here with
 * esbuild's (or javac's) own messages.
 *
 * esbuild and javac run out of this process (./step.ts: deadline, memory budget, clean env), and
 * nothing a build reads may lie outside the code root (./containment.ts, ./tsconfig.ts): handler
 * paths, imports, tsconfig chains and links that lead out fail with DEPLOY_PATH_OUTSIDE_ROOT.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { StepJail } from '../../core/ports.ts';
import { PROVIDED_SDK } from '../../runtime/sdk/index.ts';
import { DeployErrors } from '../errors.ts';
import { assertHandlerInside, resolveRuntimeId } from '../runtimes.ts';
import type { BuiltArtifact, CodeInput } from '../types.ts';
import { listFiles, type UnpackLimits, unpackTar, unpackZip, zipFiles } from './archive.ts';
import { isInside } from './containment.ts';
import { buildJava } from './java.ts';
import { runBuildStep, type StepLimits, stepFailed } from './step.ts';
import type { WorkerRequest, WorkerResponse } from './worker.ts';

export {
  ensureExampleDeps,
  unpackArtifact,
  zipDirectory,
  zipFiles,
} from './archive.ts';
export { runBuildStep } from './step.ts';

/** `src/app.main` → { file: 'src/app', exportName: 'main' } (the last dot splits, like Lambda). */
export function splitHandler(handler: string): { file: string; exportName: string } {
  const i = handler.lastIndexOf('.');
  return { file: handler.slice(0, i), exportName: handler.slice(i + 1) };
}

async function withCodeDir<T>(
  code: CodeInput,
  limits: UnpackLimits,
  /** The build runs jailed: it gets a copy of a `dir` it may own and write into. */
  copyDir: boolean,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  if (code.kind === 'dir' && !copyDir) return fn(code.path);
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-build-'));
  try {
    if (code.kind === 'dir') await cp(code.path, dir, { recursive: true, verbatimSymlinks: true });
    else if (code.kind === 'zip') await unpackZip(code.data, dir, limits);
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

/** The entry file `rel` must be the code's own file, not a link out of the root. */
function assertEntryInside(dir: string, rel: string, what: string): void {
  let inside = false;
  try {
    inside = isInside(realpathSync(dir), realpathSync(join(dir, rel)));
  } catch {
    inside = true; // missing: reported as HANDLER_FILE_NOT_FOUND
  }
  if (!inside) throw DeployErrors.PATH_OUTSIDE_ROOT({ paths: `  - ${what} ${JSON.stringify(rel)}` });
}

/** `import … from '@nimbus/sdk'` in user code resolves to the platform's SDK file. */
const SDK_FILE = fileURLToPath(new URL('../../sdk/index.mjs', import.meta.url));
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** What the bundling step reads besides the code: the worker's folder, the SDK, esbuild. */
const WORKER_TOOLCHAIN = () => {
  const req = createRequire(import.meta.url);
  const esbuildDir = dirname(dirname(req.resolve('esbuild')));
  const bin = createRequire(req.resolve('esbuild')).resolve(`@esbuild/${platform()}-${arch()}/package.json`);
  return [dirname(WORKER), SDK_FILE, esbuildDir, dirname(bin)];
};

/** Deadlines and memory budgets of the out-of-process build steps. */
export const BUILD_STEP_LIMITS: { readonly bundle: StepLimits; readonly javac: StepLimits } = {
  bundle: { timeoutMs: 60_000, memoryMb: 1024 },
  javac: { timeoutMs: 120_000, memoryMb: 512 },
};

/** Bundles in the worker process (./worker.ts), which keeps every read inside the code root. */
async function buildNode(
  dir: string,
  handler: string,
  limits: StepLimits,
  jail: StepJail | undefined,
): Promise<Omit<BuiltArtifact, 'buildMs' | 'family'>> {
  const { file, exportName } = splitHandler(handler);
  const req: WorkerRequest = { codeRoot: dir, handlerFile: file, sdkFile: SDK_FILE, provided: PROVIDED_SDK };
  const r = await runBuildStep([process.execPath, `--max-old-space-size=${limits.memoryMb}`, WORKER], {
    codeRoot: dir,
    timeoutMs: limits.timeoutMs,
    memoryMb: limits.memoryMb,
    stdin: JSON.stringify(req),
    name: 'bundle',
    jail,
    readOnly: WORKER_TOOLCHAIN(),
  });
  const nl = r.stdout.indexOf(0x0a);
  if (r.code !== 0 || nl < 0) throw stepFailed('bundle', r, limits.memoryMb);
  const head = JSON.parse(r.stdout.subarray(0, nl).toString('utf8')) as WorkerResponse;
  if (!head.ok) {
    switch (head.error) {
      case 'outside':
        throw DeployErrors.PATH_OUTSIDE_ROOT({ paths: head.paths.map((p) => `  - ${p}`).join('\n') });
      case 'handler-not-found':
        throw DeployErrors.HANDLER_FILE_NOT_FOUND({ handler, tried: head.tried });
      case 'build':
        throw DeployErrors.BUILD_FAILED(
          { messages: head.messages },
          { details: { formatted: head.formatted } },
        );
    }
  }
  const bundle = r.stdout.subarray(nl + 1);
  if (bundle.byteLength !== head.bytes) {
    throw DeployErrors.BUILD_CRASHED({ step: 'bundle', reason: 'truncated output' });
  }
  return {
    zip: zipFiles({ 'index.mjs': new Uint8Array(bundle) }),
    entry: 'index.mjs',
    exportName,
    warnings: head.warnings,
    externalImports: head.externalImports,
  };
}

async function buildPython(dir: string, handler: string): Promise<Omit<BuiltArtifact, 'buildMs' | 'family'>> {
  const { file, exportName } = splitHandler(handler);
  // Lambda accepts `pkg.mod.func` and `pkg/mod.func`.
  const modulePath = `${file.replace(/\./g, '/')}.py`;
  assertEntryInside(dir, modulePath, 'handler module');
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
  assertEntryInside(dir, 'bootstrap', 'entry');
  if (!isFile(join(dir, 'bootstrap')))
    throw DeployErrors.HANDLER_FILE_NOT_FOUND({ handler, tried: 'bootstrap' });
  const files = await listFiles(dir, (rel) => /(^|\/)(\.git|\.nimbus|\.DS_Store)(\/|$)/.test(rel));
  const map: Record<string, Uint8Array> = {};
  for (const f of files) map[f] = new Uint8Array(await readFile(join(dir, f)));
  return { zip: zipFiles(map), entry: 'bootstrap', exportName: handler, warnings: [] };
}

export async function buildArtifact(
  code: CodeInput,
  opts: {
    runtime: string;
    handler: string;
    limits?: UnpackLimits;
    /** Overrides BUILD_STEP_LIMITS (tests). */
    stepLimits?: Partial<StepLimits>;
    /** Runs the build steps in the platform's sandbox (the platform always passes one). */
    jail?: StepJail | undefined;
  },
): Promise<BuiltArtifact> {
  const { family, warning } = resolveRuntimeId(opts.runtime);
  assertHandlerInside(family, opts.handler);
  const t0 = performance.now();
  const step = (d: StepLimits): StepLimits => ({ ...d, ...opts.stepLimits });
  if (code.kind === 'dir' && !existsSync(code.path)) {
    throw DeployErrors.BAD_ARCHIVE({ reason: `directory ${code.path} does not exist` });
  }
  const built = await withCodeDir(code, opts.limits ?? {}, opts.jail !== undefined, (dir) =>
    family === 'node'
      ? buildNode(dir, opts.handler, step(BUILD_STEP_LIMITS.bundle), opts.jail)
      : family === 'python'
        ? buildPython(dir, opts.handler)
        : family === 'java'
          ? buildJava(dir, opts.handler, step(BUILD_STEP_LIMITS.javac), opts.jail)
          : buildProvided(dir, opts.handler),
  );
  // An id whose version is not installed runs on the nearest one: the deploy says so first.
  const warnings = warning ? [warning, ...built.warnings] : built.warnings;
  return { ...built, warnings, family, buildMs: performance.now() - t0 };
}
