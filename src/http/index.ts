/**
 * @module http
 * Input hardening shared by the three listeners (gateway, control-plane API, S3): what Node's
 * HTTP parser refuses (smuggling pairs, bad framing, oversized headers, unknown methods), Fastify's
 * own request errors, CONNECT, odd `Expect`s, client aborts and malformed percent-encoding all
 * become coded 4xx answers in the listener's own format — bad input never yields a 500, and no
 * answer carries a stack or a path. A client that goes away is not a platform failure: it is
 * reported to `onClientAbort` (the server logs it at debug, without a stack).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { CoreErrors, isNimbusError, type NimbusError } from '../core/errors.ts';
import { HttpErrors } from './errors.ts';

export { HttpErrors } from './errors.ts';

/** A coded error as a body in the listener's own format (JSON or S3 XML). */
export interface RenderedError {
  readonly contentType: string;
  readonly body: string;
}
export type RenderError = (e: NimbusError) => RenderedError;

export interface ClientAbort {
  /** What ended the request: `aborted`, `ECONNRESET`, a parser code… */
  readonly reason: string;
  readonly method?: string;
  /** Path without the query, at most 200 characters. */
  readonly path?: string;
}
export type OnClientAbort = (abort: ClientAbort) => void;

/** `decodeURIComponent` for request input: malformed or overlong escapes are a coded 400, not a URIError. */
export function decodeComponent(raw: string, part = 'URL'): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw HttpErrors.MALFORMED_URL({ part });
  }
}

const ABORT_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'HPE_INVALID_EOF_STATE',
]);

/**
 * True when `err` is the client going away mid-request (closed or reset the connection while its
 * body was being read), not a failure of ours. Needs the request: an ECONNRESET from an outbound
 * call made while handling it is a platform failure.
 */
export function isClientAbort(err: unknown, req: IncomingMessage): boolean {
  if (isNimbusError(err)) return err.code === HttpErrors.codes.CLIENT_ABORTED;
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  const abortLike = (typeof e.code === 'string' && ABORT_CODES.has(e.code)) || e.message === 'aborted';
  return abortLike && (req.aborted || req.readableAborted || req.socket.destroyed === true);
}

/** The short description of an abort for the debug log. */
export function clientAbort(err: unknown, req: IncomingMessage): ClientAbort {
  const e = err as { code?: unknown; message?: unknown } | null;
  const reason =
    typeof e?.code === 'string' ? e.code : typeof e?.message === 'string' ? e.message : 'aborted';
  return {
    reason: printable(reason, 60),
    method: req.method ?? '',
    path: printable((req.url ?? '').split('?')[0]!, 200),
  };
}

/** Keeps printable ASCII only, cut to `max` characters (for text that goes back to clients or logs). */
function printable(s: string, max: number): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}

/**
 * Fastify's own request errors as coded errors: body limit, content type and length, bad URL,
 * anything else Fastify rejects with a 4xx. `undefined` when `err` is not one of Fastify's.
 */
export function frameworkError(
  err: unknown,
  req: { headers: Record<string, string | string[] | undefined> },
  bodyLimit: number,
): NimbusError | undefined {
  const fe = err as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (typeof fe !== 'object' || fe === null || typeof fe.code !== 'string' || !fe.code.startsWith('FST_'))
    return undefined;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return CoreErrors.PAYLOAD_TOO_LARGE({
        size: printable(String(req.headers['content-length'] ?? 'more than the limit'), 40),
        limit: bodyLimit,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return CoreErrors.UNSUPPORTED_MEDIA_TYPE({
        type: printable(String(req.headers['content-type'] ?? '(none)'), 100),
      });
    case 'FST_ERR_BAD_URL':
      return HttpErrors.MALFORMED_URL({ part: 'URL' });
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500)
    return HttpErrors.BAD_REQUEST({ reason: printable(String(fe.message ?? fe.code), 200) });
  return undefined;
}

/** A request Node's HTTP parser refused (or that timed out) as a coded error. */
export function parserError(err: { code?: string; reason?: string; rawPacket?: unknown }): NimbusError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return HttpErrors.HEADERS_TOO_LARGE({ limit: maxHeaderSize });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return HttpErrors.REQUEST_TIMEOUT();
    case 'HPE_INVALID_METHOD': {
      const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 40).toString('latin1') : '';
      const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}(?=[ \t])/.exec(raw)?.[0];
      return HttpErrors.METHOD_NOT_ALLOWED({ method: token ?? '(unparseable)' });
    }
    case 'HPE_INVALID_EOF_STATE':
      return HttpErrors.CLIENT_ABORTED();
    case 'HPE_PAUSED_H2_UPGRADE':
      return HttpErrors.BAD_REQUEST({ reason: 'HTTP/2 is not served on this port; use HTTP/1.1' });
    default:
      return HttpErrors.BAD_REQUEST({
        reason: printable(err.reason ?? 'the request could not be parsed', 120).toLowerCase(),
      });
  }
}

