/**
 * Bounded request fuzz against a real platform (issue 12, "bad input never 500s"): a raw-socket
 * corpus (request smuggling pairs, bad percent escapes, huge headers, deep JSON, odd methods and
 * request targets, bare LF, NUL bytes, client aborts) and fast-check generated requests (method,
 * path, query, headers, body) are written byte for byte to all three listeners — gateway, API and
 * S3. Properties:
 *  - no answer is a 5xx. The one exception is a coded 503 RUNTIME_UNAVAILABLE (no instance of
 *    the echo function could be started in time on a loaded machine: capacity, not input); it
 *    shows in the status diagnostic. Throttling proper is a coded 429 (the `/slow` route);
 *  - every 4xx body is coded (NIMBUS_ERR_* JSON on the gateway and the API, S3 XML `<Code>` on S3);
 *  - no body carries a stack frame, a source or install path, or the data dir;
 *  - nothing the clients did is logged as a platform error;
 *  - afterwards the platform still answers normal authenticated requests on every listener.
 *
 * Size: `NIMBUS_FUZZ_RUNS` generated requests (default 150, a short run for `npm test`, ~10 s);
 * `npm run test:fuzz` runs 50,000 (about a minute on 2 cores). `NIMBUS_FUZZ_SEED` replays a
 * failing run. The number of inputs sent is printed as a test diagnostic.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { fixture, startTestPlatform, type TestPlatform } from '../helpers.ts';
import {
  generatedBytes,
  HOME,
  type Kit,
  LISTENERS,
  type Listener,
  rawCorpus,
  requestArb,
} from './fuzz-inputs.ts';
import { isCoded, leaks, type SendOptions, sendRaw, type WireResult } from './wire.ts';

/** A coded "no capacity right now" answer: the only 5xx the properties accept. */
const isCapacity = (body: string) => body.includes('"NIMBUS_ERR_RUNTIME_UNAVAILABLE"');

const RUNS = Number(process.env.NIMBUS_FUZZ_RUNS ?? 150);
const SEED = process.env.NIMBUS_FUZZ_SEED === undefined ? undefined : Number(process.env.NIMBUS_FUZZ_SEED);

/** Answers 200 `ok`, and as the Lambda authorizer of `/lam/*` lets `Bearer let-me-in` through. */
const ECHO = `export const handler = async (event) =>
  event?.type === 'REQUEST' && Array.isArray(event.identitySource)
    ? { isAuthorized: event.identitySource[0] === 'Bearer let-me-in' }
    : { statusCode: 200, body: 'ok' };
`;

