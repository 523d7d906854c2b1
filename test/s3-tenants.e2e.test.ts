/**
 * Buckets per tenant, with the real @aws-sdk/client-s3: tenants alpha and bravo (and the default
 * tenant) each create `photos` and keep their own objects under the same keys; ListBuckets shows a
 * tenant its own names only; every operation on a bucket only alpha has answers bravo exactly as
 * for a name nobody has (NoSuchBucket), CopyObject's source included; presigned URLs and
 * virtual-host style work per tenant; bucket notifications (manifest and REST) and the object
 * events they deliver stay in their tenant and name the bucket as the tenant knows it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { zipDirectory } from '../src/registry/build/index.ts';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { rawGet, sigv4GetHeaders } from './support/raw-http.ts';
import { type Sink, type SinkRequest, startSink } from './support/sink.ts';

type Tenant = 'alpha' | 'bravo' | 'default';
interface Note {
  bucket: string;
  function: string;
  origin: string;
  events: string[];
}
/** The fields of the REST answers this test reads. */
interface Answer {
  buckets: { name: string }[];
  notifications: Note[];
  events: Note[];
}
interface S3Record {
  eventName: string;
  userIdentity: { principalId: string };
  s3: { bucket: { name: string; arn: string }; object: { key: string } };
}

