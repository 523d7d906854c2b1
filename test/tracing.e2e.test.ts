/**
 * Traces e2e: a real platform exporting to a real local OTLP/HTTP receiver (node:http decoding the
 * exporter's JSON). An HTTP request with a `traceparent` → gateway → admission → cold start →
 * invoke of `a`, whose `context.nimbus.invoke('b')` crosses the async queue (PRODUCER → CONSUMER)
 * into `b`'s invoke, all in the caller's trace; `b` sees that trace in `_X_AMZN_TRACE_ID`.
 * Hostile `traceparent` headers start new traces; with no OTEL_* variables nothing is exported.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { findJdk } from '../src/runtime/java/toolchain.ts';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';
import { sinkSkip } from './support/sink.ts';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: OtlpValue }[];
  status?: { code?: number };
}
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

/** A local OTLP/HTTP traces receiver: every exported span, with its resource's service.name. */
async function otlpReceiver(): Promise<{
  url: string;
  spans: (OtlpSpan & { service: string })[];
  posts: () => number;
  close(): Promise<void>;
}> {
  const spans: (OtlpSpan & { service: string })[] = [];
  let posts = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts++;
      if (req.url === '/v1/traces' && /json/.test(req.headers['content-type'] ?? '')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: OtlpValue }[] };
            scopeSpans: { spans: OtlpSpan[] }[];
          }[];
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans) spans.push({ ...s, service: service ?? '' });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    posts: () => posts,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const attr = (s: OtlpSpan, key: string): string | number | boolean | undefined => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue));
};

const A = `export const handler = async (event, context) => {
  const r = await context.nimbus.invoke('b', { from: 'a' });
  return { statusCode: 200, body: JSON.stringify({ xray: process.env._X_AMZN_TRACE_ID ?? null, ctx: context.xRayTraceId ?? null, tp: context.traceparent ?? null, store: globalThis.awslambda.InvokeStore.getXRayTraceId() ?? null, queued: r.id }) };
};
`;
const B = `export const handler = async (event, context) => {
  console.log('XRAY ' + process.env._X_AMZN_TRACE_ID + ' TP ' + context.traceparent);
  return 'ok';
};
`;
const C = `export const handler = async (event, context) => ({ statusCode: 200, body: JSON.stringify({ xray: process.env._X_AMZN_TRACE_ID ?? null, tp: context.traceparent ?? null }) });
`;

const PUB = `export const handler = async (event, context) => {
  await context.nimbus.publish('t1', { type: 'demo.happened', data: { n: 1 } });
  return 'published';
};
`;

