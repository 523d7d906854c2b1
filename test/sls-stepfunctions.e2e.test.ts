/**
 * A serverless.yml written for the serverless-step-functions plugin, deployed unmodified with the
 * real CLI: two functions and a state machine whose definition names them with `Fn::GetAtt` and
 * with a `lambda:invoke` Task's `#{AWS::Region}`-style ARN, started by an `http` event (answered
 * like API Gateway's StartExecution integration), a `schedule` event (fired on a fake clock) and an
 * `eventBridge` event (an event put through client-eventbridge; a rule made through the EventBridge
 * API may target the machine's ARN too). `nimbus info` shows the machine;
 * an invalid definition fails the deploy before anything changes, naming the state and field; a
 * failure while switching deletes the machine the deploy created; `nimbus remove` deletes it all.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { FakeClock } from '../src/core/clock.ts';
import type { ExecutionView } from '../src/workflows/types.ts';
import { cliRunner, fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const T = 'default';
const MACHINE = 'orders-dev-checkout';

const SERVERLESS_YML = `service: orders
frameworkVersion: '3'
plugins:
  - serverless-step-functions
provider:
  name: aws
  runtime: nodejs24.x
functions:
  validate:
    handler: handler.validate
  price:
    handler: handler.price
stepFunctions:
  validate: true
  stateMachines:
    checkout:
      events:
        - http:
            path: checkout
            method: POST
            cors: true
        - schedule: rate(1 minute)
        - eventBridge:
            event:
              source: [shop.orders]
              detail-type: [OrderPlaced]
      definition:
        Comment: Validate an order, then price it
        StartAt: Validate
        States:
          Validate:
            Type: Task
            Resource:
              Fn::GetAtt: [validate, Arn]
            Next: Price
          Price:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: arn:aws:lambda:#{AWS::Region}:#{AWS::AccountId}:function:\${self:service}-\${opt:stage}-price
              Payload.$: $
            OutputPath: $.Payload
            End: true
`;

const HANDLER = `export const validate = async (e) => ({ ...e, valid: Array.isArray(e.items ?? e.detail?.items) });
export const price = async (e) => {
  const items = e.items ?? e.detail?.items ?? [];
  return {
    total: items.reduce((a, i) => a + i.qty * i.price, 0),
    valid: e.valid,
    source: e.source ?? null,
    detailType: e['detail-type'] ?? null,
  };
};
`;

describe('serverless-step-functions projects, deployed unmodified (e2e)', { timeout: 240_000 }, () => {
  // Starts at the real time: the SDK's SigV4 signatures are checked against the platform clock.
  const clock = new FakeClock(Date.now());
  let p: TestPlatform;
  let dir = '';
  const cli = cliRunner(() => ({ ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret }));
  const creds = () => ({ accessKeyId: p.admin.keyId, secretAccessKey: p.secret });
  const ended = (arn: string) =>
    waitUntil(`execution ${arn} to end`, async () => {
      p.async.kick();
      const e = await p.workflows.describeExecution(T, arn);
      return e.status === 'RUNNING' ? undefined : e;
    });
  const executions = async () => (await p.workflows.listExecutions(T, { machine: MACHINE })).items;

  before(async () => {
    p = await startTestPlatform({}, { clock });
    dir = await fixture({ 'serverless.yml': SERVERLESS_YML, 'handler.mjs': HANDLER });
  });
  after(async () => {
    await p?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('deploys the functions and the state machine with the real CLI', async () => {
    const r = await cli('deploy', dir, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      functions: { function: { name: string } }[];
      stateMachines: {
        name: string;
        arn: string;
        routes: unknown[];
        schedules: unknown[];
        subscriptions: unknown[];
      }[];
    };
    assert.deepEqual(out.functions.map((f) => f.function.name).sort(), [
      'orders-dev-price',
      'orders-dev-validate',
    ]);
    assert.equal(out.stateMachines.length, 1);
    const m = out.stateMachines[0]!;
    assert.equal(m.name, MACHINE);
    assert.match(m.arn, /^arn:aws:states:local-1:\d{12}:stateMachine:orders-dev-checkout$/);
    assert.equal(m.routes.length, 1);
    assert.equal(m.schedules.length, 1);
    assert.equal(m.subscriptions.length, 1);
    // The function references became the deployed functions' ARNs in this account and region.
    const def = (await p.workflows.describeMachine(T, MACHINE)).definition;
    const { accountId } = (await p.json<{ accountId: string }>('GET', '/v1/identity')).body;
    assert.match(
      def,
      new RegExp(`"Resource":"arn:aws:lambda:local-1:${accountId}:function:orders-dev-validate"`),
    );
    assert.match(
      def,
      new RegExp(`"FunctionName":"arn:aws:lambda:local-1:${accountId}:function:orders-dev-price"`),
    );
  });

  it('an http event starts an execution with the body and answers {executionArn, startDate}', async () => {
    const r = await fetch(`${p.gatewayUrl}/dev/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
      body: JSON.stringify({
        items: [
          { qty: 2, price: 5 },
          { qty: 1, price: 7 },
        ],
      }),
    });
    const text = await r.text();
    assert.equal(r.status, 200, text);
    assert.equal(r.headers.get('access-control-allow-origin'), '*', 'the route keeps its cors: true');
    const body = JSON.parse(text) as { executionArn: string; startDate: number };
    assert.deepEqual(Object.keys(body).sort(), ['executionArn', 'startDate']);
    assert.match(body.executionArn, /^arn:aws:states:local-1:\d{12}:execution:orders-dev-checkout:/);
    assert.equal(typeof body.startDate, 'number');
    assert.ok(Math.abs(body.startDate - clock.now() / 1000) < 60, 'startDate is epoch seconds');
    const e = await ended(body.executionArn);
    assert.equal(e.status, 'SUCCEEDED', `${e.error}: ${e.cause}`);
    assert.deepEqual(JSON.parse(e.output!), { total: 17, valid: true, source: null, detailType: null });
    // Not JSON: refused like StartExecution's InvalidExecutionInput, nothing started.
    const before = (await executions()).length;
    const bad = await fetch(`${p.gatewayUrl}/dev/checkout`, { method: 'POST', body: 'not json' });
    assert.equal(bad.status, 400, await bad.text());
    assert.equal((await executions()).length, before);
  });

  it('an eventBridge event: an event put through client-eventbridge starts an execution', async () => {
    const eb = new EventBridgeClient({ endpoint: p.apiUrl, region: 'local-1', credentials: creds() });
    try {
      const r = await eb.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: 'shop.orders',
              DetailType: 'OrderPlaced',
              Detail: JSON.stringify({ items: [{ qty: 3, price: 2 }] }),
            },
            { Source: 'shop.orders', DetailType: 'OrderCancelled', Detail: '{}' },
          ],
        }),
      );
      assert.equal(r.FailedEntryCount, 0);
    } finally {
      eb.destroy();
    }
    const fromEvent = (e: ExecutionView) =>
      (JSON.parse(e.input) as { source?: string }).source === 'shop.orders';
    const started = await waitUntil('an execution started by the event', async () => {
      p.async.kick();
      return (await executions()).find(fromEvent);
    });
    const e = await ended(started.arn);
    assert.equal(e.status, 'SUCCEEDED', `${e.error}: ${e.cause}`);
    assert.deepEqual(JSON.parse(e.output!), {
      total: 6,
      valid: true,
      source: 'shop.orders',
      detailType: 'OrderPlaced',
    });
    await new Promise((res) => setTimeout(res, 300));
    p.async.kick();
    assert.equal(
      (await executions()).filter(fromEvent).length,
      1,
      'the OrderCancelled event matched nothing',
    );
  });

  it('an EventBridge rule made through the API takes the state machine ARN as a target', async () => {
    const eb = new EventBridgeClient({ endpoint: p.apiUrl, region: 'local-1', credentials: creds() });
    const arn = (await p.workflows.describeMachine(T, MACHINE)).arn;
    try {
      await eb.send(
        new PutRuleCommand({ Name: 'manual', EventPattern: JSON.stringify({ source: ['shop.manual'] }) }),
      );
      const t = await eb.send(
        new PutTargetsCommand({ Rule: 'manual', Targets: [{ Id: 'checkout', Arn: arn }] }),
      );
      assert.equal(t.FailedEntryCount, 0, JSON.stringify(t.FailedEntries));
      const listed = await eb.send(new ListTargetsByRuleCommand({ Rule: 'manual' }));
      assert.deepEqual(
        listed.Targets?.map((x) => x.Arn),
        [arn],
      );
      await eb.send(
        new PutEventsCommand({
          Entries: [{ Source: 'shop.manual', DetailType: 'Manual', Detail: '{"items":[]}' }],
        }),
      );
      const started = await waitUntil('an execution started through the rule', async () => {
        p.async.kick();
        return (await executions()).find(
          (e) => (JSON.parse(e.input) as { source?: string }).source === 'shop.manual',
        );
      });
      const e = await ended(started.arn);
      assert.equal(e.status, 'SUCCEEDED', `${e.error}: ${e.cause}`);
      assert.deepEqual(JSON.parse(e.output!), {
        total: 0,
        valid: true,
        source: 'shop.manual',
        detailType: 'Manual',
      });
      await eb.send(new RemoveTargetsCommand({ Rule: 'manual', Ids: ['checkout'] }));
      await eb.send(new DeleteRuleCommand({ Name: 'manual' }));
    } finally {
      eb.destroy();
    }
  });

  it('a schedule event starts one execution per tick, with the Scheduled Event as input', async () => {
    const { body } = await p.json<{
      schedules: { name: string; function: string | null; stateMachine?: string; expression: string }[];
    }>('GET', '/v1/schedules');
    const s = body.schedules.find((x) => x.stateMachine === MACHINE);
    assert.ok(s, JSON.stringify(body));
    assert.equal(s.name, `${MACHINE}-schedule-1`);
    assert.equal(s.expression, 'rate(1 minute)');
    assert.equal(s.function, null);
    const mine = async () => (await executions()).filter((e) => e.name.startsWith(`${s.name}-`));
    assert.equal((await mine()).length, 0, 'nothing before the first tick');
    clock.advance(61_000);
    await p.schedules.tick();
    const [tick] = await waitUntil('the tick execution', async () => {
      const xs = await mine();
      return xs.length > 0 ? xs : undefined;
    });
    const e = await ended(tick!.arn);
    assert.equal(e.status, 'SUCCEEDED', `${e.error}: ${e.cause}`);
    const input = JSON.parse(e.input) as { source: string; 'detail-type': string };
    assert.equal(input.source, 'aws.events');
    assert.equal(input['detail-type'], 'Scheduled Event');
    // The same tick is not fired twice.
    await p.schedules.tick();
    assert.equal((await mine()).length, 1);
  });

  it('nimbus info lists the state machine with its ARN and http endpoint', async () => {
    const r = await cli('info', dir, '--json');
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as {
      stateMachines: {
        name: string;
        arn: string;
        deployed: boolean;
        endpoints: { method: string; url: string }[];
      }[];
    };
    const m = info.stateMachines.find((x) => x.name === MACHINE);
    assert.ok(m?.deployed);
    assert.match(m.arn, /:stateMachine:orders-dev-checkout$/);
    assert.deepEqual(
      m.endpoints.map((e) => `${e.method} ${e.url.replace(/^http:\/\/[^/]+/, '')}`),
      ['POST /dev/checkout'],
    );
    const text = await cli('info', dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /state machines:/);
    assert.match(text.stdout, /checkout: orders-dev-checkout/);
  });

  it('deploying again updates the machine in place and keeps its wiring', async () => {
    const original = await readFile(join(dir, 'serverless.yml'), 'utf8');
    const before = await p.workflows.describeMachine(T, MACHINE);
    const schedule = async () =>
      (
        await p.json<{ schedules: { stateMachine?: string; nextFireAt: string }[] }>('GET', '/v1/schedules')
      ).body.schedules.find((x) => x.stateMachine === MACHINE);
    const nextBefore = (await schedule())?.nextFireAt;
    try {
      await writeFile(
        join(dir, 'serverless.yml'),
        original.replace('Comment: Validate an order, then price it', 'Comment: v2'),
      );
      const r = await cli('deploy', dir, '--json');
      assert.equal(r.code, 0, r.stderr);
      const after = await p.workflows.describeMachine(T, MACHINE);
      assert.notEqual(after.revisionId, before.revisionId);
      assert.equal(after.createdAt, before.createdAt);
      assert.match(after.definition, /"Comment":"v2"/);
      assert.equal((await schedule())?.nextFireAt, nextBefore, 'the pending tick is kept');
      const ok = await fetch(`${p.gatewayUrl}/dev/checkout`, {
        method: 'POST',
        body: '{"items":[{"qty":1,"price":1}]}',
      });
      assert.equal(ok.status, 200);
    } finally {
      await writeFile(join(dir, 'serverless.yml'), original);
    }
  });

  it('an invalid definition fails the deploy before anything changes, naming the state and field', async () => {
    const original = await readFile(join(dir, 'serverless.yml'), 'utf8');
    const machineBefore = await p.workflows.describeMachine(T, MACHINE);
    const fnBefore = (
      await p.json<{ function: { codeSha256: string } }>('GET', '/v1/functions/orders-dev-price')
    ).body.function.codeSha256;
    try {
      await writeFile(
        join(dir, 'serverless.yml'),
        original
          .replace('Next: Price', 'Next: Nowhere')
          .replace(
            '    checkout:\n',
            '    checkout:\n      role: arn:aws:iam::#{AWS::AccountId}:role/missing\n',
          ),
      );
      await writeFile(join(dir, 'handler.mjs'), `${HANDLER}\nexport const extra = 1;\n`);
      const r = await cli('deploy', dir);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /nothing was deployed/);
      assert.match(
        r.stderr,
        /state machine orders-dev-checkout \(stepFunctions\.stateMachines\.checkout\): state Validate, field Next/,
      );
      assert.match(r.stderr, /Nowhere/);
      assert.match(r.stderr, /checkout\): role missing does not exist/);
      const machineAfter = await p.workflows.describeMachine(T, MACHINE);
      assert.equal(machineAfter.revisionId, machineBefore.revisionId);
      assert.equal(machineAfter.definition, machineBefore.definition);
      const fnAfter = (
        await p.json<{ function: { codeSha256: string } }>('GET', '/v1/functions/orders-dev-price')
      ).body.function.codeSha256;
      assert.equal(fnAfter, fnBefore, 'the functions were not deployed either');
    } finally {
      await writeFile(join(dir, 'serverless.yml'), original);
      await writeFile(join(dir, 'handler.mjs'), HANDLER);
    }
  });

  it('a failure while switching deletes the state machine the deploy created', async () => {
    const original = await readFile(join(dir, 'serverless.yml'), 'utf8');
    // A second machine (valid, created first) and a third one the API refuses (a tag value
    // longer than 256 characters): the deploy fails in its switch and is rolled back.
    const extra = `    audit:
      definition:
        StartAt: Done
        States:
          Done: { Type: Pass, End: true }
    broken:
      tags:
        note: ${'x'.repeat(300)}
      definition:
        StartAt: Done
        States:
          Done: { Type: Pass, End: true }
`;
    try {
      await writeFile(
        join(dir, 'serverless.yml'),
        original.replace('    checkout:\n', `${extra}    checkout:\n`),
      );
      const r = await cli('deploy', dir);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /rolled back/);
      assert.match(r.stderr, /removed .*state machine orders-dev-audit/);
      await assert.rejects(p.workflows.describeMachine(T, 'orders-dev-audit'), /does not exist|not found/i);
      await assert.rejects(p.workflows.describeMachine(T, 'orders-dev-broken'), /does not exist|not found/i);
      // The existing machine still serves its route.
      const ok = await fetch(`${p.gatewayUrl}/dev/checkout`, { method: 'POST', body: '{"items":[]}' });
      const text = await ok.text();
      assert.equal(ok.status, 200, text);
      const e = await ended((JSON.parse(text) as { executionArn: string }).executionArn);
      assert.equal(e.status, 'SUCCEEDED');
    } finally {
      await writeFile(join(dir, 'serverless.yml'), original);
    }
  });

  it('deleting the machine through the API takes its route, schedule and rule with it', async () => {
    const wiring = async () => ({
      routes: (await p.json<{ routes: { stateMachine?: string }[] }>('GET', '/v1/routes')).body.routes.filter(
        (x) => x.stateMachine === MACHINE,
      ).length,
      schedules: (
        await p.json<{ schedules: { stateMachine?: string }[] }>('GET', '/v1/schedules')
      ).body.schedules.filter((x) => x.stateMachine === MACHINE).length,
      subscriptions: (
        await p.json<{ subscriptions: { owner: string | null }[] }>('GET', '/v1/subscriptions')
      ).body.subscriptions.filter((x) => x.owner === `states:${MACHINE}`).length,
    });
    assert.deepEqual(await wiring(), { routes: 1, schedules: 1, subscriptions: 1 });
    const del = await p.api('DELETE', `/v1/workflows/${MACHINE}`);
    assert.equal(del.status, 204, await del.text());
    assert.deepEqual(await wiring(), { routes: 0, schedules: 0, subscriptions: 0 });
    const gone = await fetch(`${p.gatewayUrl}/dev/checkout`, { method: 'POST', body: '{}' });
    assert.equal(gone.status, 404);
    // Deployed again for the next test.
    const r = await cli('deploy', dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await wiring(), { routes: 1, schedules: 1, subscriptions: 1 });
  });

  it('nimbus remove deletes the state machine with its route, schedule and rule', async () => {
    const r = await cli('remove', dir, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { stateMachines: { removed: string[] } };
    assert.deepEqual(out.stateMachines.removed, [MACHINE]);
    await assert.rejects(p.workflows.describeMachine(T, MACHINE), /does not exist|not found/i);
    const gone = await fetch(`${p.gatewayUrl}/dev/checkout`, { method: 'POST', body: '{}' });
    assert.equal(gone.status, 404);
    const { body: s } = await p.json<{ schedules: { stateMachine?: string }[] }>('GET', '/v1/schedules');
    assert.equal(s.schedules.filter((x) => x.stateMachine === MACHINE).length, 0);
    const { body: subs } = await p.json<{ subscriptions: { owner: string | null }[] }>(
      'GET',
      '/v1/subscriptions',
    );
    assert.equal(subs.subscriptions.filter((x) => x.owner === `states:${MACHINE}`).length, 0);
    const { body: fns } = await p.json<{ functions: { name: string }[] }>('GET', '/v1/functions');
    assert.equal(fns.functions.filter((f) => f.name.startsWith('orders-dev-')).length, 0);
  });
});
