/**
 * Dead-letter-queue redrive end to end with the real `@aws-sdk/client-sqs`: StartMessageMoveTask,
 * ListMessageMoveTasks and CancelMessageMoveTask (src/sqs/move-tasks.ts).
 * - messages received more than maxReceiveCount times land in the DLQ; a task without a
 *   destination puts each back in its source queue, where it is received again as a new message;
 *   the task lists COMPLETED with its counts;
 * - an explicit destination; MaxNumberOfMessagesPerSecond paces it; a cancelled task stops with
 *   every message in exactly one of the two queues;
 * - a message sent to the DLQ directly FAILS a task without destination (named in the reason);
 * - FIFO: same type only, group order kept, new sequence numbers;
 * - AWS's errors (InvalidParameterValue, ResourceNotFoundException), the query protocol's XML;
 * - IAM: sqs:StartMessageMoveTask plus receive/delete on the source and send on the destination;
 *   ReadOnly lists tasks and starts none;
 * - a platform restart in the middle of a task: it goes on after the restart, nothing lost or
 *   duplicated.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { loadConfig } from '../src/config/index.ts';
import { startPlatform } from '../src/server/index.ts';
import { sdkError, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const REGION = 'local-1';
const ACCOUNT = '000000000000';
const arn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

/** A client of the platform at `endpoint` with the given key. */
const clientOf = (endpoint: string, accessKeyId: string, secretAccessKey: string) =>
  new SQSClient({ endpoint, region: REGION, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });

/** Queue helpers over one client. */
function helpers(sqs: SQSClient) {
  const create = async (QueueName: string, Attributes?: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName, Attributes }))).QueueUrl!;
  const counts = async (QueueUrl: string) => {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })))
      .Attributes!;
    return {
      visible: Number(a.ApproximateNumberOfMessages),
      inflight: Number(a.ApproximateNumberOfMessagesNotVisible),
    };
  };
  /** A source queue (VisibilityTimeout 0) whose messages go to `dlq` after `max` receives. */
  const withDlq = async (name: string, dlq: string, max = 1, extra: Record<string, string> = {}) =>
    create(name, {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(dlq), maxReceiveCount: max }),
      ...extra,
    });
  /** Receives from `url` until its messages have all been dead-lettered (maxReceiveCount 1). */
  const failAll = async (url: string, dlqUrl: string, n: number) => {
    await waitUntil(`${n} messages in the DLQ`, async () => {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      return (await counts(dlqUrl)).visible === n;
    });
  };
  const tasks = async (source: string, MaxResults = 10) =>
    (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn(source), MaxResults }))).Results ?? [];
  const ended = (source: string) =>
    waitUntil(`the task on ${source} to end`, async () => {
      const [t] = await tasks(source, 1);
      return t && t.Status !== 'RUNNING' && t.Status !== 'CANCELLING' ? t : undefined;
    });
  const receiveAll = async (QueueUrl: string, n: number) => {
    const got: Message[] = [];
    await waitUntil(`${n} messages from ${QueueUrl}`, async () => {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      got.push(...(r.Messages ?? []));
      return got.length >= n;
    });
    return got;
  };
  return { create, counts, withDlq, failAll, tasks, ended, receiveAll };
}

