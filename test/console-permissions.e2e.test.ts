/**
 * What a key may do decides what the console shows (issue 19), in a real browser against a real
 * platform. At sign-in the console asks POST /v1/identity/permissions once; the navigation leaves
 * out the pages the key cannot list and the pages leave out the buttons of changes it cannot make.
 *
 * - A ReadOnly key reads functions (the list, a function's page with its source) but sees no
 *   Create function, Delete, Deploy or Invoke button and no Save configuration; the navigation
 *   has no Audit entry (nimbus:QueryAudit is not a Get/List action). It does have Admin: ReadOnly
 *   may list keys (nimbus:List*), so the page shows them, without the New key form or Revoke.
 *   The Audit page opened by its address shows the platform's coded 403.
 * - An AdministratorAccess key sees every entry and every button, and after a reload sees them
 *   before the permissions answer comes back (the last answer is kept beside the key).
 * - A key that may change only `function:orders-*` sees the change buttons on orders-api's page
 *   (the page asks again on the function's ARN) and none on perm-fn's.
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
  browserSkip,
  type ConsoleBrowser,
  launchConsoleBrowser,
  NAV_ENTRIES,
} from './support/browser.ts';

const FN = 'perm-fn';
/** The one function the scoped key may change (`function:orders-*`). */
const SCOPED_FN = 'orders-api';

