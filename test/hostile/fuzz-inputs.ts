/**
 * What the request fuzz sends (test/hostile/fuzz.test.ts): the raw-socket corpus per listener and
 * the fast-check generators. Pure data and builders; the test owns the platform and the checks.
 * Names here match what the test creates: the `echo` function and its routes (`/echo`, `/v1`,
 * `/key`, `/jwt`, `/lam`, `/slow`), topic `fuzz`, webhooks `wh_fuzz_*`, bucket `fuzz-bucket`.
 */
import fc from 'fast-check';
import type { SendOptions } from './wire.ts';

export type Listener = 'gateway' | 'api' | 's3';
export const LISTENERS: readonly Listener[] = ['gateway', 'api', 's3'];

/** Percent escapes that are malformed, overlong, NUL, or that decode to separators. */
const ESCAPES = [
  '%',
  '%z',
  '%zz',
  '%1',
  '%%',
  '%c0%af',
  '%e0%80%af',
  '%f0%80%80%af',
  '%c0%80',
  '%00',
  '%ff',
  '%fe%ff',
  '%ed%a0%80',
  '%c3%28',
  '%u002e',
  '%2f',
  '%2F',
  '%25',
  '%5c',
  '%2e%2e',
  '%0d%0a',
] as const;

/** Path words each listener knows, so generated paths reach real handlers. */
const WORDS: Record<Listener, readonly string[]> = {
  gateway: [
    'echo',
    'v1',
    'key',
    'jwt',
    'lam',
    'slow',
    'hooks',
    'wh_fuzz_none',
    'wh_fuzz_github',
    'wh_fuzz_stripe',
    'wh_fuzz_standard',
    'wh_fuzz_shared',
    'nope',
    'a',
    '{proxy+}',
  ],
  // No name of a real function here: generated DELETE/PUT requests must not remove the echo function.
  api: [
    'v1',
    'functions',
    '2015-03-31',
    '2019-09-25',
    '2017-10-31',
    '2019-09-30',
    'invocations',
    'invoke',
    'invoke-async',
    'event-invoke-config',
    'concurrency',
    'versions',
    'aliases',
    'configuration',
    'code',
    'routes',
    'topics',
    'events',
    'subscriptions',
    'schedules',
    'sources',
    'webhooks',
    'buckets',
    'notifications',
    'timers',
    'queues',
    'dlq',
    'logs',
    'artifacts',
    'healthz',
    'x',
    'arn:aws:lambda:us-east-1:123456789012:function:x',
  ],
  s3: ['fuzz-bucket', 'obj.txt', 'nope-bucket', 'a', 'dir', 'x'],
};

/**
 * Request shapes per listener, `METHOD /path` with `{s}` filled by generated segments; the method
 * is used three times out of four (`*`: any). The real `echo` function only appears on paths where
 * no method deletes or replaces it.
 */
const TEMPLATES: Record<Listener, readonly string[]> = {
  gateway: [
    '* /echo/{s}',
    '* /echo/{s}/{s}',
    'GET /v1/{s}',
    '* /key/{s}',
    '* /jwt/{s}',
    '* /lam/{s}',
    'POST /slow/{s}',
    'POST /hooks/{s}',
    'OPTIONS /echo/{s}',
    '* /{s}',
    '* /',
  ],
  api: [
    'GET /v1/functions/{s}',
    'PUT /v1/functions/{s}',
    'PATCH /v1/functions/{s}',
    'POST /v1/functions/{s}/invoke',
    'POST /v1/functions/{s}/versions',
    'GET /v1/functions/{s}/logs',
    'PUT /v1/functions/{s}/aliases/{s}',
    'GET /v1/invocations/{s}',
    'POST /v1/topics/{s}/events',
    'POST /v1/topics/fuzz/events',
    'POST /v1/topics/fuzz/subscriptions',
    'POST /v1/routes',
    'DELETE /v1/routes/{s}',
    'PUT /v1/buckets/{s}/notifications',
    'PUT /v1/schedules/{s}',
    'POST /v1/timers',
    'POST /v1/sources',
    'POST /v1/webhooks',
    'POST /v1/queues/dlq/replay',
    'GET /v1/queues/dlq/{s}',
    'GET /v1/usage',
    'GET /v1/budgets/{s}',
    'PUT /v1/budgets/{s}',
    'DELETE /v1/budgets/{s}',
    '* /v1/prices',
    'GET /v1/status',
    'POST /2015-03-31/functions',
    'GET /2015-03-31/functions/{s}',
    'POST /2015-03-31/functions/{s}/invocations',
    'PUT /2015-03-31/functions/{s}/aliases/{s}',
    'PUT /2015-03-31/functions/{s}/code',
    'PUT /2015-03-31/functions/{s}/configuration',
    '* /2019-09-25/functions/{s}/event-invoke-config',
    'GET /2019-09-25/functions/{s}/event-invoke-config/',
    'PUT /2017-10-31/functions/{s}/concurrency',
    'GET /v1/artifacts/{s}',
    'GET /v1/functions/echo/logs',
    'POST /v1/functions/echo/invoke',
    'POST /v1/functions/echo/invoke-async',
    'POST /2015-03-31/functions/echo/invocations',
    'GET /2015-03-31/functions/echo/aliases/{s}',
    '* /{s}',
    'GET /healthz',
  ],
  s3: [
    'GET /fuzz-bucket/{s}',
    'PUT /fuzz-bucket/{s}',
    'HEAD /fuzz-bucket/{s}',
    'DELETE /fuzz-bucket/{s}',
    'POST /fuzz-bucket/{s}',
    'GET /fuzz-bucket',
    'POST /fuzz-bucket',
    'PUT /{s}',
    '* /{s}/{s}',
    'GET /',
  ],
};

