/**
 * REST for a bucket's objects on the API port, for the web console (same origin, the user's
 * Bearer key): list by prefix with folders, upload a raw body, download, delete; and deleting an
 * empty bucket. Each route authorizes the same `s3:<Operation>` on the same ARN as the S3 API on
 * its own port (which stays the protocol for SDKs and tools); both go through the storage service,
 * so notifications fire the same way. docs/API.md.
 *
 * The key travels in `?key=` (any characters, no path-encoding questions).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CoreErrors } from '../core/errors.ts';
import type { ObjectRecord } from '../core/types.ts';
import type { Storage } from '../storage/service.ts';
import { authorize } from './auth.ts';
import { intQuery, params, query } from './http.ts';

export interface ObjectRouteDeps {
  readonly storage: Storage;
}

export const ObjectListQuery = z.object({
  prefix: z.string().optional().describe('only keys that start with it'),
  delimiter: z.string().optional().describe("groups keys by it into `prefixes` (folders), usually '/'"),
  after: z.string().optional().describe('continue after this key (the last answer’s `nextAfter`)'),
  limit: z.coerce.number().optional().describe('objects and prefixes per page, 1..1000 (default 1000)'),
});
export const ObjectKeyQuery = z.object({ key: z.string().describe("the object's key") });

export const objectView = (o: ObjectRecord) => ({
  key: o.key,
  size: o.size,
  etag: o.etag,
  contentType: o.contentType,
  lastModified: new Date(o.lastModified).toISOString(),
});

/** `attachment; filename=…` for the last path segment of a key (RFC 6266, UTF-8 form too). */
function disposition(key: string): string {
  const base = key.slice(key.lastIndexOf('/') + 1) || 'object';
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

export function registerObjectRoutes(app: FastifyInstance, d: ObjectRouteDeps): void {
  const bucket = (req: FastifyRequest) => params(req).bucket!;
  // Authorized before the key is checked (on bucket/* without one): a caller without the right
  // learns nothing about what a well-formed request would do.
  const onObject = (req: FastifyRequest, action: string) => {
    const key = query(req).key;
    const p = authorize(req, action, () => `arn:aws:s3:::${bucket(req)}/${key || '*'}`);
    if (!key) throw CoreErrors.VALIDATION({ reason: '?key= is required' });
    return { p, key };
  };

  app.delete('/v1/buckets/:bucket', async (req, reply) => {
    const p = authorize(req, 's3:DeleteBucket', () => `arn:aws:s3:::${bucket(req)}`);
    await d.storage.deleteBucket(p.tenant, bucket(req));
    return reply.code(204).send();
  });

  app.get('/v1/buckets/:bucket/objects', async (req) => {
    const p = authorize(req, 's3:ListBucket', () => `arn:aws:s3:::${bucket(req)}`);
    const q = query(req);
    const limit = intQuery(q.limit, 'limit') ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw CoreErrors.VALIDATION({ reason: 'limit must be an integer from 1 to 1000' });
    const page = await d.storage.listObjects(p.tenant, bucket(req), {
      prefix: q.prefix ?? '',
      delimiter: q.delimiter || undefined,
      maxKeys: limit,
      after: q.after || undefined,
    });
    return {
      objects: page.contents.map(objectView),
      prefixes: page.prefixes,
      nextAfter: page.nextAfter ?? null,
    };
  });

  app.put('/v1/buckets/:bucket/object', async (req) => {
    const { p, key } = onObject(req, 's3:PutObject');
    const body = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
    const type = req.headers['content-type'];
    const o = await d.storage.putObject(p.tenant, bucket(req), key, body, {
      contentType: typeof type === 'string' ? type : undefined,
      metadata: {},
      sourceIp: req.ip,
    });
    return objectView(o);
  });

  app.get('/v1/buckets/:bucket/object', async (req, reply) => {
    const { p, key } = onObject(req, 's3:GetObject');
    const { object, body } = await d.storage.getObject(p.tenant, bucket(req), key);
    return reply
      .type(object.contentType)
      .header('etag', `"${object.etag}"`)
      .header('last-modified', new Date(object.lastModified).toUTCString())
      .header('content-disposition', disposition(key))
      .send(Buffer.from(body));
  });

  app.delete('/v1/buckets/:bucket/object', async (req, reply) => {
    const { p, key } = onObject(req, 's3:DeleteObject');
    await d.storage.deleteObject(p.tenant, bucket(req), key, req.ip);
    return reply.code(204).send();
  });
}
