import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describeBlobStoreContract } from './contract.ts';
import { type JetStreamBlobStore, openJetStreamBlobStore } from './index.ts';

const NATS_URL = process.env.NIMBUS_TEST_NATS ?? 'nats://127.0.0.1:4222';

async function isNatsReachable(url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 2000, reconnect: false });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

const freshBucket = () => `nimbus-test-${randomBytes(5).toString('hex')}-blobs`;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const coded = (code: string) => (e: Error & { code?: string }) => {
  assert.equal(e.code, code, e.message);
  return true;
};

async function destroyBucket(bucket: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(`OBJ_${bucket}`).catch(() => {});
  } finally {
    await nc.close();
  }
}

/** Leaked rejections from the driver would crash a server; count them over the whole file. */
const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

if (await isNatsReachable(NATS_URL)) {
  describeBlobStoreContract('jetstream', async () => {
    const bucket = freshBucket();
    const blobs = await openJetStreamBlobStore({ servers: NATS_URL, bucket });
    return {
      blobs,
      cleanup: async () => {
        await blobs.close();
        await destroyBucket(bucket);
      },
    };
  });

  describe('JetStream blob store', () => {
    const bucket = freshBucket();
    let a: JetStreamBlobStore;
    let b: JetStreamBlobStore;
    /** A raw connection for reaching under the adapter (the Object Store API directly). */
    let raw: NatsConnection;
    before(async () => {
      a = await openJetStreamBlobStore({ servers: NATS_URL, bucket });
      b = await openJetStreamBlobStore({ servers: NATS_URL, bucket });
      raw = await connect({ servers: NATS_URL });
    });
    after(async () => {
      await a.close();
      await b.close();
      await raw.close();
      await destroyBucket(bucket);
      assert.deepEqual(unhandled, []);
    });

    it('round-trips a 50 MiB blob', async () => {
      const big = randomBytes(50 * 1024 * 1024);
      const t0 = performance.now();
      const r = await a.put(big);
      const t1 = performance.now();
      const back = await a.get(r.sha256);
      const t2 = performance.now();
      assert.equal(r.size, big.byteLength);
      assert.equal(back.byteLength, big.byteLength);
      assert.ok(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(big));
      process.stdout.write(`# 50 MiB: put ${(t1 - t0).toFixed(0)} ms, get ${(t2 - t1).toFixed(0)} ms\n`);
      await a.delete(r.sha256);
    });

    it('two nodes on separate connections see each other’s blobs', async () => {
      const data = randomBytes(300 * 1024);
      const r = await a.put(data);
      assert.equal(await b.has(r.sha256), true);
      assert.deepEqual(await b.get(r.sha256), new Uint8Array(data));
      await b.delete(r.sha256);
      assert.equal(await a.has(r.sha256), false);
      await assert.rejects(a.get(r.sha256), coded('NIMBUS_ERR_CORE_NOT_FOUND'));
    });

    it('a missing blob is the same coded 404 as the fs adapter', async () => {
      const missing = sha(randomBytes(16));
      assert.equal(await a.has(missing), false);
      await assert.rejects(a.get(missing), coded('NIMBUS_ERR_CORE_NOT_FOUND'));
      await a.delete(missing); // deleting what is absent is a no-op
    });

    it('concurrent puts of the same content from two nodes leave one copy and no orphan chunks', async () => {
      const own = freshBucket();
      const n1 = await openJetStreamBlobStore({ servers: NATS_URL, bucket: own, maxChunkBytes: 64 * 1024 });
      const n2 = await openJetStreamBlobStore({ servers: NATS_URL, bucket: own, maxChunkBytes: 64 * 1024 });
      try {
        const data = randomBytes(1024 * 1024 + 17);
        const results = await Promise.all([n1, n2, n1, n2, n1, n2, n1, n2].map((n) => n.put(data)));
        for (const r of results) assert.deepEqual(r, { sha256: sha(data), size: data.byteLength });
        assert.deepEqual(await n1.get(sha(data)), new Uint8Array(data));
        const jsm = await jetstreamManager(raw);
        const si = await jsm.streams.info(`OBJ_${own}`, { subjects_filter: `$O.${own}.C.>` });
        const chunkSubjects = Object.entries(si.state.subjects ?? {});
        assert.equal(chunkSubjects.length, 1, 'one upload survived');
        assert.equal(chunkSubjects[0]?.[1], Math.ceil(data.byteLength / (64 * 1024)));
      } finally {
        await n1.close();
        await n2.close();
        await destroyBucket(own);
      }
    });

    it('get verifies the sha256 of what it read: a wrong or truncated payload is BLOBS_CORRUPT, and a put repairs it', async () => {
      const os = await new Objm(raw).open(bucket);
      const good = randomBytes(200 * 1024);
      const id = sha(good);
      // Another payload under this sha's name (its own digest metadata is self-consistent).
      await os.putBlob({ name: id }, randomBytes(200 * 1024));
      await assert.rejects(a.get(id), coded('NIMBUS_ERR_BLOBS_CORRUPT'));
      // A truncated copy of the right content.
      await os.putBlob({ name: id }, good.subarray(0, good.byteLength - 1));
      await assert.rejects(a.get(id), coded('NIMBUS_ERR_BLOBS_CORRUPT'));
      // has() only answers presence; put() notices the entry is not this content and replaces it.
      assert.equal(await a.has(id), true);
      await a.put(good);
      assert.deepEqual(await a.get(id), new Uint8Array(good));
      await a.delete(id);
    });

    it('chunks lost under the metadata are BLOBS_CORRUPT (direct path), or a coded timeout when a stream gets nothing', async () => {
      const small = await openJetStreamBlobStore({
        servers: NATS_URL,
        bucket,
        maxChunkBytes: 1024,
        readIdleMs: 300,
      });
      const jsm = await jetstreamManager(raw);
      const os = await new Objm(raw).open(bucket);
      const stream = `OBJ_${bucket}`;
      /** Stores `chunks` KiB (+5 bytes) and returns its id and chunk subject. */
      const stored = async (chunks: number) => {
        const r = await small.put(randomBytes(chunks * 1024 - 1019));
        const info = await os.info(r.sha256);
        assert.equal(info?.chunks, chunks);
        return { id: r.sha256, subject: `$O.${bucket}.C.${info?.nuid}` };
      };
      const dropSecondChunk = async (subject: string) => {
        const first = await jsm.direct.getMessage(stream, { next_by_subj: subject, seq: 1 });
        assert.ok(first);
        const second = await jsm.direct.getMessage(stream, { next_by_subj: subject, seq: first.seq + 1 });
        assert.ok(second);
        await jsm.streams.deleteMessage(stream, second.seq);
      };
      try {
        // Few chunks: read by direct gets, a missing one is named.
        const few = await stored(4);
        await dropSecondChunk(few.subject);
        await assert.rejects(small.get(few.id), /only 3 of its 4 chunks are stored/);
        await jsm.streams.purge(stream, { filter: few.subject });
        await assert.rejects(small.get(few.id), coded('NIMBUS_ERR_BLOBS_CORRUPT'));

        // Many chunks: streamed by the library's consumer; a gap fails its digest check…
        const many = await stored(20);
        await dropSecondChunk(many.subject);
        await assert.rejects(small.get(many.id), coded('NIMBUS_ERR_BLOBS_CORRUPT'));
        // …and a consumer that receives nothing at all ends after readIdleMs instead of hanging.
        await jsm.streams.purge(stream, { filter: many.subject });
        const t0 = performance.now();
        await assert.rejects(small.get(many.id), (e: Error & { code?: string; retryable?: boolean }) => {
          assert.equal(e.code, 'NIMBUS_ERR_BLOBS_UNAVAILABLE', e.message);
          assert.match(e.message, /no data/);
          assert.equal(e.retryable, true);
          return true;
        });
        assert.ok(performance.now() - t0 < 5000);
        await small.delete(few.id);
        await small.delete(many.id);
      } finally {
        await small.close();
      }
    });

    it('a bucket over its byte limit gives BLOBS_FULL (507) and keeps no partial chunks', async () => {
      const own = freshBucket();
      await new Objm(raw).create(own, { max_bytes: 256 * 1024 });
      const s = await openJetStreamBlobStore({ servers: NATS_URL, bucket: own, maxChunkBytes: 64 * 1024 });
      try {
        await assert.rejects(
          s.put(randomBytes(1024 * 1024)),
          (e: Error & { code?: string; status?: number }) => {
            assert.equal(e.code, 'NIMBUS_ERR_BLOBS_FULL', e.message);
            assert.equal(e.status, 507);
            return true;
          },
        );
        const jsm = await jetstreamManager(raw);
        const si = await jsm.streams.info(`OBJ_${own}`);
        assert.equal(si.state.messages, 0);
        const fits = await s.put(randomBytes(100 * 1024));
        assert.equal(await s.has(fits.sha256), true);
      } finally {
        await s.close();
        await destroyBucket(own);
      }
    });

    it('survives a forced reconnect of its connection', async () => {
      const nc = await connect({ servers: NATS_URL, reconnectTimeWait: 50 });
      const s = await openJetStreamBlobStore({ nc, bucket });
      try {
        const data = randomBytes(10_000);
        const r = await s.put(data);
        // A request caught on the dropped socket is lost (it ends as a retryable BLOBS_UNAVAILABLE
        // after timeoutMs); what matters is that the adapter works again once the client is back.
        const status = nc.status();
        const back = (async () => {
          for await (const st of status) if (st.type === 'reconnect') return;
        })();
        await nc.reconnect();
        await back;
        assert.deepEqual(await s.get(r.sha256), new Uint8Array(data));
        const r2 = await s.put(randomBytes(10_000));
        assert.equal(await a.has(r2.sha256), true);
      } finally {
        await s.close();
        assert.equal(nc.isClosed(), false, 'close() leaves a connection it was given open');
        await nc.close();
      }
    });

    it('a closed connection gives BLOBS_UNAVAILABLE (503, retryable) on every operation', async () => {
      const nc = await connect({ servers: NATS_URL });
      const s = await openJetStreamBlobStore({ nc, bucket });
      const id = (await s.put(randomBytes(100))).sha256;
      await nc.close();
      const unavailable = (e: Error & { code?: string; status?: number; retryable?: boolean }) => {
        assert.equal(e.code, 'NIMBUS_ERR_BLOBS_UNAVAILABLE', e.message);
        assert.equal(e.status, 503);
        assert.equal(e.retryable, true);
        return true;
      };
      await assert.rejects(s.put(randomBytes(100)), unavailable);
      await assert.rejects(s.get(id), unavailable);
      await assert.rejects(s.has(id), unavailable);
      await assert.rejects(s.delete(id), unavailable);
      await s.close();
      // And after the adapter's own close().
      await assert.rejects(s.has(id), unavailable);
    });

    it('an unreachable NATS at open is BLOBS_UNAVAILABLE', async () => {
      const port = await freePort();
      await assert.rejects(
        openJetStreamBlobStore({ servers: `nats://127.0.0.1:${port}`, bucket }),
        coded('NIMBUS_ERR_BLOBS_UNAVAILABLE'),
      );
    });

    it('rejects a bad bucket name or both/neither of servers and nc', async () => {
      await assert.rejects(openJetStreamBlobStore({ bucket }), coded('NIMBUS_ERR_CORE_VALIDATION'));
      await assert.rejects(
        openJetStreamBlobStore({ servers: NATS_URL, bucket: 'a.b' }),
        coded('NIMBUS_ERR_CORE_VALIDATION'),
      );
    });
  });

  const natsServer = whichNatsServer();
  describe('JetStream blob store across a NATS restart', {
    skip: natsServer ? false : 'no nats-server binary on PATH',
  }, () => {
    let dir: string;
    let port: number;
    let server: ChildProcess | undefined;
    const start = async () => {
      server = spawn(natsServer!, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], {
        stdio: 'ignore',
      });
      const end = Date.now() + 10_000;
      while (!(await isNatsReachable(`nats://127.0.0.1:${port}`))) {
        if (Date.now() > end) throw new Error('throwaway nats-server did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const stop = async () => {
      const s = server;
      server = undefined;
      if (!s || s.exitCode !== null) return;
      const exited = new Promise((r) => s.once('exit', r));
      s.kill('SIGTERM');
      await exited;
    };
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'nimbus-nats-'));
      port = await freePort();
      await start();
    });
    after(async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('fails with a coded 503 while NATS is down and serves the same bytes after it is back', async () => {
      const s = await openJetStreamBlobStore({
        servers: `nats://127.0.0.1:${port}`,
        bucket: 'nimbus-restart-blobs',
        timeoutMs: 500,
        readIdleMs: 1000,
      });
      try {
        const data = randomBytes(400 * 1024);
        const r = await s.put(data);
        await stop();
        for (const op of [() => s.get(r.sha256), () => s.has(r.sha256), () => s.put(randomBytes(10))])
          await assert.rejects(op(), coded('NIMBUS_ERR_BLOBS_UNAVAILABLE'));
        await start();
        const end = Date.now() + 15_000;
        for (;;) {
          try {
            assert.deepEqual(await s.get(r.sha256), new Uint8Array(data));
            break;
          } catch (e) {
            if ((e as { code?: string }).code !== 'NIMBUS_ERR_BLOBS_UNAVAILABLE' || Date.now() > end) throw e;
            await new Promise((res) => setTimeout(res, 100));
          }
        }
        const r2 = await s.put(randomBytes(10));
        assert.equal(await s.has(r2.sha256), true);
      } finally {
        await s.close();
      }
    });
  });
} else if (process.env.CI === 'true') {
  it('NATS JetStream must be reachable in CI', () => assert.fail(`NATS is not reachable at ${NATS_URL}`));
} else {
  it('BlobStore contract: jetstream', {
    skip: `NATS not reachable at ${NATS_URL} (allowed outside CI)`,
  }, () => {});
}

function whichNatsServer(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
