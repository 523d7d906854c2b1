/**
 * External brokers as event sources (like Lambda event source mappings): a connector consumes
 * from the broker; the runner batches, invokes the function synchronously, acks only after
 * success, retries failures, honours `batchItemFailures`, and dead-letters what keeps failing.
 */

import type { SourceKind } from '../../core/types.ts';

export type { SourceKind, SourceRecord } from '../../core/types.ts';

/** A source's config as the API shows it: URL passwords and secret-ish keys hidden. */
export function redactSourceConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  if (typeof out.url === 'string') {
    try {
      const u = new URL(out.url);
      if (u.password) u.password = '***';
      out.url = u.toString();
    } catch {
      out.url = '***';
    }
  }
  for (const k of Object.keys(out)) if (/pass|secret|token/i.test(k)) out[k] = '***';
  return out;
}

/** One consumed broker message. */
export interface InboundMessage {
  /** Stable per message: the `itemIdentifier` of `batchItemFailures`. */
  readonly id: string;
  /** What the function receives for it inside `{ Records: [...] }`. */
  readonly record: Readonly<Record<string, unknown>>;
  /**
   * The W3C `traceparent` the message carries (a NATS or AMQP header, an MQTT 5 user property),
   * unvalidated: the runner checks it. The invocation continues that trace.
   */
  readonly traceparent?: string | undefined;
  /** Done with it (processed, or dead-lettered): the broker may forget it. */
  ack(): Promise<void>;
}

export interface Connector {
  /** Connects and starts delivering; reconnects by itself until closed. */
  start(push: (m: InboundMessage) => void): Promise<void>;
  /** Backpressure from the runner (optional: brokers with prefetch/credit need none). */
  pause?(): void;
  resume?(): void;
  close(): Promise<void>;
  /** For tests and status: drops the current connection as a network failure would. */
  dropConnection?(): void;
}

export interface SourceStatus {
  readonly id: string;
  readonly kind: SourceKind;
  readonly connected: boolean;
  readonly received: number;
  readonly succeeded: number;
  readonly retried: number;
  readonly deadLettered: number;
  readonly inFlightBatches: number;
  readonly lastError?: string | undefined;
}
