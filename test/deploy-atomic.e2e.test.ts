/**
 * `nimbus deploy` switches a service as one change (src/cli/deploy-plan.ts), with the real CLI on
 * a real platform. A service of two functions is deployed (v1); then a v2 whose second function
 * does not build changes nothing; then a v2 that builds but fails while being applied (an sqs
 * event source whose batchSize the platform refuses, checked only when sources are replaced) is
 * rolled back: functions, code, configuration, routes, schedules, sources and the role are as v1
 * left them, and the function v2 added is gone. A route moves between two functions of the
 * service in one deploy. And the REST option underneath: PUT with `dryRun` builds and keeps the
 * artifact without changing the function; `code: {sha256}` deploys it without a build.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'nimbus.mjs');

interface Version {
  /** Marks the code and the VERSION variable. */
  tag: string;
  /** a's routes; b's are `GET /atom/b` unless `bRoutes`. */
  aRoutes: string[];
  bRoutes?: string[];
  aMemory?: number;
  /** The role's action. */
  action?: string;
  /** A third function (new in v2). */
  withC?: boolean;
  /** b's sqs event source batch size (absent: no source). */
  bBatch?: number;
  bSchedule?: string;
  /** b's s3 event bucket (absent: none). */
  bBucket?: string;
}

const sls = (v: Version) => `service: atom
provider:
  name: aws
  runtime: nodejs24.x
  environment:
    VERSION: ${v.tag}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: ${v.action ?? 'sqs:SendMessage'}
          Resource: !GetAtt Jobs.Arn
functions:
  a:
    handler: a.handler
${v.aMemory ? `    memorySize: ${v.aMemory}\n` : ''}    events:
${v.aRoutes.map((r) => `      - httpApi: '${r}'`).join('\n')}
  b:
    handler: b.handler
    events:
${(v.bRoutes ?? ['GET /atom/b']).map((r) => `      - httpApi: '${r}'`).join('\n')}
      - schedule: ${v.bSchedule ?? 'rate(1 day)'}
${v.bBatch ? `      - sqs:\n          arn: !GetAtt Jobs.Arn\n          batchSize: ${v.bBatch}\n` : ''}${
  v.bBucket ? `      - s3: ${v.bBucket}\n` : ''
}${
  v.withC
    ? `  c:
    handler: c.handler
    events:
      - httpApi: 'GET /atom/c'
`
    : ''
}resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
`;

const handler = (fn: string, tag: string) =>
  `const CODE = '${tag}';\nexport const handler = async (event) => ({ statusCode: 200, body: '${fn} ' + CODE + ' ' + process.env.VERSION + ' ' + (event.rawPath ?? '') });\n`;