const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'PROPFIND',
  'MKCOL',
  'TRACE',
  'PURGE',
  'SEARCH',
  'QUERY',
  'LOCK',
  'M-SEARCH',
  'FOO',
  'get',
  'G3T',
] as const;

/** Builds requests for one running platform (credentials, the admin key id, the current time). */
export interface Kit {
  /** `Authorization: Bearer …` value of the admin key. */
  readonly auth: string;
  /** Request line, Host, the admin key (unless `auth: false`), headers, Content-Length, Connection: close, body. */
  req(
    l: Listener,
    method: string,
    target: string,
    headers?: readonly string[],
    body?: string | Buffer,
    o?: { auth?: boolean; close?: boolean; length?: boolean; host?: string },
  ): Buffer;
  /** SigV4 headers with the real key id and date and a wrong signature (gets past the cheap checks). */
  sigv4(l: Listener, service: string): string[];
  /** Presigned-URL query parameters, likewise. */
  presign(l: Listener): string;
}

/** One raw-socket corpus entry: what it is, the exact bytes, how to send them. */
export type CorpusEntry = [string, string | Buffer, SendOptions?];

/** A realistic request target per listener, for corpus entries that attack framing rather than routing. */
export const HOME: Record<Listener, { get: string; post: string }> = {
  gateway: { get: '/echo/a', post: '/echo/a' },
  api: { get: '/v1/functions', post: '/v1/functions/nope/invoke' },
  s3: { get: '/fuzz-bucket/obj.txt', post: '/fuzz-bucket?delete' },
};

