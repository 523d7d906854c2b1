/**
 * Tenants as an operator and two teams meet them: the operator creates tenants and hands each a
 * key through the real CLI; both teams deploy a function and a route with the same name and path;
 * each team's route answers on its own host name (`<tenant>.localhost`) and path prefix
 * (`/~<tenant>/`) with its own function; ARNs carry each tenant's account id; deleting a tenant is
 * refused while it owns resources and removes everything with --force.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { zipDirectory } from '../src/registry/build/index.ts';
import { cliRunner, fixture, startTestPlatform, type TestPlatform } from './helpers.ts';
import { rawGet } from './support/raw-http.ts';

/** The fields these tests read from API answers. */
interface Body {
  function: { arn: string };
  functions: { name: string }[];
}

describe('tenants (e2e)', () => {
  let p: TestPlatform;
  let cli: ReturnType<typeof cliRunner>;
  const keys: Record<string, string> = {};
  before(async () => {
    p = await startTestPlatform();
    cli = cliRunner(() => ({ ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret }));
  });
  after(() => p?.stop());
  const as = (tenant: string, method: string, path: string, body?: unknown) =>
    fetch(`${p.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({
      status: r.status,
      body: (await r.json().catch(() => ({}))) as Body,
    }));

  it('creates tenants and their first keys through the CLI (operators only)', async () => {
    for (const t of ['alpha', 'bravo']) {
      const c = await cli('tenants', 'create', t, '--json');
      assert.equal(c.code, 0, c.stderr);
      const rec = JSON.parse(c.stdout).tenant;
      assert.match(rec.accountId, /^\d{12}$/);
      const k = await cli('keys', 'create', '--tenant', t, '--policy', 'AdministratorAccess', '--json');
      assert.equal(k.code, 0, k.stderr);
      keys[t] = JSON.parse(k.stdout).secret;
    }
    const list = await cli('tenants', 'list', '--json');
    assert.deepEqual(
      JSON.parse(list.stdout).tenants.map((t: { id: string }) => t.id),
      ['alpha', 'bravo', 'default'],
    );
    const dup = await cli('tenants', 'create', 'alpha');
    assert.notEqual(dup.code, 0);
    const bad = await cli('tenants', 'create', 'Not_Valid');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /lower-case/);
    // A tenant's admin is not an operator.
    const r = await as('alpha', 'GET', '/v1/tenants');
    assert.equal(r.status, 403);
    const other = await as('alpha', 'POST', '/v1/keys', {
      tenant: 'bravo',
      policies: ['AdministratorAccess'],
    });
    assert.equal(other.status, 403);
  });

  it('keeps same-named functions and routes apart, each on its own host and prefix', async () => {
    for (const t of ['alpha', 'bravo']) {
      const dir = await fixture({
        'index.mjs': `export const handler = async () => ({ statusCode: 200, body: 'hello from ${t}' });`,
      });
      const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
      const d = await as(t, 'PUT', '/v1/functions/hello', {
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        code: { zipBase64: zip },
      });
      assert.equal(d.status, 201, JSON.stringify(d.body));
      const acct = (await as(t, 'GET', '/v1/tenants/x')).status; // not an operator
      assert.equal(acct, 403);
      const fn = await as(t, 'GET', '/v1/functions/hello');
      const account = fn.body.function.arn.split(':')[4];
      assert.notEqual(account, '000000000000', 'each tenant has its own account id in ARNs');
      const route = await as(t, 'POST', '/v1/routes', { routeKey: 'GET /hello', function: 'hello' });
      assert.equal(route.status, 201, JSON.stringify(route.body));
    }
    const port = new URL(p.gatewayUrl).port;
    for (const t of ['alpha', 'bravo']) {
      const byHost = await rawGet(p.gatewayUrl, '/hello', { host: `${t}.localhost:${port}` });
      assert.deepEqual(byHost, { status: 200, body: `hello from ${t}` });
      const byPrefix = await fetch(`${p.gatewayUrl}/~${t}/hello`);
      assert.equal(await byPrefix.text(), `hello from ${t}`);
    }
    // The default tenant has no /hello; an unknown tenant matches nothing.
    assert.equal((await fetch(`${p.gatewayUrl}/hello`)).status, 404);
    assert.equal((await rawGet(p.gatewayUrl, '/hello', { host: `nobody.localhost:${port}` })).status, 404);
    assert.equal((await fetch(`${p.gatewayUrl}/~nobody/hello`)).status, 404);
    // Each tenant reads back the source it deployed, not the other's of the same name.
    for (const t of ['alpha', 'bravo']) {
      const r = await fetch(`${p.apiUrl}/v1/functions/hello/source`, {
        headers: { authorization: `Bearer ${keys[t]}` },
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/zip');
      const files = unzipSync(new Uint8Array(await r.arrayBuffer()));
      assert.match(new TextDecoder().decode(files['index.mjs']), new RegExp(`hello from ${t}`));
    }
    const none = await fetch(`${p.apiUrl}/v1/functions/nope/source`, {
      headers: { authorization: `Bearer ${keys.alpha}` },
    });
    assert.equal(none.status, 404);
    // Each tenant sees only its own.
    const a = await as('alpha', 'GET', '/v1/functions');
    assert.deepEqual(
      a.body.functions.map((f: { name: string }) => f.name),
      ['hello'],
    );
  });

  it('refuses to delete a tenant that owns resources, and --force removes everything', async () => {
    const refused = await cli('tenants', 'delete', 'bravo');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /still owns .*functions/);
    const got = await cli('tenants', 'get', 'bravo', '--json');
    assert.equal(JSON.parse(got.stdout).tenant.resources.functions, 1);
    const forced = await cli('tenants', 'delete', 'bravo', '--force', '--json');
    assert.equal(forced.code, 0, forced.stderr);
    const removed = JSON.parse(forced.stdout).removed;
    assert.equal(removed.functions, 1);
    assert.equal(removed.routes, 1);
    assert.ok(removed.keys >= 1);
    // bravo's key died with it; its route no longer answers; alpha is untouched.
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await as('bravo', 'GET', '/v1/functions')).status, 401, 'the key is gone');
    assert.equal((await fetch(`${p.gatewayUrl}/~bravo/hello`)).status, 404);
    assert.equal(await (await fetch(`${p.gatewayUrl}/~alpha/hello`)).text(), 'hello from alpha');
  });
});
