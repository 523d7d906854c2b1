/**
 * S3-compatible buckets over the Store (metadata) and a BlobStore (bytes, content-addressed).
 *
 * Atomic writes: the bytes are stored first (tmp + rename in the blob store), then the object row
 * and its event notifications are committed in ONE Store transaction (outbox). A crash before the
 * commit leaves an unreferenced blob, never a half-written or event-less object.
 */
import { createHash, randomUUID } from 'node:crypto';
import { defineErrors } from '../core/errors.ts';
import type { BlobStore, Clock, Store, StoreRepos } from '../core/ports.ts';
import type { BucketNotification, BucketRecord, ObjectRecord, TenantId } from '../core/types.ts';

/** Errors carry the S3 error code in `details.s3` for the XML body. */
export const S3Errors = defineErrors('S3', {
  NO_SUCH_BUCKET: { status: 404, kind: 'user', message: 'The specified bucket does not exist: {bucket}' },
  NO_SUCH_KEY: { status: 404, kind: 'user', message: 'The specified key does not exist: {key}' },
  NO_SUCH_UPLOAD: { status: 404, kind: 'user', message: 'The specified multipart upload does not exist' },
  BUCKET_EXISTS: {
    status: 409,
    kind: 'user',
    message: 'The requested bucket name is not available: {bucket}',
  },
  BUCKET_NOT_EMPTY: { status: 409, kind: 'user', message: 'The bucket you tried to delete is not empty' },
  INVALID_BUCKET_NAME: { status: 400, kind: 'user', message: 'The specified bucket is not valid: {reason}' },
  KEY_TOO_LONG: { status: 400, kind: 'user', message: 'Your key is too long (max 1024 bytes)' },
  ENTITY_TOO_LARGE: {
    status: 400,
    kind: 'user',
    message: 'Your proposed upload ({size} bytes) exceeds the maximum allowed object size ({limit} bytes)',
  },
  BAD_DIGEST: {
    status: 400,
    kind: 'user',
    message: 'The Content-MD5 you specified did not match what we received',
  },
  INVALID_DIGEST: { status: 400, kind: 'user', message: 'The Content-MD5 you specified is not valid' },
  INVALID_RANGE: { status: 416, kind: 'user', message: 'The requested range is not satisfiable' },
  INVALID_PART: {
    status: 400,
    kind: 'user',
    message: 'One or more of the specified parts could not be found: {reason}',
  },
  INVALID_PART_ORDER: { status: 400, kind: 'user', message: 'The list of parts was not in ascending order' },
  INVALID_ARGUMENT: { status: 400, kind: 'user', message: 'Invalid argument: {reason}' },
  MALFORMED_XML: { status: 400, kind: 'user', message: 'The XML you provided was not well-formed: {reason}' },
  ACCESS_DENIED: { status: 403, kind: 'user', message: 'Access Denied' },
  METHOD_NOT_ALLOWED: {
    status: 405,
    kind: 'user',
    message: 'The specified method is not allowed against this resource: {method}',
  },
  NOT_IMPLEMENTED: {
    status: 501,
    kind: 'user',
    message: 'A header or operation you provided is not implemented: {what}',
  },
});

