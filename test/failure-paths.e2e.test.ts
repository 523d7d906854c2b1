/**
 * Failure paths with no other home (issue 20): each case makes the platform fail the way it
 * promises and checks the coded outcome, so a regression in the failure handling fails here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

describe('presigned S3 URLs expire', () => {
  let p: TestPlatform;
  let s3: S3Client;
  before(async () => {
    p = await startTestPlatform();
    s3 = new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'expiry' }));
    await s3.send(new PutObjectCommand({ Bucket: 'expiry', Key: 'k.txt', Body: 'still here' }));
  });
  after(() => p?.stop());

  const signedAt = (secondsAgo: number, expiresIn: number) =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: 'expiry', Key: 'k.txt' }), {
      expiresIn,
      signingDate: new Date(Date.now() - secondsAgo * 1000),
    });

  it('serves a URL within X-Amz-Expires and refuses it (403) once that has elapsed', async () => {
    // Signed 2 minutes ago: valid for 10 minutes, so still good.
    const fresh = await fetch(await signedAt(120, 600));
    assert.equal(fresh.status, 200, await fresh.clone().text());
    assert.equal(await fresh.text(), 'still here');
    // Signed 2 minutes ago, valid for 60 s: expired a minute ago.
    const url = await signedAt(120, 60);
    assert.match(url, /X-Amz-Expires=60/);
    const stale = await fetch(url);
    const body = await stale.text();
    assert.equal(stale.status, 403, body);
    assert.match(body, /<Error><Code>\w+<\/Code>/);
    assert.doesNotMatch(body, /still here/);
    // The same URL before it expired was good: the refusal is the expiry, not the signature.
    assert.equal((await fetch(await signedAt(30, 60))).status, 200);
  });

  it('answers an expired URL as S3 does: AccessDenied, "Request has expired"', async () => {
    const body = await (await fetch(await signedAt(120, 60))).text();
    assert.match(body, /<Code>AccessDenied<\/Code>/);
    assert.match(body, /Request has expired/);
  });
});

describe('function responses over 6 MB', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p?.stop());

  for (const [runtime, file, handler, code] of [
    [
      'nodejs24.x',
      'index.mjs',
      'index.handler',
      `export const handler = async (e) => (e.big ? 'x'.repeat(7 * 1024 * 1024) : 'ok');`,
    ],
    [
      'python3.12',
      'app.py',
      'app.handler',
      `def handler(event, context):\n    return 'x' * (7 * 1024 * 1024) if event.get('big') else 'ok'\n`,
    ],
  ] as const) {
    it(`get the coded RESPONSE_TOO_LARGE error (${runtime}), and the instance keeps serving`, async () => {
      const dir = await fixture({
        [file]: `${code}\n`,
      });
      const name = `big-${runtime.replace(/\W/g, '')}`;
      assert.equal((await p.deployDir(name, dir, { runtime, handler })).status, 201);
      const r = await p.api('POST', `/v1/functions/${name}/invoke`, { big: true });
      const text = await r.text();
      assert.match(text, /NIMBUS_ERR_RUNTIME_RESPONSE_TOO_LARGE/, `${r.status} ${text.slice(0, 300)}`);
      assert.ok(text.length < 64 * 1024, 'the 7 MB body is not passed on');
      const ok = await p.json<{ result: unknown }>('POST', `/v1/functions/${name}/invoke`, {});
      assert.equal(ok.body.result, 'ok', 'the platform (and the function) keep serving');
    });
  }
});

describe('async failure paths: queue-age admission, a function deleted under its queue', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({ asyncMaxQueueLagSec: 1, functionConcurrency: 1 });
  });
  after(() => p?.stop());

  it('refuses an async submit with 429 once the oldest waiting event is older than the limit', async () => {
    const dir = await fixture({
      'index.mjs': `export const handler = async () => { await new Promise((r) => setTimeout(r, 4000)); return 1; };\n`,
    });
    assert.equal(
      (await p.deployDir('slow-q', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status,
      201,
    );
    const submit = () => p.api('POST', '/v1/functions/slow-q/invoke-async', {});
    // One runs (one at a time), the next two wait in the queue.
    for (let i = 0; i < 3; i++) assert.equal((await submit()).status, 202);
    // Fresh: still admitted.
    assert.equal((await submit()).status, 202);
    let refused: Response | undefined;
    const end = Date.now() + 10_000;
    while (!refused && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 250));
      const r = await submit();
      if (r.status === 429) refused = r;
      else assert.equal(r.status, 202);
    }
    assert.ok(refused, 'a submit was refused');
    assert.match(await refused.text(), /NIMBUS_ERR_ASYNC_QUEUE_TOO_OLD/);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  });

  it('dead-letters the events of a function deleted while they wait, with a clear reason', async () => {
    const dir = await fixture({
      'index.mjs': `export const handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return 1; };\n`,
    });
    assert.equal(
      (await p.deployDir('doomed', dir, { runtime: 'nodejs24.x', handler: 'index.handler' })).status,
      201,
    );
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await p.json<{ id: string }>('POST', '/v1/functions/doomed/invoke-async', {});
      assert.equal(r.status, 202);
      ids.push(r.body.id);
    }
    assert.equal((await p.api('DELETE', '/v1/functions/doomed')).status, 204);
    const states = async () =>
      Promise.all(
        ids.map(
          async (id) =>
            (await p.json<{ status: string; error?: unknown }>('GET', `/v1/invocations/${id}`)).body,
        ),
      );
    let last: { status: string; error?: unknown }[] = [];
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      last = await states();
      if (last.every((x) => x.status === 'succeeded' || x.status === 'failed')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const failed = last.filter((x) => x.status === 'failed');
    assert.ok(failed.length >= 2, JSON.stringify(last));
    for (const f of failed) assert.match(JSON.stringify(f.error), /FunctionNotFound/);
    // The platform is fine: another function still runs.
    const ok = await fixture({ 'index.mjs': 'export const handler = async () => 2;\n' });
    assert.equal(
      (await p.deployDir('after-doom', ok, { runtime: 'nodejs24.x', handler: 'index.handler' })).status,
      201,
    );
    assert.equal(
      (await p.json<{ result: unknown }>('POST', '/v1/functions/after-doom/invoke', {})).body.result,
      2,
    );
  });
});
