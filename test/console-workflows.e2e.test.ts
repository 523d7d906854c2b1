/**
 * The console's Workflows and Buckets pages in a real browser (issue 19). A function and a
 * two-state machine are deployed through the REST API; an execution is started from the page
 * and its graph shows the visited states and its history the events; a failing one shows the
 * failed state, its error and a redrive. A bucket is created from the page, a file uploaded
 * with the file input, listed, downloaded (same bytes), browsed into a folder and deleted after
 * the confirmation. axe-core in light and dark, 390 px without sideways scroll, screenshots.
 *
 * Without chromium the suite skips outside CI and fails in CI (test/support/browser.ts).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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
  shot,
} from './support/browser.ts';

const FN = 'wf-step';
const WF = 'console-flow';
const BUCKET = 'console-files';
const STEP = `export const handler = async (e) => {
  if (e.fail) throw new Error('asked to fail');
  return { n: (e.n ?? 0) + 1 };
};
`;

describe('console: workflows and buckets in a real browser', { skip: browserSkip() }, () => {
  let p: TestPlatform;
  let cb: ConsoleBrowser;
  let failedArn = '';

  before(async () => {
    await buildConsole(consolePaths());
    p = await startTestPlatform();
    cb = await launchConsoleBrowser();
    const dir = await fixture({ 'index.mjs': STEP });
    const d = await p.deployDir(FN, dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    assert.ok(d.status < 300, JSON.stringify(d.body));
    const put = await p.api('PUT', `/v1/workflows/${WF}`, {
      definition: {
        StartAt: 'Step',
        States: { Step: { Type: 'Task', Resource: FN, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
      },
    });
    assert.ok(put.status < 300, await put.text());
  });
  after(async () => {
    await cb?.close();
    await p?.stop();
  });

  const login = (page: Page) => cb.login(page, p.apiUrl, p.secret);
  const mark = (page: Page, state: string) => page.getByTestId(`state-${state}`).getAttribute('data-mark');

  it('draws a workflow, starts executions from the page, marks the visited and the failed state', async () => {
    const page = await cb.open();
    await login(page);
    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('link', { name: WF }).click();
    await page.getByTestId('state-Step').waitFor();
    await page.getByTestId('state-Done').waitFor();
    // React Flow draws edges once it has measured the nodes: a frame or more after the nodes.
    await page.locator('.react-flow__edge').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('.react-flow__edge').count(), 1, 'Step → Done');
    await page.getByText('No executions yet').waitFor();
    await assertAccessible(page, 'workflow');

    // A succeeding execution: both states visited, the history from start to success.
    await page.getByLabel('Input (JSON)').fill('{"n": 41}');
    await page.getByRole('button', { name: 'Start execution' }).click();
    await page.getByRole('heading', { name: /^Execution / }).waitFor();
    await page.locator('.wf-exec-head .badge', { hasText: 'SUCCEEDED' }).waitFor();
    await page.getByRole('cell', { name: 'ExecutionSucceeded' }).waitFor();
    assert.equal(await mark(page, 'Step'), 'visited');
    assert.equal(await mark(page, 'Done'), 'visited');
    const history = page.getByRole('table', { name: 'Event history' });
    for (const type of ['ExecutionStarted', 'TaskStateEntered', 'TaskStateExited', 'PassStateEntered'])
      await history.getByRole('cell', { name: type, exact: true }).first().waitFor();
    assert.match(String(await page.getByTestId('execution-output').textContent()), /"n": 42/);
    await assertAccessible(page, 'execution (succeeded)');
    await shot(page, 'workflow-execution-light');

    // Bad JSON is refused in the form; a failing execution marks its failed state.
    await page.getByRole('link', { name: WF }).click();
    await page.getByLabel('Input (JSON)').fill('{nope');
    await page.getByRole('button', { name: 'Start execution' }).click();
    await page.getByText(/The input is not JSON/).waitFor();
    await page.getByLabel('Input (JSON)').fill('{"fail": true}');
    await page.getByRole('button', { name: 'Start execution' }).click();
    await page.locator('.wf-exec-head .badge', { hasText: 'FAILED' }).waitFor();
    await page.getByRole('cell', { name: 'ExecutionFailed' }).waitFor();
    assert.equal(await mark(page, 'Step'), 'failed');
    assert.equal(await mark(page, 'Done'), '');
    assert.match(String(await page.getByTestId('execution-error').textContent()), /asked to fail/);
    failedArn = decodeURIComponent(new URL(page.url()).searchParams.get('execution') ?? '');
    assert.match(failedArn, /^arn:aws:states:/);
    // Redrive asks first; Cancel leaves the execution as it is.
    await page.getByRole('button', { name: 'Redrive' }).click();
    await page.getByRole('button', { name: 'Yes, redrive' }).waitFor();
    await assertAccessible(page, 'execution (failed, redrive asked)');
    await shot(page, 'workflow-failed-light');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // The executions list filters by status.
    await page.getByRole('link', { name: WF }).click();
    const rows = page.getByRole('table', { name: 'Executions' }).locator('tbody tr');
    await page.waitForFunction(
      () => document.querySelectorAll('table[aria-label="Executions"] tbody tr').length === 2,
    );
    await page.getByLabel('Status').selectOption('FAILED');
    await page
      .locator('table[aria-label="Executions"] .badge', { hasText: 'SUCCEEDED' })
      .waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 1);
    await assertAccessible(page, 'workflow with executions');
    await shot(page, 'workflow-light');
  });

  it('creates a bucket, uploads, lists, downloads and deletes a file from the page', async () => {
    const page = await cb.open();
    await login(page);
    await page.getByRole('link', { name: 'Buckets' }).click();
    await page.getByText('No buckets yet').waitFor();
    await assertAccessible(page, 'buckets (empty)');
    await page.getByLabel('Bucket name').fill(BUCKET);
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.getByRole('heading', { name: BUCKET, level: 1 }).waitFor();
    await page.getByText('This bucket is empty').waitFor();

    const bytes = Buffer.from('hello from the console\n\u00e9\u0000\u00ff', 'utf8');
    await page
      .getByLabel(/^Upload files to/)
      .setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: bytes });
    await page.getByText('Uploaded 1 file.').waitFor();
    const objects = page.getByRole('table', { name: 'Objects' });
    await objects.getByRole('cell', { name: 'hello.txt', exact: true }).waitFor();
    const stored = await p.api('GET', `/v1/buckets/${BUCKET}/object?key=hello.txt`);
    assert.equal(stored.headers.get('content-type'), 'text/plain');
    assert.deepEqual(Buffer.from(await stored.arrayBuffer()), bytes);

    // Download: the same bytes, named after the key.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download hello.txt' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'hello.txt');
    assert.deepEqual(await readFile(await download.path()), bytes);

    // Folders: a key with a '/' shows as a folder to open; the upload goes into it.
    const put = await p.api('PUT', `/v1/buckets/${BUCKET}/object?key=docs/readme.md`, '# docs', {
      'content-type': 'text/markdown',
    });
    assert.equal(put.status, 200, await put.text());
    await page.reload();
    await page.getByRole('link', { name: 'docs/' }).click();
    await objects.getByRole('cell', { name: 'readme.md', exact: true }).waitFor();
    await page.getByText('Upload files to docs/').waitFor();
    await assertAccessible(page, 'bucket folder');
    await page.getByRole('button', { name: 'Up one folder' }).click();
    await objects.getByRole('cell', { name: 'hello.txt', exact: true }).waitFor();
    await assertAccessible(page, 'bucket');
    await shot(page, 'bucket-light');

    // Delete asks first; then the row is gone, and so is the object.
    const row = objects.getByRole('row').filter({ hasText: 'hello.txt' });
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Delete hello.txt?').waitFor();
    await row.getByRole('button', { name: 'Yes, delete' }).click();
    await objects.getByRole('cell', { name: 'hello.txt', exact: true }).waitFor({ state: 'detached' });
    assert.equal((await p.api('GET', `/v1/buckets/${BUCKET}/object?key=hello.txt`)).status, 404);

    // A bucket that is not empty is refused with the coded error and how to fix it.
    await page.getByRole('button', { name: 'Delete bucket' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('alert').filter({ hasText: 'NIMBUS_ERR_S3_BUCKET_NOT_EMPTY' }).waitFor();
  });

  it('dark theme and phone width', async () => {
    const dark = await cb.open({ dark: true });
    await login(dark);
    await dark.goto(`${p.apiUrl}/console/workflows/${WF}?execution=${encodeURIComponent(failedArn)}`);
    await dark.getByRole('cell', { name: 'ExecutionFailed' }).waitFor();
    await assertAccessible(dark, 'execution (dark)');
    await shot(dark, 'workflow-execution-dark');
    await dark.goto(`${p.apiUrl}/console/workflows`);
    await dark.getByRole('link', { name: WF }).waitFor();
    await assertAccessible(dark, 'workflows (dark)');
    await shot(dark, 'workflows-dark');
    await dark.goto(`${p.apiUrl}/console/buckets/${BUCKET}`);
    await dark.getByRole('link', { name: 'docs/' }).waitFor();
    await assertAccessible(dark, 'bucket (dark)');
    await shot(dark, 'bucket-dark');

    const phone = await cb.open({ phone: true });
    await login(phone);
    for (const [path, ready, name] of [
      ['/console/workflows', WF, 'workflows'],
      [`/console/workflows/${WF}`, 'Start execution', 'workflow'],
      [`/console/workflows/${WF}?execution=${encodeURIComponent(failedArn)}`, 'Redrive', 'execution'],
      ['/console/buckets', BUCKET, 'buckets'],
      [`/console/buckets/${BUCKET}`, 'docs/', 'bucket'],
    ] as const) {
      await phone.goto(`${p.apiUrl}${path}`);
      await phone
        .getByRole(ready === 'Start execution' || ready === 'Redrive' ? 'button' : 'link', { name: ready })
        .first()
        .waitFor();
      await assertNoSideScroll(phone, `${name} (phone)`);
    }
    await shot(phone, 'bucket-phone');
  });
});
