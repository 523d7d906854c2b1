/**
 * Shared HTTP plumbing for the control-plane API: raw bodies (SigV4 signs the bytes), coded error
 * mapping, JSON parsing with coded errors. Fastify types stay inside src/api and src/gateway.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { CoreErrors, type NimbusError, type NimbusErrorJSON, toNimbusError } from '../core/errors.ts';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../core/json.ts';
import { clientAbort, frameworkError, HttpErrors, isClientAbort, type OnClientAbort } from '../http/index.ts';

/** Keeps every request body as raw bytes (or undefined); handlers parse it themselves. */
export function useRawBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
}

/** Parses a JSON body; empty → `fallback`. Throws CORE_MALFORMED_JSON. */
export function parseJsonBody<T = unknown>(body: unknown, fallback?: T): T {
  const buf = body instanceof Buffer ? body : undefined;
  if (!buf || buf.length === 0) {
    if (fallback !== undefined) return fallback;
    throw CoreErrors.MALFORMED_JSON({ reason: 'body is empty' });
  }
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (e) {
    throw CoreErrors.MALFORMED_JSON({ reason: (e as Error).message });
  }
}

/**
 * Parses a JSON document the platform keeps or walks (configs, patterns, inputs): like
 * `parseJsonBody`, and nested at most MAX_JSON_DEPTH levels (400 CORE_VALIDATION), so it can be
 * serialized again. Invocation payloads are opaque and take `parseJsonBody`.
 */
export function parseJsonDocument<T = unknown>(body: unknown, fallback?: T): T {
  rejectDeepJson(body);
  return parseJsonBody(body, fallback);
}

/** Throws 400 CORE_VALIDATION when a JSON body nests deeper than MAX_JSON_DEPTH. */
export function rejectDeepJson(body: unknown): void {
  if (body instanceof Buffer && jsonTooDeep(body))
    throw CoreErrors.VALIDATION({ reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
}

/** Parses a JSON body and validates it; every problem in one coded VALIDATION error. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, fallback?: unknown): T {
  const r = schema.safeParse(parseJsonDocument(body, fallback));
  if (!r.success) {
    throw CoreErrors.VALIDATION({
      reason: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    });
  }
  return r.data;
}

export const params = (req: FastifyRequest) => req.params as Record<string, string>;
export const query = (req: FastifyRequest) => req.query as Record<string, string | undefined>;

export function intQuery(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw CoreErrors.VALIDATION({ reason: `${name} must be a number` });
  return n;
}

/**
 * The error as clients see it. An uncoded failure (CORE_INTERNAL) says only that something failed:
 * its reason is an arbitrary exception message (paths, driver text) and stays in the platform log.
 */
export function publicError(e: NimbusError): NimbusErrorJSON {
  if (e.code !== CoreErrors.codes.INTERNAL) return e.toJSON();
  return {
    code: e.code,
    message: 'internal error (details are in the platform log)',
    status: e.status,
    kind: e.kind,
    retryable: e.retryable,
  };
}

export function sendError(reply: FastifyReply, e: NimbusError): FastifyReply {
  if (e.retryAfterMs !== undefined)
    reply.header('retry-after', Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
  return reply
    .code(e.status)
    .type('application/json')
    .send({ error: publicError(e) });
}

export interface ErrorReporting {
  readonly onSystemError?: ((e: NimbusError, req: FastifyRequest) => void) | undefined;
  /** A client that went away mid-request: not a platform failure (logged at debug, no stack). */
  readonly onClientAbort?: OnClientAbort | undefined;
}

/**
 * Anything a handler or Fastify threw → the coded error to answer with. Fastify's own request
 * errors and client aborts are user errors; system errors and aborts are reported.
 */
export function codedError(
  err: unknown,
  req: FastifyRequest,
  bodyLimit: number,
  report: ErrorReporting = {},
): NimbusError {
  if (isClientAbort(err, req.raw)) {
    report.onClientAbort?.(clientAbort(err, req.raw));
    return HttpErrors.CLIENT_ABORTED();
  }
  const fe = err as { code?: string; message?: string };
  const e =
    fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
      ? CoreErrors.VALIDATION({ reason: fe.message ?? 'bad body' })
      : (frameworkError(err, req, bodyLimit) ?? toNimbusError(err));
  if (e.kind === 'system') report.onSystemError?.(e, req);
  return e;
}

/** Maps Fastify's own errors (body too large, bad content) and ours to coded JSON; never leaks stacks. */
export function installErrorHandler(
  app: FastifyInstance,
  render: (reply: FastifyReply, e: NimbusError, req: FastifyRequest) => FastifyReply = (r, e) =>
    sendError(r, e),
  report: ErrorReporting = {},
): void {
  app.setErrorHandler((err: unknown, req, reply) =>
    render(reply, codedError(err, req, app.initialConfig.bodyLimit ?? 0, report), req),
  );
  app.setNotFoundHandler((req, reply) =>
    render(
      reply,
      CoreErrors.NOT_FOUND({ what: `route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}` }),
      req,
    ),
  );
}
