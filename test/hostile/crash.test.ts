/**
 * Hostile battery, platform crash: a platform SIGKILLed while its instances are frozen (idle)
 * must not leave them behind. A frozen task acts on SIGKILL only once thawed, so bubblewrap's
 * die-with-parent cannot end them; the next Nimbus process to start reaps the cgroups of dead
 * owners (thaw, kill, remove) and the network namespaces they held.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipDirectory } from '../../src/registry/build/index.ts';
import { fixture } from '../helpers.ts';
import { sandboxKinds } from './support.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const SECRET = 'crash-secret-0123456789abcdef';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Processes in the cgroups (any controller) a Nimbus process `owner` made. */
function processesOf(owner: number): number[] {
  const pids = new Set<number>();
  for (const base of [
    '/sys/fs/cgroup/freezer/nimbus',
    '/sys/fs/cgroup/memory/nimbus',
    '/sys/fs/cgroup/nimbus',
  ]) {
    const dir = join(base, String(owner));
    if (!existsSync(dir)) continue;
    for (const c of readdirSync(dir, { withFileTypes: true })) {
      if (!c.isDirectory()) continue;
      for (const l of readFileSync(join(dir, c.name, 'cgroup.procs'), 'utf8').split('\n'))
        if (Number(l) > 0) pids.add(Number(l));
    }
  }
  return [...pids];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const cgroupsOk =
  process.getuid?.() === 0 &&
  (existsSync('/sys/fs/cgroup/freezer') || existsSync('/sys/fs/cgroup/cgroup.controllers'));

for (const { kind, skip } of sandboxKinds()) {
  describe(`platform crash (${kind})`, {
    skip: skip || (!cgroupsOk && process.env.CI !== 'true' && 'needs root and cgroups'),
  }, () => {
    it('frozen instances of a SIGKILLed platform are reaped by the next start, namespaces included', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-crash-'));
      const apiPort = await freePort();
      const api = `http://127.0.0.1:${apiPort}`;
      const auth = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
      const start = (): ChildProcess =>
        spawn(
          process.execPath,
          [
            MAIN,
            'start',
            '--json',
            '--port',
            '0',
            '--api-port',
            String(apiPort),
            '--s3-port',
            '0',
            '--data-dir',
            dataDir,
            '--sandbox',
            kind,
          ],
          {
            stdio: ['ignore', 'ignore', 'inherit'],
            env: {
              ...process.env,
              NIMBUS_ADMIN_KEY_ID: 'NKCRASH0000000000001',
              NIMBUS_ADMIN_SECRET: SECRET,
              NIMBUS_LOG_LEVEL: 'error',
            },
          },
        );
      const up = async (c: ChildProcess) => {
        for (let i = 0; i < 500; i++) {
          if (c.exitCode !== null) throw new Error(`nimbus exited with ${c.exitCode}`);
          try {
            if ((await fetch(`${api}/healthz`)).ok) return;
          } catch {
            // not yet
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error('nimbus did not start');
      };
      const first = start();
      try {
        await up(first);
        const dir = await fixture({
          'index.mjs': 'setInterval(() => {}, 5); export const handler = async () => "idle soon";',
        });
        const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
        const dep = await fetch(`${api}/v1/functions/sleeper`, {
          method: 'PUT',
          headers: auth,
          body: JSON.stringify({ runtime: 'nodejs24.x', handler: 'index.handler', code: { zipBase64: zip } }),
        });
        assert.ok(dep.status < 300, await dep.text());
        const inv = await fetch(`${api}/v1/functions/sleeper/invoke`, {
          method: 'POST',
          headers: auth,
          body: '{}',
        });
        assert.equal(((await inv.json()) as { result: string }).result, 'idle soon');
        const before = processesOf(first.pid!);
        assert.ok(before.length > 0, 'the platform has sandboxed processes');
        const netnsBefore = (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) =>
          n.startsWith(`nimbus-${first.pid}-`),
        );
        first.kill('SIGKILL');
        await new Promise((r) => first.once('exit', r));
        await new Promise((r) => setTimeout(r, 500));
        // The next Nimbus process to start cleans up after the dead one.
        const second = start();
        try {
          await up(second);
          let left = before.filter(alive);
          for (let i = 0; i < 50 && left.length; i++) {
            await new Promise((r) => setTimeout(r, 100));
            left = before.filter(alive);
          }
          assert.deepEqual(left, [], 'processes of the dead platform survived');
          const netnsLeft = netnsBefore.filter((n) => existsSync(`/run/netns/${n}`));
          assert.deepEqual(netnsLeft, [], 'its network namespaces survived');
        } finally {
          second.kill('SIGTERM');
          await new Promise((r) => second.once('exit', r));
        }
      } finally {
        if (first.exitCode === null) first.kill('SIGKILL');
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
