/**
 * The environment an instance starts with, as Lambda gives it: the function's variables (secret
 * references resolved), its secrets, temporary credentials of its execution role
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, with AWS_CREDENTIAL_EXPIRATION
 * so SDKs know when to look again) and the endpoints of the platform's AWS-compatible APIs at an
 * address the sandbox can reach (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3), so an unmodified
 * `new S3Client({})` inside a function talks to Nimbus and Nimbus enforces the role.
 *
 * Secret values exist only here and in the instance: the stored function configuration keeps
 * the `${secret:name}` reference, so GetFunction, logs and usage never hold a value.
 */

import { ACCOUNT_REF, QUEUE_URL_REF, REGION_REF } from '../config/cloudformation.ts';
import { CoreErrors } from '../core/errors.ts';
import type { InstanceSpec, RoleRepo } from '../core/ports.ts';
import type { SessionIssuer } from './sessions.ts';

/** `${secret:name}` anywhere in a variable's value. */
const SECRET_REF = /\$\{secret:([A-Za-z0-9/_+=.@-]{1,512})\}/g;

/** Variables only the platform sets (a function's own value for them is replaced). */
export const RESERVED_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
] as const;

/** `db-password` → `DB_PASSWORD`: the variable a `secrets:` entry becomes. */
export const secretEnvName = (name: string) =>
  name
    .replace(/[^A-Za-z0-9_]/g, '_')
    .replace(/^(\d)/, '_$1')
    .toUpperCase();

export interface InstanceEnvDeps {
  readonly sessions: SessionIssuer;
  readonly roles: Pick<RoleRepo, 'get'>;
  /** A secret's current value; throws a coded NOT_FOUND when the tenant has no such secret. */
  readonly secretValue: (tenant: string, name: string) => Promise<string>;
  /** Where instances reach the platform (undefined: not reachable, e.g. no network namespace). */
  readonly endpoints: () => { readonly api: string; readonly s3: string } | undefined;
  readonly region: string;
  /** The tenant's account id (`${nimbus:account}`, queue URLs). */
  readonly accountOf?: ((tenant: string) => string) | undefined;
  /** Credential lifetime (≤ 1 h); instances are replaced before it ends. */
  readonly ttlMs: number;
  /** Told which secret values an instance of the function got (log redaction). */
  readonly onSecrets?: (tenant: string, functionName: string, values: ReadonlyMap<string, string>) => void;
}

export function createInstanceEnv(
  d: InstanceEnvDeps,
): (spec: InstanceSpec) => Promise<Record<string, string>> {
  return async (spec) => {
    const env: Record<string, string> = {};
    const used = new Map<string, string>();
    const value = async (name: string) => {
      const v = await d.secretValue(spec.tenant, name);
      used.set(name, v);
      return v;
    };
    const ep = d.endpoints();
    const account = d.accountOf?.(spec.tenant) ?? '';
    for (const [k, v] of Object.entries(spec.config.environment)) {
      let out = v;
      for (const m of v.matchAll(SECRET_REF)) out = out.replace(m[0], await value(m[1]!));
      // Deploy-time references (src/config/cloudformation.ts): a queue's URL at the address this
      // instance reaches the platform at, the region and the account.
      out = out
        .replace(QUEUE_URL_REF, (_w, name: string) => `${ep?.api ?? ''}/${account}/${name}`)
        .replaceAll(REGION_REF, d.region)
        .replaceAll(ACCOUNT_REF, account);
      env[k] = out;
    }
    for (const name of spec.config.secrets ?? []) env[secretEnvName(name)] = await value(name);
    if (used.size > 0) d.onSecrets?.(spec.tenant, spec.functionName, used);
    const role = spec.config.role;
    let generation = 0;
    if (role !== undefined) {
      const r = await d.roles.get(spec.tenant, role);
      if (!r) throw CoreErrors.VALIDATION({ reason: `the function's role ${role} does not exist` });
      generation = r.generation;
    }
    const c = await d.sessions.mint(
      { tenant: spec.tenant, role: role ?? '', generation, functionName: spec.functionName },
      d.ttlMs,
    );
    env.AWS_ACCESS_KEY_ID = c.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = c.secretAccessKey;
    env.AWS_SESSION_TOKEN = c.sessionToken;
    env.AWS_CREDENTIAL_EXPIRATION = new Date(c.expiresAt).toISOString();
    env.AWS_DEFAULT_REGION = d.region;
    if (ep) {
      env.AWS_ENDPOINT_URL = ep.api;
      env.AWS_ENDPOINT_URL_S3 = ep.s3;
    }
    return env;
  };
}
