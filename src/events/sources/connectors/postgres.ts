/**
 * PostgreSQL row changes as an event source, through a trigger-fed outbox table.
 *
 * Why not logical replication: it needs `wal_level=logical` (this server runs `replica`; changing
 * it needs a restart), a replication role and a slot that holds WAL while Nimbus is down. The
 * trigger outbox works on any PostgreSQL with plain privileges, and changes simply wait in
 * `nimbus_cdc.changes` while Nimbus is down — nothing is lost.
 *
 * Correctness: rows are read only when their transaction is older than every running one
 * (`xid < pg_snapshot_xmin(pg_current_snapshot())`), so a row never becomes visible "behind" the
 * reader; a row is deleted only after the function succeeded (ack). Order: by insertion id among
 * visible rows (commit order is not exposed by PostgreSQL without logical decoding).
 */
import pg from 'pg';
import type { Connector, InboundMessage } from '../types.ts';
import { str } from './util.ts';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const quoteIdent = (name: string) =>
  name
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');

export const CDC_SETUP = `
CREATE SCHEMA IF NOT EXISTS nimbus_cdc;
CREATE TABLE IF NOT EXISTS nimbus_cdc.changes (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  tbl text NOT NULL,
  op text NOT NULL,
  old_row jsonb,
  new_row jsonb,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS changes_source_id ON nimbus_cdc.changes (source, id);
CREATE OR REPLACE FUNCTION nimbus_cdc.capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO nimbus_cdc.changes (source, tbl, op, old_row, new_row)
  VALUES (TG_ARGV[0], TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP,
          CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END,
          CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END);
  PERFORM pg_notify('nimbus_cdc', TG_ARGV[0]);
  RETURN NULL;
END $$;
`;

const EVENT: Record<string, string> = { INSERT: 'INSERT', UPDATE: 'MODIFY', DELETE: 'REMOVE' };

export function postgresConnector(
  config: Readonly<Record<string, unknown>>,
  sourceId: string,
  onError: (e: unknown) => void,
  batch: number,
): Connector {
  const url = str(config, 'url');
  const tables = Array.isArray(config.tables)
    ? (config.tables as unknown[]).map(String)
    : [str(config, 'table')];
  for (const t of tables)
    if (!IDENT.test(t)) throw new Error(`table name ${t} is not a plain [schema.]table identifier`);
  // The trigger's tag: stable per source so a restart picks up what waited.
  const tag = typeof config.tag === 'string' ? config.tag : sourceId;
  let client: pg.Client | undefined;
  let closed = false;
  let wake: (() => void) | undefined;
  const inFlight = new Set<string>();
  const done: string[] = [];

  const connect = async () => {
    const c = new pg.Client({ connectionString: url });
    c.on('error', (e) => {
      if (!closed) onError(e);
    });
    await c.connect();
    await c.query(CDC_SETUP);
    for (const t of tables) {
      const trig = `nimbus_cdc_${tag}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60);
      await c.query(`DROP TRIGGER IF EXISTS ${trig} ON ${quoteIdent(t)}`);
      await c.query(
        `CREATE TRIGGER ${trig} AFTER INSERT OR UPDATE OR DELETE ON ${quoteIdent(t)} FOR EACH ROW EXECUTE FUNCTION nimbus_cdc.capture('${tag.replace(/'/g, "''")}')`,
      );
    }
    await c.query('LISTEN nimbus_cdc');
    c.on('notification', () => wake?.());
    client = c;
  };

  return {
    async start(push) {
      await connect();
      void (async () => {
        while (!closed) {
          try {
            if (!client) await connect();
            const c = client!;
            if (done.length > 0) {
              const ids = done.splice(0);
              await c.query('DELETE FROM nimbus_cdc.changes WHERE id = ANY($1::bigint[])', [ids]);
              for (const id of ids) inFlight.delete(id);
            }
            const r = await c.query(
              // ORDER BY the table's bigint column: a bare `id` would name the text output column
              // and sort '1000' before '999' once the sequence crosses a power of ten.
              `SELECT c.id::text AS id, c.tbl, c.op, c.old_row, c.new_row, c.at FROM nimbus_cdc.changes c
               WHERE c.source = $1 AND c.xid < pg_snapshot_xmin(pg_current_snapshot()) AND NOT (c.id = ANY($2::bigint[]))
               ORDER BY c.id LIMIT $3`,
              [tag, [...inFlight], batch * 4],
            );
            for (const row of r.rows as {
              id: string;
              tbl: string;
              op: string;
              old_row: unknown;
              new_row: unknown;
              at: Date;
            }[]) {
              inFlight.add(row.id);
              const m: InboundMessage = {
                id: row.id,
                record: {
                  eventID: row.id,
                  eventName: EVENT[row.op] ?? row.op,
                  eventSource: 'nimbus:postgres',
                  table: row.tbl,
                  approximateCreationDateTime: row.at.toISOString(),
                  ...(row.new_row ? { newImage: row.new_row } : {}),
                  ...(row.old_row ? { oldImage: row.old_row } : {}),
                  sequenceNumber: row.id,
                },
                ack: async () => {
                  done.push(row.id);
                  wake?.();
                },
              };
              push(m);
            }
            if (r.rows.length === 0 && done.length === 0)
              await new Promise<void>((res) => {
                const t = setTimeout(res, 250);
                wake = () => {
                  clearTimeout(t);
                  res();
                };
              });
          } catch (e) {
            if (closed) return;
            onError(e);
            await client?.end().catch(() => {});
            client = undefined;
            inFlight.clear(); // unacked rows are read again after the reconnect
            await new Promise((res) => setTimeout(res, 500));
          }
        }
      })();
    },
    async close() {
      closed = true;
      wake?.();
      // Rows already acked are deleted now, or they would be delivered again after a restart.
      if (client && done.length > 0)
        await client
          .query('DELETE FROM nimbus_cdc.changes WHERE id = ANY($1::bigint[])', [done.splice(0)])
          .catch(onError);
      await client?.end().catch(() => {});
    },
    dropConnection() {
      void client?.end().catch(() => {});
    },
  };
}
