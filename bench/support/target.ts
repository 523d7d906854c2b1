// Nimbus as a peer in ../shared/bench (TARGET_CMD contract): starts the platform with the gateway
// on --port, deploys every function listed in <dir>/functions.json (a fetch-style module) behind
// `GET /<name>`, then keeps running in the foreground.
//   TARGET_CMD='node /path/to/nimbus/bench/support/target.ts --port {port} --dir {dir}'
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/index.ts';
import { zipDirectory } from '../../src/registry/build/index.ts';
import { startPlatform } from '../../src/server/index.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, dir: { type: 'string' } } });
const dir = values.dir ?? '.';
const p = await startPlatform(
  loadConfig(
    { port: values.port ?? 3000, apiPort: 0, s3Port: 0, dataDir: join(dir, '.nimbus'), logLevel: 'error' },
    process.env,
  ),
);
// Generated on the first start of this data dir; read back from its file on later starts.
const secret =
  p.admin.secret ?? (JSON.parse(await readFile(p.admin.file, 'utf8')) as { secret: string }).secret;
const auth = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
const fns = JSON.parse(await readFile(join(dir, 'functions.json'), 'utf8')) as {
  name: string;
  entry: string;
}[];
for (const fn of fns) {
  const zip = Buffer.from(await zipDirectory(join(dir, dirname(fn.entry)))).toString('base64');
  const put = await fetch(`${p.apiUrl}/v1/functions/${fn.name}`, {
    method: 'PUT',
    headers: auth,
    body: JSON.stringify({ runtime: 'nodejs24.x', handler: 'index.default', code: { zipBase64: zip } }),
  });
  if (!put.ok) throw new Error(`deploy ${fn.name}: ${put.status} ${await put.text()}`);
  const route = await fetch(`${p.apiUrl}/v1/functions/${fn.name}/routes`, {
    method: 'PUT',
    headers: auth,
    body: JSON.stringify({ routes: [{ routeKey: `GET /${fn.name}` }] }),
  });
  if (!route.ok) throw new Error(`route ${fn.name}: ${route.status} ${await route.text()}`);
}
process.stdout.write(`nimbus ready on ${p.gatewayUrl} with ${fns.length} functions\n`);
const stop = () => void p.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
