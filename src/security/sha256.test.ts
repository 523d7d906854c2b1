import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { FastSha256 } from './sha256.ts';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

describe('FastSha256 (SigV4 checksum)', () => {
  const sizes = [0, 1, 63, 64, 4095, 4096, 100_000];
  it('hashes like node:crypto at every size, from strings, buffers, ArrayBuffers and views', async () => {
    for (const n of sizes) {
      const data = Buffer.alloc(n, 'ab');
      const want = createHash('sha256').update(data).digest('hex');
      for (const input of [
        data.toString('latin1'),
        data,
        data.buffer.slice(data.byteOffset, data.byteOffset + n),
        new DataView(data.buffer, data.byteOffset, n),
      ]) {
        const h = new FastSha256();
        h.update(input as never);
        assert.equal(hex(await h.digest()), want, `size ${n}`);
      }
    }
  });

  it('computes HMACs like node:crypto on both sides of the small-input cut, with string and byte keys', async () => {
    for (const n of sizes) {
      const data = Buffer.alloc(n, 'xy');
      for (const key of ['AWS4secret', Buffer.from('0123456789abcdef0123456789abcdef', 'hex')]) {
        const want = createHmac('sha256', key).update(data).digest('hex');
        const h = new FastSha256(key);
        h.update(data);
        assert.equal(hex(await h.digest()), want, `size ${n}`);
      }
    }
  });

  it('joins several updates, and starts over after reset', async () => {
    const h = new FastSha256('k');
    h.update('hello ');
    h.update(Buffer.from('world'));
    assert.equal(hex(await h.digest()), createHmac('sha256', 'k').update('hello world').digest('hex'));
    h.reset();
    h.update('x');
    assert.equal(hex(await h.digest()), createHmac('sha256', 'k').update('x').digest('hex'));
  });
});
