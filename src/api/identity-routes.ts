/**
 * REST for identity: tenants (operators only), access keys and execution roles. docs/API.md.
 *
 * Tenants are the operators' business: only principals of the `default` tenant may call them,
 * and only with the `nimbus:*Tenant` actions. Keys and roles belong to the caller's tenant; an
 * operator may name another tenant (`tenant` in the body or query) to hand it its first key.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CoreErrors } from '../core/errors.ts';
import type { Clock, KeyRepo, RoleRepo } from '../core/ports.ts';
import {
  type ApiKeyRecord,
  DEFAULT_TENANT,
  type PolicyRef,
  type RoleRecord,
  type TenantId,
} from '../core/types.ts';
import { createApiKey, resolvePolicies, rotatedKey, type TenantDirectory } from '../security/index.ts';
import type { TenantResources } from '../tenancy/resources.ts';
import { machineArnOfExecution } from '../workflows/sfn-api.ts';
import { type Arns, authorize, callerArns, isAllowed, type Principal } from './auth.ts';
import { params, parseBody, query } from './http.ts';

export interface IdentityRouteDeps {
  readonly tenants: TenantDirectory;
  readonly tenantResources: TenantResources;
  readonly keys: KeyRepo;
  readonly roles: RoleRepo;
  readonly masterKey: Buffer;
  readonly clock: Clock;
}

const Policy = z.union([z.string().min(1).max(2048), z.record(z.string(), z.unknown())]);
const Policies = z.array(Policy).max(10);
/** A resource's name or ARN: no wildcards (the answer is about that one resource). */
const ResourceName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[^*?\s]+$/, 'a name or ARN without wildcards');
const Duration = z.string().regex(/^\d+[smhd]$/, 'a duration like 90d, 12h, 30m');

export const PermissionsQuery = z
  .object({
    actions: z
      .array(z.string().regex(/^[a-z0-9-]{1,32}:[A-Za-z0-9*]{1,128}$/, 'service:Action'))
      .min(1)
      .max(100),
    /** Evaluate on this resource (its service's actions) instead of `*`. */
    resource: z
      .union([
        z.object({ function: ResourceName }).strict(),
        z.object({ stateMachine: ResourceName }).strict(),
        z.object({ execution: ResourceName }).strict(),
        z.object({ bucket: ResourceName }).strict(),
      ])
      .optional(),
  })
  .strict();
export type PermissionsResource = NonNullable<z.infer<typeof PermissionsQuery>['resource']>;

const ON_EXECUTION = new Set([
  'states:StopExecution',
  'states:RedriveExecution',
  'states:DescribeExecution',
  'states:GetExecutionHistory',
]);

/**
 * The ARN `action` is checked on for `r`, as its route checks it; `*` for an action of another
 * service (or, for a bucket, a bucket-level action a route checks on `*`).
 */
export function permissionArn(a: Arns, action: string, r: PermissionsResource | undefined): string {
  if (!r) return '*';
  const service = action.slice(0, action.indexOf(':'));
  if ('function' in r) return service === 'lambda' ? a.fn(r.function) : '*';
  if ('stateMachine' in r || 'execution' in r) {
    if (service !== 'states') return '*';
    // An execution's own actions are checked on its ARN, the rest on its state machine's.
    if ('execution' in r)
      return ON_EXECUTION.has(action) ? r.execution : (machineArnOfExecution(r.execution) ?? r.execution);
    return ON_EXECUTION.has(action)
      ? a.of('states', `execution:${r.stateMachine}:*`)
      : a.of('states', `stateMachine:${r.stateMachine}`);
  }
  if (service !== 's3') return '*';
  return /Object/.test(action) ? `arn:aws:s3:::${r.bucket}/*` : `arn:aws:s3:::${r.bucket}`;
}

export const CreateTenant = z
  .object({
    id: z.string().min(1).max(64),
    accountId: z.string().optional(),
    description: z.string().max(256).optional(),
  })
  .strict();
