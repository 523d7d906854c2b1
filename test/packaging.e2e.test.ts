/**
 * Packaging as `serverless deploy` does it, with the real CLI on a real platform:
 * - a TypeScript service whose devDependencies (`serverless`, `serverless-offline`, `typescript`:
 *   here a fake node_modules tree of 21 000 files) are left out — node_modules walked from
 *   package.json's dependencies — deploys quickly in little memory (time, peak RSS and package
 *   size printed), and its real dependency still bundles; with `excludeDevDependencies: false` the
 *   same project is refused (too many files) and nothing changes;
 * - `package.patterns` with `!` negation in order (dotfiles matched by `**`), legacy
 *   `include`/`exclude`; `package.individually` with function patterns; `package.artifact` (a
 *   prebuilt zip, service-wide and per function, and a jar built elsewhere for Java).
 * Python handlers list the files of their code root, so a test sees exactly what was packaged.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { packageService } from '../src/cli/package-service.ts';
import { loadProjectManifest } from '../src/config/manifest.ts';
import { zipFiles } from '../src/registry/build/archive.ts';
import { findJdk, runtimeJar } from '../src/runtime/java/toolchain.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'nimbus.mjs');

/** Lists the files of the code root (`depth` folders above the handler file). */
const LIST_PY = (depth: number) => `import os
def handler(event, context):
    root = os.path.dirname(os.path.abspath(__file__))
    for _ in range(${depth}):
        root = os.path.dirname(root)
    out = []
    for d, _dirs, files in os.walk(root):
        for f in files:
            out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)
`;

const pkgJson = (deps: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'p', version: '1.0.0', dependencies: deps, ...extra });

/**
 * A TypeScript service as `serverless create` + `npm i -D serverless serverless-offline
 * typescript` leaves it: 21 000 files under devDependency packages (and a 4 MiB one), a real
 * small dependency with a dependency of its own that `serverless` shares, a tsconfig extending a
 * devDependency, npm's .bin links.
 */
async function heavyProject(): Promise<string> {
  const dir = await fixture({
    'serverless.yml': `service: heavy
provider:
  name: aws
  runtime: nodejs20.x
functions:
  api:
    handler: src/handler.main
    events:
      - httpApi: 'GET /heavy'
`,
    'package.json': pkgJson(
      { 'tiny-dep': '^1.0.0' },
      {
        devDependencies: {
          serverless: '^3.38.0',
          'serverless-offline': '^13.0.0',
          typescript: '^5.4.0',
          '@tsconfig/node20': '^20.1.0',
        },
      },
    ),
    'tsconfig.json': '{ "extends": "@tsconfig/node20/tsconfig.json", "include": ["src"] }',
    'src/handler.ts': `import { shout } from 'tiny-dep';
interface Reply { statusCode: number; body: string }
export const main = async (): Promise<Reply> => ({ statusCode: 200, body: shout('packaged') });
`,
    'node_modules/tiny-dep/package.json': pkgJson({ 'tiny-sub': '^1.0.0' }, { main: 'index.js' }),
    'node_modules/tiny-dep/index.js':
      "const { bang } = require('tiny-sub');\nexports.shout = (s) => bang(s.toUpperCase());\n",
    'node_modules/tiny-sub/package.json': pkgJson({}, { main: 'index.js' }),
    'node_modules/tiny-sub/index.js': "exports.bang = (s) => s + '!';\n",
    'node_modules/@tsconfig/node20/package.json': pkgJson(),
    'node_modules/@tsconfig/node20/tsconfig.json':
      '{ "compilerOptions": { "target": "es2022", "module": "node16", "strict": true } }',
    'node_modules/serverless/package.json': pkgJson({ 'tiny-sub': '^1.0.0', 'sls-only': '^1.0.0' }),
    'node_modules/serverless-offline/package.json': pkgJson(),
    'node_modules/typescript/package.json': pkgJson(),
    'node_modules/sls-only/package.json': pkgJson(),
  });
  const filler = `// ${'generated filler '.repeat(40)}\nmodule.exports = {};\n`;
  const many = (pkg: string, count: number) => {
    for (let d = 0; d * 100 < count; d++) {
      mkdirSync(join(dir, 'node_modules', pkg, 'lib', `d${d}`), { recursive: true });
      for (let f = d * 100; f < Math.min(count, (d + 1) * 100); f++)
        writeFileSync(join(dir, 'node_modules', pkg, 'lib', `d${d}`, `f${f}.js`), filler);
    }
  };
  many('serverless', 12_000);
  many('serverless/node_modules/nested-dev', 2_000);
  many('serverless-offline', 6_000);
  many('sls-only', 1_000);
  writeFileSync(join(dir, 'node_modules/typescript/lib.js'), 'x'.repeat(4 << 20));
  await mkdir(join(dir, 'node_modules/.bin'));
  execFileSync('ln', ['-s', '../serverless/lib/d0/f0.js', join(dir, 'node_modules/.bin/sls')]);
  return dir;
}

