import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CountView, parseSnapshot, visibleIn } from './view.ts';

describe('postgres queue: the depth view', () => {
  it('reads snapshots as pg_current_snapshot() prints them', () => {
    const s = parseSnapshot('101:105:101,103');
    assert.deepEqual(
      [99n, 100n, 101n, 102n, 103n, 104n, 105n].map((x) => visibleIn(x, s)),
      [true, true, false, true, false, true, false],
    );
    assert.equal(visibleIn(7n, parseSnapshot('10:10:')), true);
  });

  it('does not count a change twice when the recount already saw it', () => {
    const v = new CountView();
    v.beginRefresh();
    v.endRefresh('100:100:', [{ queue: 'q', n: 5 }]);
    v.apply('99', 'q', 1); // committed before the snapshot, announced late
    assert.equal(v.depth('q'), 5);
    v.apply('100', 'q', 1); // after it
    assert.equal(v.depth('q'), 6);
  });

  it('keeps changes that land while a recount is in flight but after its snapshot', () => {
    const v = new CountView();
    v.beginRefresh();
    v.endRefresh('10:10:', []);
    v.beginRefresh();
    v.apply('11', 'q', 2); // in the snapshot (committed before the recount's statement started)
    v.apply('12', 'q', 3); // still running when the snapshot was taken
    v.apply('14', 'q', 1); // started after it
    v.endRefresh('12:13:12', [{ queue: 'q', n: 2 }]);
    assert.equal(v.depth('q'), 6);
  });

  it('lets a count dip below zero for a moment (an ack heard before its enqueue)', () => {
    const v = new CountView();
    v.beginRefresh();
    v.endRefresh('10:10:', []);
    v.apply('12', 'q', -1);
    assert.equal(v.depth('q'), 0);
    assert.deepEqual(v.active(), []);
    v.apply('11', 'q', 1);
    assert.equal(v.depth('q'), 0);
    v.apply('13', 'q', 1);
    assert.equal(v.depth('q'), 1);
    assert.deepEqual(v.active(), ['q']);
  });

  it('an aborted recount changes nothing', () => {
    const v = new CountView();
    v.beginRefresh();
    v.endRefresh('10:10:', [{ queue: 'q', n: 1 }]);
    v.beginRefresh();
    v.apply('11', 'q', 1);
    v.abortRefresh();
    assert.equal(v.depth('q'), 2);
  });
});
