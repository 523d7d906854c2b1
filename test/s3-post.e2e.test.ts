/**
 * S3 browser uploads (POST Object) against the real @aws-sdk/s3-presigned-post: a policy signed by
 * `createPresignedPost`, sent as a real multipart form by fetch + FormData (as a browser sends it),
 * path style and virtual-host style. Success statuses (204 / 201 XML / 200 / redirect), content
 * type and metadata, `${filename}` keys, session credentials, object events; and refusals, each an
 * S3 XML error with nothing stored: expired, tampered, condition failed, extra field, size range,
 * another bucket, no s3:PutObject, missing file or policy, body over the platform's limit.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const MAX_OBJECT = 1024 * 1024;
// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal key placeholder, not a template.
const FILENAME = '${filename}';
const unxml = (s: string) =>
  s.replace(
    /&(quot|apos|lt|gt|amp);/g,
    (_m, e: string) => ({ quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' })[e] ?? '',
  );

describe('S3 POST Object (browser uploads, real SDK presigned POST)', () => {
  let p: TestPlatform;
  let s3: S3Client;
  const admin = (): Creds => ({ accessKeyId: p.admin.keyId, secretAccessKey: p.secret });
  const client = (credentials: Creds = admin()) =>
    new S3Client({ endpoint: p.s3Url, region: 'local-1', forcePathStyle: true, credentials });
  const presign = (o: Omit<PresignedPostOptions, 'Bucket'> & { Bucket?: string }, credentials?: Creds) =>
    createPresignedPost(client(credentials), { Bucket: 'posts', ...o });
  /** The form a browser builds: the presigned fields, then extra fields, then the file (last). */
  const formOf = (
    fields: Record<string, string>,
    file: { body: string | Buffer; name?: string; type?: string } | undefined,
    extra: Record<string, string> = {},
  ) => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...fields, ...extra })) form.append(k, v);
    if (file)
      form.append(
        'file',
        new Blob([Buffer.from(file.body)], { type: file.type ?? 'application/octet-stream' }),
        file.name ?? 'upload.bin',
      );
    return form;
  };
  const post = async (url: string, form: FormData, init: RequestInit = {}) => {
    const r = await fetch(url, { method: 'POST', body: form, ...init });
    const body = await r.text();
    return { status: r.status, body, headers: r.headers, code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] };
  };
  const text = async (body: unknown) =>
    Buffer.from(
      await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    ).toString();
  const exists = async (key: string, bucket = 'posts') =>
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      (e: { name?: string }) => {
        if (e.name === 'NotFound') return false;
        throw e;
      },
    );
  const newKey = async (policies: unknown[]): Promise<Creds> => {
    const r = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', { policies });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return { accessKeyId: r.body.key.keyId, secretAccessKey: r.body.secret };
  };
  const refused = async (key: string, status: number, code: string, r: { status: number; body: string }) => {
    assert.equal(r.status, status, r.body);
    assert.match(r.body, new RegExp(`<Code>${code}</Code>`), r.body);
    assert.equal(await exists(key), false, `${key} must not be stored`);
  };

  before(async () => {
    p = await startTestPlatform({ s3MaxObjectBytes: MAX_OBJECT });
    s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'posts' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'other' }));
  });
  after(async () => {
    await p?.stop();
  });

  it('stores a form signed by createPresignedPost: 204 with ETag and Location, content type, metadata', async () => {
    const { url, fields } = await presign({
      Key: 'forms/hello.txt',
      Conditions: [
        ['content-length-range', 1, 1024],
        ['starts-with', '$Content-Type', 'text/'],
      ],
      Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-owner': 'ada' },
      Expires: 120,
    });
    assert.equal(url, `${p.s3Url}/posts`);
    const body = 'hello from a browser form';
    const r = await post(url, formOf(fields, { body, name: 'hello.txt', type: 'text/plain' }));
    assert.equal(r.status, 204, r.body);
    assert.equal(r.body, '');
    assert.equal(r.headers.get('etag'), `"${createHash('md5').update(body).digest('hex')}"`);
    assert.equal(r.headers.get('location'), `${p.s3Url}/posts/forms/hello.txt`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'posts', Key: 'forms/hello.txt' }));
    assert.equal(await text(got.Body), body);
    assert.equal(got.ContentType, 'text/plain');
    assert.deepEqual(got.Metadata, { owner: 'ada' });
  });

  it('answers 201 with the PostResponse XML, 200 empty, and 303 to success_action_redirect', async () => {
    const created = await presign({ Key: 'forms/201.txt', Fields: { success_action_status: '201' } });
    const r = await post(created.url, formOf(created.fields, { body: '201!' }));
    assert.equal(r.status, 201, r.body);
    assert.match(r.headers.get('content-type') ?? '', /application\/xml/);
    const etag = createHash('md5').update('201!').digest('hex');
    assert.match(r.body, /^<\?xml version="1\.0" encoding="UTF-8"\?><PostResponse xmlns=/);
    assert.match(r.body, new RegExp(`<Location>${p.s3Url}/posts/forms/201\\.txt</Location>`));
    assert.match(r.body, /<Bucket>posts<\/Bucket><Key>forms\/201\.txt<\/Key>/);
    assert.match(r.body, new RegExp(`<ETag>(&quot;|")${etag}(&quot;|")</ETag>`));

    const ok = await presign({ Key: 'forms/200.txt', Fields: { success_action_status: '200' } });
    const r200 = await post(ok.url, formOf(ok.fields, { body: '200!' }));
    assert.equal(r200.status, 200, r200.body);
    assert.equal(r200.body, '');

    const odd = await presign({ Key: 'forms/odd.txt', Fields: { success_action_status: '302' } });
    assert.equal((await post(odd.url, formOf(odd.fields, { body: 'odd' }))).status, 204, 'unsupported → 204');

    const redirect = await presign({
      Key: 'forms/redirected.txt',
      Fields: { success_action_redirect: 'https://app.example/done?from=form' },
    });
    const r303 = await post(redirect.url, formOf(redirect.fields, { body: 'redirect me' }), {
      redirect: 'manual',
    });
    assert.equal(r303.status, 303, r303.body);
    const to = new URL(r303.headers.get('location') ?? '');
    assert.equal(to.origin + to.pathname, 'https://app.example/done');
    assert.equal(to.searchParams.get('from'), 'form');
    assert.equal(to.searchParams.get('bucket'), 'posts');
    assert.equal(to.searchParams.get('key'), 'forms/redirected.txt');
    assert.equal(to.searchParams.get('etag'), `"${createHash('md5').update('redirect me').digest('hex')}"`);
    assert.ok(await exists('forms/redirected.txt'));
  });

  it('names the object from the filename placeholder (the last path component of the name sent)', async () => {
    const { url, fields } = await presign({ Key: `uploads/${FILENAME}` });
    assert.equal(fields.key, `uploads/${FILENAME}`);
    const r = await post(url, formOf(fields, { body: 'PNG…', name: 'cat photo.png', type: 'image/png' }));
    assert.equal(r.status, 204, r.body);
    assert.equal(r.headers.get('location'), `${p.s3Url}/posts/uploads/cat%20photo.png`);
    assert.ok(await exists('uploads/cat photo.png'));
    // A client that sends a path: only its last component names the object (as S3 does).
    const win = await post(url, formOf(fields, { body: 'x', name: 'C:\\Users\\ada\\report.pdf' }));
    assert.equal(win.status, 204, win.body);
    assert.ok(await exists('uploads/report.pdf'));
    // Whatever the name, the stored key must still satisfy the policy's `$key` prefix.
    const outside = await post(url, formOf({ ...fields, key: FILENAME }, { body: 'x', name: 'escape.txt' }));
    await refused('escape.txt', 403, 'AccessDenied', outside);
    assert.match(unxml(outside.body), /Policy Condition failed: \["starts-with","\$key","uploads\/"\]/);
  });

  it('accepts virtual-host style POSTs (bucket in the Host header)', async () => {
    const { fields } = await presign({ Key: 'vhost/one.txt' });
    const req = new Request('http://x/', { method: 'POST', body: formOf(fields, { body: 'via vhost' }) });
    const body = Buffer.from(await req.arrayBuffer());
    const u = new URL(p.s3Url);
    const r = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      const out = request(
        {
          host: u.hostname,
          port: u.port,
          method: 'POST',
          path: '/',
          headers: {
            host: `posts.localhost:${u.port}`,
            'content-type': req.headers.get('content-type') ?? '',
            'content-length': body.length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
        },
      );
      out.on('error', reject);
      out.end(body);
    });
    assert.equal(r.status, 204);
    assert.equal(r.location, `http://posts.localhost:${u.port}/vhost/one.txt`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'posts', Key: 'vhost/one.txt' }));
    assert.equal(await text(got.Body), 'via vhost');
  });

  it('refuses an expired policy (AccessDenied, Policy expired)', async () => {
    const { url, fields } = await presign({ Key: 'refused/expired.txt', Expires: -5 });
    const r = await post(url, formOf(fields, { body: 'late' }));
    await refused('refused/expired.txt', 403, 'AccessDenied', r);
    assert.match(r.body, /Invalid according to Policy: Policy expired\./);
  });

  it('refuses a tampered policy or signature (SignatureDoesNotMatch)', async () => {
    const { url, fields } = await presign({
      Key: 'refused/tampered.txt',
      Conditions: [['content-length-range', 0, 4]],
    });
    const doc = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString()) as {
      conditions: unknown[];
    };
    doc.conditions = doc.conditions.map((c) =>
      Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 0, 1_000_000] : c,
    );
    const tampered = { ...fields, Policy: Buffer.from(JSON.stringify(doc)).toString('base64') };
    await refused(
      'refused/tampered.txt',
      403,
      'SignatureDoesNotMatch',
      await post(url, formOf(tampered, { body: 'more than four bytes' })),
    );
    const badSig = { ...fields, 'X-Amz-Signature': '0'.repeat(64) };
    await refused(
      'refused/tampered.txt',
      403,
      'SignatureDoesNotMatch',
      await post(url, formOf(badSig, { body: 'ok' })),
    );
    // Signed with a wrong secret for a real key id.
    const wrong = await presign({ Key: 'refused/tampered.txt' }, { ...admin(), secretAccessKey: 'wrong' });
    await refused(
      'refused/tampered.txt',
      403,
      'SignatureDoesNotMatch',
      await post(wrong.url, formOf(wrong.fields, { body: 'ok' })),
    );
    // An unknown access key id.
    const unknown = await presign(
      { Key: 'refused/tampered.txt' },
      { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x' },
    );
    await refused(
      'refused/tampered.txt',
      403,
      'InvalidAccessKeyId',
      await post(unknown.url, formOf(unknown.fields, { body: 'ok' })),
    );
  });

  it('enforces content-length-range (EntityTooLarge / EntityTooSmall)', async () => {
    const { url, fields } = await presign({
      Key: 'refused/size.txt',
      Conditions: [['content-length-range', 5, 10]],
    });
    await refused(
      'refused/size.txt',
      400,
      'EntityTooLarge',
      await post(url, formOf(fields, { body: '12345678901' })),
    );
    await refused(
      'refused/size.txt',
      400,
      'EntityTooSmall',
      await post(url, formOf(fields, { body: '1234' })),
    );
    assert.equal((await post(url, formOf(fields, { body: '1234567890' }))).status, 204);
  });

  it('refuses a field no condition names, and a failed condition (AccessDenied)', async () => {
    const { url, fields } = await presign({
      Key: 'refused/fields.txt',
      Conditions: [['starts-with', '$Content-Type', 'image/']],
      Fields: { 'Content-Type': 'image/png' },
    });
    const extra = await post(url, formOf(fields, { body: 'x' }, { 'x-amz-meta-sneaky': 'yes' }));
    await refused('refused/fields.txt', 403, 'AccessDenied', extra);
    assert.match(extra.body, /Extra input fields: x-amz-meta-sneaky/);
    const failed = await post(url, formOf({ ...fields, 'Content-Type': 'text/html' }, { body: '<script>' }));
    await refused('refused/fields.txt', 403, 'AccessDenied', failed);
    assert.match(failed.body, /Policy Condition failed: .*Content-Type/);
    const otherKey = await post(url, formOf({ ...fields, key: 'refused/elsewhere.txt' }, { body: 'x' }));
    await refused('refused/elsewhere.txt', 403, 'AccessDenied', otherKey);
    // x-ignore-* fields need no condition.
    const ignored = await post(url, formOf(fields, { body: 'x' }, { 'x-ignore-tracking': '42' }));
    assert.equal(ignored.status, 204, ignored.body);
    assert.ok(await exists('refused/fields.txt'));
  });

  it('checks the bucket condition against the bucket addressed', async () => {
    const { fields } = await presign({ Key: 'moved.txt' });
    // The same form sent to another bucket of the same account.
    const moved = await post(`${p.s3Url}/other`, formOf(fields, { body: 'x' }));
    assert.equal(moved.status, 400, moved.body);
    assert.equal(await exists('moved.txt', 'other'), false);
    const { bucket: _b, ...noBucketField } = fields;
    const r = await post(`${p.s3Url}/other`, formOf(noBucketField, { body: 'x' }));
    assert.equal(r.status, 403, r.body);
    assert.match(unxml(r.body), /Policy Condition failed: \{"bucket":"posts"\}/);
    assert.equal(await exists('moved.txt', 'other'), false);
  });

  it('authorizes the signing principal for s3:PutObject on the key', async () => {
    const readOnly = await newKey(['ReadOnly']);
    const ro = await presign({ Key: 'iam/readonly.txt' }, readOnly);
    await refused(
      'iam/readonly.txt',
      403,
      'AccessDenied',
      await post(ro.url, formOf(ro.fields, { body: 'x' })),
    );
    const scoped = await newKey([
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::posts/iam/allowed/*' },
        ],
      },
    ]);
    const yes = await presign({ Key: 'iam/allowed/a.txt' }, scoped);
    assert.equal((await post(yes.url, formOf(yes.fields, { body: 'in scope' }))).status, 204);
    assert.ok(await exists('iam/allowed/a.txt'));
    const no = await presign({ Key: 'iam/denied/a.txt' }, scoped);
    await refused(
      'iam/denied/a.txt',
      403,
      'AccessDenied',
      await post(no.url, formOf(no.fields, { body: 'x' })),
    );
    // The audit log names the signer, the action and the object, allowed or denied.
    const audit = await p.json<{ records: { action: string; resource: string; result: string }[] }>(
      'GET',
      `/v1/audit?action=s3:PutObject&principal=${encodeURIComponent(`key/${scoped.accessKeyId}`)}&limit=100`,
    );
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    assert.deepEqual(audit.body.records.map((r) => [r.action, r.resource, r.result]).sort(), [
      ['s3:PutObject', 'arn:aws:s3:::posts/iam/allowed/a.txt', 'ok'],
      ['s3:PutObject', 'arn:aws:s3:::posts/iam/denied/a.txt', 'denied'],
    ]);
  });

  it('refuses a form without a file, without a policy, or over the size limits', async () => {
    const { url, fields } = await presign({ Key: 'refused/limits.bin' });
    const noFile = await post(url, formOf(fields, undefined));
    await refused('refused/limits.bin', 400, 'InvalidArgument', noFile);
    const { Policy: _p, ...noPolicy } = fields;
    await refused(
      'refused/limits.bin',
      400,
      'InvalidPolicyDocument',
      await post(url, formOf(noPolicy, { body: 'x' })),
    );
    // Over the object limit, within the body limit: refused by the same check PUT Object has.
    await refused(
      'refused/limits.bin',
      400,
      'EntityTooLarge',
      await post(url, formOf(fields, { body: Buffer.alloc(MAX_OBJECT + 1) })),
    );
    // Over the platform's body limit.
    await refused(
      'refused/limits.bin',
      400,
      'EntityTooLarge',
      await post(url, formOf(fields, { body: Buffer.alloc(MAX_OBJECT + 2 * 1024 * 1024) })),
    );
    assert.equal(await exists('refused/limits.bin'), false);
    // A POST that is not a form is still not an S3 operation on a bucket.
    const plain = await fetch(`${p.s3Url}/posts`, { method: 'POST', body: 'x' });
    assert.equal(plain.status, 403);
  });

  it('signs with temporary credentials (x-amz-security-token) of a function role', async () => {
    const role = await p.json('PUT', '/v1/roles/uploader', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::posts/session/*' }],
        },
      ],
    });
    assert.equal(role.status, 200, JSON.stringify(role.body));
    const dir = await fixture({
      'index.mjs': `export const handler = async () => ({ id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN });`,
    });
    const d = await p.deployDir('signer', dir, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      role: 'uploader',
    });
    assert.ok(d.status < 300, JSON.stringify(d.body));
    type Env = { id: string; secret: string; token: string };
    const inv = await p.json<{ result?: Env } & Partial<Env>>('POST', '/v1/functions/signer/invoke', {});
    assert.equal(inv.status, 200, JSON.stringify(inv.body));
    const env = (inv.body.result ?? inv.body) as Env;
    const creds = { accessKeyId: env.id, secretAccessKey: env.secret, sessionToken: env.token };
    assert.ok(creds.sessionToken, 'the function has session credentials');
    const ok = await presign({ Key: 'session/by-function.txt' }, creds);
    assert.equal(ok.fields['X-Amz-Security-Token'], creds.sessionToken);
    const r = await post(ok.url, formOf(ok.fields, { body: 'from a role' }));
    assert.equal(r.status, 204, r.body);
    assert.ok(await exists('session/by-function.txt'));
    // The role's scope holds; a forged token does not authenticate.
    const outside = await presign({ Key: 'elsewhere/by-function.txt' }, creds);
    await refused(
      'elsewhere/by-function.txt',
      403,
      'AccessDenied',
      await post(outside.url, formOf(outside.fields, { body: 'x' })),
    );
    const forged = await presign(
      { Key: 'session/forged.txt' },
      { ...creds, sessionToken: `${creds.sessionToken}x` },
    );
    const f = await post(forged.url, formOf(forged.fields, { body: 'x' }));
    assert.equal(f.status, 403, f.body);
    assert.equal(await exists('session/forged.txt'), false);
  });

  it('fires the same object event as PUT Object (ObjectCreated:Put to a subscribed function)', async () => {
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => { console.log('EVENT ' + JSON.stringify(e.Records.map((r) => [r.eventName, r.s3.bucket.name, r.s3.object.key, r.s3.object.size]))); };`,
    });
    const d = await p.deployDir('on-post', dir, { runtime: 'nodejs24.x', handler: 'index.handler' });
    assert.ok(d.status < 300, JSON.stringify(d.body));
    const sub = await p.json('PUT', '/v1/functions/on-post/bucket-events', {
      events: [{ bucket: 'posts', events: ['s3:ObjectCreated:*'], prefix: 'events/' }],
    });
    assert.equal(sub.status, 200, JSON.stringify(sub.body));
    const { url, fields } = await presign({ Key: `events/${FILENAME}` });
    assert.equal((await post(url, formOf(fields, { body: 'event!', name: 'e.txt' }))).status, 204);
    const end = Date.now() + 20_000;
    let line: string | undefined;
    while (!line && Date.now() < end) {
      const logs = await p.json<{ lines: { message: string }[] }>(
        'GET',
        '/v1/functions/on-post/logs?limit=100',
      );
      line = logs.body.lines?.map((l) => l.message).find((m) => m.includes('EVENT '));
      if (!line) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(line, `no event logged; platform log tail:\n${p.logs.slice(-10).join('\n')}`);
    assert.deepEqual(JSON.parse(line.slice(line.indexOf('EVENT ') + 6)), [
      ['ObjectCreated:Put', 'posts', 'events/e.txt', 6],
    ]);
  });

  it('lists what the refusals left behind: nothing', async () => {
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'posts', Prefix: 'refused/' }));
    assert.deepEqual(
      (all.Contents ?? []).map((o) => o.Key),
      ['refused/fields.txt', 'refused/size.txt'],
    );
  });
});
