/**
 * The audit service: a group-committing sink for audit entries (the API's onResponse hook calls
 * `record` for every mutation, authentication failure and denial), queries, chain verification and
 * retention.
 *
 * `record` only pushes to a buffer: one `repo.append` (one transaction) stores a whole batch every
 * `flushMs` or at `maxBatch` entries, so the audit log never sits on a request's path.
 */
import type { AuditRepo, Clock, SettingsRepo } from '../core/ports.ts';
import type { AuditEntry, AuditQuery, AuditRecord } from '../core/types.ts';
import { type ChainPoint, ChainVerifier, GENESIS, linkHash, type VerifyResult } from './chain.ts';

const DAY_MS = 86_400_000;
const PAGE = 5000;
/** Entries carry codes, never bodies or secret values; the cap makes sure nothing large slips in. */
export const MAX_DETAIL_CHARS = 512;
const MAX_FIELD_CHARS = 2048;

/** Where the anchor lives: settings of the pseudo-tenant `-` (the chain covers every tenant). */
export const ANCHOR_TENANT = '-';
export const ANCHOR_KEY = 'audit.anchor';

/**
 * The last pruned record. `next` is set while a prune is in progress: the record that is about to
 * become the anchor (see `prune`).
 */
export interface StoredAnchor extends ChainPoint {
  readonly next?: ChainPoint | undefined;
}

export type AuditVerification = VerifyResult & {
  /** The chain's head when verification started (records appended later are not covered). */
  readonly head: ChainPoint;
  /** Where verification started: the last pruned record, or seq 0. */
  readonly anchor: ChainPoint;
};

export interface AuditServiceOptions {
  /** HMAC key of the chain (derived from the master key); without it, plain sha256. */
  readonly chainKey?: Buffer | undefined;
  readonly repo: AuditRepo;
  readonly settings: SettingsRepo;
  readonly clock: Clock;
  /** Records older than this are pruned; 0 keeps them forever. */
  readonly retentionDays: number;
  /** Longest time an entry waits in the buffer (default 50 ms). */
  readonly flushMs?: number | undefined;
  /** A batch this large is written at once (default 256). */
  readonly maxBatch?: number | undefined;
  /** Entries kept while the store fails; beyond it the oldest are dropped (default 100,000). */
  readonly maxBuffered?: number | undefined;
  /** Default 24 h; the first prune runs at start. */
  readonly pruneEveryMs?: number | undefined;
  /** Failed writes, dropped entries, failed prunes (the platform log). */
  readonly onError?: ((e: unknown, what: string) => void) | undefined;
}

export interface AuditStats {
  /** Waiting to be written (including a batch being written). */
  readonly buffered: number;
  /** Dropped because the buffer was full while the store failed, since start. */
  readonly dropped: number;
  /** Entries stored since start. */
  readonly appended: number;
  /** Failed appends since start. */
  readonly failedAppends: number;
}

export interface AuditService {
  /** Synchronous and cheap: buffers the entry. */
  record(e: AuditEntry): void;
  /** Writes everything recorded so far; resolves when it is stored (or the write failed and was kept). */
  flush(): Promise<void>;
  /** Buffered entries first (a query sees every request that finished before it). */
  query(q: AuditQuery): Promise<AuditRecord[]>;
  /** Walks the whole chain, anchor to head. */
  verify(): Promise<AuditVerification>;
  /** Deletes records older than retentionDays; returns the new anchor, if anything was deleted. */
  prune(): Promise<AuditRecord | undefined>;
  stats(): AuditStats;
  /** Stops the prune timer and flushes. */
  close(): Promise<void>;
}

