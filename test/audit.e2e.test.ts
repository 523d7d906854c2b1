/**
 * The audit log end to end: a real platform records mutations, authentication failures and
 * denials; `GET /v1/audit` reads them per tenant; the real CLI verifies the chain, and notices a
 * record changed, deleted in the middle, or deleted at the head by direct SQL on the store's file.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { cliRunner, startTestPlatform, type TestPlatform } from './helpers.ts';

interface RecordView {
  seq: number;
  time: string;
  tenant: string;
  principal: string;
  action: string;
  resource: string;
  sourceIp: string;
  result: string;
  status: number;
  detail: string;
}

describe('audit log e2e', () => {
  let p: TestPlatform;
  let env: NodeJS.ProcessEnv;
  const cli = cliRunner(() => env);
  const as = (secret: string, method: string, path: string, body?: unknown) =>
    fetch(`${p.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const newKey = async (body: Record<string, unknown>) => {
    const r = await p.json<{ key: { keyId: string }; secret: string }>('POST', '/v1/keys', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return { keyId: r.body.key.keyId, secret: r.body.secret };
  };
  const audit = async (qs: string, secret = p.secret) => {
    const r = await as(secret, 'GET', `/v1/audit?${qs}`);
    return { status: r.status, body: (await r.json()) as { records: RecordView[]; next?: number } };
  };
  /** Direct SQL on the platform's store, through a second connection (WAL allows it). */
  const withDb = <T>(fn: (db: DatabaseSync) => T): T => {
    const db = new DatabaseSync(join(p.dataDir, 'nimbus.db'));
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      return fn(db);
    } finally {
      db.close();
    }
  };
  /** Everything recorded so far is stored (a query flushes the buffer first). */
  const settle = async () => assert.equal((await audit('tenant=*&limit=1')).status, 200);

  before(async () => {
    p = await startTestPlatform();
    env = {
      ...process.env,
      NIMBUS_ENDPOINT: p.apiUrl,
      NIMBUS_KEY_ID: p.admin.keyId,
      NIMBUS_SECRET: p.secret,
    };
  });
  after(() => p?.stop());

  it('records mutations, authentication failures and denials, with who, what, result and source', async () => {
    const admin = `key/${p.admin.keyId}`;
    assert.equal((await p.api('PUT', '/v1/topics/orders', {})).status, 201);
    assert.equal((await p.api('DELETE', '/v1/topics/orders')).status, 204);
    const bad = await as('not-a-valid-secret-at-all-0123456789', 'PUT', '/v1/topics/sneaky', {});
    assert.equal(bad.status, 401);
    const readOnly = await newKey({ policies: ['ReadOnly'], description: 'auditor' });
    assert.equal((await as(readOnly.secret, 'PUT', '/v1/topics/nope', {})).status, 403);
    const dev = await newKey({ policies: ['Developer'] });
    assert.equal((await audit('', dev.secret)).status, 403, 'Developer may not read the audit log');
    // Invoking is a data event (as CloudTrail has it): audited only when refused.
    const invoke = (secret: string) => as(secret, 'POST', '/2015-03-31/functions/nothere/invocations', {});
    assert.equal((await invoke(p.secret)).status, 404);
    assert.equal((await invoke(readOnly.secret)).status, 403);

    const mine = await audit('limit=1000');
    assert.equal(mine.status, 200);
    const byAction = (a: string) => mine.body.records.filter((r) => r.action === a);
    const [put] = byAction('nimbus:PutTopic').filter((r) => r.result === 'ok');
    assert.ok(put, JSON.stringify(mine.body.records));
    assert.equal(put.principal, admin);
    assert.equal(put.tenant, 'default');
    assert.equal(put.status, 201);
    assert.match(put.resource, /^arn:aws:nimbus:local-1:\d{12}:topic\/orders$/);
    assert.match(put.sourceIp, /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    assert.ok(Date.parse(put.time) > Date.now() - 60_000);
    assert.equal(byAction('nimbus:DeleteTopic')[0]?.result, 'ok');
    assert.deepEqual(
      byAction('lambda:InvokeFunction').map((r) => [r.principal, r.result]),
      [[`key/${readOnly.keyId}`, 'denied']],
    );
    const denied = byAction('nimbus:PutTopic').find((r) => r.result === 'denied');
    assert.equal(denied?.principal, `key/${readOnly.keyId}`);
    assert.equal(denied?.status, 403);
    assert.match(denied?.resource ?? '', /topic\/nope$/);
    const deniedRead = byAction('nimbus:QueryAudit')[0];
    assert.equal(deniedRead?.result, 'denied', 'a denied read is recorded too');
    assert.equal(deniedRead?.principal, `key/${dev.keyId}`);
    assert.ok(
      mine.body.records.every((r) => r.tenant === 'default'),
      'unauthenticated records belong to no tenant',
    );
    assert.ok(!mine.body.records.some((r) => /secret/i.test(JSON.stringify(r.detail))));

    // Unauthenticated requests have no tenant: operators see them with tenant=- (or *).
    const anon = await audit('tenant=-&result=unauthenticated');
    assert.equal(anon.body.records.length, 1);
    assert.deepEqual(
      (({ principal, action, result, status }) => ({ principal, action, result, status }))(
        anon.body.records[0]!,
      ),
      { principal: '-', action: 'PUT /v1/topics/:topic', result: 'unauthenticated', status: 401 },
    );
    assert.match(anon.body.records[0]!.detail, /^NIMBUS_ERR_/);

    // Filters and paging.
    const denials = await audit('result=denied&since=1h');
    assert.equal(denials.body.records.length, 3);
    assert.ok(denials.body.records.every((r) => r.result === 'denied'));
    assert.equal(
      (await audit(`principal=${encodeURIComponent(admin)}&action=nimbus:PutTopic`)).body.records.length,
      1,
    );
    assert.equal((await audit('until=2000-01-01T00:00:00Z')).body.records.length, 0);
    const page1 = await audit('tenant=*&limit=2');
    assert.equal(page1.body.records.length, 2);
    assert.equal(page1.body.next, page1.body.records[1]!.seq);
    const page2 = await audit(`tenant=*&limit=2&after=${page1.body.next}`);
    assert.equal(page2.body.records[0]!.seq, page1.body.next! + 1);
    assert.equal((await audit('since=yesterday')).status, 400);
    assert.equal((await audit('result=maybe')).status, 400);
  });

  it('keeps tenants apart: a tenant sees its own records only, and cannot verify the shared chain', async () => {
    assert.equal((await p.api('POST', '/v1/tenants', { id: 'acme' })).status, 201);
    const acme = await newKey({ tenant: 'acme', policies: ['AdministratorAccess'] });
    assert.equal((await as(acme.secret, 'PUT', '/v1/topics/acme-orders', {})).status, 201);
    const own = await audit('', acme.secret);
    assert.equal(own.status, 200);
    assert.ok(own.body.records.length >= 1);
    assert.ok(own.body.records.every((r) => r.tenant === 'acme'));
    assert.equal(own.body.records[0]!.principal, `key/${acme.keyId}`);
    const other = await audit('tenant=default', acme.secret);
    assert.equal(other.status, 400);
    assert.equal(
      (other.body as unknown as { error: { code: string } }).error.code,
      'NIMBUS_ERR_CORE_VALIDATION',
    );
    assert.equal((await audit('tenant=*', acme.secret)).status, 400);
    assert.equal((await audit('tenant=acme', acme.secret)).status, 200, 'naming its own tenant is fine');
    const v = await as(acme.secret, 'POST', '/v1/audit/verify');
    assert.equal(v.status, 403);
    assert.equal(((await v.json()) as { error: { code: string } }).error.code, 'NIMBUS_ERR_CORE_FORBIDDEN');
    // Operators read any tenant's records.
    const fromOps = await audit('tenant=acme');
    assert.ok(fromOps.body.records.some((r) => r.action === 'nimbus:PutTopic' && r.tenant === 'acme'));
    const refused = fromOps.body.records.find((r) => r.action === 'nimbus:VerifyAudit');
    assert.equal(refused?.result, 'denied');
    assert.equal(refused?.status, 403);
  });

  it('`nimbus audit list` shows the records; `nimbus audit verify` passes, then catches tampering by SQL', async () => {
    const list = await cli('audit', 'list', '--tenant', '*', '--json');
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as { records: RecordView[] };
    assert.ok(listed.records.some((r) => r.result === 'unauthenticated'));
    const human = await cli('audit', 'list', '--result', 'denied');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^SEQ\s+TIME\s+PRINCIPAL\s+ACTION\s+RESULT/);
    assert.match(human.stdout, /nimbus:PutTopic\s+denied\s+403/);
    const badLimit = await cli('audit', 'list', '--limit', 'lots');
    assert.equal(badLimit.code, 1);
    assert.match(badLimit.stderr, /--limit lots/);

    const ok = await cli('audit', 'verify');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /audit log intact: \d+ records verified/);
    const okJson = JSON.parse((await cli('audit', 'verify', '--json')).stdout);
    assert.equal(okJson.ok, true);
    assert.ok(okJson.checked >= 10);

    await settle();
    const rows = withDb((db) => db.prepare('SELECT * FROM audit_log ORDER BY seq').all());
    assert.ok(rows.length >= 10);
    const seqOf = (i: number) => Number(rows[i]!.seq);

    // 1. A changed field.
    const edited = seqOf(3);
    withDb((db) => db.prepare(`UPDATE audit_log SET action = 'nimbus:Nothing' WHERE seq = ?`).run(edited));
    const e1 = await cli('audit', 'verify');
    assert.equal(e1.code, 1, e1.stdout);
    assert.match(e1.stderr, new RegExp(`chain is broken at seq ${edited}: record ${edited} was modified`));
    assert.match(e1.stderr, /How to fix: /);
    assert.doesNotMatch(e1.stderr, /\n\s+at /, 'no stack');
    const j1 = await cli('audit', 'verify', '--json');
    assert.equal(j1.code, 1);
    assert.deepEqual(
      (({ ok, seq }) => ({ ok, seq }))(JSON.parse(j1.stdout) as { ok: boolean; seq: number }),
      { ok: false, seq: edited },
    );
    withDb((db) => db.prepare('UPDATE audit_log SET action = ? WHERE seq = ?').run(rows[3]!.action!, edited));
    assert.equal((await cli('audit', 'verify')).code, 0, 'restored');

    // 2. A record deleted in the middle.
    const middle = seqOf(5);
    withDb((db) => db.prepare('DELETE FROM audit_log WHERE seq = ?').run(middle));
    const e2 = await cli('audit', 'verify');
    assert.equal(e2.code, 1);
    assert.match(e2.stderr, new RegExp(`broken at seq ${middle}: record ${middle} is missing`));
    withDb((db) => {
      const row = rows[5]!;
      const cols = Object.keys(row);
      db.prepare(`INSERT INTO audit_log (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
        ...cols.map((c) => row[c] as SQLInputValue),
      );
    });
    assert.equal((await cli('audit', 'verify')).code, 0, 'restored');

    // 3. The last record deleted.
    await settle();
    const last = withDb((db) =>
      Number((db.prepare('SELECT MAX(seq) AS s FROM audit_log').get() as { s: number }).s),
    );
    withDb((db) => db.prepare('DELETE FROM audit_log WHERE seq = ?').run(last));
    const e3 = await cli('audit', 'verify');
    assert.equal(e3.code, 1);
    assert.match(e3.stderr, new RegExp(`broken at seq ${last}: records ${last}\\.\\.${last} are missing`));
  });
});
