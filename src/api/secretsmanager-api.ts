/**
 * The Secrets Manager API subset (awsJson1_1, `X-Amz-Target: secretsmanager.<Op>`), as
 * `@aws-sdk/client-secrets-manager` speaks it: CreateSecret, GetSecretValue, PutSecretValue,
 * DescribeSecret, ListSecrets, DeleteSecret. A thin layer over the secrets service.
 *
 * Where Nimbus differs: one version per secret (AWSCURRENT; no AWSPREVIOUS or custom stages), a
 * value is a SecretString (no SecretBinary), DeleteSecret deletes immediately whatever the recovery
 * window says (the DeletionDate answered is now), no tags, rotation lambdas, replication or
 * resource policies, and ARNs carry no random suffix. The tenant is always the caller's: a SecretId
 * ARN of another account or region is ResourceNotFoundException.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CoreErrors, type NimbusError } from '../core/errors.ts';
import { SecretsErrors } from '../secrets/errors.ts';
import type { SecretMetadata, SecretsService } from '../secrets/service.ts';
import { arnsFor, authorize, type Principal } from './auth.ts';
import type { AwsErrorType, AwsJsonInput, AwsJsonService } from './aws-json.ts';

export interface SecretsManagerApiDeps {
  readonly secrets: SecretsService;
  readonly region: string;
  readonly clock: { now(): number };
}

const CURRENT = 'AWSCURRENT';
const ARN = /^arn:aws:secretsmanager:([^:]*):([^:]*):secret:(.+)$/;

function input<T>(schema: z.ZodType<T>, raw: AwsJsonInput): T {
  const r = schema.safeParse(raw);
  if (!r.success)
    throw CoreErrors.VALIDATION({
      reason: r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
    });
  return r.data;
}

const SecretId = z.string().min(1).max(2048);
const Token = z.string().optional();
const Create = z.object({
  Name: z.string().min(1).max(2048),
  SecretString: z.string().optional(),
  SecretBinary: z.unknown().optional(),
  Description: z.string().optional(),
  ClientRequestToken: Token,
});
const Put = z.object({
  SecretId,
  SecretString: z.string().optional(),
  SecretBinary: z.unknown().optional(),
  ClientRequestToken: Token,
  VersionStages: z.array(z.string()).optional(),
});
const Get = z.object({ SecretId, VersionId: z.string().optional(), VersionStage: z.string().optional() });
const Describe = z.object({ SecretId });
const Delete = z.object({
  SecretId,
  RecoveryWindowInDays: z.number().int().optional(),
  ForceDeleteWithoutRecovery: z.boolean().optional(),
});
const List = z.object({
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().optional(),
  Filters: z
    .array(z.object({ Key: z.string(), Values: z.array(z.string()).max(10).optional() }))
    .max(10)
    .optional(),
  SortOrder: z.enum(['asc', 'desc']).optional(),
  IncludePlannedDeletion: z.boolean().optional(),
});

const seconds = (ms: number) => ms / 1000;

/** The value of a SecretString/SecretBinary pair: only strings are kept. */
function stringValue(b: { SecretString?: string | undefined; SecretBinary?: unknown }): string {
  if (b.SecretBinary !== undefined)
    throw SecretsErrors.INVALID_PARAMETER({
      field: 'SecretBinary',
      reason: 'Nimbus keeps SecretString values only (base64 the bytes into a SecretString)',
    });
  if (b.SecretString === undefined)
    throw SecretsErrors.INVALID_PARAMETER({
      field: 'SecretString',
      reason: 'a value is required (Nimbus keeps no secret without a version)',
    });
  return b.SecretString;
}

