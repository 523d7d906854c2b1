/**
 * @module runtime/isolate
 * The isolate-class runtime (opt-in per function with `isolation: 'isolate'`): V8 isolates
 * (isolated-vm) inside one sandboxed host process per tenant, and the routing factory that sends
 * each function to the isolate or the process runtime. host.worker.mjs is sandbox-side code.
 */
export { createIsolateSandboxFactory, type IsolateSandboxOptions } from './factory.ts';
export { createRoutingSandboxFactory } from './routing.ts';
