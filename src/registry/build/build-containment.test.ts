/**
 * Issue 12: a deploy must not read anything outside its code root — one case per escape route,
 * each with real esbuild, real files and a "secret" that must never reach the error message.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import * as tar from 'tar';
import { startTestPlatform } from '../../../test/helpers.ts';
import type { FunctionConfig } from '../../core/types.ts';
import { validateFunctionConfig } from '../runtimes.ts';
import { buildArtifact, runBuildStep, zipFiles } from './index.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const node = { runtime: 'nodejs24.x', handler: 'index.handler' };
const SECRET = 'nimbus-admin-secret-7f3c9a1e';
const OUTSIDE = 'NIMBUS_ERR_DEPLOY_PATH_OUTSIDE_ROOT';

/**
 * A host-like layout in a temp dir: `data/` holds the platform's secrets (admin-credentials.json,
 * master.key, a tsconfig), `code/` is the function's code root.
 */
async function layout(files: Record<string, string>): Promise<{ base: string; code: string; data: string }> {
  const base = await mkdtemp(join(tmpdir(), 'nimbus-contain-'));
  const data = join(base, 'data');
  const code = join(base, 'code');
  await mkdir(data);
  await mkdir(code);
  await writeFile(join(data, 'admin-credentials.json'), JSON.stringify({ secret: SECRET }));
  await writeFile(join(data, 'master.key'), SECRET);
  await writeFile(join(data, 'secret.js'), `export default ${JSON.stringify(SECRET)};`);
  await writeFile(join(data, 'tsconfig.json'), `{ "compilerOptions": { "baseUrl": "." } } ${SECRET}`);
  for (const [rel, content] of Object.entries(files)) {
    const p = join(code, rel.replaceAll('$DATA', data));
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, content.replaceAll('$DATA', data));
  }
  return { base, code, data };
}

/** Asserts a refusal with `code` whose message names `mentions` and never holds `secrets`. */
function refused(code: string, mentions: RegExp, secrets: string[] = [SECRET]) {
  return (e: Error & { code?: string; details?: unknown }) => {
    assert.equal(e.code, code, e.message);
    assert.match(e.message, mentions);
    const all = `${e.message}\n${JSON.stringify(e.details ?? {})}`;
    for (const s of secrets) assert.ok(!all.includes(s), `the error leaks ${JSON.stringify(s)}:\n${all}`);
    return true;
  };
}

