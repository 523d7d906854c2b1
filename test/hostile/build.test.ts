/**
 * Hostile battery, deploy-time builds: a build step is untrusted work. Run through the platform's
 * StepJail (both sandbox kinds), a step sees its code root and its toolchain, and nothing else:
 * not the data dir, not the host's files or services, not the network; it runs as uid 65534 and
 * its whole tree dies at the deadline.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runBuildStep } from '../../src/registry/build/index.ts';
import { createStepJail } from '../../src/runtime/index.ts';
import { sandboxKinds } from './support.ts';

for (const { kind, skip } of sandboxKinds()) {
  describe(`hostile builds (${kind})`, { skip }, () => {
    let dataDir: string;
    let port: number;
    const server = createServer((c) => c.end('host service'));
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'nimbus-hostile-data-'));
      await writeFile(join(dataDir, 'master.key'), 'MASTER-KEY-SECRET');
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    after(() => server.close());

    const jailed = async (script: string, timeoutMs = 20_000) => {
      const jail = createStepJail({ kind, hiddenPaths: [dataDir] });
      assert.ok(jail, 'a sandbox is available');
      const code = await mkdtemp(join(tmpdir(), 'nimbus-build-'));
      await writeFile(join(code, 'index.ts'), 'export const handler = async () => 1;');
      return runBuildStep(['/bin/sh', '-c', script], {
        codeRoot: code,
        timeoutMs,
        memoryMb: 256,
        jail,
        name: 'probe',
      });
    };

    it('sees neither the data dir, the host files, the host services nor the network', async () => {
      const r = await jailed(
        [
          `cat ${dataDir}/master.key 2>&1 || true`,
          'cat /etc/shadow 2>&1 || true',
          'ls /root /home /run 2>&1 || true',
          'echo uid=$(id -u)',
          'ls /',
          `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>&1 || true`,
          `/usr/bin/python3 -c "import socket; s=socket.socket(); s.settimeout(1); print(s.connect_ex(('127.0.0.1', ${port})))"`,
          'touch /usr/x /etc/x 2>&1 || true',
          'echo built > ./out.txt && cat ./out.txt',
        ].join('; '),
      );
      const out = r.stdout.toString();
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!out.includes('MASTER-KEY-SECRET'), out);
      assert.ok(!out.includes('root:'), out);
      assert.match(out, /uid=65534/);
      assert.ok(!/\bhost service\b/.test(out), out);
      assert.match(out, /^(111|113|101)$/m, 'the connect to the host service failed');
      assert.match(out, /built/);
      for (const d of ['root', 'home', 'run', 'srv', 'mnt', 'opt'])
        assert.ok(!new RegExp(`^${d}$`, 'm').test(out), `/${d} visible:\n${out}`);
    });

    it('dies whole at its deadline, children included', async () => {
      const t0 = performance.now();
      await assert.rejects(
        jailed('sleep 300 & sleep 300 & while :; do :; done', 1500),
        (e: { code?: string }) => e.code === 'NIMBUS_ERR_DEPLOY_BUILD_TIMEOUT',
      );
      assert.ok(performance.now() - t0 < 5000);
    });
  });
}
