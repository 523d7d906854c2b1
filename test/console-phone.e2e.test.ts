/**
 * Every page of the console at phone width (390×844) and in the dark theme (1280 px), with data
 * on them (issue 19). A platform is filled through the REST API (a function invoked once, a
 * route, a schedule, a topic with a subscription, a bucket with objects and a notification, a
 * workflow with a succeeded and a failed execution, a budget, an alert rule); then each page —
 * every entry of the navigation (read from the page, so a new entry is covered), a new
 * function, a function page with each of its tabs, each Triggers tab, a bucket, a workflow and
 * an execution, and the sign-in page — is checked at 390 px for sideways scroll and with axe-core
 * (no serious or critical violation), and again in the dark theme at 1280 px with axe-core.
 * Screenshots go to <screenshots>/pages/ (phone-<page>.png, dark-<page>.png; see test/support/browser.ts).
 *
 * Without chromium the suite skips outside CI and fails in CI (test/support/browser.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildConsole, consolePaths } from '../src/console/index.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import {
  assertAccessible,
  assertNoSideScroll,
  browserSkip,
  type ConsoleBrowser,
  launchConsoleBrowser,
  NAV_ENTRIES,
  settled,
  shot,
} from './support/browser.ts';

const FN = 'phone-fn';
const WF = 'phone-flow';
const BUCKET = 'phone-files';
const NODE = { runtime: 'nodejs24.x', handler: 'index.handler' };
const CODE = `export const handler = async (e) => {
  console.log('handling', JSON.stringify(e));
  if (e.fail) throw new Error('asked to fail');
  return { ok: true, statusCode: 200, body: 'hi' };
};
`;

describe('console: every page at phone width and in the dark theme', { skip: browserSkip() }, () => {
  let p: TestPlatform;
  let cb: ConsoleBrowser;
  const arns: string[] = [];

  const ok = async (r: Promise<Response>, what: string) => {
    const res = await r;
    assert.ok(res.status < 300, `${what}: ${res.status} ${await res.text()}`);
    return res;
  };

  before(async () => {
    await buildConsole(consolePaths());
    p = await startTestPlatform();
    cb = await launchConsoleBrowser();
    const dir = await fixture({ 'index.mjs': CODE });
    assert.ok((await p.deployDir(FN, dir, NODE)).status < 300);
    await ok(p.api('POST', `/v1/functions/${FN}/invoke`, { name: 'Ada' }), 'invoke');
    await ok(p.api('POST', '/v1/routes', { routeKey: 'GET /phone/{id}', function: FN }), 'route');
    await ok(
      p.api('PUT', '/v1/schedules/phone-nightly', { function: FN, expression: 'cron(0 2 * * ? *)' }),
      'schedule',
    );
    await ok(p.api('PUT', '/v1/topics/phone-orders', {}), 'topic');
    await ok(
      p.api('POST', '/v1/topics/phone-orders/subscriptions', {
        target: FN,
        pattern: { source: ['orders'], data: { amount: [{ numeric: ['>', 100] }] } },
      }),
      'subscription',
    );
    await ok(p.api('PUT', `/v1/buckets/${BUCKET}`), 'bucket');
    for (const key of ['a-rather-long-file-name-for-a-phone-screen-2026-12-07.csv', 'docs/readme.md'])
      await ok(
        p.api('PUT', `/v1/buckets/${BUCKET}/object?key=${encodeURIComponent(key)}`, 'x,y\n1,2\n'),
        key,
      );
    await ok(
      p.api('PUT', `/v1/buckets/${BUCKET}/notifications`, {
        notifications: [{ function: FN, events: ['s3:ObjectCreated:*'], prefix: 'incoming/' }],
      }),
      'notification',
    );
    await ok(
      p.api('PUT', `/v1/workflows/${WF}`, {
        definition: {
          StartAt: 'Check',
          States: {
            Check: {
              Type: 'Choice',
              Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'Work' }],
              Default: 'Both',
            },
            Both: {
              Type: 'Parallel',
              Branches: [
                { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
                { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
              ],
              Next: 'Work',
            },
            Work: {
              Type: 'Task',
              Resource: FN,
              Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }],
              End: true,
            },
          },
        },
      }),
      'workflow',
    );
    for (const input of [{ fail: false }, { fail: true }]) {
      const r = await p.json<{ arn: string }>('POST', `/v1/workflows/${WF}/executions`, { input });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      arns.push(r.body.arn);
    }
    await ok(p.api('PUT', '/v1/budgets/phone-cap', { limitUsd: 5 }), 'budget');
    await ok(
      p.api('PUT', '/v1/alerts/phone-errors', {
        metric: 'error_rate',
        op: '>',
        threshold: 5,
        windowSec: 300,
        forSec: 60,
        function: FN,
        notify: [],
      }),
      'alert',
    );
  });
  after(async () => {
    await cb?.close();
    await p?.stop();
  });

  /** Every page to check: [file name, path under /console/, a tab to select first]. */
  const pages = async (page: Page): Promise<[string, string, string?][]> => {
    // The navigation, as the signed-in admin sees it.
    const nav = await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .evaluateAll((as) =>
        as.map((a) => [a.textContent ?? '', new URL((a as HTMLAnchorElement).href).pathname]),
      );
    assert.deepEqual(
      nav.map(([label]) => label),
      NAV_ENTRIES,
      'the navigation (add a new entry to NAV_ENTRIES in test/support/browser.ts, and its extra pages below)',
    );
    const execution = (arn: string) => `workflows/${WF}?execution=${encodeURIComponent(arn)}`;
    return [
      ...nav.map(([label, path]): [string, string] => [
        label!.toLowerCase(),
        path!.replace(/^\/console\//, ''),
      ]),
      ['function-new', 'functions/new'],
      ['function', `functions/${FN}`, 'Configuration'],
      ['function-versions', `functions/${FN}`, 'Versions & aliases'],
      ['logs-function', `logs?function=${FN}`],
      ['triggers-schedules', 'triggers?tab=schedules'],
      ['triggers-topics', 'triggers?tab=topics'],
      ['triggers-sources', 'triggers?tab=sources'],
      ['triggers-buckets', 'triggers?tab=buckets'],
      ['bucket', `buckets/${BUCKET}`],
      ['bucket-folder', `buckets/${BUCKET}?prefix=docs%2F`],
      ['workflow', `workflows/${WF}`],
      ['execution-succeeded', execution(arns[0]!)],
      ['execution-failed', execution(arns[1]!)],
    ];
  };

  const visit = async (page: Page, path: string, tab: string | undefined) => {
    await page.goto(`${p.apiUrl}/console/${path}`);
    await page.locator('main h1').first().waitFor();
    if (tab) await page.getByRole('tab', { name: tab }).click();
    await settled(page);
  };

  it('the sign-in page', async () => {
    const phone = await cb.open({ phone: true });
    await phone.goto(`${p.apiUrl}/console/`);
    await phone.getByLabel('API key secret').waitFor();
    await assertNoSideScroll(phone, 'sign-in (phone)');
    await assertAccessible(phone, 'sign-in (phone)');
    await shot(phone, 'pages/phone-sign-in');
    const dark = await cb.open({ dark: true });
    await dark.goto(`${p.apiUrl}/console/`);
    await dark.getByLabel('API key secret').waitFor();
    await assertAccessible(dark, 'sign-in (dark)');
    await shot(dark, 'pages/dark-sign-in');
  });

  it('every page at 390 px: no sideways scroll, no serious axe violation', async () => {
    const phone = await cb.open({ phone: true });
    await cb.login(phone, p.apiUrl, p.secret);
    const failures: string[] = [];
    for (const [name, path, tab] of await pages(phone)) {
      await visit(phone, path, tab);
      for (const check of [assertNoSideScroll, assertAccessible])
        await check(phone, `${name} (phone)`).catch((e: Error) => failures.push(e.message));
      await shot(phone, `pages/phone-${name}`);
    }
    assert.deepEqual(failures, []);
  });

  it('every page in the dark theme at 1280 px: no serious axe violation', async () => {
    const dark = await cb.open({ dark: true });
    await cb.login(dark, p.apiUrl, p.secret);
    const failures: string[] = [];
    for (const [name, path, tab] of await pages(dark)) {
      await visit(dark, path, tab);
      await assertAccessible(dark, `${name} (dark)`).catch((e: Error) => failures.push(e.message));
      await shot(dark, `pages/dark-${name}`);
    }
    assert.deepEqual(failures, []);
  });
});
