/**
 * @module security/iam/managed
 * Nimbus's managed policies (attach them by name or by their AWS-style ARN) and the default
 * execution role policy of a function.
 */
import type { PolicyDocument } from './policy.ts';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Everything. */
export const ADMINISTRATOR_ACCESS: PolicyDocument = deepFreeze({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: ['*'], Resource: ['*'] }],
});

/**
 * Everything except administering the platform itself: API keys, tenants, the audit log, and users,
 * roles and policies (`iam:*`). Written as Allow-all plus an explicit Deny, so the Deny wins even if
 * another attached policy allows those actions: to delegate them, attach AdministratorAccess instead
 * of adding to this.
 *
 * The Deny patterns match by substring (case-insensitively, like all action matching): any `nimbus:`
 * action whose name contains "Key", "Tenant" or "Audit" is denied, so name new actions with that in
 * mind (a hypothetical `nimbus:GetMonkey` would be caught by `*Key*`).
 */
export const DEVELOPER: PolicyDocument = deepFreeze({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Everything', Effect: 'Allow', Action: ['*'], Resource: ['*'] },
    {
      Sid: 'ButPlatformAdministration',
      Effect: 'Deny',
      // Developers manage their functions' execution roles (iam:*Role*: a serverless.yml deploy
      // creates one); what a role can grant is capped by the session boundary (no identity
      // administration from functions), so this is no escalation beyond deploying code.
      Action: [
        'nimbus:*Key*',
        'nimbus:*Tenant*',
        'nimbus:*Audit*',
        'nimbus:RotateMasterKey',
        'nimbus:GetNodeStatus',
        // Spending limits are set by whoever pays, not raised by the people they limit.
        'nimbus:PutBudget',
        'nimbus:DeleteBudget',
        'nimbus:PutPrices',
        'iam:*User*',
        'iam:*AccessKey*',
      ],
      Resource: ['*'],
    },
  ],
});

/**
 * Reading configuration and state, not data that is secret: secrets can be listed and described,
 * but `secretsmanager:GetSecretValue` is not granted.
 */
export const READ_ONLY: PolicyDocument = deepFreeze({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Read',
      Effect: 'Allow',
      Action: [
        'lambda:Get*',
        'lambda:List*',
        's3:Get*',
        's3:List*',
        'sqs:Get*',
        'sqs:List*',
        'sns:Get*',
        'sns:List*',
        'events:Describe*',
        'events:List*',
        'states:Describe*',
        'states:List*',
        'states:Get*',
        'logs:Describe*',
        'logs:Get*',
        'logs:FilterLogEvents',
        'logs:StartQuery',
        'secretsmanager:ListSecrets',
        'secretsmanager:DescribeSecret',
        'nimbus:Get*',
        'nimbus:List*',
        'nimbus:Describe*',
        'sts:GetCallerIdentity',
      ],
      Resource: ['*'],
    },
  ],
});

/** Calling functions and routes, and finding them. */
export const INVOKER: PolicyDocument = deepFreeze({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Invoke',
      Effect: 'Allow',
      Action: [
        'lambda:InvokeFunction',
        'lambda:InvokeAsync',
        'lambda:GetFunction',
        'lambda:ListFunctions',
        'nimbus:InvokeRoute',
        'sts:GetCallerIdentity',
        // The API's OpenAPI document (GET /v1/openapi.json): ReadOnly has it through nimbus:Get*.
        'nimbus:GetApiDocument',
      ],
      Resource: ['*'],
    },
  ],
});

/** A function's role when none is given: it may write its own logs and nothing else. */
export const DEFAULT_EXECUTION_POLICY: PolicyDocument = deepFreeze({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'WriteLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: ['*'],
    },
  ],
});

export type ManagedPolicyName = 'AdministratorAccess' | 'Developer' | 'ReadOnly' | 'Invoker';

export const MANAGED_POLICIES: Readonly<Record<ManagedPolicyName, PolicyDocument>> = Object.freeze({
  AdministratorAccess: ADMINISTRATOR_ACCESS,
  Developer: DEVELOPER,
  ReadOnly: READ_ONLY,
  Invoker: INVOKER,
});

const MANAGED_ARN_PREFIX = 'arn:aws:iam::aws:policy/';

/** Names accepted for each managed policy (AWS's `ReadOnlyAccess` is our ReadOnly). */
const BY_NAME: ReadonlyMap<string, PolicyDocument> = new Map<string, PolicyDocument>([
  ...Object.entries(MANAGED_POLICIES),
  ['ReadOnlyAccess', READ_ONLY],
  // SAM and Lambda templates name this one; it grants exactly the default execution policy.
  ['service-role/AWSLambdaBasicExecutionRole', DEFAULT_EXECUTION_POLICY],
]);

/**
 * A managed policy by name (`Developer`) or ARN (`arn:aws:iam::aws:policy/Developer`;
 * `ReadOnlyAccess` names ReadOnly). Case-sensitive. Undefined when there is no such policy.
 */
export function resolvePolicyRef(ref: string): PolicyDocument | undefined {
  const name = ref.startsWith(MANAGED_ARN_PREFIX) ? ref.slice(MANAGED_ARN_PREFIX.length) : ref;
  return BY_NAME.get(name);
}