export function secretsManagerApi(d: SecretsManagerApiDeps): AwsJsonService {
  const arnOf = (p: Principal, name: string) =>
    arnsFor(d.region, p.accountId).of('secretsmanager', `secret:${name}`);
  /**
   * Authorizes `secretsmanager:<op>` on the secret's ARN in the caller's account and returns the
   * name. An ARN naming another account or region is authorized as given and then not found: the
   * tenant is the caller's, so another tenant's secret is never reachable (nor confirmed).
   */
  const target = (
    req: FastifyRequest,
    op: string,
    id: string,
  ): { p: Principal; name: string; arn: string } => {
    const m = ARN.exec(id);
    const name = m ? m[3]! : id;
    const p = authorize(req, `secretsmanager:${op}`, (a) =>
      m ? id : a.of('secretsmanager', `secret:${name}`),
    );
    if (m && (m[1] !== d.region || m[2] !== p.accountId)) throw SecretsErrors.NOT_FOUND({ name: id });
    return { p, name, arn: arnOf(p, name) };
  };
  const stages = (m: SecretMetadata) => ({ [m.versionId]: [CURRENT] });

  return {
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    internalErrorType: 'InternalServiceError',
    errorType: secretsManagerErrorType,
    operations: {
      async CreateSecret(raw, req) {
        const b = input(Create, raw);
        // Name is a name (the charset has no ':'): never parsed as an ARN.
        const p = authorize(req, 'secretsmanager:CreateSecret', (a) =>
          a.of('secretsmanager', `secret:${b.Name}`),
        );
        const m = await d.secrets.put(p.tenant, b.Name, stringValue(b), b.Description, {
          mode: 'create',
          versionId: b.ClientRequestToken,
        });
        return { ARN: arnOf(p, m.name), Name: m.name, VersionId: m.versionId };
      },

      async PutSecretValue(raw, req) {
        const b = input(Put, raw);
        const { p, name, arn } = target(req, 'PutSecretValue', b.SecretId);
        if (b.VersionStages && (b.VersionStages.length !== 1 || b.VersionStages[0] !== CURRENT))
          throw SecretsErrors.INVALID_PARAMETER({
            field: 'VersionStages',
            reason: `only ${CURRENT} is supported (one version per secret)`,
          });
        const m = await d.secrets.put(p.tenant, name, stringValue(b), undefined, {
          mode: 'update',
          versionId: b.ClientRequestToken,
        });
        return { ARN: arn, Name: m.name, VersionId: m.versionId, VersionStages: [CURRENT] };
      },

      async GetSecretValue(raw, req) {
        const b = input(Get, raw);
        const { p, name, arn } = target(req, 'GetSecretValue', b.SecretId);
        const s = await d.secrets.get(p.tenant, name);
        if (b.VersionStage !== undefined && b.VersionStage !== CURRENT)
          throw SecretsErrors.VERSION_NOT_FOUND({ name, version: b.VersionStage });
        if (b.VersionId !== undefined && b.VersionId !== s.versionId)
          throw SecretsErrors.VERSION_NOT_FOUND({ name, version: b.VersionId });
        return {
          ARN: arn,
          Name: s.name,
          VersionId: s.versionId,
          SecretString: s.value,
          VersionStages: [CURRENT],
          CreatedDate: seconds(s.updatedAt),
        };
      },

      async DescribeSecret(raw, req) {
        const b = input(Describe, raw);
        const { p, name, arn } = target(req, 'DescribeSecret', b.SecretId);
        const m = await d.secrets.describe(p.tenant, name);
        return {
          ARN: arn,
          Name: m.name,
          ...(m.description ? { Description: m.description } : {}),
          RotationEnabled: false,
          CreatedDate: seconds(m.createdAt),
          LastChangedDate: seconds(m.updatedAt),
          VersionIdsToStages: stages(m),
        };
      },

      async ListSecrets(raw, req) {
        const b = input(List, raw);
        const p = authorize(req, 'secretsmanager:ListSecrets');
        const match = filterOf(b.Filters ?? []);
        let all = (await d.secrets.list(p.tenant)).filter(match);
        if (b.SortOrder === 'desc') all = all.reverse();
        const max = b.MaxResults ?? 100;
        const start = b.NextToken === undefined ? 0 : pageStart(b.NextToken, all, b.SortOrder === 'desc');
        const page = all.slice(start, start + max);
        const last = page.at(-1);
        return {
          SecretList: page.map((m) => ({
            ARN: arnOf(p, m.name),
            Name: m.name,
            ...(m.description ? { Description: m.description } : {}),
            RotationEnabled: false,
            CreatedDate: seconds(m.createdAt),
            LastChangedDate: seconds(m.updatedAt),
            SecretVersionsToStages: stages(m),
          })),
          ...(last && start + max < all.length ? { NextToken: nextToken(last.name) } : {}),
        };
      },

      async DeleteSecret(raw, req) {
        const b = input(Delete, raw);
        const { p, name, arn } = target(req, 'DeleteSecret', b.SecretId);
        if (b.ForceDeleteWithoutRecovery && b.RecoveryWindowInDays !== undefined)
          throw SecretsErrors.INVALID_PARAMETER({
            field: 'RecoveryWindowInDays',
            reason: 'it cannot be combined with ForceDeleteWithoutRecovery',
          });
        if (
          b.RecoveryWindowInDays !== undefined &&
          (b.RecoveryWindowInDays < 7 || b.RecoveryWindowInDays > 30)
        )
          throw SecretsErrors.INVALID_PARAMETER({ field: 'RecoveryWindowInDays', reason: 'it must be 7-30' });
        // Deletion is immediate in Nimbus (no recovery window): the deletion date is now.
        const m = await d.secrets.delete(p.tenant, name);
        return { ARN: arn, Name: m.name, DeletionDate: seconds(d.clock.now()) };
      },
    },
  };
}

