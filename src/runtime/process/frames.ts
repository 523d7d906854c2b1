/**
 * Length-prefixed frames, see ../PROTOCOL.md: a 4-byte big-endian length + UTF-8 JSON; or, with
 * the length's top bit set (PAYLOAD_FLAG), a 4-byte length of the JSON header, the header, and
 * a raw UTF-8 `payload` (JSON text carried as bytes, not escaped again inside the header).
 */
export const MAX_FRAME = 16 * 1024 * 1024;
export const PAYLOAD_FLAG = 0x80000000;

export function encodeFrame(msg: unknown): Buffer {
  const json = JSON.stringify(msg);
  const len = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(4 + len);
  out.writeUInt32BE(len, 0);
  out.write(json, 4, 'utf8');
  return out;
}

/** A frame whose `payload` (text) travels as raw bytes after its JSON header. */
export function encodePayloadFrame(msg: Record<string, unknown>, payload: string): Buffer {
  const json = JSON.stringify(msg);
  const hlen = Buffer.byteLength(json, 'utf8');
  const plen = Buffer.byteLength(payload, 'utf8');
  const out = Buffer.allocUnsafe(8 + hlen + plen);
  out.writeUInt32BE(((4 + hlen + plen) | PAYLOAD_FLAG) >>> 0, 0);
  out.writeUInt32BE(hlen, 4);
  out.write(json, 8, 'utf8');
  out.write(payload, 8 + hlen, 'utf8');
  return out;
}

/** Incremental decoder; `onFrame` gets parsed objects, `onError` a protocol violation (then stop). */
export class FrameDecoder {
  #buf: Buffer = Buffer.alloc(0);
  #broken = false;
  readonly #onFrame: (msg: Record<string, unknown>) => void;
  readonly #onError: (reason: string) => void;

  constructor(onFrame: (msg: Record<string, unknown>) => void, onError: (reason: string) => void) {
    this.#onFrame = onFrame;
    this.#onError = onError;
  }

  push(chunk: Buffer): void {
    if (this.#broken) return;
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    while (this.#buf.length >= 4) {
      const word = this.#buf.readUInt32BE(0);
      const withPayload = (word & PAYLOAD_FLAG) !== 0;
      const len = withPayload ? word - PAYLOAD_FLAG : word;
      if (len > MAX_FRAME) {
        this.#fail(`frame of ${len} bytes exceeds ${MAX_FRAME}`);
        return;
      }
      if (this.#buf.length < 4 + len) return;
      const body = this.#buf.subarray(4, 4 + len);
      this.#buf = this.#buf.subarray(4 + len);
      let msg: unknown;
      try {
        if (withPayload) {
          const hlen = len >= 4 ? body.readUInt32BE(0) : -1;
          if (hlen < 0 || 4 + hlen > len) throw new Error('bad header length');
          msg = JSON.parse(body.toString('utf8', 4, 4 + hlen));
          if (typeof msg === 'object' && msg !== null)
            (msg as Record<string, unknown>).payload = body.toString('utf8', 4 + hlen);
        } else msg = JSON.parse(body.toString('utf8'));
      } catch {
        this.#fail('frame is not valid JSON');
        return;
      }
      if (typeof msg !== 'object' || msg === null || typeof (msg as { t?: unknown }).t !== 'string') {
        this.#fail('frame has no type');
        return;
      }
      this.#onFrame(msg as Record<string, unknown>);
    }
  }

  #fail(reason: string): void {
    this.#broken = true;
    this.#buf = Buffer.alloc(0);
    this.#onError(reason);
  }
}