export function rawCorpus(l: Listener, k: Kit): CorpusEntry[] {
  const { get, post } = HOME[l];
  const a = `Authorization: ${k.auth}\r\n`;
  const h = `Host: localhost\r\n${a}`;
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const deepObj = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const out: CorpusEntry[] = [
    // Request smuggling pairs.
    [
      'CL+TE',
      `POST ${post} HTTP/1.1\r\n${h}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET ${get} HTTP/1.1\r\n${h}\r\n`,
    ],
    [
      'TE+CL',
      `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n`,
    ],
    [
      'duplicate CL (differ)',
      `POST ${post} HTTP/1.1\r\n${h}Content-Length: 2\r\nContent-Length: 7\r\n\r\n{}GET /`,
    ],
    ['duplicate CL (same)', `POST ${post} HTTP/1.1\r\n${h}Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}`],
    ['CL list', `POST ${post} HTTP/1.1\r\n${h}Content-Length: 2, 2\r\n\r\n{}`],
    ['CL +sign', `POST ${post} HTTP/1.1\r\n${h}Content-Length: +2\r\n\r\n{}`],
    ['CL hex', `POST ${post} HTTP/1.1\r\n${h}Content-Length: 0x2\r\n\r\n{}`],
    ['CL negative', `POST ${post} HTTP/1.1\r\n${h}Content-Length: -1\r\n\r\n{}`],
    ['CL huge', `POST ${post} HTTP/1.1\r\n${h}Content-Length: 99999999999999999999\r\n\r\n{}`],
    [
      'TE chunked, identity',
      `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'TE identity, chunked',
      `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding: identity, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    ['TE xchunked', `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`],
    [
      'TE twice',
      `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'TE space before colon',
      `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding : chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    ['TE tab', `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding:\tchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`],
    [
      'TE obs-fold',
      `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding:\r\n chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    ['obs-fold header', `GET ${get} HTTP/1.1\r\n${h}X-Folded: a\r\n b\r\n\r\n`],
    [
      'HTTP/1.0 TE chunked',
      `POST ${post} HTTP/1.0\r\n${h}Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'bad chunk size',
      `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'chunk size overflow',
      `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'chunk extension flood',
      `POST ${post} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\n\r\n2;${'x'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`,
    ],
    [
      'GET with body hiding a request',
      `GET ${get} HTTP/1.1\r\n${h}Content-Length: 30\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n\r\n`,
    ],
    ['pipelined', `GET ${get} HTTP/1.1\r\n${h}\r\nGET ${get} HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    // Line endings, NUL, control bytes.
    ['bare LF', `GET ${get} HTTP/1.1\n${h.replace(/\r\n/g, '\n')}Connection: close\n\n`],
    ['bare CR in header', `GET ${get} HTTP/1.1\r\n${h}X-A: a\rb\r\n\r\n`],
    ['NUL in path', `GET ${get}\0x HTTP/1.1\r\n${h}\r\n`],
    ['NUL in header value', `GET ${get} HTTP/1.1\r\n${h}X-A: a\0b\r\n\r\n`],
    ['NUL in header name', `GET ${get} HTTP/1.1\r\n${h}X\0A: b\r\n\r\n`],
    ['DEL in header value', `GET ${get} HTTP/1.1\r\n${h}X-A: a\x7fb\r\n\r\n`],
    ['bad header name', `GET ${get} HTTP/1.1\r\n${h}X(A): b\r\n\r\n`],
    ['header without colon', `GET ${get} HTTP/1.1\r\n${h}NoColon\r\n\r\n`],
    ['space in target', `GET /a b HTTP/1.1\r\n${h}\r\n`],
    ['raw UTF-8 in target', Buffer.from(`GET /\u00e9\u4e2d HTTP/1.1\r\n${h}Connection: close\r\n\r\n`)],
    [
      'raw high bytes in target',
      Buffer.concat([
        Buffer.from('GET /'),
        Buffer.from([0xc0, 0xaf, 0xff]),
        Buffer.from(` HTTP/1.1\r\n${h}Connection: close\r\n\r\n`),
      ]),
    ],
    // Request targets and versions.
    ['absolute-form', `GET http://localhost${get} HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    ['absolute-form other host', `GET http://evil.example/ HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    ['absolute-form bad escape', `GET http://localhost/%zz HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    ['authority-form GET', `GET localhost:80 HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    ['asterisk-form OPTIONS', `OPTIONS * HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    ['asterisk-form GET', `GET * HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    ['double slash', `GET //${get} HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    ['dot segments', `GET /../../etc/passwd HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    ['no Host 1.1', `GET ${get} HTTP/1.1\r\n${a}Connection: close\r\n\r\n`],
    ['no Host 1.0', `GET ${get} HTTP/1.0\r\n${a}\r\n`],
    ['two Hosts', `GET ${get} HTTP/1.1\r\n${h}Host: other\r\nConnection: close\r\n\r\n`],
    ['empty Host', `GET ${get} HTTP/1.1\r\nHost:\r\n${a}Connection: close\r\n\r\n`],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['HTTP/0.9', `GET ${get}\r\n`, { halfClose: true }],
    ['HTTP/9.9', `GET ${get} HTTP/9.9\r\n${h}\r\n`],
    ['not HTTP', `GET ${get} FOO/1.1\r\n${h}\r\n`],
    ['garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
    ['empty lines first', `\r\n\r\nGET ${get} HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    // Methods.
    ...[
      'PROPFIND',
      'MKCOL',
      'TRACE',
      'PURGE',
      'SEARCH',
      'LOCK',
      'M-SEARCH',
      'QUERY',
      'FOO',
      'get',
      'X'.repeat(300),
    ].map((m): [string, string] => [
      `method ${m.slice(0, 20)}`,
      `${m} ${get} HTTP/1.1\r\n${h}Connection: close\r\n\r\n`,
    ]),
    ['CONNECT', `CONNECT localhost:1 HTTP/1.1\r\n${h}\r\n`],
    ['method with tab', `GET\t${get} HTTP/1.1\r\n${h}\r\n`],
    [
      'upgrade websocket',
      `GET ${get} HTTP/1.1\r\n${h}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    ],
    [
      'upgrade h2c',
      `GET ${get} HTTP/1.1\r\n${h}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`,
    ],
    [
      'Expect: foo',
      `POST ${post} HTTP/1.1\r\n${h}Expect: foo\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    ],
    [
      'Expect: 100-continue',
      `POST ${post} HTTP/1.1\r\n${h}Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    ],
    // Huge headers and header lines.
    ['20 KB header', `GET ${get} HTTP/1.1\r\n${h}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['1 MB header', `GET ${get} HTTP/1.1\r\n${h}X-Big: ${'a'.repeat(1_000_000)}\r\n\r\n`],
    [
      '200 x 100 B headers',
      `GET ${get} HTTP/1.1\r\n${h}${Array.from({ length: 200 }, (_, i) => `X-H${i}: ${'b'.repeat(100)}\r\n`).join('')}\r\n`,
    ],
    [
      '3000 tiny header lines',
      `GET ${get} HTTP/1.1\r\n${h}${Array.from({ length: 3000 }, () => 'a:\r\n').join('')}Connection: close\r\n\r\n`,
    ],
    ['20 KB path', `GET /${'p'.repeat(20_000)} HTTP/1.1\r\n${h}\r\n`],
    ['12 KB query', `GET ${get}?${'q=1&'.repeat(3000)} HTTP/1.1\r\n${h}Connection: close\r\n\r\n`],
    ['huge cookie', `GET ${get} HTTP/1.1\r\n${h}Cookie: ${'c=1; '.repeat(5000)}\r\n\r\n`],
    // Content types and encodings.
    [
      'content-type ;;;',
      `POST ${post} HTTP/1.1\r\n${h}Content-Type: ;;;\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    ],
    [
      'content-type bad charset',
      `POST ${post} HTTP/1.1\r\n${h}Content-Type: application/json; charset=utf-99\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    ],
    [
      'content-type empty',
      `POST ${post} HTTP/1.1\r\n${h}Content-Type:\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    ],
    [
      'gzip garbage',
      `POST ${post} HTTP/1.1\r\n${h}Content-Encoding: gzip\r\nContent-Type: application/json\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd`,
    ],
    [
      'aws-chunked garbage',
      `PUT ${get} HTTP/1.1\r\n${h}Content-Encoding: aws-chunked\r\nContent-Length: 4\r\nConnection: close\r\n\r\nzz\r\n`,
    ],
    // Bodies.
    ['deep JSON arrays 100k', k.req(l, 'POST', post, ['Content-Type: application/json'], deep(100_000))],
    ['deep JSON objects 50k', k.req(l, 'POST', post, ['Content-Type: application/json'], deepObj(50_000))],
    ['truncated JSON', k.req(l, 'POST', post, ['Content-Type: application/json'], '{"a":')],
    ['JSON NUL', k.req(l, 'POST', post, ['Content-Type: application/json'], '{"a":"\u0000"}')],
    ['lone surrogate JSON', k.req(l, 'POST', post, ['Content-Type: application/json'], '{"a":"\\ud800"}')],
    [
      'binary body',
      k.req(
        l,
        'POST',
        post,
        ['Content-Type: application/octet-stream'],
        Buffer.from([0, 255, 254, 0xc0, 0xaf]),
      ),
    ],
    [
      'deep XML',
      k.req(
        l,
        'POST',
        post,
        ['Content-Type: application/xml'],
        `<Delete>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</Delete>`,
      ),
    ],
    [
      'XML entity bomb',
      k.req(
        l,
        'POST',
        post,
        ['Content-Type: application/xml'],
        `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Delete><Object><Key>&c;</Key></Object></Delete>`,
      ),
    ],
    // Credentials.
    [
      'SigV4 with bad query escape',
      k.req(l, 'GET', `${get}?%zz=1&a=%`, k.sigv4(l, l === 's3' ? 's3' : 'lambda'), '', { auth: false }),
    ],
    ['SigV4 with bad path escape', k.req(l, 'GET', `${get}/%c0%af`, k.sigv4(l, 's3'), '', { auth: false })],
    ['presigned with bad escape', k.req(l, 'GET', `${get}?${k.presign(l)}&x=%zz`, [], '', { auth: false })],
    [
      'presigned huge expiry',
      k.req(l, 'GET', `${get}?${k.presign(l).replace('X-Amz-Expires=60', 'X-Amz-Expires=1e400')}`, [], '', {
        auth: false,
      }),
    ],
    ['Bearer empty', k.req(l, 'GET', get, ['Authorization: Bearer '], '', { auth: false })],
    ['two Authorization', k.req(l, 'GET', get, ['Authorization: Bearer nope'])],
    ['Authorization garbage', k.req(l, 'GET', get, ['Authorization: \u00ff\u00fe'], '', { auth: false })],
    // The known failure from the issue, and its relatives.
    [
      'EIC bad query',
      k.req(l, 'GET', '/2019-09-25/functions/x/event-invoke-config/?/%zz', k.sigv4(l, 'lambda'), '', {
        auth: false,
      }),
    ],
    ['EIC bad query bearer', k.req(l, 'GET', '/2019-09-25/functions/x/event-invoke-config?/%zz')],
    ['function %25', k.req(l, 'GET', '/2015-03-31/functions/%25zz')],
    ['function %25 invoke', k.req(l, 'POST', '/2015-03-31/functions/%25zz/invocations', [], '{}')],
    [
      'copy source bad escape',
      k.req(l, 'PUT', '/fuzz-bucket/copy.txt', ['x-amz-copy-source: /fuzz-bucket/%zz']),
    ],
    ['range garbage', k.req(l, 'GET', get, ['Range: bytes=zz-1,--'])],
    ['range huge', k.req(l, 'GET', get, ['Range: bytes=0-99999999999999999999999'])],
    ['virtual host bad escape', k.req(l, 'GET', '/%zz', [], '', { host: 'fuzz-bucket.localhost' })],
    ['virtual host weird', k.req(l, 'GET', '/obj.txt', [], '', { host: '..localhost' })],
  ];
  // Deep bodies where something parses them (JSON, CloudEvents, patterns, XML) and into real functions.
  const deepTargets: Record<Listener, [string, string, string[]][]> = {
    gateway: [
      ['POST', '/echo/deep', ['Content-Type: application/json']],
      ['POST', '/hooks/wh_fuzz_none', ['Content-Type: application/json']],
      ['POST', '/hooks/wh_fuzz_none', []],
    ],
    api: [
      ['POST', '/2015-03-31/functions/echo/invocations', []],
      ['POST', '/2015-03-31/functions/echo/invocations', ['X-Amz-Invocation-Type: Event']],
      ['POST', '/v1/functions/echo/invoke', []],
      ['POST', '/v1/functions/echo/invoke-async', []],
      ['PUT', '/v1/functions/x', []],
      ['POST', '/v1/topics/fuzz/events', ['Content-Type: application/json']],
      ['POST', '/v1/topics/fuzz/events', ['Content-Type: application/cloudevents-batch+json']],
      ['POST', '/v1/topics/fuzz/subscriptions', []],
      ['POST', '/v1/routes', []],
      ['PUT', '/v1/gateway/cors', []],
      ['PUT', '/v1/budgets/fuzz', []],
      ['PUT', '/v1/prices', []],
      ['PUT', '/2019-09-25/functions/echo/event-invoke-config', []],
      ['POST', '/2015-03-31/functions', []],
    ],
    s3: [
      ['PUT', '/fuzz-bucket/deep.json', ['Content-Type: application/json']],
      ['POST', '/fuzz-bucket/obj.txt?uploadId=x', []],
    ],
  };
  // JSON documents the platform parses and keeps (events, patterns, schedule inputs, timers, sources).
  const deepDocs: Record<Listener, [string, string, string[], (deep: string) => string][]> = {
    gateway: [],
    api: [
      [
        'POST',
        '/v1/topics/fuzz/events',
        ['Content-Type: application/cloudevents+json'],
        (x) =>
          `{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"application/json","data":${x}}`,
      ],
      [
        'POST',
        '/v1/topics/fuzz/events',
        ['Content-Type: application/cloudevents-batch+json'],
        (x) => `[{"specversion":"1.0","id":"1","source":"s","type":"t","data":${x}}]`,
      ],
      [
        'POST',
        '/v1/topics/fuzz/events',
        ['Content-Type: application/json', 'ce-specversion: 1.0', 'ce-id: 1', 'ce-source: s', 'ce-type: t'],
        (x) => x,
      ],
      ['POST', '/v1/topics/fuzz/subscriptions', [], (x) => `{"pattern":{"detail":${x}},"target":"echo"}`],
      ['PUT', '/v1/schedules/fuzz', [], (x) => `{"function":"echo","expression":"rate(1 day)","input":${x}}`],
      ['POST', '/v1/timers', [], (x) => `{"function":"echo","at":"2099-01-01T00:00:00Z","payload":${x}}`],
      ['POST', '/v1/sources', [], (x) => `{"function":"echo","type":"nats","config":{"a":${x}}}`],
      [
        'PUT',
        '/v1/functions/echo/subscriptions',
        [],
        (x) => `{"subscriptions":[{"topic":"fuzz","pattern":${x}}]}`,
      ],
    ],
    s3: [],
  };
  for (const [method, path, headers, wrap] of deepDocs[l]) {
    for (const [kind, doc] of [
      ['arrays', deep(50_000)],
      ['objects', deepObj(50_000)],
      ['objects 3k', deepObj(3_000)],
    ] as const)
      out.push([`deep ${kind} doc ${method} ${path}`, k.req(l, method, path, headers, wrap(doc))]);
  }
  for (const [method, path, headers] of deepTargets[l]) {
    out.push([`deep arrays ${method} ${path}`, k.req(l, method, path, headers, deep(100_000))]);
    out.push([`deep objects ${method} ${path}`, k.req(l, method, path, headers, deepObj(50_000))]);
    out.push([
      `deep event ${method} ${path}`,
      k.req(l, method, path, headers, `{"source":"s","detail-type":"t","detail":{"a":${deep(50_000)}}}`),
    ]);
  }
  for (const e of ESCAPES) {
    out.push([`path escape ${e}`, k.req(l, 'GET', `${get}/${e}`)]);
    out.push([`query escape ${e}`, k.req(l, 'GET', `${get}?${e}=${e}`)]);
    out.push([`bare escape path ${e}`, k.req(l, 'GET', `/${e}`)]);
  }
  return out;
}

const text = (alphabet: string, max: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((a) => a.join(''));
const segment = (l: Listener) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...WORDS[l]) },
    { weight: 1, arbitrary: fc.constantFrom(...ESCAPES) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...WORDS[l]), fc.constantFrom(...ESCAPES)).map(([w, e]) => w + e),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: text("abc-._~!$&'()*+,;=:@%/?#[]", 12) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }).map(encodeURIComponent) },
  );
