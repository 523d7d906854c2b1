/**
 * The statements of the PostgreSQL queue. Every mutation is ONE statement (autocommit: one round
 * trip, one commit); where a mutation has several steps they are data-modifying CTEs, ordered by
 * reading each other's output (a CTE that another one reads runs to completion first).
 *
 * Times are parameters (the adapter's injected clock), never now().
 */

/** `schema.queue_messages`; the schema name is validated by the caller. */
export type Table = string;

/** The table and its indexes, each with the name to look for before creating it. */
export function ddl(t: Table): { readonly name: string; readonly sql: string }[] {
  const index = (name: string, def: string) => ({
    name,
    sql: `CREATE ${def.startsWith('UNIQUE') ? 'UNIQUE INDEX' : 'INDEX'} IF NOT EXISTS ${name} ON ${t} ${def.replace(/^UNIQUE /, '')}`,
  });
  return [
    {
      name: 'queue_messages',
      sql: `CREATE TABLE IF NOT EXISTS ${t} (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        queue text NOT NULL,
        tenant text NOT NULL,
        source text NOT NULL,
        state text NOT NULL,
        body text NOT NULL,
        dedupe_key text,
        dedupe_until bigint,
        grp text,
        attempts integer NOT NULL DEFAULT 0,
        failures integer NOT NULL DEFAULT 0,
        enqueued_at bigint NOT NULL,
        visible_at bigint NOT NULL,
        lease_token text,
        lease_owner text,
        updated_at bigint NOT NULL,
        result text,
        error text
      ) WITH (autovacuum_vacuum_scale_factor = 0.02)`,
    },
    // Leasing (and lag): the queued messages of one queue by visibility.
    index('queue_messages_lease', `(queue, visible_at, seq) WHERE state = 'queued'`),
    // nextVisibleAt over all queues.
    index('queue_messages_visible', `(visible_at) WHERE state = 'queued'`),
    index('queue_messages_group', `(queue, grp, seq) WHERE state = 'queued' AND grp IS NOT NULL`),
    index('queue_messages_dedupe', `UNIQUE (queue, dedupe_key) WHERE dedupe_key IS NOT NULL`),
    // Sweep of done messages.
    index('queue_messages_done', `(updated_at) WHERE state = 'done'`),
    // list, stats, drop: one queue's messages by state.
    index('queue_messages_state', `(queue, state, seq)`),
  ];
}

const COLS =
  'seq, id, queue, tenant, source, state, body, dedupe_key, grp, attempts, failures, enqueued_at, visible_at, lease_token, updated_at, result, error';
const colsOf = (alias: string) =>
  COLS.split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');

export const XID = 'pg_current_xact_id_if_assigned()::text';

/** Number of parameters `insertCtes` takes. */
export const INSERT_PARAMS = 11;

/**
 * CTEs `d` (the items), `locks`, `cleared` (dedupe keys whose window is over are taken off their
 * old message) and `ins` (the inserted rows). Duplicates within the window — of an earlier message
 * or of an item earlier in the same batch — are skipped by ON CONFLICT and read afterwards.
 *
 * `locks`: a transaction lock per ordered group (taken in sorted order, held to the commit) before
 * the rows get their seq. Without it two statements enqueueing into one group could commit in the
 * other order than their seqs; the later seq would be leased first and the earlier one, committed
 * after, would pass the "no earlier message queued" check too: two of one group at once.
 * Parameters from `$first`: ids, queues, tenants, sources, states, bodies, dedupe keys, dedupe
 * ends, groups, visible times, errors (arrays), then the caller's `now` parameter.
 */
export function insertCtes(t: Table, first: number, now: string, guard = 'true'): string {
  const p = (i: number) => `$${first + i}`;
  return `d AS (
      SELECT * FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[],
        ${p(4)}::text[], ${p(5)}::text[], ${p(6)}::text[], ${p(7)}::int8[], ${p(8)}::text[],
        ${p(9)}::int8[], ${p(10)}::text[]) WITH ORDINALITY
        AS d(id, queue, tenant, source, state, body, dedupe_key, dedupe_until, grp, visible_at, error, ord)
      WHERE ${guard}
    ),
    locks AS (
      SELECT pg_advisory_xact_lock(hashtextextended('${t}/' || g.queue || '/' || g.grp, 0))
      FROM (SELECT DISTINCT queue, grp FROM d WHERE grp IS NOT NULL ORDER BY queue, grp) g
    ),
    cleared AS (
      UPDATE ${t} m SET dedupe_key = NULL FROM d
      WHERE m.queue = d.queue AND m.dedupe_key = d.dedupe_key AND m.dedupe_until <= ${now}
      RETURNING m.seq
    ),
    ins AS (
      INSERT INTO ${t} (id, queue, tenant, source, state, body, dedupe_key, dedupe_until, grp,
        enqueued_at, visible_at, updated_at, error)
      SELECT id, queue, tenant, source, state, body, dedupe_key, dedupe_until, grp, ${now}, visible_at,
        ${now}, error
      FROM d WHERE (SELECT count(*) FROM cleared) >= 0 AND (SELECT count(*) FROM locks) >= 0
      ORDER BY ord
      ON CONFLICT (queue, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
      RETURNING id, queue, state
    )`;
}

