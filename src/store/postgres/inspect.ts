/**
 * How well the PostgreSQL store's own database is protected, should a function (or anyone on the
 * network) reach it: the store's role should be neither a superuser nor able to create roles or
 * run server programs, and the server should want a password. See docs/SECURITY.md, "The store's
 * database role". Findings are warnings (logged once at start-up, shown by `nimbus doctor`);
 * the platform still runs.
 */
import pg from 'pg';

export type StoreFindingCode =
  | 'SUPERUSER'
  | 'CREATEROLE'
  | 'SERVER_FILES_OR_PROGRAMS'
  | 'TRUST_AUTH'
  | 'INSPECTION_FAILED';

export interface StoreFinding {
  readonly code: StoreFindingCode;
  readonly message: string;
  readonly hint: string;
}

const HINT_ROLE =
  'connect as a dedicated least-privilege role that owns only the Nimbus database (docs/SECURITY.md, "The store\'s database role")';
const HINT_HBA =
  "require scram-sha-256 for the store's host/database/role in pg_hba.conf and give the role a password (docs/SECURITY.md)";
const CONNECT_TIMEOUT_MS = 3000;

function urlWithoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

function urlAs(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}

/**
 * Does the server let `url`'s user in without a password? The probe never sends one: if the
 * server asks (md5/scram), the answer is no. `pg` would otherwise fall back to PGPASSWORD and
 * ~/.pgpass, so the password hook is replaced on the client itself (the connection string's
 * empty password would override one passed in the config).
 */
async function acceptsWithoutPassword(url: string): Promise<boolean> {
  let asked = false;
  const c = new pg.Client({
    connectionString: urlWithoutPassword(url),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  (c as unknown as { password: () => Promise<string> }).password = () => {
    asked = true;
    return Promise.reject(new Error('password withheld by the trust-auth probe'));
  };
  c.on('error', () => {});
  try {
    await c.connect();
    return !asked;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/** Findings about the store at `url` (a `postgres://` URL); never throws. */
export async function inspectPostgres(url: string): Promise<StoreFinding[]> {
  const out: StoreFinding[] = [];
  let user = '';
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  c.on('error', () => {});
  try {
    await c.connect();
    const r = await c.query<{
      user: string;
      super: boolean;
      createrole: boolean;
      server_access: boolean;
    }>(
      `SELECT current_user AS user, r.rolsuper AS super, r.rolcreaterole AS createrole,
              (pg_has_role(current_user, 'pg_execute_server_program', 'USAGE')
               OR pg_has_role(current_user, 'pg_read_server_files', 'USAGE')
               OR pg_has_role(current_user, 'pg_write_server_files', 'USAGE')) AS server_access
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const row = r.rows[0];
    user = row?.user ?? '';
    if (row?.super) {
      out.push({
        code: 'SUPERUSER',
        message: `the store connects to PostgreSQL as ${user}, a superuser: anyone who reaches the database with these credentials controls every database on the server and can run programs on it`,
        hint: HINT_ROLE,
      });
    } else {
      if (row?.createrole)
        out.push({
          code: 'CREATEROLE',
          message: `the store's PostgreSQL role ${user} has CREATEROLE: it can create roles and grant itself their rights`,
          hint: HINT_ROLE,
        });
      if (row?.server_access)
        out.push({
          code: 'SERVER_FILES_OR_PROGRAMS',
          message: `the store's PostgreSQL role ${user} may read or write server files or run server programs (pg_*_server_* membership)`,
          hint: HINT_ROLE,
        });
    }
  } catch (e) {
    return [
      {
        code: 'INSPECTION_FAILED',
        message: `the store's PostgreSQL role could not be inspected: ${(e as Error).message}`,
        hint: 'check that the store URL connects',
      },
    ];
  } finally {
    await c.end().catch(() => {});
  }
  // The role itself, and `postgres` (the superuser every installation has): either one
  // admitted without a password means whoever reaches the port is in.
  const trusted: string[] = [];
  for (const who of [...new Set([user, 'postgres'])]) {
    let probe: string;
    try {
      probe = urlAs(url, who);
    } catch {
      break; // not a URL the probe can rewrite (e.g. a socket path in the host part)
    }
    if (who && (await acceptsWithoutPassword(probe))) trusted.push(who);
  }
  if (trusted.length > 0)
    out.push({
      code: 'TRUST_AUTH',
      message: `PostgreSQL accepts connections as ${trusted.join(' and ')} without a password (trust authentication): anything that reaches the server's port can use the store`,
      hint: HINT_HBA,
    });
  return out;
}
