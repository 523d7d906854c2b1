/**
 * The real AWS SDK v3 Lambda client against Nimbus (SigV4 with a Nimbus key): every API of the
 * foundation subset, error types, and weighted alias routing (90/10 within ±5% over 2,000 calls).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { zipFiles } from '../src/registry/build/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers.ts';

const zip = (src: string) => zipFiles({ 'index.mjs': new TextEncoder().encode(src) });
const dec = (b?: Uint8Array) => (b ? JSON.parse(new TextDecoder().decode(b)) : undefined);

describe('AWS SDK v3 Lambda client', () => {
  let p: TestPlatform;
  let lambda: LambdaClient;

  before(async () => {
    p = await startTestPlatform();
    lambda = new LambdaClient({
      endpoint: p.apiUrl,
      region: 'local-1',
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: p.secret },
      maxAttempts: 1,
    });
  });
  after(async () => {
    lambda?.destroy();
    await p?.stop();
  });

  it('creates, reads, lists, updates code and configuration, publishes, aliases, invokes, deletes', async () => {
    // An internal error names its cause in the platform log: show it (seen once in a CI run).
    const withLog = <T>(x: Promise<T>) =>
      x.catch((e: Error) => {
        throw new Error(`${e.name}: ${e.message}\nplatform log:\n${p.logs.slice(-5).join('\n')}`);
      });
    const created = await withLog(
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'sdk-fn',
          Runtime: 'nodejs22.x',
          Role: 'arn:aws:iam::000000000000:role/any',
          Handler: 'index.handler',
          Code: {
            ZipFile: zip(
              'export const handler = async (e) => ({ v: 1, e, env: process.env.COLOR ?? null });',
            ),
          },
          MemorySize: 256,
          Timeout: 5,
        }),
      ),
    );
    assert.equal(created.FunctionName, 'sdk-fn');
    assert.equal(created.MemorySize, 256);
    assert.match(created.FunctionArn ?? '', /^arn:aws:lambda:local-1:000000000000:function:sdk-fn$/);

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'sdk-fn' }));
    assert.equal(got.Configuration?.Handler, 'index.handler');
    const dl = await fetch(got.Code!.Location!);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('content-type'), 'application/zip');

    const list = await lambda.send(new ListFunctionsCommand({}));
    assert.ok(list.Functions?.some((f) => f.FunctionName === 'sdk-fn'));

    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'sdk-fn', Description: 'first' }));
    assert.equal(v1.Version, '1');
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'sdk-fn',
        ZipFile: zip('export const handler = async (e) => ({ v: 2, env: process.env.COLOR ?? null });'),
      }),
    );
    const conf = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'sdk-fn',
        Environment: { Variables: { COLOR: 'blue' } },
      }),
    );
    assert.equal(conf.Environment?.Variables?.COLOR, 'blue');
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'sdk-fn' }));
    assert.equal(v2.Version, '2');
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'sdk-fn' }));
    assert.deepEqual(
      versions.Versions?.map((v) => v.Version),
      ['$LATEST', '1', '2'],
    );

    const latest = await lambda.send(
      new InvokeCommand({ FunctionName: 'sdk-fn', Payload: JSON.stringify({ a: 1 }) }),
    );
    assert.equal(latest.StatusCode, 200);
    assert.deepEqual(dec(latest.Payload), { v: 2, env: 'blue' });
    assert.equal(latest.ExecutedVersion, '$LATEST');

    const alias = await lambda.send(
      new CreateAliasCommand({ FunctionName: 'sdk-fn', Name: 'live', FunctionVersion: '1' }),
    );
    assert.equal(alias.FunctionVersion, '1');
    const viaAlias = await lambda.send(
      new InvokeCommand({
        FunctionName: 'sdk-fn',
        Qualifier: 'live',
        Payload: JSON.stringify({ x: 1 }),
        LogType: 'Tail',
      }),
    );
    assert.equal(dec(viaAlias.Payload).v, 1);
    assert.equal(viaAlias.ExecutedVersion, '1');
    const tail = Buffer.from(viaAlias.LogResult ?? '', 'base64').toString('utf8');
    assert.match(tail, /START RequestId: .*Version: 1/);
    assert.match(tail, /REPORT RequestId: .*Billed Duration/);

    const upd = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'sdk-fn',
        Name: 'live',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
      }),
    );
    assert.deepEqual(upd.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
    const ga = await lambda.send(new GetAliasCommand({ FunctionName: 'sdk-fn', Name: 'live' }));
    assert.equal(ga.FunctionVersion, '1');

    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);

    // Weighted routing: 2,000 invokes through the alias split 90/10 within ±5%.
    let v2count = 0;
    const N = 2000;
    let i = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (i < N) {
          i++;
          const r = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn', Qualifier: 'live' }));
          if (r.ExecutedVersion === '2') v2count++;
        }
      }),
    );
    const share = v2count / N;
    assert.ok(share > 0.05 && share < 0.15, `version 2 share ${share}`);

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'sdk-fn' }));
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'sdk-fn' })), (e: Error) => {
      assert.equal(e.name, 'ResourceNotFoundException');
      return true;
    });
  });

  it("GetFunction's Code.Location downloads the uploaded zip with no credentials, for that path only", async () => {
    const first = zip('export const handler = async () => 1;');
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'code-link',
        Runtime: 'nodejs22.x',
        Role: 'arn:aws:iam::000000000000:role/any',
        Handler: 'index.handler',
        Code: { ZipFile: first },
        Publish: true,
      }),
    );
    const second = zip('export const handler = async () => 2;');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'code-link', ZipFile: second }));
    const bytes = async (url: string) => {
      const r = await fetch(url); // as a browser or curl would: no Authorization header
      assert.equal(r.status, 200, await r.clone().text());
      assert.equal(r.headers.get('content-type'), 'application/zip');
      return new Uint8Array(await r.arrayBuffer());
    };
    const latest = await lambda.send(new GetFunctionCommand({ FunctionName: 'code-link' }));
    const link = new URL(latest.Code!.Location!);
    assert.equal(link.searchParams.get('X-Amz-Expires'), '600');
    assert.deepEqual(await bytes(link.toString()), second, 'the zip as uploaded');
    const v1 = await lambda.send(new GetFunctionCommand({ FunctionName: 'code-link', Qualifier: '1' }));
    assert.deepEqual(await bytes(v1.Code!.Location!), first, 'version 1: its own zip');
    // The signature covers the path and query: another function, or another version, is refused.
    const other = new URL(link);
    other.pathname = other.pathname.replace('code-link', 'sdk-fn');
    assert.equal((await fetch(other)).status, 403);
    const v2 = new URL(v1.Code!.Location!);
    v2.searchParams.set('qualifier', '$LATEST');
    assert.equal((await fetch(v2)).status, 403);
    // The link is the key's own authority: once the key is revoked, its links stop working.
    const k = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', {
      policies: ['ReadOnly'],
    });
    const reader = new LambdaClient({
      endpoint: p.apiUrl,
      region: 'local-1',
      credentials: { accessKeyId: k.body.key.keyId, secretAccessKey: k.body.secret },
      maxAttempts: 1,
    });
    const theirs = (await reader.send(new GetFunctionCommand({ FunctionName: 'code-link' }))).Code!.Location!;
    reader.destroy();
    assert.deepEqual(await bytes(theirs), second);
    assert.equal((await p.json('POST', `/v1/keys/${k.body.key.keyId}/revoke`, {})).status, 200);
    await new Promise((r) => setTimeout(r, 1100)); // the key cache (1 s)
    assert.equal((await fetch(theirs)).status, 403);
    // Deleted, the function's link finds nothing.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'code-link' }));
    assert.equal((await fetch(link)).status, 404);
  });

  it('reports function errors, bad payloads and oversized payloads like Lambda', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'sdk-err',
        Runtime: 'nodejs24.x',
        Role: 'r',
        Handler: 'index.handler',
        Code: { ZipFile: zip('export const handler = async () => { throw new RangeError("nope"); };') },
      }),
    );
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-err' }));
    assert.equal(r.FunctionError, 'Unhandled');
    assert.equal(dec(r.Payload).errorType, 'RangeError');
    await assert.rejects(
      lambda.send(
        new InvokeCommand({ FunctionName: 'sdk-err', Payload: new TextEncoder().encode('{not json') }),
      ),
      (e: Error) => e.name === 'InvalidRequestContentException',
    );
    await assert.rejects(
      lambda.send(
        new InvokeCommand({
          FunctionName: 'sdk-err',
          Payload: JSON.stringify({ a: 'x'.repeat(6 * 1024 * 1024) }),
        }),
      ),
      (e: Error) => e.name === 'RequestTooLargeException',
    );
    await assert.rejects(
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'sdk-err',
          Runtime: 'nodejs24.x',
          Role: 'r',
          Handler: 'index.handler',
          Code: { ZipFile: zip('') },
        }),
      ),
      (e: Error) => e.name === 'ResourceConflictException',
    );
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: 'missing-fn' })),
      (e: Error) => e.name === 'ResourceNotFoundException',
    );
  });

  it('rejects a client signing with the wrong secret', async () => {
    const bad = new LambdaClient({
      endpoint: p.apiUrl,
      region: 'local-1',
      credentials: { accessKeyId: p.admin.keyId, secretAccessKey: 'wrong-secret-wrong-secret' },
      maxAttempts: 1,
    });
    await assert.rejects(
      bad.send(new ListFunctionsCommand({})),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.$metadata?.httpStatusCode, 403);
        return true;
      },
    );
    bad.destroy();
  });
});
