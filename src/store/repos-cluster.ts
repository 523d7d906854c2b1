/**
 * Cluster coordination on the Store (cluster mode): leader leases with fencing tokens and the node
 * registry. No consensus of our own: the database row is the lease, and one conditional upsert
 * decides who holds it — PostgreSQL locks the conflicting row and re-evaluates the WHERE against
 * its newest version, SQLite runs one writer at a time. Times come from the caller's Clock.
 */
import type { Selectable } from 'kysely';
import { CoreErrors } from '../core/errors.ts';
import type { LeaseRecord, LeaseRepo, NodeLoad, NodeRecord, NodeRepo } from '../core/ports.ts';
import type { Db } from './db.ts';
import type { Tables } from './schema.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

const toLease = (r: Selectable<Tables['cluster_leases']>): LeaseRecord => ({
  name: r.name,
  holder: r.holder,
  token: num(r.token),
  expiresAt: num(r.expires_at),
  acquiredAt: num(r.acquired_at),
});

const toNode = (r: Selectable<Tables['cluster_nodes']>): NodeRecord => {
  const load = JSON.parse(r.load) as Partial<NodeLoad>;
  return {
    id: r.id,
    address: r.address,
    roles: JSON.parse(r.roles) as string[],
    startedAt: num(r.started_at),
    seenAt: num(r.seen_at),
    load: { inflight: load.inflight ?? 0, instances: load.instances ?? 0, warm: load.warm ?? [] },
  };
};

export function makeLeaseRepo(db: Db, kind: string): LeaseRepo {
  return {
    async acquire(name, holder, now, ttlMs) {
      if (!Number.isFinite(now) || !(ttlMs > 0))
        throw CoreErrors.VALIDATION({
          reason: `lease ${name}: now ${now} and ttl ${ttlMs} ms must be finite, ttl > 0`,
        });
      const row = await db
        .insertInto('cluster_leases')
        .values({ name, holder, token: 1, expires_at: now + ttlMs, acquired_at: now })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet((eb) => {
              // The same holder's unexpired term: a renewal (token and start kept, expiry only
              // pushed forward — a late renewal with an older `now` never shortens it). Anything
              // else that passes the WHERE is a new term: the token moves on.
              const renewal = eb.and([
                eb('cluster_leases.holder', '=', eb.ref('excluded.holder')),
                eb('cluster_leases.expires_at', '>', now),
              ]);
              return {
                holder: eb.ref('excluded.holder'),
                token: eb
                  .case()
                  .when(renewal)
                  .then(eb.ref('cluster_leases.token'))
                  .else(eb('cluster_leases.token', '+', 1))
                  .end(),
                expires_at: eb
                  .case()
                  .when(
                    eb.and([renewal, eb('cluster_leases.expires_at', '>', eb.ref('excluded.expires_at'))]),
                  )
                  .then(eb.ref('cluster_leases.expires_at'))
                  .else(eb.ref('excluded.expires_at'))
                  .end(),
                acquired_at: eb
                  .case()
                  .when(renewal)
                  .then(eb.ref('cluster_leases.acquired_at'))
                  .else(eb.ref('excluded.acquired_at'))
                  .end(),
              };
            })
            .where((eb) =>
              eb.or([
                eb('cluster_leases.holder', '=', eb.ref('excluded.holder')),
                eb('cluster_leases.expires_at', '<=', now),
              ]),
            ),
        )
        .returningAll()
        .executeTakeFirst();
      return row && row.holder === holder ? toLease(row) : undefined;
    },
    async release(name, holder) {
      const r = await db
        .updateTable('cluster_leases')
        .set({ expires_at: 0 })
        .where('name', '=', name)
        .where('holder', '=', holder)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async get(name) {
      const r = await db.selectFrom('cluster_leases').selectAll().where('name', '=', name).executeTakeFirst();
      return r && toLease(r);
    },
    async checkToken(name, token, now) {
      let q = db.selectFrom('cluster_leases').select(['token', 'expires_at']).where('name', '=', name);
      // SQLite has no row locks (and one writer at a time); PostgreSQL keeps this one until commit.
      if (kind === 'postgres') q = q.forShare();
      const r = await q.executeTakeFirst();
      return r !== undefined && num(r.token) === token && (now === undefined || num(r.expires_at) > now);
    },
  };
}

export function makeNodeRepo(db: Db): NodeRepo {
  return {
    async heartbeat(n) {
      const row = {
        id: n.id,
        address: n.address,
        roles: JSON.stringify(n.roles),
        started_at: n.startedAt,
        seen_at: n.seenAt,
        load: JSON.stringify({ inflight: n.load.inflight, instances: n.load.instances, warm: n.load.warm }),
      };
      const { id: _id, ...rest } = row;
      await db
        .insertInto('cluster_nodes')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(rest))
        .execute();
    },
    async list(aliveSince) {
      const rows = await db
        .selectFrom('cluster_nodes')
        .selectAll()
        .where('seen_at', '>=', aliveSince)
        .orderBy('id')
        .execute();
      return rows.map(toNode);
    },
    async remove(id) {
      const r = await db.deleteFrom('cluster_nodes').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async prune(before) {
      const r = await db.deleteFrom('cluster_nodes').where('seen_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
