import { defineErrors } from '../core/errors.ts';

export const SchedulerErrors = defineErrors('SCHEDULER', {
  THROTTLED: {
    status: 429,
    kind: 'user',
    message: 'function {function} is at its concurrency limit ({limit}); request throttled',
    hint: 'retry after the Retry-After delay, or raise the function reserved concurrency',
    retryable: true,
  },
  SHUTTING_DOWN: {
    status: 503,
    kind: 'system',
    message: 'the platform is shutting down',
    retryable: true,
  },
});
