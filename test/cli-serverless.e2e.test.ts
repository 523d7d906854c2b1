/**
 * The real `nimbus` CLI with serverless.yml services as the Serverless Framework names them:
 * two services that both define `hello` deploy as `<service>-<stage>-hello` and keep working;
 * inside a service folder `invoke -f hello -d … -l`, `logs -f hello [-t]`, `info`, `deploy --stage
 * prod` (a second stage beside dev) and `remove --stage prod` (only that stage goes, with its
 * routes, schedules, sources, role and queue).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'nimbus.mjs');

const HANDLER = `export const handler = async (event, context) => {
  console.log('hello from ' + context.functionName);
  return { service: process.env.SERVICE, functionName: context.functionName, event };
};
export const http = async (event, context) => ({ statusCode: 200, body: context.functionName });
export const worker = async (event) => ({ batchItemFailures: [] });
`;

// alpha: an HTTP route and a schedule on hello, an SQS worker on a queue of its own, and an
// execution role — one of each thing `remove` must take away with a stage.
const ALPHA = `service: alpha
provider:
  name: aws
  runtime: nodejs24.x
  environment:
    SERVICE: \${self:service}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: sqs:SendMessage
          Resource: !GetAtt Jobs.Arn
functions:
  hello:
    handler: index.handler
    events:
      - schedule: rate(1 day)
  web:
    handler: index.http
    events:
      - httpApi: 'GET /alpha/\${sls:stage}'
  worker:
    handler: index.worker
    events:
      - sqs: !GetAtt Jobs.Arn
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
`;

const BETA = `service: beta
provider:
  name: aws
  runtime: nodejs24.x
  environment:
    SERVICE: \${self:service}
functions:
  hello:
    handler: index.handler
`;

describe('nimbus CLI with serverless.yml services (Serverless naming and habits)', () => {
  let p: TestPlatform;
  let env: NodeJS.ProcessEnv;
  let alpha: string;
  let beta: string;
  /** Runs the CLI in `cwd`; never throws on exit codes. */
  const cli = async (cwd: string, ...args: string[]) => {
    try {
      const r = await run(process.execPath, [BIN, ...args], { env, cwd, timeout: 60_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  const exists = async (name: string) => {
    const status = (await p.api('GET', `/v1/functions/${name}`)).status;
    assert.ok(status === 200 || status === 404, `GET ${name}: ${status}`);
    return status === 200;
  };

  before(async () => {
    p = await startTestPlatform();
    env = {
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_KEY_ID: p.admin.keyId,
      NIMBUS_SECRET: p.secret,
      NIMBUS_GATEWAY_URL: p.gatewayUrl,
    };
    alpha = await fixture({ 'serverless.yml': ALPHA, 'index.mjs': HANDLER, 'event.json': '{"from":"file"}' });
    beta = await fixture({ 'serverless.yml': BETA, 'index.mjs': HANDLER });
  });
  after(() => p?.stop());

  it('deploys two services that both define hello as <service>-<stage>-hello; both keep working', async () => {
    const a = await cli(process.cwd(), 'deploy', alpha);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /alpha · stage dev \(serverless\.yml\)/);
    assert.match(a.stdout, /^alpha-dev-hello\s+version 1/m);
    assert.match(a.stdout, /schedule alpha-dev-hello-schedule-1 rate\(1 day\)/);
    assert.match(a.stdout, /route GET \/alpha\/dev/);
    assert.match(a.stdout, /queue alpha-dev-Jobs/);
    assert.match(a.stdout, /role alpha-dev-lambdaRole/);
    const b = await cli(process.cwd(), 'deploy', beta, '--json');
    assert.equal(b.code, 0, b.stderr);
    const bj = JSON.parse(b.stdout);
    assert.equal(bj.stage, 'dev');
    assert.deepEqual(
      bj.functions.map((f: { key: string; function: { name: string } }) => [f.key, f.function.name]),
      [['hello', 'beta-dev-hello']],
    );
    for (const [dir, service] of [
      [alpha, 'alpha'],
      [beta, 'beta'],
    ] as const) {
      // Inside the service folder, as `serverless invoke -f hello -d … -l`.
      const r = await cli(dir, 'invoke', '-f', 'hello', '-d', '{"a":1}', '-l');
      assert.equal(r.code, 0, r.stderr);
      const [result, log] = r.stdout.split(/^-{68}$/m);
      assert.deepEqual(JSON.parse(result!), {
        service,
        functionName: `${service}-dev-hello`,
        event: { a: 1 },
      });
      assert.match(log!, /^START RequestId: /m);
      assert.match(log!, new RegExp(`INFO\\thello from ${service}-dev-hello`));
      assert.match(log!, /^REPORT RequestId: /m);
    }
    // The positional name and --path work too; a name that is not a key is used as given.
    const pos = await cli(alpha, 'invoke', 'hello', '-p', 'event.json', '--json');
    assert.equal(pos.code, 0, pos.stderr);
    assert.deepEqual(JSON.parse(pos.stdout).result.event, { from: 'file' });
    const other = await cli(alpha, 'invoke', '-f', 'beta-dev-hello', '--json');
    assert.equal(JSON.parse(other.stdout).result.functionName, 'beta-dev-hello');
    // Outside the folder, --config names the service.
    const cfg = await cli(
      process.cwd(),
      'invoke',
      '-f',
      'hello',
      '-c',
      join(beta, 'serverless.yml'),
      '--json',
    );
    assert.equal(JSON.parse(cfg.stdout).result.functionName, 'beta-dev-hello');
    const both = await cli(alpha, 'invoke', 'hello', '-f', 'web');
    assert.equal(both.code, 1);
    assert.match(both.stderr, /two functions given/);
    const none = await cli(alpha, 'invoke');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /which function\?/);
    const get = await cli(beta, 'functions', 'get', 'hello');
    assert.match(get.stdout, /^beta-dev-hello {2}nodejs24\.x/);
  });

  it('reads logs by the short name (-f), and follows them with -t', async () => {
    const logs = await cli(alpha, 'logs', '-f', 'hello');
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /INFO\thello from alpha-dev-hello/);
    assert.doesNotMatch(logs.stdout, /beta-dev-hello/);
    const filtered = await cli(alpha, 'logs', 'hello', '--filter', 'REPORT');
    assert.ok(
      filtered.stdout
        .trim()
        .split('\n')
        .every((l) => l.startsWith('REPORT')),
      filtered.stdout,
    );

    const child = spawn(process.execPath, [BIN, 'logs', '-f', 'hello', '-t', '--json', '--since', '1s'], {
      env,
      cwd: beta,
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await new Promise((r) => setTimeout(r, 800));
    const r = JSON.parse((await cli(beta, 'invoke', '-f', 'hello', '-d', '{"n":"tail"}', '--json')).stdout);
    const deadline = Date.now() + 5000;
    while (!out.includes(r.requestId) && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 100));
    child.kill('SIGINT');
    assert.ok(out.includes('hello from beta-dev-hello'), out);
  });

  it('prints the service with info: deployed names, runtime, memory, endpoints, schedules, sources', async () => {
    const human = await cli(alpha, 'info');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^service: alpha$/m);
    assert.match(human.stdout, /^stage: dev$/m);
    assert.match(
      human.stdout,
      /^ {2}hello: alpha-dev-hello \(nodejs24\.x, 128 MB, [\d.]+ KiB, last modified \d{4}-/m,
    );
    assert.match(human.stdout, new RegExp(`^ {4}GET - ${p.gatewayUrl}/alpha/dev$`, 'm'));
    assert.match(human.stdout, /^ {4}schedule alpha-dev-hello-schedule-1: rate\(1 day\)/m);
    assert.match(human.stdout, /^ {4}source sqs alpha-dev-Jobs /m);
    assert.match(human.stdout, /^roles: alpha-dev-lambdaRole$/m);
    assert.match(human.stdout, /^queues: alpha-dev-Jobs$/m);
    const j = JSON.parse((await cli(alpha, 'info', '--json')).stdout);
    assert.equal(j.service, 'alpha');
    assert.equal(j.stage, 'dev');
    const web = j.functions.find((f: { key: string }) => f.key === 'web');
    assert.equal(web.name, 'alpha-dev-web');
    assert.equal(web.deployed, true);
    assert.equal(web.runtime, 'nodejs24.x');
    assert.deepEqual(
      web.endpoints.map((e: { method: string; url: string }) => `${e.method} ${e.url}`),
      [`GET ${p.gatewayUrl}/alpha/dev`],
    );
    // The endpoint info prints answers.
    assert.equal(await (await fetch(web.endpoints[0].url)).text(), 'alpha-dev-web');
    // A stage never deployed says so.
    const qa = JSON.parse((await cli(alpha, 'info', '--stage', 'qa', '--json')).stdout);
    assert.ok(qa.functions.every((f: { deployed: boolean }) => !f.deployed));
  });

  it('deploys a second stage beside dev, and remove --stage takes only that stage away', async () => {
    const d = await cli(alpha, 'deploy', '--stage', 'prod');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /alpha · stage prod/);
    assert.match(d.stdout, /^alpha-prod-hello\s+version 1/m);
    assert.match(d.stdout, /queue alpha-prod-Jobs/);
    assert.match(d.stdout, /role alpha-prod-lambdaRole/);
    const prod = JSON.parse((await cli(alpha, 'invoke', '-f', 'hello', '--stage', 'prod', '--json')).stdout);
    assert.equal(prod.result.functionName, 'alpha-prod-hello');
    const dev = JSON.parse((await cli(alpha, 'invoke', '-f', 'hello', '--json')).stdout);
    assert.equal(dev.result.functionName, 'alpha-dev-hello');
    assert.equal((await fetch(`${p.gatewayUrl}/alpha/prod`)).status, 200);

    const rm = await cli(alpha, 'remove', '--stage', 'prod');
    assert.equal(rm.code, 0, rm.stderr);
    for (const f of ['hello', 'web', 'worker'])
      assert.match(rm.stdout, new RegExp(`removed function alpha-prod-${f}`));
    assert.match(rm.stdout, /removed role alpha-prod-lambdaRole/);
    assert.match(rm.stdout, /removed queue alpha-prod-Jobs/);
    for (const f of ['hello', 'web', 'worker']) {
      assert.equal(await exists(`alpha-prod-${f}`), false, `alpha-prod-${f} removed`);
      assert.equal(await exists(`alpha-dev-${f}`), true, `alpha-dev-${f} kept`);
    }
    assert.equal(await exists('beta-dev-hello'), true);
    assert.equal((await p.api('GET', '/v1/roles/alpha-prod-lambdaRole')).status, 404);
    assert.equal((await p.api('GET', '/v1/roles/alpha-dev-lambdaRole')).status, 200);
    const schedules = (await p.json<{ schedules: { name: string }[] }>('GET', '/v1/schedules')).body
      .schedules;
    assert.deepEqual(
      schedules.map((s) => s.name),
      ['alpha-dev-hello-schedule-1'],
    );
    const sources = (await p.json<{ sources: { function: string }[] }>('GET', '/v1/sources')).body.sources;
    assert.deepEqual(
      sources.map((s) => s.function),
      ['alpha-dev-worker'],
    );
    const queueUrl = (name: string) =>
      p.api('POST', '/', JSON.stringify({ QueueName: name }), {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.GetQueueUrl',
      });
    assert.notEqual((await queueUrl('alpha-prod-Jobs')).status, 200);
    assert.equal((await queueUrl('alpha-dev-Jobs')).status, 200);
    assert.equal((await fetch(`${p.gatewayUrl}/alpha/prod`)).status, 404);
    assert.equal(await (await fetch(`${p.gatewayUrl}/alpha/dev`)).text(), 'alpha-dev-web');

    // Again: nothing left at that stage, and that is not an error.
    const again = await cli(alpha, 'remove', '--stage', 'prod', '--json');
    assert.equal(again.code, 0, again.stderr);
    const aj = JSON.parse(again.stdout);
    assert.deepEqual(aj.functions.removed, []);
    assert.equal(aj.functions.missing.length, 3);
    assert.deepEqual(aj.queues.missing, ['alpha-prod-Jobs']);
  });

  it('refuses, before changing anything, a route another service or stage already serves', async () => {
    const gamma = await fixture({
      'serverless.yml':
        "service: gamma\nprovider:\n  runtime: nodejs24.x\nfunctions:\n  web:\n    handler: index.http\n    events:\n      - httpApi: 'GET /alpha/dev'\n",
      'index.mjs': HANDLER,
    });
    const d = await cli(gamma, 'deploy');
    assert.equal(d.code, 1);
    assert.match(d.stderr, /route GET \/alpha\/dev \(of gamma-dev-web\) is already served by alpha-dev-web/);
    assert.equal(await exists('gamma-dev-web'), false);
  });

  it('keeps a nimbus.yml project under its short names; --stage says it does not apply', async () => {
    const dir = await fixture({
      'nimbus.yml':
        'service: plain\nprovider:\n  runtime: nodejs24.x\nfunctions:\n  plain-fn:\n    handler: index.handler\n',
      'index.mjs': HANDLER,
    });
    const d = await cli(dir, 'deploy', '--stage', 'prod');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /nimbus\.yml names its functions without the stage/);
    assert.match(d.stdout, /^plain-fn\s+version 1/m);
    const r = JSON.parse((await cli(dir, 'invoke', '-f', 'plain-fn', '--json')).stdout);
    assert.equal(r.result.functionName, 'plain-fn');
    // Opting in: `naming: service`.
    await writeFile(
      join(dir, 'nimbus.yml'),
      'service: plain\nnaming: service\nprovider:\n  runtime: nodejs24.x\nfunctions:\n  plain-fn:\n    handler: index.handler\n',
    );
    assert.equal((await cli(dir, 'deploy')).code, 0);
    const r2 = JSON.parse((await cli(dir, 'invoke', '-f', 'plain-fn', '--json')).stdout);
    assert.equal(r2.result.functionName, 'plain-dev-plain-fn');
    const rm = await cli(dir, 'remove');
    assert.match(rm.stdout, /removed function plain-dev-plain-fn/);
    assert.equal(await exists('plain-fn'), true, 'remove only takes what the manifest names now');
  });
});
