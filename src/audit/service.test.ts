/** The audit service against the real SQLite store (temp dir), with a fake clock. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, it } from 'node:test';
import { FakeClock } from '../core/clock.ts';
import type { AuditRepo, Store } from '../core/ports.ts';
import type { AuditEntry } from '../core/types.ts';
import { openStore } from '../store/index.ts';
import { GENESIS } from './chain.ts';
import { ANCHOR_KEY, ANCHOR_TENANT, type AuditServiceOptions, createAuditService } from './service.ts';

const DAY = 86_400_000;

interface Env {
  dir: string;
  store: Store;
  clock: FakeClock;
  /** Sizes of the batches handed to the store, in order. */
  appends: number[];
  /** The next n appends throw (the store is down). */
  failNext: number;
  /** Append calls, failed ones included. */
  attempts: number;
  repo: AuditRepo;
  errors: string[];
}

const envs: Env[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) {
    await e.store.close();
    await rm(e.dir, { recursive: true, force: true });
  }
});

/** A fresh store; the repo is the store's own, counting (and, when told, failing) appends. */
async function fresh(): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-audit-'));
  const store = await openStore({ url: 'sqlite', dataDir: dir });
  const env: Env = {
    dir,
    store,
    clock: new FakeClock(),
    appends: [],
    failNext: 0,
    attempts: 0,
    errors: [],
    repo: {
      ...store.audit,
      async append(entries, link) {
        env.attempts++;
        if (env.failNext > 0) {
          env.failNext--;
          throw new Error('store unavailable');
        }
        env.appends.push(entries.length);
        return store.audit.append(entries, link);
      },
    },
  };
  envs.push(env);
  return env;
}

const service = (env: Env, o: Partial<AuditServiceOptions> = {}) =>
  createAuditService({
    repo: env.repo,
    settings: env.store.settings,
    clock: env.clock,
    retentionDays: 0,
    onError: (e, what) => env.errors.push(`${what}: ${(e as Error).message}`),
    ...o,
  });

let n = 0;
const entry = (o: Partial<AuditEntry> = {}): AuditEntry => ({
  tenant: 'default',
  ts: Date.UTC(2026, 0, 1),
  principal: 'key/ADMIN',
  action: 'nimbus:PutSchedule',
  resource: `arn:aws:nimbus:local-1:000000000000:schedule/s${++n}`,
  sourceIp: '127.0.0.1',
  result: 'ok',
  status: 200,
  detail: '',
  ...o,
});

const sql = (env: Env, statement: string) => {
  const db = new DatabaseSync(join(env.dir, 'nimbus.db'));
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
};

