/**
 * @module config
 * Platform configuration: one schema, parsed once from flags > NIMBUS_* env > defaults,
 * every problem listed at once, frozen, then injected.
 */
import { resolve } from 'node:path';
import { defineErrors } from '../core/errors.ts';
import { tracingFromEnv } from '../observability/tracing.ts';
import { ENV_VARS, type PlatformConfig, PlatformConfigSchema } from './schema.ts';

export { ENV_VARS, type PlatformConfig, PlatformConfigSchema } from './schema.ts';

export const ConfigErrors = defineErrors('CONFIG', {
  INVALID: {
    status: 400,
    kind: 'user',
    message: 'invalid configuration:\n{problems}',
    hint: 'fix the flags or NIMBUS_* environment variables listed above (see `nimbus start --help`)',
  },
});

export type ConfigInput = Partial<Record<keyof typeof ENV_VARS, string | number | undefined>>;

/**
 * Builds the frozen platform config. `flags` win over `env`; unknown env vars are ignored.
 * Throws CONFIG_INVALID listing every problem (not just the first).
 */
export function loadConfig(flags: ConfigInput, env: NodeJS.ProcessEnv = {}): PlatformConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(ENV_VARS)) {
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== '') raw[key] = fromEnv;
  }
  for (const [key, v] of Object.entries(flags)) if (v !== undefined) raw[key] = v;
  const parsed = PlatformConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => {
        const key = String(i.path[0] ?? '');
        const envName = ENV_VARS[key as keyof typeof ENV_VARS];
        return `  - ${key}${envName ? ` (${envName})` : ''}: ${i.message}`;
      })
      .join('\n');
    throw ConfigErrors.INVALID({ problems }, { details: { issues: parsed.error.issues } });
  }
  // Traces are configured by the standard OTEL_* variables (OpenTelemetry SDK spec).
  const otel = tracingFromEnv(env);
  if (otel.problems.length > 0)
    throw ConfigErrors.INVALID({ problems: otel.problems.map((p) => `  - tracing: ${p}`).join('\n') });
  const cfg = { ...parsed.data, dataDir: resolve(parsed.data.dataDir), tracing: otel.tracing };
  if ((cfg.adminKeyId === undefined) !== (cfg.adminSecret === undefined)) {
    throw ConfigErrors.INVALID({
      problems:
        '  - adminKeyId/adminSecret: set both NIMBUS_ADMIN_KEY_ID and NIMBUS_ADMIN_SECRET, or neither',
    });
  }
  if (cfg.cluster !== undefined) {
    const problems = [
      cfg.store === 'sqlite' ? '  - store: cluster mode needs a postgres:// store (NIMBUS_STORE)' : '',
      cfg.nats === undefined ? '  - nats: cluster mode needs a NATS URL (NIMBUS_NATS)' : '',
      cfg.masterKey === undefined
        ? '  - masterKey: every node of a cluster needs the same NIMBUS_MASTER_KEY (base64, 32 bytes)'
        : '',
    ].filter(Boolean);
    if (problems.length > 0) throw ConfigErrors.INVALID({ problems: problems.join('\n') });
  } else if (cfg.roles.length !== 4) {
    throw ConfigErrors.INVALID({
      problems: '  - roles: only a cluster node (--cluster) takes a subset of roles',
    });
  }
  return Object.freeze(cfg);
}
