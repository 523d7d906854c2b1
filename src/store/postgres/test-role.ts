/**
 * Test support: a least-privilege store role and database made by running the SQL of
 * docs/SECURITY.md ("The store's database role") verbatim, with the names and the password
 * swapped — so the documented SQL is what the tests prove works.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { TEST_PG_URL } from './reachable.ts';

const DOC = new URL('../../../docs/SECURITY.md', import.meta.url);
const PASSWORD_PLACEHOLDER = "'<a long random password>'";

/** The ```sql blocks of the section, in order. */
export async function documentedRoleSql(): Promise<string[]> {
  const text = await readFile(DOC, 'utf8');
  const start = text.indexOf("## The store's database role");
  if (start < 0) throw new Error('docs/SECURITY.md has no "The store\'s database role" section');
  const next = text.indexOf('\n## ', start + 3);
  const section = text.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

export interface TestRole {
  readonly name: string;
  readonly password: string;
  /** Connects as the role, with its password, to its own database. */
  readonly url: string;
  drop(): Promise<void>;
}

function withCredentials(base: string, user: string, password: string, database: string): string {
  const u = new URL(base);
  u.username = user;
  u.password = password;
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates `nimbus_test_<random>` (role and database) as documented; `drop()` removes both. */
export async function createDocumentedRole(admin = TEST_PG_URL): Promise<TestRole> {
  const name = `nimbus_test_${randomBytes(5).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  const [server, inDatabase] = (await documentedRoleSql()).map((sql) =>
    sql.replaceAll(/\bnimbus\b/g, name).replaceAll(PASSWORD_PLACEHOLDER, `'${password}'`),
  );
  if (!server || !inDatabase) throw new Error('docs/SECURITY.md: expected two sql blocks');
  const run = async (url: string, sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      // One statement at a time: CREATE DATABASE refuses to run inside a multi-statement string.
      for (const stmt of sql
        .split(/;\s*\n/)
        .map((s) => s.trim())
        .filter(Boolean))
        await c.query(stmt);
    } finally {
      await c.end();
    }
  };
  await run(admin, server);
  await run(withCredentials(admin, new URL(admin).username, new URL(admin).password, name), inDatabase);
  return {
    name,
    password,
    url: withCredentials(admin, name, password, name),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.query(`DROP ROLE IF EXISTS ${name}`);
      } finally {
        await c.end();
      }
    },
  };
}
