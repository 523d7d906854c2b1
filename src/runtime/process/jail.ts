/**
 * The StepJail for deploy-time builds: the instances' sandbox (same view builder, namespaces,
 * uid 65534, cgroup) around a build step. The step sees the system's /usr, the toolchain paths it
 * is given (read-only), its code root (read-write, at the same path so the caller's paths stay
 * valid), a private /tmp, and a network namespace with only loopback.
 */
import { randomBytes } from 'node:crypto';
import { chown, lstat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepJail } from '../../core/ports.ts';
import { InstanceCgroup } from './cgroups.ts';
import { prepareViewDirs, SANDBOX_UID, sandboxCommand, type ViewDirs } from './command.ts';
import { detectHost } from './host.ts';

/** Gives a tree to the sandbox user (without following links). */
async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, uid);
    else if ((await lstat(p)).isSymbolicLink()) continue;
    else await chown(p, uid, uid);
  }
}

export function createStepJail(o: {
  kind?: 'auto' | 'bwrap' | 'unshare';
  hiddenPaths: readonly string[];
}): StepJail | undefined {
  const host = detectHost(o.kind ?? 'auto', o.hiddenPaths);
  if (host.unavailable()) return undefined;
  const workDir = join(tmpdir(), `nimbus-build-jail-${process.pid}`);
  let viewReady: Promise<ViewDirs> | undefined;
  const dropped = Boolean(host.setpriv);
  return {
    describe: () => `${host.kind} sandbox, uid ${dropped ? SANDBOX_UID : process.getuid?.()}, no network`,
    async own(codeRoot) {
      if (dropped) await chownTree(codeRoot, SANDBOX_UID);
    },
    async prepare(argv, p) {
      if (!viewReady) {
        viewReady = prepareViewDirs(workDir);
        viewReady.catch(() => {
          viewReady = undefined;
        });
      }
      const view = await viewReady;
      const id = `build_${randomBytes(6).toString('hex')}`;
      const cgroup = host.cg.kind === 'none' ? undefined : new InstanceCgroup(host.cg, id, 256);
      // The tool's own limits are in argv; the cgroup is the hard ceiling around all its processes.
      cgroup?.setMemoryLimit((p.memoryMb + 512) * 1024 * 1024);
      const { cmd, args } = sandboxCommand({
        host,
        view,
        cgroupProcs: cgroup?.procsFiles() ?? [],
        runtimeFiles: [argv[0]!, ...p.readOnly],
        writable: [p.codeRoot],
        env: p.env,
        program: argv,
        tmpSizeMb: 512,
        cwd: p.codeRoot,
      });
      return {
        cmd,
        args,
        async release() {
          cgroup?.killAll();
          await cgroup?.remove();
        },
      };
    },
  };
}
