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

/**
 * A destination record sent after an invocation (on success / on failure): a PRODUCER span under
 * the invocation's CONSUMER span; the record is committed with the outcome, so it ends at once.
 */
export function destinationSpan(
  t: Tracing,
  d: { tenant: string; condition: string; type: 'function' | 'webhook'; target: string; queue: string },
  parent: string | undefined,
): SpanHandle {
  const s = t.start(`send ${d.type === 'webhook' ? 'webhook' : d.target}`, {
    kind: 'producer',
    parent,
    attributes: {
      'messaging.system': 'nimbus',
      'messaging.operation.type': 'send',
      'messaging.destination.name': d.queue,
      'nimbus.tenant': d.tenant,
      'nimbus.source': 'destination',
      'nimbus.destination.condition': d.condition,
      'nimbus.destination.type': d.type,
      'faas.invoked_name': d.type === 'function' ? d.target : undefined,
    },
  });
  s.end();
  return s;
}

/**
 * A webhook POST (destination record, subscription delivery): a CLIENT span whose context goes
 * out as the request's `traceparent`. Only the receiver's host and port are recorded: webhook
 * URLs often carry their secret in the path or the query.
 */
export function webhookSpan(
  t: Tracing,
  m: LeasedMessage,
  url: string,
  parent: string | undefined,
): SpanHandle {
  let host: string | undefined;
  let port: number | undefined;
  let scheme: string | undefined;
  try {
    const u = new URL(url);
    host = u.hostname;
    scheme = u.protocol.slice(0, -1);
    port = u.port ? Number(u.port) : scheme === 'https' ? 443 : 80;
  } catch {
    // The POST itself reports the bad URL.
  }
  return t.start('POST', {
    kind: 'client',
    parent,
    attributes: {
      'http.request.method': 'POST',
      'server.address': host,
      'server.port': port,
      'url.scheme': scheme,
      'nimbus.tenant': m.tenant,
      'nimbus.source': m.source,
      'nimbus.delivery': m.id,
      'nimbus.attempt': m.attempts,
    },
  });
}

/** A topic-to-topic forward or an SQS send taken from the queue: a CONSUMER span of the publish. */
export function forwardSpan(
  t: Tracing,
  m: LeasedMessage,
  target: string,
  parent: string | undefined,
): SpanHandle {
  return t.start(`process ${target}`, {
    kind: 'consumer',
    parent,
    attributes: {
      'messaging.system': 'nimbus',
      'messaging.operation.type': 'process',
      'messaging.destination.name': m.queue,
      'messaging.message.id': m.id,
      'nimbus.tenant': m.tenant,
      'nimbus.source': m.source,
      'nimbus.forward': target,
      'nimbus.attempt': m.attempts,
    },
  });
}