describe('SQS dead-letter queue redrive (message move tasks, e2e)', () => {
  let p: TestPlatform;
  let sqs: SQSClient;
  let h: ReturnType<typeof helpers>;
  const newKey = async (policies: unknown[]) => {
    const r = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', { policies });
    assert.equal(r.status, 201);
    return clientOf(p.apiUrl, r.body.key.keyId, r.body.secret);
  };

  before(async () => {
    p = await startTestPlatform();
    sqs = clientOf(p.apiUrl, p.admin.keyId, p.secret);
    h = helpers(sqs);
  });
  after(async () => {
    sqs?.destroy();
    await p?.stop();
  });

  it('moves dead letters back to the queue they came from; they are received there again', async () => {
    const dlq = await h.create('rd-dlq');
    const url = await h.withDlq('rd-work', 'rd-dlq');
    const sent: string[] = [];
    for (const body of ['one', 'two', 'three'])
      sent.push((await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }))).MessageId!);
    await h.failAll(url, dlq, 3);
    assert.deepEqual(await h.counts(url), { visible: 0, inflight: 0 });

    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('rd-dlq') }));
    assert.ok(TaskHandle);
    const t = await h.ended('rd-dlq');
    assert.equal(t.Status, 'COMPLETED');
    assert.equal(t.ApproximateNumberOfMessagesMoved, 3);
    assert.equal(t.ApproximateNumberOfMessagesToMove, 3);
    assert.equal(t.SourceArn, arn('rd-dlq'));
    assert.equal(t.DestinationArn, undefined, 'no destination given: back to the sources');
    assert.equal(t.TaskHandle, undefined, 'a handle only while it runs');
    assert.ok(t.StartedTimestamp! > Date.now() - 60_000 && t.StartedTimestamp! <= Date.now());

    assert.deepEqual(await h.counts(dlq), { visible: 0, inflight: 0 });
    const back = await h.receiveAll(url, 3);
    assert.deepEqual(back.map((m) => m.Body).sort(), ['one', 'three', 'two']);
    for (const m of back) {
      assert.ok(!sent.includes(m.MessageId!), 'a redriven message is a new message (new MessageId)');
      assert.equal(m.Attributes?.ApproximateReceiveCount, '1', 'its receive count starts again');
    }
    // The query protocol lists it too, as XML.
    const q = await p.api(
      'POST',
      '/',
      new URLSearchParams({
        Action: 'ListMessageMoveTasks',
        Version: '2012-11-05',
        SourceArn: arn('rd-dlq'),
      }).toString(),
      { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    );
    const xml = await q.text();
    assert.equal(q.status, 200, xml);
    assert.match(
      xml,
      /<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry><Status>COMPLETED<\/Status>.*<ApproximateNumberOfMessagesMoved>3</s,
    );
  });

  it('moves to a given destination at a given rate; a cancelled task leaves each message in one queue', async () => {
    const dlq = await h.create('rd2-dlq');
    const url = await h.withDlq('rd2-work', 'rd2-dlq');
    const other = await h.create('rd2-other');
    for (let i = 0; i < 6; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    await h.failAll(url, dlq, 6);

    const start = Date.now();
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: arn('rd2-dlq'),
        DestinationArn: arn('rd2-other'),
        MaxNumberOfMessagesPerSecond: 2,
      }),
    );
    const [running] = await h.tasks('rd2-dlq', 1);
    assert.equal(running?.Status, 'RUNNING');
    assert.equal(running?.TaskHandle, TaskHandle);
    assert.equal(running?.DestinationArn, arn('rd2-other'));
    assert.equal(running?.MaxNumberOfMessagesPerSecond, 2);
    // One active task per queue.
    const twice = await sdkError(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('rd2-dlq') })));
    assert.equal(twice.name, 'InvalidParameterValue');
    assert.match(twice.message, /already has a message move task running/);

    await waitUntil('two moved', async () => (await h.counts(other)).visible >= 2);
    const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    const elapsed = Date.now() - start;
    const moved = cancelled.ApproximateNumberOfMessagesMoved!;
    assert.ok(moved >= 2 && moved < 6, `moved ${moved}`);
    // At 2 a second, 6 messages take 3 windows: it was paced.
    assert.ok(moved <= 2 * (Math.ceil(elapsed / 1000) + 1), `${moved} in ${elapsed} ms`);
    const [t] = await h.tasks('rd2-dlq', 1);
    assert.equal(t?.Status, 'CANCELLED');
    assert.equal(t?.ApproximateNumberOfMessagesMoved, moved);
    // Every message is in exactly one of the two queues.
    assert.equal((await h.counts(other)).visible, moved);
    assert.equal((await h.counts(dlq)).visible, 6 - moved);
    assert.equal((await h.counts(url)).visible, 0, 'the source got none: there was a destination');
    const again = await sdkError(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })));
    assert.equal(again.name, 'InvalidParameterValue', 'only a running task can be cancelled');

    // A new task finishes the job (only one active at a time, but the cancelled one is not).
    await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: arn('rd2-dlq'), DestinationArn: arn('rd2-other') }),
    );
    assert.equal((await h.ended('rd2-dlq')).Status, 'COMPLETED');
    const bodies = (await h.receiveAll(other, 6)).map((m) => m.Body).sort();
    assert.deepEqual(bodies, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    assert.equal((await h.tasks('rd2-dlq')).length, 2, 'both tasks are listed, newest first');
  });

  it('fails a task without destination on a message that was sent to the DLQ directly', async () => {
    const dlq = await h.create('rd3-dlq');
    await h.withDlq('rd3-work', 'rd3-dlq');
    await h.create('rd3-elsewhere');
    const direct = await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: 'direct' }));
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('rd3-dlq') }));
    const t = await h.ended('rd3-dlq');
    assert.equal(t.Status, 'FAILED');
    assert.match(
      t.FailureReason ?? '',
      new RegExp(`message ${direct.MessageId} was sent to rd3-dlq directly`),
    );
    assert.equal((await h.counts(dlq)).visible, 1, 'it stays');
    await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: arn('rd3-dlq'), DestinationArn: arn('rd3-elsewhere') }),
    );
    assert.equal((await h.ended('rd3-dlq')).Status, 'COMPLETED');
    assert.equal((await h.counts(dlq)).visible, 0);
  });

  it('FIFO: back to the FIFO source in group order, with new sequence numbers; types must match', async () => {
    const dlq = await h.create('rd4-dlq.fifo', { FifoQueue: 'true' });
    const url = await h.withDlq('rd4-work.fifo', 'rd4-dlq.fifo', 1, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
    });
    const seqs: string[] = [];
    for (const body of ['a1', 'a2', 'a3'])
      seqs.push(
        (await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'A' })))
          .SequenceNumber!,
      );
    await h.failAll(url, dlq, 3);
    const std = await sdkError(
      sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: arn('rd4-dlq.fifo'), DestinationArn: arn('rd-work') }),
      ),
    );
    assert.equal(std.name, 'InvalidParameterValue');
    assert.match(std.message, /FIFO dead-letter queue moves to a FIFO queue/);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('rd4-dlq.fifo') }));
    const t = await h.ended('rd4-dlq.fifo');
    assert.equal(t.Status, 'COMPLETED', t.FailureReason);
    assert.equal(t.ApproximateNumberOfMessagesMoved, 3);
    // One group: one message at a time, in order (the same body within 5 minutes is not a duplicate).
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [m] = await h.receiveAll(url, 1);
      order.push(m!.Body!);
      assert.ok(!seqs.includes(m!.Attributes!.SequenceNumber!), 'a new sequence number');
      assert.equal(m!.Attributes!.MessageGroupId, 'A');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle! }));
    }
    assert.deepEqual(order, ['a1', 'a2', 'a3']);
  });

  it("answers AWS's errors", async () => {
    await h.create('rd5-plain');
    const cases: [Promise<unknown>, string, RegExp][] = [
      [
        sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('rd5-plain') })),
        'InvalidParameterValue',
        /not the dead-letter queue of any queue/,
      ],
      [
        sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('rd5-nope') })),
        'ResourceNotFoundException',
        /SourceArn/,
      ],
      [
        sqs.send(new StartMessageMoveTaskCommand({ SourceArn: `arn:aws:sqs:${REGION}:123456789012:rd-dlq` })),
        'ResourceNotFoundException',
        /SourceArn/,
      ],
      [
        sqs.send(
          new StartMessageMoveTaskCommand({ SourceArn: arn('rd-dlq'), DestinationArn: arn('rd5-nope') }),
        ),
        'ResourceNotFoundException',
        /DestinationArn/,
      ],
      [
        sqs.send(
          new StartMessageMoveTaskCommand({ SourceArn: arn('rd-dlq'), DestinationArn: arn('rd-dlq') }),
        ),
        'InvalidParameterValue',
        /same queue/,
      ],
      [
        sqs.send(
          new StartMessageMoveTaskCommand({ SourceArn: arn('rd-dlq'), MaxNumberOfMessagesPerSecond: 501 }),
        ),
        'InvalidParameterValue',
        /1-500/,
      ],
      [
        sqs.send(new StartMessageMoveTaskCommand({ SourceArn: 'rd-dlq' })),
        'InvalidParameterValue',
        /queue ARN/,
      ],
      [
        sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn('rd-dlq'), MaxResults: 11 })),
        'InvalidParameterValue',
        /MaxResults/,
      ],
      [
        sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'bm90LWEtaGFuZGxl' })),
        'InvalidParameterValue',
        /TaskHandle/,
      ],
      [
        sqs.send(
          new CancelMessageMoveTaskCommand({
            TaskHandle: Buffer.from(JSON.stringify({ taskId: 'nope', sourceArn: arn('rd-dlq') })).toString(
              'base64',
            ),
          }),
        ),
        'ResourceNotFoundException',
        /no message move task/,
      ],
    ];
    for (const [call, name, message] of cases) {
      const e = await sdkError(call);
      assert.equal(e.name, name, e.message);
      assert.match(e.message, message);
    }
  });

  it('authorizes the move: the start action, receive/delete on the source, send on the destination', async () => {
    const dlq = await h.create('rd6-dlq');
    const url = await h.withDlq('rd6-work', 'rd6-dlq');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await h.failAll(url, dlq, 1);
    const allow = (Action: string[]) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action, Resource: '*' }],
    });
    const startOnly = await newKey([allow(['sqs:StartMessageMoveTask'])]);
    const noSend = await newKey([
      allow(['sqs:StartMessageMoveTask', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']),
    ]);
    const enough = await newKey([
      allow(['sqs:StartMessageMoveTask', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage']),
    ]);
    const readOnly = await newKey(['ReadOnly']);
    try {
      const start = (c: SQSClient) => c.send(new StartMessageMoveTaskCommand({ SourceArn: arn('rd6-dlq') }));
      const a = await sdkError(start(startOnly));
      assert.equal(a.name, 'AccessDeniedException');
      assert.match(a.message, /sqs:ReceiveMessage/);
      const b = await sdkError(start(noSend));
      assert.equal(b.name, 'AccessDeniedException');
      assert.match(b.message, /sqs:SendMessage on arn:aws:sqs:local-1:000000000000:rd6-work/);
      const r = await sdkError(start(readOnly));
      assert.equal(r.name, 'AccessDeniedException');
      assert.match(r.message, /sqs:StartMessageMoveTask/);
      const listed = await readOnly.send(new ListMessageMoveTasksCommand({ SourceArn: arn('rd6-dlq') }));
      assert.deepEqual(listed.Results, [], 'ReadOnly lists the tasks (none yet)');
      const { TaskHandle } = await start(enough);
      assert.ok(TaskHandle);
      assert.equal((await h.ended('rd6-dlq')).Status, 'COMPLETED');
      // Cancelling needs its own action.
      const c = await sdkError(readOnly.send(new CancelMessageMoveTaskCommand({ TaskHandle })));
      assert.equal(c.name, 'AccessDeniedException');
      assert.match(c.message, /sqs:CancelMessageMoveTask/);
    } finally {
      for (const c of [startOnly, noSend, enough, readOnly]) c.destroy();
    }
  });
});

