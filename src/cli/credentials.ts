/**
 * Where the CLI finds the platform and a key: NIMBUS_ENDPOINT (default http://127.0.0.1:8080);
 * NIMBUS_KEY_ID + NIMBUS_SECRET, else a profile in ~/.nimbus/credentials, else the local data
 * dir's admin-credentials.json (`--data-dir`, NIMBUS_DATA_DIR, else the nearest `.nimbus/` of the
 * current folder or a parent, so the CLI works inside a service folder of the project too).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CliErrors } from './errors.ts';

export interface Credentials {
  readonly endpoint: string;
  readonly keyId?: string | undefined;
  readonly secret: string;
  readonly source: string;
}

export interface CredentialOptions {
  readonly endpoint?: string | undefined;
  readonly profile?: string | undefined;
  readonly dataDir?: string | undefined;
}

/** The nearest `<dir>/.nimbus` holding admin-credentials.json, from `from` up to the root. */
function nearestDataDir(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.nimbus', 'admin-credentials.json'))) return join(dir, '.nimbus');
    if (dirname(dir) === dir) return undefined;
  }
}

export function resolveCredentials(
  o: CredentialOptions,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
  cwd = process.cwd(),
): Credentials {
  const explicitEndpoint = o.endpoint ?? env.NIMBUS_ENDPOINT;
  if (env.NIMBUS_SECRET) {
    return {
      endpoint: explicitEndpoint ?? 'http://127.0.0.1:8080',
      keyId: env.NIMBUS_KEY_ID,
      secret: env.NIMBUS_SECRET,
      source: 'NIMBUS_KEY_ID/NIMBUS_SECRET',
    };
  }
  const profileName = o.profile ?? env.NIMBUS_PROFILE ?? 'default';
  const profileFile = join(home, '.nimbus', 'credentials');
  if (existsSync(profileFile)) {
    const all = JSON.parse(readFileSync(profileFile, 'utf8')) as {
      profiles?: Record<string, { endpoint?: string; keyId?: string; secret?: string }>;
    };
    const p = all.profiles?.[profileName];
    if (p?.secret) {
      return {
        endpoint: explicitEndpoint ?? p.endpoint ?? 'http://127.0.0.1:8080',
        keyId: p.keyId,
        secret: p.secret,
        source: `profile ${profileName} (${profileFile})`,
      };
    }
    if (o.profile || env.NIMBUS_PROFILE)
      throw CliErrors.NO_CREDENTIALS({ where: `profile ${profileName} in ${profileFile}` });
  }
  const dataDir = resolve(
    cwd,
    o.dataDir ?? env.NIMBUS_DATA_DIR ?? nearestDataDir(cwd) ?? join(cwd, '.nimbus'),
  );
  const file = join(dataDir, 'admin-credentials.json');
  if (existsSync(file)) {
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as {
        keyId?: string;
        secret?: string;
        endpoint?: string;
      };
      if (c.secret) {
        return {
          endpoint: explicitEndpoint ?? c.endpoint ?? 'http://127.0.0.1:8080',
          keyId: c.keyId,
          secret: c.secret,
          source: file,
        };
      }
    } catch {
      // fall through to the error below
    }
  }
  throw CliErrors.NO_CREDENTIALS({ where: `NIMBUS_SECRET, ${profileFile} or ${file}` });
}
