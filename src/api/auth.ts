/**
 * Authentication and authorization for the control-plane API. Every route needs credentials
 * (Bearer or SigV4), `GET /healthz` aside, and every route handler calls `authorize(req, action,
 * resource)` before it touches data: the principal's IAM policies decide, the tenant is the
 * principal's. A route that answers without having called `authorize` fails closed (500,
 * NIMBUS_ERR_CORE_AUTHZ_MISSING) — so a new route cannot ship without a policy check.
 *
 * Mutations, authentication failures and denials are handed to the audit sink.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoreErrors, NimbusError } from '../core/errors.ts';
import type { AuditEntry } from '../core/types.ts';
import type { Authenticator, AuthRequest, Principal } from '../security/index.ts';

export type { Authenticator, AuthRequest, Principal } from '../security/index.ts';

/** Who a request is; `presignGet` (optional in tests) makes GetFunction's download link. */
export type Authenticate = ((req: AuthRequest) => Promise<Principal>) & {
  readonly presignGet?: Authenticator['presignGet'];
};

/** Where audit entries go (the audit service batches and chains them). */
export interface AuditSink {
  record(e: AuditEntry): void;
}

/** ARN builders bound to the principal's account and the platform's region. */
export interface Arns {
  readonly region: string;
  readonly account: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` */
  fn(name: string, qualifier?: string): string;
  /** `arn:aws:<service>:<region>:<account>:<resource>` */
  of(service: string, resource: string): string;
  /** Platform-only resources: `arn:aws:nimbus:<region>:<account>:<type>/<id>` */
  nimbus(type: string, id?: string): string;
  /** `arn:aws:logs:<region>:<account>:log-group:/aws/lambda/<function>` */
  logGroup(fn: string): string;
}

export function arnsFor(region: string, account: string): Arns {
  return {
    region,
    account,
    fn: (name, q) => `arn:aws:lambda:${region}:${account}:function:${name}${q ? `:${q}` : ''}`,
    of: (service, resource) => `arn:aws:${service}:${region}:${account}:${resource}`,
    nimbus: (type, id = '*') => `arn:aws:nimbus:${region}:${account}:${type}/${id}`,
    logGroup: (fn) => `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${fn}`,
  };
}

interface AuthzState {
  readonly region: string;
  checked: boolean;
  action: string;
  resource: string;
  denied: boolean;
  /** Audited like a read (only when denied), whatever its method: see AwsJsonService.dataOperations. */
  dataEvent?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    authz: AuthzState | undefined;
    authError: NimbusError | undefined;
  }
}

/**
 * Routes (method + route pattern) that need no credentials: the health check, and the web
 * console's static files (src/console; the app logs in with a key itself).
 */
const OPEN_ROUTES = new Set([
  'GET /healthz',
  'HEAD /healthz',
  'GET /console',
  'HEAD /console',
  'GET /console/*',
  'HEAD /console/*',
]);

export interface AuthOptions {
  readonly authenticate: Authenticate;
  readonly region: string;
  readonly audit?: AuditSink | undefined;
  readonly clock?: { now(): number } | undefined;
}

export function installAuth(app: FastifyInstance, o: AuthOptions): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('authz', undefined);
  app.decorateRequest('authError', undefined);
  const now = () => o.clock?.now() ?? Date.now();
  // preHandler runs after body parsing, so SigV4 can hash the exact bytes that were sent.
  app.addHook('preHandler', async (req) => {
    if (OPEN_ROUTES.has(`${req.method} ${req.routeOptions.url}`)) return;
    const path = req.url.split('?')[0] ?? '/';
    req.authz = { region: o.region, checked: false, action: '', resource: '', denied: false };
    const q = req.url.indexOf('?');
    try {
      req.principal = await o.authenticate({
        method: req.method,
        path,
        query: q >= 0 ? req.url.slice(q + 1) : '',
        headers: req.headers,
        body: req.body instanceof Buffer ? req.body : undefined,
      });
    } catch (e) {
      if (e instanceof NimbusError) req.authError = e;
      throw e;
    }
  });
  // Fail closed: a successful answer from a route that never evaluated a policy is withheld.
  app.addHook('onSend', async (req, reply, payload) => {
    const z = req.authz;
    if (!z || z.checked || reply.statusCode >= 400) return payload;
    reply.code(500).type('application/json');
    const err = CoreErrors.AUTHZ_MISSING({ route: `${req.method} ${req.routeOptions.url ?? '?'}` });
    return JSON.stringify({ error: err.toJSON() });
  });
  if (o.audit) {
    const sink = o.audit;
    app.addHook('onResponse', async (req, reply) => {
      const z = req.authz;
      if (!z) return; // open route
      const e = auditEntryOf(
        {
          principal: req.principal,
          action: z.action,
          resource: z.resource,
          denied: z.denied,
          authError: req.authError?.code,
          dataEvent: z.dataEvent,
        },
        {
          method: req.method,
          sourceIp: req.ip,
          status: reply.statusCode,
          ts: now(),
          fallbackAction: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`,
        },
      );
      if (e) sink.record(e);
    });
  }
}

