/**
 * Legacy Lambda runtime ids through the real platform: each runs on the installed runtime of its
 * family and the deploy says so in `warnings`. A nodejs16.x function gets the v2 AWS SDK
 * (`require('aws-sdk')`) from the runtime, as on Lambda, without bundling it; its unmodified
 * `new AWS.S3()` / `new AWS.SQS()` reach Nimbus (the staged v2 SDK reads AWS_ENDPOINT_URL*) and
 * the function's role decides. python3.7 runs on the machine's python3, java11 on JDK 17 (sources
 * compiled at deploy). Ids of languages that are not installed are refused with the supported list.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { findJdk } from '../src/runtime/java/toolchain.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { sinkSkip } from './support/sink.ts';

const V2_VERSION = (
  JSON.parse(readFileSync(new URL('../node_modules/aws-sdk/package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const jdkSkip =
  !findJdk() && process.env.CI !== 'true'
    ? 'no JDK 17 installed (apt-get install openjdk-17-jdk-headless)'
    : false;

interface DeployBody {
  function?: { codeSize: number; runtime: string };
  warnings?: string[];
  error?: { code: string; message: string; hint?: string };
}
interface InvokeBody<R> {
  ok: boolean;
  result?: R;
  error?: unknown;
}

describe('legacy runtime ids (e2e)', () => {
  let p: TestPlatform;
  let s3: S3Client;
  let sqs: SQSClient;
  const deploy = async (name: string, dir: string, cfg: Record<string, unknown>) => {
    const d = await p.deployDir(name, dir, cfg);
    return { status: d.status, body: d.body as DeployBody };
  };
  const invoke = <R>(name: string, body: unknown = {}) =>
    p.json<InvokeBody<R>>('POST', `/v1/functions/${name}/invoke`, body);

  before(async () => {
    p = await startTestPlatform();
    const credentials = { accessKeyId: p.admin.keyId, secretAccessKey: p.secret };
    s3 = new S3Client({ endpoint: p.s3Url, region: 'local-1', forcePathStyle: true, credentials });
    sqs = new SQSClient({ endpoint: p.apiUrl, region: 'local-1', credentials });
  });
  after(async () => {
    s3?.destroy();
    sqs?.destroy();
    await p?.stop();
  });

  it('nodejs16.x: require("aws-sdk") is the provided v2 SDK, not bundled; the deploy warns', async () => {
    const dir = await fixture({
      'index.js': `const AWS = require('aws-sdk');
const S3 = require('aws-sdk/clients/s3');
exports.handler = async () => ({
  version: AWS.VERSION,
  subpath: S3 === AWS.S3,
  node: process.versions.node.split('.')[0],
});`,
    });
    const d = await deploy('legacy-node', dir, { runtime: 'nodejs16.x', handler: 'index.handler' });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    assert.equal(d.body.function?.runtime, 'nodejs16.x');
    assert.ok((d.body.function?.codeSize ?? Infinity) < 10_000, 'the v2 SDK is not in the artifact');
    assert.deepEqual(
      d.body.warnings?.filter((w) => w.startsWith('nodejs16.x')),
      [
        "nodejs16.x runs on Node.js 24 here (the installed Node); code that relies on behaviour removed since Node.js 16 may fail (the v2 AWS SDK, require('aws-sdk'), is provided as on Lambda)",
      ],
    );
    const r = await invoke<{ version: string; subpath: boolean; node: string }>('legacy-node');
    assert.equal(r.body.ok, true, JSON.stringify(r.body));
    assert.deepEqual(r.body.result, { version: V2_VERSION, subpath: true, node: '24' });

    // Current ids do not warn.
    const current = await deploy('current-node', dir, { runtime: 'nodejs20.x', handler: 'index.handler' });
    assert.equal(current.status, 201, JSON.stringify(current.body));
    assert.deepEqual(current.body.warnings, []);
  });

  it('nodejs16.x: unmodified new AWS.S3() / new AWS.SQS() reach Nimbus; the role decides', {
    skip: sinkSkip(),
  }, async () => {
    for (const b of ['legacy-out', 'legacy-other']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'legacy-jobs' }));
    const role = await p.api('PUT', '/v1/roles/legacy-writer', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::legacy-out/*' },
            { Effect: 'Allow', Action: ['sqs:GetQueueUrl', 'sqs:SendMessage'], Resource: '*' },
          ],
        },
      ],
    });
    assert.equal(role.status, 200);
    const dir = await fixture({
      'index.js': `const AWS = require('aws-sdk');
const s3 = new AWS.S3();
const sqs = new AWS.SQS();
exports.handler = async () => {
  const out = {};
  for (const Bucket of ['legacy-out', 'legacy-other']) {
    try {
      await s3.putObject({ Bucket, Key: 'v2.txt', Body: 'written by aws-sdk v2' }).promise();
      out[Bucket] = 'ok';
    } catch (e) {
      out[Bucket] = e.code;
    }
  }
  const { QueueUrl } = await sqs.getQueueUrl({ QueueName: 'legacy-jobs' }).promise();
  const sent = await sqs.sendMessage({ QueueUrl, MessageBody: 'from aws-sdk v2' }).promise();
  out.sent = typeof sent.MessageId;
  return out;
};`,
    });
    const d = await deploy('legacy-sdk', dir, {
      runtime: 'nodejs14.x',
      handler: 'index.handler',
      role: 'legacy-writer',
      timeoutSec: 15,
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    assert.match(d.body.warnings?.[0] ?? '', /^nodejs14\.x runs on Node\.js 24 here/);
    const r = await invoke<Record<string, string>>('legacy-sdk');
    assert.deepEqual(
      r.body.result,
      { 'legacy-out': 'ok', 'legacy-other': 'AccessDenied', sent: 'string' },
      JSON.stringify(r.body),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'legacy-out', Key: 'v2.txt' }));
    assert.equal(await got.Body!.transformToString(), 'written by aws-sdk v2');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'legacy-jobs' }));
    const m = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.deepEqual(
      m.Messages?.map((x) => x.Body),
      ['from aws-sdk v2'],
    );
  });

  it("python3.7 runs on the machine's python3 and the deploy warns", async () => {
    const dir = await fixture({
      'app.py': `import sys


def handler(event, context):
    return {"major": sys.version_info[0], "name": context.function_name}
`,
    });
    const d = await deploy('legacy-py', dir, { runtime: 'python3.7', handler: 'app.handler' });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    assert.deepEqual(d.body.warnings, [
      "python3.7 runs on this machine's python3 here (Python 3.7 is not installed); code that relies on behaviour removed since Python 3.7 may fail",
    ]);
    const r = await invoke<{ major: number; name: string }>('legacy-py');
    assert.deepEqual(r.body.result, { major: 3, name: 'legacy-py' }, JSON.stringify(r.body));
  });

  it('java11 compiles and runs on JDK 17 and the deploy warns', { skip: jdkSkip }, async () => {
    const d = await deploy('legacy-java', 'examples/hello-java', {
      runtime: 'java11',
      handler: 'example.Hello::handleRequest',
      memoryMb: 256,
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    assert.equal(d.body.warnings?.length, 1, JSON.stringify(d.body.warnings));
    assert.match(
      d.body.warnings?.[0] ?? '',
      /^java11 runs on Java 17 here \(the installed JDK\); sources are compiled with --release 17/,
    );
    const r = await invoke<Record<string, string>>('legacy-java', { name: 'Ada' });
    assert.deepEqual(
      r.body.result,
      { message: 'Hello, Ada!', function: 'legacy-java' },
      JSON.stringify(r.body),
    );
  });

  it('refuses .NET, Ruby and Go ids with a coded error listing the supported ids', async () => {
    const dir = await fixture({ 'index.js': 'exports.handler = async () => 1;' });
    for (const runtime of ['dotnet8', 'ruby3.3', 'go1.x']) {
      const d = await deploy(`refused-${runtime.replace(/\W/g, '')}`, dir, {
        runtime,
        handler: 'index.handler',
      });
      assert.equal(d.status, 400, JSON.stringify(d.body));
      assert.equal(d.body.error?.code, 'NIMBUS_ERR_DEPLOY_INVALID_CONFIG');
      assert.match(
        d.body.error?.message ?? '',
        new RegExp(`runtime ${runtime.replace('.', '\\.')} is not supported`),
      );
      assert.match(
        d.body.error?.message ?? '',
        /is not installed in Nimbus; supported runtimes: nodejs24\.x,.*java8.*/,
      );
    }
  });
});