/** A ustar archive from raw entries (node-tar will not write `..` names or outside links). */
function tarOf(
  entries: { name: string; type?: '0' | '1' | '2' | '5'; body?: string; link?: string }[],
): Uint8Array {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    h.write(e.link ?? '', 157, 100);
    h.write('ustar\x0000', 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return new Uint8Array(Buffer.concat(blocks));
}

describe('build containment: imports', () => {
  it('refuses an absolute import of a platform file (admin-credentials.json)', async () => {
    const { code, data } = await layout({
      'index.mjs': `import creds from '$DATA/admin-credentials.json';\nexport const handler = () => creds;`,
    });
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, node),
      refused(OUTSIDE, new RegExp(`index\\.mjs:1:\\d+: import "${data}/admin-credentials\\.json"`)),
    );
  });

  it('refuses a ../ import that walks out of the root', async () => {
    const { code } = await layout({
      'src/index.ts': `import s from '../../data/secret.js';\nexport const handler = () => s;`,
    });
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, { runtime: 'nodejs24.x', handler: 'src/index.handler' }),
      refused(OUTSIDE, /src\/index\.ts:1:\d+: import "\.\.\/\.\.\/data\/secret\.js"/),
    );
  });

  it("refuses `with { type: 'text' }` imports of /proc/self/environ and /etc/shadow", async () => {
    let shadow = SECRET; // its first line when readable (the platform runs as root)
    try {
      shadow = readFileSync('/etc/shadow', 'utf8').split('\n')[0] || SECRET;
    } catch {
      // not root
    }
    for (const [file, shown] of [
      ['/proc/self/environ', /import "\/proc\/self\/environ"/],
      ['/etc/shadow', /import "\/etc\/shadow"/],
    ] as const) {
      const { code } = await layout({
        'index.mjs': `import t from '${file}' with { type: 'text' };\nexport const handler = () => t;`,
      });
      await assert.rejects(
        buildArtifact({ kind: 'dir', path: code }, node),
        refused(OUTSIDE, shown, [SECRET, shadow, 'PATH=/', 'HOME=/']),
      );
    }
    // The other loaders go through the same resolution.
    for (const type of ['json', 'file', 'binary', 'base64', 'dataurl', 'copy']) {
      const { code } = await layout({
        'index.mjs': `import t from '$DATA/master.key' with { type: '${type}' };\nexport const handler = () => t;`,
      });
      await assert.rejects(buildArtifact({ kind: 'dir', path: code }, node), refused(OUTSIDE, /master\.key/));
    }
  });

  it('refuses a package whose package.json main (or a node_modules link) points outside', async () => {
    const { code, data } = await layout({
      'index.mjs': `import s from 'evil';\nexport const handler = () => s;`,
      'node_modules/evil/package.json': JSON.stringify({ name: 'evil', main: '../../../data/secret.js' }),
    });
    await assert.rejects(buildArtifact({ kind: 'dir', path: code }, node), refused(OUTSIDE, /import "evil"/));
    // "exports" targets may not climb out at all (esbuild refuses them as invalid).
    await writeFile(
      join(code, 'node_modules/evil/package.json'),
      JSON.stringify({ name: 'evil', exports: { '.': '../../../data/secret.js' } }),
    );
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, node),
      refused('NIMBUS_ERR_DEPLOY_BUILD_FAILED', /evil/),
    );
    // A linked package leading out is refused before esbuild reads anything through it.
    await writeFile(
      join(code, 'node_modules/evil/package.json'),
      JSON.stringify({ name: 'evil', main: 'index.js' }),
    );
    await symlink(data, join(code, 'node_modules/linked'));
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, node),
      refused(OUTSIDE, /link node_modules\/linked -> /),
    );
  });

  it('still builds code that stays inside: in-root links, tsconfig paths/extends, @nimbus/sdk', async () => {
    const { code } = await layout({
      'index.ts': [
        "import { helper } from '@lib/helper';",
        "import { shared } from 'shared';",
        "import { nonRetriable } from '@nimbus/sdk';",
        "import text from './notes.txt' with { type: 'text' };",
        'export const handler = () => [helper(), shared, text, typeof nonRetriable];',
      ].join('\n'),
      'lib/helper.ts': 'export const helper = (): number => 42;',
      'notes.txt': 'plain notes',
      'packages/shared/package.json': JSON.stringify({ name: 'shared', main: 'index.js' }),
      'packages/shared/index.js': 'exports.shared = "shared";',
      'tsconfig.json': JSON.stringify({
        extends: ['@tsconfig/base/tsconfig.json', './tsconfig.paths.json'],
        compilerOptions: { strict: true },
      }),
      'tsconfig.paths.json':
        '{\n  // comments and trailing commas, as tsc allows\n  "compilerOptions": { "paths": { "@lib/*": ["./lib/*"], }, },\n}',
      'node_modules/@tsconfig/base/package.json': JSON.stringify({ name: '@tsconfig/base' }),
      'node_modules/@tsconfig/base/tsconfig.json': JSON.stringify({ compilerOptions: { target: 'es2022' } }),
    });
    await symlink('../packages/shared', join(code, 'node_modules/shared'));
    const a = await buildArtifact({ kind: 'dir', path: code }, node);
    assert.equal(a.entry, 'index.mjs');
  });
});

