/**
 * Dev mode of the console (`npm run console:dev`): Vite's dev server for console/ with its
 * config (console/vite.config.ts), proxying /v1 to a running platform named by NIMBUS_ENDPOINT.
 * In chromium through the dev server: sign in, the function list, the pattern tester (it imports
 * the platform's matcher from src/events, outside console/), and the Logs page's live tail (an
 * NDJSON stream through the proxy). Hot reload itself is Vite's: the page carries its client
 * (this test edits no source file: other suites may be building the console at the same time).
 *
 * Without chromium the suite skips outside CI and fails in CI (test/support/browser.ts).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ViteDevServer } from 'vite';
import { consolePaths } from '../src/console/index.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { browserSkip, type ConsoleBrowser, launchConsoleBrowser } from './support/browser.ts';

const FN = 'dev-fn';

describe('console: dev mode (Vite dev server proxying /v1 to a platform)', { skip: browserSkip() }, () => {
  let p: TestPlatform;
  let cb: ConsoleBrowser;
  let vite: ViteDevServer;
  let devUrl = '';
  const before_ = process.env.NIMBUS_ENDPOINT;

  before(async () => {
    p = await startTestPlatform();
    const dir = await fixture({
      'index.mjs':
        "export const handler = async (e) => { console.log('hello from', e.who); return 'ok'; };\n",
    });
    assert.ok((await p.deployDir(FN, dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300);
    // What `NIMBUS_ENDPOINT=… npm run console:dev` does: `vite console` reads the config there.
    process.env.NIMBUS_ENDPOINT = p.apiUrl;
    const { createServer } = await import('vite');
    const { root } = consolePaths();
    vite = await createServer({
      root,
      configFile: join(root, 'vite.config.ts'),
      logLevel: 'warn',
      server: { host: '127.0.0.1', port: 0, strictPort: true },
    });
    await vite.listen();
    devUrl = `http://127.0.0.1:${(vite.httpServer!.address() as AddressInfo).port}`;
    cb = await launchConsoleBrowser();
  });
  after(async () => {
    if (before_ === undefined) delete process.env.NIMBUS_ENDPOINT;
    else process.env.NIMBUS_ENDPOINT = before_;
    await cb?.close();
    await vite?.close();
    await p?.stop();
  });

  it('serves the app from source and proxies the REST API to the platform', async () => {
    const html = await (await fetch(`${devUrl}/console/`)).text();
    assert.match(html, /\/console\/@vite\/client/, 'the dev server (not a build) answers');
    const listed = await fetch(`${devUrl}/v1/functions`, {
      headers: { authorization: `Bearer ${p.secret}` },
    });
    assert.equal(listed.status, 200);
    const body = (await listed.json()) as { functions: { name: string }[] };
    assert.deepEqual(
      body.functions.map((f) => f.name),
      [FN],
    );
    // The platform's own answers pass through, coded errors included.
    const denied = await fetch(`${devUrl}/v1/functions`);
    assert.equal(denied.status, 401);
    assert.match(await denied.text(), /NIMBUS_ERR_CORE_UNAUTHORIZED/);
  });

  it('works in the browser: sign in, functions, the pattern tester, the live log tail', async () => {
    const page = await cb.open();
    await cb.login(page, devUrl, p.secret);
    await page.getByRole('link', { name: FN }).waitFor();

    // The pattern tester runs src/events/pattern.ts, which lies outside console/.
    await page.goto(`${devUrl}/console/triggers?tab=topics`);
    await page.getByRole('button', { name: 'Test pattern' }).click();
    await page.getByTestId('pattern-verdict').waitFor();

    // The live tail is a long-lived NDJSON response: it streams through the proxy.
    await page.goto(`${devUrl}/console/logs?function=${FN}`);
    await page.getByText('No log lines match').waitFor();
    await page.getByRole('button', { name: '▶ Live tail' }).click();
    await page.getByRole('button', { name: '■ Stop live tail' }).waitFor();
    const inv = await p.api('POST', `/v1/functions/${FN}/invoke`, { who: 'the dev server' });
    assert.equal(inv.status, 200);
    await page.getByRole('log').getByText('hello from the dev server').waitFor({ timeout: 30_000 });
  });
});
