/**
 * Java artifacts: the upload is a jar (a zip of classes: it unpacks to the class tree) or a tree
 * with `.java` sources anywhere, compiled here with the installed JDK against the runtime's
 * interfaces (`javac --release 17 -proc:none`: no annotation processors, so no user code runs on
 * the host). Jars inside the tree (e.g. lib/*.jar) stay on the classpath. The handler class must
 * exist, as a class file or inside one of the jars.
 *
 * javac runs as a build step (./step.ts: deadline, heap budget, clean env) whose inputs and
 * outputs all live in the code root: the source list and the class output go to a scratch
 * directory inside it, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { unzipSync } from 'fflate';
import type { StepJail } from '../../core/ports.ts';
import { RuntimeErrors } from '../../runtime/errors.ts';
import { findJdk, type Jdk, javacArgs, runtimeJar } from '../../runtime/java/toolchain.ts';
import { DeployErrors } from '../errors.ts';
import { JAVA_HANDLER } from '../runtimes.ts';
import type { BuiltArtifact } from '../types.ts';
import { listFiles, zipFiles } from './archive.ts';
import { runBuildStep, type StepLimits, stepFailed } from './step.ts';

const JUNK = /(^|\/)(\.git|\.nimbus|\.DS_Store|\.gradle|\.idea)(\/|$)/;

/** `com.example.Hello::handleRequest` → { className, method: 'handleRequest' }; method '' = the interface. */
export function splitJavaHandler(handler: string): { className: string; method: string } {
  const m = JAVA_HANDLER.exec(handler);
  return { className: m?.[1] ?? handler, method: m?.[2] ?? '' };
}

function jarHas(jar: Uint8Array, entry: string): boolean {
  try {
    return Object.keys(unzipSync(jar, { filter: (f) => f.name === entry })).length > 0;
  } catch {
    return false;
  }
}

/**
 * `Class-Path` entries of a jar's manifest that lead out of the code root: javac (and the JVM)
 * follow them relative to the jar, so `Class-Path: ../../../var/lib/nimbus/` would put host files
 * on the compile class path.
 */
export function manifestEscapes(jar: Uint8Array, jarRel: string): string[] {
  let text: string;
  try {
    const m = unzipSync(jar, { filter: (f) => f.name.toUpperCase() === 'META-INF/MANIFEST.MF' });
    const bytes = Object.values(m)[0];
    if (!bytes) return [];
    text = new TextDecoder().decode(bytes);
  } catch {
    return [];
  }
  // Manifest lines wrap at 72 bytes: a line starting with one space continues the previous one.
  const unfolded = text.replace(/\r?\n /g, '');
  const cp = /^class-path:(.*)$/im.exec(unfolded)?.[1]?.trim();
  if (!cp) return [];
  const base = posix.dirname(jarRel);
  return cp
    .split(/\s+/)
    .filter((entry) => {
      let path: string;
      try {
        path = decodeURIComponent(entry);
      } catch {
        return true;
      }
      if (/^[A-Za-z][\w+.-]*:/.test(path) || path.startsWith('/')) return true; // file:, http:, absolute
      const dest = posix.normalize(posix.join(base, path));
      return dest === '..' || dest.startsWith('../');
    })
    .map((entry) => `${jarRel}: manifest Class-Path ${JSON.stringify(entry)}`);
}

