/**
 * The console's admin pages in a real browser (issue 19), against a real platform: a function's
 * memory and an environment variable changed from its Configuration tab (a bad memory shows an
 * inline error first), checked through the REST API; two versions published, an alias with half
 * of its calls on each, rolled back after confirming; a budget and an alert rule created; the
 * audit log filtered to the budget's creation; a key created (its secret shown once) and revoked;
 * a limited key (ReadOnly without key administration) signs in and does not see the Admin entry
 * (the console asks POST /v1/identity/permissions once at sign-in).
 * axe-core on every page (light, dark), no sideways scroll at 390 px, screenshots into
 * the screenshots folder (test/support/browser.ts).
 *
 * Without chromium the suite skips outside CI and fails in CI (test/support/browser.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

const FN = 'config-fn';
const NODE = { runtime: 'nodejs22.x', handler: 'index.handler' };
/** ReadOnly, minus what administers keys and tenants (ReadOnly alone may list keys: nimbus:List*). */
const LIMITED = [
  'ReadOnly',
  {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: ['nimbus:*Key*', 'nimbus:*Tenant*'], Resource: ['*'] }],
  },
];

interface Fn {
  function: {
    memoryMb: number;
    environment: Record<string, string>;
    reservedConcurrency: number | null;
    codeSha256: string;
  };
  versions: { version: string }[];
  aliases: { name: string; functionVersion: string; additionalWeights: Record<string, number> }[];
}

