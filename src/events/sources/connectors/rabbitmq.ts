/**
 * RabbitMQ (AMQP 0-9-1) queue consumer with manual acks and a prefetch window. When the
 * connection drops, the broker requeues everything unacked; the connector reconnects and consumes
 * again, so nothing is lost (a record whose function run finished but whose ack was lost is
 * delivered again: at least once).
 */
import amqp from 'amqplib';
import type { Connector, InboundMessage } from '../types.ts';
import { decodeBody, headerText, str, withReconnect } from './util.ts';

type Conn = Awaited<ReturnType<typeof amqp.connect>>;

export function rabbitmqConnector(
  config: Readonly<Record<string, unknown>>,
  onError: (e: unknown) => void,
  prefetch: number,
): Connector {
  let conn: Conn | undefined;
  let closed = false;
  let push: ((m: InboundMessage) => void) | undefined;
  const url = str(config, 'url', 'amqp://guest:guest@127.0.0.1:5672');
  const queue = str(config, 'queue');

  const open = async () => {
    const c = await amqp.connect(url);
    conn = c;
    c.on('error', (e) => onError(e));
    c.on('close', () => {
      if (closed) return;
      void withReconnect(open, () => closed, onError);
    });
    const ch = await c.createChannel();
    await ch.checkQueue(queue);
    await ch.prefetch(Math.max(1, prefetch));
    await ch.consume(
      queue,
      (m) => {
        if (!m) return;
        const id = String(
          m.properties.messageId ?? `${m.fields.deliveryTag}@${c === conn ? 'c' : 'old'}-${Date.now()}`,
        );
        push?.({
          id,
          record: {
            eventSource: 'nimbus:rabbitmq',
            messageId: id,
            queue,
            redelivered: m.fields.redelivered,
            routingKey: m.fields.routingKey,
            exchange: m.fields.exchange,
            headers: m.properties.headers ?? {},
            contentType: m.properties.contentType,
            data: decodeBody(m.content),
          },
          traceparent: headerText(m.properties.headers?.traceparent),
          ack: async () => {
            // A channel closed by a dropped connection cannot ack: the broker requeued it already.
            if (c === conn) ch.ack(m);
          },
        });
      },
      { noAck: false },
    );
  };

  return {
    async start(p) {
      push = p;
      await open();
    },
    async close() {
      closed = true;
      await conn?.close().catch(() => {});
    },
    dropConnection() {
      (
        conn as unknown as { connection?: { stream?: { destroy(e: Error): void } } }
      )?.connection?.stream?.destroy(new Error('connection dropped (simulated network failure)'));
    },
  };
}
