/**
 * The S3-compatible API against the real @aws-sdk/client-s3 and @aws-sdk/s3-request-presigner:
 * buckets, objects (streaming, Content-MD5, metadata, Range), listing with prefix / delimiter /
 * continuation, copy, multipart, batch delete, presigned URLs, virtual-host style, S3 XML errors,
 * wrong SigV4, size limit; object events delivered to functions in the S3 record format.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { rawGet, sigv4GetHeaders } from './support/raw-http.ts';
import { type Sink, type SinkRequest, startSink } from './support/sink.ts';

describe('S3-compatible API (real AWS SDK)', () => {
  let p: TestPlatform;
  let s3: S3Client;
  const events: {
    eventName: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number } };
  }[] = [];
  let sink: Sink;
  const onSink = (r: SinkRequest) => {
    events.push(...(JSON.parse(r.body) as { Records: typeof events }).Records);
  };
  const client = (secret = p.secret) =>
    new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: secret },
    });
  const text = async (body: unknown) =>
    Buffer.from(
      await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    ).toString();
  const s3Code = async (pr: Promise<unknown>) => {
    try {
      await pr;
      return 'no error';
    } catch (e) {
      return (e as { name: string }).name;
    }
  };

  before(async () => {
    sink = await startSink(onSink);
    p = await startTestPlatform({ s3MaxObjectBytes: 6 * 1024 * 1024 });
    s3 = client();
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => {
        await (await fetch('${sink.url}/', { method: 'POST', body: JSON.stringify(e) })).text();
      };`,
    });
    assert.ok(
      (await p.deployDir('on-object', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status < 300,
    );
  });
  after(async () => {
    await p.stop();
    sink?.close();
  });

  it('creates and lists buckets; rejects invalid names and duplicates with S3 errors', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'thumbs' }));
    const list = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(
      list.Buckets?.map((b) => b.Name),
      ['photos', 'thumbs'],
    );
    assert.equal(await s3Code(s3.send(new CreateBucketCommand({ Bucket: 'photos' }))), 'BucketAlreadyExists');
    assert.equal(await s3Code(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))), 'InvalidBucketName');
    assert.equal(
      await s3Code(s3.send(new CreateBucketCommand({ Bucket: '192.168.1.1' }))),
      'InvalidBucketName',
    );
  });

  it('puts (buffer and stream), gets with Range, heads and deletes objects with metadata', async () => {
    const body = Buffer.from('hello nimbus objects');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'photos',
        Key: 'a/hello.txt',
        Body: body,
        ContentType: 'text/plain',
        Metadata: { owner: 'ada' },
      }),
    );
    assert.equal(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a/hello.txt' }));
    assert.equal(await text(got.Body), 'hello nimbus objects');
    assert.equal(got.ContentType, 'text/plain');
    assert.deepEqual(got.Metadata, { owner: 'ada' });
    const range = await s3.send(
      new GetObjectCommand({ Bucket: 'photos', Key: 'a/hello.txt', Range: 'bytes=6-11' }),
    );
    assert.equal(await text(range.Body), 'nimbus');
    assert.equal(range.ContentRange, 'bytes 6-11/20');
    const big = Buffer.alloc(300_000, 7);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'photos',
        Key: 'b/stream.bin',
        Body: Readable.from([big.subarray(0, 100_000), big.subarray(100_000)]),
        ContentLength: big.length,
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'b/stream.bin' }));
    assert.equal(head.ContentLength, 300_000);
    assert.equal(await s3Code(s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'nope' }))), 'NoSuchKey');
    assert.equal(
      await s3Code(s3.send(new GetObjectCommand({ Bucket: 'nope-bucket', Key: 'x' }))),
      'NoSuchBucket',
    );
    assert.equal(
      await s3Code(
        s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a/hello.txt', Range: 'bytes=500-600' })),
      ),
      'InvalidRange',
    );
  });

  it('checks Content-MD5 and the object size limit', async () => {
    const bad = await fetchSigned('PUT', '/photos/md5.txt', 'data', {
      'content-md5': Buffer.alloc(16).toString('base64'),
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /<Code>BadDigest<\/Code>/);
    const tooBig = await s3Code(
      s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'huge', Body: Buffer.alloc(7 * 1024 * 1024) })),
    );
    assert.equal(tooBig, 'EntityTooLarge');
    assert.equal(
      await s3Code(s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'k'.repeat(1025), Body: 'x' }))),
      'KeyTooLongError',
    );
  });

  it('lists with prefix, delimiter and continuation tokens', async () => {
    for (const k of ['list/1', 'list/2', 'list/3', 'list/sub/x', 'list/sub/y', 'other'])
      await s3.send(new PutObjectCommand({ Bucket: 'thumbs', Key: k, Body: k }));
    const page1 = await s3.send(
      new ListObjectsV2Command({ Bucket: 'thumbs', Prefix: 'list/', Delimiter: '/', MaxKeys: 2 }),
    );
    assert.deepEqual(
      page1.Contents?.map((c) => c.Key),
      ['list/1', 'list/2'],
    );
    assert.equal(page1.IsTruncated, true);
    const page2 = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'thumbs',
        Prefix: 'list/',
        Delimiter: '/',
        MaxKeys: 2,
        ContinuationToken: page1.NextContinuationToken,
      }),
    );
    assert.deepEqual(
      page2.Contents?.map((c) => c.Key),
      ['list/3'],
    );
    assert.deepEqual(
      page2.CommonPrefixes?.map((c) => c.Prefix),
      ['list/sub/'],
    );
    assert.equal(page2.IsTruncated, false);
  });

  it('copies, deletes in batches, and refuses to delete a non-empty bucket', async () => {
    await s3.send(
      new CopyObjectCommand({ Bucket: 'thumbs', Key: 'copied', CopySource: 'photos/a/hello.txt' }),
    );
    assert.equal(
      await text((await s3.send(new GetObjectCommand({ Bucket: 'thumbs', Key: 'copied' }))).Body),
      'hello nimbus objects',
    );
    assert.equal(await s3Code(s3.send(new DeleteBucketCommand({ Bucket: 'thumbs' }))), 'BucketNotEmpty');
    const del = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'thumbs',
        Delete: {
          Objects: ['list/1', 'list/2', 'list/3', 'list/sub/x', 'list/sub/y', 'other', 'copied'].map(
            (Key) => ({ Key }),
          ),
        },
      }),
    );
    assert.equal(del.Deleted?.length, 7);
    await s3.send(new DeleteBucketCommand({ Bucket: 'thumbs' }));
  });

  it('does multipart uploads', async () => {
    const up = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'photos',
        Key: 'multi.bin',
        ContentType: 'application/x-test',
      }),
    );
    const partA = Buffer.alloc(5 * 1024 * 1024, 1);
    const partB = Buffer.from('tail');
    const a = await s3.send(
      new UploadPartCommand({
        Bucket: 'photos',
        Key: 'multi.bin',
        UploadId: up.UploadId,
        PartNumber: 1,
        Body: partA,
      }),
    );
    const b = await s3.send(
      new UploadPartCommand({
        Bucket: 'photos',
        Key: 'multi.bin',
        UploadId: up.UploadId,
        PartNumber: 2,
        Body: partB,
      }),
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'photos',
        Key: 'multi.bin',
        UploadId: up.UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: a.ETag },
            { PartNumber: 2, ETag: b.ETag },
          ],
        },
      }),
    );
    assert.match(done.ETag ?? '', /-2"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'multi.bin' }));
    assert.equal(head.ContentLength, partA.length + partB.length);
    assert.equal(head.ContentType, 'application/x-test');
    const tail = await s3.send(
      new GetObjectCommand({ Bucket: 'photos', Key: 'multi.bin', Range: 'bytes=-4' }),
    );
    assert.equal(await text(tail.Body), 'tail');
  });

  it('serves presigned URLs and refuses tampered or wrong signatures', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'photos', Key: 'a/hello.txt' }), {
      expiresIn: 60,
    });
    const ok = await fetch(url);
    assert.equal(ok.status, 200, `${url}\n${ok.status === 200 ? '' : await ok.clone().text()}`);
    assert.equal(await ok.text(), 'hello nimbus objects');
    const tampered = await fetch(
      url.replace('a%2Fhello.txt', 'a%2Fother.txt').replace('a/hello.txt', 'a/other.txt'),
    );
    assert.equal(tampered.status, 403);
    assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'photos', Key: 'presigned.txt' }), {
      expiresIn: 60,
    });
    assert.equal((await fetch(putUrl, { method: 'PUT', body: 'via presigned' })).status, 200);
    assert.equal(
      await text((await s3.send(new GetObjectCommand({ Bucket: 'photos', Key: 'presigned.txt' }))).Body),
      'via presigned',
    );
    assert.equal(
      await s3Code(client('wrong-secret-0123456789012345').send(new ListBucketsCommand({}))),
      'SignatureDoesNotMatch',
    );
    const anon = await fetch(`${p.s3Url}/photos/a/hello.txt`);
    assert.equal(anon.status, 403);
    assert.match(await anon.text(), /<Code>AccessDenied<\/Code>/);
  });

  it('answers virtual-host style requests', async () => {
    const url = new URL(p.s3Url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/a/hello.txt',
          headers: { host: `photos.localhost:${url.port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403, 'routed to the bucket (and, unsigned, refused)');
    // Signed, with the bucket in the Host header only.
    const headers = await sigv4GetHeaders({
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
      service: 's3',
      host: `photos.localhost:${url.port}`,
      path: '/a/hello.txt',
    });
    const got = await rawGet(p.s3Url, '/a/hello.txt', headers);
    assert.equal(got.status, 200);
    assert.equal(got.body, 'hello nimbus objects');
  });

  it('delivers object events to functions in the S3 record format, with prefix/suffix rules', async () => {
    const r = await p.json('PUT', '/v1/functions/on-object/bucket-events', {
      events: [
        { bucket: 'uploads', events: ['s3:ObjectCreated:*'], prefix: 'images/', suffix: '.png' },
        { bucket: 'uploads', events: ['s3:ObjectRemoved:*'] },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'images/cat photo.png', Body: 'png!' }));
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'images/readme.txt', Body: 'no event' }));
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'docs/x.png', Body: 'no event' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: 'docs/x.png' }));
    const end = Date.now() + 15_000;
    while (events.length < 2 && Date.now() < end) await new Promise((res) => setTimeout(res, 25));
    await new Promise((res) => setTimeout(res, 300));
    if (events.length < 2)
      console.log(`# events missing; platform log tail:\n${p.logs.slice(-20).join('\n')}`);
    assert.deepEqual(events.map((e) => [e.eventName, e.s3.object.key]).sort(), [
      ['ObjectCreated:Put', 'images/cat+photo.png'],
      ['ObjectRemoved:Delete', 'docs/x.png'],
    ]);
    const created = events.find((e) => e.eventName === 'ObjectCreated:Put');
    assert.equal(created?.s3.bucket.name, 'uploads');
    assert.equal(created?.s3.object.size, 4);
  });

  /** A raw signed request (for headers the SDK would compute itself, like a wrong Content-MD5). */
  async function fetchSigned(method: string, path: string, body: string, headers: Record<string, string>) {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Sha256 } = await import('@aws-crypto/sha256-js');
    const { HttpRequest } = await import('@smithy/protocol-http');
    const u = new URL(p.s3Url);
    const signer = new SignatureV4({
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
      region: 'local-1',
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method,
        protocol: 'http:',
        hostname: u.hostname,
        port: Number(u.port),
        path,
        headers: { host: u.host, ...headers },
        body,
      }),
    );
    const r = await fetch(`${p.s3Url}${path}`, { method, headers: signed.headers, body });
    return { status: r.status, body: await r.text() };
  }
});
