/**
 * NATS JetStream durable consumer (explicit acks): a message is acked only after the function
 * succeeded (or it was dead-lettered); unacked messages come back after `ack_wait`, including
 * everything that was pending when Nimbus stopped.
 */
import { AckPolicy, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Connector, InboundMessage } from '../types.ts';
import { decodeBody, str } from './util.ts';

export function jetstreamConnector(
  config: Readonly<Record<string, unknown>>,
  onError: (e: unknown) => void,
  prefetch: number,
): Connector {
  let nc: NatsConnection | undefined;
  let closed = false;
  let stop: (() => void) | undefined;
  return {
    async start(push) {
      nc = await connect({
        servers: str(config, 'url', 'nats://127.0.0.1:4222'),
        reconnect: true,
        maxReconnectAttempts: -1,
      });
      const stream = str(config, 'stream');
      const durable = str(config, 'durable', 'nimbus');
      const jsm = await jetstreamManager(nc);
      const ackWaitSec = typeof config.ackWaitSec === 'number' ? config.ackWaitSec : 60;
      try {
        await jsm.consumers.info(stream, durable);
      } catch {
        await jsm.consumers.add(stream, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: ackWaitSec * 1_000_000_000,
          ...(typeof config.subject === 'string' ? { filter_subject: config.subject } : {}),
        });
      }
      const consumer = await jetstream(nc).consumers.get(stream, durable);
      const loop = async () => {
        while (!closed) {
          try {
            const messages = await consumer.consume({ max_messages: Math.max(1, prefetch) });
            stop = () => void messages.stop();
            for await (const m of messages) push(toInbound(m, stream));
          } catch (e) {
            if (!closed) {
              onError(e);
              await new Promise((r) => setTimeout(r, 500));
            }
          }
        }
      };
      void loop();
    },
    async close() {
      closed = true;
      stop?.();
      await nc?.drain().catch(() => nc?.close());
    },
    dropConnection() {
      // Simulates a network drop: the client reconnects and unacked messages are redelivered.
      void nc?.reconnect();
    },
  };
}

function toInbound(m: JsMsg, stream: string): InboundMessage {
  const id = `${stream}:${m.seq}`;
  return {
    id,
    record: {
      eventSource: 'nimbus:jetstream',
      messageId: id,
      stream,
      subject: m.subject,
      sequence: m.seq,
      redelivered: m.redelivered,
      deliveryCount: m.info.deliveryCount,
      data: decodeBody(m.data),
    },
    traceparent: m.headers?.get('traceparent', 'insensitive') || undefined,
    ack: async () => {
      await m.ackAck().catch(() => m.ack());
    },
  };
}