/** `key/<id>` or `role/<role>/<function>` — how the audit log names who acted. */
export function principalName(p: Principal): string {
  return p.session ? `role/${p.session.role}/${p.session.functionName}` : `key/${p.keyId}`;
}

/** What an audited request did: who (if anyone), which action on which resource, refused or not. */
export interface AuditedRequest {
  principal?: Principal | undefined;
  action: string;
  resource: string;
  denied: boolean;
  /** The code of a failed authentication. */
  authError?: string | undefined;
  /** A read or data event sent as POST: audited only when denied. */
  dataEvent?: boolean | undefined;
}

/**
 * The audit entry of a finished request (API port and S3 port alike), or undefined for one that
 * is not audited: mutations, failed authentications and denials are; allowed reads are not.
 */
export function auditEntryOf(
  a: AuditedRequest,
  r: { method: string; sourceIp: string; status: number; ts: number; fallbackAction: string },
): AuditEntry | undefined {
  const p = a.principal;
  const mutating = r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'OPTIONS' && !a.dataEvent;
  if (p && !mutating && !a.denied) return undefined;
  return {
    tenant: p?.tenant ?? '-',
    ts: r.ts,
    principal: p ? principalName(p) : '-',
    action: a.action || r.fallbackAction,
    resource: a.resource,
    sourceIp: r.sourceIp,
    result: !p ? 'unauthenticated' : a.denied ? 'denied' : r.status < 400 ? 'ok' : 'error',
    status: r.status,
    detail: a.authError ?? (r.status >= 400 ? `HTTP ${r.status}` : ''),
  };
}

/** The condition keys every request offers to policies (S3 adds its own). */
export function principalContext(p: Principal, sourceIp: string, now: number): Record<string, string> {
  return {
    'aws:SourceIp': sourceIp,
    'aws:CurrentTime': new Date(now).toISOString(),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    'aws:PrincipalAccount': p.accountId,
    'aws:PrincipalArn': p.arn,
    'aws:username': p.keyId,
    'aws:userid': p.keyId,
    'aws:SecureTransport': 'false',
    'nimbus:Tenant': p.tenant,
  };
}

/**
 * Actions audited like reads (only when denied or unauthenticated), as CloudTrail treats data
 * events: invoking a function is not a change to the account, and chaining an audit entry for
 * every invocation cost a sixth of the platform's CPU on the Invoke API (issue 16).
 */
const DATA_EVENTS = new Set(['lambda:InvokeFunction']);

/**
 * Evaluates the principal's policies for `action` on the resource(s); throws 401 without
 * credentials and 403 on a deny (explicit or implicit). Every route calls it exactly where it
 * knows the resource. `resources` may list several ARNs: all must be allowed.
 */
/** ARNs in the caller's account and the request's region. */
export const callerArns = (req: FastifyRequest, p: Principal): Arns =>
  arnsFor(req.authz?.region ?? 'local-1', p.accountId);

export function authorize(
  req: FastifyRequest,
  action: string,
  resources: (a: Arns) => string | readonly string[] = () => '*',
  context?: Readonly<Record<string, string | readonly string[] | undefined>>,
): Principal {
  const p = req.principal;
  if (req.authz) {
    req.authz.checked = true;
    if (DATA_EVENTS.has(action)) req.authz.dataEvent = true;
  }
  if (!p) throw CoreErrors.UNAUTHORIZED({ reason: 'no credentials' });
  const r = resources(callerArns(req, p));
  const list = typeof r === 'string' ? [r] : r;
  const now = Date.now();
  const ctx = { ...principalContext(p, req.ip, now), ...context };
  for (const resource of list) {
    if (req.authz) {
      req.authz.action = action;
      req.authz.resource = resource;
    }
    const d = p.policy.evaluate({ action, resource, context: ctx });
    if (d.effect !== 'Allow') {
      if (req.authz) req.authz.denied = true;
      throw CoreErrors.FORBIDDEN({
        reason: `${p.arn} is not authorized to perform ${action} on ${resource}`,
      });
    }
  }
  return p;
}

/** Like `authorize`, but answers instead of throwing (optional detail in a response). */
export function isAllowed(req: FastifyRequest, action: string, resource = '*'): boolean {
  const p = req.principal;
  if (!p) return false;
  return (
    p.policy.evaluate({ action, resource, context: principalContext(p, req.ip, Date.now()) }).effect ===
    'Allow'
  );
}
