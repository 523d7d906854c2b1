/**
 * Authentication hook for the control-plane API: every route needs a key (Bearer or SigV4),
 * `GET /healthz` aside. The principal is attached to the request for authorization checks.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoreErrors } from '../core/errors.ts';
import type { ApiKeyRole } from '../core/types.ts';
import type { AuthRequest, Principal } from '../security/index.ts';

export type { AuthRequest, Principal } from '../security/index.ts';

export type Authenticate = (req: AuthRequest) => Promise<Principal>;
export type Action = 'read' | 'write' | 'invoke' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

const OPEN_ROUTES = new Set(['GET /healthz', 'HEAD /healthz']);

export function installAuth(app: FastifyInstance, authenticate: Authenticate): void {
  app.decorateRequest('principal', undefined);
  // preHandler runs after body parsing, so SigV4 can hash the exact bytes that were sent.
  app.addHook('preHandler', async (req) => {
    const path = req.url.split('?')[0] ?? '/';
    if (OPEN_ROUTES.has(`${req.method} ${path}`)) return;
    const q = req.url.indexOf('?');
    req.principal = await authenticate({
      method: req.method,
      path,
      query: q >= 0 ? req.url.slice(q + 1) : '',
      headers: req.headers,
      body: req.body instanceof Buffer ? req.body : undefined,
    });
  });
}

const ALLOWED: Record<ApiKeyRole, ReadonlySet<Action>> = {
  admin: new Set(['read', 'write', 'invoke', 'admin']),
  developer: new Set(['read', 'write', 'invoke']),
  invoker: new Set(['read', 'invoke']),
};

/** Returns the request's principal if its role allows `action`; throws 401/403 otherwise. */
export function requireRole(req: FastifyRequest, action: Action): Principal {
  const p = req.principal;
  if (!p) throw CoreErrors.UNAUTHORIZED({ reason: 'no credentials' });
  if (!ALLOWED[p.role].has(action))
    throw CoreErrors.FORBIDDEN({ reason: `role ${p.role} may not ${action}` });
  return p;
}
