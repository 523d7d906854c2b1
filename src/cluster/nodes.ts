/**
 * Cluster membership over the Store's node registry: every node upserts its row (address, roles,
 * a load snapshot) every `intervalMs` and reads back the nodes seen within 3 × interval — one
 * missed heartbeat is noise, three are a dead or cut-off node. The list is cached between beats
 * so routing decisions (who has a warm instance of this function?) never wait on the database.
 */
import type { Clock, NodeLoad, NodeRecord, NodeRepo } from '../core/ports.ts';
import { ClusterErrors } from './errors.ts';
import type { ClusterLog } from './leader.ts';

export interface NodeMembershipOptions {
  readonly nodes: NodeRepo;
  readonly clock: Clock;
  /** This node's id (unique among live processes). */
  readonly id: string;
  /** URL other nodes reach this one at. */
  readonly address: string;
  readonly roles: readonly string[];
  /** The load snapshot each heartbeat carries. */
  readonly load: () => NodeLoad | Promise<NodeLoad>;
  /** Default 5 s; a node counts as alive while seen within 3 × this. */
  readonly intervalMs?: number;
  /** Rows of nodes not seen for this long are deleted (by whichever node beats). Default 100 × interval. */
  readonly pruneAfterMs?: number;
  readonly log?: ClusterLog;
}

const IDLE: NodeLoad = { inflight: 0, instances: 0, warm: [] };

/** What onChange compares: who is there, where, and doing what (not load, which moves every beat). */
const shape = (ns: readonly NodeRecord[]) => JSON.stringify(ns.map((n) => [n.id, n.address, n.roles]));

export class NodeMembership {
  readonly id: string;
  readonly intervalMs: number;
  readonly #o: NodeMembershipOptions;
  readonly #pruneAfterMs: number;
  readonly #listeners = new Set<(alive: readonly NodeRecord[]) => void>();
  #alive: readonly NodeRecord[] = [];
  #startedAt = 0;
  #lastLoad: NodeLoad = IDLE;
  #cancel: (() => void) | undefined;
  #inflight: Promise<void> | undefined;
  #running = false;

  constructor(o: NodeMembershipOptions) {
    this.#o = o;
    this.id = o.id;
    this.intervalMs = o.intervalMs ?? 5_000;
    this.#pruneAfterMs = o.pruneAfterMs ?? 100 * this.intervalMs;
    if (!o.id || !(this.intervalMs > 0) || !(this.#pruneAfterMs >= 3 * this.intervalMs))
      throw ClusterErrors.TIMING({
        reason: `node ${o.id}: heartbeat interval ${this.intervalMs} ms must be > 0 and pruning after at least 3 intervals`,
      });
  }

  /** Registers this node (first heartbeat and list before it resolves), then beats every interval. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#startedAt = this.#o.clock.now();
    await this.#beat();
  }

  /** Nodes seen within 3 × interval at the last heartbeat, by id (this one included). */
  alive(): readonly NodeRecord[] {
    return this.#alive;
  }

  /** Called with the new list when a node joins, leaves, or changes its address or roles. */
  onChange(fn: (alive: readonly NodeRecord[]) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Stops beating and removes this node's row, so the others see it gone at their next beat. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#cancel?.();
    this.#cancel = undefined;
    await this.#inflight;
    try {
      await this.#o.nodes.remove(this.id);
    } catch (e) {
      this.#o.log?.(
        'warn',
        { node: this.id, err: e },
        'node row not removed; it ages out of the others’ lists',
      );
    }
    this.#publish([]);
  }

  #beat(): Promise<void> {
    const run = async () => {
      const now = this.#o.clock.now();
      const since = now - 3 * this.intervalMs;
      try {
        this.#lastLoad = await this.#o.load();
      } catch (e) {
        this.#o.log?.('warn', { node: this.id, err: e }, 'load snapshot failed; the last one is sent');
      }
      try {
        const { nodes } = this.#o;
        await nodes.heartbeat({
          id: this.id,
          address: this.#o.address,
          roles: this.#o.roles,
          startedAt: this.#startedAt,
          seenAt: now,
          load: this.#lastLoad,
        });
        const alive = await nodes.list(since);
        await nodes.prune(now - this.#pruneAfterMs);
        if (this.#running) this.#publish(alive);
      } catch (e) {
        // Cut off from the Store: age the cached list by the same rule, so nodes (this one too, as
        // the others see it) drop out instead of being trusted forever.
        this.#o.log?.('warn', { node: this.id, err: e }, 'heartbeat failed');
        if (this.#running) this.#publish(this.#alive.filter((n) => n.seenAt >= since));
      }
    };
    this.#inflight = run().finally(() => {
      this.#inflight = undefined;
      if (this.#running) this.#cancel = this.#o.clock.setTimeout(() => void this.#beat(), this.intervalMs);
    });
    return this.#inflight;
  }

  #publish(alive: readonly NodeRecord[]): void {
    const changed = shape(alive) !== shape(this.#alive);
    this.#alive = alive;
    if (!changed) return;
    for (const fn of this.#listeners) {
      try {
        fn(alive);
      } catch (e) {
        this.#o.log?.('error', { node: this.id, err: e }, 'membership listener failed');
      }
    }
  }
}
