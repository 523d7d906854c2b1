/**
 * @module The host side of the Java runtime: finds the JDK, compiles the runtime's own classes
 * (the `com.amazonaws.services.lambda.runtime` interfaces + the harness, sources under
 * ../harness/java) once into a cached jar, compiles user sources at deploy, and builds the JVM
 * command line for a pre-booted instance.
 *
 * Binaries are not committed: the runtime jar is built lazily with the installed javac on first
 * Java use and cached in the temp dir under a hash of the sources and the JDK version. It must live
 * outside the (hidden, 0700) data dir because the sandbox reads it; it is bound read-only into the
 * sandbox like the other runtime files.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { zipSync } from 'fflate';

const run = promisify(execFile);

/** Java sources of the runtime (interfaces + harness); sandbox-side code. */
export const JAVA_HARNESS_DIR = fileURLToPath(new URL('../harness/java/', import.meta.url));
export const JAVA_MAIN_CLASS = 'nimbus.harness.Main';
/** Lambda Java runtimes executable on the installed JDK (class files up to this release). */
export const JAVA_RELEASE = 17;

export interface Jdk {
  readonly home: string;
  readonly java: string;
  readonly javac: string;
  /** e.g. "17.0.15" */
  readonly version: string;
  readonly major: number;
}

function readRelease(home: string): string | undefined {
  try {
    const m = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(join(home, 'release'), 'utf8'));
    return m?.[1];
  } catch {
    return undefined;
  }
}

function jdkAt(home: string): Jdk | undefined {
  const java = join(home, 'bin', 'java');
  const javac = join(home, 'bin', 'javac');
  if (!existsSync(java) || !existsSync(javac)) return undefined;
  const version = readRelease(home) ?? '0';
  const major = Number(version.split(/[.+-]/)[0]);
  if (!(major >= JAVA_RELEASE)) return undefined;
  return { home, java, javac, version, major };
}

/**
 * The JDK that runs Java functions: `javaHome` when given, else the one `javac` on the system
 * paths resolves to (Debian's /usr/bin/javac → /usr/lib/jvm/java-17-openjdk-*). A JDK under /root
 * (sdkman) is unreachable for the dropped-privilege sandbox, like a pyenv Python.
 */
export function findJdk(javaHome?: string): Jdk | undefined {
  if (javaHome) return jdkAt(javaHome);
  for (const dir of ['/usr/bin', '/usr/local/bin', '/bin']) {
    const javac = join(dir, 'javac');
    if (!existsSync(javac)) continue;
    try {
      return jdkAt(dirname(dirname(realpathSync(javac))));
    } catch {
      // dangling alternative
    }
  }
  return undefined;
}

async function javaSources(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile() && e.name.endsWith('.java')) out.push(relative(root, abs).split(sep).join('/'));
    }
  }
  await walk(root);
  return out.sort();
}

/** Files under `dir` (relative, sorted). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push(relative(dir, abs).split(sep).join('/'));
    }
  }
  await walk(dir);
  return out.sort();
}

/**
 * javac's arguments (after the binary) for `--release 17` without annotation processors (no user
 * code runs in javac), into `outDir`, with `@argFile` listing the sources.
 */
