/**
 * The web console in a real browser (issue 19): Debian's chromium driven by playwright-core
 * against a real platform. Logs in with the admin secret, creates a function from the template,
 * edits and deploys it, invokes it from the Test panel (result, duration, log line), sees the
 * invocation on the dashboard, searches and live-tails the logs, and checks every page with
 * axe-core (no serious or critical violations) in the light and dark themes and at phone width.
 * Screenshots of each page go to docs/screenshots/. Prints the bundle size and first-load times.
 *
 * Without chromium the test skips with a reason — and fails in CI (CI=true), where .ci/run
 * installs it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { TEMPLATES } from '../console/src/templates.ts';
import { type BuildReport, buildConsole, consolePaths } from '../src/console/index.ts';
import { startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const CHROMIUM = process.env.NIMBUS_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FN = 'hello-console';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core on the page; fails on serious or critical violations. */
async function assertAccessible(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `axe on ${what}`,
  );
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** The page's width fits the viewport: nothing overflows sideways. */
async function assertNoSideScroll(page: Page, what: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(scroll <= width + 1, `${what} scrolls sideways: ${scroll} > ${width}`);
}

describe('web console in a real browser', {
  skip: !HAVE_CHROMIUM && !IN_CI ? `no chromium at ${CHROMIUM}` : false,
}, () => {
  let p: TestPlatform;
  let browser: Browser;
  let build: BuildReport;
  const contexts: BrowserContext[] = [];
  const figures: Record<string, string> = {};

  before(async () => {
    assert.ok(
      HAVE_CHROMIUM,
      `chromium is required in CI (${CHROMIUM}); .ci/run installs Debian's chromium package`,
    );
    await mkdir(SHOTS, { recursive: true });
    build = await buildConsole(consolePaths());
    p = await startTestPlatform();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
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

  async function open(opts: { dark?: boolean; phone?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({
      viewport: opts.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
      colorScheme: opts.dark ? 'dark' : 'light',
      deviceScaleFactor: 1,
    });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => {
      throw new Error(`page error: ${e.message}`);
    });
    return page;
  }

  async function login(page: Page): Promise<void> {
    await page.goto(`${p.apiUrl}/console/`);
    await page.getByLabel('API key secret').fill(p.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Functions', level: 1 }).waitFor();
  }

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

    // Edit in CodeMirror and deploy again.
    const editor = page.getByRole('textbox', { name: 'Source of index.mjs' });
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(TEMPLATES[0]!.source.replace('Hello,', 'Hi from the console,'));
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByText(/^Deployed in /).waitFor();
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
    assert.equal(await page.locator('.chart canvas').count(), 2, 'two uPlot charts');
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
