/**
 * Secrets end to end on a real platform: REST (names with `/`, versions, the master key
 * rotation), the real `@aws-sdk/client-secrets-manager` (SigV4, AWS JSON 1.1 and its error
 * shapes), tenant isolation and IAM denials, the CLI, and a sweep for leaks: no secret value may
 * appear in the platform log (at debug level), in metadata answers or in the audit log.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { cliRunner, sdkError, startTestPlatform, type TestPlatform } from './helpers.ts';

const REGION = 'local-1';
const ACCOUNT = '000000000000';
/** Every value written in this file: none may leak anywhere but a value read. */
const written: string[] = [];
const val = (label: string) => {
  const v = `${label}-${randomBytes(9).toString('hex')}`;
  written.push(v);
  return v;
};

const errorOf = sdkError;

describe('secrets e2e (REST, Secrets Manager SDK, CLI)', () => {
  let p: TestPlatform;
  let sm: SecretsManagerClient;
  const seen: string[] = []; // every metadata answer, swept for values at the end
  const client = (accessKeyId: string, secretAccessKey: string) =>
    new SecretsManagerClient({
      endpoint: p.apiUrl,
      region: REGION,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });
  const path = (name: string) => `/v1/secrets/${encodeURIComponent(name)}`;
  const rest = async <T = Record<string, unknown>>(
    method: string,
    url: string,
    body?: unknown,
    secret?: string,
  ) => {
    const r = await fetch(`${p.apiUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${secret ?? p.secret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, text, body: (text ? JSON.parse(text) : {}) as T };
  };
  const newKey = async (policies: unknown[], tenant?: string, expiresIn?: string) => {
    const r = await rest<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
      policies,
      ...(tenant ? { tenant } : {}),
      ...(expiresIn ? { expiresIn } : {}),
    });
    assert.equal(r.status, 201, r.text);
    return { keyId: r.body.key.keyId, secret: r.body.secret };
  };

  before(async () => {
    p = await startTestPlatform({ logLevel: 'debug' });
    sm = client(p.admin.keyId, p.secret);
  });
  after(async () => {
    sm?.destroy();
    await p?.stop();
  });

  it('REST: put (201 then 200), metadata, value, rotate, list, delete; names with / and 512 characters', async () => {
    const name = 'app/db-url';
    const v1 = val('rest-v1');
    const c = await rest('PUT', path(name), { value: v1, description: 'the database URL' });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.name, name);
    assert.equal(c.body.arn, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`);
    seen.push(c.text);
    const v2 = val('rest-v2');
    const u = await rest('PUT', path(name), { value: v2 });
    assert.equal(u.status, 200, u.text);
    assert.notEqual(u.body.versionId, c.body.versionId);
    assert.equal(u.body.description, 'the database URL');
    seen.push(u.text);

    const meta = await rest('GET', path(name));
    assert.equal(meta.status, 200);
    assert.equal(meta.body.versionId, u.body.versionId);
    assert.equal(meta.body.value, undefined);
    seen.push(meta.text);
    const got = await rest<{ value: string; versionId: string }>('GET', `${path(name)}/value`);
    assert.equal(got.status, 200);
    assert.equal(got.body.value, v2);

    const v3 = val('rest-v3');
    const rot = await rest('POST', `${path(name)}/rotate`, { value: v3 });
    assert.equal(rot.status, 200, rot.text);
    assert.notEqual(rot.body.versionId, u.body.versionId);
    seen.push(rot.text);
    assert.equal((await rest<{ value: string }>('GET', `${path(name)}/value`)).body.value, v3);
    // A secret named like the sub-resource is its own secret (the name is one encoded segment).
    const other = val('rest-other');
    assert.equal((await rest('PUT', path('app/db-url/value'), { value: other })).status, 201);
    assert.equal(
      (await rest<{ value: string }>('GET', `${path('app/db-url/value')}/value`)).body.value,
      other,
    );
    assert.equal((await rest<{ value: string }>('GET', `${path(name)}/value`)).body.value, v3);

    const long = `${'n/'.repeat(255)}xy`;
    assert.equal(long.length, 512);
    assert.equal((await rest('PUT', path(long), { value: val('long') })).status, 201);
    assert.equal((await rest('GET', path(long))).status, 200);

    const list = await rest<{ secrets: { name: string }[] }>('GET', '/v1/secrets');
    assert.ok(list.body.secrets.some((s) => s.name === name));
    seen.push(list.text);

    const bad = await rest<{ error: { code: string } }>('PUT', path('has space'), { value: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'NIMBUS_ERR_SECRETS_INVALID_NAME');
    // A syntax error near the value does not quote it back.
    const broken = val('broken-json');
    const mj = await rest<{ error: { code: string } }>('PUT', path(name), `{"value": "${broken}`);
    assert.equal(mj.status, 400);
    assert.equal(mj.body.error.code, 'NIMBUS_ERR_CORE_MALFORMED_JSON');
    assert.ok(!mj.text.includes(broken.slice(0, 12)), mj.text);
    const big = await rest<{ error: { code: string } }>('PUT', path('big'), { value: 'x'.repeat(65_537) });
    assert.equal(big.body.error.code, 'NIMBUS_ERR_SECRETS_TOO_LARGE');
    assert.equal((await rest('PUT', path('big'), { value: 'x'.repeat(65_536) })).status, 201);

    assert.equal((await rest('DELETE', path(name))).status, 204);
    const gone = await rest<{ error: { code: string } }>('GET', `${path(name)}/value`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'NIMBUS_ERR_SECRETS_NOT_FOUND');
    assert.equal((await rest('DELETE', path(name))).status, 404);
    assert.equal((await rest('POST', `${path(name)}/rotate`, { value: 'x' })).status, 404);
  });

  it('SDK: CreateSecret, GetSecretValue (name and ARN), PutSecretValue, DescribeSecret, ListSecrets, DeleteSecret', async () => {
    const v1 = val('sdk-v1');
    const created = await sm.send(
      new CreateSecretCommand({ Name: 'prod/api-token', SecretString: v1, Description: 'API token' }),
    );
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/api-token`;
    assert.equal(created.ARN, arn);
    assert.equal(created.Name, 'prod/api-token');
    assert.ok(created.VersionId);
    seen.push(JSON.stringify(created));

    const got = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/api-token' }));
    assert.equal(got.SecretString, v1);
    assert.equal(got.ARN, arn);
    assert.equal(got.VersionId, created.VersionId);
    assert.deepEqual(got.VersionStages, ['AWSCURRENT']);
    assert.ok(got.CreatedDate instanceof Date);
    assert.ok(Math.abs(got.CreatedDate.getTime() - Date.now()) < 60_000);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString, v1);

    const v2 = val('sdk-v2');
    const put = await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: v2 }));
    assert.notEqual(put.VersionId, created.VersionId);
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    seen.push(JSON.stringify(put));
    // The same ClientRequestToken and value again: the SDK's retry of a lost answer is a no-op.
    const token = '0c1f6a34-7d4e-4c55-9a0d-6d3c5f1e2b7a';
    const v3 = val('sdk-v3');
    const p1 = await sm.send(
      new PutSecretValueCommand({ SecretId: 'prod/api-token', SecretString: v3, ClientRequestToken: token }),
    );
    assert.equal(p1.VersionId, token);
    const p2 = await sm.send(
      new PutSecretValueCommand({ SecretId: 'prod/api-token', SecretString: v3, ClientRequestToken: token }),
    );
    assert.equal(p2.VersionId, token);
    const conflict = await errorOf(
      sm.send(
        new PutSecretValueCommand({
          SecretId: 'prod/api-token',
          SecretString: val('sdk-conflict'),
          ClientRequestToken: token,
        }),
      ),
    );
    assert.equal(conflict.name, 'ResourceExistsException');
    const current = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/api-token' }));
    assert.equal(current.SecretString, v3);
    assert.equal(
      (
        await errorOf(
          sm.send(new GetSecretValueCommand({ SecretId: 'prod/api-token', VersionId: put.VersionId })),
        )
      ).name,
      'ResourceNotFoundException',
    );

    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'prod/api-token' }));
    assert.equal(d.ARN, arn);
    assert.equal(d.Description, 'API token');
    assert.deepEqual(d.VersionIdsToStages, { [token]: ['AWSCURRENT'] });
    assert.ok(d.CreatedDate instanceof Date && d.LastChangedDate instanceof Date);
    seen.push(JSON.stringify(d));

    for (let i = 0; i < 5; i++)
      await sm.send(new CreateSecretCommand({ Name: `page/${i}`, SecretString: val(`page-${i}`) }));
    const names: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const l = await sm.send(
        new ListSecretsCommand({
          MaxResults: 2,
          NextToken: next,
          Filters: [{ Key: 'name', Values: ['page/'] }],
        }),
      );
      seen.push(JSON.stringify(l));
      names.push(...(l.SecretList ?? []).map((s) => s.Name!));
      next = l.NextToken;
      pages++;
    } while (next);
    assert.deepEqual(names, ['page/0', 'page/1', 'page/2', 'page/3', 'page/4']);
    assert.equal(pages, 3);
    const all = await sm.send(new ListSecretsCommand({}));
    seen.push(JSON.stringify(all));
    const entry = all.SecretList?.find((s) => s.Name === 'prod/api-token');
    assert.equal(entry?.ARN, arn);
    assert.deepEqual(entry?.SecretVersionsToStages, { [token]: ['AWSCURRENT'] });

    const del = await sm.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    assert.equal(del.ARN, arn);
    assert.ok(del.DeletionDate instanceof Date);
    const after = await errorOf(sm.send(new GetSecretValueCommand({ SecretId: 'prod/api-token' })));
    assert.equal(after.name, 'ResourceNotFoundException');
    assert.equal(after.status, 400);
    // A recovery window is accepted, but deletion is immediate.
    await sm.send(new DeleteSecretCommand({ SecretId: 'page/0', RecoveryWindowInDays: 7 }));
    assert.equal(
      (await errorOf(sm.send(new DescribeSecretCommand({ SecretId: 'page/0' })))).name,
      'ResourceNotFoundException',
    );
  });

  it('SDK: AWS error shapes for existence, validation and authentication', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'dup', SecretString: val('dup') }));
    const exists = await errorOf(
      sm.send(new CreateSecretCommand({ Name: 'dup', SecretString: val('dup2') })),
    );
    assert.equal(exists.name, 'ResourceExistsException');
    assert.match(exists.message, /NIMBUS_ERR_SECRETS_ALREADY_EXISTS/);
    assert.equal(
      (await errorOf(sm.send(new PutSecretValueCommand({ SecretId: 'nope', SecretString: 'x' })))).name,
      'ResourceNotFoundException',
    );
    assert.equal(
      (await errorOf(sm.send(new CreateSecretCommand({ Name: 'bad name', SecretString: 'x' })))).name,
      'InvalidParameterException',
    );
    assert.equal(
      (await errorOf(sm.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: new Uint8Array([1]) }))))
        .name,
      'InvalidParameterException',
    );
    assert.equal(
      (await errorOf(sm.send(new ListSecretsCommand({ NextToken: 'garbage!' })))).name,
      'InvalidNextTokenException',
    );
    // Another account's (or region's) ARN names nothing here.
    for (const foreign of [
      `arn:aws:secretsmanager:${REGION}:111122223333:secret:dup`,
      `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:dup`,
    ]) {
      const e = await errorOf(sm.send(new GetSecretValueCommand({ SecretId: foreign })));
      assert.equal(e.name, 'ResourceNotFoundException');
    }

    const unknown = client('AKIDNOSUCHKEY0000000', 'whatever-secret-0123456789');
    const u = await errorOf(unknown.send(new ListSecretsCommand({})));
    unknown.destroy();
    assert.equal(u.name, 'UnrecognizedClientException');
    const wrong = client(p.admin.keyId, 'not-the-secret-0123456789');
    const w = await errorOf(wrong.send(new GetSecretValueCommand({ SecretId: 'dup' })));
    wrong.destroy();
    assert.equal(w.name, 'InvalidSignatureException');
    const shortLived = await newKey(['AdministratorAccess'], undefined, '1s');
    await new Promise((r) => setTimeout(r, 1500));
    const expired = client(shortLived.keyId, shortLived.secret);
    const x = await errorOf(expired.send(new ListSecretsCommand({})));
    expired.destroy();
    assert.equal(x.name, 'ExpiredTokenException');

    // Raw protocol: no credentials, an unknown target, a body that is not JSON.
    const raw = (headers: Record<string, string>, body: string) =>
      fetch(`${p.apiUrl}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
        body,
      });
    const none = await raw({ 'x-amz-target': 'secretsmanager.ListSecrets' }, '{}');
    assert.equal(none.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.equal(none.status, 403);
    assert.equal(((await none.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    const auth = { authorization: `Bearer ${p.secret}` };
    const op = await raw({ ...auth, 'x-amz-target': 'secretsmanager.RotateSecret' }, '{}');
    assert.equal(op.status, 400);
    assert.equal(((await op.json()) as { __type: string }).__type, 'UnknownOperationException');
    const secretish = val('not-json');
    const sj = await raw(
      { ...auth, 'x-amz-target': 'secretsmanager.CreateSecret' },
      `{"SecretString":"${secretish}`,
    );
    const sjText = await sj.text();
    assert.equal(sj.status, 400);
    assert.equal(JSON.parse(sjText).__type, 'SerializationException');
    assert.ok(!sjText.includes(secretish.slice(0, 12)));
    assert.equal(sj.headers.get('content-type'), 'application/x-amz-json-1.1');
  });

  it('IAM and tenants: ReadOnly cannot read values; another tenant sees nothing; only operators rotate keys', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'iam/one', SecretString: val('iam') }));
    const ro = await newKey(['ReadOnly']);
    const roClient = client(ro.keyId, ro.secret);
    assert.equal((await roClient.send(new DescribeSecretCommand({ SecretId: 'iam/one' }))).Name, 'iam/one');
    const denied = await errorOf(roClient.send(new GetSecretValueCommand({ SecretId: 'iam/one' })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.status, 403);
    roClient.destroy();
    assert.equal((await rest('GET', `${path('iam/one')}/value`, undefined, ro.secret)).status, 403);
    // PUT on a new name needs CreateSecret; on an existing one PutSecretValue.
    const onlyPut = await newKey([
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'secretsmanager:PutSecretValue', Resource: '*' }],
      },
    ]);
    assert.equal((await rest('PUT', path('iam/one'), { value: val('iam2') }, onlyPut.secret)).status, 200);
    assert.equal((await rest('PUT', path('iam/new'), { value: val('iam3') }, onlyPut.secret)).status, 403);

    const t = await rest('POST', '/v1/tenants', { id: 'acme' });
    assert.equal(t.status, 201, t.text);
    const acme = await newKey(['AdministratorAccess'], 'acme');
    const acmeClient = client(acme.keyId, acme.secret);
    for (const id of ['iam/one', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:iam/one`]) {
      const e = await errorOf(acmeClient.send(new GetSecretValueCommand({ SecretId: id })));
      assert.equal(e.name, 'ResourceNotFoundException', id);
    }
    assert.deepEqual((await acmeClient.send(new ListSecretsCommand({}))).SecretList, []);
    // The same name in acme is acme's own secret.
    const acmeValue = val('acme');
    const c = await acmeClient.send(new CreateSecretCommand({ Name: 'iam/one', SecretString: acmeValue }));
    assert.match(c.ARN ?? '', /^arn:aws:secretsmanager:local-1:\d{12}:secret:iam\/one$/);
    assert.notEqual(c.ARN, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:iam/one`);
    assert.equal(
      (await acmeClient.send(new GetSecretValueCommand({ SecretId: 'iam/one' }))).SecretString,
      acmeValue,
    );
    assert.notEqual(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'iam/one' }))).SecretString,
      acmeValue,
    );
    acmeClient.destroy();
    assert.equal(
      (await rest('GET', `${path('iam/one')}/value`, undefined, acme.secret)).body.value,
      acmeValue,
    );
    const rot = await rest('POST', '/v1/secrets/rotate-master-key', undefined, acme.secret);
    assert.equal(rot.status, 403);
  });

  it('rotating the master key re-wraps every tenant’s secrets; values still read', async () => {
    const before = await rest<{ secrets: { name: string }[] }>('GET', '/v1/secrets');
    const values = new Map<string, string>();
    for (const s of before.body.secrets)
      values.set(s.name, (await rest<{ value: string }>('GET', `${path(s.name)}/value`)).body.value);
    const r = await rest<{ kekId: string; rewrapped: number; failed: unknown[] }>(
      'POST',
      '/v1/secrets/rotate-master-key',
    );
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.rewrapped >= values.size, r.text);
    assert.deepEqual(r.body.failed, []);
    for (const [name, value] of values)
      assert.equal((await rest<{ value: string }>('GET', `${path(name)}/value`)).body.value, value);
    const again = await rest<{ kekId: string; rewrapped: number }>('POST', '/v1/secrets/rotate-master-key');
    assert.notEqual(again.body.kekId, r.body.kekId);
  });

  it('CLI: put from stdin, --from-file and --value; get prints the value; nothing else echoes it', async () => {
    const env = {
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_KEY_ID: p.admin.keyId,
      NIMBUS_SECRET: p.secret,
    };
    const cli = cliRunner(() => env);
    const withStdin = (args: string[], input: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const c = spawn(process.execPath, ['bin/nimbus.mjs', ...args], { env });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (b: Buffer) => {
          stdout += b.toString();
        });
        c.stderr.on('data', (b: Buffer) => {
          stderr += b.toString();
        });
        c.on('error', reject);
        c.on('close', (code) => resolve({ code, stdout, stderr }));
        c.stdin.end(input);
      });
    const fromStdin = val('cli-stdin');
    const put = await withStdin(
      ['secrets', 'put', 'cli/one', '--description', 'from the CLI'],
      `${fromStdin}\n`,
    );
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /stored secret cli\/one \(version [0-9a-f-]+\)/);
    const get = await cli('secrets', 'get', 'cli/one');
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, fromStdin); // byte for byte when piped; the trailing newline was dropped
    const gj = JSON.parse((await cli('secrets', 'get', 'cli/one', '--json')).stdout);
    assert.equal(gj.value, fromStdin);
    assert.equal(gj.description, 'from the CLI');

    const fileValue = `${val('cli-file')}\n`;
    const file = join(p.dataDir, 'secret.txt');
    await writeFile(file, fileValue);
    const rf = await cli('secrets', 'rotate', 'cli/one', '--from-file', file);
    assert.equal(rf.code, 0, rf.stderr);
    assert.match(rf.stdout, /rotated secret cli\/one: new version/);
    assert.equal((await cli('secrets', 'get', 'cli/one')).stdout, fileValue); // files are exact
    const byFlag = val('cli-flag');
    const pv = await cli('secrets', 'put', 'cli/two', '--value', byFlag);
    assert.equal(pv.code, 0, pv.stderr);
    const list = await cli('secrets', 'list');
    assert.match(list.stdout, /cli\/one/);
    assert.match(list.stdout, /cli\/two/);
    const lj = await cli('secrets', 'list', '--json');
    const both = await cli('secrets', 'put', 'cli/x', '--value', 'a', '--from-file', file);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /either --value or --from-file/);
    const missing = await cli('secrets', 'get', 'cli/none');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /secret cli\/none not found/);
    const rmk = await cli('secrets', 'rotate-master-key');
    assert.equal(rmk.code, 0, rmk.stderr);
    assert.match(rmk.stdout, /new key-encryption key [0-9a-f]+: re-wrapped \d+ secret/);
    const del = await cli('secrets', 'delete', 'cli/two');
    assert.equal(del.code, 0, del.stderr);
    for (const out of [put, rf, pv, list, lj, both, missing, rmk, del])
      for (const v of written) {
        assert.ok(!out.stdout.includes(v), `CLI stdout echoed a value: ${out.stdout}`);
        assert.ok(!out.stderr.includes(v), `CLI stderr echoed a value: ${out.stderr}`);
      }
  });

  it('no value leaks: not in the platform log (debug), metadata answers or the audit log', async () => {
    assert.ok(written.length > 20);
    assert.ok(p.logs.length > 0, 'the platform logged at debug level');
    const log = p.logs.join('\n');
    // Metadata answers of the whole run, plus fresh ones.
    const list = await rest('GET', '/v1/secrets');
    seen.push(list.text, JSON.stringify(await sm.send(new ListSecretsCommand({}))));
    for (const s of (list.body as { secrets: { name: string }[] }).secrets) {
      seen.push((await rest('GET', path(s.name))).text);
      seen.push(JSON.stringify(await sm.send(new DescribeSecretCommand({ SecretId: s.name }))));
    }
    let audit = '';
    for (let i = 0; i < 50 && !audit.includes('secretsmanager:'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      audit = (await rest('GET', '/v1/audit?tenant=*&limit=1000')).text;
    }
    assert.match(audit, /secretsmanager:CreateSecret/);
    for (const v of written) {
      assert.ok(!log.includes(v), `the platform log holds a secret value (${v.slice(0, 10)}…)`);
      for (const s of seen) assert.ok(!s.includes(v), `a metadata answer holds a value (${v.slice(0, 10)}…)`);
      assert.ok(!audit.includes(v), `the audit log holds a value (${v.slice(0, 10)}…)`);
    }
  });
});
