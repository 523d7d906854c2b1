/**
 * The audit log's hash chain. Each record's hash covers the previous record's hash, its own seq and
 * every field of the entry, so changing, deleting, inserting or reordering records shows up as a
 * broken link. Verification is a pure function over records in seq order; `ChainVerifier` takes
 * them page by page so the whole log never has to be in memory.
 *
 * What the chain does not stop: someone with write access to the store who rewrites a record *and*
 * recomputes every later hash and the head. Catching that needs the head hash kept somewhere the
 * store's writers cannot reach (`POST /v1/audit/verify` answers it for that purpose).
 */
import { createHash, createHmac } from 'node:crypto';
import type { AuditEntry, AuditRecord } from '../core/types.ts';

/** The prevHash of the very first record, and the head of an empty log. */
export const GENESIS_HASH = '0'.repeat(64);

/** A point of the chain: a seq and the hash of the record with that seq. */
export interface ChainPoint {
  readonly seq: number;
  readonly hash: string;
}

export const GENESIS: ChainPoint = Object.freeze({ seq: 0, hash: GENESIS_HASH });

/**
 * sha256 hex over a JSON array in a fixed field order: JSON escapes every string, so no choice of
 * field contents can make two different records serialize alike. With `key` (the platform's
 * audit key, derived from the master key) it is an HMAC: someone who can write the store but does
 * not hold the master key cannot recompute a rewritten chain so that it verifies.
 */
export function linkHash(prevHash: string, seq: number, e: AuditEntry, key?: Buffer): string {
  const canonical = JSON.stringify([
    prevHash,
    seq,
    e.tenant,
    e.ts,
    e.principal,
    e.action,
    e.resource,
    e.sourceIp,
    e.result,
    e.status,
    e.detail,
  ]);
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(canonical, 'utf8').digest('hex');
}

export type VerifyResult =
  | { readonly ok: true; readonly checked: number }
  | {
      readonly ok: false;
      readonly checked: number;
      /** The first seq where the chain breaks. */
      readonly seq: number;
      readonly reason: string;
    };

/**
 * Checks records page by page, in seq order. `anchors` are the points the first record may follow
 * (the last pruned record; two while a prune is in progress, see audit/service.ts); `end(head)`
 * checks that the last record is the chain's head.
 */
export class ChainVerifier {
  readonly #anchors: readonly ChainPoint[];
  #prev: ChainPoint | undefined;
  #checked = 0;
  #failure: VerifyResult | undefined;

  readonly #key: Buffer | undefined;

  constructor(anchors: ChainPoint | readonly ChainPoint[], key?: Buffer) {
    this.#anchors = Array.isArray(anchors) ? anchors : [anchors as ChainPoint];
    this.#key = key;
  }

  /** False once the chain is known to be broken (later pages cannot repair it). */
  push(records: readonly AuditRecord[]): boolean {
    for (const r of records) {
      if (this.#failure) return false;
      this.#failure = this.#check(r);
      if (this.#failure) return false;
      this.#prev = { seq: r.seq, hash: r.hash };
      this.#checked++;
    }
    return !this.#failure;
  }

  end(head: ChainPoint): VerifyResult {
    if (this.#failure) return this.#failure;
    const checked = this.#checked;
    const last = this.#prev;
    if (!last) {
      if (this.#anchors.some((a) => a.seq === head.seq && a.hash === head.hash)) return { ok: true, checked };
      const from = this.#anchors[0] ?? GENESIS;
      return fail(
        checked,
        from.seq + 1,
        head.seq > from.seq
          ? `records ${from.seq + 1}..${head.seq} are missing: the log is empty but its head is seq ${head.seq}`
          : `the head (seq ${head.seq}) does not match the anchor (seq ${from.seq})`,
      );
    }
    if (last.seq === head.seq && last.hash === head.hash) return { ok: true, checked };
    if (last.seq < head.seq)
      return fail(
        checked,
        last.seq + 1,
        `records ${last.seq + 1}..${head.seq} are missing: the last stored record is ${last.seq} but the head is ${head.seq}`,
      );
    if (last.seq > head.seq)
      return fail(
        checked,
        head.seq + 1,
        `record ${head.seq + 1} is beyond the chain's head (seq ${head.seq})`,
      );
    return fail(checked, last.seq, `record ${last.seq} is not the chain's head (its hash differs)`);
  }

  #check(r: AuditRecord): VerifyResult | undefined {
    const checked = this.#checked;
    const prev = this.#prev;
    if (!prev) {
      if (!this.#anchors.some((a) => r.seq === a.seq + 1 && r.prevHash === a.hash)) {
        const a = this.#anchors[0] ?? GENESIS;
        return fail(
          checked,
          Math.min(r.seq, a.seq + 1),
          r.seq > a.seq + 1
            ? `records ${a.seq + 1}..${r.seq - 1} are missing: the log should start after seq ${a.seq}, it starts at ${r.seq}`
            : `record ${r.seq} does not follow the anchor (seq ${a.seq}): the first records were deleted or changed`,
        );
      }
    } else {
      if (r.seq > prev.seq + 1)
        return fail(
          checked,
          prev.seq + 1,
          r.seq === prev.seq + 2
            ? `record ${prev.seq + 1} is missing`
            : `records ${prev.seq + 1}..${r.seq - 1} are missing`,
        );
      if (r.seq <= prev.seq)
        return fail(
          checked,
          r.seq,
          `record ${r.seq} is out of order (after ${prev.seq}): records were reordered`,
        );
      if (r.prevHash !== prev.hash)
        return fail(
          checked,
          r.seq,
          `record ${r.seq} does not link to record ${prev.seq}: one of the two was rewritten`,
        );
    }
    if (linkHash(r.prevHash, r.seq, r, this.#key) !== r.hash)
      return fail(checked, r.seq, `record ${r.seq} was modified: its hash does not match its fields`);
    return undefined;
  }
}

function fail(checked: number, seq: number, reason: string): VerifyResult {
  return { ok: false, checked, seq, reason };
}

/**
 * Verifies `records` (in seq order) as the whole chain from `anchor` (the last pruned record, or
 * GENESIS; several while a prune is in progress) to `head`.
 */
export function verifyChain(
  records: readonly AuditRecord[],
  anchor: ChainPoint | readonly ChainPoint[],
  head: ChainPoint,
  key?: Buffer,
): VerifyResult {
  const v = new ChainVerifier(anchor, key);
  v.push(records);
  return v.end(head);
}