export const enqueueSql = (t: Table) =>
  `WITH ${insertCtes(t, 1, `$${INSERT_PARAMS + 1}`)} SELECT id, queue, state, ${XID} AS xid FROM ins`;

/** Who holds the dedupe keys of items that were skipped as duplicates. */
export const holdersSql = (t: Table) =>
  `SELECT m.id, m.queue, m.dedupe_key FROM ${t} m
   JOIN unnest($1::text[], $2::text[]) AS k(queue, dedupe_key)
     ON m.queue = k.queue AND m.dedupe_key = k.dedupe_key`;

/**
 * Settles leased messages: ack / nack / dead / extend, one row of arrays per op. A row changes only
 * while its lease is held (token matches and has not expired).
 * $1 ids, $2 tokens, $3 kinds, $4 results, $5 visible times (nack, extend), $6 failure increments,
 * $7 errors, $8 now.
 */
const settleUpdate = (t: Table) =>
  `UPDATE ${t} m SET
      state = CASE o.kind WHEN 'ack' THEN 'done' WHEN 'dead' THEN 'dead' ELSE 'queued' END,
      lease_token = CASE WHEN o.kind = 'extend' THEN m.lease_token END,
      lease_owner = CASE WHEN o.kind = 'extend' THEN m.lease_owner END,
      visible_at = coalesce(o.vis, m.visible_at),
      failures = m.failures + o.finc,
      result = CASE WHEN o.kind = 'ack' THEN o.result ELSE m.result END,
      error = CASE o.kind WHEN 'dead' THEN o.error WHEN 'nack' THEN coalesce(o.error, m.error) ELSE m.error END,
      updated_at = $8
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int4[], $7::text[])
      AS o(id, tok, kind, result, vis, finc, error)
    WHERE m.id = o.id AND m.lease_token = o.tok AND m.state = 'queued' AND m.visible_at > $8`;

export const SETTLE_PARAMS = 8;

export const settleSql = (t: Table) => `${settleUpdate(t)} RETURNING o.id, o.tok, m.queue, ${XID} AS xid`;

/** One settle and its follow-ups, which are inserted only if the settle took effect. */
export const settleWithFollowUpsSql = (t: Table) =>
  `WITH s AS (${settleUpdate(t)} RETURNING m.queue),
    ${insertCtes(t, SETTLE_PARAMS + 1, '$8', 'EXISTS (SELECT 1 FROM s)')}
  SELECT s.queue, ${XID} AS xid,
    (SELECT coalesce(json_agg(json_build_array(ins.queue, ins.state)), '[]'::json) FROM ins) AS ins
  FROM s`;

/**
 * Leases up to $3 visible messages of queue $1 at now $2 until $4 for owner $5. SKIP LOCKED: nodes
 * leasing at once take different rows. A message of an ordered group waits while an earlier one of
 * its group is still queued (leased, or waiting for a retry).
 */
export const leaseSql = (t: Table) =>
  `WITH c AS (
      SELECT m.seq, m.visible_at AS was FROM ${t} m
      WHERE m.queue = $1 AND m.state = 'queued' AND m.visible_at <= $2
        AND (m.grp IS NULL OR NOT EXISTS (SELECT 1 FROM ${t} x WHERE x.queue = $1 AND x.grp = m.grp
             AND x.state = 'queued' AND x.seq < m.seq))
      ORDER BY m.visible_at, m.seq
      LIMIT $3
      FOR UPDATE OF m SKIP LOCKED
    )
    UPDATE ${t} m SET lease_token = gen_random_uuid()::text, lease_owner = $5, visible_at = $4,
      attempts = m.attempts + 1, updated_at = $2
    FROM c WHERE m.seq = c.seq
    RETURNING ${colsOf('m')}, c.was`;

