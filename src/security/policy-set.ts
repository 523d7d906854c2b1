/**
 * The compiled policies of a principal. Keys carry managed policy names/ARNs or inline documents;
 * a function's role session gets its role's policies plus the default execution policy (its own
 * logs), inside a boundary that no role can lift: temporary credentials never administer keys,
 * tenants, roles or the audit log (so a developer cannot escalate through a function's role).
 */
import type { PolicyRef } from '../core/types.ts';
import { IamErrors } from './iam/errors.ts';
import { compilePolicies, type Decision, type RequestContext } from './iam/evaluate.ts';
import { DEFAULT_EXECUTION_POLICY, resolvePolicyRef } from './iam/managed.ts';
import { type PolicyDocument, parsePolicy } from './iam/policy.ts';

export interface PolicySet {
  evaluate(req: RequestContext): Decision;
}

/** Managed name/ARN → its document; an inline document → parsed (throws IAM_POLICY_INVALID). */
export function resolvePolicies(refs: readonly PolicyRef[]): PolicyDocument[] {
  return refs.map((r) => {
    if (typeof r !== 'string') return parsePolicy(r);
    const m = resolvePolicyRef(r);
    if (!m)
      throw IamErrors.POLICY_INVALID({
        statement: '-',
        field: '(reference)',
        reason: `unknown managed policy ${JSON.stringify(r.slice(0, 200))}`,
      });
    return m;
  });
}

export function policySetFor(refs: readonly PolicyRef[]): PolicySet {
  return compilePolicies(resolvePolicies(refs));
}

/** What role sessions may never do, whatever their role says. */
export const SESSION_BOUNDARY: PolicyDocument = parsePolicy({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'NoIdentityAdministrationFromFunctions',
      Effect: 'Deny',
      Action: ['iam:*', 'nimbus:*Key*', 'nimbus:*Tenant*', 'nimbus:*Audit*', 'nimbus:*MasterKey*'],
      Resource: '*',
    },
  ],
});

export function sessionPolicySet(roleRefs: readonly PolicyRef[]): PolicySet {
  return compilePolicies([...resolvePolicies(roleRefs), DEFAULT_EXECUTION_POLICY, SESSION_BOUNDARY]);
}
