/**
 * Leader election over the Store's lease rows (cluster mode): whoever holds the row of a name
 * leads that name (the scheduler, the alerts evaluator, retention…). No consensus of our own —
 * LeaseRepo.acquire is one conditional upsert, and the elector only decides when to call it and
 * when to stop believing its answer.
 *
 * Safety rests on two things:
 * - The lease ends at `expiresAt` (the caller's clock at the request + ttl); another node can take
 *   it from then on. This node stops acting at `expiresAt − marginMs`: a renewal that cannot be
 *   confirmed by then (the store unreachable or slow, the process paused) deposes it before anyone
 *   else can be elected. `marginMs` must cover the clock skew between nodes plus the time the
 *   work needs to notice its aborted signal.
 * - Whatever slips through (a GC pause longer than the margin, skew beyond it) is caught by the
 *   fencing token: every new term has a larger one, and a write that checks it
 *   (`LeaseRepo.checkToken` in the writing transaction) refuses a deposed leader.
 *
 * A holder id must be unique per live process: two processes with one id would share a term. A
 * restarted node that reuses its id takes its unexpired lease back at once (same token).
 */
import { CoreErrors } from '../core/errors.ts';
import type { Clock, LeaseRecord, LeaseRepo } from '../core/ports.ts';
import { ClusterErrors } from './errors.ts';

export type ClusterLog = (
  level: 'info' | 'warn' | 'error',
  obj: Record<string, unknown>,
  msg: string,
) => void;

export interface LeaderElectorOptions {
  readonly leases: LeaseRepo;
  /** This process's id (unique among live processes). */
  readonly holder: string;
  readonly clock: Clock;
  /** How long a confirmed acquire or renewal holds the lease. Default 15 s. */
  readonly ttlMs?: number;
  /** How often the leader renews and followers try to take over. Default 5 s. */
  readonly renewEveryMs?: number;
  /** Stop acting this long before the lease expires. Default ttl / 5 (3 s). */
  readonly marginMs?: number;
  readonly log?: ClusterLog;
}

export interface LeadershipHandlers {
  /**
   * This node leads the name from now on. `token` is the term's fencing token; `signal` aborts
   * when the term ends (deposed or stopped). Not awaited: the elector keeps renewing meanwhile.
   */
  onElected(token: number, signal: AbortSignal): void | Promise<void>;
  /** The term ended; called after the signal aborted. */
  onDeposed(): void | Promise<void>;
}

interface Term {
  readonly token: number;
  expiresAt: number;
  readonly ac: AbortController;
  cancelDeadline: () => void;
}

interface Campaign {
  readonly name: string;
  readonly handlers: LeadershipHandlers;
  term: Term | undefined;
  cancelTick: (() => void) | undefined;
  inflight: Promise<void> | undefined;
}

export class LeaderElector {
  readonly holder: string;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  readonly marginMs: number;
  readonly #leases: LeaseRepo;
  readonly #clock: Clock;
  readonly #log: ClusterLog;
  readonly #campaigns = new Map<string, Campaign>();
  #stopped = false;

  constructor(o: LeaderElectorOptions) {
    this.holder = o.holder;
    this.ttlMs = o.ttlMs ?? 15_000;
    this.renewEveryMs = o.renewEveryMs ?? 5_000;
    this.marginMs = o.marginMs ?? Math.floor(this.ttlMs / 5);
    this.#leases = o.leases;
    this.#clock = o.clock;
    this.#log = o.log ?? (() => {});
    if (!o.holder) throw ClusterErrors.TIMING({ reason: 'a leader elector needs a holder id' });
    // A renewal must have a chance (two, with the defaults) to land before the leader stops acting.
    if (!(this.ttlMs > 0 && this.renewEveryMs > 0 && this.marginMs >= 0))
      throw ClusterErrors.TIMING({ reason: 'lease ttl and renewal interval must be > 0, margin >= 0' });
    if (this.renewEveryMs >= this.ttlMs - this.marginMs)
      throw ClusterErrors.TIMING({
        reason: `lease renewal every ${this.renewEveryMs} ms must be shorter than ttl ${this.ttlMs} ms − margin ${this.marginMs} ms`,
      });
  }

