/** The log repo's filtered scan and retention, for every store (run inside the store contract). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Store } from '../core/ports.ts';
import type { LogLevel, LogLine, LogStream } from '../core/types.ts';

const T = 'scan-tenant';
const T2 = 'scan-other';
const at = 1_710_000_000_000;
const line = (
  i: number,
  message: string,
  level?: LogLevel,
  stream: LogStream = 'stdout',
  tenant = T,
): LogLine => ({
  tenant,
  functionName: 'sf',
  version: '$LATEST',
  requestId: 'scan-req',
  ts: at + i,
  stream,
  message,
  instanceId: 'inst',
  ...(level ? { level } : {}),
});

export function logScanCases(store: () => Store): void {
  it('scans by level and text (LIKE metacharacters literal), window by window', async () => {
    await store().logs.append([
      line(0, 'plain info', 'INFO'),
      line(1, 'a warning', 'WARN', 'stderr'),
      line(2, 'old stderr line without a level', undefined, 'stderr'),
      line(3, '100% done', 'INFO'),
      line(4, '100 done', 'INFO'),
      line(5, 'under_score', 'DEBUG'),
      line(6, "it's quoted", 'ERROR'),
      line(7, 'FATAL thing', 'FATAL'),
      line(8, 'back\\slash', 'INFO'),
      line(9, 'needle at the end', 'INFO'),
    ]);
    const q = { tenant: T, functionName: 'sf' };
    const msgs = async (o: object) => (await store().logs.scan({ ...q, ...o })).lines.map((l) => l.message);
    assert.deepEqual(await msgs({ minLevel: 'WARN' }), [
      'a warning',
      'old stderr line without a level',
      "it's quoted",
      'FATAL thing',
    ]);
    assert.deepEqual(await msgs({ minLevel: 'ERROR', text: ['QUOTED'] }), ["it's quoted"]);
    assert.deepEqual(await msgs({ text: ['100%'] }), ['100% done']);
    assert.deepEqual(await msgs({ text: ['r_s'] }), ['under_score']);
    assert.deepEqual(await msgs({ text: ['_'] }), ['under_score']);
    assert.deepEqual(await msgs({ text: ["'s"] }), ["it's quoted"]);
    assert.deepEqual(await msgs({ text: ['k\\s'] }), ['back\\slash']);
    assert.deepEqual(await msgs({ text: ['100', 'done'] }), ['100% done', '100 done']);
    const all = await store().logs.scan(q);
    assert.equal(all.lines.length, 10);
    assert.equal(all.horizon, undefined);
    assert.equal(all.maxSeq, all.lines.at(-1)!.seq);
    // Windows of 3: the needle is found in the 4th, each window reports how far it looked.
    let cursor: number | undefined;
    const found: string[] = [];
    for (let i = 0; i < 10; i++) {
      const w = await store().logs.scan({ ...q, text: ['needle'], afterSeq: cursor, limit: 3 });
      found.push(...w.lines.map((l) => l.message));
      if (w.horizon === undefined) break;
      assert.ok(cursor === undefined || w.horizon > cursor);
      cursor = w.horizon;
    }
    assert.deepEqual(found, ['needle at the end']);
    // Backwards.
    const back = await store().logs.scan({ ...q, descending: true, limit: 3 });
    assert.deepEqual(
      back.lines.map((l) => l.message),
      ['FATAL thing', 'back\\slash', 'needle at the end'],
    );
    assert.equal(back.horizon, back.lines[0]!.seq);
    const older = await store().logs.scan({ ...q, descending: true, beforeSeq: back.horizon, limit: 3 });
    assert.deepEqual(
      older.lines.map((l) => l.message),
      ['100 done', 'under_score', "it's quoted"],
    );
    assert.equal((await store().logs.scan({ ...q, tenant: T2 })).lines.length, 0);
  });

  it('renders START/END/REPORT into a scan, filtered like lines', async () => {
    await store().logs.appendInvocations([
      {
        usage: {
          tenant: T,
          requestId: 'scan-inv',
          functionName: 'sg',
          version: '$LATEST',
          startedAt: at,
          durationMs: 2,
          billedDurationMs: 2,
          memoryMb: 128,
          maxRssBytes: 1048576,
          gbSeconds: 0.00025,
          outcome: 'success',
        },
        instanceId: 'inst',
        lines: [{ ...line(1, 'inside', 'ERROR'), functionName: 'sg', requestId: 'scan-inv' }],
      },
    ]);
    const q = { tenant: T, functionName: 'sg' };
    const msgs = async (o: object) =>
      (await store().logs.scan({ ...q, ...o })).lines.map((l) => l.message.split(' ')[0]);
    assert.deepEqual(await msgs({}), ['START', 'inside', 'END', 'REPORT']);
    assert.deepEqual(await msgs({ minLevel: 'WARN' }), ['inside']);
    assert.deepEqual(await msgs({ text: ['report requestid'] }), ['REPORT']);
    // Backwards by one: the window reaches down to the line; START comes with the next one.
    const back = await store().logs.scan({ ...q, descending: true, limit: 1 });
    assert.deepEqual(
      back.lines.map((l) => l.message.split(' ')[0]),
      ['inside', 'END', 'REPORT'],
    );
    const next = await store().logs.scan({ ...q, descending: true, beforeSeq: back.horizon, limit: 1 });
    assert.deepEqual(
      next.lines.map((l) => l.message.split(' ')[0]),
      ['START'],
    );
  });

  it('prunes a tenant by age (lines and usage rows) and by size (newest kept), in batches', async () => {
    const lines = Array.from({ length: 20 }, (_, i) =>
      line(i, `${'x'.repeat(99)}${i % 10}`, 'INFO', 'stdout', T2),
    );
    await store().logs.append(lines);
    await store().usage.recordMany([
      {
        tenant: T2,
        requestId: 'old-usage',
        functionName: 'sf',
        version: '$LATEST',
        startedAt: at,
        durationMs: 1,
        billedDurationMs: 1,
        memoryMb: 128,
        maxRssBytes: 0,
        gbSeconds: 0.000125,
        outcome: 'success',
      },
      {
        tenant: T2,
        requestId: 'new-usage',
        functionName: 'sf',
        version: '$LATEST',
        startedAt: at + 100,
        durationMs: 1,
        billedDurationMs: 1,
        memoryMb: 128,
        maxRssBytes: 0,
        gbSeconds: 0.000125,
        outcome: 'success',
      },
    ]);
    assert.ok((await store().logs.tenants()).includes(T2));
    assert.equal(await store().logs.bytes(T2), 2000);
    // Age: the 5 lines before at+5 (and the old usage row), in batches of 2.
    let n = 0;
    for (let i = 0; i < 10; i++) {
      const d = await store().logs.prune({ tenant: T2, before: at + 5, limit: 2 });
      if (d === 0) break;
      assert.ok(d <= 4);
      n += d;
    }
    assert.equal(n, 6);
    const left = await store().logs.scan({ tenant: T2, functionName: 'sf' });
    assert.equal(left.lines.length, 15);
    assert.equal(left.lines[0]!.ts, at + 5);
    assert.deepEqual(
      (await store().usage.list({ tenant: T2 })).map((u) => u.requestId),
      ['new-usage'],
    );
    // Size: keep the newest 1,000 bytes (10 lines).
    let m = 0;
    for (let i = 0; i < 10; i++) {
      const d = await store().logs.prune({ tenant: T2, maxBytes: 1000, limit: 3 });
      m += d;
      if (d < 3) break;
    }
    assert.equal(m, 5);
    assert.equal(await store().logs.bytes(T2), 1000);
    const kept = await store().logs.scan({ tenant: T2, functionName: 'sf' });
    assert.equal(kept.lines[0]!.ts, at + 10);
    // Other tenants are untouched.
    assert.equal((await store().logs.scan({ tenant: T, functionName: 'sf' })).lines.length, 10);
  });
}
