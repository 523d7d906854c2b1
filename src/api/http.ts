/**
 * Shared HTTP plumbing for the control-plane API: raw bodies (SigV4 signs the bytes), coded error
 * mapping, JSON parsing with coded errors. Fastify types stay inside src/api and src/gateway.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { CoreErrors, type NimbusError, toNimbusError } from '../core/errors.ts';

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

/** Parses a JSON body and validates it; every problem in one coded VALIDATION error. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, fallback?: unknown): T {
  const r = schema.safeParse(parseJsonBody(body, fallback));
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

export function sendError(reply: FastifyReply, e: NimbusError): FastifyReply {
  if (e.retryAfterMs !== undefined)
    reply.header('retry-after', Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
  return reply.code(e.status).type('application/json').send({ error: e.toJSON() });
}

/** Maps Fastify's own errors (body too large, bad content) and ours to coded JSON; never leaks stacks. */
export function installErrorHandler(
  app: FastifyInstance,
  render: (reply: FastifyReply, e: NimbusError, req: FastifyRequest) => FastifyReply = (r, e) =>
    sendError(r, e),
  onSystemError?: (e: NimbusError, req: FastifyRequest) => void,
): void {
  app.setErrorHandler((err: unknown, req, reply) => {
    const fe = err as { code?: string; statusCode?: number; message?: string };
    let e: NimbusError;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      e = CoreErrors.PAYLOAD_TOO_LARGE({
        size: req.headers['content-length'] ?? 'more than limit',
        limit: app.initialConfig.bodyLimit,
      });
    } else if (
      fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' ||
      fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
    ) {
      e = CoreErrors.VALIDATION({ reason: fe.message ?? 'bad body' });
    } else {
      e = toNimbusError(err);
    }
    if (e.kind === 'system') onSystemError?.(e, req);
    return render(reply, e, req);
  });
  app.setNotFoundHandler((req, reply) =>
    render(reply, CoreErrors.NOT_FOUND({ what: `route ${req.method} ${req.url.split('?')[0]}` }), req),
  );
}
