import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEntry, AuditRecord } from '../core/types.ts';
import { type ChainPoint, ChainVerifier, GENESIS, linkHash, verifyChain } from './chain.ts';
import { parseTimeBound } from './time.ts';

const entry = (i: number): AuditEntry => ({
  tenant: i % 2 ? 'default' : 'acme',
  ts: 1_700_000_000_000 + i,
  principal: `key/K${i}`,
  action: 'nimbus:PutSchedule',
  resource: `arn:aws:nimbus:local-1:000000000000:schedule/s${i}`,
  sourceIp: '127.0.0.1',
  result: 'ok',
  status: 200,
  detail: '',
});

/** A valid chain of n records after `from`. */
function chain(n: number, from: ChainPoint = GENESIS): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prev = from;
  for (let i = 1; i <= n; i++) {
    const seq = from.seq + i;
    const e = entry(seq);
    const hash = linkHash(prev.hash, seq, e);
    out.push({ ...e, seq, prevHash: prev.hash, hash });
    prev = { seq, hash };
  }
  return out;
}
const headOf = (rs: readonly AuditRecord[], from: ChainPoint = GENESIS): ChainPoint => {
  const last = rs.at(-1);
  return last ? { seq: last.seq, hash: last.hash } : from;
};

describe('linkHash', () => {
  it('is sha256 hex and depends on every field, the seq and the previous hash', () => {
    const e = entry(1);
    const h = linkHash(GENESIS.hash, 1, e);
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.notEqual(linkHash(GENESIS.hash, 2, e), h);
    assert.notEqual(linkHash('1'.repeat(64), 1, e), h);
    for (const [k, v] of Object.entries({
      tenant: 'x',
      ts: 1,
      principal: 'x',
      action: 'x',
      resource: 'x',
      sourceIp: 'x',
      result: 'denied',
      status: 403,
      detail: 'x',
    }))
      assert.notEqual(linkHash(GENESIS.hash, 1, { ...e, [k]: v }), h, k);
  });

  it('cannot be fooled by moving characters between fields', () => {
    const a = { ...entry(1), principal: 'key/A', action: 'B' };
    const b = { ...entry(1), principal: 'key/', action: 'AB' };
    const c = { ...entry(1), principal: 'key/A","B', action: '' };
    const hashes = new Set([a, b, c].map((e) => linkHash(GENESIS.hash, 1, e)));
    assert.equal(hashes.size, 3);
  });

  it('ignores fields outside the entry (seq, prevHash, hash of a record)', () => {
    const [r] = chain(1);
    assert.equal(linkHash(r!.prevHash, r!.seq, r!), r!.hash);
  });
});

