/**
 * boto3 in the Python runtime, as Lambda provides it: an unmodified `boto3.client('s3')` inside a
 * function finds its temporary credentials and AWS_ENDPOINT_URL_S3 (Debian's boto3 predates that
 * variable: the harness teaches older botocore versions to read it), and its role decides.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { sinkSkip } from './support/sink.ts';

/** boto3 comes from Debian (python3-boto3); in CI its absence fails the test. */
function boto3Skip(): string | false {
  try {
    // The system interpreter: the one sandboxes run (a pyenv one under /root is not reachable there).
    execFileSync('/usr/bin/python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return sinkSkip();
  } catch {
    return process.env.CI === 'true' ? false : 'boto3 is not installed (apt-get install python3-boto3)';
  }
}

describe('boto3 in the Python runtime (e2e)', { skip: boto3Skip() }, () => {
  let p: TestPlatform;
  let admin: S3Client;
  before(async () => {
    p = await startTestPlatform();
    admin = new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
    });
    for (const b of ['py-out', 'py-other']) await admin.send(new CreateBucketCommand({ Bucket: b }));
    const role = await p.api('PUT', '/v1/roles/py-writer', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::py-out/*' }],
        },
      ],
    });
    assert.equal(role.status, 200);
  });
  after(() => p?.stop());

  it('writes the bucket its role allows and is denied another', async () => {
    const dir = await fixture({
      'app.py': `import boto3
from botocore.exceptions import ClientError

s3 = boto3.client("s3")


def handler(event, context):
    out = {}
    for bucket in ["py-out", "py-other"]:
        try:
            s3.put_object(Bucket=bucket, Key="from-python.txt", Body=b"written by boto3")
            out[bucket] = "ok"
        except ClientError as e:
            out[bucket] = e.response["Error"]["Code"]
    return out
`,
    });
    const d = await p.deployDir('py-boto3', dir, {
      runtime: 'python3.12',
      handler: 'app.handler',
      role: 'py-writer',
      timeoutSec: 10,
    });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const r = await p.json<{ result: Record<string, string> }>('POST', '/v1/functions/py-boto3/invoke', {});
    assert.deepEqual(r.body.result, { 'py-out': 'ok', 'py-other': 'AccessDenied' }, JSON.stringify(r.body));
    const got = await admin.send(new GetObjectCommand({ Bucket: 'py-out', Key: 'from-python.txt' }));
    assert.equal(await got.Body!.transformToString(), 'written by boto3');
  });
});
