/**
 * Cluster mode wiring (`nimbus start --cluster <name>`): the NATS connection, this node's identity
 * and roles, the change feed that keeps every node's caches in step with the shared Store, and
 * what a node asks of the others (sync invocations, live rows). The composition root asks this
 * module for the adapters and hooks; the services stay unaware.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ApiAppDeps } from '../api/index.ts';
import type { LiveRow } from '../api/metrics-routes.ts';
import { type Change, type ChangeFeed, createNatsChangeFeed, isConfigAction } from '../cluster/changes.ts';
import { ClusterErrors } from '../cluster/errors.ts';
import type { NodeMembership } from '../cluster/index.ts';
import { coldStartNode, createInvokeRouter, warmNodes } from '../cluster/routing.ts';
import { createNodeRpc } from '../cluster/rpc.ts';
import type { PlatformConfig } from '../config/index.ts';
import type { Clock, LeaseRepo } from '../core/ports.ts';
import type { InvokeRequest, InvokeService } from '../invoke/types.ts';
import { LIVE_SECONDS } from '../observability/windows.ts';

export type Role = 'gateway' | 'api' | 'worker' | 'scheduler';

export interface ClusterNode {
  readonly name: string;
  /** Stable for a node's address, so a restarted node recognises the leases it held. */
  readonly nodeId: string;
  readonly roles: ReadonlySet<Role>;
  readonly nc: NatsConnection;
  readonly changes: ChangeFeed;
  /** PostgreSQL schema of the cluster's tables (`nimbus_<cluster>`). */
  readonly schema: string;
  /** JetStream Object Store bucket for a kind of blob (`nimbus-<cluster>-<kind>`). */
  bucket(kind: 'code' | 'objects'): string;
  /** False while the NATS connection is down (healthz reports degraded). */
  natsConnected(): boolean;
  close(): Promise<void>;
}

