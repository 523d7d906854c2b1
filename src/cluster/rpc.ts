/**
 * Questions one node asks the others (cluster mode): what only each node knows, in memory — its
 * live rates and instances — gathered so that `GET /v1/metrics/live` (`nimbus top`) and
 * `GET /v1/status` show the whole cluster from any node. NATS request-reply on
 * `nimbus.<cluster>.node.<id>.rpc.<kind>`; a node that does not answer within the timeout is left
 * out of the answer (and named in it), never waited for longer.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { clusterSubject } from './changes.ts';

export type RpcHandler = (args: unknown) => unknown | Promise<unknown>;

export interface NodeRpc {
  /** Asks each node; answers in node order, `undefined` for a node that did not answer. */
  ask<T>(
    nodes: readonly string[],
    kind: string,
    args: unknown,
    timeoutMs?: number,
  ): Promise<(T | undefined)[]>;
  close(): Promise<void>;
}

export function createNodeRpc(o: {
  readonly nc: NatsConnection;
  readonly cluster: string;
  readonly nodeId: string;
  readonly handlers: Readonly<Record<string, RpcHandler>>;
  readonly onError?: (e: unknown, what: string) => void;
}): NodeRpc {
  const subject = (node: string, kind: string) => clusterSubject(o.cluster, 'node', node, 'rpc', kind);
  const subs: Subscription[] = Object.entries(o.handlers).map(([kind, handle]) =>
    o.nc.subscribe(subject(o.nodeId, kind), {
      callback: (err, msg) => {
        if (err) return o.onError?.(err, `rpc ${kind}`);
        void (async () => {
          try {
            msg.respond(JSON.stringify({ ok: await handle(msg.json()) }));
          } catch (e) {
            o.onError?.(e, `rpc ${kind}`);
            msg.respond(JSON.stringify({ failed: true }));
          }
        })();
      },
    }),
  );
  return {
    async ask<T>(nodes: readonly string[], kind: string, args: unknown, timeoutMs = 1000) {
      return Promise.all(
        nodes.map(async (node) => {
          try {
            const r = await o.nc.request(subject(node, kind), JSON.stringify(args ?? null), {
              timeout: timeoutMs,
            });
            const a = r.json<{ ok?: T; failed?: true }>();
            return a.failed ? undefined : a.ok;
          } catch {
            return undefined;
          }
        }),
      );
    },
    async close() {
      for (const s of subs) s.unsubscribe();
    },
  };
}