/** A method and a path: from a template (usually with its method), or any segments. */
const target = (l: Listener) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...TEMPLATES[l]),
          fc.array(segment(l), { minLength: 3, maxLength: 3 }),
          fc.integer({ min: 0, max: 3 }),
          fc.constantFrom(...METHODS),
        )
        .map(([tpl, segs, dice, any]) => {
          const [m = '*', tplPath = '/'] = tpl.split(' ');
          let i = 0;
          const path = tplPath.replace(/\{s\}/g, () => segs[i++] ?? '');
          return { method: m !== '*' && dice > 0 ? m : any, path };
        }),
    },
    fc
      .tuple(fc.array(segment(l), { maxLength: 6 }), fc.constantFrom(...METHODS))
      .map(([s, method]) => ({ method, path: `/${s.join('/')}` })),
  );
const queryPart = (l: Listener) =>
  fc.oneof(
    fc.constant(''),
    fc.constant('?'),
    fc
      .array(fc.tuple(segment(l), fc.oneof(segment(l), fc.constant(''))), { minLength: 1, maxLength: 4 })
      .map((kv) => `?${kv.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&')}`),
    fc.constantFrom(
      '?delete',
      '?uploads',
      '?uploadId=x&partNumber=%zz',
      '?list-type=2&max-keys=-1&continuation-token=%%',
      '?Qualifier=%zz',
      '?limit=1e999',
    ),
  );
