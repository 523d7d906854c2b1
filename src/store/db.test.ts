import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { pow2Chunks } from './db.ts';

it('pow2Chunks keeps every item in order in power-of-two chunks no larger than max', () => {
  assert.deepEqual(
    [...pow2Chunks([1, 2, 3, 4, 5, 6, 7], 4)].map((c) => c.length),
    [4, 2, 1],
  );
  fc.assert(
    fc.property(fc.array(fc.integer(), { maxLength: 3000 }), fc.integer({ min: 1, max: 1024 }), (xs, max) => {
      const chunks = [...pow2Chunks(xs, max)];
      assert.deepEqual(chunks.flat(), xs);
      for (const c of chunks) {
        assert.ok(c.length <= max && c.length > 0);
        assert.equal(c.length & (c.length - 1), 0);
      }
    }),
  );
});