export function createAuditService(o: AuditServiceOptions): AuditService {
  const flushMs = o.flushMs ?? 50;
  const maxBatch = Math.max(1, o.maxBatch ?? 256);
  const maxBuffered = Math.max(maxBatch, o.maxBuffered ?? 100_000);
  const pruneEveryMs = o.pruneEveryMs ?? DAY_MS;
  const onError = (e: unknown, what: string) => o.onError?.(e, what);

  let buf: AuditEntry[] = [];
  let writing = 0;
  let cancelFlush: (() => void) | undefined;
  let inflight: Promise<void> = Promise.resolve();
  let failures = 0;
  let dropped = 0;
  /** Dropped entries not yet noted in the log itself. */
  let droppedUnlogged = 0;
  let appended = 0;
  let failedAppends = 0;
  let closed = false;

  const schedule = (ms: number) => {
    cancelFlush ??= o.clock.setTimeout(() => {
      cancelFlush = undefined;
      void flush();
    }, ms);
  };

  /**
   * While the store fails, entries stay buffered and are retried (with backoff) — up to
   * `maxBuffered`. Beyond that the oldest are dropped: the API must keep serving while the store
   * is down, and memory must stay bounded. Drops are counted, reported through onError, and once
   * the store is back a `nimbus:AuditEntriesDropped` record says how many are missing.
   */
  const enforceBound = () => {
    const excess = buf.length - maxBuffered;
    if (excess <= 0) return;
    buf.splice(0, excess);
    if (droppedUnlogged === 0)
      onError(
        new Error(
          `audit buffer full (${maxBuffered} entries): dropping the oldest until the store accepts writes`,
        ),
        'audit entries dropped',
      );
    dropped += excess;
    droppedUnlogged += excess;
  };

  /** Made when written (never buffered, so it cannot be dropped itself); counted down once stored. */
  const droppedNote = (count: number): AuditEntry => ({
    tenant: '-',
    ts: o.clock.now(),
    principal: '-',
    action: 'nimbus:AuditEntriesDropped',
    resource: '',
    sourceIp: '',
    result: 'error',
    status: 0,
    detail: `${count} audit entries were dropped while the store did not accept writes`,
  });

  const drain = async () => {
    while (buf.length > 0) {
      // Taken out of the buffer while written, so dropping the oldest cannot touch them.
      const batch = buf.splice(0, maxBatch);
      const noted = droppedUnlogged;
      writing = batch.length;
      try {
        await o.repo.append(noted > 0 ? [droppedNote(noted), ...batch] : batch, (prev, seq, e) =>
          linkHash(prev, seq, e, o.chainKey),
        );
        appended += batch.length;
        droppedUnlogged -= noted;
        failures = 0;
      } catch (e) {
        buf = batch.concat(buf);
        failures++;
        failedAppends++;
        enforceBound();
        onError(e, `audit append failed (${buf.length} entries kept, retrying)`);
        cancelFlush?.();
        cancelFlush = undefined;
        schedule(Math.min(flushMs * 2 ** failures, 5000));
        return;
      } finally {
        writing = 0;
      }
    }
  };

  const flush = (): Promise<void> => {
    cancelFlush?.();
    cancelFlush = undefined;
    inflight = inflight.then(drain);
    return inflight;
  };

  const readAnchor = async (): Promise<StoredAnchor> => {
    const v = await o.settings.get<StoredAnchor>(ANCHOR_TENANT, ANCHOR_KEY);
    if (!isPoint(v)) return GENESIS;
    return isPoint(v.next) ? { seq: v.seq, hash: v.hash, next: point(v.next) } : point(v);
  };
  const writeAnchor = (a: StoredAnchor) => o.settings.put(ANCHOR_TENANT, ANCHOR_KEY, a);

  /** After an interrupted prune: the deletion committed if the log now starts after `next`. */
  const settle = async (a: StoredAnchor): Promise<StoredAnchor> => {
    if (!a.next) return a;
    const first = (await o.repo.scan(0, 1))[0];
    const done = first
      ? first.seq === a.next.seq + 1 && first.prevHash === a.next.hash
      : sameHead(await o.repo.head(), a.next);
    if (!done) return a; // not deleted yet (or tampered with): verify accepts either until then
    const promoted = point(a.next);
    await writeAnchor(promoted);
    return promoted;
  };

  const walk = async (stored: StoredAnchor): Promise<AuditVerification> => {
    // The head first: records appended while we walk are simply not covered.
    const head = await o.repo.head();
    const v = new ChainVerifier(stored.next ? [point(stored), stored.next] : [point(stored)], o.chainKey);
    // From the very beginning, not from the anchor: a record at or before it must not exist.
    for (let after = 0; ; ) {
      const page = await o.repo.scan(after, PAGE);
      const covered = page.filter((r) => r.seq <= head.seq);
      if (!v.push(covered) || covered.length < PAGE) break;
      after = covered.at(-1)!.seq;
    }
    return { ...v.end(head), head, anchor: point(stored) };
  };

  let pruning: Promise<unknown> = Promise.resolve();
  const pruneOnce = async (): Promise<AuditRecord | undefined> => {
    if (o.retentionDays <= 0) return undefined;
    const cutoff = o.clock.now() - o.retentionDays * DAY_MS;
    const stored = await settle(await readAnchor());
    // The record that becomes the anchor: the last one older than the cutoff (what repo.prune
    // deletes up to; it returns it only after deleting).
    let target: AuditRecord | undefined;
    for (let after = 0; ; ) {
      const page = await o.repo.query({ until: cutoff, afterSeq: after, limit: PAGE });
      if (page.length === 0) break;
      target = page.at(-1)!;
      after = target.seq;
      if (page.length < PAGE) break;
    }
    if (!target) return undefined;
    // Crash safety. Deleting and moving the anchor are two writes (different repos, and PostgreSQL
    // nodes may run this concurrently), so the anchor-to-be is written *before* deleting, next to
    // the current one: verification accepts a log starting after either, so a crash at any point
    // is never reported as tampering, and the next prune (`settle`) finishes the move. Only a
    // record older than the cutoff appended between the lookup and the delete (a clock jump of
    // retentionDays) could make the deleted range end elsewhere.
    await writeAnchor({ seq: stored.seq, hash: stored.hash, next: point(target) });
    const cut = await o.repo.prune(cutoff);
    if (!cut) return undefined; // another node pruned first; `settle` moves the anchor next time
    await writeAnchor(point(cut));
    return cut;
  };
  const prune = (): Promise<AuditRecord | undefined> => {
    const run = pruning.then(pruneOnce, pruneOnce);
    pruning = run.catch(() => {});
    return run;
  };

  let cancelPrune: (() => void) | undefined;
  const pruneTick = () => {
    cancelPrune = undefined;
    prune()
      .catch((e: unknown) => onError(e, 'audit prune failed'))
      .finally(() => {
        if (!closed) cancelPrune = o.clock.setTimeout(pruneTick, pruneEveryMs);
      });
  };
  if (o.retentionDays > 0) cancelPrune = o.clock.setTimeout(pruneTick, 0);

  return {
    record(e) {
      buf.push(sanitize(e));
      enforceBound();
      // While the store fails, only the backoff timer retries (not every request).
      if (failures > 0) return;
      if (buf.length >= maxBatch) void flush();
      else schedule(flushMs);
    },
    flush,
    async query(q) {
      await flush();
      return o.repo.query(q);
    },
    async verify() {
      await flush();
      const stored = await readAnchor();
      const r = await walk(stored);
      if (r.ok) return r;
      // A prune that moved the anchor while we walked is not tampering: walk again once.
      const now = await readAnchor();
      return sameAnchor(stored, now) ? r : walk(now);
    },
    prune,
    stats: () => ({ buffered: buf.length + writing, dropped, appended, failedAppends }),
    async close() {
      closed = true;
      cancelPrune?.();
      cancelPrune = undefined;
      await pruning;
      await flush();
      if (buf.length > 0)
        onError(new Error(`${buf.length} audit entries could not be stored before shutdown`), 'audit close');
    },
  };
}

