/**
 * @module security
 * API keys (hashed + encrypted secrets), the master key, bootstrap admin credentials, and request
 * authentication (Bearer, SigV4).
 */
export {
  type Authenticator,
  type AuthRequest,
  createAuthenticator,
  type PresignOptions,
  type Principal,
} from './authenticate.ts';
export { type AdminCredentials, bootstrapAdmin } from './bootstrap.ts';
export { authorizeContextCall, contextCallAction, createFunctionPolicies } from './context-authz.ts';
export {
  addressAllowed,
  blockedReason,
  DEFAULT_EGRESS,
  EgressDeniedError,
  type EgressMode,
  type EgressPolicy,
  type EgressRule,
  egressPolicySchema,
  guardedLookup,
  platformAddressAllowed,
  urlEgressProblem,
} from './egress.ts';
export { withEncryptedEnvironment } from './encrypted-store.ts';
export { SecurityErrors } from './errors.ts';
export { createInstanceEnv, RESERVED_ENV, secretEnvName } from './instance-env.ts';
export { createApiKey, generateKeyId, generateSecret, hashSecret, type NewKey, rotatedKey } from './keys.ts';
export {
  type PolicySet,
  policySetFor,
  resolvePolicies,
  SESSION_BOUNDARY,
  sessionPolicySet,
} from './policy-set.ts';
export { createSecretRedactor, type SecretRedactor } from './redact.ts';
export { decryptSecret, encryptSecret, loadOrCreateMasterKey } from './secrets.ts';
export {
  createSessionIssuer,
  MAX_SESSION_MS,
  type SessionCredentials,
  type SessionIssuer,
} from './sessions.ts';
export { ACCOUNT_ID, createTenantDirectory, TENANT_ID, type TenantDirectory } from './tenants.ts';
