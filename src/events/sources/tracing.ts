/**
 * Traces of event-source invocations (broker connectors and the SQS poller). A batch is one
 * invocation, so it gets one CONSUMER span (`process <fn>`, one per attempt): its parent is the
 * context the batch's first traced message carries (a NATS/AMQP `traceparent` header, an MQTT 5
 * user property, an SQS `AWSTraceHeader`), so a batch of one continues its producer's trace; the
 * other messages' contexts are links (OpenTelemetry's batch-receive shape). No traced message: a
 * new root per batch. Tracing off: no span, the invocation just continues the first context.
 */
import type { SourceKind } from '../../core/types.ts';
import { validTraceparent } from '../../observability/trace-context.ts';
import type { SpanHandle, Tracing } from '../../observability/tracing.ts';

/** Links kept per batch span (a batch can hold 1000 messages). */
const MAX_LINKS = 32;

/** The first valid context of a batch (tracing off: what the invocation continues). */
export function firstContext<T>(
  items: readonly T[],
  contextOf: (x: T) => string | undefined,
): string | undefined {
  for (const x of items) {
    const c = contextOf(x);
    if (c === undefined) continue;
    const v = validTraceparent(c);
    if (v) return v;
  }
  return undefined;
}

/** The parent (the first valid context) and the distinct others as links. */
export function batchLinks(contexts: Iterable<string | undefined>): { parent?: string; links: string[] } {
  const seen = new Set<string>();
  let parent: string | undefined;
  const links: string[] = [];
  for (const c of contexts) {
    const v = c === undefined ? undefined : validTraceparent(c);
    if (!v || seen.has(v)) continue;
    seen.add(v);
    if (parent === undefined) parent = v;
    else if (links.length < MAX_LINKS) links.push(v);
    else break;
  }
  return parent === undefined ? { links } : { parent, links };
}

/** OpenTelemetry's `messaging.system` per source kind. */
const SYSTEMS: Record<SourceKind, string> = {
  sqs: 'aws_sqs',
  nats: 'nats',
  jetstream: 'nats',
  rabbitmq: 'rabbitmq',
  mqtt: 'mqtt',
  redis: 'redis',
  postgres: 'postgresql',
};

export interface SourceSpanInfo {
  readonly tenant: string;
  readonly functionName: string;
  readonly sourceId: string;
  readonly kind: SourceKind;
  /** The queue, subject, stream, topic or tables consumed. */
  readonly destination: string | undefined;
  readonly count: number;
  /** The message id when the batch holds one message. */
  readonly messageId?: string | undefined;
  readonly attempt?: number | undefined;
}

/** The batch's CONSUMER span (tracing on). */
export function sourceSpan(
  t: Tracing,
  s: SourceSpanInfo,
  contexts: Iterable<string | undefined>,
): SpanHandle {
  const { parent, links } = batchLinks(contexts);
  return t.start(`process ${s.functionName}`, {
    kind: 'consumer',
    parent,
    ...(links.length > 0 ? { links } : {}),
    attributes: {
      'messaging.system': SYSTEMS[s.kind],
      'messaging.operation.type': 'process',
      'messaging.destination.name': s.destination,
      'messaging.batch.message_count': s.count,
      'messaging.message.id': s.messageId,
      'nimbus.tenant': s.tenant,
      'faas.invoked_name': s.functionName,
      'nimbus.source': `${s.kind}:${s.sourceId}`,
      'nimbus.source.id': s.sourceId,
      'nimbus.source.kind': s.kind,
      'nimbus.attempt': s.attempt,
    },
  });
}

/** The config key naming what a source consumes. */
const CONSUMES: Record<SourceKind, string> = {
  sqs: 'queue',
  nats: 'subject',
  jetstream: 'stream',
  rabbitmq: 'queue',
  mqtt: 'topic',
  redis: 'stream',
  postgres: 'tables',
};

/** What a source consumes, for `messaging.destination.name`. */
export function destinationOf(
  kind: SourceKind,
  config: Readonly<Record<string, unknown>>,
): string | undefined {
  if (kind === 'postgres') {
    const tables = Array.isArray(config.tables) ? config.tables : [config.table];
    return tables.filter((x) => typeof x === 'string').join(',') || undefined;
  }
  const v = config[CONSUMES[kind]];
  return typeof v === 'string' ? v : undefined;
}
