/**
 * The Node bundling step, run out of the platform process by ./index.ts through runBuildStep
 * (a child process with a deadline and a memory budget; later inside the sandbox). It reads one
 * WorkerRequest as JSON on stdin and writes one WorkerResponse as a JSON line on stdout, followed
 * by the bundle bytes when the build succeeded.
 *
 * Everything it reads must lie inside the code root (./containment.ts, ./tsconfig.ts). It imports
 * only node: builtins, esbuild and those two files — nothing of the platform — so the sandbox
 * needs to show it no more than the code root and the toolchain.
 */
import { statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as esbuild from 'esbuild';
import { containmentPlugin, isInside, isOutsideDetail, linksLeavingRoot, located } from './containment.ts';
import { checkTsconfig, findTsconfig } from './tsconfig.ts';

export interface WorkerRequest {
  /** The code root (absolute). */
  readonly codeRoot: string;
  /** The handler's file part, relative to the root, without extension (`src/app`). */
  readonly handlerFile: string;
  /** The platform SDK file `@nimbus/sdk` resolves to. */
  readonly sdkFile: string;
  /** Packages the runtime provides (the AWS SDK v3 set): left out of the bundle. */
  readonly provided?: readonly string[] | undefined;
}

export type WorkerResponse =
  | { ok: true; bytes: number; warnings: string[]; externalImports: string[] }
  | { ok: false; error: 'outside'; paths: string[] }
  | { ok: false; error: 'handler-not-found'; tried: string }
  | { ok: false; error: 'build'; messages: string; formatted: string };

const NODE_EXTS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx'];
/**
 * Virtual memory esbuild's Go runtime may reserve beyond its heap. ~750 MB was typical, but with
 * +1 GB one small build in five died at start-up ("cannot allocate 4194304-byte block (3.7 MB in
 * use)"): address space is cheap, so the margin is wide. The real ceiling of a jailed build is its
 * cgroup's memory limit; GOMEMLIMIT keeps the heap near the budget.
 */
const GO_RESERVED_MB = 4096;

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function onPath(tool: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(':')) if (d && isFile(join(d, tool))) return join(d, tool);
  return undefined;
}

/**
 * Loads esbuild; its Go binary runs under an address-space limit (RLIMIT_AS through prlimit, plus
 * GOMEMLIMIT) when prlimit exists. Node itself is not limited that way (V8 reserves more address
 * space than any sane limit); its heap is capped by --max-old-space-size on this process.
 */
async function loadEsbuild(): Promise<typeof esbuild> {
  const budget = Number(process.env.NIMBUS_BUILD_MEMORY_MB);
  const prlimit = onPath('prlimit');
  if (budget > 0 && prlimit) {
    try {
      const req = createRequire(createRequire(import.meta.url).resolve('esbuild'));
      const bin = req.resolve(`@esbuild/${platform()}-${arch()}/bin/esbuild`);
      process.env.NIMBUS_PRLIMIT = prlimit;
      process.env.NIMBUS_ESBUILD_BIN = bin;
      process.env.NIMBUS_ESBUILD_AS_BYTES = String((budget + GO_RESERVED_MB) * 1024 * 1024);
      process.env.GOMEMLIMIT = `${budget}MiB`;
      process.env.ESBUILD_BINARY_PATH = fileURLToPath(new URL('./esbuild-limited.sh', import.meta.url));
    } catch {
      // an unusual esbuild install: run it unlimited rather than not at all
    }
  }
  return await import('esbuild');
}