const headerValue = fc.oneof(
  text('abcdefghijklmnopqrstuvwxyz0123456789 -_=;,/:.', 40),
  fc.constantFrom(
    'https://a.example',
    'https://x.b.example',
    'null',
    'fuzz-key-0123456789',
    'Bearer eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln',
    'Bearer a.b.c',
    'Bearer let-me-in',
    'sha256=zz',
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'aws-chunked',
    'Event',
    'DryRun',
    'Tail',
    'bytes=-0',
    't=1,v1=zz',
    'v1,!!!',
    '1.0',
    'Bearer ....',
    'GET',
    'FOO',
    'content-type, x-y',
  ),
  fc.constantFrom(...ESCAPES),
  fc.constantFrom('', ' ', '\t', '\u00ff', 'a\u00e9b'),
);
const headerName = fc.oneof(
  fc.constantFrom(
    'content-type',
    'accept',
    'origin',
    'x-amz-date',
    'x-amz-content-sha256',
    'x-amz-copy-source',
    'x-amz-meta-a',
    'x-amz-metadata-directive',
    'x-amz-invocation-type',
    'x-amz-log-type',
    'x-amz-client-context',
    'content-md5',
    'content-encoding',
    'range',
    'cookie',
    'if-none-match',
    'access-control-request-method',
    'access-control-request-headers',
    'x-api-key',
    'x-hub-signature-256',
    'stripe-signature',
    'webhook-id',
    'webhook-timestamp',
    'webhook-signature',
    'x-webhook-secret',
    'ce-specversion',
    'ce-id',
    'ce-source',
    'ce-type',
    'x-nimbus-idempotency-key',
  ),
  text('abcdefghijklmnopqrstuvwxyz-', 16).filter((s) => s.length > 0),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/xml',
  'text/plain',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  '*/*',
  ';',
);
const bodyArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.json({ maxDepth: 4 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 50_000 }).map((n) => `${'{"a":'.repeat(n)}0${'}'.repeat(n)}`),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.string({ maxLength: 8 }), { maxLength: 3 })
      .map((ks) => `<Delete>${ks.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}</Delete>`),
  },
);
const authArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant('bearer') },
  fc.constantFrom('none', 'bad-bearer', 'jwt-shaped', 'let-me-in', 'sigv4-lambda', 'sigv4-s3', 'presigned'),
);

