/**
 * Traces across the asynchronous hops that used to start new traces, on a real platform exporting
 * to a local OTLP/HTTP receiver: (a) SendMessage with a `traceparent` → the SQS event source
 * mapping's invocation (the message's AWSTraceHeader, visible to ReceiveMessage and in the record);
 * (b) an async invoke → its onSuccess destinations, a function and a webhook (the POST is a CLIENT
 * span and sends `traceparent`); (c) publish → a topic forwarded to another topic → a subscribed
 * function; (d) a NATS core message with a `traceparent` header → a source-triggered function,
 * and the same through JetStream and RabbitMQ headers and an MQTT 5 user property.
 * With tracing off nothing is exported, and the caller's context still reaches the functions.
 * A broker that is down (NATS 4222, RabbitMQ 5672, MQTT 1883) fails its test in CI and skips it
 * elsewhere.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect, headers as natsHeaders } from '@nats-io/transport-node';
import amqp from 'amqplib';
import mqtt from 'mqtt';
import { fixture, startTestPlatform, type TestPlatform, waitUntil } from './helpers.ts';
import { reachable } from './support/services.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
  links?: { traceId: string; spanId: string }[];
}
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/** A local OTLP/HTTP (JSON) traces receiver. */
async function otlpReceiver(): Promise<{
  url: string;
  spans: OtlpSpan[];
  posts: () => number;
  close(): Promise<void>;
}> {
  const spans: OtlpSpan[] = [];
  let posts = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts++;
      if (req.url === '/v1/traces' && /json/.test(req.headers['content-type'] ?? '')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
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

/** A local webhook receiver: every request's headers and body. */
async function hookReceiver(): Promise<{
  url: string;
  got: { headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}> {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : undefined);
};
const xray = (trace: string, parent: string) =>
  `Root=1-${trace.slice(0, 8)}-${trace.slice(8)};Parent=${parent};Sampled=1`;

/** Logs what the function saw: the trace header it runs under and the first record's AWSTraceHeader. */
const SEEN = (tag: string) => `export const handler = async (event) => {
  console.log('${tag} ' + JSON.stringify({ xray: process.env._X_AMZN_TRACE_ID ?? null, aws: event?.Records?.[0]?.attributes?.AWSTraceHeader ?? null }));
  return { ok: true };
};
`;

const PARENT = '00f067aa0ba902b7';

async function deploy(p: TestPlatform, name: string, extra: Record<string, unknown> = {}) {
  const r = await p.deployDir(name, await fixture({ 'index.mjs': SEEN(name.toUpperCase()) }), {
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

/** The line a function logged with its tag, parsed. */
async function seenBy(p: TestPlatform, fn: string): Promise<{ xray: string | null; aws: string | null }> {
  const tag = `${fn.toUpperCase()} `;
  const line = await waitUntil(`${fn} logs what it saw`, async () => {
    const l = await p.json<{ lines?: { message: string }[] }>('GET', `/v1/functions/${fn}/logs`);
    const m = l.body.lines?.find((x) => x.message.includes(tag))?.message;
    return m?.slice(m.indexOf(tag) + tag.length);
  });
  return JSON.parse(line) as { xray: string | null; aws: string | null };
}

/** An SQS JSON 1.0 call (the admin's bearer key), with extra headers. */
async function sqsCall(
  p: TestPlatform,
  op: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const r = await p.api('POST', '/', JSON.stringify(body), {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `AmazonSQS.${op}`,
    ...headers,
  });
  const text = await r.text();
  assert.equal(r.status, 200, `${op}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function createSource(p: TestPlatform, fn: string, kind: string, config: Record<string, unknown>) {
  const r = await p.json<{ id: string }>('POST', '/v1/sources', {
    function: fn,
    kind,
    config,
    batchSize: 1,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // An SQS poller is already waiting on the queue (it reports connected after its first receive).
  if (kind === 'sqs') return r.body.id;
  await waitUntil(`${kind} source connected`, async () => {
    const s = await p.json<{ status?: { connected: boolean } | null }>('GET', `/v1/sources/${r.body.id}`);
    return s.body.status?.connected === true;
  });
  return r.body.id;
}

describe('traces across SQS, sources, destinations, webhooks and forwards', () => {
  let otlp: Awaited<ReturnType<typeof otlpReceiver>>;
  let hook: Awaited<ReturnType<typeof hookReceiver>>;
  let p: TestPlatform;
  const inTrace = (trace: string) => otlp.spans.filter((s) => s.traceId === trace);
  /** Exactly one span of the trace matching `pred`. */
  const one = (trace: string, pred: (s: OtlpSpan) => boolean, what: string) => {
    const found = inTrace(trace).filter(pred);
    assert.equal(found.length, 1, `${what}: ${JSON.stringify(inTrace(trace).map((s) => s.name))}`);
    return found[0]!;
  };

  before(async () => {
    otlp = await otlpReceiver();
    hook = await hookReceiver();
    p = await startTestPlatform(
      { egressAllowCidrs: '127.0.0.1/32' },
      { env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: 'nimbus-hops' } },
    );
  });
  after(async () => {
    await p?.stop();
    await otlp?.close();
    await hook?.close();
  });

  it('(a) SendMessage with a traceparent → the event source mapping’s invocation, one trace', async () => {
    await deploy(p, 'esm');
    const url = (await sqsCall(p, 'CreateQueue', { QueueName: 'hops-q' })).QueueUrl as string;
    await createSource(p, 'esm', 'sqs', { queue: 'hops-q' });
    const trace = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
    const sent = await sqsCall(
      p,
      'SendMessage',
      { QueueUrl: url, MessageBody: '{"n":1}' },
      { traceparent: `00-${trace}-${PARENT}-01` },
    );
    const seen = await seenBy(p, 'esm');
    await waitUntil('the esm invoke span', () => inTrace(trace).some((s) => s.name === 'invoke esm'), 20_000);

    const send = one(trace, (s) => s.name === 'send hops-q', 'the SendMessage PRODUCER span');
    assert.equal(send.kind, PRODUCER);
    assert.equal(send.parentSpanId, PARENT);
    assert.equal(attr(send, 'messaging.system'), 'aws_sqs');
    assert.equal(attr(send, 'messaging.message.id'), sent.MessageId);
    const proc = one(trace, (s) => s.kind === CONSUMER, 'the poller’s CONSUMER span');
    assert.equal(proc.name, 'process esm');
    assert.equal(proc.parentSpanId, send.spanId);
    assert.equal(attr(proc, 'nimbus.source.kind'), 'sqs');
    assert.match(String(attr(proc, 'nimbus.source.id')), /^src_/);
    assert.equal(attr(proc, 'messaging.destination.name'), 'hops-q');
    assert.equal(attr(proc, 'messaging.message.id'), sent.MessageId);
    const inv = one(trace, (s) => s.name === 'invoke esm', 'invoke esm');
    assert.equal(inv.kind, SERVER);
    assert.equal(inv.parentSpanId, proc.spanId);

    // The record's AWSTraceHeader is the producer's context; the function runs under its invoke span.
    assert.equal(seen.aws, xray(trace, send.spanId));
    assert.equal(seen.xray, xray(trace, inv.spanId));
  });

  it('(a) the AWSTraceHeader is visible to ReceiveMessage (X-Amzn-Trace-Id, batches, explicit values)', async () => {
    const url = (await sqsCall(p, 'CreateQueue', { QueueName: 'hops-plain' })).QueueUrl as string;
    const trace = 'a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2';
    await sqsCall(
      p,
      'SendMessageBatch',
      {
        QueueUrl: url,
        Entries: [
          { Id: 'one', MessageBody: 'one' },
          { Id: 'two', MessageBody: 'two' },
          {
            Id: 'own',
            MessageBody: 'own',
            MessageSystemAttributes: {
              AWSTraceHeader: {
                DataType: 'String',
                StringValue: 'Root=1-00000001-000000000000000000000001;Parent=0000000000000001;Sampled=0',
              },
            },
          },
        ],
      },
      { 'x-amzn-trace-id': xray(trace, PARENT) },
    );
    await sqsCall(p, 'SendMessage', { QueueUrl: url, MessageBody: 'untraced' });
    const got = await sqsCall(p, 'ReceiveMessage', {
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['AWSTraceHeader'],
    });
    const byBody = new Map(
      (got.Messages as { Body: string; Attributes?: { AWSTraceHeader?: string } }[]).map((m) => [
        m.Body,
        m.Attributes?.AWSTraceHeader,
      ]),
    );
    assert.equal(byBody.size, 4);
    assert.equal(
      byBody.get('own'),
      'Root=1-00000001-000000000000000000000001;Parent=0000000000000001;Sampled=0',
      'an explicit AWSTraceHeader is kept as sent',
    );
    assert.equal(byBody.get('untraced'), undefined, 'no trace, no AWSTraceHeader');
    await waitUntil('the batch’s PRODUCER spans', () => inTrace(trace).length >= 2, 20_000);
    const sends = inTrace(trace).filter((s) => s.name === 'send hops-plain');
    assert.equal(sends.length, 2, 'one PRODUCER span per message sent in the trace');
    for (const body of ['one', 'two']) {
      const h = byBody.get(body);
      const span = sends.find((s) => h === xray(trace, s.spanId));
      assert.ok(span, `${body}: ${h}`);
      assert.equal(span.parentSpanId, PARENT);
    }
  });

  it('(b) async invoke → onSuccess destinations (a function, a webhook) continue the trace', async () => {
    await deploy(p, 'dst');
    await deploy(p, 'okfn', { async: { onSuccess: 'dst' } });
    await deploy(p, 'okhook', { async: { onSuccess: hook.url } });
    const trace = 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1';
    const trace2 = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';
    for (const [fn, t] of [
      ['okfn', trace],
      ['okhook', trace2],
    ] as const) {
      const r = await p.api(
        'POST',
        `/v1/functions/${fn}/invoke-async`,
        { n: 1 },
        { traceparent: `00-${t}-${PARENT}-01` },
      );
      assert.equal(r.status, 202, await r.text());
    }

    // The function destination: okfn's CONSUMER span → send dst (PRODUCER) → process dst → invoke dst.
    const seen = await seenBy(p, 'dst');
    await waitUntil('the dst invoke span', () => inTrace(trace).some((s) => s.name === 'invoke dst'), 20_000);
    const procOk = one(trace, (s) => s.kind === CONSUMER && s.name === 'process okfn', 'process okfn');
    const sendDst = one(trace, (s) => s.name === 'send dst', 'the destination’s PRODUCER span');
    assert.equal(sendDst.kind, PRODUCER);
    assert.equal(sendDst.parentSpanId, procOk.spanId);
    assert.equal(attr(sendDst, 'nimbus.destination.condition'), 'Success');
    const procDst = one(trace, (s) => s.name === 'process dst', 'process dst');
    assert.equal(procDst.parentSpanId, sendDst.spanId);
    assert.equal(attr(procDst, 'nimbus.source'), 'destination');
    const invDst = one(trace, (s) => s.name === 'invoke dst', 'invoke dst');
    assert.equal(invDst.parentSpanId, procDst.spanId);
    assert.equal(seen.xray, xray(trace, invDst.spanId));

    // The webhook destination: the POST is a CLIENT span whose context the receiver gets.
    const got = await waitUntil('the destination webhook POST', () =>
      hook.got.find((g) => String(g.headers.traceparent ?? '').includes(trace2)),
    );
    assert.equal(JSON.parse(got.body).requestContext.condition, 'Success');
    await waitUntil('the webhook CLIENT span', () => inTrace(trace2).some((s) => s.kind === CLIENT), 20_000);
    const post = one(trace2, (s) => s.kind === CLIENT, 'the webhook CLIENT span');
    assert.equal(post.name, 'POST');
    assert.equal(got.headers.traceparent, `00-${trace2}-${post.spanId}-01`);
    assert.equal(attr(post, 'http.response.status_code'), 200);
    assert.equal(attr(post, 'server.address'), '127.0.0.1');
    const sendHook = one(trace2, (s) => s.name === 'send webhook', 'the webhook destination’s PRODUCER span');
    assert.equal(post.parentSpanId, sendHook.spanId);
    assert.equal(
      sendHook.parentSpanId,
      one(trace2, (s) => s.name === 'process okhook', 'process okhook').spanId,
    );
  });

  it('(c) publish → a topic forwarded to another topic → a subscribed function, one trace', async () => {
    await deploy(p, 'sub');
    for (const t of ['hops-a', 'hops-b'])
      assert.equal((await p.api('PUT', `/v1/topics/${t}`, {})).status, 201);
    const fwd = await p.api('POST', '/v1/topics/hops-a/subscriptions', { target: { topic: 'hops-b' } });
    assert.equal(fwd.status, 201, await fwd.text());
    const s = await p.api('POST', '/v1/topics/hops-b/subscriptions', { target: 'sub' });
    assert.equal(s.status, 201, await s.text());
    const trace = 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1';
    const pub = await p.api(
      'POST',
      '/v1/topics/hops-a/events',
      { specversion: '1.0', id: 'e-hops', source: 'test', type: 'hops.t' },
      { traceparent: `00-${trace}-${PARENT}-01`, 'content-type': 'application/cloudevents+json' },
    );
    assert.equal(pub.status, 202, await pub.text());
    const seen = await seenBy(p, 'sub');
    await waitUntil('the sub invoke span', () => inTrace(trace).some((x) => x.name === 'invoke sub'), 20_000);
    const pubA = one(trace, (x) => x.name === 'publish hops-a', 'publish hops-a');
    assert.equal(pubA.parentSpanId, PARENT);
    const forward = one(trace, (x) => x.name === 'process topic:hops-b', 'the forward’s CONSUMER span');
    assert.equal(forward.kind, CONSUMER);
    assert.equal(forward.parentSpanId, pubA.spanId);
    const pubB = one(trace, (x) => x.name === 'publish hops-b', 'publish hops-b');
    assert.equal(pubB.kind, PRODUCER);
    assert.equal(pubB.parentSpanId, forward.spanId);
    const proc = one(trace, (x) => x.name === 'process sub', 'process sub');
    assert.equal(proc.parentSpanId, pubB.spanId);
    const inv = one(trace, (x) => x.name === 'invoke sub', 'invoke sub');
    assert.equal(inv.parentSpanId, proc.spanId);
    assert.equal(seen.xray, xray(trace, inv.spanId));
  });

  it('(c) publish → a topic’s SQS target → the queue’s mapping, one trace', async () => {
    await deploy(p, 'sqsfn');
    await sqsCall(p, 'CreateQueue', { QueueName: 'hops-fwd-q' });
    await createSource(p, 'sqsfn', 'sqs', { queue: 'hops-fwd-q' });
    assert.equal((await p.api('PUT', '/v1/topics/hops-c', {})).status, 201);
    const s = await p.api('POST', '/v1/topics/hops-c/subscriptions', { target: { sqs: 'hops-fwd-q' } });
    assert.equal(s.status, 201, await s.text());
    const trace = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
    const pub = await p.api(
      'POST',
      '/v1/topics/hops-c/events',
      { specversion: '1.0', id: 'e-sqs', source: 'test', type: 'hops.s' },
      { traceparent: `00-${trace}-${PARENT}-01`, 'content-type': 'application/cloudevents+json' },
    );
    assert.equal(pub.status, 202, await pub.text());
    const seen = await seenBy(p, 'sqsfn');
    await waitUntil(
      'the sqsfn invoke span',
      () => inTrace(trace).some((x) => x.name === 'invoke sqsfn'),
      20_000,
    );
    const pubC = one(trace, (x) => x.name === 'publish hops-c', 'publish hops-c');
    const forward = one(trace, (x) => x.name === 'process sqs:hops-fwd-q', 'the SQS send’s CONSUMER span');
    assert.equal(forward.parentSpanId, pubC.spanId);
    const send = one(trace, (x) => x.name === 'send hops-fwd-q', 'the SQS PRODUCER span');
    assert.equal(send.parentSpanId, forward.spanId);
    const proc = one(trace, (x) => x.name === 'process sqsfn', 'process sqsfn');
    assert.equal(proc.parentSpanId, send.spanId);
    const inv = one(trace, (x) => x.name === 'invoke sqsfn', 'invoke sqsfn');
    assert.equal(inv.parentSpanId, proc.spanId);
    assert.equal(seen.aws, xray(trace, send.spanId));
    assert.equal(seen.xray, xray(trace, inv.spanId));
  });

  it('(d) a NATS message with a traceparent header → the source-triggered function, one trace', async (t) => {
    if (!(await reachable(4222))) {
      if (process.env.CI === 'true') assert.fail('NATS is not reachable on 127.0.0.1:4222 (required in CI)');
      return t.skip('NATS not reachable (allowed outside CI)');
    }
    await deploy(p, 'natsfn');
    const subject = `hops.${Math.random().toString(36).slice(2, 8)}`;
    const id = await createSource(p, 'natsfn', 'nats', { subject });
    const nc = await natsConnect({ servers: 'nats://127.0.0.1:4222' });
    const trace = 'd1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1';
    const untraced = 'untraced';
    try {
      const h = natsHeaders();
      h.set('traceparent', `00-${trace}-${PARENT}-01`);
      nc.publish(subject, JSON.stringify({ n: 1 }), { headers: h });
      nc.publish(subject, JSON.stringify({ n: untraced }));
      await nc.flush();
    } finally {
      await nc.close();
    }
    const seen = await seenBy(p, 'natsfn');
    await waitUntil(
      'the natsfn invoke span',
      () => inTrace(trace).some((s) => s.name === 'invoke natsfn'),
      20_000,
    );
    const proc = one(trace, (s) => s.kind === CONSUMER, 'the source’s CONSUMER span');
    assert.equal(proc.name, 'process natsfn');
    assert.equal(proc.parentSpanId, PARENT);
    assert.equal(attr(proc, 'messaging.system'), 'nats');
    assert.equal(attr(proc, 'messaging.destination.name'), subject);
    assert.equal(attr(proc, 'nimbus.source.kind'), 'nats');
    assert.equal(attr(proc, 'nimbus.source.id'), id);
    const inv = one(trace, (s) => s.name === 'invoke natsfn', 'invoke natsfn');
    assert.equal(inv.parentSpanId, proc.spanId);
    assert.equal(seen.xray, xray(trace, inv.spanId));
    // The message without a header: a new root CONSUMER span naming the source.
    await waitUntil('the untraced message’s root span', () =>
      otlp.spans.some(
        (s) =>
          s.name === 'process natsfn' &&
          s.traceId !== trace &&
          !s.parentSpanId &&
          attr(s, 'nimbus.source.id') === id,
      ),
    );
  });
});

/** False when the broker answers; skips outside CI, fails in CI (as test/sources.e2e.test.ts). */
async function brokerDown(t: { skip(m: string): void }, name: string, port: number): Promise<boolean> {
  if (await reachable(port)) return false;
  if (process.env.CI === 'true')
    assert.fail(`${name} is not reachable on 127.0.0.1:${port} (required in CI)`);
  t.skip(`${name} not reachable (allowed outside CI)`);
  return true;
}

describe('traces from the other brokers’ headers (JetStream, RabbitMQ, MQTT 5)', () => {
  let otlp: Awaited<ReturnType<typeof otlpReceiver>>;
  let p: TestPlatform;
  const suffix = Math.random().toString(36).slice(2, 8);

  before(async () => {
    otlp = await otlpReceiver();
    p = await startTestPlatform({}, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url } });
  });
  after(async () => {
    await p?.stop();
    await otlp?.close();
  });

  /** The source's CONSUMER span continues `trace` from PARENT; the function runs under its invoke span. */
  async function expectContinued(fn: string, trace: string, system: string): Promise<void> {
    const seen = await seenBy(p, fn);
    await waitUntil(`the ${fn} invoke span`, () =>
      otlp.spans.some((s) => s.traceId === trace && s.name === `invoke ${fn}`),
    );
    const spans = otlp.spans.filter((s) => s.traceId === trace);
    const proc = spans.find((s) => s.kind === CONSUMER)!;
    assert.equal(proc.parentSpanId, PARENT);
    assert.equal(attr(proc, 'messaging.system'), system);
    const inv = spans.find((s) => s.name === `invoke ${fn}`)!;
    assert.equal(inv.parentSpanId, proc.spanId);
    assert.equal(seen.xray, xray(trace, inv.spanId));
  }

  it('a JetStream message’s traceparent header', async (t) => {
    if (await brokerDown(t, 'NATS', 4222)) return;
    await deploy(p, 'jsfn');
    const nc = await natsConnect({ servers: 'nats://127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    const stream = `HOPS_${suffix.toUpperCase()}`;
    await jsm.streams.add({ name: stream, subjects: [`hops.js.${suffix}`] });
    try {
      await createSource(p, 'jsfn', 'jetstream', { stream, durable: `d-${suffix}` });
      const trace = 'd2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2';
      const h = natsHeaders();
      h.set('traceparent', `00-${trace}-${PARENT}-01`);
      await jsm.jetstream().publish(`hops.js.${suffix}`, '{"n":1}', { headers: h });
      await expectContinued('jsfn', trace, 'nats');
    } finally {
      await jsm.streams.delete(stream).catch(() => {});
      await nc.close();
    }
  });

  it('a RabbitMQ message’s traceparent header', async (t) => {
    if (await brokerDown(t, 'RabbitMQ', 5672)) return;
    await deploy(p, 'amqpfn');
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    const queue = `hops-${suffix}`;
    await ch.assertQueue(queue, { durable: false, autoDelete: false });
    try {
      await createSource(p, 'amqpfn', 'rabbitmq', { url: 'amqp://guest:guest@127.0.0.1:5672', queue });
      const trace = 'd3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3';
      ch.sendToQueue(queue, Buffer.from('{"n":1}'), { headers: { traceparent: `00-${trace}-${PARENT}-01` } });
      await expectContinued('amqpfn', trace, 'rabbitmq');
    } finally {
      await ch.deleteQueue(queue).catch(() => {});
      await conn.close();
    }
  });

  it('an MQTT 5 message’s traceparent user property', async (t) => {
    if (await brokerDown(t, 'MQTT', 1883)) return;
    await deploy(p, 'mqttfn');
    const topic = `hops/${suffix}`;
    await createSource(p, 'mqttfn', 'mqtt', { topic });
    const pub = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5 });
    try {
      const trace = 'd4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4';
      await pub.publishAsync(topic, '{"n":1}', {
        qos: 1,
        properties: { userProperties: { traceparent: `00-${trace}-${PARENT}-01` } },
      });
      await expectContinued('mqttfn', trace, 'mqtt');
    } finally {
      await pub.endAsync();
    }
  });
});

describe('traces off: the hops pass the caller’s context on, nothing is exported', () => {
  it('SQS mapping and webhook destination get the caller’s trace; no exporter', async () => {
    const otlp = await otlpReceiver();
    const hook = await hookReceiver();
    // Only the platform's loader turns tracing on: the process's own variable must not.
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.url;
    let p: TestPlatform | undefined;
    try {
      p = await startTestPlatform({ egressAllowCidrs: '127.0.0.1/32' }, { env: {} });
      await deploy(p, 'esm');
      await deploy(p, 'okhook', { async: { onSuccess: hook.url } });
      const url = (await sqsCall(p, 'CreateQueue', { QueueName: 'off-q' })).QueueUrl as string;
      await createSource(p, 'esm', 'sqs', { queue: 'off-q' });
      const trace = 'e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1';
      await sqsCall(
        p,
        'SendMessage',
        { QueueUrl: url, MessageBody: 'x' },
        { traceparent: `00-${trace}-${PARENT}-01` },
      );
      // No spans: the function runs directly under the sender's span.
      assert.deepEqual(await seenBy(p, 'esm'), { xray: xray(trace, PARENT), aws: xray(trace, PARENT) });
      const trace2 = 'e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2';
      const r = await p.api(
        'POST',
        '/v1/functions/okhook/invoke-async',
        {},
        { traceparent: `00-${trace2}-${PARENT}-01` },
      );
      assert.equal(r.status, 202);
      const got = await waitUntil('the destination webhook POST', () => hook.got[0]);
      assert.equal(got.headers.traceparent, `00-${trace2}-${PARENT}-01`);
    } finally {
      await p?.stop();
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
      await otlp.close();
      await hook.close();
    }
    assert.equal(otlp.posts(), 0);
  });
});
