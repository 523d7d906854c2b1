/** `nimbus dev`: deploys a project, serves its routes, and redeploys on file changes (about as fast as the first deploy). */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fixture } from './helpers.ts';

describe('nimbus dev', () => {
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGTERM');
  });

  it('deploys, serves, and redeploys a changed function while routes stay up', async () => {
    const dir = await fixture({
      'nimbus.yml':
        "service: devdemo\nprovider:\n  runtime: nodejs24.x\nfunctions:\n  greet:\n    handler: index.handler\n    events:\n      - httpApi: 'GET /greet'\n",
      'index.mjs': 'export const handler = async () => ({ v: 1 });\n',
    });
    child = spawn(
      process.execPath,
      ['bin/nimbus.mjs', 'dev', dir, '--port', '0', '--api-port', '0', '--s3-port', '0', '--json'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const events: Record<string, unknown>[] = [];
    const waiters: ((e: Record<string, unknown>) => void)[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => {
      const e = JSON.parse(l) as Record<string, unknown>;
      events.push(e);
      for (const w of waiters.splice(0)) w(e);
    });
    const next = (pred: (e: Record<string, unknown>) => boolean, ms = 30_000) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const hit = events.find(pred);
        if (hit) return resolve(hit);
        const t = setTimeout(() => reject(new Error(`timed out; events: ${JSON.stringify(events)}`)), ms);
        const check = (e: Record<string, unknown>) => {
          if (pred(e)) {
            clearTimeout(t);
            resolve(e);
          } else waiters.push(check);
        };
        waiters.push(check);
      });
    const started = await next((e) => e.event === 'started');
    const initial = await next((e) => e.event === 'deployed' && e.reason === 'start');
    const url = `${started.gatewayUrl}/greet`;
    assert.deepEqual(await (await fetch(url)).json(), { v: 1 });

    const before = events.length;
    const t0 = performance.now();
    await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => ({ v: 2 });\n');
    const redeployed = await next((e) => e.event === 'deployed' && events.indexOf(e) >= before);
    const took = performance.now() - t0;
    assert.deepEqual(await (await fetch(url)).json(), { v: 2 });
    // Not a wall-clock bound (a loaded machine slows both alike): a save redeploys the one changed
    // function in about the time the first deploy took, not by restarting anything.
    assert.ok(
      Number(redeployed.ms) <= 3 * Number(initial.ms) + 200,
      `redeploy took ${redeployed.ms} ms, the first deploy ${initial.ms} ms`,
    );
    console.log(
      `nimbus dev: save → redeployed in ${took.toFixed(0)} ms (deploy ${Number(redeployed.ms).toFixed(0)} ms; first deploy ${Number(initial.ms).toFixed(0)} ms)`,
    );

    await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => ({ v: (;\n');
    await next((e) => e.event === 'error');
    assert.deepEqual(
      await (await fetch(url)).json(),
      { v: 2 },
      'a broken save keeps the last good version serving',
    );
  });
});
