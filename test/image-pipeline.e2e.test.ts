/** examples/image-pipeline end to end: S3 upload → thumbnail → analyse → summary, with the real AWS SDK. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { cliRunner, startTestPlatform, type TestPlatform } from './helpers.ts';

/** A solid-colour PNG built with the example's own jimp (installed by the deploy). */
async function redSquare(): Promise<Buffer> {
  // Resolved at run time: the deploy installs the example's dependencies first.
  const path = '../examples/image-pipeline/node_modules/jimp/dist/esm/index.js';
  const { Jimp } = (await import(path)) as {
    Jimp: new (o: {
      width: number;
      height: number;
      color: number;
    }) => { getBuffer(m: string): Promise<Buffer> };
  };
  return new Jimp({ width: 400, height: 300, color: 0xdd2222ff }).getBuffer('image/png');
}

describe('examples/image-pipeline', () => {
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
    for (const b of ['images-thumbs', 'images-summary'])
      await s3.send(new CreateBucketCommand({ Bucket: b }));
    const cli = cliRunner(() => ({ ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret }));
    const d = await cli('deploy', 'examples/image-pipeline');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /bucket images-in/);
  });
  after(() => p?.stop());

  it('thumbnails, analyses and summarises an uploaded image', async () => {
    const png = await redSquare();
    await s3.send(
      new PutObjectCommand({
        Bucket: 'images-in',
        Key: 'uploads/red square.png',
        Body: png,
        ContentType: 'image/png',
      }),
    );
    const end = Date.now() + 60_000;
    let summary: Record<string, unknown> | undefined;
    while (!summary && Date.now() < end) {
      try {
        const r = await s3.send(new GetObjectCommand({ Bucket: 'images-summary', Key: 'red square.json' }));
        summary = JSON.parse(await r.Body!.transformToString());
      } catch {
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    assert.ok(summary, 'summary written');
    assert.equal(summary.width, 400);
    assert.equal(summary.height, 300);
    assert.equal(summary.dominant, 'red');
    assert.deepEqual((summary.thumb as { width: number; height: number }).width, 128);
    assert.equal((summary.thumb as { height: number }).height, 96);
    assert.ok((summary.compressedBytes as number) > 0);
    const thumb = await s3.send(new GetObjectCommand({ Bucket: 'images-thumbs', Key: 'red square.png' }));
    assert.equal(thumb.ContentType, 'image/png');
  });
});
