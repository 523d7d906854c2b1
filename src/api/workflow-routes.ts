/**
 * REST for workflows (Amazon States Language state machines and their executions), what the
 * `nimbus workflows` / `nimbus executions` commands speak. docs/API.md.
 *
 * - `GET /v1/workflows`, `GET|PUT|DELETE /v1/workflows/:name` (PUT creates or updates);
 * - `POST /v1/workflows/:name/executions` (`?sync=1` runs an EXPRESS one to its end),
 *   `GET /v1/workflows/:name/executions?status=&limit=&nextToken=`;
 * - `GET /v1/executions/:arn` (URL-encoded ARN; `?wait=<seconds>` answers once it has ended or
 *   at the deadline), `POST /v1/executions/:arn/stop|redrive`,
 *   `GET /v1/executions/:arn/history?limit=&nextToken=&reverse=1`;
 * - `POST /v1/tasks/success|failure|heartbeat` (the callback pattern's task tokens).
 *
 * Each route authorizes the same `states:<Operation>` on the same ARN as the Step Functions API.
 * Views: ISO timestamps; inputs and outputs as parsed JSON.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CoreErrors } from '../core/errors.ts';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../core/types.ts';
import { traceparentOfHeaders } from '../observability/trace-context.ts';
import { ownExecutionArn } from '../workflows/sfn-api.ts';
import type { ExecutionView, HistoryEventView, MachineView, WorkflowService } from '../workflows/types.ts';
import { authorize, type Principal } from './auth.ts';
import { intQuery, params, parseBody, query } from './http.ts';

export interface WorkflowRouteDeps {
  readonly workflows: WorkflowService;
}

export const MachineBody = z
  .object({
    definition: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    roleArn: z.string().min(1).max(256).optional(),
    type: z.enum(['STANDARD', 'EXPRESS']).optional(),
    description: z.string().max(256).optional(),
    tags: z.record(z.string().max(128), z.string().max(256)).optional(),
  })
  .strict();
export const StartBody = z
  .object({ name: z.string().min(1).max(256).optional(), input: z.unknown().optional() })
  .strict();
export const StopBody = z
  .object({ error: z.string().max(256).optional(), cause: z.string().max(32_768).optional() })
  .strict();
const TaskToken = z.string().min(1).max(4096);
export const SuccessBody = z.object({ taskToken: TaskToken, output: z.unknown().optional() }).strict();
export const FailureBody = z
  .object({
    taskToken: TaskToken,
    error: z.string().max(256).optional(),
    cause: z.string().max(32_768).optional(),
  })
  .strict();
export const HeartbeatBody = z.object({ taskToken: TaskToken }).strict();

const STATUSES: readonly ExecutionStatus[] = EXECUTION_STATUSES;
/** The longest `?wait=` a request may hold (seconds). */
const MAX_WAIT_S = 60;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A JSON text as its value (the text itself if it is not JSON). */
function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const machineView = (m: MachineView) => ({
  name: m.name,
  arn: m.arn,
  type: m.type,
  status: m.status,
  definition: parsed(m.definition),
  roleArn: m.roleArn,
  description: m.description,
  tags: m.tags,
  revisionId: m.revisionId,
  createdAt: iso(m.createdAt),
  updatedAt: iso(m.updatedAt),
});

export const executionView = (v: ExecutionView) => ({
  arn: v.arn,
  name: v.name,
  workflow: v.machine,
  workflowArn: v.machineArn,
  status: v.status,
  input: parsed(v.input),
  output: parsed(v.output),
  error: v.error,
  cause: v.cause,
  startedAt: iso(v.startedAt),
  stoppedAt: iso(v.stoppedAt),
  redriveCount: v.redriveCount,
  redrivenAt: iso(v.redriveAt),
  redriveStatus: v.redriveStatus,
});

/** The state a history event is about (StateEntered/Exited, Map iterations), when it names one. */
function stateOf(details: Readonly<Record<string, unknown>>): string | null {
  for (const v of Object.values(details))
    if (v !== null && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string')
      return (v as { name: string }).name;
  return null;
}

export const historyView = (e: HistoryEventView) => ({
  id: e.id,
  previousEventId: e.previousEventId,
  timestamp: iso(e.timestamp),
  type: e.type,
  state: stateOf(e.details),
  details: e.details,
});

function statusQuery(v: string | undefined): ExecutionStatus | undefined {
  if (v === undefined || v === '') return undefined;
  const s = STATUSES.find((x) => x === v.toUpperCase());
  if (!s) throw CoreErrors.VALIDATION({ reason: `status must be one of ${STATUSES.join(', ')}` });
  return s;
}

const flag = (v: string | undefined) => v === '1' || v === 'true';

/** `?limit=`: 1..1000 (undefined: the service's default page). */
function limitQuery(v: string | undefined): number | undefined {
  const n = intQuery(v, 'limit');
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 1000))
    throw CoreErrors.VALIDATION({ reason: 'limit must be an integer from 1 to 1000' });
  return n;
}

