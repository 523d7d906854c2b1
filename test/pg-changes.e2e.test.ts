/**
 * PostgreSQL row changes as events, against the real PostgreSQL: INSERT/UPDATE/DELETE of chosen
 * tables reach the function as batched records with new/old images; changes made while Nimbus is
 * stopped are delivered after it starts again; a failing record is retried then dead-lettered.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../src/config/index.ts';
import { zipDirectory } from '../src/registry/build/index.ts';
import { startPlatform } from '../src/server/index.ts';
import { isPostgresReachable, TEST_PG_URL } from '../src/store/postgres/reachable.ts';
import { fixture } from './helpers.ts';
import { type Sink, type SinkRequest, startSink } from './support/sink.ts';

interface Rec {
  eventName: string;
  table: string;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

describe('PostgreSQL change events (real PostgreSQL)', async () => {
  const ok = await isPostgresReachable();
  if (!ok && process.env.CI === 'true') {
    it('PostgreSQL must be reachable in CI', () => assert.fail(`PostgreSQL not reachable at ${TEST_PG_URL}`));
    return;
  }
  if (!ok) {
    it('skipped: PostgreSQL not reachable', { skip: 'allowed outside CI' }, () => {});
    return;
  }
  const suffix = randomBytes(3).toString('hex');
  const table = `public.cdc_orders_${suffix}`;
  const seen: Rec[] = [];
  let sink: Sink;
  const onSink = (r: SinkRequest) => {
    seen.push(...(JSON.parse(r.body) as Rec[]));
  };
  const db = new pg.Client({ connectionString: TEST_PG_URL });
  const admin = { adminKeyId: 'NKPGCHANGES000000001', adminSecret: 'pg-changes-secret-0123456789' };
  let dataDir = '';
  let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
  const start = async () => {
    platform = await startPlatform(
      loadConfig({ port: 0, apiPort: 0, s3Port: 0, dataDir, logLevel: 'silent', ...admin }, {}),
      { sourceRetryDelay: () => 20 },
    );
  };
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const r = await fetch(`${platform!.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin.adminSecret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as T };
  };
  const waitFor = async (what: string, ok2: () => boolean | Promise<boolean>) => {
    const end = Date.now() + 20_000;
    while (!(await ok2())) {
      if (Date.now() > end)
        throw new Error(
          `timed out: ${what} (seen ${JSON.stringify(seen.map((s) => [s.eventName, s.newImage?.id ?? s.oldImage?.id]))})`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  before(async () => {
    sink = await startSink(onSink);
    await db.connect();
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, customer text, amount numeric)`);
    dataDir = await mkdtemp(join(tmpdir(), 'nimbus-pgcdc-'));
    await start();
    // id 13 always fails; everything else is reported.
    const dir = await fixture({
      'index.mjs': `export const handler = async (e) => {
        const failures = e.Records.filter((r) => (r.newImage ?? r.oldImage)?.id === 13).map((r) => ({ itemIdentifier: r.eventID }));
        const okRecs = e.Records.filter((r) => (r.newImage ?? r.oldImage)?.id !== 13);
        if (okRecs.length) await (await fetch('${sink.url}/', { method: 'POST', body: JSON.stringify(okRecs) })).text();
        return { batchItemFailures: failures };
      };`,
    });
    const zip = Buffer.from(await zipDirectory(dir)).toString('base64');
    const d = await api('PUT', '/v1/functions/on-change', {
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      code: { zipBase64: zip },
    });
    assert.ok(d.status < 300, JSON.stringify(d.body));
    const s = await api<{ id: string }>('POST', '/v1/sources', {
      function: 'on-change',
      kind: 'postgres',
      config: { url: TEST_PG_URL, tables: [table], tag: `t_${suffix}` },
      batchSize: 10,
      batchWindowMs: 50,
      maximumRetryAttempts: 1,
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    await waitFor(
      'source connected',
      async () =>
        (await api<{ status: { connected: boolean } | null }>('GET', `/v1/sources/${s.body.id}`)).body.status
          ?.connected === true,
    );
  });
  after(async () => {
    await platform?.close();
    await db.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await db.query(`DELETE FROM nimbus_cdc.changes WHERE source = $1`, [`t_${suffix}`]).catch(() => {});
    await db.end();
    sink?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers INSERT / MODIFY / REMOVE with new and old images', async () => {
    // Make the two inserted rows straddle a power of ten in the shared outbox sequence (999/1000
    // style): ordering must be numeric, not by the text form of the id.
    const cur = Number(
      (await db.query(`SELECT last_value FROM nimbus_cdc.changes_id_seq`)).rows[0].last_value,
    );
    const p = 10 ** String(cur + 2).length;
    await db.query(`SELECT setval('nimbus_cdc.changes_id_seq', $1)`, [p - 2]);
    await db.query(`INSERT INTO ${table} VALUES (1, 'ada', 10), (2, 'bob', 20)`);
    await db.query(`UPDATE ${table} SET amount = 11 WHERE id = 1`);
    await db.query(`DELETE FROM ${table} WHERE id = 2`);
    await waitFor('4 changes', () => seen.length >= 4);
    assert.deepEqual(
      seen.map((r) => [r.eventName, (r.newImage ?? r.oldImage)?.id]),
      [
        ['INSERT', 1],
        ['INSERT', 2],
        ['MODIFY', 1],
        ['REMOVE', 2],
      ],
    );
    const mod = seen[2]!;
    assert.equal(mod.oldImage?.amount, 10);
    assert.equal(mod.newImage?.amount, 11);
    assert.equal(mod.table, table);
  });

  it('keeps changes made while Nimbus is down, and dead-letters a record that keeps failing', async () => {
    await platform!.close();
    platform = undefined;
    await db.query(`INSERT INTO ${table} VALUES (3, 'cy', 30), (13, 'bad', 0), (4, 'di', 40)`);
    const before2 = seen.length;
    await start();
    await waitFor('changes from downtime', () => seen.length >= before2 + 2);
    assert.deepEqual(
      seen.slice(before2).map((r) => r.newImage?.id),
      [3, 4],
    );
    await waitFor('dead letter', async () => {
      const dl = (
        await api<{ deadLetters: { source: string }[] }>('GET', '/v1/queues/dlq?function=on-change')
      ).body.deadLetters;
      return dl.some((x) => x.source.startsWith('source:'));
    });
    await waitFor(
      'outbox drained',
      async () =>
        Number(
          (await db.query('SELECT count(*) FROM nimbus_cdc.changes WHERE source = $1', [`t_${suffix}`]))
            .rows[0].count,
        ) === 0,
    );
  });
});