describe('packaging as serverless deploy does it', () => {
  let p: TestPlatform;
  let env: NodeJS.ProcessEnv;
  let rssFile: string;
  let preload: string;
  /** Runs the CLI in `cwd`, measuring its wall time and peak RSS (never throws on exit codes). */
  const cli = async (cwd: string, ...args: string[]) => {
    const t0 = performance.now();
    let out: { code: number; stdout: string; stderr: string };
    try {
      const r = await run(process.execPath, ['--import', preload, BIN, ...args], {
        env: { ...env, NIMBUS_TEST_RSS_FILE: rssFile },
        cwd,
        timeout: 120_000,
        maxBuffer: 16 << 20,
      });
      out = { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      out = { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
    const rssMiB = Number(await readFile(rssFile, 'utf8')) / 1024;
    return { ...out, ms: performance.now() - t0, rssMiB };
  };
  const invoke = async (fn: string) => {
    const r = await p.json<{ ok: boolean; result: unknown }>('POST', `/v1/functions/${fn}/invoke`, {});
    assert.equal(r.body.ok, true, JSON.stringify(r.body));
    return r.body.result;
  };

  before(async () => {
    p = await startTestPlatform();
    env = {
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_KEY_ID: p.admin.keyId,
      NIMBUS_SECRET: p.secret,
    };
    const tools = await fixture({
      'rss.mjs':
        "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.NIMBUS_TEST_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
    });
    preload = join(tools, 'rss.mjs');
    rssFile = join(tools, 'rss.txt');
  });
  after(() => p?.stop());

  it('leaves devDependencies out: a TypeScript service with serverless & co. deploys quickly, in little memory', async (t) => {
    const t0 = performance.now();
    const dir = await heavyProject();
    t.after(() => rm(dir, { recursive: true, force: true }));
    console.log(`fixture: 21 000 devDependency files written in ${(performance.now() - t0).toFixed(0)} ms`);

    // What the package holds, through the code the CLI runs.
    const manifest = await loadProjectManifest(dir, {});
    const pkg = await packageService(manifest, manifest.functions);
    try {
      const [up] = pkg.uploads;
      const names = Object.keys(unzipSync(await readFile(up!.file))).sort();
      assert.deepEqual(names, [
        'node_modules/@tsconfig/node20/package.json',
        'node_modules/@tsconfig/node20/tsconfig.json',
        'node_modules/tiny-dep/index.js',
        'node_modules/tiny-dep/package.json',
        'node_modules/tiny-sub/index.js',
        'node_modules/tiny-sub/package.json',
        'package.json',
        'src/handler.ts',
        'tsconfig.json',
      ]);
      console.log(
        `package: ${pkg.listed} files listed, ${up!.files} packaged, ${(up!.bytes / 1024).toFixed(1)} KiB, ${pkg.ms.toFixed(0)} ms`,
      );
    } finally {
      await pkg.cleanup();
    }

    const d = await cli(dir, 'deploy');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /package service: 9 files, [\d.]+ KiB/);
    assert.match(d.stdout, /^heavy-dev-api\s+version 1/m);
    console.log(
      `deploy (heavy devDependencies): ${d.ms.toFixed(0)} ms wall, CLI peak RSS ${d.rssMiB.toFixed(0)} MiB — ${d.stdout.match(/package service: [^\n]*/)?.[0]}`,
    );
    assert.ok(d.ms < 30_000, `deploy took ${d.ms} ms`);
    assert.ok(d.rssMiB < 400, `CLI peak RSS ${d.rssMiB} MiB`);
    assert.equal(await (await fetch(`${p.gatewayUrl}/heavy`)).text(), 'PACKAGED!');

    // The same project with devDependencies packaged: refused (as before this change), nothing changes.
    const yml = await readFile(join(dir, 'serverless.yml'), 'utf8');
    await writeFile(join(dir, 'serverless.yml'), `${yml}package:\n  excludeDevDependencies: false\n`);
    await writeFile(
      join(dir, 'src/handler.ts'),
      "export const main = async () => ({ statusCode: 200, body: 'v2' });\n",
    );
    const all = await cli(dir, 'deploy');
    assert.equal(all.code, 1);
    assert.match(all.stderr, /more than 20000 files/);
    assert.match(all.stderr, /nothing was deployed/);
    console.log(
      `deploy with devDependencies packaged (refused): ${all.ms.toFixed(0)} ms wall, CLI peak RSS ${all.rssMiB.toFixed(0)} MiB — ${all.stdout.match(/package service: [^\n]*/)?.[0]}`,
    );
    assert.equal(await (await fetch(`${p.gatewayUrl}/heavy`)).text(), 'PACKAGED!');
  });

  it('applies package.patterns in order (! excludes, ** matches dotfiles), and legacy include/exclude', async () => {
    const files = {
      'handler.py': LIST_PY(0),
      'data/keep.json': '{}',
      'data/drop.json': '{}',
      'docs/readme.md': '# docs',
      '.env': 'SECRET=1',
      '.config/settings.json': '{}',
      'lib/util.py': '',
      'lib/test_util.py': '',
      '.git/HEAD': 'ref: refs/heads/main',
    };
    const yml = (pkg: string) =>
      `service: pat\nprovider:\n  name: aws\n  runtime: python3.12\n${pkg}functions:\n  list:\n    handler: handler.handler\n`;
    const dir = await fixture({
      ...files,
      'serverless.yml': yml(
        "package:\n  patterns:\n    - '!data/**'\n    - data/keep.json\n    - '!docs/**'\n    - '!**/test_*.py'\n    - '!.env'\n",
      ),
    });
    const d = await cli(dir, 'deploy');
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(await invoke('pat-dev-list'), [
      '.config/settings.json',
      'data/keep.json',
      'handler.py',
      'lib/util.py',
    ]);
    const legacy = await fixture({
      ...files,
      'serverless.yml': yml(
        "package:\n  exclude:\n    - data/**\n    - docs/**\n    - '.*'\n    - '.*/**'\n  include:\n    - data/keep.json\n",
      ),
    });
    const l = await cli(legacy, 'deploy');
    assert.equal(l.code, 0, l.stderr);
    assert.deepEqual(await invoke('pat-dev-list'), [
      'data/keep.json',
      'handler.py',
      'lib/test_util.py',
      'lib/util.py',
    ]);
  });

  it('packages each function alone with package.individually and its own patterns', async () => {
    const dir = await fixture({
      'serverless.yml': `service: indiv
provider:
  name: aws
  runtime: python3.12
package:
  individually: true
  patterns:
    - '!docs/**'
functions:
  a:
    handler: a/handler.handler
    package:
      patterns:
        - '!b/**'
  b:
    handler: b/handler.handler
    package:
      patterns:
        - '!a/**'
  both:
    handler: shared.handler
`,
      'a/handler.py': LIST_PY(1),
      'b/handler.py': LIST_PY(1),
      'shared.py': LIST_PY(0),
      'docs/x.md': '',
    });
    const d = await cli(dir, 'deploy');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /package function a: 2 files/);
    assert.match(d.stdout, /package function b: 2 files/);
    assert.match(d.stdout, /package function both: 3 files/);
    assert.deepEqual(await invoke('indiv-dev-a'), ['a/handler.py', 'shared.py']);
    assert.deepEqual(await invoke('indiv-dev-b'), ['b/handler.py', 'shared.py']);
    assert.deepEqual(await invoke('indiv-dev-both'), ['a/handler.py', 'b/handler.py', 'shared.py']);
  });

  it('uploads a prebuilt package.artifact as it is (service-wide and per function)', async () => {
    const dir = await fixture({
      'serverless.yml': `service: art
provider:
  name: aws
  runtime: python3.12
package:
  artifact: dist/app.zip
functions:
  one:
    handler: app.handler
  two:
    handler: other.handler
    package:
      artifact: dist/other.zip
`,
      // Sources that would not be what runs: the artifacts are.
      'app.py': 'def handler(e, c): return "source, not the artifact"\n',
    });
    await mkdir(join(dir, 'dist'));
    const enc = (s: string) => new TextEncoder().encode(s);
    await writeFile(
      join(dir, 'dist/app.zip'),
      zipFiles({ 'app.py': enc('def handler(e, c): return "from app.zip"\n'), 'extra.txt': enc('x') }),
    );
    await writeFile(join(dir, 'dist/other.zip'), zipFiles({ 'other.py': enc(LIST_PY(0)) }));
    const d = await cli(dir, 'deploy');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /package dist\/app\.zip \(prebuilt/);
    assert.match(d.stdout, /package dist\/other\.zip \(prebuilt/);
    assert.equal(await invoke('art-dev-one'), 'from app.zip');
    assert.deepEqual(await invoke('art-dev-two'), ['other.py']);

    await writeFile(
      join(dir, 'serverless.yml'),
      'service: art\nprovider:\n  runtime: python3.12\npackage:\n  artifact: dist/missing.zip\nfunctions:\n  one:\n    handler: app.handler\n',
    );
    const m = await cli(dir, 'deploy');
    assert.equal(m.code, 1);
    assert.match(m.stderr, /cannot access package artifact dist\/missing\.zip/);
  });

  const jdk = findJdk();
  it('deploys a Java project built elsewhere from its jar (package.artifact)', {
    skip: !jdk && process.env.CI !== 'true' ? 'no JDK 17' : false,
  }, async () => {
    const dir = await fixture({
      'serverless.yml': `service: javajar
provider:
  name: aws
  runtime: java17
package:
  artifact: target/calc.jar
functions:
  sum:
    handler: j.Calc
`,
      'src/main/java/j/Calc.java': `package j;
import com.amazonaws.services.lambda.runtime.*;
import java.util.*;
public class Calc implements RequestHandler<List<Integer>, Integer> {
  public Integer handleRequest(List<Integer> xs, Context c) {
    return xs.stream().mapToInt(Integer::intValue).sum();
  }
}`,
    });
    execFileSync(
      jdk!.javac,
      ['--release', '17', '-cp', await runtimeJar(jdk!), '-d', 'target/classes', 'src/main/java/j/Calc.java'],
      { cwd: dir },
    );
    execFileSync(join(jdk!.home, 'bin', 'jar'), ['cf', 'target/calc.jar', '-C', 'target/classes', '.'], {
      cwd: dir,
    });
    // The sources would not compile as they are packaged here: what deploys is the jar.
    await writeFile(join(dir, 'src/main/java/j/Broken.java'), 'package j; class Broken { int x = "no"; }');
    const d = await cli(dir, 'deploy');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /package target\/calc\.jar \(prebuilt/);
    const r = await p.json<{ result: unknown }>('POST', '/v1/functions/javajar-dev-sum/invoke', [1, 2, 39]);
    assert.equal(r.body.result, 42);
  });
});