describe('S3 buckets per tenant (real AWS SDK)', () => {
  let p: TestPlatform;
  let sink: Sink;
  const creds: Partial<Record<Tenant, { keyId: string; secret: string }>> = {};
  const clients: Partial<Record<Tenant, S3Client>> = {};
  const s3 = (t: Tenant) => clients[t]!;
  /** What each tenant's `on-object` function received: [its tenant, the record]. */
  const received: [string, S3Record][] = [];
  const onSink = (r: SinkRequest) => {
    const m = JSON.parse(r.body) as { tenant: string; event: { Records: S3Record[] } };
    for (const rec of m.event.Records) received.push([m.tenant, rec]);
  };
  const as = async (t: Tenant, method: string, path: string, body?: unknown) => {
    const r = await fetch(`${p.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${creds[t]!.secret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : {}) as Answer };
  };
  const text = async (body: unknown) =>
    Buffer.from(
      await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    ).toString();
  /** An S3 answer reduced to what a caller could compare: status, error code, message. */
  const outcome = async (pr: Promise<unknown>, bucket: string) => {
    try {
      await pr;
      return 'no error';
    } catch (e) {
      const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return `${err.$metadata?.httpStatusCode} ${err.name}: ${err.message.replaceAll(bucket, '<bucket>')}`;
    }
  };

  before(async () => {
    sink = await startSink(onSink);
    p = await startTestPlatform();
    creds.default = { keyId: p.admin.keyId, secret: p.secret };
    for (const t of ['alpha', 'bravo'] as const) {
      const c = await p.json('POST', '/v1/tenants', { id: t });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const k = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
        tenant: t,
        policies: ['AdministratorAccess'],
      });
      assert.ok(k.status < 300, JSON.stringify(k.body));
      creds[t] = { keyId: k.body.key.keyId, secret: k.body.secret };
    }
    for (const t of ['alpha', 'bravo', 'default'] as const)
      clients[t] = new S3Client({
        endpoint: p.s3Url,
        region: 'local-1',
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: { accessKeyId: creds[t]!.keyId, secretAccessKey: creds[t]!.secret },
      });
    // The same function name in both tenants; each says whose it is.
    for (const t of ['alpha', 'bravo'] as const) {
      const dir = await fixture({
        'index.mjs': `export const handler = async (e) => {
          await (await fetch('${sink.url}/', {
            method: 'POST',
            body: JSON.stringify({ tenant: '${t}', event: e }),
          })).text();
        };`,
      });
      const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
      const d = await as(t, 'PUT', '/v1/functions/on-object', {
        runtime: 'nodejs24.x',
        handler: 'index.handler',
        code: { zipBase64: zip },
      });
      assert.ok(d.status < 300, JSON.stringify(d.body));
    }
  });
  after(async () => {
    await p?.stop();
    sink?.close();
  });

  it('lets every tenant create the same bucket name and keeps their objects apart', async () => {
    for (const t of ['alpha', 'bravo', 'default'] as const) {
      await s3(t).send(new CreateBucketCommand({ Bucket: 'photos' }));
      await s3(t).send(new PutObjectCommand({ Bucket: 'photos', Key: 'same/key.txt', Body: `from ${t}` }));
    }
    await s3('alpha').send(new CreateBucketCommand({ Bucket: 'alpha-only' }));
    await s3('alpha').send(new PutObjectCommand({ Bucket: 'alpha-only', Key: 'secret.txt', Body: 'alpha' }));
    // Its own name again is its own duplicate, nobody else's.
    assert.match(
      await outcome(s3('alpha').send(new CreateBucketCommand({ Bucket: 'photos' })), 'photos'),
      /BucketAlreadyExists/,
    );
    for (const t of ['alpha', 'bravo', 'default'] as const) {
      const got = await s3(t).send(new GetObjectCommand({ Bucket: 'photos', Key: 'same/key.txt' }));
      assert.equal(await text(got.Body), `from ${t}`);
      const listed = await s3(t).send(new ListObjectsV2Command({ Bucket: 'photos' }));
      assert.deepEqual(
        listed.Contents?.map((c) => c.Key),
        ['same/key.txt'],
      );
      assert.equal(listed.Name, 'photos');
    }
  });

  it('lists only the tenant’s own buckets, by its names, with the tenant as owner', async () => {
    const names = async (t: Tenant) => {
      const r = await s3(t).send(new ListBucketsCommand({}));
      assert.equal(r.Owner?.ID, t);
      assert.equal(r.Owner?.DisplayName, t);
      return r.Buckets?.map((b) => b.Name);
    };
    assert.deepEqual(await names('alpha'), ['alpha-only', 'photos']);
    assert.deepEqual(await names('bravo'), ['photos']);
    assert.deepEqual(await names('default'), ['photos']);
    const rest = await as('alpha', 'GET', '/v1/buckets');
    assert.deepEqual(
      rest.body.buckets.map((b) => b.name),
      ['alpha-only', 'photos'],
    );
    assert.deepEqual(
      (await as('bravo', 'GET', '/v1/buckets')).body.buckets.map((b) => b.name),
      ['photos'],
    );
  });

  it('answers a bucket only alpha has exactly like a name nobody has (NoSuchBucket)', async () => {
    const b = s3('bravo');
    const ops: [string, (bucket: string) => Promise<unknown>][] = [
      ['HeadBucket', (x) => b.send(new HeadBucketCommand({ Bucket: x }))],
      ['ListObjectsV2', (x) => b.send(new ListObjectsV2Command({ Bucket: x }))],
      ['GetObject', (x) => b.send(new GetObjectCommand({ Bucket: x, Key: 'secret.txt' }))],
      ['HeadObject', (x) => b.send(new HeadObjectCommand({ Bucket: x, Key: 'secret.txt' }))],
      ['PutObject', (x) => b.send(new PutObjectCommand({ Bucket: x, Key: 'secret.txt', Body: 'bravo' }))],
      ['DeleteObject', (x) => b.send(new DeleteObjectCommand({ Bucket: x, Key: 'secret.txt' }))],
      [
        'DeleteObjects',
        (x) => b.send(new DeleteObjectsCommand({ Bucket: x, Delete: { Objects: [{ Key: 'secret.txt' }] } })),
      ],
      ['DeleteBucket', (x) => b.send(new DeleteBucketCommand({ Bucket: x }))],
      // The copy source resolves in the caller's tenant too.
      [
        'CopyObject (source)',
        (x) =>
          b.send(new CopyObjectCommand({ Bucket: 'photos', Key: 'stolen', CopySource: `${x}/secret.txt` })),
      ],
      [
        'CopyObject (destination)',
        (x) => b.send(new CopyObjectCommand({ Bucket: x, Key: 'k', CopySource: 'photos/same/key.txt' })),
      ],
    ];
    for (const [name, op] of ops) {
      const owned = await outcome(op('alpha-only'), 'alpha-only');
      const nobody = await outcome(op('nobody-has-this'), 'nobody-has-this');
      assert.equal(owned, nobody, `${name}: alpha's bucket and nobody's answer alike`);
      assert.match(owned, /^404 (NoSuchBucket|NotFound)/, `${name}: ${owned}`);
    }
    // REST: notifications of a bucket only alpha has.
    for (const method of ['GET', 'PUT'] as const) {
      const path = (x: string) => `/v1/buckets/${x}/notifications`;
      const body = method === 'PUT' ? { notifications: [] } : undefined;
      const owned = await as('bravo', method, path('alpha-only'), body);
      const nobody = await as('bravo', method, path('nobody-has-this'), body);
      assert.equal(owned.status, 404);
      assert.deepEqual(
        JSON.stringify(owned.body)
          .replaceAll('alpha-only', '<bucket>')
          .replace(/"requestId":"[^"]*"/, ''),
        JSON.stringify(nobody.body)
          .replaceAll('nobody-has-this', '<bucket>')
          .replace(/"requestId":"[^"]*"/, ''),
      );
    }
    // alpha's data is as it was; bravo's copy attempt wrote nothing.
    const got = await s3('alpha').send(new GetObjectCommand({ Bucket: 'alpha-only', Key: 'secret.txt' }));
    assert.equal(await text(got.Body), 'alpha');
    assert.match(
      await outcome(b.send(new GetObjectCommand({ Bucket: 'photos', Key: 'stolen' })), 'photos'),
      /NoSuchKey/,
    );
    // bravo may have an `alpha-only` of its own: a new, empty bucket.
    await b.send(new CreateBucketCommand({ Bucket: 'alpha-only' }));
    assert.equal((await b.send(new ListObjectsV2Command({ Bucket: 'alpha-only' }))).KeyCount, 0);
    await b.send(new DeleteBucketCommand({ Bucket: 'alpha-only' }));
    assert.ok(await s3('alpha').send(new HeadBucketCommand({ Bucket: 'alpha-only' })));
  });

  it('copies within the tenant, resolving the source bucket in the caller’s tenant', async () => {
    await s3('alpha').send(
      new CopyObjectCommand({ Bucket: 'photos', Key: 'copied.txt', CopySource: 'alpha-only/secret.txt' }),
    );
    const got = await s3('alpha').send(new GetObjectCommand({ Bucket: 'photos', Key: 'copied.txt' }));
    assert.equal(await text(got.Body), 'alpha');
    // bravo's own photos → photos copy reads bravo's object.
    await s3('bravo').send(
      new CopyObjectCommand({ Bucket: 'photos', Key: 'copied.txt', CopySource: 'photos/same/key.txt' }),
    );
    const b = await s3('bravo').send(new GetObjectCommand({ Bucket: 'photos', Key: 'copied.txt' }));
    assert.equal(await text(b.Body), 'from bravo');
  });

  it('serves presigned URLs and virtual-host style requests from the signer’s tenant', async () => {
    for (const t of ['alpha', 'bravo'] as const) {
      const url = await getSignedUrl(s3(t), new GetObjectCommand({ Bucket: 'photos', Key: 'same/key.txt' }), {
        expiresIn: 60,
      });
      const r = await fetch(url);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), `from ${t}`);
    }
    const port = new URL(p.s3Url).port;
    for (const t of ['alpha', 'bravo'] as const) {
      const headers = await sigv4GetHeaders({
        credentials: { accessKeyId: creds[t]!.keyId, secretAccessKey: creds[t]!.secret },
        service: 's3',
        host: `photos.localhost:${port}`,
        path: '/same/key.txt',
      });
      const got = await rawGet(p.s3Url, '/same/key.txt', headers);
      assert.deepEqual(got, { status: 200, body: `from ${t}` });
    }
  });

  it('delivers object events of a tenant’s bucket to its own function, naming the bucket as it knows it', async () => {
    // Manifest events (both tenants, same function and bucket names): bravo's deploy keeps alpha's.
    for (const t of ['alpha', 'bravo'] as const) {
      const r = await as(t, 'PUT', '/v1/functions/on-object/bucket-events', {
        events: [{ bucket: 'photos', events: ['s3:ObjectCreated:*'], prefix: 'events/' }],
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(
        r.body.events.map((e) => [e.bucket, e.function]),
        [['photos', 'on-object']],
      );
    }
    // REST notifications: bravo adds one for deletes on its photos.
    const put = await as('bravo', 'PUT', '/v1/buckets/photos/notifications', {
      notifications: [{ function: 'on-object', events: ['s3:ObjectRemoved:*'], prefix: 'events/' }],
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.notifications[0]?.bucket, 'photos');
    const alphaNotes = await as('alpha', 'GET', '/v1/buckets/photos/notifications');
    assert.deepEqual(
      alphaNotes.body.notifications.map((n) => [n.bucket, n.origin, n.events]),
      [['photos', 'manifest', ['s3:ObjectCreated:*']]],
    );
    // A manifest bucket that is missing is created in the caller's tenant only.
    const made = await as('bravo', 'PUT', '/v1/functions/on-object/bucket-events', {
      events: [
        { bucket: 'photos', events: ['s3:ObjectCreated:*'], prefix: 'events/' },
        { bucket: 'alpha-only', events: ['s3:ObjectCreated:*'] },
      ],
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.deepEqual(
      (await s3('bravo').send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name),
      ['alpha-only', 'photos'],
    );
    assert.equal((await s3('bravo').send(new ListObjectsV2Command({ Bucket: 'alpha-only' }))).KeyCount, 0);

    await s3('alpha').send(new PutObjectCommand({ Bucket: 'photos', Key: 'events/a.txt', Body: 'a' }));
    await s3('bravo').send(new PutObjectCommand({ Bucket: 'photos', Key: 'events/b.txt', Body: 'b' }));
    await s3('bravo').send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'events/b.txt' }));
    // The default tenant's photos has no notifications: nothing for anyone.
    await s3('default').send(new PutObjectCommand({ Bucket: 'photos', Key: 'events/d.txt', Body: 'd' }));
    const end = Date.now() + 15_000;
    while (received.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 300));
    if (received.length < 3)
      console.log(`# events missing; platform log tail:\n${p.logs.slice(-20).join('\n')}`);
    assert.deepEqual(
      received
        .map(([t, r]) => [
          t,
          r.eventName,
          r.s3.bucket.name,
          r.s3.bucket.arn,
          r.s3.object.key,
          r.userIdentity.principalId,
        ])
        .sort(),
      [
        ['alpha', 'ObjectCreated:Put', 'photos', 'arn:aws:s3:::photos', 'events/a.txt', 'nimbus:alpha'],
        ['bravo', 'ObjectCreated:Put', 'photos', 'arn:aws:s3:::photos', 'events/b.txt', 'nimbus:bravo'],
        ['bravo', 'ObjectRemoved:Delete', 'photos', 'arn:aws:s3:::photos', 'events/b.txt', 'nimbus:bravo'],
      ],
    );
    assert.ok(!JSON.stringify(received).includes('~'), 'no storage name reaches a function');
  });
});
