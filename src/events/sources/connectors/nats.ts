/**
 * NATS core subjects (optionally in a queue group). Core NATS is at-most-once: what is published
 * while no subscriber is connected is not kept — use JetStream for durability.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Connector, InboundMessage } from '../types.ts';
import { decodeBody, str } from './util.ts';

export function natsConnector(
  config: Readonly<Record<string, unknown>>,
  onError: (e: unknown) => void,
): Connector {
  let nc: NatsConnection | undefined;
  let seq = 0;
  return {
    async start(push) {
      nc = await connect({
        servers: str(config, 'url', 'nats://127.0.0.1:4222'),
        reconnect: true,
        maxReconnectAttempts: -1,
      });
      const subject = str(config, 'subject');
      const queue = typeof config.queue === 'string' ? config.queue : undefined;
      const sub = nc.subscribe(subject, queue ? { queue } : {});
      void (async () => {
        try {
          for await (const m of sub) {
            const id = `${m.sid}-${++seq}`;
            const msg: InboundMessage = {
              id,
              record: {
                eventSource: 'nimbus:nats',
                messageId: id,
                subject: m.subject,
                data: decodeBody(m.data),
                headers: m.headers
                  ? Object.fromEntries([...m.headers.keys()].map((k) => [k, m.headers!.get(k)]))
                  : {},
              },
              // W3C trace context in a header (what OpenTelemetry's NATS propagation sets).
              traceparent: m.headers?.get('traceparent', 'insensitive') || undefined,
              ack: async () => {},
            };
            push(msg);
          }
        } catch (e) {
          onError(e);
        }
      })();
    },
    async close() {
      await nc?.drain().catch(() => nc?.close());
    },
  };
}