export function javacArgs(o: {
  memoryMb: number;
  outDir: string;
  classpath: readonly string[];
  argFile: string;
}): string[] {
  return [
    '-J-XX:+UseSerialGC',
    '-J-XX:TieredStopAtLevel=1',
    '-J-Xshare:auto',
    '-J-XX:-UsePerfData',
    `-J-Xmx${o.memoryMb}m`,
    '--release',
    String(JAVA_RELEASE),
    '-proc:none',
    '-encoding',
    'UTF-8',
    '-g',
    '-Xmaxerrs',
    '50',
    '-d',
    o.outDir,
    ...(o.classpath.length ? ['-cp', o.classpath.join(':')] : []),
    `@${o.argFile}`,
  ];
}
/** javac names files as given ("./a/B.java"); users wrote "a/B.java". */
const tidy = (s: string) => s.replace(/^\.\//gm, '').trim();

export interface CompileResult {
  readonly ok: boolean;
  /** javac's diagnostics (errors and warnings), as printed. */
  readonly output: string;
}

/** `javac --release 17 -proc:none` over `files` (relative to `cwd`), so diagnostics name them as the user wrote them. */
export async function javac(
  jdk: Jdk,
  o: {
    cwd: string;
    files: readonly string[];
    outDir: string;
    classpath: readonly string[];
    timeoutMs?: number;
  },
): Promise<CompileResult> {
  const argDir = await mkdtemp(join(tmpdir(), 'nimbus-javac-'));
  const argFile = join(argDir, 'sources');
  // An @argfile keeps long source lists off the command line; quoted for paths with spaces, and
  // "./"-prefixed so that no uploaded file name can be read as an option (`-Xplugin:…` would load
  // code from the user's jars into javac, on the host).
  await writeFile(
    argFile,
    o.files.map((f) => `"./${f.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join('\n'),
  );
  try {
    const r = await run(
      jdk.javac,
      javacArgs({ memoryMb: 512, outDir: o.outDir, classpath: o.classpath, argFile }),
      {
        cwd: o.cwd,
        timeout: o.timeoutMs ?? 120_000,
        maxBuffer: 8 * 1024 * 1024,
        env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
      },
    );
    return { ok: true, output: tidy(`${r.stdout}${r.stderr}`) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; killed?: boolean; message: string };
    const output = tidy(`${err.stdout ?? ''}${err.stderr ?? ''}`);
    return {
      ok: false,
      output: err.killed ? `javac did not finish in time\n${output}` : output || err.message,
    };
  } finally {
    await rm(argDir, { recursive: true, force: true });
  }
}

const built = new Map<string, Promise<string>>();

/** The cache dir is usable only when it is ours and nobody else can write into it. */
function trusted(dir: string): boolean {
  try {
    const st = statSync(dir);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * The runtime jar (interfaces + harness), compiled on first use and cached under
 * `<cacheRoot>/nimbus-java-<hash>/nimbus-runtime.jar` (hash of the sources and the JDK version).
 * World-readable: the sandbox user reads it.
 */
export function runtimeJar(jdk: Jdk, cacheRoot = tmpdir()): Promise<string> {
  const key = `${jdk.home}|${cacheRoot}`;
  let p = built.get(key);
  if (!p) {
    p = buildRuntimeJar(jdk, cacheRoot);
    built.set(key, p);
    p.catch(() => built.delete(key));
  }
  return p;
}

async function buildRuntimeJar(jdk: Jdk, cacheRoot: string): Promise<string> {
  const sources = await javaSources(JAVA_HARNESS_DIR);
  const h = createHash('sha256').update(`${jdk.version}\n`);
  for (const f of sources) h.update(`${f}\n`).update(await readFile(join(JAVA_HARNESS_DIR, f)));
  const hash = h.digest('hex').slice(0, 16);
  let dir = join(cacheRoot, `nimbus-java-${hash}`);
  const jar = () => join(dir, 'nimbus-runtime.jar');
  if (trusted(dir) && existsSync(jar())) return jar();
  if (existsSync(dir) && !trusted(dir)) {
    // Someone else's directory under a shared temp dir: never load classes from it.
    dir = await mkdtemp(join(cacheRoot, `nimbus-java-${hash}-`));
  }
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  const work = await mkdtemp(join(cacheRoot, 'nimbus-java-build-'));
  try {
    const classes = join(work, 'classes');
    const r = await javac(jdk, { cwd: JAVA_HARNESS_DIR, files: sources, outDir: classes, classpath: [] });
    if (!r.ok) throw new Error(`compiling the Java runtime failed:\n${r.output}`);
    const entries: Record<string, Uint8Array> = {};
    for (const f of await filesUnder(classes)) entries[f] = new Uint8Array(await readFile(join(classes, f)));
    const tmp = join(dir, `.nimbus-runtime.jar.${randomBytes(6).toString('hex')}`);
    await writeFile(tmp, zipSync(entries, { level: 6 }), { mode: 0o644 });
    await chmod(tmp, 0o644);
    await rename(tmp, jar()); // atomic: concurrent builders race harmlessly
    return jar();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Heap for a function's memory size: what is left after headroom for metaspace, code cache,
 * thread stacks and the JVM itself (64 MB, or 20 % for large sizes).
 */
export function heapMb(memoryMb: number): number {
  return Math.max(32, memoryMb - Math.max(64, Math.floor(memoryMb / 5)));
}

/**
 * JVM options for a pre-booted instance: fast start (serial GC, C1 only, class-data sharing, no
 * perf-data file) and a heap sized for `memoryMb` (fixed at boot, so pooled JVMs are per size).
 * The two --add-opens let the harness put the function's variables into System.getenv().
 */
export function jvmArgs(memoryMb: number, o: { pooled: boolean }): string[] {
  return [
    // A JVM booted for a waiting create skips the warm-up: it would only delay that request.
    ...(o.pooled ? [] : ['-Dnimbus.warmup=false']),
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Xshare:auto',
    '-XX:-UsePerfData',
    `-Xmx${heapMb(memoryMb)}m`,
    '-Xss512k',
    '-XX:ReservedCodeCacheSize=32m',
    // A JVM that ran out of heap is not trusted with the next request: it exits, and its message
    // on stderr ("Terminating due to java.lang.OutOfMemoryError") makes the host report OOM.
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:+DisplayVMOutputToStderr',
    '-Djava.io.tmpdir=/tmp',
    '-Duser.timezone=UTC',
    '-Dfile.encoding=UTF-8',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--add-opens=java.base/java.util=ALL-UNNAMED',
  ];
}
