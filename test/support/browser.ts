/**
 * The web console in a real browser, for e2e tests: Debian's chromium driven by playwright-core,
 * axe-core checks, screenshots (test-results/screenshots/, or NIMBUS_SCREENSHOTS_DIR), and a signed-in page on a test platform.
 * In CI (CI=true) a missing chromium fails the test (`.ci/run` installs it); elsewhere the suites
 * skip with `browserSkip()`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.NIMBUS_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
/**
 * Where screenshots go: test-results/screenshots/ (ignored by git), or NIMBUS_SCREENSHOTS_DIR —
 * `npm run console:screenshots` points it at docs/screenshots/ to refresh the documented set.
 */
export const SHOTS =
  process.env.NIMBUS_SCREENSHOTS_DIR ?? join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** `describe`'s skip option: skip without chromium outside CI; in CI the suite runs and fails. */
export function browserSkip(): string | false {
  return !HAVE_CHROMIUM && process.env.CI !== 'true' ? `no chromium at ${CHROMIUM}` : false;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core on the page; fails on serious or critical violations. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
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

/** The console's navigation, in order, for a key that may use every page. */
export const NAV_ENTRIES = [
  'Dashboard',
  'Functions',
  'Logs',
  'Workflows',
  'Buckets',
  'Triggers',
  'Queues',
  'Usage',
  'Alerts',
  'Audit',
  'Admin',
];

/** Saves <SHOTS>/<name>.png (a name may hold a folder: `pages/phone-logs`). */
export async function shot(page: Page, name: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path });
}

/** The page's width fits the viewport: nothing overflows sideways. */
export async function assertNoSideScroll(page: Page, what: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(scroll <= width + 1, `${what} scrolls sideways: ${scroll} > ${width}`);
}

/**
 * Waits until a page has settled: no loading state shown (twice, a moment apart: one query
 * often starts when another ends) and a workflow graph, if any, has drawn its nodes.
 */
export async function settled(page: Page): Promise<void> {
  const quiet = () =>
    page.waitForFunction(() => {
      if (document.querySelector('.state.loading')) return false;
      const flow = document.querySelector('.react-flow');
      return !flow || flow.querySelector('.react-flow__node') !== null;
    });
  await quiet();
  await page.waitForTimeout(150);
  await quiet();
}

export interface ConsoleBrowser {
  readonly browser: Browser;
  /** A fresh page (own context): 1280×800 or 390×844, light or dark; page errors fail the test. */
  open(opts?: { dark?: boolean; phone?: boolean }): Promise<Page>;
  /** Opens `<apiUrl>/console/` and signs in with the secret; resolves on the function list. */
  login(page: Page, apiUrl: string, secret: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  assert.ok(
    HAVE_CHROMIUM,
    `chromium is required in CI (${CHROMIUM}); .ci/run installs Debian's chromium package`,
  );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async open(opts = {}) {
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
    },
    async login(page, apiUrl, secret) {
      await page.goto(`${apiUrl}/console/`);
      await page.getByLabel('API key secret').fill(secret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Functions', level: 1 }).waitFor();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}
