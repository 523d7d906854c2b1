import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json.ts';

const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('JSON nesting bound', () => {
  it('accepts up to the limit and rejects one level more', () => {
    assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH)), false);
    assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH + 1)), true);
    assert.equal(jsonTooDeep(`${'{"a":'.repeat(300)}1${'}'.repeat(300)}`), true);
  });
  it('stops early on a 100k-deep document and counts siblings as one level', () => {
    assert.equal(jsonTooDeep(Buffer.from(nested(100_000))), true);
    assert.equal(jsonTooDeep(`[${'[],'.repeat(10_000)}[]]`, 2), false);
  });
  it('ignores brackets inside strings, escaped quotes included', () => {
    const s = JSON.stringify({ a: '['.repeat(1000), b: 'x\\"[[[[' });
    assert.equal(jsonTooDeep(s, 2), false);
    assert.equal(jsonTooDeep(Buffer.from(JSON.stringify({ é: '{'.repeat(500) })), 2), false);
  });
});
