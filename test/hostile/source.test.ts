/**
 * Hostile requests for a function's kept source (GET /v1/functions/{name}/source): a key allowed
 * one function reads no other's; a qualifier that is not a version, `$LATEST` or an alias name is
 * refused before any lookup; an archive that bombs the build is not kept, and the source that
 * was kept stays the one that built.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';

const zip = (files: Record<string, string | Uint8Array>) =>
  Buffer.from(
    zipSync(
      Object.fromEntries(
        Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]),
      ),
    ),
  ).toString('base64');

describe('hostile requests for kept sources', () => {
  let p: TestPlatform;
  let bomb: string;
  const deploy = (name: string, zipBase64: string) =>
    p.json('PUT', `/v1/functions/${name}`, {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64 },
    });
  before(async () => {
    // 300 MB of zeros zip to well under 1 MiB: the build's unpack limit (250 MB) refuses them.
    // Made before any request: zipping blocks this process's event loop for seconds, and a
    // pooled keep-alive connection the server closed meanwhile would be reused and reset.
    bomb = Buffer.from(
      zipSync(
        {
          'index.mjs': new TextEncoder().encode("export const handler = () => 'bomb';"),
          'zeros.bin': new Uint8Array(300e6),
        },
        { level: 1 },
      ),
    ).toString('base64');
    p = await startTestPlatform();
    for (const name of ['mine', 'theirs'])
      assert.ok(
        (await deploy(name, zip({ 'index.mjs': `export const handler = () => '${name}';` }))).status < 300,
      );
  });
  after(() => p?.stop());

  it('gives a key allowed one function the source of that one only', async () => {
    const k = await p.json<{ secret: string }>('POST', '/v1/keys', {
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'lambda:GetFunction',
              Resource: 'arn:aws:lambda:*:*:function:mine',
            },
          ],
        },
      ],
    });
    assert.equal(k.status, 201);
    const get = (name: string) =>
      fetch(`${p.apiUrl}/v1/functions/${name}/source`, {
        headers: { authorization: `Bearer ${k.body.secret}` },
      });
    assert.equal((await get('mine')).status, 200);
    const denied = await get('theirs');
    assert.equal(denied.status, 403);
    assert.match(await denied.text(), /NIMBUS_ERR_/);
  });

  it('refuses qualifiers that are not a version, $LATEST or an alias name', async () => {
    for (const q of ['../theirs', '..%2Ftheirs', 'a%00b', '1.5', 'x'.repeat(200), '%24LATEST%2F..']) {
      const r = await p.api('GET', `/v1/functions/mine/source?qualifier=${q}`);
      assert.equal(r.status, 400, q);
      assert.match(await r.text(), /NIMBUS_ERR_CORE_VALIDATION/);
    }
    const unknown = await p.api('GET', '/v1/functions/mine/source?qualifier=nope');
    assert.equal(unknown.status, 404);
  });

  it('keeps no source of an archive the build refuses, and the last good one stays', async () => {
    assert.ok(Buffer.from(bomb, 'base64').length < 1024 * 1024);
    const r = await deploy('mine', bomb);
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.match(JSON.stringify(r.body), /NIMBUS_ERR_DEPLOY_ARCHIVE_TOO_LARGE/);
    const src = await p.api('GET', '/v1/functions/mine/source');
    assert.equal(src.status, 200);
    const bytes = new Uint8Array(await src.arrayBuffer());
    assert.ok(bytes.length < 1000, 'the kept source is the small one that built');
  });
});
