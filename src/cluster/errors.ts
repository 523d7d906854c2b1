/** Coded errors of cluster coordination (leader leases, membership). */
import { defineErrors } from '../core/errors.ts';

export const CoordinationErrors = defineErrors('CLUSTER', {
  /** The abort reason of a leader term's signal. */
  DEPOSED: {
    status: 503,
    kind: 'system',
    message: 'this node no longer leads {lease}: {reason}',
    retryable: true,
  },
  ELECTOR_STOPPED: { status: 503, kind: 'system', message: 'leader elector {holder} is stopped' },
  TIMING: {
    status: 500,
    kind: 'system',
    message: 'cluster timing: {reason}',
    hint: 'lease renewals must come more often than ttl − margin, the margin must exceed the clock skew between nodes',
  },
});
