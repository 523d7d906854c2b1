/**
 * Traces across the queue hop (tracing on only). The submit gets a PRODUCER span whose context is
 * stored in the queued envelope (`traceparent`); the dispatch of that message gets a CONSUMER
 * span parented to it, and the invocation's spans hang off the consumer span: a trace survives
 * the queue, a delay, retries (one consumer span per attempt) and a platform restart.
 */
import type { LeasedMessage } from '../core/types.ts';
import type { SpanHandle, Tracing } from '../observability/tracing.ts';

export function producerSpan(
  t: Tracing,
  req: { tenant: string; functionName: string; source: string; traceparent?: string | undefined },
  queue: string,
): SpanHandle {
  return t.start(`send ${req.functionName}`, {
    kind: 'producer',
    parent: req.traceparent,
    attributes: {
      'messaging.system': 'nimbus',
      'messaging.operation.type': 'send',
      'messaging.destination.name': queue,
      'nimbus.tenant': req.tenant,
      'faas.invoked_name': req.functionName,
      'nimbus.source': req.source,
    },
  });
}

export function consumerSpan(
  t: Tracing,
  m: LeasedMessage,
  fn: string,
  traceparent: string | undefined,
): SpanHandle {
  return t.start(`process ${fn}`, {
    kind: 'consumer',
    parent: traceparent,
    attributes: {
      'messaging.system': 'nimbus',
      'messaging.operation.type': 'process',
      'messaging.destination.name': m.queue,
      'messaging.message.id': m.id,
      'nimbus.tenant': m.tenant,
      'faas.invoked_name': fn,
      'nimbus.source': m.source,
      'nimbus.attempt': m.attempts,
    },
  });
}

/** Ends the producer span when the enqueue settles (with the message id, or failed). */
export function endSent(span: SpanHandle, enqueued: Promise<readonly { id: string }[]>): void {
  enqueued.then(
    (rs) => {
      span.set('messaging.message.id', rs[0]?.id);
      span.end();
    },
    (e: unknown) => {
      span.fail(e instanceof Error ? e.message : 'enqueue failed');
      span.end();
    },
  );
}
