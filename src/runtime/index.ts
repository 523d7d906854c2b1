/**
 * @module runtime
 * Sandboxed instances: the process runtime (bubblewrap + cgroups + prlimit) with a pre-booted
 * generic pool, and the per-language harnesses that run inside it (harness/, sandbox-side code).
 */
export { RuntimeErrors } from './errors.ts';
export {
  createIsolateSandboxFactory,
  createRoutingSandboxFactory,
  type IsolateSandboxOptions,
} from './isolate/index.ts';
export {
  createProcessSandboxFactory,
  type ProcessSandboxFactory,
  type ProcessSandboxOptions,
} from './process/factory.ts';
export { createStepJail } from './process/jail.ts';
export { createEgressNetwork, type EgressNetwork } from './process/network.ts';