async function build(req: WorkerRequest): Promise<{ head: WorkerResponse; bundle?: Uint8Array }> {
  const root = await realpath(req.codeRoot);
  // 1. No link in the tree may lead out: esbuild follows links for everything it reads.
  const links = await linksLeavingRoot(root);
  if (links.length > 0) return { head: { ok: false, error: 'outside', paths: links } };

  // 2. The handler module (the registry refused `..` and absolute handlers already).
  if (isAbsolute(req.handlerFile) || !isInside(root, join(root, req.handlerFile))) {
    return {
      head: { ok: false, error: 'outside', paths: [`handler file ${JSON.stringify(req.handlerFile)}`] },
    };
  }
  const tried = NODE_EXTS.map((e) => `${req.handlerFile}${e}`);
  const found = [...tried, req.handlerFile].find((f) => isFile(join(root, f)));
  if (!found) return { head: { ok: false, error: 'handler-not-found', tried: tried.join(', ') } };

  // 3. The tsconfig: ours to pick and check, so esbuild never searches above the root.
  const tsFile = findTsconfig(root, dirname(join(root, found)));
  const ts = tsFile ? checkTsconfig(root, tsFile) : undefined;
  if (ts && ts.outside.length > 0) return { head: { ok: false, error: 'outside', paths: ts.outside } };
  if (ts?.invalid) {
    const msg = `${ts.invalid} (tsconfig files must be valid JSON, comments and trailing commas allowed)`;
    return { head: { ok: false, error: 'build', messages: msg, formatted: msg } };
  }

  // 4. Bundle. The entry re-exports the handler module as a namespace: works for ESM and CommonJS
  // handlers (esbuild's interop exposes module.exports members on the namespace).
  const es = await loadEsbuild();
  const entry = `import * as m from ${JSON.stringify(`./${found}`)};\nexport const __nimbus = m;\n`;
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await es.build({
      stdin: { contents: entry, resolveDir: root, sourcefile: '__nimbus_entry.mjs', loader: 'js' },
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      write: false,
      metafile: true,
      outfile: join(root, 'index.mjs'),
      keepNames: true,
      logLevel: 'silent',
      absWorkingDir: root,
      nodePaths: [],
      ...(ts?.file ? { tsconfig: ts.file } : { tsconfigRaw: '{}' }),
      plugins: [containmentPlugin({ root, sdkFile: req.sdkFile, provided: req.provided ?? [] })],
      // CommonJS dependencies that require() Node builtins need a real `require` in ESM output.
      banner: {
        js: "import { createRequire as __nimbusCreateRequire } from 'node:module';\nconst require = __nimbusCreateRequire(import.meta.url);",
      },
    });
  } catch (e) {
    const errors = (e as { errors?: esbuild.Message[] }).errors;
    if (!errors) throw e;
    const outside = errors.filter((m) => isOutsideDetail(m.detail));
    if (outside.length > 0) {
      const paths = outside.map((m) =>
        located(m, isOutsideDetail(m.detail) ? m.detail.nimbusOutside : m.text),
      );
      return { head: { ok: false, error: 'outside', paths: [...new Set(paths)] } };
    }
    const formatted = await es.formatMessages(errors, { kind: 'error', color: false, terminalWidth: 100 });
    return {
      head: {
        ok: false,
        error: 'build',
        messages: errors.map((m) => located(m, m.text)).join('\n'),
        formatted: formatted.join('\n'),
      },
    };
  }
  const out = result.outputFiles.find((f) => f.path.endsWith('.mjs')) ?? result.outputFiles[0];
  if (!out) {
    const msg = 'esbuild produced no output';
    return { head: { ok: false, error: 'build', messages: msg, formatted: msg } };
  }
  const externalImports = [
    ...new Set(
      Object.values(result.metafile.outputs)
        .flatMap((o) => o.imports)
        .filter((i) => i.external && i.path !== 'node:module')
        .map((i) => i.path),
    ),
  ].sort();
  return {
    head: {
      ok: true,
      bytes: out.contents.byteLength,
      warnings: result.warnings.map((w) =>
        w.location ? `${w.location.file}:${w.location.line}: ${w.text}` : w.text,
      ),
      externalImports,
    },
    bundle: out.contents,
  };
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const req = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WorkerRequest;
  const { head, bundle } = await build(req);
  process.stdout.write(`${JSON.stringify(head)}\n`);
  if (bundle) process.stdout.write(bundle);
}

if (import.meta.main) {
  main().then(
    () => {
      // esbuild's service keeps the event loop alive; the answer is written, so leave.
      process.stdout.end(() => process.exit(0));
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(70);
    },
  );
}
