import { defineErrors } from '../core/errors.ts';

/** Errors an instance can produce. They cross the sandbox boundary as data. */
export const RuntimeErrors = defineErrors('RUNTIME', {
  TIMEOUT: {
    status: 504,
    kind: 'user',
    message: 'function {function} timed out after {timeoutSec} s',
    hint: 'raise the function timeout (1–900 s) or make the handler finish sooner',
  },
  OOM: {
    status: 502,
    kind: 'user',
    message: 'function {function} ran out of memory (limit {memoryMb} MB)',
    hint: 'raise the function memory size (128–10240 MB) or use less memory',
  },
  CRASH: {
    status: 502,
    kind: 'user',
    message: 'function {function} process exited during the invocation ({reason})',
    hint: 'do not call process.exit() or kill the process from a handler',
  },
  INIT: {
    status: 502,
    kind: 'user',
    message: 'function {function} failed to initialize: {reason}',
    hint: 'fix the error raised while importing the handler module (see logs)',
  },
  HANDLER_NOT_FOUND: {
    status: 502,
    kind: 'user',
    message: 'handler {handler} not found in {entry}',
    hint: 'export a function named like the part after the dot in the handler setting',
  },
  RESPONSE_TOO_LARGE: {
    status: 502,
    kind: 'user',
    message: 'function response is {size} bytes; the limit is {limit} bytes',
  },
  UNAVAILABLE: {
    status: 503,
    kind: 'system',
    message: 'no instance could be started: {reason}',
    retryable: true,
  },
  SANDBOX_UNAVAILABLE: {
    status: 500,
    kind: 'system',
    message: 'sandbox {sandbox} is not usable on this machine: {reason}',
    hint: 'install bubblewrap (apt-get install bubblewrap) or run `nimbus doctor`',
  },
  UNSUPPORTED_RUNTIME: {
    status: 400,
    kind: 'user',
    message: 'runtime {runtime} is not supported here',
    hint: 'use a Node (nodejs12.x–nodejs24.x), Python (python3.7–python3.14), Java (java8–java25) or provided runtime id',
  },
});
