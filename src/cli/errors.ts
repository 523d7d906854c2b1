import { defineErrors } from '../core/errors.ts';

export const CliErrors = defineErrors('CLI', {
  NO_CREDENTIALS: {
    status: 401,
    kind: 'user',
    message: 'no Nimbus credentials found (looked in {where})',
    hint: 'set NIMBUS_KEY_ID and NIMBUS_SECRET, run the CLI from the folder where `npm start` created .nimbus/, or pass --data-dir',
  },
  NOT_RUNNING: {
    status: 503,
    kind: 'user',
    message: 'Nimbus is not running at {endpoint}',
    hint: 'start it with `npm start` (or `npx nimbus start`), or set NIMBUS_ENDPOINT',
  },
  BAD_ARGUMENT: { status: 400, kind: 'user', message: '{reason}', hint: 'see `nimbus {command} --help`' },
  FUNCTION_FAILED: { status: 200, kind: 'user', message: 'the function failed: {errorType}: {errorMessage}' },
});
