/**
 * Workflows (src/workflows/): state machines, executions and their history. A transition is one
 * compare-and-set on the execution's seq plus its history events, so two nodes (or two handlers
 * of one node) applying events to the same execution never both win.
 */
import type { Selectable } from 'kysely';
import type { WorkflowRepo } from '../core/ports.ts';
import type {
  ExecutionRecord,
  ExecutionStatus,
  HistoryEventRecord,
  StateMachineRecord,
} from '../core/types.ts';
import { type Db, inTransaction, pow2Chunks } from './db.ts';
import type { Tables } from './schema.ts';

const toMachine = (r: Selectable<Tables['state_machines']>): StateMachineRecord => ({
  tenant: r.tenant,
  name: r.name,
  type: r.type as StateMachineRecord['type'],
  definition: r.definition,
  roleArn: r.role_arn,
  description: r.description,
  tags: JSON.parse(r.tags) as Record<string, string>,
  revisionId: r.revision_id,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toExecution = (r: Selectable<Tables['executions']>): ExecutionRecord => ({
  tenant: r.tenant,
  arn: r.arn,
  machine: r.machine,
  name: r.name,
  status: r.status as ExecutionStatus,
  input: r.input,
  output: r.output,
  error: r.error,
  cause: r.cause,
  startedAt: Number(r.started_at),
  stoppedAt: r.stopped_at === null ? null : Number(r.stopped_at),
  definition: r.definition,
  roleArn: r.role_arn,
  seq: Number(r.seq),
  state: r.state,
  redriveCount: Number(r.redrive_count),
  redriveAt: r.redrive_at === null ? null : Number(r.redrive_at),
});

const executionRow = (e: ExecutionRecord) => ({
  tenant: e.tenant,
  arn: e.arn,
  machine: e.machine,
  name: e.name,
  status: e.status,
  input: e.input,
  output: e.output,
  error: e.error,
  cause: e.cause,
  started_at: e.startedAt,
  stopped_at: e.stoppedAt,
  definition: e.definition,
  role_arn: e.roleArn,
  seq: e.seq,
  state: e.state,
  redrive_count: e.redriveCount,
  redrive_at: e.redriveAt,
});

const toEvent = (r: Selectable<Tables['execution_events']>): HistoryEventRecord => ({
  id: Number(r.id),
  previousEventId: Number(r.previous_id),
  ts: Number(r.ts),
  type: r.type,
  details: r.details,
});

async function insertEvents(db: Db, tenant: string, arn: string, events: readonly HistoryEventRecord[]) {
  // 7 columns a row: chunks stay under SQLite's bound-parameter limit.
  for (const chunk of pow2Chunks(events, 128))
    await db
      .insertInto('execution_events')
      .values(
        chunk.map((e) => ({
          tenant,
          arn,
          id: e.id,
          previous_id: e.previousEventId,
          ts: e.ts,
          type: e.type,
          details: e.details,
        })),
      )
      .execute();
}

export function makeWorkflowRepo(db: Db): WorkflowRepo {
  return {
    async createMachine(m) {
      const r = await db
        .insertInto('state_machines')
        .values({
          tenant: m.tenant,
          name: m.name,
          type: m.type,
          definition: m.definition,
          role_arn: m.roleArn,
          description: m.description,
          tags: JSON.stringify(m.tags),
          revision_id: m.revisionId,
          created_at: m.createdAt,
          updated_at: m.updatedAt,
        })
        .onConflict((oc) => oc.columns(['tenant', 'name']).doNothing())
        .returning('name')
        .executeTakeFirst();
      return r !== undefined;
    },
    async getMachine(tenant, name) {
      const r = await db
        .selectFrom('state_machines')
        .selectAll()
        .where('tenant', '=', tenant)
        .where('name', '=', name)
        .executeTakeFirst();
      return r ? toMachine(r) : undefined;
    },
    async listMachines(tenant) {
      const rows = await db
        .selectFrom('state_machines')
        .selectAll()
        .where('tenant', '=', tenant)
        .orderBy('name')
        .execute();
      return rows.map(toMachine);
    },
    async updateMachine(m) {
      const r = await db
        .updateTable('state_machines')
        .set({
          definition: m.definition,
          role_arn: m.roleArn,
          description: m.description,
          tags: JSON.stringify(m.tags),
          revision_id: m.revisionId,
          updated_at: m.updatedAt,
        })
        .where('tenant', '=', m.tenant)
        .where('name', '=', m.name)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async deleteMachine(tenant, name) {
      const r = await db
        .deleteFrom('state_machines')
        .where('tenant', '=', tenant)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    createExecution(e, events) {
      return inTransaction(db, async (tx) => {
        const r = await tx
          .insertInto('executions')
          .values(executionRow(e))
          .onConflict((oc) => oc.columns(['tenant', 'arn']).doNothing())
          .returning('arn')
          .executeTakeFirst();
        if (r === undefined) return false;
        await insertEvents(tx, e.tenant, e.arn, events);
        return true;
      });
    },
    async getExecution(tenant, arn) {
      const r = await db
        .selectFrom('executions')
        .selectAll()
        .where('tenant', '=', tenant)
        .where('arn', '=', arn)
        .executeTakeFirst();
      return r ? toExecution(r) : undefined;
    },
    async listExecutions(q) {
      let s = db.selectFrom('executions').selectAll().where('tenant', '=', q.tenant);
      if (q.machine !== undefined) s = s.where('machine', '=', q.machine);
      if (q.status !== undefined) s = s.where('status', '=', q.status);
      const b = q.before;
      if (b !== undefined)
        s = s.where((w) =>
          w.or([
            w('started_at', '<', b.startedAt),
            w.and([w('started_at', '=', b.startedAt), w('arn', '<', b.arn)]),
          ]),
        );
      const rows = await s.orderBy('started_at', 'desc').orderBy('arn', 'desc').limit(q.limit).execute();
      return rows.map(toExecution);
    },
    commitTransition(e, expectSeq, events) {
      return inTransaction(db, async (tx) => {
        const { tenant, arn, ...rest } = executionRow(e);
        const r = await tx
          .updateTable('executions')
          .set(rest)
          .where('tenant', '=', tenant)
          .where('arn', '=', arn)
          .where('seq', '=', expectSeq)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        await insertEvents(tx, tenant, arn, events);
        return true;
      });
    },
    async history(tenant, arn, q) {
      let s = db
        .selectFrom('execution_events')
        .selectAll()
        .where('tenant', '=', tenant)
        .where('arn', '=', arn);
      if (q.after !== undefined) s = s.where('id', '>', q.after);
      if (q.before !== undefined) s = s.where('id', '<', q.before);
      const rows = await s
        .orderBy('id', q.reverse ? 'desc' : 'asc')
        .limit(q.limit)
        .execute();
      return rows.map(toEvent);
    },
  };
}