describe('build containment: tsconfig', () => {
  it('refuses compilerOptions.paths pointing into the data dir', async () => {
    const { code } = await layout({
      'index.ts': `import creds from '@data/admin-credentials.json';\nexport const handler = () => creds;`,
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@data/*': ['../data/*'] } } }),
    });
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, node),
      refused(OUTSIDE, /tsconfig\.json: compilerOptions\.paths\["@data\/\*"\] -> "\.\.\/data\/\*"/),
    );
  });

  it('refuses a paths wildcard that an import fills with ../', async () => {
    const { code } = await layout({
      'index.ts': `import s from '@src/../../data/secret.js';\nexport const handler = () => s;`,
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@src/*': ['./src/*'] } } }),
    });
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, node),
      refused(OUTSIDE, /import "@src\/\.\.\/\.\.\/data\/secret\.js"/),
    );
  });

  it('refuses extends outside the root (relative, absolute, and through a package "tsconfig" field)', async () => {
    for (const [files, shown] of [
      [
        { 'tsconfig.json': JSON.stringify({ extends: '../data/tsconfig.json' }) },
        /extends "\.\.\/data\/tsconfig\.json"/,
      ],
      [
        { 'tsconfig.json': JSON.stringify({ extends: '$DATA/master.key' }) },
        /extends ".*\/data\/master\.key"/,
      ],
      [
        {
          'tsconfig.json': JSON.stringify({ extends: 'cfg' }),
          'node_modules/cfg/package.json': JSON.stringify({
            name: 'cfg',
            tsconfig: '../../../data/tsconfig.json',
          }),
        },
        /extends "cfg"/,
      ],
    ] as const) {
      const { code } = await layout({ 'index.ts': 'export const handler = () => 1;', ...files });
      await assert.rejects(buildArtifact({ kind: 'dir', path: code }, node), refused(OUTSIDE, shown));
    }
  });

  it('refuses a baseUrl outside the root', async () => {
    const { code } = await layout({
      'index.ts': `import creds from 'admin-credentials.json';\nexport const handler = () => creds;`,
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '../data' } }),
    });
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, node),
      refused(OUTSIDE, /compilerOptions\.baseUrl "\.\.\/data"/),
    );
  });

  it("never reads a tsconfig above the root (esbuild's own search is off)", async () => {
    // data/tsconfig.json sits in a parent of nothing here; put one into the code root's parent.
    const { base, code } = await layout({
      'index.ts': `import creds from 'data/admin-credentials.json';\nexport const handler = () => creds;`,
    });
    await writeFile(join(base, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.' } }));
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, node),
      refused('NIMBUS_ERR_DEPLOY_BUILD_FAILED', /Could not resolve "data\/admin-credentials\.json"/),
    );
  });
});

describe('build containment: archives', () => {
  it('refuses zip entries with .., absolute names and links leading out', async () => {
    const ok = { 'index.js': enc('exports.handler = () => 1;') };
    for (const [zip, code, shown] of [
      [zipSync({ ...ok, '../evil.js': enc('x') }), 'NIMBUS_ERR_DEPLOY_BAD_ARCHIVE', /outside the code root/],
      [
        zipSync({ ...ok, '/etc/cron.d/x': enc('x') }),
        'NIMBUS_ERR_DEPLOY_BAD_ARCHIVE',
        /outside the code root/,
      ],
      [
        zipSync({
          ...ok,
          'creds.json': [enc('/var/lib/nimbus/admin-credentials.json'), { os: 3, attrs: 0o120777 << 16 }],
        }),
        OUTSIDE,
        /link creds\.json -> "\/var\/lib\/nimbus\/admin-credentials\.json"/,
      ],
      [
        zipSync({ ...ok, 'a/up': [enc('../../x'), { os: 3, attrs: 0o120777 << 16 }] }),
        OUTSIDE,
        /link a\/up -> "\.\.\/\.\.\/x"/,
      ],
      [
        zipSync({ ...ok, 'same.js': [enc('index.js'), { os: 3, attrs: 0o120777 << 16 }] }),
        'NIMBUS_ERR_DEPLOY_BAD_ARCHIVE',
        /links are not allowed/,
      ],
    ] as const) {
      await assert.rejects(buildArtifact({ kind: 'zip', data: zip }, node), refused(code, shown));
    }
  });

  it('refuses tar entries with .., absolute names, and symbolic or hard links leading out', async () => {
    const ok = { name: 'index.js', body: 'exports.handler = () => 1;' };
    for (const [entries, code, shown] of [
      [[ok, { name: '../evil.js', body: 'x' }], 'NIMBUS_ERR_DEPLOY_BAD_ARCHIVE', /outside the code root/],
      [[ok, { name: '/etc/cron.d/x', body: 'x' }], 'NIMBUS_ERR_DEPLOY_BAD_ARCHIVE', /outside the code root/],
      [
        [ok, { name: 'creds.json', type: '2', link: '/etc/shadow' }],
        OUTSIDE,
        /link creds\.json -> "\/etc\/shadow"/,
      ],
      [[ok, { name: 'a/b', type: '2', link: '../../data' }], OUTSIDE, /link a\/b -> "\.\.\/\.\.\/data"/],
      [[ok, { name: 'hard', type: '1', link: '../x' }], OUTSIDE, /link hard -> "\.\.\/x"/],
      [
        [ok, { name: 'same.js', type: '2', link: 'index.js' }],
        'NIMBUS_ERR_DEPLOY_BAD_ARCHIVE',
        /links are not allowed/,
      ],
    ] as const) {
      await assert.rejects(
        buildArtifact({ kind: 'tar', data: tarOf([...entries]) }, node),
        refused(code, shown),
      );
    }
  });

  it('refuses a symlink packed by tar itself from a real directory', async () => {
    const { code, data } = await layout({ 'index.js': 'exports.handler = () => 1;' });
    await symlink(join(data, 'admin-credentials.json'), join(code, 'creds.json'));
    const tgz = join(dirname(code), 'code.tgz');
    await tar.c({ gzip: true, file: tgz, cwd: code }, ['index.js', 'creds.json']);
    await assert.rejects(
      buildArtifact({ kind: 'tar', data: await readFile(tgz) }, node),
      refused(OUTSIDE, /link creds\.json -> /),
    );
  });
});

describe('build containment: Java', () => {
  it('refuses a jar whose manifest Class-Path leads out of the root (javac would follow it)', async () => {
    const manifest = (cp: string) =>
      zipSync({ 'META-INF/MANIFEST.MF': enc(`Manifest-Version: 1.0\r\nClass-Path: ${cp}\r\n\r\n`) });
    for (const [cp, shown] of [
      ['../../data/', /lib\/evil\.jar: manifest Class-Path "\.\.\/\.\.\/data\/"/],
      ['ok.jar file:/etc/', /manifest Class-Path "file:\/etc\/"/],
      ['/var/lib/nimbus/\r\n x.jar', /manifest Class-Path "\/var\/lib\/nimbus\/x\.jar"/],
    ] as const) {
      const zip = zipFiles({ 'Hello.class': enc('not really a class'), 'lib/evil.jar': manifest(cp) });
      await assert.rejects(
        buildArtifact({ kind: 'zip', data: zip }, { runtime: 'java17', handler: 'Hello' }),
        refused(OUTSIDE, shown),
      );
    }
    const fine = zipFiles({ 'Hello.class': enc('x'), 'lib/a.jar': manifest('b.jar ../lib2/c.jar') });
    const a = await buildArtifact({ kind: 'zip', data: fine }, { runtime: 'java17', handler: 'Hello' });
    assert.equal(a.entry, 'Hello');
  });
});

describe('build containment: handler paths', () => {
  const config = (runtime: string, handler: string): FunctionConfig => ({
    runtime,
    handler,
    memoryMb: 128,
    timeoutSec: 3,
    environment: {},
    description: '',
  });

  it('refuses handlers naming a path outside the root, at config validation and at build', async () => {
    const { code } = await layout({
      'index.mjs': 'export const handler = () => 1;',
      'x.py': 'def handler(e, c):\n  return 1\n',
    });
    for (const [runtime, handler] of [
      ['nodejs24.x', '../x.handler'],
      ['nodejs24.x', '../../../work/main/examples/hello/index.handler'],
      ['nodejs24.x', '/etc/passwd.handler'],
      ['python3.12', '../x.handler'],
      ['python3.12', '.x.handler'],
      ['python3.12', '/x.handler'],
      ['provided.al2023', '../../bin/sh'],
      ['java17', '../Hello::handleRequest'],
    ] as const) {
      assert.throws(() => validateFunctionConfig(config(runtime, handler)), refused(OUTSIDE, /handler "/));
      await assert.rejects(
        buildArtifact({ kind: 'dir', path: code }, { runtime, handler }),
        refused(OUTSIDE, /handler "/),
      );
    }
    // Inside is fine.
    validateFunctionConfig(config('nodejs24.x', './index.handler'));
    validateFunctionConfig(config('python3.12', 'pkg.mod.handler'));
  });

  it('refuses a Python handler module or a bootstrap that is a link out of the root', async () => {
    const { code, data } = await layout({});
    await symlink(join(data, 'master.key'), join(code, 'app.py'));
    await symlink(join(data, 'master.key'), join(code, 'bootstrap'));
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, { runtime: 'python3.12', handler: 'app.handler' }),
      refused(OUTSIDE, /handler module "app\.py"/),
    );
    await assert.rejects(
      buildArtifact({ kind: 'dir', path: code }, { runtime: 'provided.al2023', handler: 'x' }),
      refused(OUTSIDE, /entry "bootstrap"/),
    );
  });
});

/** Boots a runtime harness as the sandbox would, sends `init` and returns its answer frame. */
async function initHarness(
  argv: string[],
  init: Record<string, unknown>,
): Promise<{ t: string; error?: { errorType: string; errorMessage: string } }> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const chan = child.stdio[3] as Duplex;
  const frames: { t: string }[] = [];
  let buf = Buffer.alloc(0);
  let wake = () => {};
  chan.on('data', (b: Buffer) => {
    buf = Buffer.concat([buf, b]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      frames.push(JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString('utf8')));
      buf = buf.subarray(4 + buf.readUInt32BE(0));
    }
    wake();
  });
  const next = async (): Promise<{ t: string }> => {
    while (frames.length === 0) await new Promise<void>((r) => (wake = r));
    return frames.shift()!;
  };
  try {
    assert.equal((await next()).t, 'booted');
    const body = Buffer.from(JSON.stringify({ t: 'init', ...init }));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    chan.write(Buffer.concat([head, body]));
    let f = await next();
    while (f.t === 'log') f = await next();
    return f;
  } finally {
    child.kill('SIGKILL');
  }
}

describe('runtime harnesses refuse a handler module outside the code root', () => {
  const HARNESS = fileURLToPath(new URL('../../runtime/harness/', import.meta.url));
  const init = (codeRoot: string, entry: string) => ({
    entry,
    exportName: 'handler',
    codeRoot,
    functionName: 'f',
    functionVersion: '$LATEST',
    memoryMb: 128,
    timeoutSec: 3,
    logGroupName: '/aws/lambda/f',
    logStreamName: 's',
    region: 'local-1',
    env: {},
  });

  it('node', async () => {
    const { code, data } = await layout({ 'index.mjs': 'export const handler = () => 1;' });
    await writeFile(join(data, 'evil.mjs'), 'export const handler = () => "ran a host file";');
    const bad = await initHarness(
      [process.execPath, join(HARNESS, 'node/harness.mjs')],
      init(code, '../data/evil.mjs'),
    );
    assert.equal(bad.t, 'init-error');
    assert.equal(bad.error?.errorType, 'Runtime.ImportModuleError');
    assert.match(
      bad.error?.errorMessage ?? '',
      /handler module \.\.\/data\/evil\.mjs is outside the code root/,
    );
    const good = await initHarness(
      [process.execPath, join(HARNESS, 'node/harness.mjs')],
      init(code, 'index.mjs'),
    );
    assert.equal(good.t, 'ready');
  });

  it('provided (bootstrap)', async () => {
    const { code, data } = await layout({ bootstrap: '#!/bin/sh\nexit 0\n' });
    await writeFile(join(data, 'evil.sh'), '#!/bin/sh\necho ran a host file\n');
    const bad = await initHarness(
      [process.execPath, join(HARNESS, 'provided/shim.mjs')],
      init(code, '../data/evil.sh'),
    );
    assert.equal(bad.t, 'init-error');
    assert.equal(bad.error?.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(bad.error?.errorMessage ?? '', /\.\.\/data\/evil\.sh is outside the code root/);
  });

  it('python', { skip: !existsSync('/usr/bin/python3') && 'no python3' }, async () => {
    const { code, data } = await layout({ 'app.py': 'def handler(e, c):\n  return 1\n' });
    await writeFile(join(data, 'evil.py'), 'def handler(e, c):\n  return "ran a host file"\n');
    for (const entry of ['../data/evil.py', join(data, 'evil.py')]) {
      const bad = await initHarness(
        ['/usr/bin/python3', join(HARNESS, 'python/harness.py')],
        init(code, entry),
      );
      assert.equal(bad.t, 'init-error');
      assert.match(bad.error?.errorMessage ?? '', /is outside the code root/);
    }
    const good = await initHarness(
      ['/usr/bin/python3', join(HARNESS, 'python/harness.py')],
      init(code, 'app.py'),
    );
    assert.equal(good.t, 'ready');
  });
});

describe('runBuildStep', () => {
  it('kills the whole step at the deadline (DEPLOY_BUILD_TIMEOUT)', async () => {
    const { code } = await layout({});
    const t0 = Date.now();
    await assert.rejects(
      runBuildStep(['/bin/sh', '-c', 'sleep 30 & echo $! > grandchild.pid; wait'], {
        codeRoot: code,
        timeoutMs: 500,
        memoryMb: 64,
      }),
      (e: Error & { code?: string }) =>
        e.code === 'NIMBUS_ERR_DEPLOY_BUILD_TIMEOUT' && /0\.5 s/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 5000);
    // The step's own children die with it (gone, or a zombie where PID 1 does not reap).
    const pid = Number(await readFile(join(code, 'grandchild.pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    let state = 'gone';
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2)[0] ?? '?';
    } catch {
      // no such process
    }
    assert.ok(state === 'gone' || state === 'Z', `the grandchild is still running (state ${state})`);
  });

  it('runs in the code root with a clean environment and returns stdout, stderr and the exit code', async () => {
    const { code } = await layout({});
    process.env.NIMBUS_TEST_LEAK = SECRET;
    try {
      const r = await runBuildStep(['/bin/sh', '-c', 'env; pwd; cat; echo oops >&2; exit 3'], {
        codeRoot: code,
        timeoutMs: 10_000,
        memoryMb: 256,
        stdin: 'from stdin',
      });
      assert.equal(r.code, 3);
      assert.equal(r.stderr, 'oops\n');
      const out = r.stdout.toString('utf8');
      assert.ok(!out.includes(SECRET));
      const env = out
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => l.split('=')[0])
        .sort();
      assert.deepEqual(
        env.filter((k) => k !== 'PWD' && k !== 'SHLVL' && k !== '_'),
        ['HOME', 'LANG', 'NIMBUS_BUILD_MEMORY_MB', 'PATH'],
      );
      assert.match(out, new RegExp(`\n${code}\nfrom stdin$`));
    } finally {
      delete process.env.NIMBUS_TEST_LEAK;
    }
  });

  it('bundles through the worker within the step limits (a tiny budget is not needed for small code)', async () => {
    const a = await buildArtifact(
      { kind: 'zip', data: zipFiles({ 'index.js': enc('exports.handler = async () => 1;') }) },
      { ...node, stepLimits: { timeoutMs: 30_000, memoryMb: 256 } },
    );
    assert.equal(a.entry, 'index.mjs');
  });
});

describe('through the platform API', () => {
  it('a deploy importing the admin credentials is refused with 400 PATH_OUTSIDE_ROOT, without the secret', async () => {
    const p = await startTestPlatform();
    try {
      const creds = join(p.dataDir, 'admin-credentials.json');
      assert.ok(existsSync(creds), 'the platform wrote its admin credentials');
      const { code } = await layout({
        'index.mjs': `import creds from ${JSON.stringify(creds)};\nexport const handler = () => creds;`,
      });
      const r = await p.deployDir('steal', code, { runtime: 'nodejs24.x', handler: 'index.handler' });
      assert.equal(r.status, 400);
      const text = JSON.stringify(r.body);
      assert.match(text, /NIMBUS_ERR_DEPLOY_PATH_OUTSIDE_ROOT/);
      assert.ok(!text.includes(p.secret), 'the admin secret is not in the answer');
      const h = await p.deployDir('up', code, { runtime: 'nodejs24.x', handler: '../../x.handler' });
      assert.equal(h.status, 400);
      assert.match(JSON.stringify(h.body), /NIMBUS_ERR_DEPLOY_PATH_OUTSIDE_ROOT/);
    } finally {
      await p.stop();
    }
  });
});
