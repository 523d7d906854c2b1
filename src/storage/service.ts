/**
 * S3-compatible buckets over the Store (metadata) and a BlobStore (bytes, content-addressed).
 *
 * Atomic writes: the bytes are stored first (tmp + rename in the blob store), then the object row
 * and its event notifications are committed in ONE Store transaction (outbox). A crash before the
 * commit leaves an unreferenced blob, never a half-written or event-less object.
 */
import { createHash, randomUUID } from 'node:crypto';
import { defineErrors, isNimbusError } from '../core/errors.ts';
import type { BlobStore, Clock, Store, StoreRepos } from '../core/ports.ts';
import {
  type BucketNotification,
  type BucketRecord,
  DEFAULT_TENANT,
  type ObjectRecord,
  type TenantId,
} from '../core/types.ts';

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
  NIMBUS_ERR_SECURITY_PRESIGNED_EXPIRED: 'AccessDenied',
  NIMBUS_ERR_SECURITY_KEY_INVALID: 'InvalidAccessKeyId',
  NIMBUS_ERR_SECURITY_TOKEN_EXPIRED: 'ExpiredToken',
};

/**
 * Bucket namespaces: each tenant has its own, and a bucket is known everywhere outside the Store
 * (S3 requests and answers, REST, object events, IAM resources) by the name its tenant gave it.
 *
 * In the Store a bucket is keyed by its storage name: the default tenant's is exactly its name
 * (buckets made before tenants keep working, untouched), any other tenant's is `<tenant>~<name>`.
 * `~` is neither in a tenant id (TENANT_ID) nor in a bucket name (validateBucketName), so no two
 * (tenant, name) pairs share a storage name, and no name a caller can send reaches another
 * tenant's bucket. Chosen over a (tenant, name) primary key on buckets, objects, uploads and
 * notifications because it needs no table rebuild (SQLite cannot change a primary key in
 * place), keeps the ObjectRepo as it is, and leaves every existing default-tenant row valid;
 * migration 0012 only renames the few rows other tenants made before namespaces existed.
 */
export const BUCKET_NS_SEP = '~';

/** The Store key of a tenant's bucket (see above). */
export function storageName(tenant: TenantId, name: string): string {
  return tenant === DEFAULT_TENANT ? name : `${tenant}${BUCKET_NS_SEP}${name}`;
}

/** The name a tenant gave its bucket, from the Store key. */
export function visibleName(tenant: TenantId, stored: string): string {
  const prefix = `${tenant}${BUCKET_NS_SEP}`;
  return tenant !== DEFAULT_TENANT && stored.startsWith(prefix) ? stored.slice(prefix.length) : stored;
}

/** S3 bucket naming rules (general purpose buckets). The charset excludes BUCKET_NS_SEP. */
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
  /** `bucket` is the name the tenant knows (not the storage name). */
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

