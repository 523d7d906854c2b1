/**
 * The EventBridge API end to end with the real `@aws-sdk/client-eventbridge` (AWS JSON 1.1):
 * custom buses, rules written for AWS (`source`, `detail-type`, `detail.…`) matching the
 * EventBridge envelope, targets (an SQS queue receiving the envelope, an InputTransformer, a
 * Lambda function), disable/enable, RemoveTargets/DeleteRule, PutEvents partial failures,
 * TestEventPattern and error types.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fixture, sdkError, startTestPlatform, type TestPlatform } from './helpers.ts';

const REGION = 'local-1';
const ACCOUNT = '000000000000';

const errorOf = async (p: Promise<unknown>) => (await sdkError(p)).name;

describe('EventBridge API e2e (@aws-sdk/client-eventbridge)', () => {
  let p: TestPlatform;
  let eb: EventBridgeClient;
  let sqs: SQSClient;
  before(async () => {
    p = await startTestPlatform();
    const credentials = { accessKeyId: p.admin.keyId, secretAccessKey: p.secret };
    eb = new EventBridgeClient({ endpoint: p.apiUrl, region: REGION, credentials, maxAttempts: 1 });
    sqs = new SQSClient({ endpoint: p.apiUrl, region: REGION, credentials, maxAttempts: 1 });
  });
  after(async () => {
    eb?.destroy();
    sqs?.destroy();
    await p?.stop();
  });

  const drain = async (QueueUrl: string, want: number, waitS = 1, rounds = 15) => {
    const out: string[] = [];
    for (let i = 0; i < rounds && out.length < want; i++) {
      const r = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: waitS, MaxNumberOfMessages: 10 }),
      );
      out.push(...(r.Messages ?? []).map((m) => m.Body!));
    }
    return out;
  };
  const order = (amount: number, status = 'placed') => ({
    Source: 'shop.orders',
    DetailType: 'Order Placed',
    Detail: JSON.stringify({ amount, status, customer: { tier: amount > 100 ? 'gold' : 'basic' } }),
    EventBusName: 'shop',
  });

  it('routes PutEvents by AWS-style patterns to an SQS target in the EventBridge envelope', async () => {
    const bus = await eb.send(new CreateEventBusCommand({ Name: 'shop' }));
    assert.equal(bus.EventBusArn, `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/shop`);
    assert.equal(
      await errorOf(eb.send(new CreateEventBusCommand({ Name: 'shop' }))),
      'ResourceAlreadyExistsException',
    );
    const big = (await sqs.send(new CreateQueueCommand({ QueueName: 'big-orders' }))).QueueUrl!;
    const shaped = (await sqs.send(new CreateQueueCommand({ QueueName: 'shaped' }))).QueueUrl!;
    const rule = await eb.send(
      new PutRuleCommand({
        Name: 'big',
        EventBusName: 'shop',
        EventPattern: JSON.stringify({
          source: ['shop.orders'],
          'detail-type': ['Order Placed'],
          detail: { amount: [{ numeric: ['>=', 100] }], customer: { tier: ['gold'] } },
        }),
      }),
    );
    assert.equal(rule.RuleArn, `arn:aws:events:${REGION}:${ACCOUNT}:rule/shop/big`);
    const put = await eb.send(
      new PutTargetsCommand({
        Rule: 'big',
        EventBusName: 'shop',
        Targets: [
          { Id: 'queue', Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:big-orders` },
          {
            Id: 'shaped',
            Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:shaped`,
            InputTransformer: {
              InputPathsMap: { amount: '$.detail.amount', type: '$.detail-type' },
              InputTemplate: '{"kind": <type>, "total": <amount>}',
            },
          },
          { Id: 'bad', Arn: 'arn:aws:kinesis:local-1:000000000000:stream/x' },
        ],
      }),
    );
    assert.equal(put.FailedEntryCount, 1);
    assert.equal(put.FailedEntries?.[0]?.TargetId, 'bad');

    const r = await eb.send(
      new PutEventsCommand({
        Entries: [
          order(500),
          order(5),
          { ...order(900), Source: 'other' },
          { Source: 'x', DetailType: 'y', Detail: 'not json', EventBusName: 'shop' },
        ],
      }),
    );
    assert.equal(r.FailedEntryCount, 1);
    assert.equal(r.Entries?.[3]?.ErrorCode, 'ValidationException');
    const [env] = await drain(big, 1);
    const e = JSON.parse(env!) as Record<string, unknown>;
    assert.equal(e.version, '0');
    assert.equal(e.id, r.Entries?.[0]?.EventId);
    assert.equal(e['detail-type'], 'Order Placed');
    assert.equal(e.source, 'shop.orders');
    assert.equal(e.account, ACCOUNT);
    assert.equal(e.region, REGION);
    assert.deepEqual(e.resources, []);
    assert.deepEqual(e.detail, { amount: 500, status: 'placed', customer: { tier: 'gold' } });
    assert.deepEqual(await drain(big, 1, 0, 1), [], 'only the matching event');
    assert.deepEqual(
      (await drain(shaped, 1)).map((b) => JSON.parse(b)),
      [{ kind: 'Order Placed', total: 500 }],
    );

    await eb.send(new DisableRuleCommand({ Name: 'big', EventBusName: 'shop' }));
    await eb.send(new PutEventsCommand({ Entries: [order(700)] }));
    assert.deepEqual(await drain(big, 1, 2, 1), [], 'a disabled rule delivers nothing');
    await eb.send(new EnableRuleCommand({ Name: 'big', EventBusName: 'shop' }));
    await eb.send(new PutEventsCommand({ Entries: [order(800)] }));
    assert.equal(JSON.parse((await drain(big, 1))[0]!).detail.amount, 800);

    const rules = await eb.send(new ListRulesCommand({ EventBusName: 'shop' }));
    assert.deepEqual(
      rules.Rules?.map((x) => [x.Name, x.State]),
      [['big', 'ENABLED']],
    );
    const targets = await eb.send(new ListTargetsByRuleCommand({ Rule: 'big', EventBusName: 'shop' }));
    assert.deepEqual(
      targets.Targets?.map((t) => t.Id),
      ['queue', 'shaped'],
    );
    assert.equal(
      await errorOf(eb.send(new DeleteRuleCommand({ Name: 'big', EventBusName: 'shop' }))),
      'ValidationException',
    );
    await eb.send(new RemoveTargetsCommand({ Rule: 'big', EventBusName: 'shop', Ids: ['queue', 'shaped'] }));
    await eb.send(new DeleteRuleCommand({ Name: 'big', EventBusName: 'shop' }));
    assert.deepEqual((await eb.send(new ListRulesCommand({ EventBusName: 'shop' }))).Rules, []);
  });

  it('delivers the envelope to a Lambda target on the default bus', async () => {
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => { console.log('EB ' + JSON.stringify(e)); return 1; };`,
    });
    assert.equal(
      (await p.deployDir('eb-target', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status,
      201,
    );
    await eb.send(
      new PutRuleCommand({
        Name: 'to-fn',
        EventPattern: JSON.stringify({ 'detail-type': [{ prefix: 'User' }] }),
      }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: 'to-fn',
        Targets: [{ Id: 'fn', Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:eb-target` }],
      }),
    );
    const r = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app.users', DetailType: 'User Signed Up', Detail: '{"id":"u1"}', Resources: ['arn:x'] },
        ],
      }),
    );
    let got: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !got; i++) {
      const logs = await p.json<{ lines: { message: string }[] }>('GET', '/v1/functions/eb-target/logs');
      const line = logs.body.lines.map((l) => l.message).find((m) => m.includes('EB {'));
      if (line) got = JSON.parse(line.slice(line.indexOf('EB ') + 3));
      else await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(got?.id, r.Entries?.[0]?.EventId);
    assert.equal(got?.['detail-type'], 'User Signed Up');
    assert.deepEqual(got?.detail, { id: 'u1' });
    assert.deepEqual(got?.resources, ['arn:x']);
  });

  it('validates patterns and answers TestEventPattern', async () => {
    assert.equal(
      await errorOf(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source": "not-a-list"}' }))),
      'InvalidEventPatternException',
    );
    const t = await eb.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({ detail: { n: [{ numeric: ['>', 1] }] } }),
        Event: JSON.stringify({
          id: '1',
          source: 's',
          'detail-type': 't',
          account: ACCOUNT,
          region: REGION,
          time: '2026-01-01T00:00:00Z',
          resources: [],
          detail: { n: 2 },
        }),
      }),
    );
    assert.equal(t.Result, true);
    assert.equal(
      await errorOf(
        eb.send(
          new PutTargetsCommand({
            Rule: 'missing',
            Targets: [{ Id: 'a', Arn: 'arn:aws:sqs:local-1:000000000000:q' }],
          }),
        ),
      ),
      'ResourceNotFoundException',
    );
  });
});
