/**
 * @module queue/postgres
 * The Queue port on PostgreSQL, for cluster mode: several nodes (adapters) share one table in one
 * schema and lease from it with `FOR UPDATE SKIP LOCKED`.
 *
 * - Every mutation is one statement (autocommit) and resolves after its commit. Enqueues and
 *   settles (ack, nack, dead-letter, extend) made in the same event-loop turn share one statement
 *   (group commit, as the embedded queue does); follow-ups ride in the statement of their ack /
 *   nack / dead-letter, inserted only if it took effect.
 * - Times come from the injected clock, never the database's now(): nodes' clocks must agree
 *   (NTP) to within a small fraction of a visibility timeout.
 * - A lease carries its owner (`nodeId`): recover() at a node's start releases only the leases
 *   that node held, never another live node's.
 * - depth() / activeQueues() are synchronous, so they read a local view (view.ts): this node's own
 *   mutations count at once; other nodes' within one NOTIFY round trip (a few ms) while the LISTEN
 *   connection is up, and within `refreshMs` (default 2 s) of the change in any case (the view is
 *   recounted from the table that often; a lost notification is repaired then).
 * - Connection loss: the pool reconnects per query and the LISTEN session reconnects with backoff
 *   (then recounts and wakes watchers, as it may have missed announcements). Meanwhile calls fail
 *   with NIMBUS_ERR_QUEUE_UNAVAILABLE (retryable); a call that failed that way may or may not have
 *   committed, which at-least-once delivery and dedupe keys already allow for.
 *
 * Needs PostgreSQL 13+ (pg_current_xact_id_if_assigned, gen_random_uuid).
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import { CoreErrors, NimbusError } from '../../core/errors.ts';
import type { Clock, FollowUps, Queue } from '../../core/ports.ts';
import type {
  EnqueueItem,
  EnqueueResult,
  LeasedMessage,
  QueueMessage,
  QueueMessageState,
  QueueStats,
} from '../../core/types.ts';
import { poolTimeouts } from '../../store/postgres/connection.ts';
import { QueueErrors } from '../errors.ts';
import { Batcher } from './batcher.ts';
import { isConnectionError, isTransient, PgQueueErrors } from './errors.ts';
import { Announcer, decodeEvents, type QueueEvent, startListener } from './listen.ts';
import * as sql from './sql.ts';
import { CountView } from './view.ts';

export { PgQueueErrors } from './errors.ts';

export interface PostgresQueueOptions {
  readonly url: string;
  /** Schema of the queue's table (created if missing): two clusters can share one database. */
  readonly schema: string;
  readonly clock: Clock;
  /**
   * Stable name of this node (pod name): its leases are held under it and recover() releases only
   * those, so a restarted node must come back under the same name and two live nodes must never
   * share one. Default: the host name.
   */
  readonly nodeId?: string;
  /** Default dedupe window for enqueues with a dedupe key. */
  readonly dedupeWindowMs?: number;
  readonly pool?: {
    readonly max?: number;
    readonly connectTimeoutMs?: number;
    /** How long a statement may go unanswered before it fails QUEUE_UNAVAILABLE (default 30 s). */
    readonly queryTimeoutMs?: number;
  };
  /** How often depth()/activeQueues() are recounted from the table (ms, default 2000). */
  readonly refreshMs?: number;
}

export interface PostgresQueue extends Queue {
  watch(fn: (queue: string) => void): () => void;
  /** Statements sent so far (each one round trip; announcements are NOTIFYs, counted in both). */
  readonly counters: { readonly statements: number; readonly announcements: number };
  /** Recounts the depth view now (it also happens every refreshMs). */
  refresh(): Promise<void>;
  /** Backend pid of the LISTEN session (undefined while it reconnects). */
  readonly listenerPid: number | undefined;
}

const INT8 = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

interface Row {
  seq: number;
  id: string;
  queue: string;
  tenant: string;
  source: string;
  state: string;
  body: string;
  dedupe_key: string | null;
  grp: string | null;
  attempts: number;
  failures: number;
  enqueued_at: number;
  visible_at: number;
  lease_token: string | null;
  updated_at: number;
  result: string | null;
  error: string | null;
}