/** A bucket of the caller's tenant: `name` as the tenant knows it, `id` its storage name. */
interface Bucket {
  readonly tenant: TenantId;
  readonly name: string;
  readonly id: string;
  readonly createdAt: number;
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

export function createStorage(d: StorageDeps) {
  const { store, blobs, clock } = d;
  let notifications: BucketNotification[] | undefined;
  /** Notifications of a bucket by storage name (the cache holds every tenant's). */
  const notificationsOf = async (id: string) => {
    notifications ??= await store.objects.listNotifications();
    return notifications.filter((n) => n.bucket === id);
  };

  /**
   * A bucket of the caller's tenant by the name the tenant gave it: `id` is its storage name.
   * Another tenant's bucket and a name nobody has get the same answer (NoSuchBucket), and a name
   * S3 would not allow (one with `~` included) names no bucket at all.
   */
  async function bucketOf(tenant: TenantId, name: string): Promise<Bucket> {
    const id = storageName(tenant, name);
    const b = name.includes(BUCKET_NS_SEP) ? undefined : await store.objects.getBucket(id);
    if (!b || b.tenant !== tenant) throw S3Errors.NO_SUCH_BUCKET({ bucket: name });
    return { tenant, name, id, createdAt: b.createdAt };
  }

  /** An object of the caller's tenant: `o` as stored (keyed by the storage name). */
  async function objectOf(tenant: TenantId, bucket: string, key: string) {
    const b = await bucketOf(tenant, bucket);
    const o = await store.objects.getObject(b.id, key);
    if (!o) throw S3Errors.NO_SUCH_KEY({ key });
    return { b, o };
  }

  /** A stored record as the tenant sees it (bucket by its own name). */
  const shown = <T extends { bucket: string }>(b: Bucket, r: T): T => ({ ...r, bucket: b.name });

  /**
   * Commits the object row + its event outbox rows together; frees a replaced blob. `rec` is keyed
   * by the storage name; the event and the returned record carry the tenant's bucket name.
   */
  async function commit(b: Bucket, rec: ObjectRecord, name: ObjectEventName, sourceIp: string) {
    const { tenant } = b;
    const list = await notificationsOf(b.id);
    const items = d.eventItems({ tenant, name, object: shown(b, rec), sourceIp }, list);
    const prior = await store.transaction(async (tx: StoreRepos) => {
      const p = await tx.objects.putObject(rec);
      await tx.outbox.add(items.map((item) => ({ tenant, item })));
      return p;
    });
    if (items.length > 0) d.onOutbox();
    if (prior && prior.sha256 !== rec.sha256) await gc(prior.sha256);
    return shown(b, rec);
  }

  async function gc(sha256: string) {
    if ((await store.objects.countBySha(sha256)) === 0) await blobs.delete(sha256).catch(() => {});
  }

  /** In the tenant's own namespace: only its own bucket of that name makes it exist already. */
  async function createBucket(tenant: TenantId, name: string) {
    validateBucketName(name);
    const id = storageName(tenant, name);
    if (await store.objects.getBucket(id)) throw S3Errors.BUCKET_EXISTS({ bucket: name });
    await store.objects.createBucket({ tenant, name: id, createdAt: clock.now() }).catch(() => {
      throw S3Errors.BUCKET_EXISTS({ bucket: name });
    });
  }

  function checkSize(size: number) {
    if (size > d.maxObjectBytes) throw S3Errors.ENTITY_TOO_LARGE({ size, limit: d.maxObjectBytes });
  }

  return {
    invalidateNotifications() {
      notifications = undefined;
    },

    createBucket,
    /** The tenant's buckets by their names (never storage names). */
    async listBuckets(tenant: TenantId): Promise<BucketRecord[]> {
      const rows = await store.objects.listBuckets(tenant);
      return rows
        .map((b) => ({ tenant, name: visibleName(tenant, b.name), createdAt: b.createdAt }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    headBucket: async (tenant: TenantId, name: string): Promise<BucketRecord> => {
      const b = await bucketOf(tenant, name);
      return { tenant, name: b.name, createdAt: b.createdAt };
    },
    async deleteBucket(tenant: TenantId, name: string) {
      const b = await bucketOf(tenant, name);
      if ((await store.objects.listObjects(b.id, { limit: 1 })).length > 0)
        throw S3Errors.BUCKET_NOT_EMPTY({});
      await store.objects.deleteBucket(b.id);
      notifications = undefined;
    },

    /** A bucket's notifications (both origins), by the tenant's names. */
    async listNotifications(tenant: TenantId, bucket: string): Promise<BucketNotification[]> {
      const b = await bucketOf(tenant, bucket);
      return (await store.objects.listNotifications(b.id)).map((n) => shown(b, n));
    },

    /** Replaces a bucket's API-made notifications (manifest ones stay with their functions). */
    async putNotifications(
      tenant: TenantId,
      bucket: string,
      list: readonly Omit<BucketNotification, 'bucket' | 'origin'>[],
    ): Promise<BucketNotification[]> {
      const b = await bucketOf(tenant, bucket);
      const rows = list.map((n): BucketNotification => ({ ...n, bucket: b.id, origin: 'api' }));
      await store.objects.putNotifications(b.id, 'api', rows);
      notifications = undefined;
      return rows.map((n) => shown(b, n));
    },

    /**
     * A function's manifest `- s3:` events: the tenant's buckets are created when missing and the
     * function's manifest notifications (in this tenant only) replaced, in one transaction.
     */
    async setFunctionBucketEvents(
      tenant: TenantId,
      functionName: string,
      events: readonly {
        bucket: string;
        events: readonly string[];
        prefix?: string | undefined;
        suffix?: string | undefined;
      }[],
    ): Promise<BucketNotification[]> {
      const byBucket = new Map<string, { b: Bucket; list: BucketNotification[] }>();
      for (const [i, e] of events.entries()) {
        let entry = byBucket.get(e.bucket);
        if (!entry) {
          validateBucketName(e.bucket);
          if (!(await store.objects.getBucket(storageName(tenant, e.bucket))))
            await createBucket(tenant, e.bucket).catch((c: unknown) => {
              if (!isNimbusError(c) || c.code !== S3Errors.codes.BUCKET_EXISTS) throw c; // made meanwhile
            });
          entry = { b: await bucketOf(tenant, e.bucket), list: [] };
          byBucket.set(e.bucket, entry);
        }
        entry.list.push({
          bucket: entry.b.id,
          id: `${functionName}-${i + 1}`,
          functionName,
          events: e.events,
          prefix: e.prefix,
          suffix: e.suffix,
          origin: 'manifest',
        });
      }
      await store.transaction(async (tx) => {
        await tx.objects.deleteNotificationsFor(tenant, functionName, 'manifest');
        for (const { b, list } of byBucket.values()) {
          const keep = (await tx.objects.listNotifications(b.id)).filter((n) => n.origin === 'manifest');
          await tx.objects.putNotifications(b.id, 'manifest', [...keep, ...list]);
        }
      });
      notifications = undefined;
      return [...byBucket.values()].flatMap(({ b, list }) => list.map((n) => shown(b, n)));
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
      const b = await bucketOf(tenant, bucket);
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
        b,
        {
          bucket: b.id,
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
      const { b, o } = await objectOf(tenant, bucket, key);
      return shown(b, o);
    },

    async getObject(tenant: TenantId, bucket: string, key: string) {
      const { b, o } = await objectOf(tenant, bucket, key);
      return { object: shown(b, o), body: await blobs.get(o.sha256) };
    },

    async deleteObject(tenant: TenantId, bucket: string, key: string, sourceIp: string) {
      const b = await bucketOf(tenant, bucket);
      const list = await notificationsOf(b.id);
      const deleted = await store.transaction(async (tx) => {
        const o = await tx.objects.deleteObject(b.id, key);
        if (o) {
          const e = { tenant, name: 'ObjectRemoved:Delete' as const, object: shown(b, o), sourceIp };
          await tx.outbox.add(d.eventItems(e, list).map((item) => ({ tenant, item })));
        }
        return o;
      });
      if (deleted) {
        d.onOutbox();
        await gc(deleted.sha256);
      }
      return deleted && shown(b, deleted);
    },

    async listObjects(
      tenant: TenantId,
      bucket: string,
      q: { prefix: string; delimiter?: string | undefined; maxKeys: number; after?: string | undefined },
    ) {
      const b = await bucketOf(tenant, bucket);
      const contents: ObjectRecord[] = [];
      const prefixes: string[] = [];
      let after = q.after;
      let resume = q.after; // where a continuation starts: after the last item returned
      let truncated = false;
      outer: for (;;) {
        const page = await store.objects.listObjects(b.id, { prefix: q.prefix, after, limit: 1000 });
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
          contents.push(shown(b, o));
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
      // The source, like the destination, is a bucket of the caller's tenant.
      const { o: from } = await objectOf(tenant, src.bucket, src.key);
      const b = await bucketOf(tenant, dst.bucket);
      validateKey(dst.key);
      return commit(
        b,
        {
          ...from,
          bucket: b.id,
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
      const b = await bucketOf(tenant, bucket);
      validateKey(key);
      const uploadId = randomUUID().replace(/-/g, '');
      await store.objects.createUpload({
        uploadId,
        bucket: b.id,
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
      const b = await bucketOf(tenant, bucket);
      const u = await store.objects.getUpload(uploadId);
      if (!u || u.bucket !== b.id || u.key !== key) throw S3Errors.NO_SUCH_UPLOAD({});
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
      const b = await bucketOf(tenant, bucket);
      const u = await store.objects.getUpload(uploadId);
      if (!u || u.bucket !== b.id || u.key !== key) throw S3Errors.NO_SUCH_UPLOAD({});
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
        b,
        {
          bucket: b.id,
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

    async abortUpload(tenant: TenantId, bucket: string, key: string, uploadId: string) {
      const b = await bucketOf(tenant, bucket);
      const u = await store.objects.getUpload(uploadId);
      // An upload of another bucket (another tenant's too) is not there for this request.
      if (!u || u.bucket !== b.id || u.key !== key) throw S3Errors.NO_SUCH_UPLOAD({});
      const parts = await store.objects.listParts(uploadId);
      await store.objects.deleteUpload(uploadId);
      for (const p of parts) await gc(p.sha256);
    },
  };
}

export type Storage = ReturnType<typeof createStorage>;
