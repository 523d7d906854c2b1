/** REST for bucket notifications (object events → functions). The objects themselves use the S3 API. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Store } from '../core/ports.ts';
import type { BucketNotification } from '../core/types.ts';
import { OBJECT_EVENT_TYPES } from '../storage/events.ts';
import { S3Errors, type Storage } from '../storage/service.ts';
import { authorize } from './auth.ts';
import { params, parseBody } from './http.ts';

export interface BucketRouteDeps {
  readonly storage: Storage;
  readonly store: Store;
}

const EventType = z.enum(OBJECT_EVENT_TYPES);
const Rule = {
  events: z.array(EventType).min(1).max(10),
  prefix: z.string().max(1024).optional(),
  suffix: z.string().max(1024).optional(),
};
const BucketBody = z
  .object({
    notifications: z
      .array(
        z.object({ id: z.string().min(1).max(64).optional(), function: z.string().min(1), ...Rule }).strict(),
      )
      .max(100),
  })
  .strict();
const FunctionBody = z
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
  const owned = async (tenant: string, bucket: string) => {
    const b = await d.store.objects.getBucket(bucket);
    if (!b || b.tenant !== tenant) throw S3Errors.NO_SUCH_BUCKET({ bucket });
  };
  app.get('/v1/buckets', async (req) => {
    const p = authorize(req, 's3:ListAllMyBuckets');
    return {
      buckets: (await d.storage.listBuckets(p.tenant)).map((b) => ({
        name: b.name,
        createdAt: new Date(b.createdAt).toISOString(),
      })),
    };
  });
  app.get('/v1/buckets/:bucket/notifications', async (req) => {
    const p = authorize(req, 's3:GetBucketNotification', () => `arn:aws:s3:::${params(req).bucket!}`);
    await owned(p.tenant, params(req).bucket!);
    return { notifications: (await d.store.objects.listNotifications(params(req).bucket!)).map(view) };
  });
  /** Replaces the bucket's API-made notifications (manifest ones stay with their functions). */
  app.put('/v1/buckets/:bucket/notifications', async (req) => {
    const p = authorize(req, 's3:PutBucketNotification', () => `arn:aws:s3:::${params(req).bucket!}`);
    const bucket = params(req).bucket!;
    await owned(p.tenant, bucket);
    const b = parseBody(BucketBody, req.body);
    const list: BucketNotification[] = b.notifications.map((n, i) => ({
      bucket,
      id: n.id ?? `api-${i + 1}`,
      functionName: n.function,
      events: n.events,
      prefix: n.prefix,
      suffix: n.suffix,
      origin: 'api',
    }));
    await d.store.objects.putNotifications(bucket, 'api', list);
    d.storage.invalidateNotifications();
    return { notifications: list.map(view) };
  });
  /** A function's manifest `- s3:` events: buckets are created when missing, notifications replaced. */
  app.put('/v1/functions/:name/bucket-events', async (req) => {
    const p = authorize(req, 's3:PutBucketNotification', (a) => [a.fn(params(req).name!), 'arn:aws:s3:::*']);
    const fn = params(req).name!;
    const b = parseBody(FunctionBody, req.body);
    for (const e of b.events) {
      const existing = await d.store.objects.getBucket(e.bucket);
      if (!existing) await d.storage.createBucket(p.tenant, e.bucket);
      else if (existing.tenant !== p.tenant) throw S3Errors.BUCKET_EXISTS({ bucket: e.bucket });
    }
    await d.store.objects.deleteNotificationsFor(fn, 'manifest');
    const byBucket = new Map<string, BucketNotification[]>();
    b.events.forEach((e, i) => {
      const list = byBucket.get(e.bucket) ?? [];
      list.push({
        bucket: e.bucket,
        id: `${fn}-${i + 1}`,
        functionName: fn,
        events: e.events,
        prefix: e.prefix,
        suffix: e.suffix,
        origin: 'manifest',
      });
      byBucket.set(e.bucket, list);
    });
    for (const [bucket, list] of byBucket) {
      const keep = (await d.store.objects.listNotifications(bucket)).filter(
        (n) => n.origin === 'manifest' && n.functionName !== fn,
      );
      await d.store.objects.putNotifications(bucket, 'manifest', [...keep, ...list]);
    }
    d.storage.invalidateNotifications();
    return { events: [...byBucket.values()].flat().map(view) };
  });
}