describe('SQS redrive across a platform restart (e2e)', () => {
  it('a task running when the platform stops goes on after the restart: nothing lost or duplicated', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-redrive-'));
    const cfg = loadConfig({ port: 0, apiPort: 0, s3Port: 0, dataDir, logLevel: 'silent', poolSize: 1 }, {});
    const first = await startPlatform(cfg, { log: () => {} });
    const secret = first.admin.secret!;
    let sqs = clientOf(first.apiUrl, first.admin.keyId, secret);
    let second: Awaited<ReturnType<typeof startPlatform>> | undefined;
    try {
      let h = helpers(sqs);
      const dlq = await h.create('rs-dlq');
      const url = await h.withDlq('rs-work', 'rs-dlq');
      const N = 8;
      for (let i = 0; i < N; i++)
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `r${i}` }));
      await h.failAll(url, dlq, N);
      await sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: arn('rs-dlq'), MaxNumberOfMessagesPerSecond: 2 }),
      );
      await waitUntil('a first move', async () => (await h.counts(url)).visible >= 1);
      sqs.destroy();
      await first.close();

      second = await startPlatform(cfg, { log: () => {} });
      sqs = clientOf(second.apiUrl, first.admin.keyId, secret);
      h = helpers(sqs);
      const [during] = await h.tasks('rs-dlq', 1);
      assert.equal(during?.Status, 'RUNNING', 'still running after the restart');
      const t: ListMessageMoveTasksResultEntry = await waitUntil(
        'the task to complete after the restart',
        async () => {
          const [x] = await h.tasks('rs-dlq', 1);
          return x?.Status === 'COMPLETED' ? x : undefined;
        },
        60_000,
      );
      assert.equal(t.ApproximateNumberOfMessagesToMove, N);
      assert.deepEqual(await h.counts(dlq), { visible: 0, inflight: 0 });
      const bodies = (await h.receiveAll(url, N)).map((m) => m.Body).sort();
      assert.deepEqual(bodies, Array.from({ length: N }, (_, i) => `r${i}`).sort(), 'each message once');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await h.counts(url)).visible, 0, 'and no more');
    } finally {
      sqs.destroy();
      await second?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