export function registerWorkflowRoutes(app: FastifyInstance, d: WorkflowRouteDeps): void {
  const w = d.workflows;
  const name = (req: FastifyRequest) => params(req).name!;
  /** Authorizes `states:<op>` on the named workflow's ARN. */
  const onMachine = (req: FastifyRequest, op: string): Principal =>
    authorize(req, `states:${op}`, (a) => a.of('states', `stateMachine:${name(req)}`));
  /** Authorizes `states:<op>` on the execution ARN of the path; the caller and the checked ARN. */
  const onExecution = (req: FastifyRequest, op: string): { p: Principal; arn: string } => {
    const raw = params(req).arn!;
    const p = authorize(req, `states:${op}`, () => raw);
    return { p, arn: ownExecutionArn(w, p.tenant, raw) };
  };

  app.get('/v1/workflows', async (req) => {
    const p = authorize(req, 'states:ListStateMachines');
    const all = await w.listMachines(p.tenant);
    return { workflows: [...all].sort((a, b) => a.name.localeCompare(b.name)).map(machineView) };
  });

  app.get('/v1/workflows/:name', async (req) => {
    const p = onMachine(req, 'DescribeStateMachine');
    return machineView(await w.describeMachine(p.tenant, name(req)));
  });

  app.put('/v1/workflows/:name', async (req) => {
    const p = onMachine(req, 'CreateStateMachine');
    const b = parseBody(MachineBody, req.body);
    return machineView(await w.putMachine(p.tenant, { name: name(req), ...b }));
  });

  app.delete('/v1/workflows/:name', async (req, reply) => {
    const p = onMachine(req, 'DeleteStateMachine');
    await w.deleteMachine(p.tenant, name(req));
    return reply.code(204).send();
  });

  app.post('/v1/workflows/:name/executions', async (req, reply) => {
    const sync = flag(query(req).sync);
    const p = onMachine(req, sync ? 'StartSyncExecution' : 'StartExecution');
    const b = parseBody(StartBody, req.body, {});
    const start = {
      machine: name(req),
      name: b.name,
      input: b.input === undefined ? undefined : JSON.stringify(b.input),
      traceparent: traceparentOfHeaders(req.headers),
    };
    if (sync) return executionView(await w.startSyncExecution(p.tenant, start));
    return reply.code(201).send(executionView(await w.startExecution(p.tenant, start)));
  });

  app.get('/v1/workflows/:name/executions', async (req) => {
    const p = onMachine(req, 'ListExecutions');
    const q = query(req);
    const page = await w.listExecutions(p.tenant, {
      machine: name(req),
      status: statusQuery(q.status),
      limit: limitQuery(q.limit),
      nextToken: q.nextToken || undefined,
    });
    return {
      executions: page.items.map(executionView),
      nextToken: page.nextToken ?? null,
    };
  });

  app.get('/v1/executions/:arn', async (req) => {
    const { p, arn } = onExecution(req, 'DescribeExecution');
    const waitS = intQuery(query(req).wait, 'wait');
    if (waitS === undefined || waitS <= 0) return executionView(await w.describeExecution(p.tenant, arn));
    const ms = Math.round(Math.min(waitS, MAX_WAIT_S) * 1000);
    return executionView(await w.waitForEnd(p.tenant, arn, ms));
  });

  app.post('/v1/executions/:arn/stop', async (req) => {
    const { p, arn } = onExecution(req, 'StopExecution');
    const b = parseBody(StopBody, req.body, {});
    return executionView(await w.stopExecution(p.tenant, arn, b));
  });

  app.post('/v1/executions/:arn/redrive', async (req) => {
    const { p, arn } = onExecution(req, 'RedriveExecution');
    return executionView(await w.redriveExecution(p.tenant, arn));
  });

  app.get('/v1/executions/:arn/history', async (req) => {
    const { p, arn } = onExecution(req, 'GetExecutionHistory');
    const q = query(req);
    const page = await w.history(p.tenant, arn, {
      limit: limitQuery(q.limit),
      nextToken: q.nextToken || undefined,
      reverse: flag(q.reverse),
    });
    return { events: page.items.map(historyView), nextToken: page.nextToken ?? null };
  });

  app.post('/v1/tasks/success', async (req, reply) => {
    const p = authorize(req, 'states:SendTaskSuccess');
    const b = parseBody(SuccessBody, req.body);
    await w.sendTaskSuccess(p.tenant, b.taskToken, b.output === undefined ? '{}' : JSON.stringify(b.output));
    return reply.code(204).send();
  });

  app.post('/v1/tasks/failure', async (req, reply) => {
    const p = authorize(req, 'states:SendTaskFailure');
    const b = parseBody(FailureBody, req.body);
    await w.sendTaskFailure(p.tenant, b.taskToken, { error: b.error, cause: b.cause });
    return reply.code(204).send();
  });

  app.post('/v1/tasks/heartbeat', async (req, reply) => {
    const p = authorize(req, 'states:SendTaskHeartbeat');
    const b = parseBody(HeartbeatBody, req.body);
    await w.sendTaskHeartbeat(p.tenant, b.taskToken);
    return reply.code(204).send();
  });
}
