/**
 * Sync invocations go where a warm instance is (cluster mode).
 *
 * A node that receives a sync invocation (gateway route, Invoke API) runs it itself when it has an
 * instance of the function with room for it. Otherwise, when the node registry says another node
 * keeps one warm, the request travels to that node over NATS request-reply
 * (`nimbus.<cluster>.node.<id>.invoke`) and the answer comes back the same way: no cold start.
 * With no warm instance anywhere, the cold start happens on the least-loaded node (this one unless
 * another runs clearly fewer invocations, by the registry's last heartbeats); when the chosen node
 * does not answer at once (NATS "no responders": it just died or left), this node starts it.
 *
 * Each node admits only its share of a concurrency limit (the scheduler's `share`): an invocation
 * this node throttles spills once to another live node, which admits it under its own share, so
 * the cluster as a whole serves up to the limit however the load is spread over the nodes.
 *
 * Not forwarded: streamed responses (their bytes go straight to the client), payloads above what
 * one NATS message carries, and invocations that were already forwarded once (no ping-pong).
 * A forwarded invocation that the other node accepted but did not answer in time fails with a
 * retryable 504 (it may have run: retrying it is the caller's decision, as with a lost response).
 */
import {
  type NatsConnection,
  NoRespondersError,
  RequestError,
  type Subscription,
  TimeoutError,
} from '@nats-io/transport-node';
import { CoreErrors, isNimbusError, NimbusError, type NimbusErrorJSON } from '../core/errors.ts';
import type { NodeRecord } from '../core/ports.ts';
import type { InvokeRequest, InvokeResult, InvokeService } from '../invoke/types.ts';
import { clusterSubject } from './changes.ts';
import { ClusterErrors } from './errors.ts';

/** How many fewer invocations in flight another node needs to take a cold start from this one. */
export const COLD_START_MARGIN = 4;

type Placed = Pick<NodeRecord, 'id' | 'load'>;

/** The other live nodes that keep `tenant/function` warm (by their last heartbeats). */
export function warmNodes(nodes: readonly Placed[], self: string, tenant: string, fn: string): string[] {
  const k = `${tenant}/${fn}`;
  return nodes.filter((n) => n.id !== self && n.load.warm.includes(k)).map((n) => n.id);
}

/**
 * Where a call with no warm instance anywhere starts cold: the least-loaded live node when it has
 * at least `margin` fewer invocations in flight than this one, else here (undefined). The margin
 * keeps equal nodes from passing cold starts back and forth on heartbeat-old loads.
 */
export function coldStartNode(
  nodes: readonly Placed[],
  self: string,
  margin = COLD_START_MARGIN,
): string | undefined {
  const me = nodes.find((n) => n.id === self);
  let best: Placed | undefined;
  for (const n of nodes) if (!best || n.load.inflight < best.load.inflight) best = n;
  return best && me && best.id !== me.id && best.load.inflight + margin <= me.load.inflight
    ? best.id
    : undefined;
}

/** What goes over the wire: the request without its signal and stream sink. */
type WireRequest = Omit<InvokeRequest, 'signal' | 'stream'>;
type WireAnswer = { readonly ok: InvokeResult } | { readonly error: NimbusErrorJSON };

export interface InvokeRouterOptions {
  readonly local: InvokeService;
  readonly nc: NatsConnection;
  readonly cluster: string;
  readonly nodeId: string;
  /** Could an instance of the function here take an invocation now (no cold start)? */
  readonly warmHere: (tenant: string, functionName: string) => boolean;
  /** Other live nodes that keep an instance of the function warm (from the node registry). */
  readonly warmElsewhere: (tenant: string, functionName: string) => readonly string[];
  /**
   * Where a cold start should happen when no node keeps the function warm: another node clearly
   * less loaded than this one, or undefined for here.
   */
  readonly coldStartNode?: () => string | undefined;
  /** Every other live node (a throttled invocation spills to one of them). */
  readonly peers: () => readonly string[];
  /** The function's timeout (s), to bound the wait for a forwarded answer. */
  readonly timeoutSec: (req: InvokeRequest) => Promise<number>;
  readonly onError?: (e: unknown, what: string) => void;
  /** Counts forwarded / received invocations (metrics, tests). */
  readonly onForward?: (direction: 'out' | 'in' | 'fallback' | 'spill') => void;
}

