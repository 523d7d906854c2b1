/**
 * The console's Workflows and Buckets pages in a real browser (issue 19). A function and a
 * two-state machine are deployed through the REST API; an execution is started from the page
 * and its graph shows the visited states and its history the events; a failing one shows the
 * failed state, its error and a redrive. A machine of every shape (Choice with several Next and
 * a Default, Parallel, Map with a nested Parallel, Catch, Retry, a Task that ends) is drawn with
 * every state and transition and nothing overlapping, and a running execution highlights its
 * current state. A real redrive: a Task whose function fails, the function fixed by a deploy,
 * Redrive pressed and confirmed, the execution resumes at the failed state and succeeds. A bucket
 * is created from the page, a file uploaded with the file input, listed, downloaded (same
 * bytes), browsed into a folder and deleted after the confirmation. axe-core in light and dark,
 * 390 px without sideways scroll, screenshots.
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

const SHAPES = 'every-shape';
const CATCH_ALL = [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }];
/** Every shape the graph draws; {"kind": "fan"} waits in Hold (a branch of FanOut) for a minute. */
const SHAPES_DEF = {
  StartAt: 'Route',
  States: {
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.kind', StringEquals: 'fan', Next: 'FanOut' },
        { Variable: '$.kind', StringEquals: 'each', Next: 'Each' },
        { Variable: '$.kind', StringEquals: 'solo', Next: 'Solo' },
      ],
      Default: 'Skip',
    },
    FanOut: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 60, End: true } } },
        {
          StartAt: 'Work',
          States: {
            Work: {
              Type: 'Task',
              Resource: FN,
              Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }],
              Next: 'WorkDone',
            },
            WorkDone: { Type: 'Succeed' },
          },
        },
      ],
      Retry: [{ ErrorEquals: ['States.ALL'] }],
      Catch: CATCH_ALL,
      Next: 'Done',
    },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        StartAt: 'Inner',
        States: {
          Inner: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
              { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
            ],
            End: true,
          },
        },
      },
      Catch: CATCH_ALL,
      Next: 'Done',
    },
    Solo: {
      Type: 'Task',
      Resource: FN,
      Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1 }],
      Catch: [{ ErrorEquals: ['States.TaskFailed', 'States.Timeout'], Next: 'Recover' }],
      End: true,
    },
    Skip: { Type: 'Pass', Next: 'Done' },
    Recover: { Type: 'Pass', Next: 'Failed' },
    Failed: { Type: 'Fail', Error: 'Recovered', Cause: 'a step failed' },
    Done: { Type: 'Succeed' },
  },
};
const SHAPE_STATES = [
  ...['Route', 'FanOut', 'Hold', 'Work', 'WorkDone', 'Each', 'Inner', 'A', 'B'],
  ...['Solo', 'Skip', 'Recover', 'Failed', 'Done'],
];
/** [from, to, kind, label]: every transition SHAPES_DEF says, a Retry being a loop to itself. */
const SHAPE_EDGES = [
  ['Route', 'FanOut', 'choice', 'Choice 1'],
  ['Route', 'Each', 'choice', 'Choice 2'],
  ['Route', 'Solo', 'choice', 'Choice 3'],
  ['Route', 'Skip', 'default', 'Default'],
  ['FanOut', 'Done', 'next', ''],
  ['FanOut', 'Recover', 'catch', 'Catch States.ALL'],
  ['FanOut', 'FanOut', 'retry', 'Retry ×3'],
  ['Work', 'WorkDone', 'next', ''],
  ['Work', 'Work', 'retry', 'Retry ×2'],
  ['Each', 'Done', 'next', ''],
  ['Each', 'Recover', 'catch', 'Catch States.ALL'],
  ['Solo', 'Recover', 'catch', 'Catch States.TaskFailed, States.Timeout'],
  ['Solo', 'Solo', 'retry', 'Retry ×1'],
  ['Skip', 'Done', 'next', ''],
  ['Recover', 'Failed', 'next', ''],
] as const;

