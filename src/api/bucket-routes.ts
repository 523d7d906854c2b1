/** REST for bucket notifications (object events → functions). The objects themselves use the S3 API. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BucketNotification } from '../core/types.ts';
import { OBJECT_EVENT_TYPES } from '../storage/events.ts';
import type { Storage } from '../storage/service.ts';
import { authorize } from './auth.ts';
import { params, parseBody } from './http.ts';

/**
 * Bucket names are the caller's tenant's own (each tenant has its own namespace): the storage
 * service resolves them, so another tenant's bucket of the same name is never reached or named.
 */
export interface BucketRouteDeps {
  readonly storage: Storage;
}

const EventType = z.enum(OBJECT_EVENT_TYPES);
const Rule = {
  events: z.array(EventType).min(1).max(10),
  prefix: z.string().max(1024).optional(),
  suffix: z.string().max(1024).optional(),
};
export const BucketBody = z
  .object({
    notifications: z
      .array(
        z.object({ id: z.string().min(1).max(64).optional(), function: z.string().min(1), ...Rule }).strict(),
      )
      .max(100),
  })
  .strict();
export const FunctionBody = z
  .object({ events: z.array(z.object({ bucket: z.string().min(1), ...Rule }).strict()).max(50) })
  .strict();

const view = (n: BucketNotification) => ({
  id: n.id,
  bucket: n.bucket,
  function: n.functionName,
  events: n.events,
  prefix: n.prefix ?? null,
  suffix: n.suffix ?? null,
  origin: n.origin,
});

export function registerBucketRoutes(app: FastifyInstance, d: BucketRouteDeps): void {
  app.get('/v1/buckets', async (req) => {
    const p = authorize(req, 's3:ListAllMyBuckets');
    return {
      buckets: (await d.storage.listBuckets(p.tenant)).map((b) => ({
        name: b.name,
        createdAt: new Date(b.createdAt).toISOString(),
      })),
    };
  });
  // Creates the bucket if the tenant has none of that name (deploys of storage constructs).
  app.put('/v1/buckets/:bucket', async (req, reply) => {
    const name = params(req).bucket!;
    const p = authorize(req, 's3:CreateBucket', () => `arn:aws:s3:::${name}`);
    const exists = await d.storage
      .headBucket(p.tenant, name)
      .then(() => true)
      .catch(() => false);
    if (!exists) await d.storage.createBucket(p.tenant, name);
    return reply.code(exists ? 200 : 201).send({ name });
  });
  app.get('/v1/buckets/:bucket/notifications', async (req) => {
    const p = authorize(req, 's3:GetBucketNotification', () => `arn:aws:s3:::${params(req).bucket!}`);
    return { notifications: (await d.storage.listNotifications(p.tenant, params(req).bucket!)).map(view) };
  });
  /** Replaces the bucket's API-made notifications (manifest ones stay with their functions). */
  app.put('/v1/buckets/:bucket/notifications', async (req) => {
    const p = authorize(req, 's3:PutBucketNotification', () => `arn:aws:s3:::${params(req).bucket!}`);
    const bucket = params(req).bucket!;
    await d.storage.headBucket(p.tenant, bucket); // NoSuchBucket before a body error
    const b = parseBody(BucketBody, req.body);
    const list = await d.storage.putNotifications(
      p.tenant,
      bucket,
      b.notifications.map((n, i) => ({
        id: n.id ?? `api-${i + 1}`,
        functionName: n.function,
        events: n.events,
        prefix: n.prefix,
        suffix: n.suffix,
      })),
    );
    return { notifications: list.map(view) };
  });
  /** A function's manifest `- s3:` events: buckets are created when missing, notifications replaced. */
  app.put('/v1/functions/:name/bucket-events', async (req) => {
    const p = authorize(req, 's3:PutBucketNotification', (a) => [a.fn(params(req).name!), 'arn:aws:s3:::*']);
    const b = parseBody(FunctionBody, req.body);
    const list = await d.storage.setFunctionBucketEvents(p.tenant, params(req).name!, b.events);
    return { events: list.map(view) };
  });
}
