/** REST for the audit log: `GET /v1/audit`, `POST /v1/audit/verify`. docs/API.md. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type AuditVerification, parseTimeBound } from '../audit/index.ts';
import { CoreErrors } from '../core/errors.ts';
import type { Clock } from '../core/ports.ts';
import { type AuditQuery, type AuditRecord, DEFAULT_TENANT } from '../core/types.ts';
import { type AuditSink, authorize } from './auth.ts';
import { query } from './http.ts';

/** The audit service as the API sees it: the auth hook records, these routes read. */
export interface AuditLog extends AuditSink {
  query(q: AuditQuery): Promise<AuditRecord[]>;
  verify(): Promise<AuditVerification>;
}

export interface AuditRouteDeps {
  /** Receives mutations, authentication failures and denials; absent = no audit routes. */
  readonly audit?: AuditLog | undefined;
  readonly clock: Clock;
}

const text = z.string().min(1).max(256);
export const AuditQuerySchema = z
  .object({
    principal: text.optional(),
    action: text.optional(),
    result: z.enum(['ok', 'denied', 'unauthenticated', 'error']).optional(),
    since: text.optional(),
    until: text.optional(),
    /** The `next` of the previous page. */
    after: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** Operators only: another tenant's records, or `*` for every tenant's. */
    tenant: z.string().min(1).max(64).optional(),
  })
  .strict();

export const auditRecordView = (r: AuditRecord) => ({
  seq: r.seq,
  time: new Date(r.ts).toISOString(),
  tenant: r.tenant,
  principal: r.principal,
  action: r.action,
  resource: r.resource,
  sourceIp: r.sourceIp,
  result: r.result,
  status: r.status,
  detail: r.detail,
  hash: r.hash,
});

export function registerAuditRoutes(app: FastifyInstance, d: AuditRouteDeps): void {
  const audit = d.audit;
  if (!audit) return;
  app.get('/v1/audit', async (req) => {
    const p = authorize(req, 'nimbus:QueryAudit', (a) => a.nimbus('audit'));
    const parsed = AuditQuerySchema.safeParse(query(req));
    if (!parsed.success)
      throw CoreErrors.VALIDATION({
        reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
      });
    const q = parsed.data;
    let tenant: string | undefined = p.tenant;
    if (q.tenant !== undefined && q.tenant !== p.tenant) {
      if (p.tenant !== DEFAULT_TENANT)
        throw CoreErrors.VALIDATION({
          reason: `tenant: only principals of the ${DEFAULT_TENANT} tenant (operators) may read another tenant's audit records`,
        });
      tenant = q.tenant === '*' ? undefined : q.tenant;
    }
    const now = d.clock.now();
    const records = await audit.query({
      tenant,
      principal: q.principal,
      action: q.action,
      result: q.result,
      since: q.since === undefined ? undefined : parseTimeBound(q.since, 'since', now),
      until: q.until === undefined ? undefined : parseTimeBound(q.until, 'until', now),
      afterSeq: q.after,
      limit: q.limit,
    });
    const last = records.at(-1);
    return {
      records: records.map(auditRecordView),
      ...(last && records.length === q.limit ? { next: last.seq } : {}),
    };
  });
  app.post('/v1/audit/verify', async (req) => {
    const p = authorize(req, 'nimbus:VerifyAudit', (a) => a.nimbus('audit'));
    if (p.tenant !== DEFAULT_TENANT) {
      if (req.authz) req.authz.denied = true; // recorded as a denial, like a policy's
      throw CoreErrors.FORBIDDEN({
        reason: `only principals of the ${DEFAULT_TENANT} tenant (operators) may verify the audit log: its chain covers every tenant`,
      });
    }
    return audit.verify();
  });
}
