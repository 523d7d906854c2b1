/**
 * "Bad input never 500s" (issue 12, part 7), one case per fix, on a real platform: malformed
 * percent-encoding, odd methods, parser refusals, deep JSON and client aborts get coded 4xx answers
 * in each listener's own format (JSON on the gateway and the API, S3 XML on S3), and an abort is
 * logged at debug without a stack, never as a platform error. test/hostile/fuzz.test.ts searches
 * the same ground at random.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { sendRaw, type WireResponse } from './hostile/wire.ts';

describe('bad input on every listener', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({ logLevel: 'debug' });
    const dir = await fixture({
      'index.mjs': `export const handler = async () => ({ statusCode: 200, body: 'ok' });\n`,
    });
    assert.equal(
      (await p.deployDir('echo', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status,
      201,
    );
    assert.equal(
      (await p.json('POST', '/v1/routes', { routeKey: 'ANY /echo/{proxy+}', function: 'echo' })).status,
      201,
    );
    assert.equal((await p.json('PUT', '/v1/topics/t', {})).status, 201);
    assert.equal(
      (await p.json('POST', '/v1/webhooks', { id: 'wh_open', topic: 't', verification: 'none' })).status,
      201,
    );
    const put = await send('s3', 'PUT', '/bkt');
    assert.equal(put.status, 200);
  });
  after(() => p?.stop());

  const url = (l: 'gateway' | 'api' | 's3') =>
    l === 'gateway' ? p.gatewayUrl : l === 'api' ? p.apiUrl : p.s3Url;
  const sigv4 = (service: string) => {
    const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    return [
      `X-Amz-Date: ${now}`,
      `Authorization: AWS4-HMAC-SHA256 Credential=${p.admin.keyId}/${now.slice(0, 8)}/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    ];
  };
  /** One request over a raw socket (no client library to fix the input up); the single answer. */
  async function send(
    l: 'gateway' | 'api' | 's3',
    method: string,
    target: string,
    headers: string[] = [`Authorization: Bearer ${p.secret}`],
    body = '',
  ): Promise<WireResponse> {
    const bytes = [
      `${method} ${target} HTTP/1.1`,
      'Host: localhost',
      ...headers,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n');
    const r = await sendRaw(url(l), bytes);
    assert.equal(r.responses.length, 1, JSON.stringify(r));
    return r.responses[0]!;
  }
  const jsonCode = (r: WireResponse) => {
    const j = JSON.parse(r.body) as { code?: string; error?: { code?: string } };
    return j.error?.code ?? j.code;
  };
  const s3Code = (r: WireResponse) => /<Code>([A-Za-z]+)<\/Code>/.exec(r.body)?.[1];

  describe('S3 (port 9000)', () => {
    it('answers a malformed percent-escape in the path with 400 InvalidURI, not 500 InternalError', async () => {
      for (const target of ['/bkt/%zz', '/bkt/a%c0%af', '/%']) {
        const r = await send('s3', 'GET', target);
        assert.equal(r.status, 400, target);
        assert.equal(s3Code(r), 'InvalidURI', r.body);
      }
    });
    it('answers a malformed escape in the query of a SigV4 request with a coded 400', async () => {
      const r = await send('s3', 'GET', '/bkt?%zz=1', sigv4('s3'));
      assert.equal(r.status, 400, r.body);
      assert.equal(s3Code(r), 'InvalidRequest');
    });
    it('answers a malformed x-amz-copy-source with 400 InvalidArgument', async () => {
      const r = await send('s3', 'PUT', '/bkt/copy', [
        `Authorization: Bearer ${p.secret}`,
        'x-amz-copy-source: /bkt/%zz',
      ]);
      assert.equal(r.status, 400);
      assert.equal(s3Code(r), 'InvalidArgument');
    });
    it('answers methods S3 has no operation for with 405 MethodNotAllowed XML', async () => {
      for (const [method, target] of [
        ['PROPFIND', '/bkt/a'],
        ['PATCH', '/bkt'],
        ['POST', '/'],
        ['POST', '/bkt'],
        ['POST', '/bkt/a'],
      ] as const) {
        const r = await send('s3', method, target);
        assert.equal(r.status, 405, `${method} ${target}: ${r.body}`);
        assert.equal(s3Code(r), 'MethodNotAllowed');
      }
    });
    it('answers what the HTTP parser refuses in S3 XML', async () => {
      const r = await sendRaw(
        p.s3Url,
        'GET /bkt HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      );
      assert.equal(r.responses[0]?.status, 400);
      assert.equal(s3Code(r.responses[0]!), 'BadRequest');
      const big = await sendRaw(
        p.s3Url,
        `GET /bkt HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      assert.equal(big.responses[0]?.status, 431);
      assert.equal(s3Code(big.responses[0]!), 'RequestHeaderSectionTooLarge');
    });
  });

  describe('API (REST /v1 and the Lambda API)', () => {
    it('answers the event-invoke-config URL with a malformed query (SigV4) with 400, not 500 "URI malformed"', async () => {
      for (const target of [
        '/2019-09-25/functions/x/event-invoke-config/?/%zz',
        '/2019-09-25/functions/x/event-invoke-config?/%zz',
      ]) {
        const r = await send('api', 'GET', target, sigv4('lambda'));
        assert.equal(r.status, 400, `${target}: ${r.body}`);
        assert.equal(jsonCode(r), 'NIMBUS_ERR_CORE_VALIDATION');
      }
    });
    it('answers a function name that decodes to a malformed escape with a Lambda-shaped 400', async () => {
      const r = await send('api', 'GET', '/2015-03-31/functions/%25zz');
      assert.equal(r.status, 400, r.body);
      assert.equal(r.headers['x-amzn-errortype'], 'InvalidParameterValueException');
      assert.equal(jsonCode(r), 'NIMBUS_ERR_CORE_VALIDATION');
    });
    it("answers Fastify's own refusals (bad content type, QUERY without one) with coded 4xx", async () => {
      const ct = await send(
        'api',
        'POST',
        '/v1/functions/echo/invoke',
        [`Authorization: Bearer ${p.secret}`, 'Content-Type: ;;;'],
        '{}',
      );
      assert.equal(ct.status, 415);
      assert.equal(jsonCode(ct), 'NIMBUS_ERR_CORE_UNSUPPORTED_MEDIA_TYPE');
      const q = await send('api', 'QUERY', '/v1/functions');
      assert.equal(q.status, 400);
      assert.equal(jsonCode(q), 'NIMBUS_ERR_HTTP_BAD_REQUEST');
    });
    it('answers unknown methods with a coded 404 or 405', async () => {
      const propfind = await send('api', 'PROPFIND', '/v1/functions');
      assert.equal(propfind.status, 404);
      assert.equal(jsonCode(propfind), 'NIMBUS_ERR_CORE_NOT_FOUND');
      const foo = await send('api', 'FOO', '/v1/functions');
      assert.equal(foo.status, 405);
      assert.equal(jsonCode(foo), 'NIMBUS_ERR_HTTP_METHOD_NOT_ALLOWED');
    });
    it('refuses JSON documents nested deeper than 256 levels with 400 instead of failing to store them', async () => {
      const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
      for (const [method, path, body, headers] of [
        [
          'PUT',
          '/v1/schedules/s',
          `{"function":"echo","expression":"rate(1 day)","input":${deep(5_000)}}`,
          [],
        ],
        [
          'POST',
          '/v1/topics/t/subscriptions',
          `{"pattern":{"detail":{"a":${deep(5_000)}}},"target":"echo"}`,
          [],
        ],
        [
          'POST',
          '/v1/topics/t/events',
          `{"specversion":"1.0","id":"1","source":"s","type":"t","data":${deep(100_000)}}`,
          ['Content-Type: application/cloudevents+json'],
        ],
      ] as const) {
        const r = await send('api', method, path, [`Authorization: Bearer ${p.secret}`, ...headers], body);
        assert.equal(r.status, 400, `${method} ${path}: ${r.body}`);
        assert.equal(jsonCode(r), 'NIMBUS_ERR_CORE_VALIDATION');
      }
      // Invocation payloads are opaque to the platform: a deep one still reaches the function.
      const inv = await send(
        'api',
        'POST',
        '/2015-03-31/functions/echo/invocations',
        undefined,
        deep(100_000),
      );
      assert.equal(inv.status, 200, inv.body);
    });
  });

  describe('gateway (port 3000)', () => {
    it('answers methods outside the route table with a coded 404', async () => {
      const r = await send('gateway', 'PROPFIND', '/echo/a');
      assert.equal(r.status, 404);
      assert.equal(jsonCode(r), 'NIMBUS_ERR_GATEWAY_ROUTE_NOT_FOUND');
    });
    it('answers a bad content type with 415, not 500', async () => {
      const r = await send('gateway', 'POST', '/echo/a', ['Content-Type: ;;;'], '{}');
      assert.equal(r.status, 415);
      assert.equal(jsonCode(r), 'NIMBUS_ERR_CORE_UNSUPPORTED_MEDIA_TYPE');
    });
    it('refuses a webhook body nested deeper than 256 levels with 400, not 500', async () => {
      const r = await send(
        'gateway',
        'POST',
        '/hooks/wh_open',
        ['Content-Type: application/json'],
        `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
      );
      assert.equal(r.status, 400, r.body);
      assert.equal(jsonCode(r), 'NIMBUS_ERR_GATEWAY_MALFORMED_REQUEST');
      assert.equal(
        (await send('gateway', 'POST', '/hooks/wh_open', ['Content-Type: application/json'], '{"a":1}'))
          .status,
        202,
      );
    });
    it('routes an absolute-form request target by its path', async () => {
      const r = await send('gateway', 'GET', 'http://localhost/echo/a');
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ok');
    });
  });

  describe('all three listeners', () => {
    for (const l of ['gateway', 'api', 's3'] as const) {
      const code = (r: WireResponse) => (l === 's3' ? s3Code(r) : jsonCode(r));
      it(`${l}: answers parser refusals, CONNECT, odd Expect and a missing Host with coded bodies`, async () => {
        const cases: [string, number, string][] = [
          [
            'POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
            400,
            l === 's3' ? 'BadRequest' : 'NIMBUS_ERR_HTTP_BAD_REQUEST',
          ],
          [
            'GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
            400,
            l === 's3' ? 'BadRequest' : 'NIMBUS_ERR_HTTP_BAD_REQUEST',
          ],
          [
            `GET /x HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
            431,
            l === 's3' ? 'RequestHeaderSectionTooLarge' : 'NIMBUS_ERR_HTTP_HEADERS_TOO_LARGE',
          ],
          [
            'FOO /x HTTP/1.1\r\nHost: h\r\n\r\n',
            405,
            l === 's3' ? 'MethodNotAllowed' : 'NIMBUS_ERR_HTTP_METHOD_NOT_ALLOWED',
          ],
          [
            'CONNECT h:1 HTTP/1.1\r\nHost: h\r\n\r\n',
            405,
            l === 's3' ? 'MethodNotAllowed' : 'NIMBUS_ERR_HTTP_METHOD_NOT_ALLOWED',
          ],
          [
            'GET /x HTTP/1.1\r\nHost: h\r\nExpect: foo\r\nConnection: close\r\n\r\n',
            417,
            l === 's3' ? 'InvalidRequest' : 'NIMBUS_ERR_HTTP_EXPECTATION_FAILED',
          ],
          [
            'GET /x HTTP/1.1\r\nConnection: close\r\n\r\n',
            400,
            l === 's3' ? 'BadRequest' : 'NIMBUS_ERR_HTTP_BAD_REQUEST',
          ],
          [
            'GET * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
            400,
            l === 's3' ? 'BadRequest' : 'NIMBUS_ERR_HTTP_BAD_REQUEST',
          ],
        ];
        for (const [bytes, status, expected] of cases) {
          const r = await sendRaw(url(l), bytes);
          const res = r.responses[0];
          assert.equal(res?.status, status, `${bytes.slice(0, 60)}: ${JSON.stringify(r)}`);
          assert.equal(code(res!), expected, res!.body);
        }
      });
      it(`${l}: logs a client that hangs up mid-body at debug without a stack, never as an error`, async () => {
        const before = p.logs.length;
        const [method, target] =
          l === 's3'
            ? ['PUT', '/bkt/obj']
            : l === 'api'
              ? ['POST', '/v1/topics/t/events']
              : ['PUT', '/echo/a'];
        await sendRaw(
          url(l),
          `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${p.secret}\r\nContent-Length: 1000\r\n\r\n{"a":`,
          { abort: true },
        );
        // The server notices the reset asynchronously.
        const deadline = Date.now() + 5_000;
        const aborts = () =>
          p.logs.slice(before).filter((line) => line.includes('client closed the connection mid-request'));
        while (aborts().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const lines = p.logs
          .slice(before)
          .map((line) => JSON.parse(line) as { level: number; msg: string; err?: unknown });
        assert.deepEqual(
          lines.filter((x) => x.level >= 40),
          [],
        );
        const logged = aborts().map(
          (line) => JSON.parse(line) as { level: number; err?: unknown; stack?: unknown },
        );
        assert.ok(logged.length >= 1, JSON.stringify(lines));
        for (const x of logged) {
          assert.equal(x.level, 20);
          assert.equal(x.err, undefined);
          assert.doesNotMatch(JSON.stringify(x), /\s{4}at |\.ts:/);
        }
      });
    }
  });
});