/** S3 error code per Nimbus code (for the XML `<Code>`). */
export const S3_CODES: Record<string, string> = {
  NIMBUS_ERR_S3_NO_SUCH_BUCKET: 'NoSuchBucket',
  NIMBUS_ERR_S3_NO_SUCH_KEY: 'NoSuchKey',
  NIMBUS_ERR_S3_NO_SUCH_UPLOAD: 'NoSuchUpload',
  NIMBUS_ERR_S3_BUCKET_EXISTS: 'BucketAlreadyExists',
  NIMBUS_ERR_S3_BUCKET_NOT_EMPTY: 'BucketNotEmpty',
  NIMBUS_ERR_S3_INVALID_BUCKET_NAME: 'InvalidBucketName',
  NIMBUS_ERR_S3_KEY_TOO_LONG: 'KeyTooLongError',
  NIMBUS_ERR_S3_ENTITY_TOO_LARGE: 'EntityTooLarge',
  NIMBUS_ERR_S3_BAD_DIGEST: 'BadDigest',
  NIMBUS_ERR_S3_INVALID_DIGEST: 'InvalidDigest',
  NIMBUS_ERR_S3_INVALID_RANGE: 'InvalidRange',
  NIMBUS_ERR_S3_INVALID_PART: 'InvalidPart',
  NIMBUS_ERR_S3_INVALID_PART_ORDER: 'InvalidPartOrder',
  NIMBUS_ERR_S3_INVALID_ARGUMENT: 'InvalidArgument',
  NIMBUS_ERR_S3_MALFORMED_XML: 'MalformedXML',
  NIMBUS_ERR_S3_ACCESS_DENIED: 'AccessDenied',
  NIMBUS_ERR_S3_NOT_IMPLEMENTED: 'NotImplemented',
  NIMBUS_ERR_S3_METHOD_NOT_ALLOWED: 'MethodNotAllowed',
  // Wire-level errors shared by every listener (src/http).
  NIMBUS_ERR_HTTP_BAD_REQUEST: 'BadRequest',
  NIMBUS_ERR_HTTP_MALFORMED_URL: 'InvalidURI',
  NIMBUS_ERR_HTTP_METHOD_NOT_ALLOWED: 'MethodNotAllowed',
  NIMBUS_ERR_HTTP_REQUEST_TIMEOUT: 'RequestTimeout',
  NIMBUS_ERR_HTTP_EXPECTATION_FAILED: 'InvalidRequest',
  NIMBUS_ERR_HTTP_HEADERS_TOO_LARGE: 'RequestHeaderSectionTooLarge',
  NIMBUS_ERR_HTTP_CLIENT_ABORTED: 'IncompleteBody',
  NIMBUS_ERR_CORE_PAYLOAD_TOO_LARGE: 'EntityTooLarge',
  NIMBUS_ERR_CORE_UNSUPPORTED_MEDIA_TYPE: 'InvalidRequest',
  NIMBUS_ERR_CORE_UNAUTHORIZED: 'AccessDenied',
  NIMBUS_ERR_CORE_FORBIDDEN: 'AccessDenied',
  NIMBUS_ERR_SECURITY_SIGNATURE_MISMATCH: 'SignatureDoesNotMatch',
  NIMBUS_ERR_SECURITY_REQUEST_EXPIRED: 'RequestTimeTooSkewed',
  NIMBUS_ERR_SECURITY_KEY_INVALID: 'InvalidAccessKeyId',
  NIMBUS_ERR_SECURITY_TOKEN_EXPIRED: 'ExpiredToken',
};

/** S3 bucket naming rules (general purpose buckets). */
export function validateBucketName(name: string): void {
  const bad = (reason: string) => S3Errors.INVALID_BUCKET_NAME({ reason });
  if (name.length < 3 || name.length > 63) throw bad('3 to 63 characters');
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    throw bad('lowercase letters, digits, dots and hyphens; start and end with a letter or digit');
  if (name.includes('..')) throw bad('no two adjacent periods');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) throw bad('not formatted as an IP address');
  if (
    name.startsWith('xn--') ||
    name.startsWith('sthree-') ||
    name.endsWith('-s3alias') ||
    name.endsWith('--ol-s3')
  )
    throw bad('reserved prefix or suffix');
}

export function validateKey(key: string): void {
  if (key.length === 0) throw S3Errors.INVALID_ARGUMENT({ reason: 'an object key is not empty' });
  if (Buffer.byteLength(key) > 1024) throw S3Errors.KEY_TOO_LONG({});
}

export type ObjectEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete';

export interface ObjectEvent {
  readonly tenant: TenantId;
  readonly name: ObjectEventName;
  readonly object: ObjectRecord;
  readonly sourceIp: string;
}

