/**
 * A serverless.yml SQS worker as such projects are written for AWS, deployed unmodified with
 * the real CLI: `resources` declare the queue and its dead-letter queue (RedrivePolicy with
 * !GetAtt), an httpApi producer sends through the Lambda-provided `@aws-sdk/client-sqs` to
 * `QUEUE_URL: !Ref JobsQueue` under an execution role that allows only sqs:SendMessage on
 * `!GetAtt JobsQueue.Arn`, and a worker consumes with `- sqs: {arn: !GetAtt …, batchSize,
 * functionResponseType: ReportBatchItemFailures}`. Good jobs are processed once; a poison job
 * fails (a partial batch failure), is retried after the visibility timeout, and lands in the
 * dead-letter queue after maxReceiveCount receives.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const run = promisify(execFile);

const SLS = `service: jobs
provider:
  name: aws
  runtime: nodejs20.x
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [sqs:SendMessage]
          Resource: !GetAtt JobsQueue.Arn
functions:
  producer:
    handler: producer.handler
    environment:
      QUEUE_URL: !Ref JobsQueue
    events:
      - httpApi: 'POST /jobs'
  worker:
    handler: worker.handler
    events:
      - sqs:
          arn: !GetAtt JobsQueue.Arn
          batchSize: 5
          maximumBatchingWindow: 1
          functionResponseType: ReportBatchItemFailures
resources:
  Resources:
    JobsQueue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: jobs-\${sls:stage, 'dev'}
        VisibilityTimeout: 2
        RedrivePolicy:
          deadLetterTargetArn: !GetAtt JobsDLQ.Arn
          maxReceiveCount: 2
    JobsDLQ:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: jobs-dlq
`;

const PRODUCER = `import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
export const handler = async (event) => {
  const jobs = JSON.parse(event.body);
  const ids = [];
  for (const job of jobs) {
    const r = await sqs.send(new SendMessageCommand({
      QueueUrl: process.env.QUEUE_URL,
      MessageBody: JSON.stringify(job),
      MessageAttributes: { kind: { DataType: 'String', StringValue: job.kind ?? 'plain' } },
    }));
    ids.push(r.MessageId);
  }
  return { statusCode: 202, body: JSON.stringify({ ids }) };
};`;

const WORKER = `export const handler = async (event) => {
  const batchItemFailures = [];
  for (const r of event.Records) {
    const job = JSON.parse(r.body);
    if (job.poison) {
      console.log('failing', job.n, 'receive', r.attributes.ApproximateReceiveCount);
      batchItemFailures.push({ itemIdentifier: r.messageId });
    } else {
      console.log('processed', job.n, r.eventSource, r.messageAttributes.kind.stringValue, r.eventSourceARN);
    }
  }
  return { batchItemFailures };
};`;

describe('serverless.yml SQS worker fed by an httpApi producer', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p?.stop());

  it('deploys the queues, produces through the SDK, consumes in batches, redrives the poison job', async () => {
    const dir = await fixture({
      'serverless.yml': SLS,
      'producer.mjs': PRODUCER,
      'worker.mjs': WORKER,
    });
    const env = { ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret };
    const out = await run(process.execPath, ['bin/nimbus.mjs', 'deploy', dir], { env });
    assert.match(out.stdout, /queue jobs-dlq/);
    assert.match(out.stdout, /queue jobs-dev/);
    assert.match(out.stdout, /source sqs/);
    assert.ok(
      out.stdout.indexOf('queue jobs-dlq') < out.stdout.indexOf('queue jobs-dev'),
      'the DLQ comes first',
    );

    const jobs = [...Array.from({ length: 6 }, (_, n) => ({ n, kind: 'good' })), { n: 99, poison: true }];
    const r = await fetch(`${p.gatewayUrl}/jobs`, { method: 'POST', body: JSON.stringify(jobs) });
    const text = await r.text();
    assert.equal(r.status, 202, text);
    assert.equal((JSON.parse(text) as { ids: string[] }).ids.length, 7);

    // Every good job is processed once; the poison job fails twice, then moves to the DLQ.
    const sqs = new SQSClient({
      endpoint: p.apiUrl,
      region: 'local-1',
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
    });
    try {
      const dlq = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs-dlq' }))).QueueUrl!;
      let dead: string | undefined;
      for (let i = 0; i < 60 && !dead; i++) {
        const m = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 1 }));
        dead = m.Messages?.[0]?.Body;
      }
      assert.deepEqual(JSON.parse(dead ?? 'null'), { n: 99, poison: true });
    } finally {
      sqs.destroy();
    }
    const logs = await p.json<{ lines: { message: string }[] }>(
      'GET',
      '/v1/functions/jobs-dev-worker/logs?limit=500',
    );
    const lines = logs.body.lines.map((e) => e.message).join('\n');
    for (let n = 0; n < 6; n++) {
      const hits = lines.match(
        new RegExp(`processed ${n} aws:sqs good arn:aws:sqs:local-1:000000000000:jobs-dev`, 'g'),
      );
      assert.equal(hits?.length, 1, `job ${n} processed once:\n${lines}`);
    }
    assert.match(lines, /failing 99 receive 1/);
    assert.match(lines, /failing 99 receive 2/);
    assert.doesNotMatch(lines, /failing 99 receive 3/);
  });
});