/**
 * Entries come from request data (paths, IPs): make every string storable as text everywhere
 * (PostgreSQL refuses NUL; lone surrogates would not read back as written and break the hash),
 * bound their sizes (detail at MAX_DETAIL_CHARS), and make the numbers integers.
 */
function sanitize(e: AuditEntry): AuditEntry {
  const s = (v: string, max = MAX_FIELD_CHARS) => {
    const cut = v.length > max ? `${v.slice(0, max - 1)}…` : v;
    return cut.toWellFormed().replaceAll('\u0000', '\uFFFD');
  };
  return {
    tenant: s(e.tenant, 64),
    ts: Math.trunc(e.ts),
    principal: s(e.principal),
    action: s(e.action, 256),
    resource: s(e.resource),
    sourceIp: s(e.sourceIp, 64),
    result: e.result,
    status: Math.trunc(e.status),
    detail: s(e.detail, MAX_DETAIL_CHARS),
  };
}

function isPoint(v: unknown): v is ChainPoint {
  const p = v as ChainPoint | undefined;
  return typeof p === 'object' && p !== null && Number.isSafeInteger(p.seq) && typeof p.hash === 'string';
}
const point = (p: ChainPoint): ChainPoint => ({ seq: p.seq, hash: p.hash });
const sameHead = (a: ChainPoint, b: ChainPoint) => a.seq === b.seq && a.hash === b.hash;
const sameAnchor = (a: StoredAnchor, b: StoredAnchor) =>
  sameHead(a, b) &&
  (a.next === undefined) === (b.next === undefined) &&
  (!a.next || sameHead(a.next, b.next!));
