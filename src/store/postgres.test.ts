import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { NimbusError } from '../core/errors.ts';
import type { Store } from '../core/ports.ts';
import { describeStoreContract } from './contract.ts';
import { describeClusterContract } from './contract-cluster.ts';
import { describeBucketNamespaceMigration } from './contract-migrations.ts';
import { inspectStore, openStore } from './index.ts';
import { openPostgresStore } from './postgres/index.ts';
import { isPostgresReachable, TEST_PG_URL } from './postgres/reachable.ts';
import { TcpProxy } from './postgres/test-proxy.ts';
import { createDocumentedRole, type TestRole } from './postgres/test-role.ts';

const URL = TEST_PG_URL;

if (await isPostgresReachable()) {
  describeStoreContract('postgres', async () => {
    const schema = `nimbus_test_${randomBytes(4).toString('hex')}`;
    const store = await openStore({ url: URL, dataDir: '/nonexistent', schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        const c = new pg.Client({ connectionString: URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  });

  // Two stores on one schema: two pools, as two nodes would have.
  describeClusterContract('postgres', async () => {
    const schema = `nimbus_test_${randomBytes(4).toString('hex')}`;
    return {
      open: () => openStore({ url: URL, dataDir: '/nonexistent', schema }),
      cleanup: async () => {
        const c = new pg.Client({ connectionString: URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  });

  describeBucketNamespaceMigration('postgres', async () => {
    const schema = `nimbus_test_${randomBytes(4).toString('hex')}`;
    const sql = async (q: string) => {
      const c = new pg.Client({ connectionString: URL });
      await c.connect();
      try {
        await c.query(q);
      } finally {
        await c.end();
      }
    };
    return {
      open: () => openStore({ url: URL, dataDir: '/nonexistent', schema }),
      forget: () => sql(`DELETE FROM ${schema}.kysely_migration WHERE name >= '0012_bucket_namespaces'`),
      cleanup: () => sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
    };
  });

  // The role docs/SECURITY.md tells operators to create: password, no superuser, owns one database.
  describeStoreContract('postgres as the documented least-privilege role', async () => {
    const role = await createDocumentedRole();
    try {
      const store = await openStore({ url: role.url, dataDir: '/nonexistent' });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await role.drop();
        },
      };
    } catch (e) {
      await role.drop();
      throw e;
    }
  });

  describe('the documented least-privilege role', () => {
    let role: TestRole;
    let c: pg.Client;
    before(async () => {
      role = await createDocumentedRole();
      c = new pg.Client({ connectionString: role.url });
      await c.connect();
    });
    after(async () => {
      await c?.end();
      await role?.drop();
    });

    it('cannot create roles or databases, run server programs, or read other schemas', async () => {
      const denied = /permission denied|must be superuser|not allowed/;
      await assert.rejects(c.query(`CREATE ROLE ${role.name}_x`), denied);
      await assert.rejects(c.query(`CREATE DATABASE ${role.name}_x`), denied);
      await assert.rejects(c.query(`COPY (SELECT 1) TO PROGRAM 'true'`), denied);
      await assert.rejects(c.query(`SELECT pg_read_file('/etc/hostname')`), denied);
      await assert.rejects(c.query('ALTER ROLE CURRENT_USER SUPERUSER'), denied);
      // Another database on the same server (here: the test database, which this server even
      // lets the role connect to): its tables stay closed.
      const admin = new pg.Client({ connectionString: URL });
      await admin.connect();
      const other = `${role.name}_other`;
      await admin.query(`CREATE SCHEMA ${other}; CREATE TABLE ${other}.api_keys (id text)`);
      const u = new globalThis.URL(role.url);
      u.pathname = new globalThis.URL(URL).pathname;
      const elsewhere = new pg.Client({ connectionString: u.toString() });
      try {
        await elsewhere.connect();
        await assert.rejects(elsewhere.query(`SELECT * FROM ${other}.api_keys`), denied);
        await assert.rejects(elsewhere.query(`INSERT INTO ${other}.api_keys VALUES ('mine')`), denied);
      } finally {
        await elsewhere.end();
        await admin.query(`DROP SCHEMA ${other} CASCADE`);
        await admin.end();
      }
    });

    it('opens the store in a schema of its own database', async () => {
      const store = await openStore({ url: role.url, dataDir: '/nonexistent', schema: 'tenant_a' });
      await store.ping();
      await store.close();
      // Again, now that the schema exists.
      const again = await openStore({ url: role.url, dataDir: '/nonexistent', schema: 'tenant_a' });
      await again.ping();
      await again.close();
    });
  });

  describe('a silent partition from PostgreSQL', () => {
    const schema = `nimbus_test_${randomBytes(4).toString('hex')}`;
    const proxy = new TcpProxy();
    let store: Store;
    before(async () => {
      await proxy.start();
      store = await openPostgresStore({
        url: proxy.url(),
        schema,
        queryTimeoutMs: 400,
        connectTimeoutMs: 400,
      });
    });
    after(async () => {
      proxy.thaw();
      await store?.close();
      await proxy.stop();
      const c = new pg.Client({ connectionString: URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    });

    it('fails queries with a coded 503 within the query timeout, and recovers when it heals', async () => {
      assert.equal(await store.functions.get('default', 'nope'), undefined);
      proxy.freeze();
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await assert.rejects(store.functions.get('default', 'nope'), (e: NimbusError) => {
          assert.equal(e.code, 'NIMBUS_ERR_STORE_UNAVAILABLE');
          assert.equal(e.status, 503);
          assert.equal(e.retryable, true);
          return true;
        });
        // The query timeout, or the connect timeout when the pool must open a connection.
        assert.ok(performance.now() - t0 < 2000, `answered after ${Math.round(performance.now() - t0)} ms`);
      }
      proxy.thaw();
      // The connections that timed out were destroyed, not pooled: new ones answer.
      assert.equal(await store.functions.get('default', 'nope'), undefined);
    });
  });

  describe('store inspection', () => {
    let role: TestRole;
    let creator: TestRole;
    before(async () => {
      role = await createDocumentedRole();
      creator = await createDocumentedRole();
      const admin = new pg.Client({ connectionString: URL });
      await admin.connect();
      await admin.query(`ALTER ROLE ${creator.name} CREATEROLE`);
      await admin.end();
    });
    after(async () => {
      await role?.drop();
      await creator?.drop();
    });

    it('warns when the store connects as a superuser the server trusts', async () => {
      const codes = (await inspectStore(URL)).map((f) => f.code);
      assert.ok(codes.includes('SUPERUSER'), codes.join());
      // The test server (and this URL) has no password: connecting at all proves trust.
      if (!new globalThis.URL(URL).password) assert.ok(codes.includes('TRUST_AUTH'), codes.join());
    });

    it('raises no role warning for the documented least-privilege role', async () => {
      const findings = await inspectStore(role.url);
      const codes = findings.map((f) => f.code);
      for (const bad of ['SUPERUSER', 'CREATEROLE', 'SERVER_FILES_OR_PROGRAMS', 'INSPECTION_FAILED'])
        assert.ok(!codes.includes(bad as never), `${bad} in ${codes.join()}`);
      // This server trusts 127.0.0.1 for everyone, so the probe (which never sends a password) gets in.
      const trust = findings.find((f) => f.code === 'TRUST_AUTH');
      if (trust) assert.match(trust.message, new RegExp(role.name));
    });

    it('warns about CREATEROLE', async () => {
      const codes = (await inspectStore(creator.url)).map((f) => f.code);
      assert.ok(codes.includes('CREATEROLE'), codes.join());
      assert.ok(!codes.includes('SUPERUSER'));
    });

    it('reports a store it cannot reach instead of throwing', async () => {
      const findings = await inspectStore('postgres://nobody@127.0.0.1:1/none');
      assert.deepEqual(
        findings.map((f) => f.code),
        ['INSPECTION_FAILED'],
      );
      assert.deepEqual(await inspectStore('sqlite'), []);
    });
  });
} else if (process.env.CI === 'true') {
  it('PostgreSQL must be reachable in CI', () => assert.fail(`PostgreSQL is not reachable at ${URL}`));
} else {
  it('Store contract: postgres', {
    skip: `PostgreSQL not reachable at ${URL} (allowed outside CI)`,
  }, () => {});
}
