/**
 * @module console
 * The web console (issue 19): the React app in console/ built with Vite on demand and served at
 * `/console` on the API port. It talks to the public REST API only, with the user's key.
 */

export type { BuildReport, ConsolePaths } from './build.ts';
export { buildConsole, consolePaths, staleReason } from './build.ts';
export { ConsoleErrors } from './errors.ts';
export { CONSOLE_PREFIX, registerConsole } from './serve.ts';