const FRAGILE = 'wf-fragile';
const REDRIVE_WF = 'charge-order';
const BROKEN = "export const handler = async () => { throw new Error('the ledger is locked'); };\n";
const FIXED = 'export const handler = async (e) => ({ charged: e.order, prepared: e.prep.ready });\n';

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
  const execUrl = (wf: string, arn: string) =>
    `${p.apiUrl}/console/workflows/${wf}?execution=${encodeURIComponent(arn)}`;

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

  it('draws a machine of every shape: all states and transitions, nothing overlapping, the current state lit', async () => {
    const put = await p.api('PUT', `/v1/workflows/${SHAPES}`, { definition: SHAPES_DEF });
    assert.ok(put.status < 300, await put.text());
    const page = await cb.open();
    await login(page);
    await page.goto(`${p.apiUrl}/console/workflows/${SHAPES}`);
    for (const s of SHAPE_STATES) await page.getByTestId(`state-${s}`).waitFor();
    assert.equal(await page.locator('.react-flow__node').count(), SHAPE_STATES.length, 'one node per state');
    // Edges are drawn once React Flow has measured the nodes.
    await page.waitForFunction(
      (n) => document.querySelectorAll('.react-flow__edge').length === n,
      SHAPE_EDGES.length,
    );
    for (const kind of ['next', 'choice', 'default', 'catch', 'retry'])
      assert.equal(
        await page.locator(`.react-flow__edge.wf-edge-${kind}`).count(),
        SHAPE_EDGES.filter((e) => e[2] === kind).length,
        `${kind} edges`,
      );
    // Each transition, named: the figure's caption says them all (for screen readers too).
    const caption = String(await page.locator('figure.wf-graph figcaption').textContent());
    assert.match(caption, new RegExp(`^${SHAPE_STATES.length} states\\.`));
    for (const [from, to, , label] of SHAPE_EDGES)
      assert.ok(
        caption.includes(`${from} to ${to}${label ? ` (${label})` : ''}`),
        `${from} → ${to} in ${caption}`,
      );

    // Nothing overlaps on the screen: no two nodes but a group and what it holds, no retry loop
    // over another node, no edge label over a node outside the label's own group.
    const drawn = await page.evaluate(() => {
      const rect = (el: Element) => {
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height };
      };
      return {
        nodes: [...document.querySelectorAll('.react-flow__node')].map((el) => ({
          id: el.getAttribute('data-id') ?? '',
          ...rect(el),
        })),
        edges: [...document.querySelectorAll('.react-flow__edge')].map((el) => {
          const label = el.querySelector('.react-flow__edge-textwrapper');
          return {
            id: el.getAttribute('data-id') ?? '',
            retry: el.classList.contains('wf-edge-retry'),
            path: rect(el.querySelector('path.react-flow__edge-path')!),
            label: label ? rect(label) : null,
          };
        }),
      };
    });
    type R = { x: number; y: number; w: number; h: number };
    const overlap = (a: R, b: R) =>
      Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 1 &&
      Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 1;
    const within = (outer: string, inner: string) => inner.startsWith(`${outer}/`);
    for (const a of drawn.nodes)
      for (const b of drawn.nodes)
        if (a.id < b.id && !within(a.id, b.id) && !within(b.id, a.id))
          assert.ok(!overlap(a, b), `nodes ${a.id} and ${b.id} overlap: ${JSON.stringify([a, b])}`);
    for (const e of drawn.edges) {
      const source = e.id.slice(0, e.id.indexOf('->'));
      for (const n of drawn.nodes) {
        if (n.id === source || within(n.id, source)) continue;
        if (e.retry) assert.ok(!overlap(e.path, n), `the retry loop of ${source} crosses ${n.id}`);
        if (e.label) assert.ok(!overlap(e.label, n), `the label of ${e.id} lies on ${n.id}`);
      }
    }
    const labels = drawn.edges.filter((e) => e.label);
    for (const a of labels)
      for (const b of labels)
        if (a.id < b.id) assert.ok(!overlap(a.label!, b.label!), `labels of ${a.id} and ${b.id} overlap`);
    await assertAccessible(page, 'workflow of every shape');
    await shot(page, 'workflow-shapes-light');

    // A running execution: it waits in Hold, inside FanOut's first branch: Hold is lit as current.
    await page.getByLabel('Input (JSON)').fill('{"kind": "fan"}');
    await page.getByRole('button', { name: 'Start execution' }).click();
    await page.locator('.wf-exec-head .badge', { hasText: 'RUNNING' }).waitFor();
    await page.locator('[data-testid="state-Hold"][data-mark="current"]').waitFor();
    await page.locator('[data-testid="state-WorkDone"][data-mark="visited"]').waitFor();
    assert.equal(await mark(page, 'Route'), 'visited');
    assert.equal(await mark(page, 'FanOut'), 'visited');
    assert.equal(await mark(page, 'Work'), 'visited');
    assert.equal(await mark(page, 'Each'), '');
    assert.equal(await mark(page, 'Done'), '');
    assert.equal(await page.locator('.react-flow__node .wf-current').count(), 1, 'one state is current');
    assert.match(String(await page.getByTestId('state-Hold').textContent()), /current/);
    assert.match(String(await page.locator('figure.wf-graph figcaption').textContent()), /Hold: current/);
    await assertAccessible(page, 'running execution');
    await shot(page, 'workflow-running-light');
    // Stop asks first; the stopped execution marks where it was.
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('button', { name: 'Yes, stop' }).click();
    await page.locator('.wf-exec-head .badge', { hasText: 'ABORTED' }).waitFor();
    await page.locator('[data-testid="state-Hold"][data-mark="failed"]').waitFor();

    // A Map of two items, each through a nested Parallel: the inner states are marked visited.
    const run = await p.json<{ arn: string }>('POST', `/v1/workflows/${SHAPES}/executions`, {
      input: { kind: 'each', items: [1, 2] },
    });
    assert.equal(run.status, 201, JSON.stringify(run.body));
    await page.goto(execUrl(SHAPES, run.body.arn));
    await page.locator('.wf-exec-head .badge', { hasText: 'SUCCEEDED' }).waitFor();
    await page.getByRole('cell', { name: 'ExecutionSucceeded' }).waitFor();
    for (const s of ['Route', 'Each', 'Inner', 'A', 'B', 'Done'])
      assert.equal(await mark(page, s), 'visited', s);
    for (const s of ['FanOut', 'Hold', 'Solo', 'Skip']) assert.equal(await mark(page, s), '', s);
  });

  it('redrives a failed execution after the function is fixed: it resumes at the failed state', async () => {
    const dir = await fixture({ 'index.mjs': BROKEN });
    const NODE = { runtime: 'nodejs24.x', handler: 'index.handler' };
    assert.ok((await p.deployDir(FRAGILE, dir, NODE)).status < 300);
    const put = await p.api('PUT', `/v1/workflows/${REDRIVE_WF}`, {
      definition: {
        StartAt: 'Prepare',
        States: {
          Prepare: { Type: 'Pass', Result: { ready: true }, ResultPath: '$.prep', Next: 'Charge' },
          Charge: { Type: 'Task', Resource: FRAGILE, Next: 'Receipt' },
          Receipt: { Type: 'Pass', End: true },
        },
      },
    });
    assert.ok(put.status < 300, await put.text());

    const page = await cb.open();
    await login(page);
    await page.goto(`${p.apiUrl}/console/workflows/${REDRIVE_WF}`);
    await page.getByLabel('Input (JSON)').fill('{"order": 7}');
    await page.getByRole('button', { name: 'Start execution' }).click();
    await page.locator('.wf-exec-head .badge', { hasText: 'FAILED' }).waitFor();
    await page.getByRole('cell', { name: 'ExecutionFailed' }).waitFor();
    assert.equal(await mark(page, 'Prepare'), 'visited');
    assert.equal(await mark(page, 'Charge'), 'failed');
    assert.equal(await mark(page, 'Receipt'), '');
    assert.match(String(await page.getByTestId('execution-error').textContent()), /the ledger is locked/);
    const arn = decodeURIComponent(new URL(page.url()).searchParams.get('execution') ?? '');

    // The bug is fixed the way a user fixes it: new code deployed through the API.
    const fixed = await fixture({ 'index.mjs': FIXED });
    assert.ok((await p.deployDir(FRAGILE, fixed, NODE)).status < 300);
    await page.getByRole('button', { name: 'Redrive' }).click();
    await page.getByText('Redrive: run it again from the state that failed?').waitFor();
    await page.getByRole('button', { name: 'Yes, redrive' }).click();
    await page.locator('.wf-exec-head .badge', { hasText: 'SUCCEEDED' }).waitFor();
    const history = page.getByRole('table', { name: 'Event history' });
    await history.getByRole('cell', { name: 'ExecutionRedriven', exact: true }).waitFor();
    await history.getByRole('cell', { name: 'ExecutionSucceeded', exact: true }).waitFor();
    assert.equal(await mark(page, 'Charge'), 'visited');
    assert.equal(await mark(page, 'Receipt'), 'visited');
    assert.equal(await page.getByTestId('execution-error').count(), 0, 'the old error is gone');
    assert.match(String(await page.locator('.facts').textContent()), /Redriven\s*1×/);
    assert.deepEqual(JSON.parse(String(await page.getByTestId('execution-output').textContent())), {
      charged: 7,
      prepared: true,
    });
    // It resumed at Charge: Prepare ran once, Charge twice (failed, then after the redrive).
    const rows = await history
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    const entered = (state: string) => rows.filter((r) => r[2]?.endsWith('StateEntered') && r[3] === state);
    assert.equal(entered('Prepare').length, 1, 'Prepare is not run again');
    assert.equal(entered('Charge').length, 2);
    const order = rows.map((r) => r[2]);
    assert.ok(order.indexOf('ExecutionFailed') < order.indexOf('ExecutionRedriven'));
    assert.ok(order.indexOf('ExecutionRedriven') < order.lastIndexOf('TaskStateEntered'));
    const view = await p.json<{ status: string; redriveCount: number }>(
      'GET',
      `/v1/executions/${encodeURIComponent(arn)}`,
    );
    assert.deepEqual([view.body.status, view.body.redriveCount], ['SUCCEEDED', 1]);
    await assertAccessible(page, 'redriven execution');
    await shot(page, 'workflow-redriven-light');
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