interface SettleOp {
  readonly kind: 'ack' | 'nack' | 'dead' | 'extend';
  readonly id: string;
  readonly token: string;
  readonly result?: string | undefined;
  /** nack: the retry time. */
  readonly retryAt?: number;
  /** extend: the new lease length from now. */
  readonly extendMs?: number;
  readonly failures: number;
  readonly error?: string | undefined;
}

/** An EnqueueItem as the insert statement takes it. */
interface Prepared {
  readonly id: string;
  readonly it: EnqueueItem;
  readonly visibleAt: number;
  readonly dedupeUntil: number | null;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgresQueue(o: PostgresQueueOptions): Promise<PostgresQueue> {
  if (!SCHEMA_NAME.test(o.schema))
    throw PgQueueErrors.UNAVAILABLE({ reason: `invalid schema name ${o.schema}` });
  const { clock, schema } = o;
  const nodeId = o.nodeId ?? hostname();
  const instance = randomUUID();
  const table = `${schema}.queue_messages`;
  const defaultWindow = o.dedupeWindowMs ?? 5 * 60_000;
  const refreshMs = o.refreshMs ?? 2000;
  const connectTimeoutMs = o.pool?.connectTimeoutMs ?? 5000;
  const channel =
    `nimbus_queue_${schema}`.length <= 63
      ? `nimbus_queue_${schema}`
      : `nimbus_queue_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
  const connection = (role: string) => ({
    connectionString: o.url,
    ...poolTimeouts({ connectTimeoutMs, queryTimeoutMs: o.pool?.queryTimeoutMs }),
    application_name: `nimbus-queue${role}/${nodeId}`.slice(0, 63),
    types,
  });

  const pool = new pg.Pool({ ...connection(''), max: o.pool?.max ?? 10 });
  // An idle connection dropped by a server restart must not crash the process; the next query
  // takes a new one.
  pool.on('error', () => {});

  const counters = { statements: 0, announcements: 0 };
  const inflight = new Set<Promise<unknown>>();
  let closing = false;

  const query = async <R extends pg.QueryResultRow>(
    name: string | undefined,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> => {
    for (let attempt = 1; ; attempt++) {
      counters.statements++;
      const p = pool.query<R>(name === undefined ? { text, values } : { name, text, values });
      inflight.add(p);
      try {
        return await p;
      } catch (e) {
        // A deadlock (two batches locking the same dedupe keys in another order) rolled the
        // statement back: it is atomic, so running it again is safe.
        if (isTransient(e) && attempt < 4) continue;
        throw toQueueError(e);
      } finally {
        inflight.delete(p);
      }
    }
  };
  const open = () => {
    if (closing) throw QueueErrors.CLOSED();
  };

  try {
    await migrate(pool, schema, table);
  } catch (e) {
    await pool.end().catch(() => {});
    throw toQueueError(e);
  }

  const S = {
    enqueue: sql.enqueueSql(table),
    holders: sql.holdersSql(table),
    settle: sql.settleSql(table),
    settleFollow: sql.settleWithFollowUpsSql(table),
    lease: sql.leaseSql(table),
    get: sql.getSql(table),
    cancel: sql.cancelSql(table),
    replay: sql.replaySql(table),
    purge: sql.purgeSql(table),
    recover: sql.recoverSql(table),
    sweep: sql.sweepSql(table),
    dropAll: sql.dropAllSql(table),
    dropOld: sql.dropOldSql(table),
    statsOne: sql.statsOneSql(table),
    statsAll: sql.statsAllSql(table),
    head: sql.headSql(table),
    next: sql.nextSql(table),
    refresh: sql.refreshSql(table),
  };

  // ------------------------------------------------------------ the local view and announcements

  const view = new CountView();
  const watchers = new Set<(queue: string) => void>();
  const announcer = new Announcer(instance, async (payloads) => {
    counters.announcements++;
    await query('nq_notify', 'SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [channel, payloads]);
  });
  /** Applies this node's committed changes to its view and announces them to the others. */
  const committed = (events: QueueEvent[]) => {
    const news = events.filter((e) => e.delta !== 0 || e.wake);
    for (const e of news) view.apply(e.xid, e.queue, e.delta);
    announcer.publish(news);
  };
  const wake = (queues: Iterable<string>) => {
    for (const q of new Set(queues))
      for (const fn of watchers) {
        try {
          fn(q);
        } catch {
          // a watcher's failure is its own
        }
      }
  };

  let refreshing: Promise<void> | undefined;
  const refresh = (): Promise<void> =>
    (refreshing ??= (async () => {
      view.beginRefresh();
      try {
        const r = await query<{ snap: string; counts: [string, number][] }>('nq_refresh', S.refresh, []);
        const row = r.rows[0]!;
        view.endRefresh(
          row.snap,
          row.counts.map(([queue, n]) => ({ queue, n })),
        );
      } catch (e) {
        view.abortRefresh();
        throw e;
      } finally {
        refreshing = undefined;
      }
    })());

  // Real timers, not the injected clock: this is about how stale a cache may get in wall time
  // (other nodes change the table in real time even while a test's fake clock stands still).
  let refreshTimer: NodeJS.Timeout | undefined;
  const scheduleRefresh = () => {
    if (closing) return;
    refreshTimer = setTimeout(() => {
      refresh()
        .catch(() => {})
        .finally(scheduleRefresh);
    }, refreshMs);
    refreshTimer.unref();
  };

  let listener: Awaited<ReturnType<typeof startListener>>;
  try {
    await refresh();
    listener = await startListener({
      client: () => new pg.Client(connection('-listen')),
      channel,
      onPayload(payload) {
        const msg = decodeEvents(payload);
        if (!msg || msg.instance === instance) return;
        const woken: string[] = [];
        for (const e of msg.events) {
          view.apply(e.xid, e.queue, e.delta);
          if (e.wake) woken.push(e.queue);
        }
        wake(woken);
      },
      onReconnect() {
        // Announcements made while we were not listening are lost: recount, then wake every
        // queue that has work.
        refresh()
          .catch(() => {})
          .finally(() => wake(view.active()));
      },
    });
  } catch (e) {
    await pool.end().catch(() => {});
    throw toQueueError(e);
  }
  scheduleRefresh();

  // ------------------------------------------------------------ enqueue

  const prepare = (it: EnqueueItem, now: number): Prepared => ({
    id: it.id ?? randomUUID(),
    it,
    visibleAt: it.visibleAt ?? now + Math.max(0, it.delayMs ?? 0),
    dedupeUntil: it.dedupeKey === undefined ? null : now + (it.dedupeWindowMs ?? defaultWindow),
  });
  const insertParams = (ps: readonly Prepared[]): unknown[] => [
    ps.map((p) => p.id),
    ps.map((p) => p.it.queue),
    ps.map((p) => p.it.tenant),
    ps.map((p) => p.it.source ?? 'api'),
    ps.map((p) => (p.it.dead ? 'dead' : 'queued')),
    ps.map((p) => p.it.body),
    ps.map((p) => p.it.dedupeKey ?? null),
    ps.map((p) => p.dedupeUntil),
    ps.map((p) => p.it.group ?? null),
    ps.map((p) => p.visibleAt),
    ps.map((p) => p.it.dead?.error ?? null),
  ];
  /** Announcements for inserted rows (`[queue, state]`) of transaction `xid`. */
  const insertedEvents = (xid: string | null, rows: readonly (readonly [string, string])[]) => {
    const per = new Map<string, number>();
    for (const [queue, state] of rows) if (state === 'queued') per.set(queue, (per.get(queue) ?? 0) + 1);
    return [...per].map(([queue, n]): QueueEvent => ({ xid, queue, delta: n, wake: true }));
  };

  const insert = async (ps: readonly Prepared[], now: number, attempt = 1): Promise<EnqueueResult[]> => {
    const r = await query<{ id: string; queue: string; state: string; xid: string | null }>(
      'nq_enqueue',
      S.enqueue,
      [...insertParams(ps), now],
    );
    const inserted = new Set(r.rows.map((x) => x.id));
    committed(
      insertedEvents(
        r.rows[0]?.xid ?? null,
        r.rows.map((x) => [x.queue, x.state] as const),
      ),
    );
    const skipped = ps.filter((p) => !inserted.has(p.id));
    if (skipped.length === 0) return ps.map((p) => ({ id: p.id, duplicate: false }));
    // Skipped by ON CONFLICT: a live message (or an earlier item of this batch) holds the key.
    const h = await query<{ id: string; queue: string; dedupe_key: string }>('nq_holders', S.holders, [
      skipped.map((p) => p.it.queue),
      skipped.map((p) => p.it.dedupeKey ?? null),
    ]);
    const holder = new Map(h.rows.map((x) => [`${x.queue}\u0000${x.dedupe_key}`, x.id]));
    const out = new Map<string, EnqueueResult>();
    const again: Prepared[] = [];
    for (const p of skipped) {
      const id = holder.get(`${p.it.queue}\u0000${p.it.dedupeKey}`);
      if (id !== undefined) out.set(p.id, { id, duplicate: true });
      else again.push(p);
    }
    // The holder was deleted (swept, cancelled, dropped) between the insert and the lookup: the
    // key is free now, so those items are inserted after all (a second transaction, rarely).
    if (again.length > 0) {
      if (attempt >= 3) throw PgQueueErrors.UNAVAILABLE({ reason: 'dedupe keys kept changing hands' });
      const more = await insert(again, clock.now(), attempt + 1);
      for (const [i, p] of again.entries()) out.set(p.id, more[i]!);
    }
    return ps.map((p) => out.get(p.id) ?? { id: p.id, duplicate: false });
  };

  const enqueues = new Batcher<readonly EnqueueItem[], EnqueueResult[]>({
    maxInFlight: 8,
    maxBatch: 1000,
    weight: (items) => items.length,
    // One call's bad item (an id that exists) must not fail the calls it was batched with.
    split: (e) => !(e instanceof NimbusError && e.retryable),
    async run(calls) {
      const now = clock.now();
      const ps = calls.flatMap((items) => items.map((it) => prepare(it, now)));
      const results = await insert(ps, now);
      let at = 0;
      return calls.map((items) => {
        at += items.length;
        return results.slice(at - items.length, at);
      });
    },
  });

  // ------------------------------------------------------------ settle (ack, nack, dead, extend)

  const settleParams = (ops: readonly SettleOp[], now: number): unknown[] => [
    ops.map((x) => x.id),
    ops.map((x) => x.token),
    ops.map((x) => x.kind),
    ops.map((x) => x.result ?? null),
    ops.map((x) => (x.kind === 'nack' ? x.retryAt! : x.kind === 'extend' ? now + x.extendMs! : null)),
    ops.map((x) => x.failures),
    ops.map((x) => x.error ?? null),
    now,
  ];
  const settledEvent = (op: SettleOp, queue: string, xid: string | null): QueueEvent | undefined => {
    if (op.kind === 'ack' || op.kind === 'dead') return { xid, queue, delta: -1, wake: false };
    if (op.kind === 'nack') return { xid, queue, delta: 0, wake: true };
    return undefined;
  };

  const settles = new Batcher<SettleOp, boolean>({
    maxInFlight: 8,
    maxBatch: 256,
    // One statement must not update a row twice (an extend racing an ack of the same message).
    key: (op) => op.id,
    split: (e) => !(e instanceof NimbusError && e.retryable),
    async run(ops) {
      const r = await query<{ id: string; tok: string; queue: string; xid: string | null }>(
        'nq_settle',
        S.settle,
        settleParams(ops, clock.now()),
      );
      const won = new Map(r.rows.map((x) => [`${x.id}\u0000${x.tok}`, x]));
      const events: QueueEvent[] = [];
      const out = ops.map((op) => {
        const w = won.get(`${op.id}\u0000${op.token}`);
        if (!w) return false;
        const e = settledEvent(op, w.queue, w.xid);
        if (e) events.push(e);
        return true;
      });
      committed(events);
      return out;
    },
  });

  const settle = async (op: SettleOp, f: FollowUps | undefined): Promise<boolean> => {
    open();
    const items = f?.followUps ?? [];
    if (items.length === 0) return settles.push(op);
    const now = clock.now();
    const r = await query<{ queue: string; xid: string | null; ins: [string, string][] }>(
      'nq_settle_follow',
      S.settleFollow,
      [...settleParams([op], now), ...insertParams(items.map((it) => prepare(it, now)))],
    );
    const row = r.rows[0];
    if (!row) return false;
    const e = settledEvent(op, row.queue, row.xid);
    committed([...(e ? [e] : []), ...insertedEvents(row.xid, row.ins)]);
    return true;
  };

  // ------------------------------------------------------------ the port

  const q: PostgresQueue = {
    kind: 'postgres',

    enqueue(items) {
      open();
      if (items.length === 0) return Promise.resolve([]);
      return enqueues.push(items);
    },

    async lease(queue, { max, visibilityMs }) {
      open();
      const n = Math.max(0, Math.floor(max));
      if (n === 0) return [];
      const now = clock.now();
      const r = await query<Row & { was: number }>('nq_lease', S.lease, [
        queue,
        now,
        n,
        now + visibilityMs,
        nodeId,
      ]);
      return r.rows
        .sort((a, b) => a.was - b.was || a.seq - b.seq)
        .map((row): LeasedMessage => ({ ...toMessage(row, now), leaseToken: row.lease_token! }));
    },

    extend(id, token, visibilityMs) {
      return settle({ kind: 'extend', id, token, extendMs: visibilityMs, failures: 0 }, undefined);
    },

    ack(id, token, opts) {
      return settle({ kind: 'ack', id, token, result: opts?.result, failures: 0 }, opts);
    },

    nack(id, token, opts) {
      return settle(
        {
          kind: 'nack',
          id,
          token,
          retryAt: opts.retryAt,
          error: opts.error,
          failures: opts.countFailure === false ? 0 : 1,
        },
        opts,
      );
    },

    deadLetter(id, token, opts) {
      return settle({ kind: 'dead', id, token, error: opts.error, failures: 1 }, opts);
    },

    async get(id) {
      open();
      const r = await query<Row>('nq_get', S.get, [id]);
      const row = r.rows[0];
      return row ? toMessage(row, clock.now()) : undefined;
    },

    async cancel(id) {
      open();
      const r = await query<{ queue: string; xid: string | null }>('nq_cancel', S.cancel, [id, clock.now()]);
      const row = r.rows[0];
      if (!row) return false;
      committed([{ xid: row.xid, queue: row.queue, delta: -1, wake: false }]);
      return true;
    },

    async list(lq) {
      open();
      const limit = Math.min(Math.max(lq.limit ?? 100, 1), 1000);
      const { text, values } = sql.listSql(table, {
        state: lq.state,
        limit,
        ...(lq.tenant === undefined ? {} : { tenant: lq.tenant }),
        ...(lq.queue === undefined ? {} : { queue: lq.queue }),
        ...(lq.source === undefined ? {} : { source: lq.source }),
        ...(lq.after === undefined ? {} : { after: lq.after }),
      });
      const r = await query<Row>(undefined, text, values);
      const now = clock.now();
      return r.rows.map((row) => toMessage(row, now));
    },

    async replay(ids) {
      open();
      if (ids.length === 0) return 0;
      const r = await query<{ queue: string; xid: string | null }>('nq_replay', S.replay, [
        [...ids],
        clock.now(),
      ]);
      committed(
        insertedEvents(
          r.rows[0]?.xid ?? null,
          r.rows.map((x) => [x.queue, 'queued'] as const),
        ),
      );
      return r.rows.length;
    },

    async purge(ids) {
      open();
      if (ids.length === 0) return 0;
      const r = await query('nq_purge', S.purge, [[...ids]]);
      return r.rowCount ?? 0;
    },

    async stats(queue) {
      open();
      const now = clock.now();
      type StatsRow = {
        queue?: string;
        ready: number;
        delayed: number;
        inflight: number;
        dead: number;
        oldest: number | null;
      };
      const rows =
        queue === undefined
          ? (await query<StatsRow>('nq_stats_all', S.statsAll, [now])).rows
          : (await query<StatsRow>('nq_stats_one', S.statsOne, [now, queue])).rows.map((r) => ({
              ...r,
              queue,
            }));
      return rows.map(
        (r): QueueStats => ({
          queue: r.queue!,
          ready: r.ready,
          delayed: r.delayed,
          inflight: r.inflight,
          dead: r.dead,
          oldestAgeMs: r.oldest === null ? 0 : Math.max(0, now - r.oldest),
        }),
      );
    },

    depth(queue) {
      return view.depth(queue);
    },

    async lagMs(queue) {
      open();
      const r = await query<{ at: number | null }>('nq_head', S.head, [queue]);
      const at = r.rows[0]?.at ?? null;
      return at === null ? 0 : Math.max(0, clock.now() - at);
    },

    activeQueues() {
      return view.active();
    },

    async nextVisibleAt() {
      open();
      const r = await query<{ at: number | null }>('nq_next', S.next, []);
      return r.rows[0]?.at ?? undefined;
    },

    async recover() {
      open();
      const r = await query<{ queue: string }>('nq_recover', S.recover, [clock.now(), nodeId]);
      committed(
        [...new Set(r.rows.map((x) => x.queue))].map((queue) => ({ xid: null, queue, delta: 0, wake: true })),
      );
      return r.rows.length;
    },

    async sweep(before) {
      open();
      const r = await query('nq_sweep', S.sweep, [before]);
      return r.rowCount ?? 0;
    },

    async drop(queue, opts) {
      open();
      const r =
        opts?.enqueuedBefore === undefined
          ? await query<{ n: number; queued: number; xid: string | null }>('nq_drop_all', S.dropAll, [queue])
          : await query<{ n: number; queued: number; xid: string | null }>('nq_drop_old', S.dropOld, [
              queue,
              opts.enqueuedBefore,
            ]);
      const row = r.rows[0]!;
      committed([{ xid: row.xid, queue, delta: -row.queued, wake: false }]);
      return row.n;
    },

    watch(fn) {
      watchers.add(fn);
      return () => {
        watchers.delete(fn);
      };
    },

    get counters() {
      return { ...counters };
    },

    refresh() {
      open();
      return refresh();
    },

    get listenerPid() {
      return listener.pid;
    },

    async close() {
      if (closing) return;
      closing = true;
      if (refreshTimer) clearTimeout(refreshTimer);
      // What was accepted before close() still commits and resolves (as the embedded queue).
      await Promise.all([enqueues.idle(), settles.idle()]);
      await Promise.allSettled([...inflight]);
      await announcer.flushed();
      await refreshing?.catch(() => {});
      watchers.clear();
      await listener.close();
      await pool.end().catch(() => {});
    },
  };
  return q;
}

/** Creates the schema, table and indexes that are missing, one node at a time. */
async function migrate(pool: pg.Pool, schema: string, table: string): Promise<void> {
  const c = await pool.connect();
  try {
    const present = async () =>
      new Set(
        (
          await c.query<{ name: string }>(
            `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1`,
            [schema],
          )
        ).rows.map((r) => r.name),
      );
    const steps = sql.ddl(table);
    // Nothing missing (the usual start): no lock, no DDL (CREATE INDEX IF NOT EXISTS would still
    // lock the table against writers for a moment).
    const existing = await present();
    if (steps.every((s) => existing.has(s.name))) return;
    await c.query('BEGIN');
    try {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`nimbus-queue:${schema}`]);
      // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the
      // schema exists, which a least-privilege role given just its schema does not have.
      const found = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (found.rowCount === 0) await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      const have = await present();
      for (const s of steps) if (!have.has(s.name)) await c.query(s.sql);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    }
  } finally {
    c.release();
  }
}

function toQueueError(e: unknown): unknown {
  if (e instanceof NimbusError) return e;
  if (isConnectionError(e)) {
    return PgQueueErrors.UNAVAILABLE({ reason: (e as Error).message || String(e) }, { cause: e });
  }
  const err = e as { code?: string; constraint?: string };
  if (err.code === '23505' && err.constraint === 'queue_messages_id_key')
    return CoreErrors.CONFLICT({ what: 'queue message id' }, { cause: e });
  return e;
}

function toMessage(r: Row, now: number): QueueMessage {
  return {
    id: r.id,
    queue: r.queue,
    tenant: r.tenant,
    source: r.source,
    body: r.body,
    dedupeKey: r.dedupe_key ?? undefined,
    group: r.grp ?? undefined,
    state: r.state as QueueMessageState,
    attempts: r.attempts,
    failures: r.failures,
    enqueuedAt: r.enqueued_at,
    visibleAt: r.visible_at,
    leased: r.state === 'queued' && r.lease_token !== null && r.visible_at > now,
    updatedAt: r.updated_at,
    result: r.result ?? undefined,
    error: r.error ?? undefined,
  };
}
