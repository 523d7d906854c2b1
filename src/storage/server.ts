/**
 * The S3-compatible HTTP API (its own port, default 9000): path-style (`/bucket/key`) and
 * virtual-host style (`bucket.<domain>`), SigV4 (header or presigned query) with Nimbus keys,
 * `aws-chunked` bodies, S3 XML bodies for results and errors.
 */
import { randomUUID } from 'node:crypto';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type AuditedRequest, auditEntryOf, type Principal, principalContext } from '../api/auth.ts';
import { type NimbusError, toNimbusError } from '../core/errors.ts';
import type { AuditEntry } from '../core/types.ts';
import {
  clientAbort,
  decodeComponent,
  frameworkError,
  HttpErrors,
  hardenServer,
  isClientAbort,
  type OnClientAbort,
  type WireHardening,
  wireOptions,
} from '../http/index.ts';
import type { AuthRequest } from '../security/authenticate.ts';
import {
  checkPostPolicy,
  decodePostPolicy,
  formBoundary,
  objectAttributes,
  objectKey,
  POST_S3_CODES,
  parsePostForm,
  postSignature,
} from './post-policy.ts';
import { S3_CODES, S3Errors, type Storage } from './service.ts';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false, format: false });
const parser = new XMLParser({
  ignoreAttributes: true,
  isArray: (name) => ['Object', 'Part'].includes(name),
});
const xml = (root: string, body: Record<string, unknown>) =>
  `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ [root]: { '@_xmlns': NS, ...body } })}`;
const iso = (ms: number) => new Date(ms).toISOString();
const quote = (etag: string) => `"${etag}"`;

export interface S3ServerDeps {
  readonly storage: Storage;
  readonly authenticate: (req: AuthRequest) => Promise<Principal>;
  /** Mutations, authentication failures and denials (the audit log). */
  readonly audit?: { record(e: AuditEntry): void } | undefined;
  readonly maxObjectBytes: number;
  /** Domains for virtual-host style (`bucket.<domain>`); default `localhost`. */
  readonly domains?: readonly string[];
  readonly onSystemError?: (e: Error) => void;
  /** A client that closed the connection mid-request (logged at debug, without a stack). */
  readonly onClientAbort?: OnClientAbort;
}

/** Decodes an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n` trailers). */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', i);
    if (eol < 0) throw S3Errors.INVALID_ARGUMENT({ reason: 'truncated aws-chunked body' });
    const size = Number.parseInt(body.subarray(i, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size) || size < 0)
      throw S3Errors.INVALID_ARGUMENT({ reason: 'bad aws-chunked chunk size' });
    if (size === 0) return Buffer.concat(parts);
    const start = eol + 2;
    if (start + size > body.length)
      throw S3Errors.INVALID_ARGUMENT({ reason: 'truncated aws-chunked chunk' });
    parts.push(body.subarray(start, start + size));
    i = start + size + 2;
  }
}

/** The S3 `<Code>` for a coded error. */
function s3Code(e: NimbusError): string {
  return (
    S3_CODES[e.code] ??
    POST_S3_CODES[e.code] ??
    (e.status === 413 ? 'EntityTooLarge' : e.kind === 'system' ? 'InternalError' : 'InvalidRequest')
  );
}

