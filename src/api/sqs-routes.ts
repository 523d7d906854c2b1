/**
 * REST for the tenant's SQS queues, what the console's Queues page shows (the SQS API itself is
 * src/sqs/api.ts on `POST /`). docs/API.md.
 *
 * - `GET /v1/sqs/queues`: each queue with its URL, ARN, type, message counts, dead-letter queue
 *   (and maxReceiveCount) and the queues that use it as theirs. Authorized `sqs:ListQueues`; the
 *   counts of a queue come only where the key may `sqs:GetQueueAttributes` on it (else `null`),
 *   as GetQueueAttributes would refuse them;
 * - `POST /v1/sqs/queues/:name/purge` (`sqs:PurgeQueue`, 204);
 * - `POST /v1/sqs/queues/:name/redrive` `{destination?, maxPerSecond?}`: a message move task
 *   out of the dead-letter queue `name` (`sqs:StartMessageMoveTask`, plus what the move does, as
 *   StartMessageMoveTask checks it: receive and delete on the queue, send on the destination), 202
 *   with the task;
 * - `GET /v1/sqs/queues/:name/redrives`: its move tasks, newest first (`sqs:ListMessageMoveTasks`);
 * - `POST /v1/sqs/queues/:name/redrives/:id/cancel`: cancels a running one
 *   (`sqs:CancelMessageMoveTask`); the messages moved so far stay moved. 200 with the task.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SqsQueueRecord } from '../core/types.ts';
import { authorizeMove, moveTaskHandle, queueUrlOf } from '../sqs/api.ts';
import { settingsOf } from '../sqs/attributes.ts';
import { MAX_PER_SECOND } from '../sqs/move-tasks.ts';
import type { MoveTask, SqsService } from '../sqs/service.ts';
import { type Arns, authorize, isAllowed, type Principal } from './auth.ts';
import { params, parseBody } from './http.ts';

export interface SqsRouteDeps {
  readonly sqs: SqsService;
}

export const RedriveBody = z
  .object({
    destination: z
      .string()
      .min(1)
      .max(80)
      .optional()
      .describe('a queue of the same type; left out: each message goes back to the queue it came from'),
    maxPerSecond: z
      .number()
      .int()
      .min(1)
      .max(MAX_PER_SECOND)
      .optional()
      .describe('messages moved per second'),
  })
  .strict();

const iso = (ms: number) => new Date(ms).toISOString();
const nameOfArn = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

export function moveTaskView(sqs: SqsService, p: Principal, t: MoveTask) {
  return {
    id: t.id,
    handle: t.status === 'RUNNING' ? moveTaskHandle(sqs.arnOf(p.tenant, t.source), t.id) : null,
    status: t.status,
    source: t.source,
    destination: t.destination,
    maxPerSecond: t.maxPerSecond,
    moved: t.moved,
    toMove: t.toMove,
    startedAt: iso(t.startedAt),
    endedAt: t.endedAt === null ? null : iso(t.endedAt),
    failureReason: t.failureReason,
  };
}

export function registerSqsRoutes(app: FastifyInstance, d: SqsRouteDeps): void {
  const { sqs } = d;
  const arnOf = (req: FastifyRequest) => (a: Arns) => a.of('sqs', params(req).name!);

  app.get('/v1/sqs/queues', async (req) => {
    const p = authorize(req, 'sqs:ListQueues');
    const list = await sqs.listQueues(p.tenant);
    const sources = new Map<string, string[]>();
    for (const q of list) {
      const target = settingsOf(q.attributes).redrive?.deadLetterTargetArn;
      if (target) sources.set(target, [...(sources.get(target) ?? []), q.name]);
    }
    const view = async (q: SqsQueueRecord) => {
      const arn = sqs.arnOf(p.tenant, q.name);
      const { fifo, redrive } = settingsOf(q.attributes);
      let messages: { visible: number; inflight: number; delayed: number } | null = null;
      if (isAllowed(req, 'sqs:GetQueueAttributes', arn)) {
        const a = await sqs.attributes(p.tenant, q.name);
        messages = {
          visible: Number(a.ApproximateNumberOfMessages ?? 0),
          inflight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
        };
      }
      return {
        name: q.name,
        url: queueUrlOf(req, p.accountId, q.name),
        arn,
        fifo,
        messages,
        deadLetterQueue: redrive
          ? {
              name: nameOfArn(redrive.deadLetterTargetArn),
              arn: redrive.deadLetterTargetArn,
              maxReceiveCount: redrive.maxReceiveCount,
            }
          : null,
        deadLetterSources: sources.get(arn) ?? [],
        createdAt: iso(q.createdAt),
      };
    };
    return { queues: await Promise.all(list.map(view)) };
  });

  app.post('/v1/sqs/queues/:name/purge', async (req, reply) => {
    const p = authorize(req, 'sqs:PurgeQueue', arnOf(req));
    await sqs.purge(p.tenant, params(req).name!);
    return reply.code(204).send();
  });

  app.post('/v1/sqs/queues/:name/redrive', async (req, reply) => {
    const p = authorize(req, 'sqs:StartMessageMoveTask', arnOf(req));
    const name = params(req).name!;
    const b = parseBody(RedriveBody, req.body, {});
    await sqs.getQueue(p.tenant, name);
    if (b.destination !== undefined) await sqs.getQueue(p.tenant, b.destination);
    await authorizeMove(req, sqs, p, name, b.destination);
    const t = await sqs.startMoveTask(p.tenant, name, {
      destination: b.destination,
      maxPerSecond: b.maxPerSecond,
    });
    return reply.code(202).send({ task: moveTaskView(sqs, p, t) });
  });

  app.get('/v1/sqs/queues/:name/redrives', async (req) => {
    const p = authorize(req, 'sqs:ListMessageMoveTasks', arnOf(req));
    const tasks = await sqs.listMoveTasks(p.tenant, params(req).name!);
    return { tasks: tasks.map((t) => moveTaskView(sqs, p, t)) };
  });

  app.post('/v1/sqs/queues/:name/redrives/:id/cancel', async (req) => {
    const p = authorize(req, 'sqs:CancelMessageMoveTask', arnOf(req));
    const t = await sqs.cancelMoveTask(p.tenant, params(req).name!, params(req).id!);
    return { task: moveTaskView(sqs, p, t) };
  });
}
