/** Length-prefixed JSON frames (4-byte big-endian length + UTF-8 JSON), see ../PROTOCOL.md. */
export const MAX_FRAME = 16 * 1024 * 1024;

export function encodeFrame(msg: unknown): Buffer {
  const json = JSON.stringify(msg);
  const len = Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(4 + len);
  out.writeUInt32BE(len, 0);
  out.write(json, 4, 'utf8');
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
      const len = this.#buf.readUInt32BE(0);
      if (len > MAX_FRAME) {
        this.#fail(`frame of ${len} bytes exceeds ${MAX_FRAME}`);
        return;
      }
      if (this.#buf.length < 4 + len) return;
      const body = this.#buf.subarray(4, 4 + len);
      this.#buf = this.#buf.subarray(4 + len);
      let msg: unknown;
      try {
        msg = JSON.parse(body.toString('utf8'));
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
