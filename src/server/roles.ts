/**
 * The roles a node takes up once its ports are open (a single node has them all): workers run
 * queued work; what must run once (schedules, broker and queue sources, alert rules) runs on a
 * single node at once, or in a cluster on the scheduler-role node that holds the leader lease,
 * with heartbeats telling the other nodes who is up. This is where single-node and cluster
 * start-up differ in kind rather than in adapters, so it is kept out of the composition root.
 */
import type { Logger } from 'pino';
import type { AlertService } from '../alerts/index.ts';
import type { AsyncService } from '../async/types.ts';
import { LeaderElector, NodeMembership } from '../cluster/index.ts';
import type { Clock, Store } from '../core/ports.ts';
import type { SourceManager } from '../events/sources/manager.ts';
import type { Scheduler } from '../scheduler/index.ts';
import type { ScheduleService } from '../schedules/service.ts';
import type { SqsService } from '../sqs/service.ts';
import type { ClusterNode, Role } from './cluster.ts';

/**
 * Starts this node's roles. `onMembership` is told of the cluster's membership before its first
 * heartbeat; `defer` receives what must be stopped, in the order it was started.
 */
export async function startRoles(o: {
  readonly cluster: ClusterNode | undefined;
  readonly has: (role: Role) => boolean;
  readonly store: Pick<Store, 'nodes' | 'leases'>;
  readonly scheduler: Pick<Scheduler, 'status' | 'node'>;
  readonly asyncService: Pick<AsyncService, 'start'>;
  readonly sqs: Pick<SqsService, 'start'>;
  readonly schedules: Pick<ScheduleService, 'start' | 'pause'>;
  readonly sources: Pick<SourceManager, 'start' | 'pause'>;
  readonly alerts: Pick<AlertService, 'start' | 'pause'> | undefined;
  /** Where the other nodes reach this one. */
  readonly apiUrl: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onMembership: (membership: NodeMembership) => void;
  readonly defer: (cleanup: () => Promise<void>) => void;
}): Promise<void> {
  const { cluster, has, store, scheduler, schedules, sources, alerts, clock, logger } = o;
  if (has('worker')) {
    await o.asyncService.start();
    o.sqs.start();
  }
  const leaderWork = {
    async start() {
      await schedules.start();
      await sources.start();
      await alerts?.start();
    },
    async pause() {
      alerts?.pause();
      await Promise.all([schedules.pause(), sources.pause()]);
    },
  };
  if (!cluster) {
    await leaderWork.start();
    return;
  }
  // Membership: who is up, where, and how loaded (heartbeats in the Store).
  const members = new NodeMembership({
    nodes: store.nodes,
    clock,
    id: cluster.nodeId,
    address: o.apiUrl,
    roles: [...cluster.roles],
    load: () => {
      const fns = scheduler.status();
      return {
        inflight: fns.reduce((n, f) => n + f.inflight, 0),
        instances: scheduler.node().instances,
        warm: fns.filter((f) => f.warm > 0).map((f) => `${f.tenant}/${f.functionName}`),
      };
    },
    log: (level, obj, msg) => logger[level](obj, msg),
  });
  o.onMembership(members);
  await members.start();
  o.defer(() => members.stop());
  // What runs once per cluster (schedules, sources, alerts) runs on the scheduler-role node
  // that holds the lease; a node that loses it stops that work before another can take it.
  if (has('scheduler')) {
    const elector = new LeaderElector({
      leases: store.leases,
      holder: cluster.nodeId,
      clock,
      log: (level, obj, msg) => logger[level](obj, msg),
    });
    elector.run('scheduler', {
      onElected: async (token) => {
        logger.info({ node: cluster.nodeId, token }, 'elected cluster leader');
        await leaderWork.start();
      },
      onDeposed: async () => {
        logger.warn({ node: cluster.nodeId }, 'no longer the cluster leader');
        await leaderWork.pause();
      },
    });
    o.defer(() => elector.stop());
  }
}
