import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { isNimbusError, type NimbusError } from '../core/errors.ts';
import {
  type ClientAbort,
  decodeComponent,
  frameworkError,
  HttpErrors,
  hardenServer,
  isClientAbort,
  originForm,
  parserError,
  type WireHardening,
  wireOptions,
} from './index.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isNimbusError(e) ? e.code : `uncoded ${String(e)}`;
  }
  return 'no error';
};

describe('percent-decoding of request input', () => {
  for (const bad of ['%', '%zz', '%c0%af', '%e0%80%af', '%ed%a0%80', '%ff', 'a%2'])
    it(`${bad} is a coded 400, not a URIError`, () => {
      assert.equal(
        codeOf(() => decodeComponent(bad, 'path')),
        HttpErrors.codes.MALFORMED_URL,
      );
    });
  it('decodes well-formed escapes, NUL and separators included', () => {
    assert.equal(decodeComponent('a%20b%2F%00%C3%A9'), 'a b/\u0000é');
  });
});

describe('request targets', () => {
  it('routes absolute-form by its path', () => {
    assert.equal(originForm('http://localhost:3000/v1/functions?x=1'), '/v1/functions?x=1');
    assert.equal(originForm('http://evil.example'), '/');
    assert.equal(originForm('HTTPS://h?q'), '/?q');
    assert.equal(originForm('/already/origin'), '/already/origin');
    assert.equal(originForm('*'), '*');
  });
});

describe("Node parser refusals and Fastify's own errors as coded errors", () => {
  const cases: [string, number, string][] = [
    ['HPE_HEADER_OVERFLOW', 431, HttpErrors.codes.HEADERS_TOO_LARGE],
    ['HPE_INVALID_METHOD', 405, HttpErrors.codes.METHOD_NOT_ALLOWED],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 400, HttpErrors.codes.BAD_REQUEST],
    ['HPE_INVALID_TRANSFER_ENCODING', 400, HttpErrors.codes.BAD_REQUEST],
    ['HPE_PAUSED_H2_UPGRADE', 400, HttpErrors.codes.BAD_REQUEST],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, HttpErrors.codes.REQUEST_TIMEOUT],
    ['HPE_INVALID_EOF_STATE', 400, HttpErrors.codes.CLIENT_ABORTED],
  ];
  for (const [code, status, coded] of cases)
    it(`${code} → ${status} ${coded}`, () => {
      const e = parserError({ code, reason: 'Some reason', rawPacket: Buffer.from('FOO / HTTP/1.1\r\n') });
      assert.equal(e.status, status);
      assert.equal(e.code, coded);
    });
  it('names an unparseable method only when it is a token', () => {
    assert.match(
      parserError({ code: 'HPE_INVALID_METHOD', rawPacket: Buffer.from('FOO / HTTP/1.1') }).message,
      /FOO/,
    );
    assert.match(
      parserError({ code: 'HPE_INVALID_METHOD', rawPacket: Buffer.from('\x16\x03\x01 x') }).message,
      /unparseable/,
    );
  });
  const req = { headers: { 'content-length': '99', 'content-type': ';;;' } };
  it('maps body limit, media type, bad URL and other 4xx Fastify errors; leaves the rest', () => {
    const fe = (code: string, statusCode?: number, message = 'm') =>
      frameworkError(Object.assign(new Error(message), { code, statusCode }), req, 10);
    assert.equal(fe('FST_ERR_CTP_BODY_TOO_LARGE', 413)?.status, 413);
    assert.equal(fe('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)?.status, 415);
    assert.equal(fe('FST_ERR_BAD_URL', 400)?.code, HttpErrors.codes.MALFORMED_URL);
    const missing = fe(
      'FST_ERR_ROUTE_MISSING_CONTENT_TYPE',
      400,
      "Method 'QUERY' must provide a 'Content-Type' header.",
    );
    assert.equal(missing?.code, HttpErrors.codes.BAD_REQUEST);
    assert.equal(fe('FST_ERR_SOMETHING_INTERNAL', 500), undefined);
    assert.equal(frameworkError(new Error('not fastify'), req, 10), undefined);
  });
  it('tells a client abort from an outbound ECONNRESET by the state of the request', () => {
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const gone = {
      aborted: true,
      readableAborted: true,
      socket: { destroyed: true },
    } as unknown as IncomingMessage;
    const live = {
      aborted: false,
      readableAborted: false,
      socket: { destroyed: false },
    } as unknown as IncomingMessage;
    assert.equal(isClientAbort(reset, gone), true);
    assert.equal(isClientAbort(reset, live), false);
    assert.equal(isClientAbort(new Error('boom'), gone), false);
  });
});

