/**
 * The web console in a real browser (issue 19): Debian's chromium driven by playwright-core
 * against a real platform. Logs in with the admin secret, creates a function from the template,
 * edits and deploys it, invokes it from the Test panel (result, duration, log line), sees the
 * invocation on the dashboard, searches and live-tails the logs, and checks every page with
 * axe-core (no serious or critical violations) in the light and dark themes and at phone width.
 * Screenshots of each page go to the screenshots folder (test/support/browser.ts). Prints the bundle size and first-load times.
 *
 * Without chromium the test skips with a reason — and fails in CI (CI=true), where .ci/run
 * installs it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'fflate';
import { packTar } from 'modern-tar';
import type { Page } from 'playwright-core';
import { TEMPLATES } from '../console/src/templates.ts';
import { base64, textOf, unzipFiles, zipFiles } from '../console/src/zip.ts';
import { type BuildReport, buildConsole, consolePaths } from '../src/console/index.ts';
import { startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';
import {
  assertAccessible,
  assertNoSideScroll,
  browserSkip,
  type ConsoleBrowser,
  launchConsoleBrowser,
  shot,
} from './support/browser.ts';

const FN = 'hello-console';

describe('web console in a real browser', { skip: browserSkip() }, () => {
  let p: TestPlatform;
  let cb: ConsoleBrowser;
  let build: BuildReport;
  const figures: Record<string, string> = {};

  before(async () => {
    build = await buildConsole(consolePaths());
    p = await startTestPlatform();
    cb = await launchConsoleBrowser();
  });
  after(async () => {
    await cb?.close();
    await p?.stop();
    const js = build?.files.filter((f) => f.name.endsWith('.js')) ?? [];
    const css = build?.files.filter((f) => f.name.endsWith('.css')) ?? [];
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const first = build?.files.filter((f) => /^assets\/index-/.test(f.name)) ?? [];
    process.stdout.write(
      `# console build ${build ? Math.round(build.ms) : '?'} ms; JS ${kib(js.reduce((a, f) => a + f.gzipBytes, 0))} gzip in ${js.length} files, CSS ${kib(css.reduce((a, f) => a + f.gzipBytes, 0))} gzip; first load (login + list) ${kib(first.reduce((a, f) => a + f.gzipBytes, 0))} gzip\n` +
        `# ${Object.entries(figures)
          .map(([k, v]) => `${k} ${v}`)
          .join('; ')}\n`,
    );
  });

  const open = (opts: { dark?: boolean; phone?: boolean } = {}) => cb.open(opts);
  const login = (page: Page) => cb.login(page, p.apiUrl, p.secret);

  it('logs in, creates, deploys and invokes a function, and sees it on the dashboard and in the logs', async () => {
    const page = await open();

    // First load: navigation to the login form, then sign-in to the function list.
    let t0 = performance.now();
    await page.goto(`${p.apiUrl}/console/`);
    await page.getByLabel('API key secret').waitFor();
    figures['login form visible'] = `${Math.round(performance.now() - t0)} ms`;
    await assertAccessible(page, 'login');
    await shot(page, 'login-light');

    // A wrong key shows the API's coded error.
    await page.getByLabel('API key secret').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'NIMBUS_ERR_' }).waitFor();

    await page.getByLabel('API key secret').fill(p.secret);
    t0 = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No functions yet.').waitFor();
    figures['sign-in to function list'] = `${Math.round(performance.now() - t0)} ms`;
    await assertAccessible(page, 'functions (empty)');

    // Create from the template: zipped in the browser, deployed, then the function's page.
    await page.getByRole('link', { name: 'Create function' }).first().click();
    await page.getByLabel('Name').fill(FN);
    await assertAccessible(page, 'create function');
    await shot(page, 'create-light');
    t0 = performance.now();
    await page.getByRole('button', { name: 'Create and deploy' }).click();
    await page.getByRole('heading', { name: FN, level: 1 }).waitFor();
    figures['create + deploy'] = `${Math.round(performance.now() - t0)} ms`;

    // The editor opens the source the platform kept; edit in CodeMirror and deploy again.
    const editor = page.getByRole('textbox', { name: 'Source of index.mjs' });
    await editor.getByText('greeting').first().waitFor();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(TEMPLATES[0]!.source.replace('Hello,', 'Hi from the console,'));
    await page.getByText('1 file edited').waitFor();
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const steps = page.getByRole('list', { name: 'Deploy progress' });
    await steps.getByText(/^Live in /).waitFor();
    assert.match(
      String(await steps.textContent()),
      /Packaged · [\d.]+ (B|KiB) zip.*Built and stored · build/,
    );
    const listed = await p.json<{ function: { codeSha256: string } }>('GET', `/v1/functions/${FN}`);
    assert.equal(listed.status, 200);

    // Test panel: the saved event from the template, invoked; result, duration and log line.
    assert.equal(await page.getByLabel('Saved event').inputValue(), 'hello');
    t0 = performance.now();
    await page.getByRole('button', { name: 'Invoke' }).click();
    const result = page.getByTestId('invoke-result');
    await result.waitFor();
    figures['invoke (cold)'] = `${Math.round(performance.now() - t0)} ms`;
    assert.match(
      String(await page.getByTestId('invoke-output').textContent()),
      /Hi from the console, Nimbus!/,
    );
    assert.match(
      String(await page.getByTestId('invoke-logs').textContent()),
      /greeting Nimbus from hello-console/,
    );
    assert.match(String(await page.getByTestId('invoke-duration').textContent()), /\d+(\.\d+)? (ms|s)$/);
    assert.match(String(await result.textContent()), /Succeeded/);
    await assertAccessible(page, 'function');
    await shot(page, 'function-light');

    // Dashboard: the invocation is in the totals (the current minute comes from memory) and the chart.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('total-invocations').waitFor();
    await waitUntil('the dashboard to count the invocation', async () => {
      const n = Number(await page.getByTestId('total-invocations').textContent());
      if (n >= 1) return true;
      await page.getByRole('radio', { name: '6 hours' }).check();
      await page.getByRole('radio', { name: '1 hour' }).check();
      return false;
    });
    assert.equal(
      await page.locator('.chart canvas').count(),
      3,
      'three uPlot charts: counts, duration, cost',
    );
    for (const h of ['Invocations, errors, throttles and cold starts', 'Duration p50 and p99', 'Cost'])
      await page.getByRole('heading', { name: h, exact: true }).waitFor();
    assert.match(
      String(await page.getByTestId('total-cold-starts').textContent()),
      /^[1-9]\d*$/,
      'the cold start counted',
    );
    assert.match(String(await page.getByTestId('total-cost').textContent()), /^0\.0+[1-9]\d? USD$/);
    await assertAccessible(page, 'dashboard');
    await shot(page, 'dashboard-light');

    // Logs: search with filters, then a live tail that shows a new invocation's line.
    await page.getByRole('link', { name: 'Logs' }).click();
    const view = page.getByRole('log');
    await view.getByText('greeting Nimbus from hello-console').first().waitFor();
    await page.getByLabel('Level (at least)').selectOption('error');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No log lines match').waitFor();
    await page.getByLabel('Level (at least)').selectOption('');
    await page.getByLabel('Text').fill('greeting');
    await page.getByRole('button', { name: 'Search' }).click();
    await view.getByText('greeting Nimbus from hello-console').first().waitFor();
    await page.getByRole('button', { name: 'Live tail' }).click();
    await page.getByRole('button', { name: 'Stop live tail' }).waitFor();
    const inv = await p.json('POST', `/v1/functions/${FN}/invoke`, { name: 'tail' });
    assert.equal(inv.status, 200);
    await view.getByText('greeting tail from hello-console').waitFor({ timeout: 15_000 });
    await assertAccessible(page, 'logs');
    await shot(page, 'logs-light');
    await page.getByRole('button', { name: 'Stop live tail' }).click();

    // Sign out: back to the login form, the key gone from the tab.
    await page.getByRole('link', { name: 'Functions' }).click();
    await page.getByRole('link', { name: FN }).waitFor();
    await assertAccessible(page, 'functions');
    await shot(page, 'functions-light');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key secret').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('nimbus.key')), null);
  });

  it('edits one file of a multi-file function deployed elsewhere and keeps the others as they were', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const zip = zipFiles({
      'index.mjs':
        "import { greet } from './lib/greet.mjs';\nexport const handler = async () => greet('CLI');\n",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the function's source holds a template literal
      'lib/greet.mjs': 'export const greet = (who) => `hello ${who}`;\n',
      'logo.png': png,
    });
    const d = await p.json('PUT', '/v1/functions/multi-file', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64: base64(zip) },
    });
    assert.equal(d.status, 201);
    const page = await open();
    await login(page);
    await page.goto(`${p.apiUrl}/console/functions/multi-file`);
    await page.getByText('1 other file kept as they are').waitFor();
    assert.equal(await page.getByLabel('File').inputValue(), 'index.mjs', 'the handler names the entry');
    await page.getByLabel('File').selectOption('lib/greet.mjs');
    const editor = page.getByRole('textbox', { name: 'Source of lib/greet.mjs' });
    await editor.getByText('hello').waitFor();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the function's source holds a template literal
    await page.keyboard.insertText('export const greet = (who) => `edited in the browser for ${who}`;\n');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page
      .getByRole('list', { name: 'Deploy progress' })
      .getByText(/^Live in /)
      .waitFor();
    await page.getByText('No changes').waitFor(); // reloaded from the platform, the same file open
    assert.equal(await page.getByLabel('File').inputValue(), 'lib/greet.mjs');
    await assertAccessible(page, 'function code (multi-file)');
    await shot(page, 'function-code-light');
    const inv = await p.json<{ result: unknown }>('POST', '/v1/functions/multi-file/invoke', {});
    assert.equal(inv.body.result, 'edited in the browser for CLI');
    // The archive the console deployed holds every file, the binary one byte for byte.
    const src = await fetch(`${p.apiUrl}/v1/functions/multi-file/source`, {
      headers: { authorization: `Bearer ${p.secret}` },
    });
    const files = unzipFiles(new Uint8Array(await src.arrayBuffer()));
    assert.deepEqual(Object.keys(files).sort(), ['index.mjs', 'lib/greet.mjs', 'logo.png']);
    assert.deepEqual(files['logo.png'], png);
    assert.match(textOf(files['index.mjs']!) ?? '', /greet\('CLI'\)/);
    await page.close();
  });

  it('highlights the source of a Python function as Python', async () => {
    const zip = zipFiles({ 'app.py': 'def handler(event, context):\n    return {"ok": True}\n' });
    const d = await p.json('PUT', '/v1/functions/py-source', {
      runtime: 'python3.12',
      handler: 'app.handler',
      code: { zipBase64: base64(zip) },
    });
    assert.equal(d.status, 201);
    const page = await open();
    await login(page);
    await page.goto(`${p.apiUrl}/console/functions/py-source`);
    const editor = page.getByRole('textbox', { name: 'Source of app.py' });
    // Highlighted: the keywords are tokens of their own (plain text would be one run).
    await editor.locator('span', { hasText: /^def$/ }).waitFor();
    await editor.locator('span', { hasText: /^True$/ }).waitFor();
    await page.close();
  });

  it('opens a function deployed from a gzipped tar, and deploys it back (as a zip)', async () => {
    const enc = new TextEncoder();
    const entry = (name: string, text: string) => {
      const body = enc.encode(text);
      return { header: { name, size: body.length, type: 'file' as const }, body };
    };
    const tgz = gzipSync(
      await packTar([
        entry('./handler.mjs', "export const handler = async () => 'from a tarball';\n"),
        entry('./package.json', '{"type":"module"}\n'),
      ]),
    );
    const d = await p.json('PUT', '/v1/functions/tar-source', {
      runtime: 'nodejs24.x',
      handler: 'handler.handler',
      code: { tarBase64: base64(tgz) },
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const page = await open();
    await login(page);
    await page.goto(`${p.apiUrl}/console/functions/tar-source`);
    await page.getByText('was deployed from a tar archive').waitFor();
    assert.equal(await page.getByLabel('File').inputValue(), 'handler.mjs', 'the handler names the entry');
    const editor = page.getByRole('textbox', { name: 'Source of handler.mjs' });
    await editor.getByText('from a tarball').waitFor();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText("export const handler = async () => 'edited, now a zip';\n");
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page
      .getByRole('list', { name: 'Deploy progress' })
      .getByText(/^Live in /)
      .waitFor();
    const inv = await p.json<{ result: unknown }>('POST', '/v1/functions/tar-source/invoke', {});
    assert.equal(inv.body.result, 'edited, now a zip');
    const src = await fetch(`${p.apiUrl}/v1/functions/tar-source/source`, {
      headers: { authorization: `Bearer ${p.secret}` },
    });
    assert.equal(src.headers.get('content-type'), 'application/zip');
    const files = unzipFiles(new Uint8Array(await src.arrayBuffer()));
    assert.deepEqual(Object.keys(files).sort(), ['handler.mjs', 'package.json']);
    await page.close();
  });

  it('every page in the dark theme passes axe and is captured', async () => {
    const page = await open({ dark: true });
    await page.goto(`${p.apiUrl}/console/`);
    await page.getByLabel('API key secret').waitFor();
    await assertAccessible(page, 'login (dark)');
    await shot(page, 'login-dark');
    await login(page);
    await page.getByRole('link', { name: FN }).waitFor();
    assert.equal(
      await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
      'rgb(13, 17, 23)',
      'dark background from prefers-color-scheme',
    );
    await assertAccessible(page, 'functions (dark)');
    await shot(page, 'functions-dark');
    await page.getByRole('link', { name: FN }).click();
    await page.getByRole('button', { name: 'Invoke' }).click();
    await page.getByTestId('invoke-result').waitFor();
    await assertAccessible(page, 'function (dark)');
    await shot(page, 'function-dark');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.locator('.chart canvas').first().waitFor();
    await assertAccessible(page, 'dashboard (dark)');
    await shot(page, 'dashboard-dark');
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('log').waitFor();
    await assertAccessible(page, 'logs (dark)');
    await shot(page, 'logs-dark');
    // The toggle overrides the system: light now, and it sticks across a reload.
    await page.getByRole('button', { name: 'Auto theme' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    await page.reload();
    await page.getByRole('log').waitFor();
    assert.equal(
      await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
      'rgb(246, 248, 250)',
    );
  });

  it('works at phone width (390 px)', async () => {
    const page = await open({ phone: true });
    await login(page);
    await page.getByRole('link', { name: FN }).waitFor();
    await assertNoSideScroll(page, 'functions (phone)');
    await shot(page, 'functions-phone');
    await page.getByRole('link', { name: FN }).click();
    await page.getByRole('button', { name: 'Invoke' }).waitFor();
    await assertNoSideScroll(page, 'function (phone)');
    await assertAccessible(page, 'function (phone)');
    await shot(page, 'function-phone');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.locator('.chart canvas').first().waitFor();
    await assertNoSideScroll(page, 'dashboard (phone)');
    await shot(page, 'dashboard-phone');
  });
});
