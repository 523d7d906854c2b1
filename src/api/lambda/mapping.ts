/** Pure mappings between Nimbus records/errors and the Lambda API's JSON shapes. */
import type { NimbusError } from '../../core/errors.ts';
import { CoreErrors } from '../../core/errors.ts';
import type { AliasRecord, FunctionConfig, FunctionRecord, VersionRecord } from '../../core/types.ts';
import { type ArnContext, functionArn } from '../views.ts';

/** The role shown for functions without one (the default execution role: their own logs). */
export const DEFAULT_ROLE_NAME = 'nimbus-default-execution';

/** `name`, `123456789012:function:name[:q]` or `arn:aws:lambda:r:a:function:name[:q]` → parts. */
export function parseFunctionName(raw: string): { name: string; qualifier?: string } {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    throw CoreErrors.VALIDATION({ reason: `invalid function name ${JSON.stringify(raw)}` });
  }
  let m = /^arn:aws[a-z-]*:lambda:[^:]*:\d{12}:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?$/.exec(s);
  if (!m) m = /^\d{12}:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?$/.exec(s);
  if (!m) m = /^([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]+))?$/.exec(s);
  if (!m) throw CoreErrors.VALIDATION({ reason: `invalid function name ${JSON.stringify(s)}` });
  return m[2] ? { name: m[1]!, qualifier: m[2] } : { name: m[1]! };
}

/** Lambda timestamps look like `2026-11-24T22:00:00.000+0000`. */
export const lambdaTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

const b64sha = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

function configuration(
  c: ArnContext,
  name: string,
  version: string,
  cfg: FunctionConfig,
  code: FunctionRecord['code'],
  modified: number,
  revisionId: string,
) {
  return {
    FunctionName: name,
    FunctionArn: functionArn(c, name, version === '$LATEST' ? undefined : version),
    Runtime: cfg.runtime,
    Role: `arn:aws:iam::${c.accountId}:role/${cfg.role ?? DEFAULT_ROLE_NAME}`,
    Handler: cfg.handler,
    CodeSize: code.size,
    Description: cfg.description,
    Timeout: cfg.timeoutSec,
    MemorySize: cfg.memoryMb,
    LastModified: lambdaTime(modified),
    CodeSha256: b64sha(code.sha256),
    Version: version,
    Environment: { Variables: { ...cfg.environment } },
    RevisionId: revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
  };
}

export const functionConfiguration = (c: ArnContext, f: FunctionRecord) =>
  configuration(c, f.name, '$LATEST', f.config, f.code, f.updatedAt, f.revisionId);

export const versionConfiguration = (c: ArnContext, v: VersionRecord) =>
  configuration(
    c,
    v.functionName,
    v.version,
    { ...v.config, description: v.description },
    v.code,
    v.createdAt,
    `${v.functionName}:${v.version}`,
  );

export function aliasConfiguration(c: ArnContext, a: AliasRecord) {
  const weights = Object.keys(a.additionalWeights).length
    ? { RoutingConfig: { AdditionalVersionWeights: a.additionalWeights } }
    : {};
  return {
    AliasArn: functionArn(c, a.functionName, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
    ...weights,
  };
}

/** Lambda error type for a Nimbus error. */
export function lambdaErrorType(e: NimbusError): string {
  if (e.code.endsWith('_NOT_FOUND')) return 'ResourceNotFoundException';
  if (e.code === 'NIMBUS_ERR_SECURITY_KEY_INVALID') return 'UnrecognizedClientException';
  if (e.code === 'NIMBUS_ERR_SECURITY_TOKEN_EXPIRED') return 'ExpiredTokenException';
  switch (e.status) {
    case 400:
      return e.code === CoreErrors.codes.MALFORMED_JSON
        ? 'InvalidRequestContentException'
        : 'InvalidParameterValueException';
    case 401:
      return 'UnrecognizedClientException';
    case 403:
      return e.code.includes('SIGNATURE') || e.code.includes('EXPIRED')
        ? 'InvalidSignatureException'
        : 'AccessDeniedException';
    case 404:
      return 'ResourceNotFoundException';
    case 409:
      return 'ResourceConflictException';
    case 412:
      return 'PreconditionFailedException';
    case 413:
      return 'RequestTooLargeException';
    case 429:
      return 'TooManyRequestsException';
    default:
      return e.status >= 500 ? 'ServiceException' : 'InvalidParameterValueException';
  }
}