export interface InvokeRouter extends InvokeService {
  close(): Promise<void>;
}

const THROTTLES = new Set(['NIMBUS_ERR_SCHEDULER_THROTTLED', 'NIMBUS_ERR_SCHEDULER_TENANT_THROTTLED']);

export function createInvokeRouter(o: InvokeRouterOptions): InvokeRouter {
  const subjectOf = (node: string) => clusterSubject(o.cluster, 'node', node, 'invoke');
  // Room for the envelope around the payload in one NATS message.
  const maxPayload = () => Math.max(0, (o.nc.info?.max_payload ?? 1024 * 1024) - 64 * 1024);

  const sub: Subscription = o.nc.subscribe(subjectOf(o.nodeId), {
    callback: (err, msg) => {
      if (err) return o.onError?.(err, 'invoke subscription');
      void (async () => {
        let answer: WireAnswer;
        try {
          const req = msg.json<WireRequest>();
          o.onForward?.('in');
          answer = { ok: await o.local.invoke(req) };
        } catch (e) {
          answer = {
            error: (isNimbusError(e)
              ? e
              : CoreErrors.INTERNAL({ reason: 'forwarded invocation failed' })
            ).toJSON(),
          };
          if (!isNimbusError(e)) o.onError?.(e, 'forwarded invocation');
        }
        try {
          msg.respond(JSON.stringify(answer));
        } catch (e) {
          o.onError?.(e, 'forwarded invocation answer');
        }
      })();
    },
  });

  async function forward(node: string, req: InvokeRequest, body: string): Promise<InvokeResult | undefined> {
    const ms = (await o.timeoutSec(req)) * 1000 + 5_000;
    let reply: { json<T>(): T };
    try {
      reply = await o.nc.request(subjectOf(node), body, { timeout: ms });
    } catch (e) {
      // Nobody listens there (the node left or died): nothing ran, start it here.
      if (e instanceof NoRespondersError || (e instanceof RequestError && e.isNoResponders()))
        return undefined;
      if (e instanceof TimeoutError || (e instanceof Error && e.cause instanceof TimeoutError))
        throw ClusterErrors.FORWARD_TIMEOUT({ node, function: req.functionName, ms: String(ms) });
      // The connection is down: nothing was sent, run here.
      o.onError?.(e, 'forwarding an invocation');
      return undefined;
    }
    const a = reply.json<WireAnswer>();
    if ('error' in a) throw NimbusError.fromJSON(a.error);
    o.onForward?.('out');
    return a.ok;
  }

  const pick = (nodes: readonly string[]) => nodes[Math.floor(Math.random() * nodes.length)]!;
  const wireBody = (req: InvokeRequest) => {
    const { signal: _s, stream: _t, ...wire } = req;
    const body = JSON.stringify(wire);
    return Buffer.byteLength(body) > maxPayload() ? undefined : body;
  };

  /** Runs here; a throttle (this node's share is used up) spills once to another node. */
  async function here(req: InvokeRequest, body: () => string | undefined): Promise<InvokeResult> {
    try {
      return await o.local.invoke(req);
    } catch (e) {
      if (!isNimbusError(e) || !THROTTLES.has(e.code) || req.stream || o.nc.isClosed()) throw e;
      const peers = o.peers();
      const b = peers.length > 0 ? body() : undefined;
      if (b === undefined) throw e;
      const r = await forward(pick(peers), req, b).catch(() => undefined);
      if (!r) throw e;
      o.onForward?.('spill');
      return r;
    }
  }

  return {
    dryRun: (tenant, name, qualifier) => o.local.dryRun(tenant, name, qualifier),
    async invoke(req) {
      if (req.stream || o.nc.isClosed()) return o.local.invoke(req);
      const lazy = () => wireBody(req);
      if (o.warmHere(req.tenant, req.functionName)) return here(req, lazy);
      const warm = o.warmElsewhere(req.tenant, req.functionName);
      const cold = warm.length === 0 ? o.coldStartNode?.() : undefined;
      const nodes = warm.length > 0 ? warm : cold !== undefined ? [cold] : [];
      const body = nodes.length > 0 ? wireBody(req) : undefined;
      if (body === undefined) return here(req, lazy);
      const r = await forward(pick(nodes), req, body);
      if (r) return r;
      o.onForward?.('fallback');
      return here(req, () => body);
    },
    async close() {
      sub.unsubscribe();
    },
  };
}
