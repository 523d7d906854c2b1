import { realpathSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../core/clock.ts';
import { describeSandboxContract } from './contract.ts';
import { createProcessSandboxFactory } from './index.ts';

describeSandboxContract('process/bwrap', async ({ hiddenDir }) =>
  createProcessSandboxFactory({
    kind: 'bwrap',
    poolSize: 2,
    hiddenPaths: [hiddenDir],
    clock: systemClock,
    initTimeoutMs: 1500,
  }),
);

// The util-linux fallback used when bubblewrap is absent. It replaces /tmp wholesale, so it cannot
// run a checkout that itself lives under /tmp (the factory reports that as SANDBOX_UNAVAILABLE).
const underTmp = [process.execPath, fileURLToPath(import.meta.url)].some((p) =>
  realpathSync(p).startsWith('/tmp/'),
);
if (process.getuid?.() !== 0 || underTmp) {
  it('Sandbox contract: process/unshare', {
    skip: underTmp
      ? 'checkout under /tmp: the unshare sandbox cannot run it (bwrap is covered above)'
      : 'needs root',
  }, () => {});
} else {
  describeSandboxContract('process/unshare', async ({ hiddenDir }) =>
    createProcessSandboxFactory({
      kind: 'unshare',
      poolSize: 2,
      hiddenPaths: [hiddenDir],
      clock: systemClock,
      initTimeoutMs: 1500,
    }),
  );
}
