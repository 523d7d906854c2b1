/**
 * External brokers as event sources, each against the real broker on this machine: NATS core and
 * JetStream, RabbitMQ, MQTT (QoS 1) and Redis Streams. For each: batches reach the function as
 * `{Records}`, `batchItemFailures` retries only the failed records, a record that always fails is
 * dead-lettered, and a connection dropped mid-stream loses nothing.
 * A broker that is down fails the test in CI (CI=true) and skips it elsewhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import amqp from 'amqplib';
import mqtt from 'mqtt';
import { createClient } from 'redis';
import { loadConfig } from '../src/config/index.ts';
import { startPlatform } from '../src/server/index.ts';
import { fixture } from './helpers.ts';
import { reachable } from './support/services.ts';
import { type Sink, type SinkRequest, startSink } from './support/sink.ts';

interface Rec {
  messageId: string;
  data: unknown;
}

describe('event sources against real brokers', async () => {
  const ports = { nats: 4222, rabbitmq: 5672, mqtt: 1883, redis: 6379 };
  const up = Object.fromEntries(
    await Promise.all(Object.entries(ports).map(async ([k, port]) => [k, await reachable(port)] as const)),
  ) as Record<keyof typeof ports, boolean>;
  const suffix = Math.random().toString(36).slice(2, 8);
  const seen: { source: string; records: Rec[] }[] = [];
  let sink: Sink;
  const onSink = (r: SinkRequest) => {
    seen.push(JSON.parse(r.body));
  };
  let platform: Awaited<ReturnType<typeof startPlatform>>;
  let api = '';
  let secret = '';
  const json = async <T>(method: string, path: string, body?: unknown) => {
    const r = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const t = await r.text();
    return { status: r.status, body: (t ? JSON.parse(t) : {}) as T };
  };
  /** Values delivered for a source, successful deliveries only (the function reports after deciding). */
  const values = (source: string) =>
    seen.filter((s) => s.source === source).flatMap((s) => s.records.map((r) => (r.data as { n: number }).n));
  const waitUntil = async (what: string, ok: () => boolean | Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const deadOf = async (source: string) =>
    (
      await json<{ deadLetters: { source: string; payload: { Records: Rec[] } }[] }>(
        'GET',
        '/v1/queues/dlq?function=consumer',
      )
    ).body.deadLetters.filter((dl) => dl.source === `source:${source}`);
  const createSource = async (
    kind: string,
    config: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => {
    const r = await json<{ id: string; error?: unknown }>('POST', '/v1/sources', {
      function: 'consumer',
      kind,
      config,
      batchSize: 5,
      batchWindowMs: 50,
      maximumRetryAttempts: 2,
      ...extra,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await waitUntil(
      `${kind} connected`,
      async () =>
        (await json<{ status: { connected: boolean } | null }>('GET', `/v1/sources/${r.body.id}`)).body.status
          ?.connected === true,
    );
    return r.body.id;
  };

  before(async () => {
    sink = await startSink(onSink);
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-sources-'));
    platform = await startPlatform(
      loadConfig(
        {
          port: 0,
          apiPort: 0,
          s3Port: 0,
          dataDir,
          logLevel: process.env.NIMBUS_TEST_LOG ? 'info' : 'silent',
          poolSize: 2,
        },
        {},
      ),
      {
        sourceRetryDelay: () => 30,
        log: process.env.NIMBUS_TEST_LOG ? (l) => console.log(`# ${l}`) : () => {},
      },
    );
    api = platform.apiUrl;
    secret = platform.admin.secret!;
    // n % 7 === 3 fails once (then succeeds on retry); n === 13 always fails (dead-lettered).
    const dir = await fixture({
      'index.mjs': `const tries = {};
        export const handler = async (event) => {
          const failures = [];
          const ok = [];
          for (const r of event.Records) {
            const n = Number(r.data?.n);
            const key = r.eventSource + ':' + n;
            tries[key] = (tries[key] ?? 0) + 1;
            if (n === 13 || (n % 7 === 3 && tries[key] === 1)) failures.push({ itemIdentifier: r.messageId });
            else ok.push(r);
          }
          if (ok.length) await (await fetch('${sink.url}/', { method: 'POST',
            body: JSON.stringify({ source: ok[0].eventSource, records: ok }) })).text();
          return { batchItemFailures: failures };
        };`,
    });
    const { zipDirectory } = await import('../src/registry/build/index.ts');
    const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
    const d = await json('PUT', '/v1/functions/consumer', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64: zip },
    });
    assert.ok(d.status < 300, JSON.stringify(d.body));
  });
  after(async () => {
    const t0 = Date.now();
    await platform?.close();
    sink?.close();
    if (process.env.NIMBUS_TEST_LOG) {
      console.log(`# closed in ${Date.now() - t0} ms`);
      setTimeout(() => {
        const h = (
          process as unknown as {
            _getActiveHandles(): {
              constructor: { name: string };
              remoteAddress?: string;
              remotePort?: number;
            }[];
          }
        )._getActiveHandles();
        console.log(`# handles: ${h.map((x) => `${x.constructor.name}:${x.remotePort ?? ''}`).join(', ')}`);
      }, 2000).unref();
    }
  });

  const expectAll = async (source: string, n: number) => {
    const want = Array.from({ length: n }, (_, i) => i + 1).filter((x) => x !== 13);
    await waitUntil(`${source}: all ${n} processed`, () => new Set(values(source)).size >= want.length);
    assert.deepEqual(
      [...new Set(values(source))].sort((a, b) => a - b),
      want,
    );
    await waitUntil(`${source}: #13 dead-lettered`, async () => (await deadOf(idOf[source]!)).length > 0);
    const dead = await deadOf(idOf[source]!);
    assert.equal(dead.length, 1);
    const rec = dead[0]?.payload.Records[0]?.data as { n?: number; fields?: { n: string } } | undefined;
    assert.equal(Number(rec?.n ?? rec?.fields?.n), 13);
  };
  const idOf: Record<string, string> = {};
  const guard = (kind: keyof typeof ports) => {
    if (up[kind]) return false;
    if (process.env.CI === 'true') assert.fail(`${kind} is not reachable on 127.0.0.1:${ports[kind]}`);
    return true;
  };

  it('RabbitMQ queue: batches, partial failures, dead letters, connection drop', async (t) => {
    if (guard('rabbitmq')) return t.skip('RabbitMQ not reachable (allowed outside CI)');
    const queue = `nimbus-test-${suffix}`;
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.assertQueue(queue, { durable: false, autoDelete: false });
    idOf['nimbus:rabbitmq'] = await createSource('rabbitmq', {
      url: 'amqp://guest:guest@127.0.0.1:5672',
      queue,
    });
    for (let n = 1; n <= 20; n++) {
      ch.sendToQueue(queue, Buffer.from(JSON.stringify({ n })), {
        messageId: `m-${n}`,
        contentType: 'application/json',
      });
      if (n === 10) platform.sources.dropConnection('default', idOf['nimbus:rabbitmq']!);
    }
    await expectAll('nimbus:rabbitmq', 20);
    await ch.deleteQueue(queue);
    await conn.close();
  });

  it('NATS JetStream durable consumer: nothing lost across a reconnect', async (t) => {
    if (guard('nats')) return t.skip('NATS not reachable (allowed outside CI)');
    const nc = await natsConnect({ servers: 'nats://127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    const stream = `NIMBUS_${suffix.toUpperCase()}`;
    await jsm.streams.add({ name: stream, subjects: [`nimbus.${suffix}.>`] });
    const js = jsm.jetstream();
    for (let n = 1; n <= 10; n++) await js.publish(`nimbus.${suffix}.orders`, JSON.stringify({ n }));
    idOf['nimbus:jetstream'] = await createSource('jetstream', {
      stream,
      durable: `d-${suffix}`,
      ackWaitSec: 2,
    });
    platform.sources.dropConnection('default', idOf['nimbus:jetstream']!);
    for (let n = 11; n <= 20; n++) await js.publish(`nimbus.${suffix}.orders`, JSON.stringify({ n }));
    await expectAll('nimbus:jetstream', 20);
    await jsm.streams.delete(stream);
    await nc.close();
  });

  it('NATS core subject', async (t) => {
    if (guard('nats')) return t.skip('NATS not reachable (allowed outside CI)');
    idOf['nimbus:nats'] = await createSource('nats', { subject: `core.${suffix}` });
    const nc = await natsConnect({ servers: 'nats://127.0.0.1:4222' });
    for (let n = 1; n <= 20; n++) nc.publish(`core.${suffix}`, JSON.stringify({ n }));
    await nc.flush();
    await expectAll('nimbus:nats', 20);
    await nc.close();
  });

  it('MQTT QoS 1 with a persistent session: acked after success, connection drop', async (t) => {
    if (guard('mqtt')) return t.skip('MQTT not reachable (allowed outside CI)');
    idOf['nimbus:mqtt'] = await createSource(
      'mqtt',
      { topic: `nimbus/${suffix}/#` },
      { batchSize: 1, batchWindowMs: 0 },
    );
    const pub = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
    for (let n = 1; n <= 20; n++) {
      await pub.publishAsync(`nimbus/${suffix}/orders`, JSON.stringify({ n }), { qos: 1 });
      if (n === 10) platform.sources.dropConnection('default', idOf['nimbus:mqtt']!);
    }
    await expectAll('nimbus:mqtt', 20);
    await pub.endAsync();
  });

  it('Redis Streams consumer group: pending entries re-read after a server-side disconnect', async (t) => {
    if (guard('redis')) return t.skip('Redis not reachable (allowed outside CI)');
    const stream = `nimbus:${suffix}`;
    const r = createClient({ url: 'redis://127.0.0.1:6379' });
    await r.connect();
    idOf['nimbus:redis'] = await createSource('redis', { stream, group: `g-${suffix}`, claimIdleMs: 2000 });
    for (let n = 1; n <= 20; n++) {
      await r.xAdd(stream, '*', { n: String(n) });
      if (n === 10) platform.sources.dropConnection('default', idOf['nimbus:redis']!);
    }
    await waitUntil('redis all', () => {
      const got = new Set(
        seen
          .filter((s) => s.source === 'nimbus:redis')
          .flatMap((s) => s.records.map((x) => Number((x.data as { n: string }).n))),
      );
      return got.size >= 19;
    });
    const got = [
      ...new Set(
        seen
          .filter((s) => s.source === 'nimbus:redis')
          .flatMap((s) => s.records.map((x) => Number((x.data as { n: string }).n))),
      ),
    ].sort((a, b) => a - b);
    assert.deepEqual(
      got,
      Array.from({ length: 20 }, (_, i) => i + 1).filter((x) => x !== 13),
    );
    await waitUntil('redis dead letter', async () => (await deadOf(idOf['nimbus:redis']!)).length > 0);
    await waitUntil(
      'every entry acked',
      async () => ((await r.xPending(stream, `g-${suffix}`)) as { pending: number }).pending === 0,
    );
    await r.del(stream);
    await r.quit();
  });

  it('rejects invalid sources with coded errors', async () => {
    const bad = await json<{ error: { code: string; message: string } }>('POST', '/v1/sources', {
      function: 'consumer',
      kind: 'rabbitmq',
      config: { url: 'http://x', queue: 'q' },
    });
    assert.equal(bad.body.error.code, 'NIMBUS_ERR_SOURCE_INVALID');
    const noQueue = await json<{ error: { code: string } }>('POST', '/v1/sources', {
      function: 'consumer',
      kind: 'rabbitmq',
      config: {},
    });
    assert.equal(noQueue.body.error.code, 'NIMBUS_ERR_SOURCE_INVALID');
    const noFn = await json('POST', '/v1/sources', {
      function: 'nope',
      kind: 'nats',
      config: { subject: 'x' },
    });
    assert.equal(noFn.status, 404);
    const list = await json<{ sources: { config: { url?: string } }[] }>('GET', '/v1/sources');
    assert.ok(
      list.body.sources.every((s) => !String(s.config.url ?? '').includes('guest:guest')),
      'passwords redacted',
    );
  });
});
