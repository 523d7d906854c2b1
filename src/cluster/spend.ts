/**
 * Budget spend shared across a cluster. Each node admits invocations against the budgets it holds
 * in memory (src/budgets: a map lookup, never a store read on the invoke path), so without this a
 * node learned the other nodes' spend only at its next reload from the usage records (every 60 s):
 * a cap could be overshot by up to a minute of the whole cluster's spend. Now every node tells the
 * others, once a second, what its invocations cost since it last said so (per tenant and function,
 * only for tenants that have budgets), and each adds what it hears.
 *
 * Core NATS (at most once) suffices: the usage records in the Store stay the truth, and the
 * periodic reload re-reads them, so a lost message costs only freshness. A delta can be counted
 * twice around a reload (heard, and then read back from the store): on the safe side, the cap is
 * reached early. See docs/ARCHITECTURE.md, "Budgets in a cluster".
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { BudgetService, SpendDelta } from '../budgets/index.ts';
import type { Clock } from '../core/ports.ts';
import { clusterSubject } from './changes.ts';

export interface SpendSharing {
  /** Sends what is left to send, then stops. */
  stop(): Promise<void>;
}

export function shareSpend(o: {
  /** This node's NATS connection, its cluster's name and its own id. */
  readonly cluster: { readonly nc: NatsConnection; readonly name: string; readonly nodeId: string };
  /** Whose spend is sent (takeSpendDeltas) and who adds the others' (addRemoteSpend). */
  readonly budgets: Pick<BudgetService, 'takeSpendDeltas' | 'addRemoteSpend'>;
  readonly clock: Clock;
  /** How often this node's deltas are sent (default 1 s). */
  readonly everyMs?: number;
  readonly onError?: (e: unknown) => void;
}): SpendSharing {
  const { nc, name, nodeId } = o.cluster;
  const subject = clusterSubject(name, 'budgets', 'spent');
  const sub = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return o.onError?.(err);
      try {
        const m = msg.json<{ from: string; deltas: SpendDelta[] }>();
        if (m.from !== nodeId && Array.isArray(m.deltas)) o.budgets.addRemoteSpend(m.deltas.filter(valid));
      } catch (e) {
        o.onError?.(e);
      }
    },
  });
  const send = () => {
    const deltas = o.budgets.takeSpendDeltas();
    if (deltas.length === 0) return;
    try {
      nc.publish(subject, JSON.stringify({ from: nodeId, deltas }));
    } catch (e) {
      o.onError?.(e);
    }
  };
  let stopped = false;
  let cancel = () => {};
  const tick = () => {
    cancel = o.clock.setTimeout(() => {
      if (stopped) return;
      send();
      tick();
    }, o.everyMs ?? 1000);
  };
  tick();
  return {
    async stop() {
      stopped = true;
      cancel();
      send();
      sub.unsubscribe();
    },
  };
}

/** A delta as a node sends it (anything else on the subject is ignored). */
const valid = (d: SpendDelta): boolean =>
  typeof d?.tenant === 'string' &&
  typeof d.functionName === 'string' &&
  typeof d.costUsd === 'number' &&
  Number.isFinite(d.costUsd) &&
  d.costUsd > 0 &&
  typeof d.at === 'number';