describe('verifyChain', () => {
  const anchor: ChainPoint = { seq: 10, hash: 'a'.repeat(64) };
  type Case = {
    name: string;
    make: () => { records: AuditRecord[]; anchors: ChainPoint | ChainPoint[]; head: ChainPoint };
    expect: { ok: true; checked: number } | { ok: false; seq: number; reason: RegExp };
  };
  const intact = (n: number, from: ChainPoint = GENESIS) => {
    const records = chain(n, from);
    return { records, anchors: from, head: headOf(records, from) };
  };
  const cases: Case[] = [
    { name: 'an empty log', make: () => intact(0), expect: { ok: true, checked: 0 } },
    { name: 'an intact chain from genesis', make: () => intact(6), expect: { ok: true, checked: 6 } },
    {
      name: 'an intact chain from an anchor',
      make: () => intact(4, anchor),
      expect: { ok: true, checked: 4 },
    },
    {
      name: 'a pruned-away log (every record deleted, head = anchor)',
      make: () => ({ records: [], anchors: anchor, head: anchor }),
      expect: { ok: true, checked: 0 },
    },
    {
      name: 'an edited field',
      make: () => {
        const c = intact(6);
        c.records[3] = { ...c.records[3]!, action: 'nimbus:Nothing' };
        return c;
      },
      expect: { ok: false, seq: 4, reason: /record 4 was modified/ },
    },
    {
      name: 'an edited detail of the first record',
      make: () => {
        const c = intact(3);
        c.records[0] = { ...c.records[0]!, detail: 'x' };
        return c;
      },
      expect: { ok: false, seq: 1, reason: /record 1 was modified/ },
    },
    {
      name: 'an edited record whose own hash was recomputed',
      make: () => {
        const c = intact(5);
        const r = { ...c.records[2]!, principal: 'key/SOMEONE-ELSE' };
        c.records[2] = { ...r, hash: linkHash(r.prevHash, r.seq, r) };
        return c;
      },
      expect: { ok: false, seq: 4, reason: /record 4 does not link to record 3/ },
    },
    {
      name: 'a deleted record in the middle',
      make: () => {
        const c = intact(6);
        c.records.splice(2, 1);
        return c;
      },
      expect: { ok: false, seq: 3, reason: /record 3 is missing/ },
    },
    {
      name: 'a deleted record in the middle, later seqs renumbered',
      make: () => {
        const c = intact(6);
        c.records.splice(2, 1);
        c.records = c.records.map((r, i) => ({ ...r, seq: i + 1 }));
        return { ...c, head: { seq: 5, hash: c.records[4]!.hash } };
      },
      expect: { ok: false, seq: 3, reason: /record 3 does not link to record 2/ },
    },
    {
      name: 'a deleted head',
      make: () => {
        const c = intact(6);
        c.records.pop();
        return c;
      },
      expect: { ok: false, seq: 6, reason: /records 6\.\.6 are missing/ },
    },
    {
      name: 'every record deleted',
      make: () => ({ ...intact(3), records: [] }),
      expect: { ok: false, seq: 1, reason: /records 1\.\.3 are missing/ },
    },
    {
      name: 'a deleted prefix (from genesis)',
      make: () => {
        const c = intact(6);
        c.records.splice(0, 2);
        return c;
      },
      expect: { ok: false, seq: 1, reason: /records 1\.\.2 are missing/ },
    },
    {
      name: 'a deleted prefix (after an anchor)',
      make: () => {
        const c = intact(6, anchor);
        c.records.splice(0, 1);
        return c;
      },
      expect: { ok: false, seq: 11, reason: /records 11\.\.11 are missing/ },
    },
    {
      name: 'a changed anchor',
      make: () => ({ ...intact(3, anchor), anchors: { seq: 10, hash: 'b'.repeat(64) } }),
      expect: { ok: false, seq: 11, reason: /does not follow the anchor/ },
    },
    {
      name: 'two records swapped (their seqs exchanged)',
      make: () => {
        const c = intact(6);
        const [a, b] = [c.records[2]!, c.records[3]!];
        c.records[2] = { ...b, seq: a.seq };
        c.records[3] = { ...a, seq: b.seq };
        return c;
      },
      expect: { ok: false, seq: 3, reason: /record 3 does not link to record 2/ },
    },
    {
      name: 'records out of seq order',
      make: () => {
        const c = intact(6);
        const r = c.records.splice(1, 1)[0]!;
        c.records.splice(3, 0, r);
        return c;
      },
      expect: { ok: false, seq: 2, reason: /record 2 is missing/ },
    },
    {
      name: 'a record at or before the anchor',
      make: () => {
        const c = intact(3, anchor);
        return { ...c, records: [{ ...c.records[0]!, seq: 9 }, ...c.records] };
      },
      expect: { ok: false, seq: 9, reason: /does not follow the anchor/ },
    },
    {
      name: 'a record beyond the head',
      make: () => {
        const c = intact(4);
        return { ...c, head: { seq: 3, hash: c.records[2]!.hash } };
      },
      expect: { ok: false, seq: 4, reason: /beyond the chain's head/ },
    },
    {
      name: 'a head whose hash differs',
      make: () => ({ ...intact(4), head: { seq: 4, hash: 'c'.repeat(64) } }),
      expect: { ok: false, seq: 4, reason: /not the chain's head/ },
    },
    {
      name: 'a prune in progress, deletion not yet done (either anchor is accepted)',
      make: () => {
        const all = chain(6);
        return { records: all, anchors: [GENESIS, { seq: 2, hash: all[1]!.hash }], head: headOf(all) };
      },
      expect: { ok: true, checked: 6 },
    },
    {
      name: 'a prune in progress, deletion done',
      make: () => {
        const all = chain(6);
        return {
          records: all.slice(2),
          anchors: [GENESIS, { seq: 2, hash: all[1]!.hash }],
          head: headOf(all),
        };
      },
      expect: { ok: true, checked: 4 },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const { records, anchors, head } = c.make();
      const r = verifyChain(records, anchors, head);
      if (c.expect.ok) assert.deepEqual(r, c.expect);
      else {
        assert.equal(r.ok, false, JSON.stringify(r));
        if (r.ok) return;
        assert.equal(r.seq, c.expect.seq, r.reason);
        assert.match(r.reason, c.expect.reason);
      }
    });

  it('verifies page by page like all at once, and stops at the first break', () => {
    const all = chain(10);
    const v = new ChainVerifier(GENESIS);
    assert.equal(v.push(all.slice(0, 4)), true);
    assert.equal(v.push(all.slice(4)), true);
    assert.deepEqual(v.end(headOf(all)), { ok: true, checked: 10 });
    const broken = new ChainVerifier(GENESIS);
    assert.equal(broken.push([...all.slice(0, 3), ...all.slice(4, 6)]), false);
    assert.equal(broken.push(all.slice(6)), false);
    const r = broken.end(headOf(all));
    assert.deepEqual(r, { ok: false, checked: 3, seq: 4, reason: 'record 4 is missing' });
  });
});

describe('parseTimeBound', () => {
  const now = Date.UTC(2026, 0, 31, 12);
  for (const [input, want] of [
    ['30s', now - 30_000],
    ['30m', now - 1_800_000],
    ['1h', now - 3_600_000],
    ['7d', now - 7 * 86_400_000],
    ['2026-01-30T00:00:00Z', Date.UTC(2026, 0, 30)],
    ['2026-01-30', Date.UTC(2026, 0, 30)],
    ['1769860800000', 1_769_860_800_000],
  ] as const)
    it(`${input} → ${new Date(want).toISOString()}`, () =>
      assert.equal(parseTimeBound(input, 'since', now), want));
  for (const bad of ['', 'yesterday', '1w', '-1h', 'March 7', '2026-13-45'])
    it(`refuses ${JSON.stringify(bad)} with a coded validation error`, () =>
      assert.throws(
        () => parseTimeBound(bad, 'since', now),
        (e: Error & { code?: string }) => e.code === 'NIMBUS_ERR_CORE_VALIDATION' && /since/.test(e.message),
      ));
});
