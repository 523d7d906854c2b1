/**
 * @module core
 * Domain types, the error taxonomy, ports and the clock. Depends on nothing else in Nimbus.
 */
export * from './clock.ts';
export * from './errors.ts';
export * from './ids.ts';
export type * from './ports.ts';
export * from './types.ts';
