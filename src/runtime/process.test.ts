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
