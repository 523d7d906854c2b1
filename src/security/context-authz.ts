/**
 * The context client (`nimbus(context)` from @nimbus/sdk: invoke, timers, publish, objects) acts
 * for the calling function, so its execution role decides, exactly as for the AWS SDK with the
 * function's temporary credentials: each call is one IAM action on one resource.
 */
import { CoreErrors } from '../core/errors.ts';
import type { FunctionRepo, RoleRepo } from '../core/ports.ts';
import type { TenantId } from '../core/types.ts';
import { type PolicySet, sessionPolicySet } from './policy-set.ts';

export interface ContextCallRequest {
  readonly action: string;
  readonly resources: readonly string[];
}

/** The IAM action and resources of a context call (undefined: not an authorized call). */
export function contextCallAction(
  op: string,
  raw: unknown,
  arn: { region: string; account: string },
): ContextCallRequest | undefined {
  const a = (raw ?? {}) as Record<string, unknown>;
  const fnArn = (v: unknown) => {
    const ref = typeof v === 'object' && v !== null ? (v as { function?: unknown }).function : v;
    const name = String(ref ?? '*').split(':')[0];
    return `arn:aws:lambda:${arn.region}:${arn.account}:function:${name}`;
  };
  const nimbus = (type: string, id = '*') => `arn:aws:nimbus:${arn.region}:${arn.account}:${type}/${id}`;
  switch (op) {
    case 'invoke':
      return { action: 'lambda:InvokeFunction', resources: [fnArn(a.functionName ?? a.function)] };
    case 'timer.schedule':
      return { action: 'nimbus:CreateTimer', resources: [nimbus('timer'), fnArn(a.target)] };
    case 'timer.cancel':
      return { action: 'nimbus:DeleteTimer', resources: [nimbus('timer', String(a.id ?? '*'))] };
    case 'publish':
      return { action: 'nimbus:PublishEvents', resources: [nimbus('topic', String(a.topic ?? '*'))] };
    case 'objects.get':
      return { action: 's3:GetObject', resources: [`arn:aws:s3:::${String(a.bucket)}/${String(a.key)}`] };
    case 'workflow.start':
      return {
        action: 'states:StartExecution',
        resources: [
          `arn:aws:states:${arn.region}:${arn.account}:stateMachine:${String(a.stateMachine ?? '*')}`,
        ],
      };
    case 'workflow.taskSuccess':
      return { action: 'states:SendTaskSuccess', resources: ['*'] };
    case 'workflow.taskFailure':
      return { action: 'states:SendTaskFailure', resources: ['*'] };
    case 'workflow.taskHeartbeat':
      return { action: 'states:SendTaskHeartbeat', resources: ['*'] };
    case 'objects.put':
      return { action: 's3:PutObject', resources: [`arn:aws:s3:::${String(a.bucket)}/${String(a.key)}`] };
    default:
      return undefined;
  }
}

/** The compiled role policies of a function (role's generation cached; ≤ 1 s stale). */
export function createFunctionPolicies(d: {
  functions: Pick<FunctionRepo, 'get'>;
  roles: Pick<RoleRepo, 'get'>;
  now: () => number;
}): (tenant: TenantId, functionName: string) => Promise<PolicySet> {
  const cache = new Map<string, { at: number; set: Promise<PolicySet> }>();
  return (tenant, functionName) => {
    const k = `${tenant}\u0000${functionName}`;
    const hit = cache.get(k);
    if (hit && d.now() - hit.at < 1000) return hit.set;
    const set = (async () => {
      const fn = await d.functions.get(tenant, functionName);
      if (!fn) throw CoreErrors.NOT_FOUND({ what: `function ${functionName}` });
      const role = fn.config.role === undefined ? undefined : await d.roles.get(tenant, fn.config.role);
      return sessionPolicySet(role?.policies ?? []);
    })();
    if (cache.size > 10_000) cache.clear();
    cache.set(k, { at: d.now(), set });
    set.catch(() => cache.delete(k));
    return set;
  };
}

/** Throws 403 unless the function's role allows the call. */
export async function authorizeContextCall(
  policy: PolicySet,
  call: ContextCallRequest,
  who: { tenant: TenantId; functionName: string; account: string },
): Promise<void> {
  for (const resource of call.resources) {
    const d = policy.evaluate({
      action: call.action,
      resource,
      context: { 'aws:PrincipalAccount': who.account, 'nimbus:Tenant': who.tenant },
    });
    if (d.effect !== 'Allow')
      throw CoreErrors.FORBIDDEN({
        reason: `the role of function ${who.functionName} does not allow ${call.action} on ${resource} (add it to the function's role: iam.role.statements)`,
      });
  }
}
