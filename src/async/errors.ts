import { defineErrors } from '../core/errors.ts';

export const AsyncErrors = defineErrors('ASYNC', {
  QUEUE_FULL: {
    status: 429,
    kind: 'user',
    message: '{function} already has {depth} async events waiting (limit {limit}); event not accepted',
    hint: 'retry after the Retry-After delay, raise async.maxQueueDepth, or add concurrency to drain the queue',
    retryable: true,
  },
  QUEUE_TOO_OLD: {
    status: 429,
    kind: 'user',
    message:
      'the oldest waiting async event of {function} is {ageSec} s old (limit {limitSec} s); event not accepted',
    hint: 'the function is not keeping up; retry later or add concurrency',
    retryable: true,
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    kind: 'user',
    message: 'async payload is {size} bytes; the limit is {limit} bytes',
    hint: 'send a reference (e.g. an object key) instead of the data',
  },
  LOOP_DETECTED: {
    status: 508,
    kind: 'user',
    message: 'recursive invocation stopped: {function} was reached through {hops} async hops (limit {limit})',
    hint: 'break the A → B → A chain, or raise NIMBUS_ASYNC_MAX_HOPS if the depth is intended',
  },
  NOT_CANCELLABLE: {
    status: 409,
    kind: 'user',
    message: 'timer {id} has already started or finished; it cannot be cancelled',
  },
  BAD_TIMER: {
    status: 400,
    kind: 'user',
    message: 'invalid timer: {reason}',
    hint: 'give either "at" (ISO time or epoch ms) or "delaySeconds", and a target function',
  },
  UNKNOWN_CALL: {
    status: 400,
    kind: 'user',
    message: 'unknown context call {op}',
  },
  NOT_AVAILABLE: {
    status: 501,
    kind: 'user',
    message: '{feature} is not available yet',
  },
  EGRESS_DENIED: {
    status: 400,
    kind: 'user',
    message: 'the platform may not call {url}: {reason}',
    hint: 'webhooks and destinations reach public addresses only; an administrator can allow a private receiver with NIMBUS_EGRESS_ALLOW_CIDRS',
  },
});
