/** REST for recurring schedules: `/v1/schedules` and a function's manifest schedules. docs/API.md. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CoreErrors } from '../core/errors.ts';
import type { ScheduleRecord } from '../core/types.ts';
import type { ScheduleService } from '../schedules/service.ts';
import type { WorkflowService } from '../workflows/types.ts';
import { authorize } from './auth.ts';
import { params, parseBody } from './http.ts';

export interface ScheduleRouteDeps {
  readonly schedules: ScheduleService;
  /** State machines that schedules may target. */
  readonly workflows?: Pick<WorkflowService, 'describeMachine'> | undefined;
}

export const Spec = z
  .object({
    function: z.string().min(1),
    qualifier: z.string().min(1).optional(),
    expression: z.string().min(1).max(256),
    timezone: z.string().min(1).optional(),
    input: z.unknown().optional(),
    enabled: z.boolean().optional(),
    misfire: z.enum(['fireOnce', 'skip']).optional(),
    description: z.string().max(512).optional(),
  })
  .strict();
const FunctionSpec = Spec.omit({ function: true }).extend({ name: z.string().min(1) });
export const ReplaceBody = z.object({ schedules: z.array(FunctionSpec).max(100) }).strict();

export const MachineReplaceBody = z
  .object({ schedules: z.array(FunctionSpec.omit({ qualifier: true })).max(100) })
  .strict();

export const scheduleView = (r: ScheduleRecord) => ({
  name: r.name,
  function: r.stateMachine === undefined ? r.functionName : null,
  ...(r.stateMachine !== undefined ? { stateMachine: r.stateMachine } : {}),
  qualifier: r.qualifier ?? null,
  expression: r.expression,
  timezone: r.timezone,
  input: r.input === undefined ? null : (JSON.parse(r.input) as unknown),
  enabled: r.enabled,
  misfire: r.misfire,
  origin: r.origin,
  description: r.description,
  nextFireAt: r.nextFireAt === undefined ? null : new Date(r.nextFireAt).toISOString(),
  lastFireAt: r.lastFireAt === undefined ? null : new Date(r.lastFireAt).toISOString(),
  createdAt: new Date(r.createdAt).toISOString(),
  updatedAt: new Date(r.updatedAt).toISOString(),
});

export function registerScheduleRoutes(app: FastifyInstance, d: ScheduleRouteDeps): void {
  app.get('/v1/schedules', async (req) => {
    const p = authorize(req, 'nimbus:ListSchedules');
    return { schedules: (await d.schedules.list(p.tenant)).map(scheduleView) };
  });
  app.get('/v1/schedules/:name', async (req) => {
    const p = authorize(req, 'nimbus:GetSchedule', (a) => a.nimbus('schedule', params(req).name!));
    return scheduleView(await d.schedules.get(p.tenant, params(req).name!));
  });
  app.put('/v1/schedules/:name', async (req) => {
    const p = authorize(req, 'nimbus:PutSchedule', (a) => a.nimbus('schedule', params(req).name!));
    const b = parseBody(Spec, req.body);
    const { function: functionName, ...rest } = b;
    return scheduleView(await d.schedules.put(p.tenant, { ...rest, functionName, name: params(req).name! }));
  });
  app.delete('/v1/schedules/:name', async (req, reply) => {
    const p = authorize(req, 'nimbus:DeleteSchedule', (a) => a.nimbus('schedule', params(req).name!));
    await d.schedules.delete(p.tenant, params(req).name!);
    return reply.code(204).send();
  });
  /** Replaces the function's manifest schedules (what `nimbus deploy` sends). */
  app.put('/v1/functions/:name/schedules', async (req) => {
    const p = authorize(req, 'nimbus:PutSchedule', (a) => [a.fn(params(req).name!), a.nimbus('schedule')]);
    const b = parseBody(ReplaceBody, req.body);
    const fn = params(req).name!;
    const out = await d.schedules.replaceForFunction(
      p.tenant,
      fn,
      b.schedules.map((s) => ({ ...s, functionName: fn })),
    );
    return { schedules: out.map(scheduleView) };
  });
  /** Replaces a state machine's manifest schedules (serverless-step-functions `schedule` events). */
  app.put('/v1/workflows/:name/schedules', async (req) => {
    const name = params(req).name!;
    const p = authorize(req, 'nimbus:PutSchedule', (a) => [
      a.of('states', `stateMachine:${name}`),
      a.nimbus('schedule'),
    ]);
    const b = parseBody(MachineReplaceBody, req.body);
    if (!d.workflows) throw CoreErrors.NOT_FOUND({ what: `state machine ${name}` });
    await d.workflows.describeMachine(p.tenant, name);
    const out = await d.schedules.replaceForStateMachine(p.tenant, name, b.schedules);
    return { schedules: out.map(scheduleView) };
  });
}
