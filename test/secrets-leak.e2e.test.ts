/**
 * Secrets never leak. A function gets two secrets (a `${secret:name}` reference inside an
 * environment variable, and a `secrets:` entry), proves it received them (hashes), prints one and
 * fails with the other in its message. Then every place a value could surface is searched for
 * both values: the platform's own log lines (debug level), every stored row of the log, usage,
 * audit, function and version tables, the REST and Lambda API answers about the function, and
 * the CLI's `--json` output of secrets, functions and logs.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { zipDirectory } from '../src/registry/build/index.ts';
import { cliRunner, fixture, startTestPlatform, type TestPlatform } from './helpers.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('secrets never leak (e2e)', () => {
  let p: TestPlatform;
  let cli: ReturnType<typeof cliRunner>;
  const dbPassword = `dbpw-${randomBytes(12).toString('hex')}`;
  const apiToken = `tok-${randomBytes(12).toString('hex')}`;
  const seen: { where: string; text: string }[] = [];
  const keep = (where: string, text: string) => {
    seen.push({ where, text });
    return text;
  };
  before(async () => {
    p = await startTestPlatform({ logLevel: 'debug' });
    cli = cliRunner(() => ({ ...process.env, NIMBUS_ENDPOINT: p.apiUrl, NIMBUS_SECRET: p.secret }));
  });
  after(() => p?.stop());

  it('injects secrets into the function, and nowhere else', async () => {
    for (const [name, value] of [
      ['db-password', dbPassword],
      ['api-token', apiToken],
    ]) {
      const r = await p.api('PUT', `/v1/secrets/${name}`, { value });
      keep(`PUT secret ${name}`, await r.text());
      assert.ok(r.status < 300);
    }
    const dir = await fixture({
      'index.mjs': `import { createHash } from 'node:crypto';
const h = (s) => createHash('sha256').update(s ?? '').digest('hex');
export const handler = async (e) => {
  console.log('the token is', process.env.API_TOKEN);
  console.error('connecting to', process.env.DB_URL);
  if (e.fail) throw new Error('cannot connect to ' + process.env.DB_URL);
  return { db: h(process.env.DB_URL), token: h(process.env.API_TOKEN) };
};`,
    });
    const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
    const d = await p.api('PUT', '/v1/functions/uses-secrets', {
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, as users write it
      environment: { DB_URL: 'postgres://app:${secret:db-password}@db.internal/app' },
      secrets: ['api-token'],
      code: { zipBase64: zip },
    });
    keep('deploy', await d.text());
    assert.equal(d.status, 201);

    const ok = await p.json<{ result?: { db: string; token: string } } & { db?: string; token?: string }>(
      'POST',
      '/v1/functions/uses-secrets/invoke',
      {},
    );
    const res = ok.body.result ?? (ok.body as { db: string; token: string });
    assert.equal(res.db, sha(`postgres://app:${dbPassword}@db.internal/app`));
    assert.equal(res.token, sha(apiToken));
    // The function's own error carries its secret back to the caller (its output, not ours);
    // what the platform stores of it is redacted.
    await p.api('POST', '/v1/functions/uses-secrets/invoke', { fail: true }).then((r) => r.text());

    // What the platform says about the function and its logs, through every interface.
    for (const path of [
      '/v1/functions/uses-secrets',
      '/v1/functions',
      '/v1/functions/uses-secrets/logs',
      '/v1/usage',
      '/v1/audit',
      '/v1/secrets',
      '/v1/secrets/db-password',
      '/2015-03-31/functions/uses-secrets',
      '/2015-03-31/functions/',
    ]) {
      const r = await p.api('GET', path);
      keep(`GET ${path}`, await r.text());
      assert.ok(r.status < 300, path);
    }
    for (const args of [
      ['secrets', 'list', '--json'],
      ['functions', 'get', 'uses-secrets', '--json'],
      ['logs', 'uses-secrets', '--json'],
      ['audit', 'list', '--json'],
    ]) {
      const r = await cli(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      keep(`nimbus ${args.join(' ')}`, r.stdout + r.stderr);
    }
    const logs = seen.find((s) => s.where === 'GET /v1/functions/uses-secrets/logs')!.text;
    assert.match(logs, /the token is \[secret:api-token\]/, 'the printed secret is redacted in the log');
    assert.match(logs, /\[secret:db-password\]/);

    await new Promise((r) => setTimeout(r, 200)); // batched log/usage/audit writes
    // Both store files: nimbus.db and the invocation records' own file.
    for (const [file, tables] of [
      ['nimbus-records.db', ['log_lines', 'usage']],
      ['nimbus.db', ['audit_log', 'functions', 'versions', 'settings', 'api_keys', 'roles']],
    ] as const) {
      const db = new DatabaseSync(join(p.dataDir, file), { readOnly: true });
      try {
        for (const table of tables) {
          const rows = db.prepare(`SELECT * FROM ${table}`).all();
          keep(`table ${table} (${rows.length} rows)`, JSON.stringify(rows));
        }
      } finally {
        db.close();
      }
    }
    keep('platform log', p.logs.join('\n'));

    const leaks = seen
      .filter((s) => s.text.includes(dbPassword) || s.text.includes(apiToken))
      .map((s) => s.where);
    assert.deepEqual(leaks, []);
    assert.ok(seen.length >= 20, `searched ${seen.length} places`);
  });
});
