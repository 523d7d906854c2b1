/**
 * @module security/iam
 * The IAM policy language: identity policies parsed and validated (`parsePolicy`), evaluated with
 * AWS's logic (`compilePolicies`, `evaluate`), and Nimbus's managed policies.
 */
export { IamErrors } from './errors.ts';
export {
  type CompiledPolicySet,
  type ContextValue,
  compilePolicies,
  type Decision,
  evaluate,
  type RequestContext,
  type StatementRef,
} from './evaluate.ts';
export { compileGlob, type GlobMatcher, type StepCounter } from './glob.ts';
export {
  ADMINISTRATOR_ACCESS,
  DEFAULT_EXECUTION_POLICY,
  DEVELOPER,
  INVOKER,
  MANAGED_POLICIES,
  type ManagedPolicyName,
  READ_ONLY,
  resolvePolicyRef,
} from './managed.ts';
export {
  CONDITION_OPERATORS,
  type ConditionBlock,
  type Effect,
  POLICY_LIMITS,
  type PolicyDocument,
  type PolicyVersion,
  parsePolicy,
  type Statement,
} from './policy.ts';
