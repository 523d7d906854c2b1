import { defineErrors } from '../core/errors.ts';

export const ConsoleErrors = defineErrors('CONSOLE', {
  BUILD_UNAVAILABLE: {
    status: 503,
    kind: 'system',
    message: 'the web console is not built and cannot be built here: {reason}',
    hint: 'install the dev dependencies (npm install) and reload, or build it once with `npm run console:build`',
  },
  BUILD_FAILED: {
    status: 500,
    kind: 'system',
    message: 'building the web console failed: {reason}',
    hint: 'run `npm run console:build` to see the full Vite output',
  },
});
