/**
 * The console's Triggers and Queues pages in a real browser (issue 19), against a real platform:
 * adds an HTTP route and calls it through the gateway, a bad route key shows the coded error,
 * deletes the route after confirming; adds a schedule; creates a topic and a patterned
 * subscription and tests patterns (match, no match, invalid pattern → coded error); makes a dead
 * letter (a function that throws, invoked async with retries 0), fixes the function and replays
 * the dead letter from the Queues page. Triggers with data: a bucket notification shown on the
 * Bucket events tab fires the function when a file is uploaded from the Buckets page, and a NATS
 * source on the Sources tab (the broker on 127.0.0.1:4222; skipped outside CI when it is down,
 * like the other service tests) fires it on a published message; the Sources tab counts the
 * message and the Logs page shows both of the function's lines. axe-core on every tab and page
 * (light, dark), no sideways scroll at 390 px, screenshots (test/support/browser.ts).
 *
 * Without chromium the suite skips outside CI and fails in CI (test/support/browser.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect as natsConnect } from '@nats-io/transport-node';
import type { Page } from 'playwright-core';
import { buildConsole, consolePaths } from '../src/console/index.ts';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';
import {
  assertAccessible,
  assertNoSideScroll,
  browserSkip,
  type ConsoleBrowser,
  launchConsoleBrowser,
  shot,
} from './support/browser.ts';
import { reachable } from './support/services.ts';

const ITEMS = 'items-fn';
const FLAKY = 'flaky-fn';
const NODE = { runtime: 'nodejs22.x', handler: 'index.handler' };
const EVENTS_FN = 'events-fn';
const INBOX = 'inbox';
/** One log line per record: an object event names its object, a broker message its data. */
const EVENTS = `export const handler = async (e) => {
  for (const r of e.Records ?? []) {
    if (r.s3) console.log('object ' + r.eventName + ' ' + r.s3.bucket.name + '/' + r.s3.object.key);
    else console.log('message from ' + r.eventSource + ': ' + JSON.stringify(r.data));
  }
  return { batchItemFailures: [] };
};
`;
const NATS_PORT = 4222;
const SUBJECT = `console.orders.${process.pid}`;