  /** Campaigns for `name` until stop(): tries at once, then every renewEveryMs. */
  run(name: string, handlers: LeadershipHandlers): void {
    if (this.#stopped) throw ClusterErrors.ELECTOR_STOPPED({ holder: this.holder });
    if (this.#campaigns.has(name)) throw CoreErrors.CONFLICT({ what: `a campaign for lease ${name}` });
    const c: Campaign = { name, handlers, term: undefined, cancelTick: undefined, inflight: undefined };
    this.#campaigns.set(name, c);
    this.#tick(c);
  }

  /** The current term's token when this node leads `name`. */
  leading(name: string): number | undefined {
    return this.#campaigns.get(name)?.term?.token;
  }

  /** Ends every term (signals aborted, onDeposed called), then releases the leases so a successor need not wait for the ttl. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const all = [...this.#campaigns.values()];
    for (const c of all) {
      c.cancelTick?.();
      c.cancelTick = undefined;
      this.#depose(c, 'stopped');
    }
    await Promise.all(all.map((c) => c.inflight));
    // Conditional on the holder: harmless where another node leads now.
    await Promise.all(
      all.map((c) =>
        this.#leases.release(c.name, this.holder).catch((e: unknown) => {
          this.#log('warn', { lease: c.name, err: e }, 'lease release failed; it lapses at its expiry');
        }),
      ),
    );
  }

  #tick(c: Campaign): void {
    c.cancelTick = undefined;
    if (this.#stopped) return;
    const at = this.#clock.now();
    c.inflight = this.#leases
      .acquire(c.name, this.holder, at, this.ttlMs)
      .then(
        (rec) => this.#settle(c, rec),
        (e: unknown) => {
          // The term (if any) stays until its deadline: a store blip shorter than the margin
          // costs nothing; a longer one deposes this node through the deadline timer.
          this.#log(
            'warn',
            { lease: c.name, err: e, leading: c.term !== undefined },
            'lease acquire/renew failed',
          );
        },
      )
      .finally(() => {
        c.inflight = undefined;
        if (!this.#stopped) c.cancelTick = this.#clock.setTimeout(() => this.#tick(c), this.renewEveryMs);
      });
  }

  #settle(c: Campaign, rec: LeaseRecord | undefined): void {
    if (this.#stopped) return;
    if (!rec) {
      if (c.term) this.#depose(c, 'held by another node');
      return;
    }
    const now = this.#clock.now();
    if (now >= rec.expiresAt - this.marginMs) {
      // Confirmed too late to act on (a slow store, a paused process): the lease may be anyone's
      // by the time the work starts. The next tick asks again.
      if (c.term) this.#depose(c, 'renewal confirmed too late');
      this.#log(
        'warn',
        { lease: c.name, token: rec.token, expiresAt: rec.expiresAt, now },
        'lease confirmed too late',
      );
      return;
    }
    if (c.term && c.term.token === rec.token) {
      c.term.expiresAt = rec.expiresAt;
      c.term.cancelDeadline();
      c.term.cancelDeadline = this.#deadline(c, c.term);
      return;
    }
    if (c.term) this.#depose(c, 'a new term began');
    const term: Term = {
      token: rec.token,
      expiresAt: rec.expiresAt,
      ac: new AbortController(),
      cancelDeadline: () => {},
    };
    term.cancelDeadline = this.#deadline(c, term);
    c.term = term;
    this.#log('info', { lease: c.name, token: rec.token, holder: this.holder }, 'elected');
    this.#call(c, 'onElected', () => c.handlers.onElected(rec.token, term.ac.signal));
  }

  #deadline(c: Campaign, term: Term): () => void {
    const ms = term.expiresAt - this.marginMs - this.#clock.now();
    return this.#clock.setTimeout(() => {
      if (c.term === term) this.#depose(c, 'renewal not confirmed before the lease would expire');
    }, ms);
  }

  #depose(c: Campaign, reason: string): void {
    const term = c.term;
    if (!term) return;
    c.term = undefined;
    term.cancelDeadline();
    term.ac.abort(ClusterErrors.DEPOSED({ lease: c.name, reason }));
    this.#log('info', { lease: c.name, token: term.token, holder: this.holder, reason }, 'deposed');
    this.#call(c, 'onDeposed', () => c.handlers.onDeposed());
  }

  #call(c: Campaign, what: string, fn: () => void | Promise<void>): void {
    try {
      Promise.resolve(fn()).catch((e: unknown) =>
        this.#log('error', { lease: c.name, err: e }, `${what} failed`),
      );
    } catch (e) {
      this.#log('error', { lease: c.name, err: e }, `${what} failed`);
    }
  }
}
