/**
 * The change feed of a cluster: a node that changed configuration (a function, a route, a topic, a
 * setting…) says so on NATS, and the other nodes drop or reload what they cache over the Store.
 *
 * Core NATS (at most once) is enough because the Store stays the truth and nothing is lost by a
 * missed message but freshness: a node that reconnects reloads everything, and every node reloads
 * everything on a slow timer too (`fullReloadMs`), which bounds how stale a cache can be after a
 * message that never arrived.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Clock } from '../core/ports.ts';

export type Change =
  /** A function's code, configuration, versions or aliases changed (or it was deleted). */
  | { readonly kind: 'function'; readonly tenant: string; readonly name: string; readonly deleted: boolean }
  /** Any other control-plane change, named by its IAM action (routes, topics, settings, …). */
  | { readonly kind: 'config'; readonly tenant: string; readonly action: string };

export interface ChangeFeed {
  /** Fire and forget; nodes other than this one receive it. */
  publish(c: Change): void;
  /** Changes made by other nodes; `reconnected` after a reconnect (reload everything). */
  subscribe(fn: (c: Change | { readonly kind: 'reconnected' }) => void): () => void;
  close(): Promise<void>;
}

/** Subjects of a cluster are `nimbus.<cluster>.…` so that clusters can share one NATS. */
export const clusterSubject = (cluster: string, ...parts: string[]) =>
  ['nimbus', cluster, ...parts].join('.');

export function createNatsChangeFeed(o: {
  readonly nc: NatsConnection;
  readonly cluster: string;
  readonly nodeId: string;
  readonly clock: Clock;
  /** Safety net for lost messages: everyone reloads everything this often (default 60 s). */
  readonly fullReloadMs?: number;
  readonly onError?: (e: unknown) => void;
}): ChangeFeed {
  const subject = clusterSubject(o.cluster, 'changes');
  const listeners = new Set<(c: Change | { kind: 'reconnected' }) => void>();
  const emit = (c: Change | { kind: 'reconnected' }) => {
    for (const fn of listeners) {
      try {
        fn(c);
      } catch (e) {
        o.onError?.(e);
      }
    }
  };
  const sub: Subscription = o.nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return o.onError?.(err);
      try {
        const m = msg.json<{ from: string; change: Change }>();
        if (m.from !== o.nodeId) emit(m.change);
      } catch (e) {
        o.onError?.(e);
      }
    },
  });
  let closed = false;
  (async () => {
    for await (const s of o.nc.status()) if (s.type === 'reconnect') emit({ kind: 'reconnected' });
  })().catch((e: unknown) => {
    if (!closed) o.onError?.(e);
  });
  const every = o.fullReloadMs ?? 60_000;
  let cancelTimer = () => {};
  const tick = () => {
    cancelTimer = o.clock.setTimeout(() => {
      if (closed) return;
      emit({ kind: 'reconnected' });
      tick();
    }, every);
  };
  tick();
  return {
    publish(change) {
      if (closed) return;
      try {
        o.nc.publish(subject, JSON.stringify({ from: o.nodeId, change }));
      } catch (e) {
        o.onError?.(e);
      }
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      closed = true;
      cancelTimer();
      sub.unsubscribe();
      listeners.clear();
    },
  };
}

/**
 * IAM actions whose success changes nothing another node caches: data events (messages, objects,
 * invocations, executions, log reads). Every other successful audited action is a `config` change.
 */
const DATA_ACTIONS =
  /^(sqs:(SendMessage|ReceiveMessage|DeleteMessage|ChangeMessageVisibility|PurgeQueue)|sns:Publish|events:PutEvents|s3:(PutObject|DeleteObject|AbortMultipartUpload|RestoreObject|CopyObject)|lambda:Invoke|states:(StartExecution|StartSyncExecution|StopExecution|SendTask|RedriveExecution)|logs:|nimbus:(Publish|InvokeAsync|Replay|Purge|Redrive|CreateTimer|DeleteTimer|AuditEntriesDropped)|secretsmanager:(GetSecretValue|PutSecretValue))/;

export const isConfigAction = (action: string): boolean => action.includes(':') && !DATA_ACTIONS.test(action);
