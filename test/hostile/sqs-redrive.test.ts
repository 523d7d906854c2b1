/**
 * Hostile battery, SQS dead-letter-queue redrive (message move tasks): another tenant names
 * alpha's queues by ARN — as the source, as the destination, in a forged task handle, in a
 * listing — or by name through the REST routes (path tricks included), and starts tasks on
 * queues that are no dead-letter queue. Every case ends in a coded refusal, and alpha's messages
 * and tasks are exactly as they were.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { sdkError, startTestPlatform, type TestPlatform, waitUntil } from '../helpers.ts';

const REGION = 'local-1';

/** What the REST routes answer here: a coded error, or the queue list. */
interface Answer {
  error?: { code: string; hint?: string };
  queues?: { name: string }[];
}

describe('hostile SQS redrive', { timeout: 120_000 }, () => {
  let p: TestPlatform;
  const keys: Record<'alpha' | 'bravo', { keyId: string; secret: string }> = {} as never;
  const clients: SQSClient[] = [];
  let alpha: SQSClient;
  let bravo: SQSClient;
  /** alpha's ARNs. */
  let A: { account: string; dlq: string; work: string; handle: string };
  let bravoAccount: string;

  const client = (k: { keyId: string; secret: string }) => {
    const c = new SQSClient({
      endpoint: p.apiUrl,
      region: REGION,
      credentials: { accessKeyId: k.keyId, secretAccessKey: k.secret },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  const rest = (who: 'alpha' | 'bravo', method: string, path: string, body?: unknown) =>
    fetch(`${p.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys[who].secret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({
      status: r.status,
      body: (await r.json().catch(() => ({}))) as Answer,
    }));
  const visible = async (c: SQSClient, QueueUrl: string) =>
    Number(
      (
        await c.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
        )
      ).Attributes?.ApproximateNumberOfMessages,
    );
  /** alpha's observable state: counts of both queues and its task list. */
  const alphaState = async () => ({
    dlq: await visible(alpha, `${p.apiUrl}/${A.account}/a-dlq`),
    work: await visible(alpha, `${p.apiUrl}/${A.account}/a-work`),
    tasks: (
      await alpha.send(new ListMessageMoveTasksCommand({ SourceArn: A.dlq, MaxResults: 10 }))
    ).Results?.map((t) => [t.Status, t.ApproximateNumberOfMessagesMoved]),
  });

  before(async () => {
    p = await startTestPlatform();
    for (const t of ['alpha', 'bravo'] as const) {
      assert.equal((await p.json('POST', '/v1/tenants', { id: t })).status, 201);
      const k = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
        tenant: t,
        policies: ['AdministratorAccess'],
      });
      keys[t] = { keyId: k.body.key.keyId, secret: k.body.secret };
    }
    alpha = client(keys.alpha);
    bravo = client(keys.bravo);
    const dlqUrl = (await alpha.send(new CreateQueueCommand({ QueueName: 'a-dlq' }))).QueueUrl!;
    const account = dlqUrl.split('/').at(-2)!;
    const arn = (n: string) => `arn:aws:sqs:${REGION}:${account}:${n}`;
    const workUrl = (
      await alpha.send(
        new CreateQueueCommand({
          QueueName: 'a-work',
          Attributes: {
            VisibilityTimeout: '0',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('a-dlq'), maxReceiveCount: 1 }),
          },
        }),
      )
    ).QueueUrl!;
    for (let i = 0; i < 6; i++)
      await alpha.send(new SendMessageCommand({ QueueUrl: workUrl, MessageBody: `a${i}` }));
    await waitUntil('alpha dead letters', async () => {
      await alpha.send(new ReceiveMessageCommand({ QueueUrl: workUrl, MaxNumberOfMessages: 10 }));
      return (await visible(alpha, dlqUrl)) === 6;
    });
    // alpha redrives slowly (1 a second): a running task for bravo to aim at.
    const { TaskHandle } = await alpha.send(
      new StartMessageMoveTaskCommand({ SourceArn: arn('a-dlq'), MaxNumberOfMessagesPerSecond: 1 }),
    );
    A = { account, dlq: arn('a-dlq'), work: arn('a-work'), handle: TaskHandle! };
    // bravo's own queues: a DLQ with a message, and a plain queue.
    const bDlq = (await bravo.send(new CreateQueueCommand({ QueueName: 'b-dlq' }))).QueueUrl!;
    bravoAccount = bDlq.split('/').at(-2)!;
    await bravo.send(
      new CreateQueueCommand({
        QueueName: 'b-work',
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:${REGION}:${bravoAccount}:b-dlq`,
            maxReceiveCount: 1,
          }),
        },
      }),
    );
    await bravo.send(new SendMessageCommand({ QueueUrl: bDlq, MessageBody: 'b' }));
    await bravo.send(new CreateQueueCommand({ QueueName: 'b-plain' }));
    assert.notEqual(account, bravoAccount);
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await p?.stop();
  });

  it("refuses another tenant's queue ARN as source, destination, listing or task handle", async () => {
    const before = await alphaState();
    const bArn = (n: string) => `arn:aws:sqs:${REGION}:${bravoAccount}:${n}`;
    const forged = Buffer.from(
      JSON.stringify({
        taskId: JSON.parse(Buffer.from(A.handle, 'base64').toString()).taskId,
        sourceArn: bArn('a-dlq'),
      }),
    ).toString('base64');
    const cases: [string, Promise<unknown>, string, RegExp][] = [
      [
        'source',
        bravo.send(new StartMessageMoveTaskCommand({ SourceArn: A.dlq })),
        'ResourceNotFoundException',
        /NIMBUS_ERR_SQS_RESOURCE_NOT_FOUND.*SourceArn/,
      ],
      [
        'destination',
        bravo.send(new StartMessageMoveTaskCommand({ SourceArn: bArn('b-dlq'), DestinationArn: A.work })),
        'ResourceNotFoundException',
        /NIMBUS_ERR_SQS_RESOURCE_NOT_FOUND.*DestinationArn/,
      ],
      [
        'listing',
        bravo.send(new ListMessageMoveTasksCommand({ SourceArn: A.dlq })),
        'ResourceNotFoundException',
        /NIMBUS_ERR_SQS_RESOURCE_NOT_FOUND/,
      ],
      [
        "alpha's handle",
        bravo.send(new CancelMessageMoveTaskCommand({ TaskHandle: A.handle })),
        'ResourceNotFoundException',
        /NIMBUS_ERR_SQS_RESOURCE_NOT_FOUND.*SourceArn/,
      ],
      [
        "alpha's task id under bravo's account",
        bravo.send(new CancelMessageMoveTaskCommand({ TaskHandle: forged })),
        'ResourceNotFoundException',
        /NIMBUS_ERR_SQS_RESOURCE_NOT_FOUND.*SourceArn/,
      ],
      [
        'garbage handle',
        bravo.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'x'.repeat(4000) })),
        'InvalidParameterValue',
        /NIMBUS_ERR_SQS_INVALID_PARAMETER.*TaskHandle/,
      ],
      [
        'a name with slashes',
        bravo.send(
          new StartMessageMoveTaskCommand({
            SourceArn: `arn:aws:sqs:${REGION}:${bravoAccount}:../alpha/a-dlq`,
          }),
        ),
        'ResourceNotFoundException',
        /NIMBUS_ERR_SQS_RESOURCE_NOT_FOUND/,
      ],
    ];
    for (const [what, call, name, message] of cases) {
      const e = await sdkError(call);
      assert.equal(e.name, name, `${what}: ${e.message}`);
      assert.match(e.message, message, what);
    }
    // Through REST, names resolve in bravo's own namespace: alpha's queues are not there.
    const alphaTask = JSON.parse(Buffer.from(A.handle, 'base64').toString()).taskId as string;
    for (const [path, body] of [
      ['/v1/sqs/queues/a-dlq/redrive', {}],
      [`/v1/sqs/queues/a-dlq/redrives/${alphaTask}/cancel`, undefined],
      ['/v1/sqs/queues/b-dlq/redrive', { destination: 'a-work' }],
      ['/v1/sqs/queues/a-dlq/purge', undefined],
      [`/v1/sqs/queues/${encodeURIComponent('../alpha/a-dlq')}/purge`, undefined],
      [`/v1/sqs/queues/${encodeURIComponent(`sqs/alpha/a-dlq`)}/redrive`, {}],
    ] as const) {
      const r = await rest('bravo', 'POST', path, body);
      assert.equal(r.status, 404, `${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error?.code, 'NIMBUS_ERR_SQS_QUEUE_NOT_FOUND', path);
      assert.ok(r.body.error?.hint, 'with a hint');
    }
    // alpha's task id on bravo's own dead-letter queue is no task of bravo's.
    const theirs = await rest('bravo', 'POST', `/v1/sqs/queues/b-dlq/redrives/${alphaTask}/cancel`);
    assert.equal(theirs.status, 404, JSON.stringify(theirs.body));
    assert.equal(theirs.body.error?.code, 'NIMBUS_ERR_SQS_MOVE_TASK_NOT_FOUND');
    const listed = await rest('bravo', 'GET', '/v1/sqs/queues/a-dlq/redrives');
    assert.equal(listed.status, 404);
    const mine = await rest('bravo', 'GET', '/v1/sqs/queues');
    assert.deepEqual(
      mine.body.queues?.map((q) => q.name),
      ['b-dlq', 'b-plain', 'b-work'],
    );
    // alpha's task ran on (one a second) untouched: compare what bravo could have changed.
    const after = await alphaState();
    assert.equal(after.dlq + after.work, before.dlq + before.work, 'no message of alpha went anywhere else');
    assert.equal(after.tasks?.length, 1);
    assert.notEqual(after.tasks?.[0]?.[0], 'CANCELLED');
  });

  it('refuses a source that is no dead-letter queue, and a second task, with coded errors', async () => {
    const plain = `arn:aws:sqs:${REGION}:${bravoAccount}:b-plain`;
    const e = await sdkError(bravo.send(new StartMessageMoveTaskCommand({ SourceArn: plain })));
    assert.equal(e.name, 'InvalidParameterValue');
    assert.match(e.message, /NIMBUS_ERR_SQS_MOVE_SOURCE_NOT_DLQ/);
    const r = await rest('bravo', 'POST', '/v1/sqs/queues/b-plain/redrive', {});
    assert.equal(r.status, 400);
    assert.equal(r.body.error?.code, 'NIMBUS_ERR_SQS_MOVE_SOURCE_NOT_DLQ');
    assert.match(r.body.error?.hint ?? '', /RedrivePolicy/);
    // A source queue is no dead-letter queue either (its own RedrivePolicy does not make it one).
    const w = await rest('bravo', 'POST', '/v1/sqs/queues/b-work/redrive', {});
    assert.equal(w.body.error?.code, 'NIMBUS_ERR_SQS_MOVE_SOURCE_NOT_DLQ');
    // Unknown body fields and out-of-range rates are refused before anything starts.
    for (const body of [
      { destination: 'b-plain', extra: 1 },
      { maxPerSecond: 0 },
      { maxPerSecond: 501 },
      { destination: '' },
    ]) {
      const b = await rest('bravo', 'POST', '/v1/sqs/queues/b-dlq/redrive', body);
      assert.equal(b.status, 400, JSON.stringify(body));
      assert.equal(b.body.error?.code, 'NIMBUS_ERR_CORE_VALIDATION');
    }
    // alpha's task is still running: a second one is refused.
    const twice = await sdkError(alpha.send(new StartMessageMoveTaskCommand({ SourceArn: A.dlq })));
    assert.equal(twice.name, 'InvalidParameterValue');
    assert.match(twice.message, /NIMBUS_ERR_SQS_MOVE_TASK_ACTIVE/);
    const rr = await rest('alpha', 'POST', '/v1/sqs/queues/a-dlq/redrive', {});
    assert.equal(rr.status, 409);
    assert.equal(rr.body.error?.code, 'NIMBUS_ERR_SQS_MOVE_TASK_ACTIVE');
    // alpha may cancel its own.
    const c = await alpha.send(new CancelMessageMoveTaskCommand({ TaskHandle: A.handle }));
    assert.ok((c.ApproximateNumberOfMessagesMoved ?? -1) >= 0);
  });
});
