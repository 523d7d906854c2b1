/**
 * REST for durable async work: submit (202 after commit), invocation status, one-shot timers,
 * queue stats and the dead-letter store (list / show / replay / purge). docs/API.md.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseTimerTime } from '../async/service.ts';
import type { AsyncService } from '../async/types.ts';
import { CoreErrors } from '../core/errors.ts';
import { traceparentOfHeaders } from '../observability/trace-context.ts';
import { authorize } from './auth.ts';
import { intQuery, params, parseBody, parseJsonBody, query } from './http.ts';

export interface AsyncRouteDeps {
  readonly async: AsyncService;
}

const Target = z.union([
  z.string().min(1),
  z.object({ function: z.string().min(1), qualifier: z.string().min(1).optional() }).strict(),
]);
export const TimerBody = z
  .object({
    target: Target,
    at: z.union([z.string(), z.number()]).optional(),
    delaySeconds: z.number().min(0).optional(),
    payload: z.unknown().optional(),
    idempotencyKey: z.string().min(1).max(256).optional(),
  })
  .strict();
export const DlqBody = z
  .object({
    ids: z.array(z.string().min(1)).max(10_000).optional(),
    function: z.string().min(1).optional(),
    all: z.literal(true).optional(),
  })
  .strict()
  .refine((b) => (b.ids?.length ?? 0) > 0 || b.function !== undefined || b.all === true, {
    message: 'say which dead letters: "ids", "function", or "all": true',
  });

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export function registerAsyncRoutes(app: FastifyInstance, d: AsyncRouteDeps): void {
  /** Async submit: `POST /v1/functions/{name}/invoke-async` → 202 after the event is committed. */
  const submit = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = authorize(req, 'lambda:InvokeFunction', (a) => a.fn(params(req).name!));
    const body = req.body instanceof Buffer ? req.body.toString('utf8') : '';
    if (body.length > 0) parseJsonBody(req.body);
    const key = header(req.headers['idempotency-key']);
    if (key !== undefined && key.length > 256)
      throw CoreErrors.VALIDATION({ reason: 'Idempotency-Key is longer than 256 characters' });
    const r = await d.async.submit({
      tenant: p.tenant,
      functionName: params(req).name!,
      qualifier: query(req).qualifier,
      payload: body,
      source: 'api',
      idempotencyKey: key,
      // The caller's trace (traceparent or X-Amzn-Trace-Id), continued across the queue hop.
      traceparent: traceparentOfHeaders(req.headers),
    });
    return reply
      .code(202)
      .header('location', `/v1/invocations/${r.id}`)
      .send({ id: r.id, duplicate: r.duplicate });
  };
  app.post('/v1/functions/:name/invoke-async', submit);

  app.get('/v1/invocations/:id', async (req) => {
    const p = authorize(req, 'nimbus:GetInvocation', (a) => a.nimbus('invocation', params(req).id!));
    return d.async.get(p.tenant, params(req).id!);
  });

  app.post('/v1/timers', async (req, reply) => {
    const p = authorize(req, 'nimbus:CreateTimer', (a) => a.nimbus('timer'));
    const b = parseBody(TimerBody, req.body);
    const target = typeof b.target === 'string' ? { function: b.target } : b.target;
    const r = await d.async.schedule({
      tenant: p.tenant,
      functionName: target.function,
      qualifier: target.qualifier,
      payload: JSON.stringify(b.payload ?? {}),
      at: parseTimerTime(b.at),
      delayMs: b.delaySeconds === undefined ? undefined : Math.round(b.delaySeconds * 1000),
      idempotencyKey: b.idempotencyKey,
    });
    return reply
      .code(r.duplicate ? 200 : 201)
      .send({ id: r.id, fireAt: new Date(r.fireAt).toISOString(), duplicate: r.duplicate });
  });

  app.get('/v1/timers', async (req) => {
    const p = authorize(req, 'nimbus:ListTimers');
    return { timers: await d.async.listTimers(p.tenant, query(req).function) };
  });

  app.get('/v1/timers/:id', async (req) => {
    const p = authorize(req, 'nimbus:GetTimer', (a) => a.nimbus('timer', params(req).id!));
    return d.async.get(p.tenant, params(req).id!);
  });

  app.delete('/v1/timers/:id', async (req, reply) => {
    const p = authorize(req, 'nimbus:DeleteTimer', (a) => a.nimbus('timer', params(req).id!));
    await d.async.cancel(p.tenant, params(req).id!);
    return reply.code(204).send();
  });

  app.get('/v1/queues', async (req) => {
    const p = authorize(req, 'nimbus:ListQueues');
    return { queues: await d.async.stats(p.tenant) };
  });

  app.get('/v1/queues/dlq', async (req) => {
    const p = authorize(req, 'nimbus:ListDeadLetters', (a) => a.nimbus('dlq'));
    const q = query(req);
    const items = await d.async.listDead({
      tenant: p.tenant,
      functionName: q.function,
      after: q.after,
      limit: intQuery(q.limit, 'limit'),
    });
    return { deadLetters: items, next: items.length > 0 ? items.at(-1)!.id : null };
  });

  app.get('/v1/queues/dlq/:id', async (req) => {
    const p = authorize(req, 'nimbus:GetDeadLetter', (a) => a.nimbus('dlq', params(req).id!));
    const v = await d.async.get(p.tenant, params(req).id!);
    if (v.status !== 'failed') throw CoreErrors.NOT_FOUND({ what: `dead letter ${v.id}` });
    return v;
  });

  app.post('/v1/queues/dlq/replay', async (req) => {
    const p = authorize(req, 'nimbus:ReplayDeadLetters', (a) => a.nimbus('dlq'));
    const b = parseBody(DlqBody, req.body);
    return { replayed: await d.async.replay(p.tenant, { ids: b.ids, functionName: b.function }) };
  });

  app.post('/v1/queues/dlq/purge', async (req) => {
    const p = authorize(req, 'nimbus:PurgeDeadLetters', (a) => a.nimbus('dlq'));
    const b = parseBody(DlqBody, req.body);
    return { purged: await d.async.purge(p.tenant, { ids: b.ids, functionName: b.function }) };
  });
}
