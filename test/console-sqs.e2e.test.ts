/**
 * The Queues page's SQS section in a real browser: a queue with a dead-letter queue
 * (maxReceiveCount 1) made through the real `@aws-sdk/client-sqs`, two messages that failed into
 * the DLQ; the page shows both queues with their counts and relations; Redrive, confirmed, starts
 * a message move task whose progress shows until it has COMPLETED, and the messages are back in
 * the source queue (the page's count, and received there with the SDK); Purge, confirmed,
 * empties a queue. A slow redrive is cancelled from its Cancel redrive button: what it moved is
 * in the target, the rest still in the DLQ. A ReadOnly key sees the queues without Purge or
 * Redrive. axe-core in light and
 * dark, no sideways scroll at 390 px, screenshots.
 *
 * Without chromium the suite skips outside CI and fails in CI (test/support/browser.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Page } from 'playwright-core';
import { buildConsole, consolePaths } from '../src/console/index.ts';
import { startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';
import {
  assertAccessible,
  assertNoSideScroll,
  browserSkip,
  type ConsoleBrowser,
  launchConsoleBrowser,
  settled,
  shot,
} from './support/browser.ts';

const REGION = 'local-1';

describe('console: SQS queues, redrive and purge in a real browser', { skip: browserSkip() }, () => {
  let p: TestPlatform;
  let cb: ConsoleBrowser;
  let sqs: SQSClient;
  let workUrl: string;
  let dlqUrl: string;
  const visible = async (QueueUrl: string) =>
    Number(
      (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
        )
      ).Attributes?.ApproximateNumberOfMessages,
    );
  const login = (page: Page, secret = p.secret) => cb.login(page, p.apiUrl, secret);
  const openQueues = async (page: Page) => {
    await page.getByRole('link', { name: 'Queues' }).click();
    await page.getByRole('table', { name: 'SQS queues' }).waitFor();
    await settled(page);
    // The screenshots show the section (it is below the async queues).
    await page.getByRole('heading', { name: 'SQS queues' }).scrollIntoViewIfNeeded();
  };
  const row = (page: Page, name: string) => page.getByTestId(`sqs-queue-${name}`);

  before(async () => {
    await buildConsole(consolePaths());
    p = await startTestPlatform();
    cb = await launchConsoleBrowser();
    sqs = new SQSClient({
      endpoint: p.apiUrl,
      region: REGION,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
      maxAttempts: 1,
    });
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }))).QueueUrl!;
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
    workUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: 'orders',
          Attributes: {
            VisibilityTimeout: '0',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
          },
        }),
      )
    ).QueueUrl!;
    for (const order of [1, 2])
      await sqs.send(new SendMessageCommand({ QueueUrl: workUrl, MessageBody: JSON.stringify({ order }) }));
    // A consumer that fails them: received once (maxReceiveCount 1), the next receive moves them.
    await waitUntil('both messages in the dead-letter queue', async () => {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: workUrl, MaxNumberOfMessages: 10 }));
      return (await visible(dlqUrl)) === 2;
    });
    const scratch = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: 'scratch.fifo',
          Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
        }),
      )
    ).QueueUrl!;
    for (const n of [1, 2, 3])
      await sqs.send(
        new SendMessageCommand({ QueueUrl: scratch, MessageBody: `s${n}`, MessageGroupId: 'g' }),
      );
  });
  after(async () => {
    sqs?.destroy();
    await cb?.close();
    await p?.stop();
  });

  it('shows the queues, redrives the dead letters back to their queue and purges a queue', async () => {
    const page = await cb.open();
    await login(page);
    await openQueues(page);
    const dlq = row(page, 'orders-dlq');
    const work = row(page, 'orders');
    assert.equal((await dlq.getByTestId('visible').textContent())?.trim(), '2');
    assert.match(String(await dlq.textContent()), /orders/, 'the queues it is the dead-letter queue of');
    assert.equal((await work.getByTestId('visible').textContent())?.trim(), '0');
    assert.match(String(await work.textContent()), /orders-dlq\s*after 1 receives/);
    assert.match(String(await row(page, 'scratch.fifo').textContent()), /FIFO/);
    assert.equal(await work.getByRole('button', { name: 'Redrive orders' }).count(), 0, 'not a DLQ');
    await assertAccessible(page, 'queues: SQS');
    await shot(page, 'queues-sqs-light');

    await page.getByRole('button', { name: 'Redrive orders-dlq' }).click();
    await page.getByText('Move the messages of orders-dlq back to orders?').waitFor();
    await assertAccessible(page, 'queues: SQS redrive confirmation');
    await page.getByRole('button', { name: 'Yes, redrive' }).click();
    await page.getByTestId('sqs-status').getByText('Redrive of orders-dlq started: 2 to move.').waitFor();
    await page
      .getByTestId('redrive-orders-dlq')
      .getByText(/Redrive to the source queues completed: 2 moved/)
      .waitFor();
    // The counts are read again when the task ends.
    await waitUntil('the page to count them back in orders', async () =>
      (await work.getByTestId('visible').textContent())?.trim() === '2' ? true : undefined,
    );
    assert.equal((await dlq.getByTestId('visible').textContent())?.trim(), '0');
    await shot(page, 'queues-sqs-redriven-light');
    const back = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: workUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    assert.deepEqual(back.Messages?.map((m) => m.Body).sort(), ['{"order":1}', '{"order":2}']);

    await page.getByRole('button', { name: 'Purge scratch.fifo' }).click();
    await page.getByText('Delete every message of scratch.fifo for good?').waitFor();
    await page.getByRole('button', { name: 'Yes, purge' }).click();
    await page.getByTestId('sqs-status').getByText('Purged scratch.fifo.').waitFor();
    await waitUntil('scratch.fifo to show 0', async () =>
      (await row(page, 'scratch.fifo').getByTestId('visible').textContent())?.trim() === '0'
        ? true
        : undefined,
    );
  });

  it('a ReadOnly key sees the queues but no Purge or Redrive', async () => {
    const k = await p.json<{ secret: string }>('POST', '/v1/keys', { policies: ['ReadOnly'] });
    assert.equal(k.status, 201);
    const page = await cb.open();
    await login(page, k.body.secret);
    await openQueues(page);
    await row(page, 'orders-dlq')
      .getByTestId('redrive-orders-dlq')
      .getByText(/completed: 2 moved/)
      .waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Purge|Redrive) / }).count(), 0);
  });

  it('cancels a running redrive: what it moved stays moved, the rest stays in the dead-letter queue', async () => {
    const slowDlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'slow-dlq' }))).QueueUrl!;
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: slowDlq, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
    const slow = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: 'slow',
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 5 }) },
        }),
      )
    ).QueueUrl!;
    const total = 10;
    for (let n = 0; n < total; n++)
      await sqs.send(new SendMessageCommand({ QueueUrl: slowDlq, MessageBody: `m${n}` }));
    // One a second: the task still runs when the page shows it.
    const started = await p.json('POST', '/v1/sqs/queues/slow-dlq/redrive', {
      destination: 'slow',
      maxPerSecond: 1,
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const page = await cb.open();
    await login(page);
    await openQueues(page);
    const cancelButton = page.getByRole('button', { name: 'Cancel the redrive of slow-dlq' });
    await cancelButton.waitFor();
    // One task at a time: while it runs there is Cancel, not a second Redrive.
    assert.equal(await page.getByRole('button', { name: 'Redrive slow-dlq' }).count(), 0);
    await cancelButton.click();
    await page.getByText('Stop moving the messages of slow-dlq? Those moved so far stay moved.').waitFor();
    await assertAccessible(page, 'queues: SQS cancel confirmation');
    await shot(page, 'queues-sqs-cancel-light');
    await page.getByRole('button', { name: 'Yes, stop it' }).click();
    const progress = page.getByTestId('redrive-slow-dlq').getByText(/cancelled after \d+ moved/);
    await progress.waitFor();
    const moved = Number(/after (\d+) moved/.exec(String(await progress.textContent()))?.[1]);
    assert.ok(moved < total, `cancelled before the end (${moved} of ${total} moved)`);
    assert.equal(await page.getByRole('button', { name: 'Cancel the redrive of slow-dlq' }).count(), 0);
    await page.getByRole('button', { name: 'Redrive slow-dlq' }).waitFor();
    // Each message is in exactly one of the two queues.
    assert.equal(await visible(slow), moved);
    assert.equal(await visible(slowDlq), total - moved);
  });

  it('dark theme and phone width', async () => {
    const dark = await cb.open({ dark: true });
    await login(dark);
    await openQueues(dark);
    await assertAccessible(dark, 'queues: SQS (dark)');
    await shot(dark, 'queues-sqs-dark');
    const phone = await cb.open({ phone: true });
    await login(phone);
    await openQueues(phone);
    await assertNoSideScroll(phone, 'queues: SQS (phone)');
    await assertAccessible(phone, 'queues: SQS (phone)');
    await shot(phone, 'queues-sqs-phone');
  });
});
