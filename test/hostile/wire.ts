/**
 * A raw-socket HTTP/1.1 client for hostile-input tests: writes exactly the bytes given (no client
 * library normalizes or rejects them), half-closes, and parses every response the server wrote
 * back (pipelined or smuggled requests can yield more than one).
 */
import { connect } from 'node:net';

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface WireResult {
  readonly responses: readonly WireResponse[];
  /** Bytes after the last complete response (a response cut short, or garbage). */
  readonly rest: string;
  /** The server neither answered nor closed within the timeout. */
  readonly timedOut: boolean;
}

export interface SendOptions {
  /** Give up when nothing at all came back within this time; default 10 s. */
  readonly timeoutMs?: number;
  /** Close the socket right after writing, without waiting for an answer (a client abort). */
  readonly abort?: boolean;
  /**
   * Half-close after writing (the server sees EOF: an incomplete request is then aborted).
   * Default: keep the write side open and close once the server has said nothing for `idleMs`.
   */
  readonly halfClose?: boolean;
  /** Default 400 ms. */
  readonly idleMs?: number;
}

/** Sends raw bytes to `url`'s host:port and collects what comes back until the server closes. */
export function sendRaw(url: string, data: string | Buffer, o: SendOptions = {}): Promise<WireResult> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timedOut = false;
    let idle: NodeJS.Timeout | undefined;
    const s = connect(Number(u.port), u.hostname);
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(idle);
      resolve(parseResponses(Buffer.concat(chunks), timedOut));
    };
    const timer = setTimeout(() => {
      timedOut = true;
      s.destroy();
    }, o.timeoutMs ?? 10_000);
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(idle);
      idle = setTimeout(() => s.destroy(), o.idleMs ?? 400);
    });
    s.on('error', () => {});
    s.on('close', finish);
    s.write(data, () => {
      if (o.abort) s.destroy();
      else if (o.halfClose) s.end();
    });
  });
}

/** Parses consecutive HTTP/1.x responses (content-length, chunked, or until close). */
export function parseResponses(buf: Buffer, timedOut = false): WireResult {
  const out: WireResponse[] = [];
  let i = 0;
  while (i < buf.length) {
    const end = buf.indexOf('\r\n\r\n', i);
    if (end < 0) break;
    const head = buf.subarray(i, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '');
    if (!m) break;
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const c = line.indexOf(':');
      if (c > 0) {
        const k = line.slice(0, c).trim().toLowerCase();
        const v = line.slice(c + 1).trim();
        headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
      }
    }
    let j = end + 4;
    let body: Buffer = Buffer.alloc(0);
    const noBody = status < 200 || status === 204 || status === 304;
    if (noBody) {
      // nothing
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const eol = buf.indexOf('\r\n', j);
        if (eol < 0) {
          j = buf.length;
          break;
        }
        const size = Number.parseInt(buf.subarray(j, eol).toString('latin1'), 16);
        if (!Number.isFinite(size)) {
          j = buf.length;
          break;
        }
        j = eol + 2;
        if (size === 0) {
          const tail = buf.indexOf('\r\n', j);
          j = tail < 0 ? buf.length : tail + 2;
          break;
        }
        parts.push(buf.subarray(j, j + size));
        j += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      // A HEAD answer announces a length but carries no body: take what is there up to the next status line.
      const next = buf.indexOf('HTTP/1.', j);
      const avail = next === j ? 0 : n;
      body = buf.subarray(j, j + avail);
      j += avail;
    } else {
      body = buf.subarray(j);
      j = buf.length;
    }
    out.push({ status, headers, body: body.toString('utf8') });
    i = j;
  }
  return { responses: out, rest: buf.subarray(i).toString('latin1'), timedOut };
}

/** Markers that must never appear in a body the platform wrote (stack frames, source or install paths). */
export const LEAK_MARKERS = ['    at ', '.ts:', '/work/', 'node_modules'] as const;

/** The leak markers found in `body` that the request itself did not carry (echoed input is not a leak). */
export function leaks(body: string, request: string | Buffer, extra: readonly string[] = []): string[] {
  const req = typeof request === 'string' ? request : request.toString('latin1');
  return [...LEAK_MARKERS, ...extra].filter((m) => body.includes(m) && !req.includes(m));
}

/** True when a 4xx body is one of ours: a NIMBUS_ERR_* JSON error or an S3 XML `<Code>`. */
export function isCoded(body: string, kind: 'json' | 's3'): boolean {
  if (kind === 's3') return /^<\?xml[^>]*\?><Error><Code>[A-Za-z]+<\/Code>/.test(body);
  // The AWS query protocol (SNS, SQS for boto3) answers XML with the Nimbus code in the message.
  if (
    /^<\?xml[^>]*\?><ErrorResponse[^>]*><Error><Type>\w+<\/Type><Code>[\w.]+<\/Code><Message>\[NIMBUS_ERR_[A-Z0-9_]+\]/.test(
      body,
    )
  )
    return true;
  try {
    // REST answers {error: {code}}; the AWS JSON protocols {__type, message, nimbusCode}.
    const j = JSON.parse(body) as { code?: unknown; nimbusCode?: unknown; error?: { code?: unknown } };
    const code = j.error?.code ?? j.nimbusCode ?? j.code;
    return typeof code === 'string' && /^NIMBUS_ERR_[A-Z0-9_]+$/.test(code);
  } catch {
    return false;
  }
}
