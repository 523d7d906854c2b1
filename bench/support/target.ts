// Nimbus as a peer in ../shared/bench (bench/peers/nimbus*.mjs): starts the platform with the
// gateway on --port, deploys every function listed in <dir>/functions.json (a fetch-style module)
// behind `GET /<name>` through the REST API, as a user would, then keeps running in the foreground.
// Writes <dir>/nimbus.json {apiUrl, gatewayUrl, secret, isolation} so a descriptor can add more
// functions to the running platform (hot add).
//   node bench/support/target.ts --port 3000 --dir DIR [--isolation process|isolate]
// With --isolation isolate, every function is created with `isolation: 'isolate'`; if the deploy
// answer does not say `function.isolation === 'isolate'` the platform does not support it, and
// this exits with code 3 and a message saying so (nothing would be measured otherwise).
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/index.ts';
import { zipDirectory } from '../../src/registry/build/index.ts';
import { startPlatform } from '../../src/server/index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    dir: { type: 'string' },
    isolation: { type: 'string', default: 'process' },
  },
});
const dir = values.dir ?? '.';
const isolation = values.isolation;
if (isolation !== 'process' && isolation !== 'isolate') throw new Error('--isolation process|isolate');
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

/** Creates (or updates) one function from a folder and routes `GET /<name>` to it. */
export async function deployFunction(
  name: string,
  codeDir: string,
  handler = 'index.default',
): Promise<void> {
  const zip = Buffer.from(await zipDirectory(codeDir)).toString('base64');
  const put = await fetch(`${p.apiUrl}/v1/functions/${name}`, {
    method: 'PUT',
    headers: auth,
    body: JSON.stringify({
      runtime: 'nodejs24.x',
      handler,
      code: { zipBase64: zip },
      ...(isolation === 'isolate' ? { isolation } : {}),
    }),
  });
  const text = await put.text();
  if (!put.ok) throw new Error(`deploy ${name}: ${put.status} ${text}`);
  if (isolation === 'isolate') {
    const got = (JSON.parse(text) as { function?: { isolation?: string } }).function?.isolation;
    if (got !== 'isolate') {
      process.stderr.write(
        `nimbus: the isolate runtime is not supported by this build (deploy answered function.isolation=${got ?? 'absent'})\n`,
      );
      await p.close();
      process.exit(3);
    }
  }
  const route = await fetch(`${p.apiUrl}/v1/functions/${name}/routes`, {
    method: 'PUT',
    headers: auth,
    body: JSON.stringify({ routes: [{ routeKey: `GET /${name}` }] }),
  });
  if (!route.ok) throw new Error(`route ${name}: ${route.status} ${await route.text()}`);
}

const fns = JSON.parse(await readFile(join(dir, 'functions.json'), 'utf8')) as {
  name: string;
  entry: string;
  /** Defaults to a fetch-style module's `index.default`. */
  handler?: string;
}[];
// The harness treats the first 200 from `hello` as "started": deploy it last, so every other
// function is routed by then (the memory run calls them right after).
const order = [...fns.filter((f) => f.name !== 'hello'), ...fns.filter((f) => f.name === 'hello')];
for (const fn of order) await deployFunction(fn.name, join(dir, dirname(fn.entry)), fn.handler);
await writeFile(
  join(dir, 'nimbus.json'),
  JSON.stringify({ apiUrl: p.apiUrl, gatewayUrl: p.gatewayUrl, secret, isolation }),
  { mode: 0o600 },
);
process.stdout.write(`nimbus ready on ${p.gatewayUrl} with ${fns.length} functions (${isolation})\n`);
const stop = () => void p.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
