/** The log repo's contract: plain lines, and invocation records rendered around their lines. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Store } from '../core/ports.ts';
import type { LogLine } from '../core/types.ts';

const T = 'default';
const log = (i: number, requestId = 'req-1'): LogLine => ({
  tenant: T,
  functionName: 'f',
  version: '$LATEST',
  requestId,
  ts: 1_700_000_000_000 + i,
  stream: 'stdout',
  message: `line ${i}`,
  instanceId: 'inst',
});

export function logRepoCases(store: () => Store): void {
  it('appends logs and queries them by request, cursor, time and tail', async () => {
    await store().logs.append(Array.from({ length: 10 }, (_, i) => log(i, i < 5 ? 'req-1' : 'req-2')));
    const all = await store().logs.query({ tenant: T, functionName: 'f' });
    assert.equal(all.length, 10);
    assert.ok(all.every((l, i) => i === 0 || l.seq > all[i - 1]!.seq));
    assert.equal((await store().logs.query({ tenant: T, requestId: 'req-2' })).length, 5);
    const after = await store().logs.query({ tenant: T, functionName: 'f', afterSeq: all[6]!.seq });
    assert.deepEqual(
      after.map((l) => l.message),
      ['line 7', 'line 8', 'line 9'],
    );
    const tail = await store().logs.query({ tenant: T, functionName: 'f', tail: true, limit: 2 });
    assert.deepEqual(
      tail.map((l) => l.message),
      ['line 8', 'line 9'],
    );
    const since = await store().logs.query({ tenant: T, functionName: 'f', since: 1_700_000_000_008 });
    assert.equal(since.length, 2);
    assert.equal((await store().logs.query({ tenant: 'other', functionName: 'f' })).length, 0);
    await store().logs.append([]);
  });

  it('stores invocation records: START/END/REPORT render around the lines, by cursor, tail, request and time', async () => {
    const inv = (requestId: string, startedAt: number, lines: number, status?: string) => ({
      usage: {
        tenant: T,
        requestId,
        functionName: 'g',
        version: '$LATEST',
        startedAt,
        durationMs: 4.25,
        billedDurationMs: 5,
        memoryMb: 128,
        maxRssBytes: 50 * 1048576,
        gbSeconds: 0.000625,
        outcome: status ? ('timeout' as const) : ('success' as const),
        ...(requestId === 'r1' ? { initDurationMs: 12.5 } : {}),
      },
      instanceId: 'inst-g',
      status,
      lines: Array.from({ length: lines }, (_, i) => ({
        ...log(i, requestId),
        functionName: 'g',
        ts: startedAt + 1 + i,
        message: `${requestId} line ${i}`,
      })),
    });
    await store().logs.appendInvocations([inv('r1', 2_000_000_000_000, 2), inv('r2', 2_000_000_000_100, 0)]);
    await store().logs.appendInvocations([inv('r3', 2_000_000_000_200, 1, 'timeout')]);
    await store().logs.append([{ ...log(0, 'r4'), functionName: 'g', message: 'plain' }]);
    const all = await store().logs.query({ tenant: T, functionName: 'g' });
    assert.deepEqual(
      all.map((l) => l.message.split('\t')[0]),
      [
        'START RequestId: r1 Version: $LATEST',
        'r1 line 0',
        'r1 line 1',
        'END RequestId: r1',
        'REPORT RequestId: r1',
        'START RequestId: r2 Version: $LATEST',
        'END RequestId: r2',
        'REPORT RequestId: r2',
        'START RequestId: r3 Version: $LATEST',
        'r3 line 0',
        'END RequestId: r3',
        'REPORT RequestId: r3',
        'plain',
      ],
    );
    assert.ok(all.every((l, i) => i === 0 || l.seq > all[i - 1]!.seq));
    assert.equal(
      all[4]!.message,
      'REPORT RequestId: r1\tDuration: 4.25 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 50 MB\tInit Duration: 12.50 ms',
    );
    assert.match(all[11]!.message, /\tStatus: timeout$/);
    assert.deepEqual(
      [all[0]!.stream, all[0]!.instanceId, all[0]!.ts, all[3]!.ts],
      ['platform', 'inst-g', 2_000_000_000_000, 2_000_000_000_005],
    );
    // A cursor in the middle of an invocation, a page limit, the tail, one request, a time window.
    const after = await store().logs.query({ tenant: T, functionName: 'g', afterSeq: all[2]!.seq, limit: 3 });
    assert.deepEqual(
      after.map((l) => l.seq),
      all.slice(3, 6).map((l) => l.seq),
    );
    const tail = await store().logs.query({ tenant: T, functionName: 'g', tail: true, limit: 3 });
    assert.deepEqual(
      tail.map((l) => l.seq),
      all.slice(-3).map((l) => l.seq),
    );
    const r3 = await store().logs.query({ tenant: T, requestId: 'r3' });
    assert.equal(r3.length, 4);
    const since = await store().logs.query({
      tenant: T,
      functionName: 'g',
      since: 2_000_000_000_003,
      until: 2_000_000_000_101,
    });
    assert.deepEqual(
      since.map((l) => l.message.split('\t')[0]),
      ['END RequestId: r1', 'REPORT RequestId: r1', 'START RequestId: r2 Version: $LATEST'],
    );
    // The usage side of the same records.
    const usage = await store().usage.list({ tenant: T, functionName: 'g' });
    assert.deepEqual(
      usage.map((u) => u.requestId),
      ['r3', 'r2', 'r1'],
    );
    assert.equal(usage[2]!.initDurationMs, 12.5);
    // The same request id again (a retried async attempt) is not a second record.
    await store().logs.appendInvocations([inv('r1', 2_000_000_000_300, 0)]);
    assert.equal((await store().usage.list({ tenant: T, functionName: 'g' })).length, 3);
    await store().logs.appendInvocations([]);
  });
}