describe('console: function configuration, versions, usage, alerts, audit, keys', {
  skip: browserSkip(),
}, () => {
  let p: TestPlatform;
  let cb: ConsoleBrowser;

  before(async () => {
    await buildConsole(consolePaths());
    p = await startTestPlatform();
    cb = await launchConsoleBrowser();
    const dir = await fixture({
      'index.mjs': 'export const handler = async () => ({ greeting: process.env.GREETING ?? "none" });\n',
    });
    const d = await p.deployDir(FN, dir, NODE);
    assert.ok(d.status < 300, JSON.stringify(d.body));
  });
  after(async () => {
    await cb?.close();
    await p?.stop();
  });

  const login = (page: Page) => cb.login(page, p.apiUrl, p.secret);
  const fn = async () => {
    const r = await p.json<Fn>('GET', `/v1/functions/${FN}`);
    assert.equal(r.status, 200);
    return r.body;
  };
  const nav = async (page: Page, link: string, heading: string) => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: link, exact: true })
      .click();
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };

  it('configures a function, publishes versions, routes an alias by weight and rolls it back', async () => {
    const page = await cb.open();
    await login(page);
    await page.goto(`${p.apiUrl}/console/functions/${FN}`);
    await page.getByRole('tab', { name: 'Configuration' }).waitFor();

    // A memory out of range: an inline error on the field, nothing sent.
    const memory = page.getByLabel('Memory (MB)');
    await memory.fill('99');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.getByText('Memory is a whole number of MB from 128 to 10240.').waitFor();
    assert.equal(await memory.getAttribute('aria-invalid'), 'true');
    assert.equal((await fn()).function.memoryMb, 128);

    await memory.fill('256');
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Name of variable 1').fill('GREETING');
    await page.getByLabel('Value of variable 1').fill('hola');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    const saved = (await fn()).function;
    assert.equal(saved.memoryMb, 256);
    assert.deepEqual(saved.environment, { GREETING: 'hola' });
    const inv = await p.json<{ result: unknown }>('POST', `/v1/functions/${FN}/invoke`, {});
    assert.deepEqual(inv.body.result, { greeting: 'hola' });
    // A reservation set, then cleared by emptying the field (a PATCH with null, code untouched).
    const reserved = page.getByLabel('Reserved concurrency');
    await reserved.fill('3');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await waitUntil('the reservation', async () => (await fn()).function.reservedConcurrency === 3);
    const code = (await fn()).function.codeSha256;
    await reserved.fill('');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await waitUntil(
      'the reservation cleared',
      async () => (await fn()).function.reservedConcurrency === null,
    );
    assert.equal((await fn()).function.codeSha256, code);
    await assertAccessible(page, 'function configuration');
    await shot(page, 'function-config-light');

    // Versions: 1 from this configuration, 2 after another change.
    await page.getByRole('tab', { name: 'Configuration' }).press('ArrowRight');
    assert.equal(
      await page.getByRole('tab', { name: 'Versions & aliases' }).getAttribute('aria-selected'),
      'true',
      'arrow keys move between the tabs',
    );
    await page.getByText('No published versions').waitFor();
    await page.getByRole('button', { name: 'Publish version' }).click();
    await page.getByText('Published version 1.').waitFor();
    assert.equal((await p.json('PATCH', `/v1/functions/${FN}`, { timeoutSec: 5 })).status, 200);
    await page.getByRole('button', { name: 'Publish version' }).click();
    await page.getByText('Published version 2.').waitFor();
    assert.deepEqual(
      (await fn()).versions.map((v) => v.version),
      ['1', '2'],
    );

    // An alias on 2 with half of the calls on 1.
    await page.getByRole('button', { name: 'Create alias' }).click();
    await page.getByLabel('Version', { exact: true }).selectOption('2');
    await page.getByLabel('Second version (weighted routing)').selectOption('1');
    await page.getByLabel('Share of calls to version 1').fill('50');
    await page.getByRole('button', { name: 'Save alias' }).click();
    const row = page.getByTestId('alias-live');
    await row.getByText('50 % to version 2, 50 % to version 1').waitFor();
    const weighted = (await fn()).aliases.find((a) => a.name === 'live');
    assert.deepEqual(
      { v: weighted?.functionVersion, w: weighted?.additionalWeights },
      { v: '2', w: { '1': 0.5 } },
    );
    await assertAccessible(page, 'function versions and aliases');
    await shot(page, 'function-versions-light');

    // Rollback asks first; then the alias serves version 1 alone.
    await row.getByRole('button', { name: 'Roll back' }).click();
    await row.getByText('Point live back at version 1').waitFor();
    await row.getByRole('button', { name: 'Yes, roll back to 1' }).click();
    await row.getByText('100 % to version 1').waitFor();
    const rolled = (await fn()).aliases.find((a) => a.name === 'live');
    assert.deepEqual({ v: rolled?.functionVersion, w: rolled?.additionalWeights }, { v: '1', w: {} });
  });

  it('shows usage, creates a budget and an alert rule, and finds the budget in the audit log', async () => {
    const page = await cb.open();
    await login(page);

    await nav(page, 'Usage', 'Usage & budgets');
    const byFunction = page.getByRole('table', { name: 'Usage by function' });
    await byFunction.getByRole('cell', { name: FN }).waitFor();
    await page.getByText('No budgets.').waitFor();
    await page.getByLabel('Budget name').fill('monthly-cap');
    await page.getByLabel('Limit (USD)').fill('0');
    await page.getByRole('button', { name: 'Create budget' }).click();
    await page.getByText('The limit is an amount above 0.').waitFor();
    await page.getByLabel('Limit (USD)').fill('5');
    await page.getByRole('button', { name: 'Create budget' }).click();
    await page.getByTestId('budget-monthly-cap').getByTestId('budget-percent').waitFor();
    const budgets = await p.json<{ budgets: { name: string; limitUsd: number }[] }>('GET', '/v1/budgets');
    assert.deepEqual(
      budgets.body.budgets.map((b) => [b.name, b.limitUsd]),
      [['monthly-cap', 5]],
    );
    await assertAccessible(page, 'usage');
    await shot(page, 'usage-light');

    await nav(page, 'Alerts', 'Alerts');
    await page.getByText('No alert rules.').waitFor();
    await page.getByLabel('Rule name').fill('high-errors');
    await page.getByLabel('Function (empty: all)').fill(FN);
    await page.getByRole('button', { name: 'Create alert rule' }).click();
    const alert = page.getByTestId('alert-high-errors');
    await alert.waitFor();
    assert.match(String(await alert.textContent()), /(ok|pending|firing)/);
    const rules = await p.json<{ alerts: { name: string; metric: string; windowSec: number }[] }>(
      'GET',
      '/v1/alerts',
    );
    assert.deepEqual(
      rules.body.alerts.map((a) => [a.name, a.metric, a.windowSec]),
      [['high-errors', 'error_rate', 300]],
    );
    await assertAccessible(page, 'alerts');
    await shot(page, 'alerts-light');

    await nav(page, 'Audit', 'Audit log');
    await page.getByLabel('Action').fill('nimbus:PutBudget');
    const records = page.getByTestId('audit-record');
    await waitUntil('the budget in the audit log', async () => {
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForTimeout(200);
      return (await records.count()) === 1;
    });
    assert.match(String(await records.first().textContent()), /nimbus:PutBudget.*monthly-cap.*ok 200/);
    await assertAccessible(page, 'audit');
    await shot(page, 'audit-light');
  });

  it('creates a key (secret shown once) and revokes it; a limited key does not see Admin', async () => {
    const page = await cb.open();
    await login(page);
    await nav(page, 'Admin', 'Keys and tenants');
    await page
      .getByRole('table', { name: 'Tenants' })
      .getByRole('cell', { name: 'default', exact: true })
      .waitFor();
    await page.getByLabel('Key description').fill('ci-bot');
    await page.getByLabel('Policy').selectOption('ReadOnly');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = String(await page.getByTestId('secret-value').textContent());
    assert.ok(secret.length > 20, 'the secret is shown');
    const listed = await p.json<{ keys: { keyId: string; description: string; status: string }[] }>(
      'GET',
      '/v1/keys',
    );
    const made = listed.body.keys.find((k) => k.description === 'ci-bot');
    assert.equal(made?.status, 'active');
    // The secret works (it signs in to the API), and is gone from the page once dismissed.
    assert.equal(
      (await fetch(`${p.apiUrl}/v1/identity`, { headers: { authorization: `Bearer ${secret}` } })).status,
      200,
    );
    await assertAccessible(page, 'admin (new secret)');
    await shot(page, 'admin-light');
    await page.getByRole('button', { name: 'I have saved it' }).click();
    assert.equal(await page.getByTestId('new-secret').count(), 0);

    const keyRow = page.getByTestId(`key-${made!.keyId}`);
    await keyRow.getByRole('button', { name: 'Revoke' }).click();
    await keyRow.getByRole('button', { name: 'Yes, revoke' }).click();
    await keyRow.getByTestId('key-status').filter({ hasText: 'revoked' }).waitFor();
    const after = await p.json<{ key: { status: string } }>('GET', `/v1/keys/${made!.keyId}`);
    assert.equal(after.body.key.status, 'revoked');
    // Key records are cached for up to a second (src/security/authenticate.ts).
    await waitUntil('the revoked secret to be refused', async () => {
      const r = await fetch(`${p.apiUrl}/v1/identity`, { headers: { authorization: `Bearer ${secret}` } });
      return r.status === 403 && (await r.text()).includes('NIMBUS_ERR_SECURITY_KEY_INVALID');
    });

    // A limited key may not list keys (POST /v1/identity/permissions says so at sign-in), so the
    // navigation has no Admin entry.
    const limited = await p.json<{ secret: string }>('POST', '/v1/keys', {
      description: 'viewer',
      policies: LIMITED,
    });
    assert.equal(limited.status, 201, JSON.stringify(limited.body));
    const viewer = await cb.open();
    await viewer.goto(`${p.apiUrl}/console/`);
    await viewer.getByLabel('API key secret').fill(limited.body.secret);
    const asked = viewer.waitForResponse((r) => new URL(r.url()).pathname === '/v1/identity/permissions');
    await viewer.getByRole('button', { name: 'Sign in' }).click();
    const answer = (await (await asked).json()) as { allowed: Record<string, boolean> };
    assert.equal(answer.allowed['nimbus:ListKeys'], false);
    const mainNav = viewer.getByRole('navigation', { name: 'Main' });
    await mainNav.getByRole('link', { name: 'Usage' }).waitFor();
    assert.equal(await mainNav.getByRole('link', { name: 'Admin' }).count(), 0);
    // Going there anyway shows the coded refusal.
    await viewer.goto(`${p.apiUrl}/console/admin`);
    await viewer.getByRole('alert').filter({ hasText: 'NIMBUS_ERR_' }).first().waitFor();
    await assertAccessible(viewer, 'admin (forbidden)');
  });

  it('every admin page in the dark theme and at phone width', async () => {
    const dark = await cb.open({ dark: true });
    await login(dark);
    const phone = await cb.open({ phone: true });
    await login(phone);
    const pages: [string, string, string][] = [
      [`functions/${FN}`, 'function-config', 'Configuration'],
      ['usage', 'usage', 'Budgets'],
      ['alerts', 'alerts', 'New alert rule'],
      ['audit', 'audit', 'Audit log'],
      ['admin', 'admin', 'API keys'],
    ];
    for (const [path, name, heading] of pages) {
      await dark.goto(`${p.apiUrl}/console/${path}`);
      await dark.getByRole('heading', { name: heading }).first().waitFor();
      await dark
        .locator('.state.loading')
        .first()
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
      await assertAccessible(dark, `${name} (dark)`);
      await shot(dark, `${name}-dark`);
      await phone.goto(`${p.apiUrl}/console/${path}`);
      await phone.getByRole('heading', { name: heading }).first().waitFor();
      await assertNoSideScroll(phone, `${name} (phone)`);
      await shot(phone, `${name}-phone`);
    }
    await dark.goto(`${p.apiUrl}/console/functions/${FN}`);
    await dark.getByRole('tab', { name: 'Versions & aliases' }).click();
    await dark.getByTestId('alias-live').waitFor();
    await assertAccessible(dark, 'versions (dark)');
    await shot(dark, 'function-versions-dark');
  });
});
