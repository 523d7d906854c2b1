/** The coded errors of cluster mode: one `CLUSTER` area (coordination, NATS, roles, routing). */
import { defineErrors } from '../core/errors.ts';

export const ClusterErrors = defineErrors('CLUSTER', {
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
  NATS_UNREACHABLE: {
    status: 503,
    kind: 'system',
    message: 'cannot reach NATS at {servers}: {reason}',
    hint: 'check --nats (NIMBUS_NATS) and that the server runs with JetStream (-js)',
  },
  NOT_THIS_ROLE: {
    status: 421,
    kind: 'user',
    message: 'node {node} does not have the {role} role',
    hint: 'send this request to a node with that role (its Kubernetes Service, or --roles)',
  },
  FORWARD_TIMEOUT: {
    status: 504,
    kind: 'system',
    retryable: true,
    message: 'node {node} accepted the invocation of {function} but did not answer within {ms} ms',
    hint: 'the invocation may have run; retry if it is idempotent',
  },
});