/** S3's XML error document; system errors say only that something failed. */
function errorXml(e: NimbusError, resource: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({
    Error: {
      Code: s3Code(e),
      Message: e.kind === 'system' ? 'We encountered an internal error.' : e.message,
      Resource: resource,
      RequestId: requestId,
    },
  })}`;
}

export async function buildS3Server(d: S3ServerDeps): Promise<FastifyInstance> {
  const bodyLimit = d.maxObjectBytes + 1024 * 1024;
  const wire: WireHardening = {
    render: (e) => ({ contentType: 'application/xml', body: errorXml(e, '', randomUUID()) }),
    onClientAbort: d.onClientAbort,
  };
  const app = Fastify({
    logger: false,
    bodyLimit,
    routerOptions: { maxParamLength: 2048 },
    // A URL the router cannot decode is S3's InvalidURI, not Fastify's own JSON.
    frameworkErrors: (_err, req, reply) =>
      sendError(reply, HttpErrors.MALFORMED_URL({ part: 'URL' }), (req.raw.url ?? '').slice(0, 1024)),
    ...wireOptions(wire),
  });
  hardenServer(app, wire);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_r, b, done) => done(null, b));
  const domains = d.domains ?? ['localhost'];

  const sendError = (reply: FastifyReply, e: NimbusError, resource: string) => {
    if (e.kind === 'system') d.onSystemError?.(e);
    const requestId = randomUUID();
    reply
      .code(e.code === 'NIMBUS_ERR_CORE_UNAUTHORIZED' ? 403 : e.status)
      .header('x-amz-request-id', requestId)
      .type('application/xml');
    if (reply.request.method === 'HEAD') return reply.send();
    return reply.send(errorXml(e, resource, requestId));
  };

  app.setErrorHandler((err, req, reply) => {
    const resource = req.url.slice(0, 1024);
    if (isClientAbort(err, req.raw)) {
      d.onClientAbort?.(clientAbort(err, req.raw));
      return sendError(reply, HttpErrors.CLIENT_ABORTED(), resource);
    }
    const fe = err as { code?: string };
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(
        reply,
        S3Errors.ENTITY_TOO_LARGE({ size: req.headers['content-length'] ?? '?', limit: d.maxObjectBytes }),
        resource,
      );
    return sendError(reply, frameworkError(err, req, bodyLimit) ?? toNimbusError(err), resource);
  });
  // Methods S3 has no operation for (PATCH, OPTIONS, PROPFIND…).
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, S3Errors.METHOD_NOT_ALLOWED({ method: req.method }), req.url.slice(0, 1024)),
  );

  /** What the audit log needs of a request: who, and which action on which resource. */
  const seen = new WeakMap<FastifyRequest, AuditedRequest>();
  if (d.audit) {
    const sink = d.audit;
    app.addHook('onResponse', async (req, reply) => {
      const a = seen.get(req);
      const e =
        a &&
        auditEntryOf(a, {
          method: req.method,
          sourceIp: req.ip,
          status: reply.statusCode,
          ts: Date.now(),
          fallbackAction: `s3:${req.method}`,
        });
      if (e) sink.record(e);
    });
  }

  app.route({
    method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
    url: '*',
    handler: async (req, reply) => handle(req, reply),
  });

  async function handle(req: FastifyRequest, reply: FastifyReply) {
    const url = req.raw.url ?? '/';
    const qi = url.indexOf('?');
    const rawPath = qi >= 0 ? url.slice(0, qi) : url;
    const rawQuery = qi >= 0 ? url.slice(qi + 1) : '';
    const query = new URLSearchParams(rawQuery);
    let body = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
    const audit: AuditedRequest = { action: '', resource: '', denied: false };
    seen.set(req, audit);
    // POST Object (browser uploads): a form to the bucket, authenticated by its signed policy.
    const boundary =
      req.method === 'POST' && !query.has('delete') ? formBoundary(req.headers['content-type']) : undefined;
    if (boundary !== undefined) {
      const at = locate(rawPath, req.headers.host, domains);
      if (at.bucket !== undefined && at.key === '')
        return postObject(req, reply, {
          audit,
          bucket: at.bucket,
          vhost: at.vhost,
          boundary,
          body,
          rawPath,
          rawQuery,
        });
    }
    const principal = await d
      .authenticate({
        method: req.method,
        path: rawPath,
        query: rawQuery,
        headers: req.headers,
        body,
      })
      .catch((e: unknown) => {
        audit.authError = (e as { code?: string }).code ?? 'authentication failed';
        throw e;
      });
    audit.principal = principal;
    const h = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    const tenant = principal.tenant;
    const sha = h('x-amz-content-sha256') ?? '';
    if (/aws-chunked/.test(h('content-encoding') ?? '') || sha.startsWith('STREAMING-'))
      body = decodeAwsChunked(body);

    const { bucket, key } = locate(rawPath, h('host'), domains);
    const meta = () => {
      const m: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (k.startsWith('x-amz-meta-') && typeof v === 'string') m[k.slice(11)] = v;
      return m;
    };
    const sourceIp = req.ip;
    const context = s3Context(principal, sourceIp, query, Date.now());
    const allow = (action: string, resource: string) =>
      authorize(principal, context, audit, action, resource);
    const op = s3Operation(req.method, bucket, key, query);
    allow(op.action, op.resource);
    if (op.action === 's3:PutObject' && h('x-amz-copy-source')) {
      const src = (h('x-amz-copy-source') ?? '').replace(/^\//, '').split('?')[0] ?? '';
      allow('s3:GetObject', `arn:aws:s3:::${safeDecode(src)}`);
    }

    if (!bucket) {
      if (req.method !== 'GET') throw S3Errors.METHOD_NOT_ALLOWED({ method: req.method });
      const list = await d.storage.listBuckets(tenant);
      return reply.type('application/xml').send(
        xml('ListAllMyBucketsResult', {
          Owner: { ID: tenant, DisplayName: tenant },
          Buckets: { Bucket: list.map((b) => ({ Name: b.name, CreationDate: iso(b.createdAt) })) },
        }),
      );
    }

    if (key === '') {
      switch (req.method) {
        case 'PUT':
          await d.storage.createBucket(tenant, bucket);
          return reply.header('location', `/${bucket}`).send();
        case 'HEAD':
          await d.storage.headBucket(tenant, bucket);
          return reply.send();
        case 'DELETE':
          await d.storage.deleteBucket(tenant, bucket);
          return reply.code(204).send();
        case 'POST': {
          if (!query.has('delete')) throw S3Errors.METHOD_NOT_ALLOWED({ method: 'POST' });
          // A missing bucket fails the whole request (as S3 does), not each key.
          await d.storage.headBucket(tenant, bucket);
          let doc: { Delete?: { Object?: { Key?: unknown }[]; Quiet?: unknown } };
          try {
            doc = parser.parse(body.toString('utf8'));
          } catch (e) {
            throw S3Errors.MALFORMED_XML({ reason: (e as Error).message });
          }
          const objs = doc.Delete?.Object ?? [];
          if (objs.length > 1000) throw S3Errors.MALFORMED_XML({ reason: 'at most 1000 keys' });
          const deleted: { Key: string }[] = [];
          const errors: { Key: string; Code: string; Message: string }[] = [];
          for (const o of objs) {
            const k = String(o.Key ?? '');
            try {
              allow('s3:DeleteObject', `arn:aws:s3:::${bucket}/${k}`);
              await d.storage.deleteObject(tenant, bucket, k, sourceIp);
              deleted.push({ Key: k });
            } catch (e) {
              const err = toNimbusError(e);
              errors.push({ Key: k, Code: S3_CODES[err.code] ?? 'InternalError', Message: err.message });
            }
          }
          const quiet = String(doc.Delete?.Quiet ?? 'false') === 'true';
          return reply
            .type('application/xml')
            .send(xml('DeleteResult', { ...(quiet ? {} : { Deleted: deleted }), Error: errors }));
        }
        default: {
          // GET: ListObjectsV2 (list-type=2) or V1.
          const maxKeys = Math.min(1000, Math.max(0, Number(query.get('max-keys') ?? 1000) || 0));
          const token = query.get('continuation-token');
          const after = token
            ? Buffer.from(token, 'base64url').toString('utf8')
            : (query.get('start-after') ?? query.get('marker') ?? undefined);
          const prefix = query.get('prefix') ?? '';
          const delimiter = query.get('delimiter') || undefined;
          const r = await d.storage.listObjects(tenant, bucket, { prefix, delimiter, maxKeys, after });
          const v2 = query.get('list-type') === '2';
          return reply.type('application/xml').send(
            xml('ListBucketResult', {
              Name: bucket,
              Prefix: prefix,
              ...(v2
                ? { KeyCount: r.contents.length + r.prefixes.length }
                : { Marker: query.get('marker') ?? '' }),
              MaxKeys: maxKeys,
              ...(delimiter ? { Delimiter: delimiter } : {}),
              IsTruncated: r.truncated,
              ...(v2 && token ? { ContinuationToken: token } : {}),
              ...(v2 && r.nextAfter
                ? { NextContinuationToken: Buffer.from(r.nextAfter).toString('base64url') }
                : {}),
              ...(!v2 && r.nextAfter ? { NextMarker: r.nextAfter } : {}),
              ...(v2 && query.get('start-after') ? { StartAfter: query.get('start-after') } : {}),
              Contents: r.contents.map((o) => ({
                Key: o.key,
                LastModified: iso(o.lastModified),
                ETag: quote(o.etag),
                Size: o.size,
                StorageClass: 'STANDARD',
              })),
              CommonPrefixes: r.prefixes.map((p) => ({ Prefix: p })),
            }),
          );
        }
      }
    }

    // Object operations.
    const uploadId = query.get('uploadId');
    switch (req.method) {
      case 'PUT': {
        if (uploadId) {
          const etag = await d.storage.uploadPart(
            tenant,
            bucket,
            key,
            uploadId,
            Number(query.get('partNumber')),
            body,
          );
          return reply.header('etag', quote(etag)).send();
        }
        const copy = h('x-amz-copy-source');
        if (copy) {
          let src: string;
          try {
            src = decodeURIComponent(copy.replace(/^\//, '').split('?')[0]!);
          } catch {
            throw S3Errors.INVALID_ARGUMENT({ reason: 'x-amz-copy-source is not validly percent-encoded' });
          }
          const slash = src.indexOf('/');
          if (slash < 0) throw S3Errors.INVALID_ARGUMENT({ reason: 'x-amz-copy-source is bucket/key' });
          const o = await d.storage.copyObject(
            tenant,
            { bucket: src.slice(0, slash), key: src.slice(slash + 1) },
            { bucket, key },
            {
              replace: h('x-amz-metadata-directive') === 'REPLACE',
              contentType: h('content-type'),
              metadata: meta(),
              sourceIp,
            },
          );
          return reply
            .type('application/xml')
            .send(xml('CopyObjectResult', { LastModified: iso(o.lastModified), ETag: quote(o.etag) }));
        }
        const o = await d.storage.putObject(tenant, bucket, key, body, {
          contentType: h('content-type'),
          metadata: meta(),
          contentMd5: h('content-md5'),
          sourceIp,
        });
        return reply.header('etag', quote(o.etag)).send();
      }
      case 'POST': {
        if (query.has('uploads')) {
          const id = await d.storage.createUpload(tenant, bucket, key, {
            contentType: h('content-type'),
            metadata: meta(),
          });
          return reply
            .type('application/xml')
            .send(xml('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: id }));
        }
        if (uploadId) {
          let doc: { CompleteMultipartUpload?: { Part?: { PartNumber?: unknown; ETag?: unknown }[] } };
          try {
            doc = parser.parse(body.toString('utf8'));
          } catch (e) {
            throw S3Errors.MALFORMED_XML({ reason: (e as Error).message });
          }
          const parts = (doc.CompleteMultipartUpload?.Part ?? []).map((p) => ({
            partNumber: Number(p.PartNumber),
            etag: String(p.ETag ?? ''),
          }));
          const o = await d.storage.completeUpload(tenant, bucket, key, uploadId, parts, sourceIp);
          return reply.type('application/xml').send(
            xml('CompleteMultipartUploadResult', {
              Location: `/${bucket}/${key}`,
              Bucket: bucket,
              Key: key,
              ETag: quote(o.etag),
            }),
          );
        }
        throw S3Errors.METHOD_NOT_ALLOWED({ method: 'POST' });
      }
      case 'DELETE':
        if (uploadId) await d.storage.abortUpload(tenant, bucket, key, uploadId);
        else await d.storage.deleteObject(tenant, bucket, key, sourceIp);
        return reply.code(204).send();
      default: {
        const head = req.method === 'HEAD';
        const got = head
          ? { object: await d.storage.headObject(tenant, bucket, key), body: undefined }
          : await d.storage.getObject(tenant, bucket, key);
        const o = got.object;
        reply
          .header('etag', quote(o.etag))
          .header('last-modified', new Date(o.lastModified).toUTCString())
          .header('content-type', o.contentType)
          .header('accept-ranges', 'bytes');
        for (const [k, v] of Object.entries(o.metadata)) reply.header(`x-amz-meta-${k}`, v);
        const range = h('range');
        if (range && !head) {
          const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
          if (!m || (m[1] === '' && m[2] === '')) throw S3Errors.INVALID_RANGE({});
          let start: number;
          let end: number;
          if (m[1] === '') {
            start = Math.max(0, o.size - Number(m[2]));
            end = o.size - 1;
          } else {
            start = Number(m[1]);
            end = m[2] === '' ? o.size - 1 : Math.min(Number(m[2]), o.size - 1);
          }
          if (start >= o.size || start > end) {
            reply.header('content-range', `bytes */${o.size}`);
            throw S3Errors.INVALID_RANGE({});
          }
          return reply
            .code(206)
            .header('content-range', `bytes ${start}-${end}/${o.size}`)
            .header('content-length', end - start + 1)
            .send(Buffer.from(got.body!).subarray(start, end + 1));
        }
        reply.header('content-length', o.size);
        return head ? reply.send() : reply.send(Buffer.from(got.body!));
      }
    }
  }

  /**
   * POST Object: the form's policy signature names the principal, the policy's conditions must hold,
   * and the principal must be allowed s3:PutObject on the key; then the object is stored as PUT
   * Object stores it (same events). Nothing is stored when any check fails.
   */
  async function postObject(
    req: FastifyRequest,
    reply: FastifyReply,
    r: {
      audit: AuditedRequest;
      bucket: string;
      vhost: boolean;
      boundary: string;
      body: Buffer;
      rawPath: string;
      rawQuery: string;
    },
  ) {
    const form = parsePostForm(r.body, r.boundary);
    const signed = postSignature(form.fields);
    const principal = await d
      .authenticate({
        method: 'POST',
        path: r.rawPath,
        query: r.rawQuery,
        headers: req.headers,
        body: r.body,
        postPolicy: {
          credential: signed.credential,
          date: signed.date,
          signature: signed.signature,
          policy: signed.policy,
          securityToken: signed.securityToken,
        },
      })
      .catch((e: unknown) => {
        r.audit.authError = (e as { code?: string }).code ?? 'authentication failed';
        throw e;
      });
    r.audit.principal = principal;
    const key = objectKey(signed.key, form.file.filename);
    const resource = `arn:aws:s3:::${r.bucket}/${key}`;
    r.audit.action = 's3:PutObject';
    r.audit.resource = resource;
    const now = Date.now();
    checkPostPolicy(decodePostPolicy(signed.policy), {
      fields: form.fields,
      bucket: r.bucket,
      key,
      size: form.file.data.byteLength,
      now,
    });
    const attrs = objectAttributes(form.fields);
    const query = new URLSearchParams(r.rawQuery);
    authorize(principal, s3Context(principal, req.ip, query, now), r.audit, 's3:PutObject', resource);
    const o = await d.storage.putObject(principal.tenant, r.bucket, key, form.file.data, {
      ...attrs,
      sourceIp: req.ip,
    });
    const etag = quote(o.etag);
    const path = `${r.vhost ? '' : `${encodeURIComponent(r.bucket)}/`}${key.split('/').map(encodeURIComponent).join('/')}`;
    const location = `${req.protocol}://${req.headers.host ?? 'localhost'}/${path}`;
    const redirect = form.fields.get('success_action_redirect');
    const to = redirect === undefined ? undefined : URL.parse(redirect);
    if (to && (to.protocol === 'http:' || to.protocol === 'https:')) {
      to.searchParams.set('bucket', r.bucket);
      to.searchParams.set('key', key);
      to.searchParams.set('etag', etag);
      return reply.code(303).header('location', to.href).header('etag', etag).send();
    }
    reply.header('etag', etag).header('location', location);
    const status = form.fields.get('success_action_status');
    if (status === '201')
      return reply
        .code(201)
        .type('application/xml')
        .send(xml('PostResponse', { Location: location, Bucket: r.bucket, Key: key, ETag: etag }));
    return reply.code(status === '200' ? 200 : 204).send();
  }

  return app;
}