describe('audit service: group commit', () => {
  it('buffers entries and writes them in one append after flushMs', async () => {
    const env = await fresh();
    const audit = service(env);
    for (let i = 0; i < 10; i++) audit.record(entry());
    await Promise.resolve();
    assert.deepEqual(env.appends, [], 'nothing written before flushMs');
    assert.equal(audit.stats().buffered, 10);
    env.clock.advance(49);
    assert.deepEqual(env.appends, []);
    env.clock.advance(1);
    await audit.flush();
    assert.deepEqual(env.appends, [10], 'one append for the whole batch');
    assert.deepEqual(
      (await env.store.audit.scan(0, 100)).map((r) => r.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal((await audit.verify()).ok, true);
    await audit.close();
  });

  it('writes at maxBatch entries without waiting, in batches of at most maxBatch', async () => {
    const env = await fresh();
    const audit = service(env, { maxBatch: 4 });
    for (let i = 0; i < 10; i++) audit.record(entry({ detail: `#${i}` }));
    await audit.flush();
    assert.deepEqual(env.appends, [4, 4, 2]);
    const stored = await env.store.audit.scan(0, 100);
    assert.deepEqual(
      stored.map((r) => r.detail),
      Array.from({ length: 10 }, (_, i) => `#${i}`),
      'in the order recorded',
    );
    assert.deepEqual(await audit.verify(), {
      ok: true,
      checked: 10,
      head: { seq: 10, hash: stored[9]!.hash },
      anchor: GENESIS,
    });
    await audit.close();
  });

  it('keeps entries when an append fails and retries them, in order, on the next flush or a backoff timer', async () => {
    const env = await fresh();
    const audit = service(env);
    env.failNext = 2;
    for (let i = 0; i < 3; i++) audit.record(entry({ detail: `a${i}` }));
    await audit.flush();
    assert.equal(audit.stats().buffered, 3, 'kept after the first failure');
    assert.match(env.errors[0] ?? '', /audit append failed \(3 entries kept, retrying\): store unavailable/);
    audit.record(entry({ detail: 'b0' }));
    await audit.flush(); // an explicit flush retries at once: fails again
    assert.equal(env.errors.length, 2);
    assert.equal(audit.stats().buffered, 4);
    // Nobody flushes any more: the retry timer does, after a backoff (2^failures × flushMs).
    assert.equal(env.clock.pendingTimers(), 1);
    env.clock.advance(199);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await env.store.audit.head()).seq, 0, 'not before the backoff');
    env.clock.advance(1);
    for (let i = 0; i < 200 && (await env.store.audit.head()).seq < 4; i++)
      await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(
      (await env.store.audit.scan(0, 100)).map((r) => r.detail),
      ['a0', 'a1', 'a2', 'b0'],
    );
    assert.deepEqual(audit.stats(), { buffered: 0, dropped: 0, appended: 4, failedAppends: 2 });
    assert.equal((await audit.verify()).ok, true);
    await audit.close();
  });

  it('does not retry on every request while the store fails, only on the backoff timer', async () => {
    const env = await fresh();
    const audit = service(env, { maxBatch: 2 });
    env.failNext = 1000;
    audit.record(entry());
    audit.record(entry());
    await audit.flush();
    assert.equal(env.attempts, 2, 'the write at maxBatch, and the explicit flush');
    for (let i = 0; i < 50; i++) audit.record(entry());
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(env.attempts, 2, 'no append per request (or per maxBatch) while failing');
    assert.equal(audit.stats().buffered, 52);
    env.failNext = 0;
    env.clock.advance(200);
    await audit.flush();
    assert.equal((await env.store.audit.head()).seq, 52);
    await audit.close();
  });

  it('drops the oldest beyond maxBuffered while the store fails, and says so in the log once it is back', async () => {
    const env = await fresh();
    const audit = service(env, { maxBatch: 2, maxBuffered: 5 });
    env.failNext = 100;
    for (let i = 0; i < 8; i++) {
      audit.record(entry({ detail: `e${i}` }));
      await audit.flush();
    }
    assert.equal(audit.stats().dropped, 3);
    assert.equal(audit.stats().buffered, 5);
    assert.ok(env.errors.some((e) => /audit buffer full \(5 entries\)/.test(e)));
    env.failNext = 0;
    await audit.flush();
    const stored = await env.store.audit.scan(0, 100);
    assert.equal(stored[0]!.action, 'nimbus:AuditEntriesDropped');
    assert.match(stored[0]!.detail, /^3 audit entries were dropped/);
    assert.deepEqual(
      stored.slice(1).map((r) => r.detail),
      ['e3', 'e4', 'e5', 'e6', 'e7'],
    );
    await audit.close();
  });

  it('makes every query see what was recorded before it', async () => {
    const env = await fresh();
    const audit = service(env);
    audit.record(entry({ tenant: 'acme', principal: 'key/A' }));
    audit.record(entry({ tenant: 'default', principal: 'key/B', result: 'denied', status: 403 }));
    const got = await audit.query({ tenant: 'acme', limit: 10 });
    assert.deepEqual(
      got.map((r) => r.principal),
      ['key/A'],
    );
    assert.equal((await audit.query({ result: 'denied', limit: 10 }))[0]?.principal, 'key/B');
    await audit.close();
  });

  it('caps detail at 512 characters and stores any string the request brought', async () => {
    const env = await fresh();
    const audit = service(env);
    audit.record(entry({ detail: 'x'.repeat(5000), resource: 'fn\u0000\ud800name', ts: 1.5 }));
    await audit.flush();
    const [r] = await env.store.audit.scan(0, 1);
    assert.equal(r!.detail.length, 512);
    assert.equal(r!.resource, 'fn\uFFFD\uFFFDname');
    assert.equal(r!.ts, 1);
    assert.equal((await audit.verify()).ok, true, 'the stored record hashes as written');
    await audit.close();
  });
});

