/**
 * Tasks run with the state machine's role: before a Task invokes a function, the role must allow
 * `lambda:InvokeFunction` on it (IAM policy evaluation, src/security/). A machine deployed
 * without a role gets the tenant's default workflow role, `nimbus-workflows`: while no role of
 * that name exists it may invoke the tenant's own functions; once an administrator creates one,
 * its policies decide. A role of another account, or one that does not exist, allows nothing.
 */
import type { RoleRepo } from '../core/ports.ts';
import type { TenantId } from '../core/types.ts';
import { sessionPolicySet } from '../security/policy-set.ts';

export const DEFAULT_WORKFLOW_ROLE = 'nimbus-workflows';

export function workflowTaskAuthorizer(d: {
  roles: Pick<RoleRepo, 'get'>;
  region: string;
  accountOf: (tenant: TenantId) => string;
}) {
  return async (tenant: TenantId, roleArn: string, functionName: string): Promise<string | undefined> => {
    const account = d.accountOf(tenant);
    const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    if (!m || m[1] !== account) return `the role ${roleArn} is not a role of this account`;
    const name = m[2]!;
    const role = await d.roles.get(tenant, name);
    if (!role) return name === DEFAULT_WORKFLOW_ROLE ? undefined : `the role ${roleArn} does not exist`;
    const resource = `arn:aws:lambda:${d.region}:${account}:function:${functionName}`;
    const decision = sessionPolicySet(role.policies).evaluate({
      action: 'lambda:InvokeFunction',
      resource,
      context: { 'aws:PrincipalAccount': account, 'nimbus:Tenant': tenant },
    });
    return decision.effect === 'Allow'
      ? undefined
      : `the role ${roleArn} does not allow lambda:InvokeFunction on ${resource}`;
  };
}
