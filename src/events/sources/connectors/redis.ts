/**
 * Redis Streams consumer group: XREADGROUP, XACK after success. On (re)start the consumer first
 * re-reads its own pending entries (delivered before a crash, never acked), and XAUTOCLAIMs
 * entries other consumers left pending for too long.
 */
import { createClient } from 'redis';
import type { Connector, InboundMessage } from '../types.ts';
import { str } from './util.ts';

export function redisConnector(
  config: Readonly<Record<string, unknown>>,
  sourceId: string,
  onError: (e: unknown) => void,
  count: number,
): Connector {
  const url = str(config, 'url', 'redis://127.0.0.1:6379');
  const stream = str(config, 'stream');
  const group = str(config, 'group', 'nimbus');
  const consumer = typeof config.consumer === 'string' ? config.consumer : `nimbus-${sourceId}`;
  const claimIdleMs = typeof config.claimIdleMs === 'number' ? config.claimIdleMs : 60_000;
  type Client = ReturnType<typeof makeClient>;
  const makeClient = () =>
    createClient({ url, socket: { reconnectStrategy: (n: number) => Math.min(2000, 50 * 2 ** n) } });
  let client: Client | undefined;
  let closed = false;
  let paused = false;
  let ownId: number | undefined;

  return {
    async start(push) {
      const c = makeClient();
      client = c;
      c.on('error', (e) => {
        if (!closed) onError(e);
      });
      await c.connect();
      ownId = Number(await c.sendCommand(['CLIENT', 'ID']));
      try {
        await c.xGroupCreate(stream, group, '0', { MKSTREAM: true });
      } catch (e) {
        if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
      }
      const toInbound = (m: { id: string; message: Record<string, string> }): InboundMessage => ({
        id: m.id,
        record: { eventSource: 'nimbus:redis', messageId: m.id, stream, group, data: m.message },
        // XACK is idempotent: retry across a reconnect instead of leaving the entry pending.
        ack: async () => {
          for (let i = 0; ; i++) {
            try {
              await c.xAck(stream, group, m.id);
              return;
            } catch (e) {
              if (i >= 10 || closed) throw e;
              await new Promise((r) => setTimeout(r, 100 * (i + 1)));
            }
          }
        },
      });
      const loop = async () => {
        let cursor = '0'; // own pending entries first, then new ones ('>')
        while (!closed) {
          try {
            if (paused) {
              await new Promise((r) => setTimeout(r, 20));
              continue;
            }
            const claimed = await c.xAutoClaim(stream, group, consumer, claimIdleMs, '0-0', { COUNT: count });
            for (const m of claimed.messages) if (m) push(toInbound(m));
            const res = await c.xReadGroup(
              group,
              consumer,
              { key: stream, id: cursor },
              { COUNT: count, BLOCK: cursor === '>' ? 500 : undefined },
            );
            const entries =
              (res as { messages: { id: string; message: Record<string, string> }[] }[] | null)?.[0]
                ?.messages ?? [];
            for (const m of entries) push(toInbound(m));
            // Reading our own history (cursor is an id): continue after the last one, and switch to
            // new entries ('>') once the history is exhausted.
            if (cursor !== '>') cursor = entries.length === 0 ? '>' : entries.at(-1)!.id;
          } catch (e) {
            if (closed) return;
            onError(e);
            cursor = '0'; // after a reconnect, re-read what we had been given
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      };
      void loop();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
    },
    async close() {
      closed = true;
      await client?.quit().catch(() => client?.destroy());
    },
    dropConnection() {
      // Server-side disconnect of our connection, as a broker restart or a network failure would.
      void (async () => {
        const admin = makeClient();
        await admin.connect();
        await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(ownId)]);
        await admin.quit();
      })().catch(onError);
    },
  };
}