/** Writes raw bytes, returns what came back once the server closes (or after 2 s). */
function raw(port: number, data: string, o: { halfClose?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const t = setTimeout(() => s.destroy(), 2_000);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    s.write(data, () => {
      if (o.halfClose) s.end();
    });
  });
}

describe('a hardened Fastify listener (real socket)', () => {
  let app: FastifyInstance;
  let port: number;
  const aborts: ClientAbort[] = [];
  const wire: WireHardening = {
    render: (e: NimbusError) => ({ contentType: 'application/json', body: JSON.stringify({ code: e.code }) }),
    onClientAbort: (a) => aborts.push(a),
  };
  before(async () => {
    app = Fastify({ logger: false, ...wireOptions(wire) });
    hardenServer(app, wire);
    app.setErrorHandler((err, _req, reply) => {
      const e = isNimbusError(err) ? err : HttpErrors.BAD_REQUEST({ reason: 'x' });
      return reply.code(e.status).send({ code: e.code });
    });
    app.get('/path', async (req) => ({ url: req.url }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app.close());

  const expectCoded = async (data: string, status: number, code: string) => {
    const res = await raw(port, data);
    assert.match(res, new RegExp(`^HTTP/1\\.1 ${status} `), res);
    assert.ok(res.endsWith(JSON.stringify({ code })), res);
  };
  it('answers request smuggling pairs with a coded 400', () =>
    expectCoded(
      'POST /path HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      HttpErrors.codes.BAD_REQUEST,
    ));
  it('answers oversized headers with a coded 431', () =>
    expectCoded(
      `GET /path HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      HttpErrors.codes.HEADERS_TOO_LARGE,
    ));
  it('answers a method the parser does not know with a coded 405', () =>
    expectCoded('FOO /path HTTP/1.1\r\nHost: h\r\n\r\n', 405, HttpErrors.codes.METHOD_NOT_ALLOWED));
  it('answers CONNECT with a coded 405 instead of dropping the socket', () =>
    expectCoded('CONNECT h:1 HTTP/1.1\r\nHost: h\r\n\r\n', 405, HttpErrors.codes.METHOD_NOT_ALLOWED));
  it('answers an unknown Expect with a coded 417', () =>
    expectCoded(
      'GET /path HTTP/1.1\r\nHost: h\r\nExpect: foo\r\nConnection: close\r\n\r\n',
      417,
      HttpErrors.codes.EXPECTATION_FAILED,
    ));
  it('answers an HTTP/1.1 request without Host with a coded 400', () =>
    expectCoded('GET /path HTTP/1.1\r\nConnection: close\r\n\r\n', 400, HttpErrors.codes.BAD_REQUEST));
  it('refuses `GET *` but routes absolute-form by its path', async () => {
    await expectCoded(
      'GET * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
      400,
      HttpErrors.codes.BAD_REQUEST,
    );
    const res = await raw(
      port,
      'GET http://other.example/path?q=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
    );
    assert.match(res, /^HTTP\/1\.1 200 /);
    assert.ok(res.endsWith('{"url":"/path?q=1"}'), res);
  });
  it('reports a client that hangs up mid-headers as an abort', async () => {
    const before = aborts.length;
    await raw(port, 'GET /path HTTP/1.1\r\nHost: h\r\nX-A: ', { halfClose: true });
    assert.equal(aborts.length, before + 1);
    assert.equal(aborts.at(-1)?.reason, 'HPE_INVALID_EOF_STATE');
  });
});
