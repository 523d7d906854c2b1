/** The SQS queue directory (src/sqs/): one row per queue; its messages live in the Queue port. */
import type { Selectable } from 'kysely';
import type { SqsQueueRepo } from '../core/ports.ts';
import type { SqsQueueRecord } from '../core/types.ts';
import type { Db } from './db.ts';
import type { Tables } from './schema.ts';

const toQueue = (r: Selectable<Tables['sqs_queues']>): SqsQueueRecord => ({
  tenant: r.tenant,
  name: r.name,
  attributes: JSON.parse(r.attributes) as Record<string, string>,
  tags: JSON.parse(r.tags) as Record<string, string>,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function makeSqsQueueRepo(db: Db): SqsQueueRepo {
  return {
    async create(q) {
      const r = await db
        .insertInto('sqs_queues')
        .values({
          tenant: q.tenant,
          name: q.name,
          attributes: JSON.stringify(q.attributes),
          tags: JSON.stringify(q.tags),
          created_at: q.createdAt,
          updated_at: q.updatedAt,
        })
        .onConflict((oc) => oc.columns(['tenant', 'name']).doNothing())
        .returning('name')
        .executeTakeFirst();
      return r !== undefined;
    },
    async get(tenant, name) {
      const r = await db
        .selectFrom('sqs_queues')
        .selectAll()
        .where('tenant', '=', tenant)
        .where('name', '=', name)
        .executeTakeFirst();
      return r ? toQueue(r) : undefined;
    },
    async list(tenant) {
      let q = db.selectFrom('sqs_queues').selectAll();
      if (tenant !== undefined) q = q.where('tenant', '=', tenant);
      return (await q.orderBy('tenant').orderBy('name').execute()).map(toQueue);
    },
    async update(q) {
      const r = await db
        .updateTable('sqs_queues')
        .set({
          attributes: JSON.stringify(q.attributes),
          tags: JSON.stringify(q.tags),
          updated_at: q.updatedAt,
        })
        .where('tenant', '=', q.tenant)
        .where('name', '=', q.name)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async delete(tenant, name) {
      const r = await db
        .deleteFrom('sqs_queues')
        .where('tenant', '=', tenant)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
