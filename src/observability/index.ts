/**
 * @module observability
 * Function logs: capture (batched), Lambda START/END/REPORT lines, tail, query and follow.
 */
export * from './logs.ts';