/** javac names files as given ("./a/B.java"); users wrote "a/B.java". */
const tidy = (s: string) => s.replace(/^\.\//gm, '').trim();

/**
 * `javac --release 17 -proc:none` over `sources` (relative to the code root, so diagnostics name
 * them as the user wrote them) into `<scratch>/classes`.
 */
async function compile(
  jdk: Jdk,
  dir: string,
  o: {
    sources: readonly string[];
    classpath: readonly string[];
    scratch: string;
    limits: StepLimits;
    jail?: StepJail | undefined;
    readOnly?: readonly string[];
  },
): Promise<{ ok: boolean; output: string }> {
  const argFile = join(o.scratch, 'sources');
  // An @argfile keeps long source lists off the command line; quoted for paths with spaces, and
  // "./"-prefixed so that no uploaded file name can be read as an option (`-Xplugin:…` would load
  // code from the user's jars into javac).
  await writeFile(
    argFile,
    o.sources.map((f) => `"./${f.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join('\n'),
  );
  const r = await runBuildStep(
    [
      jdk.javac,
      ...javacArgs({
        memoryMb: o.limits.memoryMb,
        outDir: join(o.scratch, 'classes'),
        classpath: o.classpath,
        argFile,
      }),
    ],
    {
      codeRoot: dir,
      timeoutMs: o.limits.timeoutMs,
      memoryMb: o.limits.memoryMb,
      name: 'javac',
      jail: o.jail,
      readOnly: o.readOnly ?? [],
    },
  );
  const output = tidy(`${r.stdout.toString('utf8')}${r.stderr}`);
  // 1 = compile errors; other failures are javac's own (out of memory, crashed).
  if (r.code !== 0 && r.code !== 1) throw stepFailed('javac', r, o.limits.memoryMb);
  return { ok: r.code === 0, output };
}

export async function buildJava(
  dir: string,
  handler: string,
  limits: StepLimits,
  jail?: StepJail,
): Promise<Omit<BuiltArtifact, 'buildMs' | 'family'>> {
  const { className, method } = splitJavaHandler(handler);
  const files = await listFiles(dir, (rel) => JUNK.test(rel));
  const sources = files.filter((f) => f.endsWith('.java'));
  const jars = files.filter((f) => f.endsWith('.jar'));
  const map: Record<string, Uint8Array> = {};
  for (const f of files) {
    if (!f.endsWith('.java')) map[f] = new Uint8Array(await readFile(join(dir, f)));
  }
  const warnings: string[] = [];
  const escapes = jars.flatMap((j) => manifestEscapes(map[j]!, j));
  if (escapes.length > 0) {
    throw DeployErrors.PATH_OUTSIDE_ROOT({ paths: escapes.map((e) => `  - ${e}`).join('\n') });
  }
  if (sources.length > 0) {
    const jdk = findJdk();
    if (!jdk) {
      throw RuntimeErrors.UNAVAILABLE({
        reason: 'no JDK 17+ to compile Java sources (install openjdk-17-jdk-headless)',
      });
    }
    const rt = await runtimeJar(jdk);
    const scratch = join(dir, `.nimbus-javac-${randomBytes(6).toString('hex')}`);
    await mkdir(scratch);
    const out = join(scratch, 'classes');
    try {
      const r = await compile(jdk, dir, {
        sources,
        classpath: [rt, ...jars.map((j) => join(dir, j))],
        scratch,
        limits,
        jail,
        readOnly: [rt],
      });
      if (!r.ok) {
        const lines = r.output.split('\n');
        throw DeployErrors.COMPILE_FAILED(
          {
            language: 'Java',
            messages: lines.slice(0, 60).join('\n') + (lines.length > 60 ? '\n…' : ''),
          },
          { details: { javac: r.output } },
        );
      }
      if (r.output) warnings.push(...r.output.split('\n').filter((l) => /warning/.test(l)));
      for (const f of await listFiles(out, () => false)) {
        map[f] = new Uint8Array(await readFile(join(out, f)));
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  const classFile = `${className.replace(/\./g, '/')}.class`;
  if (!map[classFile] && !jars.some((j) => jarHas(map[j]!, classFile))) {
    throw DeployErrors.HANDLER_FILE_NOT_FOUND(
      {
        handler,
        tried: jars.length ? `${classFile} (classes, ${jars.join(', ')})` : classFile,
      },
      {
        hint: 'set the handler to the class name with its package (com.example.Hello::handleRequest) and upload its .class or .java file',
      },
    );
  }
  return { zip: zipFiles(map), entry: className, exportName: method, warnings };
}