describe('nimbus deploy: the service switches as one change, or not at all', () => {
  let p: TestPlatform;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const cli = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, [BIN, ...args], { env, cwd: dir, timeout: 120_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  const write = async (v: Version, files: Record<string, string | null> = {}) => {
    await writeFile(join(dir, 'serverless.yml'), sls(v));
    const code: Record<string, string | null> = {
      'a.mjs': handler('a', v.tag),
      'b.mjs': handler('b', v.tag),
      'c.mjs': v.withC ? handler('c', v.tag) : null,
      ...files,
    };
    for (const [f, text] of Object.entries(code)) {
      if (text === null) await rm(join(dir, f), { force: true });
      else await writeFile(join(dir, f), text);
    }
  };
  const get = async (path: string) => {
    const r = await fetch(`${p.gatewayUrl}${path}`);
    const text = await r.text(); // error bodies carry a request id: only the status then
    return r.status === 200 ? `200 ${text}` : String(r.status);
  };
  /** Everything a deploy may change, as comparable data. */
  const state = async () => {
    const fns: Record<string, unknown> = {};
    for (const name of ['atom-dev-a', 'atom-dev-b', 'atom-dev-c']) {
      const r = await p.json<{
        function: Record<string, unknown>;
        versions: { version: string; codeSha256: string }[];
      }>('GET', `/v1/functions/${name}`);
      if (r.status === 404) {
        fns[name] = null;
        continue;
      }
      const { revisionId: _r, updatedAt: _u, createdAt: _c, ...f } = r.body.function;
      fns[name] = { ...f, versions: r.body.versions.map((v) => `${v.version}:${v.codeSha256}`) };
    }
    const routes = (await p.json<{ routes: { routeKey: string; function: string }[] }>('GET', '/v1/routes'))
      .body.routes;
    const schedules = (
      await p.json<{ schedules: { name: string; function: string; expression: string }[] }>(
        'GET',
        '/v1/schedules',
      )
    ).body.schedules;
    const sources = (
      await p.json<{ sources: { function: string; kind: string; batchSize: number }[] }>('GET', '/v1/sources')
    ).body.sources;
    const role = (await p.json<{ role: { policies: unknown } }>('GET', '/v1/roles/atom-dev-lambdaRole')).body
      .role;
    return {
      fns,
      routes: routes.map((r) => `${r.routeKey} → ${r.function}`).sort(),
      schedules: schedules.map((s) => `${s.name} → ${s.function} ${s.expression}`).sort(),
      sources: sources.map((s) => `${s.kind} → ${s.function} ${s.batchSize}`).sort(),
      policies: role.policies,
      served: {
        a: await get('/atom/a'),
        b: await get('/atom/b'),
        a2: await get('/atom/a2'),
        c: await get('/atom/c'),
      },
    };
  };

  before(async () => {
    p = await startTestPlatform();
    env = {
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_KEY_ID: p.admin.keyId,
      NIMBUS_SECRET: p.secret,
    };
    dir = await fixture({});
  });
  after(() => p?.stop());

  let v1: Awaited<ReturnType<typeof state>>;

  it('deploys v1 of a two-function service', async () => {
    await write({ tag: 'v1', aRoutes: ['GET /atom/a'] });
    const d = await cli('deploy');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^atom-dev-a\s+version 1/m);
    assert.match(d.stdout, /^atom-dev-b\s+version 1/m);
    assert.match(d.stdout, /package service: 2 files/);
    assert.match(d.stdout, /switched 2 functions in \d+ ms/);
    console.log(`v1: ${d.stdout.match(/switched [^\n]*/)?.[0]}`);
    v1 = await state();
    assert.equal(v1.served.a, '200 a v1 v1 /atom/a');
    assert.equal(v1.served.b, '200 b v1 v1 /atom/b');
    assert.deepEqual(v1.routes, ['GET /atom/a → atom-dev-a', 'GET /atom/b → atom-dev-b']);
    assert.equal(v1.fns['atom-dev-c'], null);
  });

  it('changes nothing when one function of v2 does not build', async () => {
    await write(
      { tag: 'v2', aRoutes: ['GET /atom/a', 'GET /atom/a2'], aMemory: 256, withC: true, action: 'sqs:*' },
      { 'b.mjs': 'export const handler = async () => {\n  return "unclosed";\n' },
    );
    const t0 = performance.now();
    const d = await cli('deploy');
    assert.equal(d.code, 1, d.stdout);
    assert.match(d.stderr, /atom-dev-b: /);
    assert.match(d.stderr, /nothing was deployed/);
    assert.match(d.stderr, /NIMBUS_ERR_DEPLOY_BUILD_FAILED/);
    console.log(`failed build: deploy refused in ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepEqual(await state(), v1);

    // A handler file that is missing fails the same way, before anything changes.
    await write({ tag: 'v2', aRoutes: ['GET /atom/a', 'GET /atom/a2'], withC: true }, { 'b.mjs': null });
    const m = await cli('deploy', '--json');
    assert.equal(m.code, 1);
    assert.equal(JSON.parse(m.stdout).error.code, 'NIMBUS_ERR_DEPLOY_HANDLER_FILE_NOT_FOUND');
    assert.deepEqual(await state(), v1);
  });

  it('refuses a schedule expression or a route key it cannot parse, before building', async () => {
    await write({ tag: 'v2', aRoutes: ['GET /atom/a', 'GET /atom/{x'], bSchedule: 'rate(3 fortnights)' });
    const d = await cli('deploy');
    assert.equal(d.code, 1);
    assert.match(d.stderr, /nothing was deployed/);
    assert.match(d.stderr, /functions\.a: route "GET \/atom\/\{x": invalid route key/);
    assert.match(
      d.stderr,
      /functions\.b: schedule atom-dev-b-schedule-1: invalid schedule expression "rate\(3 fortnights\)"/,
    );
    assert.deepEqual(await state(), v1);
  });

  it('rolls back every function, route, schedule, source and the role when applying v2 fails', async () => {
    await write({
      tag: 'v2',
      aRoutes: ['GET /atom/a', 'GET /atom/a2'],
      aMemory: 256,
      withC: true,
      action: 'sqs:*',
      bBatch: 5000,
    });
    const t0 = performance.now();
    const d = await cli('deploy', '--json');
    const ms = performance.now() - t0;
    assert.equal(d.code, 1, d.stderr);
    const err = JSON.parse(d.stdout).error;
    assert.equal(err.code, 'NIMBUS_ERR_DEPLOY_ROLLED_BACK', JSON.stringify(err));
    assert.match(err.message, /batchSize is 1–1000/);
    assert.match(err.message, /while applying sources of atom-dev-b/);
    assert.match(err.message, /restored atom-dev-a, atom-dev-b; removed atom-dev-c \(new in this deploy\)/);
    assert.deepEqual(err.details.restored, ['atom-dev-a', 'atom-dev-b']);
    assert.deepEqual(err.details.removed, ['atom-dev-c']);
    console.log(
      `failed apply: whole deploy ${ms.toFixed(0)} ms; partly switched for ${err.details.switchMs} ms, rollback ${err.details.rollbackMs} ms`,
    );
    const after = await state();
    assert.deepEqual(after, v1);
    // The CLI's invoke sees v1 too.
    const i = await cli('invoke', '-f', 'a', '--json');
    assert.match(JSON.parse(i.stdout).result.body, /^a v1 v1/);
  });

  it('moves a route from one function to another in one deploy, and publishes once all switched', async () => {
    await write({ tag: 'v3', aRoutes: ['GET /atom/a', 'GET /atom/b'], bRoutes: ['GET /atom/b2'], bBatch: 5 });
    const d = await cli('deploy');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^atom-dev-a\s+version 2/m);
    assert.match(d.stdout, /^atom-dev-b\s+version 2/m);
    assert.equal(await get('/atom/b'), '200 a v3 v3 /atom/b');
    assert.equal(await get('/atom/b2'), '200 b v3 v3 /atom/b2');
    const routes = (await p.json<{ routes: { routeKey: string; function: string }[] }>('GET', '/v1/routes'))
      .body.routes;
    assert.deepEqual(routes.map((r) => `${r.routeKey} → ${r.function}`).sort(), [
      'GET /atom/a → atom-dev-a',
      'GET /atom/b → atom-dev-a',
      'GET /atom/b2 → atom-dev-b',
    ]);
    // And back, failing last (a bucket name the platform refuses, after the sources were
    // replaced): the moved route returns to where v3 put it, b's source to its v3 batch size.
    const v3 = await state();
    assert.deepEqual(v3.sources, ['sqs → atom-dev-b 5']);
    await write({
      tag: 'v4',
      aRoutes: ['GET /atom/a'],
      bRoutes: ['GET /atom/b'],
      bBatch: 7,
      bBucket: 'Not_A_Bucket',
    });
    const f = await cli('deploy');
    assert.equal(f.code, 1);
    assert.match(f.stderr, /NIMBUS_ERR_DEPLOY_ROLLED_BACK/);
    assert.match(f.stderr, /while applying bucket-events of atom-dev-b/);
    assert.deepEqual(await state(), v3);
  });

  it('PUT /v1/functions/{name} with dryRun builds and keeps the artifact; code {sha256} deploys it', async () => {
    const before = await state();
    const zip = await import('../src/registry/build/index.ts').then(async (m) =>
      Buffer.from(await m.zipDirectory(await fixture({ 'x.mjs': handler('x', 'dry') }))).toString('base64'),
    );
    const body = { runtime: 'nodejs24.x', handler: 'x.handler', environment: { VERSION: 'd' } };
    const dry = await p.json<{ dryRun: boolean; codeSha256: string; exists: boolean; unchanged: boolean }>(
      'PUT',
      '/v1/functions/atom-dev-a',
      { ...body, code: { zipBase64: zip }, dryRun: true },
    );
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.equal(dry.body.dryRun, true);
    assert.equal(dry.body.exists, true);
    assert.equal(dry.body.unchanged, false);
    assert.match(dry.body.codeSha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(await state(), before, 'a dry run changes nothing');
    // Unknown code, or code built for another handler, is refused.
    const unknown = await p.json('PUT', '/v1/functions/atom-dev-a', {
      ...body,
      code: { sha256: 'f'.repeat(64) },
    });
    assert.equal(unknown.status, 404);
    const other = await p.json('PUT', '/v1/functions/atom-dev-a', {
      ...body,
      handler: 'x.other',
      code: { sha256: dry.body.codeSha256 },
    });
    assert.equal(other.status, 404);
    const put = await p.json<{ function: { codeSha256: string }; timings: { buildMs: number } }>(
      'PUT',
      '/v1/functions/atom-dev-a',
      { ...body, code: { sha256: dry.body.codeSha256 } },
    );
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.function.codeSha256, dry.body.codeSha256);
    assert.equal(put.body.timings.buildMs, 0);
    assert.equal(await get('/atom/a'), '200 x dry d /atom/a');
  });
});
