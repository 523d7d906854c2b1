/**
 * Hostile requests against the web console's public routes (src/console/serve.ts): the static
 * files need no key, so nothing but the built app may come out of them — no file outside
 * console/dist by any spelling of `..`, and no API route reached through the console's prefix
 * without a key.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { buildConsole, consolePaths, staleReason } from '../../src/console/index.ts';
import { startTestPlatform, type TestPlatform } from '../helpers.ts';

/** A raw GET: the target goes on the wire as written (fetch would normalize the dots away). */
function rawGet(base: string, target: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: 'GET', path: target }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hostile requests to the web console', () => {
  let p: TestPlatform;
  before(async () => {
    if (await staleReason(consolePaths())) await buildConsole(consolePaths());
    p = await startTestPlatform();
  });
  after(() => p?.stop());

  it('serves nothing outside console/dist, however the path climbs', async () => {
    for (const target of [
      '/console/../package.json',
      '/console/%2e%2e/package.json',
      '/console/%2e%2e%2fpackage.json',
      '/console/..%2f..%2fpackage.json',
      '/console/assets/..%2f..%2f..%2fpackage.json',
      '/console/%2e%2e/%2e%2e/src/server/index.ts',
      '/console/....//....//package.json',
      '/console/%252e%252e/package.json',
      '/console//etc/passwd',
      '/console/%2fetc%2fpasswd',
      '/console/index.html%00.js',
      '/console/assets/%00',
    ]) {
      const r = await rawGet(p.apiUrl, target);
      assert.ok(r.status < 500, `${target}: ${r.status}`);
      assert.doesNotMatch(r.body, /"name": "nimbus"|startPlatform|root:x:0:0/, `${target} leaked a file`);
    }
  });

  it('asks for a key everywhere but the console files and the health check', async () => {
    // The console's prefix does not open the API: a method or a path outside its routes needs a key.
    for (const [method, path] of [
      ['POST', '/console/x'],
      ['DELETE', '/console/'],
      ['GET', '/v1/functions'],
      ['GET', '/v1/openapi.json'],
    ] as const) {
      const r = await fetch(`${p.apiUrl}${path}`, { method });
      assert.ok(r.status === 401 || r.status === 404, `${method} ${path}: ${r.status}`);
      if (r.status === 404) assert.notEqual(method, 'GET', `${method} ${path} must ask for a key`);
    }
    // A missing hashed asset is a 404, not the app.
    assert.equal((await rawGet(p.apiUrl, '/console/assets/nope-123.js')).status, 404);
    const app = await rawGet(p.apiUrl, '/console/some/deep/page');
    assert.equal(app.status, 200);
    assert.match(app.body, /<div id="root">/);
  });
});
