/**
 * Function execution roles, as a user of serverless.yml meets them: a project whose function uses
 * the real @aws-sdk/client-s3 (bundled with the function) and whose `provider.iam.role.statements`
 * allow `s3:PutObject` on one bucket. Deployed through the real CLI; the unmodified
 * `new S3Client({})` inside the function finds credentials and the endpoint in its environment,
 * writes the allowed bucket, is denied the other, and its temporary credentials stop working
 * once the function is deleted.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { cliRunner, fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { sinkSkip } from './support/sink.ts';

const SLS = `service: writer
provider:
  name: aws
  runtime: nodejs22.x
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [s3:PutObject, s3:GetObject]
          Resource: arn:aws:s3:::allowed-bkt/*
        - Effect: Allow
          Action: secretsmanager:GetSecretValue
          Resource: arn:aws:secretsmanager:*:*:secret:app-db
functions:
  write:
    handler: index.handler
`;

// The handler as a user writes it; the test bundles it with the SDK (the user's build step).
const HANDLER = `import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
const s3 = new S3Client({});
const sm = new SecretsManagerClient({});
export const handler = async (e) => {
  const out = { env: { endpoint: process.env.AWS_ENDPOINT_URL_S3 ?? null, region: process.env.AWS_REGION } };
  for (const b of e.buckets) {
    try {
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'from-function.txt', Body: 'written by a role' }));
      out[b] = 'ok';
    } catch (err) {
      out[b] = err.name;
    }
  }
  for (const id of e.secrets ?? []) {
    try {
      out['secret:' + id] = (await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
    } catch (err) {
      out['secret:' + id] = err.name;
    }
  }
  if (e.presign)
    out.presigned = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'allowed-bkt', Key: 'from-function.txt' }), { expiresIn: 300 });
  if (e.leak)
    out.creds = {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      sessionToken: process.env.AWS_SESSION_TOKEN,
    };
  return out;
};
`;

describe('function execution roles with temporary credentials (e2e)', { skip: sinkSkip() }, () => {
  let p: TestPlatform;
  let cli: ReturnType<typeof cliRunner>;
  let admin: S3Client;
  before(async () => {
    p = await startTestPlatform();
    cli = cliRunner(() => ({ ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret }));
    admin = new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
    });
    for (const b of ['allowed-bkt', 'other-bkt']) await admin.send(new CreateBucketCommand({ Bucket: b }));
    for (const [name, value] of [
      ['app-db', 'db-password-for-the-writer'],
      ['other', 'not-for-the-writer'],
    ])
      assert.equal((await p.api('PUT', `/v1/secrets/${name}`, { value })).status, 201);
  });
  after(() => p?.stop());

  it('writes the allowed bucket, is denied the other, and loses its credentials with the function', async () => {
    const dir = await fixture({ 'serverless.yml': SLS });
    await build({
      stdin: { contents: HANDLER, resolveDir: import.meta.dirname, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile: join(dir, 'index.mjs'),
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    const d = await cli('deploy', dir);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /role writer-dev-lambdaRole/);

    const role = await p.json<{ role: { policies: unknown[] } }>('GET', '/v1/roles/writer-dev-lambdaRole');
    assert.equal(role.status, 200);
    // serverless.yml: function `write` of service `writer` deploys as writer-dev-write.
    const fn = await p.json<{ function: { role?: string } }>('GET', '/v1/functions/writer-dev-write');
    assert.equal(fn.body.function.role, 'writer-dev-lambdaRole');

    const inv = await p.json<Record<string, unknown>>('POST', '/v1/functions/writer-dev-write/invoke', {
      buckets: ['allowed-bkt', 'other-bkt'],
      secrets: ['app-db', 'other'],
      presign: true,
      leak: true,
    });
    assert.equal(inv.status, 200, JSON.stringify(inv.body));
    const out = (inv.body as { result?: Record<string, unknown> }).result ?? inv.body;
    assert.equal(out['allowed-bkt'], 'ok', JSON.stringify(out));
    assert.equal(out['other-bkt'], 'AccessDenied', JSON.stringify(out));
    const got = await admin.send(new GetObjectCommand({ Bucket: 'allowed-bkt', Key: 'from-function.txt' }));
    assert.equal(await got.Body!.transformToString(), 'written by a role');
    // Secrets Manager through the real SDK inside the function: the one secret its role names.
    assert.equal(out['secret:app-db'], 'db-password-for-the-writer');
    assert.equal(out['secret:other'], 'AccessDeniedException');
    // A URL the function presigned with its session credentials (X-Amz-Security-Token in the query).
    const url = String(out.presigned);
    assert.match(url, /X-Amz-Security-Token=/);
    assert.equal(await (await fetch(url)).text(), 'written by a role');
    // The audit log names the role session for the write and for the denial.
    await new Promise((r) => setTimeout(r, 150));
    const audit = await p.json<{ records: { principal: string; action: string; result: string }[] }>(
      'GET',
      '/v1/audit?principal=role%2Fwriter-dev-lambdaRole%2Fwriter-dev-write',
    );
    const seen = audit.body.records.map((r) => `${r.action} ${r.result}`);
    assert.ok(seen.includes('s3:PutObject ok'), JSON.stringify(seen));
    assert.ok(seen.includes('s3:PutObject denied'), JSON.stringify(seen));
    assert.ok(seen.includes('secretsmanager:GetSecretValue denied'), JSON.stringify(seen));

    // The function's credentials, used from outside: they work while the function exists…
    const creds = out.creds as { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    assert.match(creds.accessKeyId, /^ASIA/);
    const stolen = new S3Client({
      endpoint: p.s3Url,
      region: 'local-1',
      forcePathStyle: true,
      credentials: creds,
    });
    await stolen.send(new PutObjectCommand({ Bucket: 'allowed-bkt', Key: 'stolen.txt', Body: 'x' }));
    // …and never beyond the role.
    await assert.rejects(
      stolen.send(new PutObjectCommand({ Bucket: 'other-bkt', Key: 'stolen.txt', Body: 'x' })),
      (e: Error) => e.name === 'AccessDenied',
    );
    await assert.rejects(
      fetch(`${p.apiUrl}/v1/keys`, { headers: { authorization: `Bearer ${creds.secretAccessKey}` } }).then(
        async (r) => {
          if (r.status !== 401 && r.status !== 403) throw new Error(`status ${r.status}`);
          throw new Error('refused');
        },
      ),
      /refused/,
    );

    const del = await cli('functions', 'delete', 'writer-dev-write');
    assert.equal(del.code, 0, del.stderr);
    // Deleted: the session is revoked (within the 1 s cache).
    await new Promise((r) => setTimeout(r, 1100));
    await assert.rejects(
      stolen.send(new PutObjectCommand({ Bucket: 'allowed-bkt', Key: 'after-delete.txt', Body: 'x' })),
      (e: Error) => e.name === 'InvalidAccessKeyId',
    );
    assert.equal((await fetch(url)).status, 403, 'the presigned URL died with the function');
  });
});
