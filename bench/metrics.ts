/**
 * bench/metrics.ts — the cost of metrics on the invoke path: gateway `GET /hello` req/s on two
 * platforms started by this run, one with NIMBUS_METRICS=on and one with NIMBUS_METRICS=off,
 * measured in alternating rounds (on, off, on, off…) so drift on the machine hits both; prints
 * each round, the medians and their ratio. Both platforms are child processes; this process is
 * the load generator. First, the in-process cost of one invocation's metrics (counters, histograms
 * and the rollup windows), which other load on the machine disturbs far less than the req/s ratio.
 *
 *   npm run bench:metrics
 *   node bench/metrics.ts --conc 32 --duration 5 --rounds 3
 * A third platform runs with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT = a local sink, every request
 * sampled, or --sample 0.1): its ratio to metrics off is the whole observability overhead.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/core/clock.ts';
import type { UsageRecord } from '../src/core/types.ts';
import { PlatformMetrics } from '../src/observability/metrics.ts';
import { zipDirectory } from '../src/registry/build/index.ts';
import { assertLoopback, printTable, send, startChild, throughput } from './support/load.ts';

const { values: args } = parseArgs({
  options: {
    conc: { type: 'string', default: '32' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    /** The traced platform's sampling ratio (parentbased_traceidratio): 1 = every request. */
    sample: { type: 'string', default: '1' },
  },
});
const CONC = Number(args.conc);
const DURATION_MS = Number(args.duration) * 1000;
const ROUNDS = Number(args.rounds);
const SAMPLE = Number(args.sample);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

{
  const m = new PlatformMetrics({ clock: systemClock, maxSeries: 1000, sources: {}, processMetrics: false });
  const u: UsageRecord = {
    tenant: 'default',
    functionName: 'hello',
    requestId: 'r',
    version: '$LATEST',
    startedAt: 0,
    durationMs: 1.7,
    billedDurationMs: 2,
    memoryMb: 128,
    maxRssBytes: 40 << 20,
    gbSeconds: 0.00025,
    outcome: 'success',
  };
  const n = 2_000_000;
  for (let i = 0; i < 100_000; i++) m.invocation(u);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) m.invocation(u);
  console.log(
    `in-process: ${(((performance.now() - t0) * 1e6) / n).toFixed(0)} ns of metrics work per invocation`,
  );
}

const children: ChildProcess[] = [];
const sinks: Server[] = [];
const dirs: string[] = [];
try {
  const zip = Buffer.from(await zipDirectory('examples/hello')).toString('base64');
  // Tracing on exports to this sink (accepts and drops every OTLP request), as to a collector.
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinks.push(sink);
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const start = async (metrics: 'on' | 'off' | 'traced') => {
    const dataDir = await mkdtemp(join(tmpdir(), `nimbus-bench-metrics-${metrics}-`));
    dirs.push(dataDir);
    const plat = await startChild(process.execPath, ['bench/support/platform.ts', dataDir], {
      ...process.env,
      NIMBUS_METRICS: metrics === 'off' ? 'off' : 'on',
      ...(metrics === 'traced'
        ? {
            OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
            OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
            OTEL_TRACES_SAMPLER_ARG: String(SAMPLE),
          }
        : {}),
    });
    children.push(plat.child);
    const api = plat.info.apiUrl!;
    const gw = plat.info.gatewayUrl!;
    assertLoopback(api);
    assertLoopback(gw);
    const auth = { authorization: `Bearer ${plat.info.secret}` };
    const put = await send(
      'PUT',
      `${api}/v1/functions/hello`,
      JSON.stringify({ runtime: 'nodejs24.x', handler: 'index.handler', code: { zipBase64: zip } }),
      auth,
    );
    if (put.status >= 300) throw new Error(`deploy (${metrics}): ${put.status} ${put.body}`);
    const route = await send(
      'PUT',
      `${api}/v1/functions/hello/routes`,
      JSON.stringify({ routes: [{ routeKey: 'GET /hello' }] }),
      auth,
    );
    if (route.status >= 300) throw new Error(`route (${metrics}): ${route.status} ${route.body}`);
    const url = `${gw}/hello`;
    const hit = async () => {
      const r = await send('GET', url, undefined);
      if (r.status !== 200) throw new Error(`GET /hello (${metrics}): ${r.status} ${r.body}`);
    };
    for (let i = 0; i < 200; i++) await hit(); // warm-up
    // Metrics on: the exposition works (and is read once, as a scraper would).
    const scrape = await send('GET', `${api}/metrics`, undefined, auth);
    if (metrics !== 'off' && !scrape.body.includes('nimbus_invocations_total'))
      throw new Error(`/metrics: ${scrape.status} ${scrape.body.slice(0, 200)}`);
    if (metrics === 'off' && scrape.status !== 404)
      throw new Error(`/metrics with metrics off: ${scrape.status}`);
    return hit;
  };
  const on = await start('on');
  const off = await start('off');
  const traced = await start('traced');
  const rows = [['round', 'metrics on req/s', 'metrics off req/s', 'metrics + tracing req/s']];
  const got = { on: [] as number[], off: [] as number[], traced: [] as number[] };
  for (let r = 1; r <= ROUNDS; r++) {
    got.on.push(await throughput(on, CONC, DURATION_MS));
    got.off.push(await throughput(off, CONC, DURATION_MS));
    got.traced.push(await throughput(traced, CONC, DURATION_MS));
    rows.push([
      String(r),
      got.on.at(-1)!.toFixed(0),
      got.off.at(-1)!.toFixed(0),
      got.traced.at(-1)!.toFixed(0),
    ]);
  }
  const mOn = median(got.on);
  const mOff = median(got.off);
  const mTr = median(got.traced);
  rows.push(['median', mOn.toFixed(0), mOff.toFixed(0), mTr.toFixed(0)]);
  console.log(`gateway GET /hello, ${CONC} in flight, ${DURATION_MS / 1000} s per round`);
  printTable(rows);
  console.log(`ratio on/off: ${(mOn / mOff).toFixed(3)} (${((1 - mOn / mOff) * 100).toFixed(1)} % overhead)`);
  console.log(
    `ratio metrics+tracing (sampling ${SAMPLE}, OTLP/HTTP to a local sink)/off: ${(mTr / mOff).toFixed(3)} (${((1 - mTr / mOff) * 100).toFixed(1)} % overhead)`,
  );
} finally {
  for (const s of sinks) s.close();
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}