export async function joinCluster(
  config: PlatformConfig,
  clock: Clock,
  onError: (e: unknown, what: string) => void,
): Promise<ClusterNode | undefined> {
  const name = config.cluster;
  if (name === undefined || config.nats === undefined) return undefined;
  const servers = config.nats.split(',').map((s) => s.trim());
  const nodeId =
    process.env.NIMBUS_NODE_ID ??
    `${hostname()}-${config.host === '0.0.0.0' ? '' : `${config.host}-`}${config.apiPort || randomBytes(3).toString('hex')}`
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 100);
  const nc = await connect({
    servers,
    name: `nimbus-${name}-${nodeId}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout: 5000,
    // A silent partition (no RST/FIN) is seen only by unanswered pings: with the client's default
    // (every 2 min, 2 outstanding) /healthz said "nats: ok" for minutes; now ~10–15 s.
    pingInterval: 5000,
    maxPingOut: 2,
  }).catch((e: unknown) => {
    throw ClusterErrors.NATS_UNREACHABLE({ servers: servers.join(','), reason: (e as Error).message });
  });
  let connected = true;
  (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') connected = false;
      else if (s.type === 'reconnect') connected = true;
    }
  })().catch((e: unknown) => onError(e, 'NATS status watch'));
  const changes = createNatsChangeFeed({
    nc,
    cluster: name,
    nodeId,
    clock,
    onError: (e) => onError(e, 'cluster change feed'),
  });
  return {
    name,
    nodeId,
    roles: new Set(config.roles),
    nc,
    changes,
    schema: `nimbus_${name}`,
    bucket: (kind) => `nimbus-${name}-${kind}`,
    natsConnected: () => connected && !nc.isClosed(),
    async close() {
      await changes.close();
      await nc.drain().catch(() => nc.close());
    },
  };
}

/** What a node reloads when another node changed something (the composition root fills it in). */
export interface CacheHooks {
  /** A function changed or was deleted elsewhere: drop its cached records and warm instances. */
  function(tenant: string, name: string, deleted: boolean): void;
  /** Anything else (routes, topics, settings, budgets, notifications, schedules, sources…). */
  reloadAll(): Promise<void>;
}

/**
 * Subscribes the node's caches to the feed: function changes at once, everything else in one
 * reload per burst (a deploy of 50 routes reloads once). Returns the publisher side: call
 * `audited(entry)` for every audited request and `functionChanged` from the registry hooks.
 */
export function syncCaches(
  feed: ChangeFeed,
  hooks: CacheHooks,
  clock: Clock,
  onError: (e: unknown) => void,
): {
  audited(e: { tenant: string; action: string; result: string }): void;
  functionChanged(tenant: string, name: string, deleted: boolean): void;
  stop(): void;
} {
  let pending: (() => void) | undefined;
  let running = Promise.resolve();
  const schedule = () => {
    if (pending) return;
    pending = clock.setTimeout(() => {
      pending = undefined;
      running = running.then(() => hooks.reloadAll()).catch(onError);
    }, 50);
  };
  const unsubscribe = feed.subscribe((c) => {
    if (c.kind === 'function') hooks.function(c.tenant, c.name, c.deleted);
    else schedule();
  });
  return {
    audited(e) {
      if (e.result === 'ok' && isConfigAction(e.action))
        feed.publish({ kind: 'config', tenant: e.tenant, action: e.action } satisfies Change);
    },
    functionChanged(tenant, name, deleted) {
      feed.publish({ kind: 'function', tenant, name, deleted });
    },
    stop() {
      unsubscribe();
      pending?.();
    },
  };
}

/**
 * What this node asks of the others. Sync invocations (routes, Invoke API) go to a node with a warm
 * instance; what only each node knows (live rates, instances) is asked for over NATS; the API
 * reports NATS health and the cluster's nodes. On a single node: the local invoke service and no
 * peers. `defer` receives what must be closed, in the order it was opened.
 */
export function connectPeers(o: {
  readonly cluster: ClusterNode | undefined;
  readonly invoke: InvokeService;
  /** Could an instance of the function here take an invocation now? */
  readonly warmHere: (tenant: string, functionName: string) => boolean;
  readonly timeoutSec: (req: InvokeRequest) => Promise<number>;
  readonly leases: LeaseRepo;
  /** The cluster's live nodes (set once this node has joined). */
  readonly membership: () => NodeMembership | undefined;
  readonly onError: (e: unknown, what: string) => void;
  readonly defer: (cleanup: () => Promise<void>) => void;
}): {
  readonly invoke: InvokeService;
  readonly api: Pick<ApiAppDeps, 'peersLive' | 'exposeLive' | 'health' | 'cluster'>;
} {
  const { cluster, invoke } = o;
  // The other live nodes of the cluster (none on a single node).
  const peerIds = () =>
    (o.membership()?.alive() ?? []).filter((n) => n.id !== cluster?.nodeId).map((n) => n.id);
  const syncInvoke = cluster
    ? createInvokeRouter({
        local: invoke,
        nc: cluster.nc,
        cluster: cluster.name,
        nodeId: cluster.nodeId,
        warmHere: o.warmHere,
        warmElsewhere: (t, fn) => warmNodes(o.membership()?.alive() ?? [], cluster.nodeId, t, fn),
        peers: () => peerIds(),
        coldStartNode: () => coldStartNode(o.membership()?.alive() ?? [], cluster.nodeId),
        timeoutSec: o.timeoutSec,
        onError: o.onError,
      })
    : undefined;
  if (syncInvoke) o.defer(() => syncInvoke.close());
  // This node's live rows, exposed by the API once it has built them.
  let liveRows: ((tenant: string, window: number) => LiveRow[]) | undefined;
  const rpc = cluster
    ? createNodeRpc({
        nc: cluster.nc,
        cluster: cluster.name,
        nodeId: cluster.nodeId,
        handlers: {
          live: (a) => {
            const { tenant, window } = (a ?? {}) as { tenant?: unknown; window?: unknown };
            return typeof tenant === 'string' && Number.isInteger(window) && (window as number) >= 1
              ? (liveRows?.(tenant, Math.min(window as number, LIVE_SECONDS)) ?? [])
              : [];
          },
        },
        onError: o.onError,
      })
    : undefined;
  if (rpc) o.defer(() => rpc.close());
  return {
    invoke: syncInvoke ?? invoke,
    api: {
      peersLive: rpc
        ? async (tenant, window) =>
            (await rpc.ask<LiveRow[]>(peerIds(), 'live', { tenant, window })).filter((r): r is LiveRow[] =>
              Array.isArray(r),
            )
        : undefined,
      exposeLive: (f) => {
        liveRows = f;
      },
      health: cluster ? () => ({ nats: cluster.natsConnected() ? 'ok' : 'disconnected' }) : undefined,
      cluster: cluster
        ? async () => ({
            name: cluster.name,
            node: cluster.nodeId,
            roles: [...cluster.roles],
            leader: (await o.leases.get('scheduler')) ?? null,
            nodes: o.membership()?.alive() ?? [],
          })
        : undefined,
    },
  };
}
