/**
 * MQTT 5 topic filters at QoS 1 with a persistent session (clean: false, fixed client id): the
 * PUBACK is sent only after the function succeeded (or the record was dead-lettered), and the
 * broker keeps what arrives while Nimbus is down. MQTT acknowledges in order, so records arrive
 * one at a time per connection; the batch window still groups them.
 */
import mqtt from 'mqtt';
import type { Connector } from '../types.ts';
import { decodeBody, headerText, str } from './util.ts';

export function mqttConnector(
  config: Readonly<Record<string, unknown>>,
  sourceId: string,
  onError: (e: unknown) => void,
): Connector {
  let client: mqtt.MqttClient | undefined;
  return {
    async start(push) {
      const topic = str(config, 'topic');
      client = await mqtt.connectAsync(str(config, 'url', 'mqtt://127.0.0.1:1883'), {
        clientId: typeof config.clientId === 'string' ? config.clientId : `nimbus-${sourceId}`,
        // MQTT 5: mqtt.js defers the PUBACK to us only on v5; a session that outlives the
        // connection (clean start off + expiry) keeps QoS 1 messages while Nimbus is away.
        protocolVersion: 5,
        clean: false,
        properties: {
          sessionExpiryInterval:
            typeof config.sessionExpirySec === 'number' ? config.sessionExpirySec : 86_400,
        },
        reconnectPeriod: 500,
        customHandleAcks: (t, message, packet, done) => {
          const id = `${t}#${packet.messageId ?? ''}#${Date.now()}`;
          push({
            id,
            record: {
              eventSource: 'nimbus:mqtt',
              messageId: id,
              topic: t,
              qos: packet.qos,
              retain: packet.retain,
              dup: packet.dup,
              data: decodeBody(message),
            },
            // MQTT 5 user properties carry the W3C trace context (as OpenTelemetry's MQTT propagation).
            traceparent: headerText(packet.properties?.userProperties?.traceparent),
            ack: async () => done(0),
          });
        },
      });
      client.on('error', onError);
      await client.subscribeAsync(topic, { qos: 1 });
    },
    async close() {
      await client?.endAsync(true).catch(() => {});
    },
    dropConnection() {
      (client as unknown as { stream?: { destroy(): void } })?.stream?.destroy();
    },
  };
}
