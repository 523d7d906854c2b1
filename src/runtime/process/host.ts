/**
 * What this host offers to jail processes, detected once per factory: the sandbox tool (bubblewrap,
 * or util-linux unshare when bwrap is missing and we are root), privilege drop, rlimits, cgroups,
 * and which hidden paths exist. Shared by the process and the isolate factories.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeErrors } from '../errors.ts';
import { type CgroupMode, detectCgroups } from './cgroups.ts';

/** Absolute path of a system binary in the usual directories (not PATH: the sandbox has its own). */
export function which(bin: string): string | undefined {
  for (const dir of ['/usr/bin', '/usr/local/bin', '/bin', '/usr/sbin', '/sbin']) {
    const p = join(dir, bin);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface HostSandbox {
  readonly kind: 'bwrap' | 'unshare';
  readonly bwrap: string | undefined;
  readonly unshare: string | undefined;
  readonly setpriv: string | undefined;
  readonly prlimit: string | undefined;
  readonly isRoot: boolean;
  readonly cg: CgroupMode;
  /** The requested hidden paths that exist, deduplicated. */
  readonly hidden: string[];
  /** Why the chosen sandbox cannot run here, or undefined. */
  unavailable(): Error | undefined;
}

export function detectHost(
  requested: 'auto' | 'bwrap' | 'unshare',
  hiddenPaths: readonly string[],
): HostSandbox {
  const bwrap = which('bwrap');
  const unshare = which('unshare');
  const isRoot = process.getuid?.() === 0;
  const setpriv = isRoot ? which('setpriv') : undefined;
  // auto: bubblewrap when installed, else the util-linux unshare fallback (needs root + setpriv).
  const kind: 'bwrap' | 'unshare' =
    requested === 'auto' ? (bwrap || !isRoot || !unshare || !setpriv ? 'bwrap' : 'unshare') : requested;
  return {
    kind,
    bwrap,
    unshare,
    setpriv,
    prlimit: which('prlimit'),
    isRoot,
    cg: isRoot ? detectCgroups() : { kind: 'none', reason: 'not running as root' },
    hidden: [...new Set(hiddenPaths)].filter((p) => existsSync(p)),
    unavailable() {
      if (kind === 'bwrap' && !bwrap) {
        return RuntimeErrors.SANDBOX_UNAVAILABLE({
          sandbox: 'bwrap',
          reason: 'bubblewrap (bwrap) is not installed and the unshare fallback needs root',
        });
      }
      if (kind === 'unshare' && (!isRoot || !unshare || !setpriv)) {
        return RuntimeErrors.SANDBOX_UNAVAILABLE({
          sandbox: 'unshare',
          reason: 'the unshare sandbox needs root, util-linux unshare and setpriv',
        });
      }
      return undefined;
    },
  };
}
