/**
 * Identity records: tenants (accounts), access keys, execution roles, secrets and the audit log.
 * A policy reference is a managed policy name/ARN (`Developer`, `arn:aws:iam::aws:policy/ReadOnly`)
 * or an inline IAM policy document (kept as parsed JSON; validated by `security/iam`).
 */
import type { TenantId } from './types.ts';

export type PolicyRef = string | Readonly<Record<string, unknown>>;

export interface TenantRecord {
  /** Lower-case name used in host names and paths (`acme` → `acme.localhost`). */
  readonly id: TenantId;
  /** 12 decimal digits, in every ARN of the tenant. */
  readonly accountId: string;
  readonly description: string;
  readonly createdAt: number;
}

export type KeyKind = 'user' | 'service';

export interface ApiKeyRecord {
  readonly tenant: TenantId;
  readonly keyId: string;
  readonly kind: KeyKind;
  /** sha256 hex of the current secret. */
  readonly secretHash: string;
  readonly secretCiphertext: string;
  /** The previous secret during a rotation: valid until `prevExpiresAt`. */
  readonly prevSecretHash?: string | undefined;
  readonly prevSecretCiphertext?: string | undefined;
  readonly prevExpiresAt?: number | undefined;
  readonly policies: readonly PolicyRef[];
  readonly description: string;
  readonly createdAt: number;
  /** Epoch ms after which the key no longer authenticates; undefined = no expiry. */
  readonly expiresAt?: number | undefined;
  readonly disabled: boolean;
}

export interface RoleRecord {
  readonly tenant: TenantId;
  readonly name: string;
  readonly policies: readonly PolicyRef[];
  readonly description: string;
  /** Increases on every change: temporary credentials minted for an older generation stop working. */
  readonly generation: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SecretRecord {
  readonly tenant: TenantId;
  readonly name: string;
  readonly description: string;
  /** The value, AES-256-GCM under the secret's own data key. */
  readonly ciphertext: string;
  /** The data key, wrapped by the key provider's key `kekId`. */
  readonly wrappedKey: string;
  readonly kekId: string;
  /** Changes on every new value (Secrets Manager VersionId). */
  readonly versionId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type AuditResult = 'ok' | 'denied' | 'unauthenticated' | 'error';

export interface AuditEntry {
  readonly tenant: TenantId;
  /** Epoch ms. */
  readonly ts: number;
  /** Key id or role session (`role/<name>/<function>`); `-` when unauthenticated. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly sourceIp: string;
  readonly result: AuditResult;
  /** HTTP status and short coded detail; never secret values or bodies. */
  readonly status: number;
  readonly detail: string;
}

export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditQuery {
  readonly tenant?: TenantId | undefined;
  readonly principal?: string | undefined;
  readonly action?: string | undefined;
  readonly result?: AuditResult | undefined;
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  /** Records with seq > afterSeq, oldest first. */
  readonly afterSeq?: number | undefined;
  readonly limit: number;
}
