/**
 * `nimbus top` in a real terminal (tmux, 120×30) against a real platform under load: the screen
 * shows the header, totals and one row per function; keys re-sort; `q` quits. Piped, it prints
 * one snapshot and exits. `NIMBUS_UPDATE_DOCS=1` saves a capture to docs/top.txt (the README's).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { cliRunner, fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';

const run = promisify(execFile);
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

describe('nimbus top (e2e, tmux)', { skip: hasTmux ? false : 'tmux is not installed' }, () => {
  let p: TestPlatform;
  const session = `nimbus-top-${process.pid}`;
  let load = true;
  let loader: Promise<void> = Promise.resolve();
  const env = () => ({
    ...process.env,
    NIMBUS_ENDPOINT: p.apiUrl,
    NIMBUS_KEY_ID: p.admin.keyId,
    NIMBUS_SECRET: p.secret,
  });
  const capture = async () => (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout;

  before(async () => {
    p = await startTestPlatform();
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => {
        if (e.sleep) await new Promise((r) => setTimeout(r, e.sleep));
        if (e.fail) throw new Error('no');
        return 1;
      };`,
    });
    for (const name of ['busy-api', 'slow-report', 'flaky-job'])
      assert.ok(
        (await p.deployDir(name, dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
      );
    const call = (fn: string, body: unknown) =>
      p.api('POST', `/v1/functions/${fn}/invoke`, body).then((r) => r.text());
    // Steady load: busy-api often, slow-report slowly, flaky-job failing half the time.
    loader = (async () => {
      let i = 0;
      while (load) {
        await Promise.all([
          call('busy-api', {}),
          call('busy-api', {}),
          i % 4 === 0 ? call('slow-report', { sleep: 120 }) : undefined,
          i % 2 === 0 ? call('flaky-job', { fail: i % 4 === 0 }) : undefined,
        ]);
        i++;
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
  });
  after(async () => {
    load = false;
    await loader;
    await run('tmux', ['kill-session', '-t', session]).catch(() => undefined);
    await p?.stop();
  });

  it('shows the functions live, re-sorts on keys and quits on q', async () => {
    const e = env();
    const cmd = `NIMBUS_ENDPOINT=${e.NIMBUS_ENDPOINT} NIMBUS_KEY_ID=${e.NIMBUS_KEY_ID} NIMBUS_SECRET=${e.NIMBUS_SECRET} ${process.execPath} src/cli/main.ts top; echo EXITED-$?; sleep 30`;
    await run('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', cmd]);
    const screen = await waitUntil(
      'top to show all three functions with traffic',
      async () => {
        const s = await capture();
        return (
          /busy-api/.test(s) && /slow-report/.test(s) && /flaky-job/.test(s) && !/req\/s 0 /.test(s) && s
        );
      },
      20_000,
    );
    assert.match(
      screen,
      /^nimbus top — http:\/\/127\.0\.0\.1:\d+ — \d\d:\d\d:\d\d UTC — last 5s — sort: req\/s/m,
    );
    assert.match(screen, /^functions 3 {2}req\/s [\d.]+ {2}errors\/s [\d.]+/m);
    assert.match(screen, /FUNCTION +REQ\/S +ERR\/S +THR\/S +P50 MS +P99 MS +RUN +INST +COST/);
    const rows = (s: string) =>
      s
        .split('\n')
        .map((l) => l.split(/\s+/)[0])
        .filter((n) => n === 'busy-api' || n === 'slow-report' || n === 'flaky-job');
    assert.equal(rows(screen)[0], 'busy-api', 'sorted by req/s: the busiest first');
    assert.match(screen, /r req\/s {2}e errors {2}p p99 {2}n name {2}q quit/);
    // NIMBUS_UPDATE_DOCS=1 refreshes docs/top.txt (the empty rows above the key line left out).
    if (process.env.NIMBUS_UPDATE_DOCS === '1')
      await writeFile('docs/top.txt', `$ nimbus top\n${screen.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`);

    await run('tmux', ['send-keys', '-t', session, 'p']);
    const byP99 = await waitUntil('sort by p99', async () => {
      const s = await capture();
      return /sort: p99/.test(s) && s;
    });
    assert.equal(rows(byP99)[0], 'slow-report', 'the slowest p99 first');
    await run('tmux', ['send-keys', '-t', session, 'n']);
    const byName = await waitUntil('sort by name', async () => {
      const s = await capture();
      return /sort: name/.test(s) && s;
    });
    assert.deepEqual(rows(byName), ['busy-api', 'flaky-job', 'slow-report']);
    await run('tmux', ['send-keys', '-t', session, 'e']);
    const byErr = await waitUntil('sort by errors', async () => {
      const s = await capture();
      return /sort: errors\/s/.test(s) && s;
    });
    assert.equal(rows(byErr)[0], 'flaky-job');
    await run('tmux', ['send-keys', '-t', session, 'q']);
    const done = await waitUntil('top to quit', async () => {
      const s = await capture();
      return /EXITED-\d+/.test(s) && s;
    });
    assert.match(done, /EXITED-0/);
  });

  it('prints one snapshot and exits when piped', async () => {
    const r = await cliRunner(env)('top');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^nimbus top — /);
    assert.match(r.stdout, /busy-api/);
    assert.ok(!r.stdout.includes('\u001b['), 'no escape codes when piped');
    const j = await cliRunner(env)('top', '--json');
    assert.equal(j.code, 0, j.stderr);
    assert.ok((JSON.parse(j.stdout) as { functions: unknown[] }).functions.length >= 3);
  });
});