/** The bucket (from the host, virtual-host style, or the first path segment) and the key of a path. */
function locate(
  rawPath: string,
  hostHeader: string | undefined,
  domains: readonly string[],
): { bucket: string | undefined; key: string; vhost: boolean } {
  const host = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
  const dom = domains.find((x) => host.endsWith(`.${x}`));
  const path = decodeComponent(rawPath, 'path');
  if (dom) {
    const bucket = host.slice(0, -(dom.length + 1));
    return { bucket: bucket || undefined, key: path.slice(1), vhost: true };
  }
  const slash = path.indexOf('/', 1);
  const bucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
  return { bucket: bucket || undefined, key: slash < 0 ? '' : path.slice(slash + 1), vhost: false };
}

/** Evaluates the principal's policies for one action (recorded for the audit log); AccessDenied unless allowed. */
function authorize(
  principal: Principal,
  context: Record<string, string | undefined>,
  audit: AuditedRequest,
  action: string,
  resource: string,
): void {
  const r = principal.policy.evaluate({ action, resource, context });
  audit.action = action;
  audit.resource = resource;
  if (r.effect !== 'Allow') {
    audit.denied = true;
    throw S3Errors.ACCESS_DENIED({});
  }
}

/** The IAM action and resource ARN of an S3 request (as AWS names them). */
export function s3Operation(
  method: string,
  bucket: string | undefined,
  key: string,
  query: URLSearchParams,
): { action: string; resource: string } {
  if (!bucket) return { action: 's3:ListAllMyBuckets', resource: '*' };
  const b = `arn:aws:s3:::${bucket}`;
  const o = `${b}/${key}`;
  if (key === '') {
    switch (method) {
      case 'PUT':
        return { action: 's3:CreateBucket', resource: b };
      case 'DELETE':
        return { action: 's3:DeleteBucket', resource: b };
      case 'POST':
        // DeleteObjects: each key is checked for s3:DeleteObject as well.
        return { action: 's3:DeleteObject', resource: `${b}/*` };
      default:
        // HEAD bucket and ListObjects are both s3:ListBucket in IAM.
        return { action: 's3:ListBucket', resource: b };
    }
  }
  const upload = query.has('uploadId') || query.has('uploads');
  switch (method) {
    case 'PUT':
    case 'POST':
      return { action: 's3:PutObject', resource: o };
    case 'DELETE':
      return { action: upload ? 's3:AbortMultipartUpload' : 's3:DeleteObject', resource: o };
    default:
      return { action: 's3:GetObject', resource: o };
  }
}

function s3Context(
  p: Principal,
  sourceIp: string,
  query: URLSearchParams,
  now: number,
): Record<string, string | undefined> {
  return {
    ...principalContext(p, sourceIp, now),
    's3:prefix': query.get('prefix') ?? undefined,
    's3:delimiter': query.get('delimiter') ?? undefined,
    's3:max-keys': query.get('max-keys') ?? undefined,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