describe('audit service: verification and retention', () => {
  it('detects a record changed, deleted in the middle, or deleted at the head by direct SQL', async () => {
    const env = await fresh();
    const audit = service(env);
    for (let i = 0; i < 6; i++) audit.record(entry());
    await audit.flush();
    assert.deepEqual((await audit.verify()).ok, true);
    sql(env, `UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3`);
    const edited = await audit.verify();
    assert.equal(edited.ok, false);
    assert.equal(!edited.ok && edited.seq, 3);
    assert.equal(edited.checked, 2);
    sql(env, `UPDATE audit_log SET detail = '' WHERE seq = 3`);
    assert.equal((await audit.verify()).ok, true, 'restored');
    sql(env, 'DELETE FROM audit_log WHERE seq = 4');
    const gap = await audit.verify();
    assert.equal(!gap.ok && gap.seq, 4);
    assert.match(!gap.ok ? gap.reason : '', /record 4 is missing/);
    await audit.close();

    const env2 = await fresh();
    const audit2 = service(env2);
    for (let i = 0; i < 3; i++) audit2.record(entry());
    await audit2.flush();
    sql(env2, 'DELETE FROM audit_log WHERE seq = 3');
    const head = await audit2.verify();
    assert.equal(!head.ok && head.seq, 3);
    assert.match(!head.ok ? head.reason : '', /the last stored record is 2 but the head is 3/);
    await audit2.close();
  });

  it('prunes records older than retentionDays and moves the anchor, so the chain still verifies', async () => {
    const env = await fresh();
    const now = env.clock.now();
    const audit = service(env, { retentionDays: 30 });
    for (let i = 0; i < 4; i++) audit.record(entry({ ts: now - 40 * DAY + i }));
    for (let i = 0; i < 3; i++) audit.record(entry({ ts: now - DAY }));
    await audit.flush();
    const before = await env.store.audit.scan(0, 100);
    const cut = await audit.prune();
    assert.equal(cut?.seq, 4);
    assert.deepEqual(await env.store.settings.get(ANCHOR_TENANT, ANCHOR_KEY), {
      seq: 4,
      hash: before[3]!.hash,
    });
    assert.deepEqual(
      (await env.store.audit.scan(0, 100)).map((r) => r.seq),
      [5, 6, 7],
    );
    const v = await audit.verify();
    assert.deepEqual(v, {
      ok: true,
      checked: 3,
      head: { seq: 7, hash: before[6]!.hash },
      anchor: { seq: 4, hash: before[3]!.hash },
    });
    assert.equal(await audit.prune(), undefined, 'nothing more to prune');
    // Deleting the first remaining record is still a deleted prefix.
    sql(env, 'DELETE FROM audit_log WHERE seq = 5');
    const r = await audit.verify();
    assert.equal(!r.ok && r.seq, 5);
    await audit.close();
  });

  it('prunes everything when every record is old, and verifies the empty log', async () => {
    const env = await fresh();
    const audit = service(env, { retentionDays: 1 });
    for (let i = 0; i < 3; i++) audit.record(entry({ ts: env.clock.now() - 2 * DAY }));
    await audit.flush();
    assert.equal((await audit.prune())?.seq, 3);
    assert.deepEqual(await env.store.audit.scan(0, 10), []);
    const v = await audit.verify();
    assert.equal(v.ok, true);
    assert.equal(v.checked, 0);
    audit.record(entry({ ts: env.clock.now() }));
    await audit.flush();
    const after = await audit.verify();
    assert.equal(after.ok, true);
    assert.equal(after.checked, 1);
    await audit.close();
  });

  it('is not fooled into reporting tampering by a crash between deleting and moving the anchor', async () => {
    const env = await fresh();
    const now = env.clock.now();
    const audit = service(env, { retentionDays: 1 });
    for (let i = 0; i < 5; i++) audit.record(entry({ ts: i < 2 ? now - 2 * DAY : now }));
    await audit.flush();
    const records = await env.store.audit.scan(0, 100);
    // What prune writes before deleting: the current anchor and the one about to be created.
    await env.store.settings.put(ANCHOR_TENANT, ANCHOR_KEY, {
      ...GENESIS,
      next: { seq: 2, hash: records[1]!.hash },
    });
    assert.equal((await audit.verify()).ok, true, 'crash before the delete');
    await env.store.audit.prune(now - DAY); // the delete commits, then the process dies
    const v = await audit.verify();
    assert.equal(v.ok, true, 'crash after the delete, before the anchor moved');
    assert.equal(v.checked, 3);
    // The next prune finishes the move (nothing left to delete).
    assert.equal(await audit.prune(), undefined);
    assert.deepEqual(await env.store.settings.get(ANCHOR_TENANT, ANCHOR_KEY), {
      seq: 2,
      hash: records[1]!.hash,
    });
    assert.equal((await audit.verify()).ok, true);
    await audit.close();
  });

  it('prunes at start and every 24 h on the clock, and stops on close', async () => {
    const env = await fresh();
    const now = env.clock.now();
    const audit = service(env, { retentionDays: 1 });
    audit.record(entry({ ts: now - 2 * DAY }));
    audit.record(entry({ ts: now }));
    await audit.flush();
    const waitForAnchor = async (seq: number) => {
      for (let i = 0; i < 200; i++) {
        const a = await env.store.settings.get<{ seq: number; next?: unknown }>(ANCHOR_TENANT, ANCHOR_KEY);
        // …and the next prune is on the clock (scheduled once this one has finished).
        if (a?.seq === seq && a.next === undefined && env.clock.pendingTimers() === 1) return;
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.fail(`anchor never reached seq ${seq}`);
    };
    env.clock.advance(0); // the start-up prune
    await waitForAnchor(1);
    env.clock.advance(DAY - 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await env.store.audit.scan(0, 10)).length, 1, 'not pruned again before 24 h');
    env.clock.advance(2); // record 2 is now older than a day; the daily prune is due
    await waitForAnchor(2);
    await audit.close();
    assert.equal(env.clock.pendingTimers(), 0, 'no timers left after close');
  });

  it('flushes on close', async () => {
    const env = await fresh();
    const audit = service(env);
    audit.record(entry());
    await audit.close();
    assert.equal((await env.store.audit.head()).seq, 1);
  });
});
