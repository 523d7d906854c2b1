import { it } from 'node:test';
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

// The util-linux fallback used when bubblewrap is absent; it needs root. In CI it always runs (and
// fails loudly without root) instead of being skipped unnoticed.
if (process.getuid?.() === 0 || process.env.CI === 'true') {
  describeSandboxContract('process/unshare', async ({ hiddenDir }) =>
    createProcessSandboxFactory({
      kind: 'unshare',
      poolSize: 2,
      hiddenPaths: [hiddenDir],
      clock: systemClock,
      initTimeoutMs: 1500,
    }),
  );
} else {
  it('Sandbox contract: process/unshare', { skip: 'the unshare sandbox needs root' }, () => {});
}