/** Writes a coded error straight to a socket no framework owns (parser errors, CONNECT), then closes it. */
export function answerOnSocket(socket: Duplex, e: NimbusError, render: RenderError): void {
  // A response already on the wire (a timeout mid-answer) must not get a second one spliced in.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !socket.destroyed && !inFlight?.headersSent) {
    const r = render(e);
    const body = Buffer.from(r.body);
    socket.end(
      Buffer.concat([
        Buffer.from(
          `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\nContent-Type: ${r.contentType}\r\n` +
            `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        ),
        body,
      ]),
    );
    // A client that never reads must not hold the socket open.
    setTimeout(() => socket.destroy(), 5_000).unref();
  } else {
    socket.destroy();
  }
}

export interface WireHardening {
  readonly render: RenderError;
  readonly onClientAbort?: OnClientAbort | undefined;
}

/** Fastify's `clientErrorHandler`: parser refusals and timeouts answered with coded bodies. */
export function clientErrorHandler(h: WireHardening) {
  return (err: Error & { code?: string; reason?: string; rawPacket?: unknown }, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || socket.destroyed) {
      // A request already dispatched reports its own abort (with method and path) from the
      // listener's error handler; this one is for a client gone before its headers were complete.
      if (!(socket as { _httpMessage?: unknown })._httpMessage)
        h.onClientAbort?.({ reason: err.code ?? 'reset' });
      if (socket.destroyed) return;
    }
    answerOnSocket(socket, parserError(err), h.render);
  };
}

/**
 * The origin-form of a request target: absolute-form (`GET http://host/path`, which RFC 9112
 * §3.2.2 says servers must accept) loses its scheme and authority, so every listener routes the
 * path alone. Other targets are returned as they are.
 */
export function originForm(target: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (!m) return target;
  const rest = target.slice(m[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * Options to spread into `Fastify({...})`: coded answers to what the parser refuses, absolute-form
 * targets routed by their path, and the missing-Host check moved from Node (an empty 400) to
 * `hardenServer`'s hook (a coded one).
 */
export function wireOptions(h: WireHardening) {
  return {
    clientErrorHandler: clientErrorHandler(h),
    http: { requireHostHeader: false },
    rewriteUrl: (req: IncomingMessage) => originForm(req.url ?? '/'),
  };
}

/**
 * What Fastify leaves to Node's defaults, made coded: CONNECT (Node drops the socket without a
 * word; nothing here is a proxy), an `Expect` other than 100-continue (Node answers 417 with no
 * body), an HTTP/1.1 request without Host (RFC 9112 §3.2: 400) and a target that is not a path
 * (`GET *`). Call right after `Fastify()` built with the options from `wireOptions`.
 */
export function hardenServer(app: FastifyInstance, h: WireHardening): void {
  app.server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
    answerOnSocket(socket, HttpErrors.METHOD_NOT_ALLOWED({ method: 'CONNECT' }), h.render),
  );
  app.server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const r = h.render(HttpErrors.EXPECTATION_FAILED());
    res
      .writeHead(417, {
        'content-type': r.contentType,
        'content-length': Buffer.byteLength(r.body),
        connection: 'close',
      })
      .end(r.body);
  });
  // A callback hook, not an async one: no promise per request on the hot path.
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.raw.httpVersion === '1.1' && req.headers.host === undefined) {
      done(HttpErrors.BAD_REQUEST({ reason: 'an HTTP/1.1 request needs a Host header' }));
      return;
    }
    // Only OPTIONS may target `*`; authority-form is for CONNECT, answered above.
    const target = req.raw.url ?? '';
    if (!target.startsWith('/') && !(target === '*' && req.method === 'OPTIONS')) {
      done(HttpErrors.BAD_REQUEST({ reason: 'the request target must be a path' }));
      return;
    }
    done();
  });
}