describe('console: triggers and queues in a real browser', { skip: browserSkip() }, () => {
  let p: TestPlatform;
  let cb: ConsoleBrowser;

  before(async () => {
    await buildConsole(consolePaths());
    p = await startTestPlatform();
    cb = await launchConsoleBrowser();
    const items = await fixture({
      'index.mjs':
        'export const handler = async (e) => ({ statusCode: 200, body: JSON.stringify({ id: e.pathParameters?.id, route: e.routeKey }) });\n',
    });
    assert.ok((await p.deployDir(ITEMS, items, NODE)).status < 300);
    const broken = await fixture({
      'index.mjs': "export const handler = async () => { throw new Error('the database is down'); };\n",
    });
    const d = await p.deployDir(FLAKY, broken, { ...NODE, async: { maximumRetryAttempts: 0 } });
    assert.ok(d.status < 300, JSON.stringify(d.body));
  });
  after(async () => {
    await cb?.close();
    await p?.stop();
  });

  const login = (page: Page) => cb.login(page, p.apiUrl, p.secret);
  const tab = (page: Page, name: string) => page.getByRole('tab', { name }).click();

  it('adds a route and calls it, adds a schedule, subscribes with a pattern and tests patterns', async () => {
    const page = await cb.open();
    await login(page);
    await page.getByRole('link', { name: 'Triggers' }).click();
    await page.getByRole('heading', { name: 'Triggers', level: 1 }).waitFor();

    // HTTP routes: empty, then a bad key (coded error with its hint), then a good one.
    await page.getByText('No HTTP routes yet.').waitFor();
    await page.getByLabel('Function', { exact: true }).selectOption(ITEMS);
    await page.getByLabel('Route key').fill('FETCH items');
    await page.getByRole('button', { name: 'Add route' }).click();
    const err = page.getByRole('alert').filter({ hasText: 'NIMBUS_ERR_' });
    await err.waitFor();
    assert.match(String(await err.textContent()), /How to fix|NIMBUS_ERR_\w+/);
    await page.getByLabel('Route key').fill('GET /items/{id}');
    await page.getByRole('button', { name: 'Add route' }).click();
    await page.getByRole('table', { name: 'HTTP routes' }).getByText('GET /items/{id}').waitFor();
    const called = await waitUntil('the route to answer on the gateway', async () => {
      const r = await fetch(`${p.gatewayUrl}/items/42`);
      return r.status === 200 ? ((await r.json()) as { id: string; route: string }) : undefined;
    });
    assert.deepEqual(called, { id: '42', route: 'GET /items/{id}' });
    await assertAccessible(page, 'triggers: routes');
    await shot(page, 'triggers-routes-light');

    // Keyboard: the tabs move with the arrow keys.
    await page.getByRole('tab', { name: 'HTTP routes' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Schedules', selected: true }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Schedules');

    // Schedules.
    await page.getByText('No schedules yet.').waitFor();
    await page.getByLabel('Name').fill('every-five');
    await page.getByLabel('Function', { exact: true }).selectOption(ITEMS);
    await page.getByLabel('Expression').fill('rate(5 minutes)');
    await page.getByRole('button', { name: 'Add schedule' }).click();
    await page.getByRole('table', { name: 'Schedules' }).getByText('rate(5 minutes)').waitFor();
    const sched = await p.json<{ expression: string; function: string; nextFireAt: string }>(
      'GET',
      '/v1/schedules/every-five',
    );
    assert.equal(sched.body.function, ITEMS);
    assert.ok(sched.body.nextFireAt, 'the schedule has a next run');
    await assertAccessible(page, 'triggers: schedules');
    await shot(page, 'triggers-schedules-light');

    // Topics: create one, subscribe the function with a pattern.
    await tab(page, 'Topics');
    await page.getByText('No topics yet.').waitFor();
    await page.getByLabel('Topic name').fill('orders');
    await page.getByRole('button', { name: 'Create topic' }).click();
    await page.getByRole('heading', { name: 'Subscriptions of orders' }).waitFor();
    await page.getByLabel('Function', { exact: true }).selectOption(ITEMS);
    await page
      .getByLabel(/^Event pattern/)
      .fill('{"source": ["orders"], "data": {"amount": [{"numeric": [">", 100]}]}}');
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await page
      .getByRole('table', { name: 'Subscriptions of orders' })
      .getByText(`function ${ITEMS}`)
      .waitFor();
    const subs = await p.json<{ subscriptions: { pattern: unknown }[] }>(
      'GET',
      '/v1/topics/orders/subscriptions',
    );
    assert.deepEqual(subs.body.subscriptions[0]?.pattern, {
      source: ['orders'],
      data: { amount: [{ numeric: ['>', 100] }] },
    });

    // Pattern tester: the sample event matches the sample pattern, and reaches the subscription.
    const verdict = page.getByTestId('pattern-verdict');
    await page.getByRole('button', { name: 'Test pattern' }).click();
    assert.equal(await verdict.textContent(), '✓ Matches');
    assert.match(
      String(await page.getByTestId('pattern-subscriptions').textContent()),
      /matches → function items-fn/,
    );
    // A smaller amount: no match for the pattern nor the subscription.
    const event = page.getByLabel('Event (JSON)');
    await event.fill(
      JSON.stringify({ specversion: '1.0', id: 'e2', source: 'orders', type: 't', data: { amount: 5 } }),
    );
    await page.getByLabel('Pattern (JSON)').fill('{"source": ["billing"]}');
    await page.getByRole('button', { name: 'Test pattern' }).click();
    await page.getByText('✗ Does not match').waitFor();
    assert.match(
      String(await page.getByTestId('pattern-subscriptions').textContent()),
      /no match → function items-fn/,
    );
    await page.getByLabel('Pattern (JSON)').fill('{"source": ["orders"]}');
    await page.getByRole('button', { name: 'Test pattern' }).click();
    await page.getByText('✓ Matches').waitFor();
    await assertAccessible(page, 'triggers: topics');
    await shot(page, 'triggers-topics-light');
    // An invalid pattern: the platform's coded error, with how to fix it.
    await page.getByLabel('Pattern (JSON)').fill('{"source": "orders"}');
    await page.getByRole('button', { name: 'Test pattern' }).click();
    const bad = page.getByRole('alert').filter({ hasText: 'NIMBUS_ERR_EVENTS_INVALID_PATTERN' });
    await bad.waitFor();
    assert.match(String(await bad.textContent()), /How to fix:/);

    // Broker sources and bucket events: their empty states, accessible.
    await tab(page, 'Broker sources');
    await page.getByText('No broker sources.').waitFor();
    await assertAccessible(page, 'triggers: sources');
    await tab(page, 'Bucket events');
    await page.getByText('No bucket sends events.').waitFor();
    await assertAccessible(page, 'triggers: bucket events');

    // Deleting a route asks first; then the gateway no longer serves it.
    await tab(page, 'HTTP routes');
    await page.getByRole('button', { name: 'Delete route GET /items/{id}' }).click();
    await page.getByText('Delete GET /items/{id}?').waitFor();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No HTTP routes yet.').waitFor();
    await waitUntil(
      'the route to be gone',
      async () => (await fetch(`${p.gatewayUrl}/items/42`)).status === 404,
    );
  });

  it('a bucket notification on the Bucket events tab fires the function on an upload; the log shows it', async () => {
    const fn = await fixture({ 'index.mjs': EVENTS });
    assert.ok((await p.deployDir(EVENTS_FN, fn, NODE)).status < 300);
    assert.ok((await p.api('PUT', `/v1/buckets/${INBOX}`)).status < 300);
    const put = await p.api('PUT', `/v1/buckets/${INBOX}/notifications`, {
      notifications: [{ function: EVENTS_FN, events: ['s3:ObjectCreated:*'], prefix: 'in/', suffix: '.csv' }],
    });
    assert.equal(put.status, 200, await put.text());

    const page = await cb.open();
    await login(page);
    await page.goto(`${p.apiUrl}/console/triggers?tab=buckets`);
    const rule = page
      .getByRole('table', { name: 'Bucket events' })
      .getByRole('row')
      .filter({ hasText: INBOX });
    await rule.waitFor();
    const text = String(await rule.textContent());
    for (const want of ['s3:ObjectCreated:*', 'in/*.csv', EVENTS_FN])
      assert.ok(text.includes(want), `${want} in ${text}`);
    await assertAccessible(page, 'triggers: bucket events with a rule');
    await shot(page, 'triggers-buckets-light');

    // The function's log, followed live, while a file is uploaded from the Buckets page.
    const logs = await cb.open();
    await login(logs);
    await logs.goto(`${p.apiUrl}/console/logs?function=${EVENTS_FN}`);
    await logs.getByText('No log lines match').waitFor();
    await logs.getByRole('button', { name: '▶ Live tail' }).click();
    await logs.getByRole('button', { name: '■ Stop live tail' }).waitFor();
    await page.goto(`${p.apiUrl}/console/buckets/${INBOX}?prefix=${encodeURIComponent('in/')}`);
    await page.getByText('Upload files to in/').waitFor();
    await page
      .getByLabel(/^Upload files to/)
      .setInputFiles({ name: 'report.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n') });
    await page.getByText('Uploaded 1 file.').waitFor();
    const line = logs.getByRole('log').getByText(`object ObjectCreated:Put ${INBOX}/in/report.csv`);
    await line.waitFor({ timeout: 30_000 });
    await assertAccessible(logs, 'logs: live tail of an object event');
    await shot(logs, 'triggers-buckets-logs-light');
  });

  it('a NATS source on the Sources tab fires the function on a message; the tab counts it', async (t) => {
    if (!(await reachable(NATS_PORT))) {
      if (process.env.CI === 'true') assert.fail(`NATS is not reachable on 127.0.0.1:${NATS_PORT}`);
      return t.skip('NATS not reachable (allowed outside CI)');
    }
    const created = await p.json<{ id: string }>('POST', '/v1/sources', {
      function: EVENTS_FN,
      kind: 'nats',
      config: { subject: SUBJECT },
      batchSize: 1,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    type Status = { connected?: boolean; received?: number } | null;
    const status = async () =>
      (await p.json<{ status: Status }>('GET', `/v1/sources/${created.body.id}`)).body.status;
    await waitUntil('the NATS source to connect', async () => (await status())?.connected === true);

    const page = await cb.open();
    await login(page);
    await page.goto(`${p.apiUrl}/console/triggers?tab=sources`);
    const row = page
      .getByRole('table', { name: 'Broker sources' })
      .getByRole('row')
      .filter({ hasText: SUBJECT });
    await row.getByText('Connected').waitFor();
    assert.match(
      String(await row.textContent()),
      new RegExp(`^nats.*subject ${SUBJECT.replaceAll('.', '\\.')}.*${EVENTS_FN}`),
    );

    const nc = await natsConnect({ servers: `nats://127.0.0.1:${NATS_PORT}` });
    try {
      nc.publish(SUBJECT, JSON.stringify({ order: 7 }));
      await nc.flush();
    } finally {
      await nc.close();
    }
    await waitUntil('the message to be received', async () => ((await status())?.received ?? 0) >= 1);
    // The tab counts it (on its next refresh; a reload asks at once).
    await page.reload();
    await row.getByText('Connected').waitFor();
    assert.equal(await row.locator('td.num').first().textContent(), '1', 'Received');
    await assertAccessible(page, 'triggers: a connected NATS source');
    await shot(page, 'triggers-sources-light');

    // The function ran: its line is on the Logs page.
    await page.goto(`${p.apiUrl}/console/logs?function=${EVENTS_FN}&q=${encodeURIComponent('message from')}`);
    await waitUntil('the function to log the message', async () => {
      const l = await p.json<{ lines: { message: string }[] }>(
        'GET',
        `/v1/functions/${EVENTS_FN}/logs?q=message`,
      );
      return l.body.lines.some((x) => x.message.includes('{"order":7}'));
    });
    await page.reload();
    await page.getByRole('log').getByText('message from nimbus:nats: {"order":7}').waitFor();
    await shot(page, 'triggers-sources-logs-light');
  });

  it('shows a dead letter on the Queues page and replays it once the function is fixed', async () => {
    const sub = await p.api('POST', `/v1/functions/${FLAKY}/invoke-async`, { order: 7 });
    assert.equal(sub.status, 202);
    const { id } = (await sub.json()) as { id: string };
    await waitUntil('the invocation to be dead-lettered', async () => {
      const v = await p.json<{ status: string }>('GET', `/v1/invocations/${id}`);
      return v.body.status === 'failed';
    });

    const page = await cb.open();
    await login(page);
    await page.getByRole('link', { name: 'Queues' }).click();
    const row = page.getByTestId('dead-letter').filter({ hasText: id });
    await row.waitFor();
    assert.match(String(await row.textContent()), /the database is down/);
    assert.match(String(await row.textContent()), /"order":7/);
    assert.match(String(await page.getByTestId(`queue-${FLAKY}`).textContent()), /1$/);
    await assertAccessible(page, 'queues');
    await shot(page, 'queues-light');

    // The cause is fixed: a new deploy that succeeds. Then replay, confirming first.
    const fixed = await fixture({
      'index.mjs': 'export const handler = async (e) => ({ ok: true, order: e.order });\n',
    });
    assert.ok(
      (await p.deployDir(FLAKY, fixed, { ...NODE, async: { maximumRetryAttempts: 0 } })).status < 300,
    );
    await page.getByRole('button', { name: `Replay ${id}` }).click();
    await page.getByText('Queue it again?').waitFor();
    await page.getByRole('button', { name: 'Yes, replay' }).click();
    await page.getByTestId('dlq-status').getByText('Replayed 1.').waitFor();
    const done = await waitUntil('the replayed invocation to succeed', async () => {
      const v = await p.json<{ status: string; result?: unknown }>('GET', `/v1/invocations/${id}`);
      return v.body.status === 'succeeded' ? v.body : undefined;
    });
    assert.deepEqual(done.result, { ok: true, order: 7 });
    await page.getByText('No dead letters.').waitFor();
  });

  it('dark theme and phone width', async () => {
    const dark = await cb.open({ dark: true });
    await login(dark);
    await dark.goto(`${p.apiUrl}/console/triggers?tab=topics`);
    await dark.getByRole('table', { name: 'Subscriptions of orders' }).waitFor();
    await dark.getByRole('button', { name: 'Test pattern' }).click();
    await dark.getByTestId('pattern-verdict').waitFor();
    await assertAccessible(dark, 'triggers: topics (dark)');
    await shot(dark, 'triggers-dark');
    await dark.getByRole('link', { name: 'Queues' }).click();
    await dark.getByText('No dead letters.').waitFor();
    await assertAccessible(dark, 'queues (dark)');
    await shot(dark, 'queues-dark');

    const phone = await cb.open({ phone: true });
    await login(phone);
    for (const t of ['routes', 'schedules', 'topics', 'sources', 'buckets']) {
      await phone.goto(`${p.apiUrl}/console/triggers?tab=${t}`);
      await phone.getByRole('tab', { selected: true }).waitFor();
      await phone.locator('.state.loading').waitFor({ state: 'detached' });
      await assertNoSideScroll(phone, `triggers ${t} (phone)`);
    }
    await shot(phone, 'triggers-phone');
    await phone.getByRole('link', { name: 'Queues' }).click();
    await phone.getByText('No dead letters.').waitFor();
    await assertNoSideScroll(phone, 'queues (phone)');
    await assertAccessible(phone, 'queues (phone)');
    await shot(phone, 'queues-phone');
  });
});
