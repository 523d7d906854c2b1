/**
 * The SQS API end to end with the real `@aws-sdk/client-sqs` (AWS JSON 1.0, SigV4, its MD5
 * checks): queue lifecycle and attributes, send/receive with attributes and delay, visibility
 * timeouts and ChangeMessageVisibility, batches with partial failures, long polling (a send
 * wakes a waiting receive), FIFO ordering and deduplication, redrive to a dead-letter queue,
 * purge, tags, error shapes, tenant isolation and IAM denials.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { sdkError, startTestPlatform, type TestPlatform } from './helpers.ts';

const REGION = 'local-1';

const errorOf = sdkError;

describe('SQS API e2e (@aws-sdk/client-sqs)', () => {
  let p: TestPlatform;
  let sqs: SQSClient;
  const client = (accessKeyId: string, secretAccessKey: string) =>
    new SQSClient({
      endpoint: p.apiUrl,
      region: REGION,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });
  const newKey = async (policies: unknown[], tenant?: string) => {
    const r = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
      policies,
      ...(tenant ? { tenant } : {}),
    });
    assert.equal(r.status, 201);
    return client(r.body.key.keyId, r.body.secret);
  };
  const create = async (QueueName: string, Attributes?: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName, Attributes }))).QueueUrl!;
  const receive = (QueueUrl: string, extra: Record<string, unknown> = {}) =>
    sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, ...extra }));

  before(async () => {
    p = await startTestPlatform();
    sqs = client(p.admin.keyId, p.secret);
  });
  after(async () => {
    sqs?.destroy();
    await p?.stop();
  });

  it('creates (idempotently), finds, lists, describes and deletes queues', async () => {
    const url = await create('orders', { VisibilityTimeout: '45' });
    assert.match(url, /\/000000000000\/orders$/);
    assert.equal(await create('orders', { VisibilityTimeout: '45' }), url, 'same attributes: same queue');
    const clash = await errorOf(create('orders', { VisibilityTimeout: '10' }));
    assert.equal(clash.name, 'QueueNameExists');
    assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl, url);
    await create('orders-eu');
    await create('billing');
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'orders' }));
    assert.deepEqual(
      listed.QueueUrls?.map((u) => u.split('/').at(-1)),
      ['orders', 'orders-eu'],
    );
    const paged = await sqs.send(new ListQueuesCommand({ MaxResults: 2 }));
    assert.equal(paged.QueueUrls?.length, 2);
    assert.ok(paged.NextToken);
    const rest = await sqs.send(new ListQueuesCommand({ MaxResults: 2, NextToken: paged.NextToken }));
    assert.ok(rest.QueueUrls?.length);
    const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    assert.equal(a.Attributes?.VisibilityTimeout, '45');
    assert.equal(a.Attributes?.QueueArn, `arn:aws:sqs:${REGION}:000000000000:orders`);
    assert.equal(a.Attributes?.MessageRetentionPeriod, '345600');
    assert.equal(a.Attributes?.ApproximateNumberOfMessages, '0');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '2' } }));
    const one = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['DelaySeconds'] }),
    );
    assert.deepEqual(one.Attributes, { DelaySeconds: '2' });
    const badAttr = await errorOf(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '99999' } })),
    );
    assert.equal(badAttr.name, 'InvalidAttributeValue');
    assert.equal(
      (
        await errorOf(
          sqs.send(
            new SetQueueAttributesCommand({
              QueueUrl: url,
              Attributes: { Nope: '1' } as Record<string, string>,
            }),
          ),
        )
      ).name,
      'InvalidAttributeName',
    );
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const gone = await errorOf(sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' })));
    assert.equal(gone.name, 'QueueDoesNotExist');
    assert.equal(gone.status, 400);
    assert.equal((await errorOf(create('bad name!'))).name, 'InvalidParameterValue');
    assert.equal((await errorOf(create('plain', { FifoQueue: 'true' }))).name, 'InvalidAttributeValue');
  });

  it('sends and receives with attributes, system attributes and MD5s the SDK verifies', async () => {
    const url = await create('attrs');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'héllo ✓',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'greeting' },
          n: { DataType: 'Number', StringValue: '42' },
          raw: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    assert.ok(sent.MessageId);
    assert.ok(sent.MD5OfMessageAttributes);
    const r = await receive(url, { MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] });
    assert.equal(r.Messages?.length, 1);
    const m = r.Messages![0]!;
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Body, 'héllo ✓');
    assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.equal(m.MessageAttributes?.kind?.StringValue, 'greeting');
    assert.deepEqual([...(m.MessageAttributes?.raw?.BinaryValue ?? [])], [1, 2, 3]);
    assert.equal(m.Attributes?.ApproximateReceiveCount, '1');
    assert.ok(Number(m.Attributes?.SentTimestamp) > 0);
    // Only the requested attribute names come back.
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: m.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await receive(url, { MessageAttributeNames: ['kind'] });
    assert.deepEqual(Object.keys(again.Messages![0]!.MessageAttributes ?? {}), ['kind']);
    assert.equal(again.Messages![0]!.Attributes, undefined);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages![0]!.ReceiptHandle }),
    );
    assert.equal((await receive(url)).Messages, undefined);
    const empty = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '' })));
    assert.equal(empty.name, 'MissingParameter');
    const badChar = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a\u0001b' })),
    );
    assert.equal(badChar.name, 'InvalidMessageContents');
  });

  it('hides a received message for its visibility timeout, then delivers it again; delays', async () => {
    const url = await create('vis', { VisibilityTimeout: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once' }));
    const first = await receive(url);
    assert.equal(first.Messages?.length, 1);
    assert.equal((await receive(url)).Messages, undefined, 'in flight: invisible');
    const stale = first.Messages![0]!.ReceiptHandle!;
    await new Promise((r) => setTimeout(r, 1200));
    const second = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    assert.equal(second.Messages?.[0]?.Body, 'once');
    assert.equal(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount, '2');
    // The first receive's handle no longer holds it: deleting succeeds and deletes nothing.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: stale }));
    const stuck = await errorOf(
      sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: stale, VisibilityTimeout: 5 }),
      ),
    );
    assert.equal(stuck.name, 'MessageNotInflight');
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second.Messages![0]!.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const third = await receive(url);
    assert.equal(third.Messages?.[0]?.Body, 'once', 'visibility 0: visible at once');
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.Messages![0]!.ReceiptHandle }),
    );
    const bogus = await errorOf(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
    );
    assert.equal(bogus.name, 'ReceiptHandleIsInvalid');

    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesDelayed, '1');
    assert.equal((await receive(url)).Messages, undefined, 'delayed');
    const t0 = Date.now();
    const late = await receive(url, { WaitTimeSeconds: 5 });
    assert.equal(late.Messages?.[0]?.Body, 'later');
    assert.ok(Date.now() - t0 < 4000, 'a long poll returns when the delay ends');
  });

  it('long polling: a waiting receive returns as soon as a message is sent', async () => {
    const url = await create('long');
    const t0 = Date.now();
    const waiting = receive(url, { WaitTimeSeconds: 10 });
    await new Promise((r) => setTimeout(r, 300));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake' }));
    const r = await waiting;
    const ms = Date.now() - t0;
    assert.equal(r.Messages?.[0]?.Body, 'wake');
    assert.ok(ms < 3000, `returned after ${ms} ms`);
    const t1 = Date.now();
    assert.equal((await receive(url, { WaitTimeSeconds: 1 })).Messages, undefined);
    assert.ok(Date.now() - t1 >= 900, 'an empty long poll waits its time');
    const bad = await errorOf(receive(url, { WaitTimeSeconds: 21 }));
    assert.equal(bad.name, 'InvalidParameterValue');
  });

  it('batches: per-entry results, partial failures, batch-level errors', async () => {
    const url = await create('batch');
    const r = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 0 },
          { Id: 'c', MessageBody: 'x', DelaySeconds: 5000 },
        ],
      }),
    );
    assert.deepEqual(r.Successful?.map((s) => s.Id).sort(), ['a', 'b']);
    assert.equal(r.Failed?.[0]?.Id, 'c');
    assert.equal(r.Failed?.[0]?.Code, 'InvalidParameterValue');
    assert.equal(r.Failed?.[0]?.SenderFault, true);
    const got = await receive(url);
    assert.deepEqual(got.Messages?.map((m) => m.Body).sort(), ['one', 'two']);
    const del = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...got.Messages!.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle! })),
          { Id: 'bad', ReceiptHandle: 'nope' },
        ],
      }),
    );
    assert.equal(del.Successful?.length, 2);
    assert.equal(del.Failed?.[0]?.Code, 'ReceiptHandleIsInvalid');
    const cv = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [{ Id: 'x', ReceiptHandle: 'nope', VisibilityTimeout: 1 }],
      }),
    );
    assert.equal(cv.Failed?.length, 1);
    assert.equal(
      (await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })))).name,
      'EmptyBatchRequest',
    );
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    assert.equal(
      (await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })))).name,
      'TooManyEntriesInBatchRequest',
    );
    const dup = [
      { Id: 'same', MessageBody: 'x' },
      { Id: 'same', MessageBody: 'y' },
    ];
    assert.equal(
      (await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: dup })))).name,
      'BatchEntryIdsNotDistinct',
    );
  });

  it('FIFO: order within a group, groups in parallel, deduplication by id and by content', async () => {
    const url = await create('jobs.fifo', { FifoQueue: 'true' });
    const noDedupe = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })),
    );
    assert.equal(noDedupe.name, 'InvalidParameterValue');
    assert.equal(
      (
        await errorOf(
          sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })),
        )
      ).name,
      'MissingParameter',
    );
    const seqs: string[] = [];
    for (let i = 0; i < 5; i++)
      for (const g of ['a', 'b']) {
        const r = await sqs.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: `${g}${i}`,
            MessageGroupId: g,
            MessageDeduplicationId: `${g}-${i}`,
          }),
        );
        assert.ok(r.SequenceNumber);
        seqs.push(r.SequenceNumber!);
      }
    assert.deepEqual([...seqs].sort(), seqs, 'sequence numbers increase');
    const dup = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'a0-again',
        MessageGroupId: 'a',
        MessageDeduplicationId: 'a-0',
      }),
    );
    const seen: Record<string, string[]> = { a: [], b: [] };
    for (let round = 0; round < 20; round++) {
      const r = await receive(url, { MessageSystemAttributeNames: ['MessageGroupId', 'SequenceNumber'] });
      if (!r.Messages) break;
      // Never two messages of one group in flight at once.
      const groups = r.Messages.map((m) => m.Attributes?.MessageGroupId);
      assert.equal(new Set(groups).size, groups.length);
      for (const m of r.Messages) {
        seen[m.Attributes!.MessageGroupId!]!.push(m.Body!);
        if (m.Body === 'a0')
          assert.equal(m.MessageId, dup.MessageId, 'a duplicate answers the first message id');
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    assert.deepEqual(seen.a, ['a0', 'a1', 'a2', 'a3', 'a4']);
    assert.deepEqual(seen.b, ['b0', 'b1', 'b2', 'b3', 'b4']);

    const cb = await create('content.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const one = await sqs.send(
      new SendMessageCommand({ QueueUrl: cb, MessageBody: 'same', MessageGroupId: 'g' }),
    );
    const two = await sqs.send(
      new SendMessageCommand({ QueueUrl: cb, MessageBody: 'same', MessageGroupId: 'g' }),
    );
    assert.equal(two.MessageId, one.MessageId);
    const r = await receive(cb);
    assert.equal(r.Messages?.length, 1);
    const perMessageDelay = await errorOf(
      sqs.send(
        new SendMessageCommand({ QueueUrl: cb, MessageBody: 'x', MessageGroupId: 'g', DelaySeconds: 1 }),
      ),
    );
    assert.equal(perMessageDelay.name, 'InvalidParameterValue');
    // A FIFO message that is not deleted blocks its group until its visibility ends.
    await sqs.send(new SendMessageCommand({ QueueUrl: cb, MessageBody: 'next', MessageGroupId: 'g' }));
    assert.equal((await receive(cb)).Messages, undefined, 'group blocked by the in-flight message');
  });

  it('redrives a message received more than maxReceiveCount times to the dead-letter queue', async () => {
    const dlq = await create('work-dlq');
    const dlqArn = `arn:aws:sqs:${REGION}:000000000000:work-dlq`;
    const url = await create('work', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    assert.equal((await receive(url)).Messages?.length, 1);
    assert.equal((await receive(url)).Messages?.length, 1);
    assert.equal((await receive(url)).Messages, undefined, 'third receive moves it instead');
    const dead = await receive(dlq);
    assert.equal(dead.Messages?.[0]?.Body, 'poison');
    assert.equal(dead.Messages?.[0]?.MessageId, sent.MessageId, 'it keeps its MessageId');
    const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    assert.deepEqual(
      sources.queueUrls?.map((u) => u.split('/').at(-1)),
      ['work'],
    );
    const missing = await errorOf(
      create('work2', {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: `arn:aws:sqs:${REGION}:000000000000:nope`,
          maxReceiveCount: 2,
        }),
      }),
    );
    assert.equal(missing.name, 'InvalidAttributeValue');
    const fifoToStd = await errorOf(
      create('w.fifo', {
        FifoQueue: 'true',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
      }),
    );
    assert.equal(fifoToStd.name, 'InvalidAttributeValue');
  });

  it('purges, tags', async () => {
    const url = await create('purge-me');
    for (let i = 0; i < 3; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    await receive(url, { MaxNumberOfMessages: 1 });
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    assert.equal(a.Attributes?.ApproximateNumberOfMessages, '0');
    assert.equal(a.Attributes?.ApproximateNumberOfMessagesNotVisible, '0');
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'a', env: 'dev' } }));
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, {
      team: 'a',
      env: 'dev',
    });
  });

  it('keeps tenants apart and enforces IAM actions', async () => {
    const url = await create('private');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'secret' }));
    const t = await p.json('POST', '/v1/tenants', { id: 'sqs-other' });
    assert.equal(t.status, 201);
    const other = await newKey(['AdministratorAccess'], 'sqs-other');
    // The same URL names another account: not found (and nothing leaks).
    const foreign = await errorOf(other.send(new ReceiveMessageCommand({ QueueUrl: url })));
    assert.equal(foreign.name, 'QueueDoesNotExist');
    assert.equal((await other.send(new ListQueuesCommand({}))).QueueUrls, undefined);
    const own = (await other.send(new CreateQueueCommand({ QueueName: 'private' }))).QueueUrl!;
    assert.notEqual(own, url);
    assert.equal((await other.send(new ReceiveMessageCommand({ QueueUrl: own }))).Messages, undefined);
    other.destroy();

    const sender = await newKey([
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'], Resource: '*' }],
      },
    ]);
    await sender.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'ok' }));
    const denied = await errorOf(sender.send(new ReceiveMessageCommand({ QueueUrl: url })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.status, 403);
    assert.equal((await errorOf(sender.send(new DeleteQueueCommand({ QueueUrl: url })))).status, 403);
    sender.destroy();
  });
});
