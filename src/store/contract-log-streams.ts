/**
 * The log-stream repo's contract (LogStreamRepo): streams from function lines and invocation
 * records alike, lines of chosen streams by cursor in both directions, time bounds, tenants apart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../core/ports.ts';
import type { InvocationLog, LogLine } from '../core/types.ts';

const T = 'default';
const BASE = 2_000_000_000_000;

const line = (instanceId: string, ts: number, message: string, version = '$LATEST'): LogLine => ({
  tenant: T,
  functionName: 'f',
  version,
  requestId: `req-${ts}`,
  ts,
  stream: 'stdout',
  message,
  instanceId,
});

const inv = (instanceId: string, startedAt: number, lines: number, version = '$LATEST'): InvocationLog => ({
  usage: {
    tenant: T,
    requestId: `r-${instanceId}-${startedAt}`,
    functionName: 'f',
    version,
    startedAt,
    durationMs: 3.5,
    billedDurationMs: 4,
    memoryMb: 128,
    maxRssBytes: 1048576,
    gbSeconds: 0.0005,
    outcome: 'success',
  },
  instanceId,
  lines: Array.from({ length: lines }, (_, i) =>
    line(instanceId, startedAt + 1 + i, `${instanceId} ${i}`, version),
  ),
});

export function describeLogStreamContract(
  kind: string,
  open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
): void {
  describe(`log streams (${kind})`, () => {
    let s: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store: s, cleanup } = await open());
      await s.logs.appendInvocations([inv('inst_a', BASE, 2), inv('inst_b', BASE + 50, 1, '1')]);
      await s.logs.appendInvocations([inv('inst_a', BASE + 100, 1)]);
      // Lines outside invocation records (init failures, plain appends) make streams too.
      await s.logs.append([line('init', BASE + 500, 'init failed')]);
      await s.logs.append([{ ...line('inst_x', BASE, 'other tenant'), tenant: 'other' }]);
    });
    after(() => cleanup());

    it('lists one stream per (version, instance) with first and last times, latest first', async () => {
      const streams = await s.logStreams.listStreams(T, 'f', 100);
      assert.deepEqual(
        streams.map((x) => [x.version, x.instanceId, x.firstTs, x.lastTs]),
        [
          ['$LATEST', 'init', BASE + 500, BASE + 500],
          // END/REPORT of the second invocation: started + ceil(3.5).
          ['$LATEST', 'inst_a', BASE, BASE + 104],
          ['1', 'inst_b', BASE + 50, BASE + 54],
        ],
      );
      assert.equal((await s.logStreams.listStreams(T, 'f', 1)).length, 1);
      assert.deepEqual(
        await s.logStreams.listStreams('other', 'f', 100).then((x) => x.map((y) => y.instanceId)),
        ['inst_x'],
      );
      assert.deepEqual(await s.logStreams.listStreams(T, 'nope', 100), []);
    });

    it('reads the lines of chosen streams, forward and backward, within a time window', async () => {
      const a = { version: '$LATEST', instanceId: 'inst_a' };
      const all = await s.logStreams.lines({ tenant: T, functionName: 'f', streams: [a], limit: 100 });
      assert.deepEqual(
        all.map((l) => l.message.split('\t')[0]!.replace(/RequestId: \S+/, 'R')),
        [
          'START R Version: $LATEST',
          'inst_a 0',
          'inst_a 1',
          'END R',
          'REPORT R',
          'START R Version: $LATEST',
          'inst_a 0',
          'END R',
          'REPORT R',
        ],
      );
      assert.ok(all.every((l) => l.instanceId === 'inst_a'));
      assert.ok(all.every((l, i) => i === 0 || l.seq > all[i - 1]!.seq));
      const next = await s.logStreams.lines({
        tenant: T,
        functionName: 'f',
        streams: [a],
        afterSeq: all[2]!.seq,
        limit: 3,
      });
      assert.deepEqual(
        next.map((l) => l.seq),
        all.slice(3, 6).map((l) => l.seq),
      );
      const last = await s.logStreams.lines({
        tenant: T,
        functionName: 'f',
        streams: [a],
        limit: 2,
        last: true,
      });
      assert.deepEqual(
        last.map((l) => l.seq),
        all.slice(-2).map((l) => l.seq),
      );
      const back = await s.logStreams.lines({
        tenant: T,
        functionName: 'f',
        streams: [a],
        beforeSeq: all[5]!.seq,
        limit: 2,
        last: true,
      });
      assert.deepEqual(
        back.map((l) => l.seq),
        all.slice(3, 5).map((l) => l.seq),
      );
      const windowed = await s.logStreams.lines({
        tenant: T,
        functionName: 'f',
        streams: [a],
        since: BASE + 100,
        until: BASE + 104,
        limit: 100,
      });
      assert.deepEqual(
        windowed.map((l) => l.ts),
        [BASE + 100, BASE + 101],
      );
      // Two streams, every stream, no stream, another version of the same instance id.
      const two = await s.logStreams.lines({
        tenant: T,
        functionName: 'f',
        streams: [a, { version: '1', instanceId: 'inst_b' }],
        limit: 100,
      });
      assert.equal(two.length, all.length + 4);
      assert.equal(
        (await s.logStreams.lines({ tenant: T, functionName: 'f', limit: 100 })).length,
        all.length + 5,
      );
      assert.deepEqual(
        await s.logStreams.lines({ tenant: T, functionName: 'f', streams: [], limit: 100 }),
        [],
      );
      assert.deepEqual(
        await s.logStreams.lines({
          tenant: T,
          functionName: 'f',
          streams: [{ version: '1', instanceId: 'inst_a' }],
          limit: 100,
        }),
        [],
      );
      assert.deepEqual(
        await s.logStreams.lines({ tenant: 'other', functionName: 'f', streams: [a], limit: 100 }),
        [],
      );
    });
  });
}