/** Secrets Manager's exceptions for the secrets area's coded errors (undefined: the common mapping). */
export function secretsManagerErrorType(e: NimbusError): AwsErrorType | undefined {
  switch (e.code) {
    case SecretsErrors.codes.NOT_FOUND:
    case SecretsErrors.codes.VERSION_NOT_FOUND:
      return { type: 'ResourceNotFoundException', status: 400 };
    case SecretsErrors.codes.ALREADY_EXISTS:
    case SecretsErrors.codes.VERSION_CONFLICT:
      return { type: 'ResourceExistsException', status: 400 };
    case SecretsErrors.codes.INVALID_NAME:
    case SecretsErrors.codes.INVALID_PARAMETER:
    case SecretsErrors.codes.TOO_LARGE:
    case CoreErrors.codes.VALIDATION:
      return { type: 'InvalidParameterException', status: 400 };
    case SecretsErrors.codes.INVALID_NEXT_TOKEN:
      return { type: 'InvalidNextTokenException', status: 400 };
    case SecretsErrors.codes.CORRUPT:
    case SecretsErrors.codes.KEK_NOT_FOUND:
    case SecretsErrors.codes.KEYRING_CORRUPT:
      return { type: 'DecryptionFailure', status: 400 };
  }
  return undefined;
}

const nextToken = (after: string) => Buffer.from(JSON.stringify({ after })).toString('base64url');

/** The index after the token's name (names are unique and the list is sorted by name). */
function pageStart(token: string, all: readonly SecretMetadata[], desc: boolean): number {
  let after: unknown;
  try {
    after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }).after;
  } catch {
    throw SecretsErrors.INVALID_NEXT_TOKEN();
  }
  if (typeof after !== 'string') throw SecretsErrors.INVALID_NEXT_TOKEN();
  const i = all.findIndex((m) => (desc ? m.name < after : m.name > after));
  return i < 0 ? all.length : i;
}

/** ListSecrets filters: `name`, `description`, `all`; prefix match, case-insensitive, `!` negates. */
function filterOf(
  filters: readonly { Key: string; Values?: readonly string[] | undefined }[],
): (m: SecretMetadata) => boolean {
  const tests = filters.map((f) => {
    const fields: ((m: SecretMetadata) => string)[] =
      f.Key === 'name'
        ? [(m) => m.name]
        : f.Key === 'description'
          ? [(m) => m.description]
          : f.Key === 'all'
            ? [(m) => m.name, (m) => m.description]
            : [];
    if (fields.length === 0)
      throw SecretsErrors.INVALID_PARAMETER({
        field: 'Filters.Key',
        reason: `${f.Key.slice(0, 40)} is not supported (name, description, all)`,
      });
    const values = (f.Values ?? []).map((v) => ({
      not: v.startsWith('!'),
      prefix: v.replace(/^!/, '').toLowerCase(),
    }));
    return (m: SecretMetadata) =>
      values.some((v) => fields.some((get) => get(m).toLowerCase().startsWith(v.prefix)) !== v.not);
  });
  return (m) => tests.every((t) => t(m));
}
