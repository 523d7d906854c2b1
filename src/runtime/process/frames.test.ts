/**
 * The instance channel's framing: JSON frames and payload frames (a JSON header plus the payload
 * as raw bytes) decode the same, however the stream is cut; garbage is a protocol violation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFrame, encodePayloadFrame, FrameDecoder, MAX_FRAME, PAYLOAD_FLAG } from './frames.ts';

function decodeAll(bytes: Buffer, cut: number) {
  const frames: Record<string, unknown>[] = [];
  const errors: string[] = [];
  const d = new FrameDecoder(
    (m) => frames.push(m),
    (r) => errors.push(r),
  );
  for (let i = 0; i < bytes.length; i += cut) d.push(bytes.subarray(i, i + cut));
  return { frames, errors };
}

describe('frames', () => {
  const payload = JSON.stringify({ body: 'a "quoted" \\ back\\slash, ünïcödé 🚀', n: [1, 2] });
  const stream = Buffer.concat([
    encodeFrame({ t: 'log', message: 'hello' }),
    encodePayloadFrame({ t: 'result', requestId: 'r1', rss: 5 }, payload),
    encodePayloadFrame({ t: 'result', requestId: 'r2' }, ''),
    encodeFrame({ t: 'error', requestId: 'r3' }),
  ]);

  it('decodes JSON and payload frames alike, in any chunking', () => {
    for (const cut of [1, 3, 7, 64, stream.length]) {
      const { frames, errors } = decodeAll(stream, cut);
      assert.deepEqual(errors, []);
      assert.deepEqual(frames, [
        { t: 'log', message: 'hello' },
        { t: 'result', requestId: 'r1', rss: 5, payload },
        { t: 'result', requestId: 'r2', payload: '' },
        { t: 'error', requestId: 'r3' },
      ]);
    }
  });

  it('marks payload frames by the length word and carries the payload unescaped', () => {
    const f = encodePayloadFrame({ t: 'invoke' }, '{"a":"\\""}');
    assert.ok((f.readUInt32BE(0) & PAYLOAD_FLAG) !== 0);
    assert.ok(f.toString('utf8').endsWith('{"a":"\\""}'));
  });

  it('refuses a header length beyond the frame, an oversized frame and a frame without a type', () => {
    const bad = Buffer.alloc(12);
    bad.writeUInt32BE((8 | PAYLOAD_FLAG) >>> 0, 0);
    bad.writeUInt32BE(1000, 4);
    assert.match(decodeAll(bad, 12).errors[0] ?? '', /not valid JSON/);
    const big = Buffer.alloc(4);
    big.writeUInt32BE(MAX_FRAME + 1, 0);
    assert.match(decodeAll(big, 4).errors[0] ?? '', /exceeds/);
    assert.match(decodeAll(encodePayloadFrame({ x: 1 }, 'p'), 64).errors[0] ?? '', /no type/);
  });
});
