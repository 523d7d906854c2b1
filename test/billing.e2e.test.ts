/**
 * Cost and budgets on a real platform (issue 17): a price table set by the operator, each
 * invocation's cost matching the hand-computed figure (one request + GB-s × price), the REPORT
 * line, aggregates and CSV through REST and the real CLI, and a budget that blocks at its cap
 * (gateway, REST and the AWS SDK's Lambda client), announces its thresholds on a topic, holds
 * async work without dropping it, and releases everything when raised.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { cliRunner, fixture, sdkError, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

interface UsageRow {
  requestId: string;
  functionName: string;
  billedDurationMs: number;
  memoryMb: number;
  gbSeconds: number;
  costUsd: number;
}

describe('cost and budgets (e2e)', () => {
  let p: TestPlatform;
  let lambda: LambdaClient;
  const cli = cliRunner(() => ({
    ...process.env,
    NIMBUS_ENDPOINT: p.apiUrl,
    NIMBUS_KEY_ID: p.admin.keyId,
    NIMBUS_SECRET: p.secret,
  }));
  const deploy = async (name: string, code: string, cfg: Record<string, unknown> = {}) => {
    const dir = await fixture({ 'index.mjs': code });
    const r = await p.deployDir(name, dir, { runtime: 'nodejs22.x', handler: 'index.handler', ...cfg });
    assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
  };
  const invoke = (name: string, tail = false) =>
    p.json<{ ok: boolean; logTail?: string; error?: { code: string } }>(
      'POST',
      `/v1/functions/${name}/invoke${tail ? '?logs=tail' : ''}`,
      {},
    );

  before(async () => {
    // Alert webhooks go to a receiver on loopback: the egress policy must allow it.
    p = await startTestPlatform(
      { egressAllowCidrs: '127.0.0.1/32' },
      { budgetRecheckMs: 300, alertIntervalMs: 300 },
    );
    lambda = new LambdaClient({
      endpoint: p.apiUrl,
      region: 'local-1',
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
      maxAttempts: 1,
    });
  });
  after(async () => {
    lambda?.destroy();
    await p?.stop();
  });

  it('costs each invocation at the price table: one request plus GB-seconds, shown on REPORT and summed', async () => {
    // The operator's table: 1 cent a request and $1 a GB-second, so the figures are easy to check.
    const set = await p.json('PUT', '/v1/prices', { entries: [{ perRequest: 0.01, perGbSecond: 1 }] });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    await deploy('meter', 'export const handler = async () => ({ ok: true });', { memoryMb: 1024 });
    await deploy('meter2', 'export const handler = async () => 1;', { memoryMb: 256 });
    const first = await invoke('meter', true);
    assert.match(first.body.logTail ?? '', /REPORT RequestId: \S+\tDuration: .*\tCost: 0\.01\d* USD/);
    for (let i = 0; i < 3; i++) await invoke('meter');
    for (let i = 0; i < 2; i++) await invoke('meter2');
    const u = await p.json<{ records: UsageRow[]; summary: { invocations: number; costUsd: number } }>(
      'GET',
      '/v1/usage?function=meter',
    );
    assert.equal(u.body.records.length, 4);
    let sum = 0;
    for (const r of u.body.records) {
      // Hand-computed: $0.01 + (1024 MB / 1024) GB × billed ms / 1000 × $1.
      const expected = 0.01 + (r.memoryMb / 1024) * (r.billedDurationMs / 1000) * 1;
      assert.ok(Math.abs(r.costUsd - expected) < 1e-12, `${r.costUsd} vs ${expected}`);
      assert.ok(Math.abs(r.gbSeconds - r.billedDurationMs / 1000) < 1e-12);
      sum += expected;
    }
    assert.ok(Math.abs(u.body.summary.costUsd - sum) < 1e-9);
    // The stored REPORT line renders the same cost.
    const logs = await p.json<{ lines: { message: string }[] }>('GET', '/v1/functions/meter/logs');
    assert.ok(logs.body.lines.some((l) => /^REPORT .*\tCost: 0\.01\d* USD$/.test(l.message)));

    const byFn = await p.json<{ groups: { key: string; invocations: number; costUsd: number }[] }>(
      'GET',
      '/v1/usage?by=function&since=0',
    );
    const meter = byFn.body.groups.find((g) => g.key === 'meter')!;
    assert.equal(meter.invocations, 4);
    assert.ok(Math.abs(meter.costUsd - sum) < 1e-9);
    assert.equal(byFn.body.groups.find((g) => g.key === 'meter2')?.invocations, 2);
    const csv = await p.api('GET', '/v1/usage?by=function&since=0&format=csv');
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const text = await csv.text();
    assert.match(text, /^function,invocations,errors,cold_starts,billed_duration_ms,gb_seconds,cost_usd\r\n/);
    assert.match(text, /\r\nmeter,4,0,1,\d+,[\d.e-]+,[\d.e-]+\r\n/);
    const bad = await p.json<{ error: { code: string } }>('GET', '/v1/usage?by=year');
    assert.equal(bad.status, 400);

    // The real CLI: a table, and CSV for a spreadsheet.
    const table = await cli('usage', '--by', 'function', '--since', '30d');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /meter\s+4\s+0\s+1\s/);
    assert.match(table.stdout, /total\s+6\s/);
    const cliCsv = await cli('usage', '--by', 'day', '--since', '30d', '--csv');
    assert.equal(cliCsv.code, 0, cliCsv.stderr);
    assert.match(cliCsv.stdout, /^day,invocations,/);
    assert.match(cliCsv.stdout, new RegExp(`\\r\\n${new Date().toISOString().slice(0, 10)},6,`));
  });

  it('a budget announces its thresholds, blocks at its cap everywhere, holds async work, and releases it when raised', async () => {
    // Exact arithmetic: a cent per invocation, nothing per GB-second.
    await p.json('PUT', '/v1/prices', { entries: [{ perRequest: 0.01, perGbSecond: 0 }] });
    await deploy(
      'collector',
      'export const handler = async (e) => { console.log("BUDGET-EVENT " + JSON.stringify(e)); return 1; };',
    );
    await deploy('capped', 'export const handler = async (e) => ({ statusCode: 200, body: "ran" });');
    assert.ok((await p.json('PUT', '/v1/topics/budget-alerts', {})).status < 300);
    const sub = await p.json('POST', '/v1/topics/budget-alerts/subscriptions', { target: 'collector' });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    const route = await p.json('PUT', '/v1/functions/capped/routes', {
      routes: [{ routeKey: 'GET /capped' }],
    });
    assert.ok(route.status < 300, JSON.stringify(route.body));

    const put = await p.json<{ budget: { spentUsd: number; blocking: boolean } }>('PUT', '/v1/budgets/cap', {
      limitUsd: 0.05,
      thresholds: [50, 100],
      function: 'capped',
      topic: 'budget-alerts',
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.budget.spentUsd, 0);
    for (let i = 0; i < 5; i++) assert.equal((await invoke('capped')).body.ok, true, `invocation ${i}`);

    const refused = await invoke('capped');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error?.code, 'NIMBUS_ERR_BUDGET_EXCEEDED');
    const gw = await fetch(`${p.gatewayUrl}/capped`);
    assert.equal(gw.status, 429);
    assert.equal(
      ((await gw.json()) as { code?: string; error?: { code?: string } }).error?.code ?? '',
      'NIMBUS_ERR_BUDGET_EXCEEDED',
    );
    const sdk = await sdkError(
      lambda.send(new InvokeCommand({ FunctionName: 'capped', Payload: Buffer.from('{}') })),
    );
    assert.equal(sdk.name, 'TooManyRequestsException');
    assert.equal(sdk.status, 429);
    // Other functions of the tenant are not limited by a function's budget.
    assert.equal((await invoke('meter')).body.ok, true);

    const status = await p.json<{
      budgets: { name: string; spentUsd: number; percent: number; blocking: boolean }[];
    }>('GET', '/v1/budgets');
    const cap = status.body.budgets.find((b) => b.name === 'cap')!;
    assert.ok(Math.abs(cap.spentUsd - 0.05) < 1e-12);
    assert.equal(cap.blocking, true);

    // The thresholds were announced once each, on the topic, to its subscriber.
    const events = await waitUntil('both threshold events at the collector', async () => {
      const l = await p.json<{ lines: { message: string }[] }>('GET', '/v1/functions/collector/logs');
      const evs = l.body.lines
        .filter((x) => x.message.includes('BUDGET-EVENT'))
        .map(
          (x) =>
            JSON.parse(x.message.slice(x.message.indexOf('{'))) as {
              type: string;
              data: Record<string, unknown>;
            },
        );
      return evs.length >= 2 ? evs : undefined;
    });
    assert.deepEqual(
      events.map((e) => [e.type, e.data.thresholdPercent, e.data.budget]),
      [
        ['nimbus.budget.threshold', 50, 'cap'],
        ['nimbus.budget.threshold', 100, 'cap'],
      ],
    );
    assert.equal(events[1]!.data.blocking, true);

    // Async work accepted while the budget is spent waits: not run, not dead-lettered.
    const sub2 = await p.json<{ id: string }>('POST', '/v1/functions/capped/invoke-async', { n: 1 });
    assert.equal(sub2.status, 202);
    await new Promise((r) => setTimeout(r, 1500));
    const held = await p.json<{ status: string; failures: number; error?: { reason?: string } }>(
      'GET',
      `/v1/invocations/${sub2.body.id}`,
    );
    assert.ok(['queued', 'scheduled'].includes(held.body.status), JSON.stringify(held.body));
    assert.equal(held.body.failures, 0);
    assert.equal(held.body.error?.reason, 'BudgetExceeded');

    // The CLI shows it blocking; raising the limit releases both the sync path and the held work.
    const list = await cli('budgets', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /cap\s+capped\s+.*BLOCKING/);
    const raised = await cli(
      'budgets',
      'set',
      'cap',
      '--limit',
      '0.08',
      '--function',
      'capped',
      '--topic',
      'budget-alerts',
    );
    assert.equal(raised.code, 0, raised.stderr);
    assert.equal((await invoke('capped')).body.ok, true);
    await waitUntil('the held async invocation ran', async () => {
      const s = await p.json<{ status: string }>('GET', `/v1/invocations/${sub2.body.id}`);
      return s.body.status === 'succeeded' ? true : undefined;
    });
    // Deleting the budget lifts the cap at once.
    assert.equal((await cli('budgets', 'delete', 'cap')).code, 0);
    for (let i = 0; i < 3; i++) assert.equal((await invoke('capped')).body.ok, true);
  });

  it('an alert rule set through the CLI fires on errors and notifies a topic subscriber once', async () => {
    await deploy('flaky', 'export const handler = async () => { throw new Error("boom"); };');
    await deploy(
      'pager',
      'export const handler = async (e) => { console.log("ALERT-EVENT " + JSON.stringify(e)); return 1; };',
    );
    assert.ok((await p.json('PUT', '/v1/topics/ops', {})).status < 300);
    assert.equal((await p.json('POST', '/v1/topics/ops/subscriptions', { target: 'pager' })).status, 201);
    const hooks: { type: string; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        hooks.push({ type: String(req.headers['content-type']), body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    after(() => receiver.close());
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    const set = await cli(
      'alerts',
      'set',
      'flaky-errors',
      '--metric',
      'error_rate',
      '--op',
      '>',
      '--threshold',
      '50',
      '--window',
      '60',
      '-f',
      'flaky',
      '--topic',
      'ops',
      '--webhook',
      hookUrl,
    );
    assert.equal(set.code, 0, set.stderr);
    for (let i = 0; i < 3; i++) assert.equal((await invoke('flaky')).body.ok, false);
    const fired = await waitUntil('the alert to fire', async () => {
      const a = await p.json<{ alert: { state: string; value: number } }>('GET', '/v1/alerts/flaky-errors');
      return a.body.alert.state === 'firing' ? a.body.alert : undefined;
    });
    assert.equal(fired.value, 100);
    const seen = await waitUntil('the firing event at the subscriber', async () => {
      const l = await p.json<{ lines: { message: string }[] }>('GET', '/v1/functions/pager/logs');
      const evs = l.body.lines.filter((x) => x.message.includes('ALERT-EVENT'));
      return evs.length > 0 ? evs : undefined;
    });
    assert.match(seen[0]!.message, /"type":"nimbus.alert.firing"/);
    const hook = await waitUntil('the firing event at the webhook', () => hooks[0]);
    assert.match(hook.type, /^application\/cloudevents\+json/);
    assert.equal((JSON.parse(hook.body) as { type: string }).type, 'nimbus.alert.firing');
    const list = await cli('alerts', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /flaky-errors\s+error_rate > 50\s+flaky\s+60s\s+100\s+.*FIRING/);
    // Evaluated again and again: still one notification.
    await new Promise((r) => setTimeout(r, 1000));
    const l = await p.json<{ lines: { message: string }[] }>('GET', '/v1/functions/pager/logs');
    assert.equal(l.body.lines.filter((x) => x.message.includes('ALERT-EVENT')).length, 1);
    const bad = await p.json<{ error: { code: string } }>('PUT', '/v1/alerts/x', {
      metric: 'cpu',
      threshold: 1,
    });
    assert.equal(bad.body.error.code, 'NIMBUS_ERR_ALERT_INVALID');
    assert.equal((await cli('alerts', 'delete', 'flaky-errors')).code, 0);
    assert.equal((await p.json('GET', '/v1/alerts/flaky-errors')).status, 404);
  });

  it("refuses bad budgets and price tables with coded errors, and keeps prices the operator's", async () => {
    for (const body of [
      {},
      { limitUsd: -1 },
      { limitUsd: 'a lot' },
      { limitUsd: 5, period: { days: 0 } },
      { limitUsd: 5, thresholds: [0] },
      { limitUsd: 5, action: 'explode' },
      { limitUsd: 5, function: '../x' },
      { limitUsd: 5, extra: true },
    ]) {
      const r = await p.json<{ error: { code: string } }>('PUT', '/v1/budgets/b1', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.code, 'NIMBUS_ERR_BUDGET_INVALID');
    }
    assert.equal((await p.json('PUT', '/v1/budgets/bad%20name', { limitUsd: 1 })).status, 400);
    assert.equal((await p.json('GET', '/v1/budgets/none')).status, 404);
    for (const body of [
      {},
      { entries: [] },
      { entries: [{ perRequest: -1, perGbSecond: 0 }] },
      { entries: [{ perRequest: 0, perGbSecond: 0, family: 'cobol' }] },
    ]) {
      const r = await p.json<{ error: { code: string } }>('PUT', '/v1/prices', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.code, 'NIMBUS_ERR_PRICES_INVALID');
    }
    // Removing the override goes back to the defaults (Lambda's prices).
    const del = await p.api('DELETE', '/v1/prices');
    assert.equal(del.status, 204);
    const now = await p.json<{ table: { entries: { perGbSecond: number }[] } }>('GET', '/v1/prices');
    assert.equal(now.body.table.entries[0]!.perGbSecond, 0.0000166667);
  });
});
