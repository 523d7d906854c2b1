/** Response streaming through the gateway: Lambda streamifyResponse, fetch ReadableStream bodies, SSE. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const STREAMIFY = `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const out = awslambda.HttpResponseStream.from(responseStream, { statusCode: 207, headers: { 'content-type': 'text/plain', 'x-kind': 'lambda' } });
  for (let i = 0; i < 3; i++) {
    out.write('part ' + i + '\\n');
    await new Promise((r) => setTimeout(r, 300));
  }
  out.end();
});`;

const SSE = `export default {
  async fetch() {
    let n = 0;
    const body = new ReadableStream({
      async pull(controller) {
        if (n === 3) return controller.close();
        await new Promise((r) => setTimeout(r, 200));
        controller.enqueue(new TextEncoder().encode('data: tick ' + n++ + '\\n\\n'));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
  },
};`;

describe('response streaming', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
    await p.deployDir('streamer', await fixture({ 'index.mjs': STREAMIFY }), {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
    });
    await p.deployDir('sse', await fixture({ 'index.mjs': SSE }), {
      runtime: 'nodejs24.x',
      handler: 'index.default',
    });
    await p.json('POST', '/v1/routes', { routeKey: 'GET /stream', function: 'streamer' });
    await p.json('POST', '/v1/routes', { routeKey: 'GET /events', function: 'sse' });
  });
  after(() => p?.stop());

  async function readTimed(res: Response): Promise<{ chunks: string[]; firstAt: number; doneAt: number }> {
    const t0 = performance.now();
    const reader = res.body!.getReader();
    const chunks: string[] = [];
    let firstAt = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!firstAt) firstAt = performance.now() - t0;
      chunks.push(new TextDecoder().decode(value));
    }
    return { chunks, firstAt, doneAt: performance.now() - t0 };
  }

  it('streams awslambda.streamifyResponse output chunk by chunk (first byte before the function ends)', async () => {
    const res = await fetch(`${p.gatewayUrl}/stream`);
    assert.equal(res.status, 207);
    assert.equal(res.headers.get('x-kind'), 'lambda');
    const { chunks, firstAt, doneAt } = await readTimed(res);
    assert.equal(chunks.join(''), 'part 0\npart 1\npart 2\n');
    assert.ok(firstAt < doneAt - 400, `first byte at ${firstAt} ms, done at ${doneAt} ms`);
  });

  it('delivers Server-Sent Events from a fetch ReadableStream as they are produced', async () => {
    const res = await fetch(`${p.gatewayUrl}/events`);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const { chunks, firstAt, doneAt } = await readTimed(res);
    assert.equal(chunks.join(''), 'data: tick 0\n\ndata: tick 1\n\ndata: tick 2\n\n');
    assert.ok(chunks.length >= 2, 'events arrived separately');
    assert.ok(firstAt < doneAt - 200, `first event at ${firstAt} ms, done at ${doneAt} ms`);
  });

  it('respects backpressure: a slow client holds the function back instead of buffering in the platform', async () => {
    const BIG = `export const handler = awslambda.streamifyResponse(async (event, stream) => {
  const chunk = Buffer.alloc(1 << 20, 120);
  for (let i = 0; i < 96; i++) {
    if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
});`;
    await p.deployDir('big', await fixture({ 'index.mjs': BIG }), {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      timeoutSec: 60,
      memoryMb: 512,
    });
    await p.json('POST', '/v1/routes', { routeKey: 'GET /big', function: 'big' });
    // A node:http client that stops reading: the kernel buffers fill and the platform must stop too.
    const { get } = await import('node:http');
    const res = await new Promise<import('node:http').IncomingMessage>((resolve) =>
      get(`${p.gatewayUrl}/big`, resolve),
    );
    await new Promise((r) => res.once('data', r));
    res.pause();
    await new Promise((r) => setTimeout(r, 1500)); // the client stalls; the function must wait
    // The invocation cannot have finished: its usage record is written only when it ends.
    const during = await p.json<{ records: unknown[] }>('GET', '/v1/usage?function=big');
    let total = 0;
    res.on('data', (c: Buffer) => {
      total += c.length;
    });
    res.resume();
    await new Promise((r) => res.once('end', r));
    assert.ok(total >= 94 * (1 << 20), `received ${total} bytes`);
    assert.equal(
      during.body.records.length,
      0,
      'the function ran to the end while the client was not reading',
    );
    const afterwards = await p.json<{ records: unknown[] }>('GET', '/v1/usage?function=big');
    assert.equal(afterwards.body.records.length, 1);
  });

  it('buffers a streaming function invoked through the Invoke API', async () => {
    const r = await p.json<{ result: { statusCode: number; body: string; isBase64Encoded: boolean } }>(
      'POST',
      '/v1/functions/streamer/invoke',
      {},
    );
    assert.equal(r.body.result.statusCode, 207);
    assert.equal(Buffer.from(r.body.result.body, 'base64').toString(), 'part 0\npart 1\npart 2\n');
  });
});