async function deployAll(p: TestPlatform): Promise<void> {
  // `a` calls `context.nimbus.invoke`: its execution role must allow it.
  const role = await p.api('PUT', '/v1/roles/caller-role', {
    policies: [
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['lambda:InvokeFunction', 'nimbus:PublishEvents'], Resource: '*' },
        ],
      },
    ],
  });
  assert.equal(role.status, 200);
  for (const [name, src] of [
    ['a', A],
    ['b', B],
    ['c', C],
    ['pub', PUB],
  ] as const) {
    const r = await p.deployDir(name, await fixture({ 'index.mjs': src }), {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      ...(name === 'a' || name === 'pub' ? { role: 'caller-role' } : {}),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  for (const [routeKey, fn] of [
    ['GET /a', 'a'],
    ['GET /c', 'c'],
  ]) {
    const r = await p.json('POST', '/v1/routes', { routeKey, function: fn });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('traces (OTLP/HTTP)', () => {
  let otlp: Awaited<ReturnType<typeof otlpReceiver>>;
  let p: TestPlatform;

  before(async () => {
    otlp = await otlpReceiver();
    p = await startTestPlatform(
      {},
      { env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: 'nimbus-test' } },
    );
    await deployAll(p);
  });
  after(async () => {
    await p?.stop();
    await otlp?.close();
  });

  it('one trace from the HTTP request through the async hop into the second function', async () => {
    const r = await fetch(`${p.gatewayUrl}/a`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    assert.equal(r.status, 200);
    const seen = (await r.json()) as { xray: string; ctx: string; tp: string; store: string; queued: string };

    // b logged what it saw in _X_AMZN_TRACE_ID.
    const line = await waitUntil('b logs its trace id', async () => {
      const l = await p.json<{ lines: { message: string }[] }>('GET', '/v1/functions/b/logs');
      const m = l.body.lines?.find((x) => x.message.includes('XRAY '))?.message;
      return m?.slice(m.indexOf('XRAY '));
    });
    assert.match(
      line,
      new RegExp(
        `^XRAY Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=[0-9a-f]{16};Sampled=1 TP 00-${TRACE}-`,
      ),
    );

    const inTrace = () => otlp.spans.filter((s) => s.traceId === TRACE);
    await waitUntil('b invoke span exported', () => inTrace().some((s) => s.name === 'invoke b'), 20_000);
    const spans = inTrace();
    const one = (pred: (s: OtlpSpan) => boolean, what: string) => {
      const found = spans.filter(pred);
      assert.equal(found.length, 1, `${what}: ${JSON.stringify(spans.map((s) => s.name))}`);
      return found[0]!;
    };
    assert.ok(spans.every((s) => s.service === 'nimbus-test'));
    const gw = one((s) => s.name === 'GET /a', 'gateway span');
    assert.equal(gw.kind, SERVER);
    assert.equal(gw.parentSpanId, PARENT);
    assert.equal(attr(gw, 'http.request.method'), 'GET');
    assert.equal(attr(gw, 'http.route'), '/a');
    assert.equal(attr(gw, 'url.path'), '/a');
    assert.equal(attr(gw, 'http.response.status_code'), 200);
    assert.equal(attr(gw, 'nimbus.tenant'), 'default');
    assert.equal(attr(gw, 'faas.invoked_name'), 'a');

    const adm = one((s) => s.name === 'admission' && s.parentSpanId === gw.spanId, 'admission of a');
    assert.equal(attr(adm, 'nimbus.admission.cold'), true);
    assert.equal(attr(adm, 'nimbus.admission.throttled'), false);
    const cold = one((s) => s.name === 'cold start' && s.parentSpanId === adm.spanId, 'cold start of a');
    assert.equal(typeof attr(cold, 'nimbus.init_duration_ms'), 'number');
    const invA = one((s) => s.name === 'invoke a', 'invoke a');
    assert.equal(invA.parentSpanId, gw.spanId);
    assert.equal(invA.kind, SERVER);
    assert.equal(attr(invA, 'faas.coldstart'), true);
    assert.equal(attr(invA, 'faas.trigger'), 'http');
    assert.equal(attr(invA, 'nimbus.outcome'), 'success');
    assert.match(String(attr(invA, 'faas.invocation_id')), /^[0-9a-f-]{36}$/);

    // What a saw: its own invoke span as the parent, in both forms and per invocation.
    const xrayA = `Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=${invA.spanId};Sampled=1`;
    assert.equal(seen.xray, xrayA);
    assert.equal(seen.ctx, xrayA);
    assert.equal(seen.store, xrayA);
    assert.equal(seen.tp, `00-${TRACE}-${invA.spanId}-01`);

    // The queue hop: PRODUCER under a's run, CONSUMER under it, then b's spans.
    const send = one((s) => s.kind === PRODUCER, 'producer span');
    assert.equal(send.name, 'send b');
    assert.equal(send.parentSpanId, invA.spanId);
    assert.equal(attr(send, 'messaging.message.id'), seen.queued);
    const proc = one((s) => s.kind === CONSUMER, 'consumer span');
    assert.equal(proc.parentSpanId, send.spanId);
    assert.equal(attr(proc, 'messaging.message.id'), seen.queued);
    const invB = one((s) => s.name === 'invoke b', 'invoke b');
    assert.equal(invB.parentSpanId, proc.spanId);
    assert.equal(attr(invB, 'faas.invocation_id'), seen.queued);
    assert.equal(attr(invB, 'faas.trigger'), 'other');
    assert.ok(spans.some((s) => s.name === 'admission' && s.parentSpanId === proc.spanId));
    assert.match(line, new RegExp(`Parent=${invB.spanId};`));
  });

  it('a route\u2019s Lambda authorizer runs in the request\u2019s trace', async () => {
    const authz = await p.deployDir(
      'authz',
      await fixture({
        'index.mjs':
          "export const handler = async (e) => ({ isAuthorized: e.identitySource?.[0] === 'let-me-in' });\n",
      }),
      { runtime: 'nodejs24.x', handler: 'index.handler' },
    );
    assert.equal(authz.status, 201, JSON.stringify(authz.body));
    const route = await p.json('POST', '/v1/routes', {
      routeKey: 'GET /guarded',
      function: 'c',
      auth: {
        type: 'lambda',
        function: 'authz',
        identitySource: ['$request.header.Authorization'],
        ttlSec: 0,
      },
    });
    assert.equal(route.status, 201, JSON.stringify(route.body));
    const trace = '5555aaaa5555aaaa5555aaaa5555aaaa';
    const r = await fetch(`${p.gatewayUrl}/guarded`, {
      headers: { authorization: 'let-me-in', traceparent: `00-${trace}-${PARENT}-01` },
    });
    assert.equal(r.status, 200);
    await waitUntil('the guarded request\u2019s spans', () =>
      ['invoke authz', 'invoke c', 'GET /guarded'].every((n) =>
        otlp.spans.some((s) => s.traceId === trace && s.name === n),
      ),
    );
    const gw = otlp.spans.find((s) => s.traceId === trace && s.name === 'GET /guarded')!;
    for (const n of ['invoke authz', 'invoke c'])
      assert.equal(otlp.spans.find((s) => s.traceId === trace && s.name === n)!.parentSpanId, gw.spanId, n);
  });

  it('a function\u2019s AWS SDK call to the Invoke API continues its trace (X-Amzn-Trace-Id)', {
    skip: sinkSkip(),
  }, async () => {
    const d = await p.deployDir(
      'sdk',
      await fixture({
        'index.mjs': `import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
const lambda = new LambdaClient({});
export const handler = async () => {
  const r = await lambda.send(new InvokeCommand({ FunctionName: 'c', Payload: '{}' }));
  return JSON.parse(new TextDecoder().decode(r.Payload));
};
`,
      }),
      { runtime: 'nodejs24.x', handler: 'index.handler', role: 'caller-role', timeoutSec: 10 },
    );
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const trace = '77776666555544443333222211110000';
    const r = await p.api(
      'POST',
      '/v1/functions/sdk/invoke',
      {},
      { traceparent: `00-${trace}-${PARENT}-01` },
    );
    const res = ((await r.json()) as { result: { body: string } }).result;
    const seen = JSON.parse(res.body) as { tp: string };
    assert.ok(seen.tp.startsWith(`00-${trace}-`), seen.tp);
    await waitUntil('the spans of both invocations', () =>
      ['invoke sdk', 'Invoke c'].every((n) => otlp.spans.some((s) => s.traceId === trace && s.name === n)),
    );
    const sdk = otlp.spans.find((s) => s.traceId === trace && s.name === 'invoke sdk')!;
    // The SDK sends the function's _X_AMZN_TRACE_ID, whose parent is its invoke span.
    assert.equal(
      otlp.spans.find((s) => s.traceId === trace && s.name === 'Invoke c')!.parentSpanId,
      sdk.spanId,
    );
  });

  it('a malformed traceparent starts a new trace (never an error)', async () => {
    const hostile = [
      'garbage',
      `00-${TRACE.toUpperCase()}-${PARENT}-01`,
      `ff-${TRACE}-${PARENT}-01`,
      `00-${'0'.repeat(32)}-${PARENT}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE}-${PARENT}-01-extra`,
      `00-${TRACE}-${PARENT}-01${'x'.repeat(8000)}`,
    ];
    for (const tp of hostile) {
      const r = await fetch(`${p.gatewayUrl}/c`, {
        headers: { traceparent: tp, 'x-amzn-trace-id': 'Root=1-zz;Parent=nope' },
      });
      assert.equal(r.status, 200, tp.slice(0, 60));
      const seen = (await r.json()) as { xray: string; tp: string };
      const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(seen.tp);
      assert.ok(m, seen.tp);
      assert.notEqual(m[1], TRACE);
      assert.equal(seen.xray, `Root=1-${m[1]!.slice(0, 8)}-${m[1]!.slice(8)};Parent=${m[2]};Sampled=1`);
    }
    await waitUntil(
      'the gateway spans of /c',
      () => otlp.spans.filter((s) => s.name === 'GET /c').length >= hostile.length,
      20_000,
    );
    for (const s of otlp.spans.filter((x) => x.name === 'GET /c')) {
      assert.ok(!s.parentSpanId, 'a root span');
      assert.notEqual(s.traceId, TRACE);
    }
  });

  it('X-Amzn-Trace-Id continues a trace (what the AWS SDK sends from a function)', async () => {
    const trace = 'aaaabbbbccccddddeeeeffff00001111';
    const r = await fetch(`${p.gatewayUrl}/c`, {
      headers: {
        'x-amzn-trace-id': `Root=1-${trace.slice(0, 8)}-${trace.slice(8)};Parent=${PARENT};Sampled=1`,
      },
    });
    assert.equal(r.status, 200);
    const seen = (await r.json()) as { tp: string };
    assert.ok(seen.tp.startsWith(`00-${trace}-`), seen.tp);
  });

  it('isolate functions get context.xRayTraceId and context.traceparent', async () => {
    const dir = await fixture({
      'index.mjs':
        'export const handler = async (e, context) => ({ x: context.xRayTraceId ?? null, tp: context.traceparent ?? null });\n',
    });
    const d = await p.deployDir('iso', dir, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      isolation: 'isolate',
    });
    if (d.status >= 300) {
      // No usable isolate sandbox on this machine: the isolate e2e suite says why.
      assert.match(JSON.stringify(d.body), /isolat/i);
      return;
    }
    const trace = '0123456789abcdef0123456789abcdef';
    const r = await p.api(
      'POST',
      '/v1/functions/iso/invoke',
      {},
      { traceparent: `00-${trace}-${PARENT}-01` },
    );
    const seen = ((await r.json()) as { result: { x: string; tp: string } }).result;
    await waitUntil('the iso invoke span', () =>
      otlp.spans.some((s) => s.traceId === trace && s.name === 'invoke iso'),
    );
    const inv = otlp.spans.find((s) => s.traceId === trace && s.name === 'invoke iso')!;
    assert.deepEqual(seen, {
      x: `Root=1-${trace.slice(0, 8)}-${trace.slice(8)};Parent=${inv.spanId};Sampled=1`,
      tp: `00-${trace}-${inv.spanId}-01`,
    });
  });

  it('Java functions get the com.amazonaws.xray.traceHeader system property per invocation', {
    skip: findJdk() || process.env.CI === 'true' ? false : 'no JDK 17 installed',
  }, async () => {
    const dir = await fixture({
      'src/main/java/example/Trace.java': `package example;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;
public class Trace implements RequestHandler<Map<String, Object>, String> {
  public String handleRequest(Map<String, Object> in, Context ctx) {
    return System.getProperty("com.amazonaws.xray.traceHeader", "none");
  }
}
`,
    });
    const d = await p.deployDir('jtrace', dir, {
      runtime: 'java17',
      handler: 'example.Trace',
      memoryMb: 256,
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const trace = '1234abcd1234abcd1234abcd1234abcd';
    const r = await p.api(
      'POST',
      '/v1/functions/jtrace/invoke',
      {},
      { traceparent: `00-${trace}-${PARENT}-01` },
    );
    const seen = ((await r.json()) as { result: string }).result;
    await waitUntil('the jtrace invoke span', () =>
      otlp.spans.some((s) => s.traceId === trace && s.name === 'invoke jtrace'),
    );
    const inv = otlp.spans.find((s) => s.traceId === trace && s.name === 'invoke jtrace')!;
    assert.equal(seen, `Root=1-${trace.slice(0, 8)}-${trace.slice(8)};Parent=${inv.spanId};Sampled=1`);
  });

  it('custom runtimes get Lambda-Runtime-Trace-Id in X-Ray form (and traceparent)', async () => {
    const dir = await fixture({
      bootstrap: `#!/usr/bin/env python3
import json, os, urllib.request
api = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]
while True:
    with urllib.request.urlopen(api + "/invocation/next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        body = json.dumps({"xray": r.headers.get("Lambda-Runtime-Trace-Id"), "tp": r.headers.get("traceparent")}).encode()
        r.read()
    urllib.request.urlopen(urllib.request.Request(api + "/invocation/%s/response" % rid, data=body, method="POST")).read()
`,
    });
    const d = await p.deployDir('crt', dir, { runtime: 'provided.al2023', handler: 'x.handler' });
    assert.ok(d.status < 300, JSON.stringify(d.body));
    const trace = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const r = await p.api(
      'POST',
      '/v1/functions/crt/invoke',
      {},
      { traceparent: `00-${trace}-${PARENT}-01` },
    );
    const seen = ((await r.json()) as { result: { xray: string; tp: string } }).result;
    await waitUntil('the crt invoke span', () =>
      otlp.spans.some((s) => s.traceId === trace && s.name === 'invoke crt'),
    );
    const inv = otlp.spans.find((s) => s.traceId === trace && s.name === 'invoke crt')!;
    assert.deepEqual(seen, {
      xray: `Root=1-${trace.slice(0, 8)}-${trace.slice(8)};Parent=${inv.spanId};Sampled=1`,
      tp: `00-${trace}-${inv.spanId}-01`,
    });
  });

  it('Python functions get _X_AMZN_TRACE_ID per invocation too', async () => {
    const dir = await fixture({
      'app.py': `import os


def handler(event, context):
    return os.environ.get("_X_AMZN_TRACE_ID")
`,
    });
    const d = await p.deployDir('py', dir, { runtime: 'python3.12', handler: 'app.handler' });
    assert.ok(d.status < 300, JSON.stringify(d.body));
    const trace = '99998888777766665555444433332222';
    const r = await p.json<{ result: string }>('POST', '/v1/functions/py/invoke', {});
    assert.match(r.body.result, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    const withTrace = await p.api(
      'POST',
      '/v1/functions/py/invoke',
      {},
      { traceparent: `00-${trace}-${PARENT}-01` },
    );
    const seen = ((await withTrace.json()) as { result: string }).result;
    await waitUntil('the py invoke span', () =>
      otlp.spans.some((s) => s.traceId === trace && s.name === 'invoke py'),
    );
    const inv = otlp.spans.find((s) => s.traceId === trace && s.name === 'invoke py')!;
    assert.equal(seen, `Root=1-${trace.slice(0, 8)}-${trace.slice(8)};Parent=${inv.spanId};Sampled=1`);
  });

  it('the Invoke API starts a trace with a SERVER span, or continues the caller\u2019s', async () => {
    const trace = '11112222333344445555666677778888';
    const r = await p.api('POST', '/v1/functions/c/invoke', {}, { traceparent: `00-${trace}-${PARENT}-01` });
    assert.equal(r.status, 200);
    await waitUntil(
      'the API request span',
      () => otlp.spans.some((s) => s.traceId === trace && s.name === 'invoke c'),
      20_000,
    );
    const api = otlp.spans.find((s) => s.traceId === trace && s.name === 'Invoke c')!;
    assert.equal(api.kind, SERVER);
    assert.equal(api.parentSpanId, PARENT);
    const inv = otlp.spans.find((s) => s.traceId === trace && s.name === 'invoke c')!;
    assert.equal(inv.parentSpanId, api.spanId);
  });
});

describe('traces through events and workflows', () => {
  let otlp: Awaited<ReturnType<typeof otlpReceiver>>;
  let p: TestPlatform;

  before(async () => {
    otlp = await otlpReceiver();
    p = await startTestPlatform({}, { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/v1/traces` } });
    await deployAll(p);
  });
  after(async () => {
    await p?.stop();
    await otlp?.close();
  });

  it('an event published by a function is delivered to a subscriber in the same trace', async () => {
    assert.equal((await p.api('PUT', '/v1/topics/t1', {})).status, 201);
    const sub = await p.api('POST', '/v1/topics/t1/subscriptions', { target: 'c' });
    assert.equal(sub.status, 201, await sub.text());
    const trace = 'abcdef0123456789abcdef0123456789';
    const r = await p.api(
      'POST',
      '/v1/functions/pub/invoke',
      {},
      { traceparent: `00-${trace}-${PARENT}-01` },
    );
    assert.equal(r.status, 200);
    await waitUntil('c invoked by the event', () =>
      otlp.spans.some((s) => s.traceId === trace && s.name === 'invoke c'),
    );
    const spans = otlp.spans.filter((s) => s.traceId === trace);
    const invPub = spans.find((s) => s.name === 'invoke pub')!;
    const publish = spans.find((s) => s.name === 'publish t1')!;
    assert.equal(publish.kind, PRODUCER);
    assert.equal(publish.parentSpanId, invPub.spanId);
    const proc = spans.find((s) => s.kind === CONSUMER)!;
    assert.equal(proc.parentSpanId, publish.spanId);
    const invC = spans.find((s) => s.name === 'invoke c')!;
    assert.equal(invC.parentSpanId, proc.spanId);
    assert.equal(attr(invC, 'faas.trigger'), 'pubsub');
  });

  it('REST invoke-async and REST publish continue the caller\u2019s trace across the queue', async () => {
    const trace = '0123abcd0123abcd0123abcd0123abcd';
    const r = await p.api(
      'POST',
      '/v1/functions/c/invoke-async',
      {},
      { traceparent: `00-${trace}-${PARENT}-01` },
    );
    assert.equal(r.status, 202);
    await waitUntil('c invoked from the queue in the caller\u2019s trace', () =>
      otlp.spans.some((s) => s.traceId === trace && s.name === 'invoke c'),
    );
    assert.equal((await p.api('PUT', '/v1/topics/t2', {})).status, 201);
    assert.equal((await p.api('POST', '/v1/topics/t2/subscriptions', { target: 'c' })).status, 201);
    const trace2 = '4567cdef4567cdef4567cdef4567cdef';
    const pub = await p.api(
      'POST',
      '/v1/topics/t2/events',
      { specversion: '1.0', id: 'e1', source: 'test', type: 't' },
      { traceparent: `00-${trace2}-${PARENT}-01`, 'content-type': 'application/cloudevents+json' },
    );
    assert.equal(pub.status, 202, await pub.text());
    await waitUntil('c invoked by the published event in the publisher\u2019s trace', () =>
      otlp.spans.some((s) => s.traceId === trace2 && s.name === 'invoke c'),
    );
  });

  it('a workflow execution’s Task invokes continue the trace of whoever started it', async () => {
    const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'c', End: true } } };
    assert.equal((await p.api('PUT', '/v1/workflows/flow', { definition })).status, 200);
    const trace = 'fedcba9876543210fedcba9876543210';
    const r = await p.api(
      'POST',
      '/v1/workflows/flow/executions',
      { input: {} },
      { traceparent: `00-${trace}-${PARENT}-01` },
    );
    assert.equal(r.status, 201, await r.clone().text());
    await waitUntil('the Task invoke of c', () =>
      otlp.spans.some((s) => s.traceId === trace && s.name === 'invoke c'),
    );
    const spans = otlp.spans.filter((s) => s.traceId === trace);
    const start = spans.find((s) => s.name === 'StartExecution flow')!;
    assert.equal(start.parentSpanId, PARENT);
    const proc = spans.find((s) => s.kind === CONSUMER)!;
    assert.equal(proc.parentSpanId, start.spanId);
    assert.equal(attr(proc, 'nimbus.source'), 'workflow');
    assert.equal(spans.find((s) => s.name === 'invoke c')!.parentSpanId, proc.spanId);
  });

  it('the Step Functions API\u2019s StartExecution continues the caller\u2019s X-Amzn-Trace-Id', async () => {
    // `flow` exists from the test above (tests in a describe run in order).
    const trace = '89abcdef89abcdef89abcdef89abcdef';
    const r = await p.api(
      'POST',
      '/',
      JSON.stringify({
        stateMachineArn: 'arn:aws:states:local-1:000000000000:stateMachine:flow',
        input: '{}',
      }),
      {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.StartExecution',
        'x-amzn-trace-id': `Root=1-${trace.slice(0, 8)}-${trace.slice(8)};Parent=${PARENT};Sampled=1`,
      },
    );
    assert.equal(r.status, 200, await r.clone().text());
    await waitUntil('the Task invoke of c in the caller\u2019s trace', () =>
      otlp.spans.some((s) => s.traceId === trace && s.name === 'invoke c'),
    );
  });
});

describe('collector down', () => {
  it('requests are served, the failure is logged once, and the platform stops promptly', async () => {
    // A port that was just free: nothing listens there.
    const gone = await otlpReceiver();
    await gone.close();
    const p = await startTestPlatform({}, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: gone.url } });
    try {
      await deployAll(p);
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${p.gatewayUrl}/c`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
        assert.equal(r.status, 200);
        assert.ok(((await r.json()) as { tp: string }).tp.startsWith(`00-${TRACE}-`));
      }
      await waitUntil('the export failure in the platform log', () =>
        p.logs.some((l) => l.includes('span export failed')),
      );
    } finally {
      const t0 = Date.now();
      await p.stop();
      assert.ok(Date.now() - t0 < 8000, `stopped in ${Date.now() - t0} ms`);
    }
    assert.equal(p.logs.filter((l) => l.includes('span export failed')).length, 1);
  });
});

describe('traces off', () => {
  it('no OTEL_* variables: no exporter, no spans; a valid incoming traceparent still reaches the function', async () => {
    const otlp = await otlpReceiver();
    // The platform reads configuration only through its loader: variables of the process itself
    // (which the OpenTelemetry exporter would read on its own) must not turn tracing on.
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.url;
    let p: TestPlatform | undefined;
    try {
      p = await startTestPlatform({}, { env: {} });
      await deployAll(p);
      const r = await fetch(`${p.gatewayUrl}/c`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
      assert.deepEqual(await r.json(), {
        xray: `Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=${PARENT};Sampled=1`,
        tp: `00-${TRACE}-${PARENT}-01`,
      });
      const bad = await fetch(`${p.gatewayUrl}/c`, { headers: { traceparent: 'nope' } });
      assert.deepEqual(await bad.json(), { xray: null, tp: null });
      const none = await fetch(`${p.gatewayUrl}/c`);
      assert.deepEqual(await none.json(), { xray: null, tp: null });
      const a = await fetch(`${p.gatewayUrl}/a`);
      assert.equal(a.status, 200);
    } finally {
      await p?.stop();
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
      await otlp.close();
    }
    assert.equal(otlp.posts(), 0);
  });
});
