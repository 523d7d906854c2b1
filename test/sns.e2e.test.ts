/**
 * The SNS API end to end with the real `@aws-sdk/client-sns` (query protocol, XML): topics,
 * fan-out to a Lambda function (Lambda's SNS event shape), an SQS queue (notification JSON, and
 * raw delivery with attributes) and an HTTP endpoint, filter policies over attributes and over
 * the body, subscription attributes, PublishBatch, error codes and IAM.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fixture, sdkError, startTestPlatform, type TestPlatform } from './helpers.ts';

const REGION = 'local-1';
const ACCOUNT = '000000000000';

const errorOf = sdkError;

describe('SNS API e2e (@aws-sdk/client-sns)', () => {
  let p: TestPlatform;
  let sns: SNSClient;
  let sqs: SQSClient;
  let hook: Server;
  const posted: { headers: Record<string, unknown>; body: string }[] = [];
  const creds = () => ({ accessKeyId: p.admin.keyId, secretAccessKey: p.secret });

  before(async () => {
    p = await startTestPlatform({ egressAllowCidrs: '127.0.0.0/8' });
    sns = new SNSClient({ endpoint: p.apiUrl, region: REGION, credentials: creds(), maxAttempts: 1 });
    sqs = new SQSClient({ endpoint: p.apiUrl, region: REGION, credentials: creds(), maxAttempts: 1 });
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        posted.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    sns?.destroy();
    sqs?.destroy();
    hook?.close();
    await p?.stop();
  });

  const receiveAll = async (QueueUrl: string, want: number) => {
    const out: { Body?: string; MessageAttributes?: Record<string, { StringValue?: string }> }[] = [];
    for (let i = 0; i < 20 && out.length < want; i++) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          WaitTimeSeconds: 1,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
        }),
      );
      out.push(...(r.Messages ?? []));
    }
    return out;
  };

  it('fans a message out to a function, a queue and an HTTP endpoint, each in SNS shape', async () => {
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => { console.log('SNS ' + JSON.stringify(e)); return 'ok'; };`,
    });
    assert.equal(
      (await p.deployDir('sns-sub', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status,
      201,
    );
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders' }));
    assert.equal(TopicArn, `arn:aws:sns:${REGION}:${ACCOUNT}:orders`);
    assert.equal(
      (await sns.send(new CreateTopicCommand({ Name: 'orders' }))).TopicArn,
      TopicArn,
      'idempotent',
    );
    const q = (await sqs.send(new CreateQueueCommand({ QueueName: 'orders-q' }))).QueueUrl!;
    const raw = (await sqs.send(new CreateQueueCommand({ QueueName: 'orders-raw' }))).QueueUrl!;
    const fn = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'lambda',
        Endpoint: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:sns-sub`,
      }),
    );
    assert.match(fn.SubscriptionArn ?? '', new RegExp(`^${TopicArn}:`));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders-q`,
      }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders-raw`,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/sns`;
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: url }));
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    assert.deepEqual(listed.Subscriptions?.map((s) => s.Protocol).sort(), ['http', 'lambda', 'sqs', 'sqs']);
    const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    assert.equal(attrs.Attributes?.SubscriptionsConfirmed, '4');

    const pub = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'new order',
        Message: JSON.stringify({ order: 7 }),
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } },
      }),
    );
    assert.ok(pub.MessageId);

    const [note] = await receiveAll(q, 1);
    const n = JSON.parse(note!.Body!) as Record<string, unknown>;
    assert.equal(n.Type, 'Notification');
    assert.equal(n.MessageId, pub.MessageId);
    assert.equal(n.TopicArn, TopicArn);
    assert.equal(n.Subject, 'new order');
    assert.equal(n.Message, '{"order":7}');
    assert.deepEqual(n.MessageAttributes, { kind: { Type: 'String', Value: 'order' } });
    const [rawMsg] = await receiveAll(raw, 1);
    assert.equal(rawMsg?.Body, '{"order":7}', 'raw delivery: the message itself');
    assert.equal(rawMsg?.MessageAttributes?.kind?.StringValue, 'order', 'attributes become SQS attributes');

    let event: { Records: { EventSource: string; Sns: Record<string, unknown> }[] } | undefined;
    for (let i = 0; i < 100 && !event; i++) {
      const logs = await p.json<{ lines: { message: string }[] }>('GET', '/v1/functions/sns-sub/logs');
      const line = logs.body.lines.map((l) => l.message).find((m) => m.includes('SNS {'));
      if (line) event = JSON.parse(line.slice(line.indexOf('SNS ') + 4));
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(event?.Records[0]?.EventSource, 'aws:sns');
    assert.equal(event?.Records[0]?.Sns.Message, '{"order":7}');
    assert.equal(event?.Records[0]?.Sns.TopicArn, TopicArn);
    assert.deepEqual(event?.Records[0]?.Sns.MessageAttributes, { kind: { Type: 'String', Value: 'order' } });

    for (let i = 0; i < 100 && posted.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(posted.length, 1);
    assert.equal((JSON.parse(posted[0]!.body) as { MessageId: string }).MessageId, pub.MessageId);
  });

  it('filters by attribute and by body, and changes a filter policy in place', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'prices' }));
    const big = (await sqs.send(new CreateQueueCommand({ QueueName: 'big-eu' }))).QueueUrl!;
    const body = (await sqs.send(new CreateQueueCommand({ QueueName: 'by-body' }))).QueueUrl!;
    const s1 = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:big-eu`,
        Attributes: {
          RawMessageDelivery: 'true',
          FilterPolicy: JSON.stringify({ price: [{ numeric: ['>=', 100] }], region: [{ prefix: 'eu-' }] }),
        },
      }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:by-body`,
        Attributes: {
          RawMessageDelivery: 'true',
          FilterPolicyScope: 'MessageBody',
          FilterPolicy: JSON.stringify({ item: { color: ['red'] } }),
        },
      }),
    );
    const send = (Message: string, price: string, region: string) =>
      sns.send(
        new PublishCommand({
          TopicArn,
          Message,
          MessageAttributes: {
            price: { DataType: 'Number', StringValue: price },
            region: { DataType: 'String', StringValue: region },
          },
        }),
      );
    await send('{"item":{"color":"red"},"n":1}', '150', 'eu-west-1');
    await send('{"item":{"color":"blue"},"n":2}', '50', 'eu-west-1');
    await send('{"item":{"color":"red"},"n":3}', '500', 'us-east-1');
    assert.deepEqual(
      (await receiveAll(big, 1)).map((m) => JSON.parse(m.Body!).n),
      [1],
    );
    assert.deepEqual((await receiveAll(body, 2)).map((m) => JSON.parse(m.Body!).n).sort(), [1, 3]);

    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: s1.SubscriptionArn,
        AttributeName: 'FilterPolicy',
        AttributeValue: JSON.stringify({ region: ['us-east-1'] }),
      }),
    );
    const a = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s1.SubscriptionArn }));
    assert.equal(a.Attributes?.FilterPolicy, '{"region":["us-east-1"]}');
    assert.equal(a.Attributes?.RawMessageDelivery, 'true');
    await send('{"n":4}', '1', 'us-east-1');
    assert.deepEqual(
      (await receiveAll(big, 1)).map((m) => JSON.parse(m.Body!).n),
      [4],
    );
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: s1.SubscriptionArn }));
    const bad = await errorOf(
      sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'sqs',
          Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:x`,
          Attributes: { FilterPolicy: '{"a": 1}' },
        }),
      ),
    );
    assert.equal(bad.name, 'InvalidParameterException');
  });

  it('PublishBatch, listing, deleting, errors and IAM', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'batch' }));
    const r = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'one' },
          { Id: 'b', Message: 'two', MessageAttributes: { n: { DataType: 'Number', StringValue: 'x' } } },
        ],
      }),
    );
    assert.deepEqual(
      r.Successful?.map((s) => s.Id),
      ['a'],
    );
    assert.equal(r.Failed?.[0]?.Id, 'b');
    assert.equal(r.Failed?.[0]?.Code, 'InvalidParameter');
    const topics = await sns.send(new ListTopicsCommand({}));
    assert.ok(topics.Topics?.some((t) => t.TopicArn === TopicArn));
    await sns.send(new DeleteTopicCommand({ TopicArn }));
    const gone = await errorOf(sns.send(new PublishCommand({ TopicArn, Message: 'x' })));
    assert.equal(gone.name, 'NotFoundException');
    assert.equal(gone.status, 404);

    const k = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
      policies: ['ReadOnly'],
    });
    const ro = new SNSClient({
      endpoint: p.apiUrl,
      region: REGION,
      credentials: { accessKeyId: k.body.key.keyId, secretAccessKey: k.body.secret },
      maxAttempts: 1,
    });
    try {
      await ro.send(new ListTopicsCommand({}));
      const denied = await errorOf(ro.send(new CreateTopicCommand({ Name: 'nope' })));
      assert.equal(denied.name, 'AuthorizationErrorException');
      assert.equal(denied.status, 403);
    } finally {
      ro.destroy();
    }
  });
});
