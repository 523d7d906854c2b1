/**
 * bench/blobs.ts — BlobStore put/get throughput, NATS JetStream Object Store vs the fs adapter, in
 * one process (1 in flight unless --conc). Every put is new content (no idempotent shortcut); gets
 * read back what was put. The bench bucket is deleted at the end.
 *
 *   npm run bench:blobs                                  # NATS at 127.0.0.1:4222
 *   node bench/blobs.ts --chunk 131072 --conc 4 --servers nats://127.0.0.1:4299
 *
 * Mind what is compared: the fs adapter fsyncs every blob before put returns; JetStream acks a
 * chunk once it is in the server's page cache unless the server runs with `sync_interval: always`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createFsBlobStore, openJetStreamBlobStore } from '../src/blobs/index.ts';
import type { BlobStore } from '../src/core/ports.ts';

const { values: args } = parseArgs({
  options: {
    servers: { type: 'string', default: 'nats://127.0.0.1:4222' },
    chunk: { type: 'string', default: String(1024 * 1024) },
    conc: { type: 'string', default: '1' },
    scale: { type: 'string', default: '1' },
  },
});
const CONC = Math.max(1, Number(args.conc));
const SCALE = Math.max(0.1, Number(args.scale));
const KiB = 1024;
const MiB = 1024 * KiB;
const SIZES: { label: string; bytes: number; ops: number }[] = [
  { label: '1 KiB', bytes: KiB, ops: Math.round(2000 * SCALE) },
  { label: '1 MiB', bytes: MiB, ops: Math.round(100 * SCALE) },
  { label: '16 MiB', bytes: 16 * MiB, ops: Math.max(2, Math.round(12 * SCALE)) },
];

interface Rate {
  putOps: number;
  getOps: number;
}

async function pool(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONC, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

async function measure(blobs: BlobStore, bytes: number, ops: number): Promise<Rate> {
  const base = randomBytes(bytes);
  const shas: string[] = new Array(ops);
  // Distinct content per put: a counter in the first bytes of a private copy.
  const payload = (i: number) => {
    const b = Buffer.from(base);
    b.writeUInt32BE(i, 0);
    b.writeUInt32BE(process.pid, 4);
    return b;
  };
  const t0 = performance.now();
  await pool(ops, async (i) => {
    shas[i] = (await blobs.put(payload(i))).sha256;
  });
  const t1 = performance.now();
  await pool(ops, async (i) => {
    const got = await blobs.get(shas[i]!);
    if (got.byteLength !== bytes) throw new Error('short read');
  });
  const t2 = performance.now();
  await pool(ops, (i) => blobs.delete(shas[i]!));
  return { putOps: (ops * 1000) / (t1 - t0), getOps: (ops * 1000) / (t2 - t1) };
}

const fmt = (opsPerSec: number, bytes: number) =>
  `${opsPerSec >= 100 ? opsPerSec.toFixed(0) : opsPerSec.toFixed(1)}/s ${((opsPerSec * bytes) / MiB).toFixed(1)} MiB/s`;

const dir = await mkdtemp(join(tmpdir(), 'nimbus-bench-blobs-'));
const bucket = `nimbus-bench-${randomBytes(4).toString('hex')}-blobs`;
const fs = createFsBlobStore(dir);
const js = await openJetStreamBlobStore({ servers: args.servers, bucket, maxChunkBytes: Number(args.chunk) });
try {
  console.log(
    `BlobStore bench: ${CONC} in flight, chunk ${Number(args.chunk) / KiB} KiB, NATS ${args.servers}, fs in ${dir}`,
  );
  const rows: string[][] = [
    ['size', 'ops', 'fs put', 'js put', 'put js/fs', 'fs get', 'js get', 'get js/fs'],
  ];
  for (const s of SIZES) {
    await measure(js, s.bytes, Math.max(1, Math.round(s.ops / 10))); // warm-up
    await measure(fs, s.bytes, Math.max(1, Math.round(s.ops / 10)));
    const f = await measure(fs, s.bytes, s.ops);
    const j = await measure(js, s.bytes, s.ops);
    rows.push([
      s.label,
      String(s.ops),
      fmt(f.putOps, s.bytes),
      fmt(j.putOps, s.bytes),
      (j.putOps / f.putOps).toFixed(2),
      fmt(f.getOps, s.bytes),
      fmt(j.getOps, s.bytes),
      (j.getOps / f.getOps).toFixed(2),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c]!)).join('  '));
} finally {
  await js.close();
  const nc = await connect({ servers: args.servers });
  await (await jetstreamManager(nc)).streams.delete(`OBJ_${bucket}`).catch(() => {});
  await nc.close();
  await rm(dir, { recursive: true, force: true });
}
