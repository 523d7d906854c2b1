/**
 * serverless.yml projects written for AWS, deployed unmodified with the real CLI and then used
 * as their users would: an SNS fan-out (producer publishes through the Lambda-provided
 * client-sns; two `- sns:` subscribers, one with a filter policy), an `eventBridge` rule matching
 * AWS-style `detail-type` (events put through client-eventbridge), an s3-triggered function
 * writing to another bucket (declared as an AWS::S3::Bucket resource) through the SDK, a Python
 * function using boto3 and `logging`, a serverless-lift `queue` construct, and an express app
 * through serverless-http.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const run = promisify(execFile);

describe('serverless.yml projects, deployed unmodified', () => {
  let p: TestPlatform;
  const creds = () => ({ accessKeyId: p.admin.keyId, secretAccessKey: p.secret });
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p?.stop());

  /** Deploys with the CLI; returns short function name → deployed name. */
  async function deploy(dir: string): Promise<{ names: Record<string, string>; stdout: string }> {
    const env = { ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret };
    const out = await run(process.execPath, ['bin/nimbus.mjs', 'deploy', dir, '--json'], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    const r = JSON.parse(out.stdout) as { functions: { function: { name: string } }[] };
    const names: Record<string, string> = {};
    for (const f of r.functions) {
      const n = f.function.name;
      names[n.split('-').at(-1)!] = n;
      names[n] = n;
    }
    return { names, stdout: out.stdout };
  }
  /** Log lines of a function that contain `needle`, waiting up to 10 s for at least `n`. */
  async function logLines(fn: string, needle: string, n = 1): Promise<string[]> {
    let found: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await p.json<{ lines: { message: string }[] }>('GET', `/v1/functions/${fn}/logs?limit=500`);
      found = r.body.lines.map((l) => l.message).filter((m) => m.includes(needle));
      if (found.length >= n) return found;
      await new Promise((res) => setTimeout(res, 100));
    }
    return found;
  }

  it('an SNS fan-out: producer publishes through the SDK, subscribers get SNS records, a filter policy applies', async () => {
    const dir = await fixture({
      'serverless.yml': `service: fanout
provider:
  name: aws
  runtime: nodejs20.x
  environment:
    TOPIC_ARN: arn:aws:sns:\${aws:region}:\${aws:accountId}:orders
  iam:
    role:
      statements:
        - Effect: Allow
          Action: sns:Publish
          Resource: arn:aws:sns:\${aws:region}:\${aws:accountId}:orders
functions:
  publish:
    handler: publish.handler
    events:
      - httpApi: 'POST /orders'
  billing:
    handler: subscriber.handler
    events:
      - sns: orders
  vip:
    handler: subscriber.handler
    events:
      - sns:
          topicName: orders
          filterPolicy:
            tier: [gold]
`,
      'publish.mjs': `import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
const sns = new SNSClient({});
export const handler = async (event) => {
  const order = JSON.parse(event.body);
  const r = await sns.send(new PublishCommand({
    TopicArn: process.env.TOPIC_ARN,
    Message: JSON.stringify(order),
    MessageAttributes: { tier: { DataType: 'String', StringValue: order.tier } },
  }));
  return { statusCode: 202, body: r.MessageId };
};`,
      'subscriber.mjs': `export const handler = async (event) => {
  for (const r of event.Records) console.log('got', r.EventSource, JSON.parse(r.Sns.Message).id, r.Sns.MessageAttributes.tier.Value);
};`,
    });
    const { names } = await deploy(dir);
    for (const o of [
      { id: 'o1', tier: 'gold' },
      { id: 'o2', tier: 'basic' },
    ]) {
      const r = await fetch(`${p.gatewayUrl}/orders`, { method: 'POST', body: JSON.stringify(o) });
      assert.equal(r.status, 202, await r.text());
    }
    assert.deepEqual(
      (await logLines(names.billing!, 'got aws:sns', 2)).map((l) => l.split('got ')[1]).sort(),
      ['aws:sns o1 gold', 'aws:sns o2 basic'],
    );
    assert.deepEqual(
      (await logLines(names.vip!, 'got aws:sns')).map((l) => l.split('got ')[1]),
      ['aws:sns o1 gold'],
    );
  });

  it('an eventBridge rule written for AWS matches detail-type and detail, and the target gets the envelope', async () => {
    const dir = await fixture({
      'serverless.yml': `service: bridge
provider:
  name: aws
  runtime: nodejs20.x
functions:
  onSignup:
    handler: index.handler
    events:
      - eventBridge:
          pattern:
            source: [app.users]
            detail-type: [User Signed Up]
            detail:
              plan: [pro]
`,
      'index.mjs': `export const handler = async (e) => { console.log('signup', e['detail-type'], e.detail.email, e.account); };`,
    });
    const { names } = await deploy(dir);
    const eb = new EventBridgeClient({ endpoint: p.apiUrl, region: 'local-1', credentials: creds() });
    try {
      const entry = (email: string, plan: string, DetailType = 'User Signed Up') => ({
        Source: 'app.users',
        DetailType,
        Detail: JSON.stringify({ email, plan }),
      });
      const r = await eb.send(
        new PutEventsCommand({
          Entries: [entry('a@x', 'pro'), entry('b@x', 'free'), entry('c@x', 'pro', 'User Deleted')],
        }),
      );
      assert.equal(r.FailedEntryCount, 0);
    } finally {
      eb.destroy();
    }
    const lines = await logLines(names.onSignup!, 'signup ');
    await new Promise((res) => setTimeout(res, 500));
    const all = await logLines(names.onSignup!, 'signup ');
    assert.equal(lines.length, 1);
    assert.equal(all.length, 1, all.join('\n'));
    assert.match(all[0]!, /signup User Signed Up a@x 000000000000/);
  });

  it('an s3-triggered function writes to another bucket (an AWS::S3::Bucket resource) through the SDK', async () => {
    const dir = await fixture({
      'serverless.yml': `service: thumbs
provider:
  name: aws
  runtime: nodejs20.x
  environment:
    OUT_BUCKET: !Ref ProcessedBucket
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [s3:GetObject]
          Resource: arn:aws:s3:::uploads-thumbs/*
        - Effect: Allow
          Action: [s3:PutObject]
          Resource: !Join ['', [!GetAtt ProcessedBucket.Arn, '/*']]
functions:
  process:
    handler: index.handler
    events:
      - s3:
          bucket: uploads-thumbs
          event: s3:ObjectCreated:*
          rules:
            - suffix: .txt
resources:
  Resources:
    ProcessedBucket:
      Type: AWS::S3::Bucket
      Properties:
        BucketName: processed-thumbs
`,
      'index.mjs': `import { S3Client, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
const s3 = new S3Client({});
export const handler = async (event) => {
  for (const r of event.Records) {
    const key = decodeURIComponent(r.s3.object.key.replace(/\\+/g, ' '));
    const obj = await s3.send(new GetObjectCommand({ Bucket: r.s3.bucket.name, Key: key }));
    const text = await obj.Body.transformToString();
    await s3.send(new PutObjectCommand({ Bucket: process.env.OUT_BUCKET, Key: key, Body: text.toUpperCase() }));
  }
};`,
    });
    await deploy(dir);
    const s3 = new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      credentials: creds(),
      forcePathStyle: true,
    });
    try {
      await s3.send(
        new PutObjectCommand({ Bucket: 'uploads-thumbs', Key: 'note.txt', Body: 'hello bucket' }),
      );
      let text: string | undefined;
      for (let i = 0; i < 100 && text === undefined; i++) {
        text = await s3
          .send(new GetObjectCommand({ Bucket: 'processed-thumbs', Key: 'note.txt' }))
          .then((o) => o.Body!.transformToString())
          .catch(() => undefined);
        if (text === undefined) await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(text, 'HELLO BUCKET');
    } finally {
      s3.destroy();
    }
  });

  it('a Python function uses boto3 and logging as on Lambda', async () => {
    const dir = await fixture({
      'serverless.yml': `service: pyjobs
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [sqs:SendMessage, sqs:GetQueueUrl]
          Resource: !GetAtt Jobs.Arn
  environment:
    QUEUE_URL: !Ref Jobs
functions:
  enqueue:
    handler: handler.main
    events:
      - httpApi: 'POST /py-jobs'
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: py-jobs
`,
      'handler.py': `import json, logging, os
import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)
sqs = boto3.client('sqs')

def main(event, context):
    body = json.loads(event['body'])
    r = sqs.send_message(QueueUrl=os.environ['QUEUE_URL'], MessageBody=json.dumps(body))
    logger.info('queued job %s as %s', body['job'], r['MessageId'])
    return {'statusCode': 200, 'body': json.dumps({'id': r['MessageId']})}
`,
    });
    const { names } = await deploy(dir);
    const r = await fetch(`${p.gatewayUrl}/py-jobs`, { method: 'POST', body: '{"job":"resize"}' });
    const text = await r.text();
    assert.equal(r.status, 200, text);
    const id = (JSON.parse(text) as { id: string }).id;
    const [line] = await logLines(names.enqueue!, 'queued job');
    assert.match(line ?? '', new RegExp(`^\\[INFO\\]\\t\\S+\\t[0-9a-f-]{36}\\tqueued job resize as ${id}`));
  });

  it('a serverless-lift queue: the producer sends to the construct queueUrl variable, the worker consumes', async () => {
    const dir = await fixture({
      'serverless.yml': `service: lifted
plugins:
  - serverless-lift
provider:
  name: aws
  runtime: nodejs20.x
constructs:
  jobs:
    type: queue
    worker:
      handler: worker.handler
functions:
  producer:
    handler: producer.handler
    environment:
      QUEUE_URL: \${construct:jobs.queueUrl}
    events:
      - httpApi: 'POST /lift-jobs'
`,
      'producer.mjs': `import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
export const handler = async (event) => {
  const r = await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: event.body }));
  return { statusCode: 202, body: r.MessageId };
};`,
      'worker.mjs': `export const handler = async (event) => {
  for (const r of event.Records) console.log('lift job', JSON.parse(r.body).job, r.eventSourceARN.split(':').pop());
  return { batchItemFailures: [] };
};`,
    });
    const { names, stdout } = await deploy(dir);
    assert.ok(names.jobsWorker, stdout);
    const r = await fetch(`${p.gatewayUrl}/lift-jobs`, { method: 'POST', body: '{"job":"thumbnail"}' });
    assert.equal(r.status, 202, await r.text());
    const [line] = await logLines(names.jobsWorker!, 'lift job');
    assert.match(line ?? '', /lift job thumbnail lifted-dev-jobs$/);
  });

  it('an express app through serverless-http behind REST http events with the stage and cors', async () => {
    const dir = await fixture({
      'package.json': JSON.stringify({
        name: 'express-api',
        type: 'module',
        dependencies: { express: '^4.21.0', 'serverless-http': '^3.2.0' },
      }),
      'serverless.yml': `service: expressapi
provider:
  name: aws
  runtime: nodejs20.x
functions:
  app:
    handler: app.handler
    events:
      - http:
          path: /
          method: ANY
      - http:
          path: /{proxy+}
          method: ANY
          cors: true
`,
      'app.mjs': `import express from 'express';
import serverless from 'serverless-http';
const app = express();
app.use(express.json());
app.get('/users/:id', (req, res) => res.json({ id: req.params.id, stage: req.apiGateway.event.requestContext.stage }));
app.post('/users', (req, res) => res.status(201).json({ created: req.body }));
app.get('/', (_req, res) => res.send('home'));
export const handler = serverless(app);
`,
    });
    await deploy(dir);
    const gw = (path: string, init?: RequestInit) => fetch(`${p.gatewayUrl}${path}`, init);
    assert.deepEqual(await (await gw('/dev/users/42')).json(), { id: '42', stage: 'dev' });
    assert.deepEqual(await (await gw('/users/7')).json(), { id: '7', stage: 'dev' }, 'the unstaged alias');
    const created = await gw('/dev/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"ada"}',
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { created: { name: 'ada' } });
    assert.equal(await (await gw('/dev/')).text(), 'home');
    const pre = await gw('/dev/users/1', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  });
});