export const getSql = (t: Table) => `SELECT ${COLS} FROM ${t} WHERE id = $1`;

export const cancelSql = (t: Table) =>
  `DELETE FROM ${t} WHERE id = $1 AND state = 'queued' AND (lease_token IS NULL OR visible_at <= $2)
   RETURNING queue, ${XID} AS xid`;

export const replaySql = (t: Table) =>
  `UPDATE ${t} SET state = 'queued', failures = 0, visible_at = $2, lease_token = NULL, lease_owner = NULL,
     updated_at = $2
   WHERE id = ANY($1::text[]) AND state = 'dead' RETURNING queue, ${XID} AS xid`;

export const purgeSql = (t: Table) =>
  `DELETE FROM ${t} WHERE id = ANY($1::text[]) AND state = 'dead' RETURNING queue`;

/** Only the leases this node ($2) holds: other nodes' leases belong to live consumers. */
export const recoverSql = (t: Table) =>
  `UPDATE ${t} SET lease_token = NULL, lease_owner = NULL, visible_at = $1
   WHERE state = 'queued' AND lease_owner = $2 AND lease_token IS NOT NULL RETURNING queue`;

export const sweepSql = (t: Table) =>
  `DELETE FROM ${t} WHERE seq IN (SELECT seq FROM ${t} WHERE state = 'done' AND updated_at < $1 LIMIT 5000)`;

const dropped = (where: string) =>
  `WITH del AS (DELETE FROM ${where} RETURNING state)
   SELECT count(*) AS n, count(*) FILTER (WHERE state = 'queued') AS queued, ${XID} AS xid FROM del`;
export const dropAllSql = (t: Table) => dropped(`${t} WHERE queue = $1`);
export const dropOldSql = (t: Table) =>
  dropped(`${t} WHERE queue = $1 AND state != 'done' AND enqueued_at < $2`);

const STATS_COLS = `
  count(*) FILTER (WHERE state = 'queued' AND visible_at <= $1) AS ready,
  count(*) FILTER (WHERE state = 'queued' AND visible_at > $1 AND lease_token IS NULL) AS delayed,
  count(*) FILTER (WHERE state = 'queued' AND visible_at > $1 AND lease_token IS NOT NULL) AS inflight,
  count(*) FILTER (WHERE state = 'dead') AS dead,
  min(visible_at) FILTER (WHERE state = 'queued' AND visible_at <= $1 AND lease_token IS NULL) AS oldest`;
export const statsOneSql = (t: Table) =>
  `SELECT ${STATS_COLS} FROM ${t} WHERE queue = $2 AND state IN ('queued', 'dead')`;
export const statsAllSql = (t: Table) =>
  `SELECT queue, ${STATS_COLS} FROM ${t} WHERE state IN ('queued', 'dead') GROUP BY queue ORDER BY queue`;

export const headSql = (t: Table) =>
  `SELECT min(visible_at) AS at FROM ${t} WHERE queue = $1 AND state = 'queued'`;
export const nextSql = (t: Table) => `SELECT min(visible_at) AS at FROM ${t} WHERE state = 'queued'`;

/** The counts behind depth()/activeQueues() and the snapshot they were read under (one statement). */
export const refreshSql = (t: Table) =>
  `SELECT pg_current_snapshot()::text AS snap,
     coalesce((SELECT json_agg(json_build_array(queue, n)) FROM
       (SELECT queue, count(*) AS n FROM ${t} WHERE state = 'queued' GROUP BY queue) x), '[]'::json) AS counts`;

export function listSql(
  t: Table,
  q: { state: string; tenant?: string; queue?: string; source?: string; after?: string; limit: number },
): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (p: string) => string, v: unknown) => {
    values.push(v);
    where.push(sql(`$${values.length}`));
  };
  add((p) => `state = ${p}`, q.state);
  if (q.tenant !== undefined) add((p) => `tenant = ${p}`, q.tenant);
  if (q.queue !== undefined) add((p) => `queue = ${p}`, q.queue);
  if (q.source !== undefined) add((p) => `source = ${p}`, q.source);
  if (q.after !== undefined) add((p) => `seq > coalesce((SELECT seq FROM ${t} WHERE id = ${p}), 0)`, q.after);
  return {
    text: `SELECT ${COLS} FROM ${t} WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${q.limit}`,
    values,
  };
}
