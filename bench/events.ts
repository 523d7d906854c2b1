/**
 * bench/events.ts — the event-pattern matcher alone: events/s matched against N subscriptions and
 * p99 match time, against a baseline that loops over every compiled rule (what an index avoids).
 * Then end to end on a real platform (child process): publish (REST, CloudEvent) → the
 * subscribed function starts, p50/p99 over sequential publishes (warm function).
 *
 *   npm run bench:events                     # 1,000 subscriptions, 200,000 events
 *   npx node bench/events.ts --rules 5000 --events 500000
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compilePattern, type EventPattern, RuleIndex } from '../src/events/pattern.ts';
import { zipFiles } from '../src/registry/build/index.ts';
import { agent, assertLoopback, pct, post, printTable, send, startChild } from './support/load.ts';

const { values: args } = parseArgs({
  options: {
    rules: { type: 'string', default: '1000' },
    events: { type: 'string', default: '200000' },
    e2e: { type: 'string', default: '300' },
  },
});
const RULES = Number(args.rules);
const EVENTS = Number(args.events);

// Deterministic pseudo-random (mulberry32) so runs are comparable.
let seed = 42;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const SOURCES = Array.from({ length: 20 }, (_, i) => `app.service${i}`);
const TYPES = Array.from({ length: 50 }, (_, i) => `Event${i}`);
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-south-1'];

function rule(): EventPattern {
  const p: EventPattern = { source: [pick(SOURCES)], 'detail-type': [pick(TYPES), pick(TYPES)] };
  const r = rnd();
  if (r < 0.3) p.detail = { amount: [{ numeric: ['>', Math.floor(rnd() * 500)] }] };
  else if (r < 0.5) p.detail = { region: [{ prefix: pick(['eu-', 'us-', 'ap-']) }] };
  else if (r < 0.6) p.detail = { region: [{ 'anything-but': pick(REGIONS) }], vip: [true] };
  else if (r < 0.65)
    return { $or: [{ source: [pick(SOURCES)] }, { detail: { tags: [pick(['a', 'b', 'c'])] } }] };
  return p;
}
function event() {
  return {
    version: '0',
    id: 'e',
    source: pick(SOURCES),
    'detail-type': pick(TYPES),
    time: '2026-11-25T10:00:00Z',
    detail: {
      amount: Math.floor(rnd() * 1000),
      region: pick(REGIONS),
      vip: rnd() < 0.2,
      tags: [pick(['a', 'b', 'c', 'd'])],
      items: [{ sku: 'x', qty: 1 }],
    },
  };
}

const rules = Array.from({ length: RULES }, (_, i) => [i, rule()] as const);
const events = Array.from({ length: 10_000 }, event);
const index = new RuleIndex<number>(rules);
const loop = rules.map(([i, p]) => [i, compilePattern(p).match] as const);
const loopMatch = (e: unknown) => loop.filter(([, m]) => m(e)).map(([i]) => i);

function run(fn: (e: unknown) => number[]): { rate: number; p50: number; p99: number; matched: number } {
  for (let i = 0; i < 20_000; i++) fn(events[i % events.length]); // warm-up (JIT)
  let matched = 0;
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i++) matched += fn(events[i % events.length]).length;
  const rate = EVENTS / ((performance.now() - t0) / 1000);
  const lat: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const e = events[i % events.length];
    const t = performance.now();
    fn(e);
    lat.push((performance.now() - t) * 1000);
  }
  return { rate, p50: pct(lat, 50), p99: pct(lat, 99), matched: matched / EVENTS };
}

const idx = run((e) => index.match(e));
const base = run(loopMatch);
printTable([
  ['matcher', 'events/s', 'p50 µs', 'p99 µs', 'matches/event'],
  [
    'loop over compiled rules',
    base.rate.toFixed(0),
    base.p50.toFixed(1),
    base.p99.toFixed(1),
    base.matched.toFixed(2),
  ],
  ['RuleIndex', idx.rate.toFixed(0), idx.p50.toFixed(1), idx.p99.toFixed(1), idx.matched.toFixed(2)],
  ['ratio', `${(idx.rate / base.rate).toFixed(1)}×`, '', '', ''],
]);
console.log(
  `\nnode ${process.versions.node}, ${cpus().length} cores; ${RULES} subscriptions, ${EVENTS} events; goal ≥ 50,000 events/s, p99 ≤ 100 µs`,
);

// ------------------------------------------------------------------ end to end

const E2E = Number(args.e2e);
if (E2E > 0) {
  const dataDir = await mkdtemp(join(tmpdir(), 'nimbus-bench-events-'));
  const starts = new Map<string, number>();
  const lat: number[] = [];
  let waiting: (() => void) | undefined;
  const sink = createServer((req, res) => {
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
    const t0 = starts.get(id);
    if (t0 !== undefined) lat.push(performance.now() - t0);
    res.end('ok');
    waiting?.();
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkPort = (sink.address() as AddressInfo).port;
  const plat = await startChild(process.execPath, ['bench/support/platform.ts', dataDir]);
  try {
    const api = plat.info.apiUrl!;
    assertLoopback(api);
    const auth = { authorization: `Bearer ${plat.info.secret}` };
    // The function reports its start first thing: the figure is publish → function code running.
    const code = `export const handler = async (e) => { await (await fetch('http://127.0.0.1:${sinkPort}/?id=' + e.id)).text(); };`;
    const zip = Buffer.from(zipFiles({ 'index.mjs': new TextEncoder().encode(code) })).toString('base64');
    await send(
      'PUT',
      `${api}/v1/functions/on-event`,
      JSON.stringify({ runtime: 'nodejs24.x', handler: 'index.handler', code: { zipBase64: zip } }),
      auth,
    );
    await send('PUT', `${api}/v1/topics/bench`, '{}', auth);
    await send(
      'POST',
      `${api}/v1/topics/bench/subscriptions`,
      JSON.stringify({ target: 'on-event', pattern: { type: ['bench.event'] } }),
      auth,
    );
    const headers = { ...auth, 'content-type': 'application/cloudevents+json' };
    for (let i = 0; i < E2E + 20; i++) {
      const id = `e${i}`;
      const done = new Promise<void>((r) => {
        waiting = r;
      });
      if (i >= 20) starts.set(id, performance.now()); // first 20: warm-up
      const r = await post(
        `${api}/v1/topics/bench/events`,
        JSON.stringify({ specversion: '1.0', id, source: '/bench', type: 'bench.event', data: { i } }),
        headers,
      );
      if (r.status !== 202) throw new Error(`publish: ${r.status} ${r.body}`);
      await done;
    }
    // Bucket PutObject (real AWS SDK, SigV4) → the function of the bucket's object event runs.
    const { S3Client, CreateBucketCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({
      endpoint: plat.info.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: { accessKeyId: plat.info.keyId!, secretAccessKey: plat.info.secret! },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const code2 = `export const handler = async (e) => { await (await fetch('http://127.0.0.1:${sinkPort}/?id=' + e.Records[0].s3.object.key)).text(); };`;
    const zip2 = Buffer.from(zipFiles({ 'index.mjs': new TextEncoder().encode(code2) })).toString('base64');
    await send(
      'PUT',
      `${api}/v1/functions/on-object`,
      JSON.stringify({ runtime: 'nodejs24.x', handler: 'index.handler', code: { zipBase64: zip2 } }),
      auth,
    );
    await send(
      'PUT',
      `${api}/v1/functions/on-object/bucket-events`,
      JSON.stringify({ events: [{ bucket: 'bench', events: ['s3:ObjectCreated:*'] }] }),
      auth,
    );
    const putLat: number[] = [];
    for (let i = 0; i < E2E + 20; i++) {
      const key = `o${i}`;
      const done = new Promise<void>((r) => {
        waiting = r;
      });
      const t0 = performance.now();
      await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: key, Body: 'x'.repeat(1024) }));
      await done;
      if (i >= 20) putLat.push(performance.now() - t0);
    }
    console.log('');
    printTable([
      ['end to end (warm function)', 'p50 ms', 'p99 ms', 'n'],
      ['publish → function running', pct(lat, 50).toFixed(2), pct(lat, 99).toFixed(2), String(lat.length)],
      [
        'PutObject (1 KiB) → function running',
        pct(putLat, 50).toFixed(2),
        pct(putLat, 99).toFixed(2),
        String(putLat.length),
      ],
    ]);
  } finally {
    plat.child.kill('SIGTERM');
    sink.close();
    agent.destroy();
    await new Promise((r) => setTimeout(r, 300));
    await rm(dataDir, { recursive: true, force: true });
  }
}