describe('hostile input: bounded request fuzz on every listener', () => {
  let p: TestPlatform;
  const urls = {} as Record<Listener, string>;
  /** The admin key (`Bearer …`) and its id, set once the platform runs. */
  let auth = '';
  let keyId = '';
  let sent = 0;
  const violations: string[] = [];
  /** How often each listener answered each status: shows the fuzz reaches real handlers. */
  const statuses = new Map<string, number>();

  before(async () => {
    p = await startTestPlatform({ gatewayTimeoutMs: 10_000 });
    const dir = await fixture({ 'index.mjs': ECHO });
    const dep = await p.deployDir('echo', dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    // Routes with every kind of route auth, a v1.0 payload, a throttle, and CORS: generated
    // Authorization/Origin/preflight headers reach the authorizers and the CORS code.
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    for (const route of [
      { routeKey: 'ANY /echo/{proxy+}', function: 'echo' },
      { routeKey: 'GET /v1/{id}', function: 'echo', payloadFormat: '1.0' },
      {
        routeKey: 'ANY /key/{proxy+}',
        function: 'echo',
        auth: { type: 'apiKey', keys: ['fuzz-key-0123456789'] },
      },
      {
        routeKey: 'ANY /jwt/{proxy+}',
        function: 'echo',
        auth: { type: 'jwt', issuer: 'https://issuer.example', audience: 'fuzz', publicKeys: [publicKey] },
      },
      {
        routeKey: 'ANY /lam/{proxy+}',
        function: 'echo',
        auth: { type: 'lambda', function: 'echo', identitySource: ['$request.header.Authorization'] },
      },
      { routeKey: 'POST /slow/{id}', function: 'echo', throttle: { rateLimit: 1, burstLimit: 1 } },
    ]) {
      const r = await p.json('POST', '/v1/routes', route);
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const cors = await p.json('PUT', '/v1/gateway/cors', {
      allowOrigins: ['https://a.example', 'https://*.b.example'],
      allowHeaders: ['content-type', 'authorization'],
      maxAge: 60,
    });
    assert.equal(cors.status, 200, JSON.stringify(cors.body));
    for (const [method, path, body] of [
      ['PUT', '/v1/topics/fuzz', {}],
      [
        'POST',
        '/v1/topics/fuzz/subscriptions',
        { pattern: { detail: { a: [{ exists: true }] } }, target: 'echo' },
      ],
    ] as const) {
      const r = await p.json(method, path, body);
      assert.ok(r.status < 300, JSON.stringify(r.body));
    }
    // Webhooks with and without signatures: generated bodies reach the verifiers and the bus.
    for (const [id, verification] of [
      ['wh_fuzz_none', 'none'],
      ['wh_fuzz_github', 'github'],
      ['wh_fuzz_stripe', 'stripe'],
      ['wh_fuzz_standard', 'standard'],
      ['wh_fuzz_shared', 'shared-secret'],
    ] as const) {
      const r = await p.json('POST', '/v1/webhooks', {
        id,
        topic: 'fuzz',
        verification,
        ...(verification === 'none' ? {} : { secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0' }),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    auth = `Bearer ${p.secret}`;
    keyId = p.admin.keyId;
    Object.assign(urls, { gateway: p.gatewayUrl, api: p.apiUrl, s3: p.s3Url });
    for (const line of [
      'PUT /fuzz-bucket HTTP/1.1',
      'PUT /fuzz-bucket/obj.txt HTTP/1.1',
      'PUT /fuzz-bucket/dir/a.txt HTTP/1.1',
    ]) {
      const r = await sendRaw(
        p.s3Url,
        `${line}\r\nHost: localhost\r\nAuthorization: ${auth}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`,
      );
      assert.equal(r.responses[0]?.status, 200, JSON.stringify(r));
    }
  });
  after(() => p?.stop());

  /** Sends one request and records every property it breaks. */
  async function probe(l: Listener, what: string, bytes: string | Buffer, o: SendOptions = {}) {
    sent++;
    const r = await sendRaw(urls[l], bytes, o);
    for (const v of check(l, bytes, r)) violations.push(`${l} ${what}: ${v}`);
    return r;
  }

  function check(l: Listener, bytes: string | Buffer, r: WireResult): string[] {
    const out: string[] = [];
    const head = (typeof bytes === 'string' ? bytes : bytes.toString('latin1')).slice(0, 12);
    for (const res of r.responses) {
      statuses.set(`${l} ${res.status}`, (statuses.get(`${l} ${res.status}`) ?? 0) + 1);
      const brief = `${res.status} ${res.body.slice(0, 300)}`;
      if (res.status >= 500 && !(res.status === 503 && isCapacity(res.body))) out.push(`answered ${brief}`);
      if (
        res.status >= 400 &&
        res.status < 500 &&
        res.body !== '' &&
        !isCoded(res.body, l === 's3' ? 's3' : 'json')
      )
        out.push(`uncoded 4xx: ${brief}`);
      if (res.status >= 400 && res.body === '' && !/^HEAD /i.test(head)) out.push(`empty 4xx body: ${brief}`);
      const leaked = leaks(res.body, bytes, [p.dataDir]);
      if (leaked.length) out.push(`body leaks ${JSON.stringify(leaked)}: ${brief}`);
    }
    if (r.timedOut && r.responses.length === 0) out.push('no answer and no close within the timeout');
    return out;
  }

  /** Request builders for this platform: the admin key, its id, the current time. */
  const amzNow = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const kit: Kit = {
    get auth() {
      return auth;
    },
    req: (_l, method, target, headers = [], body = '', o = {}) =>
      Buffer.concat([
        Buffer.from(
          [
            `${method} ${target} HTTP/1.1`,
            `Host: ${o.host ?? 'localhost'}`,
            ...(o.auth === false ? [] : [`Authorization: ${auth}`]),
            ...headers,
            ...(o.length === false ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]),
            ...(o.close === false ? [] : ['Connection: close']),
            '',
            '',
          ].join('\r\n'),
          'latin1',
        ),
        typeof body === 'string' ? Buffer.from(body) : body,
      ]),
    sigv4: (_l, service) => {
      const now = amzNow();
      return [
        `X-Amz-Date: ${now}`,
        `X-Amz-Content-Sha256: UNSIGNED-PAYLOAD`,
        `Authorization: AWS4-HMAC-SHA256 Credential=${keyId}/${now.slice(0, 8)}/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      ];
    },
    presign: () => {
      const now = amzNow();
      return `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${keyId}%2F${now.slice(0, 8)}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=${now}&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}`;
    },
  };
  const req = kit.req;

  it('answers the raw-socket corpus with coded 4xx, never a 5xx or a stack', async (t) => {
    let n = 0;
    for (const l of LISTENERS) {
      for (const [what, bytes, o] of rawCorpus(l, kit)) {
        await probe(l, what, bytes, o);
        n++;
      }
      // Client aborts: the client closes mid-body, or mid-headers.
      await probe(
        l,
        'abort mid-body',
        req(l, 'POST', HOME[l].post, ['Content-Length: 1000'], '{"a":', { length: false }),
        {
          abort: true,
        },
      );
      await probe(
        l,
        'half-close mid-body',
        req(l, 'POST', HOME[l].post, ['Content-Length: 1000'], '{"a":', { length: false }),
        {
          halfClose: true,
        },
      );
      await probe(l, 'abort mid-headers', `GET ${HOME[l].get} HTTP/1.1\r\nHost: localhost\r\nX-A: `, {
        abort: true,
      });
      await probe(l, 'half-close mid-headers', `GET ${HOME[l].get} HTTP/1.1\r\nHost: localhost\r\nX-A: `, {
        halfClose: true,
      });
      n += 4;
    }
    t.diagnostic(`raw corpus: ${n} requests`);
    assert.deepEqual(violations.splice(0), []);
  });

  it(`answers ${RUNS} generated requests (fast-check) with coded 4xx, never a 5xx or a stack`, async (t) => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(requestArb, async (g) => {
        const bytes = generatedBytes(g, kit);
        const before = violations.length;
        const line = bytes.subarray(0, bytes.indexOf('\r\n')).toString('latin1');
        await probe(g.l, line.slice(0, 300), bytes);
        n++;
        const found = violations.splice(before);
        assert.deepEqual(found, [], `request:\n${bytes.toString('latin1').slice(0, 2000)}`);
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    t.diagnostic(`fast-check: ${n} requests (NIMBUS_FUZZ_RUNS=${RUNS})`);
  });

  it('logs nothing the clients did as a platform error, and still serves normal requests', async (t) => {
    const errors = p.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    assert.deepEqual(errors, []);
    const api = await sendRaw(p.apiUrl, req('api', 'GET', '/v1/functions'));
    assert.equal(api.responses[0]?.status, 200);
    assert.match(api.responses[0]?.body ?? '', /"echo"/);
    const gw = await sendRaw(p.gatewayUrl, req('gateway', 'GET', '/echo/after'));
    assert.equal(gw.responses[0]?.status, 200);
    assert.equal(gw.responses[0]?.body, 'ok');
    const s3 = await sendRaw(p.s3Url, req('s3', 'GET', '/'));
    assert.equal(s3.responses[0]?.status, 200);
    assert.match(s3.responses[0]?.body ?? '', /<Name>fuzz-bucket<\/Name>/);
    sent += 3;
    t.diagnostic(
      `answers: ${[...statuses]
        .sort()
        .map(([k, n]) => `${k}×${n}`)
        .join(', ')}`,
    );
    t.diagnostic(`inputs sent in total: ${sent}`);
    console.log(`# hostile fuzz: ${sent} inputs sent (NIMBUS_FUZZ_RUNS=${RUNS})`);
  });
});