describe('console: what a key may do decides what is shown', { skip: browserSkip() }, () => {
  let p: TestPlatform;
  let cb: ConsoleBrowser;
  const secrets: Record<'ReadOnly' | 'AdministratorAccess', string> = {
    ReadOnly: '',
    AdministratorAccess: '',
  };

  before(async () => {
    await buildConsole(consolePaths());
    p = await startTestPlatform();
    cb = await launchConsoleBrowser();
    const dir = await fixture({ 'index.mjs': 'export const handler = async () => ({ ok: true });\n' });
    for (const name of [FN, SCOPED_FN]) {
      const d = await p.deployDir(name, dir, { runtime: 'nodejs22.x', handler: 'index.handler' });
      assert.ok(d.status < 300, JSON.stringify(d.body));
    }
    for (const policy of ['ReadOnly', 'AdministratorAccess'] as const) {
      const k = await p.json<{ secret: string }>('POST', '/v1/keys', {
        description: policy,
        policies: [policy],
      });
      assert.equal(k.status, 201, JSON.stringify(k.body));
      secrets[policy] = k.body.secret;
    }
  });
  after(async () => {
    await cb?.close();
    await p?.stop();
  });

  /** Signs in with the secret; resolves with the permissions answer the console asked for. */
  async function signIn(page: Page, secret: string): Promise<Record<string, boolean>> {
    await page.goto(`${p.apiUrl}/console/`);
    await page.getByLabel('API key secret').fill(secret);
    const asked = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/identity/permissions');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const answer = await asked;
    assert.equal(answer.status(), 200);
    await page.getByRole('heading', { name: 'Functions', level: 1 }).waitFor();
    return ((await answer.json()) as { allowed: Record<string, boolean> }).allowed;
  }
  const navEntries = (page: Page) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

  it('a ReadOnly key reads functions, with no Audit entry and no Create/Delete/Deploy button', async () => {
    const page = await cb.open();
    const allowed = await signIn(page, secrets.ReadOnly);
    assert.equal(allowed['lambda:ListFunctions'], true);
    assert.equal(allowed['lambda:CreateFunction'], false);
    assert.equal(allowed['lambda:DeleteFunction'], false);
    assert.equal(allowed['nimbus:QueryAudit'], false);

    // The list: the function is there, the Create function button is not.
    await page.getByRole('link', { name: FN }).waitFor();
    assert.deepEqual(
      await navEntries(page),
      NAV_ENTRIES.filter((e) => e !== 'Audit'),
    );
    assert.equal(await page.getByRole('link', { name: 'Create function' }).count(), 0);
    // Reloaded, it is the same: the kept answer is this key's own.
    await page.reload();
    await page.getByRole('link', { name: FN }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Create function' }).count(), 0);

    // A function's page: its facts and its source read, no change offered.
    await page.getByRole('link', { name: FN }).click();
    await page.getByRole('heading', { name: FN, level: 1 }).waitFor();
    await page.getByRole('textbox', { name: 'Source of index.mjs' }).getByText('handler').first().waitFor();
    await page.getByRole('tab', { name: 'Configuration' }).waitFor();
    await page.getByText('This key may not change the configuration.').waitFor();
    for (const name of ['Delete', 'Deploy', 'Invoke', 'Save configuration'])
      assert.equal(await button(page, name).count(), 0, `no ${name} button`);
    await assertAccessible(page, 'function (ReadOnly)');

    // Admin: ReadOnly may list keys (nimbus:List*), not create or revoke them.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('table', { name: 'API keys' }).getByText('ReadOnly').first().waitFor();
    assert.equal(await button(page, 'Create key').count(), 0);
    assert.equal(await button(page, 'Revoke').count(), 0);

    // Audit opened by its address anyway: the platform's coded refusal.
    await page.goto(`${p.apiUrl}/console/audit`);
    await page.getByRole('alert').filter({ hasText: 'NIMBUS_ERR_' }).first().waitFor();
    assert.match(String(await page.getByRole('alert').first().textContent()), /FORBIDDEN/);
  });

  it('a key allowed only some functions sees their buttons on their pages, not on others', async () => {
    const k = await p.json<{ secret: string }>('POST', '/v1/keys', {
      description: 'orders team',
      policies: [
        'ReadOnly',
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'lambda:*', Resource: 'arn:aws:lambda:*:*:function:orders-*' },
          ],
        },
      ],
    });
    assert.equal(k.status, 201, JSON.stringify(k.body));
    const page = await cb.open();
    const allowed = await signIn(page, k.body.secret);
    assert.equal(allowed['lambda:DeleteFunction'], false, 'not on every function (resource *)');
    const changes = ['Delete', 'Deploy', 'Invoke', 'Save configuration'];

    await page.getByRole('link', { name: SCOPED_FN }).click();
    await page.getByRole('heading', { name: SCOPED_FN, level: 1 }).waitFor();
    for (const name of changes) await button(page, name).waitFor();

    await page.getByRole('link', { name: 'Functions' }).first().click();
    await page.getByRole('link', { name: FN }).click();
    await page.getByRole('heading', { name: FN, level: 1 }).waitFor();
    await page.getByText('This key may not change the configuration.').waitFor();
    for (const name of changes)
      assert.equal(await button(page, name).count(), 0, `no ${name} button on ${FN}`);
  });

  it('an AdministratorAccess key sees every page and every button', async () => {
    const page = await cb.open();
    const allowed = await signIn(page, secrets.AdministratorAccess);
    assert.ok(
      Object.values(allowed).every((a) => a),
      'AdministratorAccess may do everything',
    );
    await page.getByRole('link', { name: FN }).waitFor();
    assert.deepEqual(await navEntries(page), NAV_ENTRIES);
    await page.getByRole('link', { name: 'Create function' }).waitFor();

    // A reload shows the buttons at once from the answer kept beside the key, while it asks again
    // (held back 3 s here: the button shows long before the answer can).
    let asked = 0;
    await page.route('**/v1/identity/permissions', async (route) => {
      asked++;
      await new Promise((r) => setTimeout(r, 3000));
      await route.continue();
    });
    const t0 = Date.now();
    await page.reload();
    await page.getByRole('link', { name: 'Create function' }).waitFor({ timeout: 2500 });
    assert.ok(Date.now() - t0 < 2900, 'shown before the answer');
    assert.equal(asked, 1, 'and asked again');
    await page.unroute('**/v1/identity/permissions');

    await page.getByRole('link', { name: FN }).click();
    await page.getByRole('heading', { name: FN, level: 1 }).waitFor();
    for (const name of ['Delete', 'Deploy', 'Invoke', 'Save configuration'])
      await button(page, name).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await button(page, 'Create key').waitFor();
    // The keys list loads after the form: wait for its first Revoke (count() would not wait).
    await button(page, 'Revoke').first().waitFor();
  });
});