export interface StorageDeps {
  readonly store: Store;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly maxObjectBytes: number;
  /** Builds the outbox items (JSON) of an object event: one per matching notification. */
  readonly eventItems: (e: ObjectEvent, notifications: readonly BucketNotification[]) => string[];
  /** Called after a commit that wrote outbox rows (the relay moves them to the queue). */
  readonly onOutbox: () => void;
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

export function createStorage(d: StorageDeps) {
  const { store, blobs, clock } = d;
  let notifications: BucketNotification[] | undefined;
  const notificationsOf = async (bucket: string) => {
    notifications ??= await store.objects.listNotifications();
    return notifications.filter((n) => n.bucket === bucket);
  };

  async function bucketOf(tenant: TenantId, name: string): Promise<BucketRecord> {
    const b = await store.objects.getBucket(name);
    if (!b || b.tenant !== tenant) throw S3Errors.NO_SUCH_BUCKET({ bucket: name });
    return b;
  }

  /** Commits the object row + its event outbox rows together; frees a replaced blob. */
  async function commit(tenant: TenantId, rec: ObjectRecord, name: ObjectEventName, sourceIp: string) {
    const list = await notificationsOf(rec.bucket);
    const items = d.eventItems({ tenant, name, object: rec, sourceIp }, list);
    const prior = await store.transaction(async (tx: StoreRepos) => {
      const p = await tx.objects.putObject(rec);
      await tx.outbox.add(items.map((item) => ({ tenant, item })));
      return p;
    });
    if (items.length > 0) d.onOutbox();
    if (prior && prior.sha256 !== rec.sha256) await gc(prior.sha256);
    return rec;
  }

  async function gc(sha256: string) {
    if ((await store.objects.countBySha(sha256)) === 0) await blobs.delete(sha256).catch(() => {});
  }

  function checkSize(size: number) {
    if (size > d.maxObjectBytes) throw S3Errors.ENTITY_TOO_LARGE({ size, limit: d.maxObjectBytes });
  }

  return {
    invalidateNotifications() {
      notifications = undefined;
    },

    async createBucket(tenant: TenantId, name: string) {
      validateBucketName(name);
      const existing = await store.objects.getBucket(name);
      if (existing) throw S3Errors.BUCKET_EXISTS({ bucket: name });
      await store.objects.createBucket({ tenant, name, createdAt: clock.now() }).catch(() => {
        throw S3Errors.BUCKET_EXISTS({ bucket: name });
      });
    },
    listBuckets: (tenant: TenantId) => store.objects.listBuckets(tenant),
    headBucket: (tenant: TenantId, name: string) => bucketOf(tenant, name),
    async deleteBucket(tenant: TenantId, name: string) {
      await bucketOf(tenant, name);
      if ((await store.objects.listObjects(name, { limit: 1 })).length > 0)
        throw S3Errors.BUCKET_NOT_EMPTY({});
      await store.objects.deleteBucket(name);
      notifications = undefined;
    },

    async putObject(
      tenant: TenantId,
      bucket: string,
      key: string,
      body: Uint8Array,
      meta: {
        contentType?: string | undefined;
        metadata: Record<string, string>;
        contentMd5?: string | undefined;
        sourceIp: string;
      },
    ) {
      await bucketOf(tenant, bucket);
      validateKey(key);
      checkSize(body.byteLength);
      const etag = md5(body);
      if (meta.contentMd5 !== undefined) {
        const given = Buffer.from(meta.contentMd5, 'base64');
        if (given.length !== 16) throw S3Errors.INVALID_DIGEST({});
        if (given.toString('hex') !== etag) throw S3Errors.BAD_DIGEST({});
      }
      const { sha256 } = await blobs.put(body);
      return commit(
        tenant,
        {
          bucket,
          key,
          size: body.byteLength,
          etag,
          contentType: meta.contentType || 'application/octet-stream',
          metadata: meta.metadata,
          sha256,
          lastModified: clock.now(),
        },
        'ObjectCreated:Put',
        meta.sourceIp,
      );
    },

    async headObject(tenant: TenantId, bucket: string, key: string) {
      await bucketOf(tenant, bucket);
      const o = await store.objects.getObject(bucket, key);
      if (!o) throw S3Errors.NO_SUCH_KEY({ key });
      return o;
    },

    async getObject(tenant: TenantId, bucket: string, key: string) {
      const o = await this.headObject(tenant, bucket, key);
      return { object: o, body: await blobs.get(o.sha256) };
    },

    async deleteObject(tenant: TenantId, bucket: string, key: string, sourceIp: string) {
      await bucketOf(tenant, bucket);
      const list = await notificationsOf(bucket);
      const deleted = await store.transaction(async (tx) => {
        const o = await tx.objects.deleteObject(bucket, key);
        if (o) {
          const items = d.eventItems({ tenant, name: 'ObjectRemoved:Delete', object: o, sourceIp }, list);
          await tx.outbox.add(items.map((item) => ({ tenant, item })));
        }
        return o;
      });
      if (deleted) {
        d.onOutbox();
        await gc(deleted.sha256);
      }
      return deleted;
    },

    async listObjects(
      tenant: TenantId,
      bucket: string,
      q: { prefix: string; delimiter?: string | undefined; maxKeys: number; after?: string | undefined },
    ) {
      await bucketOf(tenant, bucket);
      const contents: ObjectRecord[] = [];
      const prefixes: string[] = [];
      let after = q.after;
      let resume = q.after; // where a continuation starts: after the last item returned
      let truncated = false;
      outer: for (;;) {
        const page = await store.objects.listObjects(bucket, { prefix: q.prefix, after, limit: 1000 });
        for (const o of page) {
          after = o.key;
          const rest = o.key.slice(q.prefix.length);
          const cut = q.delimiter ? rest.indexOf(q.delimiter) : -1;
          if (contents.length + prefixes.length >= q.maxKeys) {
            truncated = true;
            break outer;
          }
          if (cut >= 0) {
            const p = q.prefix + rest.slice(0, cut + q.delimiter!.length);
            prefixes.push(p);
            // Skip the rest of this common prefix in one step (U+10FFFF sorts after any key byte).
            after = `${p}\u{10FFFF}`;
            resume = after;
            continue outer;
          }
          contents.push(o);
          resume = o.key;
        }
        if (page.length < 1000) break;
      }
      return { contents, prefixes, truncated, nextAfter: truncated ? resume : undefined };
    },

    async copyObject(
      tenant: TenantId,
      src: { bucket: string; key: string },
      dst: { bucket: string; key: string },
      meta: {
        replace: boolean;
        contentType?: string | undefined;
        metadata: Record<string, string>;
        sourceIp: string;
      },
    ) {
      const from = await this.headObject(tenant, src.bucket, src.key);
      await bucketOf(tenant, dst.bucket);
      validateKey(dst.key);
      return commit(
        tenant,
        {
          ...from,
          bucket: dst.bucket,
          key: dst.key,
          contentType: meta.replace ? meta.contentType || from.contentType : from.contentType,
          metadata: meta.replace ? meta.metadata : from.metadata,
          lastModified: clock.now(),
        },
        'ObjectCreated:Copy',
        meta.sourceIp,
      );
    },

    async createUpload(
      tenant: TenantId,
      bucket: string,
      key: string,
      meta: { contentType?: string | undefined; metadata: Record<string, string> },
    ) {
      await bucketOf(tenant, bucket);
      validateKey(key);
      const uploadId = randomUUID().replace(/-/g, '');
      await store.objects.createUpload({
        uploadId,
        bucket,
        key,
        contentType: meta.contentType || 'application/octet-stream',
        metadata: meta.metadata,
        createdAt: clock.now(),
      });
      return uploadId;
    },

    async uploadPart(
      tenant: TenantId,
      bucket: string,
      key: string,
      uploadId: string,
      partNumber: number,
      body: Uint8Array,
    ) {
      await bucketOf(tenant, bucket);
      const u = await store.objects.getUpload(uploadId);
      if (!u || u.bucket !== bucket || u.key !== key) throw S3Errors.NO_SUCH_UPLOAD({});
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000)
        throw S3Errors.INVALID_ARGUMENT({ reason: 'partNumber is 1–10000' });
      checkSize(body.byteLength);
      const { sha256 } = await blobs.put(body);
      const etag = md5(body);
      await store.objects.putPart({ uploadId, partNumber, size: body.byteLength, etag, sha256 });
      return etag;
    },

    async completeUpload(
      tenant: TenantId,
      bucket: string,
      key: string,
      uploadId: string,
      parts: { partNumber: number; etag: string }[],
      sourceIp: string,
    ) {
      await bucketOf(tenant, bucket);
      const u = await store.objects.getUpload(uploadId);
      if (!u || u.bucket !== bucket || u.key !== key) throw S3Errors.NO_SUCH_UPLOAD({});
      const stored = new Map((await store.objects.listParts(uploadId)).map((p) => [p.partNumber, p]));
      if (parts.length === 0) throw S3Errors.MALFORMED_XML({ reason: 'no parts' });
      const chosen = [];
      let prev = 0;
      for (const p of parts) {
        if (p.partNumber <= prev) throw S3Errors.INVALID_PART_ORDER({});
        prev = p.partNumber;
        const s = stored.get(p.partNumber);
        if (!s || s.etag !== p.etag.replace(/"/g, ''))
          throw S3Errors.INVALID_PART({ reason: `part ${p.partNumber}` });
        chosen.push(s);
      }
      const total = chosen.reduce((n, p) => n + p.size, 0);
      checkSize(total);
      const body = Buffer.concat(
        await Promise.all(chosen.map(async (p) => Buffer.from(await blobs.get(p.sha256)))),
      );
      const { sha256 } = await blobs.put(body);
      const etag = `${createHash('md5')
        .update(Buffer.concat(chosen.map((p) => Buffer.from(p.etag, 'hex'))))
        .digest('hex')}-${chosen.length}`;
      const rec = await commit(
        tenant,
        {
          bucket,
          key,
          size: total,
          etag,
          contentType: u.contentType,
          metadata: u.metadata,
          sha256,
          lastModified: clock.now(),
        },
        'ObjectCreated:CompleteMultipartUpload',
        sourceIp,
      );
      const partShas = [...stored.values()].map((p) => p.sha256);
      await store.objects.deleteUpload(uploadId);
      for (const s of partShas) if (s !== sha256) await gc(s);
      return rec;
    },

    async abortUpload(tenant: TenantId, bucket: string, uploadId: string) {
      await bucketOf(tenant, bucket);
      const u = await store.objects.getUpload(uploadId);
      if (!u) throw S3Errors.NO_SUCH_UPLOAD({});
      const parts = await store.objects.listParts(uploadId);
      await store.objects.deleteUpload(uploadId);
      for (const p of parts) await gc(p.sha256);
    },
  };
}

export type Storage = ReturnType<typeof createStorage>;