/** A generated request: listener, method and path, query, credentials, headers and body. */
export const requestArb = fc.constantFrom(...LISTENERS).chain((l) =>
  fc.record({
    l: fc.constant(l),
    target: target(l),
    query: queryPart(l),
    auth: authArb,
    contentType: fc.option(contentType),
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
    body: bodyArb,
    chunked: fc.boolean(),
    host: fc.constantFrom(
      'localhost',
      'localhost',
      'fuzz-bucket.localhost',
      'a..localhost',
      '[::1]',
      'x:99999',
    ),
  }),
);

export type GeneratedRequest = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

/** The bytes of a generated request. */
export function generatedBytes(g: GeneratedRequest, k: Kit): Buffer {
  const headers = g.headers.map(([name, v]) => `${name}: ${v}`);
  if (g.contentType !== null) headers.push(`Content-Type: ${g.contentType}`);
  let query = g.query;
  if (g.auth === 'sigv4-lambda' || g.auth === 'sigv4-s3')
    headers.push(...k.sigv4(g.l, g.auth === 'sigv4-s3' ? 's3' : 'lambda'));
  else if (g.auth === 'bad-bearer') headers.push('Authorization: Bearer nope');
  else if (g.auth === 'let-me-in') headers.push('Authorization: Bearer let-me-in');
  else if (g.auth === 'jwt-shaped')
    headers.push(
      `Authorization: Bearer ${[
        { alg: 'ES256', kid: 'k' },
        { iss: 'https://issuer.example', aud: 'fuzz', exp: 9e9 },
        'sig',
      ]
        .map((x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url'))
        .join('.')}`,
    );
  else if (g.auth === 'presigned') query = `${query}${query.includes('?') ? '&' : '?'}${k.presign(g.l)}`;
  const body = typeof g.body === 'string' ? Buffer.from(g.body) : g.body;
  let framed: Buffer = body;
  if (g.chunked) {
    headers.push('Transfer-Encoding: chunked');
    framed = Buffer.concat([
      ...(body.length ? [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')] : []),
      Buffer.from('0\r\n\r\n'),
    ]);
  }
  return k.req(g.l, g.target.method, `${g.target.path}${query}`, headers, framed, {
    auth: g.auth === 'bearer',
    length: !g.chunked,
    host: g.host,
  });
}
