/**
 * Hostile battery, platform crash: a platform SIGKILLed while its instances are frozen (idle)
 * must not leave them behind. A frozen task acts on SIGKILL only once thawed, so bubblewrap's
 * die-with-parent cannot end them; the next Nimbus process to start reaps the cgroups of dead
 * owners (thaw, kill, remove) and the network namespaces they held.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zipDirectory } from '../../src/registry/build/index.ts';
import { fixture } from '../helpers.ts';
import { freePort, startNimbusProcess } from '../support/nimbus-process.ts';
import { sandboxKinds } from './support.ts';

const SECRET = 'crash-secret-0123456789abcdef';

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
      const start = () =>
        startNimbusProcess({
          apiPort,
          dataDir,
          args: ['--sandbox', kind],
          env: {
            NIMBUS_ADMIN_KEY_ID: 'NKCRASH0000000000001',
            NIMBUS_ADMIN_SECRET: SECRET,
            NIMBUS_LOG_LEVEL: 'error',
          },
          timeoutMs: 20_000,
        });
      let first: ChildProcess | undefined;
      try {
        first = await start();
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
        const pid = first.pid!;
        const before = processesOf(pid);
        assert.ok(before.length > 0, 'the platform has sandboxed processes');
        const netnsBefore = (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) =>
          n.startsWith(`nimbus-${pid}-`),
        );
        const gone = new Promise((r) => first?.once('exit', r));
        first.kill('SIGKILL');
        await gone;
        await new Promise((r) => setTimeout(r, 500));
        // The next Nimbus process to start cleans up after the dead one.
        const second = await start();
        try {
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
        if (first && first.exitCode === null) first.kill('SIGKILL');
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
