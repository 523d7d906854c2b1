/**
 * Where the invoke router sends a sync call (src/cluster/routing.ts): to a node keeping the
 * function warm, else a cold start on the least-loaded node when it is clearly less loaded
 * than this one (by COLD_START_MARGIN), else here. The router itself is exercised over real
 * NATS by test/cluster.e2e.test.ts; these are the placement rules on heartbeat loads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COLD_START_MARGIN, coldStartNode, warmNodes } from './routing.ts';

const node = (id: string, inflight: number, warm: string[] = []) => ({
  id,
  load: { inflight, instances: warm.length, warm },
});

describe('cluster placement', () => {
  it('lists the other nodes with the function warm, never this one', () => {
    const nodes = [node('a', 0, ['t/f']), node('b', 3, ['t/f', 't/g']), node('c', 0, ['u/f'])];
    assert.deepEqual(warmNodes(nodes, 'a', 't', 'f'), ['b']);
    assert.deepEqual(warmNodes(nodes, 'c', 't', 'g'), ['b']);
    assert.deepEqual(warmNodes(nodes, 'a', 'u', 'f'), ['c'], 'per tenant');
    assert.deepEqual(warmNodes(nodes, 'a', 't', 'h'), []);
  });

  it('starts cold on the least-loaded node only when it is clearly less loaded', () => {
    const busy = COLD_START_MARGIN + 2;
    // This node is busy, another is idle: the idle one takes it.
    assert.equal(coldStartNode([node('a', busy), node('b', 0), node('c', 1)], 'a'), 'b');
    // Within the margin: here (no ping-pong between nodes of about equal load).
    assert.equal(coldStartNode([node('a', COLD_START_MARGIN - 1), node('b', 0)], 'a'), undefined);
    assert.equal(coldStartNode([node('a', COLD_START_MARGIN), node('b', 0)], 'a'), 'b');
    // This node is the least loaded, or alone, or not in the list yet (no heartbeat): here.
    assert.equal(coldStartNode([node('a', 0), node('b', busy)], 'a'), undefined);
    assert.equal(coldStartNode([node('a', busy)], 'a'), undefined);
    assert.equal(coldStartNode([node('b', 0)], 'a'), undefined);
    assert.equal(coldStartNode([], 'a'), undefined);
  });
});
