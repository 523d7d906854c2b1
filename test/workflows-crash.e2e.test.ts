/**
 * Workflows survive a crash of the platform: a real `nimbus start` process is SIGKILLed three
 * times — while a Parallel branch's Task runs, while a Map iteration runs, and during a Wait —
 * and restarted on the same data directory each time. Every execution resumes from its last
 * committed transition and succeeds with the full output; a Task that was in flight at a crash
 * runs again (at-least-once) with the same request id (the stable idempotency key).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { zipFiles } from '../src/registry/build/index.ts';
import { waitUntil } from './helpers.ts';
import { freePort, startNimbusProcess } from './support/nimbus-process.ts';
import { sinkSkip, startSink } from './support/sink.ts';

const KEY_ID = 'NKWFCRASH00000000001';
const SECRET = 'wf-crash-secret-0123456789abcdef';

describe('workflows: SIGKILL of the platform mid-run', { skip: sinkSkip(), timeout: 300_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('resumes executions killed during a Parallel branch, a Map iteration and a Wait', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-wfcrash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const auth = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
    /** tag → the request ids the function saw for it, in order. */
    const seen = new Map<string, string[]>();
    const sink = await startSink((r) => {
      const u = new URL(r.url, 'http://x');
      const tag = u.searchParams.get('tag') ?? '';
      seen.set(tag, [...(seen.get(tag) ?? []), u.searchParams.get('rid') ?? '']);
    });
    cleanups.push(() => sink.close());
    let child: ChildProcess | undefined;
    const start = async () => {
      child = await startNimbusProcess({
        apiPort,
        dataDir,
        env: { NIMBUS_ADMIN_KEY_ID: KEY_ID, NIMBUS_ADMIN_SECRET: SECRET, NIMBUS_LOG_LEVEL: 'error' },
      });
    };
    const kill = async () => {
      const c = child!;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    };
    cleanups.push(() => {
      child?.kill('SIGKILL');
    });
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${api}${path}`, {
        method,
        headers: auth,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    await start();

    const zip = zipFiles({
      'index.mjs': new TextEncoder().encode(`export const handler = async (e, ctx) => {
        await (await fetch(process.env.SINK + '/start?tag=' + e.tag + '&rid=' + ctx.awsRequestId)).text();
        await new Promise((r) => setTimeout(r, e.ms));
        return { tag: e.tag, rid: ctx.awsRequestId };
      };`),
    });
    await call('PUT', '/v1/functions/step', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      timeoutSec: 30,
      environment: { SINK: sink.url },
      code: { zipBase64: Buffer.from(zip).toString('base64') },
    });
    const task = (tag: string, ms: number) => ({
      Type: 'Task',
      Resource: 'step',
      Parameters: { tag, ms },
      End: true,
    });
    await call('PUT', '/v1/workflows/crashy', {
      definition: {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: task('a', 2000) } },
              { StartAt: 'B', States: { B: task('b', 2000) } },
            ],
            ResultPath: '$.fan',
            Next: 'Each',
          },
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            MaxConcurrency: 2,
            ItemSelector: { 'tag.$': "States.Format('m{}', $$.Map.Item.Value)", ms: 1500 },
            ItemProcessor: {
              StartAt: 'M',
              States: { M: { Type: 'Task', Resource: 'step', End: true } },
            },
            ResultSelector: { 'tags.$': '$[*].tag' },
            ResultPath: '$.each',
            Next: 'Nap',
          },
          Nap: { Type: 'Wait', Seconds: 3, Next: 'Done' },
          Done: { Type: 'Pass', End: true },
        },
      },
    });
    const started = (await call('POST', '/v1/workflows/crashy/executions', {
      name: 'one',
      input: { items: [1, 2, 3, 4] },
    })) as { arn: string };
    const arn = encodeURIComponent(started.arn);
    const history = async () =>
      (
        (await call('GET', `/v1/executions/${arn}/history`)) as {
          events: { type: string; state: string | null }[];
        }
      ).events;

    // 1. During a Parallel branch's Task.
    await waitUntil('a Parallel branch running', () => seen.has('a'), 60_000);
    await kill();
    await start();
    // 2. During a Map iteration.
    await waitUntil('a Map iteration running', () => seen.has('m1'), 60_000);
    await kill();
    await start();
    // 3. During the Wait.
    await waitUntil(
      'the Wait',
      async () => (await history()).some((e) => e.type === 'WaitStateEntered'),
      60_000,
    );
    await kill();
    await start();

    const done = await waitUntil(
      'the execution to end',
      async () => {
        const e = (await call('GET', `/v1/executions/${arn}`)) as {
          status: string;
          output: unknown;
          cause: string;
        };
        return e.status === 'RUNNING' ? undefined : e;
      },
      90_000,
    );
    assert.equal(done.status, 'SUCCEEDED', done.cause);
    const out = done.output as { items: number[]; fan: { tag: string }[]; each: { tags: string[] } };
    assert.deepEqual(out.items, [1, 2, 3, 4]);
    assert.deepEqual(
      out.fan.map((f) => f.tag),
      ['a', 'b'],
    );
    assert.deepEqual(out.each.tags, ['m1', 'm2', 'm3', 'm4']);
    // The Task in flight at the first crash ran again, under the same request id.
    const a = seen.get('a')!;
    assert.ok(a.length >= 2, `task a ran ${a.length} time(s): it was in flight at the crash`);
    assert.equal(new Set(a).size, 1, `task a kept its request id across the crash: ${a.join(', ')}`);
    const m1 = seen.get('m1')!;
    assert.equal(new Set(m1).size, 1, 'the Map iteration kept its request id');
    // Every state transition is in the history once: no state ran twice to completion.
    const events = await history();
    assert.equal(events.filter((e) => e.type === 'WaitStateEntered').length, 1);
    assert.equal(events.filter((e) => e.type === 'MapIterationSucceeded').length, 4);
    assert.equal(events.at(-1)?.type, 'ExecutionSucceeded');
    child?.kill('SIGTERM');
  });
});
