import { defineErrors } from '../core/errors.ts';

export const SchedulerErrors = defineErrors('SCHEDULER', {
  THROTTLED: {
    status: 429,
    kind: 'user',
    message: 'function {function} is at its concurrency limit ({limit}); request throttled',
    hint: 'retry after the Retry-After delay, or raise the function reserved concurrency',
    retryable: true,
  },
  TENANT_THROTTLED: {
    status: 429,
    kind: 'user',
    message:
      'the account concurrency limit ({limit}, of which {reserved} reserved by functions) is reached; request to {function} throttled',
    hint: 'retry after the Retry-After delay, or raise NIMBUS_TENANT_CONCURRENCY',
    retryable: true,
  },
  NODE_CAPACITY: {
    status: 429,
    kind: 'system',
    message:
      'no memory left on this node for another {memoryMb} MB instance of {function} (budget {budgetMb} MB, all instances busy)',
    hint: 'retry after the Retry-After delay, or raise NIMBUS_NODE_MEMORY_MB',
    retryable: true,
  },
  SHUTTING_DOWN: {
    status: 503,
    kind: 'system',
    message: 'the platform is shutting down',
    retryable: true,
  },
});
