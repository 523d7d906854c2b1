/**
 * The AWS SDK v3 the Node runtime provides, as Lambda does: a function imports
 * `@aws-sdk/client-s3` (ES module) or requires `@aws-sdk/client-sts` (CommonJS) without bundling
 * or installing it; the deploy leaves it out of the artifact; the unmodified client finds the
 * function's credentials and endpoint and does what the function's role allows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { sinkSkip } from './support/sink.ts';

describe('the AWS SDK provided by the Node runtime (e2e)', { skip: sinkSkip() }, () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
    const admin = new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
    });
    await admin.send(new CreateBucketCommand({ Bucket: 'sdk-out' }));
    const role = await p.api('PUT', '/v1/roles/sdk-writer', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::sdk-out/*' }],
        },
      ],
    });
    assert.equal(role.status, 200);
  });
  after(() => p?.stop());

  it('imports the SDK without bundling it; the artifact stays small; the role decides', async () => {
    const esm = await fixture({
      'index.mjs': `import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
const s3 = new S3Client({});
export const handler = async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'sdk-out', Key: 'hello.txt', Body: 'from the provided SDK' }));
  return 'written';
};`,
    });
    const d = await p.deployDir('esm-sdk', esm, {
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      role: 'sdk-writer',
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const size = (d.body as { function: { codeSize: number } }).function.codeSize;
    assert.ok(size < 10_000, `the SDK is not in the artifact (${size} bytes)`);
    const r = await p.json<{ result: string }>('POST', '/v1/functions/esm-sdk/invoke', {});
    assert.equal(r.body.result, 'written', JSON.stringify(r.body));
    const admin = new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
    });
    const got = await admin.send(new GetObjectCommand({ Bucket: 'sdk-out', Key: 'hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'from the provided SDK');
  });

  it('serves CommonJS require() and subpath imports of the provided packages', async () => {
    const cjs = await fixture({
      'index.js': `const { STSClient } = require('@aws-sdk/client-sts');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
exports.handler = async () => ({ sts: typeof STSClient, presign: typeof getSignedUrl });`,
    });
    const d = await p.deployDir('cjs-sdk', cjs, { runtime: 'nodejs20.x', handler: 'index.handler' });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const r = await p.json<{ result: { sts: string; presign: string } }>(
      'POST',
      '/v1/functions/cjs-sdk/invoke',
      {},
    );
    assert.deepEqual(r.body.result, { sts: 'function', presign: 'function' });
  });
});