export const CreateKey = z
  .object({
    description: z.string().max(256).optional(),
    policies: Policies.optional(),
    kind: z.enum(['user', 'service']).optional(),
    expiresIn: Duration.optional(),
    expiresAt: z.string().datetime().optional(),
    tenant: z.string().optional(),
  })
  .strict();
export const Rotate = z
  .object({
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .optional(),
  })
  .strict();
export const PutPolicies = z.object({ policies: Policies }).strict();
export const PutRole = z.object({ policies: Policies, description: z.string().max(256).optional() }).strict();

const ROLE_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
const ms = (d: string) =>
  Number(d.slice(0, -1)) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[d.slice(-1)]!;
const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

export const keyView = (k: ApiKeyRecord, now: number) => ({
  keyId: k.keyId,
  tenant: k.tenant,
  kind: k.kind,
  description: k.description,
  policies: k.policies,
  status: k.disabled ? 'revoked' : k.expiresAt !== undefined && k.expiresAt <= now ? 'expired' : 'active',
  createdAt: iso(k.createdAt),
  expiresAt: iso(k.expiresAt),
  previousSecretValidUntil: k.prevSecretHash && (k.prevExpiresAt ?? 0) > now ? iso(k.prevExpiresAt) : null,
});

export const roleView = (r: RoleRecord, account: string) => ({
  name: r.name,
  arn: `arn:aws:iam::${account}:role/${r.name}`,
  description: r.description,
  policies: r.policies,
  generation: r.generation,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

/** Policies must parse (an IAM_POLICY_INVALID error names the statement and field). */
function checkPolicies(p: readonly PolicyRef[]): readonly PolicyRef[] {
  resolvePolicies(p);
  return p;
}

function operatorOnly(p: Principal): void {
  if (p.tenant !== DEFAULT_TENANT)
    throw CoreErrors.FORBIDDEN({ reason: 'tenants are managed by principals of the default tenant' });
}

export function registerIdentityRoutes(app: FastifyInstance, d: IdentityRouteDeps): void {
  const now = () => d.clock.now();
  /** The tenant a key/role request acts on: the caller's, or (operators only) a named one. */
  const targetTenant = async (p: Principal, named: string | undefined): Promise<TenantId> => {
    if (named === undefined || named === p.tenant) return p.tenant;
    operatorOnly(p);
    if (!(await d.tenants.get(named))) throw CoreErrors.NOT_FOUND({ what: `tenant ${named}` });
    return named;
  };
  /** A key of the caller's tenant; another tenant's key is "not found", never "forbidden". */
  const ownKey = async (req: FastifyRequest, p: Principal): Promise<ApiKeyRecord> => {
    const id = params(req).id!;
    const k = await d.keys.get(id);
    const tenant = await targetTenant(p, query(req).tenant);
    if (!k || k.tenant !== tenant) throw CoreErrors.NOT_FOUND({ what: `key ${id}` });
    return k;
  };
  const tenantView = async (id: TenantId) => {
    const t = await d.tenants.get(id);
    if (!t) throw CoreErrors.NOT_FOUND({ what: `tenant ${id}` });
    return {
      id: t.id,
      accountId: t.accountId,
      description: t.description,
      createdAt: iso(t.createdAt),
      resources: await d.tenantResources.count(t.id),
    };
  };

  // ---- who the caller is (STS GetCallerIdentity; the deploy fills ARNs in with it)
  app.get('/v1/identity', async (req) => {
    const p = authorize(req, 'sts:GetCallerIdentity');
    return { tenant: p.tenant, accountId: p.accountId, arn: p.arn, region: req.authz?.region ?? '' };
  });

  // What the caller may do (like IAM SimulatePrincipalPolicy on oneself): each action evaluated as
  // its list/collection route evaluates it (resource `*`, the caller's context), or on one named
  // resource's ARN. The console hides what a key cannot use with it. Asking needs no more than
  // knowing who one is: the answer tells a caller only about its own policies.
  app.post('/v1/identity/permissions', async (req) => {
    const p = authorize(req, 'sts:GetCallerIdentity');
    const b = parseBody(PermissionsQuery, req.body);
    const arns = callerArns(req, p);
    return {
      allowed: Object.fromEntries(
        b.actions.map((a) => [a, isAllowed(req, a, permissionArn(arns, a, b.resource))]),
      ),
    };
  });

  // ---- tenants
  app.post('/v1/tenants', async (req, reply) => {
    operatorOnly(authorize(req, 'nimbus:CreateTenant', (a) => a.nimbus('tenant')));
    const b = parseBody(CreateTenant, req.body);
    const t = await d.tenants.create(b);
    reply.code(201);
    return { tenant: await tenantView(t.id) };
  });
  app.get('/v1/tenants', async (req) => {
    operatorOnly(authorize(req, 'nimbus:ListTenants'));
    return {
      tenants: (await d.tenants.list()).map((t) => ({
        id: t.id,
        accountId: t.accountId,
        description: t.description,
        createdAt: iso(t.createdAt),
      })),
    };
  });
  app.get('/v1/tenants/:id', async (req) => {
    operatorOnly(authorize(req, 'nimbus:GetTenant', (a) => a.nimbus('tenant', params(req).id!)));
    return { tenant: await tenantView(params(req).id!) };
  });
  app.delete('/v1/tenants/:id', async (req) => {
    const id = params(req).id!;
    operatorOnly(authorize(req, 'nimbus:DeleteTenant', (a) => a.nimbus('tenant', id)));
    if (id === DEFAULT_TENANT)
      throw CoreErrors.VALIDATION({ reason: 'the default tenant cannot be deleted' });
    if (!(await d.tenants.get(id))) throw CoreErrors.NOT_FOUND({ what: `tenant ${id}` });
    const force = query(req).force === 'true';
    const remaining = await d.tenantResources.count(id);
    if (!force && Object.keys(remaining).length > 0)
      throw CoreErrors.CONFLICT({
        what: `tenant ${id} still owns ${Object.entries(remaining)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')} (delete them, or pass force=true to remove everything)`,
      });
    const removed = force ? await d.tenantResources.purge(id) : {};
    await d.tenants.delete(id);
    return { deleted: id, removed };
  });

  // ---- keys
  app.post('/v1/keys', async (req, reply) => {
    const p = authorize(req, 'nimbus:CreateKey', (a) => a.nimbus('key'));
    const b = parseBody(CreateKey, req.body);
    const tenant = await targetTenant(p, b.tenant);
    if (b.expiresIn !== undefined && b.expiresAt !== undefined)
      throw CoreErrors.VALIDATION({ reason: 'give expiresIn or expiresAt, not both' });
    const expiresAt =
      b.expiresIn !== undefined
        ? now() + ms(b.expiresIn)
        : b.expiresAt !== undefined
          ? Date.parse(b.expiresAt)
          : undefined;
    if (expiresAt !== undefined && expiresAt <= now())
      throw CoreErrors.VALIDATION({ reason: 'the expiry is in the past' });
    const { record, secret } = await createApiKey(
      d.keys,
      d.masterKey,
      {
        tenant,
        policies: checkPolicies(b.policies ?? ['Developer']),
        description: b.description ?? '',
        kind: b.kind ?? 'user',
        expiresAt,
      },
      d.clock,
    );
    reply.code(201);
    // The secret is shown once, here; it is stored hashed and encrypted.
    return { key: keyView(record, now()), secret };
  });
  app.get('/v1/keys', async (req) => {
    const p = authorize(req, 'nimbus:ListKeys');
    const tenant = await targetTenant(p, query(req).tenant);
    return { keys: (await d.keys.list(tenant)).map((k) => keyView(k, now())) };
  });
  app.get('/v1/keys/:id', async (req) => {
    const p = authorize(req, 'nimbus:GetKey', (a) => a.nimbus('key', params(req).id!));
    return { key: keyView(await ownKey(req, p), now()) };
  });
  app.post('/v1/keys/:id/rotate', async (req) => {
    const p = authorize(req, 'nimbus:RotateKey', (a) => a.nimbus('key', params(req).id!));
    const b = parseBody(Rotate, req.body, {});
    const k = await ownKey(req, p);
    if (k.disabled) throw CoreErrors.CONFLICT({ what: `key ${k.keyId} is revoked` });
    const { record, secret } = rotatedKey(k, d.masterKey, (b.graceSeconds ?? 86_400) * 1000, d.clock);
    await d.keys.update(record);
    return { key: keyView(record, now()), secret };
  });
  app.post('/v1/keys/:id/revoke', async (req) => {
    const p = authorize(req, 'nimbus:RevokeKey', (a) => a.nimbus('key', params(req).id!));
    const k = await ownKey(req, p);
    const record: ApiKeyRecord = {
      ...k,
      disabled: true,
      prevSecretHash: undefined,
      prevSecretCiphertext: undefined,
    };
    await d.keys.update(record);
    return { key: keyView(record, now()) };
  });
  app.put('/v1/keys/:id/policies', async (req) => {
    const p = authorize(req, 'nimbus:PutKeyPolicy', (a) => a.nimbus('key', params(req).id!));
    const b = parseBody(PutPolicies, req.body);
    const k = await ownKey(req, p);
    const record: ApiKeyRecord = { ...k, policies: checkPolicies(b.policies) };
    await d.keys.update(record);
    return { key: keyView(record, now()) };
  });
  app.delete('/v1/keys/:id', async (req, reply) => {
    const p = authorize(req, 'nimbus:DeleteKey', (a) => a.nimbus('key', params(req).id!));
    const k = await ownKey(req, p);
    if (k.keyId === p.keyId)
      throw CoreErrors.VALIDATION({ reason: 'a key cannot delete itself (revoke it instead)' });
    await d.keys.delete(k.keyId);
    return reply.code(204).send();
  });

  // ---- execution roles
  const roleName = (req: FastifyRequest) => {
    const n = params(req).name!;
    if (!ROLE_NAME.test(n))
      throw CoreErrors.VALIDATION({
        reason: 'a role name is 1-64 characters of letters, digits and +=,.@_-',
      });
    return n;
  };
  app.put('/v1/roles/:name', async (req) => {
    const name = roleName(req);
    const p = authorize(req, 'iam:PutRolePolicy', (a) => `arn:aws:iam::${a.account}:role/${name}`);
    const b = parseBody(PutRole, req.body);
    const r = await d.roles.put({
      tenant: p.tenant,
      name,
      policies: checkPolicies(b.policies),
      description: b.description ?? '',
      updatedAt: now(),
    });
    return { role: roleView(r, p.accountId) };
  });
  app.get('/v1/roles', async (req) => {
    const p = authorize(req, 'iam:ListRoles');
    return { roles: (await d.roles.list(p.tenant)).map((r) => roleView(r, p.accountId)) };
  });
  app.get('/v1/roles/:name', async (req) => {
    const name = roleName(req);
    const p = authorize(req, 'iam:GetRole', (a) => `arn:aws:iam::${a.account}:role/${name}`);
    const r = await d.roles.get(p.tenant, name);
    if (!r) throw CoreErrors.NOT_FOUND({ what: `role ${name}` });
    return { role: roleView(r, p.accountId) };
  });
  app.delete('/v1/roles/:name', async (req, reply) => {
    const name = roleName(req);
    const p = authorize(req, 'iam:DeleteRole', (a) => `arn:aws:iam::${a.account}:role/${name}`);
    if (!(await d.roles.delete(p.tenant, name))) throw CoreErrors.NOT_FOUND({ what: `role ${name}` });
    return reply.code(204).send();
  });
}
