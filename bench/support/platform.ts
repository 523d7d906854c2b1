// Starts a Nimbus platform for a benchmark and prints {apiUrl, gatewayUrl, secret} as one JSON line.
// The data dir may be reused (a restart): the admin secret is then read back from its file.
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../src/config/index.ts';
import { startPlatform } from '../../src/server/index.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: platform.ts <dataDir>');
const p = await startPlatform(
  loadConfig({ port: 0, apiPort: 0, s3Port: 0, dataDir, logLevel: 'error' }, process.env),
);
const secret =
  p.admin.secret ?? (JSON.parse(await readFile(p.admin.file, 'utf8')) as { secret: string }).secret;
process.stdout.write(
  `${JSON.stringify({ apiUrl: p.apiUrl, gatewayUrl: p.gatewayUrl, s3Url: p.s3Url, keyId: p.admin.keyId, secret })}\n`,
);
const stop = () => void p.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
