/** Options every remote command shares, and the client built from them. */
import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import { resolveCredentials } from './credentials.ts';

export interface GlobalOpts {
  json?: boolean;
  endpoint?: string;
  profile?: string;
  dataDir?: string;
}

export function withGlobals(cmd: Command): Command {
  return cmd
    .option('--json', 'print one JSON document (NDJSON for streams)')
    .option('--endpoint <url>', 'API endpoint (env NIMBUS_ENDPOINT, default http://127.0.0.1:8080)')
    .option('--profile <name>', 'profile in ~/.nimbus/credentials (env NIMBUS_PROFILE)')
    .option(
      '--data-dir <dir>',
      'local data dir holding admin-credentials.json (default: the nearest .nimbus/ here or in a parent folder)',
    );
}

export function clientFor(o: GlobalOpts): ApiClient {
  return new ApiClient(resolveCredentials({ endpoint: o.endpoint, profile: o.profile, dataDir: o.dataDir }));
}
