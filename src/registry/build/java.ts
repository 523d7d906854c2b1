/**
 * Java artifacts: the upload is a jar (a zip of classes: it unpacks to the class tree) or a tree
 * with `.java` sources anywhere, compiled here with the installed JDK against the runtime's
 * interfaces (`javac --release 17 -proc:none`: no annotation processors, so no user code runs on
 * the host). Jars inside the tree (e.g. lib/*.jar) stay on the classpath. The handler class must
 * exist, as a class file or inside one of the jars.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { RuntimeErrors } from '../../runtime/errors.ts';
import { findJdk, javac, runtimeJar } from '../../runtime/java/toolchain.ts';
import { DeployErrors } from '../errors.ts';
import { JAVA_HANDLER } from '../runtimes.ts';
import type { BuiltArtifact } from '../types.ts';
import { listFiles, zipFiles } from './archive.ts';

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

export async function buildJava(
  dir: string,
  handler: string,
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
  if (sources.length > 0) {
    const jdk = findJdk();
    if (!jdk) {
      throw RuntimeErrors.UNAVAILABLE({
        reason: 'no JDK 17+ to compile Java sources (install openjdk-17-jdk-headless)',
      });
    }
    const rt = await runtimeJar(jdk);
    const out = await mkdtemp(join(tmpdir(), 'nimbus-javac-out-'));
    try {
      const r = await javac(jdk, {
        cwd: dir,
        files: sources,
        outDir: out,
        classpath: [rt, ...jars.map((j) => join(dir, j))],
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
      await rm(out, { recursive: true, force: true });
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
